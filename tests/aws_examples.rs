//! The examples of the AWS Step Functions Developer Guide (DG) and of the project's rule notes
//! (`docs/semantics/`) that need Rust: they set `RunOptions` the corpus format cannot express
//! (the DG's example machine and execution names, the start time), check only part of the
//! context object, or measure virtual time.
//!
//! Every other example is a case file under `corpus/cases/` (run by `cargo test --test corpus`).
//! Every expected value below is taken from the cited page or section, never from the
//! interpreter's own output. DG pages are cited by URL (the text was read from the current page
//! where reachable, and otherwise from the archived DG source in
//! `awsdocs/aws-step-functions-developer-guide/doc_source/*.md`, whose examples are unchanged).

#[path = "support/run.rs"]
mod run;

use run::{dg_names, ev, exec_with, millis, ok, ok_with, seq, single, with_history};

use aslcheck::engine::RunOptions;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Context object
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
// ---------------------------------------------------------------------------------------------

// DG input-output-contextobject.html, "Accessing the Context object": `"Execution.$":
// "$$.Execution.Id"` inside a nested Parameters object; the Id format is the page's
// "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName".
// The page's SQS Task is replaced by a Pass state so the payload is the output.
#[test]
fn parameters_context_execution_id() {
    let def = single(
        "Order Flight Ticket Queue",
        json!({"Type": "Pass", "Parameters": {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/flight-purchase",
            "MessageBody": {"From": "YVR", "To": "SEA", "Execution.$": "$$.Execution.Id"}
        }}),
    );
    assert_eq!(
        ok_with(def, json!({}), dg_names()),
        json!({
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/flight-purchase",
            "MessageBody": {
                "From": "YVR",
                "To": "SEA",
                "Execution": "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName"
            }
        })
    );
}

// DG input-output-contextobject.html field list + docs/semantics/context-object.md §3: `Execution.Input` is the
// execution input (not the state input); `State.Name`, `StateMachine.Name`, `Execution.Name`,
// and the ARN forms of `Execution.Id` / `StateMachine.Id`.
#[test]
fn context_execution_state_and_machine_fields() {
    let def = json!({
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": {"replaced": true}, "Next": "Second"},
            "Second": {"Type": "Pass", "Parameters": {
                "input.$": "$$.Execution.Input",
                "state.$": "$$.State.Name",
                "machine.$": "$$.StateMachine.Name",
                "name.$": "$$.Execution.Name",
                "id.$": "$$.Execution.Id",
                "machineId.$": "$$.StateMachine.Id",
                "current.$": "$"
            }, "End": true}
        }
    });
    assert_eq!(
        ok_with(def, json!({"key": "value"}), dg_names()),
        json!({
            "input": {"key": "value"},
            "state": "Second",
            "machine": "stateMachineName",
            "name": "executionName",
            "id": "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName",
            "machineId": "arn:aws:states:us-east-1:123456789012:stateMachine:stateMachineName",
            "current": {"replaced": true}
        })
    );
}

fn start_time_text(ms: i64) -> Value {
    let opts = RunOptions {
        start_time: Some(ms),
        ..RunOptions::default()
    };
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {"t.$": "$$.Execution.StartTime"}}),
    );
    let out = exec_with(def, json!({}), opts);
    out.output.expect("succeeded")["t"].clone()
}

// DG input-output-contextobject.html: StartTime is ISO 8601 UTC, like "2019-03-26T20:14:13.192Z".
// (2024-01-01T00:00:00Z = 1_704_067_200_000 ms.)
#[test]
fn context_start_time_format() {
    assert_eq!(
        start_time_text(1_704_067_200_192),
        json!("2024-01-01T00:00:00.192Z")
    );
}

// DG input-output-contextobject.html: "when a timestamp has zero fractional seconds, trailing
// zeros are removed", so a start exactly on the second has no fraction (docs/semantics/context-object.md §3).
#[test]
fn context_timestamp_zero_fraction_has_no_fraction() {
    assert_eq!(
        start_time_text(1_704_067_200_000),
        json!("2024-01-01T00:00:00Z")
    );
}

// DG input-output-contextobject.html: `$$` may be used in InputPath; only some members of the
// context object are checked. (The OutputPath and Choice parts of this example are the corpus
// cases context/outputpath-on-execution-input and context/choice-variable-on-execution-input.)
#[test]
fn context_in_inputpath() {
    let def = single("P", json!({"Type": "Pass", "InputPath": "$$"}));
    let ctx = ok(def, json!({"k": 1}));
    assert_eq!(ctx["Execution"]["Input"], json!({"k": 1}));
    assert_eq!(ctx["State"]["Name"], json!("P"));
    assert!(ctx["StateMachine"]["Id"].is_string(), "{ctx}");
}

// ---------------------------------------------------------------------------------------------
// Wait
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html ; docs/semantics/wait.md §9
// ---------------------------------------------------------------------------------------------

fn wait_then_time(mut wait: Value) -> Value {
    wait["Type"] = json!("Wait");
    wait["Next"] = json!("After");
    json!({
        "StartAt": "W",
        "States": {
            "W": wait,
            "After": {"Type": "Pass", "Parameters": {
                "entered.$": "$$.State.EnteredTime",
                "start.$": "$$.Execution.StartTime",
                "input.$": "$"
            }, "End": true}
        }
    })
}

// DG state-wait.html: "wait_ten_seconds" (Seconds 10) delays the next state by ten seconds;
// the Wait output is its input.
#[test]
fn wait_seconds_delays_next_state() {
    let out = ok(wait_then_time(json!({"Seconds": 10})), json!({"k": "v"}));
    let delay = millis(&out["entered"]) - millis(&out["start"]);
    assert!((10_000..11_000).contains(&delay), "delay {delay} ms: {out}");
    assert_eq!(out["input"], json!({"k": "v"}));
}

// DG state-wait.html: Timestamp "2016-03-14T01:59:00Z" and TimestampPath "$.expirydate" with
// input {"expirydate": "2016-03-14T01:59:00Z"}; a past time ends the wait at once (§9).
#[test]
fn wait_timestamp_and_timestamp_path_in_the_past() {
    let out = ok(
        wait_then_time(json!({"Timestamp": "2016-03-14T01:59:00Z"})),
        json!({}),
    );
    assert!(
        millis(&out["entered"]) - millis(&out["start"]) < 1_000,
        "{out}"
    );

    let input = json!({"expirydate": "2016-03-14T01:59:00Z"});
    let out = ok(
        wait_then_time(json!({"TimestampPath": "$.expirydate"})),
        input.clone(),
    );
    assert_eq!(out["input"], input);
}

// DG state-wait.html: SecondsPath selects the number of seconds from the input.
#[test]
fn wait_seconds_path() {
    let out = ok(
        wait_then_time(json!({"SecondsPath": "$.input.waitSeconds"})),
        json!({"input": {"waitSeconds": 5}}),
    );
    let delay = millis(&out["entered"]) - millis(&out["start"]);
    assert!((5_000..6_000).contains(&delay), "delay {delay} ms: {out}");
}

// ---------------------------------------------------------------------------------------------
// History — docs/semantics/execution.md §13.4
// ---------------------------------------------------------------------------------------------

// docs/semantics/execution.md §13.4 "Wait" and "Succeed": WaitStateEntered → WaitStateExited,
// SucceedStateEntered → SucceedStateExited → ExecutionSucceeded; the exit comes Seconds later.
#[test]
fn history_wait_and_succeed() {
    let def = json!({
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }
    });
    let out = with_history(def, json!({}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("WaitStateEntered", 2, 0),
            ev("WaitStateExited", 3, 2),
            ev("SucceedStateEntered", 4, 3),
            ev("SucceedStateExited", 5, 4),
            ev("ExecutionSucceeded", 6, 5)
        ]
    );
    let h = out.history.as_ref().unwrap().to_values();
    let waited = millis(&h[2]["timestamp"]) - millis(&h[1]["timestamp"]);
    assert!((10_000..11_000).contains(&waited), "{waited} ms");
}
