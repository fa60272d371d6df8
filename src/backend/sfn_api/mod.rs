//! The `sfn-api` backend: runs cases through the Step Functions API (aws-sdk-sfn) — on AWS
//! through the standard credentials chain, or on any endpoint that speaks the API (moto,
//! LocalStack, Step Functions Local).
//!
//! Per case (docs/semantics/execution.md §13):
//! - `execution`, STANDARD: CreateStateMachine → StartExecution → DescribeExecution until the
//!   execution closes → GetExecutionHistory (all pages, when history is asked for) →
//!   DeleteStateMachine;
//! - `execution`, EXPRESS (`--workflow-type express` or `"workflow_type": "EXPRESS"` in the
//!   case's environment): CreateStateMachine → StartSyncExecution → DeleteStateMachine (Express
//!   executions have no GetExecutionHistory, so cases that need history are skipped);
//! - `test_state`: TestState on one state (DEBUG inspection data; mocks, context, variables and
//!   `stateConfiguration` from `environment.test_state`);
//! - `validate`: ValidateStateMachineDefinition.
//!
//! What is judged is only what the service answered. Trouble with the service — throttling,
//! 5xx, dropped connections, timeouts — is retried with backoff by the SDK (adaptive retry
//! mode: a client-side rate limiter that backs off on throttling) and, when it persists, ends the
//! case as [`Observation::Indeterminate`]; an operation the endpoint does not implement (moto has
//! no StartSyncExecution, TestState or ValidateStateMachineDefinition) ends it as
//! [`Observation::Skipped`], and later cases skip without asking again.
//!
//! Resources: every state machine is named `aslcheck-<run id>-<n>`, tagged `aslcheck:run =
//! <run id>`, and deleted as soon as its case is judged; the ones a run still holds are deleted
//! when the backend is dropped, on Ctrl-C/SIGTERM (when [`SfnOptions::cleanup_on_interrupt`] is
//! set), and — after a crash — by the next run, which deletes `aslcheck-<8 hex>-<n>` machines
//! older than [`SfnOptions::leftover_age`]. Names are used as well as tags because not every
//! emulator keeps tags.
//!
//! A case with simulated resources (`environment.resources`, docs/resources.md) has them
//! created in the target before its run and deleted after it ([`world`]): buckets and objects,
//! tables and items, child state machines, and the queues and topics its definition names, under
//! run-scoped names that the observation maps back. Such a case may call those services; any
//! other Task must be a fixture function.
//!
//! Observations leave this module with the caller's account id replaced by `123456789012` and
//! the deployed fixture ARNs replaced by the placeholder ARNs the case was written with, so no
//! account id reaches a report; request ids never enter an observation.

//!
//! The options ([`SfnOptions`]) and the fixtures file ([`Fixtures`]) are always compiled; the
//! client itself needs the AWS SDK and is built with the `aws` cargo feature (on by default in
//! the `aslcheck` binary).

use std::path::PathBuf;
use std::time::Duration;

mod fixtures;
pub use fixtures::Fixtures;

#[cfg(feature = "aws")]
mod cleanup;
#[cfg(feature = "aws")]
mod client;
#[cfg(feature = "aws")]
mod service;
#[cfg(feature = "aws")]
mod world;
#[cfg(feature = "aws")]
pub use client::SfnApi;
#[cfg(feature = "aws")]
pub use service::NoHostPrefix;

/// Every state machine this backend creates has a name starting with this.
pub const NAME_PREFIX: &str = "aslcheck-";
/// The tag key that holds the run id.
pub const RUN_TAG: &str = "aslcheck:run";
/// The account id of the placeholder ARNs in cases (and of the reference interpreter).
pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";
/// The execution role used on endpoints when none is given (emulators do not check it).
pub const PLACEHOLDER_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/aslcheck-execution";

/// Checks that `--endpoint` is an `http://` or `https://` URL with a host (and a numeric port,
/// if any), so a typo is reported before the run rather than as every case failing.
pub fn check_endpoint(url: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "sfn-api: --endpoint {url:?} is not a URL: {why} (e.g. http://127.0.0.1:8083)"
        ))
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad("no http:// or https://");
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return bad("the scheme must be http or https");
    }
    if url.chars().any(char::is_whitespace) {
        return bad("it holds whitespace");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return bad("an unclosed [ in the host"),
        }
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return bad("no host");
    }
    if let Some(p) = port {
        if p.parse::<u16>().is_err() {
            return bad("the port must be a number from 0 to 65535");
        }
    }
    Ok(())
}

/// Checks that a named profile (`--aws-profile`) is in the AWS config or credentials file
/// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, by default `~/.aws/config` and
/// `~/.aws/credentials`); without this check a missing profile ends in a credentials error of
/// the SDK's fallback providers that does not name it. Profiles are `[profile NAME]` (or
/// `[NAME]`) in the config file and `[NAME]` in the credentials file
/// (<https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html>).
pub fn check_profile(name: &str) -> Result<(), String> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let config = file("AWS_CONFIG_FILE", "config");
    let credentials = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let has = |path: &Option<PathBuf>, config_file: bool| {
        let Some(text) = path.as_ref().and_then(|p| std::fs::read_to_string(p).ok()) else {
            return false;
        };
        text.lines().any(|l| {
            let Some(section) = l.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
                return false;
            };
            let section = section.trim();
            let named = if config_file {
                section
                    .strip_prefix("profile")
                    .filter(|r| r.starts_with(char::is_whitespace))
                    .map(str::trim)
                    .unwrap_or(section)
            } else {
                section
            };
            named == name
        })
    };
    if has(&config, true) || has(&credentials, false) {
        return Ok(());
    }
    let shown = |p: &Option<PathBuf>| {
        p.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(no home directory)".into())
    };
    Err(format!(
        "sfn-api: the AWS profile {name:?} is in neither {} nor {}",
        shown(&config),
        shown(&credentials)
    ))
}

/// STANDARD or EXPRESS (docs/semantics/execution.md §13.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkflowType {
    #[default]
    Standard,
    Express,
}

impl WorkflowType {
    pub fn parse(s: &str) -> Option<WorkflowType> {
        match s.to_ascii_uppercase().as_str() {
            "STANDARD" => Some(WorkflowType::Standard),
            "EXPRESS" => Some(WorkflowType::Express),
            _ => None,
        }
    }
}

/// How to reach the service and how hard to push it. The defaults suit AWS.
#[derive(Debug, Clone)]
pub struct SfnOptions {
    /// AWS region; default: the profile's or `AWS_REGION` (`us-east-1` with an endpoint).
    pub region: Option<String>,
    /// A named profile of `~/.aws/config` (SSO and `credential_process` profiles work).
    pub profile: Option<String>,
    /// Any endpoint serving the Step Functions API, e.g. `http://127.0.0.1:5000` for moto.
    /// Without a profile or `AWS_ACCESS_KEY_ID`, fixed dummy credentials are sent to it.
    pub endpoint: Option<String>,
    /// Fixture functions deployed with `aws/fixtures.yaml`: a JSON map name → ARN, or the
    /// stack's outputs as `aws cloudformation describe-stacks` prints them.
    pub fixtures: Option<PathBuf>,
    /// The state machines' execution role; default: the fixtures file's `ExecutionRoleArn`, or
    /// a placeholder role on endpoints. Required on AWS.
    pub role_arn: Option<String>,
    /// Workflow type for `execution` cases (a case's `environment.workflow_type` overrides it).
    pub workflow_type: WorkflowType,
    /// Cases in flight at once (in [`Backend::run_batch`]).
    pub concurrency: usize,
    /// How long one case may take before its execution is stopped and the case is
    /// indeterminate.
    pub case_timeout: Duration,
    /// Attempts per API call (throttling, 5xx and connection errors are retried).
    pub max_attempts: u32,
    /// First retry delay; it grows exponentially (with jitter) up to 20 s.
    pub initial_backoff: Duration,
    /// The SDK's adaptive retry mode: after throttling, a client-side rate limiter slows all
    /// calls down (and speeds up again as they succeed). `false`: standard retries only.
    pub adaptive_retry: bool,
    /// First DescribeExecution delay; it grows to 2 s.
    pub poll_interval: Duration,
    /// `aslcheck-…` state machines older than this, left by a run that crashed, are deleted
    /// when the backend starts.
    pub leftover_age: Duration,
    /// Delete this run's resources on Ctrl-C / SIGTERM, then exit (status 130 / 143).
    pub cleanup_on_interrupt: bool,
    /// At most this many executions (cost bound); later cases are skipped.
    pub max_executions: Option<u64>,
}

impl Default for SfnOptions {
    fn default() -> Self {
        SfnOptions {
            region: None,
            profile: None,
            endpoint: None,
            fixtures: None,
            role_arn: None,
            workflow_type: WorkflowType::Standard,
            concurrency: 4,
            case_timeout: Duration::from_secs(300),
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            adaptive_retry: true,
            poll_interval: Duration::from_millis(200),
            leftover_age: Duration::from_secs(2 * 3600),
            cleanup_on_interrupt: false,
            max_executions: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked() {
        for ok in [
            "http://127.0.0.1:9",
            "https://states.us-east-1.amazonaws.com",
            "http://localhost:4566/",
            "http://[::1]:8083",
        ] {
            assert_eq!(check_endpoint(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("not-a-url", "no http://"),
            ("ftp://x", "scheme"),
            ("http://", "no host"),
            ("http://:80", "no host"),
            ("http://h:99999", "port"),
            ("http://h:x", "port"),
            ("http://a b", "whitespace"),
        ] {
            assert!(
                check_endpoint(bad).is_err_and(|m| m.contains(why) && m.contains(bad)),
                "{bad}"
            );
        }
    }
}
