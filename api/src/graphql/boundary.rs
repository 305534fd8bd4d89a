//! What every GraphQL request passes on its way in and on its way out, on every transport
//! (`http.rs`, `ws.rs`, grouped subscriptions in `fanout.rs`):
//!
//! - in ([`admit`]): a persisted operation is resolved to its document (`persisted.rs`), the
//!   document is parsed once (the schema reuses the parse) and its shape is checked
//!   (`depth.rs`: NUL, nesting, depth, aliases, size of a mutation);
//! - out ([`finish`]): every error gets an `extensions.code` (`codes.rs`), then its message is
//!   written in the request's language (`i18n.rs`).
//!
//! These were async-graphql extensions. None of them needs a hook per field, but with any
//! extension registered async-graphql resolves *every* field through the extension chain (a
//! `ResolveInfo` with registry lookups, and a boxed future per field and extension): on the
//! ticket list that was a sixth of the server's CPU (docs/BENCHMARKS.md). The schema now has
//! no extension, and the transports call these two functions instead.

use super::{MAX_DEPTH, codes, depth};
use crate::i18n::{Locale, localize};
use crate::persisted::PersistedOperations;
use async_graphql::{Request, Response, ServerError};
use futures_util::{Stream, StreamExt};

/// Resolves, parses and checks `request`; an error is the whole answer (see [`refused`]).
pub async fn admit(
    persisted: &PersistedOperations,
    request: Request,
) -> Result<Request, ServerError> {
    let mut request = persisted.resolve(request).await?;
    depth::check(&mut request, MAX_DEPTH)?;
    Ok(request)
}

/// The answer to a request [`admit`] refused: its error alone, no `data`, finished.
pub fn refused(error: ServerError, locale: Locale) -> Response {
    let mut response = Response::from_errors(vec![error]);
    finish(&mut response.errors, locale);
    response
}

/// Gives every error a code and writes its message in `locale`.
pub fn finish(errors: &mut [ServerError], locale: Locale) {
    codes::give_codes(errors);
    localize(errors, locale);
}

/// [`finish`] on each response of a subscription.
pub fn finish_stream(
    responses: impl Stream<Item = Response> + Send + 'static,
    locale: Locale,
) -> impl Stream<Item = Response> + Send + 'static {
    responses.map(move |mut response| {
        finish(&mut response.errors, locale);
        response
    })
}
