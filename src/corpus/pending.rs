//! Pending cases: a divergence found by `aslcheck diff`/`shrink`, written in the corpus format
//! under `corpus/pending/` for a maintainer to check against AWS before it moves to `cases/`.
//!
//! A pending case has provenance `{"kind": "minimised", "from": …}`, the tag `pending`, and the
//! first implementation's observation as its expected result — which is *not* evidence of what
//! AWS does. Its description says so and holds the command that reproduces the divergence.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::write::pretty;
use crate::backend::Mode;

/// What a pending case file holds.
#[derive(Debug, Clone)]
pub struct PendingCase<'a> {
    pub id: &'a str,
    /// What the case was minimised from (a corpus id or a generator seed).
    pub from: &'a str,
    /// The members that differ (the divergence's signature).
    pub differing: &'a [String],
    /// The two implementations, the first being the side whose observation is expected.
    pub backends: &'a [String; 2],
    /// The command that reproduces the divergence.
    pub command: &'a str,
    pub mode: Mode,
    pub definition: &'a Value,
    pub input: &'a Value,
    pub environment: &'a Value,
    /// The first implementation's observation (as [`crate::backend::reference::observation_json`]
    /// gives it); its history is left out.
    pub expected: &'a Value,
    /// Tags besides `pending` (`cluster:<id>`, see [`crate::harness::triage`]).
    pub tags: &'a [String],
}

impl PendingCase<'_> {
    /// The case file's text; `vocabulary` is the corpus's feature list.
    pub fn text(&self, vocabulary: &BTreeSet<String>) -> String {
        let description = format!(
            "Minimised divergence: {} and {} disagree at {} (from {}). The expected result is {}'s observation and is NOT evidence of what AWS does: check it against AWS (the docs, a recorded run, the rule notes in docs/semantics/), give the case that provenance, drop the pending tag and move it to corpus/cases/{}.json. Reproduce: {}",
            self.backends[0],
            self.backends[1],
            self.differing.join(", "),
            self.from,
            self.backends[0],
            self.id,
            self.command
        );
        let mut expected = self.expected.clone();
        if let Some(o) = expected.as_object_mut() {
            o.remove("history");
        }
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("description".into(), json!(description));
        let mut tags = vec!["pending".to_string()];
        tags.extend(self.tags.iter().filter(|t| *t != "pending").cloned());
        m.insert("tags".into(), json!(tags));
        m.insert(
            "features".into(),
            json!(features(self.definition, vocabulary)),
        );
        m.insert(
            "provenance".into(),
            json!({"kind": "minimised", "from": self.from}),
        );
        m.insert("mode".into(), json!(self.mode.as_str()));
        m.insert("definition".into(), self.definition.clone());
        m.insert("input".into(), self.input.clone());
        if self.environment.as_object().is_some_and(|e| !e.is_empty()) {
            m.insert("environment".into(), self.environment.clone());
        }
        m.insert("expected".into(), literal(&expected));
        pretty(&Value::Object(m))
    }
}

/// Wraps observed objects that would read as patterns (one member whose name starts with `$`)
/// in `{"$literal": …}`, so the expected result means exactly what was observed.
pub fn literal(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.keys().all(|k| k.starts_with('$')) => {
            json!({"$literal": v})
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(literal).collect()),
        other => other.clone(),
    }
}

/// The features (from the corpus vocabulary) a definition uses: state types, data-flow fields,
/// errors, Choice operators, Map and Wait fields, intrinsic functions, the context object.
pub fn features(definition: &Value, vocabulary: &BTreeSet<String>) -> Vec<String> {
    let mut found = BTreeSet::new();
    walk_features(definition, &mut found);
    let mut out: Vec<String> = found
        .into_iter()
        .filter(|f| vocabulary.contains(f))
        .collect();
    if out.is_empty() {
        out.push("Validation".into());
    }
    out
}

fn walk_features(v: &Value, found: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(ty) = m.get("Type").and_then(Value::as_str) {
                found.insert(ty.to_string());
                for field in [
                    "InputPath",
                    "Parameters",
                    "ResultSelector",
                    "ResultPath",
                    "OutputPath",
                    "Retry",
                    "Catch",
                ] {
                    if m.contains_key(field) {
                        found.insert(field.to_string());
                    }
                }
                match ty {
                    "Pass" if m.contains_key("Result") => {
                        found.insert("Pass.Result".into());
                    }
                    "Map" => {
                        for field in [
                            "ItemsPath",
                            "ItemSelector",
                            "Parameters",
                            "Iterator",
                            "ItemProcessor",
                            "MaxConcurrency",
                        ] {
                            if m.contains_key(field) {
                                found.insert(format!("Map.{field}"));
                            }
                        }
                    }
                    "Wait" => {
                        for field in ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"] {
                            if m.contains_key(field) {
                                found.insert(format!("Wait.{field}"));
                            }
                        }
                    }
                    "Fail" => {
                        for field in ["ErrorPath", "CausePath"] {
                            if m.contains_key(field) {
                                found.insert(format!("Fail.{field}"));
                            }
                        }
                    }
                    "Choice" if m.contains_key("Default") => {
                        found.insert("Choice.Default".into());
                    }
                    _ => {}
                }
            }
            for (k, child) in m {
                // Choice operators: `StringEquals`, `NumericLessThanPath`, `And`, …
                if let Some(op) = k.strip_suffix("Path").filter(|op| {
                    op.ends_with("Equals") || op.contains("Than") || op.ends_with("Matches")
                }) {
                    found.insert("Choice.PathOperand".into());
                    found.insert(format!("Choice.{op}"));
                } else if (k.ends_with("Equals") && k != "ErrorEquals")
                    || k.contains("Than")
                    || k.starts_with("Is")
                    || matches!(k.as_str(), "And" | "Or" | "Not" | "StringMatches")
                {
                    found.insert(format!("Choice.{k}"));
                }
                walk_features(child, found);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| walk_features(x, found)),
        Value::String(s) => {
            if s.starts_with("$$") {
                found.insert("ContextObject".into());
            }
            let mut rest = s.as_str();
            while let Some(at) = rest.find("States.") {
                let name: String = rest[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if rest[at + 7 + name.len()..].starts_with('(') {
                    found.insert(format!("Intrinsic.{name}"));
                }
                rest = &rest[at + 7..];
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_of_a_definition() {
        let vocabulary: BTreeSet<String> = [
            "Pass",
            "ResultPath",
            "Choice.StringEquals",
            "Choice.PathOperand",
            "Intrinsic.Format",
            "ContextObject",
            "Choice",
            "Pass.Result",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let d = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEqualsPath": "$$.Execution.Name", "Next": "P"}], "Default": "P"},
            "P": {"Type": "Pass", "Parameters": {"x.$": "States.Format('{}', $.a)"}, "ResultPath": "$.r", "End": true}}});
        assert_eq!(
            features(&d, &vocabulary),
            vec![
                "Choice",
                "Choice.PathOperand",
                "Choice.StringEquals",
                "ContextObject",
                "Intrinsic.Format",
                "Pass",
                "ResultPath"
            ]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(
            literal(&json!({"a": {"$x": 1}})),
            json!({"a": {"$literal": {"$x": 1}}})
        );
    }
}
