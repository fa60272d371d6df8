//! The Step Functions actions `serve` answers, as pure request → reply functions over the
//! [`Store`] (no HTTP here: `super::http` carries the bytes).
//!
//! Each action follows its page of the API reference
//! (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html>):
//! member names and types, ARN formats, and the errors it lists. Timestamps are epoch seconds,
//! as the AWS JSON 1.0 protocol carries them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};

use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::store::{self, waits_for_callers, Activity, Execution, Kind, Machine, Store};
use super::tokens::{Hub, Live, TokenState};
use crate::asl::{parse_definition, LoadError};
use crate::engine::history::ExecutionHistory;
use crate::engine::{self, RunOptions};
use crate::harness::input::check_execution_name;
use crate::tasks::callbacks::Action;
use crate::tasks::mock::TestCase;
use crate::tasks::Registry;
use crate::world::{states::Child, SharedWorld, World};

/// How executions spend time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Time {
    /// Waits and retry intervals advance a virtual clock: an execution ends before
    /// StartExecution answers, its history showing the time it would have taken. A task that
    /// waits for its token is the exception: StartExecution answers once it waits, and the wait
    /// lasts until a SendTask* call (or the task's timeout) on the wall clock.
    Virtual,
    /// Waits take real time; the execution runs in the background.
    Real,
}

/// What the server is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    pub region: String,
    pub account: String,
    pub time: Time,
    /// The simulated AWS resources every execution reads and changes (`--resources`).
    pub world: World,
    /// A Step Functions Local MockConfigFile (`SFN_MOCK_CONFIG`): a state machine ARN ending in
    /// `#<TestCase>` runs with that test case's mocked responses.
    pub mock_config: Option<Value>,
    /// Finished executions kept (the oldest are forgotten first).
    pub retention: usize,
    /// Seed of the first execution's random source (each execution gets the next one).
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            time: Time::Virtual,
            world: World::default(),
            mock_config: None,
            retention: 10_000,
            seed: 0,
        }
    }
}

/// An answer: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl From<Result<Value, ApiError>> for Reply {
    fn from(r: Result<Value, ApiError>) -> Reply {
        match r {
            Ok(body) => Reply { status: 200, body },
            Err(e) => Reply {
                status: e.status,
                body: e.body(),
            },
        }
    }
}

/// The service: configuration, the store, and the shared simulated world.
pub struct Api {
    cfg: Config,
    store: Arc<Mutex<Store>>,
    world: SharedWorld,
    executions: AtomicU64,
    /// Tokens of tasks that wait for SendTask* calls.
    tokens: Arc<Hub>,
}

/// The actions, by the name after `AWSStepFunctions.` in `X-Amz-Target`.
pub const ACTIONS: [&str; 29] = [
    "CreateStateMachine",
    "DescribeStateMachine",
    "UpdateStateMachine",
    "DeleteStateMachine",
    "ListStateMachines",
    "StartExecution",
    "StartSyncExecution",
    "StopExecution",
    "DescribeExecution",
    "DescribeStateMachineForExecution",
    "ListExecutions",
    "GetExecutionHistory",
    "ValidateStateMachineDefinition",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "SendTaskSuccess",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "CreateActivity",
    "DescribeActivity",
    "DeleteActivity",
    "ListActivities",
    "GetActivityTask",
    "TestState",
    "DescribeMapRun",
    "ListMapRuns",
    "RedriveExecution",
    "UpdateMapRun",
];

type Obj = Map<String, Value>;

impl Api {
    pub fn new(cfg: Config) -> Api {
        let world = SharedWorld::new(cfg.world.clone());
        let store = Arc::new(Mutex::new(Store::new(cfg.retention.max(1))));
        Api {
            cfg,
            store,
            world,
            executions: AtomicU64::new(0),
            tokens: Arc::new(Hub::default()),
        }
    }

    /// Puts back what a state folder held (`--state-dir`): machines (known to nested
    /// executions again), activities, and ended executions.
    pub fn restore(&self, saved: super::persist::Saved) {
        for m in &saved.machines {
            self.world_machine(m);
        }
        let mut s = self.store();
        for m in saved.machines {
            s.machine_order.push(m.arn.clone());
            s.machines.insert(m.arn.clone(), m);
        }
        for a in saved.activities {
            s.activities.insert(a.arn.clone(), a);
        }
        for e in saved.executions {
            s.insert_execution(e);
        }
    }

    /// A definition as CreateStateMachine compiles it, the error as its message.
    pub fn compile(text: &str) -> Result<crate::asl::Definition, String> {
        compile(text).map_err(|e| e.message)
    }

    /// What `state` lacks of the store, taken under the store's lock (the writing is done
    /// without it).
    pub fn changes_for(&self, state: &super::persist::StateDir) -> super::persist::Changes {
        state.changes(&self.store())
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while the lock was held leaves data that is still consistent per field.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers one request: `target` is the `X-Amz-Target` header, `body` the request body.
    pub fn call(&self, target: Option<&str>, body: &[u8]) -> Reply {
        let Some(action) = target.and_then(|t| t.strip_prefix("AWSStepFunctions.")) else {
            return Reply::from(Err(ApiError::new(
                "UnknownOperationException",
                match target {
                    None => "Missing X-Amz-Target header".to_string(),
                    Some(t) => format!("Unknown operation: {t}"),
                },
            )));
        };
        let request: Obj = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    return Reply::from(Err(ApiError::new(
                        "SerializationException",
                        "The request body must be a JSON object",
                    )))
                }
                Err(e) => {
                    return Reply::from(Err(ApiError::new(
                        "SerializationException",
                        format!("The request body is not valid JSON: {e}"),
                    )))
                }
            }
        };
        let r = Req(&request);
        Reply::from(match action {
            "CreateStateMachine" => self.create_state_machine(&r),
            "DescribeStateMachine" => self.describe_state_machine(&r),
            "UpdateStateMachine" => self.update_state_machine(&r),
            "DeleteStateMachine" => self.delete_state_machine(&r),
            "ListStateMachines" => self.list_state_machines(&r),
            "StartExecution" => self.start_execution(&r, false),
            "StartSyncExecution" => self.start_execution(&r, true),
            "StopExecution" => self.stop_execution(&r),
            "DescribeExecution" => self.describe_execution(&r),
            "DescribeStateMachineForExecution" => self.describe_machine_for_execution(&r),
            "ListExecutions" => self.list_executions(&r),
            "GetExecutionHistory" => self.get_execution_history(&r),
            "ValidateStateMachineDefinition" => validate_definition(&r),
            "TagResource" => self.tag_resource(&r),
            "UntagResource" => self.untag_resource(&r),
            "ListTagsForResource" => self.list_tags(&r),
            "SendTaskSuccess" => self.send_task(&r, Send::Success),
            "SendTaskFailure" => self.send_task(&r, Send::Failure),
            "SendTaskHeartbeat" => self.send_task(&r, Send::Heartbeat),
            "CreateActivity" => self.create_activity(&r),
            "DescribeActivity" => self.describe_activity(&r),
            "DeleteActivity" => self.delete_activity(&r),
            "ListActivities" => self.list_activities(&r),
            "GetActivityTask" => self.get_activity_task(&r),
            "DescribeMapRun" => self.describe_map_run(&r),
            "ListMapRuns" => self.list_map_runs(&r),
            "RedriveExecution" => self.redrive_execution(&r),
            "UpdateMapRun" => self.update_map_run(&r),
            "TestState" => {
                super::test_state::test_state(r.0, &self.world, &self.cfg.region, &self.cfg.account)
            }
            other => Err(ApiError::new(
                "UnknownOperationException",
                format!(
                    "Unknown operation: AWSStepFunctions.{other} (aslcheck serve answers {})",
                    ACTIONS.join(", ")
                ),
            )),
        })
    }

    fn machine_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{name}",
            self.cfg.region, self.cfg.account
        )
    }

    // ----- state machines ---------------------------------------------------------------

    fn create_state_machine(&self, r: &Req) -> Result<Value, ApiError> {
        let name = r.required_str("name")?;
        check_machine_name(name)?;
        let text = r.required_str("definition")?;
        let role_arn = r.required_str("roleArn")?;
        check_arn(role_arn)?;
        let kind = match r.str("type")? {
            None | Some("STANDARD") => Kind::Standard,
            Some("EXPRESS") => Kind::Express,
            Some(other) => {
                return Err(ApiError::new(
                    "ValidationException",
                    format!("1 validation error detected: Value '{other}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"),
                ))
            }
        };
        let definition = compile(text)?;
        let arn = self.machine_arn(name);
        let tags = r.tags("tags")?;
        let mut s = self.store();
        if let Some(existing) = s.machines.get(&arn) {
            // Idempotent for the same definition, role and type (API_CreateStateMachine).
            if existing.text == text && existing.role_arn == role_arn && existing.kind == kind {
                return Ok(json!({"stateMachineArn": arn, "creationDate": existing.created}));
            }
            return Err(ApiError::new(
                "StateMachineAlreadyExists",
                format!("State Machine Already Exists: '{arn}'"),
            ));
        }
        let created = now_secs();
        let machine = Machine {
            arn: arn.clone(),
            name: name.to_string(),
            text: text.to_string(),
            definition: Arc::new(definition),
            role_arn: role_arn.to_string(),
            kind,
            created,
            tags,
            logging: r
                .0
                .get("loggingConfiguration")
                .cloned()
                .unwrap_or_else(|| json!({"level": "OFF", "includeExecutionData": false})),
            tracing: r
                .0
                .get("tracingConfiguration")
                .cloned()
                .unwrap_or_else(|| json!({"enabled": false})),
            revision: 1,
            waits: waits_for_callers(text),
        };
        self.world_machine(&machine);
        s.machines.insert(arn.clone(), machine);
        s.machine_order.push(arn.clone());
        Ok(json!({"stateMachineArn": arn, "creationDate": created}))
    }

    /// Makes `m` startable from other machines' `states:startExecution` Tasks.
    fn world_machine(&self, m: &Machine) {
        self.world.lock().states.insert(
            m.name.clone(),
            Child {
                definition: m.definition.json.clone(),
                express: m.kind == Kind::Express,
            },
        );
    }

    fn find_machine(&self, s: &Store, arn: &str) -> Result<Machine, ApiError> {
        check_arn(arn)?;
        let base = arn.split('#').next().unwrap_or(arn);
        s.machines
            .get(base)
            .cloned()
            .ok_or_else(|| ApiError::machine_does_not_exist(arn))
    }

    fn describe_state_machine(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("stateMachineArn")?;
        let m = self.find_machine(&self.store(), arn)?;
        Ok(describe_machine(&m))
    }

    fn update_state_machine(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("stateMachineArn")?;
        let text = r.str("definition")?;
        let role = r.str("roleArn")?;
        if let Some(role) = role {
            check_arn(role)?;
        }
        let definition = text.map(compile).transpose()?;
        let mut s = self.store();
        let mut m = self.find_machine(&s, arn)?;
        if let (Some(text), Some(d)) = (text, definition) {
            m.text = text.to_string();
            m.waits = waits_for_callers(text);
            m.definition = Arc::new(d);
        }
        if let Some(role) = role {
            m.role_arn = role.to_string();
        }
        for (member, slot) in [
            ("loggingConfiguration", &mut m.logging),
            ("tracingConfiguration", &mut m.tracing),
        ] {
            if let Some(v) = r.0.get(member) {
                *slot = v.clone();
            }
        }
        m.revision += 1;
        self.world_machine(&m);
        let answer = json!({"updateDate": now_secs(), "revisionId": revision_id(&m)});
        s.machines.insert(m.arn.clone(), m);
        Ok(answer)
    }

    fn delete_state_machine(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("stateMachineArn")?;
        check_arn(arn)?;
        let mut s = self.store();
        if let Some(m) = s.machines.get(arn) {
            self.world.lock().states.remove(&m.name);
        }
        // Deleting a machine that is gone already succeeds.
        s.remove_machine(arn);
        Ok(json!({}))
    }

    fn list_state_machines(&self, r: &Req) -> Result<Value, ApiError> {
        let s = self.store();
        let all: Vec<Value> = s
            .machine_order
            .iter()
            .filter_map(|a| s.machines.get(a))
            .map(|m| {
                json!({"stateMachineArn": m.arn, "name": m.name, "type": m.kind.as_str(),
                       "creationDate": m.created})
            })
            .collect();
        page(r, all, "stateMachines", "machines")
    }

    // ----- executions --------------------------------------------------------------------

    fn start_execution(&self, r: &Req, sync: bool) -> Result<Value, ApiError> {
        let arn = r.required_str("stateMachineArn")?;
        let name = match r.str("name")? {
            Some(n) => {
                check_execution_name(n)
                    .map_err(|_| ApiError::new("InvalidName", format!("Invalid Name: '{n}'")))?;
                n.to_string()
            }
            None => self.fresh_name(),
        };
        let input_text = r.str("input")?.unwrap_or("{}").to_string();
        let input: Value = serde_json::from_str(&input_text).map_err(|e| {
            ApiError::new(
                "InvalidExecutionInput",
                format!("Invalid State Machine Execution Input: '{e}'"),
            )
        })?;
        let test_case = arn.split_once('#').map(|(_, c)| c.to_string());
        let m = self.find_machine(&self.store(), arn)?;
        if sync && m.kind != Kind::Express {
            return Err(ApiError::new(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine",
            ));
        }
        let express = m.kind == Kind::Express;
        let execution_arn = if express {
            format!(
                "arn:aws:states:{}:{}:express:{}:{name}:{}",
                self.cfg.region,
                self.cfg.account,
                m.name,
                self.fresh_name()
            )
        } else {
            format!(
                "arn:aws:states:{}:{}:execution:{}:{name}",
                self.cfg.region, self.cfg.account, m.name
            )
        };
        if !express {
            let s = self.store();
            if let Some(e) = s.executions.get(&execution_arn) {
                // Idempotent while it runs with the same input (API_StartExecution).
                if e.status == "RUNNING" && e.input == input_text {
                    return Ok(json!({"executionArn": e.arn, "startDate": e.start}));
                }
                return Err(ApiError::new(
                    "ExecutionAlreadyExists",
                    format!("Execution Already Exists: '{execution_arn}'"),
                ));
            }
        }
        let registry = self.registry(&m, arn, test_case.as_deref())?;
        let start_ms = now_millis();
        let start = start_ms as f64 / 1000.0;
        let options = RunOptions {
            history: !express,
            express,
            ..self.options(&m, &name, start_ms, registry)
        };
        let running = Execution {
            redrive: store::Redrives {
                definition: (!express).then(|| m.definition.clone()),
                test_case,
                ..Default::default()
            },
            ..Execution::running(&execution_arn, &m.arn, &name, &input_text, start)
        };
        if sync {
            let e = finish(
                running,
                engine::run(&m.definition.machine, &input, options),
                &m.role_arn,
            );
            return Ok(sync_answer(&e, &m.arn));
        }
        if express {
            // Nothing keeps an EXPRESS execution: it runs, and only its effects remain.
            let definition = m.definition.clone();
            let run = move || engine::run(&definition.machine, &input, options);
            if self.cfg.time == Time::Real {
                std::thread::spawn(run);
            } else {
                run();
            }
            return Ok(json!({"executionArn": execution_arn, "startDate": start}));
        }
        self.launch(running, m.definition.clone(), &m, input, options);
        Ok(json!({"executionArn": execution_arn, "startDate": start}))
    }

    /// What every execution of `m` called `name` runs with, from `start_ms`: a seed of its own,
    /// the server's time mode, region and account, and `registry` for its tasks.
    fn options(&self, m: &Machine, name: &str, start_ms: i64, registry: Registry) -> RunOptions {
        RunOptions {
            seed: self
                .cfg
                .seed
                .wrapping_add(self.executions.fetch_add(1, Ordering::Relaxed)),
            history: true,
            real_time: self.cfg.time == Time::Real,
            start_time: Some(start_ms),
            state_machine_name: m.name.clone().into(),
            execution_name: Some(name.to_string()),
            region: self.cfg.region.clone().into(),
            account: self.cfg.account.clone().into(),
            resources: Box::new(registry),
            ..RunOptions::default()
        }
    }

    /// The task behaviour of an execution: the shared world, and the mocked responses of a
    /// `#TestCase` suffix on the machine ARN.
    fn registry(&self, m: &Machine, arn: &str, case: Option<&str>) -> Result<Registry, ApiError> {
        let mut registry = Registry {
            world: self.world.clone(),
            ..Registry::default()
        };
        if let Some(case) = case {
            let Some(config) = &self.cfg.mock_config else {
                return Err(ApiError::new(
                    "InvalidArn",
                    format!("Invalid Arn: '{arn}': a #{case} test case needs a mock configuration (SFN_MOCK_CONFIG)"),
                ));
            };
            let names = crate::asl::state_names(&m.definition.json);
            let tc = TestCase::load(config, Some(&m.name), case, &names)
                .map_err(|e| ApiError::new("ValidationException", e.to_string()))?;
            registry.mocks = Some(tc);
        }
        Ok(registry)
    }

    /// RedriveExecution (API_RedriveExecution): a STANDARD execution that failed, timed out or
    /// was aborted continues from the top-level state it stopped in, with that state's input
    /// and the variables it saw, under the same ARN; its history goes on with
    /// `ExecutionRedriven`. A Parallel or inline Map runs again only the branches or
    /// iterations that did not succeed (docs/serve.md, "Redrive").
    fn redrive_execution(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("executionArn")?;
        let token = r.str("clientToken")?;
        if let Some(t) = token {
            check_length(t.chars().count(), "clientToken", 1, 64)?;
        }
        // Checked, and the execution marked as running, under one lock: two redrives of one
        // execution cannot both start.
        let mut s = self.store();
        let e = self.find_execution(&s, arn)?;
        // The same clientToken answers the redrive it started (API_RedriveExecution).
        if let Some((_, date)) = token.and_then(|t| e.redrive.tokens.iter().find(|(k, _)| k == t)) {
            return Ok(json!({"redriveDate": date}));
        }
        let m = s.machines.get(&e.machine_arn).cloned();
        if let Some(reason) = not_redrivable(&e, m.is_some(), now_secs()) {
            return Err(ApiError::new("ExecutionNotRedrivable", reason));
        }
        let (Some(m), Some(from)) = (m, e.redrive.resume.clone()) else {
            return Err(ApiError::new(
                "ExecutionNotRedrivable",
                "Execution cannot be redriven: the state it stopped in is not known",
            ));
        };
        let definition = e.redrive.definition.clone().unwrap_or(m.definition.clone());
        // A machine updated since (and kept across a restart, which keeps no definitions) may
        // no longer have the state.
        if definition.machine.graph.index_of(&from.state).is_none() {
            return Err(ApiError::new(
                "ExecutionNotRedrivable",
                format!(
                    "Execution cannot be redriven: its state machine no longer has the state '{}'",
                    from.state
                ),
            ));
        }
        let input: Value = serde_json::from_str(&e.input).unwrap_or(Value::Null);
        let registry = self.registry(&m, &m.arn, e.redrive.test_case.as_deref())?;
        let date_ms = now_millis().max((e.stop.unwrap_or(e.start) * 1000.0).ceil() as i64);
        let date = date_ms as f64 / 1000.0;
        let count = e.redrive.count + 1;
        let prior_events = e
            .history
            .last()
            .and_then(|ev| ev["id"].as_u64())
            .unwrap_or(0);
        let options = RunOptions {
            resumable: true,
            redrive: Some(engine::Redrive {
                from,
                count,
                started: (e.start * 1000.0).round() as i64,
                prior_events,
            }),
            ..self.options(&m, &e.name, date_ms, registry)
        };
        let mut tokens = e.redrive.tokens.clone();
        if let Some(t) = token {
            tokens.push((t.to_string(), date));
            // AWS keeps the last ten tokens of an execution.
            if tokens.len() > 10 {
                tokens.remove(0);
            }
        }
        let running = Execution {
            status: "RUNNING",
            stop: None,
            output: None,
            error: None,
            cause: None,
            redrive: store::Redrives {
                count,
                date: Some(date),
                resume: None,
                tokens,
                definition: Some(definition.clone()),
                test_case: e.redrive.test_case.clone(),
            },
            ..e
        };
        s.insert_execution(shown_while_running(&running));
        drop(s);
        self.launch(running, definition, &m, input, options);
        Ok(json!({"redriveDate": date}))
    }

    /// Runs a STANDARD execution (a new one, or a redrive of one): at once when nothing can
    /// make it wait, else on its own thread, answered by the API's SendTask* calls; in virtual
    /// time, returns once it has ended or waits for a token.
    fn launch(
        &self,
        running: Execution,
        definition: Arc<crate::asl::Definition>,
        m: &Machine,
        input: Value,
        mut options: RunOptions,
    ) {
        options.resumable = true;
        // A stop of an earlier run of this ARN does not stop this one.
        self.tokens.ended(&running.arn);
        // A definition with a task that waits for its token (or an activity task, which waits
        // for a worker) runs on its own thread, answered by the API's SendTask* calls.
        let live = m.waits || waits_for_callers(&definition.json.to_string());
        let background = self.cfg.time == Time::Real || live;
        let (parked_tx, parked) = mpsc::channel::<()>();
        if live {
            options.callbacks = Box::new(self.live(
                &running.arn,
                &m.role_arn,
                running.history.clone(),
                parked_tx.clone(),
            ));
        }
        let role = m.role_arn.clone();
        let pending = background.then(|| shown_while_running(&running));
        let run = move || {
            finish(
                running,
                engine::run(&definition.machine, &input, options),
                &role,
            )
        };
        let Some(pending) = pending else {
            let e = run();
            ended(&mut self.store(), e);
            return;
        };
        self.store().insert_execution(pending);
        let store = self.store.clone();
        std::thread::spawn(move || {
            let e = run();
            ended(&mut store.lock().unwrap_or_else(|p| p.into_inner()), e);
            let _ = parked_tx.send(());
        });
        if self.cfg.time == Time::Virtual {
            // Answer once the execution has ended or waits for a token.
            let _ = parked.recv();
        }
    }

    /// The responder of an execution whose tasks wait for the API's SendTask* calls: it shows
    /// the events so far on the execution while it waits.
    fn live(
        &self,
        execution_arn: &str,
        role_arn: &str,
        before: Arc<Vec<Value>>,
        parked: mpsc::Sender<()>,
    ) -> Live {
        let store = self.store.clone();
        let arn = execution_arn.to_string();
        let role = role_arn.to_string();
        Live {
            hub: self.tokens.clone(),
            execution_arn: execution_arn.to_string(),
            publish: Box::new(move |h: ExecutionHistory| {
                let events = continued(&before, events(&h, &role));
                let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(slot) = s.executions.get_mut(&arn) {
                    if slot.status == "RUNNING" {
                        slot.history = Arc::new(events);
                    }
                }
            }),
            parked: Some(parked),
        }
    }

    /// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat (API_SendTaskSuccess and its
    /// siblings; docs/semantics/task.md §10.6).
    fn send_task(&self, r: &Req, kind: Send) -> Result<Value, ApiError> {
        let token = r.required_str("taskToken")?;
        check_length(token.chars().count(), "taskToken", 1, 1024)?;
        if !well_formed_token(token) {
            return Err(ApiError::new(
                "InvalidToken",
                format!("Invalid Token: '{token}'"),
            ));
        }
        let action = match kind {
            Send::Success => {
                let output = r.required_str("output")?;
                check_length(output.len(), "output", 0, engine::MAX_PAYLOAD_BYTES)?;
                let v: Value = serde_json::from_str(output).map_err(|e| {
                    ApiError::new("InvalidOutput", format!("Invalid Output: '{e}'"))
                })?;
                Action::Success(v)
            }
            Send::Failure => {
                let error = r.str("error")?;
                let cause = r.str("cause")?;
                check_length(error.map_or(0, |e| e.chars().count()), "error", 0, 256)?;
                check_length(cause.map_or(0, |c| c.chars().count()), "cause", 0, 32_768)?;
                Action::Failure {
                    error: error.map(String::from),
                    cause: cause.map(String::from),
                }
            }
            Send::Heartbeat => Action::Heartbeat,
        };
        // UNVERIFIED (docs/semantics/task.md §10.6): which of TaskDoesNotExist and TaskTimedOut
        // AWS gives for a well-formed token it never issued, and the messages of both.
        match self.tokens.send(token, action) {
            TokenState::Open => Ok(json!({})),
            TokenState::Closed => Err(ApiError::new(
                "TaskTimedOut",
                "Task Timed Out: 'Provided task does not exist anymore'",
            )),
            TokenState::Unknown => Err(ApiError::new(
                "TaskDoesNotExist",
                "Task Does Not Exist: 'Provided task does not exist'",
            )),
        }
    }

    // ----- activities ----------------------------------------------------------------------

    /// CreateActivity: idempotent by name (API_CreateActivity).
    fn create_activity(&self, r: &Req) -> Result<Value, ApiError> {
        let name = r.required_str("name")?;
        check_machine_name(name)?;
        let tags = r.tags("tags")?;
        let arn = format!(
            "arn:aws:states:{}:{}:activity:{name}",
            self.cfg.region, self.cfg.account
        );
        let mut s = self.store();
        let a = s.activities.entry(arn.clone()).or_insert_with(|| Activity {
            arn: arn.clone(),
            name: name.to_string(),
            created: now_secs(),
            tags: BTreeMap::new(),
        });
        a.tags.extend(tags);
        Ok(json!({"activityArn": a.arn, "creationDate": a.created}))
    }

    fn find_activity(&self, s: &Store, arn: &str) -> Result<Activity, ApiError> {
        check_arn(arn)?;
        s.activities.get(arn).cloned().ok_or_else(|| {
            ApiError::new(
                "ActivityDoesNotExist",
                format!("Activity Does Not Exist: '{arn}'"),
            )
        })
    }

    fn describe_activity(&self, r: &Req) -> Result<Value, ApiError> {
        let a = self.find_activity(&self.store(), r.required_str("activityArn")?)?;
        Ok(json!({"activityArn": a.arn, "name": a.name, "creationDate": a.created}))
    }

    /// DeleteActivity: deleting one that does not exist succeeds, as for state machines.
    fn delete_activity(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("activityArn")?;
        check_arn(arn)?;
        self.store().activities.remove(arn);
        Ok(json!({}))
    }

    fn list_activities(&self, r: &Req) -> Result<Value, ApiError> {
        let all: Vec<Value> = self
            .store()
            .activities
            .values()
            .map(|a| json!({"activityArn": a.arn, "name": a.name, "creationDate": a.created}))
            .collect();
        page(r, all, "activities", "activities")
    }

    /// GetActivityTask: the oldest task waiting for the activity, or, after a 60 s long poll
    /// with none, no token (API_GetActivityTask).
    fn get_activity_task(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("activityArn")?;
        let worker = r.str("workerName")?;
        check_length(worker.map_or(0, |w| w.chars().count()), "workerName", 0, 80)?;
        self.find_activity(&self.store(), arn)?;
        Ok(
            match self
                .tokens
                .take(arn, worker, std::time::Duration::from_secs(60))
            {
                Some(t) => json!({"taskToken": t.token, "input": t.input}),
                None => json!({}),
            },
        )
    }

    /// DescribeMapRun: a Map Run of an ended execution (API_DescribeMapRun).
    fn describe_map_run(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("mapRunArn")?;
        check_length(arn.chars().count(), "mapRunArn", 1, 2000)?;
        check_arn(arn)?;
        let s = self.store();
        let (execution, run) = s
            .executions
            .values()
            .find_map(|e| e.map_runs.iter().find(|m| m.arn == arn).map(|m| (e, m)))
            .ok_or_else(|| resource_not_found(arn))?;
        let counts = |c: &crate::states::distributed::MapRunCounts| {
            json!({
                "pending": 0, "running": 0, "succeeded": c.succeeded, "failed": c.failed,
                "timedOut": c.timed_out, "aborted": c.aborted, "total": c.total,
                "resultsWritten": c.results_written,
                "failuresNotRedrivable": 0, "pendingRedrive": 0,
            })
        };
        Ok(json!({
            "mapRunArn": run.arn,
            "executionArn": execution.arn,
            "status": run.status,
            "startDate": run.start as f64 / 1000.0,
            "stopDate": run.stop as f64 / 1000.0,
            "maxConcurrency": run.max_concurrency,
            "toleratedFailurePercentage": run.tolerated_percentage,
            "toleratedFailureCount": run.tolerated_count,
            "itemCounts": counts(&run.items),
            "executionCounts": counts(&run.executions),
            "redriveCount": 0,
        }))
    }

    /// UpdateMapRun (API_UpdateMapRun): a Map Run's `maxConcurrency`,
    /// `toleratedFailureCount` and `toleratedFailurePercentage`, as DescribeMapRun shows them
    /// afterwards. Map Runs are kept once they have ended, so the change cannot reach the run.
    fn update_map_run(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("mapRunArn")?;
        check_length(arn.chars().count(), "mapRunArn", 1, 2000)?;
        check_arn(arn)?;
        let out_of_range = |value: String, member: &str, rule: &str| {
            ApiError::new(
                "ValidationException",
                format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"),
            )
        };
        let non_negative = |member: &str| -> Result<Option<i64>, ApiError> {
            match r.int(member)? {
                Some(n) if n < 0 => Err(out_of_range(
                    n.to_string(),
                    member,
                    "Member must have value greater than or equal to 0",
                )),
                other => Ok(other),
            }
        };
        let concurrency = non_negative("maxConcurrency")?;
        let count = non_negative("toleratedFailureCount")?;
        let percentage = match r.0.get("toleratedFailurePercentage") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| {
                ApiError::serialization("toleratedFailurePercentage", "a number")
            })?),
        };
        if let Some(p) = percentage.filter(|p| !(0.0..=100.0).contains(p)) {
            return Err(out_of_range(
                p.to_string(),
                "toleratedFailurePercentage",
                "Member must have value between 0 and 100",
            ));
        }
        if concurrency.is_none() && count.is_none() && percentage.is_none() {
            return Err(ApiError::new(
                "ValidationException",
                "At least one of maxConcurrency, toleratedFailureCount and toleratedFailurePercentage must be given",
            ));
        }
        let mut s = self.store();
        let run = s
            .executions
            .values_mut()
            .find_map(|e| e.map_runs.iter_mut().find(|m| m.arn == arn))
            .ok_or_else(|| resource_not_found(arn))?;
        if let Some(n) = concurrency {
            run.max_concurrency = n as u64;
        }
        if let Some(n) = count {
            run.tolerated_count = n as u64;
        }
        if let Some(p) = percentage {
            run.tolerated_percentage = p;
        }
        Ok(json!({}))
    }

    /// ListMapRuns: the Map Runs of an execution, in the order they ended (API_ListMapRuns).
    fn list_map_runs(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("executionArn")?;
        let e = self.find_execution(&self.store(), arn)?;
        let all: Vec<Value> = e
            .map_runs
            .iter()
            .map(|m| {
                json!({
                    "executionArn": e.arn, "mapRunArn": m.arn, "stateMachineArn": e.machine_arn,
                    "startDate": m.start as f64 / 1000.0, "stopDate": m.stop as f64 / 1000.0,
                })
            })
            .collect();
        page(r, all, "mapRuns", &format!("mapRuns:{arn}"))
    }

    fn fresh_name(&self) -> String {
        let n = self.executions.fetch_add(1, Ordering::Relaxed);
        uuid_like(now_nanos() ^ n.wrapping_mul(0x9e3779b97f4a7c15))
    }

    fn find_execution(&self, s: &Store, arn: &str) -> Result<Execution, ApiError> {
        check_arn(arn)?;
        s.executions
            .get(arn)
            .cloned()
            .ok_or_else(|| ApiError::execution_does_not_exist(arn))
    }

    fn stop_execution(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("executionArn")?;
        let mut s = self.store();
        let e = self.find_execution(&s, arn)?;
        if e.status != "RUNNING" {
            return Ok(json!({"stopDate": e.stop.unwrap_or(e.start)}));
        }
        let stop = now_secs();
        let error = r.str("error")?.map(String::from);
        let cause = r.str("cause")?.map(String::from);
        let mut details = Map::new();
        if let Some(x) = &error {
            details.insert("error".into(), json!(x));
        }
        if let Some(x) = &cause {
            details.insert("cause".into(), json!(x));
        }
        if let Some(slot) = s.executions.get_mut(arn) {
            slot.status = "ABORTED";
            slot.stop = Some(stop);
            slot.error = error;
            slot.cause = cause;
            // The events so far (those a waiting execution showed), then ExecutionAborted.
            let mut events = if slot.history.is_empty() {
                vec![
                    json!({"timestamp": slot.start, "type": "ExecutionStarted", "id": 1,
                       "previousEventId": 0,
                       "executionStartedEventDetails": {"input": slot.input,
                           "inputDetails": {"truncated": false}, "roleArn": ""}}),
                ]
            } else {
                slot.history.as_ref().clone()
            };
            let last = events.len();
            events.push(json!({"timestamp": stop, "type": "ExecutionAborted",
                "id": last + 1, "previousEventId": last,
                "executionAbortedEventDetails": details}));
            slot.history = Arc::new(events);
        }
        drop(s);
        self.tokens.stop(arn);
        Ok(json!({"stopDate": stop}))
    }

    fn describe_execution(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("executionArn")?;
        let e = self.find_execution(&self.store(), arn)?;
        let mut out = json!({
            "executionArn": e.arn, "stateMachineArn": e.machine_arn, "name": e.name,
            "status": e.status, "startDate": e.start, "input": e.input,
            "inputDetails": {"included": true},
            "redriveCount": e.redrive.count,
        });
        if let Some(stop) = e.stop {
            out["stopDate"] = json!(stop);
        }
        if let Some(date) = e.redrive.date {
            out["redriveDate"] = json!(date);
        }
        let machine_exists = self.store().machines.contains_key(&e.machine_arn);
        match not_redrivable(&e, machine_exists, now_secs()) {
            None => out["redriveStatus"] = json!("REDRIVABLE"),
            Some(reason) => {
                out["redriveStatus"] = json!("NOT_REDRIVABLE");
                out["redriveStatusReason"] = json!(reason);
            }
        }
        outcome_members(&mut out, &e);
        Ok(out)
    }

    fn describe_machine_for_execution(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("executionArn")?;
        let s = self.store();
        let e = self.find_execution(&s, arn)?;
        let m = s
            .machines
            .get(&e.machine_arn)
            .ok_or_else(|| ApiError::execution_does_not_exist(arn))?;
        let d = describe_machine(m);
        let mut out = Map::new();
        for k in [
            "stateMachineArn",
            "name",
            "definition",
            "roleArn",
            "loggingConfiguration",
            "tracingConfiguration",
            "revisionId",
        ] {
            if let Some(v) = d.get(k) {
                out.insert(k.into(), v.clone());
            }
        }
        out.insert("updateDate".into(), json!(m.created));
        Ok(Value::Object(out))
    }

    fn list_executions(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("stateMachineArn")?;
        let filter = r.str("statusFilter")?;
        if let Some(f) = filter {
            if ![
                "RUNNING",
                "SUCCEEDED",
                "FAILED",
                "TIMED_OUT",
                "ABORTED",
                "PENDING_REDRIVE",
            ]
            .contains(&f)
            {
                return Err(ApiError::new(
                    "ValidationException",
                    format!("1 validation error detected: Value '{f}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"),
                ));
            }
        }
        let redriven = match r.str("redriveFilter")? {
            None => None,
            Some("REDRIVEN") => Some(true),
            Some("NOT_REDRIVEN") => Some(false),
            Some(f) => {
                return Err(ApiError::new(
                    "ValidationException",
                    format!("1 validation error detected: Value '{f}' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]"),
                ))
            }
        };
        let s = self.store();
        let m = self.find_machine(&s, arn)?;
        if m.kind == Kind::Express {
            return Err(ApiError::new(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine",
            ));
        }
        // Newest first.
        let all: Vec<Value> = s
            .execution_order
            .iter()
            .rev()
            .filter_map(|a| s.executions.get(a))
            .filter(|e| e.machine_arn == m.arn && filter.is_none_or(|f| f == e.status))
            .filter(|e| redriven.is_none_or(|r| r == (e.redrive.count > 0)))
            .map(|e| {
                let mut x = json!({"executionArn": e.arn, "stateMachineArn": e.machine_arn,
                                   "name": e.name, "status": e.status, "startDate": e.start,
                                   "redriveCount": e.redrive.count});
                if let Some(stop) = e.stop {
                    x["stopDate"] = json!(stop);
                }
                if let Some(date) = e.redrive.date {
                    x["redriveDate"] = json!(date);
                }
                x
            })
            .collect();
        let scope = format!("executions:{arn}:{filter:?}:{redriven:?}");
        page(r, all, "executions", &scope)
    }

    fn get_execution_history(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("executionArn")?;
        let reverse = r.bool("reverseOrder")?.unwrap_or(false);
        let data = r.bool("includeExecutionData")?.unwrap_or(true);
        let e = self.find_execution(&self.store(), arn)?;
        let mut events: Vec<Value> = e.history.as_ref().clone();
        if reverse {
            events.reverse();
        }
        if !data {
            for ev in &mut events {
                strip_data(ev);
            }
        }
        let scope = format!("history:{arn}:{reverse}:{data}");
        page(r, events, "events", &scope)
    }

    // ----- tags --------------------------------------------------------------------------

    fn tag_resource(&self, r: &Req) -> Result<Value, ApiError> {
        let tags = r.tags("tags")?;
        self.change_tags(r, |t| t.extend(tags))
    }

    fn untag_resource(&self, r: &Req) -> Result<Value, ApiError> {
        let keys = r.strings("tagKeys")?;
        self.change_tags(r, |t| t.retain(|k, _| !keys.contains(k)))
    }

    /// Changes the tags of the machine `resourceArn` names.
    fn change_tags(
        &self,
        r: &Req,
        change: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> Result<Value, ApiError> {
        let arn = r.required_str("resourceArn")?;
        let mut s = self.store();
        let s = &mut *s;
        let tags = match s.machines.get_mut(arn) {
            Some(m) => &mut m.tags,
            None => {
                &mut s
                    .activities
                    .get_mut(arn)
                    .ok_or_else(|| resource_not_found(arn))?
                    .tags
            }
        };
        change(tags);
        Ok(json!({}))
    }

    fn list_tags(&self, r: &Req) -> Result<Value, ApiError> {
        let arn = r.required_str("resourceArn")?;
        let s = self.store();
        let tags = match s.machines.get(arn) {
            Some(m) => &m.tags,
            None => {
                &s.activities
                    .get(arn)
                    .ok_or_else(|| resource_not_found(arn))?
                    .tags
            }
        };
        let tags: Vec<Value> = tags
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        Ok(json!({ "tags": tags }))
    }
}

fn resource_not_found(arn: &str) -> ApiError {
    ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'"))
}

fn describe_machine(m: &Machine) -> Value {
    json!({
        "stateMachineArn": m.arn, "name": m.name, "status": "ACTIVE", "definition": m.text,
        "roleArn": m.role_arn, "type": m.kind.as_str(), "creationDate": m.created,
        "loggingConfiguration": m.logging, "tracingConfiguration": m.tracing,
        "revisionId": revision_id(m),
    })
}

fn revision_id(m: &Machine) -> String {
    uuid_like(store::fnv(&m.arn) ^ m.revision)
}

/// Compiles definition text as CreateStateMachine checks it.
fn compile(text: &str) -> Result<crate::asl::Definition, ApiError> {
    let json = crate::asl::load::parse_text(text, crate::asl::load::Format::Json).map_err(|d| {
        ApiError::new(
            "InvalidDefinition",
            crate::asl::validate::invalid_definition_message(&[d]),
        )
    })?;
    parse_definition(json).map_err(|e| match e {
        LoadError::Invalid(d) => ApiError::new(
            "InvalidDefinition",
            crate::asl::validate::invalid_definition_message(&d),
        ),
        LoadError::Io(m) => ApiError::new("InvalidDefinition", m),
    })
}

/// ValidateStateMachineDefinition: `{"result": "OK" | "FAIL", "diagnostics": [...]}`.
fn validate_definition(r: &Req) -> Result<Value, ApiError> {
    let text = r.required_str("definition")?;
    let diags = match crate::asl::load::parse_text(text, crate::asl::load::Format::Json) {
        Err(d) => vec![d],
        Ok(json) => match parse_definition(json) {
            Ok(_) => Vec::new(),
            Err(LoadError::Invalid(d)) => d,
            Err(LoadError::Io(m)) => return Err(ApiError::new("ValidationException", m)),
        },
    };
    let list: Vec<Value> = diags
        .iter()
        .map(|d| {
            json!({"severity": "ERROR", "code": d.code.as_str(), "message": d.message,
                   "location": d.location})
        })
        .collect();
    Ok(
        json!({"result": if list.is_empty() { "OK" } else { "FAIL" }, "diagnostics": list,
              "truncated": false}),
    )
}

/// The execution as the interpreter ended it.
/// A history in the API's shape: epoch-second timestamps, the machine's role on
/// ExecutionStarted.
fn events(h: &ExecutionHistory, role_arn: &str) -> Vec<Value> {
    let mut history: Vec<Value> = h.iter().map(epoch_timestamp).collect();
    if let Some(slot) = history
        .first_mut()
        .and_then(|e| e.pointer_mut("/executionStartedEventDetails/roleArn"))
    {
        *slot = json!(role_arn);
    }
    history
}

fn finish(running: Execution, o: engine::Outcome, role_arn: &str) -> Execution {
    let history = o
        .history
        .as_ref()
        .map(|h| continued(&running.history, events(h, role_arn)))
        .unwrap_or_default();
    let mut map_runs = running.map_runs.clone();
    map_runs.extend(o.map_runs);
    let redrive = store::Redrives {
        resume: o.resume,
        ..running.redrive.clone()
    };
    Execution {
        status: o.status.as_str(),
        stop: Some(o.stopped_at as f64 / 1000.0),
        output: o.output.as_ref().map(Value::to_string),
        error: o.error,
        cause: o.cause,
        history: Arc::new(history),
        map_runs,
        redrive,
        ..running
    }
}

/// A redrive's events after those of the runs before it (the interpreter numbers them on
/// from the last one): `ExecutionRedriven` follows the last earlier event.
fn continued(before: &[Value], new: Vec<Value>) -> Vec<Value> {
    let Some(last) = before.last().and_then(|e| e["id"].as_u64()) else {
        return new;
    };
    let mut all = Vec::with_capacity(before.len() + new.len());
    all.extend_from_slice(before);
    for (i, mut e) in new.into_iter().enumerate() {
        if i == 0 && e["previousEventId"].as_u64() == Some(0) {
            e["previousEventId"] = json!(last);
        }
        all.push(e);
    }
    all
}

/// What an execution shows while it runs: for a redrive, its earlier events and
/// `ExecutionRedriven` (so that a StopExecution before anything else is published shows it).
fn shown_while_running(running: &Execution) -> Execution {
    let (Some(date), Some(last)) = (
        running.redrive.date,
        running.history.last().and_then(|e| e["id"].as_u64()),
    ) else {
        return running.clone();
    };
    let mut events = running.history.as_ref().clone();
    events.push(
        json!({"timestamp": date, "type": "ExecutionRedriven", "id": last + 1,
        "previousEventId": last,
        "executionRedrivenEventDetails": {"redriveCount": running.redrive.count}}),
    );
    Execution {
        history: Arc::new(events),
        ..running.clone()
    }
}

/// Keeps a run's result, unless a StopExecution decided the outcome first: then only where the
/// run stopped is kept, which a redrive of the aborted execution starts from.
fn ended(s: &mut Store, e: Execution) {
    match s.executions.get_mut(&e.arn) {
        Some(slot) if slot.status != "RUNNING" => slot.redrive.resume = e.redrive.resume,
        _ => s.insert_execution(e),
    }
}

/// Why RedriveExecution would refuse the execution, in DescribeExecution's
/// `redriveStatusReason` words (API_DescribeExecution): it has not ended without succeeding,
/// its machine is gone, it closed more than 14 days ago, or its history is at the limit.
fn not_redrivable(e: &Execution, machine_exists: bool, now: f64) -> Option<&'static str> {
    match e.status {
        "RUNNING" => return Some("Execution is RUNNING and cannot be redriven"),
        "SUCCEEDED" => return Some("Execution is SUCCEEDED and cannot be redriven"),
        _ => {}
    }
    if !machine_exists {
        return Some("State machine is in DELETING status");
    }
    if e.history.len() >= 24_999 {
        return Some("Execution history event limit exceeded");
    }
    if now - e.stop.unwrap_or(e.start) > 14.0 * 24.0 * 3600.0 {
        return Some("Execution redrivable period exceeded");
    }
    // This server's own reason: an execution kept from before redrives were recorded, or one
    // aborted while its thread still runs (docs/serve.md, "Redrive").
    if e.redrive.resume.is_none() {
        return Some("Execution cannot be redriven: the state it stopped in is not known");
    }
    None
}

/// StartSyncExecution's answer (API_StartSyncExecution).
fn sync_answer(e: &Execution, machine_arn: &str) -> Value {
    let stop = e.stop.unwrap_or(e.start);
    let mut out = json!({
        "executionArn": e.arn, "stateMachineArn": machine_arn, "name": e.name,
        "startDate": e.start, "stopDate": stop, "status": e.status,
        "input": e.input, "inputDetails": {"included": true},
        "billingDetails": {
            "billedMemoryUsedInMB": 64,
            // Billed in 100 ms steps, at least 100 ms.
            "billedDurationInMilliseconds": (((stop - e.start) * 1000.0 / 100.0).ceil().max(1.0) * 100.0) as i64,
        },
    });
    outcome_members(&mut out, e);
    out
}

/// `output` (with `outputDetails`), `error` and `cause`, where the execution has them.
fn outcome_members(out: &mut Value, e: &Execution) {
    if let Some(o) = &e.output {
        out["output"] = json!(o);
        out["outputDetails"] = json!({"included": true});
    }
    if let Some(x) = &e.error {
        out["error"] = json!(x);
    }
    if let Some(x) = &e.cause {
        out["cause"] = json!(x);
    }
}

/// An event's `timestamp` as epoch seconds (the interpreter renders RFC 3339).
fn epoch_timestamp(mut event: Value) -> Value {
    if let Some(slot) = event.get_mut("timestamp") {
        if let Some(t) = slot
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        {
            *slot = json!(t.timestamp_millis() as f64 / 1000.0);
        }
    }
    event
}

/// `includeExecutionData: false`: events without their input and output.
fn strip_data(event: &mut Value) {
    if let Some(obj) = event.as_object_mut() {
        for (k, v) in obj.iter_mut() {
            if k.ends_with("EventDetails") {
                if let Some(d) = v.as_object_mut() {
                    d.remove("input");
                    d.remove("output");
                }
            }
        }
    }
}

/// One page of `all` under `member`, with `maxResults` (0 or absent: 100; at most 1000) and
/// `nextToken`.
fn page(r: &Req, all: Vec<Value>, member: &str, scope: &str) -> Result<Value, ApiError> {
    let max = match r.int("maxResults")? {
        None | Some(0) => 100,
        Some(n) if (1..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::new(
                "ValidationException",
                format!("1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"),
            ))
        }
    };
    let from = match r.str("nextToken")? {
        None => 0,
        Some(t) => store::offset(t, scope)
            .filter(|&o| o <= all.len())
            .ok_or_else(|| ApiError::new("InvalidToken", format!("Invalid Token: '{t}'")))?,
    };
    let end = (from + max).min(all.len());
    let mut out = Map::new();
    out.insert(member.into(), Value::Array(all[from..end].to_vec()));
    if end < all.len() {
        out.insert("nextToken".into(), json!(store::token(end, scope)));
    }
    Ok(Value::Object(out))
}

/// Request members, type-checked.
struct Req<'a>(&'a Obj);

impl Req<'_> {
    fn str(&self, k: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::serialization(k, "a string")),
        }
    }

    fn required_str(&self, k: &str) -> Result<&str, ApiError> {
        self.str(k)?.ok_or_else(|| ApiError::missing(k))
    }

    fn int(&self, k: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::serialization(k, "an integer")),
        }
    }

    fn bool(&self, k: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::serialization(k, "a boolean")),
        }
    }

    fn strings(&self, k: &str) -> Result<Vec<String>, ApiError> {
        match self.0.get(k) {
            None | Some(Value::Null) => Err(ApiError::missing(k)),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(String::from)
                        .ok_or_else(|| ApiError::serialization(k, "a list of strings"))
                })
                .collect(),
            Some(_) => Err(ApiError::serialization(k, "a list of strings")),
        }
    }

    /// `[{"key": ..., "value": ...}]`.
    fn tags(&self, k: &str) -> Result<BTreeMap<String, String>, ApiError> {
        let mut out = BTreeMap::new();
        match self.0.get(k) {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for t in a {
                    let key = t.get("key").and_then(Value::as_str);
                    let value = t.get("value").and_then(Value::as_str).unwrap_or("");
                    let key = key.ok_or_else(|| ApiError::missing(&format!("{k}.member.key")))?;
                    out.insert(key.to_string(), value.to_string());
                }
            }
            Some(_) => return Err(ApiError::serialization(k, "a list of tags")),
        }
        Ok(out)
    }
}

/// State machine names follow the execution-name rules (API_CreateStateMachine).
/// Whether a definition has a task that waits for the API's callers: a `.waitForTaskToken`
/// task or an activity task (decided once, when the machine is created or updated).
/// Which SendTask* call.
#[derive(Debug, Clone, Copy)]
enum Send {
    Success,
    Failure,
    Heartbeat,
}

/// A token of the shape this server issues (`AQC` and base64); anything else is `InvalidToken`.
fn well_formed_token(token: &str) -> bool {
    use base64::Engine;
    token.strip_prefix("AQC").is_some_and(|b| {
        !b.is_empty() && base64::engine::general_purpose::STANDARD.decode(b).is_ok()
    })
}

/// A member's length constraint, as the API's validation reports it.
/// `n` is the length in characters, or in UTF-8 bytes for a payload.
fn check_length(n: usize, member: &str, min: usize, max: usize) -> Result<(), ApiError> {
    if n < min || n > max {
        let bound = if n < min {
            format!("greater than or equal to {min}")
        } else {
            format!("less than or equal to {max}")
        };
        return Err(ApiError::new(
            "ValidationException",
            format!("1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length {bound}"),
        ));
    }
    Ok(())
}

fn check_machine_name(name: &str) -> Result<(), ApiError> {
    check_execution_name(name)
        .map_err(|_| ApiError::new("InvalidName", format!("Invalid Name: '{name}'")))
}

/// An ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`.
fn check_arn(arn: &str) -> Result<(), ApiError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[5].is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_arn(arn))
    }
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn now_millis() -> i64 {
    (now_nanos() / 1_000_000) as i64
}

fn now_secs() -> f64 {
    now_millis() as f64 / 1000.0
}

/// A version-4-shaped UUID from 64 bits (names and revision ids need to be unique, not secret).
fn uuid_like(seed: u64) -> String {
    let mut x = seed;
    let mut next = || {
        x = x.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    };
    let (a, b) = (next(), next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(api: &Api, action: &str, body: Value) -> Reply {
        api.call(
            Some(&format!("AWSStepFunctions.{action}")),
            body.to_string().as_bytes(),
        )
    }

    fn create(api: &Api, name: &str, definition: Value, kind: &str) -> Reply {
        call(
            api,
            "CreateStateMachine",
            json!({"name": name, "definition": definition.to_string(), "type": kind,
                   "roleArn": "arn:aws:iam::123456789012:role/r"}),
        )
    }

    const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:";

    /// `action` on the machine named `machine` (maybe with `#TestCase`).
    fn on(api: &Api, action: &str, machine: &str) -> Reply {
        call(
            api,
            action,
            json!({"stateMachineArn": format!("{ARN}{machine}")}),
        )
    }

    /// Starts an execution of `machine`; its ARN.
    fn start(api: &Api, machine: &str) -> String {
        let r = on(api, "StartExecution", machine);
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["executionArn"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// DescribeMapRun's members (API_DescribeMapRun, API_MapRunItemCounts): a Distributed Map
    /// over four items in batches of two, one item failing within its tolerance.
    #[test]
    fn a_map_run_is_described_and_listed() {
        let api = Api::new(Config::default());
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "C", "States": {
                    "C": {"Type": "Choice", "Choices": [
                        {"Variable": "$.Items[0]", "NumericEquals": 3, "Next": "Bad"}],
                        "Default": "Ok"},
                    "Bad": {"Type": "Fail", "Error": "E"},
                    "Ok": {"Type": "Succeed"}}},
            "ItemBatcher": {"MaxItemsPerBatch": 2},
            "ToleratedFailureCount": 1, "MaxConcurrency": 5, "Label": "Batches", "End": true}}});
        assert_eq!(create(&api, "Dist", def, "STANDARD").status, 200);
        let r = call(
            &api,
            "StartExecution",
            json!({"stateMachineArn": format!("{ARN}Dist"), "input": "[1, 2, 3, 4]"}),
        );
        let exec = r.body["executionArn"].as_str().unwrap().to_string();
        assert_eq!(describe(&api, &exec)["status"], "SUCCEEDED");
        let listed = call(&api, "ListMapRuns", json!({"executionArn": exec}));
        let runs = listed.body["mapRuns"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let arn = runs[0]["mapRunArn"].as_str().unwrap();
        assert!(
            arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:Dist/Batches:"),
            "{arn}"
        );
        let d = call(&api, "DescribeMapRun", json!({"mapRunArn": arn})).body;
        assert_eq!(d["executionArn"], exec.as_str());
        assert_eq!(d["status"], "SUCCEEDED");
        assert_eq!(
            (
                d["maxConcurrency"].as_u64(),
                d["toleratedFailureCount"].as_u64()
            ),
            (Some(5), Some(1))
        );
        assert_eq!(
            (
                d["itemCounts"]["total"].as_u64(),
                d["itemCounts"]["succeeded"].as_u64(),
                d["itemCounts"]["failed"].as_u64()
            ),
            (Some(4), Some(2), Some(2))
        );
        assert_eq!(
            (
                d["executionCounts"]["total"].as_u64(),
                d["executionCounts"]["failed"].as_u64()
            ),
            (Some(2), Some(1))
        );
        let missing = call(
            &api,
            "DescribeMapRun",
            json!({"mapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:Dist/x:y"}),
        );
        assert_eq!(missing.body["__type"], "ResourceNotFound");

        // UpdateMapRun (API_UpdateMapRun): `{}`, and DescribeMapRun shows the new settings.
        let u = call(
            &api,
            "UpdateMapRun",
            json!({"mapRunArn": arn, "maxConcurrency": 9, "toleratedFailurePercentage": 12.5}),
        );
        assert_eq!((u.status, &u.body), (200, &json!({})));
        let d = call(&api, "DescribeMapRun", json!({"mapRunArn": arn})).body;
        assert_eq!(
            (
                d["maxConcurrency"].as_u64(),
                d["toleratedFailurePercentage"].as_f64(),
                d["toleratedFailureCount"].as_u64()
            ),
            (Some(9), Some(12.5), Some(1))
        );
        for bad in [
            json!({"mapRunArn": arn}),
            json!({"mapRunArn": arn, "toleratedFailurePercentage": 101}),
            json!({"mapRunArn": arn, "maxConcurrency": -1}),
        ] {
            let r = call(&api, "UpdateMapRun", bad.clone());
            assert_eq!(r.body["__type"], "ValidationException", "{bad}");
        }
        let r = call(
            &api,
            "UpdateMapRun",
            json!({"mapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:Dist/x:y", "maxConcurrency": 1}),
        );
        assert_eq!(r.body["__type"], "ResourceNotFound");
    }

    /// RedriveExecution (API_RedriveExecution; redrive-executions.html): the execution goes on
    /// from the failed state under the same ARN, its history continues with
    /// `ExecutionRedriven`, and DescribeExecution and ListExecutions show the redrive.
    #[test]
    fn a_failed_execution_is_redriven_from_where_it_failed() {
        let api = Api::new(Config::default());
        let def = json!({"StartAt": "Once", "States": {
            "Once": {"Type": "Pass", "Result": {"k": 1}, "Next": "Work"},
            "Work": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "Kept", "States": {"Kept": {"Type": "Pass", "Result": "kept", "End": true}}},
                {"StartAt": "Gate", "States": {
                    "Gate": {"Type": "Choice", "Default": "Fine", "Choices": [
                        {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0, "Next": "Boom"}]},
                    "Boom": {"Type": "Fail", "Error": "E", "Cause": "first"},
                    "Fine": {"Type": "Pass", "Parameters": {"count.$": "$$.Execution.RedriveCount"}, "End": true}}}]}}});
        assert_eq!(create(&api, "Redo", def, "STANDARD").status, 200);
        let exec = start(&api, "Redo");
        let d = describe(&api, &exec);
        assert_eq!(
            (&d["status"], &d["redriveStatus"], &d["redriveCount"]),
            (&json!("FAILED"), &json!("REDRIVABLE"), &json!(0))
        );
        let before = call(&api, "GetExecutionHistory", json!({"executionArn": exec})).body
            ["events"]
            .as_array()
            .unwrap()
            .len();

        let r = call(
            &api,
            "RedriveExecution",
            json!({"executionArn": exec, "clientToken": "t1"}),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
        let date = r.body["redriveDate"].as_f64().unwrap();
        let d = describe(&api, &exec);
        assert_eq!(d["status"], "SUCCEEDED", "{d}");
        assert_eq!(
            d["output"],
            json!(json!(["kept", {"count": 1}]).to_string())
        );
        assert_eq!(
            (&d["redriveCount"], d["redriveDate"].as_f64()),
            (&json!(1), Some(date))
        );
        assert_eq!(d["redriveStatus"], "NOT_REDRIVABLE");
        assert_eq!(
            d["redriveStatusReason"],
            "Execution is SUCCEEDED and cannot be redriven"
        );

        let events = call(&api, "GetExecutionHistory", json!({"executionArn": exec})).body
            ["events"]
            .as_array()
            .unwrap()
            .clone();
        let redriven = &events[before];
        assert_eq!(redriven["type"], "ExecutionRedriven");
        assert_eq!(redriven["id"], json!(before + 1));
        assert_eq!(redriven["previousEventId"], json!(before));
        assert_eq!(
            redriven["executionRedrivenEventDetails"],
            json!({"redriveCount": 1})
        );
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e["id"], json!(i + 1), "ids go on from the first run's");
        }
        let names: Vec<&str> = events[before..]
            .iter()
            .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
            .collect();
        assert_eq!(
            names,
            ["Work", "Gate", "Fine"],
            "Once and Kept are not run again"
        );

        // The same client token answers the same redrive; a succeeded execution is refused.
        let again = call(
            &api,
            "RedriveExecution",
            json!({"executionArn": exec, "clientToken": "t1"}),
        );
        assert_eq!(again.body["redriveDate"].as_f64(), Some(date));
        let refused = call(&api, "RedriveExecution", json!({"executionArn": exec}));
        assert_eq!(refused.body["__type"], "ExecutionNotRedrivable");
        assert_eq!(
            refused.body["message"],
            "Execution is SUCCEEDED and cannot be redriven"
        );

        let list = |filter: &str| {
            call(
                &api,
                "ListExecutions",
                json!({"stateMachineArn": format!("{ARN}Redo"), "redriveFilter": filter}),
            )
            .body["executions"]
                .as_array()
                .unwrap()
                .len()
        };
        assert_eq!((list("REDRIVEN"), list("NOT_REDRIVEN")), (1, 0));
        let missing = call(
            &api,
            "RedriveExecution",
            json!({"executionArn": format!("{exec}-not")}),
        );
        assert_eq!(missing.body["__type"], "ExecutionDoesNotExist");
    }

    /// A redrive that waits for a task token: while it runs it shows `ExecutionRedriven` and
    /// cannot be redriven again; stopped, it ends ABORTED after the redriven events, and is
    /// redrivable again from the waiting task once its run has ended.
    #[test]
    fn a_running_redrive_cannot_start_twice_and_a_stopped_one_can_be_redriven_again() {
        let api = Api::new(Config::default());
        // The branch fails on the first run; its rerun waits for a token.
        let def = json!({"StartAt": "Work", "States": {"Work": {"Type": "Parallel", "End": true,
            "Branches": [{"StartAt": "Gate", "States": {
                "Gate": {"Type": "Choice", "Default": "Ask", "Choices": [
                    {"Variable": "$$.Execution.RedriveCount", "NumericEquals": 0, "Next": "Boom"}]},
                "Boom": {"Type": "Fail", "Error": "E"},
                "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                       "MessageBody": {"token.$": "$$.Task.Token"}},
                        "End": true}}}]}}});
        assert_eq!(create(&api, "Ask", def, "STANDARD").status, 200);
        let exec = start(&api, "Ask");
        for _ in 0..500 {
            if describe(&api, &exec)["status"] != "RUNNING" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(describe(&api, &exec)["status"], "FAILED");
        let r = call(&api, "RedriveExecution", json!({"executionArn": exec}));
        assert_eq!(r.status, 200, "{:?}", r.body);
        let d = describe(&api, &exec);
        assert_eq!(
            (&d["status"], &d["redriveStatus"]),
            (&json!("RUNNING"), &json!("NOT_REDRIVABLE")),
            "{d}"
        );
        let twice = call(&api, "RedriveExecution", json!({"executionArn": exec}));
        assert_eq!(
            twice.body["message"],
            "Execution is RUNNING and cannot be redriven"
        );
        let stop = call(&api, "StopExecution", json!({"executionArn": exec}));
        assert_eq!(stop.status, 200);
        let events = call(&api, "GetExecutionHistory", json!({"executionArn": exec})).body
            ["events"]
            .as_array()
            .unwrap()
            .clone();
        let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
        let redriven = kinds
            .iter()
            .position(|k| *k == "ExecutionRedriven")
            .unwrap();
        assert_eq!(kinds.last(), Some(&"ExecutionAborted"));
        assert!(kinds[redriven..].contains(&"TaskScheduled"), "{kinds:?}");
        let mut status = Value::Null;
        for _ in 0..500 {
            status = describe(&api, &exec)["redriveStatus"].clone();
            if status == "REDRIVABLE" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(
            status, "REDRIVABLE",
            "the stopped run ended in the waiting task"
        );
    }

    fn describe(api: &Api, arn: &str) -> Value {
        call(api, "DescribeExecution", json!({"executionArn": arn})).body
    }

    #[test]
    fn a_day_of_waiting_ends_at_once_and_the_history_shows_the_day() {
        let api = Api::new(Config::default());
        let def = json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 86400, "Next": "P"},
            "P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}});
        assert_eq!(create(&api, "m", def, "STANDARD").status, 200);
        let started = call(
            &api,
            "StartExecution",
            json!({"stateMachineArn": format!("{ARN}m"), "name": "e", "input": "{\"a\": 1}"}),
        );
        assert_eq!(started.status, 200, "{:?}", started.body);
        let arn = started.body["executionArn"].as_str().unwrap().to_string();
        assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:execution:m:e");
        let d = describe(&api, &arn);
        assert_eq!(d["status"], "SUCCEEDED");
        assert_eq!(d["output"], "{\"ok\":true}");
        let took = d["stopDate"].as_f64().unwrap() - d["startDate"].as_f64().unwrap();
        assert!((took - 86400.0).abs() < 0.01, "{took}");
        // The same name again: the first execution is closed, so it already exists.
        let again = call(
            &api,
            "StartExecution",
            json!({"stateMachineArn": format!("{ARN}m"), "name": "e", "input": "{\"a\": 1}"}),
        );
        assert_eq!(again.body["__type"], "ExecutionAlreadyExists");
    }

    #[test]
    fn history_pages_and_reverses() {
        let api = Api::new(Config::default());
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": true}}});
        create(&api, "m", def, "STANDARD");
        let arn = start(&api, "m");
        let all = call(&api, "GetExecutionHistory", json!({"executionArn": arn})).body;
        let events = all["events"].as_array().unwrap();
        assert_eq!(events.len(), 6, "{events:?}");
        assert!(events[0]["timestamp"].is_f64());
        assert!(all.get("nextToken").is_none());
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut req = json!({"executionArn": arn, "maxResults": 4, "reverseOrder": true});
            if let Some(t) = &token {
                req["nextToken"] = json!(t);
            }
            let page = call(&api, "GetExecutionHistory", req).body;
            seen.extend(
                page["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].clone()),
            );
            match page.get("nextToken").and_then(Value::as_str) {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, [6, 5, 4, 3, 2, 1].map(|n| json!(n)).to_vec());
        // A token from one listing is refused by another.
        let bad = call(
            &api,
            "GetExecutionHistory",
            json!({"executionArn": arn, "nextToken": token.unwrap_or_default()}),
        );
        assert_eq!(bad.body["__type"], "InvalidToken");
        let no_data = call(
            &api,
            "GetExecutionHistory",
            json!({"executionArn": arn, "includeExecutionData": false}),
        )
        .body;
        assert!(no_data["events"][0]["executionStartedEventDetails"]
            .get("input")
            .is_none());
    }

    #[test]
    fn sync_executions_are_express_only() {
        let api = Api::new(Config::default());
        let def =
            json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}});
        create(&api, "x", def.clone(), "EXPRESS");
        create(&api, "s", def, "STANDARD");
        let r = call(
            &api,
            "StartSyncExecution",
            json!({"stateMachineArn": format!("{ARN}x"), "name": "n"}),
        );
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "FAILED");
        assert_eq!(r.body["error"], "E");
        assert_eq!(r.body["cause"], "c");
        assert!(r.body["executionArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:states:us-east-1:123456789012:express:x:n:"));
        let r = on(&api, "StartSyncExecution", "s");
        assert_eq!(r.body["__type"], "StateMachineTypeNotSupported");
    }

    #[test]
    fn bad_requests_get_aws_error_shapes() {
        let api = Api::new(Config::default());
        let cases: Vec<(Reply, &str)> = vec![
            (api.call(None, b"{}"), "UnknownOperationException"),
            (
                api.call(Some("AWSStepFunctions.Nope"), b"{}"),
                "UnknownOperationException",
            ),
            (
                api.call(Some("AWSStepFunctions.ListStateMachines"), b"{"),
                "SerializationException",
            ),
            (
                api.call(Some("AWSStepFunctions.ListStateMachines"), b"[]"),
                "SerializationException",
            ),
            (
                call(&api, "DescribeStateMachine", json!({})),
                "ValidationException",
            ),
            (
                call(&api, "DescribeStateMachine", json!({"stateMachineArn": 7})),
                "SerializationException",
            ),
            (
                call(
                    &api,
                    "DescribeStateMachine",
                    json!({"stateMachineArn": "nope"}),
                ),
                "InvalidArn",
            ),
            (
                on(&api, "DescribeStateMachine", "gone"),
                "StateMachineDoesNotExist",
            ),
            (
                call(
                    &api,
                    "DescribeExecution",
                    json!({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e"}),
                ),
                "ExecutionDoesNotExist",
            ),
            (
                create(
                    &api,
                    "bad name",
                    json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
                    "STANDARD",
                ),
                "InvalidName",
            ),
            (
                create(&api, "m", json!({"StartAt": "A", "States": {}}), "STANDARD"),
                "InvalidDefinition",
            ),
            (
                call(&api, "ListStateMachines", json!({"maxResults": 5000})),
                "ValidationException",
            ),
            (
                call(&api, "ListStateMachines", json!({"nextToken": "junk"})),
                "InvalidToken",
            ),
        ];
        for (i, (reply, kind)) in cases.iter().enumerate() {
            assert_eq!(reply.status, 400, "case {i}: {:?}", reply.body);
            assert_eq!(reply.body["__type"], *kind, "case {i}: {:?}", reply.body);
            assert!(reply.body["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
        let invalid = &cases[10].0.body["message"];
        assert_eq!(
            invalid,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States'"
        );
    }

    #[test]
    fn create_is_idempotent_and_delete_forgets() {
        let api = Api::new(Config::default());
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}});
        let a = create(&api, "m", def.clone(), "STANDARD");
        let b = create(&api, "m", def, "STANDARD");
        assert_eq!(a, b);
        let c = create(
            &api,
            "m",
            json!({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}),
            "STANDARD",
        );
        assert_eq!(c.body["__type"], "StateMachineAlreadyExists");
        let listed = call(&api, "ListStateMachines", json!({})).body;
        assert_eq!(listed["stateMachines"][0]["name"], "m");
        on(&api, "DeleteStateMachine", "m");
        let gone = on(&api, "DescribeStateMachine", "m");
        assert_eq!(gone.body["__type"], "StateMachineDoesNotExist");
    }

    #[test]
    fn a_test_case_suffix_runs_the_mocked_responses() {
        let mock = json!({"StateMachines": {"m": {"TestCases": {"HappyPath": {"Call": "Ok"}}}},
                          "MockedResponses": {"Ok": {"0": {"Return": {"mocked": true}}}}});
        let api = Api::new(Config {
            mock_config: Some(mock),
            ..Config::default()
        });
        let def = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:real", "End": true}}});
        create(&api, "m", def, "STANDARD");
        let arn = start(&api, "m#HappyPath");
        let d = describe(&api, &arn);
        assert_eq!(d["status"], "SUCCEEDED", "{d}");
        assert_eq!(d["output"], "{\"mocked\":true}");
        assert_eq!(d["stateMachineArn"], format!("{ARN}m"));
        let unknown = on(&api, "StartExecution", "m#Nope");
        assert_eq!(unknown.body["__type"], "ValidationException");
    }

    #[test]
    fn machines_start_each_other() {
        let api = Api::new(Config::default());
        create(
            &api,
            "Child",
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 42, "End": true}}}),
            "STANDARD",
        );
        let parent = json!({"StartAt": "Run", "States": {"Run": {"Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": format!("{ARN}Child")},
            "OutputPath": "$.Output", "End": true}}});
        create(&api, "Parent", parent, "STANDARD");
        let arn = start(&api, "Parent");
        let d = describe(&api, &arn);
        assert_eq!(d["status"], "SUCCEEDED", "{d}");
        assert_eq!(d["output"], "42");
    }
}
