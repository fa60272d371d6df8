//! TestState: one state run on its own
//! (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html>,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html>).
//!
//! The state is run by the interpreter inside a small machine built around it, so that it
//! behaves exactly as it does in an execution:
//!
//! - its `Next` becomes `End` (the answer's `nextState` is the original `Next`); a Choice's
//!   rules and `Default` lead to marker `Succeed` states that tell which one matched;
//! - its `Retry` is taken out: an error a retrier matches with attempts left
//!   (`stateConfiguration.retrierRetryCount` of them used) is the answer `RETRIABLE`, with the
//!   retrier's index and its backoff `IntervalSeconds × BackoffRate^count` (capped by
//!   `MaxDelaySeconds`), and the state is not run again;
//! - its `Catch` is taken out for the first run; when a catcher matches the error, the state
//!   runs a second time with the catchers leading to marker states, and the answer is
//!   `CAUGHT_ERROR` with the catcher's output and `Next`;
//! - request `variables` are assigned by a JSONPath Pass state before it;
//! - a `mock` answers the state's service call (as a MockConfigFile response does); a Map or
//!   Parallel state with a mock becomes a Task with the same input and output fields whose
//!   result is the mock (the iterations and branches are not run).
//!
//! At `DEBUG` and `TRACE`, `inspectionData` shows the input and, for a JSONPath state, the data
//! after each step; they come from the same interpreter running the steps one at a time.

use serde_json::{json, Map, Value};

use super::error::ApiError;
use crate::engine::{self, Outcome, RunOptions, Status};
use crate::errors::{matches, RUNTIME};
use crate::tasks::callbacks::Silent;
use crate::tasks::mock::TestCase;
use crate::tasks::Registry;
use crate::world::SharedWorld;

type Obj = Map<String, Value>;

/// Names of the marker states (no user state starts with it).
const MARK: &str = "__aslcheck_";
const MACHINE: &str = "TestState";
const MAX_PAYLOAD: usize = 262_144;

fn invalid(kind: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(kind, message)
}

fn validation(message: impl Into<String>) -> ApiError {
    invalid("ValidationException", message)
}

/// A string member, `None` when absent; another JSON type is a `SerializationException`.
fn text<'r>(r: &'r Obj, key: &str, max: usize) -> Result<Option<&'r str>, ApiError> {
    match r.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() > max => Err(validation(format!(
            "1 validation error detected: Value at '{key}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        ))),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(
            "SerializationException",
            format!("'{key}' must be a string"),
        )),
    }
}

fn json_member(r: &Obj, key: &str, kind: &'static str) -> Result<Option<Value>, ApiError> {
    match text(r, key, MAX_PAYLOAD)? {
        None => Ok(None),
        Some(t) => serde_json::from_str(t)
            .map(Some)
            .map_err(|e| invalid(kind, format!("'{key}' is not valid JSON: {e}"))),
    }
}

/// What the request asks for, checked.
struct Request {
    state: Obj,
    name: String,
    language: &'static str,
    input: Value,
    level: &'static str,
    variables: Option<Obj>,
    mock: Option<Value>,
    retry_count: u64,
}

fn request(r: &Obj) -> Result<Request, ApiError> {
    let Some(definition) = text(r, "definition", 1_048_576)? else {
        return Err(validation(
            "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null",
        ));
    };
    let def: Value = serde_json::from_str(definition).map_err(|e| {
        invalid(
            "InvalidDefinition",
            format!("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition is not JSON: {e}'"),
        )
    })?;
    let Value::Object(def) = def else {
        return Err(invalid(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'",
        ));
    };
    let top_language = language_of(&def, "JSONPath");
    let (state, name, language) = match text(r, "stateName", 80)? {
        Some(wanted) => {
            if !def.contains_key("States") {
                return Err(validation(
                    "stateName needs a definition of a whole state machine (with StartAt and States)",
                ));
            }
            find_state(&def, wanted, top_language)
                .ok_or_else(|| validation("State not found in definition"))?
        }
        None if def.contains_key("States") => {
            return Err(validation(
                "The definition is a state machine: name the state to test with stateName",
            ))
        }
        None => {
            let language = language_of(&def, "JSONPath");
            (def, "TestState".to_string(), language)
        }
    };
    let kind = state.get("Type").and_then(Value::as_str).unwrap_or("");
    let resource = state.get("Resource").and_then(Value::as_str).unwrap_or("");
    let level = match text(r, "inspectionLevel", 16)? {
        None | Some("INFO") => "INFO",
        Some("DEBUG") => "DEBUG",
        Some("TRACE") => "TRACE",
        Some(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
            )))
        }
    };
    let reveal = match r.get("revealSecrets") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(invalid(
                "SerializationException",
                "'revealSecrets' must be a boolean",
            ))
        }
    };
    if let Some(role) = text(r, "roleArn", 256)? {
        if !role.starts_with("arn:") {
            return Err(invalid("InvalidArn", format!("Invalid Arn: '{role}'")));
        }
    }
    let mock = match r.get("mock") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(mock_response(m)?),
        Some(_) => {
            return Err(invalid(
                "SerializationException",
                "'mock' must be an object",
            ))
        }
    };
    if mock.is_some() {
        if reveal {
            return Err(validation(
                "TestState does not support RevealSecrets when a mock is specified.",
            ));
        }
        if !matches!(kind, "Task" | "Map" | "Parallel") {
            return Err(validation(format!(
                "State type '{kind}' is not supported when a mock is specified"
            )));
        }
    } else {
        if matches!(kind, "Map" | "Parallel") {
            return Err(invalid(
                "InvalidDefinition",
                "TestState API does not support Map or Parallel states without a mock. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
            ));
        }
        if kind == "Task" {
            if resource.contains(".sync")
                || resource.contains(".waitForTaskToken")
                || resource.contains(":activity:")
            {
                return Err(validation(
                    "TestState supports activity tasks and the .sync and .waitForTaskToken integration patterns only with a mock",
                ));
            }
            if text(r, "roleArn", 256)?.is_none() {
                return Err(validation(
                    "RoleArn must be specified when testing a Task state",
                ));
            }
        }
        if r.get("context").is_some_and(|c| !c.is_null()) {
            return Err(validation(
                "A context may only be specified together with a mock",
            ));
        }
    }
    if r.get("context").is_some_and(|c| !c.is_null()) {
        // Running under a given Context object needs the interpreter's context to be set from
        // outside, which it cannot be yet; refusing is better than ignoring it.
        return Err(validation(
            "This server does not support 'context' yet (docs/serve.md, TestState)",
        ));
    }
    let input = json_member(r, "input", "InvalidExecutionInput")?.unwrap_or_else(|| json!({}));
    let variables = match json_member(r, "variables", "ValidationException")? {
        None => None,
        Some(Value::Object(v)) => Some(v),
        Some(_) => return Err(validation("'variables' must be a JSON object")),
    };
    let retry_count = match r.get("stateConfiguration") {
        None | Some(Value::Null) => 0,
        Some(Value::Object(c)) => {
            for key in [
                "errorCausedByState",
                "mapIterationFailureCount",
                "mapItemReaderData",
            ] {
                if c.get(key).is_some_and(|v| !v.is_null()) {
                    return Err(validation(format!(
                        "This server does not support stateConfiguration.{key} yet (docs/serve.md, TestState)"
                    )));
                }
            }
            match c.get("retrierRetryCount") {
                None | Some(Value::Null) => 0,
                Some(v) => v.as_u64().ok_or_else(|| {
                    validation(
                        "stateConfiguration.retrierRetryCount must be a whole number of at least 0",
                    )
                })?,
            }
        }
        Some(_) => {
            return Err(invalid(
                "SerializationException",
                "'stateConfiguration' must be an object",
            ))
        }
    };
    Ok(Request {
        state,
        name,
        language,
        input,
        level,
        variables,
        mock,
        retry_count,
    })
}

fn language_of(o: &Obj, inherited: &'static str) -> &'static str {
    match o.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => "JSONata",
        Some("JSONPath") => "JSONPath",
        _ => inherited,
    }
}

/// The state named `wanted` anywhere in `machine` (inside Parallel branches and Map processors
/// too), with the query language it runs in.
fn find_state(
    machine: &Obj,
    wanted: &str,
    language: &'static str,
) -> Option<(Obj, String, &'static str)> {
    let states = machine.get("States")?.as_object()?;
    if let Some(Value::Object(s)) = states.get(wanted) {
        return Some((s.clone(), wanted.to_string(), language_of(s, language)));
    }
    for s in states.values().filter_map(Value::as_object) {
        let inner = language_of(s, language);
        let mut graphs: Vec<&Obj> = Vec::new();
        if let Some(Value::Array(branches)) = s.get("Branches") {
            graphs.extend(branches.iter().filter_map(Value::as_object));
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(Value::Object(g)) = s.get(key) {
                graphs.push(g);
            }
        }
        for g in graphs {
            if let Some(found) = find_state(g, wanted, language_of(g, inner)) {
                return Some(found);
            }
        }
    }
    None
}

/// A MockConfigFile response (`Return` or `Throw`) from the request's `mock`.
fn mock_response(m: &Obj) -> Result<Value, ApiError> {
    if let Some(mode) = m.get("fieldValidationMode").and_then(Value::as_str) {
        if !matches!(mode, "STRICT" | "PRESENT" | "NONE") {
            return Err(validation(format!(
                "1 validation error detected: Value '{mode}' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]"
            )));
        }
    }
    match (m.get("result"), m.get("errorOutput")) {
        (Some(_), Some(_)) => Err(validation(
            "A test mock should have only one of the following fields: [result, errorOutput].",
        )),
        (Some(Value::String(result)), None) => {
            let value: Value = serde_json::from_str(result)
                .map_err(|e| validation(format!("The mock result is not valid JSON: {e}")))?;
            Ok(json!({"Return": value}))
        }
        (None, Some(Value::Object(e))) => {
            let error = e.get("error").and_then(Value::as_str).ok_or_else(|| {
                validation("mock.errorOutput.error is required if mock.errorOutput is specified")
            })?;
            let cause = e.get("cause").and_then(Value::as_str).unwrap_or("");
            Ok(json!({"Throw": {"Error": error, "Cause": cause}}))
        }
        _ => Err(validation(
            "A test mock needs one of the following fields: [result, errorOutput].",
        )),
    }
}

/// What a run of the built machine ended with.
struct Run {
    outcome: Outcome,
    /// The marker state the run reached (`choice_2`, `default`, `caught_0`), if any.
    marker: Option<String>,
    events: Vec<Value>,
}

/// Where the tested state runs: the simulated world and the ARNs' region and account.
#[derive(Clone, Copy)]
struct Env<'a> {
    world: &'a SharedWorld,
    region: &'a str,
    account: &'a str,
}

/// Runs `states` (starting at `start`) with `input`, the mock answering the state it names.
fn run_machine(
    states: Obj,
    start: &str,
    language: &str,
    input: &Value,
    mock: Option<(&str, &Value)>,
    env: Env<'_>,
) -> Result<Run, ApiError> {
    let Env {
        world,
        region,
        account,
    } = env;
    let machine = json!({"QueryLanguage": language, "StartAt": start, "States": states});
    let definition = super::api::Api::compile(&machine.to_string())
        .map_err(|m| invalid("InvalidDefinition", m))?;
    let mut registry = Registry {
        world: world.clone(),
        ..Registry::default()
    };
    if let Some((state, response)) = mock {
        let config = json!({
            "StateMachines": {MACHINE: {"TestCases": {"Mocked": {state: "Response"}}}},
            "MockedResponses": {"Response": {"0": response}},
        });
        let names = crate::asl::state_names(&definition.json);
        registry.mocks = Some(
            TestCase::load(&config, Some(MACHINE), "Mocked", &names)
                .map_err(|e| validation(e.to_string()))?,
        );
    }
    let outcome = engine::run(
        &definition.machine,
        input,
        RunOptions {
            history: true,
            state_machine_name: MACHINE.to_string().into(),
            execution_name: Some("TestState".into()),
            region: region.to_string().into(),
            account: account.to_string().into(),
            resources: Box::new(registry),
            callbacks: Box::new(Silent),
            ..RunOptions::default()
        },
    );
    let events = outcome
        .history
        .as_ref()
        .map(|h| h.to_values())
        .unwrap_or_default();
    let marker = events.iter().rev().find_map(|e| {
        e.get("stateEnteredEventDetails")
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
            .and_then(|n| n.strip_prefix(MARK))
            .map(String::from)
    });
    Ok(Run {
        outcome,
        marker,
        events,
    })
}

/// The Succeed state a rewritten transition leads to.
fn marker(states: &mut Obj, what: &str) -> Value {
    let name = format!("{MARK}{what}");
    states.insert(name.clone(), json!({"Type": "Succeed"}));
    Value::String(name)
}

/// The tested state rewritten for one run: no Retry, `Next` → `End`, the Choice's transitions
/// and (with `catch`) the catchers' to marker states; a mocked Map or Parallel as a Task.
fn rewritten(req: &Request, states: &mut Obj, catch: bool, env: Env<'_>) -> Obj {
    let (region, account) = (env.region, env.account);
    let mut s = req.state.clone();
    s.remove("Retry");
    let kind = s
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if matches!(kind.as_str(), "Map" | "Parallel") {
        // The mock is the state's result; its input and output fields stay.
        let mut task = Obj::new();
        for key in [
            "Comment",
            "QueryLanguage",
            "InputPath",
            "OutputPath",
            "ResultSelector",
            "ResultPath",
            "Catch",
            "Assign",
            "Output",
            "Next",
            "End",
        ] {
            if let Some(v) = s.get(key) {
                task.insert(key.into(), v.clone());
            }
        }
        if kind == "Parallel" {
            for key in ["Parameters", "Arguments"] {
                if let Some(v) = s.get(key) {
                    task.insert(key.into(), v.clone());
                }
            }
        }
        task.insert("Type".into(), json!("Task"));
        task.insert(
            "Resource".into(),
            json!(format!(
                "arn:aws:lambda:{region}:{account}:function:TestStateMock"
            )),
        );
        s = task;
    }
    if kind == "Choice" {
        if let Some(Value::Array(rules)) = s.get_mut("Choices") {
            for (i, rule) in rules.iter_mut().enumerate() {
                if let Some(o) = rule.as_object_mut() {
                    o.insert("Next".into(), marker(states, &format!("choice_{i}")));
                }
            }
        }
        if s.contains_key("Default") {
            s.insert("Default".into(), marker(states, "default"));
        }
    } else if s.remove("Next").is_some() {
        s.insert("End".into(), json!(true));
    }
    if catch {
        if let Some(Value::Array(catchers)) = s.get_mut("Catch") {
            for (i, c) in catchers.iter_mut().enumerate() {
                if let Some(o) = c.as_object_mut() {
                    o.insert("Next".into(), marker(states, &format!("caught_{i}")));
                }
            }
        }
    } else {
        s.remove("Catch");
    }
    s
}

/// The machine of one run: the variables' Pass state, the tested state, and the markers.
fn machine_states(req: &Request, catch: bool, env: Env<'_>) -> (Obj, String) {
    let mut states = Obj::new();
    let tested = rewritten(req, &mut states, catch, env);
    states.insert(req.name.clone(), Value::Object(tested));
    let start = match &req.variables {
        Some(v) => {
            let name = format!("{MARK}variables");
            states.insert(
                name.clone(),
                json!({"Type": "Pass", "QueryLanguage": "JSONPath", "Assign": v, "Next": req.name}),
            );
            name
        }
        None => req.name.clone(),
    };
    (states, start)
}

/// A retrier of the tested state, with AWS's defaults.
struct Retrier {
    errors: Vec<String>,
    interval: f64,
    max_attempts: u64,
    backoff: f64,
    max_delay: Option<f64>,
}

fn retriers(state: &Obj) -> Vec<Retrier> {
    let Some(Value::Array(list)) = state.get("Retry") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Value::as_object)
        .map(|r| Retrier {
            errors: error_equals(r),
            interval: r
                .get("IntervalSeconds")
                .and_then(Value::as_f64)
                .unwrap_or(1.0),
            max_attempts: r.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3),
            backoff: r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
            max_delay: r.get("MaxDelaySeconds").and_then(Value::as_f64),
        })
        .collect()
}

fn error_equals(o: &Obj) -> Vec<String> {
    o.get("ErrorEquals")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The original target of a transition the run reached through `marker`.
fn next_state(state: &Obj, marker: Option<&str>) -> Option<String> {
    let at = |list: &str, i: &str| {
        state
            .get(list)?
            .get(i.parse::<usize>().ok()?)?
            .get("Next")?
            .as_str()
            .map(String::from)
    };
    match marker {
        Some("default") => state
            .get("Default")
            .and_then(Value::as_str)
            .map(String::from),
        Some(m) => match m.split_once('_') {
            Some(("choice", i)) => at("Choices", i),
            Some(("caught", i)) => at("Catch", i),
            _ => None,
        },
        None => state.get("Next").and_then(Value::as_str).map(String::from),
    }
}

/// Answers TestState.
pub fn test_state(
    r: &Obj,
    world: &SharedWorld,
    region: &str,
    account: &str,
) -> Result<Value, ApiError> {
    let req = request(r)?;
    let env = Env {
        world,
        region,
        account,
    };
    let mock = req.mock.as_ref().map(|m| (req.name.as_str(), m));
    let (states, start) = machine_states(&req, false, env);
    let first = run_machine(states, &start, req.language, &req.input, mock, env)?;
    let mut answer = Obj::new();
    let mut details = Obj::new();
    let o = &first.outcome;
    let mut shown = &first;
    let second;
    match o.status {
        Status::Succeeded => {
            answer.insert("status".into(), json!("SUCCEEDED"));
            if let Some(out) = &o.output {
                answer.insert("output".into(), json!(out.to_string()));
            }
            if let Some(n) = next_state(&req.state, first.marker.as_deref()) {
                answer.insert("nextState".into(), json!(n));
            }
        }
        _ => {
            let error = o.error.clone().unwrap_or_default();
            let cause = o.cause.clone().unwrap_or_default();
            answer.insert("error".into(), json!(error));
            answer.insert("cause".into(), json!(cause));
            let handleable =
                error != RUNTIME && req.state.get("Type").and_then(Value::as_str) != Some("Fail");
            let hit = |list: &[String]| list.iter().any(|p| matches(p, Some(&error)));
            let retrier = retriers(&req.state)
                .into_iter()
                .enumerate()
                .find(|(_, r)| handleable && hit(&r.errors));
            let catcher = req
                .state
                .get("Catch")
                .and_then(Value::as_array)
                .and_then(|l| {
                    l.iter()
                        .filter_map(Value::as_object)
                        .position(|c| handleable && hit(&error_equals(c)))
                });
            match (retrier, catcher) {
                (Some((i, r)), _) if req.retry_count < r.max_attempts => {
                    let exp = i32::try_from(req.retry_count).unwrap_or(i32::MAX);
                    let mut backoff = r.interval * r.backoff.powi(exp);
                    if let Some(max) = r.max_delay {
                        backoff = backoff.min(max);
                    }
                    answer.insert("status".into(), json!("RETRIABLE"));
                    details.insert(
                        "errorDetails".into(),
                        json!({"retryIndex": i, "retryBackoffIntervalSeconds": backoff.min(1e15).round() as u64}),
                    );
                }
                (retried, Some(i)) => {
                    let (states, start) = machine_states(&req, true, env);
                    second = run_machine(states, &start, req.language, &req.input, mock, env)?;
                    let mut errors = json!({"catchIndex": i});
                    if let Some((r, _)) = retried {
                        errors["retryIndex"] = json!(r);
                    }
                    details.insert("errorDetails".into(), errors);
                    if second.outcome.status == Status::Succeeded {
                        answer.insert("status".into(), json!("CAUGHT_ERROR"));
                        if let Some(out) = &second.outcome.output {
                            answer.insert("output".into(), json!(out.to_string()));
                        }
                        if let Some(n) = next_state(&req.state, second.marker.as_deref()) {
                            answer.insert("nextState".into(), json!(n));
                        }
                    } else {
                        // The catcher's own processing failed (its ResultPath, say).
                        answer.insert("status".into(), json!("FAILED"));
                        answer.insert("error".into(), json!(second.outcome.error));
                        answer.insert("cause".into(), json!(second.outcome.cause));
                    }
                    shown = &second;
                }
                (retried, None) => {
                    answer.insert("status".into(), json!("FAILED"));
                    if let Some((r, _)) = retried {
                        details.insert("errorDetails".into(), json!({"retryIndex": r}));
                    }
                }
            }
        }
    }
    if req.level != "INFO" {
        inspection(&req, shown, &mut details, env);
        answer.insert("inspectionData".into(), Value::Object(details));
    }
    Ok(Value::Object(answer))
}

/// `inspectionData` beyond `errorDetails`: the input, what the task was called with and
/// answered, and for a JSONPath state the data after InputPath, Parameters, ResultSelector and
/// ResultPath, each found by running that step alone on the interpreter.
fn inspection(req: &Request, run: &Run, details: &mut Obj, env: Env<'_>) {
    let compact = |v: &Value| Value::String(v.to_string());
    details.insert("input".into(), compact(&req.input));
    let detail = |key: &str, member: &str| {
        run.events.iter().find_map(|e| {
            e.get(key)
                .and_then(|d| d.get(member))
                .and_then(Value::as_str)
                .map(String::from)
        })
    };
    let scheduled = detail("taskScheduledEventDetails", "parameters");
    let succeeded = detail("taskSucceededEventDetails", "output");
    let kind = req.state.get("Type").and_then(Value::as_str).unwrap_or("");
    if req.language == "JSONata" {
        if let Some(p) = scheduled {
            details.insert("afterArguments".into(), json!(p));
        }
        if let Some(s) = succeeded {
            details.insert("result".into(), json!(s));
        }
        return;
    }
    // One step on its own: a Pass state with just that field, run on `input`.
    let step = |fields: Obj, input: &Value| -> Option<Value> {
        let mut pass = fields;
        pass.insert("Type".into(), json!("Pass"));
        pass.insert("End".into(), json!(true));
        let mut states = Obj::new();
        states.insert(req.name.clone(), Value::Object(pass));
        let r = run_machine(states, &req.name, "JSONPath", input, None, env).ok()?;
        (r.outcome.status == Status::Succeeded)
            .then_some(r.outcome.output)
            .flatten()
    };
    let field = |keys: &[&str]| -> Obj {
        keys.iter()
            .filter_map(|k| req.state.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect()
    };
    let Some(after_input) = step(field(&["InputPath"]), &req.input) else {
        return;
    };
    details.insert("afterInputPath".into(), compact(&after_input));
    if matches!(kind, "Choice" | "Succeed" | "Fail" | "Wait") {
        return;
    }
    let after_parameters = match (kind, req.state.get("Parameters")) {
        ("Task", _) => scheduled.and_then(|p| serde_json::from_str(&p).ok()),
        (_, Some(_)) => step(field(&["Parameters"]), &after_input),
        (_, None) => Some(after_input.clone()),
    };
    let Some(after_parameters) = after_parameters else {
        return;
    };
    if kind != "Map" {
        details.insert("afterParameters".into(), compact(&after_parameters));
    }
    let result = match kind {
        "Pass" => match req.state.get("Result") {
            Some(r) => r.clone(),
            None => after_parameters,
        },
        "Task" => match succeeded.and_then(|s| serde_json::from_str(&s).ok()) {
            Some(r) => r,
            None => return,
        },
        _ => match req.mock.as_ref().and_then(|m| m.get("Return")) {
            Some(r) => r.clone(),
            None => return,
        },
    };
    details.insert("result".into(), compact(&result));
    let selected = match req.state.get("ResultSelector") {
        Some(t) => {
            let mut f = Obj::new();
            f.insert("Parameters".into(), t.clone());
            match step(f, &result) {
                Some(v) => v,
                None => return,
            }
        }
        None => result,
    };
    details.insert("afterResultSelector".into(), compact(&selected));
    let mut f = field(&["ResultPath"]);
    f.insert("Result".into(), selected);
    if let Some(after_result) = step(f, &req.input) {
        details.insert("afterResultPath".into(), compact(&after_result));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(r: Value) -> Result<Value, ApiError> {
        let Value::Object(r) = r else { unreachable!() };
        test_state(&r, &SharedWorld::default(), "us-east-1", "123456789012")
    }

    /// The developer guide's Pass example at DEBUG
    /// (<https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html>).
    #[test]
    fn the_guides_pass_example_shows_every_step() {
        let def = json!({"Type": "Pass", "InputPath": "$.payload", "Parameters": {"data": 1},
                         "ResultPath": "$.result", "OutputPath": "$.result.data",
                         "Next": "Another State"});
        let a = call(
            json!({"definition": def.to_string(), "input": r#"{"payload": {"foo": "bar"}}"#,
                            "inspectionLevel": "DEBUG"}),
        )
        .unwrap();
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(a["output"], "1");
        assert_eq!(a["nextState"], "Another State");
        let d = &a["inspectionData"];
        assert_eq!(d["afterInputPath"], r#"{"foo":"bar"}"#);
        assert_eq!(d["afterParameters"], r#"{"data":1}"#);
        assert_eq!(d["afterResultSelector"], r#"{"data":1}"#);
        assert_eq!(
            d["afterResultPath"],
            r#"{"payload":{"foo":"bar"},"result":{"data":1}}"#
        );
    }

    /// The guide's Choice example at INFO: no inspection data, the matched rule's Next.
    #[test]
    fn a_choice_names_the_matched_rule_and_info_shows_no_inspection_data() {
        let def = json!({"Type": "Choice", "Choices": [
            {"Variable": "$.number", "NumericEquals": 1, "Next": "Equals 1"},
            {"Variable": "$.number", "NumericEquals": 2, "Next": "Equals 2"}],
            "Default": "No Match"});
        let a = call(json!({"definition": def.to_string(), "input": r#"{"number": 2}"#})).unwrap();
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(a["nextState"], "Equals 2");
        assert_eq!(a["output"], r#"{"number":2}"#);
        assert!(a.get("inspectionData").is_none());
        let a = call(json!({"definition": def.to_string(), "input": r#"{"number": 9}"#})).unwrap();
        assert_eq!(a["nextState"], "No Match");
    }

    /// The guide's retry and catch examples: a mocked Lambda error.
    #[test]
    fn a_mocked_error_is_retriable_then_caught() {
        let def = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2,
                       "MaxAttempts": 3, "BackoffRate": 2.0}],
            "Catch": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "ResultPath": "$.error",
                       "Next": "HandleThrottling"}],
            "End": true});
        let a = call(json!({"definition": def.to_string(), "inspectionLevel": "DEBUG",
            "stateConfiguration": {"retrierRetryCount": 1},
            "mock": {"errorOutput": {"error": "Lambda.ServiceException", "cause": "Service error"}}}))
        .unwrap();
        assert_eq!(a["status"], "RETRIABLE");
        assert_eq!(
            a["inspectionData"]["errorDetails"],
            json!({"retryIndex": 0, "retryBackoffIntervalSeconds": 4})
        );
        let a = call(json!({"definition": def.to_string(), "inspectionLevel": "DEBUG",
            "input": r#"{"data": "value"}"#,
            "mock": {"errorOutput": {"error": "Lambda.TooManyRequestsException", "cause": "Rate exceeded"}}}))
        .unwrap();
        assert_eq!(a["status"], "CAUGHT_ERROR");
        assert_eq!(a["nextState"], "HandleThrottling");
        assert_eq!(
            a["inspectionData"]["errorDetails"],
            json!({"catchIndex": 0})
        );
        let out: Value = serde_json::from_str(a["output"].as_str().unwrap()).unwrap();
        assert_eq!(out["error"]["Cause"], "Rate exceeded");
        assert_eq!(out["data"], "value");
        // Retries used up and nothing catches it.
        let a = call(
            json!({"definition": def.to_string(), "inspectionLevel": "DEBUG",
            "stateConfiguration": {"retrierRetryCount": 3},
            "mock": {"errorOutput": {"error": "Lambda.ServiceException", "cause": "x"}}}),
        )
        .unwrap();
        assert_eq!(a["status"], "FAILED");
        assert_eq!(a["error"], "Lambda.ServiceException");
    }

    #[test]
    fn mistakes_get_the_documented_errors() {
        let pass = json!({"Type": "Pass", "End": true}).to_string();
        let kind = |r: Value| call(r).unwrap_err().kind;
        assert_eq!(
            kind(json!({"definition": pass, "mock": {"result": "1"}})),
            "ValidationException"
        );
        let map = json!({"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}).to_string();
        assert_eq!(kind(json!({"definition": map})), "InvalidDefinition");
        let machine =
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string();
        assert_eq!(
            kind(json!({"definition": machine, "stateName": "Q"})),
            "ValidationException"
        );
        assert_eq!(
            kind(json!({"definition": pass, "input": "{"})),
            "InvalidExecutionInput"
        );
        let task =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true})
                .to_string();
        assert_eq!(kind(json!({"definition": task})), "ValidationException");
        assert_eq!(
            kind(
                json!({"definition": task, "mock": {"result": "{}", "errorOutput": {"error": "E"}}})
            ),
            "ValidationException"
        );
    }

    #[test]
    fn a_state_inside_a_machine_and_a_mocked_parallel() {
        let machine = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.n * 2 %}", "End": true}}}],
                "Output": "{% $states.result[0] + 1 %}", "Next": "Z"},
            "Z": {"Type": "Succeed"}}});
        let a = call(
            json!({"definition": machine.to_string(), "stateName": "A", "input": r#"{"n": 4}"#}),
        )
        .unwrap();
        assert_eq!(
            (a["status"].as_str(), a["output"].as_str()),
            (Some("SUCCEEDED"), Some("8"))
        );
        let a = call(json!({"definition": machine.to_string(), "stateName": "P",
                            "mock": {"result": "[41]"}}))
        .unwrap();
        assert_eq!(a["output"], "42");
        assert_eq!(a["nextState"], "Z");
    }
}
