//! Task states calling AWS services through optimized integrations, on resources the case
//! brings in its environment (`environment.resources`, docs/resources.md):
//! - `dynamodb:getItem` of an item the case's table holds
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html>);
//! - `dynamodb:putItem` of a new item into such a table;
//! - `sqs:sendMessage` with a literal body
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html>);
//! - `sns:publish` of a literal message
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html>);
//! - a Distributed Map reading a JSON array from the case's S3 (and maybe exporting its results
//!   with a `ResultWriter`).
//!
//! Responses carry per-request members (request ids, HTTP headers, message ids), so each state
//! keeps only what is the same everywhere: a `ResultSelector` that picks `Item`, or the MD5 of
//! the body; put and publish discard their result (`ResultPath: null`). The world the machine
//! changes is the case's, so a backend that provisions it (sfn-api) or simulates it (the
//! reference) runs the same case.

use md5::{Digest, Md5};
use serde_json::{json, Value};

use crate::gen::graph::{Here, Links};
use crate::gen::{Acc, Ctx, Errs, Gen};
use crate::shape::Shape;

/// The queue URL and topic ARN the generated machines use (account and region of the
/// placeholder ARNs).
pub(crate) const QUEUE_URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/aslcheck-jobs";
pub(crate) const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:aslcheck-events";
/// The Task resources this module emits.
pub(crate) const RESOURCES: [&str; 4] = [
    "arn:aws:states:::dynamodb:getItem",
    "arn:aws:states:::dynamodb:putItem",
    "arn:aws:states:::sqs:sendMessage",
    "arn:aws:states:::sns:publish",
];

const TABLE: &str = "AslcheckItems";
const BUCKET: &str = "aslcheck-data";

impl Gen {
    /// The case's table (created on first use) and the keys of its items.
    fn table(&mut self) -> Vec<String> {
        let tables = self.world.entry("dynamodb").or_insert_with(|| json!({}));
        if tables.get(TABLE).is_none() {
            let items: Vec<Value> = (0..3)
                .map(|i| {
                    json!({"id": {"S": format!("item-{i}")}, "n": {"N": (i * 7 + 1).to_string()},
                           "tags": {"SS": ["a", format!("t{i}")]}})
                })
                .collect();
            tables[TABLE] = json!({
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "Items": items,
            });
        }
        tables[TABLE]["Items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["id"]["S"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A Task on one of [`RESOURCES`]; `raw` is the state's input shape.
    pub(crate) fn service_task(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let w = &self.cfg.services;
        let weights = [
            w.dynamodb_get_item,
            w.dynamodb_put_item,
            w.sqs_send_message,
            w.sns_publish,
            w.distributed_map,
        ];
        let weights = if weights.iter().all(|&x| x == 0) {
            [1, 1, 1, 1, 0]
        } else {
            weights
        };
        let mut which = self.t.weighted(&weights);
        self.uses_services = true;
        if which == 4 {
            // The Map's child state needs one more state of the budget.
            if self.free() > 0 {
                return self.distributed_map(ctx, acc, links, here, raw);
            }
            which = 0;
        }
        let mut m = self.new_state("Task");
        m.insert("Resource".into(), json!(RESOURCES[which]));
        let result: Option<Shape> = match which {
            0 => {
                let keys = self.table();
                let key = self.t.pick(&keys).clone();
                m.insert(
                    "Parameters".into(),
                    json!({"TableName": TABLE, "Key": {"id": {"S": key}}}),
                );
                m.insert("ResultSelector".into(), json!({"Item.$": "$.Item"}));
                let item = self.world["dynamodb"][TABLE]["Items"]
                    .as_array()
                    .and_then(|a| a.iter().find(|i| i["id"]["S"] == json!(key)))
                    .cloned()
                    .unwrap_or(Value::Null);
                Some(Shape::obj(vec![("Item", Shape::of(&item))]))
            }
            1 => {
                self.table();
                let id = format!("new-{}", self.t.range(0, 999));
                let n = self.t.range(0, 100);
                m.insert(
                    "Parameters".into(),
                    json!({"TableName": TABLE, "Item": {"id": {"S": id}, "n": {"N": n.to_string()}}}),
                );
                None
            }
            2 => {
                let body = format!("message {}", self.t.range(0, 999));
                let md5: String = Md5::digest(body.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                m.insert(
                    "Parameters".into(),
                    json!({"QueueUrl": QUEUE_URL, "MessageBody": body}),
                );
                m.insert(
                    "ResultSelector".into(),
                    json!({"md5.$": "$.MD5OfMessageBody"}),
                );
                Some(Shape::obj(vec![("md5", Shape::Str(Some(md5)))]))
            }
            _ => {
                let text = format!("event {}", self.t.range(0, 999));
                m.insert(
                    "Parameters".into(),
                    json!({"TopicArn": TOPIC_ARN, "Message": text}),
                );
                None
            }
        };
        let out = match result {
            Some(r) => {
                let (rp, out) = self.result_path(ctx, &raw, r, false, &name, false);
                if let Some(rp) = rp {
                    m.insert("ResultPath".into(), rp);
                }
                out
            }
            None => {
                m.insert("ResultPath".into(), Value::Null);
                raw.clone()
            }
        };
        // A round trip to a real service takes a moment.
        self.time += ctx.mult * 0.5;
        links.out_vars = self.vars.clone();
        let escaping = self.maybe_catch(ctx, acc, links, here, &mut m, &raw, Errs::new(), true);
        acc.errs.extend(escaping);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}

impl Gen {
    /// A Distributed Map reading a JSON array from the case's S3 with an `ItemReader`, each
    /// item a child running one Pass state; the result is the array of items (in order), or,
    /// with a `ResultWriter`, the export's description, of which only the bucket is kept.
    fn distributed_map(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let n = self.t.range(0, 4) as usize;
        let items: Vec<Value> = (0..n)
            .map(|i| json!({"id": i, "label": format!("item-{i}")}))
            .collect();
        let key = format!("input/items-{}.json", self.t.range(0, 99));
        let s3 = self.world.entry("s3").or_insert_with(|| json!({}));
        if s3.get(BUCKET).is_none() {
            s3[BUCKET] = json!({});
        }
        s3[BUCKET][&key] = json!(serde_json::to_string(&items).unwrap_or_default());
        let item_state = self.alloc("Pass");
        let mut m = self.new_state("Map");
        m.insert(
            "ItemReader".into(),
            json!({"Resource": "arn:aws:states:::s3:getObject",
                   "ReaderConfig": {"InputType": "JSON"},
                   "Parameters": {"Bucket": BUCKET, "Key": key}}),
        );
        m.insert(
            "ItemProcessor".into(),
            json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                   "StartAt": item_state,
                   "States": {item_state.clone(): {"Type": "Pass", "End": true}}}),
        );
        if self.t.flag(0.5) {
            m.insert("MaxConcurrency".into(), json!(self.t.range(1, 3)));
        }
        let writer = self.t.flag(0.4);
        let result = if writer {
            m.insert(
                "ResultWriter".into(),
                json!({"Resource": "arn:aws:states:::s3:putObject",
                       "Parameters": {"Bucket": BUCKET, "Prefix": "results"}}),
            );
            // The Map Run ARN and the key carry a generated id: keep the bucket only.
            m.insert(
                "ResultSelector".into(),
                json!({"bucket.$": "$.ResultWriterDetails.Bucket"}),
            );
            Shape::obj(vec![("bucket", Shape::Str(Some(BUCKET.into())))])
        } else {
            Shape::of(&Value::Array(items))
        };
        let (rp, out) = self.result_path(ctx, &raw, result, false, &name, false);
        if let Some(rp) = rp {
            m.insert("ResultPath".into(), rp);
        }
        self.time += ctx.mult * 2.0;
        links.out_vars = self.vars.clone();
        let escaping = self.maybe_catch(ctx, acc, links, here, &mut m, &raw, Errs::new(), false);
        acc.errs.extend(escaping);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}

/// The environment member of the resources the machine uses: present whenever a Task calls a
/// service (an empty world still says that the case runs on simulated resources).
pub(crate) fn resources(g: &Gen) -> Option<Value> {
    g.uses_services.then(|| Value::Object(g.world.clone()))
}
