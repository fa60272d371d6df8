//! Task state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html>; docs/semantics/task.md §10).
//!
//! InputPath → Parameters (re-evaluated on every attempt, so `$$.State.RetryCount` counts) →
//! resource call → ResultSelector → ResultPath → OutputPath, with Retry and Catch. History follows
//! AWS: `LambdaFunction{Scheduled,Started,Succeeded|Failed|TimedOut}` for function ARNs,
//! `Task{Scheduled,Started,[Submitted],Succeeded|Failed|TimedOut}` for integrations; a retry
//! schedules again right after the failure event, without a new `TaskStateEntered`.
//!
//! Timeouts: `TimeoutSeconds[Path]` (AWS's default is 99,999,999 s, §10.2) and
//! `HeartbeatSeconds[Path]`; both expire as `States.Timeout` (heartbeat expiry too, as AWS
//! records it). `.waitForTaskToken` tasks get a token in `$$.Task.Token` and wait for the
//! callbacks of the run.

use base64::Engine as _;
use serde_json::Value;

use crate::asl::model::{Amount, QueryLanguage, State, Task};
use crate::data::context::Context;
use crate::data::jsonata::unexpected_type;
use crate::data::template::{shown, Scope};
use crate::data::timestamp::Millis;
use crate::engine::history::Detail;
use crate::engine::{exceeds, uuid_from, Cursor, Runner, Step, Stop, MAX_PAYLOAD_BYTES};
use crate::errors::{Failure, DATA_LIMIT_EXCEEDED};
use crate::states::errors::{recover, Attempts, Recovery};
use crate::tasks::callbacks::{Action, Waiting};
use crate::tasks::{Invocation, Kind, Response};

/// AWS's default task timeout (§10.2).
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 99_999_999;

impl Runner<'_> {
    pub(crate) fn task(
        &mut self,
        state: &State,
        t: &Task,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        let kind = Kind::of(&t.resource);
        let waits = t.resource.ends_with(".waitForTaskToken");
        let mut attempts = Attempts::new(&t.handling);
        loop {
            let retry_count = attempts.total();
            let token = waits.then(|| new_token(&mut self.rng));
            let (task_input, timeout, heartbeat) = if state.language == QueryLanguage::Jsonata {
                match self.task_input_jsonata(
                    state,
                    t,
                    &input,
                    retry_count,
                    token.as_deref(),
                    entered_at,
                ) {
                    Ok(prepared) => prepared,
                    // A JSONata error is recorded (`EvaluationFailed`), then retried and caught
                    // like the task's own errors (§11.5).
                    Err(f) => {
                        let mut f = f.at(&state.name, self.entered_seq);
                        self.report_evaluation(cur, &mut f, &state.name)?;
                        match recover(&t.handling, &f, &mut attempts, &mut self.rng) {
                            Recovery::Retry(ms) => {
                                self.advance(cur, ms)?;
                                continue;
                            }
                            Recovery::Catch(i) => {
                                return self.caught((state, entered_at), &t.handling, i, input, &f)
                            }
                            Recovery::Fail => return Err(Stop::Fail(f)),
                        }
                    }
                }
            } else {
                let mut ctx =
                    Context::new(&self.exec, &state.name, entered_at).with_retry_count(retry_count);
                if let Some(tok) = &token {
                    ctx = ctx.with_task_token(tok);
                }
                let effective = state.input_path.apply(&input, &ctx)?;
                let timeout = seconds(&t.timeout, "TimeoutSecondsPath", &effective, &ctx)?;
                let heartbeat = seconds(&t.heartbeat, "HeartbeatSecondsPath", &effective, &ctx)?;
                let task_input = match &t.handling.parameters {
                    Some(p) => p.eval(
                        &Scope {
                            input: &effective,
                            context: &ctx,
                            spares: &self.spares,
                        },
                        &mut self.rng,
                    )?,
                    None => effective.into_owned(),
                };
                (task_input, timeout, heartbeat)
            };
            self.task_scheduled(cur, &kind, &t.resource, &task_input, timeout, heartbeat)?;
            let result = self.perform(
                state,
                t,
                &kind,
                &task_input,
                retry_count,
                token.as_deref(),
                cur,
                timeout,
                heartbeat,
            )?;
            match result {
                Ok(v) if state.language == QueryLanguage::Jsonata => {
                    self.task_succeeded(cur, &kind, &v)?;
                    let done = self.complete(
                        state,
                        &t.handling,
                        input.clone(),
                        v,
                        None,
                        entered_at,
                        retry_count,
                    );
                    // An `Output` or `Assign` that fails to evaluate fails the state with
                    // `States.QueryEvaluationError`, retried and caught like the task's own
                    // errors (docs/semantics/jsonata.md §11.5).
                    let f = match done {
                        Err(Stop::Fail(f)) if f.is_query() => f,
                        other => return other,
                    };
                    let mut f = f.at(&state.name, self.entered_seq);
                    self.report_evaluation(cur, &mut f, &state.name)?;
                    match recover(&t.handling, &f, &mut attempts, &mut self.rng) {
                        Recovery::Retry(ms) => self.advance(cur, ms)?,
                        Recovery::Catch(i) => {
                            return self.caught((state, entered_at), &t.handling, i, input, &f)
                        }
                        Recovery::Fail => return Err(Stop::Fail(f)),
                    }
                }
                Ok(v) => {
                    self.task_succeeded(cur, &kind, &v)?;
                    return self.complete(
                        state,
                        &t.handling,
                        input,
                        v,
                        None,
                        entered_at,
                        retry_count,
                    );
                }
                Err(f) => {
                    let timed_out =
                        f.error.as_deref() == Some(crate::errors::TIMEOUT) && f.cause.is_none();
                    self.task_failed(cur, &kind, &f, timed_out)?;
                    match recover(&t.handling, &f, &mut attempts, &mut self.rng) {
                        Recovery::Retry(ms) => self.advance(cur, ms)?,
                        Recovery::Catch(i) => {
                            return self.caught((state, entered_at), &t.handling, i, input, &f)
                        }
                        Recovery::Fail => return Err(Stop::Fail(f)),
                    }
                }
            }
        }
    }

    /// Calls the resource and plays out its timing against the timeouts.
    #[allow(clippy::too_many_arguments)]
    fn perform(
        &mut self,
        state: &State,
        t: &Task,
        kind: &Kind,
        task_input: &Value,
        attempt: u32,
        token: Option<&str>,
        cur: &mut Cursor,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
    ) -> Result<Result<Value, Failure>, Stop> {
        let request_id = uuid_from(&mut self.rng);
        let call = Invocation {
            state: &state.name,
            resource: &t.resource,
            input: task_input,
            attempt,
            request_id: &request_id,
            now: cur.now,
        };
        let timeout_ms = (timeout.unwrap_or(DEFAULT_TIMEOUT_SECONDS) as i64).saturating_mul(1000);
        let heartbeat_ms = heartbeat.map(|h| (h as i64).saturating_mul(1000));
        if matches!(kind, Kind::Activity) && self.callbacks.runs_activities() {
            // The task waits for a worker's GetActivityTask, then for its SendTask* calls.
            let token = new_token(&mut self.rng);
            return self.await_token(
                state,
                &token,
                task_input,
                cur,
                (timeout_ms, heartbeat_ms),
                &t.resource,
                Some(&t.resource),
            );
        }
        match self.resources.invoke(&call) {
            Response::Done { after_ms, result } => {
                // A task that runs into its timeout (or sends no heartbeat in time) times out;
                // finishing exactly at the limit counts as too late.
                let limit = heartbeat_ms.map_or(timeout_ms, |h| h.min(timeout_ms));
                if after_ms >= limit {
                    self.advance(cur, limit)?;
                    return Ok(Err(Failure::timeout()));
                }
                self.advance(cur, after_ms)?;
                Ok(result.and_then(|v| check_result(v, &t.resource)))
            }
            Response::Submitted { response } => {
                let Some(token) = token else {
                    return Ok(Ok(response));
                };
                if let Kind::Service {
                    resource_type,
                    resource,
                } = kind
                {
                    self.event_with(cur, "TaskSubmitted", |t| Detail::TaskOutput {
                        resource_type: resource_type.clone(),
                        resource: resource.clone(),
                        output: t.text(&response),
                    })?;
                }
                self.await_token(
                    state,
                    token,
                    task_input,
                    cur,
                    (timeout_ms, heartbeat_ms),
                    &t.resource,
                    None,
                )
            }
        }
    }

    /// Waits for the callbacks of `token` (docs/semantics/task.md §10.6).
    #[allow(clippy::too_many_arguments)]
    fn await_token(
        &mut self,
        state: &State,
        token: &str,
        request: &Value,
        cur: &mut Cursor,
        (timeout_ms, heartbeat_ms): (i64, Option<i64>),
        resource: &str,
        activity: Option<&str>,
    ) -> Result<Result<Value, Failure>, Stop> {
        self.tokens.insert(token.to_string(), true);
        let visit = {
            let n = self.waits.entry(state.name.clone()).or_insert(0);
            let v = *n;
            *n += 1;
            v
        };
        // The wait ends at the task's timeout or the execution's, whichever comes first.
        let limit = match self.deadline {
            Some(d) => timeout_ms.min(d.saturating_sub(cur.now).saturating_add(1)),
            None => timeout_ms,
        };
        let mut replies = self.callbacks.replies(&Waiting {
            state: &state.name,
            token,
            request,
            visit,
            timeout_ms: limit,
            heartbeat_ms,
            history: &self.history,
            activity,
        });
        replies.sort_by_key(|r| r.after_ms);
        let mut heartbeat_deadline = heartbeat_ms.unwrap_or(i64::MAX);
        for reply in replies {
            let deadline = timeout_ms.min(heartbeat_deadline);
            if reply.after_ms >= deadline {
                break;
            }
            if let Some(other) = reply.token.as_deref().filter(|t| *t != token) {
                let error = match self.tokens.get(other) {
                    // The API's wording: the token expired or the task is already closed.
                    Some(_) => "TaskTimedOut",
                    None => "TaskDoesNotExist",
                };
                // UNVERIFIED (docs/semantics/task.md §10.6): which error AWS returns for an unknown token.
                self.notes.push(format!(
                    "{} for state '{}' after {} s: {error}: the token '{other}' does not belong to a waiting task",
                    action_name(&reply.action),
                    state.name,
                    reply.after_ms as f64 / 1000.0
                ));
                continue;
            }
            match reply.action {
                Action::Started { worker } => {
                    if activity.is_some() {
                        self.advance(cur, reply.after_ms)?;
                        self.event(cur, "ActivityStarted", Detail::Worker(worker))?;
                        // UNVERIFIED (docs/serve.md, "Activities"): the heartbeat clock
                        // restarts when a worker takes the task.
                        if let Some(h) = heartbeat_ms {
                            heartbeat_deadline = reply.after_ms.saturating_add(h);
                        }
                    }
                }
                Action::Heartbeat => {
                    if let Some(h) = heartbeat_ms {
                        heartbeat_deadline = reply.after_ms.saturating_add(h);
                    }
                }
                Action::Success(output) => {
                    self.advance(cur, reply.after_ms)?;
                    self.tokens.insert(token.to_string(), false);
                    return Ok(check_result(output, resource));
                }
                Action::Failure { error, cause } => {
                    self.advance(cur, reply.after_ms)?;
                    self.tokens.insert(token.to_string(), false);
                    return Ok(Err(Failure {
                        error,
                        cause,
                        origin: crate::errors::Origin::Raised,
                        site: None,
                    }));
                }
            }
        }
        let deadline = timeout_ms.min(heartbeat_deadline);
        self.advance(cur, deadline)?;
        self.tokens.insert(token.to_string(), false);
        Ok(Err(Failure::timeout()))
    }

    fn task_scheduled(
        &mut self,
        cur: &mut Cursor,
        kind: &Kind,
        resource: &str,
        input: &Value,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
    ) -> Result<(), Stop> {
        match kind {
            Kind::LambdaFunction => {
                self.event_with(cur, "LambdaFunctionScheduled", |t| {
                    Detail::LambdaScheduled {
                        resource: resource.into(),
                        input: t.text(input),
                        timeout,
                    }
                })?;
                self.mark(cur, "LambdaFunctionStarted")?;
            }
            Kind::Activity => {
                self.event_with(cur, "ActivityScheduled", |t| Detail::LambdaScheduled {
                    resource: resource.into(),
                    input: t.text(input),
                    timeout,
                })?;
                if !self.callbacks.runs_activities() {
                    self.mark(cur, "ActivityStarted")?;
                }
            }
            Kind::Service {
                resource_type,
                resource,
            } => {
                let region = self.exec.region.to_string();
                self.event_with(cur, "TaskScheduled", |t| Detail::TaskScheduled {
                    resource_type: resource_type.clone(),
                    resource: resource.clone(),
                    region,
                    parameters: t.text(input),
                    timeout,
                    heartbeat,
                })?;
                self.event(
                    cur,
                    "TaskStarted",
                    Detail::Task {
                        resource_type: resource_type.clone(),
                        resource: resource.clone(),
                    },
                )?;
            }
        }
        Ok(())
    }

    fn task_succeeded(
        &mut self,
        cur: &mut Cursor,
        kind: &Kind,
        output: &Value,
    ) -> Result<(), Stop> {
        match kind {
            Kind::LambdaFunction => self.event_with(cur, "LambdaFunctionSucceeded", |t| {
                Detail::Output(t.text(output))
            })?,
            Kind::Activity => {
                self.event_with(cur, "ActivitySucceeded", |t| Detail::Output(t.text(output)))?
            }
            Kind::Service {
                resource_type,
                resource,
            } => self.event_with(cur, "TaskSucceeded", |t| Detail::TaskOutput {
                resource_type: resource_type.clone(),
                resource: resource.clone(),
                output: t.text(output),
            })?,
        };
        Ok(())
    }

    fn task_failed(
        &mut self,
        cur: &mut Cursor,
        kind: &Kind,
        f: &Failure,
        timed_out: bool,
    ) -> Result<(), Stop> {
        let (lambda, activity, task) = if timed_out {
            ("LambdaFunctionTimedOut", "ActivityTimedOut", "TaskTimedOut")
        } else {
            ("LambdaFunctionFailed", "ActivityFailed", "TaskFailed")
        };
        match kind {
            Kind::LambdaFunction => self.event(cur, lambda, Detail::Failure(f.clone()))?,
            Kind::Activity => self.event(cur, activity, Detail::Failure(f.clone()))?,
            Kind::Service {
                resource_type,
                resource,
            } => self.event(
                cur,
                task,
                Detail::TaskFailure {
                    resource_type: resource_type.clone(),
                    resource: resource.clone(),
                    failure: f.clone(),
                },
            )?,
        };
        Ok(())
    }
}

fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Success(_) => "SendTaskSuccess",
        Action::Failure { .. } => "SendTaskFailure",
        Action::Heartbeat => "SendTaskHeartbeat",
        Action::Started { .. } => "GetActivityTask",
    }
}

/// A task token from the run's seeded source.
fn new_token(rng: &mut dyn rand::RngCore) -> String {
    let mut bytes = [0u8; 96];
    rng.fill_bytes(&mut bytes);
    format!(
        "AQC{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A too-large task result is `States.DataLimitExceeded`, catchable unlike a too-large state
/// output (§6.1).
fn check_result(v: Value, resource: &str) -> Result<Value, Failure> {
    if exceeds(&v, MAX_PAYLOAD_BYTES) {
        return Err(Failure::raised(
            DATA_LIMIT_EXCEEDED,
            format!("The state/task '{resource}' returned a result with a size exceeding the maximum number of bytes service limit."),
        ));
    }
    Ok(v)
}

impl Runner<'_> {
    /// JSONata: `Arguments` (default: the state input), `TimeoutSeconds`, `HeartbeatSeconds`.
    /// `Arguments` sees `$states.input` and `$states.context` (docs/semantics/jsonata.md §11.3).
    fn task_input_jsonata(
        &mut self,
        state: &State,
        t: &Task,
        input: &Value,
        retry_count: u32,
        token: Option<&str>,
        entered_at: Millis,
    ) -> Result<(Value, Option<u64>, Option<u64>), Failure> {
        let local = crate::data::jsonata::Local {
            task_token: token.map(str::to_string),
            ..crate::data::jsonata::Local::new(&state.name, entered_at, Some(retry_count))
        };
        let states = crate::data::jsonata::States::new(input.clone(), local, None);
        let mut amount = |a: &Option<Amount>, field: &str| -> Result<Option<u64>, Failure> {
            match a {
                None => Ok(None),
                Some(Amount::Fixed(n)) => Ok(Some(*n)),
                Some(Amount::Jsonata(p)) => {
                    let v = self.jsonata_field(p, field, &states)?;
                    match v.as_u64() {
                        Some(n) if n > 0 => Ok(Some(n)),
                        // UNVERIFIED: the cause for a value that is not a positive integer.
                        _ => Err(unexpected_type(p, field, "integer", &v)),
                    }
                }
                Some(Amount::Path(_)) => Err(Failure::runtime(format!(
                    "a JSONPath {field} in a JSONata state"
                ))),
            }
        };
        let timeout = amount(&t.timeout, "TimeoutSeconds")?;
        let heartbeat = amount(&t.heartbeat, "HeartbeatSeconds")?;
        let task_input = match &t.handling.arguments {
            Some(p) => self.jsonata_field(p, "Arguments", &states)?,
            None => input.clone(),
        };
        Ok((task_input, timeout, heartbeat))
    }
}

/// Resolves `TimeoutSeconds[Path]` / `HeartbeatSeconds[Path]`.
fn seconds(
    a: &Option<Amount>,
    field: &str,
    effective: &Value,
    ctx: &Context<'_>,
) -> Result<Option<u64>, Failure> {
    let p = match a {
        None => return Ok(None),
        Some(Amount::Fixed(n)) => return Ok(Some(*n)),
        Some(Amount::Path(p)) => p,
        Some(Amount::Jsonata(_)) => {
            return Err(Failure::runtime(format!(
                "a JSONata {field} in a JSONPath state"
            )))
        }
    };
    let v = p
        .select(effective, ctx)
        .map_err(|e| Failure::runtime(format!("Invalid path '{}' : {}", p.text(), e.message)))?;
    match v.as_u64() {
        Some(n) if n > 0 => Ok(Some(n)),
        // UNVERIFIED: the cause for a non-positive or non-integer value.
        _ => Err(Failure::runtime(format!(
            "The {field} field refers to value \"{}\" which is not a valid positive integer: {}",
            shown(&v),
            p.text()
        ))),
    }
}
