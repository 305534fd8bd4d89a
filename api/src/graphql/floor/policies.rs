//! Response-time standards: one policy per kind (and, for complaints, severity).

use super::calendars::{BusinessCalendar, load_calendar};
use crate::app::floor::{self as uc, PolicyCalendar, PolicyRequest};
use crate::app::{AppError, AppResult};
use crate::graphql::tickets::{Severity, TicketKind};
use crate::graphql::{Can, actor, app, input_id};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use careline_app::rows::sla_policy;
use careline_domain::Action;
use careline_domain::ticket::TicketKind as DomainKind;

/// Business hours of a policy.
#[derive(SimpleObject, Clone)]
pub struct BusinessHours {
    /// IANA time zone, e.g. Asia/Shanghai.
    pub time_zone: String,
    /// e.g. 09:00-18:00,18:00-23:00 or 24x7
    pub windows: String,
}

/// A response-time standard for a kind (and, for complaints, a severity).
pub struct SlaPolicy(sla_policy::Model);

/// A response-time standard for a kind (and, for complaints, a severity): first-response and
/// resolution targets in business minutes on a business calendar.
#[Object]
impl SlaPolicy {
    /// The policy's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The ticket kind it applies to.
    async fn kind(&self) -> AppResult<TicketKind> {
        DomainKind::parse(&self.0.kind)
            .map(Into::into)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("stored kind"), "policy kind"))
    }
    /// The complaint severity it applies to; null: any severity (always for kinds other than
    /// complaints). The most specific policy matching a ticket wins.
    async fn severity(&self) -> AppResult<Option<Severity>> {
        let severity = self.0.severity.as_deref();
        let parsed = crate::app::tickets::stored_optional(
            severity,
            careline_domain::ticket::Severity::parse,
            "severity",
        )?;
        Ok(parsed.map(Into::into))
    }
    /// First-response target, in business minutes on the policy's calendar.
    async fn first_response_minutes(&self) -> i32 {
        self.0.first_response_minutes
    }
    /// Resolution target, in business minutes on the policy's calendar.
    async fn resolution_minutes(&self) -> i32 {
        self.0.resolution_minutes
    }
    /// The calendar's time zone and weekly hours (holidays: see `calendar`).
    async fn business_hours(&self) -> BusinessHours {
        BusinessHours {
            time_zone: self.0.time_zone.clone(),
            windows: self.0.windows.clone(),
        }
    }
    /// The business calendar the targets count on, holidays included.
    async fn calendar(&self, ctx: &Context<'_>) -> AppResult<Option<BusinessCalendar>> {
        match self.0.calendar_id {
            Some(id) => load_calendar(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
}

/// A policy to create or replace (one per kind and severity). Give its calendar as
/// `calendarId`, or as `timeZone` and `windows`: the policy then keeps its calendar (holidays
/// and all) if that calendar has these hours, and otherwise counts on the calendar with these
/// hours and no holidays (made if there is none).
#[derive(InputObject)]
pub struct SlaPolicyInput {
    /// Display name (at most 120 characters).
    pub name: String,
    /// The ticket kind it applies to.
    pub kind: TicketKind,
    /// For complaints only: the severity it applies to; omit for any severity.
    pub severity: Option<Severity>,
    /// First-response target in business minutes (1 minute to a year).
    pub first_response_minutes: i32,
    /// Resolution target in business minutes (1 minute to a year), at least the first-response
    /// target.
    pub resolution_minutes: i32,
    /// IANA time zone, e.g. Asia/Shanghai; with `windows`, instead of `calendarId`.
    pub time_zone: Option<String>,
    /// Weekly business windows, e.g. `09:00-18:00,18:00-23:00`, `Mon-Fri 09:00-18:00` or
    /// `24x7`; with `timeZone`, instead of `calendarId`.
    pub windows: Option<String>,
    /// A stored business calendar, instead of `timeZone` and `windows`.
    pub calendar_id: Option<ID>,
}

#[derive(Default)]
pub(super) struct PolicyQuery;

#[Object]
impl PolicyQuery {
    /// The response-time standards in force (staff).
    #[graphql(guard = "Can(Action::ReadStaffDirectory)")]
    async fn sla_policies(&self, ctx: &Context<'_>) -> AppResult<Vec<SlaPolicy>> {
        let rows = uc::policies(app(ctx)?, actor(ctx)?).await?;
        Ok(rows.into_iter().map(SlaPolicy).collect())
    }
}

#[derive(Default)]
pub(super) struct PolicyMutation;

#[Object]
impl PolicyMutation {
    /// Creates or replaces the policy for a kind (and severity). Tickets keep the targets they
    /// were given; the policy applies to new tickets.
    #[graphql(guard = "Can(Action::ManageSlaPolicies)")]
    async fn upsert_sla_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The policy, with its calendar as `calendarId` or as `timeZone` and `windows`."
        )]
        input: SlaPolicyInput,
    ) -> AppResult<SlaPolicy> {
        let calendar = match (input.calendar_id, input.time_zone, input.windows) {
            (Some(id), None, None) => PolicyCalendar::Id(input_id(&id, "input.calendarId")?),
            (None, Some(time_zone), Some(windows)) => PolicyCalendar::Hours { time_zone, windows },
            (Some(_), _, _) => {
                return Err(AppError::bad_input(
                    "input.calendarId",
                    "give either calendarId or timeZone and windows, not both",
                ));
            }
            (None, _, _) => {
                return Err(AppError::bad_input(
                    "input.calendarId",
                    "a calendar is required: calendarId, or timeZone and windows",
                ));
            }
        };
        let request = PolicyRequest {
            name: input.name,
            kind: input.kind.into(),
            severity: input.severity.map(Into::into),
            first_response_minutes: input.first_response_minutes,
            resolution_minutes: input.resolution_minutes,
            calendar,
        };
        Ok(SlaPolicy(
            uc::upsert_policy(app(ctx)?, actor(ctx)?, request).await?,
        ))
    }
}
