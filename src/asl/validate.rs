//! Definition-time validation of Amazon States Language state machines (JSONPath only).
//!
//! [`validate`] checks an already parsed definition and returns **every** problem it finds as a
//! [`Diagnostic`] (code, message, JSON-Pointer-like location), in a stable order; an empty list
//! means the definition is accepted. [`invalid_definition_message`] renders a list the way AWS
//! `CreateStateMachine` does: `Invalid State Machine Definition: '<d1>, <d2>'`.
//!
//! # Sources
//!
//! The authority is `/work/shared/ASL-SEMANTICS.md` (digest; AWS behaviour wins over the spec):
//! §1 (structure, names, per-type fields, definition-time rules 1–19, error shape), §2.3 (paths
//! vs reference paths), §2.4 (payload templates), §5.2 (Choice operators), §6.3 (retrier
//! fields), §7.1–7.6 (Map), §9 (Wait), §10.1–10.3 (Task resources, timeouts, credentials).
//! Tags below: **[D]** digest (which cites AWS recordings / 3rd-party AWS quotes),
//! **[3P]** an AWS response quoted in a public issue, not in the digest, **[I]** message
//! invented here because no AWS wording is known.
//!
//! * [3P] floci-io/floci PR #2786 and issue #2735 (AWS `ValidateStateMachineDefinition` output):
//!   a dangling `Next`, `Default`, `Choices[].Next`, `Catch[].Next` all say `Missing 'Next' target`;
//!   dangling targets are listed before `MISSING_END_STATE`; `MISSING_END_STATE` suppresses the
//!   unreachable-state diagnostics; `TimeoutSeconds` on Map/Parallel is "not supported".
//! * [3P] aws-cloudformation/cfn-lint #4073, #4074, #4078 (CloudFormation quoting AWS):
//!   `Missing 'Next' target: <x> at /StartAt`; only states that *nothing names* are reported as
//!   unreachable (a state reached only from an unreachable state is not reported);
//!   `Value must be a valid JSONPath.` for a bad `OutputPath`; `Value is not a Reference Path: …`.
//! * [3P] serverless/serverless #6041: `Expected value of type Integer at /States/W/Seconds`.
//! * [3P] cloudtools/troposphere #1450: the "required" diagnostic precedes "not supported" ones.
//!
//! # Rules (JSONPath)
//!
//! 1. Definition is an object [D]; `StartAt`, `States` required [D]; unknown top-level fields
//!    rejected [D, wording 3P]; `Comment` string, `Version` `"1.0"` [I], `TimeoutSeconds`
//!    1..=99999999, `StartAt` string naming a state of that `States` [D], `States` a non-empty
//!    object [I for empty].
//! 2. `QueryLanguage`: `"JSONPath"` accepted; `"JSONata"` (top level or per state) gives one
//!    diagnostic at the field and nothing else for that scope [I]; other values rejected [I].
//! 3. Every state: object, `Type` required and one of eight [D]; fields allowed per type (§1.3
//!    tables) [D]; `Next` xor `End: true` for Task/Parallel/Map/Pass/Wait, neither for
//!    Choice/Succeed/Fail (reported as "not supported") [D]; JSON types of every field [3P wording].
//!    A state whose `Type` is missing/unknown, or which is JSONata, gets no further field checks.
//! 4. `InputPath`/`OutputPath`: null or a Path (`check_path`); `ResultPath` (also in catchers):
//!    null or a reference path (`check_reference_path`), never `$$…` or a variable [D].
//! 5. Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`,
//!    ItemReader/ResultWriter `Parameters`, ItemBatcher `BatchInput`): objects; every key ending
//!    in `.$` (at any depth, arrays included) has a string value that is a Path (if it starts with
//!    `$`) or an intrinsic call; location is the template field [D]. Keys that collide after
//!    stripping `.$` are rejected [D, wording I]. `Assign` only has to be an object; `Pass.Result`
//!    is not a template.
//! 6. Names: state names unique in the whole machine, nested ones included [D]; 1..=80 chars [D].
//! 7. Transitions per `States` object (top level, each Parallel branch, each Map processor):
//!    `StartAt`/`Next`/`Default`/Choice-rule `Next`/catcher `Next` name a state of the same
//!    object [D]; no terminal state → `MISSING_END_STATE` (location null at top level, the
//!    branch/processor location when nested) [D]; unreachable states [D]. A state counts as
//!    unreachable when nothing names it (see [3P] above; an isolated cycle is therefore not
//!    reported — UNVERIFIED against AWS).
//! 8. Task: `Resource` ARN forms of §10.1 [D]; `TimeoutSeconds`/`HeartbeatSeconds` 1..=99999999,
//!    heartbeat < timeout [D]; `Credentials` has `RoleArn` or `RoleArn.$` [D]; `…SecondsPath`
//!    reference paths [D].
//! 9. Mutually exclusive pairs of §1.4 rule 9 [D, wording I].
//! 10. Retry/Catch: arrays (empty accepted) of objects; `ErrorEquals` non-empty string array;
//!     `States.ALL` alone and only in the last retrier/catcher; retrier field ranges of §6.3;
//!     catcher `Next` required; unknown fields rejected [D, wording I].
//! 11. Choice: `Choices` non-empty; `Default` string; top-level rules need `Next`, nested ones
//!     must not have it; a rule is either one of `And`/`Or` (non-empty arrays) / `Not` (object) or
//!     `Variable` + exactly one §5.2 operator with a value of the right type [D, wording I].
//! 12. Wait: exactly one of `Seconds` (0..=99999999), `Timestamp` (RFC 3339, AWS message),
//!     `SecondsPath`, `TimestampPath` [D].
//! 13. Fail: `Error`/`ErrorPath`, `Cause`/`CausePath` exclusive; `…Path` is a reference path or
//!     an intrinsic call [D].
//! 14. Parallel: `Branches` non-empty array of `{StartAt, States, Comment?}` [D].
//! 15. Map: exactly one of `ItemProcessor`/`Iterator` (`{StartAt, States, Comment?,
//!     ProcessorConfig?}`; `Mode` INLINE|DISTRIBUTED, `ExecutionType` STANDARD|EXPRESS, required
//!     when DISTRIBUTED); `ItemsPath` reference path; `ItemSelector` xor `Parameters`;
//!     `MaxConcurrency` ≥ 0 xor `MaxConcurrencyPath`; `ToleratedFailurePercentage` 0..=100,
//!     `ToleratedFailureCount` ≥ 0, each xor its `…Path`; `ItemReader`/`ItemBatcher`/
//!     `ResultWriter` objects (plus their inner exclusive pairs); `Label` 1..=40 chars without
//!     the characters forbidden in names [D].
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
    OPERATORS.iter().find(|(name, _)| *name == key).map(|(_, kind)| *kind)
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
                ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
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
    all_chars(s, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_service(s: &str) -> bool {
    all_chars(s, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
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
                && p.get(7).map_or(true, |q| all_chars(q, |c| fn_char(c) || c == '$'))
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
fn mentions(obj: &Map<String, Value>) -> Vec<String> {
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
        self.diags.push(Diagnostic { code, message: message.into(), location });
    }

    fn schema(&mut self, loc: &str, message: impl Into<String>) {
        self.push(Code::SchemaValidationFailed, message, Some(loc.to_string()));
    }

    fn required(&mut self, loc: &str, missing: &[&str]) {
        if !missing.is_empty() {
            self.schema(loc, format!("These fields are required: [{}]", missing.join(", ")));
        }
    }

    fn exclusive(&mut self, obj: &Map<String, Value>, loc: &str, pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            if obj.contains_key(*a) && obj.contains_key(*b) {
                self.schema(loc, format!("These fields are mutually exclusive: [{a}, {b}]"));
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
                    format!("The field '{field}' should have one of these values: [{}]", values.join(", ")),
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
        let Some(s) = self.want_str(v, loc) else { return };
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
        let Some(s) = self.want_str(v, loc) else { return };
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
            self.push(Code::SchemaValidationFailed, "Definition must be a valid JSON object", None);
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
        if !infos.iter().any(|i| i.terminal) {
            if !infos.iter().any(|i| i.uncertain) {
                let location = if scope == Scope::Top { None } else { Some(at) };
                self.push(Code::MissingEndState, "Workflow has no terminal state", location);
            }
            return;
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
        let Some(obj) = self.want_obj(v, loc) else { return };
        let mut distributed = false;
        for (key, value) in obj {
            let floc = child(loc, key);
            match key.as_str() {
                "Mode" => {
                    distributed = self.want_enum(value, &floc, "Mode", &["INLINE", "DISTRIBUTED"]).as_deref()
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
            self.push(Code::DuplicateStateName, format!("Duplicate State name: {name}"), Some(loc.to_string()));
        }
        let len = name.chars().count();
        if len == 0 || len > MAX_STATE_NAME {
            self.schema(loc, format!("State name must be between 1 and {MAX_STATE_NAME} characters long"));
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
        info.terminal = matches!(ty, StateType::Succeed | StateType::Fail) || (ty.needs_transition() && end_true);
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
        if ty == StateType::Map && !obj.contains_key("ItemProcessor") && !obj.contains_key("Iterator") {
            missing.push("ItemProcessor");
        }
        self.required(loc, &missing);
        if ty.needs_transition() {
            let next = obj.get("Next");
            let end = obj.get("End");
            if next.is_some() && end_true {
                self.schema(loc, "These fields are mutually exclusive: [Next, End]");
            } else if next.is_none() && !end_true {
                if end.map_or(true, Value::is_boolean) {
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
                "Next" | "Default" => {
                    if let Some(t) = self.want_str(v, &floc) {
                        info.targets.push(Target { name: t.to_string(), location: floc });
                    }
                }
                "End" => {
                    if self.want_bool(v, &floc).is_none() {
                        info.uncertain = true;
                    }
                }
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
                        let scope = if k == "Iterator" { Scope::Iterator } else { Scope::ItemProcessor };
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
                    if (1..=MAX_SECONDS).contains(&hb) && (1..=MAX_SECONDS).contains(&to) && hb >= to {
                        self.schema(
                            &child(loc, "HeartbeatSeconds"),
                            "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                        );
                    }
                }
            }
            StateType::Wait => {
                let present: Vec<&str> = WAIT_CHOICES.into_iter().filter(|f| obj.contains_key(*f)).collect();
                if present.is_empty() {
                    self.schema(
                        loc,
                        format!("Exactly one of these fields is required: [{}]", WAIT_CHOICES.join(", ")),
                    );
                } else if present.len() > 1 {
                    self.schema(loc, format!("These fields are mutually exclusive: [{}]", present.join(", ")));
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
        let Some(s) = self.want_str(v, loc) else { return };
        let len = s.chars().count();
        if len == 0 || len > MAX_LABEL {
            self.schema(loc, format!("Value must be between 1 and {MAX_LABEL} characters long"));
        } else if s.chars().any(forbidden_name_char) {
            self.schema(
                loc,
                "Value must not contain whitespace, control characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /",
            );
        }
    }

    fn item_reader(&mut self, v: &Value, loc: &str) {
        let Some(obj) = self.want_obj(v, loc) else { return };
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
        let Some(obj) = self.want_obj(v, loc) else { return };
        for (key, value) in obj {
            let floc = child(loc, key);
            match key.as_str() {
                "BatchInput" => self.template(value, &floc),
                "MaxItemsPerBatch" | "MaxInputBytesPerBatch" => {
                    self.want_int(value, &floc, i64::MIN, None);
                }
                "MaxItemsPerBatchPath" | "MaxInputBytesPerBatchPath" => self.reference_path(value, &floc),
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
        let Some(items) = self.want_arr(v, loc) else { return };
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
        let Some(items) = self.want_arr(v, loc) else { return };
        let (allowed, kind) = if catch { (CATCHER_FIELDS, "Catcher") } else { (RETRIER_FIELDS, "Retrier") };
        for (i, item) in items.iter().enumerate() {
            let hloc = index(loc, i);
            let Some(obj) = self.want_obj(item, &hloc) else { continue };
            let required: &[&str] = if catch { &["ErrorEquals", "Next"] } else { &["ErrorEquals"] };
            let missing: Vec<&str> = required.iter().copied().filter(|f| !obj.contains_key(*f)).collect();
            self.required(&hloc, &missing);
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
                    "Next" => {
                        if let Some(t) = self.want_str(value, &floc) {
                            info.targets.push(Target { name: t.to_string(), location: floc });
                        }
                    }
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
        let Some(items) = self.want_arr(v, loc) else { return false };
        if items.is_empty() {
            self.schema(loc, EMPTY);
        }
        for (j, item) in items.iter().enumerate() {
            self.want_str(item, &index(loc, j));
        }
        let has_all = items.iter().any(|i| i.as_str() == Some("States.ALL"));
        if has_all && items.len() > 1 {
            self.schema(loc, "The error name 'States.ALL' must appear alone in 'ErrorEquals'");
        }
        has_all
    }

    // ----- Choice -------------------------------------------------------------------------

    fn choices(&mut self, v: &Value, loc: &str, info: &mut StateInfo) {
        let Some(items) = self.want_arr(v, loc) else { return };
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
        let Some(obj) = self.want_obj(v, loc) else { return };
        if top && !obj.contains_key("Next") {
            self.required(loc, &["Next"]);
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
                        info.targets.push(Target { name: t.to_string(), location: floc });
                    }
                }
                "Comment" => {
                    self.want_str(value, &floc);
                }
                "Variable" => self.path(value, &floc),
                "And" | "Or" => {
                    let Some(items) = self.want_arr(value, &floc) else { continue };
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

