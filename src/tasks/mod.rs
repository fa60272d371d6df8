//! Task resources: what a Task state's `Resource` does when it runs.
//!
//! Every resource call goes through the [`Resources`] trait, so tests and backends can give tasks
//! behaviour. The built-in set here is deliberately small: a direct Lambda function ARN returns its
//! input, and `arn:aws:states:::lambda:invoke` wraps the `Payload` it is given in the Lambda Invoke
//! response envelope (ASL-SEMANTICS §10.4). Any other resource fails with `States.TaskFailed`
//! naming the resource, so a machine never silently pretends to call a service.

use serde_json::{json, Value};

use crate::errors::{Failure, TASK_FAILED};

/// One call of a task resource.
pub struct Invocation<'a> {
    pub resource: &'a str,
    /// The effective task input (after InputPath and Parameters).
    pub input: &'a Value,
    /// 0 on the first attempt, then 1, 2, … for retries.
    pub attempt: u32,
}

/// Gives Task states their behaviour.
pub trait Resources: Send {
    fn invoke(&mut self, call: &Invocation<'_>) -> Result<Value, Failure>;
}

/// The built-in resources.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

impl Resources for BuiltIn {
    fn invoke(&mut self, call: &Invocation<'_>) -> Result<Value, Failure> {
        match Kind::of(call.resource) {
            Kind::LambdaFunction => Ok(call.input.clone()),
            Kind::Service { .. } if call.resource.starts_with("arn:aws:states:::lambda:invoke") => {
                let payload = call.input.get("Payload").cloned().unwrap_or(Value::Null);
                Ok(lambda_invoke_envelope(payload))
            }
            _ => Err(Failure::raised(
                TASK_FAILED,
                format!(
                    "The resource '{}' has no built-in behaviour in aslcheck; only Lambda function ARNs and arn:aws:states:::lambda:invoke run without a resource handler.",
                    call.resource
                ),
            )),
        }
    }
}

/// The `lambda:invoke` response around a function result (ASL-SEMANTICS §10.4).
pub fn lambda_invoke_envelope(payload: Value) -> Value {
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "HttpHeaders": {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"},
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {},
        "StatusCode": 200
    })
}

/// How a resource ARN shows up in history (ASL-SEMANTICS §10.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `arn:aws:lambda:…:function:…`: `LambdaFunction…` events.
    LambdaFunction,
    /// `arn:aws:states:…:activity:…`: `Activity…` events.
    Activity,
    /// `arn:aws:states:::<service>:<action>`: `Task…` events with `resourceType`/`resource`.
    Service { resource_type: String, resource: String },
}

impl Kind {
    pub fn of(arn: &str) -> Kind {
        if arn.starts_with("arn:aws:lambda:") {
            return Kind::LambdaFunction;
        }
        if arn.contains(":activity:") {
            return Kind::Activity;
        }
        let rest = arn.strip_prefix("arn:aws:states:::").unwrap_or(arn);
        let (resource_type, resource) = match rest.strip_prefix("aws-sdk:") {
            Some(sdk) => match sdk.split_once(':') {
                Some((svc, action)) => (format!("aws-sdk:{svc}"), action.to_string()),
                None => (format!("aws-sdk:{sdk}"), String::new()),
            },
            None => match rest.split_once(':') {
                Some((svc, action)) => (svc.to_string(), action.to_string()),
                None => (rest.to_string(), String::new()),
            },
        };
        Kind::Service {
            resource_type,
            resource,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_kinds() {
        assert_eq!(Kind::of("arn:aws:lambda:us-east-1:1:function:f"), Kind::LambdaFunction);
        assert_eq!(
            Kind::of("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            Kind::Service {
                resource_type: "sqs".into(),
                resource: "sendMessage.waitForTaskToken".into()
            }
        );
        assert_eq!(
            Kind::of("arn:aws:states:::aws-sdk:s3:listObjects"),
            Kind::Service {
                resource_type: "aws-sdk:s3".into(),
                resource: "listObjects".into()
            }
        );
    }
}
