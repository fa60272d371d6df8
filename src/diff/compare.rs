//! Compare an observation with a case's expected result.
//!
//! Comparison is on the **raw** observation: whatever AWS does not fix (UUIDs, timestamps,
//! orderings, alternatives) is declared in the case with patterns and `any_of`, never hidden
//! here (STYLE: "Nondeterminism is declared in the case"). Mismatches are reported as JSON
//! Pointers into the *observation view* — `{"status","output","error","cause","history"}` for an
//! execution, `{"valid","diagnostics"}` for validation — e.g. `/output/a/0`, `/history/4/type`.
//!
//! Rules: objects match when they have the same member names (in [`Fit::Subset`], as in history
//! `events`, the observed object may have more) and every member matches; arrays element by
//! element with equal lengths; numbers by value (`1` equals `1.0`); other scalars exactly.

use std::fmt;

use serde_json::{Map, Value};

use crate::backend::{Diagnostic, Observation};
use crate::corpus::case::{
    DiagnosticExpectation, ExecutionExpectation, Expected, HistoryConstraint, ValidationExpectation,
};
use crate::corpus::pattern::{escape_token, Expect};

/// One difference between the expected and the observed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// JSON Pointer into the observation view.
    pub pointer: String,
    /// What was expected there (JSON text or a description).
    pub expected: String,
    /// What was observed (None: nothing there).
    pub actual: Option<Value>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.actual {
            Some(a) => write!(
                f,
                "{}: expected {}, got {}",
                self.pointer,
                self.expected,
                compact(a)
            ),
            None => write!(
                f,
                "{}: expected {}, got nothing",
                self.pointer, self.expected
            ),
        }
    }
}

fn compact(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    if s.chars().count() > 300 {
        let cut: String = s.chars().take(300).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// The result of comparing one observation with one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    Pass,
    Fail {
        mismatches: Vec<Mismatch>,
    },
    /// The backend cannot run the case (a missing capability).
    Skipped {
        reason: String,
    },
    /// Infrastructure trouble: the run says nothing about the implementation.
    Indeterminate {
        reason: String,
    },
    /// The implementation broke (crash, protocol violation, wrong kind of answer).
    Errored {
        message: String,
    },
}

impl Judgement {
    pub fn is_pass(&self) -> bool {
        matches!(self, Judgement::Pass)
    }

    /// Fail or Errored: the implementation disagrees with the case.
    pub fn is_failure(&self) -> bool {
        matches!(self, Judgement::Fail { .. } | Judgement::Errored { .. })
    }
}

/// How objects are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Same member names.
    Exact,
    /// The observed object may have more members (at every depth).
    Subset,
}

/// Judges an observation against a case's expected result.
pub fn judge(expected: &Expected, observation: &Observation) -> Judgement {
    match observation {
        Observation::Skipped(reason) => {
            return Judgement::Skipped {
                reason: reason.clone(),
            }
        }
        Observation::Indeterminate(reason) => {
            return Judgement::Indeterminate {
                reason: reason.clone(),
            }
        }
        Observation::Errored(message) => {
            return Judgement::Errored {
                message: message.clone(),
            }
        }
        _ => {}
    }
    match closest(expected, observation) {
        Ok((_, m)) if m.is_empty() => Judgement::Pass,
        Ok((_, mismatches)) => Judgement::Fail { mismatches },
        Err(message) => Judgement::Errored { message },
    }
}

/// The alternative that fits best (index into `any_of`, 0 without it) and its mismatches; an
/// error when the observation is of the wrong kind for the case.
pub fn closest(
    expected: &Expected,
    observation: &Observation,
) -> Result<(usize, Vec<Mismatch>), String> {
    let all: Vec<Vec<Mismatch>> = match (expected, observation) {
        (Expected::Execution(alts), Observation::Execution { .. }) => alts
            .iter()
            .map(|a| compare_execution(a, observation))
            .collect(),
        (Expected::Validation(alts), Observation::Validation { valid, diagnostics }) => alts
            .iter()
            .map(|a| compare_validation(a, *valid, diagnostics))
            .collect(),
        (Expected::Execution(_), _) => {
            return Err("the backend did not answer with an execution result".into());
        }
        (Expected::Validation(_), _) => {
            return Err("the backend did not answer with a validation result".into());
        }
    };
    let best = all
        .into_iter()
        .enumerate()
        .min_by_key(|(_, m)| m.len())
        .unwrap_or((0, Vec::new()));
    Ok(best)
}

fn opt_string(s: &Option<String>) -> Value {
    s.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

/// Compares an execution observation with one expected alternative.
pub fn compare_execution(e: &ExecutionExpectation, observation: &Observation) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let Observation::Execution {
        status,
        output,
        error,
        cause,
        history,
    } = observation
    else {
        out.push(Mismatch {
            pointer: String::new(),
            expected: "an execution result".into(),
            actual: None,
        });
        return out;
    };
    if status != &e.status {
        out.push(Mismatch {
            pointer: "/status".into(),
            expected: e.status.clone(),
            actual: Some(Value::String(status.clone())),
        });
    }
    if let Some(x) = &e.output {
        let actual = output.clone().unwrap_or(Value::Null);
        compare_value(x, &actual, "/output", Fit::Exact, &mut out);
    }
    if let Some(x) = &e.error {
        compare_value(x, &opt_string(error), "/error", Fit::Exact, &mut out);
    }
    if let Some(x) = &e.cause {
        compare_value(x, &opt_string(cause), "/cause", Fit::Exact, &mut out);
    }
    if !e.history.is_empty() {
        match history {
            None => out.push(Mismatch {
                pointer: "/history".into(),
                expected: "the execution history".into(),
                actual: None,
            }),
            Some(events) => {
                for c in &e.history {
                    compare_history(c, events, &mut out);
                }
            }
        }
    }
    out
}

fn event_type(e: &Value) -> &str {
    e.get("type").and_then(Value::as_str).unwrap_or("")
}

fn compare_history(c: &HistoryConstraint, events: &[Value], out: &mut Vec<Mismatch>) {
    match c {
        HistoryConstraint::Types(types) => {
            let actual: Vec<&str> = events.iter().map(event_type).collect();
            if let Some(i) = (0..types.len().max(actual.len()))
                .find(|&i| types.get(i).map(String::as_str) != actual.get(i).copied())
            {
                let expected = match types.get(i) {
                    Some(t) => format!("event type {t} (sequence {})", types.join(", ")),
                    None => format!("no more events (sequence {})", types.join(", ")),
                };
                out.push(Mismatch {
                    pointer: format!("/history/{i}/type"),
                    expected,
                    actual: actual.get(i).map(|t| Value::String(t.to_string())),
                });
            }
        }
        HistoryConstraint::Counts(counts) => {
            for (t, n) in counts {
                let actual = events.iter().filter(|e| event_type(e) == t).count() as u64;
                if actual != *n {
                    out.push(Mismatch {
                        pointer: "/history".into(),
                        expected: format!("{n} event(s) of type {t}"),
                        actual: Some(Value::from(actual)),
                    });
                }
            }
        }
        HistoryConstraint::Events(expected_events) => {
            let mut from = 0usize;
            for x in expected_events {
                let by_id = match x {
                    Expect::Object(m) => {
                        m.iter()
                            .find(|(k, _)| k == "id")
                            .and_then(|(_, v)| match v {
                                Expect::Scalar(Value::Number(n)) => n.as_u64(),
                                _ => None,
                            })
                    }
                    _ => None,
                };
                if let Some(id) = by_id {
                    match events
                        .iter()
                        .position(|e| e.get("id").and_then(Value::as_u64) == Some(id))
                    {
                        Some(i) => {
                            compare_value(
                                x,
                                &events[i],
                                &format!("/history/{i}"),
                                Fit::Subset,
                                out,
                            );
                            from = i + 1;
                        }
                        None => out.push(Mismatch {
                            pointer: "/history".into(),
                            expected: format!("an event with id {id}: {}", compact(&x.to_json())),
                            actual: None,
                        }),
                    }
                } else {
                    let found = (from..events.len()).find(|&i| {
                        let mut m = Vec::new();
                        compare_value(x, &events[i], "", Fit::Subset, &mut m);
                        m.is_empty()
                    });
                    match found {
                        Some(i) => from = i + 1,
                        None => out.push(Mismatch {
                            pointer: format!("/history/{from}"),
                            expected: format!(
                                "an event (at or after this one) matching {}",
                                compact(&x.to_json())
                            ),
                            actual: events.get(from).cloned(),
                        }),
                    }
                }
            }
        }
    }
}

/// Compares a validation observation with one expected alternative.
pub fn compare_validation(
    e: &ValidationExpectation,
    valid: bool,
    diagnostics: &[Diagnostic],
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if e.valid != valid {
        out.push(Mismatch {
            pointer: "/valid".into(),
            expected: e.valid.to_string(),
            actual: Some(Value::Bool(valid)),
        });
    }
    let mut used = vec![false; diagnostics.len()];
    for (n, d) in e.diagnostics.iter().enumerate() {
        let hit =
            (0..diagnostics.len()).find(|&i| !used[i] && diagnostic_matches(d, &diagnostics[i]));
        match hit {
            Some(i) => used[i] = true,
            None => out.push(Mismatch {
                pointer: "/diagnostics".into(),
                expected: format!(
                    "a diagnostic {} (expected diagnostic #{n})",
                    compact(&diagnostic_expectation_json(d))
                ),
                actual: Some(Value::Array(
                    diagnostics.iter().map(diagnostic_json).collect(),
                )),
            }),
        }
    }
    out
}

fn diagnostic_matches(d: &DiagnosticExpectation, o: &Diagnostic) -> bool {
    if d.code != o.code {
        return false;
    }
    if let Some(loc) = &d.location {
        if loc != &o.location {
            return false;
        }
    }
    if let Some(m) = &d.message {
        let mut mm = Vec::new();
        compare_value(
            m,
            &Value::String(o.message.clone()),
            "",
            Fit::Exact,
            &mut mm,
        );
        if !mm.is_empty() {
            return false;
        }
    }
    true
}

/// An observed diagnostic as JSON (`location` omitted when absent, as AWS does).
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), Value::String(d.code.clone()));
    if let Some(l) = &d.location {
        m.insert("location".into(), Value::String(l.clone()));
    }
    m.insert("message".into(), Value::String(d.message.clone()));
    Value::Object(m)
}

/// An expected diagnostic as JSON, as written in the case.
pub fn diagnostic_expectation_json(d: &DiagnosticExpectation) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), Value::String(d.code.clone()));
    if let Some(l) = &d.location {
        m.insert(
            "location".into(),
            l.clone().map_or(Value::Null, Value::String),
        );
    }
    if let Some(msg) = &d.message {
        m.insert("message".into(), msg.to_json());
    }
    Value::Object(m)
}

/// True when two JSON numbers have the same value.
pub fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// JSON equality with numbers compared by value.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// True when `actual` matches `expect`.
pub fn matches(expect: &Expect, actual: &Value, fit: Fit) -> bool {
    let mut m = Vec::new();
    compare_value(expect, actual, "", fit, &mut m);
    m.is_empty()
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// Compares `actual` with `expect`, appending mismatches with pointers under `at`.
pub fn compare_value(expect: &Expect, actual: &Value, at: &str, fit: Fit, out: &mut Vec<Mismatch>) {
    let here = |out: &mut Vec<Mismatch>| {
        out.push(Mismatch {
            pointer: at.to_string(),
            expected: compact(&expect.to_json()),
            actual: Some(actual.clone()),
        })
    };
    match expect {
        Expect::Any => {}
        Expect::Scalar(x) => {
            if !json_equal(x, actual) {
                here(out);
            }
        }
        Expect::Literal(x) => {
            if !json_equal(x, actual) {
                here(out);
            }
        }
        Expect::Uuid => {
            if !actual.as_str().is_some_and(is_uuid) {
                here(out);
            }
        }
        Expect::Regex(_, re) => {
            if !actual.as_str().is_some_and(|s| re.is_match(s)) {
                here(out);
            }
        }
        Expect::NumberIn(lo, hi) => {
            if !actual.as_f64().is_some_and(|n| *lo <= n && n <= *hi) {
                here(out);
            }
        }
        Expect::Unordered(items) => {
            let Value::Array(actual_items) = actual else {
                here(out);
                return;
            };
            if items.len() != actual_items.len() || !assign(items, actual_items, fit) {
                here(out);
            }
        }
        Expect::Array(items) => {
            let Value::Array(actual_items) = actual else {
                here(out);
                return;
            };
            for (i, x) in items.iter().enumerate() {
                match actual_items.get(i) {
                    Some(a) => compare_value(x, a, &format!("{at}/{i}"), fit, out),
                    None => out.push(Mismatch {
                        pointer: format!("{at}/{i}"),
                        expected: compact(&x.to_json()),
                        actual: None,
                    }),
                }
            }
            for (i, a) in actual_items.iter().enumerate().skip(items.len()) {
                out.push(Mismatch {
                    pointer: format!("{at}/{i}"),
                    expected: "no element here".into(),
                    actual: Some(a.clone()),
                });
            }
        }
        Expect::Object(members) => {
            let Value::Object(actual_members) = actual else {
                here(out);
                return;
            };
            for (k, x) in members {
                let p = format!("{at}/{}", escape_token(k));
                match actual_members.get(k) {
                    Some(a) => compare_value(x, a, &p, fit, out),
                    None => out.push(Mismatch {
                        pointer: p,
                        expected: compact(&x.to_json()),
                        actual: None,
                    }),
                }
            }
            if fit == Fit::Exact {
                for (k, a) in actual_members {
                    if !members.iter().any(|(m, _)| m == k) {
                        out.push(Mismatch {
                            pointer: format!("{at}/{}", escape_token(k)),
                            expected: "no member here".into(),
                            actual: Some(a.clone()),
                        });
                    }
                }
            }
        }
    }
}

/// Finds an assignment of expected items to distinct actual items (backtracking; corpus arrays
/// are small).
fn assign(items: &[Expect], actual: &[Value], fit: Fit) -> bool {
    fn go(i: usize, items: &[Expect], actual: &[Value], used: &mut [bool], fit: Fit) -> bool {
        if i == items.len() {
            return true;
        }
        for j in 0..actual.len() {
            if !used[j] && matches(&items[i], &actual[j], fit) {
                used[j] = true;
                if go(i + 1, items, actual, used, fit) {
                    return true;
                }
                used[j] = false;
            }
        }
        false
    }
    let mut used = vec![false; actual.len()];
    go(0, items, actual, &mut used, fit)
}

/// The expected value with every part that matched replaced by the observed value, so that a
/// diff of the two shows only real differences (used by the renderer).
pub fn instantiate(expect: &Expect, actual: Option<&Value>, fit: Fit) -> Value {
    let Some(actual) = actual else {
        return expect.to_json();
    };
    match expect {
        Expect::Object(members) => {
            let Value::Object(am) = actual else {
                return expect.to_json();
            };
            let mut out = Map::new();
            for (k, x) in members {
                out.insert(k.clone(), instantiate(x, am.get(k), fit));
            }
            if fit == Fit::Subset {
                for (k, v) in am {
                    if !out.contains_key(k) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(out)
        }
        Expect::Array(items) => {
            let aa = actual.as_array();
            Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| instantiate(x, aa.and_then(|a| a.get(i)), fit))
                    .collect(),
            )
        }
        Expect::Scalar(x) | Expect::Literal(x) => {
            if json_equal(x, actual) {
                actual.clone()
            } else {
                x.clone()
            }
        }
        _ => {
            if matches(expect, actual, fit) {
                actual.clone()
            } else {
                expect.to_json()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::case::ExecutionExpectation;
    use serde_json::json;

    fn ex(v: Value) -> Expect {
        Expect::parse(&v).unwrap()
    }

    fn mismatches(e: Value, a: Value) -> Vec<String> {
        let mut out = Vec::new();
        compare_value(&ex(e), &a, "/output", Fit::Exact, &mut out);
        out.into_iter().map(|m| m.pointer).collect()
    }

    #[test]
    fn exact_json_with_numbers_by_value() {
        assert!(mismatches(json!({"a": [1, 2.0]}), json!({"a": [1.0, 2]})).is_empty());
        assert_eq!(
            mismatches(json!({"a": [1, 2]}), json!({"a": [1, 3]})),
            vec!["/output/a/1"]
        );
        assert_eq!(
            mismatches(json!({"a": 1}), json!({"a": 1, "b~": 2})),
            vec!["/output/b~0"]
        );
        assert_eq!(
            mismatches(json!({"a": 1, "c": 2}), json!({"a": 1})),
            vec!["/output/c"]
        );
        assert_eq!(mismatches(json!([1]), json!([1, 2])), vec!["/output/1"]);
        assert_eq!(mismatches(json!("1"), json!(1)), vec!["/output"]);
    }

    #[test]
    fn patterns() {
        assert!(mismatches(
            json!({"$uuid": true}),
            json!("0c9a1f8e-52b1-4d4e-8f3a-1b2c3d4e5f60")
        )
        .is_empty());
        assert!(!mismatches(
            json!({"$uuid": true}),
            json!("0C9A1F8E-52B1-4D4E-8F3A-1B2C3D4E5F60")
        )
        .is_empty());
        assert!(mismatches(json!({"$regex": "ab+"}), json!("abbb")).is_empty());
        assert!(!mismatches(json!({"$regex": "ab+"}), json!("xabbb")).is_empty());
        assert!(mismatches(json!({"$number_in": [0, 10]}), json!(10)).is_empty());
        assert!(!mismatches(json!({"$number_in": [0, 10]}), json!(10.5)).is_empty());
        assert!(mismatches(
            json!({"$unordered": [1, {"$any": true}, 3]}),
            json!([3, 9, 1])
        )
        .is_empty());
        assert!(!mismatches(json!({"$unordered": [1, 1]}), json!([1, 2])).is_empty());
        assert!(mismatches(json!({"x": {"$any": true}}), json!({"x": null})).is_empty());
        assert_eq!(
            mismatches(json!({"x": {"$any": true}}), json!({})),
            vec!["/output/x"]
        );
        assert!(mismatches(json!({"$literal": {"$any": true}}), json!({"$any": true})).is_empty());
    }

    #[test]
    fn any_of_picks_a_matching_alternative() {
        let alt = |out: Value| ExecutionExpectation {
            status: "SUCCEEDED".into(),
            output: Some(ex(out)),
            error: None,
            cause: None,
            history: vec![],
        };
        let expected = Expected::Execution(vec![alt(json!(1)), alt(json!(2))]);
        let obs = Observation::Execution {
            status: "SUCCEEDED".into(),
            output: Some(json!(2)),
            error: None,
            cause: None,
            history: None,
        };
        assert_eq!(judge(&expected, &obs), Judgement::Pass);
        let obs3 = Observation::Execution {
            status: "SUCCEEDED".into(),
            output: Some(json!(3)),
            error: None,
            cause: None,
            history: None,
        };
        assert!(matches!(judge(&expected, &obs3), Judgement::Fail { .. }));
        assert!(matches!(
            judge(&expected, &Observation::Skipped("x".into())),
            Judgement::Skipped { .. }
        ));
    }

    #[test]
    fn history_types_and_events() {
        let events = vec![
            json!({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}),
            json!({"id": 2, "previousEventId": 0, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "A"}}),
            json!({"id": 3, "previousEventId": 2, "type": "PassStateExited"}),
            json!({"id": 4, "previousEventId": 3, "type": "ExecutionSucceeded"}),
        ];
        let mut out = Vec::new();
        let types = [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded",
        ];
        compare_history(
            &HistoryConstraint::Types(types.iter().map(|s| s.to_string()).collect()),
            &events,
            &mut out,
        );
        assert!(out.is_empty());
        compare_history(
            &HistoryConstraint::Types(vec!["ExecutionStarted".into()]),
            &events,
            &mut out,
        );
        assert_eq!(out[0].pointer, "/history/1/type");
        out.clear();
        let ev = vec![
            ex(json!({"id": 2, "previousEventId": 0, "stateEnteredEventDetails": {"name": "A"}})),
            ex(json!({"type": "ExecutionSucceeded"})),
        ];
        compare_history(&HistoryConstraint::Events(ev), &events, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let ev = vec![ex(json!({"id": 3, "previousEventId": 0}))];
        compare_history(&HistoryConstraint::Events(ev), &events, &mut out);
        assert_eq!(out[0].pointer, "/history/2/previousEventId");
    }

    #[test]
    fn instantiate_keeps_only_real_differences() {
        let e = ex(json!({"id": {"$uuid": true}, "n": 1, "m": {"$regex": "x"}}));
        let a = json!({"id": "0c9a1f8e-52b1-4d4e-8f3a-1b2c3d4e5f60", "n": 2, "m": "y"});
        let i = instantiate(&e, Some(&a), Fit::Exact);
        assert_eq!(
            i,
            json!({"id": "0c9a1f8e-52b1-4d4e-8f3a-1b2c3d4e5f60", "n": 1, "m": {"$regex": "x"}})
        );
    }
}
