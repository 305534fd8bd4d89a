//! Configuration from the environment (and an optional `.env`), validated once at start.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// Careline: the GraphQL backend for a customer service department.
///
/// Every option is read from the environment variable shown (a `.env` file in the working
/// directory is honoured). With nothing set, the server starts on http://127.0.0.1:8080 with a
/// SQLite database under ./data/, an in-process event bus and a seeded demo organisation.
#[derive(Debug, Clone, Parser)]
#[command(name = "careline", version)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free port).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Database: sqlite://path?mode=rwc or postgres://user@host/db.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/careline.db?mode=rwc"
    )]
    pub database_url: String,

    /// Redis for the event bus shared by several instances; unset = in-process bus.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// development (default) or production. Production requires JWT_SECRET and turns off
    /// introspection, GraphiQL and the demo seed.
    #[arg(long, env = "APP_ENV", value_enum, default_value_t = AppEnv::Development)]
    pub app_env: AppEnv,

    /// HMAC secret for access tokens, at least 32 bytes. Development: generated once and kept
    /// in ./data/jwt-secret. Production: required.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Create this admin at start when no account with this email exists.
    #[arg(long, env = "BOOTSTRAP_ADMIN_EMAIL")]
    pub bootstrap_admin_email: Option<String>,

    /// Password for BOOTSTRAP_ADMIN_EMAIL.
    #[arg(long, env = "BOOTSTRAP_ADMIN_PASSWORD", hide_env_values = true)]
    pub bootstrap_admin_password: Option<String>,

    /// Seed the demo organisation into an empty database (default: on in development).
    #[arg(long, env = "SEED_DEMO")]
    pub seed_demo: Option<bool>,

    /// Access token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECONDS", default_value_t = 900)]
    pub access_token_ttl_seconds: u64,

    /// Refresh token lifetime in days.
    #[arg(long, env = "REFRESH_TOKEN_TTL_DAYS", default_value_t = 30)]
    pub refresh_token_ttl_days: u64,

    /// Comma-separated origins allowed by CORS and on WebSocket upgrades
    /// (e.g. https://desk.example.com). Unset: any origin in development, none in production.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<String>,

    /// Comma-separated addresses or CIDR networks of the reverse proxies in front of the server
    /// (e.g. 10.0.0.0/8). When the TCP peer is one of them, the client address used for login
    /// throttling is the right-most X-Forwarded-For entry that is not. Unset: the header is
    /// never trusted.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,

    /// How often the SLA worker looks for tickets crossing a threshold, in seconds.
    #[arg(long, env = "SLA_TICK_SECONDS", default_value_t = 10)]
    pub sla_tick_seconds: u64,

    /// An agent whose rolling quality average (their latest five inspections) falls under this
    /// score (0–100) is enrolled in the next service-skills course, once.
    #[arg(long, env = "QUALITY_ALERT_THRESHOLD", default_value_t = 70.0)]
    pub quality_alert_threshold: f64,

    /// Business days after a complaint or after-sales ticket is resolved that its follow-up
    /// visit is due, on the ticket's calendar (1 to 30, default 2).
    #[arg(long, env = "FOLLOW_UP_BUSINESS_DAYS", default_value_t = careline_domain::callback::DEFAULT_FOLLOW_UP_BUSINESS_DAYS)]
    pub follow_up_business_days: u32,

    /// Redis channel for events. Instances sharing a database must share it; deployments
    /// sharing one Redis must not.
    #[arg(long, env = "EVENT_CHANNEL", default_value = "careline:events:v1")]
    pub event_channel: String,

    /// Seconds a WebSocket client has to send `connection_init` before it is closed (4408).
    #[arg(long, env = "WS_INIT_TIMEOUT_SECONDS", default_value_t = 10)]
    pub ws_init_timeout_seconds: u64,

    /// Share one execution among subscribers of the same subscription, variables and view
    /// (`false` runs every subscriber alone; for comparisons, see docs/BENCHMARKS.md).
    #[arg(long, env = "SUBSCRIPTION_GROUPING", default_value_t = true, action = clap::ArgAction::Set)]
    pub subscription_grouping: bool,

    /// Answer introspection in production too (development always does).
    #[arg(long, env = "INTROSPECTION", default_value_t = false)]
    pub introspection: bool,

    /// The language of error messages when a request's Accept-Language (or a WebSocket's
    /// `connection_init` locale) names none we speak: `en` or `zh-CN`.
    #[arg(long, env = "DEFAULT_LOCALE", value_enum, default_value_t = crate::i18n::Locale::En)]
    pub default_locale: crate::i18n::Locale,

    /// A JSON manifest of trusted operations (hash → document, as Relay emits it, or Apollo's
    /// persisted-query manifest); clients may send just the hash of one.
    #[arg(long, env = "TRUSTED_DOCUMENTS_FILE")]
    pub trusted_documents_file: Option<PathBuf>,

    /// `required`: accept only the operations of the trusted manifest (others get
    /// PERSISTED_QUERY_NOT_ALLOWED); `optional` (default): any operation.
    #[arg(long, env = "TRUSTED_DOCUMENTS", default_value = "optional")]
    pub trusted_documents: String,

    /// Log filter, e.g. info or careline_api=debug.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub rust_log: String,

    /// Where email to customers goes: `smtp://host:2525` (plain, for a local relay),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS). Unset:
    /// email deliveries are recorded SUPPRESSED.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of email to customers.
    #[arg(
        long,
        env = "SMTP_FROM",
        default_value = "Careline <noreply@careline.local>"
    )]
    pub smtp_from: String,

    /// The SMS gateway's webhook (see docs/CONVERSATION.md). Unset: SMS deliveries are
    /// recorded SUPPRESSED.
    #[arg(long, env = "SMS_WEBHOOK_URL")]
    pub sms_webhook_url: Option<String>,

    /// The key that signs SMS webhook requests (at least 16 characters).
    #[arg(long, env = "SMS_WEBHOOK_SECRET", hide_env_values = true)]
    pub sms_webhook_secret: Option<String>,
    /// Where uploaded files are kept: file:///absolute/path for a local directory, or
    /// s3://bucket for S3-compatible storage (with FILE_STORE_ENDPOINT and the keys below).
    /// Unset: the directory files/ under DATA_DIR.
    #[arg(long, env = "FILE_STORE_URL")]
    pub file_store_url: Option<String>,

    /// The endpoint of an S3-compatible server (e.g. http://127.0.0.1:9000 for MinIO); unset
    /// for AWS. http:// endpoints are allowed.
    #[arg(long, env = "FILE_STORE_ENDPOINT")]
    pub file_store_endpoint: Option<String>,

    /// Access key id for the S3 file store.
    #[arg(long, env = "FILE_STORE_ACCESS_KEY_ID")]
    pub file_store_access_key_id: Option<String>,

    /// Secret access key for the S3 file store.
    #[arg(long, env = "FILE_STORE_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub file_store_secret_access_key: Option<String>,

    /// Region of the S3 file store (default us-east-1).
    #[arg(long, env = "FILE_STORE_REGION")]
    pub file_store_region: Option<String>,

    /// The largest file an upload may carry, in bytes (default 20 MiB).
    #[arg(long, env = "MAX_FILE_BYTES", default_value_t = careline_app::files::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_bytes: u64,

    /// The key that encrypts stored secrets (mailbox passwords): 32 bytes in base64 or hex.
    /// Development: generated once and kept in ./data/data-key. Production: required.
    #[arg(long, env = "DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,

    /// The key that signs inbound mail posted to /inbound/email/{mailboxId} (at least 16
    /// characters). Unset: that endpoint answers 404.
    #[arg(long, env = "INBOUND_EMAIL_SECRET", hide_env_values = true)]
    pub inbound_email_secret: Option<String>,

    /// The largest email imported, in bytes (default 25 MiB); larger ones are set aside.
    #[arg(long, env = "MAX_EMAIL_BYTES", default_value_t = careline_domain::email::DEFAULT_MAX_EMAIL_BYTES)]
    pub max_email_bytes: u64,

    /// How often each mailbox is polled, in seconds (default 60).
    #[arg(long, env = "MAILBOX_POLL_SECONDS", default_value_t = 60)]
    pub mailbox_poll_seconds: u64,

    /// Directory for the development JWT secret and the default SQLite file.
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One-off commands instead of serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
}

/// Deployment environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppEnv {
    /// Local development: generated secret, demo seed, GraphiQL.
    Development,
    /// Production: everything explicit, nothing demo.
    Production,
}

/// The checked, resolved configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address.
    pub host: String,
    /// Listen port (0: any free port).
    pub port: u16,
    /// Database URL.
    pub database_url: String,
    /// Redis URL, if the Redis bus is used.
    pub redis_url: Option<String>,
    /// Redis channel for events.
    pub event_channel: String,
    /// Environment.
    pub app_env: AppEnv,
    /// Access token signing secret.
    pub jwt_secret: Vec<u8>,
    /// Admin to create at start.
    pub bootstrap_admin: Option<(String, String)>,
    /// Whether to seed the demo organisation into an empty database.
    pub seed_demo: bool,
    /// Access token lifetime.
    pub access_token_ttl: std::time::Duration,
    /// Refresh token lifetime.
    pub refresh_token_ttl: chrono::Duration,
    /// Allowed browser origins; empty with `any_origin` false means none.
    pub cors_allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::proxy::TrustedProxies,
    /// SLA worker period.
    pub sla_tick: std::time::Duration,
    /// The rolling quality average under which an agent is sent to training.
    pub quality_alert_threshold: f64,
    /// Business days after a resolution that its follow-up visit is due.
    pub follow_up_business_days: u32,
    /// Whether production answers introspection (`INTROSPECTION=true`).
    pub introspection: bool,
    /// The language of error messages when a request names none we speak.
    pub default_locale: crate::i18n::Locale,
    /// Trusted operations by SHA-256 hash (hex), from `TRUSTED_DOCUMENTS_FILE`.
    pub trusted_documents: std::sync::Arc<std::collections::HashMap<String, String>>,
    /// Whether only trusted operations run.
    pub trusted_documents_required: bool,
    /// How long a WebSocket client may take to send `connection_init`.
    pub ws_init_timeout: std::time::Duration,
    /// How often an open WebSocket re-checks that its account is still active.
    pub ws_account_recheck: std::time::Duration,
    /// How long a WebSocket waits for a client that stopped reading before closing it (1013).
    pub ws_send_timeout: std::time::Duration,
    /// Whether identical subscriptions share one execution (`SUBSCRIPTION_GROUPING`).
    pub subscription_grouping: bool,
    /// HTTP worker threads (0: one per core).
    pub workers: usize,
    /// Whether this instance runs the SLA worker (tests drive it by hand instead).
    pub sla_worker: bool,
    /// Whether the server stops itself on SIGTERM/SIGINT (off when embedded in tests).
    pub handle_signals: bool,
    /// The outside channels to customers.
    pub channels: Channels,
    /// Whether this instance sends queued deliveries as they come due (tests send them on
    /// the scheduler's pass instead, unless they turn it on).
    pub delivery_worker: bool,
    /// Where uploaded files are kept (`FILE_STORE_URL` and friends).
    pub file_store: careline_app::files::StoreConfig,
    /// The largest upload, in bytes (`MAX_FILE_BYTES`).
    pub max_file_bytes: u64,
    /// The email channel: data key, limits, poll period.
    pub mail: careline_app::email::MailSettings,
    /// `INBOUND_EMAIL_SECRET`; unset turns the inbound mail endpoint off.
    pub inbound_email_secret: Option<Secret>,
    /// Whether this instance polls mailboxes (tests poll by hand unless they turn it on).
    pub mailbox_worker: bool,
}

/// A secret whose `Debug` shows nothing.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Where email and SMS to customers go. Its `Debug` hides the URLs and the secret: an SMTP URL
/// may carry a password.
#[derive(Clone, Default)]
pub struct Channels {
    /// `SMTP_URL`.
    pub smtp_url: Option<String>,
    /// `SMTP_FROM`.
    pub smtp_from: String,
    /// `SMS_WEBHOOK_URL`.
    pub sms_webhook_url: Option<String>,
    /// `SMS_WEBHOOK_SECRET`.
    pub sms_webhook_secret: Option<String>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("email", &self.smtp_url.is_some())
            .field("smtp_from", &self.smtp_from)
            .field("sms", &self.sms_webhook_url.is_some())
            .finish()
    }
}

impl Channels {
    /// The senders these settings describe.
    pub fn outbound(&self) -> anyhow::Result<careline_app::outbound::Outbound> {
        careline_app::outbound::Outbound::configure(
            self.smtp_url.as_deref(),
            &self.smtp_from,
            self.sms_webhook_url.as_deref(),
            self.sms_webhook_secret.as_deref(),
        )
    }
}

const MIN_SECRET_BYTES: usize = 32;

impl Settings {
    /// Whether this is a production deployment.
    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// Whether the schema answers introspection: always in development, in production only
    /// with `INTROSPECTION=true`.
    pub fn introspection_enabled(&self) -> bool {
        !self.is_production() || self.introspection
    }

    /// Whether every origin is allowed (development with no list).
    pub fn any_origin(&self) -> bool {
        self.cors_allowed_origins.is_empty() && !self.is_production()
    }

    /// Settings for tests and embedding: development defaults with the given database and a
    /// fixed secret, listening on a free port, without the demo seed.
    pub fn for_tests(database_url: String, redis_url: Option<String>, jwt_secret: Vec<u8>) -> Self {
        Settings {
            host: "127.0.0.1".to_owned(),
            port: 0,
            database_url,
            redis_url,
            event_channel: "careline:events:v1".to_owned(),
            app_env: AppEnv::Development,
            jwt_secret,
            bootstrap_admin: None,
            seed_demo: false,
            access_token_ttl: std::time::Duration::from_secs(900),
            refresh_token_ttl: chrono::Duration::days(30),
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Default::default(),
            sla_tick: std::time::Duration::from_secs(10),
            quality_alert_threshold: 70.0,
            follow_up_business_days: careline_domain::callback::DEFAULT_FOLLOW_UP_BUSINESS_DAYS,
            introspection: false,
            default_locale: crate::i18n::Locale::En,
            trusted_documents: Default::default(),
            trusted_documents_required: false,
            ws_init_timeout: std::time::Duration::from_secs(10),
            ws_account_recheck: std::time::Duration::from_secs(15),
            ws_send_timeout: std::time::Duration::from_secs(10),
            subscription_grouping: true,
            workers: 2,
            sla_worker: false,
            handle_signals: false,
            channels: Channels {
                smtp_from: "Careline <noreply@careline.test>".to_owned(),
                ..Channels::default()
            },
            delivery_worker: false,
            file_store: careline_app::files::StoreConfig::Memory,
            max_file_bytes: careline_app::files::DEFAULT_MAX_FILE_BYTES,
            mail: careline_app::email::MailSettings {
                data_key: careline_app::secrets::DataKey::new(&[42; 32]),
                own_address: Some("noreply@careline.test".to_owned()),
                ..Default::default()
            },
            inbound_email_secret: None,
            mailbox_worker: false,
        }
    }
}

impl Config {
    /// Validates the configuration and resolves defaults that need the file system.
    pub fn resolve(&self) -> anyhow::Result<Settings> {
        let production = self.app_env == AppEnv::Production;
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres"))
        {
            bail!("DATABASE_URL must start with sqlite:// or postgres://");
        }
        if let Some(url) = &self.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            bail!("REDIS_URL must start with redis:// or rediss://");
        }
        if self.access_token_ttl_seconds < 30 || self.access_token_ttl_seconds > 86_400 {
            bail!("ACCESS_TOKEN_TTL_SECONDS must be between 30 and 86400");
        }
        if self.refresh_token_ttl_days == 0 || self.refresh_token_ttl_days > 365 {
            bail!("REFRESH_TOKEN_TTL_DAYS must be between 1 and 365");
        }
        if self.ws_init_timeout_seconds == 0 || self.ws_init_timeout_seconds > 300 {
            bail!("WS_INIT_TIMEOUT_SECONDS must be between 1 and 300");
        }
        let trusted_documents_required = match self.trusted_documents.as_str() {
            "required" => true,
            "optional" => false,
            _ => bail!("TRUSTED_DOCUMENTS must be required or optional"),
        };
        let trusted_documents = match &self.trusted_documents_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read TRUSTED_DOCUMENTS_FILE {}", path.display())
                })?;
                crate::persisted::parse_manifest(&text)
                    .with_context(|| format!("TRUSTED_DOCUMENTS_FILE {}", path.display()))?
            }
            None => Default::default(),
        };
        if trusted_documents_required && trusted_documents.is_empty() {
            bail!("TRUSTED_DOCUMENTS=required needs a TRUSTED_DOCUMENTS_FILE with operations");
        }
        if !(0.0..=100.0).contains(&self.quality_alert_threshold) {
            bail!("QUALITY_ALERT_THRESHOLD must be between 0 and 100");
        }
        if self.sla_tick_seconds == 0 || self.sla_tick_seconds > 3600 {
            bail!("SLA_TICK_SECONDS must be between 1 and 3600");
        }
        for origin in &self.cors_allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://"))
                || origin.ends_with('/')
            {
                bail!(
                    "CORS_ALLOWED_ORIGINS entries must look like https://host[:port] (got {origin:?})"
                );
            }
        }
        let trusted_proxies = crate::proxy::TrustedProxies::parse(&self.trusted_proxies)?;
        let file_store = self.file_store()?;
        if self.max_file_bytes == 0 || self.max_file_bytes > 1024 * 1024 * 1024 {
            bail!("MAX_FILE_BYTES must be between 1 and 1073741824 (1 GiB)");
        }
        if self.max_email_bytes < 1024 || self.max_email_bytes > 1024 * 1024 * 1024 {
            bail!("MAX_EMAIL_BYTES must be between 1024 and 1073741824 (1 GiB)");
        }
        if !(1..=30).contains(&self.follow_up_business_days) {
            bail!("FOLLOW_UP_BUSINESS_DAYS must be between 1 and 30");
        }
        if self.mailbox_poll_seconds == 0 || self.mailbox_poll_seconds > 86_400 {
            bail!("MAILBOX_POLL_SECONDS must be between 1 and 86400");
        }
        let inbound_email_secret = match self.inbound_email_secret.as_deref() {
            None | Some("") => None,
            Some(s) if s.len() < 16 => bail!("INBOUND_EMAIL_SECRET must be at least 16 characters"),
            Some(s) => Some(Secret(s.to_owned())),
        };
        let own_address = careline_app::outbound::address_of(&self.smtp_from);
        let bootstrap_admin = match (&self.bootstrap_admin_email, &self.bootstrap_admin_password) {
            (Some(email), Some(password)) => Some((email.clone(), password.clone())),
            (None, None) => None,
            _ => bail!("BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together"),
        };
        let jwt_secret = match &self.jwt_secret {
            Some(secret) if secret.len() >= MIN_SECRET_BYTES => secret.as_bytes().to_vec(),
            Some(_) => bail!("JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"),
            None if production => {
                bail!("JWT_SECRET is required in production (at least {MIN_SECRET_BYTES} bytes)")
            }
            None => dev_secret(&self.data_dir)?,
        };
        let data_key = match self.data_key.as_deref().filter(|k| !k.is_empty()) {
            Some(key) => careline_app::secrets::DataKey::parse(key)?,
            None if production => bail!(
                "DATA_KEY is required in production (32 bytes in base64 or hex; e.g. openssl rand -base64 32)"
            ),
            None => dev_data_key(&self.data_dir)?,
        };
        if self.database_url.starts_with("sqlite://data/")
            || self.database_url.contains("sqlite://./data/")
        {
            std::fs::create_dir_all("data")
                .context("cannot create ./data for the SQLite database")?;
        }
        Ok(Settings {
            host: self.host.clone(),
            port: self.port,
            database_url: self.database_url.clone(),
            redis_url: self.redis_url.clone(),
            event_channel: self.event_channel.clone(),
            app_env: self.app_env,
            jwt_secret,
            bootstrap_admin,
            seed_demo: self.seed_demo.unwrap_or(!production),
            access_token_ttl: std::time::Duration::from_secs(self.access_token_ttl_seconds),
            refresh_token_ttl: chrono::Duration::days(self.refresh_token_ttl_days as i64),
            cors_allowed_origins: self.cors_allowed_origins.clone(),
            trusted_proxies,
            sla_tick: std::time::Duration::from_secs(self.sla_tick_seconds),
            quality_alert_threshold: self.quality_alert_threshold,
            follow_up_business_days: self.follow_up_business_days,
            introspection: self.introspection,
            default_locale: self.default_locale,
            trusted_documents: std::sync::Arc::new(trusted_documents),
            trusted_documents_required,
            ws_init_timeout: std::time::Duration::from_secs(self.ws_init_timeout_seconds),
            ws_account_recheck: std::time::Duration::from_secs(15),
            ws_send_timeout: std::time::Duration::from_secs(10),
            subscription_grouping: self.subscription_grouping,
            workers: 0,
            sla_worker: true,
            handle_signals: true,
            channels: Channels {
                smtp_url: self.smtp_url.clone(),
                smtp_from: self.smtp_from.clone(),
                sms_webhook_url: self.sms_webhook_url.clone(),
                sms_webhook_secret: self.sms_webhook_secret.clone(),
            },
            delivery_worker: true,
            file_store,
            max_file_bytes: self.max_file_bytes,
            mail: careline_app::email::MailSettings {
                data_key,
                max_email_bytes: self.max_email_bytes,
                poll_every: std::time::Duration::from_secs(self.mailbox_poll_seconds),
                own_address,
            },
            inbound_email_secret,
            mailbox_worker: true,
        })
    }

    /// The file store `FILE_STORE_URL` names.
    fn file_store(&self) -> anyhow::Result<careline_app::files::StoreConfig> {
        use careline_app::files::StoreConfig;
        let Some(url) = self.file_store_url.as_deref().filter(|u| !u.is_empty()) else {
            return Ok(StoreConfig::Local(self.data_dir.join("files")));
        };
        if let Some(path) = url.strip_prefix("file://") {
            if !path.starts_with('/') {
                bail!(
                    "FILE_STORE_URL file:// must name an absolute path (file:///var/lib/careline/files)"
                );
            }
            return Ok(StoreConfig::Local(PathBuf::from(path)));
        }
        if let Some(bucket) = url.strip_prefix("s3://") {
            let bucket = bucket.trim_end_matches('/');
            if bucket.is_empty() || bucket.contains('/') {
                bail!("FILE_STORE_URL s3:// must name a bucket only (s3://careline-files)");
            }
            if let Some(endpoint) = &self.file_store_endpoint
                && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
            {
                bail!("FILE_STORE_ENDPOINT must start with http:// or https://");
            }
            let present = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
            return Ok(StoreConfig::S3 {
                bucket: bucket.to_owned(),
                endpoint: present(&self.file_store_endpoint),
                access_key_id: present(&self.file_store_access_key_id),
                secret_access_key: present(&self.file_store_secret_access_key),
                region: present(&self.file_store_region),
            });
        }
        bail!("FILE_STORE_URL must start with file:// or s3://")
    }
}

/// The development secret: generated on first start and kept so tokens survive restarts.
fn dev_secret(dir: &Path) -> anyhow::Result<Vec<u8>> {
    use base64::Engine;
    let path = dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= MIN_SECRET_BYTES {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut bytes = [0u8; 48];
    rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(secret.into_bytes())
}

/// The development data key: generated on first start and kept, so stored mailbox passwords
/// survive restarts.
fn dev_data_key(dir: &Path) -> anyhow::Result<careline_app::secrets::DataKey> {
    use base64::Engine;
    let path = dir.join("data-key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && let Ok(key) = careline_app::secrets::DataKey::parse(&existing)
    {
        return Ok(key);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    write_private(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(careline_app::secrets::DataKey::new(&bytes))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration from `args`; its generated files go to a temporary directory unless
    /// the test names one (never into the source tree).
    fn parse(args: &[&str]) -> Config {
        let scratch = std::env::temp_dir().join("careline-config-tests");
        let scratch = scratch.to_string_lossy().to_string();
        let mut all = vec!["careline"];
        all.extend_from_slice(args);
        if !args.contains(&"--data-dir") {
            all.extend(["--data-dir", scratch.as_str()]);
        }
        Config::parse_from(all)
    }

    #[test]
    fn production_refuses_to_start_without_a_secret() {
        let err = parse(&["--app-env", "production"]).resolve().unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET is required"), "{err}");
    }

    #[test]
    fn production_refuses_to_start_without_a_data_key() {
        let secret = "x".repeat(32);
        let err = parse(&["--app-env", "production", "--jwt-secret", &secret])
            .resolve()
            .unwrap_err();
        assert!(err.to_string().contains("DATA_KEY is required"), "{err}");
        let err = parse(&["--jwt-secret", &secret, "--data-key", "short"])
            .resolve()
            .unwrap_err();
        assert!(err.to_string().contains("DATA_KEY must be"), "{err}");
    }

    #[test]
    fn development_generates_and_keeps_a_data_key() {
        let dir = std::env::temp_dir().join(format!("careline-key-{}", uuid::Uuid::new_v4()));
        let data_dir = dir.to_string_lossy().to_string();
        let first = parse(&["--data-dir", &data_dir]).resolve().unwrap().mail;
        let sealed = first.data_key.seal("mailbox password");
        let again = parse(&["--data-dir", &data_dir]).resolve().unwrap().mail;
        assert_eq!(again.data_key.open(&sealed).unwrap(), "mailbox password");
        assert!(dir.join("data-key").is_file());
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_short_secret_is_refused() {
        let err = parse(&["--jwt-secret", "short"]).resolve().unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
    }

    #[test]
    fn development_generates_and_keeps_a_secret() {
        let dir = std::env::temp_dir().join(format!("careline-cfg-{}", uuid::Uuid::new_v4()));
        let dir_arg = dir.to_string_lossy().to_string();
        let first = parse(&["--data-dir", &dir_arg])
            .resolve()
            .unwrap()
            .jwt_secret;
        let second = parse(&["--data-dir", &dir_arg])
            .resolve()
            .unwrap()
            .jwt_secret;
        assert!(first.len() >= 32);
        assert_eq!(first, second);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn bootstrap_admin_needs_both_email_and_password() {
        let err = parse(&[
            "--bootstrap-admin-email",
            "a@example.com",
            "--jwt-secret",
            &"x".repeat(32),
        ])
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("must be set together"));
    }

    #[test]
    fn trusted_proxies_are_parsed_and_checked() {
        let secret = "x".repeat(32);
        let settings = parse(&[
            "--jwt-secret",
            &secret,
            "--trusted-proxies",
            "10.0.0.0/8,192.0.2.7",
        ])
        .resolve()
        .unwrap();
        assert!(
            settings
                .trusted_proxies
                .contains("10.1.2.3".parse().unwrap())
        );
        assert!(
            parse(&["--jwt-secret", &secret])
                .resolve()
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        let err = parse(&["--jwt-secret", &secret, "--trusted-proxies", "10.0.0.0/99"])
            .resolve()
            .unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXIES"), "{err}");
    }

    #[test]
    fn unsupported_database_urls_are_refused() {
        let err = parse(&[
            "--database-url",
            "mysql://x",
            "--jwt-secret",
            &"x".repeat(32),
        ])
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("DATABASE_URL"));
    }

    #[test]
    fn the_file_store_is_a_directory_or_an_s3_bucket() {
        use careline_app::files::StoreConfig;
        let secret = "x".repeat(32);
        let resolve = |extra: &[&str]| {
            let mut args = vec!["--database-url", "postgres://db", "--jwt-secret", &secret];
            args.extend_from_slice(extra);
            parse(&args).resolve()
        };
        let default = resolve(&[]).unwrap();
        let scratch = std::env::temp_dir().join("careline-config-tests");
        assert_eq!(
            default.file_store,
            StoreConfig::Local(scratch.join("files"))
        );
        assert_eq!(default.max_file_bytes, 20 * 1024 * 1024);
        let local = resolve(&["--file-store-url", "file:///srv/files"]).unwrap();
        assert_eq!(
            local.file_store,
            StoreConfig::Local(PathBuf::from("/srv/files"))
        );
        let s3 = resolve(&[
            "--file-store-url",
            "s3://careline-files",
            "--file-store-endpoint",
            "http://127.0.0.1:9000",
            "--file-store-access-key-id",
            "id",
            "--file-store-secret-access-key",
            "key",
        ])
        .unwrap();
        assert_eq!(
            s3.file_store,
            StoreConfig::S3 {
                bucket: "careline-files".to_owned(),
                endpoint: Some("http://127.0.0.1:9000".to_owned()),
                access_key_id: Some("id".to_owned()),
                secret_access_key: Some("key".to_owned()),
                region: None,
            }
        );
        for bad in [
            &["--file-store-url", "file://relative/dir"][..],
            &["--file-store-url", "ftp://host/files"],
            &["--file-store-url", "s3://bucket/prefix"],
            &[
                "--file-store-url",
                "s3://b",
                "--file-store-endpoint",
                "minio:9000",
            ],
            &["--max-file-bytes", "0"],
        ] {
            let err = resolve(bad).unwrap_err().to_string();
            assert!(
                err.contains("FILE_STORE") || err.contains("MAX_FILE_BYTES"),
                "{err}"
            );
        }
    }
}
