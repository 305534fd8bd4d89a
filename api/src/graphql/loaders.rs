//! Request-scoped data loaders: nested people, teams, departments, timelines and the like cost
//! one statement per kind per query level, never one per row. Every loader is the same
//! [`ByKey`] over a batched read of `crate::app::reads`.

use crate::app::customers::{CustomerTicketsKey, TicketScope, TicketStats};
use crate::app::error::{AppError, AppResult};
use crate::app::{App, reads};
use async_graphql::dataloader::{DataLoader, Loader};
use careline_app::rows::{
    business_calendar, corrective_action, customer, delivery, department, department_task,
    follow_up, knowledge_article, quality_scorecard, satisfaction_rating, stored_file, survey,
    team, ticket, ticket_event, training_course, training_record, training_session, user,
};
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// A failed batch (shared by every field waiting on it).
pub type LoadError = Arc<AppError>;

type Fetch<K, V> = for<'a> fn(&'a App, &'a [K]) -> BoxFuture<'a, AppResult<HashMap<K, V>>>;

/// A loader of `V` by `K` through one batched read.
pub struct ByKey<K, V> {
    app: Arc<App>,
    fetch: Fetch<K, V>,
}

/// A loader made on first use: a request uses a few of the thirty, and making all of them
/// for every request (and dropping them) was 7 % of the server's CPU on `{__typename}`.
pub struct Lazy<K, V> {
    app: Arc<App>,
    fetch: Fetch<K, V>,
    loader: OnceLock<DataLoader<ByKey<K, V>>>,
}

impl<K, V> std::ops::Deref for Lazy<K, V>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
{
    type Target = DataLoader<ByKey<K, V>>;

    fn deref(&self) -> &Self::Target {
        self.loader.get_or_init(|| {
            batch(ByKey {
                app: self.app.clone(),
                fetch: self.fetch,
            })
        })
    }
}

impl<K, V> Loader<K> for ByKey<K, V>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
{
    type Value = V;
    type Error = LoadError;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, V>, LoadError> {
        (self.fetch)(&self.app, keys).await.map_err(Arc::new)
    }
}

macro_rules! loaders {
    ($($field:ident: $key:ty => $value:ty,)*) => {
        /// Every loader of one request.
        pub struct Loaders {
            $(
                #[doc = concat!("`", stringify!($field), "` by key.")]
                pub $field: Lazy<$key, $value>,
            )*
        }

        impl Loaders {
            /// Fresh loaders (one request's cache), each made when first used.
            pub fn new(app: &App) -> Self {
                let app = Arc::new(app.clone());
                Loaders {
                    $($field: Lazy {
                        app: app.clone(),
                        fetch: |app, keys| Box::pin(reads::$field(&app.db, keys)),
                        loader: OnceLock::new(),
                    },)*
                }
            }
        }
    };
}

loaders! {
    users: Uuid => user::Model,
    departments: Uuid => department::Model,
    teams: Uuid => team::Model,
    team_members: Uuid => Vec<user::Model>,
    customers: Uuid => customer::Model,
    ticket_events: (Uuid, bool) => Vec<ticket_event::Model>,
    follow_ups: Uuid => Vec<follow_up::Model>,
    ratings: Uuid => Vec<satisfaction_rating::Model>,
    ticket_corrective_actions: Uuid => Vec<corrective_action::Model>,
    corrective_action_tickets: Uuid => Vec<ticket::Model>,
    escalation_recipients: Uuid => Vec<user::Model>,
    training_courses: Uuid => training_course::Model,
    training_sessions: Uuid => training_session::Model,
    session_records: Uuid => Vec<training_record::Model>,
    led_teams: Uuid => Vec<Uuid>,
    involved_staff: Uuid => Vec<Uuid>,
    tickets: Uuid => ticket::Model,
    quality_scorecards: Uuid => quality_scorecard::Model,
    calendars: Uuid => business_calendar::Model,
    department_tasks: Uuid => Vec<department_task::Model>,
    follow_up_cases: Uuid => Vec<ticket::Model>,
    repeat_contacts: Uuid => bool,
    linked_articles: Uuid => Vec<knowledge_article::Model>,
    customer_ticket_stats: (Uuid, TicketScope) => TicketStats,
    customer_tickets: CustomerTicketsKey => Vec<ticket::Model>,
    time_spent: Uuid => i64,
    surveys: Uuid => survey::Model,
    event_deliveries: Uuid => Vec<delivery::Model>,
    event_files: Uuid => Vec<stored_file::Model>,
    event_message_ids: Uuid => String,
    ticket_callbacks: Uuid => Vec<crate::app::callbacks::Callback>,
    follow_up_due: Uuid => chrono::DateTime<chrono::Utc>,
}

/// A loader that batches the keys asked for while the request's task runs, without a timer:
/// the first key spawns the load, which yields once so that it runs only after the task that
/// asked has polled every sibling field (they all ask in that same pass). A timer delay (it was
/// 3 ms) made every request wait for it at each level of nesting, and woke async-io's timer
/// thread for each batch (docs/BENCHMARKS.md, "The request path profiled").
fn batch<L: Send + Sync + 'static>(loader: L) -> DataLoader<L> {
    DataLoader::new(loader, |load| {
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            load.await;
        })
    })
    .delay(std::time::Duration::ZERO)
}

/// The loaders of the current request.
pub fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> AppResult<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| AppError::internal(anyhow::anyhow!("no loaders in request"), "request data"))
}

/// A failed batch, as the field's error.
pub fn load_failed(e: LoadError) -> AppError {
    (*e).clone()
}
