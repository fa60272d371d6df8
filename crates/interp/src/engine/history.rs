//! Execution history: AWS's event types, ids and `previousEventId`s (docs/semantics/execution.md §13.4;
//! <https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html>).
//!
//! Events are recorded in the order the interpreter produces them. Parallel branches and Map
//! iterations are simulated one after another, each on its own virtual clock, so at the end the
//! events are ordered by virtual time (stable, so causal order is kept) and only then numbered.
//! An event refers to its predecessor by sequence number until ids are assigned.
//!
//! When the caller did not ask for history, payloads are not copied into events; events are still
//! counted (for the 25,000-event limit) and numbered (for the event id in runtime-error causes).

use serde_json::{json, Map, Value};

use crate::data::timestamp::{format_millis, Millis};
use crate::errors::Failure;

/// Index of an event in recording order.
pub type Seq = usize;

/// AWS's limit on events per Standard execution (§13.1).
pub const MAX_EVENTS: usize = 25_000;

/// The payload of an event; rendered into `<type>EventDetails` at the end.
#[derive(Debug, Clone)]
pub enum Detail {
    None,
    ExecutionStarted {
        input: Value,
        role_arn: String,
    },
    StateEntered {
        name: String,
        input: Value,
    },
    StateExited {
        name: String,
        output: Value,
        /// The variables the state assigned (docs/semantics/variables.md, "History").
        assigned: Option<Map<String, Value>>,
    },
    Output(Value),
    /// `EvaluationFailed`: a JSONata expression failed (docs/semantics/jsonata.md §11.5).
    EvaluationFailed {
        failure: Failure,
        location: Option<String>,
        state: String,
    },
    /// ExecutionFailed / ExecutionTimedOut / TaskFailed / LambdaFunctionFailed.
    Failure(Failure),
    MapStarted {
        length: usize,
    },
    MapIteration {
        name: String,
        index: usize,
    },
    LambdaScheduled {
        resource: String,
        input: Value,
        timeout: Option<u64>,
    },
    TaskScheduled {
        resource_type: String,
        resource: String,
        region: String,
        parameters: Value,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
    },
    Task {
        resource_type: String,
        resource: String,
    },
    TaskOutput {
        resource_type: String,
        resource: String,
        output: Value,
    },
    TaskFailure {
        resource_type: String,
        resource: String,
        failure: Failure,
    },
}

#[derive(Debug, Clone)]
pub struct Event {
    pub at: Millis,
    pub kind: &'static str,
    pub prev: Option<Seq>,
    /// Kept only when history was requested; boxed so that events stay small.
    pub detail: Option<Box<Detail>>,
    pub dead: bool,
}

/// The events of one execution.
#[derive(Debug, Default)]
pub struct History {
    pub enabled: bool,
    pub events: Vec<Event>,
}

impl History {
    pub fn new(enabled: bool) -> History {
        History {
            enabled,
            events: Vec::with_capacity(if enabled { 64 } else { 32 }),
        }
    }

    /// Records an event and returns its sequence number.
    pub fn push(
        &mut self,
        at: Millis,
        kind: &'static str,
        prev: Option<Seq>,
        detail: Detail,
    ) -> Seq {
        self.push_with(at, kind, prev, || detail)
    }

    /// Like [`History::push`], but builds the details only when the history is kept.
    #[inline]
    pub fn push_with(
        &mut self,
        at: Millis,
        kind: &'static str,
        prev: Option<Seq>,
        detail: impl FnOnce() -> Detail,
    ) -> Seq {
        let detail = if self.enabled {
            match detail() {
                Detail::None => None,
                d => Some(Box::new(d)),
            }
        } else {
            None
        };
        self.events.push(Event {
            at,
            kind,
            prev,
            detail,
            dead: false,
        });
        self.events.len() - 1
    }

    /// A copy of a payload for an event, or nothing when history is off.
    pub fn payload(&self, v: &Value) -> Value {
        if self.enabled {
            v.clone()
        } else {
            Value::Null
        }
    }

    /// The time of the latest event kept.
    pub fn latest(&self) -> Option<Millis> {
        self.events.iter().filter(|e| !e.dead).map(|e| e.at).max()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Drops the events in `range` recorded after `at` (work of branches or iterations that AWS
    /// would have stopped when a sibling failed).
    pub fn kill_after(&mut self, range: std::ops::Range<Seq>, at: Millis) {
        for e in self.events.get_mut(range).into_iter().flatten() {
            if e.at > at {
                e.dead = true;
            }
        }
    }

    /// Final event ids by sequence number (0 for dropped events).
    pub fn ids(&self) -> Vec<u64> {
        let mut order: Vec<Seq> = (0..self.events.len())
            .filter(|&i| !self.events[i].dead)
            .collect();
        order.sort_by_key(|&i| self.events[i].at);
        let mut ids = vec![0u64; self.events.len()];
        for (n, &i) in order.iter().enumerate() {
            ids[i] = n as u64 + 1;
        }
        ids
    }

    /// The history as AWS's GetExecutionHistory returns it (`events`, oldest first).
    pub fn render(&self, ids: &[u64]) -> Vec<Value> {
        let mut order: Vec<Seq> = (0..self.events.len())
            .filter(|&i| !self.events[i].dead)
            .collect();
        order.sort_by_key(|&i| self.events[i].at);
        order
            .into_iter()
            .map(|i| {
                let e = &self.events[i];
                let mut obj = Map::new();
                obj.insert("timestamp".into(), Value::String(format_millis(e.at)));
                obj.insert("type".into(), Value::String(e.kind.to_string()));
                obj.insert("id".into(), Value::from(ids[i]));
                let prev = e.prev.map(|p| ids[p]).unwrap_or(0);
                obj.insert("previousEventId".into(), Value::from(prev));
                let detail = e.detail.as_deref().unwrap_or(&Detail::None);
                if let Some((key, details)) = render_detail(e.kind, detail, ids) {
                    obj.insert(key, details);
                }
                Value::Object(obj)
            })
            .collect()
    }
}

/// History payloads are JSON *strings* on the wire (§13.4).
fn text(v: &Value) -> Value {
    Value::String(serde_json::to_string(v).unwrap_or_default())
}

fn details_key(kind: &str) -> String {
    if kind.ends_with("StateEntered") {
        return "stateEnteredEventDetails".into();
    }
    if kind.ends_with("StateExited") {
        return "stateExitedEventDetails".into();
    }
    let mut key = String::with_capacity(kind.len() + 12);
    let mut chars = kind.chars();
    if let Some(c) = chars.next() {
        key.push(c.to_ascii_lowercase());
    }
    key.extend(chars);
    key.push_str("EventDetails");
    key
}

fn failure_fields(f: &Failure, ids: &[u64], obj: &mut Map<String, Value>) {
    if let Some(e) = &f.error {
        obj.insert("error".into(), Value::String(e.clone()));
    }
    let cause = f.rendered_cause(|seq| ids.get(seq).copied().unwrap_or(0));
    if let Some(c) = cause {
        obj.insert("cause".into(), Value::String(c));
    }
}

fn render_detail(kind: &str, d: &Detail, ids: &[u64]) -> Option<(String, Value)> {
    let v = match d {
        Detail::None => return None,
        Detail::ExecutionStarted { input, role_arn } => json!({
            "input": text(input), "inputDetails": {"truncated": false}, "roleArn": role_arn
        }),
        Detail::StateEntered { name, input } => json!({
            "name": name, "input": text(input), "inputDetails": {"truncated": false}
        }),
        Detail::StateExited {
            name,
            output,
            assigned,
        } => {
            let mut obj = json!({
                "name": name, "output": text(output), "outputDetails": {"truncated": false}
            });
            if let (Some(vars), Value::Object(o)) = (assigned, &mut obj) {
                let texts = vars.iter().map(|(k, v)| (k.clone(), text(v))).collect();
                o.insert("assignedVariables".into(), Value::Object(texts));
                o.insert(
                    "assignedVariablesDetails".into(),
                    json!({"truncated": false}),
                );
            }
            obj
        }
        Detail::Output(output) => {
            json!({"output": text(output), "outputDetails": {"truncated": false}})
        }
        Detail::EvaluationFailed {
            failure,
            location,
            state,
        } => {
            let mut obj = Map::new();
            failure_fields(failure, ids, &mut obj);
            if let Some(l) = location {
                obj.insert("location".into(), Value::String(l.clone()));
            }
            obj.insert("state".into(), Value::String(state.clone()));
            Value::Object(obj)
        }
        Detail::Failure(f) => {
            let mut obj = Map::new();
            failure_fields(f, ids, &mut obj);
            Value::Object(obj)
        }
        Detail::MapStarted { length } => json!({"length": length}),
        Detail::MapIteration { name, index } => json!({"name": name, "index": index}),
        Detail::LambdaScheduled {
            resource,
            input,
            timeout,
        } => {
            let mut v = json!({
                "resource": resource, "input": text(input), "inputDetails": {"truncated": false}
            });
            // `timeoutInSeconds` is logged only when a timeout was specified (§10.2).
            if let (Some(t), Some(o)) = (timeout, v.as_object_mut()) {
                o.insert("timeoutInSeconds".into(), Value::from(*t));
            }
            v
        }
        Detail::TaskScheduled {
            resource_type,
            resource,
            region,
            parameters,
            timeout,
            heartbeat,
        } => {
            let mut v = json!({
                "resourceType": resource_type, "resource": resource, "region": region,
                "parameters": text(parameters)
            });
            if let Some(o) = v.as_object_mut() {
                if let Some(t) = timeout {
                    o.insert("timeoutInSeconds".into(), Value::from(*t));
                }
                if let Some(h) = heartbeat {
                    o.insert("heartbeatInSeconds".into(), Value::from(*h));
                }
            }
            v
        }
        Detail::Task {
            resource_type,
            resource,
        } => json!({
            "resourceType": resource_type, "resource": resource
        }),
        Detail::TaskOutput {
            resource_type,
            resource,
            output,
        } => json!({
            "resourceType": resource_type, "resource": resource,
            "output": text(output), "outputDetails": {"truncated": false}
        }),
        Detail::TaskFailure {
            resource_type,
            resource,
            failure,
        } => {
            let mut obj = Map::new();
            obj.insert("resourceType".into(), Value::String(resource_type.clone()));
            obj.insert("resource".into(), Value::String(resource.clone()));
            failure_fields(failure, ids, &mut obj);
            Value::Object(obj)
        }
    };
    Some((details_key(kind), v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_keys_follow_aws() {
        assert_eq!(details_key("PassStateEntered"), "stateEnteredEventDetails");
        assert_eq!(details_key("MapStateExited"), "stateExitedEventDetails");
        assert_eq!(
            details_key("ExecutionStarted"),
            "executionStartedEventDetails"
        );
        assert_eq!(
            details_key("MapIterationStarted"),
            "mapIterationStartedEventDetails"
        );
        assert_eq!(
            details_key("LambdaFunctionScheduled"),
            "lambdaFunctionScheduledEventDetails"
        );
    }

    #[test]
    fn events_are_ordered_by_time_then_numbered() {
        let mut h = History::new(true);
        let a = h.push(0, "ParallelStateStarted", None, Detail::None);
        let b1 = h.push(10, "WaitStateExited", Some(a), Detail::None);
        let c1 = h.push(5, "PassStateEntered", Some(a), Detail::None);
        let ids = h.ids();
        assert_eq!(ids[a], 1);
        assert_eq!(ids[c1], 2);
        assert_eq!(ids[b1], 3);
        let rendered = h.render(&ids);
        assert_eq!(rendered[2]["previousEventId"], json!(1));
    }
}
