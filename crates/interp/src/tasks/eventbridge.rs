//! Amazon EventBridge `events:putEvents` (optimized integration,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html>): every entry
//! becomes an event on `world.events[<bus>]` (`default` unless `EventBusName` names one, by name
//! or ARN), with the members EventBridge delivers (`version`, `id`, `detail-type`, `source`,
//! `account`, `time`, `region`, `resources`, `detail`;
//! <https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html>). As the
//! integration page says, the execution and state machine ARNs are appended to each entry's
//! `Resources`.
//!
//! The response is PutEvents' `{"Entries": [{"EventId"}…], "FailedEntryCount": 0}`. An entry
//! EventBridge rejects gets `{"ErrorCode", "ErrorMessage"}` instead, and then the task fails with
//! `EventBridge.FailedEntry`, the whole response as its cause (compact JSON), as the integration
//! page and the recorded AWS runs `test_put_events_no_source` and `test_put_events_malformed_detail`
//! (2025-11-06) show; the accepted entries are still delivered. Rejected: an entry without
//! `Source` (`InvalidArgument`, recorded message), a `Detail` that is not the text of a JSON object
//! (`MalformedDetail`, recorded message), an entry without `DetailType` (`InvalidArgument`,
//! message by analogy, UNVERIFIED). A `Detail` given as a JSON object is sent as its text.

use serde_json::{json, Value};

use super::services::{derived_uuid, last_segment, text_of};
use super::{Execution, Invocation};
use crate::errors::Failure;
use crate::world::{SharedWorld, World};

/// Handles `events:putEvents`; `None` for any other resource.
pub fn invoke(
    call: &Invocation<'_>,
    world: &SharedWorld,
    execution: &Execution,
) -> Option<Result<Value, Failure>> {
    match call.resource {
        "arn:aws:states:::events:putEvents"
        | "arn:aws:states:::events:putEvents.waitForTaskToken" => {}
        _ => return None,
    }
    let entries = call
        .input
        .get("Entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (region, account) = execution.region_account();
    let time = crate::data::timestamp::format_millis(call.now - call.now % 1000);
    let mut results = Vec::new();
    let mut failed = 0;
    let mut delivered = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let text = |k: &str| entry.get(k).and_then(Value::as_str);
        let detail_text = text_of(entry.get("Detail"));
        let detail = serde_json::from_str::<Value>(&detail_text)
            .ok()
            .filter(Value::is_object);
        let rejected = if text("Source").is_none() {
            Some((
                "InvalidArgument",
                "Parameter Source is not valid. Reason: Source is a required argument.",
            ))
        } else if text("DetailType").is_none() {
            Some((
                "InvalidArgument",
                "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
            ))
        } else if detail.is_none() {
            Some(("MalformedDetail", "Detail is malformed."))
        } else {
            None
        };
        if let Some((code, message)) = rejected {
            failed += 1;
            results.push(json!({"ErrorCode": code, "ErrorMessage": message}));
            continue;
        }
        let id = derived_uuid(call.request_id, &format!("event-{i}"));
        let mut resources: Vec<Value> = entry
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !execution.execution_arn.is_empty() {
            resources.push(json!(execution.execution_arn));
            resources.push(json!(execution.state_machine_arn));
        }
        let bus = match entry.get("EventBusName") {
            Some(b) => last_segment(Some(b)),
            None => "default".to_string(),
        };
        delivered.push((
            bus,
            json!({
                "version": "0",
                "id": id,
                "detail-type": text("DetailType"),
                "source": text("Source"),
                "account": account,
                "time": time,
                "region": region,
                "resources": resources,
                "detail": detail,
            }),
        ));
        results.push(json!({"EventId": id}));
    }
    {
        let mut w = world.lock();
        for (bus, event) in delivered {
            World::send(&mut w.events, &bus, event);
        }
    }
    let response = json!({"Entries": results, "FailedEntryCount": failed});
    if failed > 0 {
        return Some(Err(Failure::raised(
            "EventBridge.FailedEntry",
            serde_json::to_string(&response).unwrap_or_default(),
        )));
    }
    Some(Ok(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(input: &'a Value) -> Invocation<'a> {
        Invocation {
            state: "S",
            resource: "arn:aws:states:::events:putEvents",
            input,
            attempt: 0,
            request_id: "r",
            now: 1_704_067_200_123,
        }
    }

    fn execution() -> Execution {
        Execution {
            execution_arn: "arn:aws:states:eu-west-1:111122223333:execution:M:e".into(),
            state_machine_arn: "arn:aws:states:eu-west-1:111122223333:stateMachine:M".into(),
            name: "e".into(),
            start: 0,
        }
    }

    #[test]
    fn events_are_delivered_with_their_attributes() {
        let input = json!({"Entries": [
            {"Source": "my-app.orders", "DetailType": "Order Completed", "Detail": "{\"id\":1}", "EventBusName": "my-event-bus"},
            {"Source": "s", "DetailType": "t", "Detail": {"x": true}}
        ]});
        let world = SharedWorld::default();
        let r = invoke(&call(&input), &world, &execution())
            .unwrap()
            .unwrap();
        assert_eq!(r["FailedEntryCount"], 0);
        assert_eq!(r["Entries"].as_array().unwrap().len(), 2);
        let w = world.lock();
        let e = &w.events["my-event-bus"][0];
        assert_eq!(e["id"], r["Entries"][0]["EventId"]);
        assert_eq!(e["detail-type"], "Order Completed");
        assert_eq!(e["detail"], json!({"id": 1}));
        assert_eq!(e["time"], "2024-01-01T00:00:00Z");
        assert_eq!(e["region"], "eu-west-1");
        assert_eq!(e["account"], "111122223333");
        assert_eq!(
            e["resources"],
            json!([execution().execution_arn, execution().state_machine_arn])
        );
        assert_eq!(w.events["default"][0]["detail"], json!({"x": true}));
    }

    #[test]
    fn rejected_entries_fail_the_task_as_recorded() {
        // test_put_events_no_source: the first entry is accepted, the second has no Source.
        let input = json!({"Entries": [
            {"Detail": {"Message": "HelloWorld1"}, "DetailType": "d", "Source": "some.source"},
            {"Detail": {"Message": "HelloWorld"}, "DetailType": "d"}
        ]});
        let world = SharedWorld::default();
        let f = invoke(&call(&input), &world, &execution())
            .unwrap()
            .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("EventBridge.FailedEntry"));
        let cause: Value = serde_json::from_str(f.cause.as_deref().unwrap()).unwrap();
        assert_eq!(cause["FailedEntryCount"], 1);
        assert_eq!(cause["Entries"][1]["ErrorCode"], "InvalidArgument");
        assert_eq!(
            cause["Entries"][1]["ErrorMessage"],
            "Parameter Source is not valid. Reason: Source is a required argument."
        );
        assert!(cause["Entries"][0]["EventId"].is_string());
        assert_eq!(world.lock().events["default"].len(), 1);
        // test_put_events_malformed_detail: a JSON string is not an object.
        let input =
            json!({"Entries": [{"Detail": "\"jsonstring\"", "DetailType": "d", "Source": "s"}]});
        let f = invoke(&call(&input), &world, &execution())
            .unwrap()
            .unwrap_err();
        assert_eq!(
            f.cause.as_deref(),
            Some("{\"Entries\":[{\"ErrorCode\":\"MalformedDetail\",\"ErrorMessage\":\"Detail is malformed.\"}],\"FailedEntryCount\":1}")
        );
    }
}
