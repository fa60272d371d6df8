//! A case's simulated resources (`environment.resources`, docs/resources.md) made real in the
//! target: before the run, every bucket with its objects, every table with its items, every
//! child state machine, and every SQS queue and SNS topic the definition or input names are
//! created through the AWS SDK under run-scoped names (`aslcheck-<run id>-<n>-<name>`, buckets
//! in lower case); the definition, the input and the child definitions are rewritten to use
//! them; the observation maps them back (so a report shows the names the case was written
//! with); and everything is deleted when the case is judged.
//!
//! Rewriting touches whole JSON strings: a string equal to a bucket or table name, a child state
//! machine ARN, an SQS queue URL or an SNS topic ARN. Names inside JSONata expressions or
//! intrinsic-function arguments are not rewritten, so such a case calls the name as written.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_sfn::types::Tag;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::client::Shared;
use super::service::{classify, Trouble};
use super::RUN_TAG;
use crate::world::World;

/// Something created for one case, deleted when the case is judged.
#[derive(Debug, Clone)]
enum Made {
    Object { bucket: String, key: String },
    Bucket(String),
    Table(String),
    Machine(String),
    Queue(String),
    Topic(String),
}

/// The case as it runs in the target.
#[derive(Debug, Default)]
pub(super) struct Provisioned {
    pub definition: Value,
    pub input: Value,
    /// (name in the target, name in the case), longest first, for the observation.
    pub back: Vec<(String, String)>,
    made: Vec<Made>,
}

/// Names of the case's resources → their names in the target.
#[derive(Debug, Default)]
struct Names {
    exact: BTreeMap<String, String>,
}

impl Names {
    fn rewrite(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => match self.exact.get(s) {
                Some(t) => Value::String(t.clone()),
                None => v.clone(),
            },
            Value::Array(a) => Value::Array(a.iter().map(|x| self.rewrite(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), self.rewrite(x)))
                    .collect::<Map<String, Value>>(),
            ),
            _ => v.clone(),
        }
    }
}

/// Every string in `v`.
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The queue name of an SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
fn queue_name(s: &str) -> Option<&str> {
    let rest = s
        .strip_prefix("https://sqs.")
        .or_else(|| s.strip_prefix("http://sqs."))?;
    let (_, path) = rest.split_once('/')?;
    let (account, name) = path.split_once('/')?;
    (!account.is_empty() && !name.is_empty() && !name.contains('/')).then_some(name)
}

/// The topic name of an SNS topic ARN (`arn:aws:sns:<region>:<account>:<name>`).
fn topic_name(s: &str) -> Option<&str> {
    let parts: Vec<&str> = s.split(':').collect();
    (parts.len() == 6 && parts[0] == "arn" && parts[2] == "sns" && !parts[5].is_empty())
        .then(|| parts[5])
}

/// The name of a state machine ARN (`arn:aws:states:<region>:<account>:stateMachine:<name>`).
fn machine_name(s: &str) -> Option<&str> {
    let parts: Vec<&str> = s.split(':').collect();
    (parts.len() == 7 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "stateMachine")
        .then(|| parts[6])
}

/// A run-scoped name within `max` characters: `aslcheck-<run>-<case>-<name>`.
fn scoped(sh: &Shared, case: u64, name: &str, max: usize) -> String {
    let mut s = format!("{}{}-{case}-{name}", super::NAME_PREFIX, sh.run_id);
    s.truncate(max);
    s
}

fn api(op: &'static str, t: Trouble) -> String {
    format!("{op}: {t}")
}

/// Creates the case's world in the target. On failure whatever was created is deleted again and
/// the reason returned (the case is then indeterminate: infrastructure, not a verdict).
pub(super) async fn provision(
    sh: &Shared,
    case: u64,
    world: &World,
    definition: &Value,
    input: &Value,
) -> Result<Provisioned, String> {
    let mut p = Provisioned::default();
    match build(sh, case, world, definition, input, &mut p).await {
        Ok(()) => Ok(p),
        Err(e) => {
            teardown(sh, &p).await;
            Err(format!("the case's resources could not be created: {e}"))
        }
    }
}

async fn build(
    sh: &Shared,
    case: u64,
    world: &World,
    definition: &Value,
    input: &Value,
    p: &mut Provisioned,
) -> Result<(), String> {
    let mut names = Names::default();
    let mut back: Vec<(String, String)> = Vec::new();
    for bucket in world.s3.keys() {
        let t = scoped(sh, case, bucket, 63).to_ascii_lowercase();
        names.exact.insert(bucket.clone(), t.clone());
        back.push((t, bucket.clone()));
    }
    for table in world.dynamodb.keys() {
        let t = scoped(sh, case, table, 255);
        names.exact.insert(table.clone(), t.clone());
        back.push((t, table.clone()));
    }
    // Queues and topics are named by the definitions and the input, not declared.
    let mut texts = Vec::new();
    strings(definition, &mut texts);
    strings(input, &mut texts);
    for child in world.states.values() {
        strings(&child.definition, &mut texts);
    }
    let queues: BTreeMap<String, String> = texts
        .iter()
        .filter_map(|s| queue_name(s).map(|n| (s.to_string(), n.to_string())))
        .collect();
    let topics: BTreeMap<String, String> = texts
        .iter()
        .filter_map(|s| topic_name(s).map(|n| (s.to_string(), n.to_string())))
        .collect();

    let s3 = s3_client(sh);
    for (bucket, content) in &world.s3 {
        let name = names.exact[bucket].clone();
        s3.create_bucket()
            .bucket(&name)
            .send()
            .await
            .map_err(|e| api("CreateBucket", classify("CreateBucket", sh.endpoint, &e)))?;
        p.made.push(Made::Bucket(name.clone()));
        for (key, object) in &content.objects {
            s3.put_object()
                .bucket(&name)
                .key(key)
                .body(object.body.clone().into())
                .send()
                .await
                .map_err(|e| api("PutObject", classify("PutObject", sh.endpoint, &e)))?;
            p.made.push(Made::Object {
                bucket: name.clone(),
                key: key.clone(),
            });
        }
    }

    let ddb = aws_sdk_dynamodb::Client::new(&sh.sdk);
    for (table, content) in &world.dynamodb {
        let name = names.exact[table].clone();
        let mut create = ddb
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .tags(
                aws_sdk_dynamodb::types::Tag::builder()
                    .key(RUN_TAG)
                    .value(&sh.run_id)
                    .build()
                    .map_err(|e| format!("CreateTable: {e}"))?,
            );
        for k in &content.key_schema {
            let kind = content
                .items
                .first()
                .and_then(|i| i.get(&k.name))
                .and_then(Value::as_object)
                .and_then(|o| o.keys().next().cloned())
                .unwrap_or_else(|| "S".into());
            let kind = match kind.as_str() {
                "N" => ScalarAttributeType::N,
                "B" => ScalarAttributeType::B,
                _ => ScalarAttributeType::S,
            };
            create = create
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name(&k.name)
                        .key_type(if k.key_type == "RANGE" {
                            KeyType::Range
                        } else {
                            KeyType::Hash
                        })
                        .build()
                        .map_err(|e| format!("CreateTable: {e}"))?,
                )
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(&k.name)
                        .attribute_type(kind)
                        .build()
                        .map_err(|e| format!("CreateTable: {e}"))?,
                );
        }
        create
            .send()
            .await
            .map_err(|e| api("CreateTable", classify("CreateTable", sh.endpoint, &e)))?;
        p.made.push(Made::Table(name.clone()));
        wait_for_table(&ddb, sh, &name).await?;
        for item in &content.items {
            let mut put = ddb.put_item().table_name(&name);
            for (attr, value) in item {
                put = put.item(attr, attribute(value)?);
            }
            put.send()
                .await
                .map_err(|e| api("PutItem", classify("PutItem", sh.endpoint, &e)))?;
        }
    }

    let sqs = aws_sdk_sqs::Client::new(&sh.sdk);
    let mut created_queues: BTreeMap<String, String> = BTreeMap::new();
    for (url, queue) in &queues {
        let created = match created_queues.get(queue) {
            Some(u) => u.clone(),
            None => {
                let fifo = queue.ends_with(".fifo");
                let mut name = scoped(sh, case, queue, if fifo { 75 } else { 80 });
                if fifo && !name.ends_with(".fifo") {
                    name = format!("{}.fifo", name.trim_end_matches(".fifo"));
                }
                let mut req = sqs.create_queue().queue_name(&name);
                if fifo {
                    req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true");
                }
                let out = req
                    .send()
                    .await
                    .map_err(|e| api("CreateQueue", classify("CreateQueue", sh.endpoint, &e)))?;
                let u = out.queue_url().unwrap_or_default().to_string();
                p.made.push(Made::Queue(u.clone()));
                created_queues.insert(queue.clone(), u.clone());
                u
            }
        };
        names.exact.insert(url.clone(), created.clone());
        back.push((created, url.clone()));
    }

    let sns = aws_sdk_sns::Client::new(&sh.sdk);
    for (arn, topic) in &topics {
        let name = scoped(sh, case, topic, 256);
        let out = sns
            .create_topic()
            .name(&name)
            .send()
            .await
            .map_err(|e| api("CreateTopic", classify("CreateTopic", sh.endpoint, &e)))?;
        let created = out.topic_arn().unwrap_or_default().to_string();
        p.made.push(Made::Topic(created.clone()));
        names.exact.insert(arn.clone(), created.clone());
        back.push((created, arn.clone()));
    }

    // Child machines: the parent names them by ARN; their own definitions may name the other
    // resources, so they are rewritten too (a child naming another child is created after it).
    let region = sh.sdk.region().map(|r| r.to_string()).unwrap_or_default();
    let mut child_arns: Vec<(String, String)> = Vec::new();
    for s in &texts {
        if let Some(n) = machine_name(s) {
            if world.states.contains_key(n) && !child_arns.iter().any(|(a, _)| a == s) {
                child_arns.push((s.to_string(), n.to_string()));
            }
        }
    }
    for (name, child) in &world.states {
        let target = scoped(sh, case, name, 80);
        let text = serde_json::to_string(&names.rewrite(&child.definition))
            .map_err(|e| format!("a child definition: {e}"))?;
        let out = sh
            .client
            .create_state_machine()
            .name(&target)
            .definition(text)
            .role_arn(&sh.role_arn)
            .r#type(if child.express {
                aws_sdk_sfn::types::StateMachineType::Express
            } else {
                aws_sdk_sfn::types::StateMachineType::Standard
            })
            .tags(Tag::builder().key(RUN_TAG).value(&sh.run_id).build())
            .send()
            .await
            .map_err(|e| {
                api(
                    "CreateStateMachine",
                    classify("CreateStateMachine", sh.endpoint, &e),
                )
            })?;
        let created = out.state_machine_arn().to_string();
        p.made.push(Made::Machine(created.clone()));
        let mut written = false;
        for (arn, n) in &child_arns {
            if n == name {
                names.exact.insert(arn.clone(), created.clone());
                back.push((created.clone(), arn.clone()));
                written = true;
            }
        }
        if !written {
            let arn = format!(
                "arn:aws:states:{region}:{}:stateMachine:{name}",
                super::PLACEHOLDER_ACCOUNT
            );
            back.push((created.clone(), arn));
        }
        // The child's executions are named after the machine too
        // (`…:execution:<machine>:<name>`, `…:express:<machine>:<name>:<id>`).
        let case_arn = back.last().map(|(_, a)| a.clone()).unwrap_or_default();
        for kind in ["execution", "express"] {
            let of = |arn: &str| arn.replacen(":stateMachine:", &format!(":{kind}:"), 1) + ":";
            back.push((of(&created), of(&case_arn)));
        }
    }
    p.definition = names.rewrite(definition);
    p.input = names.rewrite(input);
    back.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
    p.back = back;
    Ok(())
}

/// An S3 client on the run's configuration, with path-style addressing (emulators on
/// 127.0.0.1 have no per-bucket host names).
fn s3_client(sh: &Shared) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sh.sdk)
            .force_path_style(true)
            .build(),
    )
}

/// Waits (briefly) until a new table is ACTIVE: AWS creates tables asynchronously.
async fn wait_for_table(
    ddb: &aws_sdk_dynamodb::Client,
    sh: &Shared,
    name: &str,
) -> Result<(), String> {
    for _ in 0..120 {
        let d = ddb
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| api("DescribeTable", classify("DescribeTable", sh.endpoint, &e)))?;
        let active = d
            .table()
            .and_then(|t| t.table_status())
            .is_none_or(|s| *s == aws_sdk_dynamodb::types::TableStatus::Active);
        if active {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Err(format!(
        "the table {name} did not become ACTIVE within a minute"
    ))
}

/// A DynamoDB JSON attribute value (checked when the world was read) as the SDK's type.
fn attribute(v: &Value) -> Result<AttributeValue, String> {
    let bad = || format!("not an attribute value: {v}");
    let (t, inner) = v
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or_else(bad)?;
    let text = |x: &Value| x.as_str().map(str::to_string).ok_or_else(bad);
    let texts = |x: &Value| -> Result<Vec<String>, String> {
        x.as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|y| y.as_str().map(str::to_string).ok_or_else(bad))
            .collect()
    };
    let blob = |s: &str| -> Result<aws_sdk_dynamodb::primitives::Blob, String> {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(aws_sdk_dynamodb::primitives::Blob::new)
            .map_err(|e| format!("{s:?} is not base64: {e}"))
    };
    Ok(match t.as_str() {
        "S" => AttributeValue::S(text(inner)?),
        "N" => AttributeValue::N(text(inner)?),
        "B" => AttributeValue::B(blob(&text(inner)?)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or_else(bad)?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(texts(inner)?),
        "NS" => AttributeValue::Ns(texts(inner)?),
        "BS" => AttributeValue::Bs(
            texts(inner)?
                .iter()
                .map(|s| blob(s))
                .collect::<Result<_, _>>()?,
        ),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(attribute)
                .collect::<Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(
            inner
                .as_object()
                .ok_or_else(bad)?
                .iter()
                .map(|(k, x)| attribute(x).map(|a| (k.clone(), a)))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(bad()),
    })
}

/// Deletes what [`provision`] created, newest first. Failures are reported, not fatal: the
/// resources carry the run's name prefix and tag for a manual sweep.
pub(super) async fn teardown(sh: &Shared, p: &Provisioned) {
    if p.made.is_empty() {
        return;
    }
    let s3 = s3_client(sh);
    let ddb = aws_sdk_dynamodb::Client::new(&sh.sdk);
    let sqs = aws_sdk_sqs::Client::new(&sh.sdk);
    let sns = aws_sdk_sns::Client::new(&sh.sdk);
    for m in p.made.iter().rev() {
        let r = match m {
            Made::Object { bucket, key } => s3
                .delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("DeleteObject", sh.endpoint, &e).to_string()),
            Made::Bucket(b) => delete_bucket(&s3, sh, b).await,
            Made::Table(t) => ddb
                .delete_table()
                .table_name(t)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("DeleteTable", sh.endpoint, &e).to_string()),
            Made::Machine(arn) => super::cleanup::delete_machine(&sh.client, arn)
                .await
                .map_err(|t| t.to_string()),
            Made::Queue(url) => sqs
                .delete_queue()
                .queue_url(url)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("DeleteQueue", sh.endpoint, &e).to_string()),
            Made::Topic(arn) => sns
                .delete_topic()
                .topic_arn(arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("DeleteTopic", sh.endpoint, &e).to_string()),
        };
        if let Err(e) = r {
            eprintln!("sfn-api: could not delete {m:?}: {e}");
        }
    }
}

/// Empties a bucket of what the execution wrote into it (e.g. ResultWriter files), then
/// deletes it.
async fn delete_bucket(s3: &aws_sdk_s3::Client, sh: &Shared, bucket: &str) -> Result<(), String> {
    let mut token = None;
    loop {
        let out = s3
            .list_objects_v2()
            .bucket(bucket)
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| classify("ListObjectsV2", sh.endpoint, &e).to_string())?;
        for o in out.contents() {
            if let Some(k) = o.key() {
                let _ = s3.delete_object().bucket(bucket).key(k).send().await;
            }
        }
        match out.next_continuation_token() {
            Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => break,
        }
    }
    s3.delete_bucket()
        .bucket(bucket)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| classify("DeleteBucket", sh.endpoint, &e).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_in_urls_and_arns() {
        assert_eq!(
            queue_name("https://sqs.us-east-1.amazonaws.com/123456789012/jobs"),
            Some("jobs")
        );
        assert_eq!(queue_name("https://example.com/a/b"), None);
        assert_eq!(
            topic_name("arn:aws:sns:us-east-1:123456789012:alerts"),
            Some("alerts")
        );
        assert_eq!(topic_name("arn:aws:sqs:us-east-1:123456789012:x"), None);
        assert_eq!(
            machine_name("arn:aws:states:us-east-1:123456789012:stateMachine:Child"),
            Some("Child")
        );
        assert_eq!(
            machine_name("arn:aws:states:us-east-1:123456789012:execution:Child:e"),
            None
        );
    }

    #[test]
    fn rewriting_replaces_whole_strings_only() {
        let mut n = Names::default();
        n.exact
            .insert("Orders".into(), "aslcheck-x-1-Orders".into());
        let v = json!({"TableName": "Orders", "Note": "Orders table", "L": ["Orders"]});
        assert_eq!(
            n.rewrite(&v),
            json!({"TableName": "aslcheck-x-1-Orders", "Note": "Orders table", "L": ["aslcheck-x-1-Orders"]})
        );
    }

    #[test]
    fn attribute_values_convert() {
        let v = json!({"M": {"a": {"L": [{"N": "1"}, {"NULL": true}]}, "b": {"B": "AAE="}}});
        match attribute(&v).unwrap() {
            AttributeValue::M(m) => {
                assert!(matches!(&m["a"], AttributeValue::L(l) if l.len() == 2));
                assert!(matches!(&m["b"], AttributeValue::B(b) if b.as_ref() == [0, 1]));
            }
            other => panic!("{other:?}"),
        }
        assert!(attribute(&json!({"B": "%%"})).is_err());
    }
}
