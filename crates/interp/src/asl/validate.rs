//! Definition-time validation of Amazon States Language state machines (JSONPath only).
//!
//! [`validate`] checks an already parsed definition and returns **every** problem it finds as a
//! [`Diagnostic`] (code, message, JSON-Pointer-like location), in a stable order; an empty list
//! means the definition is accepted. [`invalid_definition_message`] renders a list the way AWS
//! `CreateStateMachine` does: `Invalid State Machine Definition: '<d1>, <d2>'`.
//!
//! # Sources
//!
//! The authority is the project's rule notes, `docs/semantics/` (AWS behaviour wins over the spec):
//! §1 (structure, names, per-type fields, definition-time rules 1–19, error shape), §2.3 (paths
//! vs reference paths), §2.4 (payload templates), §5.2 (Choice operators), §6.3 (retrier
//! fields), §7.1–7.6 (Map), §9 (Wait), §10.1–10.3 (Task resources, timeouts, credentials).
//! Tags below: **(D)** docs/semantics/ (which cites AWS recordings / 3rd-party AWS quotes),
//! **(3P)** an AWS response quoted in a public issue, not in docs/semantics/, **(I)** message
//! invented here because no AWS wording is known.
//!
//! * (3P) floci-io/floci PR #2786 and issue #2735 (AWS `ValidateStateMachineDefinition` output):
//!   a dangling `Next`, `Default`, `Choices[].Next`, `Catch[].Next` all say `Missing 'Next' target`;
//!   dangling targets are listed before `MISSING_END_STATE`; `MISSING_END_STATE` suppresses the
//!   unreachable-state diagnostics; `TimeoutSeconds` on Map/Parallel is "not supported".
//! * (3P) aws-cloudformation/cfn-lint #4073, #4074, #4078 (CloudFormation quoting AWS):
//!   `Missing 'Next' target: <x> at /StartAt`; only states that *nothing names* are reported as
//!   unreachable (a state reached only from an unreachable state is not reported);
//!   `Value must be a valid JSONPath.` for a bad `OutputPath`; `Value is not a Reference Path: …`.
//! * (3P) serverless/serverless #6041: `Expected value of type Integer at /States/W/Seconds`.
//! * (3P) cloudtools/troposphere #1450: the "required" diagnostic precedes "not supported" ones.
//!
//! # Rules (JSONPath)
//!
//! 1. Definition is an object (D); `StartAt`, `States` required (D); unknown top-level fields
//!    rejected (D, wording 3P); `Comment` string, `Version` `"1.0"` (I), `TimeoutSeconds`
//!    1..=99999999, `StartAt` string naming a state of that `States` (D), `States` a non-empty
//!    object (I for empty).
//! 2. `QueryLanguage`: `"JSONPath"` accepted; `"JSONata"` (top level or per state) gives one
//!    diagnostic at the field and nothing else for that scope (I); other values rejected (I).
//! 3. Every state: object, `Type` required and one of eight (D); fields allowed per type (§1.3
//!    tables) (D); `Next` xor `End: true` for Task/Parallel/Map/Pass/Wait, neither for
//!    Choice/Succeed/Fail (reported as "not supported") (D); JSON types of every field (3P wording).
//!    A state whose `Type` is missing/unknown, or which is JSONata, gets no further field checks.
//! 4. `InputPath`/`OutputPath`: null or a Path (`check_path`); `ResultPath` (also in catchers):
//!    null or a reference path (`check_reference_path`), never `$$…` or a variable (D).
//! 5. Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`,
//!    ItemReader/ResultWriter `Parameters`, ItemBatcher `BatchInput`): objects; every key ending
//!    in `.$` (at any depth, arrays included) has a string value that is a Path (if it starts with
//!    `$`) or an intrinsic call; location is the template field (D). Keys that collide after
//!    stripping `.$` are rejected (D, wording I). `Assign` only has to be an object; `Pass.Result`
//!    is not a template.
//! 6. Names: state names unique in the whole machine, nested ones included (D); 1..=80 chars (D).
//! 7. Transitions per `States` object (top level, each Parallel branch, each Map processor):
//!    `StartAt`/`Next`/`Default`/Choice-rule `Next`/catcher `Next` name a state of the same
//!    object (D); no terminal state → `MISSING_END_STATE` (location null at top level, the
//!    branch/processor location when nested) (D); unreachable states (D). A state counts as
//!    unreachable when nothing names it (see the 3P sources above; an isolated cycle is therefore not
//!    reported — UNVERIFIED against AWS). When a state of that object is broken so that its
//!    transitions are unknown (not an object, bad `Type`, JSONata, no/ill-typed `Next`/`End`,
//!    missing `Choices`, a rule or catcher without a string `Next`), the terminal and
//!    reachability checks of that object are skipped, to avoid cascades.
//! 8. Task: `Resource` ARN forms of §10.1 (D); `TimeoutSeconds`/`HeartbeatSeconds` 1..=99999999,
//!    heartbeat < timeout (D); `Credentials` has `RoleArn` or `RoleArn.$` (D); `…SecondsPath`
//!    reference paths (D).
//! 9. Mutually exclusive pairs of §1.4 rule 9 (D, wording I).
//! 10. Retry/Catch: arrays (empty accepted) of objects; `ErrorEquals` non-empty string array;
//!     `States.ALL` alone and only in the last retrier/catcher; retrier field ranges of §6.3;
//!     catcher `Next` required; unknown fields rejected (D, wording I).
//! 11. Choice: `Choices` non-empty; `Default` string; top-level rules need `Next`, nested ones
//!     must not have it; a rule is either one of `And`/`Or` (non-empty arrays) / `Not` (object) or
//!     `Variable` + exactly one §5.2 operator with a value of the right type (D, wording I).
//! 12. Wait: exactly one of `Seconds` (0..=99999999), `Timestamp` (RFC 3339, AWS message),
//!     `SecondsPath`, `TimestampPath` (D).
//! 13. Fail: `Error`/`ErrorPath`, `Cause`/`CausePath` exclusive; `…Path` is a reference path or
//!     an intrinsic call (D).
//! 14. Parallel: `Branches` non-empty array of `{StartAt, States, Comment?}` (D).
//! 15. Map: exactly one of `ItemProcessor`/`Iterator` (`{StartAt, States, Comment?,
//!     ProcessorConfig?}`; `Mode` INLINE|DISTRIBUTED, `ExecutionType` STANDARD|EXPRESS, required
//!     when DISTRIBUTED); `ItemsPath` reference path; `ItemSelector` xor `Parameters`;
//!     `MaxConcurrency` ≥ 0 xor `MaxConcurrencyPath`; `ToleratedFailurePercentage` 0..=100,
//!     `ToleratedFailureCount` ≥ 0, each xor its `…Path`; `ItemReader`/`ItemBatcher`/
//!     `ResultWriter` objects (plus their inner exclusive pairs); `Label` 1..=40 chars without
//!     the characters forbidden in names (D).
//! 16. Robustness: never panics; more than [`MAX_NESTING`] nested Parallel/Map levels, or nested
//!     `And`/`Or`/`Not` levels, give one diagnostic instead of recursing (AWS has a
//!     `TOO_DEEPLY_NESTED` code, which is outside [`Code`]; `SCHEMA_VALIDATION_FAILED` is used).
//!
//! # Order
//!
//! For each `States`-bearing object: its "required" diagnostic, then its fields in document
//! order (a `States` object is walked state by state, nested machines completely when they are
//! met), then its transition diagnostics (`StartAt`, then each state's targets, then
//! `MISSING_END_STATE` or the unreachable states). Within a state: "required" diagnostics,
//! then fields in document order, then cross-field rules (exclusive pairs, heartbeat).
//!
//! # Locations
//!
//! `/` for top-level fields, `/Field` for a top-level field's value, `/States/<name>` for a state
//! (JSON-Pointer escaping `~0`, `~1`), nested states `/States/P/Branches/0/States/X`,
//! `/States/M/ItemProcessor/States/Y`, array items `/States/C/Choices/0/Next`. AWS itself was
//! seen printing array items as `Choices[0]` (3P, floci PR #2786); flip
//! [`BRACKET_INDEXES`] to switch.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value};

use super::syntax::{check_intrinsic, check_path, check_reference_path, check_timestamp};

/// Diagnostic codes, as AWS spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    SchemaValidationFailed,
    MissingTransitionTarget,
    MissingEndState,
    DuplicateStateName,
    InvalidJsonDescription,
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

/// Validate a whole definition (already parsed from JSON/YAML). Returns all problems found, in
/// a stable order (see the module docs); empty means valid.
pub fn validate(definition: &Value) -> Vec<Diagnostic> {
    let mut v = Validator::default();
    v.definition(definition);
    v.diags
}

/// AWS's `CreateStateMachine` message for a list of diagnostics:
/// `Invalid State Machine Definition: '<d1>, <d2>'`.
pub fn invalid_definition_message(diags: &[Diagnostic]) -> String {
    let parts: Vec<String> = diags.iter().map(ToString::to_string).collect();
    format!("Invalid State Machine Definition: '{}'", parts.join(", "))
}

/// Deepest accepted nesting of Parallel/Map machines, and of `And`/`Or`/`Not` rules.
pub const MAX_NESTING: usize = 100;
/// `true`: array items print as `Choices[0]` (as AWS was observed to do); `false`: `Choices/0`.
pub const BRACKET_INDEXES: bool = false;

const MAX_SECONDS: i64 = 99_999_999;
const MAX_DELAY_SECONDS: i64 = 31_622_400;
const MAX_STATE_NAME: usize = 80;
const MAX_LABEL: usize = 40;

const TYPE_VALUES: &str = "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]";
const TOO_DEEP: &str = "The states are too deeply nested (more than 100 levels)";
const NOT_A_PATH: &str = "Value must be a valid JSONPath.";
const BAD_TIMESTAMP: &str = "String does not match RFC3339 timestamp";
const NEXT_OR_END: &str = "State must have either a 'Next' field or 'End': true";
const EMPTY: &str = "Value cannot be empty";
const JSONATA: &str =
    "The query language 'JSONata' is not supported by this interpreter yet; only 'JSONPath' is accepted";

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

const WAIT_CHOICES: [&str; 4] = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];

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

    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Task => TASK_FIELDS,
            Self::Wait => WAIT_FIELDS,
            Self::Pass => PASS_FIELDS,
            Self::Succeed => SUCCEED_FIELDS,
            Self::Fail => FAIL_FIELDS,
            Self::Choice => CHOICE_FIELDS,
            Self::Parallel => PARALLEL_FIELDS,
            Self::Map => MAP_FIELDS,
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

/// What kind of object holds a `StartAt`/`States` pair.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Top,
    Branch,
    ItemProcessor,
    Iterator,
}

impl Scope {
    fn fields(self) -> &'static [&'static str] {
        match self {
            Scope::Top => &[
                "StartAt",
                "States",
                "Comment",
                "Version",
                "TimeoutSeconds",
                "QueryLanguage",
            ],
            Scope::Branch | Scope::Iterator => &["StartAt", "States", "Comment"],
            Scope::ItemProcessor => &["StartAt", "States", "Comment", "ProcessorConfig"],
        }
    }
}

/// A transition that must name a state of the enclosing `States` object.
struct Target {
    name: String,
    location: String,
}

/// What the transition phase needs to know about one state.
#[derive(Default)]
struct StateInfo {
    /// Ends the workflow (`Succeed`, `Fail`, `End: true`).
    terminal: bool,
    /// Broken badly enough that `MISSING_END_STATE` would only be a cascade.
    uncertain: bool,
    /// Every state name this state mentions (for reachability), checked or not.
    mentions: Vec<String>,
    /// Transitions to verify (only for states that passed the `Type` check).
    targets: Vec<Target>,
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `base` + `/segment` (escaped).
fn child(base: &str, segment: &str) -> String {
    format!("{base}/{}", escape(segment))
}

/// Location of item `i` of the array at `list`.
fn index(list: &str, i: usize) -> String {
    if BRACKET_INDEXES {
        format!("{list}[{i}]")
    } else {
        format!("{list}/{i}")
    }
}

/// The location printed for fields of the object at `loc` (the root is `/`).
fn here(loc: &str) -> String {
    if loc.is_empty() {
        "/".to_string()
    } else {
        loc.to_string()
    }
}

/// `$name…` (a variable reference) as opposed to `$`, `$.x`, `$[..]`, `$$…`.
fn is_variable(path: &str) -> bool {
    matches!(path.strip_prefix('$').and_then(|r| r.chars().next()), Some(c) if c != '.' && c != '[' && c != '$')
}

/// Characters forbidden in state-machine, execution and activity names and Map labels (§1.2).
fn forbidden_name_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>'
                | '{'
                | '}'
                | '['
                | ']'
                | '?'
                | '*'
                | '"'
                | '#'
                | '%'
                | '\\'
                | '^'
                | '|'
                | '~'
                | '`'
                | '$'
                | '&'
                | ','
                | ';'
                | ':'
                | '/'
        )
        || matches!(c as u32, 0x00..=0x1F | 0x7F..=0x9F | 0xFFFE | 0xFFFF)
}

fn all_chars(s: &str, ok: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(ok)
}

fn is_region(s: &str) -> bool {
    all_chars(s, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_service(s: &str) -> bool {
    all_chars(s, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })
}

fn is_action(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The `Resource` forms of §10.1.
fn is_valid_resource(arn: &str) -> bool {
    let p: Vec<&str> = arn.split(':').collect();
    if p.len() < 6 || p[0] != "arn" || p[1] != "aws" {
        return false;
    }
    match p[2] {
        "lambda" => {
            let fn_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            (p.len() == 7 || p.len() == 8)
                && is_region(p[3])
                && is_account(p[4])
                && p[5] == "function"
                && p[6].len() <= 64
                && all_chars(p[6], fn_char)
                && p.get(7)
                    .is_none_or(|q| all_chars(q, |c| fn_char(c) || c == '$'))
        }
        "states" if p[3].is_empty() && p[4].is_empty() => {
            let rest = &p[5..];
            if rest.first() == Some(&"aws-sdk") {
                rest.len() == 3
                    && is_service(rest[1])
                    && is_action(rest[2].strip_suffix(".waitForTaskToken").unwrap_or(rest[2]))
            } else {
                let (service, action) = match rest {
                    [service, action] => (*service, *action),
                    [service, action, "2"] if action.ends_with(".sync") => (*service, *action),
                    _ => return false,
                };
                let bare = [".sync", ".waitForTaskToken"]
                    .iter()
                    .find_map(|suffix| action.strip_suffix(suffix))
                    .unwrap_or(action);
                is_service(service) && is_action(bare)
            }
        }
        "states" => {
            p.len() == 7
                && is_region(p[3])
                && is_account(p[4])
                && p[5] == "activity"
                && p[6].chars().count() <= 80
                && all_chars(p[6], |c| !forbidden_name_char(c))
        }
        _ => false,
    }
}

/// Every state name a state object mentions in `Next`, `Default`, `Choices[].Next`, `Catch[].Next`.
pub fn mentions(obj: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["Next", "Default"] {
        if let Some(s) = obj.get(key).and_then(Value::as_str) {
            out.push(s.to_string());
        }
    }
    for key in ["Choices", "Catch"] {
        if let Some(items) = obj.get(key).and_then(Value::as_array) {
            for item in items {
                if let Some(s) = item.get("Next").and_then(Value::as_str) {
                    out.push(s.to_string());
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct Validator {
    diags: Vec<Diagnostic>,
    /// State names seen anywhere in the machine (names are global, §1.2).
    names: HashSet<String>,
}

impl Validator {
    fn push(&mut self, code: Code, message: impl Into<String>, location: Option<String>) {
        self.diags.push(Diagnostic {
            code,
            message: message.into(),
            location,
        });
    }

    fn schema(&mut self, loc: &str, message: impl Into<String>) {
        self.push(Code::SchemaValidationFailed, message, Some(loc.to_string()));
    }

    fn required(&mut self, loc: &str, missing: &[&str]) {
        if !missing.is_empty() {
            self.schema(
                loc,
                format!("These fields are required: [{}]", missing.join(", ")),
            );
        }
    }

    fn exclusive(&mut self, obj: &Map<String, Value>, loc: &str, pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            if obj.contains_key(*a) && obj.contains_key(*b) {
                self.schema(
                    loc,
                    format!("These fields are mutually exclusive: [{a}, {b}]"),
                );
            }
        }
    }

    // ----- JSON types ---------------------------------------------------------------------

    fn want_str<'a>(&mut self, v: &'a Value, loc: &str) -> Option<&'a str> {
        let s = v.as_str();
        if s.is_none() {
            self.schema(loc, "Expected value of type String");
        }
        s
    }

    fn want_bool(&mut self, v: &Value, loc: &str) -> Option<bool> {
        let b = v.as_bool();
        if b.is_none() {
            self.schema(loc, "Expected value of type Boolean");
        }
        b
    }

    fn want_obj<'a>(&mut self, v: &'a Value, loc: &str) -> Option<&'a Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.schema(loc, "Expected value of type Object");
        }
        o
    }

    fn want_arr<'a>(&mut self, v: &'a Value, loc: &str) -> Option<&'a Vec<Value>> {
        let a = v.as_array();
        if a.is_none() {
            self.schema(loc, "Expected value of type Array");
        }
        a
    }

    /// An integer in `min..=max` (`max` `None`: unbounded). Integral floats (`1.0`) are not
    /// integers. Integers beyond `i64` count as `i64::MAX`.
    fn want_int(&mut self, v: &Value, loc: &str, min: i64, max: Option<i64>) -> Option<i64> {
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

    fn want_num(&mut self, v: &Value, loc: &str) -> Option<f64> {
        let n = v.as_f64();
        if n.is_none() {
            self.schema(loc, "Expected value of type Number");
        }
        n
    }

    fn want_enum(&mut self, v: &Value, loc: &str, field: &str, values: &[&str]) -> Option<String> {
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

    fn path_or_null(&mut self, v: &Value, loc: &str) {
        if v.is_null() {
            return;
        }
        if let Some(s) = self.want_str(v, loc) {
            if check_path(s).is_err() {
                self.schema(loc, NOT_A_PATH);
            }
        }
    }

    fn path(&mut self, v: &Value, loc: &str) {
        if let Some(s) = self.want_str(v, loc) {
            if check_path(s).is_err() {
                self.schema(loc, NOT_A_PATH);
            }
        }
    }

    fn reference_path(&mut self, v: &Value, loc: &str) {
        if let Some(s) = self.want_str(v, loc) {
            if let Err(e) = check_reference_path(s) {
                self.schema(loc, format!("Value is not a Reference Path: {e}"));
            }
        }
    }

    /// `ResultPath` (state or catcher): null or a reference path into the state data.
    fn result_path(&mut self, v: &Value, loc: &str) {
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
            check_reference_path(s).err()
        };
        if let Some(e) = problem {
            self.schema(loc, format!("Value is not a Reference Path: {e}"));
        }
    }

    /// `ErrorPath`/`CausePath`: a reference path or an intrinsic function call.
    fn error_path(&mut self, v: &Value, loc: &str, field: &str) {
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

    /// A payload template (§2.4). Iterative, so any depth is safe.
    fn template(&mut self, v: &Value, loc: &str) {
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

    // ----- machines -----------------------------------------------------------------------

    fn definition(&mut self, def: &Value) {
        let Some(obj) = def.as_object() else {
            self.push(
                Code::SchemaValidationFailed,
                "Definition must be a valid JSON object",
                None,
            );
            return;
        };
        if obj.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
            self.schema("/QueryLanguage", JSONATA);
            return;
        }
        self.machine(obj, "", Scope::Top, 0);
    }

    fn query_language(&mut self, v: &Value, loc: &str) {
        if v.as_str() == Some("JSONata") {
            self.schema(loc, JSONATA);
        } else {
            self.want_enum(v, loc, "QueryLanguage", &["JSONPath", "JSONata"]);
        }
    }

    /// An object with `StartAt` and `States` at `loc` ("" for the root).
    fn machine(&mut self, obj: &Map<String, Value>, loc: &str, scope: Scope, depth: usize) {
        let at = here(loc);
        if depth > MAX_NESTING {
            self.schema(&at, TOO_DEEP);
            return;
        }
        let missing: Vec<&str> = ["States", "StartAt"]
            .into_iter()
            .filter(|f| !obj.contains_key(*f))
            .collect();
        self.required(&at, &missing);

        let allowed = scope.fields();
        let mut start = None;
        let mut states = None;
        for (key, value) in obj {
            let floc = child(loc, key);
            if !allowed.contains(&key.as_str()) {
                self.schema(&at, format!("Field '{key}' is not supported"));
                continue;
            }
            match key.as_str() {
                "Comment" => {
                    self.want_str(value, &floc);
                }
                "Version" => {
                    self.want_enum(value, &floc, "Version", &["1.0"]);
                }
                "TimeoutSeconds" => {
                    self.want_int(value, &floc, 1, Some(MAX_SECONDS));
                }
                "QueryLanguage" => self.query_language(value, &floc),
                "StartAt" => start = self.want_str(value, &floc),
                "States" => {
                    if let Some(map) = self.want_obj(value, &floc) {
                        if map.is_empty() {
                            self.schema(&floc, EMPTY);
                        } else {
                            states = Some(map);
                        }
                    }
                }
                "ProcessorConfig" => self.processor_config(value, &floc),
                _ => {}
            }
        }

        let Some(states) = states else { return };
        let states_loc = child(loc, "States");
        let infos: Vec<StateInfo> = states
            .iter()
            .map(|(name, value)| self.state(name, value, &child(&states_loc, name), depth))
            .collect();

        // Transition phase.
        if let Some(s) = start {
            if !states.contains_key(s) {
                self.push(
                    Code::MissingTransitionTarget,
                    format!("Missing 'Next' target: {s}"),
                    Some(child(loc, "StartAt")),
                );
            }
        }
        for target in infos.iter().flat_map(|i| &i.targets) {
            if !states.contains_key(&target.name) {
                self.push(
                    Code::MissingTransitionTarget,
                    format!("Missing 'Next' target: {}", target.name),
                    Some(target.location.clone()),
                );
            }
        }
        if infos.iter().any(|i| i.uncertain) {
            return; // some transitions are unknown: terminal/reachability results would be cascades
        }
        if !infos.iter().any(|i| i.terminal) {
            let location = if scope == Scope::Top { None } else { Some(at) };
            self.push(
                Code::MissingEndState,
                "Workflow has no terminal state",
                location,
            );
            return; // AWS reports no unreachable states together with MISSING_END_STATE
        }
        let Some(start) = start else { return };
        let mut named: HashSet<&str> = HashSet::new();
        named.insert(start);
        for info in &infos {
            named.extend(info.mentions.iter().map(String::as_str));
        }
        for name in states.keys() {
            if !named.contains(name.as_str()) {
                self.push(
                    Code::MissingTransitionTarget,
                    format!("State \"{name}\" is not reachable."),
                    Some(child(&states_loc, name)),
                );
            }
        }
    }

    fn processor_config(&mut self, v: &Value, loc: &str) {
        let Some(obj) = self.want_obj(v, loc) else {
            return;
        };
        let mut distributed = false;
        for (key, value) in obj {
            let floc = child(loc, key);
            match key.as_str() {
                "Mode" => {
                    distributed = self
                        .want_enum(value, &floc, "Mode", &["INLINE", "DISTRIBUTED"])
                        .as_deref()
                        == Some("DISTRIBUTED");
                }
                "ExecutionType" => {
                    self.want_enum(value, &floc, "ExecutionType", &["STANDARD", "EXPRESS"]);
                }
                _ => self.schema(loc, format!("Field '{key}' is not supported")),
            }
        }
        if distributed && !obj.contains_key("ExecutionType") {
            self.required(loc, &["ExecutionType"]);
        }
    }

    // ----- states -------------------------------------------------------------------------

    fn state(&mut self, name: &str, value: &Value, loc: &str, depth: usize) -> StateInfo {
        let mut info = StateInfo::default();
        if !self.names.insert(name.to_string()) {
            self.push(
                Code::DuplicateStateName,
                format!("Duplicate State name: {name}"),
                Some(loc.to_string()),
            );
        }
        let len = name.chars().count();
        if len == 0 || len > MAX_STATE_NAME {
            self.schema(
                loc,
                format!("State name must be between 1 and {MAX_STATE_NAME} characters long"),
            );
        }
        let Some(obj) = self.want_obj(value, loc) else {
            info.uncertain = true;
            return info;
        };
        info.mentions = mentions(obj);
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
        if obj.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
            self.schema(&child(loc, "QueryLanguage"), JSONATA);
            info.uncertain = true;
            return info;
        }

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
        let allowed = ty.fields();
        for (key, v) in obj {
            let k = key.as_str();
            let floc = child(loc, k);
            if !allowed.contains(&k) && !COMMON_FIELDS.contains(&k) {
                self.schema(loc, format!("Field '{k}' is not supported"));
                continue;
            }
            match k {
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
                "Parameters" | "ResultSelector" | "ItemSelector" | "Credentials" => {
                    if k == "Credentials" {
                        self.credentials(v, &floc);
                    }
                    self.template(v, &floc);
                }
                "Assign" => {
                    self.want_obj(v, &floc);
                }
                "Retry" => self.handlers(v, &floc, false, &mut info),
                "Catch" => self.handlers(v, &floc, true, &mut info),
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
                "Timestamp" => {
                    if let Some(s) = self.want_str(v, &floc) {
                        if !check_timestamp(s) {
                            self.schema(&floc, BAD_TIMESTAMP);
                        }
                    }
                }
                "ErrorPath" | "CausePath" => self.error_path(v, &floc, k),
                "Choices" => self.choices(v, &floc, &mut info),
                "Branches" => self.branches(v, &floc, depth),
                "ItemProcessor" | "Iterator" => {
                    if let Some(m) = self.want_obj(v, &floc) {
                        let scope = if k == "Iterator" {
                            Scope::Iterator
                        } else {
                            Scope::ItemProcessor
                        };
                        self.machine(m, &floc, scope, depth + 1);
                    }
                }
                "MaxConcurrency" | "ToleratedFailureCount" => {
                    self.want_int(v, &floc, 0, None);
                }
                "ToleratedFailurePercentage" => {
                    if let Some(n) = self.want_num(v, &floc) {
                        if !(0.0..=100.0).contains(&n) {
                            self.schema(&floc, "Value must be between 0 and 100");
                        }
                    }
                }
                "Label" => self.label(v, &floc),
                "ItemReader" => self.item_reader(v, &floc),
                "ItemBatcher" => self.item_batcher(v, &floc),
                "ResultWriter" => {
                    if let Some(m) = self.want_obj(v, &floc) {
                        if let Some(p) = m.get("Parameters") {
                            self.template(p, &child(&floc, "Parameters"));
                        }
                    }
                }
                // "Type" (checked above), "Result" (any JSON).
                _ => {}
            }
        }

        // Cross-field rules.
        self.exclusive(obj, loc, ty.exclusive_pairs());
        match ty {
            StateType::Task => {
                let hb = obj.get("HeartbeatSeconds").and_then(Value::as_i64);
                let to = obj.get("TimeoutSeconds").and_then(Value::as_i64);
                if let (Some(hb), Some(to)) = (hb, to) {
                    if (1..=MAX_SECONDS).contains(&hb)
                        && (1..=MAX_SECONDS).contains(&to)
                        && hb >= to
                    {
                        self.schema(
                            &child(loc, "HeartbeatSeconds"),
                            "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                        );
                    }
                }
            }
            StateType::Wait => {
                let present: Vec<&str> = WAIT_CHOICES
                    .into_iter()
                    .filter(|f| obj.contains_key(*f))
                    .collect();
                if present.is_empty() {
                    self.schema(
                        loc,
                        format!(
                            "Exactly one of these fields is required: [{}]",
                            WAIT_CHOICES.join(", ")
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
            _ => {}
        }
        info
    }

    fn resource(&mut self, v: &Value, loc: &str) {
        if let Some(arn) = self.want_str(v, loc) {
            if !is_valid_resource(arn) {
                self.schema(
                    loc,
                    format!(
                        "The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
                    ),
                );
            }
        }
    }

    fn credentials(&mut self, v: &Value, loc: &str) {
        let Some(obj) = v.as_object() else { return }; // the type error comes from `template`
        if !obj.contains_key("RoleArn") && !obj.contains_key("RoleArn.$") {
            self.schema(loc, "The field 'RoleArn' is required but was missing");
        }
        if let Some(r) = obj.get("RoleArn") {
            self.want_str(r, &child(loc, "RoleArn"));
        }
    }

    fn label(&mut self, v: &Value, loc: &str) {
        let Some(s) = self.want_str(v, loc) else {
            return;
        };
        let len = s.chars().count();
        if len == 0 || len > MAX_LABEL {
            self.schema(
                loc,
                format!("Value must be between 1 and {MAX_LABEL} characters long"),
            );
        } else if s.chars().any(forbidden_name_char) {
            self.schema(
                loc,
                "Value must not contain whitespace, control characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /",
            );
        }
    }

    fn item_reader(&mut self, v: &Value, loc: &str) {
        let Some(obj) = self.want_obj(v, loc) else {
            return;
        };
        if let Some(r) = obj.get("Resource") {
            self.want_str(r, &child(loc, "Resource"));
        }
        if let Some(p) = obj.get("Parameters") {
            self.template(p, &child(loc, "Parameters"));
        }
        if let Some(rc) = obj.get("ReaderConfig") {
            let rloc = child(loc, "ReaderConfig");
            if let Some(config) = self.want_obj(rc, &rloc) {
                if let Some(n) = config.get("MaxItems") {
                    self.want_int(n, &child(&rloc, "MaxItems"), i64::MIN, None);
                }
                if let Some(p) = config.get("MaxItemsPath") {
                    self.reference_path(p, &child(&rloc, "MaxItemsPath"));
                }
                self.exclusive(config, &rloc, &[("MaxItems", "MaxItemsPath")]);
            }
        }
    }

    fn item_batcher(&mut self, v: &Value, loc: &str) {
        let Some(obj) = self.want_obj(v, loc) else {
            return;
        };
        for (key, value) in obj {
            let floc = child(loc, key);
            match key.as_str() {
                "BatchInput" => self.template(value, &floc),
                "MaxItemsPerBatch" | "MaxInputBytesPerBatch" => {
                    self.want_int(value, &floc, i64::MIN, None);
                }
                "MaxItemsPerBatchPath" | "MaxInputBytesPerBatchPath" => {
                    self.reference_path(value, &floc)
                }
                _ => {}
            }
        }
        self.exclusive(
            obj,
            loc,
            &[
                ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
                ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"),
            ],
        );
    }

    fn branches(&mut self, v: &Value, loc: &str, depth: usize) {
        let Some(items) = self.want_arr(v, loc) else {
            return;
        };
        if items.is_empty() {
            self.schema(loc, EMPTY);
        }
        for (i, branch) in items.iter().enumerate() {
            let bloc = index(loc, i);
            if let Some(m) = self.want_obj(branch, &bloc) {
                self.machine(m, &bloc, Scope::Branch, depth + 1);
            }
        }
    }

    // ----- Retry / Catch ------------------------------------------------------------------

    fn handlers(&mut self, v: &Value, loc: &str, catch: bool, info: &mut StateInfo) {
        let Some(items) = self.want_arr(v, loc) else {
            return;
        };
        let (allowed, kind) = if catch {
            (CATCHER_FIELDS, "Catcher")
        } else {
            (RETRIER_FIELDS, "Retrier")
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
                    self.schema(&hloc, format!("Field '{k}' is not supported"));
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
                    "Assign" => {
                        self.want_obj(value, &floc);
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

    // ----- Choice -------------------------------------------------------------------------

    fn choices(&mut self, v: &Value, loc: &str, info: &mut StateInfo) {
        let Some(items) = self.want_arr(v, loc) else {
            info.uncertain = true;
            return;
        };
        if items.is_empty() {
            self.schema(loc, EMPTY);
        }
        for (i, rule) in items.iter().enumerate() {
            self.rule(rule, &index(loc, i), true, 0, info);
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
                        self.want_obj(value, &floc);
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
                    Some(Operand::Timestamp) => {
                        if let Some(s) = self.want_str(value, &floc) {
                            if !check_timestamp(s) {
                                self.schema(&floc, BAD_TIMESTAMP);
                            }
                        }
                    }
                    Some(Operand::Path) => self.path(value, &floc),
                    None => self.schema(loc, format!("Field '{k}' is not supported")),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

    fn run(def: &Value) -> Vec<String> {
        validate(def).iter().map(ToString::to_string).collect()
    }

    #[track_caller]
    fn ok(def: Value) {
        assert_eq!(run(&def), Vec::<String>::new(), "definition: {def}");
    }

    #[track_caller]
    fn expect(def: Value, expected: &[String]) {
        assert_eq!(run(&def), expected, "definition: {def}");
    }

    fn svf(message: &str, loc: &str) -> String {
        format!("SCHEMA_VALIDATION_FAILED: {message} at {loc}")
    }

    fn mtt(message: &str, loc: &str) -> String {
        format!("MISSING_TRANSITION_TARGET: {message} at {loc}")
    }

    /// `base` with the fields of `extra` added (a `null` in `extra` removes the field).
    fn with(mut base: Value, extra: Value) -> Value {
        let map = base.as_object_mut().unwrap();
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), v.clone());
            }
        }
        base
    }

    /// State `S` (starting state) followed by the terminal `Done`.
    fn sm(state: Value) -> Value {
        json!({"StartAt": "S", "States": {"S": state, "Done": {"Type": "Succeed"}}})
    }

    /// Only state `S`.
    fn single(state: Value) -> Value {
        json!({"StartAt": "S", "States": {"S": state}})
    }

    fn task(extra: Value) -> Value {
        sm(with(
            json!({"Type": "Task", "Resource": LAMBDA, "Next": "Done"}),
            extra,
        ))
    }

    fn pass(extra: Value) -> Value {
        sm(with(json!({"Type": "Pass", "Next": "Done"}), extra))
    }

    fn wait(extra: Value) -> Value {
        sm(with(json!({"Type": "Wait", "Next": "Done"}), extra))
    }

    fn fail(extra: Value) -> Value {
        single(with(json!({"Type": "Fail"}), extra))
    }

    fn choice_rule(rule: Value) -> Value {
        sm(json!({"Type": "Choice", "Choices": [rule], "Default": "Done"}))
    }

    fn processor() -> Value {
        json!({"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}})
    }

    fn map(extra: Value) -> Value {
        sm(with(
            json!({"Type": "Map", "ItemProcessor": processor(), "Next": "Done"}),
            extra,
        ))
    }

    fn template_msg(key: &str, loc: &str) -> String {
        svf(
            &format!("The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"),
            loc,
        )
    }

    fn not_ref_path(text: &str, loc: &str) -> String {
        svf(
            &format!(
                "Value is not a Reference Path: {}",
                check_reference_path(text).unwrap_err()
            ),
            loc,
        )
    }

    fn resource_msg(arn: &str) -> String {
        svf(
            &format!(
                "The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
            ),
            "/States/S/Resource",
        )
    }

    // ----- API ----------------------------------------------------------------------------

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

    // ----- AWS examples quoted in docs/semantics/ / public issues ---------------------------------

    #[test]
    fn aws_missing_target_and_unreachable() {
        // localstack #11978 / PR #12487 (AWS CLI output), docs/semantics/structure.md §1.4 rules 3-4.
        let def = json!({"StartAt": "pass1", "States": {
            "pass1": {"Type": "Pass", "Next": "pass3"},
            "pass2": {"Type": "Pass", "End": true}}});
        assert_eq!(
            invalid_definition_message(&validate(&def)),
            "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'"
        );
    }

    #[test]
    fn aws_no_terminal_state() {
        // floci #2735 (AWS output), docs/semantics/structure.md §1.4 rule 5.
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}});
        assert_eq!(
            invalid_definition_message(&validate(&def)),
            "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'"
        );
    }

    #[test]
    fn aws_required_fields() {
        // docs/semantics/structure.md §1.4 rule 1 [OBS].
        expect(
            json!({}),
            &[svf("These fields are required: [States, StartAt]", "/")],
        );
        expect(
            json!({"States": {"A": {"Type": "Succeed"}}}),
            &[svf("These fields are required: [StartAt]", "/")],
        );
        expect(
            json!({"StartAt": "A"}),
            &[svf("These fields are required: [States]", "/")],
        );
    }

    #[test]
    fn aws_not_an_object() {
        for def in [
            json!(""),
            json!("not a definition"),
            json!(null),
            json!([]),
            json!(1),
        ] {
            expect(
                def,
                &[
                    "SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object at null"
                        .to_string(),
                ],
            );
        }
    }

    #[test]
    fn aws_unsupported_and_required_at_root() {
        // troposphere #1450 (AWS message): required first, then the unsupported field.
        expect(
            json!({"Fn::Sub": "x"}),
            &[
                svf("These fields are required: [States, StartAt]", "/"),
                svf("Field 'Fn::Sub' is not supported", "/"),
            ],
        );
    }

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
    fn aws_empty_branches() {
        expect(
            sm(json!({"Type": "Parallel", "Branches": [], "Next": "Done"})),
            &[svf("Value cannot be empty", "/States/S/Branches")],
        );
    }

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
    fn aws_bad_parameters_value() {
        expect(
            pass(json!({"Parameters": {"value.$": "States.Format('it\\\"s')x"}})),
            &[template_msg("value.$", "/States/S/Parameters")],
        );
    }

    #[test]
    fn aws_credentials_without_role() {
        expect(
            task(json!({"Credentials": {}})),
            &[svf(
                "The field 'RoleArn' is required but was missing",
                "/States/S/Credentials",
            )],
        );
    }

    #[test]
    fn aws_unknown_resource() {
        let arn = "arn:aws:sqs:us-east-1:123456789012:queue";
        expect(task(json!({"Resource": arn})), &[resource_msg(arn)]);
    }

    #[test]
    fn aws_start_at_missing_target() {
        // cfn-lint #4074 (CloudFormation quoting AWS): only the state nothing names is unreachable.
        expect(
            json!({"StartAt": "Not sure", "States": {
                "Pass One": {"Type": "Pass", "Next": "Success"}, "Success": {"Type": "Succeed"}}}),
            &[
                mtt("Missing 'Next' target: Not sure", "/StartAt"),
                mtt("State \"Pass One\" is not reachable.", "/States/Pass One"),
            ],
        );
    }

    #[test]
    fn aws_unreachable_state() {
        // cfn-lint #4073 (CloudFormation quoting AWS).
        expect(
            json!({"StartAt": "Pass One", "States": {
                "Pass One": {"Type": "Pass", "Next": "Pass Two"},
                "Pass Two": {"Type": "Pass", "Next": "Success"},
                "Unreachable pass": {"Type": "Pass", "Next": "Success"},
                "Success": {"Type": "Succeed"}}}),
            &[mtt(
                "State \"Unreachable pass\" is not reachable.",
                "/States/Unreachable pass",
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

    #[test]
    fn aws_result_path_not_supported_on_wait() {
        // functionless #308 (AWS message): `ResultPath: null` on a Wait state.
        expect(
            sm(json!({"Type": "Wait", "Seconds": 1, "ResultPath": null, "Next": "Done"})),
            &[svf("Field 'ResultPath' is not supported", "/States/S")],
        );
    }

    #[test]
    fn aws_duplicate_state_name() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "X", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}]},
            "X": {"Type": "Succeed"}}});
        expect(
            def,
            &["DUPLICATE_STATE_NAME: Duplicate State name: X at /States/X".to_string()],
        );
    }

    // ----- top level ----------------------------------------------------------------------

    #[test]
    fn top_level_fields_valid() {
        ok(
            json!({"Comment": "c", "Version": "1.0", "TimeoutSeconds": 99999999, "QueryLanguage": "JSONPath",
            "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        );
        ok(json!({"TimeoutSeconds": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}));
    }

    #[test]
    fn top_level_field_types() {
        expect(
            json!({"Comment": 1, "Version": "2.0", "TimeoutSeconds": 0, "StartAt": "A",
                "States": {"A": {"Type": "Succeed"}}, "Foo": true}),
            &[
                svf("Expected value of type String", "/Comment"),
                svf(
                    "The field 'Version' should have one of these values: [1.0]",
                    "/Version",
                ),
                svf("Value must be between 1 and 99999999", "/TimeoutSeconds"),
                svf("Field 'Foo' is not supported", "/"),
            ],
        );
        for (v, msg) in [
            (json!("5"), "Expected value of type Integer"),
            (json!(1.5), "Expected value of type Integer"),
            (json!(5.0), "Expected value of type Integer"),
            (json!(100000000), "Value must be between 1 and 99999999"),
            (json!(-3), "Value must be between 1 and 99999999"),
            (json!(u64::MAX), "Value must be between 1 and 99999999"),
        ] {
            expect(
                json!({"TimeoutSeconds": v, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
                &[svf(msg, "/TimeoutSeconds")],
            );
        }
    }

    #[test]
    fn start_at_and_states_types() {
        expect(
            json!({"StartAt": 1, "States": {"A": {"Type": "Succeed"}}}),
            &[svf("Expected value of type String", "/StartAt")],
        );
        expect(
            json!({"StartAt": "A", "States": []}),
            &[svf("Expected value of type Object", "/States")],
        );
        expect(
            json!({"StartAt": "A", "States": {}}),
            &[svf("Value cannot be empty", "/States")],
        );
    }

    #[test]
    fn query_language() {
        ok(single(
            json!({"Type": "Succeed", "QueryLanguage": "JSONPath"}),
        ));
        let jsonata = "The query language 'JSONata' is not supported by this interpreter yet; only 'JSONPath' is accepted";
        // Top level: one diagnostic, nothing else checked.
        expect(
            json!({"QueryLanguage": "JSONata", "States": {"A": {"Type": "Pass", "Output": "{% 1 %}"}}}),
            &[svf(jsonata, "/QueryLanguage")],
        );
        // Per state: one diagnostic, the state's other fields are not checked.
        expect(
            sm(
                json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $x %}", "Next": "Done"}),
            ),
            &[svf(jsonata, "/States/S/QueryLanguage")],
        );
        expect(
            json!({"QueryLanguage": "XPath", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            &[svf(
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                "/QueryLanguage",
            )],
        );
        expect(
            single(json!({"Type": "Succeed", "QueryLanguage": 1})),
            &[svf(
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                "/States/S/QueryLanguage",
            )],
        );
    }

    // ----- states -------------------------------------------------------------------------

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
        expect(
            task(json!({"Arguments": {}})),
            &[svf("Field 'Arguments' is not supported", "/States/S")],
        );
        expect(
            task(json!({"Output": {}})),
            &[svf("Field 'Output' is not supported", "/States/S")],
        );
        expect(
            map(json!({"Items": []})),
            &[svf("Field 'Items' is not supported", "/States/S")],
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

    // ----- payload templates --------------------------------------------------------------

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
    fn assign_is_only_checked_for_type() {
        ok(pass(json!({"Assign": {"x.$": "anything", "y": [1]}})));
        expect(
            pass(json!({"Assign": [1]})),
            &[svf("Expected value of type Object", "/States/S/Assign")],
        );
    }

    // ----- names --------------------------------------------------------------------------

    #[test]
    fn state_name_length() {
        let long = "a".repeat(81);
        expect(
            json!({"StartAt": long.clone(), "States": {long.clone(): {"Type": "Succeed"}}}),
            &[svf(
                "State name must be between 1 and 80 characters long",
                &format!("/States/{long}"),
            )],
        );
        let max = "é".repeat(80);
        ok(json!({"StartAt": max.clone(), "States": {max: {"Type": "Succeed"}}}));
        expect(
            json!({"StartAt": "", "States": {"": {"Type": "Succeed"}}}),
            &[svf(
                "State name must be between 1 and 80 characters long",
                "/States/",
            )],
        );
    }

    #[test]
    fn duplicate_names_in_nested_scopes() {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
            {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}]}}});
        expect(
            def,
            &[
                "DUPLICATE_STATE_NAME: Duplicate State name: A at /States/P/Branches/1/States/A"
                    .to_string(),
            ],
        );
        // Same name twice in *different* machines is still one machine-wide namespace; distinct names pass.
        ok(
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
            {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]}}}),
        );
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

    // ----- transitions --------------------------------------------------------------------

    #[test]
    fn missing_end_state_suppresses_unreachable() {
        // floci PR #2786: loop + a state nothing routes to → only MISSING_END_STATE.
        expect(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"}, "C": {"Type": "Pass", "Next": "A"}}}),
            &["MISSING_END_STATE: Workflow has no terminal state at null".to_string()],
        );
        // Loop + an unreachable terminal state → only the unreachable state.
        expect(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"}, "C": {"Type": "Succeed"}}}),
            &[mtt("State \"C\" is not reachable.", "/States/C")],
        );
    }

    #[test]
    fn dangling_default_choice_and_catch_targets() {
        let def = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Nope1"}],
                  "Default": "Nope2"},
            "T": {"Type": "Task", "Resource": LAMBDA, "End": true,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope3"}]}}});
        expect(
            def,
            &[
                mtt("Missing 'Next' target: Nope1", "/States/C/Choices/0/Next"),
                mtt("Missing 'Next' target: Nope2", "/States/C/Default"),
                mtt("Missing 'Next' target: Nope3", "/States/T/Catch/0/Next"),
                mtt("State \"T\" is not reachable.", "/States/T"),
            ],
        );
    }

    #[test]
    fn transitions_stay_inside_their_scope() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "Outer", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Outer"}}}]},
            "Outer": {"Type": "Succeed"}}});
        expect(
            def,
            &[
                mtt(
                    "Missing 'Next' target: Outer",
                    "/States/P/Branches/0/States/X/Next",
                ),
                "MISSING_END_STATE: Workflow has no terminal state at /States/P/Branches/0"
                    .to_string(),
            ],
        );
        // Top level cannot jump into a branch either.
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "X", "Branches": [
                {"StartAt": "Y", "States": {"Y": {"Type": "Succeed"}}}]},
            "Q": {"Type": "Succeed"}}});
        expect(
            def,
            &[
                mtt("Missing 'Next' target: X", "/States/P/Next"),
                mtt("State \"Q\" is not reachable.", "/States/Q"),
            ],
        );
    }

    #[test]
    fn nested_machines_have_their_own_checks() {
        let def = sm(
            json!({"Type": "Map", "Next": "Done", "ItemProcessor": {"StartAt": "I", "States": {
            "I": {"Type": "Pass", "Next": "I"}}}}),
        );
        expect(
            def,
            &[
                "MISSING_END_STATE: Workflow has no terminal state at /States/S/ItemProcessor"
                    .to_string(),
            ],
        );
        let def = sm(
            json!({"Type": "Map", "Next": "Done", "Iterator": {"StartAt": "Nope", "States": {
            "I": {"Type": "Succeed"}}}}),
        );
        expect(
            def,
            &[
                mtt("Missing 'Next' target: Nope", "/States/S/Iterator/StartAt"),
                mtt(
                    "State \"I\" is not reachable.",
                    "/States/S/Iterator/States/I",
                ),
            ],
        );
        let def = sm(
            json!({"Type": "Parallel", "Next": "Done", "Branches": [processor(),
            {"StartAt": "Y", "States": {"Y": {"Type": "Succeed"}, "Z": {"Type": "Succeed"}}}]}),
        );
        expect(
            def,
            &[mtt(
                "State \"Z\" is not reachable.",
                "/States/S/Branches/1/States/Z",
            )],
        );
    }

    #[test]
    fn broken_states_do_not_cascade_into_transition_errors() {
        // A bad state hides reachability / terminal analysis of its machine.
        expect(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": 1}, "B": {"Type": "Succeed"}}}),
            &[svf("Expected value of type String", "/States/A/Next")],
        );
        expect(
            json!({"StartAt": "A", "States": {"A": {"Type": "Choice"}, "B": {"Type": "Succeed"}}}),
            &[svf("These fields are required: [Choices]", "/States/A")],
        );
        expect(
            task(json!({"Catch": [{"ErrorEquals": ["X"]}]})),
            &[svf(
                "These fields are required: [Next]",
                "/States/S/Catch/0",
            )],
        );
        // Missing StartAt: no reachability check at all.
        expect(
            json!({"States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
            &[svf("These fields are required: [StartAt]", "/")],
        );
    }

    // ----- Task ---------------------------------------------------------------------------

    #[test]
    fn task_resource_forms() {
        for arn in [
            LAMBDA,
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn_1:$LATEST",
            "arn:aws:lambda:eu-west-3:123456789012:function:f:12",
            "arn:aws:lambda:us-east-1:123456789012:function:f:prod",
            "arn:aws:states:us-east-1:123456789012:activity:my-activity",
            "arn:aws:states:::lambda:invoke",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::states:startExecution.sync",
            "arn:aws:states:::states:startExecution.sync:2",
            "arn:aws:states:::ecs:runTask.sync",
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "arn:aws:states:::dynamodb:putItem",
            "arn:aws:states:::http:invoke",
            "arn:aws:states:::emr-serverless:startJobRun.sync",
            "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess.waitForTaskToken",
        ] {
            ok(task(json!({"Resource": arn})));
        }
        for arn in [
            "",
            "foo",
            "arn:aws:sqs:us-east-1:123456789012:q",
            "arn:aws:lambda:us-east-1:123:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "arn:aws:lambda:us-east-1:123456789012:layer:f",
            "arn:aws:lambda:us-east-1:123456789012:function:f:v1:x",
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            "arn:aws:states:::lambda",
            "arn:aws:states:::lambda:invoke.sync:3",
            "arn:aws:states:::lambda:invoke.async",
            "arn:aws:states:::aws-sdk:s3:listObjects.sync",
            "arn:aws:states:::aws-sdk:s3",
            "arn:aws:states:us-east-1::lambda:invoke",
            "arn:aws:states:us-east-1:123456789012:activity:bad name",
            "arn:aws:states:us-east-1:123456789012:stateMachine:x",
        ] {
            expect(task(json!({"Resource": arn})), &[resource_msg(arn)]);
        }
        expect(
            task(json!({"Resource": 5})),
            &[svf("Expected value of type String", "/States/S/Resource")],
        );
        expect(
            sm(json!({"Type": "Task", "Next": "Done"})),
            &[svf("These fields are required: [Resource]", "/States/S")],
        );
    }

    #[test]
    fn task_timeouts() {
        ok(task(
            json!({"TimeoutSeconds": 99999999, "HeartbeatSeconds": 99999998}),
        ));
        expect(
            task(json!({"TimeoutSeconds": 0, "HeartbeatSeconds": 100000000})),
            &[
                svf(
                    "Value must be between 1 and 99999999",
                    "/States/S/TimeoutSeconds",
                ),
                svf(
                    "Value must be between 1 and 99999999",
                    "/States/S/HeartbeatSeconds",
                ),
            ],
        );
        expect(
            task(json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 10})),
            &[svf(
                "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                "/States/S/HeartbeatSeconds",
            )],
        );
        expect(
            task(json!({"TimeoutSeconds": 10, "TimeoutSecondsPath": "$.t"})),
            &[svf(
                "These fields are mutually exclusive: [TimeoutSeconds, TimeoutSecondsPath]",
                "/States/S",
            )],
        );
        expect(
            task(json!({"HeartbeatSeconds": 1, "HeartbeatSecondsPath": "$.h"})),
            &[svf(
                "These fields are mutually exclusive: [HeartbeatSeconds, HeartbeatSecondsPath]",
                "/States/S",
            )],
        );
        expect(
            task(json!({"TimeoutSecondsPath": "t"})),
            &[not_ref_path("t", "/States/S/TimeoutSecondsPath")],
        );
        expect(
            task(json!({"HeartbeatSecondsPath": "$.a[*]"})),
            &[not_ref_path("$.a[*]", "/States/S/HeartbeatSecondsPath")],
        );
    }

    #[test]
    fn task_credentials() {
        ok(task(json!({"Credentials": {"RoleArn.$": "$.role"}})));
        ok(task(
            json!({"Credentials": {"RoleArn.$": "States.Format('arn:aws:iam::{}:role/r', $.acct)"}}),
        ));
        expect(
            task(json!({"Credentials": "x"})),
            &[svf(
                "Expected value of type Object",
                "/States/S/Credentials",
            )],
        );
        expect(
            task(json!({"Credentials": {"RoleArn.$": "role"}})),
            &[template_msg("RoleArn.$", "/States/S/Credentials")],
        );
        expect(
            task(json!({"Credentials": {"RoleArn": 5}})),
            &[svf(
                "Expected value of type String",
                "/States/S/Credentials/RoleArn",
            )],
        );
    }

    // ----- Retry / Catch ------------------------------------------------------------------

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

    // ----- Choice -------------------------------------------------------------------------

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

    // ----- Wait / Fail --------------------------------------------------------------------

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

    // ----- Parallel / Map -----------------------------------------------------------------

    #[test]
    fn parallel_branches() {
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done"})),
            &[svf("These fields are required: [Branches]", "/States/S")],
        );
        expect(
            sm(json!({"Type": "Parallel", "Branches": {}, "Next": "Done"})),
            &[svf("Expected value of type Array", "/States/S/Branches")],
        );
        expect(
            sm(json!({"Type": "Parallel", "Branches": [1], "Next": "Done"})),
            &[svf("Expected value of type Object", "/States/S/Branches/0")],
        );
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done", "Branches": [
                {"States": {"X": {"Type": "Succeed"}}, "Foo": 1, "Comment": "c"}]})),
            &[
                svf(
                    "These fields are required: [StartAt]",
                    "/States/S/Branches/0",
                ),
                svf("Field 'Foo' is not supported", "/States/S/Branches/0"),
            ],
        );
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Nope"}}}]})),
            &[svf(
                "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
                "/States/S/Branches/0/States/X/Type",
            )],
        );
    }

    #[test]
    fn map_processor() {
        ok(sm(
            json!({"Type": "Map", "Iterator": processor(), "Next": "Done"}),
        ));
        ok(map(
            json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig":
            {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}))}),
        ));
        ok(map(
            json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig": {"Mode": "INLINE"}}))}),
        ));
        expect(
            map(json!({"ItemProcessor": null})),
            &[svf(
                "These fields are required: [ItemProcessor]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"Iterator": {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}})),
            &[svf(
                "These fields are mutually exclusive: [ItemProcessor, Iterator]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"ItemProcessor": 1})),
            &[svf(
                "Expected value of type Object",
                "/States/S/ItemProcessor",
            )],
        );
        expect(
            map(
                json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig": {"Mode": "X", "Foo": 1}}))}),
            ),
            &[
                svf(
                    "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                    "/States/S/ItemProcessor/ProcessorConfig/Mode",
                ),
                svf(
                    "Field 'Foo' is not supported",
                    "/States/S/ItemProcessor/ProcessorConfig",
                ),
            ],
        );
        expect(
            map(
                json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig": {"Mode": "DISTRIBUTED"}}))}),
            ),
            &[svf(
                "These fields are required: [ExecutionType]",
                "/States/S/ItemProcessor/ProcessorConfig",
            )],
        );
        expect(
            map(
                json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig":
                {"Mode": "DISTRIBUTED", "ExecutionType": "SLOW"}}))}),
            ),
            &[svf(
                "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
                "/States/S/ItemProcessor/ProcessorConfig/ExecutionType",
            )],
        );
        expect(
            sm(
                json!({"Type": "Map", "Iterator": with(processor(), json!({"ProcessorConfig": {}})), "Next": "Done"}),
            ),
            &[svf(
                "Field 'ProcessorConfig' is not supported",
                "/States/S/Iterator",
            )],
        );
    }

    #[test]
    fn map_fields() {
        expect(
            map(json!({"ItemsPath": "items"})),
            &[not_ref_path("items", "/States/S/ItemsPath")],
        );
        ok(map(json!({"ItemsPath": "$$.Execution.Input.items"})));
        expect(
            map(json!({"ItemSelector": {}, "Parameters": {}})),
            &[svf(
                "These fields are mutually exclusive: [ItemSelector, Parameters]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"MaxConcurrency": -1})),
            &[svf(
                "Value must be greater than or equal to 0",
                "/States/S/MaxConcurrency",
            )],
        );
        expect(
            map(json!({"MaxConcurrency": 1.5})),
            &[svf(
                "Expected value of type Integer",
                "/States/S/MaxConcurrency",
            )],
        );
        expect(
            map(json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"})),
            &[svf(
                "These fields are mutually exclusive: [MaxConcurrency, MaxConcurrencyPath]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"MaxConcurrencyPath": "m"})),
            &[not_ref_path("m", "/States/S/MaxConcurrencyPath")],
        );
        ok(map(
            json!({"ToleratedFailurePercentage": 100, "ToleratedFailureCount": 0, "Label": "a-label_1"}),
        ));
        ok(map(
            json!({"ToleratedFailurePercentagePath": "$.p", "ToleratedFailureCountPath": "$.c"}),
        ));
        expect(
            map(json!({"ToleratedFailurePercentage": 100.5, "ToleratedFailureCount": -1})),
            &[
                svf(
                    "Value must be between 0 and 100",
                    "/States/S/ToleratedFailurePercentage",
                ),
                svf(
                    "Value must be greater than or equal to 0",
                    "/States/S/ToleratedFailureCount",
                ),
            ],
        );
        expect(
            map(json!({"ToleratedFailurePercentage": 1, "ToleratedFailurePercentagePath": "$.p",
                "ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.c"})),
            &[
                svf(
                    "These fields are mutually exclusive: [ToleratedFailurePercentage, ToleratedFailurePercentagePath]",
                    "/States/S",
                ),
                svf("These fields are mutually exclusive: [ToleratedFailureCount, ToleratedFailureCountPath]", "/States/S"),
            ],
        );
        expect(
            map(json!({"ToleratedFailurePercentage": "5"})),
            &[svf(
                "Expected value of type Number",
                "/States/S/ToleratedFailurePercentage",
            )],
        );
    }

    #[test]
    fn map_label() {
        ok(map(json!({"Label": "x".repeat(40)})));
        expect(
            map(json!({"Label": "x".repeat(41)})),
            &[svf(
                "Value must be between 1 and 40 characters long",
                "/States/S/Label",
            )],
        );
        expect(
            map(json!({"Label": ""})),
            &[svf(
                "Value must be between 1 and 40 characters long",
                "/States/S/Label",
            )],
        );
        expect(
            map(json!({"Label": "my label"})),
            &[svf(
                "Value must not contain whitespace, control characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /",
                "/States/S/Label",
            )],
        );
        expect(
            map(json!({"Label": 1})),
            &[svf("Expected value of type String", "/States/S/Label")],
        );
    }

    #[test]
    fn map_distributed_fields() {
        ok(map(json!({
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                "Parameters": {"Bucket": "b", "Key.$": "$.key"},
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 10}},
            "ItemBatcher": {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.b", "BatchInput": {"f.$": "$.f"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}})));
        expect(
            map(json!({"ItemReader": "x"})),
            &[svf("Expected value of type Object", "/States/S/ItemReader")],
        );
        expect(
            map(json!({"ItemBatcher": []})),
            &[svf(
                "Expected value of type Object",
                "/States/S/ItemBatcher",
            )],
        );
        expect(
            map(json!({"ResultWriter": 1})),
            &[svf(
                "Expected value of type Object",
                "/States/S/ResultWriter",
            )],
        );
        expect(
            map(
                json!({"ItemReader": {"ReaderConfig": {"MaxItems": 1, "MaxItemsPath": "$.m"},
                "Parameters": {"Key.$": "key"}}}),
            ),
            &[
                template_msg("Key.$", "/States/S/ItemReader/Parameters"),
                svf(
                    "These fields are mutually exclusive: [MaxItems, MaxItemsPath]",
                    "/States/S/ItemReader/ReaderConfig",
                ),
            ],
        );
        expect(
            map(json!({"ItemBatcher": {"MaxItemsPerBatch": 1, "MaxItemsPerBatchPath": "$.m",
                "MaxInputBytesPerBatch": 1, "MaxInputBytesPerBatchPath": "$.b", "BatchInput": {"x.$": 1}}})),
            &[
                template_msg("x.$", "/States/S/ItemBatcher/BatchInput"),
                svf("These fields are mutually exclusive: [MaxItemsPerBatch, MaxItemsPerBatchPath]", "/States/S/ItemBatcher"),
                svf(
                    "These fields are mutually exclusive: [MaxInputBytesPerBatch, MaxInputBytesPerBatchPath]",
                    "/States/S/ItemBatcher",
                ),
            ],
        );
        expect(
            map(json!({"ResultWriter": {"Parameters": {"Bucket.$": "bucket"}}})),
            &[template_msg(
                "Bucket.$",
                "/States/S/ResultWriter/Parameters",
            )],
        );
    }

    // ----- robustness ---------------------------------------------------------------------

    #[test]
    fn too_deep_parallel_nesting() {
        let mut inner = json!({"Type": "Succeed"});
        for level in (0..150).rev() {
            inner = json!({"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": format!("L{}", level + 1), "States": {format!("L{}", level + 1): inner}}]});
        }
        let def = json!({"StartAt": "L0", "States": {"L0": inner}});
        let diags = validate(&def);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].message,
            "The states are too deeply nested (more than 100 levels)"
        );
        let loc = diags[0].location.as_deref().unwrap();
        assert_eq!(loc.matches("/Branches/0").count(), MAX_NESTING + 1);
        // Exactly MAX_NESTING levels are fine.
        let mut inner = json!({"Type": "Succeed"});
        for level in (0..MAX_NESTING).rev() {
            inner = json!({"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": format!("L{}", level + 1), "States": {format!("L{}", level + 1): inner}}]});
        }
        ok(json!({"StartAt": "L0", "States": {"L0": inner}}));
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
        ] {
            fields.extend_from_slice(list);
        }
        fields.extend_from_slice(COMMON_FIELDS);
        fields.extend(["Unknown", "Mode", "Variable", "And"]);
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
                    let _ = validate(&sm(nested));
                    let _ = validate(&json!({*field: value.clone()}));
                    runs += 3;
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

    // ----- several problems at once -------------------------------------------------------

    #[test]
    fn reports_all_problems_at_once() {
        let def = json!({
            "Comment": 7,
            "StartAt": "A",
            "Extra": 1,
            "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:nope", "Next": "B", "TimeoutSeconds": -5,
                      "Retry": [{"ErrorEquals": []}]},
                "B": {"Type": "Wait", "Next": "Missing"},
                "C": {"Type": "Pass", "End": true, "Parameters": {"x.$": "oops"}},
                "D": {"Type": "Parallel", "End": true, "Branches": []},
                "E": {"Type": "Frobnicate"},
                "A2": {"Type": "Succeed", "OutputPath": "nope"}
            }
        });
        expect(
            def,
            &[
                svf("Expected value of type String", "/Comment"),
                svf("Field 'Extra' is not supported", "/"),
                svf(
                    "The resource provided arn:aws:nope is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.",
                    "/States/A/Resource",
                ),
                svf("Value must be between 1 and 99999999", "/States/A/TimeoutSeconds"),
                svf("Value cannot be empty", "/States/A/Retry/0/ErrorEquals"),
                svf(
                    "Exactly one of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]",
                    "/States/B",
                ),
                template_msg("x.$", "/States/C/Parameters"),
                svf("Value cannot be empty", "/States/D/Branches"),
                svf(
                    "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
                    "/States/E/Type",
                ),
                svf("Value must be a valid JSONPath.", "/States/A2/OutputPath"),
                mtt("Missing 'Next' target: Missing", "/States/B/Next"),
            ],
        );
    }

    // ----- a big valid machine ------------------------------------------------------------

    #[test]
    fn big_valid_machine() {
        let def = serde_json::from_str::<Value>(
            r#"{
            "Comment": "Parallel inside Map inside Parallel, Choice with And/Or/Not, Retry/Catch",
            "Version": "1.0",
            "TimeoutSeconds": 3600,
            "StartAt": "Init",
            "States": {
                "Init": {"Type": "Pass", "Result": {"items": [1, 2, 3]}, "ResultPath": "$.data", "Next": "Outer"},
                "Outer": {
                    "Type": "Parallel",
                    "ResultSelector": {"first.$": "$[0]", "all.$": "$[*][*]"},
                    "ResultPath": "$.outer",
                    "Retry": [
                        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 1.5,
                         "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                        {"ErrorEquals": ["States.ALL"]}
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handle"}],
                    "Branches": [
                        {
                            "StartAt": "EachItem",
                            "States": {
                                "EachItem": {
                                    "Type": "Map",
                                    "ItemsPath": "$.data.items",
                                    "MaxConcurrency": 2,
                                    "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                                    "ItemProcessor": {
                                        "ProcessorConfig": {"Mode": "INLINE"},
                                        "StartAt": "Inner",
                                        "States": {
                                            "Inner": {
                                                "Type": "Parallel",
                                                "End": true,
                                                "Branches": [
                                                    {"StartAt": "Work", "States": {
                                                        "Work": {"Type": "Task",
                                                            "Resource": "arn:aws:states:::lambda:invoke",
                                                            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                                                            "ResultSelector": {"out.$": "$.Payload"},
                                                            "TimeoutSeconds": 30, "HeartbeatSeconds": 10,
                                                            "Retry": [{"ErrorEquals": ["Lambda.ServiceException",
                                                                "Lambda.TooManyRequestsException"], "MaxAttempts": 0}],
                                                            "End": true}}},
                                                    {"StartAt": "Nap", "States": {
                                                        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Echo"},
                                                        "Echo": {"Type": "Pass", "Parameters": {
                                                            "msg.$": "States.Format('item {}', $.value)",
                                                            "id.$": "States.UUID()"}, "End": true}}}
                                                ]
                                            }
                                        }
                                    },
                                    "End": true
                                }
                            }
                        },
                        {
                            "StartAt": "Callback",
                            "States": {
                                "Callback": {"Type": "Task",
                                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                    "Parameters": {"QueueUrl": "https://sqs/q", "MessageBody": {"token.$": "$$.Task.Token"}},
                                    "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/x"},
                                    "HeartbeatSecondsPath": "$.hb",
                                    "End": true}
                            }
                        }
                    ],
                    "Next": "Decide"
                },
                "Decide": {
                    "Type": "Choice",
                    "Choices": [
                        {"And": [
                            {"Variable": "$.outer.first", "IsPresent": true},
                            {"Or": [
                                {"Variable": "$.outer.first.count", "NumericGreaterThanEquals": 20},
                                {"Not": {"Variable": "$.outer.first.name", "StringMatches": "test-*"}}
                            ]},
                            {"Variable": "$.when", "TimestampLessThanPath": "$$.Execution.StartTime"}
                        ], "Next": "Sleep"},
                        {"Variable": "$.flag", "BooleanEquals": true, "Next": "Distributed"}
                    ],
                    "Default": "Done"
                },
                "Sleep": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "Next": "Done"},
                "Distributed": {
                    "Type": "Map",
                    "Label": "dist",
                    "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "JSON"},
                        "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
                    "ItemBatcher": {"MaxItemsPerBatch": 5},
                    "ToleratedFailurePercentage": 5,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "Child",
                        "States": {"Child": {"Type": "Task",
                            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                            "Parameters": {"Bucket": "b", "Key.$": "$.Items[0].Key"}, "End": true}}
                    },
                    "ResultPath": null,
                    "Next": "Done"
                },
                "Handle": {"Type": "Fail", "ErrorPath": "$.error.Error",
                    "CausePath": "States.Format('failed: {}', $.error.Cause)"},
                "Done": {"Type": "Succeed"}
            }
        }"#,
        )
        .unwrap();
        ok(def);
    }
}
