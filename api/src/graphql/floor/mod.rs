//! The floor in GraphQL: the live queue, escalations, shifts and handovers, and the SLA
//! policies. Each area keeps its types and resolvers in its own file; the use cases are
//! `crate::app::floor`.

mod calendars;
mod escalations;
mod policies;
mod queue;
mod shifts;

use async_graphql::MergedObject;

pub use calendars::{BusinessCalendar, load_calendar};
pub use escalations::Escalation;
pub use policies::SlaPolicy;
pub use queue::QueueSnapshot;
pub use shifts::{Handover, Shift};

/// Queries of the floor.
#[derive(MergedObject, Default)]
pub struct FloorQuery(
    queue::QueueQuery,
    escalations::EscalationQuery,
    policies::PolicyQuery,
    calendars::CalendarQuery,
    shifts::ShiftQuery,
);

/// Changes on the floor.
#[derive(MergedObject, Default)]
pub struct FloorMutation(
    policies::PolicyMutation,
    escalations::EscalationMutation,
    queue::QueueMutation,
    shifts::ShiftMutation,
    calendars::CalendarMutation,
);

/// A user that must exist (a dangling id is a data fault).
async fn load_user(
    ctx: &async_graphql::Context<'_>,
    id: uuid::Uuid,
) -> crate::app::AppResult<super::people::User> {
    super::loaders::loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(super::loaders::load_failed)?
        .map(super::people::User)
        .ok_or_else(|| crate::app::AppError::internal(anyhow::anyhow!("dangling user id"), "user"))
}
