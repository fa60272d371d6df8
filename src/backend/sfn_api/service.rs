//! Talking to the service: what an error means for the case, and the two interceptors
//! (raw response bodies; no `sync-` host prefix on explicit endpoints).

use std::sync::{Arc, Mutex};

use crate::diff::render::clip;
use aws_sdk_sfn::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_sfn::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sfn::error::{BoxError, ProvideErrorMetadata, SdkError};
use serde_json::Value;

// Errors of the service, classified

/// What went wrong with a call, as far as judging the case goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Trouble {
    /// Throttling, 5xx, connection or timeout trouble that outlasted the retries.
    Infra(String),
    /// The endpoint does not implement the operation.
    Unsupported(String),
    /// The service answered with an error (a real observation, e.g. InvalidDefinition).
    Api { code: String, message: String },
    /// An emulator failed on a core operation for this case (HTTP 500 that is not an AWS
    /// error): the implementation broke, as when an adapter crashes.
    Broken(String),
    /// The request could not even be built (a bug here).
    Internal(String),
}

impl std::fmt::Display for Trouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trouble::Infra(m) | Trouble::Broken(m) | Trouble::Internal(m) => f.write_str(m),
            Trouble::Unsupported(m) => write!(f, "not supported by the endpoint: {m}"),
            Trouble::Api { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

const THROTTLING_CODES: [&str; 9] = [
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServerError",
];

/// Operations an emulator may lack; an HTTP 500 without an AWS error body from an endpoint
/// means "not implemented" for these, and "the implementation broke" for the others.
const OPTIONAL_OPS: [&str; 3] = [
    "StartSyncExecution",
    "TestState",
    "ValidateStateMachineDefinition",
];

const UNSUPPORTED_CODES: [&str; 4] = [
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
    "NotImplementedException",
];

pub(super) fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    op: &str,
    endpoint: bool,
    e: &SdkError<E, aws_sdk_sfn::config::http::HttpResponse>,
) -> Trouble {
    match e {
        SdkError::ConstructionFailure(_) => Trouble::Internal(format!(
            "{op}: the request could not be built: {}",
            causes(e)
        )),
        SdkError::TimeoutError(_) => {
            Trouble::Infra(format!("{op}: the service did not answer in time"))
        }
        SdkError::DispatchFailure(d) => Trouble::Infra(format!(
            "{op}: {} ({})",
            if d.is_io() {
                "the connection failed"
            } else {
                "the request could not be sent"
            },
            causes(e)
        )),
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            if endpoint && status == 500 && !body_is_json(r.raw()) {
                emulator_500(op)
            } else {
                Trouble::Infra(format!("{op}: unreadable response (HTTP {status})"))
            }
        }
        _ => {
            let status = e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
            let code = e.code().unwrap_or("").to_string();
            let message = e.message().unwrap_or("").to_string();
            let lower = message.to_ascii_lowercase();
            let not_json = e.raw_response().map(|r| !body_is_json(r)).unwrap_or(false);
            if status == 501
                || UNSUPPORTED_CODES.contains(&code.as_str())
                || lower.contains("not yet implemented")
                || lower.contains("has not been implemented")
            {
                Trouble::Unsupported(format!("{op} is not implemented by this endpoint"))
            } else if endpoint && status == 500 && not_json {
                emulator_500(op)
            } else if THROTTLING_CODES.contains(&code.as_str()) || status == 429 || status >= 500 {
                let what = if code.is_empty() {
                    format!("HTTP {status}")
                } else {
                    code
                };
                let said = if message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", clip(&message, 300))
                };
                Trouble::Infra(format!("{op}: {what} after retries{said}"))
            } else if code.is_empty() {
                Trouble::Api {
                    code: format!("HTTP{status}"),
                    message,
                }
            } else {
                Trouble::Api { code, message }
            }
        }
    }
}

/// An error and its sources, each through `Display`, on one line (`a: b: c`); a source whose
/// text the message before it already holds is not repeated.
pub(super) fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = s.source();
    }
    out.replace('\n', " ")
}

/// An endpoint's HTTP 500 without an AWS error body: moto's answer for operations it does not
/// implement, and its answer when it fails on a case.
pub(super) fn emulator_500(op: &str) -> Trouble {
    if OPTIONAL_OPS.contains(&op) {
        Trouble::Unsupported(format!(
            "{op} is not implemented by this endpoint (HTTP 500, not an AWS error)"
        ))
    } else {
        Trouble::Broken(format!(
            "the endpoint failed on {op} for this case (HTTP 500, not an AWS error)"
        ))
    }
}

pub(super) fn body_is_json(r: &aws_sdk_sfn::config::http::HttpResponse) -> bool {
    r.body()
        .bytes()
        .map(|b| b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{'))
        .unwrap_or(false)
}

/// Keeps the raw JSON body of the last response of one call (history events and TestState
/// inspection data are returned exactly as the service sent them).
#[derive(Debug, Clone, Default)]
pub(super) struct Capture(Arc<Mutex<Option<Vec<u8>>>>);

impl Capture {
    pub(super) fn json(&self) -> Option<Value> {
        let bytes = self.0.lock().ok()?.take()?;
        serde_json::from_slice(&bytes).ok()
    }
}

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "aslcheck-capture-body"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(bytes), Ok(mut slot)) = (context.response().body().bytes(), self.0.lock()) {
            *slot = Some(bytes.to_vec());
        }
        Ok(())
    }
}

/// StartSyncExecution and TestState are sent to `sync-states.<region>…` on AWS; an explicit
/// endpoint (LocalStack or `aslcheck serve` on 127.0.0.1) has no such host, so the prefix is
/// taken off again. Public for clients of `serve` built on aws-sdk-sfn (docs/serve.md).
#[derive(Debug)]
pub struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "aslcheck-no-host-prefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_string();
        if let Some((scheme, rest)) = uri.split_once("://") {
            if let Some(host) = rest.strip_prefix("sync-") {
                request.set_uri(format!("{scheme}://{host}"))?;
            }
        }
        Ok(())
    }
}
