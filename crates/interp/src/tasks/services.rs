//! Amazon SQS `sendMessage` and Amazon SNS `publish` (optimized integrations), and the pieces the
//! other simulators share: the `SdkHttpMetadata`/`SdkResponseMetadata` members that optimized
//! request-response integrations add to the service's answer, ids derived from the call's request
//! id, and AWS's error causes.
//!
//! - `sqs:sendMessage`
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html>,
//!   <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html>):
//!   `{"MD5OfMessageBody", ["MD5OfMessageAttributes"], "MessageId", ["SequenceNumber"],
//!   "SdkHttpMetadata", "SdkResponseMetadata"}` — the shape of the recorded AWS run
//!   `test_sqs_send_message` (2025-10-28), whose `Content-Length` is that of the JSON body
//!   (106 bytes without attributes). The message lands in `world.sqs[<queue>]`.
//! - `sns:publish` (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html>):
//!   `{"MessageId", ["SequenceNumber"], "SdkHttpMetadata", "SdkResponseMetadata"}` as recorded in
//!   `test_publish_base` and `test_fifo_message_attribute` (2025-11-06); a FIFO topic without
//!   `MessageGroupId` fails with `SNS.InvalidParameterException` as recorded there. The message
//!   lands in `world.sns[<topic>]`.
//!
//! A JSON (non-string) `MessageBody` or `Message` is sent as its compact JSON text.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};

use super::Invocation;
use crate::errors::Failure;
use crate::world::{SharedWorld, World};

/// The service's response, or `None` when the resource is not SQS or SNS.
pub fn simulate(call: &Invocation<'_>, world: &SharedWorld) -> Option<Result<Value, Failure>> {
    let action = call
        .resource
        .strip_prefix("arn:aws:states:::")?
        .trim_end_matches(".waitForTaskToken");
    match action {
        "sqs:sendMessage" => Some(send_message(call, world)),
        "sns:publish" => Some(publish(call, world)),
        _ => None,
    }
}

fn send_message(call: &Invocation<'_>, world: &SharedWorld) -> Result<Value, Failure> {
    let body = text_of(call.input.get("MessageBody"));
    let md5 = md5_hex(body.as_bytes());
    let queue = last_segment(call.input.get("QueueUrl"));
    let message_id = derived_uuid(call.request_id, "sqs-message");
    let attributes = call
        .input
        .get("MessageAttributes")
        .and_then(Value::as_object);
    let attributes_md5 = attributes.filter(|a| !a.is_empty()).map(md5_of_attributes);
    // The JSON body SQS answers with (its length is the Content-Length header).
    let mut body_json = Map::new();
    if let Some(m) = &attributes_md5 {
        body_json.insert("MD5OfMessageAttributes".into(), json!(m));
    }
    body_json.insert("MD5OfMessageBody".into(), json!(md5));
    body_json.insert("MessageId".into(), json!(message_id));
    if queue.ends_with(".fifo") {
        body_json.insert(
            "SequenceNumber".into(),
            json!(sequence_number(call.request_id)),
        );
    }
    let length = serde_json::to_string(&body_json).map_or(0, |s| s.len());
    let mut message = json!({"MessageId": message_id, "Body": body, "MD5OfBody": md5});
    if let Some(a) = attributes {
        message["MessageAttributes"] = Value::Object(a.clone());
    }
    for key in ["MessageGroupId", "MessageDeduplicationId", "DelaySeconds"] {
        if let Some(v) = call.input.get(key) {
            message[key] = v.clone();
        }
    }
    World::send(&mut world.lock().sqs, &queue, message);
    let mut out = body_json;
    add_metadata(
        &mut out,
        "application/x-amz-json-1.0",
        length,
        call.request_id,
        call.now,
    );
    Ok(Value::Object(out))
}

fn publish(call: &Invocation<'_>, world: &SharedWorld) -> Result<Value, Failure> {
    let topic = last_segment(call.input.get("TopicArn").or(call.input.get("TargetArn")));
    let fifo = topic.ends_with(".fifo");
    if fifo && call.input.get("MessageGroupId").is_none() {
        return Err(Failure::raised(
            "SNS.InvalidParameterException",
            format!(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: {}; Proxy: null)",
                call.request_id
            ),
        ));
    }
    let message_id = derived_uuid(call.request_id, "sns-message");
    let mut message = call.input.clone();
    if let Some(m) = message.as_object_mut() {
        if let Some(text) = m.get("Message").filter(|v| !v.is_string()) {
            let text = text_of(Some(text));
            m.insert("Message".into(), json!(text));
        }
        m.insert("MessageId".into(), json!(message_id));
    }
    World::send(&mut world.lock().sns, &topic, message);
    let mut out = Map::new();
    out.insert("MessageId".into(), json!(message_id));
    // SNS answers in XML; the recorded lengths are 294 bytes, 352 with a SequenceNumber.
    let length = if fifo {
        out.insert(
            "SequenceNumber".into(),
            json!(sequence_number(call.request_id)),
        );
        352
    } else {
        294
    };
    add_metadata(&mut out, "text/xml", length, call.request_id, call.now);
    Ok(Value::Object(out))
}

/// A message body or text as Step Functions sends it: a string as it is, any other JSON value as
/// its compact JSON text.
pub fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => serde_json::to_string(other).unwrap_or_default(),
        None => String::new(),
    }
}

/// The MD5 of `MessageAttributes` by SQS's algorithm: for each attribute in name order, the
/// name, the data type (each as a 4-byte big-endian length and the UTF-8 bytes), a transport
/// byte (1 for `String`/`Number`, 2 for `Binary`) and the value (length and bytes; binary values
/// are base64 in the request)
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation>).
pub fn md5_of_attributes(attributes: &Map<String, Value>) -> String {
    use base64::Engine as _;
    let mut names: Vec<&String> = attributes.keys().collect();
    names.sort();
    let mut bytes = Vec::new();
    let field = |b: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(b);
    };
    for name in names {
        let a = &attributes[name];
        let data_type = a.get("DataType").and_then(Value::as_str).unwrap_or("");
        field(name.as_bytes(), &mut bytes);
        field(data_type.as_bytes(), &mut bytes);
        if let Some(v) = a.get("BinaryValue").and_then(Value::as_str) {
            bytes.push(2);
            let raw = base64::engine::general_purpose::STANDARD
                .decode(v)
                .unwrap_or_else(|_| v.as_bytes().to_vec());
            field(&raw, &mut bytes);
        } else {
            bytes.push(1);
            let v = text_of(a.get("StringValue"));
            field(v.as_bytes(), &mut bytes);
        }
    }
    md5_hex(&bytes)
}

pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A UUID derived from the call's request id and a purpose, so that one call's ids differ from
/// each other and the run stays reproducible.
pub fn derived_uuid(request_id: &str, purpose: &str) -> String {
    let mut d: [u8; 16] = Md5::digest(format!("{request_id}/{purpose}").as_bytes()).into();
    d[6] = (d[6] & 0x0f) | 0x40;
    d[8] = (d[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(d).hyphenated().to_string()
}

/// Hex digits derived from the request id (task ids, trace ids).
pub fn derived_hex(request_id: &str, purpose: &str, len: usize) -> String {
    let mut out = String::new();
    let mut round = 0;
    while out.len() < len {
        out.push_str(&md5_hex(
            format!("{request_id}/{purpose}/{round}").as_bytes(),
        ));
        round += 1;
    }
    out.truncate(len);
    out
}

/// A FIFO sequence number: 20 decimal digits.
fn sequence_number(request_id: &str) -> String {
    let hex = derived_hex(request_id, "sequence", 15);
    let n = u64::from_str_radix(&hex, 16).unwrap_or(0);
    format!("1{n:019}")
}

/// An HTTP `Date` header for a virtual time: `Mon, 01 Jan 2024 00:00:00 GMT`.
pub fn http_date(now: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now)
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

/// Adds `SdkHttpMetadata` (every header both as a list in `AllHttpHeaders` and as a value in
/// `HttpHeaders`) and `SdkResponseMetadata`, as the recorded SQS and SNS responses have them.
pub fn add_metadata(
    out: &mut Map<String, Value>,
    content_type: &str,
    content_length: usize,
    request_id: &str,
    now: i64,
) {
    let headers = [
        ("x-amzn-RequestId", request_id.to_string()),
        ("connection", "keep-alive".to_string()),
        ("Content-Length", content_length.to_string()),
        ("Date", http_date(now)),
        ("Content-Type", content_type.to_string()),
    ];
    out.insert("SdkHttpMetadata".into(), http_metadata(&headers));
    out.insert(
        "SdkResponseMetadata".into(),
        json!({"RequestId": request_id}),
    );
}

/// `{"AllHttpHeaders": {name: [value]}, "HttpHeaders": {name: value}, "HttpStatusCode": 200}`.
pub fn http_metadata(headers: &[(&str, String)]) -> Value {
    let all: Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!([v])))
        .collect();
    let mut single: Vec<&(&str, String)> = headers.iter().collect();
    single.sort_by_key(|(k, _)| k.to_ascii_lowercase());
    let single: Map<String, Value> = single
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({"AllHttpHeaders": all, "HttpHeaders": single, "HttpStatusCode": 200})
}

/// The name in a queue URL or topic ARN: what follows its last `/` or `:`.
pub fn last_segment(v: Option<&Value>) -> String {
    let s = v.and_then(Value::as_str).unwrap_or("");
    s.rsplit(['/', ':']).next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(resource: &'a str, input: &'a Value) -> Invocation<'a> {
        Invocation {
            state: "S",
            resource,
            input,
            attempt: 0,
            request_id: "id-1",
            now: 1_704_067_200_000,
        }
    }

    #[test]
    fn sqs_send_message_digests_the_body_and_records_it() {
        let input =
            json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q", "MessageBody": "hello"});
        let world = SharedWorld::default();
        let r = simulate(&call("arn:aws:states:::sqs:sendMessage", &input), &world)
            .unwrap()
            .unwrap();
        assert_eq!(r["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
        assert!(r.get("MD5OfMessageAttributes").is_none());
        let id = r["MessageId"].as_str().unwrap();
        assert_eq!(id.len(), 36);
        assert_ne!(id, "id-1");
        // The recorded Content-Length of a body without attributes.
        assert_eq!(r["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"], "106");
        assert_eq!(
            r["SdkHttpMetadata"]["AllHttpHeaders"]["Date"],
            json!(["Mon, 01 Jan 2024 00:00:00 GMT"])
        );
        assert_eq!(r["SdkResponseMetadata"]["RequestId"], "id-1");
        let w = world.lock();
        assert_eq!(w.sqs["q"][0]["Body"], "hello");
        assert_eq!(w.sqs["q"][0]["MessageId"], id);
    }

    #[test]
    fn sqs_json_bodies_are_sent_as_compact_text() {
        let input = json!({"QueueUrl": "q", "MessageBody": {"a": [1, 2]}});
        let world = SharedWorld::default();
        simulate(&call("arn:aws:states:::sqs:sendMessage", &input), &world);
        assert_eq!(world.lock().sqs["q"][0]["Body"], "{\"a\":[1,2]}");
    }

    #[test]
    fn message_attribute_digest_follows_the_sqs_algorithm() {
        // One String attribute: name "a", type "String", value "b":
        // 00000001 'a' 00000006 'String' 01 00000001 'b'.
        let attrs = json!({"a": {"DataType": "String", "StringValue": "b"}});
        let mut expected = Vec::new();
        expected.extend_from_slice(&[0, 0, 0, 1, b'a', 0, 0, 0, 6]);
        expected.extend_from_slice(b"String");
        expected.extend_from_slice(&[1, 0, 0, 0, 1, b'b']);
        assert_eq!(
            md5_of_attributes(attrs.as_object().unwrap()),
            md5_hex(&expected)
        );
        // Names are taken in order whatever order the request gives them.
        let ab = json!({"b": {"DataType": "Number", "StringValue": "1"}, "a": {"DataType": "String", "StringValue": "x"}});
        let ba = json!({"a": {"DataType": "String", "StringValue": "x"}, "b": {"DataType": "Number", "StringValue": "1"}});
        assert_eq!(
            md5_of_attributes(ab.as_object().unwrap()),
            md5_of_attributes(ba.as_object().unwrap())
        );
        let input = json!({"QueueUrl": "q", "MessageBody": "m", "MessageAttributes": attrs});
        let r = simulate(
            &call("arn:aws:states:::sqs:sendMessage", &input),
            &SharedWorld::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r["MD5OfMessageAttributes"], json!(md5_hex(&expected)));
    }

    #[test]
    fn sns_publish_answers_with_the_recorded_shape() {
        let input = json!({"TopicArn": "arn:aws:sns:us-east-1:1:topic", "Message": {"m": 1}});
        let world = SharedWorld::default();
        let r = simulate(&call("arn:aws:states:::sns:publish", &input), &world)
            .unwrap()
            .unwrap();
        assert_eq!(
            r["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"],
            "text/xml"
        );
        assert_eq!(r["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"], "294");
        assert!(r.get("SequenceNumber").is_none());
        assert_eq!(world.lock().sns["topic"][0]["Message"], "{\"m\":1}");
    }

    #[test]
    fn sns_fifo_topics_need_a_message_group() {
        let input = json!({"TopicArn": "arn:aws:sns:us-east-1:1:t.fifo", "Message": "m"});
        let world = SharedWorld::default();
        let f = simulate(&call("arn:aws:states:::sns:publish", &input), &world)
            .unwrap()
            .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("SNS.InvalidParameterException"));
        assert!(world.lock().sns.is_empty());
        let input = json!({"TopicArn": "arn:aws:sns:us-east-1:1:t.fifo", "Message": "m", "MessageGroupId": "g"});
        let r = simulate(&call("arn:aws:states:::sns:publish", &input), &world)
            .unwrap()
            .unwrap();
        assert_eq!(r["SequenceNumber"].as_str().unwrap().len(), 20);
    }
}
