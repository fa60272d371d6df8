//! The embedded reference interpreter as a backend.

use serde_json::Value;

use super::{Backend, Capabilities, Diagnostic, Mode, Observation, Request};
use crate::asl::{parse_definition, LoadError};
use crate::engine::{self, Fault, RunOptions};
use crate::tasks::Registry;

/// Runs cases in-process on the reference interpreter.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    /// Seed for the run's random source.
    pub seed: u64,
    /// A deliberate deviation from AWS ([`Fault`]), for testing the differ and the shrinker;
    /// always `None` outside such tests (the backend is then named `reference+fault=…`).
    pub fault: Option<Fault>,
}

impl Backend for Reference {
    fn name(&self) -> &str {
        match self.fault {
            None => "reference",
            Some(Fault::ResultPathOneLevelUp) => "reference+fault=resultpath",
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            modes: vec![Mode::Execution, Mode::Validate],
            history: true,
            query_languages: vec!["JSONPath".into(), "JSONata".into()],
            fixtures: true,
            resources: true,
            variables: true,
            callbacks: true,
            ecs: true,
        }
    }

    fn run(&mut self, request: &Request<'_>) -> Observation {
        let loaded = parse_definition(request.definition.clone());
        match request.mode {
            Mode::Validate => match loaded {
                Ok(_) => Observation::Validation {
                    valid: true,
                    diagnostics: Vec::new(),
                },
                Err(LoadError::Invalid(d)) => Observation::Validation {
                    valid: false,
                    diagnostics: d
                        .into_iter()
                        .map(|d| Diagnostic {
                            code: d.code.as_str().to_string(),
                            message: d.message,
                            location: d.location,
                        })
                        .collect(),
                },
                Err(LoadError::Io(m)) => Observation::Errored(m),
            },
            Mode::Execution => match loaded {
                Ok(def) => {
                    let names = crate::asl::state_names(request.definition);
                    let resources = match Registry::from_environment(request.environment, &names) {
                        Ok(r) => r,
                        Err(m) => return Observation::Errored(m),
                    };
                    // A case's `callbacks` member is a `--callbacks` script (docs/callbacks.md).
                    let callbacks: Box<dyn crate::tasks::callbacks::Callbacks> =
                        match request.environment.get("callbacks") {
                            Some(script) => match crate::tasks::callbacks::Script::parse(script) {
                                Ok(s) => Box::new(s),
                                Err(m) => return Observation::Errored(format!("environment: {m}")),
                            },
                            None => Box::new(crate::tasks::callbacks::Silent),
                        };
                    let options = RunOptions {
                        seed: self.seed,
                        history: request.history,
                        resources: Box::new(resources),
                        callbacks,
                        fault: self.fault,
                        express: request
                            .environment
                            .get("workflow_type")
                            .and_then(|v| v.as_str())
                            == Some("EXPRESS"),
                        ..RunOptions::default()
                    };
                    let o = engine::run(&def.machine, request.input, options);
                    Observation::Execution {
                        status: o.status.as_str().to_string(),
                        output: o.output,
                        error: o.error,
                        cause: o.cause,
                        history: o.history.map(|h| h.to_values()),
                    }
                }
                Err(e) => Observation::Errored(format!("the definition is invalid: {e}")),
            },
            Mode::TestState => Observation::Skipped(
                "the reference backend does not implement TestState yet".into(),
            ),
        }
    }
}

/// A JSON object describing an observation (for reports and `record`).
pub fn observation_json(o: &Observation) -> Value {
    match o {
        Observation::Execution {
            status,
            output,
            error,
            cause,
            history,
        } => {
            let mut m = serde_json::Map::new();
            m.insert("status".into(), Value::String(status.clone()));
            m.insert("output".into(), output.clone().unwrap_or(Value::Null));
            m.insert(
                "error".into(),
                error.clone().map(Value::String).unwrap_or(Value::Null),
            );
            m.insert(
                "cause".into(),
                cause.clone().map(Value::String).unwrap_or(Value::Null),
            );
            if let Some(h) = history {
                m.insert("history".into(), Value::Array(h.clone()));
            }
            Value::Object(m)
        }
        Observation::Validation { valid, diagnostics } => serde_json::json!({
            "valid": valid,
            "diagnostics": diagnostics.iter().map(|d| serde_json::json!({"code": d.code, "message": d.message, "location": d.location})).collect::<Vec<_>>()
        }),
        Observation::Skipped(r) => serde_json::json!({"skipped": r}),
        Observation::Indeterminate(r) => serde_json::json!({"indeterminate": r}),
        Observation::Errored(r) => serde_json::json!({"errored": r}),
    }
}
