use super::*;
use std::path::{Path, PathBuf};

#[test]
fn accept_language_picks_the_preferred_supported_locale() {
    let of = |h: &str| Locale::negotiate(Some(h), Locale::En);
    assert_eq!(of("zh-CN"), Locale::ZhCn);
    assert_eq!(of("zh"), Locale::ZhCn);
    assert_eq!(of("zh-Hans"), Locale::ZhCn);
    assert_eq!(of("zh-Hans-CN,en;q=0.5"), Locale::ZhCn);
    assert_eq!(of("en-US,zh-CN;q=0.9"), Locale::En);
    assert_eq!(of("en;q=0.4, zh-CN;q=0.8"), Locale::ZhCn);
    assert_eq!(of("fr-FR, zh;q=0.3"), Locale::ZhCn);
    assert_eq!(of("zh-CN;q=0, en;q=0.1"), Locale::En);
    // Traditional Chinese and other languages are not supported: the default answers.
    assert_eq!(of("zh-TW"), Locale::En);
    assert_eq!(of("zh-Hant"), Locale::En);
    assert_eq!(
        Locale::negotiate(Some("fr, de;q=0.5"), Locale::ZhCn),
        Locale::ZhCn
    );
    assert_eq!(Locale::negotiate(Some("*"), Locale::ZhCn), Locale::ZhCn);
    assert_eq!(Locale::negotiate(None, Locale::ZhCn), Locale::ZhCn);
    assert_eq!(Locale::negotiate(Some(""), Locale::En), Locale::En);
}

#[test]
fn dynamic_messages_keep_their_values_and_translate_their_terms() {
    let zh = |m: &str| translate(m, Locale::ZhCn);
    assert_eq!(zh("ticket not found"), "找不到该工单");
    assert_eq!(zh("training session not found"), "找不到该培训场次");
    assert_eq!(
        zh("too many attempts; try again in 42 seconds"),
        "尝试次数过多，请在 42 秒后重试"
    );
    assert_eq!(
        zh("you are not allowed to read tickets"),
        "您没有权限查看工单"
    );
    assert_eq!(
        zh("cannot close a ticket that is NEW; allowed from NEW: acknowledge, assign, set to OPEN"),
        "当前状态为 NEW，不能关闭；该状态下允许的操作：受理、分配、改为 OPEN"
    );
    assert_eq!(
        zh("cannot set to DONE a ticket that is OPEN; allowed from OPEN: mark done"),
        "当前状态为 OPEN，不能改为 DONE；该状态下允许的操作：标记为已完成"
    );
    assert_eq!(zh("must be at most 200 characters"), "最多 200 个字符");
    assert_eq!(zh("must be between 1 and 5"), "必须在 1 到 5 之间");
    assert_eq!(zh("subject is required"), "标题为必填项");
    assert_eq!(zh("2026-10-01: must not be empty"), "2026-10-01：不能为空");
    assert_eq!(
        zh("unknown placeholder {{customer.nam}}; use one of {{customer.name}}"),
        "未知的占位符 {{customer.nam}}；可用的有：{{customer.name}}"
    );
    assert_eq!(
        zh("Unknown field \"nope\" on type \"Query\"."),
        "类型 \"Query\" 上没有字段 \"nope\"。"
    );
    // Protocol tokens stay; English stays English; an unknown message says so in Chinese.
    assert_eq!(zh("PersistedQueryNotFound"), "PersistedQueryNotFound");
    assert_eq!(
        translate("ticket not found", Locale::En),
        "ticket not found"
    );
    assert!(zh("something new").starts_with("请求有误："));
}

#[test]
fn every_domain_refusal_reads_in_chinese() {
    use careline_domain::ticket::TicketStatus;
    use careline_domain::training::TrainingStatus;
    for action in careline_domain::Action::ALL {
        assert!(
            CATALOGUE.terms.contains_key(action.describe()),
            "no Chinese for the action {:?} ({:?})",
            action,
            action.describe()
        );
    }
    for status in TicketStatus::ALL {
        let moves = careline_domain::ticket::allowed_moves(status);
        for m in moves {
            assert!(
                CATALOGUE.terms.contains_key(m),
                "no Chinese for the move {m:?}"
            );
        }
    }
    for status in TrainingStatus::ALL {
        for m in careline_domain::training::allowed_moves(status) {
            assert!(
                CATALOGUE.terms.contains_key(m),
                "no Chinese for the move {m:?}"
            );
        }
    }
    for status in careline_domain::knowledge::ArticleStatus::ALL {
        for m in careline_domain::knowledge::allowed_moves(*status) {
            assert!(
                CATALOGUE.terms.contains_key(m),
                "no Chinese for the move {m:?}"
            );
        }
    }
}

// --- The catalogue is complete: every message literal in the sources has an entry. ---

/// Constructors whose message is their second argument (the first names the field).
const FIELD_FIRST: &[&str] = &["invalid", "bad_input"];
/// Constructors and helpers whose every literal argument is a message, or a term of one.
const MESSAGE_ARGS: &[&str] = &[
    "forbidden",
    "Forbidden",
    "Conflict",
    "InvalidReference",
    "Unauthenticated",
    "NotFound",
    "refuse",
    "refuse_with",
    "wrong",
    "require_status",
    "error_response",
    "refusal",
    "bad_request",
    "new",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
            && !path.ends_with("i18n.rs")
        {
            out.push(path);
        }
    }
}

/// The top-level arguments of the call whose `(` ends at `start`, as source text.
fn arguments(src: &str, start: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut chars = src[start..].chars();
    while let Some(c) = chars.next() {
        if in_string {
            current.push(c);
            if c == '\\' {
                current.extend(chars.next());
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' | ']' | '}' if depth == 0 => {
                out.push(current.trim().to_owned());
                return out;
            }
            ')' | ']' | '}' => {
                depth -= 1;
                current.push(c);
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut current).trim().to_owned()),
            c => current.push(c),
        }
    }
    out
}

/// The text of a Rust string literal at the start of `src` (escapes resolved), if any.
fn literal(src: &str) -> Option<String> {
    let src = src
        .strip_prefix("format!(")
        .map(str::trim_start)
        .unwrap_or(src);
    let rest = src.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                '\n' => {
                    while chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                }
                'n' => out.push('\n'),
                c => out.push(c),
            },
            c => out.push(c),
        }
    }
    None
}

/// `const NAME: &str = "…";` of a file.
fn constants(src: &str) -> HashMap<String, String> {
    src.lines()
        .filter_map(|line| {
            let rest = line
                .trim()
                .strip_prefix("const ")
                .or_else(|| line.trim().strip_prefix("pub const "))?;
            let (name, value) = rest.split_once(": &str = ")?;
            Some((name.to_owned(), literal(value.trim())?))
        })
        .collect()
}

/// Every message literal (or `format!` template) the sources hand to an error constructor,
/// as `(file:line, template)`.
fn messages_in_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["domain/src", "persistence/src", "api/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        let src = text.split("#[cfg(test)]").next().unwrap_or_default();
        let consts = constants(src);
        let bytes = src.as_bytes();
        for (open, _) in src.match_indices('(') {
            let start = src[..open]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let name = &src[start..open];
            let field_first = FIELD_FIRST.contains(&name);
            if !field_first && !MESSAGE_ARGS.contains(&name) {
                continue;
            }
            // `ServerError::new`, `Error::new` only; not every `new`.
            if name == "new"
                && !(src[..start].ends_with("ServerError::") || src[..start].ends_with("Error::"))
            {
                continue;
            }
            if src[..start].ends_with("fn ") || bytes.get(start.wrapping_sub(1)) == Some(&b'.') {
                continue;
            }
            let args = arguments(src, open + 1);
            for (index, arg) in args.iter().enumerate() {
                if field_first && index != 1 {
                    continue;
                }
                // A plain literal is the message itself; a `format!` one is a template.
                let plain = |t: String| {
                    if arg.starts_with("format!(") {
                        t
                    } else {
                        t.replace('{', "{{").replace('}', "}}")
                    }
                };
                let text = literal(arg).map(plain).or_else(|| {
                    let name = arg
                        .trim_start_matches('&')
                        .trim_end_matches(".to_owned()")
                        .trim_end_matches(".into()")
                        .trim_end_matches(".to_string()");
                    consts
                        .get(name)
                        .map(|t| t.replace('{', "{{").replace('}', "}}"))
                });
                // Codes (`BAD_REQUEST`) are not messages.
                let is_code = |t: &String| t.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                if let Some(text) = text.filter(|t| !t.is_empty() && !is_code(t)) {
                    let line = src[..open].lines().count();
                    found.push((format!("{}:{line}", file.display()), text));
                }
            }
        }
    }
    found
}

/// A template with its placeholders filled with a sample value, as the server would send it.
fn instance(template: &str) -> String {
    pieces(template)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t,
            Piece::Slot(_) => "X7".to_owned(),
        })
        .collect()
}

#[test]
fn every_message_the_server_can_send_has_a_chinese_translation() {
    let found = messages_in_sources();
    assert!(
        found.len() > 200,
        "the scan found only {} messages: has the code moved?",
        found.len()
    );
    let missing: Vec<String> = found
        .iter()
        .filter(|(_, template)| {
            let message = instance(template);
            !VERBATIM.contains(&message.as_str())
                && CATALOGUE.chinese_with(&message, true).is_none()
        })
        .map(|(at, template)| format!("{at}: {template:?}"))
        .collect();
    assert!(
        missing.is_empty(),
        "messages with no Chinese in api/src/i18n.rs:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_catalogue_entry_has_the_same_placeholders_in_both_languages() {
    for (english, chinese) in MESSAGES {
        let slots = |t: &str| {
            let mut s: Vec<String> = pieces(t)
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Slot(name) => Some(name),
                    Piece::Text(_) => None,
                })
                .collect();
            s.sort();
            s.dedup();
            s
        };
        assert_eq!(slots(english), slots(chinese), "{english:?}");
        let words = pieces(english).iter().any(|p| match p {
            Piece::Text(t) => t.chars().any(char::is_alphabetic),
            Piece::Slot(_) => false,
        });
        assert!(
            !words
                || chinese
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{english:?} has no Chinese"
        );
    }
}
