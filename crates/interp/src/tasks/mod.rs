//! Task resources: what a Task state's `Resource` does when it runs (docs/semantics/task.md §10).
//!
//! Every call goes through the [`Resources`] trait. The interpreter's default, [`Registry`],
//! answers in this order:
//! 1. a mocked response, when a Step Functions Local MockConfigFile test case is selected
//!    ([`mock`]);
//! 2. the fixture functions `aslcheck-echo`, `aslcheck-fail`, `aslcheck-flaky`, `aslcheck-sleep`
//!    ([`fixtures`], contract in `docs/fixtures.md`), as a direct Lambda ARN or through
//!    `arn:aws:states:::lambda:invoke`;
//! 3. any other Lambda function returns its input (so documentation examples run);
//! 4. the service simulators, against the run's [`World`]: [`dynamodb`] (optimized and SDK
//!    `getItem`/`putItem`/`updateItem`/`deleteItem`, SDK `query`/`scan`), [`stepfunctions`]
//!    (`states:startExecution`, `.sync`, `.sync:2`, `aws-sdk:sfn:startExecution`), [`ecs`]
//!    (`ecs:runTask`, `.sync`), [`eventbridge`] (`events:putEvents`), [`s3`]
//!    (`aws-sdk:s3:getObject`/`putObject`), [`services`] (`sqs:sendMessage`, `sns:publish`);
//!    docs/integrations/README.md lists their response shapes and errors;
//! 5. a `.waitForTaskToken` call to any service sends its request (to the simulator, when there
//!    is one) and waits for the token ([`callbacks`]);
//! 6. anything else fails with `States.TaskFailed`, naming the resource, so a machine never
//!    silently pretends to call a service.

pub mod callbacks;
pub mod dynamodb;
pub mod ecs;
pub mod eventbridge;
pub mod fixtures;
pub mod lambda;
pub mod mock;
pub mod s3;
pub mod services;
pub mod stepfunctions;

use serde_json::{json, Value};

use crate::errors::{Failure, TASK_FAILED};
use crate::world::{SharedWorld, World};

/// One call of a task resource.
pub struct Invocation<'a> {
    /// The Task state's name.
    pub state: &'a str,
    pub resource: &'a str,
    /// The effective task input (after InputPath and Parameters).
    pub input: &'a Value,
    /// 0 on the first attempt, then 1, 2, … for retries (`$$.State.RetryCount`).
    pub attempt: u32,
    /// A request id drawn from the run's seeded source (for Lambda error causes).
    pub request_id: &'a str,
    /// The (virtual) time of the call, in milliseconds since the epoch.
    pub now: i64,
}

/// What a resource did.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Finished after `after_ms` of (virtual) time with a result or an error.
    Done {
        after_ms: i64,
        result: Result<Value, Failure>,
    },
    /// `.waitForTaskToken`: the request was sent (the service's response goes into
    /// `TaskSubmitted`); the task now waits for its token.
    Submitted { response: Value },
}

impl Response {
    pub fn ok(v: Value) -> Response {
        Response::Done {
            after_ms: 0,
            result: Ok(v),
        }
    }

    pub fn err(f: Failure) -> Response {
        Response::Done {
            after_ms: 0,
            result: Err(f),
        }
    }
}

/// Gives Task states their behaviour.
pub trait Resources: Send {
    fn invoke(&mut self, call: &Invocation<'_>) -> Response;

    /// The simulated AWS resources this run works against, for states that read or write them
    /// themselves (a Distributed Map's `ItemReader` and `ResultWriter`).
    fn world(&self) -> Option<SharedWorld> {
        None
    }

    /// Called once before the execution starts, with the ARNs integrations name it by
    /// (EventBridge `Resources`, a child execution's region and account).
    fn begin(&mut self, _execution: &Execution) {}
}

/// The execution a [`Resources`] serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Execution {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    /// Its start time, in milliseconds since the epoch.
    pub start: i64,
}

impl Execution {
    /// The region and account of the execution's ARN (`us-east-1`, `123456789012` when unknown).
    pub fn region_account(&self) -> (String, String) {
        let parts: Vec<&str> = self.state_machine_arn.split(':').collect();
        match (parts.get(3), parts.get(4)) {
            (Some(r), Some(a)) if !r.is_empty() && !a.is_empty() => (r.to_string(), a.to_string()),
            _ => ("us-east-1".into(), "123456789012".into()),
        }
    }
}

/// The interpreter's resource handlers (see the module docs for the order).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub mocks: Option<mock::TestCase>,
    /// Lambda functions (ARN or name) that behave as a fixture, e.g. a case environment's
    /// `{"functions": {"arn:…:function:x": "fail"}}`.
    pub functions: std::collections::BTreeMap<String, fixtures::Fixture>,
    /// The simulated AWS resources (`--resources`, a case environment's `resources`).
    pub world: SharedWorld,
    /// The execution being served (set by [`Resources::begin`]).
    pub execution: Execution,
    /// How many executions started this one through `states:startExecution` (0 for a top-level
    /// execution).
    pub depth: u32,
}

impl Registry {
    /// The resources a case environment describes (`functions`, `mock_config` +
    /// `mock_test_case`, `fixtures`); `states` are the definition's state names.
    pub fn from_environment(env: &Value, states: &[String]) -> Result<Registry, String> {
        let mut r = Registry::default();
        if let Some(map) = env.get("functions").and_then(Value::as_object) {
            for (function, behaviour) in map {
                let name = behaviour.as_str().unwrap_or("");
                let f = fixtures::Fixture::named(&format!("{}{name}", fixtures::PREFIX))
                    .ok_or_else(|| format!("environment: /functions/{function}: unknown behaviour '{name}' (echo, fail, flaky, sleep)"))?;
                r.functions.insert(function.clone(), f);
            }
        }
        if let Some(resources) = env.get("resources") {
            let world = World::from_json(resources, std::path::Path::new("environment.resources"))
                .map_err(|e| e.to_string())?;
            r.world = SharedWorld::new(world);
        }
        if let Some(config) = env.get("mock_config") {
            let case = env
                .get("mock_test_case")
                .and_then(Value::as_str)
                .ok_or("environment: mock_config needs mock_test_case")?;
            r.mocks =
                Some(mock::TestCase::load(config, None, case, states).map_err(|e| e.to_string())?);
        }
        Ok(r)
    }
}

impl Resources for Registry {
    fn invoke(&mut self, call: &Invocation<'_>) -> Response {
        if let Some(m) = &mut self.mocks {
            if let Some(r) = m.respond(call.state) {
                return r;
            }
        }
        let waits = call.resource.ends_with(".waitForTaskToken");
        if let Some(r) = lambda::invoke(call, &self.functions) {
            if waits {
                // The function is invoked with the token in its payload; its own result only
                // goes into TaskSubmitted.
                return match r {
                    Response::Done { result: Ok(v), .. } => Response::Submitted { response: v },
                    other => other,
                };
            }
            return r;
        }
        if let Some(r) = dynamodb::invoke(call, &self.world) {
            return r;
        }
        let simulated = self.simulate(call);
        if waits {
            return match simulated {
                Some(Response::Done { result: Err(f), .. }) => Response::err(f),
                Some(Response::Done { result: Ok(v), .. }) => Response::Submitted { response: v },
                Some(submitted) => submitted,
                None => Response::Submitted { response: empty() },
            };
        }
        if let Some(r) = simulated {
            return r;
        }
        Response::err(Failure::raised(
            TASK_FAILED,
            format!(
                "The resource '{}' has no behaviour in aslcheck: give it one with a mock (--mock-config), use a fixture function, or a .waitForTaskToken callback.",
                call.resource
            ),
        ))
    }

    fn world(&self) -> Option<SharedWorld> {
        Some(self.world.clone())
    }

    fn begin(&mut self, execution: &Execution) {
        self.execution = execution.clone();
    }
}

impl Registry {
    /// The service simulators (step 4 of the module docs); `None` when none handles the resource.
    fn simulate(&self, call: &Invocation<'_>) -> Option<Response> {
        if let Some(r) = stepfunctions::invoke(call, self) {
            return Some(r);
        }
        let done = ecs::invoke(call, &self.world, &self.execution)
            .or_else(|| eventbridge::invoke(call, &self.world, &self.execution))
            .or_else(|| s3::invoke(call, &self.world, self.execution.start))
            .or_else(|| services::simulate(call, &self.world))?;
        Some(match done {
            Ok(v) => Response::ok(v),
            Err(f) => Response::err(f),
        })
    }
}

/// How a resource ARN shows up in history (docs/semantics/task.md §10.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `arn:aws:lambda:…:function:…`: `LambdaFunction…` events.
    LambdaFunction,
    /// `arn:aws:states:…:activity:…`: `Activity…` events.
    Activity,
    /// `arn:aws:states:::<service>:<action>`: `Task…` events with `resourceType`/`resource`.
    Service {
        resource_type: String,
        resource: String,
    },
}

impl Kind {
    pub fn of(arn: &str) -> Kind {
        if arn.starts_with("arn:aws:lambda:") {
            return Kind::LambdaFunction;
        }
        if arn.contains(":activity:") {
            return Kind::Activity;
        }
        let rest = arn.strip_prefix("arn:aws:states:::").unwrap_or(arn);
        let (resource_type, resource) = match rest.strip_prefix("aws-sdk:") {
            Some(sdk) => match sdk.split_once(':') {
                Some((svc, action)) => (format!("aws-sdk:{svc}"), action.to_string()),
                None => (format!("aws-sdk:{sdk}"), String::new()),
            },
            None => match rest.split_once(':') {
                Some((svc, action)) => (svc.to_string(), action.to_string()),
                None => (rest.to_string(), String::new()),
            },
        };
        Kind::Service {
            resource_type,
            resource,
        }
    }
}

/// An empty JSON object.
pub fn empty() -> Value {
    json!({})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_kinds() {
        assert_eq!(
            Kind::of("arn:aws:lambda:us-east-1:1:function:f"),
            Kind::LambdaFunction
        );
        assert_eq!(
            Kind::of("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            Kind::Service {
                resource_type: "sqs".into(),
                resource: "sendMessage.waitForTaskToken".into()
            }
        );
        assert_eq!(
            Kind::of("arn:aws:states:::aws-sdk:s3:listObjects"),
            Kind::Service {
                resource_type: "aws-sdk:s3".into(),
                resource: "listObjects".into()
            }
        );
    }

    #[test]
    fn unknown_services_fail_with_a_clear_cause() {
        let mut r = Registry::default();
        let input = json!({});
        let call = Invocation {
            state: "S",
            resource: "arn:aws:states:::glue:startJobRun",
            input: &input,
            attempt: 0,
            request_id: "r",
            now: 0,
        };
        match r.invoke(&call) {
            Response::Done { result: Err(f), .. } => {
                assert_eq!(f.error.as_deref(), Some(TASK_FAILED));
                assert!(f.cause.unwrap().contains("glue:startJobRun"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
