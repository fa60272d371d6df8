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
                result: Ok(envelope(v, call.request_id, call.now)),
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

/// The `lambda:invoke` response around a function result (docs/semantics/task.md §10.4), with
/// the headers of the recorded AWS runs (`test_lambda_service_invoke`, 2025-10-28;
/// `test_result_selector`, 2024-09-11): `Content-Length` is the length of the payload as the
/// fixture functions' Python runtime writes it (`json.dumps`: `", "` and `": "` separators,
/// non-ASCII as `\uXXXX`).
pub fn envelope(payload: Value, request_id: &str, now: i64) -> Value {
    let length = python_json_len(&payload).to_string();
    let trace = format!(
        "Root=1-{}-{};Parent={};Sampled=0;Lineage=1:{}:0",
        &super::services::derived_hex(request_id, "trace-time", 8),
        super::services::derived_hex(request_id, "trace-root", 24),
        super::services::derived_hex(request_id, "trace-parent", 16),
        super::services::derived_hex(request_id, "trace-lineage", 8),
    );
    let headers = [
        ("X-Amz-Executed-Version", "$LATEST".to_string()),
        ("x-amzn-Remapped-Content-Length", "0".to_string()),
        ("Connection", "keep-alive".to_string()),
        ("x-amzn-RequestId", request_id.to_string()),
        ("Content-Length", length),
        ("Date", super::services::http_date(now)),
        ("X-Amzn-Trace-Id", trace),
        ("Content-Type", "application/json".to_string()),
    ];
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": super::services::http_metadata(&headers),
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200
    })
}

/// The length of `json.dumps(v)` in Python: `", "` and `": "` separators, every non-ASCII
/// character escaped (`\uXXXX`, two for characters beyond the Basic Multilingual Plane).
fn python_json_len(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => {
            let escaped = serde_json::to_string(s).map_or(2, |t| t.len());
            // serde_json writes non-ASCII characters as UTF-8; Python as \u escapes.
            let extra: usize = s
                .chars()
                .filter(|c| !c.is_ascii())
                .map(|c| c.len_utf16() * 6 - c.len_utf8())
                .sum();
            escaped + extra
        }
        Value::Array(items) => {
            2 + items.iter().map(python_json_len).sum::<usize>() + 2 * items.len().saturating_sub(1)
        }
        Value::Object(m) => {
            2 + m
                .iter()
                .map(|(k, v)| python_json_len(&Value::String(k.clone())) + 2 + python_json_len(v))
                .sum::<usize>()
                + 2 * m.len().saturating_sub(1)
        }
    }
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
                let headers = &v["SdkHttpMetadata"]["HttpHeaders"];
                assert_eq!(headers["Content-Length"], json!("8"));
                assert_eq!(headers["x-amzn-RequestId"], json!("req-1"));
                assert_eq!(headers["Connection"], json!("keep-alive"));
                assert_eq!(
                    v["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Executed-Version"],
                    json!(["$LATEST"])
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn content_length_is_that_of_pythons_json_dumps() {
        // The recorded lengths: {"body": "string body"} is 23 bytes, {} 2, a JSON string 27.
        assert_eq!(python_json_len(&json!({"body": "string body"})), 23);
        assert_eq!(python_json_len(&json!({})), 2);
        assert_eq!(python_json_len(&json!("PayloadFromTrustedAccount")), 27);
        assert_eq!(python_json_len(&json!([1, true, null])), 15);
        assert_eq!(python_json_len(&json!("é")), 8);
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
