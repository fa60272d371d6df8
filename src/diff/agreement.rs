//! Comparing two observations of the same case (differential runs): both are normalised on their
//! own (placeholders keep identity within each run), then compared as JSON; differences are
//! reported as JSON Pointers into the observation view (`/status`, `/output/…`, `/error`,
//! `/cause`, `/history/…` when both sides have history).

use serde_json::Value;

use super::compare::{json_equal, Mismatch};
use super::normalise::Normaliser;
use crate::asl::model::pointer_escape;
use crate::backend::reference::observation_json;
use crate::backend::Observation;

/// How two observations relate.
#[derive(Debug, Clone, PartialEq)]
pub enum Agreement {
    Agree,
    Disagree(Vec<Mismatch>),
    /// One side could not run the case (skipped, indeterminate or errored): no verdict.
    Inconclusive(String),
}

/// Compares observation `b` against `a` (the reference side).
pub fn compare(a: &Observation, b: &Observation) -> Agreement {
    for (side, o) in [("first", a), ("second", b)] {
        match o {
            Observation::Skipped(r) => {
                return Agreement::Inconclusive(format!("{side} backend skipped: {r}"))
            }
            Observation::Indeterminate(r) => {
                return Agreement::Inconclusive(format!("{side} backend indeterminate: {r}"))
            }
            Observation::Errored(r) if side == "first" => {
                return Agreement::Inconclusive(format!("first backend errored: {r}"))
            }
            _ => {}
        }
    }
    let na = Normaliser::new().observation(a);
    let nb = Normaliser::new().observation(b);
    let (mut va, mut vb) = match (&na, &nb) {
        // Two validations agree on the verdict and the diagnostic codes; messages and
        // locations are each implementation's own wording.
        (Observation::Validation { .. }, Observation::Validation { .. }) => {
            (validation_view(&na), validation_view(&nb))
        }
        _ => (observation_json(&na), observation_json(&nb)),
    };
    // History is compared only when both sides returned it.
    if va.get("history").is_none() || vb.get("history").is_none() {
        for v in [&mut va, &mut vb] {
            if let Some(o) = v.as_object_mut() {
                o.remove("history");
            }
        }
    }
    let mut out = Vec::new();
    diff_values(&va, &vb, String::new(), &mut out);
    if out.is_empty() {
        Agreement::Agree
    } else {
        Agreement::Disagree(out)
    }
}

/// A validation as two implementations are compared on it: `{"valid", "codes"}`, the codes
/// sorted and each once.
pub fn validation_view(o: &Observation) -> Value {
    match o {
        Observation::Validation { valid, diagnostics } => {
            let codes: std::collections::BTreeSet<&str> =
                diagnostics.iter().map(|d| d.code.as_str()).collect();
            serde_json::json!({"valid": valid, "codes": codes})
        }
        other => observation_json(other),
    }
}

fn diff_values(a: &Value, b: &Value, at: String, out: &mut Vec<Mismatch>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = format!("{at}/{}", pointer_escape(k));
                match y.get(k) {
                    Some(vb) => diff_values(va, vb, p, out),
                    None => out.push(Mismatch {
                        pointer: p,
                        expected: serde_json::to_string(va).unwrap_or_default(),
                        actual: None,
                    }),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(Mismatch {
                        pointer: format!("{at}/{}", pointer_escape(k)),
                        expected: "nothing".into(),
                        actual: Some(vb.clone()),
                    });
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff_values(va, vb, format!("{at}/{i}"), out);
            }
        }
        _ if json_equal(a, b) => {}
        _ => out.push(Mismatch {
            pointer: if at.is_empty() { "/".into() } else { at },
            expected: serde_json::to_string(a).unwrap_or_default(),
            actual: Some(b.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exec(output: Value) -> Observation {
        Observation::Execution {
            status: "SUCCEEDED".into(),
            output: Some(output),
            error: None,
            cause: None,
            history: None,
        }
    }

    #[test]
    fn equal_observations_agree() {
        assert_eq!(
            compare(&exec(json!({"a": 1})), &exec(json!({"a": 1.0}))),
            Agreement::Agree
        );
    }

    #[test]
    fn differences_are_json_pointers() {
        match compare(&exec(json!({"a": {"b": 1}})), &exec(json!({"a": {"b": 2}}))) {
            Agreement::Disagree(m) => assert_eq!(m[0].pointer, "/output/a/b"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn skipped_sides_are_inconclusive() {
        assert!(matches!(
            compare(&exec(json!(1)), &Observation::Skipped("no".into())),
            Agreement::Inconclusive(_)
        ));
    }
}
