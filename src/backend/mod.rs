//! Backends: every implementation the harness can run a case on, behind one trait.
//!
//! A backend returns a raw [`Observation`]; only the runner normalises and judges it (as in
//! Bowtie). A backend that lacks a capability a case needs answers [`Observation::Skipped`] with
//! the reason; trouble with infrastructure (throttling, 5xx, timeouts of the service, crashes) is
//! [`Observation::Indeterminate`] — neither counts as a disagreement.

pub mod external;
pub mod reference;
pub mod sfn_api;
pub mod spec;

use std::fmt;

use serde_json::Value;

/// A backend could not be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// The `--backend` value names no backend.
    Unknown(String),
    /// `external:` without an adapter directory or command.
    NoExternalTarget,
    /// A deliberately faulty backend (a testing aid) was asked for without the environment
    /// variable that unlocks it.
    FaultsLocked {
        spec: String,
        variable: &'static str,
    },
    /// `sfn-api` in a build without the `aws` feature.
    NoAws,
    /// The backend could not start (SDK configuration, fixtures file, adapter start-up).
    Setup(String),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::Unknown(spec) => {
                write!(f, "unknown backend '{spec}'; use one of: {}", spec::SPECS)
            }
            BackendError::NoExternalTarget => f.write_str(
                "external: needs an adapter directory or a command, e.g. external:adapters/aws-local-stepfunctions",
            ),
            BackendError::FaultsLocked { spec, variable } => write!(
                f,
                "backend '{spec}' is a deliberately faulty reference interpreter for testing the differ and the shrinker; set {variable}=1 to use it"
            ),
            BackendError::NoAws => f.write_str(
                "sfn-api: this aslcheck was built without the `aws` feature (the AWS SDK); rebuild with default features",
            ),
            BackendError::Setup(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BackendError {}

/// How a case is judged (the case's "oracle mode").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Run an execution: status, output, error, cause (and history when both sides have it).
    Execution,
    /// Run one state through TestState.
    TestState,
    /// Validate the definition only.
    Validate,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Execution => "execution",
            Mode::TestState => "test_state",
            Mode::Validate => "validate",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "execution" => Some(Mode::Execution),
            "test_state" => Some(Mode::TestState),
            "validate" => Some(Mode::Validate),
            _ => None,
        }
    }
}

/// What a backend can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    pub modes: Vec<Mode>,
    /// Returns execution history.
    pub history: bool,
    /// Query languages it runs (`JSONPath`, `JSONata`).
    pub query_languages: Vec<String>,
    /// Runs the `aslcheck-*` fixture Lambda functions (docs/fixtures.md).
    pub fixtures: bool,
    /// Runs service integrations on a case's simulated resources (docs/resources.md).
    pub resources: bool,
    /// Runs workflow variables (`Assign`, `$name` reads; docs/semantics/variables.md).
    pub variables: bool,
    /// Answers `.waitForTaskToken` tasks from a case's callbacks script (docs/callbacks.md).
    pub callbacks: bool,
    /// Runs ECS tasks on a case's task-definition fixtures (docs/resources.md).
    pub ecs: bool,
}

impl Capabilities {
    /// Whether it runs machines in `language` (`JSONPath`, `JSONata`).
    pub fn runs_language(&self, language: &str) -> bool {
        self.query_languages.iter().any(|l| l == language)
    }
}

/// One case as a backend receives it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub mode: Mode,
    pub definition: &'a Value,
    pub input: &'a Value,
    /// Mocks, callback scripts, fixture set — see the case format.
    pub environment: &'a Value,
    /// Ask for the execution history.
    pub history: bool,
}

/// A validation diagnostic as observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: String,
    pub message: String,
    pub location: Option<String>,
}

/// The raw result of running one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    Execution {
        status: String,
        output: Option<Value>,
        error: Option<String>,
        cause: Option<String>,
        history: Option<Vec<Value>>,
    },
    Validation {
        valid: bool,
        diagnostics: Vec<Diagnostic>,
    },
    /// The backend cannot run this case (a missing capability); the reason says which.
    Skipped(String),
    /// Infrastructure trouble; the case says nothing about the implementation.
    Indeterminate(String),
    /// The implementation itself broke (crash, protocol violation).
    Errored(String),
}

/// An implementation the harness can run cases on.
pub trait Backend: Send {
    /// A short name used in reports (`reference`, `sfn-api`, `external:…`).
    fn name(&self) -> &str;
    fn capabilities(&self) -> Capabilities;
    fn run(&mut self, request: &Request<'_>) -> Observation;

    /// Runs several cases; the observations come back in the order of `requests`. Backends
    /// that can run cases concurrently (`sfn-api`, within its concurrency bound) override
    /// this; the default runs them one after another.
    fn run_batch(&mut self, requests: &[Request<'_>]) -> Vec<Observation> {
        requests.iter().map(|r| self.run(r)).collect()
    }
}
