//! Business calendars in storage: the named calendars SLA policies, departments and tickets
//! refer to, with their holidays and make-up days, and the writes that recount a ticket's due
//! times when its calendar changes.

use crate::entity::business_calendar::{self, Entity as Calendar};
use crate::entity::sla_policy::{self, Entity as SlaPolicy};
use crate::entity::ticket::{self, Column as T, Entity as Ticket};
use crate::entity::{customer, ticket_event};
use crate::journal::{self, Announce, Append, Author};
use crate::sla::open_statuses;
use crate::tickets::clock_columns;
use crate::{StoreError, now};
use careline_domain::DomainError;
use careline_domain::kpi::ticket_calendar;
use careline_domain::sla::{BusinessCalendar, SlaClocks, SpecialDay, StatusStep};
use careline_domain::ticket::{EventDraft, TicketEventKind, TicketStatus};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// The calendar a stored row describes, holidays included. An error means the row was
/// written by something other than this server (every write validates first).
pub fn build(row: &business_calendar::Model) -> Result<BusinessCalendar, DomainError> {
    let days: Vec<SpecialDay> = serde_json::from_str(&row.special_days)
        .map_err(|_| DomainError::invalid("days", "the stored special days are unreadable"))?;
    BusinessCalendar::parse(&row.time_zone, &row.windows)?.with_special_days(days)
}

/// The name a calendar made from a policy's hours gets: `09:00-23:00 (Asia/Shanghai)`.
pub fn hours_name(calendar: &BusinessCalendar) -> String {
    format!(
        "{} ({})",
        calendar.windows_spec(),
        calendar.time_zone_name()
    )
}

fn special_days_json(calendar: &BusinessCalendar) -> Result<String, StoreError> {
    serde_json::to_string(calendar.special_days())
        .map_err(|e| StoreError::Db(DbErr::Custom(format!("special days: {e}"))))
}

/// Every calendar, by name.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<business_calendar::Model>, StoreError> {
    Ok(Calendar::find()
        .order_by_asc(business_calendar::Column::Name)
        .all(db)
        .await?)
}

/// One calendar row.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<business_calendar::Model>, StoreError> {
    Ok(Calendar::find_by_id(id).one(db).await?)
}

/// Several calendar rows by id, in no particular order (for data loaders).
pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<business_calendar::Model>, StoreError> {
    Ok(Calendar::find()
        .filter(business_calendar::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The calendar `id` ready for arithmetic; `None` when there is no such row or it no longer
/// builds (logged: the clocks then stand still rather than run on a wrong calendar).
pub async fn load<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<BusinessCalendar>, StoreError> {
    let Some(row) = find(db, id).await? else {
        return Ok(None);
    };
    Ok(usable(&row))
}

fn usable(row: &business_calendar::Model) -> Option<BusinessCalendar> {
    build(row)
        .inspect_err(|_| tracing::error!(calendar.id = %row.id, "a stored calendar does not build"))
        .ok()
}

/// Every calendar ready for arithmetic, by id (for passes over many tickets).
pub async fn load_all<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<Uuid, BusinessCalendar>, StoreError> {
    Ok(all(db)
        .await?
        .iter()
        .filter_map(|row| Some((row.id, usable(row)?)))
        .collect())
}

/// The calendar a ticket's clocks count on: its stored calendar, or for a ticket from before
/// calendars were stored, the hours it was given. `None` for a ticket without a policy.
pub fn of_ticket(
    t: &ticket::Model,
    calendars: &HashMap<Uuid, BusinessCalendar>,
) -> Option<BusinessCalendar> {
    match t.sla_calendar_id {
        Some(id) => calendars.get(&id).cloned(),
        None => {
            BusinessCalendar::parse(t.sla_time_zone.as_deref()?, t.sla_windows.as_deref()?).ok()
        }
    }
}

/// [`of_ticket`] with the calendar read from the database.
pub async fn of_stored_ticket<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
) -> Result<Option<BusinessCalendar>, StoreError> {
    match t.sla_calendar_id {
        Some(id) => load(db, id).await,
        None => Ok(of_ticket(t, &HashMap::new())),
    }
}

/// The calendar a ticket's KPI durations count on: its own, or (without a policy) the default
/// calendar for its kind.
pub fn for_durations(
    t: &ticket::Model,
    own: Option<&BusinessCalendar>,
) -> Option<BusinessCalendar> {
    own.cloned().or_else(|| {
        ticket_calendar(
            t.sla_time_zone.as_deref(),
            t.sla_windows.as_deref(),
            &t.kind,
            t.severity.as_deref(),
        )
        .ok()
    })
}

/// Stores a new calendar; a taken name is a `Conflict`.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    name: &str,
    calendar: &BusinessCalendar,
) -> Result<business_calendar::Model, StoreError> {
    let at = now();
    business_calendar::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        time_zone: Set(calendar.time_zone_name().to_owned()),
        windows: Set(calendar.windows_spec().to_owned()),
        special_days: Set(special_days_json(calendar)?),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "a calendar with this name already exists"))
}

/// Replaces calendar `id`'s name, hours and special days, on condition that it is still at
/// `expected_version` (else `Conflict`); policies on it show the new hours.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    expected_version: i32,
    name: &str,
    calendar: &BusinessCalendar,
) -> Result<business_calendar::Model, StoreError> {
    use business_calendar::Column as K;
    let updated = Calendar::update_many()
        .col_expr(K::Name, Expr::value(name))
        .col_expr(K::TimeZone, Expr::value(calendar.time_zone_name()))
        .col_expr(K::Windows, Expr::value(calendar.windows_spec()))
        .col_expr(K::SpecialDays, Expr::value(special_days_json(calendar)?))
        .col_expr(K::UpdatedAt, Expr::value(now()))
        .col_expr(K::Version, Expr::col(K::Version).add(1))
        .filter(K::Id.eq(id))
        .filter(K::Version.eq(expected_version))
        .exec(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "a calendar with this name already exists"))?;
    if updated.rows_affected == 0 {
        return Err(match find(db, id).await? {
            None => StoreError::NotFound("calendar"),
            Some(row) => StoreError::Conflict(format!(
                "the calendar was changed by someone else (you have version {expected_version}, \
                 it is now at {}); reload it and try again",
                row.version
            )),
        });
    }
    SlaPolicy::update_many()
        .col_expr(
            sla_policy::Column::TimeZone,
            Expr::value(calendar.time_zone_name()),
        )
        .col_expr(
            sla_policy::Column::Windows,
            Expr::value(calendar.windows_spec()),
        )
        .filter(sla_policy::Column::CalendarId.eq(id))
        .exec(db)
        .await?;
    find(db, id).await?.ok_or(StoreError::NotFound("calendar"))
}

/// The calendar with exactly `hours` (weekly hours, no special days), made and named by
/// [`hours_name`] if there is none: where a policy given as a time zone and windows lands.
pub async fn for_hours<C: ConnectionTrait>(
    db: &C,
    hours: &BusinessCalendar,
) -> Result<business_calendar::Model, StoreError> {
    use business_calendar::Column as K;
    let same = Calendar::find()
        .filter(K::TimeZone.eq(hours.time_zone_name()))
        .filter(K::Windows.eq(hours.windows_spec()))
        .filter(K::SpecialDays.eq("[]"))
        .order_by_asc(K::CreatedAt)
        .one(db)
        .await?;
    if let Some(row) = same {
        return Ok(row);
    }
    let name = hours_name(hours);
    match insert(db, &name, hours).await {
        // The name is taken by a calendar that has since changed: keep both apart.
        Err(StoreError::Conflict(_)) => {
            insert(
                db,
                &format!("{name} #{}", &Uuid::now_v7().simple().to_string()[..8]),
                hours,
            )
            .await
        }
        other => other,
    }
}

/// Gives policies and tickets from before named calendars the calendar equal to the hours
/// they have (see [`for_hours`]), so that nothing changes for them. Run at start; costs two
/// empty index looks once done. Returns how many rows it changed.
pub async fn adopt_hours<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    let mut changed = 0;
    let policies = SlaPolicy::find()
        .filter(sla_policy::Column::CalendarId.is_null())
        .all(db)
        .await?;
    for policy in policies {
        let Ok(hours) = BusinessCalendar::parse(&policy.time_zone, &policy.windows) else {
            continue;
        };
        let calendar = for_hours(db, &hours).await?;
        changed += SlaPolicy::update_many()
            .col_expr(sla_policy::Column::CalendarId, Expr::value(calendar.id))
            .filter(sla_policy::Column::Id.eq(policy.id))
            .exec(db)
            .await?
            .rows_affected;
    }
    let pairs: Vec<(String, String)> = Ticket::find()
        .select_only()
        .column(T::SlaTimeZone)
        .column(T::SlaWindows)
        .filter(T::SlaCalendarId.is_null())
        .filter(T::SlaTimeZone.is_not_null())
        .filter(T::SlaWindows.is_not_null())
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for (time_zone, windows) in pairs {
        let Ok(hours) = BusinessCalendar::parse(&time_zone, &windows) else {
            continue;
        };
        let calendar = for_hours(db, &hours).await?;
        changed += Ticket::update_many()
            .col_expr(T::SlaCalendarId, Expr::value(calendar.id))
            .filter(T::SlaCalendarId.is_null())
            .filter(T::SlaTimeZone.eq(time_zone))
            .filter(T::SlaWindows.eq(windows))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(changed)
}

/// Points departments at a calendar.
pub async fn set_department_calendar<C: ConnectionTrait>(
    db: &C,
    department_id: Uuid,
    calendar_id: Uuid,
) -> Result<(), StoreError> {
    use crate::entity::department;
    let updated = department::Entity::update_many()
        .col_expr(department::Column::CalendarId, Expr::value(calendar_id))
        .filter(department::Column::Id.eq(department_id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::NotFound("department"));
    }
    Ok(())
}

/// Open tickets whose clocks count on calendar `id`, by id after `after`, `limit` at a time.
pub async fn open_tickets_on<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<ticket::Model>, StoreError> {
    let mut query = Ticket::find()
        .filter(T::SlaCalendarId.eq(id))
        .filter(T::Status.is_in(open_statuses()))
        .order_by_asc(T::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(T::Id.gt(after));
    }
    Ok(query.all(db).await?)
}

/// The status changes of each ticket in `ids`, in the order they happened.
pub async fn status_steps<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<StatusStep>>, StoreError> {
    use ticket_event::Column as E;
    let rows = ticket_event::Entity::find()
        .filter(E::TicketId.is_in(ids.iter().copied()))
        .filter(E::FromStatus.is_not_null())
        .filter(E::ToStatus.is_not_null())
        .order_by_asc(E::At)
        .order_by_asc(E::Id)
        .all(db)
        .await?;
    let mut steps: HashMap<Uuid, Vec<StatusStep>> = HashMap::new();
    for row in rows {
        let from = row.from_status.as_deref().and_then(TicketStatus::parse);
        let to = row.to_status.as_deref().and_then(TicketStatus::parse);
        if let (Some(from), Some(to)) = (from, to) {
            steps.entry(row.ticket_id).or_default().push(StatusStep {
                at: row.at,
                from,
                to,
            });
        }
    }
    Ok(steps)
}

/// Stores recounted clocks for ticket `t`, on condition that it is still at the version read,
/// with one internal timeline entry saying what moved and the events subscribers see.
/// Returns `false` (nothing written) when the ticket changed meanwhile.
pub async fn store_recount<C: ConnectionTrait>(
    db: &C,
    t: &ticket::Model,
    clocks: &SlaClocks,
    message: String,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = clock_columns(Ticket::update_many(), clocks)
        .col_expr(T::UpdatedAt, Expr::value(at))
        .col_expr(T::Version, Expr::col(T::Version).add(1))
        .filter(T::Id.eq(t.id))
        .filter(T::Version.eq(t.version))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    crate::kpi::rollups::due_times_changed(
        db,
        [t.first_response_due_at, t.resolution_due_at],
        [clocks.first_response_due_at, clocks.resolution_due_at],
    )
    .await?;
    let ticket = Ticket::find_by_id(t.id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("ticket"))?;
    let customer_user = customer::Entity::find_by_id(ticket.customer_id)
        .one(db)
        .await?
        .and_then(|c| c.user_id);
    let entry = EventDraft {
        kind: TicketEventKind::DueTimesRecomputed,
        internal: true,
        message: Some(message),
        from_status: None,
        to_status: None,
    };
    journal::append(
        db,
        Author {
            ticket: &ticket,
            customer_user_id: customer_user,
            actor: None,
            at,
        },
        Append {
            entries: std::slice::from_ref(&entry),
            ..Append::default()
        },
        Announce::Change,
    )
    .await?;
    Ok(true)
}
