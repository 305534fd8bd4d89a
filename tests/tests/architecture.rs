//! The layering, checked on the source so that it cannot rot: the GraphQL layer parses
//! arguments, calls a use case and wraps the result; only the application layer talks to
//! storage and opens transactions; the application layer knows nothing of GraphQL. See
//! docs/ARCHITECTURE.md.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn api_src(part: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../api/src")
        .join(part)
}

/// Every line of the files under `dir` matching `bad`, as `file:line: text`.
fn offending(dir: &Path, bad: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(dir) {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if bad(code) {
                found.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_graphql_layer_never_touches_sea_orm_or_opens_a_transaction() {
    let dir = api_src("graphql");
    assert!(rust_files(&dir).len() > 10, "the GraphQL layer moved?");
    let found = offending(&dir, |code| {
        code.contains("sea_orm")
            || code.contains(".begin(")
            || code.contains("TransactionTrait")
            || code.contains("DatabaseConnection")
    });
    assert!(
        found.is_empty(),
        "the GraphQL layer must call crate::app, not the database:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_graphql_layer_uses_storage_only_for_the_row_types_it_wraps() {
    let found = offending(&api_src("graphql"), |code| {
        code.match_indices("careline_persistence::").any(|(at, m)| {
            let rest = &code[at + m.len()..];
            !(rest.starts_with("entity") || rest.starts_with("page::Page"))
        })
    });
    assert!(
        found.is_empty(),
        "repositories are the application layer's to call:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_application_layer_knows_nothing_of_graphql() {
    let dir = api_src("app");
    assert!(rust_files(&dir).len() > 5, "the application layer moved?");
    let found = offending(&dir, |code| {
        code.contains("async_graphql") || code.contains("crate::graphql")
    });
    assert!(
        found.is_empty(),
        "use cases take domain inputs and return AppError:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_schema_registers_no_async_graphql_extension() {
    // With any extension registered, async-graphql resolves every field through the hooked
    // path (a sixth of the server's CPU on the ticket list, docs/BENCHMARKS.md): request-wide
    // work belongs in `graphql/boundary.rs`, which every transport calls.
    let found = offending(&api_src(""), |code| {
        // A builder call on its own line (`path.extension()` elsewhere is a file's).
        code.trim_start().starts_with(".extension(")
            || code.contains("impl Extension for")
            || code.contains("ExtensionFactory")
    });
    assert!(
        found.is_empty(),
        "do it in graphql/boundary.rs instead of an async-graphql extension:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_above_would_catch_a_violation() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("leak.rs"),
        "use sea_orm::EntityTrait; // a resolver querying by hand\nlet txn = db.begin().await?;\n",
    )
    .expect("write");
    assert_eq!(offending(dir.path(), |c| c.contains("sea_orm")).len(), 1);
    assert_eq!(offending(dir.path(), |c| c.contains(".begin(")).len(), 1);
    std::fs::write(
        dir.path().join("schema.rs"),
        "let schema = Schema::build(q, m, s)\n    .extension(Tracing)\n    .finish();\n",
    )
    .expect("write");
    assert_eq!(
        offending(dir.path(), |c| c.trim_start().starts_with(".extension(")).len(),
        1
    );
}
