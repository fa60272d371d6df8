//! Helpers for the validator's unit tests (each test is one line: a definition and the
//! diagnostics it must give), and the tests that exercise several rule groups at once. The
//! tests of one rule group sit at the bottom of that group's file.

pub(super) use serde_json::{json, Value};

pub(super) use super::{invalid_definition_message, validate, MAX_NESTING};
use crate::asl::syntax::check_reference_path;

pub(super) const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

pub(super) fn run(def: &Value) -> Vec<String> {
    validate(def).iter().map(ToString::to_string).collect()
}

#[track_caller]
pub(super) fn ok(def: Value) {
    assert_eq!(run(&def), Vec::<String>::new(), "definition: {def}");
}

#[track_caller]
pub(super) fn expect(def: Value, expected: &[String]) {
    assert_eq!(run(&def), expected, "definition: {def}");
}

pub(super) fn svf(message: &str, loc: &str) -> String {
    format!("SCHEMA_VALIDATION_FAILED: {message} at {loc}")
}

pub(super) fn mtt(message: &str, loc: &str) -> String {
    format!("MISSING_TRANSITION_TARGET: {message} at {loc}")
}

/// `base` with the fields of `extra` added (a `null` in `extra` removes the field).
pub(super) fn with(mut base: Value, extra: Value) -> Value {
    let map = base.as_object_mut().unwrap();
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            map.remove(k);
        } else {
            map.insert(k.clone(), v.clone());
        }
    }
    base
}

/// State `S` (starting state) followed by the terminal `Done`.
pub(super) fn sm(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state, "Done": {"Type": "Succeed"}}})
}

/// Only state `S`.
pub(super) fn single(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

pub(super) fn task(extra: Value) -> Value {
    sm(with(
        json!({"Type": "Task", "Resource": LAMBDA, "Next": "Done"}),
        extra,
    ))
}

pub(super) fn pass(extra: Value) -> Value {
    sm(with(json!({"Type": "Pass", "Next": "Done"}), extra))
}

pub(super) fn wait(extra: Value) -> Value {
    sm(with(json!({"Type": "Wait", "Next": "Done"}), extra))
}

pub(super) fn fail(extra: Value) -> Value {
    single(with(json!({"Type": "Fail"}), extra))
}

pub(super) fn choice_rule(rule: Value) -> Value {
    sm(json!({"Type": "Choice", "Choices": [rule], "Default": "Done"}))
}

pub(super) fn processor() -> Value {
    json!({"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}})
}

pub(super) fn map(extra: Value) -> Value {
    sm(with(
        json!({"Type": "Map", "ItemProcessor": processor(), "Next": "Done"}),
        extra,
    ))
}

pub(super) fn template_msg(key: &str, loc: &str) -> String {
    svf(
        &format!("The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"),
        loc,
    )
}

pub(super) fn not_ref_path(text: &str, loc: &str) -> String {
    svf(
        &format!(
            "Value is not a Reference Path: {}",
            check_reference_path(text).unwrap_err()
        ),
        loc,
    )
}

pub(super) fn resource_msg(arn: &str) -> String {
    svf(
        &format!(
            "The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
        ),
        "/States/S/Resource",
    )
}

// ----- several problems at once -------------------------------------------------------

#[test]
fn reports_all_problems_at_once() {
    let def = json!({
        "Comment": 7,
        "StartAt": "A",
        "Extra": 1,
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:nope", "Next": "B", "TimeoutSeconds": -5,
                  "Retry": [{"ErrorEquals": []}]},
            "B": {"Type": "Wait", "Next": "Missing"},
            "C": {"Type": "Pass", "End": true, "Parameters": {"x.$": "oops"}},
            "D": {"Type": "Parallel", "End": true, "Branches": []},
            "E": {"Type": "Frobnicate"},
            "A2": {"Type": "Succeed", "OutputPath": "nope"}
        }
    });
    expect(
        def,
        &[
            svf("Expected value of type String", "/Comment"),
            svf("Field 'Extra' is not supported", "/"),
            svf(
                "The resource provided arn:aws:nope is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.",
                "/States/A/Resource",
            ),
            svf("Value must be between 1 and 99999999", "/States/A/TimeoutSeconds"),
            svf("Value cannot be empty", "/States/A/Retry/0/ErrorEquals"),
            svf(
                "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]",
                "/States/B",
            ),
            template_msg("x.$", "/States/C/Parameters"),
            svf("Value cannot be empty", "/States/D/Branches"),
            svf(
                "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
                "/States/E/Type",
            ),
            svf("Value must be a valid JSONPath.", "/States/A2/OutputPath"),
            mtt("Missing 'Next' target: Missing", "/States/B/Next"),
        ],
    );
}

#[test]
fn big_valid_machine() {
    let def = serde_json::from_str::<Value>(
        r#"{
            "Comment": "Parallel inside Map inside Parallel, Choice with And/Or/Not, Retry/Catch",
            "Version": "1.0",
            "TimeoutSeconds": 3600,
            "StartAt": "Init",
            "States": {
                "Init": {"Type": "Pass", "Result": {"items": [1, 2, 3]}, "ResultPath": "$.data", "Next": "Outer"},
                "Outer": {
                    "Type": "Parallel",
                    "ResultSelector": {"first.$": "$[0]", "all.$": "$[*][*]"},
                    "ResultPath": "$.outer",
                    "Retry": [
                        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 1.5,
                         "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                        {"ErrorEquals": ["States.ALL"]}
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handle"}],
                    "Branches": [
                        {
                            "StartAt": "EachItem",
                            "States": {
                                "EachItem": {
                                    "Type": "Map",
                                    "ItemsPath": "$.data.items",
                                    "MaxConcurrency": 2,
                                    "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                                    "ItemProcessor": {
                                        "ProcessorConfig": {"Mode": "INLINE"},
                                        "StartAt": "Inner",
                                        "States": {
                                            "Inner": {
                                                "Type": "Parallel",
                                                "End": true,
                                                "Branches": [
                                                    {"StartAt": "Work", "States": {
                                                        "Work": {"Type": "Task",
                                                            "Resource": "arn:aws:states:::lambda:invoke",
                                                            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                                                            "ResultSelector": {"out.$": "$.Payload"},
                                                            "TimeoutSeconds": 30, "HeartbeatSeconds": 10,
                                                            "Retry": [{"ErrorEquals": ["Lambda.ServiceException",
                                                                "Lambda.TooManyRequestsException"], "MaxAttempts": 0}],
                                                            "End": true}}},
                                                    {"StartAt": "Nap", "States": {
                                                        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Echo"},
                                                        "Echo": {"Type": "Pass", "Parameters": {
                                                            "msg.$": "States.Format('item {}', $.value)",
                                                            "id.$": "States.UUID()"}, "End": true}}}
                                                ]
                                            }
                                        }
                                    },
                                    "End": true
                                }
                            }
                        },
                        {
                            "StartAt": "Callback",
                            "States": {
                                "Callback": {"Type": "Task",
                                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                    "Parameters": {"QueueUrl": "https://sqs/q", "MessageBody": {"token.$": "$$.Task.Token"}},
                                    "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/x"},
                                    "HeartbeatSecondsPath": "$.hb",
                                    "End": true}
                            }
                        }
                    ],
                    "Next": "Decide"
                },
                "Decide": {
                    "Type": "Choice",
                    "Choices": [
                        {"And": [
                            {"Variable": "$.outer.first", "IsPresent": true},
                            {"Or": [
                                {"Variable": "$.outer.first.count", "NumericGreaterThanEquals": 20},
                                {"Not": {"Variable": "$.outer.first.name", "StringMatches": "test-*"}}
                            ]},
                            {"Variable": "$.when", "TimestampLessThanPath": "$$.Execution.StartTime"}
                        ], "Next": "Sleep"},
                        {"Variable": "$.flag", "BooleanEquals": true, "Next": "Distributed"}
                    ],
                    "Default": "Done"
                },
                "Sleep": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "Next": "Done"},
                "Distributed": {
                    "Type": "Map",
                    "Label": "dist",
                    "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "JSON"},
                        "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
                    "ItemBatcher": {"MaxItemsPerBatch": 5},
                    "ToleratedFailurePercentage": 5,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "Child",
                        "States": {"Child": {"Type": "Task",
                            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                            "Parameters": {"Bucket": "b", "Key.$": "$.Items[0].Key"}, "End": true}}
                    },
                    "ResultPath": null,
                    "Next": "Done"
                },
                "Handle": {"Type": "Fail", "ErrorPath": "$.error.Error",
                    "CausePath": "States.Format('failed: {}', $.error.Cause)"},
                "Done": {"Type": "Succeed"}
            }
        }"#,
    )
    .unwrap();
    ok(def);
}
