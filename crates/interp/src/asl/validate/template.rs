//! Payload templates (ASL spec "Payload Template"; docs/semantics/data-flow.md §2.4) — rule 5 in the module
//! docs of [`super`]: `Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`,
//! ItemReader/ResultWriter `Parameters` and ItemBatcher `BatchInput` are objects, and every key
//! ending in `.$` (at any depth, arrays included) holds a Path or an intrinsic function call.
//!
//! Code: `SCHEMA_VALIDATION_FAILED`, located at the template field (D).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::diagnostics::{child, index};
use super::Validator;
use crate::asl::syntax::{check_intrinsic, check_path};

/// The longest variable name AWS accepts (docs/semantics/variables.md, "Names").
pub(super) const MAX_VARIABLE_NAME: usize = 80;

/// Whether `name` may be assigned: a Unicode identifier (approximated by letters, digits and
/// `_`, not starting with a digit) of at most 80 characters, and not the reserved `states`.
pub(super) fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.chars().count() <= MAX_VARIABLE_NAME
        && name != "states"
}

impl Validator {
    /// A JSONPath `Assign` (docs/semantics/variables.md): a payload template whose top-level
    /// keys (without `.$`) are variable names. Message for a bad name (I).
    pub(super) fn assign(&mut self, v: &Value, loc: &str) {
        self.template(v, loc);
        if let Value::Object(map) = v {
            for key in map.keys() {
                self.variable_name(key.strip_suffix(".$").unwrap_or(key), loc);
            }
        }
    }

    /// A name assigned by the `Assign` at `loc` (either language). Message (I).
    pub(super) fn variable_name(&mut self, name: &str, loc: &str) {
        if !is_variable_name(name) {
            self.schema(
                loc,
                format!(
                    "The variable name '{name}' is not valid: it must be an identifier of at most {MAX_VARIABLE_NAME} characters (letters, digits and '_', not starting with a digit), and not 'states'"
                ),
            );
        }
    }

    /// The scope rule of docs/semantics/variables.md "Scope": a Parallel branch or Map
    /// iteration (the `States` object at `states_loc`) may not assign a variable that an
    /// enclosing scope assigns. `self.scopes` holds the names each enclosing `States` object
    /// assigns (its states' `Assign`, their Choice rules' and catchers' — a catcher on a Map or
    /// Parallel assigns in the scope around it). Reported at the inner `Assign`; message (I).
    /// Returns the names this object assigns, for the scopes inside it.
    pub(super) fn assigned_in_scope(
        &mut self,
        states: &Map<String, Value>,
        states_loc: &str,
        nested: bool,
    ) -> HashSet<String> {
        let mut names = HashSet::new();
        for (state_name, state) in states {
            let sloc = child(states_loc, state_name);
            let mut assigns: Vec<(&Value, String)> = Vec::new();
            if let Some(a) = state.get("Assign") {
                assigns.push((a, child(&sloc, "Assign")));
            }
            for list in ["Choices", "Catch"] {
                if let Some(items) = state.get(list).and_then(Value::as_array) {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(a) = item.get("Assign") {
                            assigns.push((a, child(&index(&child(&sloc, list), i), "Assign")));
                        }
                    }
                }
            }
            for (assign, aloc) in assigns {
                let Some(map) = assign.as_object() else {
                    continue;
                };
                for key in map.keys() {
                    let name = key.strip_suffix(".$").unwrap_or(key);
                    if nested && self.scopes.iter().any(|outer| outer.contains(name)) {
                        self.schema(
                            &aloc,
                            format!(
                                "The variable '{name}' is assigned in an enclosing scope; a Parallel branch or Map iteration cannot assign it"
                            ),
                        );
                    }
                    names.insert(name.to_string());
                }
            }
        }
        names
    }

    /// A payload template (§2.4). Iterative, so any depth is safe.
    pub(super) fn template(&mut self, v: &Value, loc: &str) {
        if self.want_obj(v, loc).is_none() {
            return;
        }
        let mut stack: Vec<&Value> = vec![v];
        while let Some(current) = stack.pop() {
            let mut nested: Vec<&Value> = Vec::new();
            match current {
                Value::Object(map) => {
                    for (key, value) in map {
                        if let Some(base) = key.strip_suffix(".$") {
                            if map.contains_key(base) {
                                self.schema(
                                    loc,
                                    format!(
                                        "The fields '{base}' and '{key}' both produce the field '{base}'"
                                    ),
                                );
                            }
                            let ok = match value.as_str() {
                                Some(s) if s.starts_with('$') => check_path(s).is_ok(),
                                Some(s) => check_intrinsic(s).is_ok(),
                                None => false,
                            };
                            if !ok {
                                self.schema(
                                    loc,
                                    format!(
                                        "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"
                                    ),
                                );
                            }
                        } else if value.is_object() || value.is_array() {
                            nested.push(value);
                        }
                    }
                }
                Value::Array(items) => {
                    nested.extend(items.iter().filter(|i| i.is_object() || i.is_array()));
                }
                _ => {}
            }
            stack.extend(nested.into_iter().rev());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_variable_name;
    use crate::asl::validate::tests::*;

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

    #[test]
    fn aws_bad_parameters_value() {
        expect(
            pass(json!({"Parameters": {"value.$": "States.Format('it\\\"s')x"}})),
            &[template_msg("value.$", "/States/S/Parameters")],
        );
    }

    // ----- the rules of this file ---------------------------------------------------------

    #[test]
    fn templates_valid() {
        ok(pass(
            json!({"Parameters": {"a.$": "$.x", "b.$": "$$.Execution.Id", "c.$": "States.Format('{}', $.a)",
            "d": "$.literal", "e": {"f.$": "$.g"}, "list": [{"h.$": "$.i"}, 1, [{"j.$": "States.UUID()"}]]}}),
        ));
        ok(task(json!({"ResultSelector": {"x.$": "$.Payload"}})));
        ok(map(
            json!({"ItemSelector": {"item.$": "$$.Map.Item.Value"}}),
        ));
        ok(map(json!({"Parameters": {"item.$": "$$.Map.Item.Value"}})));
    }

    #[test]
    fn templates_invalid() {
        expect(
            pass(json!({"Parameters": {"a.$": "nope"}})),
            &[template_msg("a.$", "/States/S/Parameters")],
        );
        expect(
            pass(json!({"Parameters": {"x": {"y": [{"b.$": 5}]}}})),
            &[template_msg("b.$", "/States/S/Parameters")],
        );
        expect(
            task(json!({"ResultSelector": {"r.$": "Payload"}})),
            &[template_msg("r.$", "/States/S/ResultSelector")],
        );
        expect(
            map(json!({"ItemSelector": {"i.$": true}})),
            &[template_msg("i.$", "/States/S/ItemSelector")],
        );
        expect(
            pass(json!({"Parameters": "x"})),
            &[svf("Expected value of type Object", "/States/S/Parameters")],
        );
        expect(
            pass(json!({"Parameters": {"a": 1, "a.$": "$.x"}})),
            &[svf(
                "The fields 'a' and 'a.$' both produce the field 'a'",
                "/States/S/Parameters",
            )],
        );
        // Current object's keys first, then nested objects, each in document order.
        expect(
            pass(json!({"Parameters": {"a.$": "bad1", "n": {"b.$": "bad2"}, "c.$": "bad3"}})),
            &[
                template_msg("a.$", "/States/S/Parameters"),
                template_msg("c.$", "/States/S/Parameters"),
                template_msg("b.$", "/States/S/Parameters"),
            ],
        );
    }

    #[test]
    fn pass_result_is_not_a_template() {
        ok(pass(json!({"Result": {"TestResult.$": "ConditionTrue"}})));
        ok(pass(json!({"Result": null})));
        ok(pass(json!({"Result": "x"})));
    }

    #[test]
    fn assign_is_a_template_of_variable_names() {
        ok(pass(
            json!({"Assign": {"x.$": "$.a", "y": [1], "z.$": "$x.b", "é_1": 2}}),
        ));
        expect(
            pass(json!({"Assign": [1]})),
            &[svf("Expected value of type Object", "/States/S/Assign")],
        );
        expect(
            pass(json!({"Assign": {"x.$": "anything"}})),
            &[template_msg("x.$", "/States/S/Assign")],
        );
        for bad in ["x.y", "x[2]", "states", "1x", ""] {
            let problems = crate::asl::validate::validate(&json!({"StartAt": "S", "States": {
                "S": {"Type": "Pass", "Assign": {bad: 1}, "End": true}}}));
            assert!(
                problems.iter().any(|p| p.message.contains("is not valid")
                    && p.location.as_deref() == Some("/States/S/Assign")),
                "{bad:?}: {problems:?}"
            );
        }
        assert!(is_variable_name(&"v".repeat(80)));
        assert!(!is_variable_name(&"v".repeat(81)));
    }

    #[test]
    fn branches_and_iterations_cannot_assign_outer_variables() {
        // docs/semantics/variables.md "Scope".
        let msg = |name: &str, loc: &str| {
            svf(
                &format!("The variable '{name}' is assigned in an enclosing scope; a Parallel branch or Map iteration cannot assign it"),
                loc,
            )
        };
        let inner = |assign: Value| json!({"StartAt": "I", "States": {"I": {"Type": "Pass", "Assign": assign, "End": true}}});
        // A Map iteration assigning what the outer scope assigns (later in document order too).
        expect(
            json!({"StartAt": "M", "States": {
                "M": {"Type": "Map", "ItemProcessor": inner(json!({"x.$": "$", "y": 1})), "Next": "Set"},
                "Set": {"Type": "Pass", "Assign": {"x": 1}, "End": true}}}),
            &[msg("x", "/States/M/ItemProcessor/States/I/Assign")],
        );
        // The Map's own Assign and its catchers' assign in the outer scope.
        expect(
            json!({"StartAt": "M", "States": {
                "M": {"Type": "Map", "ItemProcessor": inner(json!({"a": 1, "b": 2})), "End": true,
                      "Assign": {"a": 0}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "Assign": {"b": 0}}]},
                "F": {"Type": "Fail"}}}),
            &[
                msg("a", "/States/M/ItemProcessor/States/I/Assign"),
                msg("b", "/States/M/ItemProcessor/States/I/Assign"),
            ],
        );
        // Two levels down, in a JSONata Choice rule of a Parallel branch.
        let branch = json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "E",
            "Choices": [{"Condition": "{% true %}", "Next": "E", "Assign": {"z": 1}}]},
            "E": {"Type": "Succeed"}}});
        expect(
            json!({"QueryLanguage": "JSONata", "StartAt": "Z", "States": {
                "Z": {"Type": "Pass", "Assign": {"z": 0}, "Next": "P"},
                "P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "M", "States": {
                    "M": {"Type": "Map", "End": true, "ItemProcessor": branch}}}]}}}),
            &[msg(
                "z",
                "/States/P/Branches/0/States/M/ItemProcessor/States/C/Choices/0/Assign",
            )],
        );
        // Sibling branches and fresh names are fine; so is reading an outer variable.
        ok(json!({"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"k": 1}, "Next": "P"},
            "P": {"Type": "Parallel", "End": true, "Branches": [
                inner(json!({"v": 1})), {"StartAt": "J", "States": {"J": {"Type": "Pass",
                    "Assign": {"v": 2, "w.$": "$k"}, "End": true}}}]}}}));
    }

    #[test]
    fn deep_templates_are_fine() {
        let mut t = json!({"leaf.$": "bad"});
        for _ in 0..120 {
            t = json!({"n": [t]});
        }
        expect(
            pass(json!({"Parameters": t})),
            &[template_msg("leaf.$", "/States/S/Parameters")],
        );
    }
}
