//! The fixture functions on AWS (`aws/fixtures.yaml`): where they are deployed, and how a
//! case's Task states are pointed at them.

use std::collections::BTreeMap;

#[cfg(feature = "aws")]
use serde_json::Map;
use serde_json::Value;

#[cfg(feature = "aws")]
use crate::tasks::fixtures::Fixture;
use crate::tasks::fixtures::PREFIX;

// Fixtures

/// Where the fixture functions (`docs/fixtures.md`) are deployed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixtures {
    /// `aslcheck-echo` → `arn:aws:lambda:<region>:<account>:function:aslcheck-echo`.
    pub functions: BTreeMap<String, String>,
    /// The stack's execution role.
    pub role_arn: Option<String>,
}

/// CloudFormation output keys of `aws/fixtures.yaml` → fixture names.
const OUTPUT_KEYS: [(&str, &str); 4] = [
    ("AslcheckEcho", "aslcheck-echo"),
    ("AslcheckFail", "aslcheck-fail"),
    ("AslcheckFlaky", "aslcheck-flaky"),
    ("AslcheckSleep", "aslcheck-sleep"),
];

impl Fixtures {
    /// Reads a fixtures file: `{"aslcheck-echo": "arn:…", …, "ExecutionRoleArn": "arn:…"}`,
    /// the same with the stack's output keys (`AslcheckEcho`, …), the `Outputs` array of
    /// `aws cloudformation describe-stacks`, or its whole answer (`{"Stacks": [...]}`).
    pub fn parse(text: &str) -> Result<Fixtures, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let outputs = match &v {
            Value::Object(m) if m.contains_key("Stacks") => v
                .pointer("/Stacks/0/Outputs")
                .cloned()
                .ok_or("/Stacks/0/Outputs is missing")?,
            other => other.clone(),
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        match outputs {
            Value::Object(m) => {
                for (k, v) in m {
                    let s = v
                        .as_str()
                        .ok_or_else(|| format!("/{k} must be a string (an ARN)"))?;
                    pairs.push((k, s.to_string()));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let k = item.get("OutputKey").and_then(Value::as_str);
                    let v = item.get("OutputValue").and_then(Value::as_str);
                    match (k, v) {
                        (Some(k), Some(v)) => pairs.push((k.to_string(), v.to_string())),
                        _ => {
                            return Err(format!(
                                "/{i} must have string members OutputKey and OutputValue"
                            ))
                        }
                    }
                }
            }
            _ => return Err("expected an object (name → ARN) or the stack's Outputs array".into()),
        }
        let mut f = Fixtures::default();
        for (k, v) in pairs {
            let name = OUTPUT_KEYS
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, n)| n.to_string())
                .or_else(|| k.starts_with(PREFIX).then(|| k.clone()));
            if k == "ExecutionRoleArn" {
                f.role_arn = Some(v);
            } else if let Some(name) = name {
                if !v.starts_with("arn:") {
                    return Err(format!("/{k}: {v:?} is not an ARN"));
                }
                f.functions.insert(name, v);
            }
        }
        Ok(f)
    }

    pub fn load(path: &std::path::Path) -> Result<Fixtures, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the fixtures file {}: {e}", path.display()))?;
        Fixtures::parse(&text).map_err(|e| format!("the fixtures file {}: {e}", path.display()))
    }

    #[cfg(feature = "aws")]
    /// The definition with every Lambda function its Task states call pointed at the deployed
    /// fixture that gives it its behaviour, and the (deployed ARN, original) pairs to map back
    /// in observations. The behaviour of a function is the case's `environment.functions`
    /// entry (`{"<ARN or name>": "echo|fail|flaky|sleep"}`, corpus/README.md), else the fixture
    /// of that name, else `echo` — as in the reference interpreter (src/tasks/lambda.rs).
    ///
    /// `Err` is the reason the case cannot run here: fixtures not deployed, mocked Task
    /// responses, or a Task on another service (which would call a real service).
    pub(super) fn prepare(
        &self,
        definition: &Value,
        environment: &Value,
    ) -> Result<Prepared, String> {
        if environment.get("mock_config").is_some() {
            return Err("the case mocks Task responses (mock_config), which the Step Functions API cannot do for executions".into());
        }
        let behaviours = environment.get("functions").and_then(Value::as_object);
        let world = environment.get("resources").is_some();
        let mut out = definition.clone();
        let mut back = Vec::new();
        let mut fail = None;
        for_each_task(&mut out, &mut |state| {
            if fail.is_some() {
                return;
            }
            if let Err(e) = self.point_task(state, behaviours, world, &mut back) {
                fail = Some(e);
            }
        });
        match fail {
            Some(e) => Err(e),
            None => Ok(Prepared {
                definition: out,
                back,
            }),
        }
    }

    #[cfg(feature = "aws")]
    fn point_task(
        &self,
        state: &mut Map<String, Value>,
        behaviours: Option<&Map<String, Value>>,
        world: bool,
        back: &mut Vec<(String, String)>,
    ) -> Result<(), String> {
        let resource = state
            .get("Resource")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if world && provisioned_service(&resource) {
            // The case's resources are created for it under run-scoped names (world.rs).
            return Ok(());
        }
        if resource.starts_with("arn:aws:lambda:") {
            let deployed = self.deployed_for(&resource, behaviours)?;
            back.push((deployed.clone(), resource));
            state.insert("Resource".into(), Value::String(deployed));
            return Ok(());
        }
        if resource.starts_with("arn:aws:states:::lambda:invoke")
            && !resource.ends_with(".waitForTaskToken")
        {
            for field in ["Parameters", "Arguments"] {
                let Some(args) = state.get_mut(field).and_then(Value::as_object_mut) else {
                    continue;
                };
                match args.get("FunctionName") {
                    Some(Value::String(f)) => {
                        let f = f.clone();
                        let deployed = self.deployed_for(&f, behaviours)?;
                        back.push((deployed.clone(), f));
                        args.insert("FunctionName".into(), Value::String(deployed));
                        return Ok(());
                    }
                    _ => {
                        return Err(format!(
                            "a lambda:invoke Task chooses its function at run time ({field}/FunctionName is not a plain string), so it cannot be pointed at a deployed fixture"
                        ))
                    }
                }
            }
            return Err("a lambda:invoke Task without a FunctionName".into());
        }
        Err(format!(
            "sfn-api runs Task states only on the fixture functions and, in a case with resources, on the services it provisions (S3, DynamoDB, SQS, SNS, EventBridge, Step Functions); {resource:?} would call a real service or need a callback"
        ))
    }

    #[cfg(feature = "aws")]
    /// The deployed fixture ARN for a Lambda function reference (ARN or name).
    fn deployed_for(
        &self,
        function: &str,
        behaviours: Option<&Map<String, Value>>,
    ) -> Result<String, String> {
        let name = function_name(function);
        let behaviour = match behaviours.and_then(|b| b.get(function).or_else(|| b.get(name))) {
            Some(Value::String(b)) => format!("{PREFIX}{b}"),
            Some(other) => {
                return Err(format!(
                    "environment.functions: {function}: {other} is not a behaviour name"
                ))
            }
            None if Fixture::named(name).is_some() => name.to_string(),
            None => format!("{PREFIX}echo"),
        };
        if Fixture::named(&behaviour).is_none() {
            return Err(format!("environment.functions: {function}: unknown behaviour {behaviour:?} (echo, fail, flaky, sleep)"));
        }
        self.functions.get(&behaviour).cloned().ok_or_else(|| {
            format!(
                "the definition calls Lambda function {function} ({behaviour}), and the fixture functions are not deployed here: deploy aws/fixtures.yaml and pass --fixtures (docs/backends.md)"
            )
        })
    }
}

/// A definition ready for the service, and how to map deployed ARNs back.
#[derive(Debug, Clone)]
#[cfg(feature = "aws")]
pub(super) struct Prepared {
    pub(super) definition: Value,
    /// (deployed ARN, what the case wrote).
    pub(super) back: Vec<(String, String)>,
}

#[cfg(feature = "aws")]
/// The function name of a Lambda ARN (`arn:aws:lambda:r:a:function:NAME[:qualifier]`) or name.
pub(super) fn function_name(function: &str) -> &str {
    match function.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => function,
    }
}

#[cfg(feature = "aws")]
/// Calls `f` on every Task state, nested ones (Parallel branches, Map processors) included.
pub(super) fn for_each_task(machine: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(states) = machine.get_mut("States").and_then(Value::as_object_mut) else {
        return;
    };
    for state in states.values_mut() {
        let Some(obj) = state.as_object_mut() else {
            continue;
        };
        if obj.get("Type").and_then(Value::as_str) == Some("Task") {
            f(obj);
        }
        if let Some(branches) = obj.get_mut("Branches").and_then(Value::as_array_mut) {
            for b in branches {
                for_each_task(b, f);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(m) = obj.get_mut(key) {
                for_each_task(m, f);
            }
        }
    }
}

#[cfg(feature = "aws")]
/// A copy of `v` with every string `f` maps replaced (member names are kept).
pub(super) fn map_strings(v: &Value, f: &mut dyn FnMut(&str) -> Option<String>) -> Value {
    match v {
        Value::String(s) => Value::String(f(s).unwrap_or_else(|| s.clone())),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), map_strings(x, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Task resources whose targets a case's `resources` provision (src/backend/sfn_api/world.rs):
/// request/response and `.sync` calls of S3, DynamoDB, SQS, SNS, EventBridge (the default bus)
/// and Step Functions.
#[cfg(feature = "aws")]
fn provisioned_service(resource: &str) -> bool {
    let Some(rest) = resource.strip_prefix("arn:aws:states:::") else {
        return false;
    };
    if rest.ends_with(".waitForTaskToken") {
        return false;
    }
    let service = rest.strip_prefix("aws-sdk:").unwrap_or(rest);
    let service = service.split(':').next().unwrap_or("");
    matches!(
        service,
        "s3" | "dynamodb" | "sqs" | "sns" | "events" | "eventbridge" | "states" | "sfn"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fixtures_files() {
        let flat = Fixtures::parse(r#"{"aslcheck-echo": "arn:aws:lambda:eu-west-1:111122223333:function:aslcheck-echo", "ExecutionRoleArn": "arn:aws:iam::111122223333:role/r"}"#).unwrap();
        assert_eq!(
            flat.functions["aslcheck-echo"],
            "arn:aws:lambda:eu-west-1:111122223333:function:aslcheck-echo"
        );
        assert_eq!(
            flat.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/r")
        );
        let stacks = Fixtures::parse(
            r#"{"Stacks": [{"Outputs": [{"OutputKey": "AslcheckFail", "OutputValue": "arn:aws:lambda:eu-west-1:1:function:aslcheck-fail"}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            stacks.functions["aslcheck-fail"],
            "arn:aws:lambda:eu-west-1:1:function:aslcheck-fail"
        );
        assert!(Fixtures::parse(r#"{"aslcheck-echo": "nope"}"#).is_err());
        assert!(Fixtures::parse("[1]").is_err());
    }

    #[cfg(feature = "aws")]
    #[test]
    fn lambda_tasks_are_pointed_at_deployed_fixtures() {
        let mut f = Fixtures::default();
        for n in ["echo", "fail"] {
            f.functions.insert(
                format!("aslcheck-{n}"),
                format!("arn:aws:lambda:eu-west-1:111122223333:function:aslcheck-{n}"),
            );
        }
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-fail:live", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "other"}, "Next": "C"},
            "C": {"Type": "Pass", "Result": "aslcheck-echo", "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "D", "States": {
                "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:x", "End": true}}}, "End": true}
        }});
        let env = json!({"functions": {"other": "fail"}});
        let p = f.prepare(&def, &env).unwrap();
        let echo = "arn:aws:lambda:eu-west-1:111122223333:function:aslcheck-echo";
        let fail = "arn:aws:lambda:eu-west-1:111122223333:function:aslcheck-fail";
        assert_eq!(p.definition["States"]["A"]["Resource"], fail);
        assert_eq!(
            p.definition["States"]["B"]["Parameters"]["FunctionName"],
            fail
        );
        assert_eq!(p.definition["States"]["C"]["Result"], "aslcheck-echo");
        assert_eq!(
            p.definition["States"]["M"]["ItemProcessor"]["States"]["D"]["Resource"],
            echo
        );
        assert_eq!(p.back.len(), 3);
        assert!(p.back.contains(&(fail.to_string(), "other".to_string())));

        let sqs = json!({"StartAt": "Q", "States": {"Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}});
        assert!(f
            .prepare(&sqs, &json!({}))
            .unwrap_err()
            .contains("real service"));
        assert!(f
            .prepare(&def, &json!({"mock_config": {}}))
            .unwrap_err()
            .contains("mock"));
        let flaky = json!({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-flaky", "End": true}}});
        assert!(f
            .prepare(&flaky, &json!({}))
            .unwrap_err()
            .contains("--fixtures"));
        assert!(Fixtures::default()
            .prepare(
                &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
                &json!({})
            )
            .is_ok());
    }
}
