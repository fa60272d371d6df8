//! The signature of a divergence: what makes two divergences the same defect.
//!
//! Two implementations that disagree on a case disagree *somehow*: at some members of the
//! observation view, with some error on each side, for some reason. A [`Signature`] keeps the
//! parts of that which do not depend on the data the case happens to carry:
//!
//! - the top-level **members** that differ (`/status`, `/output`, `/error`, `/cause`,
//!   `/history`, `/valid`, `/diagnostics`, or `/errored` when the second implementation broke);
//! - the **outcome of each side**: for an execution, its error name (exactly) and its cause with
//!   the values masked ([`mask`]); for a validation, whether the definition was valid and the
//!   diagnostic codes; for an
//!   implementation that broke, its masked message.
//!
//! The shrinker ([`crate::harness::minimise`]) keeps a candidate only when its divergence has
//! the signature the original had, so minimising never wanders from one defect to another (a
//! `States.IntrinsicFailure` divergence does not turn into a `States.NoChoiceMatched` one on the
//! way down). Signatures are plain values (ordered, hashable, printable), so divergences can be
//! grouped by them too.
//!
//! Masking replaces, in this order: quoted text (`'…'`, `"…"`) by `'<str>'` / `"<str>"`; ARNs by
//! `<arn>`; timestamps by `<timestamp>`; UUIDs by `<uuid>`; long hexadecimal or token-like
//! strings (16 hex digits, or 32 letters/digits/`+/=_-` with a digit among them) by `<id>`;
//! numbers standing on their own by `<n>`. A cause that is a JSON object or array (a Lambda function's
//! `{"errorMessage": …, "errorType": …}`) is masked as JSON instead: member names are kept,
//! string values are masked as text, numbers become `<n>` and arrays `[…]`, since their length
//! follows the data. Words with digits in them (`Base64`, `SHA-256`, `us-east-1`) are kept.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::compare::Mismatch;
use crate::backend::Observation;

/// What one implementation did, with the values masked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// An execution result: its error name (None when it did not fail) and masked cause.
    Execution {
        error: Option<String>,
        cause: Option<String>,
    },
    /// A validation result: the verdict and the diagnostic codes (sorted, each once).
    Validation { valid: bool, codes: Vec<String> },
    /// The implementation broke (crash, protocol violation); its message, masked.
    Errored { message: String },
    /// No verdict (skipped or indeterminate); a divergence never has one, but the type is total.
    Inconclusive,
}

impl Outcome {
    /// The outcome of one observation.
    pub fn of(o: &Observation) -> Outcome {
        match o {
            Observation::Execution { error, cause, .. } => Outcome::Execution {
                error: error.clone(),
                cause: cause.as_deref().map(mask_cause),
            },
            Observation::Validation { valid, diagnostics } => Outcome::Validation {
                valid: *valid,
                codes: diagnostics
                    .iter()
                    .map(|d| d.code.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            },
            Observation::Errored(m) => Outcome::Errored { message: mask(m) },
            Observation::Skipped(_) | Observation::Indeterminate(_) => Outcome::Inconclusive,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Execution { error: None, .. } => f.write_str("no error"),
            Outcome::Execution {
                error: Some(e),
                cause: None,
            } => write!(f, "{e}"),
            Outcome::Execution {
                error: Some(e),
                cause: Some(c),
            } => write!(f, "{e} ({c})"),
            Outcome::Validation { valid: true, .. } => f.write_str("valid"),
            Outcome::Validation { codes, .. } => write!(f, "invalid ({})", codes.join(", ")),
            Outcome::Errored { message } => write!(f, "errored ({message})"),
            Outcome::Inconclusive => f.write_str("no verdict"),
        }
    }
}

/// The signature of a divergence (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signature {
    /// The top-level members of the observation view that differ, as JSON Pointers.
    pub members: BTreeSet<String>,
    /// The first and the second implementation's outcome.
    pub sides: [Outcome; 2],
}

impl Signature {
    /// The signature of the divergence `mismatches` between observations `a` and `b` (as
    /// [`crate::diff::agreement::compare`] reports it).
    pub fn of(a: &Observation, b: &Observation, mismatches: &[Mismatch]) -> Signature {
        Signature {
            members: members(mismatches),
            sides: [Outcome::of(a), Outcome::of(b)],
        }
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let members: Vec<&str> = self.members.iter().map(String::as_str).collect();
        write!(
            f,
            "{}; first: {}; second: {}",
            members.join(", "),
            self.sides[0],
            self.sides[1]
        )
    }
}

/// The top-level members of the observation view that mismatches touch (`/output/a/b` →
/// `/output`).
pub fn members(mismatches: &[Mismatch]) -> BTreeSet<String> {
    mismatches
        .iter()
        .map(|m| {
            let rest = m.pointer.strip_prefix('/').unwrap_or(&m.pointer);
            format!("/{}", rest.split('/').next().unwrap_or(""))
        })
        .collect()
}

/// Masks a cause: as JSON when it is a JSON object or array, as text otherwise.
pub fn mask_cause(cause: &str) -> String {
    let t = cause.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Value>(cause) {
            return serde_json::to_string(&mask_json(&v)).unwrap_or_default();
        }
    }
    mask(cause)
}

fn mask_json(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), mask_json(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(_) => Value::String("[…]".into()),
        Value::String(s) => Value::String(mask(s)),
        Value::Number(_) => Value::String("<n>".into()),
        other => other.clone(),
    }
}

fn ids() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?P<arn>arn:aws[a-zA-Z-]*:[^\s'\x22,;()\[\]{}<>]+)",
            r"|(?P<ts>\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)",
            r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
            r"|(?P<hex>\b[0-9a-fA-F]{16,}\b)",
            r"|(?P<n>-?\b[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\b)",
            r"|(?P<token>[A-Za-z0-9][A-Za-z0-9+/=_-]*)",
        ))
        .expect("the masking expression is valid")
    })
}

/// Masks the values in a text: quoted text, ARNs, timestamps, UUIDs, ids and numbers become
/// placeholders (see the module documentation); everything else is kept.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut plain_from = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let q = bytes[i];
        let opens = (q == b'\'' || q == b'"')
            && (i == 0
                || !text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric));
        if opens {
            if let Some(end) = closing_quote(text, i) {
                mask_plain(&text[plain_from..i], &mut out);
                out.push(q as char);
                out.push_str("<str>");
                out.push(q as char);
                i = end + 1;
                plain_from = i;
                continue;
            }
        }
        i += 1;
    }
    mask_plain(&text[plain_from..], &mut out);
    out
}

/// The index of the quote that closes the one at `open`: the next same quote (for `"`, not
/// escaped by a backslash) followed by something that is not a letter or digit.
fn closing_quote(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let q = bytes[open];
    let mut j = open + 1;
    while j < bytes.len() {
        if q == b'"' && bytes[j] == b'\\' {
            j += 2;
            continue;
        }
        if bytes[j] == q
            && !text[j + 1..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        {
            return Some(j);
        }
        j += 1;
    }
    None
}

fn mask_plain(text: &str, out: &mut String) {
    let mut last = 0;
    for caps in ids().captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let (placeholder, matched) = if let Some(m) = caps.name("arn") {
            // A sentence may end right after an ARN: "…role/x." keeps its full stop.
            let t = m.as_str().trim_end_matches(['.', ':']);
            ("<arn>", t.len())
        } else if caps.name("ts").is_some() {
            ("<timestamp>", whole.len())
        } else if caps.name("uuid").is_some() {
            ("<uuid>", whole.len())
        } else if caps.name("hex").is_some() {
            ("<id>", whole.len())
        } else if let Some(m) = caps.name("token") {
            let s = m.as_str();
            if s.len() < 32 || !s.contains(|c: char| c.is_ascii_digit()) {
                // A word with digits in it (`Base64`, `SHA-256`, `us-east-1`): kept.
                continue;
            }
            ("<id>", whole.len())
        } else {
            ("<n>", whole.len())
        };
        out.push_str(&text[last..whole.start()]);
        out.push_str(placeholder);
        last = whole.start() + matched;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn failed(error: &str, cause: &str) -> Observation {
        Observation::Execution {
            status: "FAILED".into(),
            output: None,
            error: Some(error.into()),
            cause: Some(cause.into()),
            history: None,
        }
    }

    pub(crate) fn succeeded(output: Value) -> Observation {
        Observation::Execution {
            status: "SUCCEEDED".into(),
            output: Some(output),
            error: None,
            cause: None,
            history: None,
        }
    }

    fn at(p: &str) -> Mismatch {
        Mismatch {
            pointer: p.into(),
            expected: String::new(),
            actual: None,
        }
    }

    #[test]
    fn members_are_top_level() {
        let s = members(&[at("/output/a/b"), at("/output/c"), at("/status")]);
        assert_eq!(
            s.into_iter().collect::<Vec<_>>(),
            vec!["/output".to_string(), "/status".to_string()]
        );
    }

    #[test]
    fn quoted_text_is_masked() {
        assert_eq!(
            mask("The JSONPath '$.a.b' specified for the field 'InputPath' could not be found in the input '{\"a\":1}'"),
            "The JSONPath '<str>' specified for the field '<str>' could not be found in the input '<str>'"
        );
        assert_eq!(
            mask(r#"value "a \"b\" c" and "d""#),
            r#"value "<str>" and "<str>""#
        );
        // An apostrophe inside a word opens nothing; an unclosed quote is kept.
        assert_eq!(
            mask("the task state's role, 'x"),
            "the task state's role, 'x"
        );
    }

    #[test]
    fn any_text_is_masked_without_panicking() {
        // Multi-byte characters next to quotes and backslashes, unclosed quotes, lone escapes.
        for t in [
            "é 'ü' \"\\é\" ß",
            "\"\\",
            "'",
            "\"é",
            "a\\\"b\"",
            "日本 '語' 12",
            "",
        ] {
            let m = mask(t);
            assert_eq!(mask(&m), m, "masking is idempotent on {t:?}");
        }
        assert_eq!(mask("日本 '語' 12"), "日本 '<str>' <n>");
    }

    #[test]
    fn numbers_are_masked_where_they_stand_alone() {
        assert_eq!(
            mask("entered at the event id #12 after 3.5 seconds, limit 1e3, offset -4"),
            "entered at the event id #<n> after <n> seconds, limit <n>, offset <n>"
        );
        assert_eq!(
            mask("States.Base64Decode needs UTF-8 and SHA-256"),
            "States.Base64Decode needs UTF-8 and SHA-256"
        );
        assert_eq!(mask("1/2 of us-east-1"), "<n>/<n> of us-east-1");
    }

    #[test]
    fn ids_are_masked() {
        assert_eq!(
            mask("role arn:aws:iam::123456789012:role/r. run 0c9a1f8e-52b1-4d4e-8f3a-1b2c3d4e5f60 at 2024-01-01T00:00:00.5Z"),
            "role <arn>. run <uuid> at <timestamp>"
        );
        assert_eq!(
            mask("request 9f86d081884c7d65 token AAAAKgAAAAIAAAAAAAAAAQ2a3bN5x8m0vZ"),
            "request <id> token <id>"
        );
    }

    #[test]
    fn json_causes_keep_their_member_names() {
        assert_eq!(
            mask_cause(
                r#"{"errorType":"Error","errorMessage":"item 7 of 'x' failed","trace":["a","b"]}"#
            ),
            r#"{"errorMessage":"item <n> of '<str>' failed","errorType":"Error","trace":"[…]"}"#
        );
        // Not JSON after all: masked as text.
        assert_eq!(mask_cause("{ 12"), "{ <n>");
    }

    #[test]
    fn the_same_defect_on_other_data_has_the_same_signature() {
        let one = Signature::of(
            &failed(
                "States.IntrinsicFailure",
                "Invalid arguments in States.StringToJson: '{\"a\": 1' at 3",
            ),
            &succeeded(json!({"a": 1})),
            &[at("/status"), at("/error"), at("/cause"), at("/output")],
        );
        let other_data = Signature::of(
            &failed(
                "States.IntrinsicFailure",
                "Invalid arguments in States.StringToJson: 'x' at 0",
            ),
            &succeeded(json!({})),
            &[at("/output"), at("/cause"), at("/status"), at("/error")],
        );
        assert_eq!(one, other_data);
        let other_defect = Signature::of(
            &failed(
                "States.NoChoiceMatched",
                "No Choice Rules matched the input '{}'",
            ),
            &succeeded(json!({})),
            &[at("/output"), at("/cause"), at("/status"), at("/error")],
        );
        assert_eq!(one.members, other_defect.members);
        assert_ne!(one, other_defect);
        assert_eq!(
            one.to_string(),
            "/cause, /error, /output, /status; first: States.IntrinsicFailure (Invalid arguments in States.StringToJson: '<str>' at <n>); second: no error"
        );
    }
}
