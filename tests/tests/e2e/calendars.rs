//! Business calendars end to end: holidays and make-up working days move due times, an
//! iCalendar import recounts open tickets (one timeline entry each), a policy edited without
//! touching its calendar keeps every due time, and the demo's back office has its calendar.

use careline_tests::kit::{
    ACKNOWLEDGE, AGENT, MANAGER, create_ticket, events_of, set_clock, shanghai, time,
};
use careline_tests::{TestApp, data, error_code};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const CREATE_CALENDAR: &str = "mutation($i: BusinessCalendarInput!) {
    createBusinessCalendar(input: $i) { id version windows } }";
const SET_DAYS: &str = "mutation($c: ID!, $y: Int!, $d: [CalendarDayInput!]!, $v: Int) {
    setCalendarDays(calendarId: $c, year: $y, days: $d, expectedVersion: $v) {
        ticketsRecomputed calendar { version days { date kind name windows } } } }";
const IMPORT: &str = "mutation($c: ID!, $ics: String!) {
    importHolidayCalendar(calendarId: $c, ics: $ics) {
        years holidays workingDays skipped ticketsRecomputed calendar { days { date kind } } } }";
const POLICY: &str = "mutation($i: SlaPolicyInput!) {
    upsertSlaPolicy(input: $i) { id calendar { id } businessHours { timeZone windows } } }";
const TICKET: &str = "query($id: ID!) { ticket(id: $id) {
    sla { firstResponseDueAt resolutionDueAt }
    events(first: 100) { nodes { kind message internal } } } }";

async fn back_office(app: &TestApp, manager: &str, name: &str) -> String {
    let body = app
        .gql(
            Some(manager),
            CREATE_CALENDAR,
            json!({ "i": { "name": name, "timeZone": "Asia/Shanghai", "windows": "mon-fri 09:00-18:00" } }),
        )
        .await;
    assert_eq!(
        data(&body)["createBusinessCalendar"]["windows"],
        "Mon-Fri 09:00-18:00"
    );
    data(&body)["createBusinessCalendar"]["id"]
        .as_str()
        .expect("calendar id")
        .to_owned()
}

/// Inquiries answered within two business hours and resolved within one business day, on
/// `calendar`.
async fn inquiry_policy(app: &TestApp, manager: &str, calendar: &str) -> Value {
    let body = app
        .gql(
            Some(manager),
            POLICY,
            json!({ "i": { "name": "Inquiry (back office)", "kind": "INQUIRY",
                "firstResponseMinutes": 120, "resolutionMinutes": 540, "calendarId": calendar } }),
        )
        .await;
    data(&body)["upsertSlaPolicy"].clone()
}

async fn inquiry(app: &TestApp, agent: &str) -> String {
    create_ticket(
        app,
        agent,
        json!({ "i": { "kind": "INQUIRY", "channel": "PHONE", "subject": "Invoice",
            "description": "Where is my invoice?", "customer": { "name": "Wang Fang" } } }),
    )
    .await
}

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    data(&app.gql(Some(token), TICKET, json!({ "id": id })).await)["ticket"].clone()
}

/// The clock runs on while a test works, so due times are a moment past the round figure.
fn assert_due(t: &Value, which: &str, expected: DateTime<Utc>) {
    let actual = time(&t["sla"][which]);
    assert!(
        (actual - expected).num_seconds().abs() < 60,
        "{which}: expected {expected}, got {actual}"
    );
}

/// The timeline entries that record due times counted again.
fn recounts(t: &Value) -> Vec<Value> {
    events_of(t, "DUE_TIMES_RECOMPUTED")
}

#[tokio::test]
async fn holidays_are_skipped_and_a_make_up_saturday_counts() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let calendar = back_office(&app, &manager, "Legal back office").await;
    // A three-day holiday: Friday 1 October 2027, then Monday and Tuesday; the Saturday after
    // is worked.
    let days = json!([
        { "date": "2027-10-01", "kind": "HOLIDAY", "name": "国庆节" },
        { "date": "2027-10-04", "kind": "HOLIDAY", "name": "国庆节" },
        { "date": "2027-10-05", "kind": "HOLIDAY", "name": "国庆节" },
        { "date": "2027-10-09", "kind": "WORKING_DAY", "name": "国庆节 补班" },
    ]);
    let set = app
        .gql(
            Some(&manager),
            SET_DAYS,
            json!({ "c": calendar, "y": 2027, "d": days, "v": 1 }),
        )
        .await;
    assert_eq!(
        data(&set)["setCalendarDays"]["calendar"]["version"],
        2,
        "{set}"
    );
    assert_eq!(
        data(&set)["setCalendarDays"]["calendar"]["days"][3],
        json!({ "date": "2027-10-09", "kind": "WORKING_DAY", "name": "国庆节 补班", "windows": null })
    );
    let policy = inquiry_policy(&app, &manager, &calendar).await;
    assert_eq!(policy["calendar"]["id"], calendar.as_str());
    assert_eq!(policy["businessHours"]["windows"], "Mon-Fri 09:00-18:00");

    // Thursday afternoon before the holiday: one hour today, the second on Wednesday.
    set_clock(&app, shanghai(2027, 9, 30, 17, 0));
    let before_id = inquiry(&app, &agent).await;
    let before = ticket(&app, &agent, &before_id).await;
    assert_due(&before, "firstResponseDueAt", shanghai(2027, 10, 6, 10, 0));
    assert_due(&before, "resolutionDueAt", shanghai(2027, 10, 6, 17, 0));

    // Answered on Wednesday at 09:30: the KPI duration is 90 business minutes, not the days
    // of the holiday.
    set_clock(&app, shanghai(2027, 10, 6, 9, 30));
    let ack = app
        .gql(Some(&agent), ACKNOWLEDGE, json!({ "id": before_id }))
        .await;
    data(&ack);
    let row = careline_persistence::tickets::find(
        &app.state.app.db,
        uuid::Uuid::parse_str(&before_id).expect("uuid"),
    )
    .await
    .expect("read")
    .expect("ticket");
    // (Whole minutes, rounded down: the test's clock ran on for a moment after 17:00.)
    let minutes = row.ticket.first_response_minutes.expect("recorded");
    assert!((89..=90).contains(&minutes), "{minutes}");

    // Friday 8 October at 17:00: the make-up Saturday is worked.
    set_clock(&app, shanghai(2027, 10, 8, 17, 0));
    let friday = ticket(&app, &agent, &inquiry(&app, &agent).await).await;
    assert_due(&friday, "firstResponseDueAt", shanghai(2027, 10, 9, 10, 0));
    assert_due(&friday, "resolutionDueAt", shanghai(2027, 10, 9, 17, 0));

    // A stale version is refused; days outside the year too.
    let stale = app
        .gql(
            Some(&manager),
            SET_DAYS,
            json!({ "c": calendar, "y": 2027, "d": [], "v": 1 }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let elsewhere = app
        .gql(
            Some(&manager),
            SET_DAYS,
            json!({ "c": calendar, "y": 2027, "d": [{ "date": "2028-01-01", "kind": "HOLIDAY", "name": "元旦" }] }),
        )
        .await;
    assert_eq!(
        error_code(&elsewhere),
        Some("BAD_USER_INPUT"),
        "{elsewhere}"
    );
    // Agents read calendars but do not edit them.
    let read = app
        .gql(
            Some(&agent),
            "{ businessCalendars { name days(year: 2027) { date } } }",
            json!({}),
        )
        .await;
    assert!(
        data(&read)["businessCalendars"]
            .as_array()
            .expect("calendars")
            .iter()
            .any(|c| c["name"] == "Legal back office"
                && c["days"].as_array().map(Vec::len) == Some(4)),
        "{read}"
    );
    let edit = app
        .gql(
            Some(&agent),
            SET_DAYS,
            json!({ "c": calendar, "y": 2027, "d": [] }),
        )
        .await;
    assert_eq!(error_code(&edit), Some("FORBIDDEN"), "{edit}");
}

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Careline test//holidays//ZH\r\n\
BEGIN:VEVENT\r\nUID:h1@test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;VALUE=DATE:20271112\r\n\
DTEND;VALUE=DATE:20271113\r\nSUMMARY:Company day\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:h2@test\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;VALUE=DATE:20271120\r\n\
SUMMARY:调休 补班\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test]
async fn importing_holidays_moves_open_tickets_with_one_timeline_entry_each() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let calendar = back_office(&app, &manager, "Logistics back office").await;
    inquiry_policy(&app, &manager, &calendar).await;
    // Thursday 11 November 2027, 17:00: due Friday 10:00 before the import.
    set_clock(&app, shanghai(2027, 11, 11, 17, 0));
    let id = inquiry(&app, &agent).await;
    let before = ticket(&app, &agent, &id).await;
    assert_due(&before, "firstResponseDueAt", shanghai(2027, 11, 12, 10, 0));

    let imported = app
        .gql(Some(&manager), IMPORT, json!({ "c": calendar, "ics": ICS }))
        .await;
    let result = &data(&imported)["importHolidayCalendar"];
    assert_eq!(result["years"], json!([2027]), "{imported}");
    assert_eq!(result["holidays"], 1);
    assert_eq!(result["workingDays"], 1);
    assert_eq!(result["ticketsRecomputed"], 1);
    assert_eq!(
        result["calendar"]["days"],
        json!([{ "date": "2027-11-12", "kind": "HOLIDAY" }, { "date": "2027-11-20", "kind": "WORKING_DAY" }])
    );
    let after = ticket(&app, &agent, &id).await;
    assert_due(&after, "firstResponseDueAt", shanghai(2027, 11, 15, 10, 0));
    let entries = recounts(&after);
    assert_eq!(entries.len(), 1, "{after}");
    assert_eq!(entries[0]["internal"], true);
    let message = entries[0]["message"].as_str().expect("message");
    assert!(
        message.contains("first response due 2027-11-15 10:00 (was 2027-11-12 10:00)"),
        "{message}"
    );

    // The same file again changes nothing and writes nothing.
    let again = app
        .gql(Some(&manager), IMPORT, json!({ "c": calendar, "ics": ICS }))
        .await;
    assert_eq!(
        data(&again)["importHolidayCalendar"]["ticketsRecomputed"],
        0
    );
    assert_eq!(recounts(&ticket(&app, &agent, &id).await).len(), 1);

    // Not iCalendar: a clear refusal naming the argument, nothing changed.
    let junk = app
        .gql(
            Some(&manager),
            IMPORT,
            json!({ "c": calendar, "ics": "hello" }),
        )
        .await;
    assert_eq!(error_code(&junk), Some("BAD_USER_INPUT"), "{junk}");
    assert_eq!(junk["errors"][0]["extensions"]["field"], "ics", "{junk}");
}

#[tokio::test]
async fn a_policy_edited_without_touching_its_calendar_keeps_every_due_time() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let calendar = back_office(&app, &manager, "Quality back office").await;
    let days = json!([{ "date": "2027-10-01", "kind": "HOLIDAY", "name": "国庆节" }]);
    data(
        &app.gql(
            Some(&manager),
            SET_DAYS,
            json!({ "c": calendar, "y": 2027, "d": days }),
        )
        .await,
    );
    inquiry_policy(&app, &manager, &calendar).await;
    set_clock(&app, shanghai(2027, 9, 30, 17, 0));
    let id = inquiry(&app, &agent).await;
    let before = ticket(&app, &agent, &id).await;
    assert_due(&before, "firstResponseDueAt", shanghai(2027, 10, 4, 10, 0));

    // An older client sends the hours it was shown, with new targets: the policy keeps its
    // calendar (holiday included) and the open ticket keeps its due times.
    let edited = app
        .gql(
            Some(&manager),
            POLICY,
            json!({ "i": { "name": "Inquiry (faster)", "kind": "INQUIRY", "firstResponseMinutes": 60,
                "resolutionMinutes": 300, "timeZone": "Asia/Shanghai", "windows": "Mon-Fri 09:00-18:00" } }),
        )
        .await;
    assert_eq!(
        data(&edited)["upsertSlaPolicy"]["calendar"]["id"],
        calendar.as_str()
    );
    let after = ticket(&app, &agent, &id).await;
    assert_eq!(after["sla"], before["sla"]);
    assert!(recounts(&after).is_empty());
    // New tickets count on the same calendar, holiday included.
    set_clock(&app, shanghai(2027, 9, 30, 18, 30));
    let next = ticket(&app, &agent, &inquiry(&app, &agent).await).await;
    assert_due(&next, "firstResponseDueAt", shanghai(2027, 10, 4, 10, 0));

    // Other hours land on another calendar; both ways of naming one at once are refused.
    let other = app
        .gql(
            Some(&manager),
            POLICY,
            json!({ "i": { "name": "Inquiry", "kind": "INQUIRY", "firstResponseMinutes": 60,
                "resolutionMinutes": 300, "timeZone": "Asia/Shanghai", "windows": "24x7" } }),
        )
        .await;
    assert_ne!(
        data(&other)["upsertSlaPolicy"]["calendar"]["id"],
        calendar.as_str()
    );
    let both = app
        .gql(
            Some(&manager),
            POLICY,
            json!({ "i": { "name": "Inquiry", "kind": "INQUIRY", "firstResponseMinutes": 60,
                "resolutionMinutes": 300, "timeZone": "UTC", "windows": "24x7", "calendarId": calendar } }),
        )
        .await;
    assert_eq!(error_code(&both), Some("BAD_USER_INPUT"), "{both}");
}

#[tokio::test]
async fn changing_the_weekly_hours_recounts_and_the_demo_back_office_has_its_holidays() {
    let app = TestApp::spawn().await;
    let manager = app.login(MANAGER).await;
    let agent = app.login(AGENT).await;
    let departments = app
        .gql(
            Some(&agent),
            "{ departments { name calendar { name windows days(year: 2026) { date kind } } } }",
            json!({}),
        )
        .await;
    let legal = data(&departments)["departments"]
        .as_array()
        .expect("departments")
        .iter()
        .find(|d| d["name"] == "Legal")
        .cloned()
        .expect("Legal");
    assert_eq!(
        legal["calendar"]["windows"], "Mon-Fri 09:00-18:00",
        "{legal}"
    );
    let days = legal["calendar"]["days"].as_array().expect("days");
    assert_eq!(days.len(), 8, "{legal}");
    assert!(days.iter().any(|d| d["kind"] == "WORKING_DAY"));

    let calendar = back_office(&app, &manager, "Repairs back office").await;
    inquiry_policy(&app, &manager, &calendar).await;
    set_clock(&app, shanghai(2027, 11, 11, 17, 0));
    let id = inquiry(&app, &agent).await;
    // Open till 20:00 instead of 18:00: the two hours fit into Thursday evening.
    let update = app
        .gql(
            Some(&manager),
            "mutation($id: ID!, $i: BusinessCalendarInput!) {
                updateBusinessCalendar(id: $id, input: $i, expectedVersion: 1) { ticketsRecomputed calendar { version } } }",
            json!({ "id": calendar, "i": { "name": "Repairs back office", "timeZone": "Asia/Shanghai",
                "windows": "Mon-Fri 09:00-20:00" } }),
        )
        .await;
    assert_eq!(
        data(&update)["updateBusinessCalendar"]["ticketsRecomputed"],
        1,
        "{update}"
    );
    let t = ticket(&app, &agent, &id).await;
    assert_due(&t, "firstResponseDueAt", shanghai(2027, 11, 11, 19, 0));
    assert_eq!(recounts(&t).len(), 1);
}

#[tokio::test]
async fn policies_and_tickets_from_before_calendars_adopt_the_calendar_of_their_hours() {
    use careline_persistence::entity::{business_calendar, sla_policy, ticket};
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let agent = app.login(AGENT).await;
    let id = inquiry(&app, &agent).await;
    let before = ticket(&app, &agent, &id).await;
    let db = &app.state.app.db;
    // As migration m0012 leaves an older database: no calendar ids anywhere.
    for sql in [
        "UPDATE tickets SET sla_calendar_id = NULL",
        "UPDATE sla_policies SET calendar_id = NULL",
    ] {
        db.execute_unprepared(sql).await.expect(sql);
    }
    let adopted = careline_persistence::calendars::adopt_hours(db)
        .await
        .expect("adopt");
    assert!(adopted >= 2, "{adopted}");
    assert_eq!(
        careline_persistence::calendars::adopt_hours(db)
            .await
            .expect("again"),
        0,
        "nothing is left to adopt"
    );
    let row = ticket::Entity::find_by_id(uuid::Uuid::parse_str(&id).expect("uuid"))
        .one(db)
        .await
        .expect("read")
        .expect("ticket");
    let calendar = business_calendar::Entity::find_by_id(row.sla_calendar_id.expect("adopted"))
        .one(db)
        .await
        .expect("read")
        .expect("calendar");
    assert_eq!(Some(calendar.time_zone), row.sla_time_zone);
    assert_eq!(Some(calendar.windows), row.sla_windows);
    let unset = sla_policy::Entity::find()
        .filter(sla_policy::Column::CalendarId.is_null())
        .all(db)
        .await
        .expect("policies");
    assert!(unset.is_empty());
    // Nothing moved, and the ticket still works.
    assert_eq!(ticket(&app, &agent, &id).await["sla"], before["sla"]);
    let ack = app
        .gql(Some(&agent), ACKNOWLEDGE, json!({ "id": id }))
        .await;
    assert_eq!(data(&ack)["acknowledgeTicket"]["status"], "OPEN", "{ack}");
}
