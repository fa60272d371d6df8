//! Running a definition on the reference interpreter from a test: build a one-state machine,
//! run it with or without options and history, and read the parts a test asserts on.
//!
//! Plain cases (a definition, an input, an expected result) belong in `corpus/cases/`; these
//! helpers are for the tests that need Rust, such as those that set `RunOptions` or measure
//! virtual time.

use aslcheck::asl::parse_definition;
use aslcheck::engine::{run, Outcome, RunOptions, Status};
use serde_json::{json, Value};

/// Parses `def` (panicking with the definition if it is rejected) and runs it on `input`.
pub fn exec_with(def: Value, input: Value, opts: RunOptions) -> Outcome {
    let loaded = match parse_definition(def.clone()) {
        Ok(d) => d,
        Err(e) => panic!("definition rejected: {e}\n{def:#}"),
    };
    run(&loaded.machine, &input, opts)
}

/// Runs with `opts` and asserts SUCCEEDED; returns the output.
pub fn ok_with(def: Value, input: Value, opts: RunOptions) -> Value {
    let out = exec_with(def, input, opts);
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    out.output.expect("a succeeded execution has an output")
}

/// Runs with the default options and asserts SUCCEEDED; returns the output.
pub fn ok(def: Value, input: Value) -> Value {
    ok_with(def, input, RunOptions::default())
}

/// Runs with history; returns the outcome.
pub fn with_history(def: Value, input: Value) -> Outcome {
    let opts = RunOptions {
        history: true,
        ..RunOptions::default()
    };
    exec_with(def, input, opts)
}

/// The names of the DG context-object page's example ARNs
/// (`arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName`).
pub fn dg_names() -> RunOptions {
    RunOptions {
        state_machine_name: "stateMachineName".into(),
        execution_name: Some("executionName".into()),
        ..RunOptions::default()
    }
}

/// A machine whose only state is `name` (`End: true` added unless the state is terminal).
pub fn single(name: &str, mut state: Value) -> Value {
    let kind = state["Type"].as_str().unwrap_or_default().to_string();
    if !matches!(kind.as_str(), "Choice" | "Fail" | "Succeed") {
        state["End"] = json!(true);
    }
    json!({"StartAt": name, "States": {name: state}})
}

/// `(type, id, previousEventId)` of every event.
pub fn seq(out: &Outcome) -> Vec<(String, u64, u64)> {
    out.history
        .as_ref()
        .expect("history was requested")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_string(),
                e["id"].as_u64().unwrap_or(u64::MAX),
                e["previousEventId"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

/// One expected `(type, id, previousEventId)` of [`seq`].
pub fn ev(kind: &str, id: u64, prev: u64) -> (String, u64, u64) {
    (kind.to_string(), id, prev)
}

/// An RFC 3339 timestamp string as milliseconds since the epoch.
pub fn millis(ts: &Value) -> i64 {
    let s = ts.as_str().expect("timestamp string");
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .timestamp_millis()
}
