//! `TestApp`: the real Careline server started in-process on port 0 with its own fresh database
//! (a SQLite file by default; a new PostgreSQL database per test when `TEST_DATABASE_URL` is
//! set; Redis when `TEST_REDIS_URL` is set), driven over HTTP exactly as a client would.
//!
//! The helpers the tests share are here too: [`kit`] (the demo accounts, common documents,
//! ticket builders, the injected clock, `wait_until`), [`ws`] (a WebSocket client), and the
//! servers a test starts itself to break them ([`redis`], [`postgres`], [`process`]).

pub mod kit;
pub mod mail;
pub mod postgres;
pub mod process;
pub mod redis;
pub mod seed_tickets;
pub mod ws;

use careline_api::config::Settings;
use careline_api::{Application, seed};
use serde_json::{Value, json};
use std::time::Duration;

/// The JWT secret every test server signs with, so tests can mint hostile tokens.
pub const TEST_SECRET: &[u8] = b"careline-test-secret-0123456789-abcdefghijklmnop";

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = seed::DEMO_PASSWORD;

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The port.
    pub port: u16,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Shared server state (database access for assertions).
    pub state: careline_api::state::AppState,
    handle: actix_web::dev::ServerHandle,
    database: TestDatabase,
    /// Where the server keeps uploaded files, unless the test configured another store.
    pub files_dir: std::sync::Arc<tempfile::TempDir>,
}

/// Where the test's database lives; cleaned up on drop.
enum TestDatabase {
    Sqlite(
        #[expect(dead_code, reason = "held so the directory outlives the server")]
        tempfile::TempDir,
    ),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another app's database: that app cleans it up.
    Shared,
}

impl TestApp {
    /// A server with the demo organisation seeded.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A server with the demo seed and settings adjusted by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let (database_url, database) = fresh_database().await;
        Self::start(database_url, database, configure).await
    }

    /// A server with the demo seed on a fresh database of the PostgreSQL server at
    /// `admin_url` (e.g. an [`postgres::OwnPostgres`]), settings adjusted by `configure`.
    pub async fn spawn_on(admin_url: &str, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let (database_url, database) = postgres_database(admin_url.to_owned()).await;
        Self::start(database_url, database, configure).await
    }

    /// A second instance on this app's database (already seeded), configured by `configure`:
    /// what several instances behind a load balancer look like.
    pub async fn spawn_sharing(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let channel = self.state.settings.event_channel.clone();
        let files = self.state.settings.file_store.clone();
        let mut app = Self::start(self.database_url(), TestDatabase::Shared, |s| {
            s.seed_demo = false;
            s.event_channel = channel;
            // Instances of one deployment share the file store too.
            s.file_store = files;
            configure(s);
        })
        .await;
        app.files_dir = self.files_dir.clone();
        app
    }

    async fn start(
        database_url: String,
        database: TestDatabase,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let redis_url = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|s| !s.is_empty());
        // Tests share one Redis: each database gets its own channel, as separate deployments
        // would.
        let channel = format!("careline:test:{}", uuid::Uuid::new_v4().simple());
        let mut settings = Settings::for_tests(database_url, redis_url, TEST_SECRET.to_vec());
        settings.event_channel = channel;
        settings.seed_demo = true;
        let files_dir = tempfile::tempdir().expect("a directory for the file store");
        settings.file_store =
            careline_api::app::files::StoreConfig::Local(files_dir.path().to_path_buf());
        configure(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("the test server should start");
        let port = app.port();
        let state = app.state().clone();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        // The seed's events are published by the relay shortly after start; tests begin once
        // they are out, so a subscriber sees only what the test itself does.
        settle(&state).await;
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            state,
            handle,
            database,
            files_dir: std::sync::Arc::new(files_dir),
        }
    }

    /// The settings database URL of another instance sharing this app's database.
    pub fn database_url(&self) -> String {
        self.state.settings.database_url.clone()
    }

    /// POSTs a GraphQL operation and returns the response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request should be sent");
        response.json().await.expect("response should be JSON")
    }

    /// Signs in and returns the full `login` payload (or the errors).
    pub async fn login_payload(&self, email: &str, password: &str) -> Value {
        self.gql(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
                accessToken refreshToken accessTokenExpiresAt user { id email roles } } }",
            json!({ "e": email, "p": password }),
        )
        .await
    }

    /// Signs in as a demo account and returns the access token.
    pub async fn login(&self, email: &str) -> String {
        let body = self.login_payload(email, DEMO_PASSWORD).await;
        body["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login as {email} failed: {body}"))
            .to_owned()
    }

    /// Begins the graceful shutdown SIGTERM would, and waits for it.
    pub async fn shutdown(&self) {
        Application::stop(self.handle.clone(), &self.state).await;
    }

    /// Makes every `op` (`INSERT` or `UPDATE`) on `table` fail inside the database, as a full
    /// disk or a lost connection would: the way to prove a multi-step write is all or nothing.
    pub async fn fail_writes(&self, table: &str, op: &str) {
        use sea_orm::ConnectionTrait;
        let db = &self.state.app.db;
        let trigger = format!("careline_fail_{table}_{}", op.to_lowercase());
        let sql = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => format!(
                "CREATE OR REPLACE FUNCTION careline_injected_failure() RETURNS trigger AS $$
                 BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
                 CREATE TRIGGER {trigger} BEFORE {op} ON {table}
                 FOR EACH ROW EXECUTE FUNCTION careline_injected_failure();"
            ),
            _ => format!(
                "CREATE TRIGGER {trigger} BEFORE {op} ON {table}
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
            ),
        };
        db.execute_unprepared(&sql)
            .await
            .expect("install the failure trigger");
    }

    /// Undoes [`TestApp::fail_writes`].
    pub async fn allow_writes(&self, table: &str, op: &str) {
        use sea_orm::ConnectionTrait;
        let db = &self.state.app.db;
        let trigger = format!("careline_fail_{table}_{}", op.to_lowercase());
        let sql = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => format!("DROP TRIGGER {trigger} ON {table}"),
            _ => format!("DROP TRIGGER {trigger}"),
        };
        db.execute_unprepared(&sql)
            .await
            .expect("remove the failure trigger");
    }

    /// The id of a demo account.
    pub async fn user_id(&self, email: &str) -> String {
        careline_persistence_user_id(&self.state, email).await
    }
}

async fn careline_persistence_user_id(
    state: &careline_api::state::AppState,
    email: &str,
) -> String {
    use careline_persistence::entity::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&state.app.db)
        .await
        .expect("query users")
        .unwrap_or_else(|| panic!("no account {email}"))
        .id
        .to_string()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting work; in-flight requests of a finished test do not matter.
        drop(self.handle.stop(false));
        if let TestDatabase::Postgres { admin_url, name } = &self.database {
            let admin_url = admin_url.clone();
            let name = name.clone();
            // Async work cannot run in Drop on the test's runtime; a short-lived one can.
            let _ = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async move {
                    use sea_orm::ConnectionTrait;
                    if let Ok(db) = sea_orm::Database::connect(&admin_url).await {
                        let _ = db
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Waits until the outbox relay has published every pending event.
pub async fn settle(state: &careline_api::state::AppState) {
    let published = kit::wait_until(Duration::from_secs(5), async || {
        matches!(
            careline_persistence::outbox::pending_count(&state.app.db).await,
            Ok(0)
        )
    })
    .await;
    assert!(
        published,
        "the outbox relay did not publish the start-up events within 5 s"
    );
}

/// A fresh, empty database for one test.
async fn fresh_database() -> (String, TestDatabase) {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin_url) => postgres_database(admin_url).await,
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/careline.db?mode=rwc", dir.path().display());
            (url, TestDatabase::Sqlite(dir))
        }
    }
}

/// A new database on the PostgreSQL server of `admin_url`.
async fn postgres_database(admin_url: String) -> (String, TestDatabase) {
    use sea_orm::ConnectionTrait;
    let name = format!("careline_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(&admin_url)
        .await
        .expect("TEST_DATABASE_URL should be reachable");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base.to_owned())
        .expect("TEST_DATABASE_URL should end with /<database>");
    (
        format!("{base}/{name}"),
        TestDatabase::Postgres { admin_url, name },
    )
}

/// The `extensions.code` of the first error in a response body, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Asserts the response has no errors and returns its `data`.
pub fn data(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    &body["data"]
}
