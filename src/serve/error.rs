//! The API's errors, in the AWS JSON 1.0 shape: HTTP 400 with
//! `{"__type": "<Name>", "message": "<text>"}`
//! (<https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html>; each
//! action's page lists its errors).

use serde_json::{json, Value};

/// One error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The error's name, e.g. `StateMachineDoesNotExist`.
    pub kind: &'static str,
    pub message: String,
    /// The HTTP status (400 for every modelled error).
    pub status: u16,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
            status: 400,
        }
    }

    /// A required member that is absent (the message AWS's request validation gives).
    pub fn missing(member: &str) -> ApiError {
        ApiError::new(
            "ValidationException",
            format!("1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"),
        )
    }

    /// A member with the wrong JSON type.
    pub fn serialization(member: &str, expected: &str) -> ApiError {
        ApiError::new(
            "SerializationException",
            format!("'{member}': expected {expected}"),
        )
    }

    pub fn machine_does_not_exist(arn: &str) -> ApiError {
        ApiError::new(
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{arn}'"),
        )
    }

    pub fn execution_does_not_exist(arn: &str) -> ApiError {
        ApiError::new(
            "ExecutionDoesNotExist",
            format!("Execution Does Not Exist: '{arn}'"),
        )
    }

    pub fn invalid_arn(arn: &str) -> ApiError {
        ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'"))
    }

    pub fn body(&self) -> Value {
        json!({"__type": self.kind, "message": self.message})
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}
