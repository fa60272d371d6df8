//! The execution loop: runs a compiled [`Machine`] on an input and produces AWS's observable
//! result — status, output, error, cause — and, on request, the execution history.
//!
//! Everything nondeterministic enters through [`RunOptions`]: the virtual start time, the seed of
//! the random source (execution name, tokens, `States.UUID`, jitter) and the task resources. Time
//! is virtual unless `real_time` is set: a `Wait` or a retry interval advances a simulated clock
//! and costs no wall-clock time, so the same options always give the same result, history included.
//!
//! The payload limit (256 KiB per state output, §2.8) is enforced on an upper bound of the data's
//! size that the loop carries from state to state: `result_path` derives the output's bound from
//! the input's and the result's, Parallel and Map add up their threads' bounds, and a value is
//! measured only when its bound passes the limit.

pub mod history;
pub mod random;

use crate::data::size::tight_bound;
pub use crate::data::size::{exceeds, json_size, size_bound};

use std::borrow::Cow;

use serde_json::Value;

use crate::asl::model::{Body, Graph, Machine, Transition};
use crate::data::context::ExecutionContext;
use crate::data::flow::ResultPath;
use crate::data::template::Spares;
use crate::data::timestamp::{self, Millis};
use crate::errors::{Failure, Origin, DATA_LIMIT_EXCEEDED};
use crate::tasks::callbacks::{Callbacks, Silent};
use crate::tasks::{Registry, Resources};
pub use history::ExecutionHistory;
use history::{Detail, History, Seq, Texts, MAX_EVENTS};
pub(crate) use random::uuid_from;
use random::RunRng;

/// AWS's payload limit for execution input, state input/output and task results: 256 KiB (§2.8).
pub const MAX_PAYLOAD_BYTES: usize = 262_144;
/// The largest value of one variable, and of all values of one `Assign` together (256 KiB).
pub const MAX_VARIABLE_BYTES: usize = 262_144;
/// All variables of an execution together (10 MiB).
pub const MAX_VARIABLES_TOTAL_BYTES: usize = 10 * 1024 * 1024;

/// Standard executions run for at most one year (§13.1).
pub const MAX_EXECUTION_SECONDS: i64 = 365 * 24 * 3600;

/// The virtual start time used unless one is given: 2024-01-01T00:00:00Z.
pub const DEFAULT_START_TIME: Millis = 1_704_067_200_000;

/// How to run one execution.
pub struct RunOptions {
    /// Seed of the run's random source.
    pub seed: u64,
    /// Record payloads in history events and return the history.
    pub history: bool,
    /// Sleep for real in `Wait` states and retry intervals instead of advancing virtual time.
    pub real_time: bool,
    /// Virtual start time; `None` means [`DEFAULT_START_TIME`] (or the wall clock in real time).
    pub start_time: Option<Millis>,
    pub state_machine_name: Cow<'static, str>,
    /// Execution name; `None` draws a UUID from the seeded source, as AWS does when none is given.
    pub execution_name: Option<String>,
    pub region: Cow<'static, str>,
    pub account: Cow<'static, str>,
    /// Run as an EXPRESS workflow's execution (its ARN and context object), not a STANDARD one.
    pub express: bool,
    /// Task behaviour.
    pub resources: Box<dyn Resources>,
    /// Who answers `.waitForTaskToken` tasks.
    pub callbacks: Box<dyn Callbacks>,
    /// A deliberate deviation from AWS, for testing that the differ and shrinker find it.
    /// Always `None` outside such tests.
    pub fault: Option<Fault>,
    /// Note where the execution stands before each top-level state, so that an execution that
    /// does not succeed can be redriven ([`Outcome::resume`]). Costs a copy of each top-level
    /// state's input.
    pub resumable: bool,
    /// Run as a redrive of an earlier run that did not succeed, from where it stopped.
    pub redrive: Option<Redrive>,
    /// Context object members that replace the interpreter's own, merged member by member
    /// (TestState's `context`, API_TestState).
    pub context: Option<serde_json::Map<String, Value>>,
}

/// Where an execution that did not succeed stopped: the top-level state it was in, with the
/// input and variables that state was entered with. For a Parallel or an inline Map, also the
/// outputs of the branches or iterations that succeeded in its last attempt (those that ended
/// before the failure), which a redrive does not run again
/// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html).
#[derive(Debug, Clone, PartialEq)]
pub struct ResumePoint {
    pub state: String,
    pub input: Value,
    pub variables: serde_json::Map<String, Value>,
    /// One slot per branch or iteration: its output if it succeeded. Empty when every one
    /// runs again (not a Parallel or inline Map, or a failure that was
    /// `States.DataLimitExceeded`, after which a redrive runs all of them).
    pub kept: Vec<Option<Value>>,
}

impl ResumePoint {
    /// `{"state", "input", "variables", "kept"}`, for keeping it on disk; each kept slot is
    /// `{"output": …}` or `null`.
    pub fn to_json(&self) -> Value {
        let kept: Vec<Value> = self
            .kept
            .iter()
            .map(|k| match k {
                Some(v) => serde_json::json!({ "output": v }),
                None => Value::Null,
            })
            .collect();
        serde_json::json!({
            "state": self.state,
            "input": self.input,
            "variables": self.variables,
            "kept": kept,
        })
    }

    /// The inverse of [`ResumePoint::to_json`]; the error names the member that is wrong.
    pub fn from_json(v: &Value) -> Result<ResumePoint, String> {
        let state = v
            .get("state")
            .and_then(Value::as_str)
            .ok_or("/state: expected a string")?
            .to_string();
        let input = v.get("input").cloned().ok_or("/input: expected a value")?;
        let variables = match v.get("variables") {
            Some(Value::Object(m)) => m.clone(),
            _ => return Err("/variables: expected an object".into()),
        };
        let kept = match v.get("kept") {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, x)| match x {
                    Value::Null => Ok(None),
                    Value::Object(o) if o.contains_key("output") => Ok(o.get("output").cloned()),
                    _ => Err(format!("/kept/{i}: expected null or {{\"output\": …}}")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("/kept: expected an array".into()),
        };
        Ok(ResumePoint {
            state,
            input,
            variables,
            kept,
        })
    }
}

/// A redrive (API_RedriveExecution): the run continues the earlier one at `from`, its history
/// opens with `ExecutionRedriven` instead of `ExecutionStarted`, and its clock starts at
/// [`RunOptions::start_time`] (the redrive time), from which the execution's `TimeoutSeconds`
/// counts again (https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html).
#[derive(Debug, Clone, PartialEq)]
pub struct Redrive {
    pub from: ResumePoint,
    /// How many times the execution has been redriven, this time included.
    pub count: u32,
    /// When the execution first started (`$$.Execution.StartTime`).
    pub started: Millis,
    /// How many events the execution's history has from its earlier runs: this run's ids go
    /// on after them, and they count toward the history limit.
    pub prior_events: u64,
}

/// Deliberate faults that make the interpreter depart from AWS in one known way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `ResultPath` writes one level too high: `$.a.b` merges the result at `$.a`.
    ResultPathOneLevelUp,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 0,
            history: false,
            real_time: false,
            start_time: None,
            state_machine_name: "aslcheck".into(),
            execution_name: None,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            express: false,
            resources: Box::new(Registry::default()),
            callbacks: Box::new(Silent),
            fault: None,
            resumable: false,
            redrive: None,
            context: None,
        }
    }
}

/// Terminal status of an execution, as `DescribeExecution` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// What an execution produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Events in AWS's shape, when requested.
    pub history: Option<ExecutionHistory>,
    /// Problems outside the execution itself, e.g. a callback that named an unknown token (the
    /// API error AWS would have returned to the caller).
    pub notes: Vec<String>,
    /// The (virtual) time of the terminal event: the execution's `StopDate`.
    pub stopped_at: Millis,
    /// The Map Runs of the execution's Distributed Map states, in the order they ended (not
    /// those of Distributed Maps inside a Map Run's children).
    pub map_runs: Vec<crate::states::distributed::MapRun>,
    /// Where a run with [`RunOptions::resumable`] stopped, when it did not succeed.
    pub resume: Option<ResumePoint>,
}

impl Outcome {
    /// The CLI's JSON result object.
    pub fn to_json(&self) -> Value {
        let mut obj = serde_json::Map::new();
        obj.insert("status".into(), Value::String(self.status.as_str().into()));
        obj.insert("output".into(), self.output.clone().unwrap_or(Value::Null));
        obj.insert("error".into(), opt(&self.error));
        obj.insert("cause".into(), opt(&self.cause));
        if let Some(h) = &self.history {
            obj.insert("history".into(), Value::Array(h.to_values()));
        }
        Value::Object(obj)
    }
}

/// The same object as [`Outcome::to_json`], written without building it: the history's events
/// are rendered one at a time.
impl serde::Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("status", self.status.as_str())?;
        m.serialize_entry("output", &self.output)?;
        m.serialize_entry("error", &self.error)?;
        m.serialize_entry("cause", &self.cause)?;
        if let Some(h) = &self.history {
            m.serialize_entry("history", h)?;
        }
        m.end()
    }
}

fn opt(s: &Option<String>) -> Value {
    s.as_ref()
        .map(|s| Value::String(s.clone()))
        .unwrap_or(Value::Null)
}

/// Why a thread of execution stopped early.
#[derive(Debug)]
pub(crate) enum Stop {
    Fail(Failure),
    /// The execution's `TimeoutSeconds` (or the one-year cap) was reached at this time.
    TimedOut(Millis),
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Stop {
        Stop::Fail(f)
    }
}

/// The clock and last event of one thread of execution (the top level, a branch, an iteration).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor {
    pub now: Millis,
    pub last: Option<Seq>,
}

/// Where a state sends the execution.
pub(crate) enum Step {
    Next(usize, Value),
    End(Value),
}

/// The state of one execution while it runs.
pub(crate) struct Runner<'a> {
    pub exec: ExecutionContext<'a>,
    pub rng: RunRng,
    pub history: History,
    pub deadline: Option<Millis>,
    /// Deadlines from the one-year cap are reached only when passed, explicit ones when reached.
    pub deadline_inclusive: bool,
    pub real_time: bool,
    /// In real time, the wall clock minus the execution's clock at the start: a sleep lasts
    /// until the wall clock reaches the target, so time that already passed (a callback that
    /// took a while, a sibling branch that slept) is not slept twice.
    pub wall_offset: Millis,
    pub resources: Box<dyn Resources>,
    pub callbacks: Box<dyn Callbacks>,
    /// Waits per Task state so far (the `visit` a callback script can select).
    pub waits: std::collections::HashMap<String, u32>,
    /// Tokens issued so far and whether each is still open.
    pub tokens: std::collections::HashMap<String, bool>,
    pub notes: Vec<String>,
    pub fault: Option<Fault>,
    /// An upper bound of the size of the raw input of the innermost running state, if known.
    pub in_bound: Option<usize>,
    /// An upper bound of the size of the output that the last `result_path` produced, taken by
    /// the execution loop so that it need not measure the state's output again.
    pub out_bound: Option<usize>,
    /// Objects that left the data flow, for templates to reuse.
    pub spares: Spares,
    /// What the running state's `Assign` (or its matched Choice rule's, or its catcher's)
    /// evaluated to; assigned when the state exits.
    pub assigned: Option<serde_json::Map<String, Value>>,
    /// The `…StateEntered` event of the state that runs now (of the innermost, inside a Map or
    /// Parallel), for failures raised before the execution loop sees them.
    pub entered_seq: Seq,
    /// Map Runs that ended so far.
    pub map_runs: Vec<crate::states::distributed::MapRun>,
    /// How many graphs are running inside each other: 1 in the machine's own states.
    pub depth: u32,
    /// Whether to note [`Runner::resume`] before each top-level state.
    pub resumable: bool,
    /// Where the top-level thread stands (see [`ResumePoint`]); its `variables` are filled in
    /// from `resume_vars` only when the run ends without succeeding.
    pub resume: Option<ResumePoint>,
    /// The variables the state of `resume` was entered with (shared, not copied per state).
    pub resume_vars: std::rc::Rc<serde_json::Map<String, Value>>,
    /// A redrive's outputs of the branches or iterations that need not run again, for the
    /// first attempt of the named top-level state.
    pub kept: Option<(String, Vec<Option<Value>>)>,
}

/// Runs `machine` on `input`.
pub fn run(machine: &Machine, input: &Value, options: RunOptions) -> Outcome {
    let start = match (options.start_time, options.real_time) {
        (Some(t), _) => t,
        (None, true) => timestamp::now_millis(),
        (None, false) => DEFAULT_START_TIME,
    };
    let rng = RunRng::new(options.seed, options.execution_name.is_some());
    let redrive = options.redrive;
    let mut exec = ExecutionContext::new(
        options.region,
        options.account,
        options.state_machine_name,
        options.execution_name,
        options.seed,
        input,
        redrive.as_ref().map_or(start, |r| r.started),
    );
    exec.express = options.express;
    exec.given = options.context;
    if let Some(r) = &redrive {
        exec.redrive = Some((r.count, start));
        exec.restore_variables(std::rc::Rc::new(r.from.variables.clone()));
    }
    let mut resources = options.resources;
    resources.begin(&crate::tasks::Execution {
        execution_arn: exec.execution_arn(),
        state_machine_arn: exec.state_machine_arn(),
        name: exec.name().to_string(),
        start,
    });
    let (deadline, inclusive) = match machine.timeout_seconds {
        Some(s) => (start.saturating_add((s as i64).saturating_mul(1000)), true),
        None => (start + MAX_EXECUTION_SECONDS * 1000, false),
    };
    let mut runner = Runner {
        exec,
        rng,
        history: History::new(options.history),
        deadline: Some(deadline),
        deadline_inclusive: inclusive,
        real_time: options.real_time,
        wall_offset: if options.real_time {
            timestamp::now_millis() - start
        } else {
            0
        },
        resources,
        callbacks: options.callbacks,
        waits: Default::default(),
        tokens: Default::default(),
        notes: Vec::new(),
        fault: options.fault,
        in_bound: None,
        out_bound: None,
        spares: Spares::default(),
        assigned: None,
        entered_seq: 0,
        map_runs: Vec::new(),
        depth: 0,
        resumable: options.resumable,
        resume: None,
        resume_vars: Default::default(),
        kept: None,
    };
    let Some(redrive) = redrive else {
        runner
            .history
            .push_with(start, "ExecutionStarted", None, |t| {
                Detail::ExecutionStarted {
                    input: t.text(input),
                    role_arn: runner.exec.role_arn(),
                }
            });
        let mut cur = Cursor {
            now: start,
            last: None,
        };
        let result = runner
            .run_graph(
                &machine.graph,
                input.clone(),
                tight_bound(input, MAX_PAYLOAD_BYTES),
                &mut cur,
            )
            .map(|(output, _)| output);
        return runner.finish(result, cur);
    };
    // UNVERIFIED: the redriven state's `…StateEntered` follows `ExecutionRedriven` (AWS's
    // documentation shows no redriven history).
    runner.history.id_base = redrive.prior_events;
    let seq = runner
        .history
        .push_with(start, "ExecutionRedriven", None, |_| Detail::Redriven {
            count: redrive.count,
        });
    let mut cur = Cursor {
        now: start,
        last: Some(seq),
    };
    let from = redrive.from;
    let result = match machine.graph.index_of(&from.state) {
        None => Err(Stop::Fail(Failure::runtime(format!(
            "the redriven state '{}' is not in the definition",
            from.state
        )))),
        Some(index) => {
            if !from.kept.is_empty() {
                runner.kept = Some((from.state.clone(), from.kept));
            }
            let bound = tight_bound(&from.input, MAX_PAYLOAD_BYTES);
            runner.depth = 1;
            let r = runner.run_states(&machine.graph, index, from.input, bound, &mut cur);
            runner.depth = 0;
            r.map(|(output, _)| output)
        }
    };
    runner.finish(result, cur)
}

impl Runner<'_> {
    fn finish(mut self, result: Result<Value, Stop>, cur: Cursor) -> Outcome {
        let (status, output, failure, at, kind) = match result {
            Ok(out) => (
                Status::Succeeded,
                Some(out),
                None,
                cur.now,
                "ExecutionSucceeded",
            ),
            Err(Stop::Fail(f)) => (Status::Failed, None, Some(f), cur.now, "ExecutionFailed"),
            Err(Stop::TimedOut(t)) => {
                let f = Failure {
                    error: Some(crate::errors::TIMEOUT.into()),
                    cause: None,
                    origin: Origin::Terminal,
                    site: None,
                };
                (Status::TimedOut, None, Some(f), t, "ExecutionTimedOut")
            }
        };
        let detail = |t: &mut Texts| match (&output, &failure) {
            (Some(o), _) => Detail::Output(t.text(o)),
            (None, Some(f)) => Detail::Failure(f.clone()),
            (None, None) => Detail::None,
        };
        let prev = if status == Status::TimedOut {
            None
        } else {
            cur.last
        };
        // A failure can stop a branch or iteration whose clock ran ahead of the thread that
        // reports it (e.g. at the history limit inside a Map): the execution ends after every
        // event it recorded.
        let at = self.history.latest().map_or(at, |latest| at.max(latest));
        self.history.push_with(at, kind, prev, detail);
        let needs_ids = self.history.enabled || failure.as_ref().is_some_and(|f| f.site.is_some());
        let ids = if needs_ids {
            self.history.ids()
        } else {
            Vec::new()
        };
        let (error, cause) = match &failure {
            Some(f) => (
                f.error.clone(),
                f.rendered_cause(|seq| ids.get(seq).copied().unwrap_or(0)),
            ),
            None => (None, None),
        };
        let history = self.history.enabled.then(|| self.history.finish(ids));
        Outcome {
            status,
            output,
            error,
            cause,
            history,
            notes: std::mem::take(&mut self.notes),
            stopped_at: at,
            map_runs: std::mem::take(&mut self.map_runs),
            resume: if status == Status::Succeeded {
                None
            } else {
                self.resume.take().map(|point| ResumePoint {
                    variables: self.resume_vars.as_ref().clone(),
                    ..point
                })
            },
        }
    }

    /// Records an event on a thread, failing the execution when the history limit is reached.
    pub(crate) fn event(
        &mut self,
        cur: &mut Cursor,
        kind: &'static str,
        detail: Detail,
    ) -> Result<Seq, Stop> {
        self.event_after(cur, cur.last, kind, |_| detail)
    }

    /// Records an event without details.
    #[inline]
    pub(crate) fn mark(&mut self, cur: &mut Cursor, kind: &'static str) -> Result<Seq, Stop> {
        self.event_after(cur, cur.last, kind, |_| Detail::None)
    }

    /// Like [`Runner::event`], but builds the details (and their payload texts) only when the
    /// history is kept.
    #[inline]
    pub(crate) fn event_with(
        &mut self,
        cur: &mut Cursor,
        kind: &'static str,
        detail: impl FnOnce(&mut Texts) -> Detail,
    ) -> Result<Seq, Stop> {
        self.event_after(cur, cur.last, kind, detail)
    }

    /// Records an event with an explicit predecessor.
    #[inline]
    pub(crate) fn event_after(
        &mut self,
        cur: &mut Cursor,
        prev: Option<Seq>,
        kind: &'static str,
        detail: impl FnOnce(&mut Texts) -> Detail,
    ) -> Result<Seq, Stop> {
        // UNVERIFIED (docs/semantics/execution.md §13.1, appendix 31): the error name AWS uses when the history
        // limit is reached.
        if self.history.len() + self.history.id_base as usize + 1 >= MAX_EVENTS {
            return Err(history_limit());
        }
        let seq = self.history.push_with(cur.now, kind, prev, detail);
        cur.last = Some(seq);
        Ok(seq)
    }

    /// Records `EvaluationFailed` for a JSONata failure that has not been reported yet.
    pub(crate) fn report_evaluation(
        &mut self,
        cur: &mut Cursor,
        f: &mut Failure,
        state: &str,
    ) -> Result<(), Stop> {
        let location = match &mut f.origin {
            Origin::Query { reported, location } if !*reported => {
                *reported = true;
                location.clone()
            }
            _ => return Ok(()),
        };
        let detail = Detail::EvaluationFailed {
            failure: f.clone(),
            location,
            state: state.to_string(),
        };
        self.event_after(cur, None, "EvaluationFailed", |_| detail)?;
        Ok(())
    }

    /// Applies a ResultPath (with the injected fault, if any) to the raw input of the running
    /// state. Also returns an upper bound of the output's size, for the caller to leave in
    /// `out_bound`: the input's bound plus the result's (`result_bound` when the caller knows one)
    /// plus the keys the path may create.
    pub(crate) fn result_path(
        &self,
        rp: &ResultPath,
        raw_input: Value,
        result: Value,
        result_bound: Option<usize>,
    ) -> Result<(Value, Option<usize>), Failure> {
        let in_bound = self.in_bound;
        let result_bound = || result_bound.or_else(|| size_bound(&result, MAX_PAYLOAD_BYTES));
        let bound = match rp {
            ResultPath::Replace => result_bound(),
            ResultPath::Discard => in_bound,
            // Each created key costs at most six bytes per character of its path text (quotes,
            // colon, comma and braces included), and at most the whole result is added.
            ResultPath::At(p) => in_bound.and_then(|i| {
                result_bound().map(|r| i.saturating_add(r).saturating_add(6 * p.text().len() + 16))
            }),
        };
        // The common case without the general path's tuple (measurably cheaper per state).
        if let (None, ResultPath::Replace) = (self.fault, rp) {
            self.spares.keep(raw_input);
            return Ok((result, bound));
        }
        let (output, displaced) = match (self.fault, rp) {
            (Some(Fault::ResultPathOneLevelUp), ResultPath::At(p)) => match p.parent() {
                Some(parent) => ResultPath::At(parent).apply_displacing(raw_input, result),
                None => Ok((result, None)),
            },
            _ => rp.apply_displacing(raw_input, result),
        }?;
        if let Some(old) = displaced {
            self.spares.keep(old);
        }
        Ok((output, bound))
    }

    /// Advances a thread's clock by `millis` (virtual time), or sleeps in real-time mode.
    pub(crate) fn advance(&mut self, cur: &mut Cursor, millis: i64) -> Result<(), Stop> {
        let target = cur.now.saturating_add(millis.max(0));
        if let Some(d) = self.deadline {
            let hit = if self.deadline_inclusive {
                target >= d
            } else {
                target > d
            };
            if hit {
                if self.real_time {
                    self.sleep_until(d);
                }
                cur.now = d;
                return Err(Stop::TimedOut(d));
            }
        }
        if self.real_time {
            self.sleep_until(target);
        }
        cur.now = target;
        Ok(())
    }

    /// Sleeps until the wall clock reaches the execution's time `at` (real-time mode).
    fn sleep_until(&self, at: Millis) {
        let ms = at.saturating_add(self.wall_offset) - timestamp::now_millis();
        if ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(ms as u64));
        }
    }

    /// Fails with `States.DataLimitExceeded` when a state's output is above the payload limit;
    /// otherwise returns an upper bound of its size.
    pub(crate) fn check_size(&self, v: &Value, state: &str) -> Result<usize, Stop> {
        tight_bound(v, MAX_PAYLOAD_BYTES).ok_or_else(|| {
            Stop::Fail(Failure {
                error: Some(DATA_LIMIT_EXCEEDED.into()),
                cause: Some(format!(
                    "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
                )),
                origin: Origin::Terminal,
                site: None,
            })
        })
    }

    /// Fails with `States.DataLimitExceeded` when one `Assign` breaks a variable limit: a value
    /// over 256 KiB, the values of the `Assign` over 256 KiB together, or all of the execution's
    /// visible variables over 10 MiB once it is applied (docs/semantics/variables.md, "Limits";
    /// the error name and cause AWS gives are unverified).
    pub(crate) fn check_variables(
        &self,
        values: &serde_json::Map<String, Value>,
        state: &str,
    ) -> Result<(), Stop> {
        let over = |what: &str| {
            Stop::Fail(Failure {
                error: Some(DATA_LIMIT_EXCEEDED.into()),
                cause: Some(format!(
                    "The state '{state}' assigned {what} exceeding the maximum number of bytes service limit."
                )),
                origin: Origin::Terminal,
                site: None,
            })
        };
        let mut together = 0usize;
        for (name, v) in values {
            // A name and its value, as `"name":value` in the JSON of all variables.
            let Some(n) = tight_bound(v, MAX_VARIABLE_BYTES) else {
                return Err(over(&format!("the variable '{name}' a value with a size")));
            };
            together = together.saturating_add(n);
        }
        if together > MAX_VARIABLE_BYTES {
            return Err(over("variables with a combined size"));
        }
        let vars = self.exec.variables();
        let mut total = together;
        for (name, v) in vars.iter() {
            if values.contains_key(name) {
                continue;
            }
            total = total
                .saturating_add(tight_bound(v, MAX_VARIABLE_BYTES).unwrap_or(MAX_VARIABLE_BYTES));
            if total > MAX_VARIABLES_TOTAL_BYTES {
                return Err(over(
                    "variables that bring all variables of the execution to a size",
                ));
            }
        }
        Ok(())
    }

    /// Runs one `StartAt`/`States` graph from its start state to its end; returns its output
    /// and an upper bound of the output's size. `input_bound` is one for the input, if known.
    pub(crate) fn run_graph(
        &mut self,
        graph: &Graph,
        input: Value,
        input_bound: Option<usize>,
        cur: &mut Cursor,
    ) -> Result<(Value, usize), Stop> {
        let outer = self.in_bound;
        // A branch or iteration reads the variables around it; what it assigns is its own and
        // is gone when it ends (docs/semantics/variables.md, "Scope").
        let vars = self.exec.variables();
        self.depth += 1;
        let result = self.run_states(graph, graph.start, input, input_bound, cur);
        self.depth -= 1;
        self.exec.restore_variables(vars);
        self.in_bound = outer;
        result
    }

    /// Runs `graph` from the state at `start` to its end.
    fn run_states(
        &mut self,
        graph: &Graph,
        start: usize,
        input: Value,
        input_bound: Option<usize>,
        cur: &mut Cursor,
    ) -> Result<(Value, usize), Stop> {
        let mut index = start;
        // Unknown until a state's output is measured or derived.
        let mut bound = input_bound;
        let mut input = input;
        loop {
            let state = graph
                .states
                .get(index)
                .ok_or_else(|| Failure::runtime("transition to a state that does not exist"))?;
            if self.resumable && self.depth == 1 {
                self.resume = Some(ResumePoint {
                    state: state.name.clone(),
                    input: input.clone(),
                    variables: serde_json::Map::new(),
                    kept: Vec::new(),
                });
                self.resume_vars = self.exec.variables();
            }
            let (entered, exited) = event_kinds(&state.body);
            let entered_seq = self.event_with(cur, entered, |t| Detail::StateEntered {
                name: state.name.clone(),
                input: t.text(&input),
            })?;
            let entered_at = cur.now;
            self.in_bound = bound;
            self.out_bound = None;
            self.assigned = None;
            self.entered_seq = entered_seq;
            let step = match self.run_state(state, input, cur, entered_at) {
                Ok(step) => step,
                Err(Stop::Fail(f)) => {
                    let mut f = f.at(&state.name, entered_seq);
                    self.report_evaluation(cur, &mut f, &state.name)?;
                    return Err(Stop::Fail(f));
                }
                Err(other) => return Err(other),
            };
            let (next, output) = match step {
                Step::Next(n, out) => (Some(n), out),
                Step::End(out) => (None, out),
            };
            // Choice, Wait and Succeed output a part of their input; the others say what their
            // ResultPath produced, and OutputPath selects a part of that. A `$$` InputPath or
            // OutputPath brings in the context object instead, so its output is measured.
            let claimed = if state.input_path.reads_context()
                || state.output_path.reads_context()
                || state.language == crate::asl::model::QueryLanguage::Jsonata
            {
                None
            } else {
                match state.body {
                    Body::Choice(_) | Body::Wait(_) | Body::Succeed => bound,
                    _ => self.out_bound.take(),
                }
            };
            bound = Some(match claimed {
                Some(b) if b <= MAX_PAYLOAD_BYTES => b,
                _ => self.check_size(&output, &state.name)?,
            });
            // The state's Assign takes effect when it exits: everything it evaluated saw the
            // variables as they were at entry (docs/semantics/variables.md).
            let assigned = self.assigned.take();
            if let Some(values) = &assigned {
                self.check_variables(values, &state.name)?;
            }
            if let Some(exited) = exited {
                self.event_with(cur, exited, |t| Detail::StateExited {
                    name: state.name.clone(),
                    output: t.text(&output),
                    assigned: assigned
                        .as_ref()
                        .map(|vars| vars.iter().map(|(k, v)| (k.clone(), t.text(v))).collect()),
                })?;
            }
            if let Some(values) = assigned {
                self.exec.assign(values);
            }
            match next {
                Some(n) => {
                    index = n;
                    input = output;
                }
                None => return Ok((output, bound.unwrap_or(MAX_PAYLOAD_BYTES))),
            }
        }
    }

    fn run_state(
        &mut self,
        state: &crate::asl::model::State,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        let output = match &state.body {
            Body::Pass(p) => self.pass(state, p, input, entered_at)?,
            Body::Succeed => self.succeed(state, input, entered_at)?,
            Body::Fail(f) => return Err(Stop::Fail(self.fail(state, f, &input, entered_at)?)),
            Body::Choice(c) => return self.choice(state, c, input, entered_at),
            Body::Wait(w) => self.wait(state, w, input, cur, entered_at)?,
            Body::Task(t) => return self.task(state, t, input, cur, entered_at),
            Body::Parallel(p) => return self.parallel(state, p, input, cur, entered_at),
            Body::Map(m) => return self.map(state, m, input, cur, entered_at),
        };
        Ok(match state.next {
            Transition::Next(n) => Step::Next(n, output),
            Transition::End => Step::End(output),
        })
    }
}

/// The failure at the history limit.
#[cold]
fn history_limit() -> Stop {
    Stop::Fail(Failure {
        error: Some("States.Runtime".into()),
        cause: Some(format!(
            "The execution reached the maximum number of history events ({MAX_EVENTS})."
        )),
        origin: Origin::Terminal,
        site: None,
    })
}

/// `…StateEntered` / `…StateExited` event types per state type; Fail states never exit (§6.5).
fn event_kinds(body: &Body) -> (&'static str, Option<&'static str>) {
    match body {
        Body::Pass(_) => ("PassStateEntered", Some("PassStateExited")),
        Body::Succeed => ("SucceedStateEntered", Some("SucceedStateExited")),
        Body::Fail(_) => ("FailStateEntered", None),
        Body::Choice(_) => ("ChoiceStateEntered", Some("ChoiceStateExited")),
        Body::Wait(_) => ("WaitStateEntered", Some("WaitStateExited")),
        Body::Task(_) => ("TaskStateEntered", Some("TaskStateExited")),
        Body::Parallel(_) => ("ParallelStateEntered", Some("ParallelStateExited")),
        Body::Map(_) => ("MapStateEntered", Some("MapStateExited")),
    }
}

#[cfg(test)]
mod tests {
    //! The payload limit is checked on a size bound carried from state to state (docs/semantics/data-flow.md
    //! §2.8: a state output above 256 KiB fails with `States.DataLimitExceeded` and the cause
    //! below). These tests make outputs cross the limit by each route the bound is derived on.
    use super::*;
    use serde_json::json;

    fn outcome(def: Value, input: Value) -> Outcome {
        let loaded = crate::asl::parse_definition(def).expect("valid definition");
        run(&loaded.machine, &input, RunOptions::default())
    }

    fn fails_at(out: &Outcome, state: &str) {
        assert_eq!(out.status, Status::Failed, "{:?}", out.error);
        assert_eq!(out.error.as_deref(), Some(DATA_LIMIT_EXCEEDED));
        let cause = out.cause.as_deref().unwrap_or_default();
        assert!(
            cause.contains(&format!("The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit.")),
            "{cause}"
        );
    }

    fn text(n: usize) -> Value {
        Value::String("x".repeat(n))
    }

    #[test]
    fn result_paths_that_add_up_past_the_limit_fail_where_they_cross_it() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Parameters": {"x.$": "$.s"}, "ResultPath": "$.a", "Next": "Same"},
            "Same": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "B"}]},
            "B": {"Type": "Pass", "Parameters": {"x.$": "$.s"}, "ResultPath": "$.b", "End": true}}});
        fails_at(&outcome(def, json!({ "s": text(100_000) })), "B");
    }

    #[test]
    fn an_output_of_exactly_the_limit_passes_and_one_byte_more_fails() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Result": "y", "ResultPath": "$.t", "End": true}}});
        // {"s":"<n>","t":"y"} is n + 16 bytes.
        let at_limit = outcome(def.clone(), json!({ "s": text(MAX_PAYLOAD_BYTES - 16) }));
        assert_eq!(at_limit.status, Status::Succeeded, "{:?}", at_limit.cause);
        assert_eq!(
            json_size(at_limit.output.as_ref().unwrap()),
            MAX_PAYLOAD_BYTES
        );
        fails_at(
            &outcome(def, json!({ "s": text(MAX_PAYLOAD_BYTES - 15) })),
            "P",
        );
    }

    #[test]
    fn a_context_input_path_past_the_limit_is_measured() {
        // `$$.Execution.Input` brings the whole execution input back after S0 dropped it.
        let def = json!({"StartAt": "S0", "States": {
            "S0": {"Type": "Pass", "Result": {}, "Next": "S1"},
            "S1": {"Type": "Pass", "InputPath": "$$.Execution.Input", "Next": "S2"},
            "S2": {"Type": "Pass", "Result": "y", "ResultPath": "$.t", "End": true}}});
        fails_at(
            &outcome(def, json!({ "s": text(MAX_PAYLOAD_BYTES - 15) })),
            "S2",
        );
    }

    #[test]
    fn a_map_whose_iterations_are_small_but_whose_result_is_not_fails_at_the_map() {
        let def = json!({"StartAt": "M", "States": {
            "M": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.r", "End": true,
                  "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}});
        let items = json!({ "items": [text(50_000), text(50_000)] });
        assert_eq!(outcome(def.clone(), items).status, Status::Succeeded);
        let items = json!({ "items": [text(70_000), text(70_000)] });
        fails_at(&outcome(def, items), "M");
    }

    #[test]
    fn a_parallel_whose_branch_outputs_add_up_past_the_limit_fails_at_the_parallel() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "ResultPath": "$.r", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}});
        assert_eq!(
            outcome(def.clone(), json!({ "s": text(80_000) })).status,
            Status::Succeeded
        );
        fails_at(&outcome(def, json!({ "s": text(90_000) })), "P");
    }

    #[test]
    fn a_catcher_result_path_past_the_limit_fails_at_the_caught_state() {
        let def = json!({"StartAt": "T", "States": {
            "T": {"Type": "Parallel", "End": true,
                  "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}],
                  "Catch": [{"ErrorEquals": ["E"], "ResultPath": "$.err", "Next": "Done"}]},
            "Done": {"Type": "Succeed"}}});
        let out = outcome(def.clone(), json!({ "s": text(1_000) }));
        assert_eq!(out.status, Status::Succeeded);
        fails_at(
            &outcome(def, json!({ "s": text(MAX_PAYLOAD_BYTES - 20) })),
            "T",
        );
    }
}
