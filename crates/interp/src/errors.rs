//! ASL errors: the names AWS predefines and the failure value that travels through the interpreter.
//!
//! Error names and catchability follow docs/semantics/errors.md §6.1–6.2 and
//! <https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>:
//! `States.Runtime` is never retried or caught (not even by an explicit `States.Runtime`), and a
//! state input/output above the payload limit is terminal too.

use serde_json::{Map, Value};

pub const ALL: &str = "States.ALL";
pub const RUNTIME: &str = "States.Runtime";
pub const TIMEOUT: &str = "States.Timeout";
pub const TASK_FAILED: &str = "States.TaskFailed";
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// How a failure came about; decides whether Retry/Catch may handle it and how its cause prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Raised by a Fail state, a task, or an intrinsic function: handled by Retry/Catch as usual.
    Raised,
    /// Raised by the engine for unprocessable data (`States.Runtime`): never retried or caught, and
    /// its cause carries AWS's "An error occurred while executing the state …" prefix (§6.6).
    Runtime,
    /// A state's input or output exceeded the payload limit: terminal (§6.1).
    Terminal,
    /// A JSONata expression failed (`States.QueryEvaluationError`): retried and caught like a
    /// raised error, with the state prefix in its cause like `States.Runtime`
    /// (docs/semantics/jsonata.md §11.5).
    Query {
        /// Whether its `EvaluationFailed` event is in the history already.
        reported: bool,
        /// The field whose expression failed, as `EvaluationFailed` names it (`Output/x`).
        location: Option<String>,
    },
}

/// Where an engine error happened: the state and the sequence number of its `…Entered` event,
/// rendered as the cause prefix once final event ids are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub state: String,
    pub entered_seq: usize,
}

/// An error raised while running a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: Option<String>,
    pub cause: Option<String>,
    pub origin: Origin,
    pub site: Option<Site>,
}

impl Failure {
    /// A catchable error with a name and a cause.
    pub fn raised(error: impl Into<String>, cause: impl Into<String>) -> Failure {
        Failure {
            error: Some(error.into()),
            cause: Some(cause.into()),
            origin: Origin::Raised,
            site: None,
        }
    }

    /// `States.Runtime` with the detail that follows AWS's prefix.
    pub fn runtime(detail: impl Into<String>) -> Failure {
        Failure {
            error: Some(RUNTIME.to_string()),
            cause: Some(detail.into()),
            origin: Origin::Runtime,
            site: None,
        }
    }

    /// `States.Timeout` of a task or heartbeat: no cause in history, `""` in the Error Output (§6.4).
    pub fn timeout() -> Failure {
        Failure {
            error: Some(TIMEOUT.to_string()),
            cause: None,
            origin: Origin::Raised,
            site: None,
        }
    }

    /// Whether Retry and Catch may consider this failure at all.
    pub fn is_handleable(&self) -> bool {
        matches!(self.origin, Origin::Raised | Origin::Query { .. })
            && self.error.as_deref() != Some(RUNTIME)
    }

    /// Whether a JSONata expression failed (`States.QueryEvaluationError` from the engine).
    pub fn is_query(&self) -> bool {
        matches!(self.origin, Origin::Query { .. })
    }

    /// Records the state where an engine error happened, unless an inner state already did.
    pub fn at(mut self, state: &str, entered_seq: usize) -> Failure {
        if self.site.is_none() && matches!(self.origin, Origin::Runtime | Origin::Query { .. }) {
            self.site = Some(Site {
                state: state.to_string(),
                entered_seq,
            });
        }
        self
    }

    /// The cause as AWS shows it, given the final id of the `…Entered` event of the failing state.
    pub fn rendered_cause(&self, entered_id: impl Fn(usize) -> u64) -> Option<String> {
        match (&self.site, &self.cause) {
            (Some(site), Some(cause)) => Some(format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                site.state,
                entered_id(site.entered_seq),
                cause
            )),
            (_, cause) => cause.clone(),
        }
    }

    /// The Error Output a Catcher sees: `{"Error": …, "Cause": …}` (docs/semantics/errors.md §6.4).
    pub fn error_output(&self) -> Value {
        let mut map = Map::new();
        map.insert("Error".into(), opt_string(&self.error));
        let cause = match (&self.cause, self.error.as_deref()) {
            // A caught timeout shows `"Cause": ""` (docs/semantics/errors.md §6.4).
            (None, Some(TIMEOUT)) => Value::String(String::new()),
            (c, _) => opt_string(c),
        };
        map.insert("Cause".into(), cause);
        Value::Object(map)
    }
}

fn opt_string(s: &Option<String>) -> Value {
    match s {
        Some(s) => Value::String(s.clone()),
        None => Value::Null,
    }
}

/// Whether `name` (possibly absent) is matched by one `ErrorEquals` entry (§6.2):
/// exact, case-sensitive names; `States.ALL` matches everything handleable including an absent
/// name; `States.TaskFailed` matches every error except `States.Timeout`.
pub fn matches(pattern: &str, name: Option<&str>) -> bool {
    match pattern {
        ALL => true,
        // DG: "acts as a wildcard that matches any known error name except for States.Timeout".
        TASK_FAILED => name != Some(TIMEOUT),
        _ => name == Some(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_is_not_handleable() {
        assert!(!Failure::runtime("x").is_handleable());
        assert!(Failure::raised("Custom", "c").is_handleable());
        assert!(!Failure::raised(RUNTIME, "c").is_handleable());
    }

    #[test]
    fn matching_rules() {
        assert!(matches(ALL, None));
        assert!(matches(ALL, Some("X")));
        assert!(matches("X", Some("X")));
        assert!(!matches("x", Some("X")));
        assert!(!matches("State.ALL", Some("X")));
        assert!(!matches("X", None));
        assert!(matches(TASK_FAILED, Some("Lambda.Unknown")));
        assert!(!matches(TASK_FAILED, Some(TIMEOUT)));
    }

    #[test]
    fn cause_prefix_follows_aws() {
        let f = Failure::runtime("Invalid path '$.x' : No results for path: $['x']").at("P", 1);
        assert_eq!(
            f.rendered_cause(|_| 2).unwrap(),
            "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.x' : No results for path: $['x']"
        );
    }
}
