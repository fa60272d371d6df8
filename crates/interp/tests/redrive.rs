//! Redrive (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html):
//! a run that did not succeed says where it stopped, and a redrive continues there. The
//! documentation's rules checked here: the unsuccessful step runs again with the same input,
//! the steps that succeeded do not; a Parallel or inline Map runs again only the branches or
//! iterations that failed; `$$.Execution.RedriveCount` counts redrives and `RedriveTime`
//! appears; the history of the redrive opens with `ExecutionRedriven`.

use aslcheck_interp::engine::{run, Outcome, Redrive, RunOptions, Status};
use serde_json::{json, Value};

fn machine(def: Value) -> aslcheck_interp::asl::model::Machine {
    aslcheck_interp::asl::parse_definition(def)
        .expect("valid definition")
        .machine
}

fn first_run(m: &aslcheck_interp::asl::model::Machine, input: &Value) -> Outcome {
    run(
        m,
        input,
        RunOptions {
            history: true,
            resumable: true,
            start_time: Some(1_000_000),
            ..RunOptions::default()
        },
    )
}

fn redrive(m: &aslcheck_interp::asl::model::Machine, input: &Value, first: &Outcome) -> Outcome {
    let from = first
        .resume
        .clone()
        .expect("a failed run says where it stopped");
    run(
        m,
        input,
        RunOptions {
            history: true,
            resumable: true,
            start_time: Some(5_000_000),
            redrive: Some(Redrive {
                from,
                count: 1,
                started: 1_000_000,
                prior_events: 0,
            }),
            ..RunOptions::default()
        },
    )
}

fn events(o: &Outcome) -> Vec<Value> {
    o.history.as_ref().expect("history").to_values()
}

fn entered(o: &Outcome, name: &str) -> usize {
    events(o)
        .iter()
        .filter(|e| e["stateEnteredEventDetails"]["name"] == name)
        .count()
}

/// Fails on the first run, succeeds once the execution has been redriven.
fn fails_until_redriven(next_ok: &str) -> Value {
    json!({"Type": "Choice", "Default": next_ok, "Choices": [
        {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0, "Next": "Boom"}]})
}

#[test]
fn a_parallel_runs_again_only_its_failed_branch_with_the_variables_it_saw() {
    let m = machine(json!({"StartAt": "Setup", "States": {
        "Setup": {"Type": "Pass", "Result": {"a": 1}, "Assign": {"n": 5}, "Next": "Work"},
        "Work": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": "one", "End": true}}},
            {"StartAt": "Gate", "States": {
                "Gate": fails_until_redriven("Fine"),
                "Boom": {"Type": "Fail", "Error": "E", "Cause": "first run"},
                "Fine": {"Type": "Pass", "Result": "two", "End": true}}}]},
        "After": {"Type": "Pass", "End": true, "Parameters": {
            "n.$": "$n", "r.$": "$",
            "count.$": "$$.Execution.RedriveCount",
            "time.$": "$$.Execution.RedriveTime",
            "start.$": "$$.Execution.StartTime"}}}}));
    let input = json!({});
    let first = first_run(&m, &input);
    assert_eq!(first.status, Status::Failed);
    assert_eq!(first.error.as_deref(), Some("E"));
    let point = first.resume.clone().unwrap();
    assert_eq!(point.state, "Work");
    assert_eq!(point.input, json!({"a": 1}));
    assert_eq!(point.variables.get("n"), Some(&json!(5)));
    assert_eq!(point.kept, vec![Some(json!("one")), None]);

    let again = redrive(&m, &input, &first);
    assert_eq!(again.status, Status::Succeeded, "{:?}", again.cause);
    assert_eq!(
        again.output,
        Some(json!({"n": 5, "r": ["one", "two"], "count": 1,
                    "time": "1970-01-01T01:23:20Z", "start": "1970-01-01T00:16:40Z"}))
    );
    let ev = events(&again);
    assert_eq!(ev[0]["type"], "ExecutionRedriven");
    assert_eq!(
        ev[0]["executionRedrivenEventDetails"],
        json!({"redriveCount": 1})
    );
    assert_eq!(ev[1]["type"], "ParallelStateEntered");
    assert_eq!(ev[1]["previousEventId"], 1);
    assert_eq!(
        entered(&again, "Setup"),
        0,
        "a step that succeeded is not run again"
    );
    assert_eq!(
        entered(&again, "B1"),
        0,
        "a branch that succeeded is not run again"
    );
    assert_eq!(entered(&again, "Gate"), 1);
    assert!(again.resume.is_none());
}

#[test]
fn an_inline_map_runs_again_only_its_failed_iterations() {
    let m = machine(json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Gate", "States": {
            "Gate": {"Type": "Choice", "Default": "Fine", "Choices": [{"And": [
                {"Variable": "$", "NumericEquals": 1},
                {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0}], "Next": "Boom"}]},
            "Boom": {"Type": "Fail", "Error": "E"},
            "Fine": {"Type": "Pass", "End": true}}}}}}));
    let input = json!([0, 1, 2]);
    let first = first_run(&m, &input);
    assert_eq!(first.status, Status::Failed);
    assert_eq!(
        first.resume.as_ref().unwrap().kept,
        vec![Some(json!(0)), None, Some(json!(2))]
    );
    let again = redrive(&m, &input, &first);
    assert_eq!(again.status, Status::Succeeded, "{:?}", again.cause);
    assert_eq!(again.output, Some(json!([0, 1, 2])));
    let started: Vec<Value> = events(&again)
        .iter()
        .filter(|e| e["type"] == "MapIterationStarted")
        .map(|e| e["mapIterationStartedEventDetails"]["index"].clone())
        .collect();
    assert_eq!(started, vec![json!(1)]);
}

#[test]
fn the_failed_task_state_runs_again_with_its_input_and_a_fresh_timeout() {
    // The execution timeout counts again from the redrive: 10 s from the start stops the
    // first run in the Wait; the redrive starts the Wait afresh and ends 8 s after it.
    let m = machine(json!({"TimeoutSeconds": 10, "StartAt": "Step", "States": {
        "Step": {"Type": "Pass", "Result": {"b": 2}, "Next": "Long"},
        "Long": {"Type": "Wait", "Seconds": 8, "Next": "Longer"},
        "Longer": {"Type": "Wait", "Seconds": 8, "End": true}}}));
    let first = first_run(&m, &json!({}));
    assert_eq!(first.status, Status::TimedOut);
    let point = first.resume.clone().unwrap();
    assert_eq!(point.state, "Longer");
    assert_eq!(point.input, json!({"b": 2}));
    let again = redrive(&m, &json!({}), &first);
    assert_eq!(again.status, Status::Succeeded, "{:?}", again.cause);
    assert_eq!(again.output, Some(json!({"b": 2})));
    assert_eq!(again.stopped_at, 5_000_000 + 8_000);
    assert_eq!(entered(&again, "Long"), 0);
}

#[test]
fn a_run_that_succeeds_has_no_resume_point_and_a_run_without_resumable_keeps_none() {
    let m = machine(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}));
    assert!(first_run(&m, &json!({})).resume.is_none());
    let f = machine(json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}));
    assert_eq!(first_run(&f, &json!({})).resume.unwrap().state, "F");
    let plain = run(&f, &json!({}), RunOptions::default());
    assert!(plain.resume.is_none());
}

#[test]
fn a_resume_point_round_trips_through_json() {
    let f = machine(json!({"StartAt": "W", "States": {
        "W": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}]}}}));
    let point = first_run(&f, &json!({"x": [1]})).resume.unwrap();
    let back = aslcheck_interp::engine::ResumePoint::from_json(&point.to_json()).unwrap();
    assert_eq!(back, point);
    let err = aslcheck_interp::engine::ResumePoint::from_json(&json!({"state": 1})).unwrap_err();
    assert_eq!(err, "/state: expected a string");
    // A kept output of `null` stays an output.
    let mut with_null = point.clone();
    with_null.kept = vec![Some(Value::Null), None];
    let back = aslcheck_interp::engine::ResumePoint::from_json(&with_null.to_json()).unwrap();
    assert_eq!(back.kept, vec![Some(Value::Null), None]);
}

#[test]
fn a_redrive_numbers_its_events_after_the_earlier_ones_causes_included() {
    let m = machine(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "InputPath": "$.missing", "End": true}}}));
    let input = json!({});
    let first = first_run(&m, &input);
    assert_eq!(first.status, Status::Failed);
    let again = run(
        &m,
        &input,
        RunOptions {
            history: true,
            resumable: true,
            redrive: Some(Redrive {
                from: first.resume.clone().unwrap(),
                count: 1,
                started: 1_000_000,
                prior_events: 10,
            }),
            ..RunOptions::default()
        },
    );
    let ev = events(&again);
    assert_eq!(
        (ev[0]["id"].clone(), ev[1]["id"].clone()),
        (json!(11), json!(12))
    );
    assert_eq!(ev[1]["previousEventId"], 11);
    let cause = again.cause.unwrap_or_default();
    assert!(cause.contains("(entered at the event id #12)"), "{cause}");
}
