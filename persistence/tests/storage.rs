//! Persistence's own logic, on a real (in-memory SQLite) database: the auto-close candidates'
//! order and paging, the file list read at the storage boundary, and the journal writer.
#![expect(clippy::expect_used, reason = "a test's setup fails loudly")]

use careline_domain::Roles;
use careline_domain::event::EscalationKind;
use careline_domain::sla::{Escalation, SlaClocks};
use careline_domain::ticket::{
    Channel, NewTicketInput, TicketEventKind, TicketKind, validate_intake,
};
use careline_persistence::customers::{self, CustomerSource};
use careline_persistence::journal::{self, Announce, Append, Author};
use careline_persistence::tickets::{self, NewTicket};
use careline_persistence::users::{self, NewUser};
use careline_persistence::{DatabaseConnection, sla};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

async fn database() -> DatabaseConnection {
    let db = careline_persistence::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    careline_persistence::migrate(&db)
        .await
        .expect("migrations");
    db
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, day, 9, 0, 0)
        .single()
        .expect("valid")
}

async fn agent(db: &DatabaseConnection) -> Uuid {
    users::insert(
        db,
        NewUser {
            email: "agent@example.com".into(),
            name: "Agent".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            roles: Roles::from_iter([careline_domain::Role::Agent]),
            department_id: None,
            team_id: None,
            phone: None,
            skills: Vec::new(),
            capacity: 10,
        },
    )
    .await
    .expect("an account")
    .id
}

async fn ticket(db: &DatabaseConnection, by: Uuid, kind: TicketKind) -> tickets::Loaded {
    let intake = validate_intake(
        NewTicketInput {
            kind,
            channel: Channel::Phone,
            subject: "Subject".into(),
            description: "Details".into(),
            category: None,
            severity: None,
            priority: None,
            demand: None,
            location: None,
            order_number: None,
            product_name: None,
            attachments: Vec::new(),
            praised_employee_id: None,
            praised_team_id: None,
            praised_department_id: None,
        },
        true,
    )
    .expect("valid intake");
    let customer = customers::upsert(
        db,
        &CustomerSource::Contact {
            name: "Wang Fang".into(),
            phone: Some("13800138000".into()),
            email: None,
        },
    )
    .await
    .expect("a customer");
    let row = tickets::insert(
        db,
        NewTicket {
            priority: intake.priority,
            escalation_level: 0,
            intake,
            occurred_at: None,
            customer_id: customer.id,
            owner_id: Some(by),
            team_id: None,
            department_id: None,
            created_by: Some(by),
            sla: SlaClocks::default(),
            involved_staff: Vec::new(),
            parent_id: None,
        },
        at(1),
    )
    .await
    .expect("a ticket");
    tickets::Loaded {
        ticket: row,
        customer,
    }
}

async fn resolve(db: &DatabaseConnection, id: Uuid, resolved_at: DateTime<Utc>) {
    let sql = "UPDATE tickets SET status = 'RESOLVED', resolved_at = ? WHERE id = ?";
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        [resolved_at.into(), id.into()],
    ))
    .await
    .expect("resolve");
}

#[tokio::test]
async fn auto_close_candidates_come_oldest_resolution_first_a_page_at_a_time_without_kept_kinds() {
    let db = database().await;
    let by = agent(&db).await;
    let mut inquiries = Vec::new();
    for day in [5, 3, 4, 2] {
        let t = ticket(&db, by, TicketKind::Inquiry).await.ticket;
        resolve(&db, t.id, at(day)).await;
        inquiries.push((at(day), t.id));
    }
    let waiting = ticket(&db, by, TicketKind::AfterSales).await.ticket;
    resolve(&db, waiting.id, at(1)).await;
    let recent = ticket(&db, by, TicketKind::Inquiry).await.ticket;
    resolve(&db, recent.id, at(20)).await;
    inquiries.sort();
    let kept = [TicketKind::Complaint, TicketKind::AfterSales];
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = sla::auto_close_candidates(&db, at(10), &kept, after, 3)
            .await
            .expect("candidates");
        after = page.last().and_then(|t| t.resolved_at.map(|r| (r, t.id)));
        let done = page.len() < 3;
        seen.extend(
            page.into_iter()
                .map(|t| (t.resolved_at.expect("resolved"), t.id)),
        );
        if done {
            break;
        }
    }
    assert_eq!(
        seen, inquiries,
        "oldest first, every one once, no after-sales, none too recent"
    );
}

#[tokio::test]
async fn a_file_list_that_does_not_parse_is_an_error_not_an_empty_list() {
    let db = database().await;
    let by = agent(&db).await;
    let mut t = ticket(&db, by, TicketKind::Inquiry).await.ticket;
    assert_eq!(tickets::attachments_of(&t).expect("parses"), Vec::new());
    t.attachments = "[{\"fileName\": \"a.jpg\"".into();
    assert!(tickets::attachments_of(&t).is_err());
}

#[tokio::test]
async fn the_journal_writes_entries_escalations_and_their_events_together() {
    use careline_persistence::entity::{escalation, outbox, ticket_event};
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = database().await;
    let by = agent(&db).await;
    let loaded = ticket(&db, by, TicketKind::Inquiry).await;
    let before = outbox::Entity::find().count(&db).await.expect("count");
    let raise = Escalation::new(
        1,
        EscalationKind::Manual,
        "urgent: escalated to the supervisor",
    );
    let entries = [raise.entry()];
    let written = journal::append(
        &db,
        Author {
            ticket: &loaded.ticket,
            customer_user_id: None,
            actor: Some(by),
            at: at(2),
        },
        Append {
            entries: &entries,
            escalations: std::slice::from_ref(&raise),
            ..Append::default()
        },
        Announce::Change,
    )
    .await
    .expect("appended");
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].kind, TicketEventKind::Escalated.as_str());
    let rows = escalation::Entity::find()
        .all(&db)
        .await
        .expect("escalations");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].level, rows[0].kind.as_str()), (1, "MANUAL"));
    assert_eq!(rows[0].created_by, Some(by));
    assert_eq!(
        ticket_event::Entity::find()
            .count(&db)
            .await
            .expect("count"),
        1,
        "intake itself writes no entry: the caller's journal does"
    );
    // The escalation, the entry's update and the queue's event.
    assert_eq!(
        outbox::Entity::find().count(&db).await.expect("count") - before,
        3
    );
}
