//! Definition-time validation of Amazon States Language state machines (JSONPath and JSONata).
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
//! fields), §7.1–7.6 (Map), §9 (Wait), §10.1–10.3 (Task resources, timeouts, credentials),
//! §11.1–11.3 (JSONata), §12 (variables).
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
//! * (3P) floci-io/floci issues #2745, #2968, #2670 and PR #2786 (AWS
//!   `ValidateStateMachineDefinition` output): `INVALID_JSONATA_EXPRESSION` with the JSONata
//!   parser's message at the string's pointer; `UNSUPPORTED_JSONATA_EXPRESSION: Field
//!   '$states.errorOutput' does not exist.`; `The QueryLanguage is set to '<L>', but field '<f>'
//!   is only supported for the '<other>' QueryLanguage` at the state; a `QueryLanguage` other
//!   than exactly `"JSONPath"` makes the state JSONata; a downgraded state gets only rule 15's
//!   diagnostic for its other-language fields.
//!
//! # Rules (JSONPath)
//!
//! 1. Definition is an object (D); `StartAt`, `States` required (D); unknown top-level fields
//!    rejected (D, wording 3P); `Comment` string, `Version` `"1.0"` (I), `TimeoutSeconds`
//!    1..=99999999, `StartAt` string naming a state of that `States` (D), `States` a non-empty
//!    object (I for empty).
//! 2. `QueryLanguage`: `"JSONPath"` or `"JSONata"`, top level or per state; other values
//!    rejected (I wording) and count as JSONata (3P). See rule 17 for JSONata.
//! 3. Every state: object, `Type` required and one of eight (D); fields allowed per type and
//!    language (§1.3 tables) (D); a field of the other language gets the 3P language message;
//!    `Next` xor `End: true` for Task/Parallel/Map/Pass/Wait, neither for
//!    Choice/Succeed/Fail (reported as "not supported") (D); JSON types of every field (3P wording).
//!    A state whose `Type` is missing/unknown gets no further field checks.
//! 4. `InputPath`/`OutputPath`: null or a Path (`check_path`); `ResultPath` (also in catchers):
//!    null or a reference path (`check_reference_path`), never `$$…` or a variable (D).
//! 5. Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`,
//!    ItemReader/ResultWriter `Parameters`, ItemBatcher `BatchInput`): objects; every key ending
//!    in `.$` (at any depth, arrays included) has a string value that is a Path (if it starts with
//!    `$`) or an intrinsic call; location is the template field (D). Keys that collide after
//!    stripping `.$` are rejected (D, wording I). `Assign` keys are variable names (I wording);
//!    `Pass.Result` is not a template. Scope: a Parallel branch or Map iteration may not assign
//!    a variable an enclosing `States` object assigns (docs/semantics/variables.md "Scope";
//!    wording I), reported at the inner `Assign`.
//! 6. Names: state names unique in the whole machine, nested ones included (D); 1..=80 chars (D).
//! 7. Transitions per `States` object (top level, each Parallel branch, each Map processor):
//!    `StartAt`/`Next`/`Default`/Choice-rule `Next`/catcher `Next` name a state of the same
//!    object (D); no terminal state → `MISSING_END_STATE` (location null at top level, the
//!    branch/processor location when nested) (D); unreachable states (D). A state counts as
//!    unreachable when nothing names it (see the 3P sources above; an isolated cycle is therefore not
//!    reported — UNVERIFIED against AWS). When a state of that object is broken so that its
//!    transitions are unknown (not an object, bad `Type`, no/ill-typed `Next`/`End`,
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
//! 17. JSONata (§11.1–11.3, §1.4 rules 15–17): the machine's language is the default of every
//!     state, nested ones included; a JSONPath state in a JSONata machine is rejected at the
//!     state (D); JSONPath-only fields in a JSONata state and `Output`/`Arguments`/`Items`/rule
//!     `Condition` in a JSONPath state are rejected (3P); in the fields that take JSONata
//!     (`Output`, `Assign`, `Arguments`, `Items`, `ItemSelector`, Choice `Condition`, `Seconds`,
//!     `Timestamp`, `Error`, `Cause`, `TimeoutSeconds`, `HeartbeatSeconds`, `MaxConcurrency`,
//!     `ToleratedFailure…`, ItemReader/ResultWriter `Arguments`, `MaxItems`, ItemBatcher
//!     fields) every `{% … %}` string at any depth must parse (`INVALID_JSONATA_EXPRESSION`, 3P)
//!     and may read `$states.result` only in the top-level `Output`/`Assign` of
//!     Task/Parallel/Map and `$states.errorOutput` only in a catcher's
//!     (`UNSUPPORTED_JSONATA_EXPRESSION`, 3P for `errorOutput`, I for `result`; checked on the
//!     expression text); numeric fields take an integer or an expression; `.$` keys are
//!     rejected (I wording). Not checked: AWS's rejection of top-level field references and
//!     `$$` in expressions (3P: floci-io/floci #2670), which needs the expression's syntax tree.
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
//!
//! # Files
//!
//! One file per rule group; only `machine.rs` and `jsonata.rs` emit codes other than
//! `SCHEMA_VALIDATION_FAILED` (`INVALID_JSON_DESCRIPTION` comes from [`crate::asl::load`], which
//! parses the text).
//!
//! | file | rules above | codes |
//! |---|---|---|
//! | `diagnostics.rs` | [`Code`], [`Diagnostic`], [`invalid_definition_message`], locations ([`BRACKET_INDEXES`]), shared messages, "required" and rule 9's "mutually exclusive" helpers | all codes are defined here |
//! | `machine.rs` | 1 (top level), 2 (`QueryLanguage`), 6 (names), 7 (transitions, `MISSING_END_STATE`, reachability), 16 (machine nesting) | `SCHEMA_VALIDATION_FAILED`, `DUPLICATE_STATE_NAME`, `MISSING_TRANSITION_TARGET`, `MISSING_END_STATE` |
//! | `fields.rs` | 3 (`Type`, fields per type and language, `Next`/`End`, JSON types), 4 (`InputPath`, `OutputPath`, `ResultPath`), 9 (exclusive pairs per type), 17 (the state's language, rule 15); hands each field to its group | `SCHEMA_VALIDATION_FAILED` |
//! | `template.rs` | 5 (payload templates, variable names, the variable scope rule) | `SCHEMA_VALIDATION_FAILED` |
//! | `jsonata.rs` | 17 (languages, expressions, `$states`, JSONata field values) | `SCHEMA_VALIDATION_FAILED`, `INVALID_JSONATA_EXPRESSION`, `UNSUPPORTED_JSONATA_EXPRESSION` |
//! | `task.rs` | 8 (`Resource`, timeouts, `Credentials`) | `SCHEMA_VALIDATION_FAILED` |
//! | `retry_catch.rs` | 10 (Retry, Catch) | `SCHEMA_VALIDATION_FAILED` |
//! | `choice.rs` | 11 (Choice rules), 16 (rule nesting) | `SCHEMA_VALIDATION_FAILED` |
//! | `states.rs` | 12 (Wait), 13 (Fail) | `SCHEMA_VALIDATION_FAILED` |
//! | `map_parallel.rs` | 14 (Parallel), 15 (Map, `ProcessorConfig`) | `SCHEMA_VALIDATION_FAILED` |
//! | `tests.rs` | test helpers and the tests that cross groups | — |
//!
//! The walk itself is recursive on purpose: a nested machine is checked completely when its
//! `Branches`/`ItemProcessor`/`Iterator` field is met among its state's fields, which gives the
//! order above. [`crate::asl::walk`] is the flat walk for code that needs every state but no
//! diagnostics order; the validator takes its reachability mentions from there.

use std::collections::HashSet;

use serde_json::Value;

mod choice;
mod diagnostics;
mod fields;
mod jsonata;
mod machine;
mod map_parallel;
mod retry_catch;
mod states;
mod task;
mod template;
#[cfg(test)]
mod tests;

pub use crate::asl::walk::mentions;
pub use diagnostics::{invalid_definition_message, Code, Diagnostic, BRACKET_INDEXES};
pub use machine::forbidden_name_char;

/// Deepest accepted nesting of Parallel/Map machines, and of `And`/`Or`/`Not` rules.
pub const MAX_NESTING: usize = 100;

/// Validate a whole definition (already parsed from JSON/YAML). Returns all problems found, in
/// a stable order (see the module docs); empty means valid.
pub fn validate(definition: &Value) -> Vec<Diagnostic> {
    let mut v = Validator::default();
    v.definition(definition);
    v.diags
}

/// The state of one validation run; each rule group adds its checks as methods in its file.
#[derive(Default)]
struct Validator {
    diags: Vec<Diagnostic>,
    /// State names seen anywhere in the machine (names are global, §1.2).
    names: HashSet<String>,
    /// The machine's query language (the default of every state, nested ones included: §11.1).
    lang: jsonata::Lang,
    /// Variable names assigned by each enclosing `States` object, outermost first (the scope
    /// rule of docs/semantics/variables.md "Scope").
    scopes: Vec<HashSet<String>>,
}
