//! Choice states (ASL spec "Choice Rules"; docs/semantics/choice.md §5.2) — rule 11 and the rule-nesting
//! limit of rule 16 in the module docs of [`super`]: `Choices` is a non-empty array; top-level
//! rules need `Next` (checked by the machine's transition phase) and nested ones must not have
//! it; a rule is exactly one of `And`/`Or` (non-empty arrays) or `Not` (an object), or
//! `Variable` with exactly one comparison operator whose value has the operator's type.
//!
//! Code: `SCHEMA_VALIDATION_FAILED`.

use serde_json::Value;

use super::diagnostics::{child, index, EMPTY, TOO_DEEP};
use super::jsonata::{other_language, Lang, StatesVars};
use super::machine::{StateInfo, Target};
use super::{Validator, MAX_NESTING};

/// Kind of value a Choice comparison operator takes (§5.2).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Operand {
    Str,
    Num,
    Bool,
    Timestamp,
    Path,
}

const OPERATORS: &[(&str, Operand)] = &[
    ("StringEquals", Operand::Str),
    ("StringEqualsPath", Operand::Path),
    ("StringLessThan", Operand::Str),
    ("StringLessThanPath", Operand::Path),
    ("StringGreaterThan", Operand::Str),
    ("StringGreaterThanPath", Operand::Path),
    ("StringLessThanEquals", Operand::Str),
    ("StringLessThanEqualsPath", Operand::Path),
    ("StringGreaterThanEquals", Operand::Str),
    ("StringGreaterThanEqualsPath", Operand::Path),
    ("StringMatches", Operand::Str),
    ("NumericEquals", Operand::Num),
    ("NumericEqualsPath", Operand::Path),
    ("NumericLessThan", Operand::Num),
    ("NumericLessThanPath", Operand::Path),
    ("NumericGreaterThan", Operand::Num),
    ("NumericGreaterThanPath", Operand::Path),
    ("NumericLessThanEquals", Operand::Num),
    ("NumericLessThanEqualsPath", Operand::Path),
    ("NumericGreaterThanEquals", Operand::Num),
    ("NumericGreaterThanEqualsPath", Operand::Path),
    ("BooleanEquals", Operand::Bool),
    ("BooleanEqualsPath", Operand::Path),
    ("TimestampEquals", Operand::Timestamp),
    ("TimestampEqualsPath", Operand::Path),
    ("TimestampLessThan", Operand::Timestamp),
    ("TimestampLessThanPath", Operand::Path),
    ("TimestampGreaterThan", Operand::Timestamp),
    ("TimestampGreaterThanPath", Operand::Path),
    ("TimestampLessThanEquals", Operand::Timestamp),
    ("TimestampLessThanEqualsPath", Operand::Path),
    ("TimestampGreaterThanEquals", Operand::Timestamp),
    ("TimestampGreaterThanEqualsPath", Operand::Path),
    ("IsNull", Operand::Bool),
    ("IsPresent", Operand::Bool),
    ("IsNumeric", Operand::Bool),
    ("IsString", Operand::Bool),
    ("IsBoolean", Operand::Bool),
    ("IsTimestamp", Operand::Bool),
];
const COMBINATORS: &[&str] = &["And", "Or", "Not"];

fn operand(key: &str) -> Option<Operand> {
    OPERATORS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, kind)| *kind)
}

impl Validator {
    pub(super) fn choices(&mut self, v: &Value, loc: &str, info: &mut StateInfo, lang: Lang) {
        let Some(items) = self.want_arr(v, loc) else {
            info.uncertain = true;
            return;
        };
        if items.is_empty() {
            self.schema(loc, EMPTY);
        }
        for (i, rule) in items.iter().enumerate() {
            match lang {
                Lang::JsonPath => self.rule(rule, &index(loc, i), true, 0, info),
                Lang::Jsonata => self.jsonata_rule(rule, &index(loc, i), info),
            }
        }
    }

    /// A JSONata Choice rule: `Condition` and `Next`, optionally `Assign`, `Output`, `Comment`
    /// (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html "Choice Rules
    /// (JSONata)"; rule-level `Output`: ASL spec "Query Languages"). The JSONPath rule fields get
    /// the language message.
    fn jsonata_rule(&mut self, v: &Value, loc: &str, info: &mut StateInfo) {
        let Some(obj) = self.want_obj(v, loc) else {
            info.uncertain = true;
            return;
        };
        let missing: Vec<&str> = ["Condition", "Next"]
            .into_iter()
            .filter(|f| !obj.contains_key(*f))
            .collect();
        self.required(loc, &missing);
        if missing.contains(&"Next") {
            info.uncertain = true;
        }
        for (key, value) in obj {
            let k = key.as_str();
            let floc = child(loc, k);
            match k {
                "Next" => {
                    if let Some(t) = self.want_str(value, &floc) {
                        info.targets.push(Target {
                            name: t.to_string(),
                            location: floc,
                        });
                    } else {
                        info.uncertain = true;
                    }
                }
                "Condition" => self.condition(value, &floc),
                "Assign" => self.jsonata_assign(value, &floc, StatesVars::Plain),
                "Output" => self.jsonata_value(value, &floc, StatesVars::Plain),
                "Comment" => {
                    self.want_str(value, &floc);
                }
                _ if k == "Variable" || COMBINATORS.contains(&k) || operand(k).is_some() => {
                    self.schema(loc, other_language(Lang::Jsonata, k));
                }
                _ => self.schema(loc, format!("Field '{k}' is not supported")),
            }
        }
    }

    fn rule(&mut self, v: &Value, loc: &str, top: bool, level: usize, info: &mut StateInfo) {
        if level > MAX_NESTING {
            self.schema(loc, TOO_DEEP);
            return;
        }
        let Some(obj) = self.want_obj(v, loc) else {
            info.uncertain |= top;
            return;
        };
        if top && !obj.contains_key("Next") {
            self.required(loc, &["Next"]);
            info.uncertain = true;
        }
        let kinds: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| COMBINATORS.contains(k) || operand(k).is_some())
            .collect();
        match kinds.as_slice() {
            [] => self.schema(
                loc,
                "A choice rule must contain either 'Variable' with exactly one comparison operator, or exactly one of [And, Or, Not]",
            ),
            [kind] if COMBINATORS.contains(kind) => {
                if obj.contains_key("Variable") {
                    self.schema(loc, "Field 'Variable' is not supported");
                }
            }
            [_] => {
                if !obj.contains_key("Variable") {
                    self.required(loc, &["Variable"]);
                }
            }
            several => {
                self.schema(loc, format!("These fields are mutually exclusive: [{}]", several.join(", ")));
            }
        }
        for (key, value) in obj {
            let k = key.as_str();
            let floc = child(loc, k);
            match k {
                "Next" | "Assign" if top => {
                    if k == "Assign" {
                        self.assign(value, &floc);
                    } else if let Some(t) = self.want_str(value, &floc) {
                        info.targets.push(Target {
                            name: t.to_string(),
                            location: floc,
                        });
                    } else {
                        info.uncertain = true;
                    }
                }
                "Comment" => {
                    self.want_str(value, &floc);
                }
                "Variable" => self.path(value, &floc),
                "And" | "Or" => {
                    let Some(items) = self.want_arr(value, &floc) else {
                        continue;
                    };
                    if items.is_empty() {
                        self.schema(&floc, EMPTY);
                    }
                    for (j, nested) in items.iter().enumerate() {
                        self.rule(nested, &index(&floc, j), false, level + 1, info);
                    }
                }
                "Not" => self.rule(value, &floc, false, level + 1, info),
                _ => match operand(k) {
                    Some(Operand::Str) => {
                        self.want_str(value, &floc);
                    }
                    Some(Operand::Num) => {
                        self.want_num(value, &floc);
                    }
                    Some(Operand::Bool) => {
                        self.want_bool(value, &floc);
                    }
                    Some(Operand::Timestamp) => self.timestamp(value, &floc),
                    Some(Operand::Path) => self.path(value, &floc),
                    None if top && (k == "Condition" || k == "Output") => {
                        self.schema(loc, other_language(Lang::JsonPath, k));
                    }
                    None => self.schema(loc, format!("Field '{k}' is not supported")),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::validate::tests::*;

    #[test]
    fn choice_state_shape() {
        expect(
            sm(json!({"Type": "Choice", "Choices": [], "Default": "Done"})),
            &[svf("Value cannot be empty", "/States/S/Choices")],
        );
        expect(
            sm(json!({"Type": "Choice", "Choices": {}, "Default": "Done"})),
            &[svf("Expected value of type Array", "/States/S/Choices")],
        );
        expect(
            sm(
                json!({"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "Done"}], "Default": 5}),
            ),
            &[svf("Expected value of type String", "/States/S/Default")],
        );
        expect(
            choice_rule(json!({"Variable": "$.x", "IsNull": false})),
            &[svf(
                "These fields are required: [Next]",
                "/States/S/Choices/0",
            )],
        );
        // Default alone makes its target reachable; no Default is fine.
        ok(sm(
            json!({"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "Done"}]}),
        ));
    }

    #[test]
    fn choice_rule_structure() {
        let none = "A choice rule must contain either 'Variable' with exactly one comparison operator, or exactly one of [And, Or, Not]";
        expect(
            choice_rule(json!({"Variable": "$.x", "Next": "Done"})),
            &[svf(none, "/States/S/Choices/0")],
        );
        expect(
            choice_rule(json!({"Next": "Done"})),
            &[svf(none, "/States/S/Choices/0")],
        );
        expect(
            choice_rule(
                json!({"Variable": "$.x", "StringEquals": "a", "NumericEquals": 1, "Next": "Done"}),
            ),
            &[svf(
                "These fields are mutually exclusive: [StringEquals, NumericEquals]",
                "/States/S/Choices/0",
            )],
        );
        expect(
            choice_rule(json!({"StringEquals": "a", "Next": "Done"})),
            &[svf(
                "These fields are required: [Variable]",
                "/States/S/Choices/0",
            )],
        );
        expect(
            choice_rule(
                json!({"Variable": "$.x", "Not": {"Variable": "$.y", "IsNull": true}, "Next": "Done"}),
            ),
            &[svf(
                "Field 'Variable' is not supported",
                "/States/S/Choices/0",
            )],
        );
        expect(
            choice_rule(
                json!({"Not": {"Variable": "$.y", "IsNull": true, "Next": "Done"}, "Next": "Done"}),
            ),
            &[svf(
                "Field 'Next' is not supported",
                "/States/S/Choices/0/Not",
            )],
        );
        expect(
            choice_rule(
                json!({"And": [{"Variable": "$.y", "IsNull": true, "Assign": {}}], "Next": "Done"}),
            ),
            &[svf(
                "Field 'Assign' is not supported",
                "/States/S/Choices/0/And/0",
            )],
        );
        expect(
            choice_rule(json!({"Variable": "$.x", "IsNull": true, "Next": "Done", "Foo": 1})),
            &[svf("Field 'Foo' is not supported", "/States/S/Choices/0")],
        );
        expect(
            choice_rule(json!({"And": [], "Next": "Done"})),
            &[svf("Value cannot be empty", "/States/S/Choices/0/And")],
        );
        expect(
            choice_rule(json!({"Or": {}, "Next": "Done"})),
            &[svf(
                "Expected value of type Array",
                "/States/S/Choices/0/Or",
            )],
        );
        expect(
            choice_rule(json!({"Not": [], "Next": "Done"})),
            &[svf(
                "Expected value of type Object",
                "/States/S/Choices/0/Not",
            )],
        );
        expect(
            choice_rule(json!({"Variable": "Test", "StringMatches": "Test", "Next": "Done"})),
            &[svf(
                "Value must be a valid JSONPath.",
                "/States/S/Choices/0/Variable",
            )],
        );
        ok(choice_rule(
            json!({"Variable": "$.x", "IsPresent": true, "Next": "Done", "Comment": "c", "Assign": {"a": 1}}),
        ));
    }

    #[test]
    fn choice_operator_values() {
        let r = |op: &str, v: Value| choice_rule(json!({"Variable": "$.x", op: v, "Next": "Done"}));
        let at = |op: &str| format!("/States/S/Choices/0/{op}");
        expect(
            r("StringEquals", json!(1)),
            &[svf("Expected value of type String", &at("StringEquals"))],
        );
        expect(
            r("StringMatches", json!(null)),
            &[svf("Expected value of type String", &at("StringMatches"))],
        );
        expect(
            r("NumericEquals", json!("1")),
            &[svf("Expected value of type Number", &at("NumericEquals"))],
        );
        expect(
            r("BooleanEquals", json!("true")),
            &[svf("Expected value of type Boolean", &at("BooleanEquals"))],
        );
        expect(
            r("IsNull", json!(1)),
            &[svf("Expected value of type Boolean", &at("IsNull"))],
        );
        expect(
            r("TimestampEquals", json!("2016-03-14 01:59:00")),
            &[svf(
                "String does not match RFC3339 timestamp",
                &at("TimestampEquals"),
            )],
        );
        expect(
            r("TimestampLessThan", json!(5)),
            &[svf(
                "Expected value of type String",
                &at("TimestampLessThan"),
            )],
        );
        expect(
            r("StringEqualsPath", json!("x")),
            &[svf(
                "Value must be a valid JSONPath.",
                &at("StringEqualsPath"),
            )],
        );
        expect(
            r("NumericLessThanPath", json!(1)),
            &[svf(
                "Expected value of type String",
                &at("NumericLessThanPath"),
            )],
        );
        // There is no StringMatchesPath.
        expect(r("StringMatchesPath", json!("$.y")), &[
            svf(
                "A choice rule must contain either 'Variable' with exactly one comparison operator, or exactly one of [And, Or, Not]",
                "/States/S/Choices/0",
            ),
            svf("Field 'StringMatchesPath' is not supported", "/States/S/Choices/0"),
        ]);
        // Every operator with a good value.
        let good: Vec<Value> = OPERATORS
            .iter()
            .map(|(op, kind)| {
                let v = match kind {
                    Operand::Str => json!("a*"),
                    Operand::Num => json!(1.5),
                    Operand::Bool => json!(false),
                    Operand::Timestamp => json!("2016-03-14T01:59:00Z"),
                    Operand::Path => json!("$.y"),
                };
                json!({"Variable": "$.x", *op: v})
            })
            .collect();
        ok(choice_rule(json!({"And": good, "Next": "Done"})));
    }

    #[test]
    fn too_deep_choice_nesting() {
        let mut rule = json!({"Variable": "$.x", "IsNull": true});
        for _ in 0..150 {
            rule = json!({"Not": rule});
        }
        rule["Next"] = json!("Done");
        let diags = validate(&choice_rule(rule));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].message,
            "The states are too deeply nested (more than 100 levels)"
        );
        assert_eq!(
            diags[0]
                .location
                .as_deref()
                .unwrap()
                .matches("/Not")
                .count(),
            MAX_NESTING + 1
        );
    }
}
