//! Small simulators of the services generated machines and documentation examples call.
//!
//! Each answers with the response shape of the real API (field names as the Step Functions
//! optimized integration returns them), with ids drawn from the run's seeded source:
//! - `sqs:sendMessage`: `{"MD5OfMessageBody", "MessageId"}`
//!   (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html>);
//! - `sns:publish`: `{"MessageId"}`
//!   (<https://docs.aws.amazon.com/sns/latest/api/API_Publish.html>).
//!
//! Other services have no simulator: a `.waitForTaskToken` call to them answers `{}` (the request
//! is still recorded in `TaskScheduled`), and a request/response call fails with a clear cause.

use md5::{Digest, Md5};
use serde_json::{json, Value};

use super::Invocation;
use crate::world::{SharedWorld, World};

/// The service's response, or `None` when there is no simulator for the resource.
pub fn simulate(call: &Invocation<'_>, world: &SharedWorld) -> Option<Value> {
    let action = call
        .resource
        .strip_prefix("arn:aws:states:::")?
        .trim_end_matches(".waitForTaskToken");
    match action {
        "sqs:sendMessage" => {
            // Step Functions sends a JSON message body as its JSON text.
            let body = match call.input.get("MessageBody") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => serde_json::to_string(other).unwrap_or_default(),
                None => String::new(),
            };
            let digest = Md5::digest(body.as_bytes());
            let md5: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let queue = last_segment(call.input.get("QueueUrl"));
            let mut w = world.lock();
            World::send(
                &mut w.sqs,
                &queue,
                json!({"MessageId": call.request_id, "Body": body, "MD5OfBody": md5}),
            );
            Some(json!({"MD5OfMessageBody": md5, "MessageId": call.request_id}))
        }
        "sns:publish" => {
            let topic = last_segment(call.input.get("TopicArn").or(call.input.get("TargetArn")));
            let mut message = call.input.clone();
            if let Some(m) = message.as_object_mut() {
                m.insert("MessageId".into(), json!(call.request_id));
            }
            World::send(&mut world.lock().sns, &topic, message);
            Some(json!({"MessageId": call.request_id}))
        }
        _ => None,
    }
}

/// The name in a queue URL or topic ARN: what follows its last `/` or `:`.
fn last_segment(v: Option<&Value>) -> String {
    let s = v.and_then(Value::as_str).unwrap_or("");
    s.rsplit(['/', ':']).next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqs_send_message_digests_the_body() {
        let input = json!({"QueueUrl": "q", "MessageBody": "hello"});
        let call = Invocation {
            state: "S",
            resource: "arn:aws:states:::sqs:sendMessage",
            input: &input,
            attempt: 0,
            request_id: "id-1",
            now: 0,
        };
        let world = SharedWorld::default();
        let r = simulate(&call, &world).unwrap();
        assert_eq!(r["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(r["MessageId"], "id-1");
        assert_eq!(world.lock().sqs["q"][0]["Body"], "hello");
    }
}
