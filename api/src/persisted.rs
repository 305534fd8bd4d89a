//! Persisted operations for first-party clients: Apollo's automatic persisted queries (a client
//! sends `extensions.persistedQuery.sha256Hash`; an unknown hash is answered
//! `PERSISTED_QUERY_NOT_FOUND`, and the client registers it by sending the document with it) and
//! a manifest of trusted documents (`TRUSTED_DOCUMENTS_FILE`), which `TRUSTED_DOCUMENTS=required`
//! makes the only operations a deployment runs (`PERSISTED_QUERY_NOT_ALLOWED` otherwise).
//! Registrations go to Redis when it is configured, so every instance knows every hash;
//! otherwise to a bounded in-memory map.

use async_graphql::{ErrorExtensionValues, Request, ServerError, ServerResult};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many registered documents one instance keeps in memory (without Redis).
const MEMORY_ENTRIES: usize = 10_000;
/// How long Redis keeps a registered document.
const REDIS_TTL_SECONDS: u64 = 30 * 24 * 3600;
/// The largest document a client may register.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// Reads a trusted-documents manifest: either a JSON object of hash → document (Relay,
/// graphql-codegen's persisted documents), or Apollo's persisted-query manifest
/// (`{"operations": [{"id", "body"}, …]}`). Every hash must be the SHA-256 of its document.
pub fn parse_manifest(text: &str) -> anyhow::Result<HashMap<String, String>> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let pairs: Vec<(String, String)> = match value.get("operations") {
        Some(serde_json::Value::Array(operations)) => operations
            .iter()
            .map(|op| {
                let id = op["id"].as_str().unwrap_or_default().to_owned();
                let body = op["body"].as_str().unwrap_or_default().to_owned();
                (id, body)
            })
            .collect(),
        _ => value
            .as_object()
            .ok_or_else(|| anyhow::anyhow!("expected a JSON object of hash → document"))?
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
    };
    let mut out = HashMap::with_capacity(pairs.len());
    for (hash, body) in pairs {
        anyhow::ensure!(!body.is_empty(), "operation {hash} has no document");
        anyhow::ensure!(
            sha256(&body) == hash.to_ascii_lowercase(),
            "operation {hash}: the hash is not the SHA-256 of its document"
        );
        out.insert(hash.to_ascii_lowercase(), body);
    }
    Ok(out)
}

fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Where registered documents live.
#[derive(Clone)]
enum Store {
    Memory(Arc<Mutex<HashMap<String, String>>>),
    Redis {
        connection: redis::aio::ConnectionManager,
        prefix: String,
    },
}

impl Store {
    async fn get(&self, hash: &str) -> Option<String> {
        match self {
            Store::Memory(map) => map.lock().ok()?.get(hash).cloned(),
            Store::Redis { connection, prefix } => {
                let mut conn = connection.clone();
                redis::cmd("GET")
                    .arg(format!("{prefix}:apq:{hash}"))
                    .query_async::<Option<String>>(&mut conn)
                    .await
                    .unwrap_or_else(|err| {
                        tracing::warn!(error = %crate::app::error::chain(&err), "persisted query lookup failed");
                        None
                    })
            }
        }
    }

    async fn put(&self, hash: &str, document: &str) {
        match self {
            Store::Memory(map) => {
                if let Ok(mut map) = map.lock() {
                    // Bounded: a full map starts over rather than grow without end.
                    if map.len() >= MEMORY_ENTRIES {
                        map.clear();
                    }
                    map.insert(hash.to_owned(), document.to_owned());
                }
            }
            Store::Redis { connection, prefix } => {
                let mut conn = connection.clone();
                let stored = redis::cmd("SET")
                    .arg(format!("{prefix}:apq:{hash}"))
                    .arg(document)
                    .arg("EX")
                    .arg(REDIS_TTL_SECONDS)
                    .query_async::<()>(&mut conn)
                    .await;
                if let Err(err) = stored {
                    tracing::warn!(error = %crate::app::error::chain(&err), "persisted query registration failed");
                }
            }
        }
    }
}

/// Persisted operations: what a request's `persistedQuery` extension names, resolved before the
/// document is parsed (see `crate::graphql::boundary`).
pub struct PersistedOperations {
    store: Store,
    trusted: Arc<HashMap<String, String>>,
    required: bool,
}

impl PersistedOperations {
    /// Over Redis (shared by every instance) when given, memory otherwise.
    pub fn new(
        redis: Option<(redis::aio::ConnectionManager, String)>,
        trusted: Arc<HashMap<String, String>>,
        required: bool,
    ) -> Self {
        let store = match redis {
            Some((connection, prefix)) => Store::Redis { connection, prefix },
            None => Store::Memory(Arc::default()),
        };
        PersistedOperations {
            store,
            trusted,
            required,
        }
    }

    /// Fills in the document of a request that names it by hash, registers one sent with its
    /// hash, and refuses what this deployment does not run.
    pub async fn resolve(&self, mut request: Request) -> ServerResult<Request> {
        let persisted = request.extensions.remove("persistedQuery");
        let hash = match persisted {
            None => None,
            Some(value) => {
                let value = serde_json::to_value(&value).unwrap_or_default();
                if value["version"].as_i64() != Some(1) {
                    return Err(refusal(
                        "BAD_REQUEST",
                        "only version 1 of the persistedQuery extension is supported",
                    ));
                }
                let hash = value["sha256Hash"]
                    .as_str()
                    .map(str::to_ascii_lowercase)
                    .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| {
                        refusal(
                            "BAD_REQUEST",
                            "persistedQuery.sha256Hash must be 64 hex digits",
                        )
                    })?;
                Some(hash)
            }
        };
        match (hash, request.query.is_empty()) {
            // A hash alone: the manifest first, then what clients registered.
            (Some(hash), true) => {
                if let Some(document) = self.trusted.get(&hash) {
                    request.query = document.clone();
                } else if self.required {
                    return Err(not_allowed());
                } else if let Some(document) = self.store.get(&hash).await {
                    request.query = document;
                } else {
                    return Err(refusal(
                        "PERSISTED_QUERY_NOT_FOUND",
                        "PersistedQueryNotFound",
                    ));
                }
            }
            // A hash with its document: registration.
            (Some(hash), false) => {
                if sha256(&request.query) != hash {
                    return Err(refusal(
                        "BAD_REQUEST",
                        "provided sha256Hash does not match the query",
                    ));
                }
                if !self.trusted.contains_key(&hash) {
                    if self.required {
                        return Err(not_allowed());
                    }
                    if request.query.len() <= MAX_DOCUMENT_BYTES {
                        self.store.put(&hash, &request.query).await;
                    }
                }
            }
            // A plain document: fine, unless only trusted ones run.
            (None, _) => {
                if self.required && !self.trusted.contains_key(&sha256(&request.query)) {
                    return Err(not_allowed());
                }
            }
        }
        if request
            .data
            .get(&std::any::TypeId::of::<crate::http::ViaGet>())
            .is_some()
            && !matches!(
                crate::http::operation_type(&request),
                Some(async_graphql::parser::types::OperationType::Query) | None
            )
        {
            return Err(refusal(
                "BAD_REQUEST",
                "only queries may be sent with GET; use POST for mutations",
            ));
        }
        Ok(request)
    }
}

fn refusal(code: &str, message: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

fn not_allowed() -> ServerError {
    refusal(
        "PERSISTED_QUERY_NOT_ALLOWED",
        "this deployment runs only its trusted operations; send the hash of one",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_in_both_formats_are_read_and_checked() {
        let doc = "{ me { id } }";
        let hash = sha256(doc);
        let relay = format!("{{\"{hash}\": \"{doc}\"}}");
        assert_eq!(
            parse_manifest(&relay)
                .ok()
                .and_then(|m| m.get(&hash).cloned())
                .as_deref(),
            Some(doc)
        );
        let apollo = format!(
            "{{\"format\": \"apollo-persisted-query-manifest\", \"version\": 1, \"operations\": [{{\"id\": \"{hash}\", \"body\": \"{doc}\", \"name\": \"Me\", \"type\": \"query\"}}]}}"
        );
        assert_eq!(parse_manifest(&apollo).ok().map(|m| m.len()), Some(1));
        let forged = format!("{{\"{hash}\": \"{{ users {{ id }} }}\"}}");
        assert!(parse_manifest(&forged).is_err());
    }
}
