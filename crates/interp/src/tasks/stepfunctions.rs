//! AWS Step Functions as a service: `states:startExecution` (request-response), `.sync`,
//! `.sync:2`, `.waitForTaskToken`, and the SDK form `aws-sdk:sfn:startExecution`
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html>).
//!
//! The child is `world.states[<name>]`, addressed as
//! `arn:aws:states:<region>:<account>:stateMachine:<name>`. It runs on the reference, to the end,
//! when the task starts: with the `Input` (a string is the JSON text of the input, any other value
//! is the input itself; none, or `null`, is `{}`), the `Name` (else a UUID), starting at the
//! call's virtual time, against the same world and fixture functions; its history is not part of
//! the parent's. A `.sync` task takes as long as the child ran (virtual time); the other forms
//! answer at once (the child's effects on the world are already there).
//!
//! Responses, as the recorded AWS runs show them:
//! - request-response: `{"ExecutionArn", "StartDate"}` (the SDK form, recorded in
//!   `test_sfn_start_execution_implicit_json_serialisation`, 2025-11-06); the optimized form adds
//!   `SdkHttpMetadata`/`SdkResponseMetadata` like the other optimized request-response
//!   integrations (UNVERIFIED: no recording of the optimized request-response form);
//! - `.sync`: DescribeExecution with Step Functions' capitalised names, `Input` and `Output` as
//!   JSON text, `RedriveCount`, `RedriveStatus`, `RedriveStatusReason`
//!   (`test_cross_account_states_start_sync_execution`, 2024-12-04);
//! - `.sync:2`: the same with `Input` and `Output` as JSON (`test_start_execution_sync2`,
//!   2023-08-12, which has no `Redrive` members: neither does this form);
//! - a child that does not succeed fails the task with `States.TaskFailed`, its cause the JSON
//!   text of the child's DescribeExecution (`Cause`, `Error` when it has them, no `Output`)
//!   (`test_start_execution_sync_delegate_failure`, `…_delegate_timeout`, 2023-07-05).
//!
//! `StartDate`/`StopDate` are epoch milliseconds (UNVERIFIED: the recordings redact them).
//! A machine that is not in the world fails the task with
//! `StepFunctions.StateMachineDoesNotExistException` (`Sfn.StateMachineDoesNotExistException` in
//! the SDK form), the error name of the StartExecution API
//! (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_Errors>).

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use super::{services, Invocation, Registry, Response};
use crate::asl::load::parse_definition;
use crate::engine::{self, Outcome, RunOptions, Status};
use crate::errors::{Failure, TASK_FAILED};

/// Nested executions deeper than this fail the task (a machine that starts itself would
/// otherwise never end).
pub const MAX_DEPTH: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `states:startExecution` and `.waitForTaskToken`.
    Start,
    /// `aws-sdk:sfn:startExecution`.
    Sdk,
    /// `.sync`: DescribeExecution with JSON text.
    Sync,
    /// `.sync:2`: DescribeExecution with JSON.
    Sync2,
}

/// Handles Step Functions resources; `None` for any other resource.
pub fn invoke(call: &Invocation<'_>, registry: &Registry) -> Option<Response> {
    let form = match call.resource {
        "arn:aws:states:::states:startExecution"
        | "arn:aws:states:::states:startExecution.waitForTaskToken" => Form::Start,
        "arn:aws:states:::states:startExecution.sync" => Form::Sync,
        "arn:aws:states:::states:startExecution.sync:2" => Form::Sync2,
        "arn:aws:states:::aws-sdk:sfn:startExecution" => Form::Sdk,
        _ => return None,
    };
    Some(match start(call, registry, form) {
        Ok((after_ms, v)) => Response::Done {
            after_ms,
            result: Ok(v),
        },
        Err(f) => Response::err(f),
    })
}

fn start(call: &Invocation<'_>, registry: &Registry, form: Form) -> Result<(i64, Value), Failure> {
    let sdk = form == Form::Sdk;
    let api_error = |code: &str, message: String| {
        let (prefix, service) = if sdk {
            (
                "Sfn",
                format!(
                    "(Service: Sfn, Status Code: 400, Request ID: {})",
                    call.request_id
                ),
            )
        } else {
            (
                "StepFunctions",
                format!(
                    "(Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: {}; Proxy: null)",
                    call.request_id
                ),
            )
        };
        Failure::raised(
            format!("{prefix}.{code}Exception"),
            format!("{message} {service}"),
        )
    };
    let arn = call
        .input
        .get("StateMachineArn")
        .and_then(Value::as_str)
        .unwrap_or("");
    let parts: Vec<&str> = arn.split(':').collect();
    let (region, account, machine) = match parts.as_slice() {
        ["arn", _, "states", region, account, "stateMachine", name] => (*region, *account, *name),
        _ => {
            return Err(api_error(
                "InvalidArn",
                format!("Invalid Arn: 'Resource type not valid in this context: {arn}'"),
            ))
        }
    };
    let child = registry.world.lock().states.get(machine).cloned();
    let Some(child) = child else {
        return Err(api_error(
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{arn}'"),
        ));
    };
    let input_text = match call.input.get("Input") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    };
    let input: Value = serde_json::from_str(&input_text).map_err(|e| {
        api_error(
            "InvalidExecutionInput",
            format!("Invalid State Machine Execution Input: '{e}'"),
        )
    })?;
    let name = match call.input.get("Name") {
        Some(Value::String(n)) => n.clone(),
        _ => services::derived_uuid(call.request_id, "execution-name"),
    };
    if !valid_name(&name) {
        return Err(api_error("InvalidName", format!("Invalid Name: '{name}'")));
    }
    if registry.depth >= MAX_DEPTH {
        return Err(Failure::raised(
            TASK_FAILED,
            format!("aslcheck runs nested executions at most {MAX_DEPTH} levels deep; '{arn}' would be level {}", registry.depth + 1),
        ));
    }
    let def = parse_definition(child.definition.clone()).map_err(|e| {
        Failure::raised(
            TASK_FAILED,
            format!("the world's state machine '{machine}' has an invalid definition: {e}"),
        )
    })?;
    let resources = Registry {
        mocks: None,
        functions: registry.functions.clone(),
        world: registry.world.clone(),
        execution: Default::default(),
        depth: registry.depth + 1,
    };
    let seed =
        u64::from_str_radix(&services::derived_hex(call.request_id, "seed", 16), 16).unwrap_or(0);
    let options = RunOptions {
        seed,
        start_time: Some(call.now),
        state_machine_name: Cow::Owned(machine.to_string()),
        execution_name: Some(name.clone()),
        region: Cow::Owned(region.to_string()),
        account: Cow::Owned(account.to_string()),
        express: child.express,
        resources: Box::new(resources),
        ..RunOptions::default()
    };
    // The world is not locked here: the child locks it for each of its own operations.
    let outcome = engine::run(&def.machine, &input, options);
    let execution_arn = if child.express {
        format!(
            "arn:aws:states:{region}:{account}:express:{machine}:{name}:{}",
            services::derived_uuid(call.request_id, "express-id")
        )
    } else {
        format!("arn:aws:states:{region}:{account}:execution:{machine}:{name}")
    };
    let started = json!({"ExecutionArn": execution_arn, "StartDate": call.now});
    match form {
        Form::Sdk => Ok((0, started)),
        Form::Start => {
            let mut out = started.as_object().cloned().unwrap_or_default();
            let length = serde_json::to_string(&started).map_or(0, |s| s.len());
            services::add_metadata(
                &mut out,
                "application/x-amz-json-1.0",
                length,
                call.request_id,
                call.now,
            );
            Ok((0, Value::Object(out)))
        }
        Form::Sync | Form::Sync2 => {
            let after = (outcome.stopped_at - call.now).max(0);
            let describe = describe(
                &outcome,
                &execution_arn,
                arn,
                &name,
                &input_text,
                call.now,
                form == Form::Sync2,
            );
            if outcome.status == Status::Succeeded {
                return Ok((after, describe));
            }
            let cause = serde_json::to_string(&describe).unwrap_or_default();
            Err(Failure::raised(TASK_FAILED, cause))
        }
    }
}

/// StartExecution's rule for names: 1–80 characters, none of them white space, a control
/// character or one of `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /`.
fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=80).contains(&n)
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c))
}

/// The child's DescribeExecution, members in the order AWS writes them (alphabetical).
fn describe(
    o: &Outcome,
    execution_arn: &str,
    machine_arn: &str,
    name: &str,
    input_text: &str,
    start: i64,
    parsed: bool,
) -> Value {
    let mut d = Map::new();
    if let Some(c) = &o.cause {
        d.insert("Cause".into(), json!(c));
    }
    if let Some(e) = &o.error {
        d.insert("Error".into(), json!(e));
    }
    d.insert("ExecutionArn".into(), json!(execution_arn));
    let input = if parsed {
        serde_json::from_str(input_text).unwrap_or(Value::Null)
    } else {
        json!(input_text)
    };
    d.insert("Input".into(), input);
    d.insert("InputDetails".into(), json!({"Included": true}));
    d.insert("Name".into(), json!(name));
    let succeeded = o.status == Status::Succeeded;
    if succeeded {
        let output = o.output.clone().unwrap_or(Value::Null);
        let output = if parsed {
            output
        } else {
            json!(serde_json::to_string(&output).unwrap_or_default())
        };
        d.insert("Output".into(), output);
        d.insert("OutputDetails".into(), json!({"Included": true}));
    }
    // `.sync:2` follows its own recording, which has no `Redrive` members.
    if succeeded && !parsed {
        d.insert("RedriveCount".into(), json!(0));
        d.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
        d.insert(
            "RedriveStatusReason".into(),
            json!("Execution is SUCCEEDED and cannot be redriven"),
        );
    }
    d.insert("StartDate".into(), json!(start));
    d.insert("StateMachineArn".into(), json!(machine_arn));
    d.insert("Status".into(), json!(o.status.as_str()));
    d.insert("StopDate".into(), json!(o.stopped_at));
    Value::Object(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::Resources;
    use crate::world::{states::Child, SharedWorld, World};

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:Child";

    fn registry(definition: Value) -> Registry {
        let mut w = World::default();
        w.states.insert(
            "Child".into(),
            Child {
                definition,
                express: false,
            },
        );
        Registry {
            world: SharedWorld::new(w),
            ..Registry::default()
        }
    }

    fn call<'a>(resource: &'a str, input: &'a Value) -> Invocation<'a> {
        Invocation {
            state: "T",
            resource,
            input,
            attempt: 0,
            request_id: "req-1",
            now: 1_000,
        }
    }

    fn waits_then_passes() -> Value {
        json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
            "P": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": true}}})
    }

    #[test]
    fn sync_returns_describe_execution_with_json_text() {
        let mut r = registry(waits_then_passes());
        let input = json!({"StateMachineArn": ARN, "Input": "\"x\"", "Name": "N"});
        match r.invoke(&call("arn:aws:states:::states:startExecution.sync", &input)) {
            Response::Done {
                after_ms,
                result: Ok(v),
            } => {
                assert_eq!(after_ms, 5_000);
                assert_eq!(v["Output"], json!("{\"Arg1\":\"argument1\"}"));
                assert_eq!(v["Input"], json!("\"x\""));
                assert_eq!(
                    v["ExecutionArn"],
                    json!("arn:aws:states:us-east-1:123456789012:execution:Child:N")
                );
                assert_eq!(v["Status"], json!("SUCCEEDED"));
                assert_eq!(v["StartDate"], json!(1_000));
                assert_eq!(v["StopDate"], json!(6_000));
                assert_eq!(v["RedriveStatus"], json!("NOT_REDRIVABLE"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sync2_parses_input_and_output_and_null_input_is_an_empty_object() {
        let mut r = registry(waits_then_passes());
        let input = json!({"StateMachineArn": ARN, "Input": null, "Name": "N"});
        match r.invoke(&call(
            "arn:aws:states:::states:startExecution.sync:2",
            &input,
        )) {
            Response::Done { result: Ok(v), .. } => {
                assert_eq!(v["Output"], json!({"Arg1": "argument1"}));
                assert_eq!(v["Input"], json!({}));
                assert_eq!(v["OutputDetails"], json!({"Included": true}));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failing_child_fails_the_task_with_its_description() {
        let mut r = registry(json!({"StartAt": "F", "States": {
            "F": {"Type": "Fail", "Error": "SomeFailure", "Cause": "it failed"}}}));
        let input = json!({"StateMachineArn": ARN, "Name": "N"});
        match r.invoke(&call("arn:aws:states:::states:startExecution.sync", &input)) {
            Response::Done { result: Err(f), .. } => {
                assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
                let text = f.cause.unwrap();
                let keys: Vec<String> = serde_json::from_str::<Map<String, Value>>(&text)
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect();
                assert_eq!(
                    keys,
                    [
                        "Cause",
                        "Error",
                        "ExecutionArn",
                        "Input",
                        "InputDetails",
                        "Name",
                        "StartDate",
                        "StateMachineArn",
                        "Status",
                        "StopDate"
                    ]
                );
                assert!(text.contains("\"Status\":\"FAILED\""));
                assert!(text.contains("\"Input\":\"{}\""));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fire_and_forget_answers_at_once_and_the_child_still_runs() {
        let child = json!({"StartAt": "S", "States": {"S": {"Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "q", "MessageBody.$": "$.m"}, "End": true}}});
        let mut r = registry(child);
        let input = json!({"StateMachineArn": ARN, "Input": {"m": "hi"}});
        match r.invoke(&call("arn:aws:states:::states:startExecution", &input)) {
            Response::Done {
                after_ms: 0,
                result: Ok(v),
            } => {
                assert!(v["ExecutionArn"]
                    .as_str()
                    .unwrap()
                    .contains(":execution:Child:"));
                assert_eq!(v["StartDate"], json!(1_000));
                assert!(v.get("SdkHttpMetadata").is_some());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.world.lock().sqs["q"][0]["Body"], "hi");
        match r.invoke(&call("arn:aws:states:::aws-sdk:sfn:startExecution", &input)) {
            Response::Done { result: Ok(v), .. } => {
                let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["ExecutionArn", "StartDate"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_machines_and_runaway_nesting_fail() {
        let mut r =
            registry(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}));
        let input =
            json!({"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Nope"});
        match r.invoke(&call("arn:aws:states:::states:startExecution.sync", &input)) {
            Response::Done { result: Err(f), .. } => {
                assert_eq!(
                    f.error.as_deref(),
                    Some("StepFunctions.StateMachineDoesNotExistException")
                );
                assert!(f.cause.unwrap().contains(":stateMachine:Nope'"));
            }
            other => panic!("{other:?}"),
        }
        // A machine that starts itself stops at the nesting limit instead of running forever.
        let selfish = json!({"StartAt": "S", "States": {"S": {"Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": ARN}, "End": true}}});
        let mut r = registry(selfish);
        let input = json!({"StateMachineArn": ARN});
        match r.invoke(&call("arn:aws:states:::states:startExecution.sync", &input)) {
            Response::Done { result: Err(f), .. } => {
                assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
            }
            other => panic!("{other:?}"),
        }
    }
}
