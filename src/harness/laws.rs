//! Laws a single implementation must keep on any case, checked with no second implementation
//! to compare with: what `conformance --generate N` checks on the reference (comparing the
//! reference with itself would say nothing).
//!
//! - **determinism**: two runs of the same case (same seed) give the same observation, history
//!   included;
//! - **a terminal answer**: the status is `SUCCEEDED` (with an output, without an error),
//!   `FAILED`, `TIMED_OUT` or `ABORTED` (a `Fail` state without `Error` fails the execution
//!   with no error name, so a failure need not carry one);
//! - **a well-formed history** ([`history_well_formed`]): event ids 1, 2, 3…; every
//!   `previousEventId` points back; every entered state exits or fails; the last event is the
//!   execution's own and matches the status.

use serde_json::Value;

use super::observe::observe;
use crate::backend::{Backend, Observation, Request};

/// Ids 1, 2, 3…; every previousEventId points back; every entered state exits or fails (a
/// state that failed has a failure event after its `…Entered`, and no `…Exited`); the history
/// ends with an `Execution…` event.
pub fn history_well_formed(h: &[Value]) -> Result<(), String> {
    let name = |e: &Value, key: &str| e[key]["name"].as_str().unwrap_or("").to_string();
    for (i, e) in h.iter().enumerate() {
        let id = e["id"].as_u64().ok_or("event without id")?;
        if id != i as u64 + 1 {
            return Err(format!("event {i} has id {id}"));
        }
        let prev = e["previousEventId"]
            .as_u64()
            .ok_or("event without previousEventId")?;
        if prev >= id {
            return Err(format!("event {id} points forward to {prev}"));
        }
    }
    let is_failure =
        |t: &str| t.ends_with("Failed") || t.ends_with("TimedOut") || t == "FailStateEntered";
    for (i, e) in h.iter().enumerate() {
        let t = e["type"].as_str().unwrap_or("");
        if !t.ends_with("StateEntered") || t == "FailStateEntered" {
            continue;
        }
        let n = name(e, "stateEnteredEventDetails");
        let rest = &h[i + 1..];
        let exited = rest.iter().any(|x| {
            x["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("StateExited"))
                && name(x, "stateExitedEventDetails") == n
        });
        let failed = rest
            .iter()
            .any(|x| x["type"].as_str().is_some_and(is_failure));
        let cut_short = rest.last().and_then(|x| x["type"].as_str()) != Some("ExecutionSucceeded");
        if !exited && !failed && !cut_short {
            return Err(format!(
                "state {n} entered (event {}) but never exited or failed",
                i + 1
            ));
        }
    }
    let last = h.last().and_then(|e| e["type"].as_str()).unwrap_or("");
    if !last.starts_with("Execution") {
        return Err(format!("history ends with {last}"));
    }
    Ok(())
}

/// The laws `observed` breaks, one line each (empty: none).
pub fn broken(observed: &Observation) -> Vec<String> {
    let mut out = Vec::new();
    let Observation::Execution {
        status,
        output,
        error,
        history,
        ..
    } = observed
    else {
        return out;
    };
    match status.as_str() {
        "SUCCEEDED" if output.is_none() || error.is_some() => {
            out.push("SUCCEEDED without an output, or with an error".into())
        }
        "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" => {}
        other => out.push(format!("status {other:?} is not a terminal status")),
    }
    if let Some(h) = history {
        if let Err(m) = history_well_formed(h) {
            out.push(format!("history: {m}"));
        }
        let last = h.last().and_then(|e| e["type"].as_str()).unwrap_or("");
        let wanted = match status.as_str() {
            "SUCCEEDED" => "ExecutionSucceeded",
            "FAILED" => "ExecutionFailed",
            "TIMED_OUT" => "ExecutionTimedOut",
            "ABORTED" => "ExecutionAborted",
            _ => "",
        };
        if !wanted.is_empty() && last != wanted {
            out.push(format!("status {status} but the history ends with {last}"));
        }
    }
    out
}

/// Runs `request` (with history) twice on `backend`: the first observation and the laws it
/// breaks (determinism included).
pub fn check(backend: &mut dyn Backend, request: &Request<'_>) -> (Observation, Vec<String>) {
    let request = Request {
        history: true,
        ..*request
    };
    let first = observe(backend, &request);
    if matches!(
        first,
        Observation::Skipped(_) | Observation::Indeterminate(_) | Observation::Errored(_)
    ) {
        return (first, Vec::new());
    }
    let mut laws = broken(&first);
    let second = observe(backend, &request);
    if second != first {
        laws.push(
            "not deterministic: a second run of the same case gave another observation".into(),
        );
    }
    (first, laws)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(status: &str, last: &str) -> Observation {
        Observation::Execution {
            status: status.into(),
            output: Some(json!(1)),
            error: None,
            cause: None,
            history: Some(vec![
                json!({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}),
                json!({"id": 2, "previousEventId": 1, "type": last}),
            ]),
        }
    }

    #[test]
    fn laws_hold_and_break() {
        assert!(broken(&ok("SUCCEEDED", "ExecutionSucceeded")).is_empty());
        assert_eq!(
            broken(&ok("SUCCEEDED", "ExecutionFailed")),
            ["status SUCCEEDED but the history ends with ExecutionFailed"]
        );
        assert_eq!(
            broken(&ok("RUNNING", "ExecutionSucceeded")),
            ["status \"RUNNING\" is not a terminal status"]
        );
        let bad_ids = [
            json!({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}),
            json!({"id": 3, "previousEventId": 1, "type": "ExecutionSucceeded"}),
        ];
        assert!(history_well_formed(&bad_ids).is_err());
    }
}
