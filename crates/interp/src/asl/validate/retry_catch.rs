//! Retry and Catch (ASL spec "Error Handling"; docs/semantics/errors.md §6.3) — rule 10 in the module
//! docs of [`super`]: both are arrays (empty accepted) of objects; `ErrorEquals` is a non-empty
//! array of strings; `States.ALL` stands alone and only in the last retrier/catcher; the retrier
//! fields have the ranges of §6.3; a catcher needs `Next`, which its machine's transition phase
//! then checks; unknown fields are rejected.
//!
//! Code: `SCHEMA_VALIDATION_FAILED`.

use serde_json::Value;

use super::diagnostics::{child, index, EMPTY};
use super::fields::MAX_SECONDS;
use super::jsonata::{other_language, Lang, StatesVars};
use super::machine::{StateInfo, Target};
use super::Validator;

const MAX_DELAY_SECONDS: i64 = 31_622_400;

const RETRIER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];
const CATCHER_FIELDS: &[&str] = &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"];
/// A JSONata catcher: `Output` instead of `ResultPath` (jsonata.md §11.4).
const CATCHER_JSONATA: &[&str] = &["ErrorEquals", "Next", "Output", "Assign", "Comment"];

impl Validator {
    pub(super) fn handlers(
        &mut self,
        v: &Value,
        loc: &str,
        catch: bool,
        info: &mut StateInfo,
        lang: Lang,
    ) {
        let Some(items) = self.want_arr(v, loc) else {
            return;
        };
        let (allowed, other, kind) = match (catch, lang) {
            (true, Lang::JsonPath) => (CATCHER_FIELDS, CATCHER_JSONATA, "Catcher"),
            (true, Lang::Jsonata) => (CATCHER_JSONATA, CATCHER_FIELDS, "Catcher"),
            (false, _) => (RETRIER_FIELDS, RETRIER_FIELDS, "Retrier"),
        };
        for (i, item) in items.iter().enumerate() {
            let hloc = index(loc, i);
            let Some(obj) = self.want_obj(item, &hloc) else {
                continue;
            };
            let required: &[&str] = if catch {
                &["ErrorEquals", "Next"]
            } else {
                &["ErrorEquals"]
            };
            let missing: Vec<&str> = required
                .iter()
                .copied()
                .filter(|f| !obj.contains_key(*f))
                .collect();
            self.required(&hloc, &missing);
            if missing.contains(&"Next") {
                info.uncertain = true;
            }
            let mut has_all = false;
            for (key, value) in obj {
                let k = key.as_str();
                let floc = child(&hloc, k);
                if !allowed.contains(&k) {
                    if other.contains(&k) {
                        self.schema(&hloc, other_language(lang, k));
                    } else {
                        self.schema(&hloc, format!("Field '{k}' is not supported"));
                    }
                    continue;
                }
                match k {
                    "ErrorEquals" => has_all = self.error_equals(value, &floc),
                    "Comment" => {
                        self.want_str(value, &floc);
                    }
                    "IntervalSeconds" => {
                        self.want_int(value, &floc, 1, Some(MAX_SECONDS));
                    }
                    "MaxAttempts" => {
                        self.want_int(value, &floc, 0, Some(MAX_SECONDS));
                    }
                    "BackoffRate" => {
                        if let Some(n) = self.want_num(value, &floc) {
                            if n < 1.0 {
                                self.schema(&floc, "Value must be greater than or equal to 1.0");
                            }
                        }
                    }
                    "MaxDelaySeconds" => {
                        self.want_int(value, &floc, 1, Some(MAX_DELAY_SECONDS));
                    }
                    "JitterStrategy" => {
                        self.want_enum(value, &floc, "JitterStrategy", &["FULL", "NONE"]);
                    }
                    "Next" => match self.want_str(value, &floc) {
                        Some(t) => info.targets.push(Target {
                            name: t.to_string(),
                            location: floc,
                        }),
                        None => info.uncertain = true,
                    },
                    "ResultPath" => self.result_path(value, &floc),
                    // `$states.errorOutput` is readable here and nowhere else (§11.3).
                    "Output" => self.jsonata_value(value, &floc, StatesVars::ErrorOutput),
                    "Assign" if lang == Lang::Jsonata => {
                        self.jsonata_assign(value, &floc, StatesVars::ErrorOutput);
                    }
                    "Assign" => {
                        self.assign(value, &floc);
                    }
                    _ => {}
                }
            }
            if has_all && i + 1 != items.len() {
                self.schema(
                    &hloc,
                    format!("A {kind} whose 'ErrorEquals' contains 'States.ALL' must be the last {kind}"),
                );
            }
        }
    }

    /// Returns whether the list contains `States.ALL`.
    fn error_equals(&mut self, v: &Value, loc: &str) -> bool {
        let Some(items) = self.want_arr(v, loc) else {
            return false;
        };
        if items.is_empty() {
            self.schema(loc, EMPTY);
        }
        for (j, item) in items.iter().enumerate() {
            self.want_str(item, &index(loc, j));
        }
        let has_all = items.iter().any(|i| i.as_str() == Some("States.ALL"));
        if has_all && items.len() > 1 {
            self.schema(
                loc,
                "The error name 'States.ALL' must appear alone in 'ErrorEquals'",
            );
        }
        has_all
    }
}

#[cfg(test)]
mod tests {
    use crate::asl::validate::tests::*;

    #[test]
    fn retry_and_catch_shapes() {
        ok(task(json!({"Retry": [], "Catch": []})));
        expect(
            task(json!({"Retry": "x"})),
            &[svf("Expected value of type Array", "/States/S/Retry")],
        );
        expect(
            task(json!({"Catch": [1]})),
            &[svf("Expected value of type Object", "/States/S/Catch/0")],
        );
        expect(
            task(json!({"Retry": [{}]})),
            &[svf(
                "These fields are required: [ErrorEquals]",
                "/States/S/Retry/0",
            )],
        );
        expect(
            task(json!({"Catch": [{}]})),
            &[svf(
                "These fields are required: [ErrorEquals, Next]",
                "/States/S/Catch/0",
            )],
        );
        expect(
            task(json!({"Retry": [{"ErrorEquals": []}]})),
            &[svf(
                "Value cannot be empty",
                "/States/S/Retry/0/ErrorEquals",
            )],
        );
        expect(
            task(json!({"Retry": [{"ErrorEquals": ["A", 1]}]})),
            &[svf(
                "Expected value of type String",
                "/States/S/Retry/0/ErrorEquals/1",
            )],
        );
        expect(
            task(json!({"Retry": [{"ErrorEquals": "States.ALL"}]})),
            &[svf(
                "Expected value of type Array",
                "/States/S/Retry/0/ErrorEquals",
            )],
        );
    }

    #[test]
    fn states_all_alone_and_last() {
        ok(task(
            json!({"Retry": [{"ErrorEquals": ["A", "B"]}, {"ErrorEquals": ["States.ALL"]}],
            "Catch": [{"ErrorEquals": ["A"], "Next": "Done"}, {"ErrorEquals": ["States.ALL"], "Next": "Done"}]}),
        ));
        expect(
            task(json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]})),
            &[svf(
                "The error name 'States.ALL' must appear alone in 'ErrorEquals'",
                "/States/S/Retry/0/ErrorEquals",
            )],
        );
        expect(
            task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]})),
            &[svf(
                "A Retrier whose 'ErrorEquals' contains 'States.ALL' must be the last Retrier",
                "/States/S/Retry/0",
            )],
        );
        expect(
            task(
                json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"},
                {"ErrorEquals": ["X"], "Next": "Done"}]}),
            ),
            &[svf(
                "A Catcher whose 'ErrorEquals' contains 'States.ALL' must be the last Catcher",
                "/States/S/Catch/0",
            )],
        );
        // Case-sensitive: "States.all" is just an error name.
        ok(task(
            json!({"Retry": [{"ErrorEquals": ["States.all", "X"]}, {"ErrorEquals": ["Y"]}]}),
        ));
    }

    #[test]
    fn retrier_fields() {
        ok(task(
            json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 1, "MaxAttempts": 0, "BackoffRate": 1.0,
            "MaxDelaySeconds": 31622400, "JitterStrategy": "FULL", "Comment": "c"},
            {"ErrorEquals": ["Y"], "IntervalSeconds": 99999999, "MaxAttempts": 99999999, "BackoffRate": 2,
            "MaxDelaySeconds": 1, "JitterStrategy": "NONE"}]}),
        ));
        expect(
            task(
                json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0, "MaxAttempts": -1, "BackoffRate": 0.5,
                "MaxDelaySeconds": 31622401, "JitterStrategy": "SOME", "Foo": 1}]}),
            ),
            &[
                svf(
                    "Value must be between 1 and 99999999",
                    "/States/S/Retry/0/IntervalSeconds",
                ),
                svf(
                    "Value must be between 0 and 99999999",
                    "/States/S/Retry/0/MaxAttempts",
                ),
                svf(
                    "Value must be greater than or equal to 1.0",
                    "/States/S/Retry/0/BackoffRate",
                ),
                svf(
                    "Value must be between 1 and 31622400",
                    "/States/S/Retry/0/MaxDelaySeconds",
                ),
                svf(
                    "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                    "/States/S/Retry/0/JitterStrategy",
                ),
                svf("Field 'Foo' is not supported", "/States/S/Retry/0"),
            ],
        );
        expect(
            task(
                json!({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": 100000000, "BackoffRate": "2",
                "MaxDelaySeconds": 0}]}),
            ),
            &[
                svf(
                    "Value must be between 0 and 99999999",
                    "/States/S/Retry/0/MaxAttempts",
                ),
                svf(
                    "Expected value of type Number",
                    "/States/S/Retry/0/BackoffRate",
                ),
                svf(
                    "Value must be between 1 and 31622400",
                    "/States/S/Retry/0/MaxDelaySeconds",
                ),
            ],
        );
    }

    #[test]
    fn catcher_fields() {
        ok(task(
            json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Done", "ResultPath": "$.err", "Assign": {},
            "Comment": "c"}, {"ErrorEquals": ["Y"], "Next": "Done", "ResultPath": null}]}),
        ));
        expect(
            task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Done", "ResultPath": "$$.x", "IntervalSeconds": 1}]})),
            &[
                svf(
                    "Value is not a Reference Path: ResultPath cannot refer to the context object ('$$')",
                    "/States/S/Catch/0/ResultPath",
                ),
                svf("Field 'IntervalSeconds' is not supported", "/States/S/Catch/0"),
            ],
        );
        expect(
            task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": 3}]})),
            &[svf(
                "Expected value of type String",
                "/States/S/Catch/0/Next",
            )],
        );
        // Catcher Next makes its target reachable.
        ok(json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA, "End": true, "Catch": [{"ErrorEquals": ["X"], "Next": "H"}]},
            "H": {"Type": "Fail"}}}));
    }
}
