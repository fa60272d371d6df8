//! Task states, Retry/Catch timing, callbacks and mocks (docs/semantics/errors.md §6, §10).

use std::path::PathBuf;
use std::process::{Command, Output};

use aslcheck::asl::parse_definition;
use aslcheck::data::timestamp::parse_millis;
use aslcheck::engine::{run, Outcome, RunOptions, Status};
use serde_json::{json, Value};

fn exec(def: Value, input: Value, seed: u64) -> Outcome {
    let d = parse_definition(def).expect("valid definition");
    run(
        &d.machine,
        &input,
        RunOptions {
            seed,
            history: true,
            ..RunOptions::default()
        },
    )
}

fn events(o: &Outcome) -> Vec<Value> {
    o.history.as_ref().unwrap().to_values()
}

fn at(e: &Value) -> i64 {
    parse_millis(e["timestamp"].as_str().unwrap()).unwrap()
}

/// Seconds between consecutive events of type `kind`.
fn gaps(o: &Outcome, kind: &str) -> Vec<f64> {
    let times: Vec<i64> = events(o)
        .iter()
        .filter(|e| e["type"] == kind)
        .map(at)
        .collect();
    times
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64 / 1000.0)
        .collect()
}

const FLAKY: &str = "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-flaky";

fn flaky_machine(failures: u64, retrier: Value) -> Value {
    json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": FLAKY,
        "Parameters": {"attempt.$": "$$.State.RetryCount", "failures": failures, "error": "Flaky"},
        "Retry": [retrier], "End": true}}})
}

// docs/semantics/errors.md §6.3: delay_k = min(Interval × Backoff^(k−1), MaxDelay): 3, 4.5, 5, 5.
#[test]
fn retry_delays_are_exact_on_the_virtual_clock() {
    let o = exec(
        flaky_machine(
            4,
            json!({"ErrorEquals": ["Flaky"], "IntervalSeconds": 3, "BackoffRate": 1.5, "MaxDelaySeconds": 5, "MaxAttempts": 4}),
        ),
        json!({}),
        0,
    );
    assert_eq!(o.status, Status::Succeeded, "{o:?}");
    assert_eq!(
        gaps(&o, "LambdaFunctionScheduled"),
        vec![3.0, 4.5, 5.0, 5.0]
    );
    assert_eq!(o.output.unwrap()["attempt"], 4);
}

// §6.3: FULL jitter draws the delay uniformly from [0, base]; the run's seed makes it reproducible.
#[test]
fn full_jitter_is_bounded_and_reproducible() {
    let def = flaky_machine(
        3,
        json!({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 2, "MaxAttempts": 3, "JitterStrategy": "FULL"}),
    );
    let a = gaps(&exec(def.clone(), json!({}), 42), "LambdaFunctionScheduled");
    let b = gaps(&exec(def.clone(), json!({}), 42), "LambdaFunctionScheduled");
    assert_eq!(a, b);
    for (k, g) in a.iter().enumerate() {
        let base = 10.0 * 2f64.powi(k as i32);
        assert!(
            (0.0..=base).contains(g),
            "retry {k}: {g} not in [0, {base}]"
        );
    }
    let others: Vec<Vec<f64>> = (0..5)
        .map(|s| gaps(&exec(def.clone(), json!({}), s), "LambdaFunctionScheduled"))
        .collect();
    assert!(
        others.iter().any(|g| g != &a),
        "other seeds draw other delays"
    );
}

#[test]
fn max_attempts_zero_never_retries() {
    let o = exec(
        flaky_machine(1, json!({"ErrorEquals": ["Flaky"], "MaxAttempts": 0})),
        json!({}),
        0,
    );
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("Flaky"));
    let scheduled = events(&o)
        .iter()
        .filter(|e| e["type"] == "LambdaFunctionScheduled")
        .count();
    assert_eq!(scheduled, 1);
}

// Retries log a new Scheduled right after the failure, without TaskStateExited (§13.4).
#[test]
fn retry_history_follows_aws() {
    let o = exec(
        flaky_machine(1, json!({"ErrorEquals": ["Flaky"], "IntervalSeconds": 1})),
        json!({}),
        0,
    );
    let evs = events(&o);
    let seq: Vec<(&str, u64, u64)> = evs
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["id"].as_u64().unwrap(),
                e["previousEventId"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seq,
        vec![
            ("ExecutionStarted", 1, 0),
            ("TaskStateEntered", 2, 0),
            ("LambdaFunctionScheduled", 3, 2),
            ("LambdaFunctionStarted", 4, 3),
            ("LambdaFunctionFailed", 5, 4),
            ("LambdaFunctionScheduled", 6, 5),
            ("LambdaFunctionStarted", 7, 6),
            ("LambdaFunctionSucceeded", 8, 7),
            ("TaskStateExited", 9, 8),
            ("ExecutionSucceeded", 10, 9),
        ]
    );
}

// A flaky task retried with backoff totalling a day of virtual time.
#[test]
fn a_day_of_backoff_costs_no_wall_clock_time() {
    let def = json!({"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "T"},
        "T": {"Type": "Task", "Resource": FLAKY,
              "Parameters": {"attempt.$": "$$.State.RetryCount", "failures": 5, "error": "Flaky"},
              "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2787, "BackoffRate": 2, "MaxAttempts": 5}],
              "ResultPath": "$.task", "Next": "After"},
        "After": {"Type": "Succeed"}}});
    let o = exec(def, json!({}), 0);
    assert_eq!(o.status, Status::Succeeded);
    let h = events(&o);
    let total = at(h.last().unwrap()) - at(&h[0]);
    // 2787 × (1 + 2 + 4 + 8 + 16) = 86,397 s.
    assert_eq!(total, 86_397_000);
}

// Lambda errors: error = errorType, cause = the JSON error document (§6.4, §10.5); caught with
// the Catcher's ResultPath merged into the raw input.
#[test]
fn a_failing_fixture_is_caught_with_its_lambda_cause() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-fail",
              "Catch": [{"ErrorEquals": ["CustomError"], "ResultPath": "$.error-info", "Next": "Handled"}], "End": true},
        "Handled": {"Type": "Pass", "End": true}}});
    let o = exec(def, json!({"error": "CustomError", "cause": "it broke"}), 0);
    assert_eq!(o.status, Status::Succeeded);
    let out = o.output.unwrap();
    assert_eq!(out["error"], "CustomError");
    assert_eq!(out["error-info"]["Error"], "CustomError");
    let cause: Value = serde_json::from_str(out["error-info"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["errorMessage"], "it broke");
    assert_eq!(cause["errorType"], "CustomError");
}

// §10.2/§6.4: a task that runs past TimeoutSeconds fails with States.Timeout; caught, the Error
// Output has an empty Cause.
#[test]
fn task_timeout_is_states_timeout_with_empty_cause() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-sleep",
              "TimeoutSeconds": 5, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}], "End": true},
        "Handled": {"Type": "Pass", "End": true}}});
    let o = exec(def.clone(), json!({"seconds": 60}), 0);
    assert_eq!(
        o.output,
        Some(json!({"Error": "States.Timeout", "Cause": ""}))
    );
    assert!(events(&o)
        .iter()
        .any(|e| e["type"] == "LambdaFunctionTimedOut"));
    let o = exec(def, json!({"seconds": 2}), 0);
    assert_eq!(o.output, Some(json!({"seconds": 2})));
}

// §6.1: States.TaskFailed matches every error except States.Timeout.
#[test]
fn task_failed_does_not_match_timeouts() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-sleep",
              "TimeoutSeconds": 1, "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}], "End": true},
        "Handled": {"Type": "Pass", "End": true}}});
    let o = exec(def, json!({"seconds": 10}), 0);
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("States.Timeout"));
    assert_eq!(o.cause, None);
}

#[test]
fn timeout_seconds_path_reads_the_input() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-sleep",
              "TimeoutSecondsPath": "$.limit", "End": true}}});
    let o = exec(def.clone(), json!({"seconds": 3, "limit": 2}), 0);
    assert_eq!(o.error.as_deref(), Some("States.Timeout"));
    let o = exec(def, json!({"seconds": 3}), 0);
    assert_eq!(o.error.as_deref(), Some("States.Runtime"));
    assert!(o
        .cause
        .unwrap()
        .ends_with("Invalid path '$.limit' : No results for path: $['limit']"));
}

// §10.4: lambda:invoke returns the Invoke response envelope around the payload.
#[test]
fn lambda_invoke_returns_the_envelope() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-echo", "Payload.$": "$"},
        "OutputPath": "$.Payload", "End": true}}});
    let o = exec(def, json!({"a": [1, 2]}), 0);
    assert_eq!(o.output, Some(json!({"a": [1, 2]})));
    let evs = events(&o);
    let types: Vec<&str> = evs.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types[2..5],
        ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    );
    assert_eq!(
        events(&o)[2]["taskScheduledEventDetails"]["resourceType"],
        "lambda"
    );
    assert_eq!(
        events(&o)[2]["taskScheduledEventDetails"]["resource"],
        "invoke"
    );
}

// ---- callbacks, from the CLI (the callback workflow pattern of docs/callbacks.md) ----

fn data(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

fn cli(args: &[&str]) -> (Value, String, Option<i32>) {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (v, stderr, o.status.code())
}

fn approval(machine: &str, script: &str, input: &str) -> (Value, String) {
    let input_file =
        std::env::temp_dir().join(format!("aslcheck-tasks-{}-{script}", std::process::id()));
    std::fs::write(&input_file, input).unwrap();
    let (v, e, code) = cli(&[
        "run",
        data(&format!("callbacks/{machine}")).to_str().unwrap(),
        "--callbacks",
        data(&format!("callbacks/{script}")).to_str().unwrap(),
        "--input",
        input_file.to_str().unwrap(),
        "--history",
    ]);
    assert_eq!(code, Some(0), "{e}");
    (v, e)
}

#[test]
fn sqs_approval_approve() {
    let (v, _) = approval(
        "sqs_approval.json",
        "sqs_approve.json",
        r#"{"order_id": "o-1"}"#,
    );
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(
        v["output"],
        json!({"approved": true, "approver": "user@example.com"})
    );
    let h = v["history"].as_array().unwrap();
    let types: Vec<&str> = h.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types[2..6],
        [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded"
        ]
    );
    // The request AWS would send, with the token in the message body.
    let params: Value = serde_json::from_str(
        h[2]["taskScheduledEventDetails"]["parameters"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(params["MessageBody"]["order_id"], "o-1");
    assert!(params["MessageBody"]["token"].as_str().unwrap().len() > 20);
    assert_eq!(h[2]["taskScheduledEventDetails"]["timeoutInSeconds"], 86400);
}

#[test]
fn sqs_approval_reject() {
    let (v, _) = approval(
        "sqs_approval.json",
        "sqs_reject.json",
        r#"{"order_id": "o-2"}"#,
    );
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "RejectedError");
    assert_eq!(v["cause"], "Order rejected by approver");
}

#[test]
fn sqs_approval_heartbeats_keep_the_task_alive() {
    let (v, _) = approval(
        "sqs_approval.json",
        "sqs_heartbeat.json",
        r#"{"order_id": "o-3"}"#,
    );
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    let (v, _) = approval(
        "sqs_approval.json",
        "sqs_heartbeat_missed.json",
        r#"{"order_id": "o-4"}"#,
    );
    // The second heartbeat never came: the heartbeat timer (3600 s) expired at 3000 + 3600 s.
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "States.Timeout");
    let h = v["history"].as_array().unwrap();
    assert_eq!(h[h.len() - 2]["type"], "TaskTimedOut");
    assert_eq!(h.last().unwrap()["timestamp"], "2024-01-01T01:50:00Z");
}

#[test]
fn sqs_approval_times_out_without_an_answer() {
    let input = std::env::temp_dir().join(format!(
        "aslcheck-tasks-noanswer-{}.json",
        std::process::id()
    ));
    std::fs::write(&input, r#"{"order_id": "o-5"}"#).unwrap();
    let d = data("callbacks/sqs_approval.json");
    let (v, _, code) = cli(&[
        "run",
        d.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--history",
    ]);
    assert_eq!(code, Some(0));
    // No callback at all: the heartbeat timer (1 h) expires before TimeoutSeconds (1 day).
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "States.Timeout");
    assert_eq!(
        v["history"].as_array().unwrap().last().unwrap()["timestamp"],
        "2024-01-01T01:00:00Z"
    );
}

#[test]
fn human_approval_approve_reject_and_expire() {
    let (v, _) = approval(
        "human_approval.json",
        "human_approve.json",
        r#"{"request": "vacation"}"#,
    );
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["output"], json!({"approved": true}));
    let (v, _) = approval(
        "human_approval.json",
        "human_reject.json",
        r#"{"request": "vacation"}"#,
    );
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "Rejected");
    // The answer comes after the 7-day TimeoutSeconds: States.Timeout is caught → RequestExpired.
    let (v, _) = approval(
        "human_approval.json",
        "human_late.json",
        r#"{"request": "vacation"}"#,
    );
    assert_eq!(v["status"], "FAILED");
    assert_eq!(v["error"], "Expired");
    let h = v["history"].as_array().unwrap();
    let entered = h.iter().find(|e| e["type"] == "FailStateEntered").unwrap();
    let input: Value = serde_json::from_str(
        entered["stateEnteredEventDetails"]["input"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(input, json!({"Error": "States.Timeout", "Cause": ""}));
    assert_eq!(entered["timestamp"], "2024-01-08T00:00:00Z");
}

#[test]
fn a_callback_for_an_unknown_token_is_reported() {
    let (v, e) = approval("human_approval.json", "unknown_token.json", r#"{}"#);
    assert!(
        e.contains("TaskDoesNotExist") && e.contains("not-a-real-token"),
        "{e}"
    );
    // The real task never got an answer.
    assert_eq!(v["error"], "Expired");
}

#[test]
fn a_bad_callback_script_is_refused() {
    let f = std::env::temp_dir().join(format!(
        "aslcheck-bad-callbacks-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &f,
        r#"{"Callbacks": [{"State": "X", "AfterSeconds": -1, "Success": {}}]}"#,
    )
    .unwrap();
    let d = data("callbacks/human_approval.json");
    let (_, e, code) = cli(&[
        "run",
        d.to_str().unwrap(),
        "--callbacks",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(e.contains("/Callbacks/0/AfterSeconds"), "{e}");
}

// ---- mocks: the MockConfigFile example of the AWS documentation, unchanged ----

fn mocked(case: &str) -> (Value, String, Option<i32>) {
    cli(&[
        "run",
        data("mocks/LambdaSQSIntegration.json").to_str().unwrap(),
        "--mock-config",
        data("mocks/MockConfigFile.json").to_str().unwrap(),
        "--test-case",
        case,
        "--history",
    ])
}

#[test]
fn mock_happy_path() {
    let (v, e, code) = mocked("HappyPath");
    assert_eq!(code, Some(0), "{e}");
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(
        v["output"],
        json!({"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51", "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"})
    );
}

#[test]
fn mock_retry_path_fails_three_times_then_succeeds() {
    let (v, _, _) = mocked("RetryPath");
    assert_eq!(v["status"], "SUCCEEDED");
    let h = v["history"].as_array().unwrap();
    let failed: Vec<String> = h
        .iter()
        .filter(|e| e["type"] == "TaskFailed")
        .map(|e| {
            e["taskFailedEventDetails"]["error"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        failed,
        [
            "Lambda.ResourceNotReadyException",
            "Lambda.TimeoutException",
            "Lambda.TimeoutException"
        ]
    );
}

#[test]
fn mock_hybrid_path_mocks_only_the_lambda() {
    let (v, _, _) = mocked("HybridPath");
    assert_eq!(v["status"], "SUCCEEDED");
    // SQSState is not mocked: the SQS simulator answers with SendMessage's response shape.
    assert!(v["output"]["MessageId"].is_string());
    assert_eq!(v["output"]["MD5OfMessageBody"].as_str().unwrap().len(), 32);
}

#[test]
fn a_mock_naming_a_missing_state_is_refused() {
    let f = std::env::temp_dir().join(format!("aslcheck-bad-mock-{}.json", std::process::id()));
    std::fs::write(
        &f,
        r#"{"StateMachines": {"M": {"TestCases": {"T": {"NoSuchState": "R"}}}}, "MockedResponses": {"R": {"0": {"Return": {}}}}}"#,
    )
    .unwrap();
    let (_, e, code) = cli(&[
        "run",
        data("mocks/LambdaSQSIntegration.json").to_str().unwrap(),
        "--mock-config",
        f.to_str().unwrap(),
        "--test-case",
        "T",
    ]);
    assert_eq!(code, Some(2));
    assert!(e.contains("no state named 'NoSuchState'"), "{e}");
}

#[test]
fn a_negative_timeout_is_a_definition_error() {
    let f = std::env::temp_dir().join(format!("aslcheck-neg-timeout-{}.json", std::process::id()));
    std::fs::write(
        &f,
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "TimeoutSeconds": -5, "End": true}}}"#,
    )
    .unwrap();
    let (_, e, code) = cli(&["run", f.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(e.contains("/States/T/TimeoutSeconds"), "{e}");
}
