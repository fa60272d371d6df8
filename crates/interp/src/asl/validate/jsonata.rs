//! JSONata (docs/semantics/jsonata.md §11.1–11.3; structure.md §1.4 rules 15–17) — rule 17 in
//! the module docs of [`super`]: which language a state speaks, the message for a field of the
//! other language, expression strings (which strings are expressions, that they parse, which
//! `$states` members they may read), and the value checks of the fields that take JSONata.
//!
//! Codes: `SCHEMA_VALIDATION_FAILED` (language rules, field types), `INVALID_JSONATA_EXPRESSION`
//! (an expression that does not parse; the message is the JSONata parser's text without its
//! `S0xxx` code, at the JSON Pointer of the string — 3P: floci-io/floci issue #2745, AWS
//! `ValidateStateMachineDefinition` output), `UNSUPPORTED_JSONATA_EXPRESSION` (a `$states`
//! member read where it does not exist: `Field '$states.errorOutput' does not exist.` — 3P:
//! floci-io/floci PR #2786; the `$states.result` message is worded the same way by analogy, I).

use aslcheck_jsonata::Expression;
use serde_json::Value;

use super::diagnostics::{child, index, Code};
use super::Validator;

/// The query language of a state (or of the whole machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Lang {
    #[default]
    JsonPath,
    Jsonata,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::JsonPath => "JSONPath",
            Lang::Jsonata => "JSONata",
        }
    }

    /// The language a `QueryLanguage` field selects: absent, the `default` (the machine's
    /// language, also inside Map and Parallel: §11.1); present, JSONPath only when it is exactly
    /// `"JSONPath"`, JSONata otherwise — a value outside the enum (`"jsonata"`, `"foo"`, `1`) is
    /// reported by [`Validator::query_language`] and still makes the state JSONata (3P:
    /// floci-io/floci issue #2968, measured with AWS `ValidateStateMachineDefinition`).
    pub(super) fn of(v: Option<&Value>, default: Lang) -> Lang {
        match v {
            None => default,
            Some(v) if v.as_str() == Some("JSONPath") => Lang::JsonPath,
            Some(_) => Lang::Jsonata,
        }
    }
}

/// A field of the other language in a state of language `lang` (3P: floci-io/floci issue
/// #2968 quotes the JSONPath form; the JSONata form is its mirror, seen in floci's tests
/// measured against AWS). Located at the object holding the field.
pub(super) fn other_language(lang: Lang, field: &str) -> String {
    let other = match lang {
        Lang::JsonPath => Lang::Jsonata,
        Lang::Jsonata => Lang::JsonPath,
    };
    format!(
        "The QueryLanguage is set to '{}', but field '{field}' is only supported for the '{}' QueryLanguage",
        lang.name(),
        other.name()
    )
}

/// A state that sets `QueryLanguage: "JSONPath"` in a JSONata machine (§1.4 rule 15, [recorded]).
pub(super) const DOWNGRADE: &str =
    "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";

/// Which `$states` members an expression may read besides `input` and `context` (§11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StatesVars {
    /// Only `input` and `context` (`Arguments`, `Items`, a Pass's `Output`, …).
    Plain,
    /// Also `result`: the top-level `Output` and `Assign` of Task, Parallel and Map.
    Result,
    /// Also `errorOutput`: a catcher's `Output` and `Assign`.
    ErrorOutput,
}

/// The expression text of a JSONata string (§11.2, §1.4 rule 16), spaces kept; `None` for a
/// literal.
pub(super) use crate::data::jsonata::delimited as expression_text;

/// Whether `text` mentions `$states.<member>` (not followed by more identifier characters).
/// This is a textual check of the expression, not of its syntax tree: a mention inside a string
/// literal of the expression counts too, which no real definition is expected to do.
fn mentions_member(text: &str, member: &str) -> bool {
    let needle = format!("$states.{member}");
    text.match_indices(&needle).any(|(i, _)| {
        text[i + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

impl Validator {
    /// The value of a field that takes JSONata: every string at any depth (objects and arrays
    /// included) that is an expression must parse and read only the `$states` members `vars`
    /// allows; keys ending in `.$` are JSONPath and rejected (§11.2; wording I). Iterative, so
    /// any depth is safe.
    pub(super) fn jsonata_value(&mut self, v: &Value, loc: &str, vars: StatesVars) {
        let mut stack: Vec<(&Value, String)> = vec![(v, loc.to_string())];
        while let Some((current, at)) = stack.pop() {
            let mut nested: Vec<(&Value, String)> = Vec::new();
            match current {
                Value::String(s) => self.expression(s, &at, vars),
                Value::Object(map) => {
                    for (key, value) in map {
                        if key.ends_with(".$") {
                            self.schema(
                                &at,
                                format!(
                                    "The field '{key}' ends in '.$', which is only supported for the 'JSONPath' QueryLanguage"
                                ),
                            );
                        }
                        nested.push((value, child(&at, key)));
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        nested.push((item, index(&at, i)));
                    }
                }
                _ => {}
            }
            stack.extend(nested.into_iter().rev());
        }
    }

    /// One string of a field that takes JSONata: nothing to check for a literal.
    pub(super) fn expression(&mut self, s: &str, loc: &str, vars: StatesVars) {
        let Some(text) = expression_text(s) else {
            return;
        };
        match Expression::compile(text) {
            Err(e) => self.push(Code::InvalidJsonataExpression, e.message, Some(loc.into())),
            Ok(_) => {
                // Textual on purpose (see `mentions_member`): the compiled expression does not
                // expose its syntax tree.
                for (member, allowed) in [
                    ("result", vars == StatesVars::Result),
                    ("errorOutput", vars == StatesVars::ErrorOutput),
                ] {
                    if !allowed && mentions_member(text, member) {
                        self.push(
                            Code::UnsupportedJsonataExpression,
                            format!("Field '$states.{member}' does not exist."),
                            Some(loc.into()),
                        );
                    }
                }
            }
        }
    }

    /// Whether `v` is an expression string (then checked here, reading only `input` and
    /// `context`); the caller checks a literal itself.
    pub(super) fn took_expression(&mut self, v: &Value, loc: &str) -> bool {
        match v.as_str() {
            Some(s) if expression_text(s).is_some() => {
                self.expression(s, loc, StatesVars::Plain);
                true
            }
            _ => false,
        }
    }

    /// An integer field that also takes an expression (`TimeoutSeconds`, Wait `Seconds`,
    /// `MaxConcurrency`, …; §11.2).
    pub(super) fn int_or_expression(&mut self, v: &Value, loc: &str, min: i64, max: Option<i64>) {
        if !self.took_expression(v, loc) {
            self.want_int(v, loc, min, max);
        }
    }

    /// Wait `Timestamp`: an expression or an RFC 3339 literal.
    pub(super) fn timestamp_or_expression(&mut self, v: &Value, loc: &str) {
        if !self.took_expression(v, loc) {
            self.timestamp(v, loc);
        }
    }

    /// Map `ToleratedFailurePercentage`: an expression or a number in 0..=100.
    pub(super) fn percentage_or_expression(&mut self, v: &Value, loc: &str) {
        if !self.took_expression(v, loc) {
            self.tolerated_failure_percentage(v, loc);
        }
    }

    /// A JSONata Task's `Credentials`: an object naming a role, whose strings take JSONata
    /// (whether AWS evaluates them there is unverified: §11.2).
    pub(super) fn jsonata_credentials(&mut self, v: &Value, loc: &str) {
        if self.want_obj(v, loc).is_some() {
            self.credentials(v, loc);
            self.jsonata_value(v, loc, StatesVars::Plain);
        }
    }

    /// A JSONata `Assign`: an object whose keys are variable names and whose values take
    /// JSONata (docs/semantics/variables.md "Names"; §11.3 for `vars`).
    pub(super) fn jsonata_assign(&mut self, v: &Value, loc: &str, vars: StatesVars) {
        let Some(map) = self.want_obj(v, loc) else {
            return;
        };
        for (key, value) in map {
            self.variable_name(key, loc);
            self.jsonata_value(value, &child(loc, key), vars);
        }
    }

    /// A Choice rule's `Condition`: an expression, or a boolean literal (I: AWS's treatment of
    /// other literals is not known; they are rejected here).
    pub(super) fn condition(&mut self, v: &Value, loc: &str) {
        if !self.took_expression(v, loc) && !v.is_boolean() {
            self.schema(loc, "The field 'Condition' must be a JSONata expression");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{expression_text, mentions_member};
    use crate::asl::validate::tests::*;

    fn jsonata(def: Value) -> Value {
        let mut def = def;
        def["QueryLanguage"] = json!("JSONata");
        def
    }

    fn unsupported(member: &str, loc: &str) -> String {
        format!("UNSUPPORTED_JSONATA_EXPRESSION: Field '$states.{member}' does not exist. at {loc}")
    }

    fn lang_msg(lang: &str, other: &str, field: &str, loc: &str) -> String {
        svf(
            &format!("The QueryLanguage is set to '{lang}', but field '{field}' is only supported for the '{other}' QueryLanguage"),
            loc,
        )
    }

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

    #[test]
    fn aws_jsonpath_state_in_jsonata_machine() {
        // docs/semantics/structure.md §1.4 rule 15 [recorded].
        expect(
            jsonata(single(
                json!({"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}),
            )),
            &[svf(
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                "/States/S",
            )],
        );
        // floci-io/floci issue #2968: the downgrade is reported alone, the JSONata field on
        // the downgraded state is not reported on top of it.
        expect(
            jsonata(single(
                json!({"Type": "Pass", "QueryLanguage": "JSONPath", "Output": {"v": "{% 1 %}"}, "End": true}),
            )),
            &[svf(
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                "/States/S",
            )],
        );
    }

    #[test]
    fn aws_transforming_data_example() {
        // https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html (§11.4).
        ok(jsonata(single(
            json!({"Type": "Pass", "End": true, "Output": {
            "lastName": "{% 'Last=>' & $states.input.customer.lastName %}",
            "orderValue": "{% $states.input.order.total %}"}}),
        )));
    }

    #[test]
    fn aws_jsonpath_fields_in_a_jsonata_state() {
        // floci-io/floci issue #2968 and its tests measured against AWS: one diagnostic per field,
        // at the state.
        expect(
            jsonata(single(
                json!({"Type": "Pass", "End": true, "InputPath": "$.a", "OutputPath": "$.b", "ResultPath": "$.c"}),
            )),
            &[
                lang_msg("JSONata", "JSONPath", "InputPath", "/States/S"),
                lang_msg("JSONata", "JSONPath", "OutputPath", "/States/S"),
                lang_msg("JSONata", "JSONPath", "ResultPath", "/States/S"),
            ],
        );
        // JSONata-only fields in a JSONPath state.
        expect(
            pass(json!({"Output": {"v": 1}})),
            &[lang_msg("JSONPath", "JSONata", "Output", "/States/S")],
        );
        expect(
            task(json!({"Arguments": {}})),
            &[lang_msg("JSONPath", "JSONata", "Arguments", "/States/S")],
        );
        expect(
            map(json!({"Items": []})),
            &[lang_msg("JSONPath", "JSONata", "Items", "/States/S")],
        );
    }

    #[test]
    fn aws_invalid_expression() {
        // floci-io/floci issue #2745 (AWS output): the parser's message, at the string's pointer.
        let diags = validate(&jsonata(single(
            json!({"Type": "Pass", "End": true, "Output": {"v": "{% phone[1,2) %}"}}),
        )));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code.as_str(), "INVALID_JSONATA_EXPRESSION");
        assert_eq!(diags[0].location.as_deref(), Some("/States/S/Output/v"));
        for bad in ["1 +", "a[1,2)", "\"unterminated", "{\"a\":}", "$x :=", ""] {
            let diags = validate(&jsonata(single(
                json!({"Type": "Pass", "End": true, "Output": format!("{{%{bad}%}}")}),
            )));
            assert_eq!(diags.len(), 1, "{bad:?}: {diags:?}");
            assert_eq!(
                diags[0].code.as_str(),
                "INVALID_JSONATA_EXPRESSION",
                "{bad:?}"
            );
            assert_eq!(diags[0].location.as_deref(), Some("/States/S/Output"));
            assert!(!diags[0].message.is_empty());
        }
    }

    #[test]
    fn aws_error_output_outside_a_catcher() {
        // floci-io/floci PR #2786 (AWS output).
        expect(
            jsonata(single(
                json!({"Type": "Pass", "End": true, "Output": "{% $states.errorOutput %}"}),
            )),
            &[unsupported("errorOutput", "/States/S/Output")],
        );
        let t = json!({"Type": "Task", "Resource": LAMBDA, "Next": "Done", "Catch": [
            {"ErrorEquals": ["States.ALL"], "Next": "Done", "Output": "{% $states.errorOutput %}",
             "Assign": {"lastError": "{% $states.errorOutput.Error %}"}}]});
        ok(jsonata(sm(t)));
    }

    // ----- the rules of this file ---------------------------------------------------------

    #[test]
    fn expression_strings() {
        assert_eq!(expression_text("{% 1 %}"), Some(" 1 "));
        assert_eq!(expression_text("{%%}"), Some(""));
        assert_eq!(expression_text("{%}"), None);
        assert_eq!(expression_text(" {% 1 %}"), None);
        assert_eq!(expression_text("{% 1 %} "), None);
        assert_eq!(expression_text("$.a"), None);
        assert!(mentions_member("$states.result.x", "result"));
        assert!(mentions_member("$count($states.result)", "result"));
        assert!(!mentions_member("$states.results", "result"));
        assert!(!mentions_member("$states.input", "result"));
        // Literals are never parsed, whatever they hold.
        ok(jsonata(single(
            json!({"Type": "Pass", "End": true, "Output": [" {% 1 + %} ", "$.a", "{%", "States.Format('{}')"]}),
        )));
    }

    #[test]
    fn machine_and_state_languages() {
        // A JSONPath machine may hold JSONata states; their fields are checked as JSONata.
        ok(pass(
            json!({"QueryLanguage": "JSONata", "Output": "{% $states.input %}"}),
        ));
        expect(
            pass(json!({"QueryLanguage": "JSONata", "Parameters": {}})),
            &[lang_msg("JSONata", "JSONPath", "Parameters", "/States/S")],
        );
        ok(jsonata(pass(
            json!({"QueryLanguage": "JSONata", "Assign": {"x": 1}}),
        )));
        // Inner states default to the machine's language, not to the Map's.
        let m = json!({"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [1, 2] %}", "Next": "Done",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": "{% 1 %}", "End": true}}}});
        expect(
            sm(m),
            &[lang_msg(
                "JSONPath",
                "JSONata",
                "Output",
                "/States/S/ItemProcessor/States/I",
            )],
        );
        let m = json!({"Type": "Map", "Next": "Done",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "InputPath": "$", "End": true}}}});
        expect(
            jsonata(sm(m)),
            &[lang_msg(
                "JSONata",
                "JSONPath",
                "InputPath",
                "/States/S/ItemProcessor/States/I",
            )],
        );
        // A value outside the enum is reported and still means JSONata (floci #2968).
        expect(
            single(
                json!({"Type": "Pass", "QueryLanguage": "jsonata", "InputPath": "$", "End": true}),
            ),
            &[
                svf(
                    "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                    "/States/S/QueryLanguage",
                ),
                lang_msg("JSONata", "JSONPath", "InputPath", "/States/S"),
            ],
        );
        // Branches and processors have no QueryLanguage of their own.
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done", "Branches": [
                with(processor(), json!({"QueryLanguage": "JSONata"}))]})),
            &[svf(
                "Field 'QueryLanguage' is not supported",
                "/States/S/Branches/0",
            )],
        );
    }

    #[test]
    fn every_type_accepts_its_jsonata_fields() {
        ok(jsonata(task(
            json!({"Comment": "c", "Arguments": {"a": "{% $states.input.a %}", "b": [1, "{% 2 %}"]},
            "Output": {"r": "{% $states.result %}"}, "Assign": {"x": "{% $states.result.x %}", "y": 1},
            "Retry": [], "Catch": [], "TimeoutSeconds": "{% 10 %}", "HeartbeatSeconds": 5,
            "Credentials": {"RoleArn": "{% 'arn:aws:iam::123456789012:role/r' %}"}}),
        )));
        ok(jsonata(task(
            json!({"Arguments": "{% $states.input %}", "TimeoutSeconds": 10}),
        )));
        ok(jsonata(pass(
            json!({"Output": 42, "Assign": {"x": "{% $states.input %}"}}),
        )));
        ok(jsonata(wait(json!({"Seconds": "{% 1 %}", "Output": {}}))));
        ok(jsonata(wait(json!({"Timestamp": "{% $now() %}"}))));
        ok(jsonata(wait(json!({"Timestamp": "2016-03-14T01:59:00Z"}))));
        ok(jsonata(single(
            json!({"Type": "Succeed", "Output": "{% $states.input %}"}),
        )));
        ok(jsonata(fail(
            json!({"Error": "{% 'E' & 'x' %}", "Cause": "plain text"}),
        )));
        ok(jsonata(sm(
            json!({"Type": "Choice", "Output": {"o": 1}, "Assign": {"a": 1}, "Default": "Done",
            "Choices": [{"Condition": "{% $states.input.x = 1 %}", "Next": "Done", "Comment": "c",
                "Assign": {"b": "{% $states.input %}"}, "Output": "{% $states.input %}"},
                {"Condition": true, "Next": "Done"}]}),
        )));
        ok(jsonata(sm(
            json!({"Type": "Parallel", "Next": "Done", "Arguments": {"a": 1},
            "Output": "{% $states.result[0] %}", "Assign": {"p": "{% $states.result %}"},
            "Branches": [processor()]}),
        )));
        ok(jsonata(map(
            json!({"Items": "{% $states.input.list %}", "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
            "MaxConcurrency": "{% 2 %}", "ToleratedFailureCount": 1, "ToleratedFailurePercentage": "{% 5 %}",
            "Output": "{% $states.result %}", "Assign": {"n": "{% $count($states.result) %}"},
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "{% 'b' %}"},
                "ReaderConfig": {"MaxItems": "{% 5 %}"}},
            "ItemBatcher": {"MaxItemsPerBatch": "{% 2 %}", "BatchInput": {"k": "{% 1 %}"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Arguments": "{% $states.input.dest %}"}}),
        )));
        ok(jsonata(map(json!({"Items": [1, 2, 3]}))));
    }

    #[test]
    fn jsonpath_only_fields_rejected() {
        let msg = |f: &str| lang_msg("JSONata", "JSONPath", f, "/States/S");
        expect(
            jsonata(task(
                json!({"Parameters": {}, "ResultSelector": {}, "TimeoutSecondsPath": "$.t", "HeartbeatSecondsPath": "$.h"}),
            )),
            &[
                msg("Parameters"),
                msg("ResultSelector"),
                msg("TimeoutSecondsPath"),
                msg("HeartbeatSecondsPath"),
            ],
        );
        expect(
            jsonata(map(
                json!({"ItemsPath": "$.a", "MaxConcurrencyPath": "$.m", "Parameters": {}}),
            )),
            &[
                msg("ItemsPath"),
                msg("MaxConcurrencyPath"),
                msg("Parameters"),
            ],
        );
        expect(jsonata(pass(json!({"Result": 1}))), &[msg("Result")]);
        expect(
            jsonata(wait(json!({"Seconds": 1, "SecondsPath": "$.s"}))),
            &[msg("SecondsPath")],
        );
        expect(
            jsonata(fail(json!({"ErrorPath": "$.e", "CausePath": "$.c"}))),
            &[msg("ErrorPath"), msg("CausePath")],
        );
        // Not accepted in either language: the ordinary message.
        expect(
            jsonata(map(json!({"Arguments": {}}))),
            &[svf("Field 'Arguments' is not supported", "/States/S")],
        );
        expect(
            jsonata(single(json!({"Type": "Fail", "Output": 1}))),
            &[svf("Field 'Output' is not supported", "/States/S")],
        );
        // Inside ItemReader/ResultWriter/ItemBatcher, at the field (floci-io/floci tests
        // measured against AWS, for ResultWriter).
        expect(
            jsonata(map(json!({"ItemReader": {"Parameters": {}},
                "ResultWriter": {"Parameters": {}}, "ItemBatcher": {"MaxItemsPerBatchPath": "$.m"}}))),
            &[
                lang_msg(
                    "JSONata",
                    "JSONPath",
                    "Parameters",
                    "/States/S/ItemReader/Parameters",
                ),
                lang_msg(
                    "JSONata",
                    "JSONPath",
                    "Parameters",
                    "/States/S/ResultWriter/Parameters",
                ),
                lang_msg(
                    "JSONata",
                    "JSONPath",
                    "MaxItemsPerBatchPath",
                    "/States/S/ItemBatcher/MaxItemsPerBatchPath",
                ),
            ],
        );
        expect(
            map(json!({"ResultWriter": {"Arguments": {}}})),
            &[lang_msg(
                "JSONPath",
                "JSONata",
                "Arguments",
                "/States/S/ResultWriter/Arguments",
            )],
        );
    }

    #[test]
    fn choice_rules_and_catchers() {
        expect(
            jsonata(choice_rule(
                json!({"Variable": "$.x", "IsPresent": true, "Next": "Done"}),
            )),
            &[
                svf(
                    "These fields are required: [Condition]",
                    "/States/S/Choices/0",
                ),
                lang_msg("JSONata", "JSONPath", "Variable", "/States/S/Choices/0"),
                lang_msg("JSONata", "JSONPath", "IsPresent", "/States/S/Choices/0"),
            ],
        );
        expect(
            jsonata(choice_rule(
                json!({"Condition": "{% true %}", "And": [], "Next": "Done"}),
            )),
            &[lang_msg(
                "JSONata",
                "JSONPath",
                "And",
                "/States/S/Choices/0",
            )],
        );
        expect(
            jsonata(choice_rule(json!({"Condition": "yes", "Next": "Done"}))),
            &[svf(
                "The field 'Condition' must be a JSONata expression",
                "/States/S/Choices/0/Condition",
            )],
        );
        expect(
            choice_rule(json!({"Condition": "{% true %}", "Next": "Done"})),
            &[
                svf(
                    "A choice rule must contain either 'Variable' with exactly one comparison operator, or exactly one of [And, Or, Not]",
                    "/States/S/Choices/0",
                ),
                lang_msg("JSONPath", "JSONata", "Condition", "/States/S/Choices/0"),
            ],
        );
        expect(
            jsonata(task(
                json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                "ResultPath": "$.e"}]}),
            )),
            &[lang_msg(
                "JSONata",
                "JSONPath",
                "ResultPath",
                "/States/S/Catch/0",
            )],
        );
        expect(
            task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done", "Output": 1}]})),
            &[lang_msg(
                "JSONPath",
                "JSONata",
                "Output",
                "/States/S/Catch/0",
            )],
        );
    }

    #[test]
    fn states_members() {
        // $states.result only in the top-level Output/Assign of Task/Parallel/Map.
        expect(
            jsonata(task(json!({"Arguments": {"a": "{% $states.result %}"}}))),
            &[unsupported("result", "/States/S/Arguments/a")],
        );
        expect(
            jsonata(pass(json!({"Output": "{% $states.result %}"}))),
            &[unsupported("result", "/States/S/Output")],
        );
        expect(
            jsonata(task(
                json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                "Output": "{% $states.result %}"}]}),
            )),
            &[unsupported("result", "/States/S/Catch/0/Output")],
        );
        expect(
            jsonata(choice_rule(
                json!({"Condition": "{% $states.result.ok %}", "Next": "Done"}),
            )),
            &[unsupported("result", "/States/S/Choices/0/Condition")],
        );
        expect(
            jsonata(map(json!({"Items": "{% $states.result %}",
                "Assign": {"e": "{% $states.errorOutput %}"}}))),
            &[
                unsupported("result", "/States/S/Items"),
                unsupported("errorOutput", "/States/S/Assign/e"),
            ],
        );
    }

    #[test]
    fn jsonata_field_values() {
        expect(
            jsonata(task(json!({"TimeoutSeconds": "10", "HeartbeatSeconds": 0}))),
            &[
                svf("Expected value of type Integer", "/States/S/TimeoutSeconds"),
                svf(
                    "Value must be between 1 and 99999999",
                    "/States/S/HeartbeatSeconds",
                ),
            ],
        );
        expect(
            jsonata(wait(json!({"Seconds": "{% 1 + %}"}))),
            &[format!(
                "INVALID_JSONATA_EXPRESSION: {} at /States/S/Seconds",
                aslcheck_jsonata::Expression::compile(" 1 + ")
                    .unwrap_err()
                    .message
            )],
        );
        expect(
            jsonata(wait(json!({"Timestamp": "yesterday"}))),
            &[svf(
                "String does not match RFC3339 timestamp",
                "/States/S/Timestamp",
            )],
        );
        expect(
            jsonata(wait(json!({}))),
            &[svf(
                "Exactly one of these fields is required: [Seconds, Timestamp]",
                "/States/S",
            )],
        );
        expect(
            jsonata(map(
                json!({"MaxConcurrency": -1, "ToleratedFailurePercentage": 101}),
            )),
            &[
                svf(
                    "Value must be greater than or equal to 0",
                    "/States/S/MaxConcurrency",
                ),
                svf(
                    "Value must be between 0 and 100",
                    "/States/S/ToleratedFailurePercentage",
                ),
            ],
        );
        expect(
            jsonata(fail(json!({"Error": 1}))),
            &[svf("Expected value of type String", "/States/S/Error")],
        );
        // `.$` keys (and so intrinsic functions) belong to JSONPath.
        expect(
            jsonata(pass(json!({"Output": {"a": {"b.$": "States.UUID()"}}}))),
            &[svf(
                "The field 'b.$' ends in '.$', which is only supported for the 'JSONPath' QueryLanguage",
                "/States/S/Output/a",
            )],
        );
        expect(
            jsonata(task(json!({"Arguments": {"p.$": "$.x"}}))),
            &[svf(
                "The field 'p.$' ends in '.$', which is only supported for the 'JSONPath' QueryLanguage",
                "/States/S/Arguments",
            )],
        );
    }

    #[test]
    fn jsonata_assign_names() {
        expect(
            jsonata(pass(json!({"Assign": [1]}))),
            &[svf("Expected value of type Object", "/States/S/Assign")],
        );
        for bad in ["x.$", "x.y", "states", "1x"] {
            let diags = validate(&jsonata(pass(json!({"Assign": {bad: 1}}))));
            assert!(
                diags.len() == 1
                    && diags[0].message.contains("is not valid")
                    && diags[0].location.as_deref() == Some("/States/S/Assign"),
                "{bad:?}: {diags:?}"
            );
        }
    }

    #[test]
    fn deep_expressions_are_fine() {
        let mut v = json!("{% 1 + %}");
        for _ in 0..200 {
            v = json!({"n": [v]});
        }
        let diags = validate(&jsonata(pass(json!({"Output": v}))));
        assert_eq!(diags.len(), 1);
        assert!(diags[0].location.as_deref().unwrap().ends_with("/n/0"));
    }
}
