//! Amazon S3 through the AWS SDK integration: `aws-sdk:s3:getObject` and `aws-sdk:s3:putObject`
//! against `world.s3` (<https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html>).
//! Step Functions has no optimized S3 task integration: `arn:aws:states:::s3:getObject` and
//! `…:putObject` are only a Distributed Map's `ItemReader`/`ResultWriter` resources.
//!
//! Shapes, as recorded on AWS (`test_s3_get_object`, `test_s3_put_object`, 2025-11-06):
//! - getObject: `{"AcceptRanges": "bytes", "Body": <text>, "ContentLength", "ContentType":
//!   "binary/octet-stream", "ETag", "LastModified", "Metadata": {}, "ServerSideEncryption":
//!   "AES256"}`;
//! - putObject: `{"ChecksumCRC32", "ChecksumType": "FULL_OBJECT", "ETag", "ServerSideEncryption":
//!   "AES256"}`; a `Body` that is not a string is stored as its compact JSON text (the recorded
//!   ETags of `false` and `{"Dict":"Value"}` are the MD5s of those texts).
//!
//! Errors: a missing bucket is `S3.NoSuchBucketException` with the recorded cause
//! (`test_no_such_bucket`, 2023-06-22); a missing key `S3.NoSuchKeyException`
//! (`test_s3_no_such_key`, 2025-01-22, which records the name; the cause text follows S3's
//! message, UNVERIFIED). `LastModified` is rendered as an RFC 3339 timestamp (UNVERIFIED: the
//! recordings redact it).

use base64::Engine as _;
use serde_json::{json, Value};

use super::services::{derived_hex, text_of};
use super::Invocation;
use crate::errors::Failure;
use crate::world::SharedWorld;

/// Handles the S3 SDK actions; `None` for any other resource.
/// `start` is the execution's start time: when objects that were there before the run were last
/// modified.
pub fn invoke(
    call: &Invocation<'_>,
    world: &SharedWorld,
    start: i64,
) -> Option<Result<Value, Failure>> {
    let action = call
        .resource
        .strip_prefix("arn:aws:states:::aws-sdk:s3:")?
        .trim_end_matches(".waitForTaskToken");
    let bucket = call
        .input
        .get("Bucket")
        .and_then(Value::as_str)
        .unwrap_or("");
    let key = call.input.get("Key").and_then(Value::as_str).unwrap_or("");
    let not_found = |code: &str, message: &str| {
        Failure::raised(
            format!("S3.{code}Exception"),
            format!(
                "{message} (Service: S3, Status Code: 404, Request ID: {}, Extended Request ID: {})",
                derived_hex(call.request_id, "s3-request", 16).to_uppercase(),
                base64::engine::general_purpose::STANDARD
                    .encode(derived_hex(call.request_id, "s3-extended", 48))
            ),
        )
    };
    let mut w = world.lock();
    match action {
        "getObject" => {
            let Some(b) = w.s3.get(bucket) else {
                return Some(Err(not_found(
                    "NoSuchBucket",
                    "The specified bucket does not exist",
                )));
            };
            let Some(o) = b.get(key) else {
                return Some(Err(not_found(
                    "NoSuchKey",
                    "The specified key does not exist.",
                )));
            };
            let modified = o.last_modified.unwrap_or(start);
            Some(Ok(json!({
                "AcceptRanges": "bytes",
                "Body": String::from_utf8_lossy(&o.body),
                "ContentLength": o.body.len(),
                "ContentType": "binary/octet-stream",
                "ETag": o.etag(),
                "LastModified": crate::data::timestamp::format_millis(modified),
                "Metadata": {},
                "ServerSideEncryption": "AES256"
            })))
        }
        "putObject" => {
            let Some(b) = w.s3.get_mut(bucket) else {
                return Some(Err(not_found(
                    "NoSuchBucket",
                    "The specified bucket does not exist",
                )));
            };
            let body = text_of(call.input.get("Body")).into_bytes();
            let crc = base64::engine::general_purpose::STANDARD.encode(crc32(&body).to_be_bytes());
            b.put(key, body, call.now);
            let etag = b.get(key).map(|o| o.etag()).unwrap_or_default();
            Some(Ok(json!({
                "ChecksumCRC32": crc,
                "ChecksumType": "FULL_OBJECT",
                "ETag": etag,
                "ServerSideEncryption": "AES256"
            })))
        }
        _ => None,
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as S3's `ChecksumCRC32`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{s3::Bucket, World};

    fn call<'a>(resource: &'a str, input: &'a Value) -> Invocation<'a> {
        Invocation {
            state: "S",
            resource,
            input,
            attempt: 0,
            request_id: "r",
            now: 1_704_067_200_000,
        }
    }

    fn world() -> SharedWorld {
        let mut w = World::default();
        w.s3.insert("b".into(), Bucket::default());
        SharedWorld::new(w)
    }

    #[test]
    fn put_then_get_gives_the_recorded_checksums() {
        let w = world();
        // Recorded: Body false → ETag md5("false"), ChecksumCRC32 "K81oMA==".
        let input = json!({"Bucket": "b", "Key": "k", "Body": false});
        let r = invoke(
            &call("arn:aws:states:::aws-sdk:s3:putObject", &input),
            &w,
            1_704_067_200_000,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r["ETag"], "\"68934a3e9455fa72420237eb05902327\"");
        assert_eq!(r["ChecksumCRC32"], "K81oMA==");
        let input = json!({"Bucket": "b", "Key": "d", "Body": {"Dict": "Value"}});
        let r = invoke(
            &call("arn:aws:states:::aws-sdk:s3:putObject", &input),
            &w,
            1_704_067_200_000,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r["ETag"], "\"49e31cee5aec8faf3345893addb14346\"");
        assert_eq!(r["ChecksumCRC32"], "hnEfWw==");
        let input = json!({"Bucket": "b", "Key": "k"});
        let r = invoke(
            &call("arn:aws:states:::aws-sdk:s3:getObject", &input),
            &w,
            1_704_067_200_000,
        )
        .unwrap()
        .unwrap();
        assert_eq!(r["Body"], "false");
        assert_eq!(r["ContentLength"], 5);
        assert_eq!(r["LastModified"], "2024-01-01T00:00:00Z");
    }

    #[test]
    fn missing_buckets_and_keys_fail_as_s3_names_them() {
        let w = world();
        let input = json!({"Bucket": "nope", "Key": "k"});
        let f = invoke(
            &call("arn:aws:states:::aws-sdk:s3:getObject", &input),
            &w,
            1_704_067_200_000,
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("S3.NoSuchBucketException"));
        assert!(f.cause.unwrap().starts_with(
            "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: "
        ));
        let input = json!({"Bucket": "b", "Key": "missing"});
        let f = invoke(
            &call("arn:aws:states:::aws-sdk:s3:getObject", &input),
            &w,
            1_704_067_200_000,
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("S3.NoSuchKeyException"));
    }
}
