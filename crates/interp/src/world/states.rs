//! Child state machines for `states:startExecution`: `states/<name>.asl.json` (a definition,
//! JSON or YAML) and an optional `states/<name>.type` holding `EXPRESS` or `STANDARD`
//! (default `STANDARD`). A child is addressed as
//! `arn:aws:states:<region>:<account>:stateMachine:<name>`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::{file_name, pretty, read_dir_sorted, read_text, write_file, WorldError};

/// One child state machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub definition: Value,
    pub express: bool,
}

impl Child {
    /// `{"definition": {…}, "type": "STANDARD" | "EXPRESS"}` (`type` optional).
    pub fn from_json(v: &Value, source: &Path, pointer: &str) -> Result<Child, WorldError> {
        let definition = v
            .get("definition")
            .filter(|d| d.is_object())
            .ok_or_else(|| {
                WorldError::at_pointer(
                    source,
                    pointer,
                    "expected {\"definition\": {…}, \"type\": \"STANDARD\" | \"EXPRESS\"}",
                )
            })?;
        let express = match v.get("type") {
            None => false,
            Some(t) => parse_type(t.as_str().unwrap_or("")).ok_or_else(|| {
                WorldError::at_pointer(
                    source,
                    &format!("{pointer}/type"),
                    "expected STANDARD or EXPRESS",
                )
            })?,
        };
        Ok(Child {
            definition: definition.clone(),
            express,
        })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "definition": self.definition,
            "type": if self.express { "EXPRESS" } else { "STANDARD" },
        })
    }
}

fn parse_type(t: &str) -> Option<bool> {
    match t.trim() {
        "EXPRESS" => Some(true),
        "STANDARD" => Some(false),
        _ => None,
    }
}

pub(super) fn load_dir(dir: &Path) -> Result<BTreeMap<String, Child>, WorldError> {
    let mut out = BTreeMap::new();
    let mut types = BTreeMap::new();
    for file in read_dir_sorted(dir)? {
        let name = file_name(&file);
        if let Some(stem) = name.strip_suffix(".asl.json") {
            let text = read_text(&file)?;
            let definition = crate::asl::load::parse_text(&text, crate::asl::load::Format::Json)
                .map_err(|d| WorldError::new(&file, d.location.clone(), d.message))?;
            out.insert(
                stem.to_string(),
                Child {
                    definition,
                    express: false,
                },
            );
        } else if let Some(stem) = name.strip_suffix(".type") {
            let t = read_text(&file)?;
            let express = parse_type(&t)
                .ok_or_else(|| WorldError::new(&file, None, "expected STANDARD or EXPRESS"))?;
            types.insert(stem.to_string(), (file.clone(), express));
        } else {
            return Err(WorldError::new(
                &file,
                None,
                "expected <name>.asl.json and optional <name>.type files under states/",
            ));
        }
    }
    for (stem, (file, express)) in types {
        match out.get_mut(&stem) {
            Some(c) => c.express = express,
            None => {
                return Err(WorldError::new(
                    file,
                    None,
                    format!("no {stem}.asl.json beside it"),
                ))
            }
        }
    }
    Ok(out)
}

pub(super) fn save_dir(children: &BTreeMap<String, Child>, dir: &Path) -> Result<(), WorldError> {
    for (name, child) in children {
        write_file(
            &dir.join(format!("{name}.asl.json")),
            &pretty(&child.definition),
        )?;
        if child.express {
            write_file(&dir.join(format!("{name}.type")), b"EXPRESS\n")?;
        }
    }
    Ok(())
}
