//! Task states (docs/semantics/task.md §10.1–10.3) — rule 8 in the module docs of [`super`]: the
//! `Resource` ARN forms (Lambda functions and versions/aliases, `arn:aws:states:::<service>:
//! <action>` integrations with `.sync`/`.sync:2`/`.waitForTaskToken`, AWS SDK integrations,
//! activities), `HeartbeatSeconds` below `TimeoutSeconds`, and `Credentials` naming a role.
//!
//! Code: `SCHEMA_VALIDATION_FAILED`.

use serde_json::{Map, Value};

use super::diagnostics::child;
use super::fields::MAX_SECONDS;
use super::machine::forbidden_name_char;
use super::Validator;

fn all_chars(s: &str, ok: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(ok)
}

fn is_region(s: &str) -> bool {
    all_chars(s, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_service(s: &str) -> bool {
    all_chars(s, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })
}

fn is_action(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The `Resource` forms of §10.1.
fn is_valid_resource(arn: &str) -> bool {
    let p: Vec<&str> = arn.split(':').collect();
    if p.len() < 6 || p[0] != "arn" || p[1] != "aws" {
        return false;
    }
    match p[2] {
        "lambda" => {
            let fn_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            (p.len() == 7 || p.len() == 8)
                && is_region(p[3])
                && is_account(p[4])
                && p[5] == "function"
                && p[6].len() <= 64
                && all_chars(p[6], fn_char)
                && p.get(7)
                    .is_none_or(|q| all_chars(q, |c| fn_char(c) || c == '$'))
        }
        "states" if p[3].is_empty() && p[4].is_empty() => {
            let rest = &p[5..];
            if rest.first() == Some(&"aws-sdk") {
                rest.len() == 3
                    && is_service(rest[1])
                    && is_action(rest[2].strip_suffix(".waitForTaskToken").unwrap_or(rest[2]))
            } else {
                let (service, action) = match rest {
                    [service, action] => (*service, *action),
                    [service, action, "2"] if action.ends_with(".sync") => (*service, *action),
                    _ => return false,
                };
                let bare = [".sync", ".waitForTaskToken"]
                    .iter()
                    .find_map(|suffix| action.strip_suffix(suffix))
                    .unwrap_or(action);
                is_service(service) && is_action(bare)
            }
        }
        "states" => {
            p.len() == 7
                && is_region(p[3])
                && is_account(p[4])
                && p[5] == "activity"
                && p[6].chars().count() <= 80
                && all_chars(p[6], |c| !forbidden_name_char(c))
        }
        _ => false,
    }
}

impl Validator {
    pub(super) fn resource(&mut self, v: &Value, loc: &str) {
        if let Some(arn) = self.want_str(v, loc) {
            if !is_valid_resource(arn) {
                self.schema(
                    loc,
                    format!(
                        "The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
                    ),
                );
            }
        }
    }

    pub(super) fn credentials(&mut self, v: &Value, loc: &str) {
        let Some(obj) = v.as_object() else { return }; // the type error comes from `template`
        if !obj.contains_key("RoleArn") && !obj.contains_key("RoleArn.$") {
            self.schema(loc, "The field 'RoleArn' is required but was missing");
        }
        if let Some(r) = obj.get("RoleArn") {
            self.want_str(r, &child(loc, "RoleArn"));
        }
    }

    /// `HeartbeatSeconds` must be below `TimeoutSeconds` when both are valid numbers.
    pub(super) fn heartbeat_below_timeout(&mut self, obj: &Map<String, Value>, loc: &str) {
        let hb = obj.get("HeartbeatSeconds").and_then(Value::as_i64);
        let to = obj.get("TimeoutSeconds").and_then(Value::as_i64);
        if let (Some(hb), Some(to)) = (hb, to) {
            if (1..=MAX_SECONDS).contains(&hb) && (1..=MAX_SECONDS).contains(&to) && hb >= to {
                self.schema(
                    &child(loc, "HeartbeatSeconds"),
                    "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::asl::validate::tests::*;

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

    #[test]
    fn aws_credentials_without_role() {
        expect(
            task(json!({"Credentials": {}})),
            &[svf(
                "The field 'RoleArn' is required but was missing",
                "/States/S/Credentials",
            )],
        );
    }

    #[test]
    fn aws_unknown_resource() {
        let arn = "arn:aws:sqs:us-east-1:123456789012:queue";
        expect(task(json!({"Resource": arn})), &[resource_msg(arn)]);
    }

    // ----- the rules of this file ---------------------------------------------------------

    #[test]
    fn task_resource_forms() {
        for arn in [
            LAMBDA,
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn_1:$LATEST",
            "arn:aws:lambda:eu-west-3:123456789012:function:f:12",
            "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
            "arn:aws:states:us-east-1:123456789012:activity:my-activity",
            "arn:aws:states:::lambda:invoke",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::states:startExecution.sync",
            "arn:aws:states:::states:startExecution.sync:2",
            "arn:aws:states:::ecs:runTask.sync",
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "arn:aws:states:::dynamodb:putItem",
            "arn:aws:states:::http:invoke",
            "arn:aws:states:::emr-serverless:startJobRun.sync",
            "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess.waitForTaskToken",
        ] {
            ok(task(json!({"Resource": arn})));
        }
        for arn in [
            "",
            "foo",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "arn:aws:lambda:us-east-1:123:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "arn:aws:lambda:us-east-1:123456789012:layer:f",
            "arn:aws:lambda:us-east-1:123456789012:function:f:v1:x",
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            "arn:aws:states:::lambda",
            "arn:aws:states:::lambda:invoke.sync:3",
            "arn:aws:states:::lambda:invoke.async",
            "arn:aws:states:::aws-sdk:s3:listObjects.sync",
            "arn:aws:states:::aws-sdk:s3",
            "arn:aws:states:us-east-1::lambda:invoke",
            "arn:aws:states:us-east-1:123456789012:activity:bad name",
            "arn:aws:states:us-east-1:123456789012:stateMachine:x",
        ] {
            expect(task(json!({"Resource": arn})), &[resource_msg(arn)]);
        }
        expect(
            task(json!({"Resource": 5})),
            &[svf("Expected value of type String", "/States/S/Resource")],
        );
        expect(
            sm(json!({"Type": "Task", "Next": "Done"})),
            &[svf("These fields are required: [Resource]", "/States/S")],
        );
    }

    #[test]
    fn task_timeouts() {
        ok(task(
            json!({"TimeoutSeconds": 99999999, "HeartbeatSeconds": 99999998}),
        ));
        expect(
            task(json!({"TimeoutSeconds": 0, "HeartbeatSeconds": 100000000})),
            &[
                svf(
                    "Value must be between 1 and 99999999",
                    "/States/S/TimeoutSeconds",
                ),
                svf(
                    "Value must be between 1 and 99999999",
                    "/States/S/HeartbeatSeconds",
                ),
            ],
        );
        expect(
            task(json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 10})),
            &[svf(
                "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                "/States/S/HeartbeatSeconds",
            )],
        );
        expect(
            task(json!({"TimeoutSeconds": 10, "TimeoutSecondsPath": "$.t"})),
            &[svf(
                "These fields are mutually exclusive: [TimeoutSeconds, TimeoutSecondsPath]",
                "/States/S",
            )],
        );
        expect(
            task(json!({"HeartbeatSeconds": 1, "HeartbeatSecondsPath": "$.h"})),
            &[svf(
                "These fields are mutually exclusive: [HeartbeatSeconds, HeartbeatSecondsPath]",
                "/States/S",
            )],
        );
        expect(
            task(json!({"TimeoutSecondsPath": "t"})),
            &[not_ref_path("t", "/States/S/TimeoutSecondsPath")],
        );
        expect(
            task(json!({"HeartbeatSecondsPath": "$.a[*]"})),
            &[not_ref_path("$.a[*]", "/States/S/HeartbeatSecondsPath")],
        );
    }

    #[test]
    fn task_credentials() {
        ok(task(json!({"Credentials": {"RoleArn.$": "$.role"}})));
        ok(task(
            json!({"Credentials": {"RoleArn.$": "States.Format('arn:aws:iam::{}:role/r', $.acct)"}}),
        ));
        expect(
            task(json!({"Credentials": "x"})),
            &[svf(
                "Expected value of type Object",
                "/States/S/Credentials",
            )],
        );
        expect(
            task(json!({"Credentials": {"RoleArn.$": "role"}})),
            &[template_msg("RoleArn.$", "/States/S/Credentials")],
        );
        expect(
            task(json!({"Credentials": {"RoleArn": 5}})),
            &[svf(
                "Expected value of type String",
                "/States/S/Credentials/RoleArn",
            )],
        );
    }
}
