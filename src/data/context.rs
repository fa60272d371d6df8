//! The context object, `$$` (ASL-SEMANTICS §3;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html>).
//!
//! It is built only when a `$$` path is evaluated, so states that never read it pay nothing.
//! Key order follows what AWS serialises: `Execution{Id,Input,StartTime,Name,RoleArn,RedriveCount}`,
//! `StateMachine{Id,Name}`, `State{Name,EnteredTime[,RetryCount]}`, then `Task` and `Map` when present.

use std::cell::OnceCell;

use serde_json::{Map, Value};

use super::timestamp::{format_millis, Millis};

/// Execution-wide parts of the context object, built once per execution.
#[derive(Debug, Clone)]
pub struct ExecutionContext {
    /// `{"Id","Input","StartTime","Name","RoleArn","RedriveCount"}`.
    pub execution: Value,
    /// `{"Id","Name"}`.
    pub state_machine: Value,
}

impl ExecutionContext {
    pub fn new(
        execution_arn: &str,
        input: &Value,
        start_time: Millis,
        name: &str,
        role_arn: &str,
        state_machine_arn: &str,
        state_machine_name: &str,
    ) -> ExecutionContext {
        let mut execution = Map::new();
        execution.insert("Id".into(), Value::String(execution_arn.into()));
        execution.insert("Input".into(), input.clone());
        execution.insert("StartTime".into(), Value::String(format_millis(start_time)));
        execution.insert("Name".into(), Value::String(name.into()));
        execution.insert("RoleArn".into(), Value::String(role_arn.into()));
        execution.insert("RedriveCount".into(), Value::from(0));
        let mut sm = Map::new();
        sm.insert("Id".into(), Value::String(state_machine_arn.into()));
        sm.insert("Name".into(), Value::String(state_machine_name.into()));
        ExecutionContext {
            execution: Value::Object(execution),
            state_machine: Value::Object(sm),
        }
    }
}

/// The state-specific parts, plus a lazily built object.
pub struct Context<'a> {
    pub execution: &'a ExecutionContext,
    pub state_name: &'a str,
    pub entered_time: Millis,
    /// Present for states that support Retry (Task, Parallel, Map); absent for Pass (§3).
    pub retry_count: Option<u32>,
    pub task_token: Option<&'a str>,
    /// `$$.Map.Item` while evaluating a Map's ItemSelector: index and value.
    pub map_item: Option<(usize, &'a Value)>,
    built: OnceCell<Value>,
}

impl<'a> Context<'a> {
    pub fn new(execution: &'a ExecutionContext, state_name: &'a str, entered_time: Millis) -> Self {
        Context {
            execution,
            state_name,
            entered_time,
            retry_count: None,
            task_token: None,
            map_item: None,
            built: OnceCell::new(),
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

    /// The whole context object as JSON.
    pub fn value(&self) -> &Value {
        self.built.get_or_init(|| self.build())
    }

    fn build(&self) -> Value {
        let mut root = Map::new();
        root.insert("Execution".into(), self.execution.execution.clone());
        root.insert("StateMachine".into(), self.execution.state_machine.clone());
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
