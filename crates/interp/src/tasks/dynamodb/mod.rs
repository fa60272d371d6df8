//! DynamoDB on the simulated world's tables (docs/integrations/dynamodb.md):
//! - the optimized integration `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`
//!   (<https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html>), whose response
//!   carries the API's members plus `SdkHttpMetadata` and `SdkResponseMetadata`, and whose errors
//!   are `DynamoDB.<exception>` with a cause `<message> (Service: AmazonDynamoDBv2; Status Code:
//!   400; Error Code: <code>; Request ID: <id>; Proxy: null)` — validation errors are
//!   `DynamoDB.AmazonDynamoDBException` (recorded AWS runs in
//!   `tests/aws/services/stepfunctions/v2/services/test_dynamodb_task_service.py` and
//!   `…/error_handling/test_task_service_dynamodb.py` of LocalStack's snapshot files);
//! - the AWS SDK integration `arn:aws:states:::aws-sdk:dynamodb:<action>` (the same four, plus
//!   `query` and `scan`), whose response is the API's answer alone and whose errors are
//!   `DynamoDb.<exception>` with a cause `<message> (Service: DynamoDb, Status Code: 400, Request
//!   ID: <id>)`, validation errors `DynamoDb.DynamoDbException` (recorded runs in
//!   `…/services/test_aws_sdk_task_service.py`, `…/error_handling/test_aws_sdk.py`).
//!
//! Condition, update, projection and key-condition expressions are DynamoDB's ([`expression`]);
//! numbers are exact decimals of up to 38 digits ([`value`]).

pub mod expression;
pub mod value;

use serde_json::{json, Map, Value};

use self::expression::{Placeholders, Step};
use super::{Invocation, Response};
use crate::errors::Failure;
use crate::world::dynamodb::Table;
use crate::world::SharedWorld;

/// Which integration a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Optimized,
    Sdk,
}

/// A DynamoDB API error: exception name (`ResourceNotFoundException`, …) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

fn validation(message: impl Into<String>) -> ApiError {
    ApiError {
        code: "ValidationException",
        message: message.into(),
    }
}

impl From<expression::ExprError> for ApiError {
    fn from(e: expression::ExprError) -> Self {
        validation(e.0)
    }
}

type R<T> = Result<T, ApiError>;

/// Handles DynamoDB resources; `None` for any other resource.
pub fn invoke(call: &Invocation<'_>, world: &SharedWorld) -> Option<Response> {
    let (flavour, action) =
        if let Some(a) = call.resource.strip_prefix("arn:aws:states:::dynamodb:") {
            (Flavour::Optimized, a)
        } else if let Some(a) = call
            .resource
            .strip_prefix("arn:aws:states:::aws-sdk:dynamodb:")
        {
            (Flavour::Sdk, a)
        } else {
            return None;
        };
    let known = match flavour {
        Flavour::Optimized => ["getItem", "putItem", "updateItem", "deleteItem"].contains(&action),
        Flavour::Sdk => [
            "getItem",
            "putItem",
            "updateItem",
            "deleteItem",
            "query",
            "scan",
        ]
        .contains(&action),
    };
    if !known {
        // `.waitForTaskToken` and actions without a simulation fall through to the registry's
        // other handlers (which say clearly that nothing answers them).
        return None;
    }
    let request_id = request_id(call.request_id);
    let result = {
        let mut w = world.lock();
        perform(action, call.input, &mut w.dynamodb)
    };
    Some(match result {
        Ok(members) => Response::ok(match flavour {
            Flavour::Sdk => Value::Object(members),
            Flavour::Optimized => with_metadata(members, &request_id, call.now),
        }),
        Err(e) => Response::err(failure(flavour, &e, &request_id)),
    })
}

/// A DynamoDB request id (52 upper-case letters and digits) from the run's seeded id.
fn request_id(seed: &str) -> String {
    let hex: String = seed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let hex = if hex.is_empty() { "0".to_string() } else { hex };
    hex.chars().cycle().take(52).collect()
}

fn failure(flavour: Flavour, e: &ApiError, request_id: &str) -> Failure {
    let (error, cause) = match flavour {
        Flavour::Optimized => (
            if e.code == "ValidationException" {
                "DynamoDB.AmazonDynamoDBException".to_string()
            } else {
                format!("DynamoDB.{}", e.code)
            },
            format!(
                "{} (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: {}; Request ID: {request_id}; Proxy: null)",
                e.message, e.code
            ),
        ),
        Flavour::Sdk => (
            if e.code == "ValidationException" {
                "DynamoDb.DynamoDbException".to_string()
            } else {
                format!("DynamoDb.{}", e.code)
            },
            format!(
                "{} (Service: DynamoDb, Status Code: 400, Request ID: {request_id})",
                e.message
            ),
        ),
    };
    Failure::raised(&error, cause)
}

/// The optimized integration's answer: the API's members, then the SDK's HTTP metadata.
fn with_metadata(mut members: Map<String, Value>, request_id: &str, now: i64) -> Value {
    let body = serde_json::to_string(&members).unwrap_or_default();
    let crc = crc32(body.as_bytes()).to_string();
    let date = http_date(now);
    let length = body.len().to_string();
    members.insert(
        "SdkHttpMetadata".into(),
        json!({
            "AllHttpHeaders": {
                "Server": ["Server"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "x-amz-crc32": [crc],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/x-amz-json-1.0"]
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/x-amz-json-1.0",
                "Date": date,
                "Server": "Server",
                "x-amz-crc32": crc,
                "x-amzn-RequestId": request_id
            },
            "HttpStatusCode": 200
        }),
    );
    members.insert(
        "SdkResponseMetadata".into(),
        json!({ "RequestId": request_id }),
    );
    Value::Object(members)
}

/// RFC 7231 date of `ms` since the epoch (`Mon, 01 Jan 2024 00:00:00 GMT`).
fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

/// CRC-32 (IEEE), as the `x-amz-crc32` header carries it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn perform(
    action: &str,
    input: &Value,
    tables: &mut std::collections::BTreeMap<String, Table>,
) -> R<Map<String, Value>> {
    let p = input.as_object().cloned().unwrap_or_default();
    let name = table_name(&p)?;
    let table = tables.get_mut(&name).ok_or_else(|| ApiError {
        code: "ResourceNotFoundException",
        message: "Requested resource not found".into(),
    })?;
    let names = p.get("ExpressionAttributeNames").and_then(Value::as_object);
    let values = p
        .get("ExpressionAttributeValues")
        .and_then(Value::as_object);
    let ph = Placeholders { names, values };
    let text = |k: &str| -> R<Option<&str>> {
        match p.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(validation(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must be a string",
                lower_first(k)
            ))),
        }
    };
    let condition = match text("ConditionExpression")? {
        Some(c) => Some(expression::parse_condition(c, "ConditionExpression", &ph)?),
        None => None,
    };
    let return_values = text("ReturnValues")?.unwrap_or("NONE").to_string();
    let mut out = Map::new();
    match action {
        "getItem" => {
            let key = key(&p, table)?;
            let projection = match text("ProjectionExpression")? {
                Some(e) => Some(expression::parse_projection(e, &ph)?),
                None => None,
            };
            if let Some(i) = find(table, &key) {
                let item = &table.items[i];
                let item = match &projection {
                    Some(paths) => expression::project(item, paths),
                    None => item.clone(),
                };
                out.insert("Item".into(), Value::Object(item));
            }
        }
        "putItem" => {
            check_return(&return_values, &["NONE", "ALL_OLD"])?;
            let item = match p.get("Item") {
                Some(Value::Object(m)) => m.clone(),
                None | Some(Value::Null) => return Err(validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")),
                Some(_) => return Err(validation("One or more parameter values were invalid: the item must be a map of attribute values")),
            };
            check_item(&item)?;
            for k in &table.key_schema {
                if !item.contains_key(&k.name) {
                    return Err(validation(format!(
                        "One or more parameter values were invalid: Missing the key {} in the item",
                        k.name
                    )));
                }
            }
            let key: Map<String, Value> = table
                .key_schema
                .iter()
                .map(|k| (k.name.clone(), item[&k.name].clone()))
                .collect();
            let at = find(table, &key);
            let old = at.map(|i| table.items[i].clone());
            check(&condition, old.as_ref())?;
            let item = canonical_item(item);
            match at {
                Some(i) => table.items[i] = item,
                None => table.items.push(item),
            }
            if return_values == "ALL_OLD" {
                if let Some(o) = old {
                    out.insert("Attributes".into(), Value::Object(o));
                }
            }
        }
        "deleteItem" => {
            check_return(&return_values, &["NONE", "ALL_OLD"])?;
            let key = key(&p, table)?;
            let at = find(table, &key);
            let old = at.map(|i| table.items[i].clone());
            check(&condition, old.as_ref())?;
            if let Some(i) = at {
                table.items.remove(i);
            }
            if return_values == "ALL_OLD" {
                if let Some(o) = old {
                    out.insert("Attributes".into(), Value::Object(o));
                }
            }
        }
        "updateItem" => {
            check_return(
                &return_values,
                &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
            )?;
            let key = key(&p, table)?;
            let at = find(table, &key);
            let old = at.map(|i| table.items[i].clone());
            check(&condition, old.as_ref())?;
            let mut item = old.clone().unwrap_or_else(|| key.clone());
            let touched = match text("UpdateExpression")? {
                Some(u) => {
                    let actions = expression::parse_update(u, &ph)?;
                    for a in &actions {
                        if let expression::Action::Set(path, _) | expression::Action::Remove(path) =
                            a
                        {
                            if let (Some(Step::Name(n)), 1) = (path.first(), path.len()) {
                                if table.key_schema.iter().any(|k| &k.name == n) {
                                    return Err(validation(format!("One or more parameter values were invalid: Cannot update attribute {n}. This attribute is part of the key")));
                                }
                            }
                        }
                    }
                    expression::apply(&mut item, &actions)?
                }
                None => Default::default(),
            };
            let item = canonical_item(item);
            let pick = |m: &Map<String, Value>| -> Map<String, Value> {
                m.iter()
                    .filter(|(k, _)| touched.contains_key(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            let attributes = match return_values.as_str() {
                "ALL_OLD" => old.clone(),
                "UPDATED_OLD" => old.as_ref().map(pick),
                "ALL_NEW" => Some(item.clone()),
                "UPDATED_NEW" => Some(pick(&item)),
                _ => None,
            };
            match at {
                Some(i) => table.items[i] = item,
                None => table.items.push(item),
            }
            if let Some(a) = attributes.filter(|a| !a.is_empty()) {
                out.insert("Attributes".into(), Value::Object(a));
            }
        }
        "query" | "scan" => {
            let filter = match text("FilterExpression")? {
                Some(f) => Some(expression::parse_condition(f, "FilterExpression", &ph)?),
                None => None,
            };
            let key_condition = if action == "query" {
                let k = text("KeyConditionExpression")?.ok_or_else(|| {
                    validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
                })?;
                Some(expression::parse_condition(
                    k,
                    "KeyConditionExpression",
                    &ph,
                )?)
            } else {
                None
            };
            let mut scanned = 0;
            let mut items = Vec::new();
            let mut matching: Vec<&Map<String, Value>> = Vec::new();
            for item in &table.items {
                if let Some(k) = &key_condition {
                    if !expression::holds(item, k)? {
                        continue;
                    }
                }
                matching.push(item);
            }
            if let (Some(_), Some(range)) = (
                &key_condition,
                table.key_schema.iter().find(|k| k.key_type == "RANGE"),
            ) {
                matching.sort_by(|a, b| match (a.get(&range.name), b.get(&range.name)) {
                    (Some(x), Some(y)) => value::compare(x, y).unwrap_or(std::cmp::Ordering::Equal),
                    _ => std::cmp::Ordering::Equal,
                });
            }
            for item in matching {
                scanned += 1;
                if let Some(f) = &filter {
                    if !expression::holds(item, f)? {
                        continue;
                    }
                }
                items.push(Value::Object(item.clone()));
            }
            out.insert("Count".into(), json!(items.len()));
            out.insert("Items".into(), Value::Array(items));
            out.insert("ScannedCount".into(), json!(scanned));
        }
        _ => {}
    }
    Ok(out)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn table_name(p: &Map<String, Value>) -> R<String> {
    let name = match p.get("TableName") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => {
            return Err(validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"))
        }
        Some(_) => return Err(validation("1 validation error detected: Value at 'tableName' failed to satisfy constraint: Member must be a string")),
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(validation(format!("1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")));
    }
    if name.len() < 3 || name.len() > 255 {
        return Err(validation(format!("1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")));
    }
    Ok(name)
}

/// The request's `Key`, checked against the table's key schema.
fn key(p: &Map<String, Value>, table: &Table) -> R<Map<String, Value>> {
    let key = match p.get("Key") {
        Some(Value::Object(m)) => m.clone(),
        None | Some(Value::Null) => {
            return Err(validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null"))
        }
        Some(_) => return Err(validation("The provided key element does not match the schema")),
    };
    check_item(&key)?;
    let matches = key.len() == table.key_schema.len()
        && table.key_schema.iter().all(|k| {
            key.get(&k.name).is_some_and(|v| {
                let t = value::type_name(v);
                let want = table
                    .items
                    .iter()
                    .find_map(|i| i.get(&k.name))
                    .and_then(value::type_name);
                matches!(t, Some("S" | "N" | "B")) && (want.is_none() || want == t)
            })
        });
    if !matches {
        return Err(validation(
            "The provided key element does not match the schema",
        ));
    }
    Ok(key)
}

fn check_item(m: &Map<String, Value>) -> R<()> {
    for (name, v) in m {
        if crate::world::dynamodb::check_attribute(v, std::path::Path::new(""), name).is_err() {
            return Err(validation(format!(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes (attribute {name})"
            )));
        }
    }
    Ok(())
}

fn canonical_item(m: Map<String, Value>) -> Map<String, Value> {
    m.into_iter()
        .map(|(k, v)| (k, value::canonical(&v)))
        .collect()
}

fn check_return(v: &str, allowed: &[&str]) -> R<()> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(validation(format!(
            "1 validation error detected: Value '{v}' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        )))
    }
}

fn check(condition: &Option<expression::Cond>, old: Option<&Map<String, Value>>) -> R<()> {
    let Some(c) = condition else { return Ok(()) };
    let empty = Map::new();
    if expression::holds(old.unwrap_or(&empty), c)? {
        Ok(())
    } else {
        Err(ApiError {
            code: "ConditionalCheckFailedException",
            message: "The conditional request failed".into(),
        })
    }
}

/// The index of the item with this key.
fn find(table: &Table, key: &Map<String, Value>) -> Option<usize> {
    table.items.iter().position(|i| {
        table
            .key_schema
            .iter()
            .all(|k| match (i.get(&k.name), key.get(&k.name)) {
                (Some(a), Some(b)) => value::equal(a, b),
                _ => false,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    fn world() -> SharedWorld {
        let w = World::from_json(
            &json!({"dynamodb": {"Orders": {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                            "Items": [{"id": {"S": "o-1"}, "total": {"N": "10"}}]}}}),
            std::path::Path::new("t"),
        )
        .unwrap();
        SharedWorld::new(w)
    }

    fn call(world: &SharedWorld, resource: &str, input: Value) -> Result<Value, Failure> {
        let c = Invocation {
            state: "S",
            resource,
            input: &input,
            attempt: 0,
            request_id: "5b1b5b6e-0000-4000-8000-000000000001",
            now: 1_704_067_200_000,
        };
        match invoke(&c, world) {
            Some(Response::Done { result, .. }) => result,
            other => panic!("{other:?}"),
        }
    }

    const GET: &str = "arn:aws:states:::dynamodb:getItem";
    const UPDATE: &str = "arn:aws:states:::dynamodb:updateItem";

    #[test]
    fn get_item_has_the_item_and_the_sdk_metadata() {
        let w = world();
        let r = call(
            &w,
            GET,
            json!({"TableName": "Orders", "Key": {"id": {"S": "o-1"}}}),
        )
        .unwrap();
        assert_eq!(r["Item"], json!({"id": {"S": "o-1"}, "total": {"N": "10"}}));
        assert_eq!(r["SdkHttpMetadata"]["HttpStatusCode"], 200);
        assert_eq!(
            r["SdkHttpMetadata"]["HttpHeaders"]["Date"],
            "Mon, 01 Jan 2024 00:00:00 GMT"
        );
        let body = serde_json::to_string(&json!({"Item": r["Item"]})).unwrap();
        assert_eq!(
            r["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"],
            body.len().to_string()
        );
        assert_eq!(
            r["SdkResponseMetadata"]["RequestId"]
                .as_str()
                .unwrap()
                .len(),
            52
        );
        let missing = call(
            &w,
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json!({"TableName": "Orders", "Key": {"id": {"S": "none"}}}),
        )
        .unwrap();
        assert_eq!(missing, json!({}));
    }

    #[test]
    fn errors_are_named_per_integration() {
        let w = world();
        let f = call(
            &w,
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "Nope", "Item": {"id": {"S": "x"}}}),
        )
        .unwrap_err();
        assert_eq!(
            f.error.as_deref(),
            Some("DynamoDB.ResourceNotFoundException")
        );
        assert!(f.cause.as_deref().unwrap().starts_with("Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: "));
        let f = call(
            &w,
            "arn:aws:states:::aws-sdk:dynamodb:putItem",
            json!({"TableName": "Orders", "Item": null}),
        )
        .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("DynamoDb.DynamoDbException"));
        assert!(f.cause.as_deref().unwrap().starts_with("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null (Service: DynamoDb, Status Code: 400, Request ID: "));
        let f = call(
            &w,
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "/x", "Item": {}}),
        )
        .unwrap_err();
        assert_eq!(f.error.as_deref(), Some("DynamoDB.AmazonDynamoDBException"));
        let f = call(
            &w,
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "Orders", "Item": {"id": {"S": "o-1"}},
            "ConditionExpression": "attribute_not_exists(id)"}),
        )
        .unwrap_err();
        assert_eq!(
            f.error.as_deref(),
            Some("DynamoDB.ConditionalCheckFailedException")
        );
    }

    #[test]
    fn update_item_applies_the_expression_and_returns_values() {
        let w = world();
        let r = call(&w, UPDATE, json!({"TableName": "Orders", "Key": {"id": {"S": "o-1"}},
            "UpdateExpression": "SET total = total + :d, #s = :s", "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":d": {"N": "2.5"}, ":s": {"S": "PAID"}}, "ReturnValues": "UPDATED_NEW"})).unwrap();
        assert_eq!(
            r["Attributes"],
            json!({"total": {"N": "12.5"}, "status": {"S": "PAID"}})
        );
        let f = call(
            &w,
            UPDATE,
            json!({"TableName": "Orders", "Key": {"id": {"S": "o-1"}},
            "UpdateExpression": "SET id = :s", "ExpressionAttributeValues": {":s": {"S": "x"}}}),
        )
        .unwrap_err();
        assert!(f
            .cause
            .unwrap()
            .contains("This attribute is part of the key"));
        let q = call(&w, "arn:aws:states:::aws-sdk:dynamodb:query", json!({"TableName": "Orders",
            "KeyConditionExpression": "id = :id", "ExpressionAttributeValues": {":id": {"S": "o-1"}}})).unwrap();
        assert_eq!(q["Count"], 1);
        assert_eq!(q["Items"][0]["total"], json!({"N": "12.5"}));
    }
}
