//! The fixture functions generated machines use (contract: `docs/fixtures.md`). Each is defined
//! only by its input, so the same function can be deployed unchanged as a stateless AWS Lambda.

use serde_json::Value;

/// Fixture function names as deployed: `aslcheck-<name>`.
pub const PREFIX: &str = "aslcheck-";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// Returns its input.
    Echo,
    /// Raises `input.error` with `input.cause`.
    Fail,
    /// Raises `input.error` while `input.attempt < input.failures`, then returns its input.
    Flaky,
    /// Takes `input.seconds` seconds, then returns its input.
    Sleep,
}

/// What a fixture did: returned a value (after a virtual delay) or raised an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Return { after_ms: i64, value: Value },
    Raise { error: String, message: String },
}

/// The error a fixture raises when its input breaks the contract.
pub const CONTRACT_ERROR: &str = "FixtureInputError";

impl Fixture {
    /// The fixture a function name denotes (`aslcheck-echo` …).
    pub fn named(function: &str) -> Option<Fixture> {
        match function.strip_prefix(PREFIX)? {
            "echo" => Some(Fixture::Echo),
            "fail" => Some(Fixture::Fail),
            "flaky" => Some(Fixture::Flaky),
            "sleep" => Some(Fixture::Sleep),
            _ => None,
        }
    }

    pub fn run(self, input: &Value) -> Effect {
        let text = |k: &str, default: &str| {
            input
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string()
        };
        let int = |k: &str| input.get(k).and_then(Value::as_i64);
        match self {
            Fixture::Echo => Effect::Return {
                after_ms: 0,
                value: input.clone(),
            },
            Fixture::Fail => Effect::Raise {
                error: text("error", "FixtureError"),
                message: text("cause", ""),
            },
            Fixture::Flaky => match (int("attempt"), int("failures")) {
                (Some(a), Some(n)) if a < n => Effect::Raise {
                    error: text("error", "FlakyError"),
                    message: format!("attempt {a} of the first {n} fails"),
                },
                (Some(_), Some(_)) => Effect::Return {
                    after_ms: 0,
                    value: input.clone(),
                },
                _ => Effect::Raise {
                    error: CONTRACT_ERROR.into(),
                    message: "aslcheck-flaky needs integer fields 'attempt' and 'failures'".into(),
                },
            },
            Fixture::Sleep => match input.get("seconds").and_then(Value::as_f64) {
                Some(s) if s >= 0.0 && s.is_finite() => Effect::Return {
                    after_ms: (s * 1000.0).min(4e13).round() as i64,
                    value: input.clone(),
                },
                _ => Effect::Raise {
                    error: CONTRACT_ERROR.into(),
                    message: "aslcheck-sleep needs a non-negative number 'seconds'".into(),
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contract() {
        assert_eq!(Fixture::named("aslcheck-echo"), Some(Fixture::Echo));
        assert_eq!(Fixture::named("echo"), None);
        assert_eq!(
            Fixture::Echo.run(&json!({"a": 1})),
            Effect::Return {
                after_ms: 0,
                value: json!({"a": 1})
            }
        );
        assert_eq!(
            Fixture::Fail.run(&json!({"error": "E", "cause": "c"})),
            Effect::Raise {
                error: "E".into(),
                message: "c".into()
            }
        );
        assert!(matches!(
            Fixture::Flaky.run(&json!({"attempt": 0, "failures": 2, "error": "X"})),
            Effect::Raise { .. }
        ));
        assert!(matches!(
            Fixture::Flaky.run(&json!({"attempt": 2, "failures": 2})),
            Effect::Return { .. }
        ));
        assert_eq!(
            Fixture::Sleep.run(&json!({"seconds": 2})),
            Effect::Return {
                after_ms: 2000,
                value: json!({"seconds": 2})
            }
        );
        assert!(matches!(
            Fixture::Sleep.run(&json!({})),
            Effect::Raise { .. }
        ));
    }
}
