//! What the validator reports and how: the AWS diagnostic [`Code`]s, one [`Diagnostic`], AWS's
//! `CreateStateMachine` message for a list of them, the JSON-Pointer-like locations, the message
//! texts several rule groups share, and the helpers every rule reports through ("required",
//! "mutually exclusive": rule 9 of the module docs).
//!
//! Wording sources are tagged in the module docs of [`super`]: a dangling target says
//! `Missing 'Next' target` (3P, floci PR #2786), a bad path `Value must be a valid JSONPath.`
//! (3P, cfn-lint #4078), a bad timestamp `String does not match RFC3339 timestamp` (D).

use std::fmt;

use serde_json::{Map, Value};

use super::Validator;
use crate::asl::model::pointer_escape;

/// Diagnostic codes, as AWS spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    SchemaValidationFailed,
    MissingTransitionTarget,
    MissingEndState,
    DuplicateStateName,
    InvalidJsonDescription,
    /// A JSONata expression that does not parse (3P: floci-io/floci issue #2745).
    InvalidJsonataExpression,
    /// A JSONata expression that parses but reads what is not available where it stands
    /// (3P: floci-io/floci issue #2670, PR #2786).
    UnsupportedJsonataExpression,
}

impl Code {
    /// The code as it appears in AWS messages, e.g. `SCHEMA_VALIDATION_FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::MissingEndState => "MISSING_END_STATE",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            Code::InvalidJsonataExpression => "INVALID_JSONATA_EXPRESSION",
            Code::UnsupportedJsonataExpression => "UNSUPPORTED_JSONATA_EXPRESSION",
        }
    }
}

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// JSON-Pointer-like location such as `/States/A/Next`; `None` prints as `null`.
    pub location: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} at {}",
            self.code.as_str(),
            self.message,
            self.location.as_deref().unwrap_or("null")
        )
    }
}

/// AWS's `CreateStateMachine` message for a list of diagnostics:
/// `Invalid State Machine Definition: '<d1>, <d2>'`.
pub fn invalid_definition_message(diags: &[Diagnostic]) -> String {
    let parts: Vec<String> = diags.iter().map(ToString::to_string).collect();
    format!("Invalid State Machine Definition: '{}'", parts.join(", "))
}

// ----- messages several rule groups share ---------------------------------------------------

pub(super) const TOO_DEEP: &str = "The states are too deeply nested (more than 100 levels)";
pub(super) const NOT_A_PATH: &str = "Value must be a valid JSONPath.";
pub(super) const BAD_TIMESTAMP: &str = "String does not match RFC3339 timestamp";
pub(super) const EMPTY: &str = "Value cannot be empty";

// ----- locations ----------------------------------------------------------------------------

/// `true`: array items print as `Choices[0]` (as AWS was observed to do); `false`: `Choices/0`.
pub const BRACKET_INDEXES: bool = false;

/// `base` + `/segment` (escaped).
pub(super) fn child(base: &str, segment: &str) -> String {
    format!("{base}/{}", pointer_escape(segment))
}

/// Location of item `i` of the array at `list`.
pub(super) fn index(list: &str, i: usize) -> String {
    if BRACKET_INDEXES {
        format!("{list}[{i}]")
    } else {
        format!("{list}/{i}")
    }
}

/// The location printed for fields of the object at `loc` (the root is `/`).
pub(super) fn here(loc: &str) -> String {
    if loc.is_empty() {
        "/".to_string()
    } else {
        loc.to_string()
    }
}

// ----- reporting ----------------------------------------------------------------------------

impl Validator {
    pub(super) fn push(
        &mut self,
        code: Code,
        message: impl Into<String>,
        location: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            code,
            message: message.into(),
            location,
        });
    }

    pub(super) fn schema(&mut self, loc: &str, message: impl Into<String>) {
        self.push(Code::SchemaValidationFailed, message, Some(loc.to_string()));
    }

    pub(super) fn required(&mut self, loc: &str, missing: &[&str]) {
        if !missing.is_empty() {
            self.schema(
                loc,
                format!("These fields are required: [{}]", missing.join(", ")),
            );
        }
    }

    pub(super) fn exclusive(
        &mut self,
        obj: &Map<String, Value>,
        loc: &str,
        pairs: &[(&str, &str)],
    ) {
        for (a, b) in pairs {
            if obj.contains_key(*a) && obj.contains_key(*b) {
                self.schema(
                    loc,
                    format!("These fields are mutually exclusive: [{a}, {b}]"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::validate::tests::*;

    #[test]
    fn code_strings() {
        assert_eq!(
            Code::SchemaValidationFailed.as_str(),
            "SCHEMA_VALIDATION_FAILED"
        );
        assert_eq!(
            Code::MissingTransitionTarget.as_str(),
            "MISSING_TRANSITION_TARGET"
        );
        assert_eq!(Code::MissingEndState.as_str(), "MISSING_END_STATE");
        assert_eq!(Code::DuplicateStateName.as_str(), "DUPLICATE_STATE_NAME");
        assert_eq!(
            Code::InvalidJsonDescription.as_str(),
            "INVALID_JSON_DESCRIPTION"
        );
        assert_eq!(
            Code::InvalidJsonataExpression.as_str(),
            "INVALID_JSONATA_EXPRESSION"
        );
        assert_eq!(
            Code::UnsupportedJsonataExpression.as_str(),
            "UNSUPPORTED_JSONATA_EXPRESSION"
        );
    }

    #[test]
    fn display_and_message() {
        let d = Diagnostic {
            code: Code::MissingEndState,
            message: "Workflow has no terminal state".into(),
            location: None,
        };
        assert_eq!(
            d.to_string(),
            "MISSING_END_STATE: Workflow has no terminal state at null"
        );
        let d2 = Diagnostic {
            code: Code::SchemaValidationFailed,
            message: "Value cannot be empty".into(),
            location: Some("/States/P/Branches".into()),
        };
        assert_eq!(
            invalid_definition_message(&[d, d2]),
            "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null, SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/P/Branches'"
        );
    }

    #[test]
    fn diagnostics_carry_code_and_location() {
        let d = validate(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}));
        assert_eq!(d[0].code, Code::MissingTransitionTarget);
        assert_eq!(d[0].message, "Missing 'Next' target: B");
        assert_eq!(d[0].location.as_deref(), Some("/States/A/Next"));
        assert_eq!(d[1].code, Code::MissingEndState);
        assert_eq!(d[1].location, None);
    }

    #[test]
    fn pointer_escaping() {
        expect(
            json!({"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Pass", "Next": "Nope"}}}),
            &[
                mtt("Missing 'Next' target: Nope", "/States/a~1b~0c/Next"),
                "MISSING_END_STATE: Workflow has no terminal state at null".to_string(),
            ],
        );
    }
}
