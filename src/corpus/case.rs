//! The case format: one conformance case per JSON file (`corpus/schema/case.schema.json`).

use std::path::PathBuf;

use serde_json::Value;

use super::pattern::Expect;
use crate::backend::Mode;

/// One conformance case, as loaded and checked by [`super::load`].
#[derive(Debug, Clone)]
pub struct Case {
    /// The path under `cases/` without `.json`, e.g. `paths/inputpath-selects-field`.
    pub id: String,
    /// The file the case was loaded from.
    pub file: PathBuf,
    pub description: String,
    pub tags: Vec<String>,
    /// Names from the closed vocabulary of `corpus/schema/features.txt`.
    pub features: Vec<String>,
    pub provenance: Provenance,
    /// The state machine definition (ASL JSON), given to the backend as is.
    pub definition: Value,
    /// Execution input; `{}` when the case has none (AWS's default, docs/semantics/execution.md §13.2).
    pub input: Value,
    /// Mocks, callback scripts, fixture set (free-form for now); `{}` when absent.
    pub environment: Value,
    pub mode: Mode,
    pub expected: Expected,
}

impl Case {
    /// The first segment of the id: the area (`paths`, `retry`, …).
    pub fn area(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }

    /// True when a history constraint is expected, so the backend must return history.
    pub fn wants_history(&self) -> bool {
        match &self.expected {
            Expected::Execution(alts) => alts.iter().any(|a| !a.history.is_empty()),
            Expected::Validation(_) => false,
        }
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// Where a case's expected result comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// An example of an AWS documentation page.
    AwsDocs { url: String },
    /// A rule of the project's semantics notes (`docs/semantics/`, by section number), with its evidence.
    Semantics { section: String, evidence: String },
    /// Recorded against AWS.
    Recorded {
        region: String,
        date: String,
        tool: String,
    },
    /// Observed on an implementation that is not AWS (`aslcheck record` from any backend other
    /// than `sfn-api` without `--endpoint`): what that implementation did, not evidence of what
    /// AWS does.
    Observed {
        /// The implementation, as `record` names it (`reference`, `external:…`,
        /// `sfn-api --endpoint URL`).
        implementation: String,
        date: String,
        tool: String,
    },
    /// Emitted by a generator; the expected result must still come from a trusted source.
    Generated {
        generator_version: String,
        profile: String,
        seed: u64,
    },
    /// Reduced from another case or artifact.
    Minimised { from: String },
}

impl Provenance {
    /// The `kind` member as written in case files.
    pub fn kind(&self) -> &'static str {
        match self {
            Provenance::AwsDocs { .. } => "aws-docs",
            Provenance::Semantics { .. } => "semantics",
            Provenance::Recorded { .. } => "recorded",
            Provenance::Observed { .. } => "observed",
            Provenance::Generated { .. } => "generated",
            Provenance::Minimised { .. } => "minimised",
        }
    }
}

/// The expected result: one or more alternatives (`any_of`); a case passes when one matches.
#[derive(Debug, Clone)]
pub enum Expected {
    /// For modes `execution` and `test_state`.
    Execution(Vec<ExecutionExpectation>),
    /// For mode `validate`.
    Validation(Vec<ValidationExpectation>),
}

/// Execution status values a case may expect.
pub const EXECUTION_STATUSES: [&str; 4] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
/// TestState status values a case may expect.
pub const TEST_STATE_STATUSES: [&str; 4] = ["SUCCEEDED", "FAILED", "CAUGHT_ERROR", "RETRIABLE"];

/// The expected outcome of an execution. A member that is absent is not checked; `null` for
/// `error`/`cause`/`output` asserts that the observation has none.
#[derive(Debug, Clone)]
pub struct ExecutionExpectation {
    pub status: String,
    pub output: Option<Expect>,
    pub error: Option<Expect>,
    pub cause: Option<Expect>,
    /// Every constraint must hold.
    pub history: Vec<HistoryConstraint>,
}

/// A constraint on the execution history (events as `GetExecutionHistory` returns them).
#[derive(Debug, Clone)]
pub enum HistoryConstraint {
    /// The exact sequence of event types.
    Types(Vec<String>),
    /// Each expected event matches a distinct observed event, in order: by `id` when the
    /// expectation gives one, else the next event that matches. Objects match as subsets.
    Events(Vec<Expect>),
    /// How many events of each listed type the history has (types not listed are not counted).
    Counts(Vec<(String, u64)>),
}

/// The expected outcome of validation.
#[derive(Debug, Clone)]
pub struct ValidationExpectation {
    pub valid: bool,
    /// Each listed diagnostic must be among the observed ones (any order; others may exist).
    pub diagnostics: Vec<DiagnosticExpectation>,
}

/// An expected diagnostic. `location: None` means "not checked"; `Some(None)` asserts that the
/// diagnostic has no location (AWS's `at null`).
#[derive(Debug, Clone)]
pub struct DiagnosticExpectation {
    pub code: String,
    pub location: Option<Option<String>>,
    pub message: Option<Expect>,
}
