//! Invalid definitions: a valid generated machine with one deliberate definition error, tagged
//! with the diagnostic code AWS reports for it when the machine is created (the `invalid`
//! profile, `Config::invalid`).
//!
//! Each [`Kind`] breaks one rule of the definition-time rules of docs/semantics/structure.md
//! (§1.3 the fields each state type takes, §1.4 the rules, numbered as there):
//!
//! | kind | what changes | code |
//! |---|---|---|
//! | `unknown-next` | a `Next` names no state (§1.4 rule 3) | `MISSING_TRANSITION_TARGET` |
//! | `unknown-start-at` | `StartAt` names no state (§1.4 rule 3) | `MISSING_TRANSITION_TARGET` |
//! | `unreachable-state` | a state nothing leads to is added (§1.4 rule 4) | `MISSING_TRANSITION_TARGET` |
//! | `missing-start-at` | `StartAt` is removed (§1.4 rule 1) | `SCHEMA_VALIDATION_FAILED` |
//! | `unknown-type` | a state's `Type` is not a state type (§1.4 rule 2) | `SCHEMA_VALIDATION_FAILED` |
//! | `unsupported-field` | a Pass state gets `TimeoutSeconds` (§1.3) | `SCHEMA_VALIDATION_FAILED` |
//! | `empty-choices` | a Choice state's `Choices` is empty (§1.4 rule 7) | `SCHEMA_VALIDATION_FAILED` |
//! | `states-all-not-last` | a Task's first retrier is `States.ALL`, a second follows (§1.4 rule 8) | `SCHEMA_VALIDATION_FAILED` |
//! | `wrong-field-type` | a state's `Comment` is a number (§1.3) | `SCHEMA_VALIDATION_FAILED` |
//!
//! A kind that finds nothing to change in the machine (no Choice state for `empty-choices`)
//! falls back to the next kind, so every case is mutated.

use serde::Serialize;
use serde_json::{json, Map, Value};

/// One kind of definition error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Kind {
    pub name: &'static str,
    /// The diagnostic code AWS reports.
    pub code: &'static str,
}

/// Every kind, in the order the fallback takes them.
pub const KINDS: [Kind; 9] = [
    Kind {
        name: "unknown-next",
        code: "MISSING_TRANSITION_TARGET",
    },
    Kind {
        name: "unknown-start-at",
        code: "MISSING_TRANSITION_TARGET",
    },
    Kind {
        name: "unreachable-state",
        code: "MISSING_TRANSITION_TARGET",
    },
    Kind {
        name: "missing-start-at",
        code: "SCHEMA_VALIDATION_FAILED",
    },
    Kind {
        name: "unknown-type",
        code: "SCHEMA_VALIDATION_FAILED",
    },
    Kind {
        name: "unsupported-field",
        code: "SCHEMA_VALIDATION_FAILED",
    },
    Kind {
        name: "empty-choices",
        code: "SCHEMA_VALIDATION_FAILED",
    },
    Kind {
        name: "states-all-not-last",
        code: "SCHEMA_VALIDATION_FAILED",
    },
    Kind {
        name: "wrong-field-type",
        code: "SCHEMA_VALIDATION_FAILED",
    },
];

/// A mutation applied: its kind and where (a JSON Pointer into the definition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mutation {
    pub kind: &'static str,
    pub code: &'static str,
    pub pointer: String,
}

/// The top-level states of a definition, by name, in order.
fn top_states(definition: &Value) -> Vec<(String, Value)> {
    definition
        .get("States")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The `pick`-th (modulo) top-level state for which `fits` holds.
fn pick_state(definition: &Value, pick: u64, fits: impl Fn(&Value) -> bool) -> Option<String> {
    let candidates: Vec<String> = top_states(definition)
        .into_iter()
        .filter(|(_, s)| fits(s))
        .map(|(n, _)| n)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    Some(candidates[(pick % candidates.len() as u64) as usize].clone())
}

fn state_mut<'a>(definition: &'a mut Value, name: &str) -> Option<&'a mut Map<String, Value>> {
    definition.get_mut("States")?.get_mut(name)?.as_object_mut()
}

/// A state name the definition does not use.
fn fresh_name(definition: &Value, base: &str) -> String {
    let taken = |n: &str| {
        definition
            .get("States")
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(n))
    };
    let mut name = base.to_string();
    let mut i = 2;
    while taken(&name) {
        name = format!("{base}{i}");
        i += 1;
    }
    name
}

/// Applies `kind` to `definition` at the `pick`-th place it fits; `None` when it fits nowhere.
fn apply(kind: Kind, definition: &mut Value, pick: u64) -> Option<String> {
    match kind.name {
        "unknown-next" => {
            let s = pick_state(definition, pick, |s| s.get("Next").is_some())?;
            let missing = fresh_name(definition, "NoSuchState");
            state_mut(definition, &s)?.insert("Next".into(), json!(missing));
            Some(format!("/States/{}/Next", escape(&s)))
        }
        "unknown-start-at" => {
            let missing = fresh_name(definition, "NoSuchState");
            definition
                .as_object_mut()?
                .insert("StartAt".into(), json!(missing));
            Some("/StartAt".into())
        }
        "unreachable-state" => {
            let name = fresh_name(definition, "Unreachable");
            definition
                .get_mut("States")?
                .as_object_mut()?
                .insert(name.clone(), json!({"Type": "Succeed"}));
            Some(format!("/States/{}", escape(&name)))
        }
        "missing-start-at" => {
            definition.as_object_mut()?.remove("StartAt")?;
            Some(String::new())
        }
        "unknown-type" => {
            let s = pick_state(definition, pick, |s| {
                matches!(
                    s.get("Type").and_then(Value::as_str),
                    Some("Pass" | "Succeed" | "Fail" | "Wait")
                )
            })?;
            state_mut(definition, &s)?.insert("Type".into(), json!("Sleep"));
            Some(format!("/States/{}/Type", escape(&s)))
        }
        "unsupported-field" => {
            let s = pick_state(definition, pick, |s| {
                s.get("Type").and_then(Value::as_str) == Some("Pass")
            })?;
            state_mut(definition, &s)?.insert("TimeoutSeconds".into(), json!(10));
            Some(format!("/States/{}/TimeoutSeconds", escape(&s)))
        }
        "empty-choices" => {
            let s = pick_state(definition, pick, |s| {
                s.get("Type").and_then(Value::as_str) == Some("Choice")
            })?;
            state_mut(definition, &s)?.insert("Choices".into(), json!([]));
            Some(format!("/States/{}/Choices", escape(&s)))
        }
        "states-all-not-last" => {
            let s = pick_state(definition, pick, |s| {
                s.get("Type").and_then(Value::as_str) == Some("Task")
            })?;
            state_mut(definition, &s)?.insert(
                "Retry".into(),
                json!([{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["States.Timeout"]}]),
            );
            Some(format!("/States/{}/Retry", escape(&s)))
        }
        "wrong-field-type" => {
            let s = pick_state(definition, pick, |_| true)?;
            state_mut(definition, &s)?.insert("Comment".into(), json!(42));
            Some(format!("/States/{}/Comment", escape(&s)))
        }
        _ => None,
    }
}

/// Mutates `definition` into an invalid one: the kind is drawn from `seed`, the place from
/// `seed` too; a kind that fits nowhere falls back to the next one.
pub fn mutate(definition: &mut Value, seed: u64) -> Mutation {
    // A fixed mix of the seed, so the kind and the place do not follow each other.
    let mixed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17);
    let first = (seed % KINDS.len() as u64) as usize;
    for i in 0..KINDS.len() {
        let kind = KINDS[(first + i) % KINDS.len()];
        let mut candidate = definition.clone();
        if let Some(pointer) = apply(kind, &mut candidate, mixed) {
            *definition = candidate;
            return Mutation {
                kind: kind.name,
                code: kind.code,
                pointer,
            };
        }
    }
    // Unreachable: `unreachable-state` fits every definition with a `States` object.
    let kind = KINDS[2];
    Mutation {
        kind: kind.name,
        code: kind.code,
        pointer: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Value {
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "T"}], "Default": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}
        }})
    }

    #[test]
    fn every_kind_applies_to_a_machine_with_every_state_type_it_needs() {
        for (i, kind) in KINDS.iter().enumerate() {
            let mut d = machine();
            let m = mutate(&mut d, i as u64);
            assert_eq!(m.kind, kind.name);
            assert_eq!(m.code, kind.code);
            assert_ne!(d, machine(), "{}", kind.name);
        }
    }

    #[test]
    fn a_kind_that_does_not_fit_falls_back_to_the_next() {
        let mut d = json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}});
        // empty-choices (6) and states-all-not-last (7) need a Choice and a Task.
        let m = mutate(&mut d, 6);
        assert_eq!(m.kind, "wrong-field-type");
        assert_eq!(d["States"]["A"]["Comment"], 42);
    }
}
