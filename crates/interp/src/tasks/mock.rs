//! Step Functions Local mocks: the MockConfigFile format
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html>), so a
//! user's existing mock files work unchanged.
//!
//! `StateMachines.<machine>.TestCases.<case>` maps state names to mocked-response names;
//! `MockedResponses.<name>` maps invocation numbers (`"0"`, or ranges such as `"1-2"`) to
//! `{"Return": <result>}` or `{"Throw": {"Error", "Cause"}}`. The n-th call of a mocked state in
//! an execution (retries included) gets the response for `n`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Response;
use crate::errors::Failure;

/// One mocked response per invocation number.
#[derive(Debug, Clone, PartialEq)]
pub enum Mocked {
    Return(Value),
    Throw { error: String, cause: String },
}

/// Responses by invocation range: `(first, last, response)`.
type Ranges = Vec<(u64, u64, Mocked)>;

/// The selected test case: mocked states and their responses.
#[derive(Debug, Clone, Default)]
pub struct TestCase {
    /// state name → (response name, ranges)
    states: BTreeMap<String, (String, Ranges)>,
    calls: BTreeMap<String, u64>,
}

/// A problem with a mock file, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError(pub String);

impl std::fmt::Display for MockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TestCase {
    /// Selects `test_case` of `machine` (or of the file's only state machine when `machine` is
    /// `None`). `states` are the definition's state names: a mock for a state that does not exist
    /// is an error.
    pub fn load(
        config: &Value,
        machine: Option<&str>,
        test_case: &str,
        states: &[String],
    ) -> Result<TestCase, MockError> {
        let machines = config
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError("mock config: /StateMachines must be an object".into()))?;
        let (machine_name, sm) = match machine {
            Some(m) => (
                m.to_string(),
                machines.get(m).ok_or_else(|| {
                    MockError(format!(
                        "mock config: /StateMachines has no state machine '{m}' (it has: {})",
                        machines.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })?,
            ),
            None if machines.len() == 1 => match machines.iter().next() {
                Some((k, v)) => (k.clone(), v),
                None => return Err(MockError("mock config: /StateMachines is empty".into())),
            },
            None => {
                return Err(MockError(format!(
                    "mock config: /StateMachines has {} state machines; choose one with --state-machine ({})",
                    machines.len(),
                    machines.keys().cloned().collect::<Vec<_>>().join(", ")
                )))
            }
        };
        let case = sm
            .get("TestCases")
            .and_then(|t| t.get(test_case))
            .and_then(Value::as_object)
            .ok_or_else(|| MockError(format!("mock config: /StateMachines/{machine_name}/TestCases/{test_case} is missing or not an object")))?;
        let responses = config
            .get("MockedResponses")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError("mock config: /MockedResponses must be an object".into()))?;
        let mut out = TestCase::default();
        for (state, response) in case {
            let at = format!("/StateMachines/{machine_name}/TestCases/{test_case}/{state}");
            if !states.iter().any(|s| s == state) {
                return Err(MockError(format!(
                    "mock config: {at}: the state machine has no state named '{state}'"
                )));
            }
            let name = response.as_str().ok_or_else(|| {
                MockError(format!(
                    "mock config: {at}: expected the name of a mocked response"
                ))
            })?;
            let table = responses
                .get(name)
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    MockError(format!(
                        "mock config: {at} names '{name}', which is not in /MockedResponses"
                    ))
                })?;
            let mut ranges = Vec::new();
            for (key, v) in table {
                let rat = format!("/MockedResponses/{name}/{key}");
                let (first, last) = parse_range(key)
                    .ok_or_else(|| MockError(format!("mock config: {rat}: the key must be an invocation number like \"0\" or a range like \"1-2\"")))?;
                ranges.push((first, last, parse_mocked(v, &rat)?));
            }
            out.states.insert(state.clone(), (name.to_string(), ranges));
        }
        Ok(out)
    }

    /// The response for the next call of `state`, if it is mocked.
    pub fn respond(&mut self, state: &str) -> Option<Response> {
        let (name, ranges) = self.states.get(state)?;
        let n = self.calls.entry(state.to_string()).or_insert(0);
        let call = *n;
        *n += 1;
        let hit = ranges.iter().find(|(a, b, _)| (*a..=*b).contains(&call));
        Some(match hit {
            Some((_, _, Mocked::Return(v))) => Response::ok(v.clone()),
            Some((_, _, Mocked::Throw { error, cause })) => Response::err(Failure::raised(error.clone(), cause.clone())),
            None => Response::err(Failure::raised(
                crate::errors::TASK_FAILED,
                format!("The mocked response '{name}' has no entry for invocation {call} of state '{state}'."),
            )),
        })
    }
}

fn parse_range(key: &str) -> Option<(u64, u64)> {
    match key.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => {
            let n = key.trim().parse().ok()?;
            Some((n, n))
        }
    }
}

fn parse_mocked(v: &Value, at: &str) -> Result<Mocked, MockError> {
    if let Some(r) = v.get("Return") {
        return Ok(Mocked::Return(r.clone()));
    }
    if let Some(t) = v.get("Throw") {
        let field = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        return Ok(Mocked::Throw {
            error: field("Error"),
            cause: field("Cause"),
        });
    }
    Err(MockError(format!(
        "mock config: {at}: expected {{\"Return\": …}} or {{\"Throw\": {{\"Error\", \"Cause\"}}}}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> Value {
        json!({
            "StateMachines": {"M": {"TestCases": {"Retry": {"L": "Flaky"}}}},
            "MockedResponses": {"Flaky": {
                "0": {"Throw": {"Error": "Lambda.ResourceNotFoundException", "Cause": "Lambda resource is not found."}},
                "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
                "3": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}
            }}
        })
    }

    #[test]
    fn invocation_numbers_and_ranges() {
        let mut tc = TestCase::load(&config(), None, "Retry", &["L".into()]).unwrap();
        let errs: Vec<_> = (0..3)
            .map(|_| match tc.respond("L") {
                Some(Response::Done { result: Err(f), .. }) => f.error.unwrap(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            errs,
            [
                "Lambda.ResourceNotFoundException",
                "Lambda.TimeoutException",
                "Lambda.TimeoutException"
            ]
        );
        assert_eq!(
            tc.respond("L"),
            Some(Response::ok(
                json!({"StatusCode": 200, "Payload": {"ok": true}})
            ))
        );
        assert!(tc.respond("Other").is_none());
    }

    #[test]
    fn a_mock_for_a_missing_state_is_an_error() {
        let e = TestCase::load(&config(), Some("M"), "Retry", &["X".into()]).unwrap_err();
        assert!(e.0.contains("no state named 'L'"), "{e}");
        let e = TestCase::load(&config(), Some("Nope"), "Retry", &["L".into()]).unwrap_err();
        assert!(e.0.contains("no state machine 'Nope'"), "{e}");
        let e = TestCase::load(&config(), None, "Missing", &["L".into()]).unwrap_err();
        assert!(e.0.contains("TestCases/Missing"), "{e}");
    }
}
