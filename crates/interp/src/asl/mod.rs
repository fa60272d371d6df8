//! Definitions: loading JSON or YAML, validation with AWS-style diagnostics, and the typed model
//! (ASL spec "Structure of a State Machine"; docs/semantics/structure.md §1).

pub mod load;
pub mod model;
pub mod syntax;
pub mod validate;

pub use load::{load_definition, parse_definition, Definition, LoadError};

/// All state names of a definition, nested ones included.
pub fn state_names(def: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![def];
    while let Some(v) = stack.pop() {
        if let Some(states) = v.get("States").and_then(serde_json::Value::as_object) {
            for (name, s) in states {
                out.push(name.clone());
                if let Some(b) = s.get("Branches").and_then(serde_json::Value::as_array) {
                    stack.extend(b.iter());
                }
                for k in ["ItemProcessor", "Iterator"] {
                    if let Some(p) = s.get(k) {
                        stack.push(p);
                    }
                }
            }
        }
    }
    out
}
