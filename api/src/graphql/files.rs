//! Stored files in GraphQL: `uploadFile` (a GraphQL multipart request, see `crate::http`),
//! `file(id)`, and the `StoredFile` type that `TicketEvent.files` and the message and reply
//! mutations return. The bytes are served over plain HTTP at the signed `url`
//! (`crate::downloads::stored_file`); the use cases are `crate::app::files`.

use super::{SignedIn, actor, app, parse_id};
use crate::app::files as uc;
use crate::app::rows::stored_file;
use crate::app::{App, AppError, AppResult};
use async_graphql::{Context, ID, Object, Upload};

/// A stored file as clients see it, with a download link made when it was read.
#[derive(Clone)]
pub struct StoredFile {
    file: stored_file::Model,
    url: String,
}

impl StoredFile {
    /// The file, with a download link valid for a few minutes from the application clock's
    /// now. Give it only to callers who may read what the file belongs to.
    pub fn new(app: &App, file: stored_file::Model) -> Self {
        let url = uc::link(app, &file);
        StoredFile { file, url }
    }

    /// The file with a link signed by `store` (`App::files`), valid from `now`: for callers
    /// that hold the store but not the application.
    pub fn signed(
        store: &uc::FileStore,
        now: chrono::DateTime<chrono::Utc>,
        file: stored_file::Model,
    ) -> Self {
        let url = store.link(file.id, now);
        StoredFile { file, url }
    }

    /// Every file of `files`, as [`StoredFile::new`] makes them.
    pub fn all(app: &App, files: Vec<stored_file::Model>) -> Vec<Self> {
        files.into_iter().map(|f| StoredFile::new(app, f)).collect()
    }
}

/// A file kept by Careline (local directory by default, S3-compatible storage when
/// configured).
#[Object]
impl StoredFile {
    /// The file's id (what `fileIds` arguments take).
    async fn id(&self) -> ID {
        ID(self.file.id.to_string())
    }
    /// The name the uploader's client gave, for display (path and control characters removed).
    async fn file_name(&self) -> &str {
        &self.file.file_name
    }
    /// The media type, sniffed from the bytes (the client's claim is not trusted).
    async fn content_type(&self) -> &str {
        &self.file.content_type
    }
    /// The size in bytes.
    async fn size_bytes(&self) -> i32 {
        i32::try_from(self.file.size_bytes).unwrap_or(i32::MAX)
    }
    /// Lower-case hex SHA-256 of the bytes.
    async fn sha256(&self) -> &str {
        &self.file.sha256
    }
    /// A download link that works for a few minutes; only for callers who may read what it
    /// belongs to.
    async fn url(&self) -> &str {
        &self.url
    }
}

/// File queries.
#[derive(Default)]
pub struct FileQuery;

#[Object]
impl FileQuery {
    /// A stored file, for callers who may read what it belongs to.
    #[graphql(guard = "SignedIn")]
    async fn file(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The file's id.")] id: ID,
    ) -> AppResult<Option<StoredFile>> {
        let Some(id) = parse_id(&id) else {
            return Ok(None);
        };
        let app = app(ctx)?;
        Ok(uc::readable(app, actor(ctx)?, id)
            .await?
            .map(|f| StoredFile::new(app, f)))
    }
}

/// File mutations.
#[derive(Default)]
pub struct FileMutation;

#[Object]
impl FileMutation {
    /// Stores a file (GraphQL multipart request) for a message, a reply or intake evidence.
    /// Size and type limits apply.
    #[graphql(guard = "SignedIn")]
    async fn upload_file(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The file: a part of the multipart request, mapped to this variable. At most `MAX_FILE_BYTES` (20 MiB unless configured); images, PDF, office documents, plain text and audio, sniffed from the bytes."
        )]
        file: Upload,
    ) -> AppResult<StoredFile> {
        let app = app(ctx)?;
        let actor = actor(ctx)?;
        let value = file
            .value(ctx)
            .map_err(|_| AppError::bad_input("file", "the file part of the request is missing"))?;
        let size = value
            .size()
            .map_err(|e| AppError::internal(e, "reading an upload's size"))?;
        if size > app.files.max_bytes {
            return Err(AppError::bad_input(
                "file",
                format!("a file may be at most {} bytes", app.files.max_bytes),
            ));
        }
        let name = value.filename.clone();
        let bytes = tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            value.into_read().read_to_end(&mut bytes).map(|_| bytes)
        })
        .await
        .map_err(|e| AppError::internal(e, "reading an upload"))?
        .map_err(|e| AppError::internal(e, "reading an upload"))?;
        let stored = uc::upload(app, actor, &name, bytes).await?;
        Ok(StoredFile::new(app, stored))
    }
}
