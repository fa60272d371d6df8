//! Payload templates (ASL spec "Payload Template"; docs/semantics/data-flow.md §2.4) — rule 5 in the module
//! docs of [`super`]: `Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`,
//! ItemReader/ResultWriter `Parameters` and ItemBatcher `BatchInput` are objects, and every key
//! ending in `.$` (at any depth, arrays included) holds a Path or an intrinsic function call.
//!
//! Code: `SCHEMA_VALIDATION_FAILED`, located at the template field (D).

use serde_json::Value;

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
                let name = key.strip_suffix(".$").unwrap_or(key);
                if !is_variable_name(name) {
                    self.schema(
                        loc,
                        format!(
                            "The variable name '{name}' is not valid: it must be an identifier of at most {MAX_VARIABLE_NAME} characters (letters, digits and '_', not starting with a digit), and not 'states'"
                        ),
                    );
                }
            }
        }
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
