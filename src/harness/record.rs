//! Recording expected results: one case file's `expected` and `provenance` filled from what a
//! backend observes, written atomically ([`crate::corpus::write`]).
//!
//! The corpus takes expected results only from AWS (docs, recorded AWS runs, the rule notes in
//! docs/semantics/), never from an interpreter: recording from a backend other than
//! [`AWS_BACKEND`] into a `cases/` directory is refused unless blessed.

use std::path::Path;

use serde_json::{json, Value};

use super::observe::observe;
use crate::backend::reference::observation_json;
use crate::backend::{Backend, Mode, Observation, Request};
use crate::corpus::load::{cases_root_of, parse_strict};
use crate::corpus::pending::literal;
use crate::corpus::write::{pretty, write_atomic};

/// The backend whose recordings are AWS evidence.
pub const AWS_BACKEND: &str = "sfn-api";

/// What happened to one case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Written,
    /// It has an expected result and `--bless` was not given.
    Kept,
    /// A non-AWS recording into `cases/` without `--bless`.
    Refused,
    /// The backend gave no result to record (skipped, indeterminate, errored).
    NoResult(String),
    /// The file is not a case.
    Invalid(String),
    /// Writing failed.
    Failed(String),
}

/// Records one case file from `backend`. `provenance` is written into the case as it is;
/// `is_aws` says the backend is AWS itself ([`AWS_BACKEND`] without `--endpoint`: an emulator
/// behind `--endpoint` is not); `bless` overwrites an existing expected result and allows
/// non-AWS recordings into `cases/`.
pub fn record_file(
    file: &Path,
    backend: &mut dyn Backend,
    provenance: &Value,
    is_aws: bool,
    bless: bool,
) -> Recorded {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return Recorded::Invalid(format!("cannot read: {e}")),
    };
    let mut case = match parse_strict(&text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Recorded::Invalid("a case file holds a JSON object".into()),
        Err(m) => return Recorded::Invalid(m),
    };
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    if !is_aws && !bless && cases_root_of(&absolute).is_some() {
        return Recorded::Refused;
    }
    if case.contains_key("expected") && !bless {
        return Recorded::Kept;
    }
    let Some(definition) = case.get("definition").filter(|d| d.is_object()) else {
        return Recorded::Invalid("at /definition: a definition object is required".into());
    };
    let mode = match case.get("mode") {
        None => Mode::Execution,
        Some(m) => match m.as_str().and_then(Mode::parse) {
            Some(m) => m,
            None => {
                return Recorded::Invalid(
                    "at /mode: mode must be one of execution, test_state, validate".into(),
                )
            }
        },
    };
    let empty = json!({});
    let request = Request {
        mode,
        definition,
        input: case.get("input").unwrap_or(&empty),
        environment: case.get("environment").unwrap_or(&empty),
        history: false,
    };
    let observation = observe(backend, &request);
    let mut expected = match &observation {
        Observation::Execution { .. } | Observation::Validation { .. } => {
            observation_json(&observation)
        }
        Observation::Skipped(m) => return Recorded::NoResult(format!("skipped: {m}")),
        Observation::Indeterminate(m) => return Recorded::NoResult(format!("indeterminate: {m}")),
        Observation::Errored(m) => return Recorded::NoResult(format!("errored: {m}")),
    };
    if let Some(o) = expected.as_object_mut() {
        o.remove("history");
    }
    case.insert("provenance".into(), provenance.clone());
    if !case.contains_key("mode") {
        case.insert("mode".into(), json!(mode.as_str()));
    }
    case.insert("expected".into(), literal(&expected));
    match write_atomic(file, &pretty(&Value::Object(case))) {
        Ok(()) => Recorded::Written,
        Err(e) => Recorded::Failed(e.to_string()),
    }
}
