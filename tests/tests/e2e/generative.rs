//! A generative test over the whole schema: every query and mutation of the SDL is called with
//! arguments built from its types — wrong types, empty values, 100 kB strings, control
//! characters, right-to-left marks, emoji, invalid ids, ids of real records of another kind,
//! negative and huge numbers, dates in year 9999, `null` in every nullable place — as every
//! role of the demo seed and anonymously.
//!
//! It asserts, for every case: no 5xx, a JSON answer, every error with `extensions.code` and a
//! message, never `INTERNAL`, and no write to any table from a refused call (triggers count
//! every insert, update and delete per table; the counts before and after must match). It also checks the order of checks where the order
//! can be seen from outside: an operation that needs a signed-in caller answers anonymous
//! callers `UNAUTHENTICATED` whatever the arguments, and an argument of 100 kB is refused as
//! `BAD_USER_INPUT` before anything is looked up (never `NOT_FOUND`, `CONFLICT` or
//! `INVALID_TRANSITION`).
//!
//! Deterministic: `GENERATIVE_SEED` (default below) seeds the generator, and a failure prints
//! the seed, the caller and the document, so it reproduces. `GENERATIVE_CASES` sets the cases
//! per operation, `GENERATIVE_ONLY` (comma-separated names) picks operations.

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use careline_tests::TestApp;
use careline_tests::kit::{ADMIN, ALICE, LEGAL, LI_LEI, MANAGER, SAM, TECH, TRAINER};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

const DEFAULT_SEED: u64 = 0x00C4_2E11_4E18;
const DEFAULT_CASES: usize = 36;

/// Who calls: `None` is anonymous.
const CALLERS: &[Option<&str>] = &[
    None,
    Some(LI_LEI),
    Some(ALICE),
    Some(TECH),
    Some(TRAINER),
    Some(SAM),
    Some(MANAGER),
    Some(LEGAL),
    Some(ADMIN),
];

/// Operations that end the caller's sessions or accounts when they succeed: run last, so that
/// they do not take callers away from the rest of the run.
const RUN_LAST: &[&str] = &["changePassword", "setUserActive", "logout"];

/// Operations open to anonymous callers, or whose own answer to a bad credential is
/// `UNAUTHENTICATED`.
const PUBLIC: &[&str] = &["login", "refreshToken", "logout", "registerCustomer"];

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// One argument or input field.
#[derive(Debug, Clone)]
struct Input {
    name: String,
    ty: Type,
}

/// One output field.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    args: Vec<Input>,
    ty: Type,
}

#[derive(Debug, Clone)]
enum Def {
    Scalar,
    Enum(Vec<String>),
    Input(Vec<Input>),
    Object(Vec<Field>),
    Abstract,
}

struct Sdl {
    types: HashMap<String, Def>,
}

impl Sdl {
    fn parse(sdl: &str) -> Sdl {
        let document = async_graphql::parser::parse_schema(sdl).expect("the SDL parses");
        let mut types = HashMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let ty = ty.node;
            let inputs = |values: &[async_graphql::Positioned<
                async_graphql::parser::types::InputValueDefinition,
            >]| {
                values
                    .iter()
                    .map(|v| Input {
                        name: v.node.name.node.to_string(),
                        ty: v.node.ty.node.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            let def = match &ty.kind {
                TypeKind::Scalar => Def::Scalar,
                TypeKind::Enum(e) => Def::Enum(
                    e.values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect(),
                ),
                TypeKind::InputObject(i) => Def::Input(inputs(&i.fields)),
                TypeKind::Object(o) => Def::Object(
                    o.fields
                        .iter()
                        .map(|f| Field {
                            name: f.node.name.node.to_string(),
                            args: inputs(&f.node.arguments),
                            ty: f.node.ty.node.clone(),
                        })
                        .collect(),
                ),
                TypeKind::Interface(_) | TypeKind::Union(_) => Def::Abstract,
            };
            types.insert(ty.name.node.to_string(), def);
        }
        Sdl { types }
    }

    fn root(&self, name: &str) -> Vec<Field> {
        match self.types.get(name) {
            Some(Def::Object(fields)) => fields.clone(),
            _ => Vec::new(),
        }
    }

    /// The selection set for a value of `ty`: `__typename` and the leaf fields that take no
    /// required argument.
    fn selection(&self, ty: &Type) -> String {
        let name = named(ty);
        match self.types.get(name) {
            Some(Def::Object(fields)) => {
                let mut out = String::from(" { __typename");
                for field in fields {
                    let leaf = matches!(
                        self.types.get(named(&field.ty)),
                        Some(Def::Scalar | Def::Enum(_)) | None
                    );
                    if leaf && field.args.iter().all(|a| a.ty.nullable) {
                        out.push(' ');
                        out.push_str(&field.name);
                    }
                }
                out.push_str(" }");
                out
            }
            Some(Def::Abstract) => " { __typename }".to_owned(),
            _ => String::new(),
        }
    }
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// A GraphQL string literal (JSON string escapes are GraphQL's).
fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

const HUGE: usize = 100 * 1024;

/// Strings a careless parser trips over.
fn nasty_strings() -> Vec<String> {
    vec![
        String::new(),
        " ".to_owned(),
        "plain".to_owned(),
        "\u{0}\u{1}\u{7}\u{8}\u{1b}[31mred\u{7f}".to_owned(),
        "line\nbreak\r\ttab".to_owned(),
        "\u{202e}txt.exe\u{202c} \u{200f}\u{200e}".to_owned(),
        "😀👍🏽👩‍👩‍👧‍👦🏳️‍🌈".to_owned(),
        "\u{200b}\u{feff}\u{2060}".to_owned(),
        "e\u{301}\u{301}\u{301}\u{301}".to_owned(),
        "' OR 1=1; DROP TABLE users; --".to_owned(),
        "<script>alert(1)</script>".to_owned(),
        "%s%n%x{0}${jndi:ldap://x}".to_owned(),
        "someone@example.com".to_owned(),
        "+86 138 0000 0000".to_owned(),
        "中文客服 ümlaut".to_owned(),
        "9999-12-31T23:59:59Z".to_owned(),
    ]
}

/// Real ids, by table.
struct Ids {
    by_table: BTreeMap<String, Vec<String>>,
}

impl Ids {
    fn all(&self) -> Vec<&String> {
        self.by_table.values().flatten().collect()
    }

    /// The table an argument called `arg` (of an operation returning `returns`) probably names.
    fn guess(&self, arg: &str, returns: &str) -> Option<&Vec<String>> {
        let lower = arg.to_ascii_lowercase();
        let stem = lower
            .strip_suffix("ids")
            .or_else(|| lower.strip_suffix("id"))
            .unwrap_or(&lower);
        let stem = match stem {
            "" => snake(returns),
            "assignee" | "touser" | "user" | "employee" | "agent" | "supervisor" | "trainer"
            | "involvedstaff" | "reviewer" | "attendee" => "user".to_owned(),
            "keep" | "merge" => "customer".to_owned(),
            "invitation" => "survey_invitation".to_owned(),
            "cycle" => "review_cycle".to_owned(),
            "record" => "training_record".to_owned(),
            "course" | "recommendedcourse" => "training_course".to_owned(),
            "session" => "training_session".to_owned(),
            "task" => "department_task".to_owned(),
            "article" => "knowledge_article".to_owned(),
            "calendar" => "business_calendar".to_owned(),
            "scorecard" => "quality_scorecard".to_owned(),
            other => other.to_owned(),
        };
        let plural = format!("{stem}s");
        self.by_table
            .get(&plural)
            .or_else(|| {
                self.by_table
                    .iter()
                    .find(|(t, _)| t.ends_with(&format!("_{plural}")))
                    .map(|(_, v)| v)
            })
            .or_else(|| {
                self.by_table
                    .iter()
                    .find(|(t, _)| t.contains(stem.as_str()))
                    .map(|(_, v)| v)
            })
    }
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds argument literals.
struct Gen<'a> {
    sdl: &'a Sdl,
    ids: &'a Ids,
    rng: Rng,
    /// The case's 100 kB string, if it has one, with the type it is declared as (one per
    /// request keeps it under the body limit).
    huge: Option<(String, String)>,
    /// The type of the value being built, as a variable would declare it.
    declared: String,
    /// Whether the case holds a 100 kB `String` (not an id: an id that cannot be one names
    /// nothing, and is `NOT_FOUND` by design).
    huge_text: bool,
    /// Whether the case holds a list of 200 or more items.
    long_list: bool,
    /// Inside a long list: plausible items only, so that the list itself is what is tried.
    calm: bool,
}

impl Gen<'_> {
    /// A literal for `ty`; `arg` names the argument (for id guesses), `returns` the
    /// operation's type.
    fn value(&mut self, ty: &Type, arg: &str, returns: &str, depth: usize) -> String {
        if !self.calm && ty.nullable && self.rng.chance(12) {
            return "null".to_owned();
        }
        if !self.calm && self.rng.chance(3) {
            return self.wrong_type(ty);
        }
        match &ty.base {
            BaseType::List(inner) => {
                let len = match self.rng.below(10) {
                    0 => 0,
                    1..=6 => 1 + self.rng.below(3),
                    7 | 8 => 21 + self.rng.below(10),
                    _ => 200 + self.rng.below(300),
                };
                if len >= 200 {
                    // One plausible item, repeated (ids cycle through the real ones).
                    let was_calm = std::mem::replace(&mut self.calm, true);
                    let items: Vec<String> = (0..len)
                        .map(|_| self.value(inner, arg, returns, depth + 1))
                        .collect();
                    self.calm = was_calm;
                    self.long_list = true;
                    return format!("[{}]", items.join(", "));
                }
                let items: Vec<String> = (0..len)
                    .map(|_| self.value(inner, arg, returns, depth + 1))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            BaseType::Named(name) => {
                self.declared = ty.to_string();
                self.named(name.as_str(), arg, returns, depth)
            }
        }
    }

    fn wrong_type(&mut self, ty: &Type) -> String {
        match self.rng.below(6) {
            0 => "null".to_owned(),
            1 => "\"text\"".to_owned(),
            2 => "12345678901234567890".to_owned(),
            3 => "{ nope: 1 }".to_owned(),
            4 => "[1, \"a\", null]".to_owned(),
            _ => {
                if named(ty) == "Boolean" {
                    "1.5".to_owned()
                } else {
                    "true".to_owned()
                }
            }
        }
    }

    /// A 100 k-character string (up to 400 kB), past every text limit of the schema, passed
    /// as the variable `$huge` (a literal that size would mostly measure the parser).
    fn huge_string(&mut self) -> Option<String> {
        if self.huge.is_some() {
            return None;
        }
        let unit = self.rng.pick(&["a", "é", "😀", "\u{202e}"]).to_owned();
        self.huge = Some((self.declared.clone(), unit.repeat(HUGE)));
        Some("$huge".to_owned())
    }

    fn named(&mut self, name: &str, arg: &str, returns: &str, depth: usize) -> String {
        match name {
            "String" => {
                if !self.calm
                    && self.rng.chance(6)
                    && let Some(huge) = self.huge_string()
                {
                    self.huge_text = true;
                    return huge;
                }
                let strings = nasty_strings();
                // Plausible text is not empty, whatever its characters.
                let from = if self.calm { 2 } else { 0 };
                string(&self.rng.pick(&strings[from..]))
            }
            "ID" => self.id(arg, returns),
            "Int" => self
                .rng
                .pick(&[
                    "0",
                    "1",
                    "-1",
                    "2",
                    "5",
                    "9",
                    "100",
                    "101",
                    "2026",
                    "9999",
                    "-2147483648",
                    "2147483647",
                    "2147483648",
                ])
                .to_string(),
            "Float" => self
                .rng
                .pick(&["0.0", "-1.5", "0.5", "1e308", "-1e308", "1e400", "3"])
                .to_string(),
            "Boolean" => self.rng.pick(&["true", "false"]).to_string(),
            "Date" => string(self.rng.pick(&[
                "2026-12-05",
                "9999-12-31",
                "0001-01-01",
                "-0001-01-01",
                "2026-02-30",
                "2026-12-05T10:00:00Z",
                "",
                "tomorrow",
            ])),
            "DateTime" => string(self.rng.pick(&[
                "2026-12-05T10:00:00Z",
                "2026-11-01T00:00:00+08:00",
                "9999-12-31T23:59:59Z",
                "1970-01-01T00:00:00Z",
                "0001-01-01T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-12-05",
                "",
                "now",
            ])),
            other => match self.sdl.types.get(other) {
                Some(Def::Enum(values)) => {
                    if !self.calm && self.rng.chance(3) {
                        "NOT_A_VALUE".to_owned()
                    } else {
                        self.rng.pick(values)
                    }
                }
                Some(Def::Input(fields)) if depth < 5 => {
                    let fields = fields.clone();
                    let mut parts = Vec::new();
                    for field in &fields {
                        if field.ty.nullable && self.rng.chance(30) {
                            continue;
                        }
                        if !field.ty.nullable && self.rng.chance(2) {
                            continue;
                        }
                        let value = self.value(&field.ty, &field.name, returns, depth + 1);
                        parts.push(format!("{}: {value}", field.name));
                    }
                    if !self.calm && self.rng.chance(2) {
                        parts.push("unknownField: 1".to_owned());
                    }
                    format!("{{ {} }}", parts.join(", "))
                }
                _ => "null".to_owned(),
            },
        }
    }

    fn id(&mut self, arg: &str, returns: &str) -> String {
        let roll = if self.calm { 0 } else { self.rng.below(100) };
        if roll < 45
            && let Some(ids) = self.ids.guess(arg, returns)
            && !ids.is_empty()
        {
            return string(&self.rng.pick(ids));
        }
        if roll < 70 {
            let all = self.ids.all();
            if !all.is_empty() {
                let picked: &String = self.rng.pick(&all);
                return string(picked);
            }
        }
        if roll < 75
            && let Some(huge) = self.huge_string()
        {
            return huge;
        }
        string(self.rng.pick(&[
            "",
            "not-an-id",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "1",
            "-1",
            "😀",
            "\u{202e}00000000-0000-0000-0000-000000000000",
            "00000000-0000-0000-0000-00000000000G",
            "{00000000-0000-0000-0000-000000000000}",
        ]))
    }
}

/// Counts every row written to every table, per table, in `careline_test_writes` (a trigger per
/// table and kind of write). A refused call must leave every count where it was: it committed
/// no insert, update or delete anywhere. Counting writes is stricter than comparing contents
/// (a write of the same values counts too) and cheap enough to read after every case.
async fn count_writes(app: &TestApp, tables: &[String]) {
    let db = &app.state.app.db;
    let backend = db.get_database_backend();
    let mut sql = vec![
        "CREATE TABLE careline_test_writes (t TEXT PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0)"
            .to_owned(),
    ];
    if backend == DbBackend::Postgres {
        sql.push(
            "CREATE FUNCTION careline_test_count() RETURNS trigger AS $$
             BEGIN UPDATE careline_test_writes SET n = n + 1 WHERE t = TG_TABLE_NAME;
             RETURN NULL; END $$ LANGUAGE plpgsql"
                .to_owned(),
        );
    }
    for table in tables {
        sql.push(format!(
            "INSERT INTO careline_test_writes (t) VALUES ('{table}')"
        ));
        match backend {
            DbBackend::Postgres => sql.push(format!(
                "CREATE TRIGGER careline_test_count_{table} AFTER INSERT OR UPDATE OR DELETE
                 ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION careline_test_count()"
            )),
            _ => {
                for op in ["INSERT", "UPDATE", "DELETE"] {
                    sql.push(format!(
                        "CREATE TRIGGER careline_test_count_{table}_{op} AFTER {op} ON \"{table}\"
                         BEGIN UPDATE careline_test_writes SET n = n + 1 WHERE t = '{table}'; END"
                    ));
                }
            }
        }
    }
    for statement in sql {
        db.execute_unprepared(&statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// The write counts per table (see [`count_writes`]).
async fn digest(app: &TestApp) -> BTreeMap<String, i64> {
    let db = &app.state.app.db;
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(
        backend,
        "SELECT t, n FROM careline_test_writes",
    ))
    .await
    .expect("read the write counts")
    .iter()
    .map(|row| {
        (
            row.try_get("", "t").expect("table"),
            row.try_get("", "n").expect("count"),
        )
    })
    .collect()
}

/// Every table.
async fn tables(app: &TestApp) -> Vec<String> {
    let db = &app.state.app.db;
    let backend = db.get_database_backend();
    let names: Vec<String> = match backend {
        DbBackend::Postgres => db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name AS name FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
            ))
            .await
            .expect("list tables"),
        _ => db
            .query_all_raw(Statement::from_string(
                backend,
                // Virtual (full-text) tables and their shadow tables take no triggers; they
                // are written only by triggers on the tables they index.
                "SELECT name FROM sqlite_master t WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'
                 AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table'
                     AND v.sql LIKE 'CREATE VIRTUAL%' AND t.name LIKE v.name || '_%')
                 ORDER BY name",
            ))
            .await
            .expect("list tables"),
    }
    .iter()
    .map(|row| row.try_get("", "name").expect("table name"))
    .collect();
    names
}

/// Up to 8 ids of each table that has an `id` column.
async fn real_ids(app: &TestApp, tables: &[String]) -> Ids {
    let db = &app.state.app.db;
    let backend = db.get_database_backend();
    let mut by_table = BTreeMap::new();
    for table in tables {
        let cast = match backend {
            DbBackend::Postgres => "id::text",
            _ => "CAST(id AS TEXT)",
        };
        let Ok(rows) = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT {cast} AS id FROM \"{table}\" ORDER BY id LIMIT 8"),
            ))
            .await
        else {
            continue;
        };
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|row| row.try_get::<String>("", "id").ok())
            .filter(|id| uuid::Uuid::parse_str(id).is_ok())
            .collect();
        if !ids.is_empty() {
            by_table.insert(table.clone(), ids);
        }
    }
    Ids { by_table }
}

/// What one operation's cases came to.
#[derive(Default)]
struct Tally {
    cases: usize,
    elapsed: std::time::Duration,
    refused_before_execution: usize,
    refused: usize,
    succeeded: usize,
    /// Codes given to anonymous callers' executed cases.
    anonymous_codes: BTreeMap<String, usize>,
    /// One message per code given to anonymous callers, for the failure report.
    anonymous_messages: BTreeMap<String, String>,
}

/// Errors async-graphql raises while coercing an argument to its type (at execution, so they
/// carry a path), before any of our code runs.
fn type_error(message: &str) -> bool {
    message.starts_with("Failed to parse") || message.starts_with("Expected input type")
}

/// FNV-1a, to seed an operation's cases by its name.
fn fnv(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn every_operation_survives_generated_bad_input_as_every_role() {
    let seed = env_number("GENERATIVE_SEED", DEFAULT_SEED);
    // PostgreSQL answers each case several times slower than the embedded SQLite: half the
    // cases there (two rounds of every caller, one hostile and one plausible) keep CI in budget.
    let on_postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|s| !s.is_empty());
    let default_cases = if on_postgres {
        DEFAULT_CASES / 2
    } else {
        DEFAULT_CASES
    };
    let cases_per_operation = usize::try_from(env_number("GENERATIVE_CASES", default_cases as u64))
        .unwrap_or(default_cases);
    let app = TestApp::spawn().await;
    let sdl = Sdl::parse(&careline_api::graphql::sdl());
    let tables = tables(&app).await;
    let ids = real_ids(&app, &tables).await;
    count_writes(&app, &tables).await;
    let mut tokens: Vec<Option<String>> = Vec::new();
    for caller in CALLERS {
        tokens.push(match caller {
            Some(email) => Some(app.login(email).await),
            None => None,
        });
    }

    // `GENERATIVE_ONLY=rateTicket,tickets` tries just those (to reproduce a failure).
    let only: Option<Vec<String>> = std::env::var("GENERATIVE_ONLY")
        .ok()
        .map(|s| s.split(',').map(str::to_owned).collect());
    let mut operations: Vec<(&str, Field)> = sdl
        .root("Query")
        .into_iter()
        .map(|f| ("query", f))
        .chain(sdl.root("Mutation").into_iter().map(|f| ("mutation", f)))
        .filter(|(_, f)| !f.name.starts_with("__"))
        .filter(|(_, f)| only.as_ref().is_none_or(|only| only.contains(&f.name)))
        .collect();
    operations.sort_by_key(|(kind, f)| {
        (
            RUN_LAST.iter().position(|n| *n == f.name).unwrap_or(0),
            *kind,
            f.name.clone(),
        )
    });

    let mut failures: Vec<String> = Vec::new();
    let mut accepted_huge: Vec<String> = Vec::new();
    let mut spent_requests = std::time::Duration::ZERO;
    let mut spent_checking = std::time::Duration::ZERO;
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let started = std::time::Instant::now();
    careline_tests::settle(&app.state).await;
    let mut baseline = digest(&app).await;

    for (kind, field) in &operations {
        let tally = tallies.entry(format!("{kind} {}", field.name)).or_default();
        let operation_started = std::time::Instant::now();
        for case in 0..cases_per_operation {
            // By name, not position: `GENERATIVE_ONLY` reproduces the same cases.
            let case_seed = seed ^ fnv(&field.name) ^ (case as u64).wrapping_mul(0x9E37_79B9);
            let mut generator = Gen {
                sdl: &sdl,
                ids: &ids,
                rng: Rng(case_seed),
                huge: None,
                declared: String::new(),
                huge_text: false,
                long_list: false,
                // Every other round of callers gets plausible values (ids of the right kind,
                // well-formed text, no wrong types), to get past the first checks and reach
                // the rules behind them; the other rounds are hostile.
                calm: (case / CALLERS.len()) % 2 == 1,
            };
            let caller = case % CALLERS.len();
            let returns = named(&field.ty).to_owned();
            let mut args = Vec::new();
            for arg in &field.args {
                // Omit an optional argument now and then; a required one rarely (a document
                // error, but one more shape to try).
                if (arg.ty.nullable && generator.rng.chance(25))
                    || (!arg.ty.nullable && !generator.calm && generator.rng.chance(2))
                {
                    continue;
                }
                let value = generator.value(&arg.ty, &arg.name, &returns, 0);
                args.push(format!("{}: {value}", arg.name));
            }
            let arguments = if args.is_empty() {
                String::new()
            } else {
                format!("({})", args.join(", "))
            };
            let (declaration, variables) = match &generator.huge {
                Some((ty, value)) => (format!("($huge: {ty})"), json!({ "huge": value })),
                None => (String::new(), json!({})),
            };
            let document = format!(
                "{kind}{declaration} {{ {}{arguments}{} }}",
                field.name,
                sdl.selection(&field.ty)
            );
            let huge_arg = generator.huge_text;
            let describe = || {
                let shown: String = document.chars().take(600).collect();
                format!(
                    "seed {seed:#x} case {case} of {kind} {} as {}: {shown}",
                    field.name,
                    CALLERS[caller].unwrap_or("anonymous")
                )
            };

            let mut request = app
                .client
                .post(format!("{}/graphql", app.address))
                .json(&json!({ "query": document, "variables": variables }));
            if let Some(token) = &tokens[caller] {
                request = request.bearer_auth(token);
            }
            let sent = std::time::Instant::now();
            let response = request.send().await.expect("the request is sent");
            let status = response.status().as_u16();
            let text = response.text().await.expect("the body is read");
            spent_requests += sent.elapsed();
            tally.cases += 1;
            if status >= 500 {
                failures.push(format!("HTTP {status} for {}: {text}", describe()));
                continue;
            }
            let Ok(body) = serde_json::from_str::<Value>(&text) else {
                failures.push(format!(
                    "HTTP {status}, not JSON, for {}: {}",
                    describe(),
                    text.chars().take(200).collect::<String>()
                ));
                continue;
            };
            let errors = body["errors"].as_array().cloned().unwrap_or_default();
            let mut root_refused = false;
            let mut executed = body.get("data").is_some();
            for error in &errors {
                let code = error["extensions"]["code"].as_str();
                let message = error["message"].as_str().unwrap_or("");
                match code {
                    None => failures.push(format!(
                        "an error without a code ({error}) for {}",
                        describe()
                    )),
                    Some("INTERNAL") => {
                        failures.push(format!("INTERNAL ({error}) for {}", describe()))
                    }
                    Some(_) => {}
                }
                if message.trim().is_empty() {
                    failures.push(format!(
                        "an error without a message ({error}) for {}",
                        describe()
                    ));
                }
                let path = error["path"].as_array().map_or(0, Vec::len);
                if path <= 1 {
                    root_refused = true;
                }
                if path == 0 {
                    executed = false;
                }
                if let Some(code) = code
                    && path == 1
                {
                    // A value its GraphQL type cannot hold (a `DateTime` that is not one,
                    // `true` for an input object) is a type error of the document, refused
                    // for every caller alike, like `first: "ten"`.
                    if caller == 0 && !type_error(message) {
                        *tally.anonymous_codes.entry(code.to_owned()).or_default() += 1;
                        tally
                            .anonymous_messages
                            .entry(code.to_owned())
                            .or_insert_with(|| message.to_owned());
                    }
                    if huge_arg
                        && caller != 0
                        && !PUBLIC.contains(&field.name.as_str())
                        && matches!(code, "NOT_FOUND" | "CONFLICT" | "INVALID_TRANSITION")
                    {
                        failures.push(format!(
                            "a 100 kB argument answered {code} ({message}) instead of BAD_USER_INPUT for {}",
                            describe()
                        ));
                    }
                }
            }
            if !executed {
                tally.refused_before_execution += 1;
                continue;
            }
            if root_refused {
                tally.refused += 1;
            } else {
                tally.succeeded += 1;
                if huge_arg && *kind == "mutation" && field.name != "logout" {
                    accepted_huge.push(describe().chars().take(200).collect());
                }
                if generator.long_list && *kind == "mutation" {
                    failures.push(format!(
                        "a list of 200 or more items was accepted by {}",
                        describe()
                    ));
                }
            }
            let checked = std::time::Instant::now();
            careline_tests::settle(&app.state).await;
            let after = digest(&app).await;
            spent_checking += checked.elapsed();
            if root_refused && after != baseline {
                let changed: Vec<&String> = after
                    .iter()
                    .filter(|(table, hash)| baseline.get(*table) != Some(hash))
                    .map(|(table, _)| table)
                    .collect();
                failures.push(format!(
                    "a refused call changed {changed:?} ({}) for {}",
                    body["errors"][0]["message"],
                    describe()
                ));
            }
            baseline = after;
        }
        tally.elapsed = operation_started.elapsed();
    }

    // Authentication first: an operation that tells an anonymous caller to sign in does so
    // whatever the arguments.
    for (operation, tally) in &tallies {
        let name = operation.split(' ').nth(1).unwrap_or("");
        if PUBLIC.contains(&name) {
            continue;
        }
        if tally.anonymous_codes.contains_key("UNAUTHENTICATED") && tally.anonymous_codes.len() > 1
        {
            failures.push(format!(
                "{operation}: anonymous callers got {:?} ({:?}); authentication must come first",
                tally.anonymous_codes, tally.anonymous_messages
            ));
        }
    }

    let mut report = String::new();
    let total: usize = tallies.values().map(|t| t.cases).sum();
    for (operation, tally) in &tallies {
        let _ = writeln!(
            report,
            "{operation:<45} {:>4} cases: {:>4} refused before execution, {:>4} refused, {:>4} succeeded, {:>6} ms",
            tally.cases,
            tally.refused_before_execution,
            tally.refused,
            tally.succeeded,
            tally.elapsed.as_millis()
        );
    }
    println!("{report}");
    for case in &accepted_huge {
        println!("accepted a 100 k-character string (within its limit?): {case}");
    }
    println!(
        "generative: {total} cases over {} operations as {} callers in {:.1} s (requests {:.1} s, write counts {:.1} s; seed {seed:#x})",
        tallies.len(),
        CALLERS.len(),
        started.elapsed().as_secs_f64(),
        spent_requests.as_secs_f64(),
        spent_checking.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total, operations.len() * cases_per_operation);
}
