//! Running one case on one implementation: the single observe path of every command.
//!
//! A case whose mode or history the backend cannot provide is skipped with the reason (as in
//! Bowtie: unsupported is not failed), and a panic inside a backend is that implementation
//! breaking on this case ([`Observation::Errored`]), not the end of the run.

use crate::backend::{Backend, Observation, Request};

/// Why `backend` cannot run `request`, as a skip; `None` when it can.
pub fn unsupported(backend: &dyn Backend, request: &Request<'_>) -> Option<Observation> {
    let caps = backend.capabilities();
    if !caps.modes.contains(&request.mode) {
        return Some(Observation::Skipped(format!(
            "{} does not support mode {}",
            backend.name(),
            request.mode.as_str()
        )));
    }
    if request.history && !caps.history {
        return Some(Observation::Skipped(format!(
            "{} does not return execution history",
            backend.name()
        )));
    }
    if uses_jsonata(request.definition) && !caps.query_languages.iter().any(|q| q == "JSONata") {
        return Some(Observation::Skipped(format!(
            "{} does not support the JSONata query language",
            backend.name()
        )));
    }
    None
}

/// Whether a definition sets `QueryLanguage` to JSONata: at the top or on any state, at any
/// depth (`asl::walk`, so a `QueryLanguage` key inside a payload does not count).
fn uses_jsonata(definition: &serde_json::Value) -> bool {
    let jsonata = |v: &serde_json::Value| {
        v.get("QueryLanguage").and_then(serde_json::Value::as_str) == Some("JSONata")
    };
    jsonata(definition) || crate::asl::walk::states(definition).any(|s| jsonata(s.value))
}

/// Runs one case and returns the raw observation.
pub fn observe(backend: &mut dyn Backend, request: &Request<'_>) -> Observation {
    if let Some(skip) = unsupported(backend, request) {
        return skip;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backend.run(request))) {
        Ok(o) => o,
        Err(payload) => panicked(backend, payload.as_ref()),
    }
}

/// Runs several cases as one batch (so backends that run cases concurrently can); the
/// observations come back in the order of `requests`. A panic in the batch, or a batch that
/// answers with the wrong number of observations, is retried one case at a time to find the
/// culprit.
pub fn observe_all(backend: &mut dyn Backend, requests: &[Request<'_>]) -> Vec<Observation> {
    let mut out: Vec<Option<Observation>> =
        requests.iter().map(|r| unsupported(backend, r)).collect();
    let runnable: Vec<usize> = (0..requests.len()).filter(|i| out[*i].is_none()).collect();
    let batch: Vec<Request<'_>> = runnable.iter().map(|i| requests[*i]).collect();
    let answered =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backend.run_batch(&batch)));
    match answered {
        Ok(observations) if observations.len() == runnable.len() => {
            for (i, o) in runnable.into_iter().zip(observations) {
                out[i] = Some(o);
            }
        }
        _ => {
            for i in runnable {
                out[i] = Some(observe(backend, &requests[i]));
            }
        }
    }
    out.into_iter()
        .map(|o| o.unwrap_or_else(|| Observation::Errored("not run".into())))
        .collect()
}

fn panicked(backend: &dyn Backend, payload: &(dyn std::any::Any + Send)) -> Observation {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic".into());
    Observation::Errored(format!("{} panicked: {message}", backend.name()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Capabilities, Mode};
    use serde_json::json;

    struct Panics;

    impl Backend for Panics {
        fn name(&self) -> &str {
            "panics"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                modes: vec![Mode::Execution],
                history: false,
                query_languages: vec!["JSONPath".into()],
                fixtures: true,
                resources: true,
                variables: true,
                callbacks: true,
                ecs: true,
            }
        }
        fn run(&mut self, _: &Request<'_>) -> Observation {
            panic!("boom")
        }
    }

    #[test]
    fn skips_what_a_backend_lacks_and_turns_panics_into_errors() {
        let (d, i, e) = (json!({}), json!({}), json!({}));
        let mut req = Request {
            mode: Mode::Execution,
            definition: &d,
            input: &i,
            environment: &e,
            history: false,
        };
        assert_eq!(
            observe(&mut Panics, &req),
            Observation::Errored("panics panicked: boom".into())
        );
        req.history = true;
        assert_eq!(
            observe(&mut Panics, &req),
            Observation::Skipped("panics does not return execution history".into())
        );
        req.history = false;
        req.mode = Mode::Validate;
        assert_eq!(
            observe_all(&mut Panics, &[req]),
            vec![Observation::Skipped(
                "panics does not support mode validate".into()
            )]
        );
        let jsonata = json!({"StartAt": "A", "States": {"A": {"Type": "Pass",
            "QueryLanguage": "JSONata", "End": true}}});
        req.mode = Mode::Execution;
        req.definition = &jsonata;
        assert_eq!(
            observe(&mut Panics, &req),
            Observation::Skipped("panics does not support the JSONata query language".into())
        );
    }
}
