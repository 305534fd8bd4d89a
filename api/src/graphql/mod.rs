//! The GraphQL schema: one object per area, merged; guards that ask the domain; request-scoped
//! data loaders; depth and complexity limits.

pub mod auth;
pub mod boundary;
pub mod callbacks;
pub mod casework;
pub mod codes;
pub mod connection;
pub mod conversation;
pub mod customers;
pub mod depth;
pub mod described;
pub mod email;
pub mod files;
pub mod floor;
pub mod insight;
pub mod knowledge;
pub mod kpi;
pub mod loaders;
pub mod people;
pub mod quality;
pub mod reports;
pub mod reviews;
pub mod subscriptions;
pub mod tickets;
pub mod training;

use crate::app::{AppError, AppResult};
use crate::auth::{Caller, Viewer};
use crate::state::AppState;
use async_graphql::{Context, Guard, MergedObject, Schema};
use careline_domain::Action;
use std::net::IpAddr;
use uuid::Uuid;

/// Maximum query depth.
pub const MAX_DEPTH: usize = 12;
/// Maximum query complexity (each field costs 1; lists multiply by their page size).
pub const MAX_COMPLEXITY: usize = 50_000;
/// Largest page any list returns.
pub const MAX_PAGE: i32 = 100;

/// The root query.
#[derive(MergedObject, Default)]
pub struct Query(
    people::PeopleQuery,
    tickets::TicketQuery,
    floor::FloorQuery,
    training::TrainingQuery,
    kpi::KpiQuery,
    reviews::ReviewQuery,
    quality::QualityQuery,
    customers::CustomerQuery,
    casework::CaseworkQuery,
    knowledge::KnowledgeQuery,
    insight::InsightQuery,
    reports::ReportQuery,
    conversation::ConversationQuery,
    files::FileQuery,
    email::EmailQuery,
    callbacks::CallbackQuery,
);

/// The root mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    auth::AuthMutation,
    people::PeopleMutation,
    tickets::TicketMutation,
    floor::FloorMutation,
    training::TrainingMutation,
    reviews::ReviewMutation,
    quality::QualityMutation,
    customers::CustomerMutation,
    casework::CaseworkMutation,
    knowledge::KnowledgeMutation,
    insight::InsightMutation,
    reports::ReportMutation,
    conversation::ConversationMutation,
    files::FileMutation,
    email::EmailMutation,
    callbacks::CallbackMutation,
);

/// The executable schema.
pub type CarelineSchema = Schema<Query, Mutation, subscriptions::Subscription>;

/// Builds the schema; `state` is `None` only for printing the SDL. `no_introspection` turns
/// introspection off (production, unless `INTROSPECTION=true`).
pub fn build_schema(state: Option<AppState>, no_introspection: bool) -> CarelineSchema {
    // No extensions: what they would do is done around execution (`boundary`), since any
    // extension sends every field through async-graphql's slower, hooked path.
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        subscriptions::Subscription,
    )
    .limit_complexity(MAX_COMPLEXITY)
    .limit_directives(20);
    if no_introspection {
        builder = builder.disable_introspection();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, false).sdl()
}

/// The client's network address (for throttling), as seen by this server.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The application layer.
pub fn app<'a>(ctx: &Context<'a>) -> AppResult<&'a crate::app::App> {
    Ok(&state(ctx)?.app)
}

/// The caller as the application layer's actor.
pub fn actor<'a>(ctx: &Context<'a>) -> AppResult<&'a crate::app::Actor> {
    viewer(ctx)
}

/// Shared state from the schema.
pub fn state<'a>(ctx: &Context<'a>) -> AppResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| AppError::internal(anyhow::anyhow!("no AppState in schema"), "schema data"))
}

/// The authenticated caller, or `UNAUTHENTICATED`.
pub fn viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    match ctx.data_opt::<Caller>() {
        Some(caller) => caller.viewer(),
        None => Caller::Anonymous.viewer(),
    }
}

/// Refuses the field unless the caller's roles allow the action (see `docs/PERMISSIONS.md`).
pub struct Can(pub Action);

impl Guard for Can {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let viewer = viewer(ctx)?;
        viewer.require(self.0)?;
        Ok(())
    }
}

/// Refuses the field unless someone is signed in.
pub struct SignedIn;

impl Guard for SignedIn {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        viewer(ctx)?;
        Ok(())
    }
}

/// Parses an ID argument naming an existing record; anything unparsable cannot exist.
pub fn parse_id(id: &async_graphql::ID) -> Option<Uuid> {
    Uuid::parse_str(id.as_str()).ok()
}

/// Parses an ID given as input, reporting a malformed one against `field`.
pub fn input_id(id: &async_graphql::ID, field: &str) -> AppResult<Uuid> {
    parse_id(id).ok_or_else(|| AppError::bad_input(field, "not a valid id"))
}

/// Parses the id of a record that must exist. An unparsable one names nothing: it becomes the
/// nil id, which no record has, so the use case answers `NOT_FOUND` as for a missing record —
/// after it has checked the other arguments (issue 18: argument shape before existence).
/// `_what` names the record, e.g. `ticket`, for the reader.
pub fn found_id(id: &async_graphql::ID, _what: &str) -> AppResult<Uuid> {
    Ok(parse_id(id).unwrap_or_else(Uuid::nil))
}

/// Parses an optional ID input.
pub fn optional_id(id: Option<&async_graphql::ID>, field: &str) -> AppResult<Option<Uuid>> {
    id.map(|i| input_id(i, field)).transpose()
}
