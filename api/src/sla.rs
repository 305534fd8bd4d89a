//! The SLA rules applied to stored tickets live in [`careline_app::sla`]; this adds the pass
//! over every background job that the server's tests drive by hand.

pub use careline_app::sla::*;

use crate::state::AppState;

/// One pass of every periodic job at the clock's now (see [`careline_app::scheduler`]); what
/// tests call to move the background work forward. Returns how many tickets, tasks and
/// articles this instance changed.
pub async fn tick(state: &AppState) -> careline_app::AppResult<usize> {
    careline_app::scheduler::run_once(&state.app).await
}
