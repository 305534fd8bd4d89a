//! Limits on a document's shape, checked right after parsing, before validation and before any
//! resolver runs: nesting, depth, the fields it stands for with its fragments spread, aliases
//! and the size of a mutation. The depth limit is measured so that the standard
//! introspection query passes: graphql-js's
//! `getIntrospectionQuery()` nests `ofType` eight levels below `__schema { types { fields {
//! type … } } }`, deeper than any real operation needs. Operation fields may nest
//! [`MAX_DEPTH`](super::MAX_DEPTH) levels; a path through `__schema` or `__type` may nest
//! [`MAX_INTROSPECTION_DEPTH`] (enough for every standard client's query, and a bound on how
//! much a nested introspection can make the server print).

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Request, ServerError, ServerResult, Variables};
use std::collections::HashMap;

/// How deep a path through introspection fields may go.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Most aliased fields one document may hold: aliases let one request run a resolver many
/// times (500 aliased `login`s would be 500 password checks).
pub const MAX_ALIASES: usize = 30;
/// Most top-level fields one mutation may hold.
pub const MAX_ROOT_MUTATIONS: usize = 10;

/// How deeply selection sets may nest at all, fragments included, before anything else looks
/// at the document: async-graphql's own bound (its default), checked here first so that the
/// walks below never recurse further than this.
pub const MAX_NESTING: usize = 32;
/// Most field selections a document may stand for once its fragment spreads are expanded.
/// Validation walks the expanded document, so without this bound ten spreads of the next
/// fragment in each of eight fragments (under 800 bytes) cost async-graphql's validation
/// 10⁸ visits. Real operations, the full introspection query included, expand to a few
/// hundred.
pub const MAX_EXPANDED_FIELDS: usize = 5_000;

/// Parses `request` (the schema reuses the parse) and refuses it unless its shape is within
/// the limits: no U+0000, nesting ([`MAX_NESTING`], fragment cycles refused), the fields it
/// stands for once fragments are spread ([`MAX_EXPANDED_FIELDS`]), depth (`max_depth` for
/// operation fields), aliases and the size of a mutation.
pub fn check(request: &mut Request, max_depth: usize) -> ServerResult<()> {
    // PostgreSQL cannot store U+0000 in text, and no person types it: refused for every
    // string, in the document or its variables, before anything runs.
    if holds_nul(&request.query, &request.variables) {
        let mut error = ServerError::new("text may not contain the NUL character (U+0000)", None);
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", "BAD_USER_INPUT");
        error.extensions = Some(extensions);
        return Err(error);
    }
    let document = request.parsed_query()?;
    let Some(shape) = shape(document, MAX_NESTING) else {
        return Err(ServerError::new(
            format!("The recursion depth of the query cannot be greater than `{MAX_NESTING}`"),
            None,
        ));
    };
    if shape.size > MAX_EXPANDED_FIELDS {
        return Err(bad_request(format!(
            "the document stands for more than {MAX_EXPANDED_FIELDS} fields once its fragments are spread; ask for less"
        )));
    }
    let (operation, all) = (shape.operation, shape.all);
    if operation > max_depth || all > MAX_INTROSPECTION_DEPTH {
        return Err(ServerError::new("Query is nested too deep.", None));
    }
    let aliases = aliases(document);
    if aliases > MAX_ALIASES {
        return Err(bad_request(format!(
            "the document uses {aliases} aliases; at most {MAX_ALIASES} are allowed"
        )));
    }
    let mutations = root_mutation_fields(document);
    if mutations > MAX_ROOT_MUTATIONS {
        return Err(bad_request(format!(
            "a mutation may hold at most {MAX_ROOT_MUTATIONS} fields, not {mutations}"
        )));
    }
    Ok(())
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
/// path of all, over every operation of the document; `None` when selection sets nest deeper
/// than [`MAX_NESTING`] (a fragment cycle included).
pub fn depths(document: &ExecutableDocument) -> Option<(usize, usize)> {
    shape(document, MAX_NESTING).map(|h| (h.operation, h.all))
}

/// [`depths`], refusing nesting deeper than `max_nesting` levels (fields with a selection,
/// inline fragments and fragment spreads each count as a level, as async-graphql counts them).
/// Also counts the field selections the document stands for with its spreads expanded. Each
/// fragment is walked once and its figures remembered, so a document that spreads the same
/// fragments many times over costs no more than one that spreads them once, and the walk never
/// recurses deeper than `max_nesting`.
fn shape(document: &ExecutableDocument, max_nesting: usize) -> Option<Heights> {
    let mut walk = Walk {
        fragments: &document.fragments,
        known: HashMap::new(),
        open: Vec::new(),
        max_nesting,
    };
    let mut whole = Heights::default();
    for (_, operation) in document.operations.iter() {
        whole = whole.and(walk.set(&operation.node.selection_set.node, 0)?);
    }
    Some(whole)
}

/// How far a selection set reaches below itself.
#[derive(Debug, Clone, Copy, Default)]
struct Heights {
    /// Nested levels (async-graphql's recursion depth).
    nesting: usize,
    /// Operation fields, introspection subtrees not counted.
    operation: usize,
    /// All fields.
    all: usize,
    /// Field selections, spreads expanded (saturating).
    size: usize,
}

impl Heights {
    /// Two selections side by side: the deeper of each height, the sizes added.
    fn and(self, other: Heights) -> Heights {
        Heights {
            nesting: self.nesting.max(other.nesting),
            operation: self.operation.max(other.operation),
            all: self.all.max(other.all),
            size: self.size.saturating_add(other.size),
        }
    }

    /// One level of nesting more.
    fn nested(self) -> Heights {
        Heights {
            nesting: self.nesting + 1,
            ..self
        }
    }
}

struct Walk<'a> {
    fragments: &'a Fragments,
    /// Heights of the fragments walked so far.
    known: HashMap<&'a Name, Heights>,
    /// Fragments being walked (a spread of one of them is a cycle).
    open: Vec<&'a Name>,
    max_nesting: usize,
}

impl<'a> Walk<'a> {
    /// The heights of `set`, which sits `level` levels down; `None` once anything nests deeper
    /// than allowed.
    fn set(&mut self, set: &'a SelectionSet, level: usize) -> Option<Heights> {
        if level > self.max_nesting {
            return None;
        }
        let mut heights = Heights::default();
        for selection in &set.items {
            let item = match &selection.node {
                Selection::Field(field) => {
                    let inner = &field.node.selection_set.node;
                    let below = if inner.items.is_empty() {
                        Heights::default()
                    } else {
                        self.set(inner, level + 1)?.nested()
                    };
                    let name = field.node.name.node.as_str();
                    Heights {
                        nesting: below.nesting,
                        operation: if name == "__schema" || name == "__type" {
                            0
                        } else {
                            below.operation + 1
                        },
                        all: below.all + 1,
                        size: below.size.saturating_add(1),
                    }
                }
                Selection::InlineFragment(inline) => self
                    .set(&inline.node.selection_set.node, level + 1)?
                    .nested(),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // An unknown fragment is refused by validation later.
                    match self.fragments.get(name) {
                        Some(fragment) => self.fragment(name, fragment, level + 1)?.nested(),
                        None => Heights::default(),
                    }
                }
            };
            heights = heights.and(item);
        }
        Some(heights)
    }

    fn fragment(
        &mut self,
        name: &'a Name,
        fragment: &'a Positioned<FragmentDefinition>,
        level: usize,
    ) -> Option<Heights> {
        if let Some(heights) = self.known.get(name) {
            return (level + heights.nesting <= self.max_nesting).then_some(*heights);
        }
        if self.open.contains(&name) {
            return None;
        }
        self.open.push(name);
        let heights = self.set(&fragment.node.selection_set.node, level)?;
        self.open.pop();
        self.known.insert(name, heights);
        Some(heights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(query: &str) -> (usize, usize) {
        depths(&async_graphql::parser::parse_query(query).expect("parses")).expect("not too deep")
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

    fn checked(query: &str) -> ServerResult<()> {
        check(&mut Request::new(query), 12)
    }

    #[test]
    fn nesting_is_bounded_before_anything_walks_the_document() {
        // A chain of fragments, each one level below the last, nests without bound in a
        // document of a few kilobytes (and a cycle forever): refused, without deep recursion.
        let chain = |n: usize| {
            let mut q = String::from("{ me { ...F0 } }");
            for i in 0..n {
                q.push_str(&format!(
                    " fragment F{i} on User {{ team {{ ...F{} }} }}",
                    i + 1
                ));
            }
            q.push_str(&format!(" fragment F{n} on User {{ id }}"));
            q
        };
        let refused = |q: &str| checked(q).expect_err("refused").message;
        assert!(refused(&chain(5_000)).contains("recursion depth"));
        assert!(
            refused("{ me { ...A } } fragment A on User { team { ...A } }")
                .contains("recursion depth")
        );
        // Within the nesting bound, the depth limit answers.
        assert_eq!(refused(&chain(12)), "Query is nested too deep.");
        assert!(checked(&chain(2)).is_ok());
        // Ten spreads of the next fragment in each of twenty: 10²⁰ fields once expanded, a
        // few hundred bytes. Walked once per fragment here, and refused before validation
        // (which walks the expanded document).
        let mut bomb = String::from("{ me { ...B0 } }");
        for i in 0..20 {
            bomb.push_str(&format!(
                " fragment B{i} on User {{ {} }}",
                format!("...B{} ", i + 1).repeat(10)
            ));
        }
        bomb.push_str(" fragment B20 on User { id }");
        assert!(refused(&bomb).contains("once its fragments are spread"));
        let wide = format!("{{ me {{ {} }} }}", "id ".repeat(MAX_EXPANDED_FIELDS));
        assert!(refused(&wide).contains("once its fragments are spread"));
        let within = format!("{{ me {{ {} }} }}", "id ".repeat(MAX_EXPANDED_FIELDS - 1));
        assert!(checked(&within).is_ok());
        assert!(checked("{ me { ...A } } fragment A on User { id }").is_ok());
    }

    #[test]
    fn the_check_parses_once_for_the_schema_and_refuses_nul() {
        let mut request = Request::new("{ me { id } }");
        assert!(check(&mut request, 12).is_ok());
        assert!(request.parsed_query().is_ok());
        let refused = checked("{ me(x: \"a\\u0000\") { id } }").expect_err("NUL");
        assert!(refused.message.contains("NUL"));
        assert!(checked("{ me { id }").is_err(), "a syntax error is refused");
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
        // me → team → supervisor, then back to A: a cycle nests without end, refused.
        let cycle = "{ me { ...A } } fragment A on User { team { ...B } } fragment B on Team { supervisor { ...A } }";
        let document = async_graphql::parser::parse_query(cycle).expect("parses");
        assert_eq!(depths(&document), None);
    }
}
