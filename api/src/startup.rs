//! Building and running the server: `Application::build(settings)` then `run_until_stopped()`.
//! Tests bind port 0 and read the chosen port back.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::bus::{self, EventBus, InProcessBus, RedisBus};
use crate::config::Settings;
use crate::graphql::{CarelineSchema, build_schema};
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::{downloads, http, seed, ws};
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::{App, HttpServer, guard, web};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects to the database (migrating it), Redis when configured, seeds what the
    /// configuration asks for, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let careline_app::storage::Opened { db, sql_statements } =
            careline_app::storage::open(&settings.database_url).await?;
        let (bus, redis): (Arc<dyn EventBus>, _) = match &settings.redis_url {
            Some(url) => {
                let bus = RedisBus::connect(url, &settings.event_channel, db.clone()).await?;
                let connection = bus.connection();
                (Arc::new(bus), Some(connection))
            }
            None => (Arc::new(InProcessBus::new()), None),
        };
        // Login failures are counted where every instance sees them, when there is such a place.
        let limiter = match &redis {
            Some(connection) => LoginLimiter::shared(connection.clone(), &settings.event_channel),
            None => LoginLimiter::in_memory(),
        };
        let outbox_signal = Arc::new(tokio::sync::Notify::new());
        let metrics = Arc::new(Metrics::new()?);
        let undecodable = metrics.outbox_undecodable.clone();
        bus::spawn_relay(db.clone(), bus.clone(), outbox_signal.clone(), move |n| {
            undecodable.inc_by(n)
        });
        careline_app::callbacks::set_follow_up_days(settings.follow_up_business_days);
        let app = crate::app::App::new(db, Arc::new(crate::app::Clock::default()), outbox_signal)
            .with_quality_alert_threshold(settings.quality_alert_threshold)
            .with_outbound(settings.channels.outbound()?)
            .with_mail(settings.mail.clone())
            .with_files(
                careline_app::files::FileStore::open(
                    &settings.file_store,
                    &settings.jwt_secret,
                    settings.max_file_bytes,
                )
                .context("opening the file store (FILE_STORE_URL)")?,
            );
        let state = AppState {
            jwt: Arc::new(JwtKeys::new(
                &settings.jwt_secret,
                settings.access_token_ttl,
            )),
            fanout: Default::default(),
            persisted: Arc::new(crate::persisted::PersistedOperations::new(
                redis
                    .clone()
                    .map(|connection| (connection, settings.event_channel.clone())),
                settings.trusted_documents.clone(),
                settings.trusted_documents_required,
            )),
            wallboards: Arc::new(crate::wallboard::WallboardHub::new(
                app.clone(),
                bus.clone(),
            )),
            app,
            limiter: Arc::new(limiter),
            metrics,
            redis,
            bus,
            sql_statements,
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
            settings: Arc::new(settings),
        };
        crate::app::floor::ensure_default_policies(&state.app)
            .await
            .map_err(crate::seed::internal)
            .context("storing the default SLA policies")?;
        seed::bootstrap_admin(&state.app, state.settings.bootstrap_admin.as_ref()).await?;
        if state.settings.seed_demo {
            seed::demo_if_empty(&state.app).await?;
        }
        if state.settings.sla_worker {
            crate::scheduler::spawn(
                state.app.clone(),
                state.settings.sla_tick,
                state.shutdown.subscribe(),
            );
            crate::app::kpi::spawn_rollup_worker(state.app.clone());
        }
        if state.settings.delivery_worker {
            crate::app::outbound::spawn(state.app.clone(), state.shutdown.subscribe());
        }
        if state.settings.mailbox_worker {
            crate::app::imap::spawn(state.app.clone(), state.shutdown.subscribe());
        }
        let schema = build_schema(Some(state.clone()), !state.settings.introspection_enabled());
        let listener = TcpListener::bind((state.settings.host.as_str(), state.settings.port))
            .with_context(|| {
                format!(
                    "cannot listen on {}:{}",
                    state.settings.host, state.settings.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone(), schema)?;
        tracing::info!(
            address = %format!("http://{}:{port}", state.settings.host),
            database = if state.settings.database_url.starts_with("sqlite") { "sqlite" } else { "postgres" },
            bus = state.bus.kind(),
            "careline listening"
        );
        Ok(Application {
            port,
            server,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests reach the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped: SIGTERM/SIGINT (when signals are handled) or the handle.
    /// In-flight requests finish first and open WebSockets are closed with 1001.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if self.state.settings.handle_signals {
            let handle = self.server.handle();
            let shutdown = self.state.shutdown.clone();
            actix_web::rt::spawn(async move {
                wait_for_signal().await;
                tracing::info!("shutting down: finishing in-flight requests");
                shutdown.send_replace(true);
                handle.stop(true).await;
            });
        }
        self.server.await
    }

    /// Begins the same graceful shutdown a signal does.
    pub async fn stop(handle: actix_web::dev::ServerHandle, state: &AppState) {
        state.shutdown.send_replace(true);
        handle.stop(true).await;
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn serve(listener: TcpListener, state: AppState, schema: CarelineSchema) -> anyhow::Result<Server> {
    let workers = state.settings.workers;
    let data_state = web::Data::new(state);
    let data_schema = web::Data::new(schema);
    let mut server = HttpServer::new(move || {
        let cors_state = data_state.get_ref().clone();
        let cors = Cors::default()
            .allowed_origin_fn(move |origin, _| {
                origin
                    .to_str()
                    .is_ok_and(|o| http::origin_allowed(&cors_state, o))
            })
            .allowed_methods(["GET", "POST"])
            .allowed_headers([
                "authorization",
                "content-type",
                "accept",
                http::REQUEST_ID,
                http::APOLLO_REQUIRE_PREFLIGHT,
                http::APOLLO_OPERATION_NAME,
            ])
            .expose_headers([http::REQUEST_ID])
            .max_age(3600);
        App::new()
            .wrap(cors)
            // On every response, errors included: no content sniffing, no referrer leaking ids.
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((actix_web::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((actix_web::http::header::REFERRER_POLICY, "no-referrer")),
            )
            .wrap(tracing_actix_web::TracingLogger::<PathOnlySpan>::new())
            .wrap_fn(http::request_id)
            .app_data(data_state.clone())
            .app_data(data_schema.clone())
            .app_data(web::PayloadConfig::new(crate::http::MAX_BODY_BYTES))
            .service(
                web::resource("/graphql")
                    .route(
                        web::get()
                            .guard(guard::Header("upgrade", "websocket"))
                            .to(ws::graphql_ws),
                    )
                    .route(web::get().to(http::graphql_get))
                    .route(web::post().to(http::graphql_post)),
            )
            .route("/graphiql", web::get().to(crate::graphiql::page))
            .route(
                "/graphiql/assets/{name}",
                web::get().to(crate::graphiql::asset),
            )
            .route("/healthz", web::get().to(http::healthz))
            .route("/readyz", web::get().to(http::readyz))
            .route("/metrics", web::get().to(http::metrics))
            .route("/files/{id}", web::get().to(downloads::stored_file))
            .route(
                "/inbound/email/{mailbox}",
                web::post().to(crate::inbound::email),
            )
            .route("/reports/{file}", web::get().to(downloads::report_file))
            .route(
                "/reports/{id}/{file}",
                web::get().to(downloads::named_report_file),
            )
    })
    .shutdown_timeout(10)
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    // Signals are ours (see `run_until_stopped`): sockets are told to close before the
    // workers stop.
    server = server.disable_signals();
    Ok(server.run())
}

/// Request spans without the query string: GET requests carry GraphQL variables there, and
/// logs must never hold personal data or secrets.
pub struct PathOnlySpan;

impl tracing_actix_web::RootSpanBuilder for PathOnlySpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let request_id = request
            .headers()
            .get(http::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info_span!(
            "http.request",
            request.id = %request_id,
            http.method = %request.method(),
            http.path = %request.path(),
            http.status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        if let Ok(response) = outcome {
            span.record("http.status", response.status().as_u16());
        }
    }
}
