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
//!
//! When it did, an event keeps what it shows as AWS's events hold it: the compact JSON text of
//! the payload (`input`, `output`, `parameters` are JSON strings in `GetExecutionHistory`,
//! <https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html>),
//! shared ([`Text`]) by consecutive events that show the same value — a state's output and the
//! next state's input, a Choice's input and output. The history therefore takes the room of the
//! distinct payloads' text, not one tree of values per event: a loop that nests its data one
//! level per turn keeps one text per turn instead of four deep copies. The finished history
//! ([`ExecutionHistory`]) renders each event only when it is read or serialised.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::{json, Map, Value};

use crate::data::timestamp::{format_millis, Millis};
use crate::errors::Failure;

/// Index of an event in recording order.
pub type Seq = usize;

/// AWS's limit on events per Standard execution (§13.1).
pub const MAX_EVENTS: usize = 25_000;

/// The compact JSON text of a payload, shared by the events that show it.
pub type Text = Arc<str>;

/// Makes the [`Text`]s of event payloads, sharing one text between consecutive payloads that are
/// equal (a state's output and the next state's input are the same value).
#[derive(Debug, Default)]
pub struct Texts {
    buf: Vec<u8>,
    last: Option<Text>,
}

impl Texts {
    /// The compact JSON text of `v`; the previous text again when it is the same.
    pub fn text(&mut self, v: &Value) -> Text {
        self.buf.clear();
        // Writing a `Value` to a `Vec` cannot fail: its keys are strings and its numbers finite.
        let _ = serde_json::to_writer(&mut self.buf, v);
        if let Some(last) = &self.last {
            if last.as_bytes() == self.buf.as_slice() {
                return last.clone();
            }
        }
        let text: Text = Arc::from(String::from_utf8_lossy(&self.buf));
        self.last = Some(text.clone());
        text
    }
}

/// The payload of an event; rendered into `<type>EventDetails` when the history is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    None,
    ExecutionStarted {
        input: Text,
        role_arn: String,
    },
    StateEntered {
        name: String,
        input: Text,
    },
    StateExited {
        name: String,
        output: Text,
        /// The variables the state assigned (docs/semantics/variables.md, "History"), each as
        /// its JSON text.
        assigned: Option<Vec<(String, Text)>>,
    },
    Output(Text),
    /// `ActivityStarted`: the worker that took the task, if it gave a name.
    Worker(Option<String>),
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
    /// `ExecutionRedriven`: how many times the execution has been redriven, this time included
    /// (API_ExecutionRedrivenEventDetails).
    Redriven {
        count: u32,
    },
    /// `MapRunStarted`: the Map Run of a Distributed Map.
    MapRunStarted {
        arn: String,
    },
    MapIteration {
        name: String,
        index: usize,
    },
    LambdaScheduled {
        resource: String,
        input: Text,
        timeout: Option<u64>,
    },
    TaskScheduled {
        resource_type: String,
        resource: String,
        region: String,
        parameters: Text,
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
        output: Text,
    },
    TaskFailure {
        resource_type: String,
        resource: String,
        failure: Failure,
    },
}

#[derive(Debug, Clone, PartialEq)]
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
    /// Events the execution recorded before this run (a redrive's earlier runs): ids go on
    /// after them, and they count toward the history limit.
    pub id_base: u64,
    texts: Texts,
}

impl History {
    pub fn new(enabled: bool) -> History {
        History {
            enabled,
            events: Vec::with_capacity(if enabled { 64 } else { 32 }),
            id_base: 0,
            texts: Texts::default(),
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
        self.push_with(at, kind, prev, |_| detail)
    }

    /// Like [`History::push`], but builds the details only when the history is kept, making
    /// payload texts with [`Texts::text`].
    #[inline]
    pub fn push_with(
        &mut self,
        at: Millis,
        kind: &'static str,
        prev: Option<Seq>,
        detail: impl FnOnce(&mut Texts) -> Detail,
    ) -> Seq {
        let detail = if self.enabled {
            match detail(&mut self.texts) {
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
        let mut ids = vec![0u64; self.events.len()];
        for (n, &i) in self.order().iter().enumerate() {
            ids[i] = self.id_base + n as u64 + 1;
        }
        ids
    }

    /// The events kept, by time (stable: causal order within a time is kept).
    fn order(&self) -> Vec<Seq> {
        let mut order: Vec<Seq> = (0..self.events.len())
            .filter(|&i| !self.events[i].dead)
            .collect();
        order.sort_by_key(|&i| self.events[i].at);
        order
    }

    /// The events so far, as [`History::finish`] would show them if the execution ended now
    /// (ids may change when later events of a sibling branch land at earlier times).
    pub fn snapshot(&self) -> ExecutionHistory {
        ExecutionHistory {
            events: self.events.clone(),
            order: self.order(),
            ids: self.ids(),
        }
    }

    /// The history as AWS's GetExecutionHistory returns it (`events`, oldest first), with the
    /// ids of [`History::ids`].
    pub fn finish(self, ids: Vec<u64>) -> ExecutionHistory {
        let order = self.order();
        ExecutionHistory {
            events: self.events,
            order,
            ids,
        }
    }
}

/// A finished execution history in the shape of `GetExecutionHistory` events, oldest first.
///
/// Events are rendered as JSON values one at a time, when read ([`ExecutionHistory::get`],
/// [`ExecutionHistory::iter`]) or serialised (the `Serialize` impl streams them), so that a long
/// history is never held twice.
#[derive(Debug, Clone)]
pub struct ExecutionHistory {
    events: Vec<Event>,
    /// Sequence numbers of the events shown, in order.
    order: Vec<Seq>,
    /// Event ids by sequence number.
    ids: Vec<u64>,
}

impl ExecutionHistory {
    /// The number of events.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The `n`th event (0-based), rendered.
    pub fn get(&self, n: usize) -> Option<Value> {
        self.order.get(n).map(|&i| self.render(i))
    }

    /// The events, oldest first, each rendered when reached.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Value> + '_ {
        self.order.iter().map(|&i| self.render(i))
    }

    /// Every event rendered (for callers that compare or store histories as JSON values).
    pub fn to_values(&self) -> Vec<Value> {
        self.iter().collect()
    }

    /// The payload texts the events keep, each counted once however many events share it:
    /// the room the history's data takes.
    pub fn retained_text_bytes(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        let mut total = 0;
        for e in &self.events {
            let Some(d) = e.detail.as_deref() else {
                continue;
            };
            for t in texts_of(d) {
                if seen.insert(Arc::as_ptr(t) as *const u8) {
                    total += t.len();
                }
            }
        }
        total
    }

    /// The payload texts the events show, counted once per event that shows them: the room
    /// the history's data would take if every event kept its own copy.
    pub fn shown_text_bytes(&self) -> usize {
        self.events
            .iter()
            .filter_map(|e| e.detail.as_deref())
            .flat_map(texts_of)
            .map(|t| t.len())
            .sum()
    }

    fn render(&self, i: Seq) -> Value {
        let e = &self.events[i];
        let ids = &self.ids;
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
    }
}

/// Two histories are equal when they show the same events.
impl PartialEq for ExecutionHistory {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Serialize for ExecutionHistory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for event in self.iter() {
            seq.serialize_element(&event)?;
        }
        seq.end()
    }
}

/// The payload texts of one event's details.
fn texts_of(d: &Detail) -> Box<dyn Iterator<Item = &Text> + '_> {
    match d {
        Detail::ExecutionStarted { input, .. }
        | Detail::StateEntered { input, .. }
        | Detail::LambdaScheduled { input, .. } => Box::new(std::iter::once(input)),
        Detail::StateExited {
            output, assigned, ..
        } => Box::new(std::iter::once(output).chain(assigned.iter().flatten().map(|(_, t)| t))),
        Detail::Output(t) => Box::new(std::iter::once(t)),
        Detail::TaskScheduled { parameters, .. } => Box::new(std::iter::once(parameters)),
        Detail::TaskOutput { output, .. } => Box::new(std::iter::once(output)),
        _ => Box::new(std::iter::empty()),
    }
}

/// History payloads are JSON *strings* on the wire (§13.4).
fn text(t: &Text) -> Value {
    Value::String(t.to_string())
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
                let texts = vars.iter().map(|(k, t)| (k.clone(), text(t))).collect();
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
        Detail::Worker(None) => json!({}),
        Detail::Worker(Some(name)) => json!({"workerName": name}),
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
        Detail::Redriven { count } => json!({"redriveCount": count}),
        Detail::MapRunStarted { arn } => json!({"mapRunArn": arn}),
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
        let rendered = h.finish(ids);
        assert_eq!(rendered.get(2).unwrap()["previousEventId"], json!(1));
        assert_eq!(rendered.len(), 3);
    }

    #[test]
    fn equal_consecutive_payloads_share_one_text() {
        let mut t = Texts::default();
        let a = t.text(&json!({"a": {"b": [1, 2]}}));
        let b = t.text(&json!({"a": {"b": [1, 2]}}));
        let c = t.text(&json!({"a": 1}));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*a, r#"{"a":{"b":[1,2]}}"#);
    }

    #[test]
    fn a_history_serialises_as_its_rendered_events() {
        let mut h = History::new(true);
        let s = h.push_with(0, "ExecutionStarted", None, |t| Detail::ExecutionStarted {
            input: t.text(&json!({"x": 1})),
            role_arn: "arn".into(),
        });
        h.push_with(1, "PassStateEntered", Some(s), |t| Detail::StateEntered {
            name: "P".into(),
            input: t.text(&json!({"x": 1})),
        });
        let ids = h.ids();
        let rendered = h.finish(ids);
        assert_eq!(rendered.retained_text_bytes(), r#"{"x":1}"#.len());
        assert_eq!(rendered.shown_text_bytes(), 2 * r#"{"x":1}"#.len());
        let streamed = serde_json::to_value(&rendered).unwrap();
        assert_eq!(streamed, Value::Array(rendered.to_values()));
        assert_eq!(
            streamed[1]["stateEnteredEventDetails"]["input"],
            json!(r#"{"x":1}"#)
        );
    }
}
