//! Task states calling AWS services through optimized integrations, on resources the case
//! brings in its environment (`environment.resources`, docs/resources.md):
//! - `dynamodb:getItem` of an item the case's table holds
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html>);
//! - `dynamodb:putItem` of a new item into such a table;
//! - `dynamodb:updateItem` (`SET n = n + :inc`, `ReturnValues: UPDATED_NEW`) of the table's
//!   counter item, and `dynamodb:deleteItem` of its retired item: items no other state reads, so
//!   what a state reads does not depend on the order states run in;
//! - `aws-sdk:s3:getObject` of a text object the case's S3 holds
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html>);
//! - `sqs:sendMessage` with a literal body
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html>);
//! - `sns:publish` of a literal message
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html>);
//! - `events:putEvents` of one entry to the default bus
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html>);
//! - `states:startExecution.sync:2` of a child machine the case brings, whose output is JSON
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html>);
//! - `sqs:sendMessage.waitForTaskToken` whose message carries the task token, answered by a
//!   `SendTaskSuccess` from the case's callbacks script (`environment.callbacks`,
//!   docs/callbacks.md; <https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token>);
//! - `ecs:runTask.sync` of a task whose container exits 0 (the task-definition fixture, when
//!   the case brings one, says so; <https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html>);
//! - a Distributed Map reading a JSON, JSONL or CSV object from the case's S3, maybe in
//!   batches, with one failing child under a tolerance, and a `ResultWriter` that exports the
//!   results (maybe COMPACT or FLATTEN).
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
/// The child machine `startExecution.sync:2` starts.
pub(crate) const CHILD_ARN: &str =
    "arn:aws:states:us-east-1:123456789012:stateMachine:AslcheckChild";
/// The Task resources this module emits.
pub(crate) const RESOURCES: [&str; 11] = [
    "arn:aws:states:::dynamodb:getItem",
    "arn:aws:states:::dynamodb:putItem",
    "arn:aws:states:::sqs:sendMessage",
    "arn:aws:states:::sns:publish",
    "arn:aws:states:::events:putEvents",
    "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:::dynamodb:updateItem",
    "arn:aws:states:::dynamodb:deleteItem",
    "arn:aws:states:::aws-sdk:s3:getObject",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::ecs:runTask.sync",
];

/// The ECS cluster and task-definition family `ecs:runTask.sync` runs on.
const CLUSTER: &str = "arn:aws:ecs:us-east-1:123456789012:cluster/aslcheck";
const FAMILY: &str = "aslcheck-worker";

/// The table's items that only `updateItem` and `deleteItem` touch.
const COUNTER: &str = "counter";
const RETIRED: &str = "retired";

const TABLE: &str = "AslcheckItems";
const BUCKET: &str = "aslcheck-data";

impl Gen {
    /// The case's table (created on first use) and the keys of its items.
    fn table(&mut self) -> Vec<String> {
        let tables = self.world.entry("dynamodb").or_insert_with(|| json!({}));
        if tables.get(TABLE).is_none() {
            let mut items: Vec<Value> = (0..3)
                .map(|i| {
                    json!({"id": {"S": format!("item-{i}")}, "n": {"N": (i * 7 + 1).to_string()},
                           "tags": {"SS": ["a", format!("t{i}")]}})
                })
                .collect();
            items.push(json!({"id": {"S": COUNTER}, "n": {"N": "0"}}));
            items.push(json!({"id": {"S": RETIRED}, "n": {"N": "-1"}}));
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
                    .filter(|k| k != COUNTER && k != RETIRED)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The case's bucket (created on first use): its objects by key.
    fn bucket(&mut self) -> &mut Value {
        let s3 = self.world.entry("s3").or_insert_with(|| json!({}));
        if s3.get(BUCKET).is_none() {
            s3[BUCKET] = json!({});
        }
        &mut s3[BUCKET]
    }

    /// The case's child machine (created on first use): a Pass that echoes `n`.
    fn child_machine(&mut self) {
        let states = self.world.entry("states").or_insert_with(|| json!({}));
        if states.get("AslcheckChild").is_none() {
            states["AslcheckChild"] = json!({
                "definition": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass",
                    "Parameters": {"echo.$": "$.n", "child": true}, "End": true}}},
                "type": "STANDARD"
            });
        }
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
            w.eventbridge_put_events,
            w.start_execution_sync,
            w.dynamodb_update_item,
            w.dynamodb_delete_item,
            w.s3_get_object,
            w.sqs_wait_for_task_token,
            w.ecs_run_task_sync,
        ];
        let weights = if weights.iter().all(|&x| x == 0) {
            [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        } else {
            weights
        };
        let mut which = self.t.weighted(&weights);
        self.uses_services = true;
        if which == 4 {
            // The Map's child state needs one more state of the budget, and its processor is
            // one more level of nesting.
            if self.free() > 0 && ctx.depth < self.cfg.max_depth {
                return self.distributed_map(ctx, acc, links, here, raw);
            }
            which = 0;
        }
        // The table of RESOURCES has no Distributed Map entry.
        let which = if which > 4 { which - 1 } else { which };
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
            3 => {
                let text = format!("event {}", self.t.range(0, 999));
                m.insert(
                    "Parameters".into(),
                    json!({"TopicArn": TOPIC_ARN, "Message": text}),
                );
                None
            }
            4 => {
                // The entries' event ids are per request: keep the failure count.
                let n = self.t.range(0, 99);
                m.insert(
                    "Parameters".into(),
                    json!({"Entries": [{"Source": "aslcheck.generated", "DetailType": "Generated",
                                        "Detail": {"n": n}}]}),
                );
                m.insert(
                    "ResultSelector".into(),
                    json!({"failed.$": "$.FailedEntryCount"}),
                );
                Some(Shape::obj(vec![("failed", Shape::of(&json!(0)))]))
            }
            6 => {
                // Every run of the state adds to the counter, so its value is not known here.
                self.table();
                let inc = self.t.range(1, 9);
                m.insert(
                    "Parameters".into(),
                    json!({"TableName": TABLE, "Key": {"id": {"S": COUNTER}},
                           "UpdateExpression": "SET n = n + :inc",
                           "ExpressionAttributeValues": {":inc": {"N": inc.to_string()}},
                           "ReturnValues": "UPDATED_NEW"}),
                );
                m.insert(
                    "ResultSelector".into(),
                    json!({"Attributes.$": "$.Attributes"}),
                );
                Some(Shape::obj(vec![(
                    "Attributes",
                    Shape::obj(vec![("n", Shape::obj(vec![("N", Shape::Str(None))]))]),
                )]))
            }
            7 => {
                // Deleting an item that is gone already succeeds: the state may run again.
                self.table();
                m.insert(
                    "Parameters".into(),
                    json!({"TableName": TABLE, "Key": {"id": {"S": RETIRED}}}),
                );
                None
            }
            8 => {
                let text = format!("note {}", self.t.range(0, 999));
                let key = format!("notes/note-{}.txt", self.t.range(0, 9));
                // One key, one text: a second state reading the key reads what the first wrote.
                let bucket = self.bucket();
                let text = match bucket.get(&key).and_then(Value::as_str) {
                    Some(t) => t.to_string(),
                    None => {
                        bucket[&key] = json!(text);
                        text
                    }
                };
                m.insert("Parameters".into(), json!({"Bucket": BUCKET, "Key": key}));
                m.insert("ResultSelector".into(), json!({"body.$": "$.Body"}));
                Some(Shape::obj(vec![("body", Shape::Str(Some(text)))]))
            }
            9 => {
                // The message carries the task token; the case's callbacks script answers it
                // (SendTaskSuccess) a while later, within the state's timeout.
                let job = self.t.range(0, 999);
                let after = self.t.range(1, 600);
                let approved = self.t.range(0, 1) == 1;
                m.insert(
                    "Parameters".into(),
                    json!({"QueueUrl": QUEUE_URL, "MessageBody.$": "$$.Task.Token"}),
                );
                if self.t.range(0, 1) == 1 {
                    m.insert(
                        "TimeoutSeconds".into(),
                        json!(after + self.t.range(1, 3600)),
                    );
                }
                let output = json!({"job": job, "approved": approved});
                self.callbacks
                    .push(json!({"State": name, "AfterSeconds": after,
                                           "Success": output}));
                self.time += ctx.mult * after as f64;
                Some(Shape::of(&output))
            }
            10 => {
                // The task runs to its end; what its container exits with is the case's
                // task-definition fixture (0 here: a failing container's cause carries ids).
                if self.t.range(0, 1) == 1 {
                    let ecs = self.world.entry("ecs").or_insert_with(|| json!({}));
                    ecs[FAMILY] = json!({"containers": [{"name": "app", "exitCode": 0}]});
                }
                let mut params = json!({"Cluster": CLUSTER, "TaskDefinition": FAMILY});
                if self.t.range(0, 1) == 1 {
                    params["LaunchType"] = json!("FARGATE");
                }
                m.insert("Parameters".into(), params);
                m.insert(
                    "ResultSelector".into(),
                    json!({"status.$": "$.LastStatus", "stop.$": "$.StopCode",
                           "exit.$": "$.Containers[0].ExitCode"}),
                );
                Some(Shape::of(
                    &json!({"status": "STOPPED", "stop": "EssentialContainerExited", "exit": 0}),
                ))
            }
            _ => {
                // The child echoes its input's number: `.sync:2` gives its output as JSON.
                self.child_machine();
                let n = self.t.range(0, 99);
                m.insert(
                    "Parameters".into(),
                    json!({"StateMachineArn": CHILD_ARN, "Input": {"n": n}}),
                );
                m.insert("ResultSelector".into(), json!({"output.$": "$.Output"}));
                Some(Shape::obj(vec![(
                    "output",
                    Shape::of(&json!({"echo": n, "child": true})),
                )]))
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
    /// A Distributed Map reading its items from the case's S3 with an `ItemReader` (a JSON
    /// array, JSON Lines, or CSV with a header row), maybe in batches of `MaxItemsPerBatch`;
    /// each child runs a Pass (or, under a tolerance, a Choice that fails one item). The result
    /// is the children's outputs in order, or, with a `ResultWriter` (maybe COMPACT or FLATTEN),
    /// an export of which only the bucket is kept. Tolerated failures discard the result (a failed child's record has generated
    /// names and dates).
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
        let stem = format!("input/items-{}", self.t.range(0, 99));
        let (key, body, config, seen) = match self.t.range(0, 2) {
            0 => (
                format!("{stem}.json"),
                serde_json::to_string(&items).unwrap_or_default(),
                json!({"InputType": "JSON"}),
                items.clone(),
            ),
            1 => (
                format!("{stem}.jsonl"),
                items
                    .iter()
                    .map(|i| serde_json::to_string(i).unwrap_or_default() + "\n")
                    .collect(),
                json!({"InputType": "JSONL"}),
                items.clone(),
            ),
            // CSV fields are strings.
            _ => (
                format!("{stem}.csv"),
                std::iter::once("id,label\n".to_string())
                    .chain((0..n).map(|i| format!("{i},item-{i}\n")))
                    .collect(),
                json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}),
                (0..n)
                    .map(|i| json!({"id": i.to_string(), "label": format!("item-{i}")}))
                    .collect(),
            ),
        };
        self.bucket()[&key] = json!(body);
        let mut m = self.new_state("Map");
        m.insert(
            "ItemReader".into(),
            json!({"Resource": "arn:aws:states:::s3:getObject",
                   "ReaderConfig": config,
                   "Parameters": {"Bucket": BUCKET, "Key": key}}),
        );
        // The children's inputs: the items, or batches `{"Items": [...]}`.
        let inputs: Vec<Value> = if self.t.flag(0.3) {
            let per = self.t.range(1, 3) as usize;
            m.insert("ItemBatcher".into(), json!({"MaxItemsPerBatch": per}));
            seen.chunks(per).map(|c| json!({"Items": c})).collect()
        } else {
            seen
        };
        // Under a tolerance the child fails on item-1, and the count tolerates exactly the
        // failures or more (AWS fails a Map Run whose failures exceed it).
        let tolerant = !inputs.is_empty()
            && m.get("ItemBatcher").is_none()
            && self.free() > 2
            && self.t.flag(0.3);
        let processor = if tolerant {
            let check = self.alloc("Choice");
            let fail = self.alloc("Fail");
            let pass = self.alloc("Pass");
            let failures = usize::from(n >= 2);
            m.insert(
                "ToleratedFailureCount".into(),
                json!(failures as i64 + self.t.range(0, 1)),
            );
            json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                   "StartAt": check,
                   "States": {
                       check.clone(): {"Type": "Choice",
                           "Choices": [{"Variable": "$.label", "StringEquals": "item-1", "Next": fail}],
                           "Default": pass},
                       fail.clone(): {"Type": "Fail", "Error": "Generated.ItemFailed", "Cause": "item-1"},
                       pass.clone(): {"Type": "Pass", "End": true}}})
        } else {
            let item_state = self.alloc("Pass");
            json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                   "StartAt": item_state,
                   "States": {item_state.clone(): {"Type": "Pass", "End": true}}})
        };
        m.insert("ItemProcessor".into(), processor);
        if self.t.flag(0.5) {
            m.insert("MaxConcurrency".into(), json!(self.t.range(1, 3)));
        }
        let result = match self.t.range(0, 5) {
            0 | 1 => Some(Shape::of(&Value::Array(inputs))),
            // An export, maybe transformed (asl-validator 4.0.0 refuses the WriterConfig-only
            // form, so it is not drawn): the Map Run ARN and the key carry a generated id, so
            // only the bucket is kept.
            k => {
                let mut writer = json!({"Resource": "arn:aws:states:::s3:putObject",
                                        "Parameters": {"Bucket": BUCKET, "Prefix": "results"}});
                if k > 2 {
                    let how = if k == 3 { "COMPACT" } else { "FLATTEN" };
                    writer["WriterConfig"] = json!({"Transformation": how, "OutputType": "JSON"});
                }
                m.insert("ResultWriter".into(), writer);
                m.insert(
                    "ResultSelector".into(),
                    json!({"bucket.$": "$.ResultWriterDetails.Bucket"}),
                );
                Some(Shape::obj(vec![(
                    "bucket",
                    Shape::Str(Some(BUCKET.into())),
                )]))
            }
        };
        let out = match result {
            Some(r) if !tolerant => {
                let (rp, out) = self.result_path(ctx, &raw, r, false, &name, false);
                if let Some(rp) = rp {
                    m.insert("ResultPath".into(), rp);
                }
                out
            }
            _ => {
                m.remove("ResultSelector");
                m.insert("ResultPath".into(), Value::Null);
                raw.clone()
            }
        };
        self.time += ctx.mult * 2.0;
        links.out_vars = self.vars.clone();
        let escaping = self.maybe_catch(ctx, acc, links, here, &mut m, &raw, Errs::new(), false);
        acc.errs.extend(escaping);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}

/// The environment member of the callbacks script that answers the machine's
/// `.waitForTaskToken` states (docs/callbacks.md), when it has any.
pub(crate) fn callbacks(g: &Gen) -> Option<Value> {
    (!g.callbacks.is_empty()).then(|| json!({"Callbacks": g.callbacks}))
}

/// The environment member of the resources the machine uses: present whenever a Task calls a
/// service (an empty world still says that the case runs on simulated resources).
pub(crate) fn resources(g: &Gen) -> Option<Value> {
    g.uses_services.then(|| Value::Object(g.world.clone()))
}
