//! Relay cursor connections with `totalCount`, and the paging arguments every list takes.

use super::MAX_PAGE;
use crate::app::{AppError, AppResult};
use async_graphql::SimpleObject;
use base64::Engine;
use careline_app::page::PageRequest;
use uuid::Uuid;

/// Paging position in a connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// Whether rows exist before the first edge.
    pub has_previous_page: bool,
    /// Whether rows exist after the last edge.
    pub has_next_page: bool,
    /// Cursor of the first edge.
    pub start_cursor: Option<String>,
    /// Cursor of the last edge.
    pub end_cursor: Option<String>,
}

/// Declares `XConnection` and `XEdge` for a node type (GraphQL wants concrete names).
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty) => {
        /// One row and its cursor.
        #[derive(async_graphql::SimpleObject, Clone)]
        pub struct $edge {
            /// Opaque position of this row.
            pub cursor: String,
            /// The row.
            pub node: $node,
        }

        /// A page of rows.
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// Rows with cursors.
            pub edges: Vec<$edge>,
            /// Rows without cursors.
            pub nodes: Vec<$node>,
            /// Where this page sits.
            pub page_info: $crate::graphql::connection::PageInfo,
            /// Rows matching the filter across all pages.
            pub total_count: i32,
        }

        impl $connection {
            /// Builds a connection from a page of rows and each row's cursor.
            pub fn from_page<M>(
                page: careline_app::page::Page<M>,
                cursor: impl Fn(&M) -> String,
                wrap: impl Fn(M) -> $node,
            ) -> Self {
                let edges: Vec<$edge> = page
                    .items
                    .into_iter()
                    .map(|m| $edge {
                        cursor: cursor(&m),
                        node: wrap(m),
                    })
                    .collect();
                $connection {
                    nodes: edges.iter().map(|e| e.node.clone()).collect(),
                    page_info: $crate::graphql::connection::PageInfo {
                        has_previous_page: page.has_previous,
                        has_next_page: page.has_next,
                        start_cursor: edges.first().map(|e| e.cursor.clone()),
                        end_cursor: edges.last().map(|e| e.cursor.clone()),
                    },
                    edges,
                    total_count: i32::try_from(page.total).unwrap_or(i32::MAX),
                }
            }
        }
    };
}
pub(crate) use connection;

/// An opaque cursor for a row id.
pub fn encode_cursor(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The row id in a cursor.
pub fn decode_cursor(cursor: &str, field: &str) -> AppResult<Uuid> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_input(field, "not a cursor from this list"))
}

/// An opaque cursor for a position in a list ordered by something else than the id: `kind`
/// names the list and its order (a cursor from another is refused), `key` is the position.
pub fn encode_keyed_cursor(kind: &str, key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

/// The position in a cursor from [`encode_keyed_cursor`] with the same `kind`; `field` names
/// the argument in the refusal.
pub fn decode_keyed_cursor(kind: &str, cursor: &str, field: &str) -> AppResult<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (tag, key) = text.split_once(':')?;
            (tag == kind).then(|| key.to_owned())
        })
        .ok_or_else(|| AppError::bad_input(field, "not a cursor from this list and order"))
}

/// Default page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE: i32 = 20;

/// Checks a page size argument (`first` or `last`): 0..=100.
pub fn page_size(name: &str, value: Option<i32>) -> AppResult<Option<u64>> {
    match value {
        Some(n) if !(0..=MAX_PAGE).contains(&n) => Err(AppError::bad_input(
            name,
            format!("must be between 0 and {MAX_PAGE}"),
        )),
        Some(n) => Ok(Some(n as u64)),
        None => Ok(None),
    }
}

/// The size of a forward-only page: `first`, checked, or the default.
pub fn first_or_default(first: Option<i32>) -> AppResult<u64> {
    Ok(page_size("first", first)?.unwrap_or(DEFAULT_PAGE as u64))
}

/// Checked `first`/`last`: not both; the page size and whether it is taken from the end.
pub fn page_window(first: Option<i32>, last: Option<i32>) -> AppResult<(u64, bool)> {
    let first = page_size("first", first)?;
    let last = page_size("last", last)?;
    match (first, last) {
        (Some(_), Some(_)) => Err(AppError::bad_input(
            "last",
            "pass either first or last, not both",
        )),
        (_, Some(n)) => Ok((n, true)),
        (Some(n), None) => Ok((n, false)),
        (None, None) => Ok((DEFAULT_PAGE as u64, false)),
    }
}

/// Checks paging arguments: sizes 0..=100, not both `first` and `last`.
pub fn page_request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> AppResult<PageRequest> {
    let (limit, from_end) = page_window(first, last)?;
    let after = after.map(|c| decode_cursor(&c, "after")).transpose()?;
    let before = before.map(|c| decode_cursor(&c, "before")).transpose()?;
    Ok(PageRequest {
        after,
        before,
        limit,
        from_end,
    })
}

/// The complexity of a list field: its page size times the cost of one row.
pub fn list_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first.or(last).unwrap_or(DEFAULT_PAGE).clamp(0, MAX_PAGE) as usize;
    n.max(1) * child
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_cursors_round_trip_and_refuse_another_lists() {
        let c = encode_keyed_cursor("q", "41");
        assert_eq!(
            decode_keyed_cursor("q", &c, "after").ok().as_deref(),
            Some("41")
        );
        assert!(decode_keyed_cursor("p", &c, "after").is_err());
        assert!(decode_keyed_cursor("q", "not base64!", "after").is_err());
    }

    #[test]
    fn id_cursors_round_trip() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(id), "after").ok(), Some(id));
    }
}
