//! ECS task definitions for `ecs:runTask`: `ecs/<family>.json` decides what the task's
//! containers do, `{"containers": [{"name": "app", "exitCode": 0}]}`. Without a task definition
//! the task has one container that exits 0.

use std::path::Path;

use serde_json::{json, Value};

use super::WorldError;

/// One container of a task definition and the exit code it stops with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    pub exit_code: i64,
}

/// What a task of one family does when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefinition {
    pub containers: Vec<Container>,
}

impl TaskDefinition {
    pub fn from_json(v: &Value, file: &Path) -> Result<TaskDefinition, WorldError> {
        let list = v
            .get("containers")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                WorldError::at_pointer(
                    file,
                    "/containers",
                    "expected a non-empty array of {\"name\": \"…\", \"exitCode\": 0}",
                )
            })?;
        let mut containers = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let name = c.get("name").and_then(Value::as_str);
            let exit_code = match c.get("exitCode") {
                None => Some(0),
                Some(v) => v.as_i64(),
            };
            match (name, exit_code) {
                (Some(n), Some(code)) => containers.push(Container {
                    name: n.to_string(),
                    exit_code: code,
                }),
                _ => {
                    return Err(WorldError::at_pointer(
                        file,
                        &format!("/containers/{i}"),
                        "expected {\"name\": \"…\", \"exitCode\": <integer>}",
                    ))
                }
            }
        }
        Ok(TaskDefinition { containers })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "containers": self.containers.iter().map(|c| json!({"name": c.name, "exitCode": c.exit_code})).collect::<Vec<_>>()
        })
    }
}
