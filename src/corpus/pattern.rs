//! Expected values: JSON with declared nondeterminism.
//!
//! An expected value is plain JSON, except that an object whose only member name starts with `$`
//! is a *pattern* (the case format's answer to values AWS does not fix):
//!
//! | pattern | matches |
//! |---|---|
//! | `{"$any": true}` | any value (the member must be present) |
//! | `{"$uuid": true}` | a string that is a hyphenated UUID (lowercase hex) |
//! | `{"$regex": "…"}` | a string the regular expression matches **as a whole** |
//! | `{"$unordered": […]}` | an array with the same elements in any order (each expected element matches a different actual one) |
//! | `{"$number_in": [lo, hi]}` | a number `n` with `lo <= n <= hi` |
//! | `{"$literal": v}` | exactly `v`, patterns inside not interpreted (to expect an object like `{"$any": true}` itself) |
//!
//! Any other single `$`-member object is rejected when the case is loaded, so a typo such as
//! `{"$uuuid": true}` cannot silently become a literal expectation.

use std::fmt;

use regex::Regex;
use serde_json::{Map, Value};

/// A compiled expected value.
#[derive(Debug, Clone)]
pub enum Expect {
    /// A JSON scalar (null, boolean, number, string) compared exactly (numbers by value).
    Scalar(Value),
    /// Members compared by name; order of members does not matter.
    Object(Vec<(String, Expect)>),
    /// Elements compared in order; lengths must agree.
    Array(Vec<Expect>),
    Any,
    Uuid,
    /// The source text and the compiled, anchored expression.
    Regex(String, Regex),
    Unordered(Vec<Expect>),
    NumberIn(f64, f64),
    /// A value compared exactly, patterns inside not interpreted.
    Literal(Value),
}

/// Why an expected value is malformed: a JSON Pointer relative to the value and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// The names of the patterns, for messages.
pub const PATTERN_NAMES: [&str; 6] = [
    "$any",
    "$uuid",
    "$regex",
    "$unordered",
    "$number_in",
    "$literal",
];

/// Escapes one JSON Pointer reference token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl Expect {
    /// Compiles an expected value.
    pub fn parse(value: &Value) -> Result<Expect, PatternError> {
        parse_at(value, "")
    }

    /// The expected value as JSON, patterns written as they are in case files.
    pub fn to_json(&self) -> Value {
        match self {
            Expect::Scalar(v) => v.clone(),
            Expect::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, e)| (k.clone(), e.to_json()))
                    .collect::<Map<String, Value>>(),
            ),
            Expect::Array(items) => Value::Array(items.iter().map(Expect::to_json).collect()),
            Expect::Any => one("$any", Value::Bool(true)),
            Expect::Uuid => one("$uuid", Value::Bool(true)),
            Expect::Regex(src, _) => one("$regex", Value::String(src.clone())),
            Expect::Unordered(items) => one(
                "$unordered",
                Value::Array(items.iter().map(Expect::to_json).collect()),
            ),
            Expect::NumberIn(lo, hi) => one("$number_in", serde_json::json!([lo, hi])),
            Expect::Literal(v) => one("$literal", v.clone()),
        }
    }

    /// True when the value contains no pattern (it is plain JSON).
    pub fn is_plain(&self) -> bool {
        match self {
            Expect::Scalar(_) => true,
            Expect::Object(m) => m.iter().all(|(_, e)| e.is_plain()),
            Expect::Array(a) => a.iter().all(Expect::is_plain),
            _ => false,
        }
    }
}

fn one(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

fn err(pointer: &str, message: impl Into<String>) -> PatternError {
    PatternError {
        pointer: if pointer.is_empty() {
            "/".into()
        } else {
            pointer.to_string()
        },
        message: message.into(),
    }
}

fn parse_at(value: &Value, at: &str) -> Result<Expect, PatternError> {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                let (key, inner) = map.iter().next().expect("one member");
                if key.starts_with('$') {
                    return parse_pattern(key, inner, &format!("{at}/{}", escape_token(key)));
                }
            }
            let mut members = Vec::with_capacity(map.len());
            for (k, v) in map {
                members.push((
                    k.clone(),
                    parse_at(v, &format!("{at}/{}", escape_token(k)))?,
                ));
            }
            Ok(Expect::Object(members))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| parse_at(v, &format!("{at}/{i}")))
            .collect::<Result<Vec<_>, _>>()
            .map(Expect::Array),
        scalar => Ok(Expect::Scalar(scalar.clone())),
    }
}

fn parse_pattern(key: &str, inner: &Value, at: &str) -> Result<Expect, PatternError> {
    match key {
        "$any" | "$uuid" => match inner {
            Value::Bool(true) => Ok(if key == "$any" { Expect::Any } else { Expect::Uuid }),
            _ => Err(err(at, format!("the pattern {key} takes the value true"))),
        },
        "$regex" => {
            let Value::String(src) = inner else {
                return Err(err(at, "the pattern $regex takes a string (a regular expression)"));
            };
            Regex::new(&format!("^(?:{src})$"))
                .map(|re| Expect::Regex(src.clone(), re))
                .map_err(|e| err(at, format!("invalid regular expression: {e}")))
        }
        "$unordered" => {
            let Value::Array(items) = inner else {
                return Err(err(at, "the pattern $unordered takes an array"));
            };
            items
                .iter()
                .enumerate()
                .map(|(i, v)| parse_at(v, &format!("{at}/{i}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Expect::Unordered)
        }
        "$number_in" => {
            let bounds = inner.as_array().filter(|a| a.len() == 2);
            let nums = bounds.and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
            match nums {
                Some((lo, hi)) if lo <= hi => Ok(Expect::NumberIn(lo, hi)),
                Some(_) => Err(err(at, "$number_in bounds must satisfy lo <= hi")),
                None => Err(err(at, "the pattern $number_in takes [lo, hi] (two numbers)")),
            }
        }
        "$literal" => Ok(Expect::Literal(inner.clone())),
        other => Err(err(
            at,
            format!(
                "unknown pattern {other:?}; patterns are {} (use {{\"$literal\": …}} for an object with this member)",
                PATTERN_NAMES.join(", ")
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_json_is_plain() {
        let e = Expect::parse(&json!({"a": [1, "x", null], "b": {"c": true}})).unwrap();
        assert!(e.is_plain());
        assert_eq!(e.to_json(), json!({"a": [1, "x", null], "b": {"c": true}}));
    }

    #[test]
    fn patterns_round_trip() {
        let v = json!({"id": {"$uuid": true}, "t": {"$regex": "a.c"}, "n": {"$number_in": [0, 1]},
                       "u": {"$unordered": [1, 2]}, "x": {"$any": true}, "l": {"$literal": {"$any": true}}});
        let e = Expect::parse(&v).unwrap();
        assert!(!e.is_plain());
        assert_eq!(
            e.to_json(),
            json!({"id": {"$uuid": true}, "t": {"$regex": "a.c"}, "n": {"$number_in": [0.0, 1.0]},
                       "u": {"$unordered": [1, 2]}, "x": {"$any": true}, "l": {"$literal": {"$any": true}}})
        );
    }

    #[test]
    fn unknown_or_malformed_patterns_name_their_pointer() {
        let e = Expect::parse(&json!({"a": [{"$uuuid": true}]})).unwrap_err();
        assert_eq!(e.pointer, "/a/0/$uuuid");
        let e = Expect::parse(&json!({"a/b": {"$regex": "("}})).unwrap_err();
        assert_eq!(e.pointer, "/a~1b/$regex");
        assert!(Expect::parse(&json!({"$number_in": [2, 1]})).is_err());
        assert!(Expect::parse(&json!({"$any": false})).is_err());
    }

    #[test]
    fn objects_with_more_members_are_not_patterns() {
        let e = Expect::parse(&json!({"$any": true, "b": 1})).unwrap();
        assert!(matches!(e, Expect::Object(_)));
    }
}
