//! The layering, checked so that it cannot rot. The compiler keeps the server away from
//! storage: `careline-api` does not depend on `careline-persistence` (nor on sea-orm), so no
//! resolver can query, open a transaction or hold a pool — these tests check the dependency
//! graph that guarantees it (from `cargo metadata`, not from text). The application layer
//! (`careline-app`) knows nothing of GraphQL but the one conversion of its error, behind its
//! `graphql` feature. See docs/ARCHITECTURE.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every workspace package and the names of its normal (non-dev) dependencies, and of the
/// optional ones.
fn dependencies() -> Vec<(String, BTreeSet<String>, BTreeSet<String>)> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let normal = |optional: bool| {
                p["dependencies"]
                    .as_array()
                    .expect("dependencies")
                    .iter()
                    .filter(|d| d["kind"].is_null() && d["optional"] == optional)
                    .map(|d| d["name"].as_str().expect("name").to_owned())
                    .collect::<BTreeSet<_>>()
            };
            (
                p["name"].as_str().expect("name").to_owned(),
                normal(false),
                normal(true),
            )
        })
        .collect()
}

fn deps_of(name: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    dependencies()
        .into_iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, d, o)| (d, o))
        .unwrap_or_else(|| panic!("no package {name}"))
}

#[test]
fn the_server_does_not_depend_on_storage() {
    let (deps, _) = deps_of("careline-api");
    assert!(deps.contains("careline-app"), "{deps:?}");
    for storage in [
        "careline-persistence",
        "careline-migration",
        "sea-orm",
        "sqlx",
    ] {
        assert!(
            !deps.contains(storage),
            "careline-api must reach storage only through careline-app, not {storage}"
        );
    }
}

#[test]
fn only_the_application_layer_depends_on_persistence() {
    let users: BTreeSet<String> = dependencies()
        .into_iter()
        .filter(|(_, deps, optional)| {
            deps.contains("careline-persistence") || optional.contains("careline-persistence")
        })
        .map(|(name, _, _)| name)
        .collect();
    // The tests set up and inspect databases directly; nothing else may.
    assert_eq!(
        users,
        BTreeSet::from(["careline-app".to_owned(), "careline-tests".to_owned()])
    );
}

#[test]
fn the_application_layer_names_graphql_only_to_convert_its_error() {
    let (deps, optional) = deps_of("careline-app");
    assert!(
        !deps.contains("async-graphql"),
        "only as an optional dependency"
    );
    assert!(optional.contains("async-graphql"));
    let found = offending(&app_src(), |code| {
        code.contains("async_graphql") || code.contains("crate::graphql")
    });
    assert!(
        !found.is_empty() && found.iter().all(|line| line.contains("app/src/error.rs")),
        "use cases take domain inputs and return AppError:\n{}",
        found.join("\n")
    );
}

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

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/app/src")
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
