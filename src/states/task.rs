//! Task state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html>; ASL-SEMANTICS §10).
//!
//! InputPath → Parameters (re-evaluated on every attempt, so `$$.State.RetryCount` counts) →
//! resource call → ResultSelector → ResultPath → OutputPath, with Retry and Catch. History follows
//! AWS: `LambdaFunction{Scheduled,Started,Succeeded|Failed}` for function ARNs,
//! `Task{Scheduled,Started,Succeeded|Failed}` for service integrations; a retry schedules again
//! right after the failure event, without a new `TaskStateEntered`.

use serde_json::Value;

use crate::asl::model::{State, Task};
use crate::data::context::Context;
use crate::data::template::Scope;
use crate::data::timestamp::Millis;
use crate::engine::history::Detail;
use crate::engine::{Cursor, Runner, Step, Stop, MAX_PAYLOAD_BYTES, json_size};
use crate::errors::{Failure, DATA_LIMIT_EXCEEDED};
use crate::states::errors::{recover, Attempts, Recovery};
use crate::tasks::{Invocation, Kind};

impl Runner {
    pub(crate) fn task(
        &mut self,
        state: &State,
        t: &Task,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        let kind = Kind::of(&t.resource);
        let mut attempts = Attempts::new(&t.handling);
        loop {
            let retry_count = attempts.total();
            let task_input = {
                let ctx = Context::new(&self.exec, &state.name, entered_at).with_retry_count(retry_count);
                let effective = state.input_path.apply(&input, &ctx)?;
                match &t.handling.parameters {
                    Some(p) => p.eval(
                        &Scope {
                            input: &effective,
                            context: &ctx,
                        },
                        &mut self.rng,
                    )?,
                    None => effective.into_owned(),
                }
            };
            self.task_scheduled(cur, &kind, &t.resource, &task_input)?;
            let call = Invocation {
                resource: &t.resource,
                input: &task_input,
                attempt: retry_count,
            };
            let mut result = self.resources.invoke(&call);
            if let Ok(v) = &result {
                // A too-large task result is catchable, unlike a too-large state output (§6.1).
                if json_size(v) > MAX_PAYLOAD_BYTES {
                    result = Err(Failure::raised(
                        DATA_LIMIT_EXCEEDED,
                        format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.", t.resource),
                    ));
                }
            }
            match result {
                Ok(v) => {
                    self.task_succeeded(cur, &kind, &t.resource, &v)?;
                    return self.complete(state, &t.handling, input, v, entered_at, retry_count);
                }
                Err(f) => {
                    self.task_failed(cur, &kind, &t.resource, &f)?;
                    match recover(&t.handling, &f, &mut attempts, &mut self.rng) {
                        Recovery::Retry(ms) => self.advance(cur, ms)?,
                        Recovery::Catch(i) => return self.caught(&t.handling, i, input, &f),
                        Recovery::Fail => return Err(Stop::Fail(f)),
                    }
                }
            }
        }
    }

    fn task_scheduled(&mut self, cur: &mut Cursor, kind: &Kind, resource: &str, input: &Value) -> Result<(), Stop> {
        let payload = self.history.payload(input);
        match kind {
            Kind::LambdaFunction => {
                self.event(cur, "LambdaFunctionScheduled", Detail::LambdaScheduled { resource: resource.into(), input: payload })?;
                self.event(cur, "LambdaFunctionStarted", Detail::None)?;
            }
            Kind::Activity => {
                self.event(cur, "ActivityScheduled", Detail::LambdaScheduled { resource: resource.into(), input: payload })?;
                self.event(cur, "ActivityStarted", Detail::None)?;
            }
            Kind::Service { resource_type, resource } => {
                let region = self.region.clone();
                self.event(
                    cur,
                    "TaskScheduled",
                    Detail::TaskScheduled {
                        resource_type: resource_type.clone(),
                        resource: resource.clone(),
                        region,
                        parameters: payload,
                    },
                )?;
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

    fn task_succeeded(&mut self, cur: &mut Cursor, kind: &Kind, _resource: &str, output: &Value) -> Result<(), Stop> {
        let payload = self.history.payload(output);
        match kind {
            Kind::LambdaFunction => self.event(cur, "LambdaFunctionSucceeded", Detail::Output(payload))?,
            Kind::Activity => self.event(cur, "ActivitySucceeded", Detail::Output(payload))?,
            Kind::Service { resource_type, resource } => self.event(
                cur,
                "TaskSucceeded",
                Detail::TaskOutput {
                    resource_type: resource_type.clone(),
                    resource: resource.clone(),
                    output: payload,
                },
            )?,
        };
        Ok(())
    }

    fn task_failed(&mut self, cur: &mut Cursor, kind: &Kind, _resource: &str, f: &Failure) -> Result<(), Stop> {
        match kind {
            Kind::LambdaFunction => self.event(cur, "LambdaFunctionFailed", Detail::Failure(f.clone()))?,
            Kind::Activity => self.event(cur, "ActivityFailed", Detail::Failure(f.clone()))?,
            Kind::Service { resource_type, resource } => self.event(
                cur,
                "TaskFailed",
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
