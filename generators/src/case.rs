//! One generated case and its provenance.

use serde_json::{json, Value};

use crate::config::Config;

/// A generated case: a state machine, its execution input, and what a run needs.
///
/// `environment` holds:
/// - `fixtures`: the fixture functions the machine calls (`name → function ARN`);
/// - `nondeterministic`: what may legitimately differ between runs or implementations
///   (`uuid`, `math_random`, `context_object`, `lambda_error_cause`, `map_failure_order`,
///   `parallel_failure_order`); empty in deterministic mode except for `lambda_error_cause`
///   (a real Lambda error's Cause carries a request id);
/// - `faults`: the deliberate runtime faults placed (`"<what> at <state>"`); a fault is not a
///   promise of failure (an earlier Choice may route around it);
/// - `time_bound_seconds`: a rough upper bound of the wall-clock time a real implementation
///   needs (waits, sleeps, retry delays, multiplied by loops and Map items).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub definition: Value,
    pub input: Value,
    pub environment: Value,
    /// Profile name (`custom` for a bare config).
    pub profile: String,
    /// Seed of the decisions; `generate(profile, seed)` rebuilds the case unless `shrunk`.
    pub seed: u64,
    pub generator_version: String,
    /// The config actually used (after the swarm draw).
    pub config: Config,
    /// Made by shrinking: the seed alone no longer reproduces it.
    pub shrunk: bool,
    /// The deliberate definition error of an `invalid` case ([`crate::mutate`]): the case is
    /// judged by its validation verdict, which must be "invalid" with this code.
    pub mutation: Option<crate::mutate::Mutation>,
}

impl Case {
    /// `<profile>-<seed>` (with `-shrunk` when shrunk).
    pub fn id(&self) -> String {
        if self.shrunk {
            format!("{}-{}-shrunk", self.profile, self.seed)
        } else {
            format!("{}-{}", self.profile, self.seed)
        }
    }

    /// The case as one JSON object (definition, input, environment and provenance).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id(),
            "generator": {
                "name": "aslcheck-generators",
                "version": self.generator_version,
                "profile": self.profile,
                "seed": self.seed,
                "shrunk": self.shrunk,
                "config": serde_json::to_value(&self.config).unwrap_or(Value::Null),
            },
            "definition": self.definition,
            "input": self.input,
            "environment": self.environment,
            "mutation": self.mutation,
        })
    }

    /// Number of states, counting every nested branch and processor.
    pub fn state_count(&self) -> usize {
        crate::walk::states(&self.definition).len()
    }
}
