//! Amazon ECS `ecs:runTask` (request-response, `.sync`, `.waitForTaskToken`;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html>).
//!
//! `TaskDefinition` (`family`, `family:revision` or a task-definition ARN) selects
//! `world.ecs[<family>]`, which says what the task's containers exit with; without one the task
//! has one container, named after the family, that exits 0. The task is placed on `Cluster`
//! (a name or an ARN; `default` when absent) and runs to its end at once (no virtual time).
//!
//! - request-response and `.waitForTaskToken`: RunTask's `{"Failures": [], "Tasks": [<task,
//!   LastStatus PROVISIONING>]}`;
//! - `.sync`: the DescribeTasks task object once it stopped (`LastStatus`/`DesiredStatus`
//!   `STOPPED`, `StopCode` `EssentialContainerExited`, `Containers` with their `ExitCode`),
//!   member names capitalised as Step Functions gives them. When a container exits with a code
//!   other than 0 the task fails with `States.TaskFailed`, the task object's JSON text as the cause
//!   (UNVERIFIED: the error name and cause shape come from no recording).
//!
//! Timestamps are epoch milliseconds (UNVERIFIED).

use serde_json::{json, Value};

use super::services::derived_hex;
use super::{Execution, Invocation};
use crate::errors::{Failure, TASK_FAILED};
use crate::world::SharedWorld;

/// Handles `ecs:runTask`; `None` for any other resource.
pub fn invoke(
    call: &Invocation<'_>,
    world: &SharedWorld,
    execution: &Execution,
) -> Option<Result<Value, Failure>> {
    let sync = match call.resource {
        "arn:aws:states:::ecs:runTask" | "arn:aws:states:::ecs:runTask.waitForTaskToken" => false,
        "arn:aws:states:::ecs:runTask.sync" => true,
        _ => return None,
    };
    let (region, account) = execution.region_account();
    let definition = call
        .input
        .get("TaskDefinition")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (family, revision) = family_revision(definition);
    let cluster = call
        .input
        .get("Cluster")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let (cluster_name, cluster_arn) = match cluster.split_once(":cluster/") {
        Some((_, name)) => (name.to_string(), cluster.to_string()),
        None => (
            cluster.to_string(),
            format!("arn:aws:ecs:{region}:{account}:cluster/{cluster}"),
        ),
    };
    let task_id = derived_hex(call.request_id, "ecs-task", 32);
    let task_arn = format!("arn:aws:ecs:{region}:{account}:task/{cluster_name}/{task_id}");
    let task_definition_arn =
        format!("arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}");
    let containers: Vec<(String, i64)> = match world.lock().ecs.get(&family) {
        Some(td) => td
            .containers
            .iter()
            .map(|c| (c.name.clone(), c.exit_code))
            .collect(),
        None => vec![(family.clone(), 0)],
    };
    let launch_type = call
        .input
        .get("LaunchType")
        .and_then(Value::as_str)
        .unwrap_or("EC2");
    let overrides = call
        .input
        .get("Overrides")
        .cloned()
        .unwrap_or_else(|| json!({"ContainerOverrides": []}));
    let status = if sync { "STOPPED" } else { "PROVISIONING" };
    let container_json: Vec<Value> = containers
        .iter()
        .enumerate()
        .map(|(i, (name, code))| {
            let mut c = json!({
                "ContainerArn": format!(
                    "arn:aws:ecs:{region}:{account}:container/{cluster_name}/{task_id}/{}",
                    derived_hex(call.request_id, &format!("container-{i}"), 32)
                ),
                "LastStatus": status,
                "Name": name,
                "TaskArn": task_arn,
            });
            if sync {
                c["ExitCode"] = json!(code);
            }
            c
        })
        .collect();
    let mut task = json!({
        "ClusterArn": cluster_arn,
        "Containers": container_json,
        "CreatedAt": call.now,
        "DesiredStatus": if sync { "STOPPED" } else { "RUNNING" },
        "Group": format!("family:{family}"),
        "LastStatus": status,
        "LaunchType": launch_type,
        "Overrides": overrides,
        "TaskArn": task_arn,
        "TaskDefinitionArn": task_definition_arn,
        "Version": if sync { 5 } else { 1 },
    });
    if !sync {
        return Some(Ok(json!({"Failures": [], "Tasks": [task]})));
    }
    for key in ["StartedAt", "StoppingAt", "StoppedAt", "ExecutionStoppedAt"] {
        task[key] = json!(call.now);
    }
    task["StopCode"] = json!("EssentialContainerExited");
    task["StoppedReason"] = json!("Essential container in task exited");
    if containers.iter().any(|(_, code)| *code != 0) {
        return Some(Err(Failure::raised(
            TASK_FAILED,
            serde_json::to_string(&task).unwrap_or_default(),
        )));
    }
    Some(Ok(task))
}

/// The family and revision of `family`, `family:3` or
/// `arn:aws:ecs:<region>:<account>:task-definition/family:3` (revision 1 when none is given).
pub fn family_revision(definition: &str) -> (String, String) {
    let tail = definition
        .rsplit_once(":task-definition/")
        .map_or(definition, |(_, t)| t);
    match tail.rsplit_once(':') {
        Some((family, rev)) if !rev.is_empty() && rev.bytes().all(|b| b.is_ascii_digit()) => {
            (family.to_string(), rev.to_string())
        }
        _ => (tail.to_string(), "1".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::ecs::{Container, TaskDefinition};
    use crate::world::World;

    fn call<'a>(resource: &'a str, input: &'a Value) -> Invocation<'a> {
        Invocation {
            state: "S",
            resource,
            input,
            attempt: 0,
            request_id: "r",
            now: 7,
        }
    }

    fn world(code: i64) -> SharedWorld {
        let mut w = World::default();
        w.ecs.insert(
            "worker".into(),
            TaskDefinition {
                containers: vec![
                    Container {
                        name: "app".into(),
                        exit_code: 0,
                    },
                    Container {
                        name: "side".into(),
                        exit_code: code,
                    },
                ],
            },
        );
        SharedWorld::new(w)
    }

    #[test]
    fn task_definitions_name_their_family() {
        assert_eq!(family_revision("my-task"), ("my-task".into(), "1".into()));
        assert_eq!(family_revision("my-task:7"), ("my-task".into(), "7".into()));
        assert_eq!(
            family_revision("arn:aws:ecs:us-east-1:1:task-definition/ecsdemo-sfn:2"),
            ("ecsdemo-sfn".into(), "2".into())
        );
    }

    #[test]
    fn sync_returns_the_stopped_task() {
        let input = json!({"Cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/my-cluster", "TaskDefinition": "worker:3", "LaunchType": "FARGATE"});
        let r = invoke(
            &call("arn:aws:states:::ecs:runTask.sync", &input),
            &world(0),
            &Execution::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r["LastStatus"], "STOPPED");
        assert_eq!(r["StopCode"], "EssentialContainerExited");
        assert_eq!(r["Containers"][1]["Name"], "side");
        assert_eq!(r["Containers"][1]["ExitCode"], 0);
        assert_eq!(
            r["ClusterArn"],
            "arn:aws:ecs:us-east-1:123456789012:cluster/my-cluster"
        );
        assert!(r["TaskArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:ecs:us-east-1:123456789012:task/my-cluster/"));
        assert_eq!(
            r["TaskDefinitionArn"],
            "arn:aws:ecs:us-east-1:123456789012:task-definition/worker:3"
        );
    }

    #[test]
    fn a_failing_container_fails_the_sync_task_but_not_run_task() {
        let input = json!({"TaskDefinition": "worker"});
        let f = invoke(
            &call("arn:aws:states:::ecs:runTask.sync", &input),
            &world(2),
            &Execution::default(),
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
        let cause: Value = serde_json::from_str(f.cause.as_deref().unwrap()).unwrap();
        assert_eq!(cause["Containers"][1]["ExitCode"], 2);
        let r = invoke(
            &call("arn:aws:states:::ecs:runTask", &input),
            &world(2),
            &Execution::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r["Failures"], json!([]));
        assert_eq!(r["Tasks"][0]["LastStatus"], "PROVISIONING");
        assert!(r["Tasks"][0]["Containers"][0].get("ExitCode").is_none());
    }
}
