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
//!   result is the mock (the iterations and branches are not run);
//! - a Map state's items (ItemsPath or `stateConfiguration.mapItemReaderData` read as its
//!   ItemReader says, then ItemSelector and ItemBatcher) come from running the state itself
//!   with its processor replaced by a Pass state; `stateConfiguration.mapIterationFailureCount`
//!   is weighed against its tolerated failure thresholds, and `errorCausedByState` is checked
//!   to name a state the Map or Parallel state runs.
//!
//! At `DEBUG` and `TRACE`, `inspectionData` shows the input and, for a JSONPath state, the data
//! after each step; they come from the same interpreter running the steps one at a time. It
//! also shows the variables after the state and a Map state's items at each step.

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
    /// `context`: Context object members for the state.
    context: Option<Obj>,
    /// `stateConfiguration.mapIterationFailureCount`.
    failure_count: Option<u64>,
    /// `stateConfiguration.mapItemReaderData`: what the Map's ItemReader reads.
    reader_data: Option<String>,
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
    // "A JSON string representing a valid Context object for the state under test"
    // (API_TestState): its members are merged over the interpreter's context object, so that
    // `$$` paths (and JSONata's `$states.context`) read them. UNVERIFIED: whether AWS merges
    // or replaces the whole object, and its message for one that is not an object.
    let context = match json_member(r, "context", "ValidationException")? {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => Some(c),
        Some(_) => return Err(validation("'context' must be a JSON object")),
    };
    let input = json_member(r, "input", "InvalidExecutionInput")?.unwrap_or_else(|| json!({}));
    let variables = match json_member(r, "variables", "ValidationException")? {
        None => None,
        Some(Value::Object(v)) => Some(v),
        Some(_) => return Err(validation("'variables' must be a JSON object")),
    };
    let mut config = Config::default();
    match r.get("stateConfiguration") {
        None | Some(Value::Null) => {}
        Some(Value::Object(c)) => config = state_configuration(c)?,
        Some(_) => {
            return Err(invalid(
                "SerializationException",
                "'stateConfiguration' must be an object",
            ))
        }
    }
    check_configuration(&config, &state, &name, language, mock.as_ref())?;
    Ok(Request {
        state,
        name,
        language,
        input,
        level,
        variables,
        mock,
        retry_count: config.retry_count,
        context,
        failure_count: config.failure_count,
        reader_data: config.reader_data,
    })
}

/// `stateConfiguration`
/// (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestStateConfiguration.html>).
#[derive(Default)]
struct Config {
    retry_count: u64,
    /// `errorCausedByState`: the state inside the Map or Parallel state that the mocked error
    /// comes from. Only checked: the error is the mock's, handled by the tested state's own
    /// Retry and Catch ("The parent Map/Parallel state's Catch or Retry handlers will process
    /// the error as they would during actual execution", test-state-isolation.html).
    /// UNVERIFIED: that the named state's own Retry and Catch are not consulted.
    caused_by: Option<String>,
    failure_count: Option<u64>,
    reader_data: Option<String>,
}

fn state_configuration(c: &Obj) -> Result<Config, ApiError> {
    // Both counts are integers of at least 0; errorCausedByState is 1 to 80 characters and
    // mapItemReaderData at most 262144 (API_TestStateConfiguration.html).
    let count = |key: &str| match c.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            validation(format!(
                "stateConfiguration.{key} must be a whole number of at least 0"
            ))
        }),
    };
    let caused_by = text(c, "errorCausedByState", 80)?;
    if caused_by == Some("") {
        return Err(validation(
            "1 validation error detected: Value at 'stateConfiguration.errorCausedByState' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    Ok(Config {
        retry_count: count("retrierRetryCount")?.unwrap_or(0),
        caused_by: caused_by.map(String::from),
        failure_count: count("mapIterationFailureCount")?,
        reader_data: text(c, "mapItemReaderData", MAX_PAYLOAD)?.map(String::from),
    })
}

/// The graphs a Map or Parallel state runs: its branches, or its item processor.
fn inner_graphs(state: &Obj) -> Vec<&Obj> {
    let mut graphs: Vec<&Obj> = Vec::new();
    if let Some(Value::Array(branches)) = state.get("Branches") {
        graphs.extend(branches.iter().filter_map(Value::as_object));
    }
    for key in ["ItemProcessor", "Iterator"] {
        if let Some(Value::Object(g)) = state.get(key) {
            graphs.push(g);
        }
    }
    graphs
}

/// A Map state whose processor runs as a Distributed Map (`ProcessorConfig.Mode`).
fn is_distributed(state: &Obj) -> bool {
    state
        .get("ItemProcessor")
        .and_then(|p| p.get("ProcessorConfig"))
        .and_then(|c| c.get("Mode"))
        .and_then(Value::as_str)
        == Some("DISTRIBUTED")
}

/// Where the members of `stateConfiguration` apply.
fn check_configuration(
    c: &Config,
    state: &Obj,
    name: &str,
    language: &'static str,
    mock: Option<&Value>,
) -> Result<(), ApiError> {
    let kind = state.get("Type").and_then(Value::as_str).unwrap_or("");
    let mocked_error = mock.is_some_and(|m| m.get("Throw").is_some());
    let nested = matches!(kind, "Map" | "Parallel");
    // "When mocking errors for Map or Parallel states, you must specify which sub-state caused
    // the error using the stateConfiguration.errorCausedByState parameter"
    // (test-state-isolation.html, "Specifying error source with errorCausedByState").
    if nested && mocked_error && c.caused_by.is_none() {
        return Err(validation(format!(
            "stateConfiguration.errorCausedByState must name the state inside {kind} state '{name}' that caused the mocked error"
        )));
    }
    if let Some(inner) = &c.caused_by {
        // "The name of the state from which an error originates when an error is mocked for a
        // Map or Parallel state" (API_TestStateConfiguration.html). UNVERIFIED: that AWS
        // refuses it elsewhere (rather than ignoring it), and this message.
        if !(nested && mocked_error) {
            return Err(validation(
                "stateConfiguration.errorCausedByState is only allowed with a mocked errorOutput on a Map or Parallel state",
            ));
        }
        // The state must be one the Map or Parallel state runs ("the 'ProcessItem' state within
        // the Map/Parallel workflow threw the error", test-state-isolation.html). UNVERIFIED:
        // this message.
        let inner_language = language_of(state, language);
        let found = inner_graphs(state)
            .into_iter()
            .any(|g| find_state(g, inner, language_of(g, inner_language)).is_some());
        if !found {
            return Err(validation(format!(
                "stateConfiguration.errorCausedByState: state '{inner}' is not a state inside {kind} state '{name}'"
            )));
        }
    }
    if c.failure_count.is_some() {
        // "The number of Map state iterations that failed during the Map state invocation"
        // (API_TestStateConfiguration.html); "When testing Distributed Map state (Mode set to
        // DISTRIBUTED), you can also assert on mapIterationFailureCount"
        // (test-state-isolation.html). The tolerated failure fields belong to Distributed Maps.
        // UNVERIFIED: that AWS refuses it on other states and on an inline Map, and this message.
        if kind != "Map" || !is_distributed(state) {
            return Err(validation(
                "stateConfiguration.mapIterationFailureCount is only allowed for a Distributed Map state (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)",
            ));
        }
    }
    if c.reader_data.is_some() {
        // "The data read by ItemReader in Distributed Map states as found in its original
        // source" (API_TestStateConfiguration.html). UNVERIFIED: that AWS refuses it without an
        // ItemReader, and this message.
        let Some(reader) = state.get("ItemReader").and_then(Value::as_object) else {
            return Err(validation(
                "stateConfiguration.mapItemReaderData is only allowed for a Map state with an ItemReader",
            ));
        };
        let resource = reader.get("Resource").and_then(Value::as_str).unwrap_or("");
        let input_type = reader
            .get("ReaderConfig")
            .and_then(|r| r.get("InputType"))
            .and_then(Value::as_str)
            .unwrap_or("JSON");
        // What "its original source" is for an S3 listing or a manifest (which names further
        // objects) is not documented; refusing beats guessing.
        if !resource.ends_with(":s3:getObject") || !matches!(input_type, "JSON" | "JSONL" | "CSV") {
            return Err(validation(
                "This server supports stateConfiguration.mapItemReaderData only for an s3:getObject ItemReader with InputType JSON, JSONL or CSV (docs/serve.md, TestState)",
            ));
        }
    }
    Ok(())
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
        for g in inner_graphs(s) {
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
    /// The request's `context`.
    context: Option<&'a Obj>,
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
        context,
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
            context: context.cloned(),
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
    with_variables(req, states, tested)
}

/// `states` with the tested state and, before it, the Pass state assigning the request's
/// variables; the name of the state to start at.
fn with_variables(req: &Request, mut states: Obj, tested: Obj) -> (Obj, String) {
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

/// The bucket and key a probe's ItemReader reads `mapItemReaderData` from (in a world of its
/// own: the server's simulated S3 is not touched).
const READER_BUCKET: &str = "aslcheck-teststate-item-reader";
const READER_KEY: &str = "mapItemReaderData";
/// "States.ExceedToleratedFailureThreshold" and its cause, as AWS's Map Run reports them (the
/// interpreter's Distributed Map gives the same).
const EXCEEDED: &str = "States.ExceedToleratedFailureThreshold";
const EXCEEDED_CAUSE: &str = "The specified tolerated failure threshold was exceeded";

/// How a Map state reads and shapes its items, found by running the state itself on the
/// interpreter with its processor replaced by a Pass state that returns its input: the Map's
/// result is then the iterations' inputs. Run once without ItemSelector and ItemBatcher (the
/// items), once without ItemBatcher (after ItemSelector) and once whole (after ItemBatcher).
/// The probe runs as a Distributed Map, so that its Map Run gives the evaluated
/// MaxConcurrency and tolerated failure fields; an inline Map's items are read the same way.
#[derive(Default)]
struct MapProbe {
    /// After ItemsPath / Items, or as the ItemReader read them.
    items: Option<Value>,
    /// After ItemSelector (when the state has one).
    selected: Option<Value>,
    /// After ItemBatcher (when the state has one).
    batched: Option<Value>,
    /// The error and cause the state fails with while reading or shaping its items.
    failure: Option<(String, String)>,
    max_concurrency: Option<u64>,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    /// The number of iterations (child executions: the batches when batching).
    iterations: Option<usize>,
}

/// The tested Map state as a probe: its item fields, a Pass processor, no output processing.
fn probe_state(req: &Request, selector: bool, batcher: bool) -> Obj {
    let s = &req.state;
    let mut keys = vec![
        "Type",
        "QueryLanguage",
        "InputPath",
        "ItemsPath",
        "Items",
        "ItemReader",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
    ];
    if selector {
        keys.push("ItemSelector");
    }
    if batcher {
        keys.push("ItemBatcher");
    }
    let mut p: Obj = keys
        .into_iter()
        .filter_map(|k| s.get(k).map(|v| (k.to_string(), v.clone())))
        .collect();
    // A JSONPath Map's `Parameters` is the former name of ItemSelector.
    if selector && !p.contains_key("ItemSelector") {
        if let Some(v) = s.get("Parameters") {
            p.insert("ItemSelector".into(), v.clone());
        }
    }
    if let Some(Value::Object(r)) = p.get_mut("ItemReader") {
        r.remove("Parameters");
        r.remove("Arguments");
        let field = if req.language == "JSONata" {
            "Arguments"
        } else {
            "Parameters"
        };
        r.insert(
            field.into(),
            json!({"Bucket": READER_BUCKET, "Key": READER_KEY}),
        );
    }
    let item = format!("{MARK}item");
    p.insert(
        "ItemProcessor".into(),
        json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
               "StartAt": item, "States": {item.clone(): {"Type": "Pass", "End": true}}}),
    );
    p.insert("End".into(), json!(true));
    p
}

fn probe_map(req: &Request, env: Env<'_>) -> MapProbe {
    let s = &req.state;
    let mut probe = MapProbe::default();
    let has = |k: &str| s.contains_key(k);
    let declares_count = has("ToleratedFailureCount") || has("ToleratedFailureCountPath");
    let declares_pct = has("ToleratedFailurePercentage") || has("ToleratedFailurePercentagePath");
    if has("ItemReader") && req.reader_data.is_none() {
        // Nothing to read: the definition's own values only. UNVERIFIED: what AWS shows for
        // the items then (the guide says to give the items "directly in the input (as if it had
        // already been read from S3)", test-state-isolation.html, "Testing Distributed Map
        // states").
        probe.max_concurrency = match s.get("MaxConcurrency") {
            None => Some(0),
            Some(v) => v.as_u64(),
        };
        probe.tolerated_count = s.get("ToleratedFailureCount").and_then(Value::as_u64);
        probe.tolerated_percentage = s.get("ToleratedFailurePercentage").and_then(Value::as_f64);
        return probe;
    }
    let world = SharedWorld::default();
    if let Some(data) = &req.reader_data {
        let mut bucket = crate::world::s3::Bucket::default();
        bucket.put(READER_KEY, data.as_bytes().to_vec(), 0);
        world.lock().s3.insert(READER_BUCKET.into(), bucket);
    }
    let env = Env {
        world: &world,
        ..env
    };
    let selector = has("ItemSelector") || has("Parameters");
    let batcher = has("ItemBatcher");
    let mut stages = vec![(false, false)];
    if selector {
        stages.push((true, false));
    }
    if batcher {
        stages.push((true, true));
    }
    for (i, (selector, batcher)) in stages.into_iter().enumerate() {
        let tested = probe_state(req, selector, batcher);
        let (states, start) = with_variables(req, Obj::new(), tested);
        let Ok(run) = run_machine(states, &start, req.language, &req.input, None, env) else {
            break;
        };
        let o = run.outcome;
        if o.status != Status::Succeeded {
            probe.failure = Some((o.error.unwrap_or_default(), o.cause.unwrap_or_default()));
            break;
        }
        let out = o.output.unwrap_or(Value::Null);
        match (i, batcher) {
            (0, _) => {
                if let Some(m) = o.map_runs.first() {
                    probe.max_concurrency = Some(m.max_concurrency);
                    probe.tolerated_count = declares_count.then_some(m.tolerated_count);
                    probe.tolerated_percentage = declares_pct.then_some(m.tolerated_percentage);
                }
                probe.items = Some(out);
            }
            (_, false) => probe.selected = Some(out),
            (_, true) => probe.batched = Some(out),
        }
    }
    let last = if batcher {
        &probe.batched
    } else {
        &probe.items
    };
    probe.iterations = last.as_ref().and_then(Value::as_array).map(Vec::len);
    probe
}

/// Whether `failed` iterations exceed the Map's tolerated failure threshold. "Test whether a
/// specific number of failed iterations triggers the tolerated failure threshold"
/// (test-state-isolation.html, "Map state failure thresholds"); a Map Run fails when its
/// failures exceed ToleratedFailureCount, or their percentage of the items exceeds
/// ToleratedFailurePercentage (the interpreter's Distributed Map takes it of the child
/// executions, as here). UNVERIFIED (not documented): a Map that sets neither threshold is not
/// failed by mapIterationFailureCount — as AWS answered in the runs recorded by LocalStack's
/// AWS-validated snapshot tests (`test_state_configuration.snapshot.json`, BASE_MAP_STATE:
/// 2 of 3 iterations failed, SUCCEEDED).
fn exceeds_threshold(p: &MapProbe, failed: u64) -> Result<bool, ApiError> {
    if p.tolerated_count.is_some_and(|c| failed > c) {
        return Ok(true);
    }
    let Some(pct) = p.tolerated_percentage else {
        return Ok(false);
    };
    let Some(total) = p.iterations else {
        return Err(validation(
            "stateConfiguration.mapIterationFailureCount with a ToleratedFailurePercentage needs the Map's items: give stateConfiguration.mapItemReaderData",
        ));
    };
    Ok(total > 0 && (failed as f64) * 100.0 / (total as f64) > pct)
}

/// The Map members of `inspectionData` (API_InspectionData.html; test-state-isolation.html,
/// "Understanding Map state inspection data"). `maxConcurrency` is always given (0 when the
/// state sets none) and the tolerated failure fields when the state sets them, as in the AWS
/// answers LocalStack recorded (UNVERIFIED otherwise).
fn map_inspection(req: &Request, p: &MapProbe, details: &mut Obj) {
    let compact = |v: &Value| Value::String(v.to_string());
    let reader = req.state.get("ItemReader");
    if let Some(items) = &p.items {
        // "afterItemsPath is only populated when using JSONPath as the query language"; with an
        // ItemReader the items are not taken from the input (UNVERIFIED: that AWS then leaves
        // it out).
        if req.language == "JSONPath" && reader.is_none() {
            details.insert("afterItemsPath".into(), compact(items));
        }
        // "The effective input after the ItemsPointer filter is applied"
        // (ReaderConfig.ItemsPointer, JSON input only).
        if reader
            .and_then(|r| r.get("ReaderConfig"))
            .and_then(|c| c.get("ItemsPointer"))
            .is_some()
        {
            details.insert("afterItemsPointer".into(), compact(items));
        }
    }
    if let Some(v) = &p.selected {
        details.insert("afterItemSelector".into(), compact(v));
    }
    if let Some(v) = &p.batched {
        details.insert("afterItemBatcher".into(), compact(v));
    }
    if let Some(n) = p.max_concurrency {
        details.insert("maxConcurrency".into(), json!(n));
    }
    if let Some(n) = p.tolerated_count {
        details.insert("toleratedFailureCount".into(), json!(n));
    }
    if let Some(n) = p.tolerated_percentage {
        details.insert("toleratedFailurePercentage".into(), json!(n));
    }
}

/// "The set of workflow variables after execution of the state. The set will include variables
/// assigned in the state and variables set up as test state input" (API_InspectionData.html,
/// `variables`): the request's variables, then what each state of the run assigned on exit (the
/// tested state's Assign, its matched Choice rule's or its catcher's). UNVERIFIED: that AWS
/// leaves the member out when there are none.
fn variables_after(req: &Request, run: &Run) -> Option<Obj> {
    let mut vars = req.variables.clone().unwrap_or_default();
    for e in &run.events {
        let assigned = e
            .get("stateExitedEventDetails")
            .and_then(|d| d.get("assignedVariables"))
            .and_then(Value::as_object);
        for (k, v) in assigned.into_iter().flatten() {
            let value = match v {
                Value::String(t) => serde_json::from_str(t).unwrap_or_else(|_| v.clone()),
                other => other.clone(),
            };
            vars.insert(k.clone(), value);
        }
    }
    (!vars.is_empty()).then_some(vars)
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
    let mut req = request(r)?;
    let context = req.context.take();
    let env = Env {
        world,
        region,
        account,
        context: context.as_ref(),
    };
    let probe = (req.state.get("Type").and_then(Value::as_str) == Some("Map"))
        .then(|| probe_map(&req, env));
    if let Some(p) = &probe {
        if let Some((error, cause)) = &p.failure {
            // The state fails reading or shaping its items (its ItemsPath, ItemSelector,
            // ItemReader, …) before any iteration runs, as in an execution: that error is the
            // state's, mock or not (test-state-isolation.html, "Understanding Map state
            // testing": ItemsPath, ItemSelector and ItemBatcher are tested). UNVERIFIED: that
            // AWS reports these failures so.
            req.mock = Some(json!({"Throw": {"Error": error, "Cause": cause}}));
        } else if let Some(failed) = req.failure_count {
            // "The value for this field cannot exceed the number of items in the input"
            // (test-state-isolation.html, "Testing Distributed Map states"). UNVERIFIED: this
            // message, and that with an ItemBatcher the batches are what is counted.
            if let Some(n) = p.iterations {
                if failed > n as u64 {
                    return Err(validation(format!(
                        "stateConfiguration.mapIterationFailureCount ({failed}) cannot exceed the number of the Map's iterations ({n})"
                    )));
                }
            }
            // "When the specified failure count exceeds the configured tolerance, the API
            // correctly returns States.ExceedToleratedFailureThreshold" (AWS Compute Blog,
            // "Testing Step Functions workflows: a guide to the enhanced TestState API"); the
            // error is retried and caught like any other (the AWS answers LocalStack recorded:
            // RETRIABLE and CAUGHT_ERROR). A mocked errorOutput stays the state's error (as
            // recorded there, UNVERIFIED in AWS's documentation).
            let returns = req.mock.as_ref().is_some_and(|m| m.get("Return").is_some());
            if returns && exceeds_threshold(p, failed)? {
                req.mock = Some(json!({"Throw": {"Error": EXCEEDED, "Cause": EXCEEDED_CAUSE}}));
            }
        }
    }
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
        if let Some(p) = &probe {
            map_inspection(&req, p, &mut details);
        }
        if let Some(vars) = variables_after(&req, shown) {
            details.insert("variables".into(), json!(Value::Object(vars).to_string()));
        }
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
        // A Map state has no Arguments (its mock stands for the whole state).
        if let Some(p) = scheduled.filter(|_| kind != "Map") {
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

    /// `context` (API_TestState: "a valid Context object for the state under test", only with a
    /// mock): what it gives is what `$$` paths read, the rest of the context stays.
    #[test]
    fn a_given_context_is_what_context_paths_read() {
        let task =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "f", "Payload": {
                "token.$": "$$.Task.Token", "name.$": "$$.Execution.Name",
                "machine.$": "$$.StateMachine.Name"}},
            "End": true})
            .to_string();
        let a = call(json!({"definition": task, "inspectionLevel": "DEBUG",
            "mock": {"result": "{}"},
            "context": r#"{"Task": {"Token": "given-token"}, "Execution": {"Name": "given-name"}}"#}))
        .unwrap();
        assert_eq!(a["status"], "SUCCEEDED", "{a}");
        let p: Value =
            serde_json::from_str(a["inspectionData"]["afterParameters"].as_str().unwrap()).unwrap();
        assert_eq!(
            p["Payload"],
            json!({"token": "given-token", "name": "given-name", "machine": MACHINE})
        );
        // Only with a mock, and only an object.
        let e = call(json!({"definition": task, "context": "{}"})).unwrap_err();
        assert_eq!(e.kind, "ValidationException");
        let e = call(json!({"definition": task, "mock": {"result": "{}"}, "context": "[1]"}))
            .unwrap_err();
        assert_eq!(e.kind, "ValidationException");
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

    /// A Distributed Map over `$.items` with a Pass processor named `P`.
    fn distributed(extra: Value) -> Value {
        let mut m = json!({"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "Next": "Done"});
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        m
    }

    fn inspection_json(a: &Value, key: &str) -> Value {
        serde_json::from_str(a["inspectionData"][key].as_str().unwrap()).unwrap()
    }

    /// The guide's errorCausedByState example: a mocked `States.TaskFailed` from `ProcessItem`
    /// inside the Map goes to the Map's own Catch
    /// (<https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html>,
    /// "Specifying error source with errorCausedByState").
    #[test]
    fn error_caused_by_state_names_a_state_inside_the_map_or_parallel() {
        let map = json!({"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "ProcessItem",
                "States": {"ProcessItem": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                           "Parameters": {"FunctionName": "f"}, "End": true}}},
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "HandleFailure"}],
            "Next": "Done"})
        .to_string();
        let error = json!({"errorOutput": {"error": "States.TaskFailed", "cause": "Task execution failed"}});
        let a = call(
            json!({"definition": map, "input": r#"{"items": [1, 2]}"#, "mock": error,
            "stateConfiguration": {"errorCausedByState": "ProcessItem"}}),
        )
        .unwrap();
        assert_eq!(a["status"], "CAUGHT_ERROR");
        assert_eq!(a["nextState"], "HandleFailure");
        assert_eq!(a["error"], "States.TaskFailed");
        let kind = |r: Value| call(r).unwrap_err();
        // A state the Map does not run.
        let e = kind(
            json!({"definition": map, "input": r#"{"items": [1]}"#, "mock": error,
            "stateConfiguration": {"errorCausedByState": "Elsewhere"}}),
        );
        assert_eq!(e.kind, "ValidationException");
        assert!(e.message.contains("'Elsewhere'"), "{}", e.message);
        // "you must specify which sub-state caused the error".
        let e = kind(json!({"definition": map, "input": r#"{"items": [1]}"#, "mock": error}));
        assert_eq!(e.kind, "ValidationException");
        // Only with a mocked error on a Map or Parallel state.
        let e = kind(
            json!({"definition": map, "input": r#"{"items": [1]}"#, "mock": {"result": "[]"},
            "stateConfiguration": {"errorCausedByState": "ProcessItem"}}),
        );
        assert_eq!(e.kind, "ValidationException");
        let task =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
        let e = kind(json!({"definition": task.to_string(), "mock": error,
            "stateConfiguration": {"errorCausedByState": "ProcessItem"}}));
        assert_eq!(e.kind, "ValidationException");
        // A state in a Parallel branch, nested in a further Parallel.
        let parallel = json!({"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "Deep", "States": {"Deep": {"Type": "Pass", "End": true}}}]}}}],
            "Retry": [{"ErrorEquals": ["Custom.Error"], "IntervalSeconds": 3, "MaxAttempts": 2}],
            "End": true});
        let a = call(
            json!({"definition": parallel.to_string(), "inspectionLevel": "DEBUG",
            "mock": {"errorOutput": {"error": "Custom.Error", "cause": "c"}},
            "stateConfiguration": {"errorCausedByState": "Deep"}}),
        )
        .unwrap();
        assert_eq!(a["status"], "RETRIABLE");
        assert_eq!(
            a["inspectionData"]["errorDetails"],
            json!({"retryIndex": 0, "retryBackoffIntervalSeconds": 3})
        );
    }

    /// mapIterationFailureCount against ToleratedFailureCount: not exceeded answers the mock,
    /// exceeded is `States.ExceedToleratedFailureThreshold`, caught or retried like any error
    /// (the Compute Blog's "Map state testing with tolerance thresholds"; the runs recorded
    /// from AWS by LocalStack, BASE_MAP_STATE_CATCH / _RETRY: 3 items, ToleratedFailureCount 1,
    /// counts 0 and 2).
    #[test]
    fn map_iteration_failure_count_against_tolerated_failure_count() {
        let def = distributed(json!({"ToleratedFailureCount": 1,
            "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "ResultPath": "$.error",
                       "Next": "HandleThreshold"}]}))
        .to_string();
        let run = |failed: u64| {
            call(
                json!({"definition": def, "input": r#"{"items": ["first", "second", "third"]}"#,
                "inspectionLevel": "DEBUG", "mock": {"result": "[1, 1, 1]"},
                "stateConfiguration": {"mapIterationFailureCount": failed}}),
            )
        };
        for failed in [0, 1] {
            let a = run(failed).unwrap();
            assert_eq!(a["status"], "SUCCEEDED", "{failed}");
            assert_eq!(a["output"], "[1,1,1]");
            assert_eq!(a["nextState"], "Done");
            assert_eq!(a["inspectionData"]["toleratedFailureCount"], 1);
            assert_eq!(a["inspectionData"]["maxConcurrency"], 0);
        }
        let a = run(2).unwrap();
        assert_eq!(a["status"], "CAUGHT_ERROR");
        assert_eq!(a["nextState"], "HandleThreshold");
        assert_eq!(a["error"], "States.ExceedToleratedFailureThreshold");
        assert_eq!(
            a["cause"],
            "The specified tolerated failure threshold was exceeded"
        );
        assert_eq!(
            a["inspectionData"]["errorDetails"],
            json!({"catchIndex": 0})
        );
        // More failures than items.
        assert_eq!(run(4).unwrap_err().kind, "ValidationException");
        // A Retry for the threshold error: RETRIABLE.
        let retry = distributed(json!({"ToleratedFailureCount": 1,
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}]}));
        let a = call(
            json!({"definition": retry.to_string(), "input": r#"{"items": [1, 2, 3]}"#,
            "mock": {"result": "[]"}, "stateConfiguration": {"mapIterationFailureCount": 3}}),
        )
        .unwrap();
        assert_eq!(
            (a["status"].as_str(), a["error"].as_str()),
            (Some("RETRIABLE"), Some(EXCEEDED))
        );
        // A mocked error stays the error, whatever the count (as recorded from AWS).
        let a = call(
            json!({"definition": retry.to_string(), "input": r#"{"items": [1, 2, 3]}"#,
            "mock": {"errorOutput": {"error": "MockException", "cause": "m"}},
            "stateConfiguration": {"mapIterationFailureCount": 3, "errorCausedByState": "P"}}),
        )
        .unwrap();
        assert_eq!(a["error"], "MockException");
    }

    #[test]
    fn map_iteration_failure_count_against_tolerated_failure_percentage() {
        let def = distributed(json!({"ToleratedFailurePercentage": 50})).to_string();
        let run = |failed: u64| {
            call(
                json!({"definition": def, "input": r#"{"items": [1, 2, 3, 4]}"#,
                "inspectionLevel": "DEBUG", "mock": {"result": "[]"},
                "stateConfiguration": {"mapIterationFailureCount": failed}}),
            )
            .unwrap()
        };
        // 2 of 4 is 50%: not more than tolerated.
        let a = run(2);
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(a["inspectionData"]["toleratedFailurePercentage"], 50.0);
        assert!(a["inspectionData"].get("toleratedFailureCount").is_none());
        let a = run(3);
        assert_eq!(a["status"], "FAILED");
        assert_eq!(a["error"], EXCEEDED);
        // No threshold set: the count fails nothing (as AWS answered, BASE_MAP_STATE).
        let none = distributed(json!({})).to_string();
        let a = call(json!({"definition": none, "input": r#"{"items": [1, 2, 3]}"#,
            "mock": {"result": "[0, 0, 1]"}, "stateConfiguration": {"mapIterationFailureCount": 2}}))
        .unwrap();
        assert_eq!(a["status"], "SUCCEEDED");
        // Only for a Distributed Map.
        let inline = json!({"Type": "Map", "ToleratedFailureCount": 0,
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true});
        let e = call(
            json!({"definition": inline.to_string(), "input": "[1]", "mock": {"result": "[]"},
            "stateConfiguration": {"mapIterationFailureCount": 1}}),
        )
        .unwrap_err();
        assert_eq!(e.kind, "ValidationException");
        let e = call(
            json!({"definition": json!({"Type": "Pass", "End": true}).to_string(),
            "stateConfiguration": {"mapIterationFailureCount": 1}}),
        )
        .unwrap_err();
        assert_eq!(e.kind, "ValidationException");
        let e = call(
            json!({"definition": none, "input": r#"{"items": []}"#, "mock": {"result": "[]"},
            "stateConfiguration": {"mapIterationFailureCount": -1}}),
        )
        .unwrap_err();
        assert_eq!(e.kind, "ValidationException");
    }

    /// The guide's Map example at DEBUG: ItemsPath and ItemSelector
    /// (test-state-isolation.html, "Testing a Map state").
    #[test]
    fn the_guides_map_example_shows_its_items() {
        let def = json!({"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
            "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "ProcessItem",
                "States": {"ProcessItem": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
            "End": true});
        let a = call(
            json!({"definition": def.to_string(), "input": r#"{"items": [1, 2, 3, 4, 5]}"#,
            "mock": {"result": "[10, 20, 30, 40, 50]"}, "inspectionLevel": "DEBUG"}),
        )
        .unwrap();
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(a["output"], "[10,20,30,40,50]");
        let d = &a["inspectionData"];
        assert_eq!(d["afterItemsPath"], "[1,2,3,4,5]");
        assert_eq!(
            inspection_json(&a, "afterItemSelector"),
            json!([{"value": 1, "index": 0}, {"value": 2, "index": 1}, {"value": 3, "index": 2},
                   {"value": 4, "index": 3}, {"value": 5, "index": 4}])
        );
        assert_eq!(d["maxConcurrency"], 2);
        assert!(d.get("afterItemBatcher").is_none());
        assert!(d.get("toleratedFailureCount").is_none());
        // At INFO, none of it.
        let a = call(
            json!({"definition": def.to_string(), "input": r#"{"items": [1]}"#,
            "mock": {"result": "[10]"}}),
        )
        .unwrap();
        assert!(a.get("inspectionData").is_none());
        // ItemsPath that is not an array fails the state as it would in an execution.
        let a = call(
            json!({"definition": def.to_string(), "input": r#"{"items": 7}"#,
            "mock": {"result": "[]"}}),
        )
        .unwrap();
        assert_eq!(a["status"], "FAILED");
        assert_eq!(a["error"], "States.Runtime");
    }

    /// mapItemReaderData read as the ItemReader's ReaderConfig says, then ItemSelector and
    /// ItemBatcher (API_TestStateConfiguration.html; the runs LocalStack recorded from AWS,
    /// MAP_ITEM_READER_STATE_MACHINE: data `[1, 2, 3]`, mock `[1, 4, 9]`, MaxConcurrency 1).
    #[test]
    fn map_item_reader_data_is_read_selected_and_batched() {
        let machine = json!({"QueryLanguage": "JSONata", "StartAt": "State0", "States": {"State0": {
            "Type": "Map", "MaxConcurrency": 1,
            "ItemReader": {"ReaderConfig": {"InputType": "JSON"}, "Resource": "arn:aws:states:::s3:getObject",
                           "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}},
            "End": true}}});
        let a = call(json!({"definition": machine.to_string(), "stateName": "State0",
            "input": r#"{"Bucket": "test-bucket", "Key": "test-key"}"#, "inspectionLevel": "DEBUG",
            "stateConfiguration": {"mapItemReaderData": "[1, 2, 3]"}, "mock": {"result": "[1, 4, 9]"}}))
        .unwrap();
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(a["output"], "[1,4,9]");
        assert_eq!(a["inspectionData"]["maxConcurrency"], 1);
        assert!(a["inspectionData"].get("afterItemsPath").is_none());
        assert!(a["inspectionData"].get("afterArguments").is_none());

        let csv = distributed(json!({
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
            "ItemSelector": {"n.$": "$$.Map.Item.Value.a"},
            "ItemBatcher": {"MaxItemsPerBatch": 2},
            "ToleratedFailurePercentage": 40}));
        let mut csv = csv.as_object().unwrap().clone();
        csv.remove("ItemsPath");
        let ask = |data: &str, failed: u64| {
            call(
                json!({"definition": Value::Object(csv.clone()).to_string(), "input": r#"{"key": "k.csv"}"#,
                "inspectionLevel": "DEBUG", "mock": {"result": "[]"},
                "stateConfiguration": {"mapItemReaderData": data, "mapIterationFailureCount": failed}}),
            )
        };
        let a = ask("a,b\n1,2\n3,4\n5,6\n", 0).unwrap();
        assert_eq!(a["status"], "SUCCEEDED");
        assert_eq!(
            inspection_json(&a, "afterItemSelector"),
            json!([{"n": "1"}, {"n": "3"}, {"n": "5"}])
        );
        assert_eq!(
            inspection_json(&a, "afterItemBatcher"),
            json!([{"Items": [{"n": "1"}, {"n": "3"}]}, {"Items": [{"n": "5"}]}])
        );
        assert!(a["inspectionData"].get("afterItemsPath").is_none());
        // Two batches: one failed is 50% > 40%.
        assert_eq!(ask("a,b\n1,2\n3,4\n5,6\n", 1).unwrap()["error"], EXCEEDED);
        assert_eq!(
            ask("a,b\n1,2\n3,4\n5,6\n", 3).unwrap_err().kind,
            "ValidationException"
        );

        // JSON with an ItemsPointer: afterItemsPointer.
        let pointer = json!({"Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/orders"},
                           "Parameters": {"Bucket": "b", "Key": "k"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true});
        let a = call(
            json!({"definition": pointer.to_string(), "inspectionLevel": "DEBUG",
            "mock": {"result": "[]"},
            "stateConfiguration": {"mapItemReaderData": r#"{"orders": [{"id": 1}, {"id": 2}]}"#}}),
        )
        .unwrap();
        assert_eq!(
            a["inspectionData"]["afterItemsPointer"],
            r#"[{"id":1},{"id":2}]"#
        );
        // Data the reader cannot read fails the state with the reader's error.
        let a = call(
            json!({"definition": pointer.to_string(), "mock": {"result": "[]"},
            "stateConfiguration": {"mapItemReaderData": "not json"}}),
        )
        .unwrap();
        assert_eq!(a["status"], "FAILED");
        assert_eq!(a["error"], "States.ItemReaderFailed");

        // Refused: no ItemReader; an S3 listing.
        let kind = |def: Value| {
            call(json!({"definition": def.to_string(), "input": r#"{"items": []}"#, "mock": {"result": "[]"},
                "stateConfiguration": {"mapItemReaderData": "[]"}}))
            .unwrap_err()
            .kind
        };
        assert_eq!(kind(distributed(json!({}))), "ValidationException");
        let mut listing = pointer.clone();
        listing["ItemReader"] = json!({"Resource": "arn:aws:states:::s3:listObjectsV2",
                                       "Parameters": {"Bucket": "b"}});
        assert_eq!(kind(listing), "ValidationException");
    }

    /// inspectionData.variables: the request's variables and what the state assigned
    /// (API_InspectionData.html).
    #[test]
    fn variables_after_the_state() {
        let def = json!({"Type": "Pass", "Assign": {"x": 1, "y.$": "$.v"}, "End": true});
        let a = call(
            json!({"definition": def.to_string(), "input": r#"{"v": "new"}"#,
            "variables": r#"{"y": "old", "z": [true]}"#, "inspectionLevel": "DEBUG"}),
        )
        .unwrap();
        assert_eq!(
            inspection_json(&a, "variables"),
            json!({"y": "new", "z": [true], "x": 1})
        );
        // A JSONata Choice rule's Assign.
        let choice = json!({"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
            {"Condition": "{% $states.input.n > 1 %}", "Assign": {"big": "{% $states.input.n %}"}, "Next": "Big"}],
            "Default": "Small"});
        let a = call(
            json!({"definition": choice.to_string(), "input": r#"{"n": 5}"#,
            "inspectionLevel": "TRACE"}),
        )
        .unwrap();
        assert_eq!(a["nextState"], "Big");
        assert_eq!(inspection_json(&a, "variables"), json!({"big": 5}));
        // No variables: no member.
        let a = call(
            json!({"definition": json!({"Type": "Pass", "End": true}).to_string(),
            "inspectionLevel": "DEBUG"}),
        )
        .unwrap();
        assert!(a["inspectionData"].get("variables").is_none());
    }
}
