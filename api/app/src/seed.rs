//! Start-up data: the bootstrap admin from the environment, and the demo organisation for a
//! fresh development database.

use crate::App;
use crate::auth::password;
use crate::error::AppError;
use crate::tickets::Extra;
use crate::tickets::{self as service, ContactInput as CustomerInput, NewTicketRequest};
use anyhow::{Context, anyhow};
use careline_domain::org::DepartmentKind;
use careline_domain::ticket::Command;
use careline_domain::ticket::{
    AttachmentInput, Channel, ComplaintCategory, ComplaintVerdict, NewTicketInput, Priority,
    Severity, TicketKind,
};
use careline_domain::{Role, Roles, password::check_policy};
use careline_persistence::entity::user;
use careline_persistence::{corrective_actions, org, users};
use std::collections::HashMap;
use uuid::Uuid;

/// The password of every demo account (listed in README.md).
pub const DEMO_PASSWORD: &str = "careline-demo-2026";

/// One demo account: email, name, roles, department, team, skills.
type DemoUser = (
    &'static str,
    &'static str,
    &'static [Role],
    Option<&'static str>,
    Option<&'static str>,
    &'static [&'static str],
);

/// Demo accounts (listed in README.md).
pub const DEMO_USERS: &[DemoUser] = &[
    (
        "admin@careline.example",
        "Ada Admin",
        &[Role::Admin],
        None,
        None,
        &[],
    ),
    (
        "manager@careline.example",
        "Mina Manager",
        &[Role::Manager],
        Some("Customer Service"),
        None,
        &[],
    ),
    (
        "supervisor.a@careline.example",
        "Sam Supervisor",
        &[Role::Supervisor],
        Some("Customer Service"),
        Some("Front Desk A"),
        &[],
    ),
    (
        "supervisor.b@careline.example",
        "Sofia Supervisor",
        &[Role::Supervisor],
        Some("Customer Service"),
        Some("Front Desk B"),
        &[],
    ),
    (
        "agent.a1@careline.example",
        "Alice Agent",
        &[Role::Agent],
        Some("Customer Service"),
        Some("Front Desk A"),
        &["billing"],
    ),
    (
        "agent.a2@careline.example",
        "Aaron Agent",
        &[Role::Agent],
        Some("Customer Service"),
        Some("Front Desk A"),
        &["after_sales"],
    ),
    (
        "agent.b1@careline.example",
        "Bella Agent",
        &[Role::Agent],
        Some("Customer Service"),
        Some("Front Desk B"),
        &["billing", "after_sales"],
    ),
    (
        "tech@careline.example",
        "Theo Tech",
        &[Role::TechSupport],
        Some("Customer Service"),
        Some("Front Desk A"),
        &["technical"],
    ),
    (
        "trainer@careline.example",
        "Tara Trainer",
        &[Role::Trainer],
        Some("Customer Service"),
        None,
        &[],
    ),
    (
        "legal@careline.example",
        "Leo Legal",
        &[Role::DepartmentLiaison],
        Some("Legal"),
        None,
        &[],
    ),
    (
        "logistics@careline.example",
        "Lola Logistics",
        &[Role::DepartmentLiaison],
        Some("Logistics"),
        None,
        &[],
    ),
    (
        "product@careline.example",
        "Pablo Product",
        &[Role::DepartmentLiaison],
        Some("Product"),
        None,
        &[],
    ),
    (
        "li.lei@example.com",
        "Li Lei",
        &[Role::Customer],
        None,
        None,
        &[],
    ),
    (
        "han.meimei@example.com",
        "Han Meimei",
        &[Role::Customer],
        None,
        None,
        &[],
    ),
];

const DEPARTMENTS: &[(&str, DepartmentKind)] = &[
    ("Customer Service", DepartmentKind::CustomerService),
    ("After-Sales", DepartmentKind::AfterSales),
    ("Technical", DepartmentKind::Technical),
    ("Product", DepartmentKind::Product),
    ("Sales", DepartmentKind::Sales),
    ("Logistics", DepartmentKind::Operations),
    ("Legal", DepartmentKind::Legal),
];

/// The demo's service mailbox (inactive until connected to a mail server).
pub const DEMO_MAILBOX: &str = "service@careline.example";

const TEAMS: &[(&str, &str)] = &[
    ("Front Desk A", "supervisor.a@careline.example"),
    ("Front Desk B", "supervisor.b@careline.example"),
];

/// Creates `BOOTSTRAP_ADMIN_EMAIL` as an admin unless an account with that email exists.
pub async fn bootstrap_admin(
    app: &App,
    bootstrap: Option<&(String, String)>,
) -> anyhow::Result<()> {
    let Some((email, password)) = bootstrap else {
        return Ok(());
    };
    if users::find_by_email(&app.db, email).await?.is_some() {
        return Ok(());
    }
    check_policy(password, "BOOTSTRAP_ADMIN_PASSWORD")
        .map_err(|e| anyhow!("BOOTSTRAP_ADMIN_PASSWORD: {e}"))?;
    let hash = password::hash(password.clone()).await.map_err(internal)?;
    let admin = users::insert(
        &app.db,
        users::NewUser {
            email: email.clone(),
            name: "Administrator".to_owned(),
            password_hash: hash,
            roles: Roles::from_iter([Role::Admin]),
            department_id: None,
            team_id: None,
            phone: None,
            skills: Vec::new(),
            capacity: 0,
        },
    )
    .await?;
    tracing::info!(user.id = %admin.id, "bootstrap admin created");
    Ok(())
}

/// A use case's error as a start-up error.
pub fn internal(err: AppError) -> anyhow::Error {
    match err {
        AppError::Internal(e) => anyhow!("{e:#}"),
        other => anyhow!("{}", other.code()),
    }
}

/// The back office's calendar for Legal and Logistics: Mon–Fri 09:00–18:00 in Shanghai with
/// example holidays (National Day, New Year) and one make-up Saturday. (Customer service
/// works the default 09:00–23:00 calendar every day, holidays included.)
async fn back_office_calendar(app: &App, admin: &crate::Actor) -> anyhow::Result<uuid::Uuid> {
    use crate::calendars::{self, CalendarRequest};
    use careline_domain::sla::{SpecialDay, SpecialDayKind};
    let row = calendars::create(
        app,
        admin,
        CalendarRequest {
            name: "Back office (Mon-Fri 09:00-18:00)".into(),
            time_zone: "Asia/Shanghai".into(),
            windows: "Mon-Fri 09:00-18:00".into(),
        },
    )
    .await
    .map_err(internal)?;
    let day = |date: &str, kind, name: &str| -> anyhow::Result<SpecialDay> {
        Ok(SpecialDay {
            date: date.parse()?,
            kind,
            name: name.into(),
            windows: None,
        })
    };
    let mut days = Vec::new();
    for date in 1..=7 {
        days.push(day(
            &format!("2026-10-0{date}"),
            SpecialDayKind::Holiday,
            "国庆节",
        )?);
    }
    days.push(day(
        "2026-10-10",
        SpecialDayKind::WorkingDay,
        "国庆节 补班",
    )?);
    calendars::set_days(app, admin, row.id, 2026, days, None)
        .await
        .map_err(internal)?;
    let new_year = vec![day("2027-01-01", SpecialDayKind::Holiday, "元旦")?];
    calendars::set_days(app, admin, row.id, 2027, new_year, None)
        .await
        .map_err(internal)?;
    Ok(row.id)
}

/// Seeds the demo organisation when the database has no accounts yet.
pub async fn demo_if_empty(app: &App) -> anyhow::Result<()> {
    if users::any(&app.db).await? {
        return Ok(());
    }
    let db = &app.db;
    let mut departments = std::collections::HashMap::new();
    for (name, kind) in DEPARTMENTS {
        let dept = org::insert_department(db, name, kind.as_str(), None).await?;
        departments.insert(*name, dept.id);
    }
    let cs = departments
        .get("Customer Service")
        .copied()
        .context("seed: no customer service department")?;
    let mut teams = std::collections::HashMap::new();
    for (name, _) in TEAMS {
        let team = org::insert_team(db, name, cs, None).await?;
        teams.insert(*name, team.id);
    }
    // One hash for every demo account: hashing is deliberately slow.
    let hash = password::hash(DEMO_PASSWORD.to_owned())
        .await
        .map_err(internal)?;
    let mut accounts: std::collections::HashMap<&str, Uuid> = std::collections::HashMap::new();
    for (i, (email, name, roles, dept, team, skills)) in DEMO_USERS.iter().enumerate() {
        let customer = roles.contains(&Role::Customer);
        let user = users::insert(
            db,
            users::NewUser {
                email: (*email).to_owned(),
                name: (*name).to_owned(),
                password_hash: hash.clone(),
                roles: roles.iter().copied().collect(),
                department_id: dept.and_then(|d| departments.get(d).copied()),
                team_id: team.and_then(|t| teams.get(t).copied()),
                phone: customer.then(|| format!("1380013{:04}", 8000 + i)),
                skills: skills.iter().map(|s| (*s).to_owned()).collect(),
                capacity: if customer { 0 } else { 8 },
            },
        )
        .await?;
        accounts.insert(email, user.id);
    }
    for (team, supervisor) in TEAMS {
        if let (Some(team_id), Some(supervisor_id)) = (teams.get(team), accounts.get(supervisor)) {
            org::set_team_supervisor(db, *team_id, *supervisor_id).await?;
        }
    }
    // The back office's calendar, set up by the demo admin through the use cases.
    let admin_id = accounts
        .get("admin@careline.example")
        .copied()
        .context("seed: no admin account")?;
    let admin = crate::auth::Viewer {
        user: users::find(db, admin_id)
            .await?
            .context("seed: the admin account vanished")?,
        token_expires_at: chrono::Utc::now(),
    };
    let back_office = back_office_calendar(app, &admin).await?;
    for (name, kind) in DEPARTMENTS {
        if matches!(kind, DepartmentKind::Legal | DepartmentKind::Operations)
            && let Some(department) = departments.get(name)
        {
            crate::calendars::set_department_calendar(app, &admin, *department, back_office)
                .await
                .map_err(internal)?;
        }
    }
    // The complaint-handling working group (投诉处理工作小组): the service manager and Legal's
    // liaison (docs/FOLLOWTHROUGH.md).
    let members = ["manager@careline.example", "legal@careline.example"]
        .iter()
        .filter_map(|email| accounts.get(email).copied())
        .collect();
    crate::routing::set_working_group(app, &admin, members)
        .await
        .map_err(internal)?;
    // The service mailbox, switched off until it is pointed at a real server (docs/EMAIL.md).
    crate::email::create_mailbox(
        app,
        &admin,
        crate::email::MailboxInput {
            name: "客服中心 Service Desk".to_owned(),
            address: DEMO_MAILBOX.to_owned(),
            imap_url: "imap://service@127.0.0.1:143/INBOX".to_owned(),
            team_id: teams.get("Front Desk A").copied(),
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .map_err(internal)?;
    tracing::info!(accounts = DEMO_USERS.len(), "demo organisation seeded");
    demo_tickets(app, &accounts, &departments).await?;
    demo_training(app, &accounts).await?;
    demo_report(app, &accounts).await?;
    Ok(())
}

/// One generated report: the manager's monthly service report over the last 30 days.
async fn demo_report(app: &App, accounts: &HashMap<&str, Uuid>) -> anyhow::Result<()> {
    let manager = accounts
        .get("manager@careline.example")
        .copied()
        .context("seed: no manager")?;
    let manager = users::find(&app.db, manager)
        .await?
        .context("seed: no manager")?;
    let now = app.now();
    let report = crate::reports::generate(
        app,
        &crate::auth::Viewer {
            user: manager,
            token_expires_at: now,
        },
        crate::reports::ReportRequest {
            kind: crate::reports::ReportKind::MonthlyService,
            from: now - chrono::Duration::days(DEMO_REPORT_DAYS),
            to: now + chrono::Duration::minutes(1),
            scope: None,
            language: Default::default(),
        },
    )
    .await
    .map_err(internal)?;
    tracing::info!(report.id = %report.report.id, "demo report generated");
    Ok(())
}

/// The days the demo report covers.
const DEMO_REPORT_DAYS: i64 = 30;

/// Demo tickets of every kind and in every status, made through the same service path as the
/// API so that their timelines are real.
async fn demo_tickets(
    app: &App,
    accounts: &HashMap<&str, Uuid>,
    departments: &HashMap<&str, Uuid>,
) -> anyhow::Result<()> {
    let db = &app.db;
    let mut people = HashMap::new();
    for (email, id) in accounts {
        let user = users::find(db, *id)
            .await?
            .with_context(|| format!("seed: account {email} vanished"))?;
        people.insert(*email, user);
    }
    let who = |email: &str| {
        people
            .get(email)
            .cloned()
            .with_context(|| format!("seed: no demo account {email}"))
    };
    let dept = |name: &str| {
        departments
            .get(name)
            .copied()
            .with_context(|| format!("seed: no department {name}"))
    };
    let alice = who("agent.a1@careline.example")?;
    let aaron = who("agent.a2@careline.example")?;
    let bella = who("agent.b1@careline.example")?;
    let theo = who("tech@careline.example")?;
    let sam = who("supervisor.a@careline.example")?;
    let manager = who("manager@careline.example")?;
    let legal = who("legal@careline.example")?;
    let logistics = who("logistics@careline.example")?;
    let li_lei = who("li.lei@example.com")?;
    let han = who("han.meimei@example.com")?;

    let create = |creator: user::Model, input: CreateTicketInput| async move {
        service::create(app, &creator, input.into_request())
            .await
            .map(|l| l.ticket.id)
            .map_err(internal)
    };
    let act = |actor: &user::Model, id: Uuid, cmd: Command, extra: Extra| {
        let v = service::viewer_of(actor);
        async move {
            service::run(app, &v, id, None, cmd, extra)
                .await
                .map(|_| ())
                .map_err(internal)
        }
    };
    let staff_intake =
        |kind, channel, subject: &str, description: &str, customer: (&str, &str, &str)| {
            CreateTicketInput {
                kind,
                channel,
                subject: subject.to_owned(),
                description: description.to_owned(),
                customer: Some(CustomerInput {
                    name: customer.0.to_owned(),
                    phone: Some(customer.1.to_owned()),
                    email: Some(customer.2.to_owned()),
                }),
                category: None,
                severity: None,
                priority: None,
                demand: None,
                occurred_at: None,
                location: None,
                order_number: None,
                product_name: None,
                attachments: None,
                praised_employee_id: None,
                team_id: None,
                involved_staff: Vec::new(),
            }
        };
    let app_intake = |kind, subject: &str, description: &str| CreateTicketInput {
        customer: None,
        ..staff_intake(kind, Channel::MobileApp, subject, description, ("", "", ""))
    };
    let ack = |message: &str| Command::Acknowledge {
        message: Some(message.to_owned()),
    };

    // A major complaint: registered by phone, acknowledged, dispatched to Legal.
    let major = create(
        alice.clone(),
        CreateTicketInput {
            category: Some(ComplaintCategory::ProductQuality),
            severity: Some(Severity::Major),
            demand: Some("Full refund and a written apology".to_owned()),
            location: Some("Shanghai, Xuhui store".to_owned()),
            order_number: Some("SO-2026-000731".to_owned()),
            product_name: Some("AquaPure 3 water purifier".to_owned()),
            attachments: Some(vec![AttachmentInput {
                file_name: "leak.jpg".to_owned(),
                content_type: "image/jpeg".to_owned(),
                size_bytes: 482_113,
                uri: "s3://careline-evidence/demo/leak.jpg".to_owned(),
            }]),
            ..staff_intake(
                TicketKind::Complaint,
                Channel::Phone,
                "Purifier flooded the kitchen; customer contacting the press",
                "The unit leaked overnight and damaged the floor. The customer says a journalist is interested.",
                ("Zhang Wei", "13900001111", "zhang.wei@example.net"),
            )
        },
    )
    .await?;
    act(
        &alice,
        major,
        ack("We are on it; a specialist will call you within the hour."),
        Extra::None,
    )
    .await?;
    act(
        &alice,
        major,
        Command::Dispatch {
            department_id: dept("Legal")?,
            instructions: Some(
                "Possible media exposure and damages claim; please advise.".to_owned(),
            ),
        },
        Extra::None,
    )
    .await?;
    act(
        &legal,
        major,
        Command::AddNote {
            body: "Reviewing the warranty terms and the damage photos.".to_owned(),
        },
        Extra::None,
    )
    .await?;

    // A product complaint resolved by tech support (Theo): its follow-up visit is due in two business days
    // and waits in his `myCallbacks` and in the supervisor's `awaitingFollowUp`.
    let kettle = create(
        theo.clone(),
        CreateTicketInput {
            category: Some(ComplaintCategory::ProductQuality),
            product_name: Some("Electric kettle K2".to_owned()),
            ..staff_intake(
                TicketKind::Complaint,
                Channel::Phone,
                "Kettle switches itself off",
                "The new kettle switches off before the water boils.",
                ("Zhou Min", "13700003333", "zhou.min@example.net"),
            )
        },
    )
    .await?;
    act(
        &theo,
        kettle,
        ack("Sorry about the kettle; we will sort it out."),
        Extra::None,
    )
    .await?;
    act(
        &theo,
        kettle,
        Command::Resolve {
            solution: "A replacement kettle was sent by express courier.".to_owned(),
        },
        Extra::None,
    )
    .await?;

    // A delivery complaint: dispatched to Logistics, handed back, resolved, followed up, closed.
    let late = create(
        aaron.clone(),
        CreateTicketInput {
            category: Some(ComplaintCategory::DeliveryDelay),
            severity: Some(Severity::Important),
            order_number: Some("SO-2026-000512".to_owned()),
            ..staff_intake(
                TicketKind::Complaint,
                Channel::Email,
                "Order arrived nine days late",
                "The courier marked the parcel delivered a week before it arrived.",
                ("Wang Fang", "13700002222", "wang.fang@example.net"),
            )
        },
    )
    .await?;
    act(
        &aaron,
        late,
        ack("Sorry for the delay; we are checking with the courier."),
        Extra::None,
    )
    .await?;
    act(
        &aaron,
        late,
        Command::Dispatch {
            department_id: dept("Logistics")?,
            instructions: None,
        },
        Extra::None,
    )
    .await?;
    act(
        &logistics,
        late,
        Command::HandBack {
            findings: "The regional hub mis-scanned the parcel; courier retrained.".to_owned(),
        },
        Extra::None,
    )
    .await?;
    act(
        &aaron,
        late,
        Command::Resolve {
            solution: "We refunded the shipping fee and added a 50 CNY voucher.".to_owned(),
        },
        Extra::None,
    )
    .await?;
    act(
        &aaron,
        late,
        Command::RecordFollowUp {
            customer_satisfied: true,
        },
        Extra::FollowUp {
            method: careline_domain::ticket::FollowUpMethod::Phone,
            outcome: "Customer received the voucher and is happy.".to_owned(),
            customer_satisfied: true,
            next_assignee: None,
        },
    )
    .await?;
    // Every complaint gets its cause analysed before it closes: this one was the courier's.
    act(
        &sam,
        late,
        Command::RecordVerdict {
            verdict: ComplaintVerdict::Unjustified,
            root_cause: "The courier's regional hub mis-scanned the parcel as delivered."
                .to_owned(),
            reason: None,
            responsible_department: None,
        },
        Extra::None,
    )
    .await?;
    act(&aaron, late, Command::Close, Extra::None).await?;

    // A complaint about an agent's manner, found justified: it counts against Bella.
    let rude = create(
        alice.clone(),
        CreateTicketInput {
            category: Some(ComplaintCategory::ServiceAttitude),
            involved_staff: vec![bella.id],
            ..staff_intake(
                TicketKind::Complaint,
                Channel::Phone,
                "Agent hung up on me",
                "The customer says the agent ended the call while they were still explaining.",
                ("Zhao Lei", "13600003333", "zhao.lei@example.net"),
            )
        },
    )
    .await?;
    act(
        &alice,
        rude,
        ack("We are sorry; a supervisor will call you back today."),
        Extra::None,
    )
    .await?;
    act(
        &sam,
        rude,
        Command::RecordVerdict {
            verdict: ComplaintVerdict::Justified,
            root_cause: "Call ended early during a queue peak; the hold script was skipped."
                .to_owned(),
            reason: None,
            responsible_department: None,
        },
        Extra::None,
    )
    .await?;
    seed_quality(app, &manager, &sam, late).await?;
    let trainer = who("trainer@careline.example")?;
    seed_knowledge(app, &trainer, &sam, &manager, late).await?;
    let fix = corrective_actions::create(
        db,
        corrective_actions::NewCorrectiveAction {
            description: "Re-scan audit at the regional hub for two weeks.".to_owned(),
            department_id: dept("Logistics")?,
            due_at: Some(careline_persistence::now() + chrono::Duration::days(14)),
            ticket_ids: vec![late],
            created_by: sam.id,
        },
    )
    .await?;
    corrective_actions::set_status(db, fix.id, "OPEN", "DONE", None).await?;

    // A customer's app inquiry: a conversation (the agent asks and waits, the customer
    // answers in the app), then answered, resolved and rated.
    let inquiry = create(
        li_lei.clone(),
        app_intake(
            TicketKind::Inquiry,
            "How do I change the filter?",
            "Which filter fits the AquaPure 3?",
        ),
    )
    .await?;
    act(&aaron, inquiry, ack("Thanks for asking!"), Extra::None).await?;
    act(
        &aaron,
        inquiry,
        Command::ReplyToCustomer {
            body: "Which model do you have? It is printed under the lid.".to_owned(),
            wait_for_customer: true,
        },
        Extra::None,
    )
    .await?;
    act(
        &li_lei,
        inquiry,
        Command::CustomerMessage {
            body: "It says AquaPure 3.".to_owned(),
        },
        Extra::None,
    )
    .await?;
    act(
        &aaron,
        inquiry,
        Command::ReplyToCustomer {
            body: "The AquaPure 3 uses the AP-F3 cartridge.".to_owned(),
            wait_for_customer: false,
        },
        Extra::None,
    )
    .await?;
    act(
        &aaron,
        inquiry,
        Command::Resolve {
            solution: "AP-F3 cartridge; video guide sent by email.".to_owned(),
        },
        Extra::None,
    )
    .await?;
    act(
        &li_lei,
        inquiry,
        Command::Rate { rating: 5 },
        Extra::Rating {
            rating: 5,
            comment: Some("Quick and clear.".to_owned()),
        },
    )
    .await?;

    // A suggestion from the box, adopted.
    let suggestion = create(
        bella.clone(),
        staff_intake(
            TicketKind::Suggestion,
            Channel::SuggestionBox,
            "Offer evening delivery slots",
            "Working customers cannot receive parcels during the day.",
            ("Zhao Min", "13600003333", "zhao.min@example.net"),
        ),
    )
    .await?;
    act(
        &bella,
        suggestion,
        ack("Thank you for the idea."),
        Extra::None,
    )
    .await?;
    act(
        &sam,
        suggestion,
        Command::SetSuggestionStatus {
            to: careline_domain::ticket::SuggestionStatus::Adopted,
        },
        Extra::None,
    )
    .await?;

    // Praise for an agent, from the app: still new.
    create(
        han.clone(),
        CreateTicketInput {
            praised_employee_id: Some(alice.id),
            ..app_intake(
                TicketKind::Praise,
                "Alice was wonderful",
                "She solved my billing problem in one call.",
            )
        },
    )
    .await?;

    // After-sales waiting for the customer.
    let repair = create(
        aaron.clone(),
        CreateTicketInput {
            product_name: Some("AquaPure 3 water purifier".to_owned()),
            ..staff_intake(
                TicketKind::AfterSales,
                Channel::WalkIn,
                "Replace a cracked housing under warranty",
                "Housing cracked after eight months of normal use.",
                ("Zhang Wei", "13900001111", "zhang.wei@example.net"),
            )
        },
    )
    .await?;
    act(
        &aaron,
        repair,
        ack("We will book a technician."),
        Extra::None,
    )
    .await?;
    act(
        &aaron,
        repair,
        Command::SetStatus {
            to: careline_domain::ticket::TicketStatus::PendingCustomer,
        },
        Extra::None,
    )
    .await?;

    // Technical support from the app: new and unassigned.
    create(
        han.clone(),
        app_intake(
            TicketKind::TechnicalSupport,
            "App cannot pair with the purifier",
            "Bluetooth pairing fails at step 3.",
        ),
    )
    .await?;

    // A general complaint from the app: claimed, acknowledged, with an internal note.
    let attitude = create(
        li_lei.clone(),
        CreateTicketInput {
            category: Some(ComplaintCategory::ServiceAttitude),
            ..app_intake(
                TicketKind::Complaint,
                "Rude installer",
                "The installer was rude and left a mess.",
            )
        },
    )
    .await?;
    act(&bella, attitude, Command::Claim, Extra::None).await?;
    act(
        &bella,
        attitude,
        ack("We are sorry; we are looking into it."),
        Extra::None,
    )
    .await?;
    act(
        &bella,
        attitude,
        Command::AddNote {
            body: "Installer is a contractor; check with the vendor manager.".to_owned(),
        },
        Extra::None,
    )
    .await?;
    seed_survey(app, &manager, &people).await?;

    tracing::info!("demo tickets seeded");
    Ok(())
}

/// What became of one demo trainee in one session.
#[derive(Clone, Copy)]
enum DemoOutcome {
    /// Enrolled, session still to come.
    Enrolled,
    /// Did not turn up.
    Absent,
    /// Attended, not yet assessed, with feedback.
    Attended(&'static str),
    /// Attended and assessed: process and result scores.
    Assessed(i32, i32),
}

/// Demo training: onboarding (required for agents and tech support, with an upcoming session
/// that new staff are enrolled in), service skills, and legal compliance valid for 12 months,
/// all taught by the demo trainer, with records passed, failed, absent, expiring and expired.
async fn demo_training(app: &App, accounts: &HashMap<&str, Uuid>) -> anyhow::Result<()> {
    use careline_domain::training::{self as rules, CourseCategory, TrainingMode};
    use careline_persistence::training::{self as store, SessionPlan};
    let db = &app.db;
    let now = app.now();
    let id = |email: &str| {
        accounts
            .get(email)
            .copied()
            .with_context(|| format!("seed: no account {email}"))
    };
    let trainer = id("trainer@careline.example")?;
    let mut courses = Vec::new();
    for (title, category, roles, pass_score, validity) in [
        (
            "Welcome to Careline",
            CourseCategory::Onboarding,
            &[Role::Agent, Role::TechSupport][..],
            60,
            None,
        ),
        (
            "Handling complaints with care",
            CourseCategory::ServiceSkills,
            &[Role::Agent][..],
            70,
            None,
        ),
        (
            "Consumer protection law",
            CourseCategory::LegalCompliance,
            &[Role::Agent, Role::TechSupport, Role::Supervisor][..],
            80,
            Some(12),
        ),
    ] {
        let course = rules::validate_course(title, category, roles, pass_score, validity)
            .map_err(|e| anyhow!("seed course {title}: {e}"))?;
        courses.push(store::insert_course(db, &course, Some(trainer), now).await?);
    }
    let [onboarding, skills, legal] = courses.as_slice() else {
        return Err(anyhow!("seed: expected three courses"));
    };
    let session = |course: &careline_persistence::entity::training_course::Model,
                   days_from_now: i64,
                   mode: TrainingMode,
                   capacity: i32,
                   location: &'static str| {
        let starts_at = now + chrono::Duration::days(days_from_now);
        let plan = rules::validate_session(
            starts_at,
            starts_at + chrono::Duration::hours(3),
            capacity,
            Some(location),
        )
        .map(|session| SessionPlan {
            course_id: course.id,
            trainer_id: trainer,
            mode,
            session,
        });
        async move {
            let plan = plan.map_err(|e| anyhow!("seed session: {e}"))?;
            anyhow::Ok(store::insert_session(db, plan, now).await?)
        }
    };
    let room = "Training room 1";
    let onboarding_past = session(onboarding, -120, TrainingMode::Classroom, 20, room).await?;
    session(onboarding, 14, TrainingMode::Classroom, 12, room).await?;
    let skills_past = session(skills, -60, TrainingMode::Classroom, 10, room).await?;
    let legal_expired = session(legal, -400, TrainingMode::Online, 30, "online").await?;
    let legal_expiring = session(legal, -340, TrainingMode::Online, 30, "online").await?;
    let legal_next = session(legal, 30, TrainingMode::Online, 30, "online").await?;

    use DemoOutcome::*;
    let (a1, a2, b1) = (
        "agent.a1@careline.example",
        "agent.a2@careline.example",
        "agent.b1@careline.example",
    );
    let (tech, supervisor) = ("tech@careline.example", "supervisor.a@careline.example");
    let feedback = "Clear and practical; more time on the ticket tool, please.";
    let plan = [
        (&onboarding_past, onboarding, a1, Assessed(90, 85)),
        (&onboarding_past, onboarding, a2, Assessed(80, 72)),
        (&onboarding_past, onboarding, b1, Assessed(75, 64)),
        (&onboarding_past, onboarding, tech, Attended(feedback)),
        (&skills_past, skills, a1, Assessed(85, 78)),
        (&skills_past, skills, a2, Assessed(60, 52)),
        (&skills_past, skills, b1, Absent),
        (&legal_expired, legal, a1, Assessed(90, 88)),
        (&legal_expiring, legal, a2, Assessed(85, 82)),
        (&legal_expiring, legal, supervisor, Assessed(95, 91)),
        (&legal_next, legal, b1, Enrolled),
    ];
    for (session, course, email, outcome) in plan {
        let record = store::enroll(db, session.id, id(email)?, now).await?;
        let enrolled = rules::TrainingStatus::Enrolled;
        match outcome {
            Enrolled => {}
            Absent => {
                let to = rules::record_attendance(enrolled, false)?;
                store::set_attendance(db, record.id, enrolled, to, now).await?;
            }
            Attended(feedback) => {
                let to = rules::record_attendance(enrolled, true)?;
                store::set_attendance(db, record.id, enrolled, to, now).await?;
                let feedback = rules::check_feedback(to, feedback)?;
                store::set_feedback(db, record.id, to, feedback, now).await?;
            }
            Assessed(process, result) => {
                let to = rules::record_attendance(enrolled, true)?;
                store::set_attendance(db, record.id, enrolled, to, now).await?;
                let assessment = rules::assess(
                    to,
                    process,
                    result,
                    course.pass_score,
                    course.validity_months,
                    session.ends_at,
                    now,
                )?;
                store::set_assessment(db, record.id, to, process, result, &assessment, now).await?;
            }
        }
    }
    tracing::info!(courses = courses.len(), "demo training seeded");
    Ok(())
}

/// A demo ticket as the seed writes it: the intake fields and, for staff intake, the customer.
struct CreateTicketInput {
    kind: TicketKind,
    channel: Channel,
    subject: String,
    description: String,
    customer: Option<CustomerInput>,
    category: Option<ComplaintCategory>,
    severity: Option<Severity>,
    priority: Option<Priority>,
    demand: Option<String>,
    occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    location: Option<String>,
    order_number: Option<String>,
    product_name: Option<String>,
    attachments: Option<Vec<AttachmentInput>>,
    praised_employee_id: Option<Uuid>,
    team_id: Option<Uuid>,
    involved_staff: Vec<Uuid>,
}

impl CreateTicketInput {
    fn into_request(self) -> NewTicketRequest {
        NewTicketRequest {
            intake: NewTicketInput {
                kind: self.kind,
                channel: self.channel,
                subject: self.subject,
                description: self.description,
                category: self.category,
                severity: self.severity,
                priority: self.priority,
                demand: self.demand,
                location: self.location,
                order_number: self.order_number,
                product_name: self.product_name,
                attachments: self.attachments.unwrap_or_default(),
                praised_employee_id: self.praised_employee_id,
                praised_team_id: None,
                praised_department_id: None,
            },
            customer: self.customer,
            team_id: self.team_id,
            occurred_at: self.occurred_at,
            involved_staff: self.involved_staff,
            parent_id: None,
            file_ids: Vec::new(),
        }
    }
}

/// Demo articles (title, kind, audience, body): policies, FAQs, products, procedures and call
/// scripts in Chinese and English.
const ARTICLES: &[(&str, &str, &str, &str)] = &[
    (
        "七天无理由退货政策",
        "POLICY",
        "PUBLIC",
        "自签收之日起七天内，商品完好、配件齐全即可申请无理由退货。请在订单详情中点击“申请退货”，并保留发票。Returns within seven days of delivery, no reason needed.",
    ),
    (
        "Return policy (7 days, no reason needed)",
        "POLICY",
        "PUBLIC",
        "Return any undamaged product within seven days of delivery. Start the return from the order page; keep the invoice and all accessories.",
    ),
    (
        "如何开具电子发票",
        "FAQ",
        "PUBLIC",
        "订单完成后可在“我的订单—发票”中申请电子发票，增值税专用发票需提供开票信息。发票一般在24小时内开具。",
    ),
    (
        "Invoices: how to get one",
        "FAQ",
        "PUBLIC",
        "Electronic invoices are issued within 24 hours of completing an order. Request a VAT invoice from the order page with your company details.",
    ),
    (
        "保修政策与保修期",
        "POLICY",
        "PUBLIC",
        "整机保修一年，主要部件保修三年。保修期内非人为损坏免费维修；请携带发票或电子保修卡。",
    ),
    (
        "Warranty terms",
        "POLICY",
        "PUBLIC",
        "One year on the whole unit, three years on main parts. Repairs within warranty are free unless the damage was caused by misuse; bring the invoice.",
    ),
    (
        "X200-B 扫地机器人常见故障",
        "PRODUCT",
        "PUBLIC",
        "X200-B 不回充：清洁充电触点并检查充电座摆放；吸力下降：清理尘盒与滤网。电池保修六个月。",
    ),
    (
        "X200-B robot vacuum: troubleshooting",
        "PRODUCT",
        "PUBLIC",
        "X200-B does not return to its dock: clean the charging contacts. Weak suction: empty the bin and clean the filter. The battery has a six-month warranty.",
    ),
    (
        "配送时效与偏远地区",
        "FAQ",
        "PUBLIC",
        "普通地区三个工作日内送达，偏远地区五至七个工作日。大促期间可能延迟，可在订单页查询物流。",
    ),
    (
        "Delivery times",
        "FAQ",
        "PUBLIC",
        "Parcels arrive within three working days; remote areas take five to seven. During promotions deliveries may be late; track them from the order page.",
    ),
    (
        "双十一满减活动规则",
        "PROMOTION",
        "PUBLIC",
        "活动期间满300减40，可与店铺优惠券叠加使用，退货时按比例退还优惠。",
    ),
    (
        "投诉受理标准话术",
        "SCRIPT",
        "INTERNAL",
        "您好，非常抱歉给您带来不便。我是客服专员，工号……我已记录您的问题，将在规定时间内给您答复。请不要挂机，先道歉，再核实，再承诺时限。",
    ),
    (
        "Complaint call script",
        "SCRIPT",
        "INTERNAL",
        "Apologise first, confirm the facts, then promise a time by which the customer will hear from us. Never argue; never put the caller on hold without saying why.",
    ),
    (
        "重大投诉上报流程",
        "PROCEDURE",
        "INTERNAL",
        "涉及人身伤害、媒体曝光或群体性事件的投诉为重大投诉：立即上报主管和投诉处理工作组，并在系统中将严重程度设为 MAJOR。",
    ),
    (
        "Dispatching to Legal and Logistics",
        "PROCEDURE",
        "INTERNAL",
        "Send a ticket to several departments at once with dispatchToDepartments; each answers within one of its working days unless you set a deadline.",
    ),
    (
        "Refund processing times",
        "FAQ",
        "PUBLIC",
        "Refunds reach the original payment method within 3-7 working days after the returned goods are checked.",
    ),
];

/// The knowledge base: articles written by the trainer and published by the supervisor, reply
/// templates, and a case study from a closed ticket (drafted by the manager).
async fn seed_knowledge(
    app: &crate::App,
    trainer: &user::Model,
    supervisor: &user::Model,
    manager: &user::Model,
    closed: Uuid,
) -> anyhow::Result<()> {
    use crate::knowledge::{self as kb, ArticleRequest};
    use careline_domain::knowledge::{ArticleAudience, ArticleKind, ArticleMove};
    let as_actor = |u: &user::Model| crate::auth::Viewer {
        user: u.clone(),
        token_expires_at: chrono::Utc::now(),
    };
    let (writer, reviewer) = (as_actor(trainer), as_actor(supervisor));
    for (title, kind, audience, body) in ARTICLES {
        let request = ArticleRequest {
            title: (*title).to_owned(),
            body: (*body).to_owned(),
            kind: ArticleKind::parse(kind).context("seed: article kind")?,
            audience: ArticleAudience::parse(audience).context("seed: audience")?,
            tags: vec!["demo".to_owned()],
            review_due_at: None,
        };
        let article = kb::create(app, &writer, request, None)
            .await
            .map_err(internal)?;
        kb::apply_move(app, &writer, article.id, ArticleMove::Submit)
            .await
            .map_err(internal)?;
        kb::apply_move(app, &reviewer, article.id, ArticleMove::Publish)
            .await
            .map_err(internal)?;
    }
    for (name, kind, body) in [
        (
            "Acknowledge (中文)",
            None,
            "{{customer.name}}您好，您的工单{{ticket.number}}已受理，我们将在{{sla.resolutionDueAt}}前给您答复。客服{{agent.name}}",
        ),
        (
            "Acknowledge (English)",
            None,
            "Dear {{customer.name}}, we have registered ticket {{ticket.number}} and will answer by {{sla.resolutionDueAt}}. {{agent.name}}",
        ),
        (
            "Return received",
            Some(careline_domain::ticket::TicketKind::AfterSales),
            "{{customer.name}}您好，工单{{ticket.number}}的退货已收到，退款将在3-7个工作日内原路退回。",
        ),
    ] {
        kb::create_template(app, &writer, name, kind, body)
            .await
            .map_err(internal)?;
    }
    kb::from_ticket(
        app,
        &as_actor(manager),
        closed,
        "Late delivery: re-scan at the hub",
    )
    .await
    .map_err(internal)?;
    Ok(())
}

/// A call-quality scorecard and one inspected ticket.
/// A running satisfaction survey over the demo's resolved tickets, answered by the customers
/// who have the app and by phone for one of the others.
async fn seed_survey(
    app: &crate::App,
    manager: &user::Model,
    people: &HashMap<&str, user::Model>,
) -> anyhow::Result<()> {
    use careline_domain::survey::{Answer, Question, QuestionKind};
    let question = |key: &str, text: &str, kind, choices: &[&str]| Question {
        key: key.to_owned(),
        text: text.to_owned(),
        kind,
        choices: choices.iter().map(|c| (*c).to_owned()).collect(),
    };
    let as_actor = |u: &user::Model| crate::auth::Viewer {
        user: u.clone(),
        token_expires_at: chrono::Utc::now(),
    };
    let survey = crate::surveys::create(
        app,
        &as_actor(manager),
        "季度满意度回访 (quarterly satisfaction survey)",
        &[
            question(
                "overall",
                "总体满意度 / Overall satisfaction",
                QuestionKind::Rating1To5,
                &[],
            ),
            question(
                "recommend",
                "推荐意愿 / How likely are you to recommend us?",
                QuestionKind::Nps0To10,
                &[],
            ),
            question(
                "solved",
                "问题是否解决 / Was your issue solved?",
                QuestionKind::YesNo,
                &[],
            ),
            question(
                "channel",
                "首选渠道 / Preferred channel",
                QuestionKind::SingleChoice,
                &["电话", "App", "门店"],
            ),
            question(
                "comment",
                "其他意见 / Anything else?",
                QuestionKind::Text,
                &[],
            ),
        ],
    )
    .await
    .map_err(internal)?;
    let now = app.now();
    crate::surveys::launch(
        app,
        &as_actor(manager),
        survey.id,
        (
            now - chrono::Duration::days(90),
            now + chrono::Duration::minutes(1),
        ),
        &[],
    )
    .await
    .map_err(internal)?;
    let answers = |overall: &str, recommend: &str, solved: &str, channel: &str| {
        [
            ("overall", overall),
            ("recommend", recommend),
            ("solved", solved),
            ("channel", channel),
        ]
        .into_iter()
        .map(|(key, value)| Answer {
            key: key.to_owned(),
            value: value.to_owned(),
        })
        .collect::<Vec<_>>()
    };
    let mut given = [
        answers("5", "10", "yes", "App"),
        answers("4", "8", "yes", "电话"),
    ]
    .into_iter();
    let mut emails: Vec<&&str> = people.keys().collect();
    emails.sort();
    for person in emails.into_iter().filter_map(|e| people.get(*e)) {
        let actor = as_actor(person);
        let open = crate::surveys::my_invitations(app, &actor)
            .await
            .map_err(internal)?;
        for invitation in open.iter().filter(|i| i.survey_id == survey.id) {
            let Some(answer) = given.next() else {
                return Ok(());
            };
            crate::surveys::answer(app, &actor, invitation.id, &answer)
                .await
                .map_err(internal)?;
        }
    }
    Ok(())
}

async fn seed_quality(
    app: &crate::App,
    manager: &user::Model,
    supervisor: &user::Model,
    ticket: Uuid,
) -> anyhow::Result<()> {
    use careline_domain::quality::{Criterion, Score};
    let criterion = |key: &str, label: &str, weight| Criterion {
        key: key.to_owned(),
        label: label.to_owned(),
        weight,
    };
    let as_actor = |u: &user::Model| crate::auth::Viewer {
        user: u.clone(),
        token_expires_at: chrono::Utc::now(),
    };
    let card = crate::quality::create_scorecard(
        app,
        &as_actor(manager),
        "Phone and chat handling",
        &[
            criterion("greeting", "Greeting and identification", 10),
            criterion("accuracy", "Accurate information", 30),
            criterion("empathy", "Empathy and tone", 20),
            criterion("policy", "Compliance with policy", 20),
            criterion("resolution", "Resolution and next steps", 20),
        ],
    )
    .await
    .map_err(internal)?;
    let score = |key: &str, score| Score {
        key: key.to_owned(),
        score,
        comment: None,
    };
    crate::quality::review_ticket(
        app,
        &as_actor(supervisor),
        crate::quality::Inspection {
            ticket_id: ticket,
            scorecard_id: card.id,
            scores: vec![
                score("greeting", 90),
                score("accuracy", 85),
                score("empathy", 95),
                score("policy", 80),
                score("resolution", 90),
            ],
            comment: Some("Clear apology and a concrete remedy.".to_owned()),
        },
    )
    .await
    .map_err(internal)?;
    Ok(())
}
