//! One state: its `Type`, its query language (jsonata.md §11.1), the fields each type accepts in
//! that language (docs/semantics/structure.md §1.3 tables), `Next` xor `End`, the JSON type of every field, and the path fields `InputPath`,
//! `OutputPath`, `ResultPath` (§2.3) — rules 3, 4 and the exclusive pairs of rule 9 in the module
//! docs of [`super`]. `Validator::state` walks a state's fields in document order and hands
//! each one to its rule group (templates, Task, Retry/Catch, Choice, Wait/Fail, Map/Parallel).
//!
//! Code: `SCHEMA_VALIDATION_FAILED`. Type-error wording `Expected value of type Integer` is
//! AWS's (3P: serverless/serverless #6041); the "required" diagnostic precedes "not supported"
//! ones (3P: cloudtools/troposphere #1450).

use serde_json::{Map, Value};

use super::diagnostics::{child, BAD_TIMESTAMP, NOT_A_PATH};
use super::jsonata::{other_language, Lang, StatesVars, DOWNGRADE};
use super::machine::{StateInfo, Target};
use super::Validator;
use crate::asl::syntax::{check_path, check_reference_path, check_timestamp};
use crate::asl::walk;

/// Upper bound of `TimeoutSeconds`, `HeartbeatSeconds`, Wait `Seconds`, retrier intervals.
pub(super) const MAX_SECONDS: i64 = 99_999_999;

const TYPE_VALUES: &str = "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]";
const NEXT_OR_END: &str = "State must have either a 'Next' field or 'End': true";

const COMMON_FIELDS: &[&str] = &["Type", "Comment", "QueryLanguage"];
const TASK_FIELDS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Assign",
    "Retry",
    "Catch",
    "Resource",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Credentials",
];
const PARALLEL_FIELDS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Assign",
    "Retry",
    "Catch",
    "Branches",
];
const MAP_FIELDS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Assign",
    "Retry",
    "Catch",
    "ItemProcessor",
    "Iterator",
    "ItemsPath",
    "ItemSelector",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
];
const PASS_FIELDS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultPath",
    "Assign",
    "Result",
];
const WAIT_FIELDS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "Assign",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "TimestampPath",
];
const CHOICE_FIELDS: &[&str] = &["InputPath", "OutputPath", "Assign", "Choices", "Default"];
const SUCCEED_FIELDS: &[&str] = &["InputPath", "OutputPath"];
const FAIL_FIELDS: &[&str] = &["Error", "ErrorPath", "Cause", "CausePath"];

// The same lists for JSONata states (structure.md §1.3 "Common fields of JSONata states" and
// the per-type table; jsonata.md §11.2): `Output` everywhere but Fail, `Arguments` on Task and
// Parallel, Map `Items`; no `InputPath`, `Parameters`, `ResultSelector`, `ResultPath`,
// `OutputPath`, Pass `Result` or `…Path` field.
const TASK_JSONATA: &[&str] = &[
    "Next",
    "End",
    "Output",
    "Assign",
    "Arguments",
    "Retry",
    "Catch",
    "Resource",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Credentials",
];
const PARALLEL_JSONATA: &[&str] = &[
    "Next",
    "End",
    "Output",
    "Assign",
    "Arguments",
    "Retry",
    "Catch",
    "Branches",
];
const MAP_JSONATA: &[&str] = &[
    "Next",
    "End",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "ItemProcessor",
    "Iterator",
    "Items",
    "ItemSelector",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "Label",
];
const PASS_JSONATA: &[&str] = &["Next", "End", "Output", "Assign"];
const WAIT_JSONATA: &[&str] = &["Next", "End", "Output", "Assign", "Seconds", "Timestamp"];
const CHOICE_JSONATA: &[&str] = &["Output", "Assign", "Choices", "Default"];
const SUCCEED_JSONATA: &[&str] = &["Output"];
const FAIL_JSONATA: &[&str] = &["Error", "Cause"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum StateType {
    Task,
    Wait,
    Pass,
    Succeed,
    Fail,
    Choice,
    Parallel,
    Map,
}

impl StateType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Task" => Self::Task,
            "Wait" => Self::Wait,
            "Pass" => Self::Pass,
            "Succeed" => Self::Succeed,
            "Fail" => Self::Fail,
            "Choice" => Self::Choice,
            "Parallel" => Self::Parallel,
            "Map" => Self::Map,
            _ => return None,
        })
    }

    fn fields(self, lang: Lang) -> &'static [&'static str] {
        match (lang, self) {
            (Lang::JsonPath, Self::Task) => TASK_FIELDS,
            (Lang::JsonPath, Self::Wait) => WAIT_FIELDS,
            (Lang::JsonPath, Self::Pass) => PASS_FIELDS,
            (Lang::JsonPath, Self::Succeed) => SUCCEED_FIELDS,
            (Lang::JsonPath, Self::Fail) => FAIL_FIELDS,
            (Lang::JsonPath, Self::Choice) => CHOICE_FIELDS,
            (Lang::JsonPath, Self::Parallel) => PARALLEL_FIELDS,
            (Lang::JsonPath, Self::Map) => MAP_FIELDS,
            (Lang::Jsonata, Self::Task) => TASK_JSONATA,
            (Lang::Jsonata, Self::Wait) => WAIT_JSONATA,
            (Lang::Jsonata, Self::Pass) => PASS_JSONATA,
            (Lang::Jsonata, Self::Succeed) => SUCCEED_JSONATA,
            (Lang::Jsonata, Self::Fail) => FAIL_JSONATA,
            (Lang::Jsonata, Self::Choice) => CHOICE_JSONATA,
            (Lang::Jsonata, Self::Parallel) => PARALLEL_JSONATA,
            (Lang::Jsonata, Self::Map) => MAP_JSONATA,
        }
    }

    fn needs_transition(self) -> bool {
        !matches!(self, Self::Choice | Self::Succeed | Self::Fail)
    }

    fn exclusive_pairs(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Task => &[
                ("TimeoutSeconds", "TimeoutSecondsPath"),
                ("HeartbeatSeconds", "HeartbeatSecondsPath"),
            ],
            Self::Fail => &[("Error", "ErrorPath"), ("Cause", "CausePath")],
            Self::Map => &[
                ("ItemProcessor", "Iterator"),
                ("ItemSelector", "Parameters"),
                ("MaxConcurrency", "MaxConcurrencyPath"),
                (
                    "ToleratedFailurePercentage",
                    "ToleratedFailurePercentagePath",
                ),
                ("ToleratedFailureCount", "ToleratedFailureCountPath"),
            ],
            _ => &[],
        }
    }
}

/// `$name…` (a variable reference) as opposed to `$`, `$.x`, `$[..]`, `$$…`.
fn is_variable(path: &str) -> bool {
    matches!(path.strip_prefix('$').and_then(|r| r.chars().next()), Some(c) if c != '.' && c != '[' && c != '$')
}

impl Validator {
    /// One state at `loc`: what its machine's transition phase needs to know about it.
    pub(super) fn state(
        &mut self,
        name: &str,
        value: &Value,
        loc: &str,
        depth: usize,
    ) -> StateInfo {
        let mut info = StateInfo::default();
        self.state_name(name, loc);
        let Some(obj) = self.want_obj(value, loc) else {
            info.uncertain = true;
            return info;
        };
        info.mentions = walk::mentions(obj);
        let ty = match obj.get("Type") {
            None => {
                self.required(loc, &["Type"]);
                info.uncertain = true;
                return info;
            }
            Some(t) => match t.as_str().and_then(StateType::parse) {
                Some(ty) => ty,
                None => {
                    self.schema(
                        &child(loc, "Type"),
                        format!("The field 'Type' should have one of these values: {TYPE_VALUES}"),
                    );
                    info.uncertain = true;
                    return info;
                }
            },
        };
        let end_true = obj.get("End") == Some(&Value::Bool(true));
        info.terminal = matches!(ty, StateType::Succeed | StateType::Fail)
            || (ty.needs_transition() && end_true);
        let lang = Lang::of(obj.get("QueryLanguage"), self.lang);
        // A JSONPath state in a JSONata machine (§1.4 rule 15): reported once, and the state's
        // fields of the other language are then not reported on top of it (3P: floci-io/floci
        // issue #2968, measured against AWS); its other checks stay.
        let downgraded = self.lang == Lang::Jsonata && lang == Lang::JsonPath;
        if downgraded {
            self.schema(loc, DOWNGRADE);
        }
        let other_lang = match lang {
            Lang::JsonPath => Lang::Jsonata,
            Lang::Jsonata => Lang::JsonPath,
        };
        let jsonata = lang == Lang::Jsonata;
        // `$states.result` is readable in the top-level Output and Assign of these (§11.3).
        let result_vars = if matches!(ty, StateType::Task | StateType::Parallel | StateType::Map) {
            StatesVars::Result
        } else {
            StatesVars::Plain
        };

        // Required fields.
        let mut missing: Vec<&str> = match ty {
            StateType::Task => vec!["Resource"],
            StateType::Choice => vec!["Choices"],
            StateType::Parallel => vec!["Branches"],
            _ => vec![],
        };
        missing.retain(|f| !obj.contains_key(*f));
        if ty == StateType::Map
            && !obj.contains_key("ItemProcessor")
            && !obj.contains_key("Iterator")
        {
            missing.push("ItemProcessor");
        }
        self.required(loc, &missing);
        if missing.contains(&"Choices") {
            info.uncertain = true;
        }
        if ty.needs_transition() {
            let next = obj.get("Next");
            let end = obj.get("End");
            if next.is_some() && end_true {
                self.schema(loc, "These fields are mutually exclusive: [Next, End]");
            } else if next.is_none() && !end_true {
                if end.is_none_or(Value::is_boolean) {
                    self.schema(loc, NEXT_OR_END);
                }
                info.uncertain = true;
            }
        }

        // Fields, in document order.
        let allowed = ty.fields(lang);
        for (key, v) in obj {
            let k = key.as_str();
            let floc = child(loc, k);
            if !allowed.contains(&k) && !COMMON_FIELDS.contains(&k) {
                if ty.fields(other_lang).contains(&k) {
                    if !downgraded {
                        self.schema(loc, other_language(lang, k));
                    }
                } else {
                    self.schema(loc, format!("Field '{k}' is not supported"));
                }
                continue;
            }
            match k {
                // Fields that take JSONata (§11.2); only JSONata states get here with `Output`,
                // `Arguments` or `Items`.
                "Output" => self.jsonata_value(v, &floc, result_vars),
                "Assign" if jsonata => self.jsonata_assign(v, &floc, result_vars),
                "Arguments" | "Items" | "ItemSelector" => {
                    if jsonata {
                        self.jsonata_value(v, &floc, StatesVars::Plain);
                    } else {
                        self.template(v, &floc);
                    }
                }
                "Credentials" if jsonata => self.jsonata_credentials(v, &floc),
                "TimeoutSeconds" | "HeartbeatSeconds" if jsonata => {
                    self.int_or_expression(v, &floc, 1, Some(MAX_SECONDS));
                }
                "Seconds" if jsonata => self.int_or_expression(v, &floc, 0, Some(MAX_SECONDS)),
                "Timestamp" if jsonata => self.timestamp_or_expression(v, &floc),
                "Error" | "Cause" if jsonata => {
                    if let Some(s) = self.want_str(v, &floc) {
                        self.expression(s, &floc, StatesVars::Plain);
                    }
                }
                "MaxConcurrency" | "ToleratedFailureCount" if jsonata => {
                    self.int_or_expression(v, &floc, 0, None);
                }
                "ToleratedFailurePercentage" if jsonata => self.percentage_or_expression(v, &floc),
                "Comment" | "Error" | "Cause" => {
                    self.want_str(v, &floc);
                }
                "QueryLanguage" => self.query_language(v, &floc),
                "Next" | "Default" => match self.want_str(v, &floc) {
                    Some(t) => info.targets.push(Target {
                        name: t.to_string(),
                        location: floc,
                    }),
                    None => info.uncertain = true,
                },
                "End" => info.uncertain |= self.want_bool(v, &floc).is_none(),
                "InputPath" | "OutputPath" => self.path_or_null(v, &floc),
                "ResultPath" => self.result_path(v, &floc),
                "Parameters" | "ResultSelector" | "Credentials" => {
                    if k == "Credentials" {
                        self.credentials(v, &floc);
                    }
                    self.template(v, &floc);
                }
                "Assign" => {
                    self.assign(v, &floc);
                }
                "Retry" => self.handlers(v, &floc, false, &mut info, lang),
                "Catch" => self.handlers(v, &floc, true, &mut info, lang),
                "Resource" => self.resource(v, &floc),
                "TimeoutSeconds" | "HeartbeatSeconds" => {
                    self.want_int(v, &floc, 1, Some(MAX_SECONDS));
                }
                "TimeoutSecondsPath"
                | "HeartbeatSecondsPath"
                | "SecondsPath"
                | "TimestampPath"
                | "ItemsPath"
                | "MaxConcurrencyPath"
                | "ToleratedFailurePercentagePath"
                | "ToleratedFailureCountPath" => self.reference_path(v, &floc),
                "Seconds" => {
                    self.want_int(v, &floc, 0, Some(MAX_SECONDS));
                }
                "Timestamp" => self.timestamp(v, &floc),
                "ErrorPath" | "CausePath" => self.error_path(v, &floc, k),
                "Choices" => self.choices(v, &floc, &mut info, lang),
                "Branches" => self.branches(v, &floc, depth),
                "ItemProcessor" | "Iterator" => self.processor(k, v, &floc, depth),
                "MaxConcurrency" | "ToleratedFailureCount" => {
                    self.want_int(v, &floc, 0, None);
                }
                "ToleratedFailurePercentage" => self.tolerated_failure_percentage(v, &floc),
                "Label" => self.label(v, &floc),
                "ItemReader" => self.item_reader(v, &floc, lang),
                "ItemBatcher" => self.item_batcher(v, &floc, lang),
                "ResultWriter" => self.result_writer(v, &floc, lang),
                // "Type" (checked above), "Result" (any JSON).
                _ => {}
            }
        }

        // Cross-field rules (a pair with a field of the other language was reported above).
        let pairs: Vec<(&str, &str)> = ty
            .exclusive_pairs()
            .iter()
            .copied()
            .filter(|(a, b)| allowed.contains(a) && allowed.contains(b))
            .collect();
        self.exclusive(obj, loc, &pairs);
        match ty {
            StateType::Task => self.heartbeat_below_timeout(obj, loc),
            StateType::Wait => self.wait_duration(obj, loc, lang),
            _ => {}
        }
        info
    }

    // ----- JSON types ---------------------------------------------------------------------

    pub(super) fn want_str<'a>(&mut self, v: &'a Value, loc: &str) -> Option<&'a str> {
        let s = v.as_str();
        if s.is_none() {
            self.schema(loc, "Expected value of type String");
        }
        s
    }

    pub(super) fn want_bool(&mut self, v: &Value, loc: &str) -> Option<bool> {
        let b = v.as_bool();
        if b.is_none() {
            self.schema(loc, "Expected value of type Boolean");
        }
        b
    }

    pub(super) fn want_obj<'a>(
        &mut self,
        v: &'a Value,
        loc: &str,
    ) -> Option<&'a Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.schema(loc, "Expected value of type Object");
        }
        o
    }

    pub(super) fn want_arr<'a>(&mut self, v: &'a Value, loc: &str) -> Option<&'a Vec<Value>> {
        let a = v.as_array();
        if a.is_none() {
            self.schema(loc, "Expected value of type Array");
        }
        a
    }

    /// An integer in `min..=max` (`max` `None`: unbounded). Integral floats (`1.0`) are not
    /// integers. Integers beyond `i64` count as `i64::MAX`.
    pub(super) fn want_int(
        &mut self,
        v: &Value,
        loc: &str,
        min: i64,
        max: Option<i64>,
    ) -> Option<i64> {
        let n = match (v.as_i64(), v.as_u64()) {
            (Some(n), _) => n,
            (None, Some(_)) => i64::MAX,
            (None, None) => {
                self.schema(loc, "Expected value of type Integer");
                return None;
            }
        };
        if n < min || max.is_some_and(|m| n > m) {
            let msg = match max {
                Some(m) => format!("Value must be between {min} and {m}"),
                None => format!("Value must be greater than or equal to {min}"),
            };
            self.schema(loc, msg);
            return None;
        }
        Some(n)
    }

    pub(super) fn want_num(&mut self, v: &Value, loc: &str) -> Option<f64> {
        let n = v.as_f64();
        if n.is_none() {
            self.schema(loc, "Expected value of type Number");
        }
        n
    }

    pub(super) fn want_enum(
        &mut self,
        v: &Value,
        loc: &str,
        field: &str,
        values: &[&str],
    ) -> Option<String> {
        match v.as_str() {
            Some(s) if values.contains(&s) => Some(s.to_string()),
            _ => {
                self.schema(
                    loc,
                    format!(
                        "The field '{field}' should have one of these values: [{}]",
                        values.join(", ")
                    ),
                );
                None
            }
        }
    }

    // ----- paths --------------------------------------------------------------------------

    pub(super) fn path_or_null(&mut self, v: &Value, loc: &str) {
        if v.is_null() {
            return;
        }
        if let Some(s) = self.want_str(v, loc) {
            if check_path(s).is_err() {
                self.schema(loc, NOT_A_PATH);
            }
        }
    }

    pub(super) fn path(&mut self, v: &Value, loc: &str) {
        if let Some(s) = self.want_str(v, loc) {
            if check_path(s).is_err() {
                self.schema(loc, NOT_A_PATH);
            }
        }
    }

    pub(super) fn reference_path(&mut self, v: &Value, loc: &str) {
        if let Some(s) = self.want_str(v, loc) {
            if let Err(e) = check_reference_path(s) {
                self.schema(loc, format!("Value is not a Reference Path: {e}"));
            }
        }
    }

    /// `ResultPath` (state or catcher): null or a reference path into the state data.
    pub(super) fn result_path(&mut self, v: &Value, loc: &str) {
        if v.is_null() {
            return;
        }
        let Some(s) = self.want_str(v, loc) else {
            return;
        };
        let problem = if s.starts_with("$$") {
            Some("ResultPath cannot refer to the context object ('$$')".to_string())
        } else if is_variable(s) {
            Some("ResultPath cannot refer to a variable".to_string())
        } else {
            check_reference_path(s).err().map(|e| e.to_string())
        };
        if let Some(e) = problem {
            self.schema(loc, format!("Value is not a Reference Path: {e}"));
        }
    }

    /// An RFC 3339 timestamp (Wait `Timestamp`, Choice `Timestamp…` operands; §9, §5.2).
    pub(super) fn timestamp(&mut self, v: &Value, loc: &str) {
        if let Some(s) = self.want_str(v, loc) {
            if !check_timestamp(s) {
                self.schema(loc, BAD_TIMESTAMP);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::validate::tests::*;

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

    #[test]
    fn aws_timeout_seconds_not_supported_on_map_and_parallel() {
        // floci #2735 (AWS output), docs/semantics/structure.md §1.3.
        let m = map(json!({"TimeoutSeconds": 5}));
        let m =
            json!({"StartAt": "M", "States": {"M": m["States"]["S"], "Done": {"Type": "Succeed"}}});
        expect(
            m,
            &[svf("Field 'TimeoutSeconds' is not supported", "/States/M")],
        );
        let p = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "TimeoutSeconds": 5, "End": true,
            "Branches": [processor()]}}});
        expect(
            p,
            &[svf("Field 'TimeoutSeconds' is not supported", "/States/P")],
        );
    }

    #[test]
    fn aws_bad_type() {
        expect(
            single(json!({"Type": "Bogus", "End": true})),
            &[svf(
                "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
                "/States/S/Type",
            )],
        );
    }

    #[test]
    fn aws_output_path_not_a_path() {
        // cfn-lint #4078 (CloudFormation quoting AWS).
        expect(
            json!({"StartAt": "Pass", "States": {
                "Pass": {"Type": "Pass", "OutputPath": "Test", "Next": "Success"},
                "Success": {"Type": "Succeed"}}}),
            &[svf(
                "Value must be a valid JSONPath.",
                "/States/Pass/OutputPath",
            )],
        );
    }

    #[test]
    fn aws_result_path_not_supported_on_wait() {
        // functionless #308 (AWS message): `ResultPath: null` on a Wait state.
        expect(
            sm(json!({"Type": "Wait", "Seconds": 1, "ResultPath": null, "Next": "Done"})),
            &[svf("Field 'ResultPath' is not supported", "/States/S")],
        );
    }

    // ----- the rules of this file ---------------------------------------------------------

    #[test]
    fn state_must_be_object_with_type() {
        expect(
            single(json!(1)),
            &[svf("Expected value of type Object", "/States/S")],
        );
        expect(
            single(json!({"End": true})),
            &[svf("These fields are required: [Type]", "/States/S")],
        );
    }

    #[test]
    fn bad_type_gets_no_field_errors() {
        let msg = "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]";
        expect(
            single(json!({"Type": "Bogus", "Foo": 1, "Next": "Nowhere", "InputPath": 3})),
            &[svf(msg, "/States/S/Type")],
        );
        expect(single(json!({"Type": 5})), &[svf(msg, "/States/S/Type")]);
        // Its Next still counts for reachability, so "Done" is not reported.
        expect(
            sm(json!({"Type": "pass", "Next": "Done"})),
            &[svf(msg, "/States/S/Type")],
        );
    }

    #[test]
    fn fields_not_supported_per_type() {
        expect(
            pass(json!({"Retry": []})),
            &[svf("Field 'Retry' is not supported", "/States/S")],
        );
        expect(
            pass(json!({"ResultSelector": {}})),
            &[svf("Field 'ResultSelector' is not supported", "/States/S")],
        );
        // JSONata-only fields (`Arguments`, `Output`, `Items`) get the language message: see
        // jsonata.rs.
        expect(
            pass(json!({"Arguments": {}})),
            &[svf("Field 'Arguments' is not supported", "/States/S")],
        );
        expect(
            single(json!({"Type": "Succeed", "Next": "S"})),
            &[svf("Field 'Next' is not supported", "/States/S")],
        );
        expect(
            single(json!({"Type": "Fail", "End": true, "InputPath": "$"})),
            &[
                svf("Field 'End' is not supported", "/States/S"),
                svf("Field 'InputPath' is not supported", "/States/S"),
            ],
        );
        expect(
            choice_rule(json!({"Variable": "$.x", "IsPresent": true, "Next": "Done"})).pipe(
                |mut d| {
                    d["States"]["S"]["End"] = json!(true);
                    d
                },
            ),
            &[svf("Field 'End' is not supported", "/States/S")],
        );
        expect(
            single(json!({"Type": "Succeed", "Assign": {}})),
            &[svf("Field 'Assign' is not supported", "/States/S")],
        );
    }

    trait Pipe: Sized {
        fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
            f(self)
        }
    }
    impl Pipe for Value {}

    #[test]
    fn every_type_accepts_its_fields() {
        ok(task(
            json!({"Comment": "c", "InputPath": "$.i", "OutputPath": "$.o", "Parameters": {"a.$": "$.a"},
            "ResultSelector": {"r.$": "$.r"}, "ResultPath": "$.res", "Assign": {"x": 1}, "Retry": [], "Catch": [],
            "TimeoutSeconds": 10, "HeartbeatSeconds": 5, "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/r"},
            "QueryLanguage": "JSONPath"}),
        ));
        ok(task(
            json!({"TimeoutSecondsPath": "$.t", "HeartbeatSecondsPath": "$.h"}),
        ));
        ok(pass(
            json!({"Comment": "c", "InputPath": null, "OutputPath": null, "Parameters": {}, "ResultPath": null,
            "Assign": {}, "Result": [1, 2]}),
        ));
        ok(wait(
            json!({"Comment": "c", "InputPath": "$", "OutputPath": "$", "Assign": {}, "Seconds": 0}),
        ));
        ok(wait(json!({"SecondsPath": "$.s"})));
        ok(wait(json!({"TimestampPath": "$.t"})));
        ok(wait(json!({"Timestamp": "2016-03-14T01:59:00Z"})));
        ok(single(
            json!({"Type": "Succeed", "Comment": "c", "InputPath": "$", "OutputPath": "$"}),
        ));
        ok(fail(json!({"Comment": "c", "Error": "E", "Cause": "C"})));
        ok(fail(json!({"ErrorPath": "$.e", "CausePath": "$.c"})));
        ok(sm(
            json!({"Type": "Choice", "Comment": "c", "InputPath": "$", "OutputPath": "$", "Assign": {},
            "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Done"}], "Default": "Done"}),
        ));
        ok(sm(
            json!({"Type": "Parallel", "Comment": "c", "InputPath": "$", "OutputPath": "$", "Parameters": {},
            "ResultSelector": {}, "ResultPath": "$.p", "Assign": {}, "Retry": [], "Catch": [],
            "Branches": [processor()], "Next": "Done"}),
        ));
        ok(map(
            json!({"Comment": "c", "InputPath": "$", "OutputPath": "$", "ResultSelector": {}, "ResultPath": "$.m",
            "Assign": {}, "Retry": [], "Catch": [], "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
            "MaxConcurrency": 0}),
        ));
    }

    #[test]
    fn next_or_end() {
        let neither = "State must have either a 'Next' field or 'End': true";
        expect(
            single(json!({"Type": "Pass"})),
            &[svf(neither, "/States/S")],
        );
        expect(
            single(json!({"Type": "Pass", "End": false})),
            &[svf(neither, "/States/S")],
        );
        expect(
            sm(json!({"Type": "Pass", "Next": "Done", "End": true})),
            &[svf(
                "These fields are mutually exclusive: [Next, End]",
                "/States/S",
            )],
        );
        expect(
            single(json!({"Type": "Pass", "End": "yes"})),
            &[svf("Expected value of type Boolean", "/States/S/End")],
        );
        expect(
            sm(json!({"Type": "Pass", "Next": 5})),
            &[svf("Expected value of type String", "/States/S/Next")],
        );
        ok(sm(json!({"Type": "Pass", "Next": "Done", "End": false})));
        ok(single(json!({"Type": "Pass", "End": true})));
    }

    #[test]
    fn input_output_paths() {
        ok(pass(
            json!({"InputPath": "$.a", "OutputPath": "$$.Execution.Input"}),
        ));
        ok(pass(json!({"InputPath": null, "OutputPath": null})));
        expect(
            pass(json!({"InputPath": "a"})),
            &[svf(
                "Value must be a valid JSONPath.",
                "/States/S/InputPath",
            )],
        );
        expect(
            pass(json!({"InputPath": 5})),
            &[svf("Expected value of type String", "/States/S/InputPath")],
        );
    }

    #[test]
    fn result_path() {
        ok(pass(json!({"ResultPath": "$"})));
        ok(pass(json!({"ResultPath": "$.a.b"})));
        ok(pass(json!({"ResultPath": null})));
        expect(
            pass(json!({"ResultPath": "$$.Execution"})),
            &[svf(
                "Value is not a Reference Path: ResultPath cannot refer to the context object ('$$')",
                "/States/S/ResultPath",
            )],
        );
        expect(
            pass(json!({"ResultPath": "$var"})),
            &[svf(
                "Value is not a Reference Path: ResultPath cannot refer to a variable",
                "/States/S/ResultPath",
            )],
        );
        expect(
            pass(json!({"ResultPath": "$.a[*]"})),
            &[not_ref_path("$.a[*]", "/States/S/ResultPath")],
        );
        expect(
            pass(json!({"ResultPath": 1})),
            &[svf("Expected value of type String", "/States/S/ResultPath")],
        );
    }

    #[test]
    fn never_panics_on_odd_values() {
        let odd = [
            json!(null),
            json!(true),
            json!(0),
            json!(-1),
            json!(1.5),
            json!(1e300),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(""),
            json!("$"),
            json!("$$"),
            json!("States.ALL"),
            json!([]),
            json!([null, 1, "x", {}]),
            json!({}),
            json!({"a.$": 1, "Next": 2, "StartAt": [], "States": "x"}),
        ];
        let mut fields: Vec<&str> = Vec::new();
        for list in [
            TASK_FIELDS,
            PARALLEL_FIELDS,
            MAP_FIELDS,
            PASS_FIELDS,
            WAIT_FIELDS,
            CHOICE_FIELDS,
            FAIL_FIELDS,
            TASK_JSONATA,
            MAP_JSONATA,
        ] {
            fields.extend_from_slice(list);
        }
        fields.extend_from_slice(COMMON_FIELDS);
        fields.extend(["Unknown", "Mode", "Variable", "And", "Condition"]);
        let types = [
            "Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map",
        ];
        let mut runs = 0;
        for ty in types {
            for field in &fields {
                for value in &odd {
                    let mut state = json!({"Type": ty, "Next": "Done", "Resource": LAMBDA,
                        "Branches": [processor()], "ItemProcessor": processor(),
                        "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "Done"}], "Seconds": 1});
                    state[*field] = value.clone();
                    let _ = validate(&sm(state.clone()));
                    // The same value as a retrier/catcher/rule/branch/processor field.
                    let nested = json!({"Type": ty, "Retry": [{*field: value.clone()}],
                        "Catch": [{*field: value.clone()}], "Choices": [{*field: value.clone()}],
                        "Branches": [{*field: value.clone()}], "ItemProcessor": {*field: value.clone()}});
                    let _ = validate(&sm(nested.clone()));
                    let _ = validate(&json!({*field: value.clone()}));
                    // The same in a JSONata machine.
                    let mut def = sm(state);
                    def["QueryLanguage"] = json!("JSONata");
                    let _ = validate(&def);
                    let mut def = sm(nested);
                    def["QueryLanguage"] = json!("JSONata");
                    let _ = validate(&def);
                    runs += 5;
                }
            }
        }
        for value in &odd {
            let _ = validate(value);
            let _ = validate(&json!({"StartAt": value, "States": value}));
            let _ = validate(&json!({"StartAt": "S", "States": {"S": value}}));
        }
        assert!(runs > 1000);
    }
}
