//! Limits on a document's shape, checked right after parsing, before any resolver runs: depth,
//! aliases and the size of a mutation. The depth limit is measured so that the standard
//! introspection query passes: graphql-js's
//! `getIntrospectionQuery()` nests `ofType` eight levels below `__schema { types { fields {
//! type … } } }`, deeper than any real operation needs. Operation fields may nest
//! [`MAX_DEPTH`](super::MAX_DEPTH) levels; a path through `__schema` or `__type` may nest
//! [`MAX_INTROSPECTION_DEPTH`] (enough for every standard client's query, and a bound on how
//! much a nested introspection can make the server print).

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Variables};
use std::collections::HashMap;
use std::sync::Arc;

/// How deep a path through introspection fields may go.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Most aliased fields one document may hold: aliases let one request run a resolver many
/// times (500 aliased `login`s would be 500 password checks).
pub const MAX_ALIASES: usize = 30;
/// Most top-level fields one mutation may hold.
pub const MAX_ROOT_MUTATIONS: usize = 10;

/// The extension refusing documents nested deeper than allowed, before validation.
pub struct DepthLimit {
    /// The limit for operation fields.
    pub max_depth: usize,
}

impl ExtensionFactory for DepthLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DepthLimitExtension {
            max_depth: self.max_depth,
        })
    }
}

struct DepthLimitExtension {
    max_depth: usize,
}

#[async_trait::async_trait]
impl Extension for DepthLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // PostgreSQL cannot store U+0000 in text, and no person types it: refused for every
        // string, in the document or its variables, before anything runs.
        if holds_nul(query, variables) {
            let mut error =
                ServerError::new("text may not contain the NUL character (U+0000)", None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", "BAD_USER_INPUT");
            error.extensions = Some(extensions);
            return Err(error);
        }
        let document = next.run(ctx, query, variables).await?;
        let (operation, all) = depths(&document);
        if operation > self.max_depth || all > MAX_INTROSPECTION_DEPTH {
            return Err(ServerError::new("Query is nested too deep.", None));
        }
        let aliases = aliases(&document);
        if aliases > MAX_ALIASES {
            return Err(bad_request(format!(
                "the document uses {aliases} aliases; at most {MAX_ALIASES} are allowed"
            )));
        }
        let mutations = root_mutation_fields(&document);
        if mutations > MAX_ROOT_MUTATIONS {
            return Err(bad_request(format!(
                "a mutation may hold at most {MAX_ROOT_MUTATIONS} fields, not {mutations}"
            )));
        }
        Ok(document)
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// Whether a string of the request holds U+0000: raw or as a `\u0000` escape in the document
/// (a literal backslash followed by `u0000` is refused too; no field needs one), or anywhere in
/// the variables.
pub fn holds_nul(query: &str, variables: &Variables) -> bool {
    fn value(v: &async_graphql::Value) -> bool {
        match v {
            async_graphql::Value::String(s) => s.contains('\0'),
            async_graphql::Value::List(items) => items.iter().any(value),
            async_graphql::Value::Object(fields) => {
                fields.iter().any(|(k, v)| k.contains('\0') || value(v))
            }
            _ => false,
        }
    }
    query.contains('\0') || query.contains("\\u0000") || variables.values().any(value)
}

fn bad_request(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "BAD_REQUEST");
    error.extensions = Some(extensions);
    error
}

/// Aliased fields written in the document (operations and fragments, each counted once).
pub fn aliases(document: &ExecutableDocument) -> usize {
    fn count(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + count(&f.node.selection_set.node)
                }
                Selection::InlineFragment(i) => count(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    document
        .operations
        .iter()
        .map(|(_, op)| count(&op.node.selection_set.node))
        .chain(
            document
                .fragments
                .values()
                .map(|f| count(&f.node.selection_set.node)),
        )
        .sum()
}

/// The most top-level fields of any mutation in the document (fragments spread at the top
/// count their fields; inline fragments too).
pub fn root_mutation_fields(document: &ExecutableDocument) -> usize {
    fn top(set: &SelectionSet, fragments: &Fragments, visiting: &mut Vec<Name>) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(i) => {
                    top(&i.node.selection_set.node, fragments, visiting)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match fragments.get(name) {
                        Some(f) if !visiting.contains(name) => {
                            visiting.push(name.clone());
                            let n = top(&f.node.selection_set.node, fragments, visiting);
                            visiting.pop();
                            n
                        }
                        _ => 0,
                    }
                }
            })
            .sum()
    }
    document
        .operations
        .iter()
        .filter(|(_, op)| op.node.ty == OperationType::Mutation)
        .map(|(_, op)| {
            top(
                &op.node.selection_set.node,
                &document.fragments,
                &mut Vec::new(),
            )
        })
        .max()
        .unwrap_or(0)
}

/// The deepest path of operation fields (introspection subtrees not counted) and the deepest
/// path of all, over every operation of the document.
pub fn depths(document: &ExecutableDocument) -> (usize, usize) {
    document
        .operations
        .iter()
        .map(|(_, op)| {
            let set = &op.node.selection_set.node;
            (
                depth(set, &document.fragments, &mut Vec::new(), false),
                depth(set, &document.fragments, &mut Vec::new(), true),
            )
        })
        .fold((0, 0), |(a, b), (c, d)| (a.max(c), b.max(d)))
}

/// The depth of `set`; `introspection` says whether `__schema`/`__type` subtrees count.
/// Fragment cycles (refused later by validation) are cut by `visiting`.
fn depth(
    set: &SelectionSet,
    fragments: &Fragments,
    visiting: &mut Vec<Name>,
    introspection: bool,
) -> usize {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if !introspection && (name == "__schema" || name == "__type") {
                    0
                } else {
                    1 + depth(
                        &field.node.selection_set.node,
                        fragments,
                        visiting,
                        introspection,
                    )
                }
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                match fragments.get(name) {
                    Some(fragment) if !visiting.contains(name) => {
                        visiting.push(name.clone());
                        let d = depth(
                            &fragment.node.selection_set.node,
                            fragments,
                            visiting,
                            introspection,
                        );
                        visiting.pop();
                        d
                    }
                    _ => 0,
                }
            }
            Selection::InlineFragment(inline) => depth(
                &inline.node.selection_set.node,
                fragments,
                visiting,
                introspection,
            ),
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(query: &str) -> (usize, usize) {
        depths(&async_graphql::parser::parse_query(query).expect("parses"))
    }

    #[test]
    fn operation_depth_counts_nested_fields_through_fragments() {
        assert_eq!(of("{ me { team { name } } }"), (3, 3));
        assert_eq!(
            of("query { me { ...T } } fragment T on User { team { supervisor { id } } }"),
            (4, 4)
        );
        assert_eq!(of("{ me { ... on User { id } } }"), (2, 2));
    }

    #[test]
    fn introspection_counts_only_against_its_own_limit() {
        let (operation, all) = of(
            "{ __schema { types { fields { type { ofType { ofType { name } } } } } } me { id } }",
        );
        assert_eq!(operation, 2);
        assert_eq!(all, 7);
    }

    #[test]
    fn aliases_and_root_mutation_fields_are_counted() {
        let doc = |q: &str| async_graphql::parser::parse_query(q).expect("parses");
        assert_eq!(aliases(&doc("{ a: me { id } b: me { x: id } }")), 3);
        assert_eq!(
            root_mutation_fields(&doc(
                "mutation { a: logout(refreshToken: \"x\") b: logout(refreshToken: \"y\") }"
            )),
            2
        );
        assert_eq!(root_mutation_fields(&doc("{ me { id } }")), 0);
    }

    #[test]
    fn nul_characters_are_found_in_the_document_and_the_variables() {
        let none = Variables::default();
        assert!(holds_nul(
            "{ ticketByNumber(number: \"a\\u0000b\") { id } }",
            &none
        ));
        assert!(holds_nul(
            "{ ticketByNumber(number: \"a\0b\") { id } }",
            &none
        ));
        assert!(!holds_nul(
            "{ ticketByNumber(number: \"a\\u0001b\") { id } }",
            &none
        ));
        let nested = Variables::from_json(serde_json::json!({ "i": { "tags": ["ok", "x\u{0}"] } }));
        assert!(holds_nul("query($i: X) { a(i: $i) }", &nested));
        let clean = Variables::from_json(serde_json::json!({ "i": { "tags": ["ok"] } }));
        assert!(!holds_nul("query($i: X) { a(i: $i) }", &clean));
    }

    #[test]
    fn fragment_cycles_do_not_loop() {
        // me → team → supervisor, then the cycle back to A is cut.
        assert_eq!(
            of(
                "{ me { ...A } } fragment A on User { team { ...B } } fragment B on Team { supervisor { ...A } }"
            ),
            (3, 3)
        );
    }
}
