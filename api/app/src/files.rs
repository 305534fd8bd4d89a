//! Stored files (issue 27, "Files"): uploads checked and kept in the file store (a local
//! directory, or S3-compatible storage), short-lived signed download links, who may read a
//! file, and the calls the message, reply and evidence write paths make to take files with
//! them ([`claim`] before the change, [`attach`] inside its transaction). Files nobody attached
//! are purged after a day ([`purge_unattached`], a background job). See docs/CONVERSATION.md.

use super::error::{AppError, AppResult};
use super::tickets::{load_readable, viewer_of};
use super::{Actor, App};
use bytes::Bytes;
use careline_domain::ticket::can_see_internal;
use careline_persistence::entity::stored_file;
use careline_persistence::files as store;
use chrono::{DateTime, Duration, Utc};
use futures_util::stream::{BoxStream, StreamExt};
use hmac::{Hmac, Mac};
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

/// The largest upload unless configured otherwise (`MAX_FILE_BYTES`): 20 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Most files one message, reply or evidence change may take.
pub const MAX_FILES_PER_CHANGE: usize = 10;
/// How long a download link works.
pub const LINK_LIFETIME: Duration = Duration::minutes(5);
/// How long an upload may wait to be attached before it is purged.
pub const UNATTACHED_LIFETIME: Duration = Duration::days(1);
/// Longest file name kept (characters).
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// What uploads may be, for the message that refuses the rest.
pub const ALLOWED_KINDS: &str = "images, PDF, office documents (Word, Excel, PowerPoint, OpenDocument, RTF), plain text and audio";

/// Where the bytes of stored files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// A local directory (created if missing).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3 {
        /// The bucket.
        bucket: String,
        /// The endpoint of an S3-compatible server (MinIO, Ceph, a local test server); `None`
        /// for AWS itself. `http://` endpoints are allowed.
        endpoint: Option<String>,
        /// Access key id.
        access_key_id: Option<String>,
        /// Secret access key.
        secret_access_key: Option<String>,
        /// Region (`us-east-1` unless given).
        region: Option<String>,
    },
    /// In memory, for embedding and unit tests: lost at exit.
    Memory,
}

/// The file store and the key that signs download links. Cheap to clone.
#[derive(Clone)]
pub struct FileStore {
    objects: Arc<dyn ObjectStore>,
    link_key: Arc<[u8; 32]>,
    /// The largest upload accepted, in bytes.
    pub max_bytes: u64,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("objects", &self.objects.to_string())
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

/// The key download links are signed with: derived from the server's JWT secret, so every
/// instance of a deployment signs and checks the same links, and a link key is never a token
/// key.
fn link_key(secret: &[u8]) -> [u8; 32] {
    let mut mac = hmac(secret);
    mac.update(b"careline file download links v1");
    mac.finalize().into_bytes().into()
}

fn hmac(key: &[u8]) -> Hmac<Sha256> {
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

impl FileStore {
    /// Opens the store `config` names; links are signed with a key derived from `secret`.
    pub fn open(config: &StoreConfig, secret: &[u8], max_bytes: u64) -> anyhow::Result<Self> {
        use anyhow::Context;
        let objects: Arc<dyn ObjectStore> = match config {
            StoreConfig::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create the file store {}", dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(dir)
                        .with_context(|| format!("cannot open the file store {}", dir.display()))?,
                )
            }
            StoreConfig::S3 {
                bucket,
                endpoint,
                access_key_id,
                secret_access_key,
                region,
            } => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region.as_deref().unwrap_or("us-east-1"));
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint).with_allow_http(true);
                }
                if let Some(id) = access_key_id {
                    builder = builder.with_access_key_id(id);
                }
                if let Some(key) = secret_access_key {
                    builder = builder.with_secret_access_key(key);
                }
                Arc::new(
                    builder
                        .build()
                        .context("cannot configure the S3 file store")?,
                )
            }
            StoreConfig::Memory => Arc::new(object_store::memory::InMemory::new()),
        };
        Ok(FileStore {
            objects,
            link_key: Arc::new(link_key(secret)),
            max_bytes,
        })
    }

    /// An in-memory store with a random link key (for embedding and unit tests).
    pub fn in_memory() -> Self {
        let mut secret = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut secret[..]);
        FileStore {
            objects: Arc::new(object_store::memory::InMemory::new()),
            link_key: Arc::new(link_key(&secret)),
            max_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }

    fn mac(&self, id: Uuid, expires: i64) -> Hmac<Sha256> {
        let mut mac = hmac(&self.link_key[..]);
        mac.update(format!("{id}:{expires}").as_bytes());
        mac
    }

    /// The download path of a file, valid for [`LINK_LIFETIME`] from `now`:
    /// `/files/{id}?exp=<unix seconds>&sig=<hex HMAC-SHA256>`.
    pub fn link(&self, id: Uuid, now: DateTime<Utc>) -> String {
        let expires = (now + LINK_LIFETIME).timestamp();
        let sig = hex::encode(self.mac(id, expires).finalize().into_bytes());
        format!("/files/{id}?exp={expires}&sig={sig}")
    }

    /// Whether `sig` signs (`id`, `expires`) and `expires` has not passed at `now`. The
    /// signature is compared in constant time.
    pub fn verify(&self, id: Uuid, expires: i64, sig: &str, now: DateTime<Utc>) -> bool {
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        now.timestamp() <= expires && self.mac(id, expires).verify_slice(&sig).is_ok()
    }

    fn key(id: Uuid) -> ObjectPath {
        ObjectPath::from(id.to_string())
    }
}

/// Keeps a client's file name for display: the last path segment, without control
/// characters, trimmed, at most [`MAX_FILE_NAME_CHARS`]; `file` when nothing is left.
pub fn sanitize_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The media type of `bytes`, sniffed (the client's claim is never trusted), if it is a kind
/// Careline keeps: images, PDF, office documents, audio, and plain text (valid UTF-8 without
/// NUL when nothing else matches).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    use infer::MatcherType;
    match infer::get(bytes) {
        Some(t) => match t.matcher_type() {
            MatcherType::Image | MatcherType::Audio | MatcherType::Doc => Some(t.mime_type()),
            _ if t.mime_type() == "application/pdf" => Some(t.mime_type()),
            _ => None,
        },
        None if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() => {
            Some("text/plain; charset=utf-8")
        }
        None => None,
    }
}

/// Stores an upload by `actor`: checks its size and kind, keeps its SHA-256, writes the bytes
/// under the new id and then the row. The file is unattached until a message, reply or
/// evidence change claims it.
pub async fn upload(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<stored_file::Model> {
    keep(app, actor.id(), file_name, bytes).await
}

/// [`upload`] on behalf of `uploaded_by` (a person, or the mailbox a mail's attachment came
/// from): the same checks, refused against `file`.
pub async fn keep(
    app: &App,
    uploaded_by: Uuid,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<stored_file::Model> {
    let size = bytes.len() as u64;
    if size == 0 {
        return Err(AppError::bad_input("file", "the file is empty"));
    }
    if size > app.files.max_bytes {
        return Err(AppError::bad_input(
            "file",
            format!("a file may be at most {} bytes", app.files.max_bytes),
        ));
    }
    let Some(content_type) = sniff(&bytes) else {
        return Err(AppError::bad_input(
            "file",
            format!("this kind of file is not accepted; allowed are {ALLOWED_KINDS}"),
        ));
    };
    let file_name = sanitize_file_name(file_name);
    let (sha256, bytes) = tokio::task::spawn_blocking(move || {
        let digest = hex::encode(Sha256::digest(&bytes));
        (digest, bytes)
    })
    .await
    .map_err(|e| AppError::internal(e, "hashing an upload"))?;
    let id = Uuid::now_v7();
    let key = FileStore::key(id);
    app.files
        .objects
        .put(&key, Bytes::from(bytes).into())
        .await
        .map_err(|e| AppError::internal(e, "writing an upload to the file store"))?;
    let row = stored_file::Model {
        id,
        uploaded_by,
        file_name,
        content_type: content_type.to_owned(),
        size_bytes: size as i64,
        sha256,
        storage_key: key.to_string(),
        created_at: app.now(),
        ticket_id: None,
        event_id: None,
        attached_at: None,
    };
    match store::insert(&app.db, row).await {
        Ok(row) => {
            tracing::info!(file.id = %row.id, file.size = row.size_bytes, file.content_type = %row.content_type, "file uploaded");
            Ok(row)
        }
        Err(err) => {
            // No row, no file: nothing would ever purge these bytes.
            if let Err(e) = app.files.objects.delete(&key).await {
                tracing::warn!(file.id = %id, error.detail = %e, "could not remove the bytes of an upload whose row was not written");
            }
            Err(err.into())
        }
    }
}

/// The download path of `file` from now (see [`FileStore::link`]).
pub fn link(app: &App, file: &stored_file::Model) -> String {
    app.files.link(file.id, app.now())
}

/// A file `actor` may read: the uploader while it is unattached; once attached, whoever may
/// read its ticket (and, for a file of an internal entry, see internal entries). Anything else
/// is `None`, exactly like a file that does not exist.
pub async fn readable(app: &App, actor: &Actor, id: Uuid) -> AppResult<Option<stored_file::Model>> {
    let Some(file) = store::find(&app.db, id).await? else {
        return Ok(None);
    };
    let Some(ticket_id) = file.ticket_id else {
        return Ok((file.uploaded_by == actor.id()).then_some(file));
    };
    let viewer = viewer_of(&actor.user);
    match load_readable(app, &viewer, ticket_id).await {
        Ok(_) => {}
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(other) => return Err(other),
    }
    if let Some(event_id) = file.event_id
        && !can_see_internal(&viewer)
        && store::event_is_internal(&app.db, event_id).await? != Some(false)
    {
        return Ok(None);
    }
    Ok(Some(file))
}

/// The message that refuses a file id, whatever is wrong with it: ids reveal nothing.
const NOT_CLAIMABLE: &str = "every id must name a file you uploaded that is not attached yet";

/// Checks that `ids` name files `uploader` uploaded and nobody has attached: at most
/// [`MAX_FILES_PER_CHANGE`], none twice. Refused against `field` otherwise, with the same
/// message for an unknown id and someone else's. Call it before the change; [`attach`] in its
/// transaction.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    uploader: Uuid,
    ids: &[Uuid],
    field: &str,
) -> AppResult<Vec<stored_file::Model>> {
    if ids.len() > MAX_FILES_PER_CHANGE {
        return Err(AppError::bad_input(
            field,
            format!("name at most {MAX_FILES_PER_CHANGE} files"),
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(AppError::bad_input(field, "names the same file twice"));
        }
    }
    let mut found: HashMap<Uuid, stored_file::Model> = store::find_many(db, ids)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    ids.iter()
        .map(|id| match found.remove(id) {
            Some(f) if f.uploaded_by == uploader && f.attached_at.is_none() => Ok(f),
            _ => Err(AppError::bad_input(field, NOT_CLAIMABLE)),
        })
        .collect()
}

/// Attaches claimed files to a ticket (and the timeline entry they travel with), only where
/// still unattached: when another request attached one first, `CONFLICT` (and the caller's
/// transaction rolls back).
pub async fn attach<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    ticket_id: Uuid,
    event_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let changed = store::attach(db, ids, ticket_id, event_id, at).await?;
    if changed < ids.len() as u64 {
        return Err(AppError::Conflict(
            "a file was attached by another request meanwhile; upload it again".to_owned(),
        ));
    }
    Ok(())
}

/// The files of timeline entries, by entry (entries without files are absent).
pub async fn of_events<C: ConnectionTrait>(
    db: &C,
    event_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<stored_file::Model>>> {
    let mut out: HashMap<Uuid, Vec<stored_file::Model>> = HashMap::new();
    for file in store::of_events(db, event_ids).await? {
        if let Some(event) = file.event_id {
            out.entry(event).or_default().push(file);
        }
    }
    Ok(out)
}

/// A file's bytes as they stream from the store.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// What a download serves.
pub struct Download {
    /// The stored row (name, type, size).
    pub file: stored_file::Model,
    /// Its bytes.
    pub bytes: ByteStream,
}

/// Why a download is refused.
#[derive(Debug)]
pub enum DownloadRefused {
    /// The link is not signed by this deployment, or has expired: 403.
    BadSignature,
    /// No such file (any more): 404.
    NotFound,
    /// Something else went wrong: 500 (503 when the database is down).
    Failed(AppError),
}

/// Opens a file for a signed link (`/files/{id}?exp=…&sig=…`): the link is the permission.
pub async fn download(
    app: &App,
    id: &str,
    expires: i64,
    sig: &str,
) -> Result<Download, DownloadRefused> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Err(DownloadRefused::NotFound);
    };
    if !app.files.verify(id, expires, sig, app.now()) {
        return Err(DownloadRefused::BadSignature);
    }
    let file = match store::find(&app.db, id).await {
        Ok(Some(file)) => file,
        Ok(None) => return Err(DownloadRefused::NotFound),
        Err(e) => return Err(DownloadRefused::Failed(e.into())),
    };
    let key = ObjectPath::from(file.storage_key.as_str());
    let bytes = match app.files.objects.get(&key).await {
        Ok(got) => got
            .into_stream()
            .map(|chunk| chunk.map_err(std::io::Error::other))
            .boxed(),
        Err(object_store::Error::NotFound { .. }) => return Err(DownloadRefused::NotFound),
        Err(e) => {
            return Err(DownloadRefused::Failed(AppError::internal(
                e,
                "reading a file from the file store",
            )));
        }
    };
    Ok(Download { file, bytes })
}

/// Files in a purge pass at most.
const PURGE_BATCH: u64 = 200;

/// Deletes files uploaded more than [`UNATTACHED_LIFETIME`] before `now` and never attached:
/// the row first, conditionally (so an instance racing this one, or an attach in between,
/// wins cleanly), then the bytes. Answers how many files this call removed.
pub async fn purge_unattached(app: &App, now: DateTime<Utc>) -> AppResult<usize> {
    let stale = store::unattached_before(&app.db, now - UNATTACHED_LIFETIME, PURGE_BATCH).await?;
    let mut purged = 0;
    for file in stale {
        if !store::delete_unattached(&app.db, file.id).await? {
            continue;
        }
        purged += 1;
        let key = ObjectPath::from(file.storage_key.as_str());
        match app.files.objects.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => {
                tracing::warn!(file.id = %file.id, error.detail = %e, "purged a file's row but not its bytes");
            }
        }
    }
    Ok(purged)
}

/// Whether the bytes of a file are in the store (for tests and checks).
pub async fn stored_bytes_exist(app: &App, storage_key: &str) -> AppResult<bool> {
    match app.files.objects.head(&ObjectPath::from(storage_key)).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(AppError::internal(e, "checking the file store")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_only_its_last_segment_without_control_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\a\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_file_name("bad\u{0}\nname.txt"), "badname.txt");
        assert_eq!(sanitize_file_name("  "), "file");
        assert_eq!(sanitize_file_name(".."), "file");
        assert_eq!(sanitize_file_name(&"x".repeat(400)).chars().count(), 255);
    }

    #[test]
    fn kinds_are_sniffed_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff("你好, plain text".as_bytes()),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"), None);
        assert_eq!(sniff(b"text\0with nul"), None);
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0\0\0"), None);
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_not_when_altered() {
        let store = FileStore::open(
            &StoreConfig::Memory,
            b"secret-secret-secret-secret-1234",
            10,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let id = Uuid::now_v7();
        let now = Utc::now();
        let link = store.link(id, now);
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let mut exp = 0;
        let mut sig = "";
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("exp", v)) => exp = v.parse().unwrap_or_default(),
                Some(("sig", v)) => sig = v,
                _ => {}
            }
        }
        assert!(store.verify(id, exp, sig, now));
        assert!(!store.verify(id, exp, sig, now + LINK_LIFETIME + Duration::seconds(1)));
        assert!(!store.verify(id, exp + 60, sig, now));
        assert!(!store.verify(Uuid::now_v7(), exp, sig, now));
        let other = FileStore::open(
            &StoreConfig::Memory,
            b"another-secret-another-secret-12",
            10,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!other.verify(id, exp, sig, now));
    }
}
