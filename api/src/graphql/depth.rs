//! The depth limit, measured so that the standard introspection query passes: graphql-js's
//! `getIntrospectionQuery()` nests `ofType` eight levels below `__schema { types { fields {
//! type … } } }`, deeper than any real operation needs. Operation fields may nest
//! [`MAX_DEPTH`](super::MAX_DEPTH) levels; a path through `__schema` or `__type` may nest
//! [`MAX_INTROSPECTION_DEPTH`] (enough for every standard client's query, and a bound on how
//! much a nested introspection can make the server print).

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, ServerError, ServerResult, Variables};
use std::collections::HashMap;
use std::sync::Arc;

/// How deep a path through introspection fields may go.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

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
        let document = next.run(ctx, query, variables).await?;
        let (operation, all) = depths(&document);
        if operation > self.max_depth || all > MAX_INTROSPECTION_DEPTH {
            return Err(ServerError::new("Query is nested too deep.", None));
        }
        Ok(document)
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

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
