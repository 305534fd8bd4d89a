//! Every error a client sees carries `extensions.code`. Our resolvers' errors get theirs from
//! `AppError`; [`give_codes`] gives one to the errors async-graphql raises by itself, after
//! the fact, on every transport (`boundary::finish`):
//!
//! - a document that does not parse or validate, or exceeds a limit (depth, complexity,
//!   unknown field, wrong argument type, an argument out of its type's range):
//!   `BAD_REQUEST`, since nothing ran;
//! - an argument that only fails when its resolver coerces it (a `DateTime` or `Date` that is
//!   not one): `BAD_USER_INPUT`.

use async_graphql::ServerError;

/// Gives a code to each error without one: `BAD_REQUEST` when the document was refused before
/// execution (no path), `BAD_USER_INPUT` when a field's argument could not be coerced.
pub fn give_codes(errors: &mut [ServerError]) {
    for error in errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if coded {
            continue;
        }
        let code = if error.path.is_empty() {
            "BAD_REQUEST"
        } else {
            "BAD_USER_INPUT"
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

#[cfg(test)]
mod tests {
    use super::give_codes;
    use async_graphql::{PathSegment, ServerError};

    #[test]
    fn codeless_errors_get_a_code_and_coded_ones_keep_theirs() {
        let refused = ServerError::new("Unknown field \"nope\"", None);
        let mut coerced = ServerError::new("Failed to parse \"DateTime\"", None);
        coerced.path = vec![PathSegment::Field("shifts".into())];
        let mut coded = ServerError::new("not found", None);
        coded
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "NOT_FOUND");
        let mut errors = vec![refused, coerced, coded];
        give_codes(&mut errors);
        let codes: Vec<String> = errors
            .iter()
            .map(|e| {
                e.extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            codes,
            ["\"BAD_REQUEST\"", "\"BAD_USER_INPUT\"", "\"NOT_FOUND\""]
        );
    }
}
