//! Rules of the small state types — rules 12 and 13 in the module docs of [`super`]:
//!
//! * Wait (docs/semantics/wait.md §9): exactly one of `Seconds` (0..=99999999, checked with the other
//!   field types), `Timestamp` (RFC 3339), `SecondsPath`, `TimestampPath`.
//! * Fail: `Error`/`ErrorPath` and `Cause`/`CausePath` are exclusive pairs (checked with the
//!   other pairs of rule 9); a `…Path` is a reference path or an intrinsic function call.
//!
//! Pass and Succeed have no rules beyond their field lists. Code: `SCHEMA_VALIDATION_FAILED`.

use serde_json::{Map, Value};

use super::jsonata::Lang;
use super::Validator;
use crate::asl::syntax::{check_intrinsic, check_reference_path};

const WAIT_CHOICES: [&str; 4] = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];

impl Validator {
    /// A Wait state names its duration exactly once (JSONata: `Seconds` or `Timestamp`, the
    /// `…Path` forms having been reported as JSONPath fields; wording of that case I).
    pub(super) fn wait_duration(&mut self, obj: &Map<String, Value>, loc: &str, lang: Lang) {
        let choices: &[&str] = match lang {
            Lang::JsonPath => &WAIT_CHOICES,
            Lang::Jsonata => &WAIT_CHOICES[..2],
        };
        let present: Vec<&str> = choices
            .iter()
            .copied()
            .filter(|f| obj.contains_key(*f))
            .collect();
        if present.is_empty() {
            self.schema(
                loc,
                format!(
                    "Exactly one of these fields is required: [{}]",
                    choices.join(", ")
                ),
            );
        } else if present.len() > 1 {
            self.schema(
                loc,
                format!(
                    "These fields are mutually exclusive: [{}]",
                    present.join(", ")
                ),
            );
        }
    }
    /// `ErrorPath`/`CausePath`: a reference path or an intrinsic function call.
    pub(super) fn error_path(&mut self, v: &Value, loc: &str, field: &str) {
        let Some(s) = self.want_str(v, loc) else {
            return;
        };
        let ok = if s.starts_with('$') {
            check_reference_path(s).is_ok()
        } else {
            check_intrinsic(s).is_ok()
        };
        if !ok {
            self.schema(
                loc,
                format!(
                    "The value for the field '{field}' must be a valid reference path or a valid intrinsic function call"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::asl::validate::tests::*;

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

    #[test]
    fn aws_bad_wait_timestamp() {
        expect(
            wait(json!({"Timestamp": "2016-03-14 01:59:00"})),
            &[svf(
                "String does not match RFC3339 timestamp",
                "/States/S/Timestamp",
            )],
        );
    }

    #[test]
    fn aws_seconds_not_an_integer() {
        // serverless #6041 (AWS message).
        expect(
            json!({"StartAt": "WaitTill", "States": {
                "WaitTill": {"Type": "Wait", "Seconds": "$.Result.seconds", "End": true}}}),
            &[svf(
                "Expected value of type Integer",
                "/States/WaitTill/Seconds",
            )],
        );
    }

    // ----- the rules of this file ---------------------------------------------------------

    #[test]
    fn wait_fields() {
        ok(wait(json!({"Seconds": 99999999})));
        ok(wait(
            json!({"Timestamp": "2016-03-14T01:59:00.123456789+01:00"}),
        ));
        expect(
            wait(json!({})),
            &[svf("Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]", "/States/S")],
        );
        expect(
            wait(json!({"Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z", "SecondsPath": "$.s"})),
            &[svf(
                "These fields are mutually exclusive: [Seconds, Timestamp, SecondsPath]",
                "/States/S",
            )],
        );
        expect(
            wait(json!({"Seconds": -1})),
            &[svf(
                "Value must be between 0 and 99999999",
                "/States/S/Seconds",
            )],
        );
        expect(
            wait(json!({"Timestamp": "2016-12-05T21:29:29"})),
            &[svf(
                "String does not match RFC3339 timestamp",
                "/States/S/Timestamp",
            )],
        );
        expect(
            wait(json!({"Timestamp": 5})),
            &[svf("Expected value of type String", "/States/S/Timestamp")],
        );
        expect(
            wait(json!({"SecondsPath": "s"})),
            &[not_ref_path("s", "/States/S/SecondsPath")],
        );
        expect(
            wait(json!({"TimestampPath": "$..t"})),
            &[not_ref_path("$..t", "/States/S/TimestampPath")],
        );
    }

    #[test]
    fn fail_fields() {
        ok(fail(json!({})));
        ok(fail(
            json!({"ErrorPath": "States.Format('E{}', $.n)", "CausePath": "$$.Execution.Name"}),
        ));
        expect(
            fail(json!({"Error": "E", "ErrorPath": "$.e", "Cause": "C", "CausePath": "$.c"})),
            &[
                svf(
                    "These fields are mutually exclusive: [Error, ErrorPath]",
                    "/States/S",
                ),
                svf(
                    "These fields are mutually exclusive: [Cause, CausePath]",
                    "/States/S",
                ),
            ],
        );
        expect(
            fail(json!({"CausePath": "oops", "ErrorPath": "$.a[0:1]"})),
            &[
                svf(
                    "The value for the field 'CausePath' must be a valid reference path or a valid intrinsic function call",
                    "/States/S/CausePath",
                ),
                svf(
                    "The value for the field 'ErrorPath' must be a valid reference path or a valid intrinsic function call",
                    "/States/S/ErrorPath",
                ),
            ],
        );
        expect(
            fail(json!({"Error": 5})),
            &[svf("Expected value of type String", "/States/S/Error")],
        );
        expect(
            fail(json!({"ErrorPath": []})),
            &[svf("Expected value of type String", "/States/S/ErrorPath")],
        );
    }
}
