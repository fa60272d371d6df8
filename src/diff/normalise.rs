//! Normalise observations: replace values that differ from run to run — ARNs, execution names,
//! timestamps, task tokens, request ids, UUIDs — with numbered placeholders that keep identity:
//! the same ARN twice is `<arn:1>` twice, a second ARN is `<arn:2>`.
//!
//! One [`Normaliser`] is one numbering: normalise everything that should share placeholders (the
//! two sides of a diff, the observations of two backends) with the same instance. The corpus
//! comparison does **not** normalise (cases declare nondeterminism with patterns); normalising
//! is for rendering differences and for differential runs with no expected result.
//!
//! Recognised inside any string: ARNs (`arn:aws…`), ISO-8601 timestamps with a zone, UUIDs.
//! Recognised by the member that holds them: task tokens (`Token`, `TaskToken`, `taskToken`),
//! request ids (`RequestId`, `requestId`, `x-amzn-RequestId`, `X-Amzn-Trace-Id`), execution
//! names (`Name` inside an `Execution` object, `name` next to an `executionArn`), and history
//! event `timestamp`s (strings or epoch numbers).

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::backend::Observation;

/// The kinds of volatile values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Arn,
    ExecutionName,
    Timestamp,
    TaskToken,
    RequestId,
    Uuid,
}

impl Kind {
    /// The placeholder prefix: `<arn:1>`, `<execution-name:1>`, `<timestamp:1>`, `<token:1>`,
    /// `<request-id:1>`, `<uuid:1>`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Arn => "arn",
            Kind::ExecutionName => "execution-name",
            Kind::Timestamp => "timestamp",
            Kind::TaskToken => "token",
            Kind::RequestId => "request-id",
            Kind::Uuid => "uuid",
        }
    }
}

/// A numbering of volatile values.
#[derive(Debug, Clone, Default)]
pub struct Normaliser {
    seen: HashMap<(Kind, String), usize>,
    counts: HashMap<Kind, usize>,
}

fn scanner() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?P<arn>arn:aws[a-zA-Z-]*:[a-zA-Z0-9-]*:[a-z0-9-]*:[0-9]*:[^\s'\x22,;()\[\]{}<>]+)",
            r"|(?P<ts>\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2}))",
            r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        ))
        .expect("the scanner expression is valid")
    })
}

impl Normaliser {
    pub fn new() -> Normaliser {
        Normaliser::default()
    }

    /// The placeholder for a value of a kind (allocating the next number the first time).
    pub fn placeholder(&mut self, kind: Kind, raw: &str) -> String {
        let key = (kind, raw.to_string());
        let n = match self.seen.get(&key) {
            Some(n) => *n,
            None => {
                let c = self.counts.entry(kind).or_insert(0);
                *c += 1;
                let n = *c;
                self.seen.insert(key, n);
                n
            }
        };
        format!("<{}:{n}>", kind.label())
    }

    /// Replaces ARNs, timestamps and UUIDs inside a string.
    pub fn string(&mut self, s: &str) -> String {
        let re = scanner();
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for caps in re.captures_iter(s) {
            let Some(whole) = caps.get(0) else { continue };
            out.push_str(&s[last..whole.start()]);
            let (kind, mut text) = if let Some(m) = caps.name("arn") {
                (Kind::Arn, m.as_str())
            } else if let Some(m) = caps.name("ts") {
                (Kind::Timestamp, m.as_str())
            } else {
                (Kind::Uuid, whole.as_str())
            };
            // A sentence may end right after an ARN: "…role/x." keeps its full stop.
            let mut tail = "";
            if kind == Kind::Arn {
                let trimmed = text.trim_end_matches(['.', ':']);
                tail = &text[trimmed.len()..];
                text = trimmed;
            }
            out.push_str(&self.placeholder(kind, text));
            out.push_str(tail);
            last = whole.end();
        }
        out.push_str(&s[last..]);
        out
    }

    /// Normalises a JSON value (strings anywhere; member names are kept).
    pub fn value(&mut self, v: &Value) -> Value {
        self.value_in(v, None, None)
    }

    fn value_in(&mut self, v: &Value, key: Option<&str>, parent: Option<&str>) -> Value {
        match v {
            Value::String(s) => match key.and_then(|k| kind_of_member(k, parent)) {
                Some(kind) => Value::String(self.placeholder(kind, s)),
                None => Value::String(self.string(s)),
            },
            Value::Number(n) if key == Some("timestamp") => {
                Value::String(self.placeholder(Kind::Timestamp, &n.to_string()))
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.value_in(i, None, key)).collect())
            }
            Value::Object(m) => {
                let name_is_execution = m.contains_key("executionArn");
                let mut out = Map::new();
                for (k, x) in m {
                    let p = if name_is_execution && k == "name" {
                        Some("Execution")
                    } else {
                        key
                    };
                    out.insert(k.clone(), self.value_in(x, Some(k), p));
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// Normalises every value an observation carries.
    pub fn observation(&mut self, o: &Observation) -> Observation {
        match o {
            Observation::Execution {
                status,
                output,
                error,
                cause,
                history,
            } => Observation::Execution {
                status: status.clone(),
                output: output.as_ref().map(|v| self.value(v)),
                error: error.as_ref().map(|s| self.string(s)),
                cause: cause.as_ref().map(|s| self.string(s)),
                history: history
                    .as_ref()
                    .map(|h| h.iter().map(|e| self.value(e)).collect()),
            },
            other => other.clone(),
        }
    }
}

fn kind_of_member(key: &str, parent: Option<&str>) -> Option<Kind> {
    match key {
        "Token" | "TaskToken" | "taskToken" => Some(Kind::TaskToken),
        "RequestId" | "requestId" | "x-amzn-RequestId" | "X-Amzn-Trace-Id" => Some(Kind::RequestId),
        "Name" | "name" if parent == Some("Execution") => Some(Kind::ExecutionName),
        "timestamp" => Some(Kind::Timestamp),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identity_is_kept() {
        let mut n = Normaliser::new();
        let arn = "arn:aws:states:us-east-1:123456789012:execution:sm:0c9a1f8e-52b1-4d4e-8f3a-1b2c3d4e5f60";
        let v = json!({"a": arn, "b": arn, "c": "arn:aws:iam::123456789012:role/r"});
        assert_eq!(
            n.value(&v),
            json!({"a": "<arn:1>", "b": "<arn:1>", "c": "<arn:2>"})
        );
    }

    #[test]
    fn inside_strings() {
        let mut n = Normaliser::new();
        let s = "The role arn:aws:iam::1:role/a is not authorized to assume the task state's role, arn:aws:iam::1:role/b.";
        assert_eq!(
            n.string(s),
            "The role <arn:1> is not authorized to assume the task state's role, <arn:2>."
        );
        assert_eq!(
            n.string("at 2024-01-01T00:00:00.5Z and 2024-01-01T00:00:00.5Z"),
            "at <timestamp:1> and <timestamp:1>"
        );
        assert_eq!(
            n.string("id 0c9a1f8e-52b1-4d4e-8f3a-1b2c3d4e5f60!"),
            "id <uuid:1>!"
        );
    }

    #[test]
    fn by_member() {
        let mut n = Normaliser::new();
        let v = json!({"Execution": {"Name": "my-run", "Id": "x"}, "Task": {"Token": "AAAA"},
                       "SdkResponseMetadata": {"RequestId": "r1"},
                       "events": [{"timestamp": 1704067200.0}, {"timestamp": "2024-01-01T00:00:00Z"}]});
        assert_eq!(
            n.value(&v),
            json!({"Execution": {"Name": "<execution-name:1>", "Id": "x"}, "Task": {"Token": "<token:1>"},
                   "SdkResponseMetadata": {"RequestId": "<request-id:1>"},
                   "events": [{"timestamp": "<timestamp:1>"}, {"timestamp": "<timestamp:2>"}]})
        );
    }
}
