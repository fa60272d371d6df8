//! Lambda functions: the direct function-ARN form and the optimized `lambda:invoke` integration
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html>; docs/semantics/task.md §10.4–10.5).
//!
//! Fixture functions behave as `docs/fixtures.md` says; any other function returns its input.
//! Function errors surface as AWS surfaces them: the error name is the function's `errorType`, the
//! cause a JSON string `{"errorMessage","errorType","requestId","stackTrace"}`.

use serde_json::{json, Value};

use std::collections::BTreeMap;

use super::fixtures::{self, Fixture};
use super::{Invocation, Response};
use crate::errors::Failure;

/// Handles Lambda resources; `None` when the resource is not a Lambda call.
pub fn invoke(call: &Invocation<'_>, functions: &BTreeMap<String, Fixture>) -> Option<Response> {
    let resource = call.resource;
    if resource.starts_with("arn:aws:lambda:") {
        let f = fixture_for(resource, functions);
        return Some(run_function(f, call.input, call));
    }
    if resource.starts_with("arn:aws:states:::lambda:invoke") {
        let target = call
            .input
            .get("FunctionName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let f = fixture_for(target, functions);
        let payload = call.input.get("Payload").cloned().unwrap_or(Value::Null);
        let response = run_function(f, &payload, call);
        return Some(match response {
            Response::Done {
                after_ms,
                result: Ok(v),
            } => Response::Done {
                after_ms,
                result: Ok(envelope(v, call.request_id)),
            },
            other => other,
        });
    }
    None
}

/// The fixture behind a function ARN or name: the case's `functions` entry, else the fixture of
/// that name.
fn fixture_for(function: &str, functions: &BTreeMap<String, Fixture>) -> Option<Fixture> {
    functions
        .get(function)
        .copied()
        .or_else(|| Fixture::named(&function_name(function)))
}

fn run_function(fixture: Option<Fixture>, payload: &Value, call: &Invocation<'_>) -> Response {
    match fixture {
        Some(f) => match f.run(payload) {
            fixtures::Effect::Return { after_ms, value } => Response::Done {
                after_ms,
                result: Ok(value),
            },
            fixtures::Effect::Raise { error, message } => {
                Response::err(function_error(&error, &message, call.request_id))
            }
        },
        None => Response::ok(payload.clone()),
    }
}

/// The function name of a function ARN or name, without a qualifier.
pub fn function_name(arn_or_name: &str) -> String {
    let after = match arn_or_name.split_once(":function:") {
        Some((_, rest)) => rest,
        None => arn_or_name,
    };
    after.split(':').next().unwrap_or("").to_string()
}

/// A Lambda function error as Step Functions reports it (docs/semantics/errors.md §6.4, §10.5).
pub fn function_error(error_type: &str, message: &str, request_id: &str) -> Failure {
    let cause = json!({
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": []
    });
    Failure::raised(
        error_type,
        serde_json::to_string(&cause).unwrap_or_default(),
    )
}

/// The `lambda:invoke` response around a function result (docs/semantics/task.md §10.4).
pub fn envelope(payload: Value, request_id: &str) -> Value {
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-RequestId": [request_id],
                "Content-Type": ["application/json"]
            },
            "HttpHeaders": {
                "Content-Type": "application/json",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-RequestId": request_id
            },
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(resource: &'a str, input: &'a Value) -> Invocation<'a> {
        Invocation {
            state: "T",
            resource,
            input,
            attempt: 0,
            request_id: "req-1",
            now: 0,
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:aslcheck-echo:prod"),
            "aslcheck-echo"
        );
        assert_eq!(function_name("aslcheck-echo"), "aslcheck-echo");
    }

    #[test]
    fn invoke_wraps_the_payload() {
        let input = json!({"FunctionName": "aslcheck-echo", "Payload": {"a": 1}});
        match invoke(
            &call("arn:aws:states:::lambda:invoke", &input),
            &BTreeMap::new(),
        ) {
            Some(Response::Done { result: Ok(v), .. }) => {
                assert_eq!(v["Payload"], json!({"a": 1}));
                assert_eq!(v["StatusCode"], json!(200));
                assert_eq!(v["ExecutedVersion"], json!("$LATEST"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_carry_the_lambda_cause_shape() {
        let input = json!({"error": "CustomError", "cause": "it broke"});
        match invoke(
            &call(
                "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-fail",
                &input,
            ),
            &BTreeMap::new(),
        ) {
            Some(Response::Done { result: Err(f), .. }) => {
                assert_eq!(f.error.as_deref(), Some("CustomError"));
                let cause: Value = serde_json::from_str(f.cause.as_deref().unwrap()).unwrap();
                assert_eq!(cause["errorMessage"], json!("it broke"));
                assert_eq!(cause["errorType"], json!("CustomError"));
            }
            other => panic!("{other:?}"),
        }
    }
}
