//! Definitions: loading JSON or YAML, validation with AWS-style diagnostics, the typed model
//! (ASL spec "Structure of a State Machine"; docs/semantics/structure.md §1), and a walk over
//! every state of a definition's JSON ([`walk`]), and the nesting bound applied before parsing
//! ([`depth`]).

pub mod depth;
pub mod load;
pub mod model;
pub mod syntax;
pub mod validate;
pub mod walk;

pub use load::{load_definition, parse_definition, Definition, LoadError};

/// All state names of a definition, nested ones included (in the order of [`walk::states`]).
pub fn state_names(def: &serde_json::Value) -> Vec<String> {
    walk::states(def).map(|s| s.name.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn state_names_include_nested_states() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "M", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}]},
            "M": {"Type": "Map", "End": true,
                "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}},
                "Iterator": {"StartAt": "C", "States": {"C": {"Type": "Succeed"}}}}}});
        assert_eq!(super::state_names(&def), ["P", "M", "A", "B", "C"]);
        assert!(super::state_names(&json!("x")).is_empty());
    }
}
