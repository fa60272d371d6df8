//! Simulated DynamoDB tables: `dynamodb/<table>.json` holds
//! `{"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, …], "Items": [<items in DynamoDB
//! JSON>]}`
//! (<https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeySchemaElement.html>,
//! <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html>).

use std::path::Path;

use serde_json::{json, Map, Value};

use super::WorldError;

/// One key attribute of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyElement {
    pub name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// A table: its key schema and its items, each an attribute map in DynamoDB JSON, in the order
/// they were loaded or first written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub key_schema: Vec<KeyElement>,
    pub items: Vec<Map<String, Value>>,
}

/// The type descriptors of DynamoDB JSON.
pub const TYPES: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];

impl Table {
    pub fn from_json(v: &Value, file: &Path) -> Result<Table, WorldError> {
        let obj = v.as_object().ok_or_else(|| {
            WorldError::new(file, None, "expected {\"KeySchema\": […], \"Items\": […]}")
        })?;
        for key in obj.keys() {
            if key != "KeySchema" && key != "Items" {
                return Err(WorldError::at_pointer(
                    file,
                    &format!("/{}", crate::asl::model::pointer_escape(key)),
                    "unknown member: a table file holds KeySchema and Items",
                ));
            }
        }
        let schema = obj
            .get("KeySchema")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                WorldError::at_pointer(
                    file,
                    "/KeySchema",
                    "expected an array of {\"AttributeName\", \"KeyType\": \"HASH\" | \"RANGE\"}",
                )
            })?;
        let mut key_schema = Vec::new();
        for (i, k) in schema.iter().enumerate() {
            let p = format!("/KeySchema/{i}");
            let name = k.get("AttributeName").and_then(Value::as_str);
            let key_type = k.get("KeyType").and_then(Value::as_str);
            match (name, key_type) {
                (Some(n), Some(t @ ("HASH" | "RANGE"))) if !n.is_empty() => {
                    key_schema.push(KeyElement {
                        name: n.to_string(),
                        key_type: t.to_string(),
                    })
                }
                _ => {
                    return Err(WorldError::at_pointer(
                        file,
                        &p,
                        "expected {\"AttributeName\": \"…\", \"KeyType\": \"HASH\" | \"RANGE\"}",
                    ))
                }
            }
        }
        let hashes = key_schema.iter().filter(|k| k.key_type == "HASH").count();
        let ranges = key_schema.iter().filter(|k| k.key_type == "RANGE").count();
        if hashes != 1
            || ranges > 1
            || key_schema.first().map(|k| k.key_type.as_str()) != Some("HASH")
        {
            return Err(WorldError::at_pointer(
                file,
                "/KeySchema",
                "expected one HASH key, optionally followed by one RANGE key",
            ));
        }
        let mut items = Vec::new();
        if let Some(list) = obj.get("Items") {
            let list = list.as_array().ok_or_else(|| {
                WorldError::at_pointer(file, "/Items", "expected an array of items")
            })?;
            for (i, item) in list.iter().enumerate() {
                let p = format!("/Items/{i}");
                let map = item.as_object().ok_or_else(|| {
                    WorldError::at_pointer(file, &p, "expected an item: an object of attributes")
                })?;
                for (name, value) in map {
                    check_attribute(
                        value,
                        file,
                        &format!("{p}/{}", crate::asl::model::pointer_escape(name)),
                    )?;
                }
                for k in &key_schema {
                    if !map.contains_key(&k.name) {
                        return Err(WorldError::at_pointer(
                            file,
                            &p,
                            format!("the item lacks its key attribute '{}'", k.name),
                        ));
                    }
                }
                items.push(map.clone());
            }
        }
        Ok(Table { key_schema, items })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "KeySchema": self.key_schema.iter().map(|k| json!({"AttributeName": k.name, "KeyType": k.key_type})).collect::<Vec<_>>(),
            "Items": self.items,
        })
    }
}

/// Checks one attribute value in DynamoDB JSON: an object with exactly one type descriptor.
pub fn check_attribute(v: &Value, file: &Path, pointer: &str) -> Result<(), WorldError> {
    let bad = |m: &str| Err(WorldError::at_pointer(file, pointer, m));
    let Some(obj) = v.as_object() else {
        return bad("expected an attribute value in DynamoDB JSON, e.g. {\"S\": \"text\"}");
    };
    if obj.len() != 1 {
        return bad("expected exactly one type descriptor (S, N, B, BOOL, NULL, M, L, SS, NS, BS)");
    }
    let (t, inner) = obj.iter().next().expect("one member");
    let p = format!("{pointer}/{t}");
    let ok = match t.as_str() {
        "S" | "B" => inner.is_string(),
        "N" => inner
            .as_str()
            .is_some_and(|n| n.trim().parse::<f64>().is_ok()),
        "BOOL" => inner.is_boolean(),
        "NULL" => inner == &Value::Bool(true),
        "SS" | "BS" => inner
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string)),
        "NS" => inner.as_array().is_some_and(|a| {
            !a.is_empty()
                && a.iter()
                    .all(|n| n.as_str().is_some_and(|n| n.trim().parse::<f64>().is_ok()))
        }),
        "M" => {
            let Some(m) = inner.as_object() else {
                return Err(WorldError::at_pointer(
                    file,
                    &p,
                    "expected an object of attributes",
                ));
            };
            for (k, v) in m {
                check_attribute(
                    v,
                    file,
                    &format!("{p}/{}", crate::asl::model::pointer_escape(k)),
                )?;
            }
            true
        }
        "L" => {
            let Some(l) = inner.as_array() else {
                return Err(WorldError::at_pointer(
                    file,
                    &p,
                    "expected an array of attributes",
                ));
            };
            for (i, v) in l.iter().enumerate() {
                check_attribute(v, file, &format!("{p}/{i}"))?;
            }
            true
        }
        other => {
            return bad(&format!(
                "unknown type descriptor '{other}': expected one of {}",
                TYPES.join(", ")
            ))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(WorldError::at_pointer(
            file,
            &p,
            match t.as_str() {
                "S" | "B" => "expected a string",
                "N" => "expected a number as a string, e.g. \"42\"",
                "BOOL" => "expected true or false",
                "NULL" => "expected true",
                "NS" => "expected a non-empty array of numbers as strings",
                _ => "expected a non-empty array of strings",
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_item_names_its_pointer() {
        let v = json!({"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                       "Items": [{"id": {"S": "a"}}, {"id": {"N": "x"}}]});
        let e = Table::from_json(&v, Path::new("t.json")).unwrap_err();
        assert_eq!(e.at.as_deref(), Some("/Items/1/id/N"));
        assert_eq!(
            e.to_string(),
            "t.json: at /Items/1/id/N: expected a number as a string, e.g. \"42\""
        );
    }

    #[test]
    fn an_item_needs_its_key() {
        let v = json!({"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                       "Items": [{"other": {"S": "a"}}]});
        let e = Table::from_json(&v, Path::new("t.json")).unwrap_err();
        assert!(e.message.contains("'id'"), "{e}");
    }
}
