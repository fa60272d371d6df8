//! The context object, `$$` (docs/semantics/context-object.md §3;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html>).
//!
//! It is built only when a `$$` path is evaluated, so states that never read it pay nothing.
//! Key order follows what AWS serialises: `Execution{Id,Input,StartTime,Name,RoleArn,RedriveCount}`,
//! `StateMachine{Id,Name}`, `State{Name,EnteredTime[,RetryCount]}`, then `Task` and `Map` when present.

use std::cell::OnceCell;
use std::rc::Rc;

use serde_json::{Map, Value};

use std::borrow::Cow;

use super::path::{Path, PathError};
use super::timestamp::{format_millis, Millis};
use crate::engine::random::generated_name;

/// Execution-wide parts of the context object, built on first use (most executions never read
/// `$$`).
#[derive(Debug, Clone)]
pub struct ExecutionContext<'a> {
    pub region: Cow<'static, str>,
    pub account: Cow<'static, str>,
    pub state_machine_name: Cow<'static, str>,
    /// The execution name, given or drawn from the run's seed when first read.
    name: OnceCell<String>,
    name_seed: u64,
    pub input: &'a Value,
    pub start_time: Millis,
    /// An EXPRESS workflow's execution: its ARN has the `express` form and its context object
    /// no `RedriveCount` (recorded AWS run `test_query_runtime_memory`, 2024-07).
    pub express: bool,
    /// A redriven execution's redrive count and the time of its last redrive:
    /// `$$.Execution.RedriveCount` counts redrives and `RedriveTime` appears
    /// (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
    pub redrive: Option<(u32, Millis)>,
    /// Context object members given from outside (TestState's `context`), merged over the
    /// interpreter's own: objects member by member, anything else replaced.
    pub given: Option<Map<String, Value>>,
    /// `{"Execution": {"Id","Input","StartTime","Name","RoleArn","RedriveCount"},
    /// "StateMachine": {"Id","Name"}}`.
    root: OnceCell<Value>,
    /// The workflow variables the running state sees: those of its own scope and of the scopes
    /// around it, as they were when it was entered (docs/semantics/variables.md).
    vars: Rc<Map<String, Value>>,
}

impl<'a> ExecutionContext<'a> {
    /// `name`: the execution name; `None` draws it from `seed` when first read
    /// ([`generated_name`]).
    pub fn new(
        region: Cow<'static, str>,
        account: Cow<'static, str>,
        state_machine_name: Cow<'static, str>,
        name: Option<String>,
        seed: u64,
        input: &'a Value,
        start_time: Millis,
    ) -> ExecutionContext<'a> {
        ExecutionContext {
            region,
            account,
            state_machine_name,
            name: name.map(OnceCell::from).unwrap_or_default(),
            name_seed: seed,
            input,
            start_time,
            express: false,
            redrive: None,
            given: None,
            root: OnceCell::new(),
            vars: Rc::default(),
        }
    }

    /// The value of a workflow variable, if it has been assigned in a visible scope.
    pub fn variable(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    /// The visible variables (cheap to clone): a branch or iteration starts from them, and the
    /// scope around it gets them back when it ends.
    pub fn variables(&self) -> Rc<Map<String, Value>> {
        Rc::clone(&self.vars)
    }

    /// Restores the visible variables saved by [`ExecutionContext::variables`].
    pub fn restore_variables(&mut self, vars: Rc<Map<String, Value>>) {
        self.vars = vars;
    }

    /// Assigns the values of one `Assign`, all at once.
    pub fn assign(&mut self, values: Map<String, Value>) {
        if values.is_empty() {
            return;
        }
        let vars = Rc::make_mut(&mut self.vars);
        for (k, v) in values {
            vars.insert(k, v);
        }
    }

    /// The execution name.
    pub fn name(&self) -> &str {
        self.name.get_or_init(|| generated_name(self.name_seed))
    }

    /// `arn:aws:states:<region>:<account>:execution:<machine>:<name>` (docs/semantics/execution.md §13.2).
    /// For an EXPRESS execution, `arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>`.
    pub fn execution_arn(&self) -> String {
        if self.express {
            return format!(
                "arn:aws:states:{}:{}:express:{}:{}:{}",
                self.region,
                self.account,
                self.state_machine_name,
                self.name(),
                generated_name(self.name_seed.wrapping_add(1))
            );
        }
        format!(
            "arn:aws:states:{}:{}:execution:{}:{}",
            self.region,
            self.account,
            self.state_machine_name,
            self.name()
        )
    }

    pub fn state_machine_arn(&self) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{}",
            self.region, self.account, self.state_machine_name
        )
    }

    /// The execution role the reference pretends to run with.
    pub fn role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/aslcheck-execution-role", self.account)
    }

    /// `{"Execution": …, "StateMachine": …}`.
    pub fn root(&self) -> &Value {
        self.root.get_or_init(|| {
            let mut execution = Map::new();
            execution.insert("Id".into(), Value::String(self.execution_arn()));
            execution.insert("Input".into(), self.input.clone());
            execution.insert(
                "StartTime".into(),
                Value::String(format_millis(self.start_time)),
            );
            execution.insert("Name".into(), Value::String(self.name().to_string()));
            execution.insert("RoleArn".into(), Value::String(self.role_arn()));
            if !self.express {
                let (count, time) = match self.redrive {
                    Some((count, at)) => (count, Some(at)),
                    None => (0, None),
                };
                execution.insert("RedriveCount".into(), Value::from(count));
                if let Some(at) = time {
                    execution.insert("RedriveTime".into(), Value::String(format_millis(at)));
                }
            }
            let mut sm = Map::new();
            sm.insert("Id".into(), Value::String(self.state_machine_arn()));
            sm.insert(
                "Name".into(),
                Value::String(self.state_machine_name.to_string()),
            );
            let mut root = Map::new();
            root.insert("Execution".into(), Value::Object(execution));
            root.insert("StateMachine".into(), Value::Object(sm));
            if let Some(given) = &self.given {
                for key in ["Execution", "StateMachine"] {
                    if let (Some(v), Some(slot)) = (given.get(key), root.get_mut(key)) {
                        merge(slot, v);
                    }
                }
            }
            Value::Object(root)
        })
    }
}

/// `given` over `slot`: objects member by member, anything else replaced.
fn merge(slot: &mut Value, given: &Value) {
    match (slot, given) {
        (Value::Object(s), Value::Object(g)) => {
            for (k, v) in g {
                match s.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        s.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, given) => *slot = given.clone(),
    }
}

/// The state-specific parts, plus a lazily built object.
pub struct Context<'a> {
    pub execution: &'a ExecutionContext<'a>,
    pub state_name: &'a str,
    pub entered_time: Millis,
    /// Present for states that support Retry (Task, Parallel, Map); absent for Pass (§3).
    pub retry_count: Option<u32>,
    pub task_token: Option<&'a str>,
    /// `$$.Map.Item` while evaluating a Map's ItemSelector: index and value.
    pub map_item: Option<(usize, &'a Value)>,
    built: OnceCell<Value>,
    local: OnceCell<Value>,
}

impl<'a> Context<'a> {
    pub fn new(
        execution: &'a ExecutionContext<'a>,
        state_name: &'a str,
        entered_time: Millis,
    ) -> Self {
        Context {
            execution,
            state_name,
            entered_time,
            retry_count: None,
            task_token: None,
            map_item: None,
            built: OnceCell::new(),
            local: OnceCell::new(),
        }
    }

    pub fn with_retry_count(mut self, n: u32) -> Self {
        self.retry_count = Some(n);
        self
    }

    pub fn with_map_item(mut self, index: usize, value: &'a Value) -> Self {
        self.map_item = Some((index, value));
        self
    }

    pub fn with_task_token(mut self, token: &'a str) -> Self {
        self.task_token = Some(token);
        self
    }

    /// Evaluates a context path (compiled without its first `$`). Paths into `Execution` or
    /// `StateMachine` read the execution-wide object without copying it; paths into `State`,
    /// `Task` or `Map` build only those parts; anything else builds the whole object.
    pub fn select(&self, path: &Path) -> Result<Cow<'_, Value>, PathError> {
        // `$$.Map.Item.Value` / `$$.Map.Item.Index`, read for every item of a Map: no copies.
        if let Some((index, value)) = self.map_item {
            if path.step_count() == 3 {
                let mut names = path.leading_names();
                if names.next() == Some("Map") && names.next() == Some("Item") {
                    match names.next() {
                        Some("Value") => return Ok(Cow::Borrowed(value)),
                        Some("Index") => return Ok(Cow::Owned(Value::from(index))),
                        _ => {}
                    }
                }
            }
        }
        match path.first_name() {
            Some("Execution") | Some("StateMachine") => path.select(self.execution.root()),
            Some("Map") if self.map_item.is_some() && self.execution.given.is_none() => {
                path.select(self.local.get_or_init(|| self.build_map()))
            }
            Some("State") | Some("Task") | Some("Map") => path.select(self.value()),
            _ => path.select(self.value()),
        }
    }

    /// The whole context object as JSON.
    pub fn value(&self) -> &Value {
        self.built.get_or_init(|| self.build())
    }

    fn build(&self) -> Value {
        let mut root = match self.execution.root() {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        if let Value::Object(local) = self.build_local() {
            root.extend(local);
        }
        let mut root = Value::Object(root);
        if let Some(given) = &self.execution.given {
            let rest: Map<String, Value> = given
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "Execution" | "StateMachine"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            merge(&mut root, &Value::Object(rest));
        }
        root
    }

    /// `{"Map": {"Item": {"Index", "Value"}}}` alone: what ItemSelector reads for every item.
    fn build_map(&self) -> Value {
        let mut root = Map::new();
        if let Some((index, value)) = self.map_item {
            let mut item = Map::new();
            item.insert("Index".into(), Value::from(index));
            item.insert("Value".into(), value.clone());
            let mut map = Map::new();
            map.insert("Item".into(), Value::Object(item));
            root.insert("Map".into(), Value::Object(map));
        }
        Value::Object(root)
    }

    /// `State`, `Task` and `Map`.
    fn build_local(&self) -> Value {
        let mut root = Map::new();
        let mut state = Map::new();
        state.insert("Name".into(), Value::String(self.state_name.into()));
        state.insert(
            "EnteredTime".into(),
            Value::String(format_millis(self.entered_time)),
        );
        if let Some(n) = self.retry_count {
            state.insert("RetryCount".into(), Value::from(n));
        }
        root.insert("State".into(), Value::Object(state));
        if let Some(token) = self.task_token {
            let mut task = Map::new();
            task.insert("Token".into(), Value::String(token.into()));
            root.insert("Task".into(), Value::Object(task));
        }
        if let Some((index, value)) = self.map_item {
            let mut item = Map::new();
            item.insert("Index".into(), Value::from(index));
            item.insert("Value".into(), value.clone());
            let mut map = Map::new();
            map.insert("Item".into(), Value::Object(item));
            root.insert("Map".into(), Value::Object(map));
        }
        Value::Object(root)
    }
}
