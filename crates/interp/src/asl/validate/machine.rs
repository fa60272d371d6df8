//! Machines: the definition object, its top-level fields, every `StartAt`/`States` object (the
//! top level, each Parallel branch, each Map processor), state names, and the transition phase
//! (dangling targets, terminal states, reachability) — rules 1, 2, 6, 7 and the nesting limit of
//! rule 16 in the module docs of [`super`].
//!
//! Codes: `SCHEMA_VALIDATION_FAILED` (fields, names, nesting), `DUPLICATE_STATE_NAME`,
//! `MISSING_TRANSITION_TARGET` (a dangling `StartAt`/`Next`/`Default`/rule/catcher target,
//! an unreachable state) and `MISSING_END_STATE`. AWS lists the dangling targets before
//! `MISSING_END_STATE`, and `MISSING_END_STATE` suppresses the unreachable-state diagnostics
//! (3P: floci-io/floci PR #2786, issue #2735); only states that *nothing names* are unreachable
//! (3P: aws-cloudformation/cfn-lint #4073, #4074).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::diagnostics::{child, here, Code, EMPTY, TOO_DEEP};
use super::fields::MAX_SECONDS;
use super::jsonata::Lang;
use super::{Validator, MAX_NESTING};

const MAX_STATE_NAME: usize = 80;

/// What kind of object holds a `StartAt`/`States` pair.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
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
            Scope::Branch => &["StartAt", "States", "Comment"],
            // The deprecated `Iterator` takes a `ProcessorConfig` too: AWS ran `Iterator`s with
            // `{"Mode": "INLINE"}` and with `{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}`
            // (recorded AWS runs `test_map_state_legacy_config_*`, 2024-02; map.md §7.1).
            Scope::ItemProcessor | Scope::Iterator => {
                &["StartAt", "States", "Comment", "ProcessorConfig"]
            }
        }
    }
}

/// A transition that must name a state of the enclosing `States` object.
pub(super) struct Target {
    pub(super) name: String,
    pub(super) location: String,
}

/// What the transition phase needs to know about one state.
#[derive(Default)]
pub(super) struct StateInfo {
    /// Ends the workflow (`Succeed`, `Fail`, `End: true`).
    pub(super) terminal: bool,
    /// Broken badly enough that `MISSING_END_STATE` would only be a cascade.
    pub(super) uncertain: bool,
    /// Every state name this state mentions (for reachability), checked or not.
    pub(super) mentions: Vec<String>,
    /// Transitions to verify (only for states that passed the `Type` check).
    pub(super) targets: Vec<Target>,
}

/// Characters forbidden in state-machine, execution and activity names and Map labels (§1.2).
pub fn forbidden_name_char(c: char) -> bool {
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

impl Validator {
    pub(super) fn definition(&mut self, def: &Value) {
        let Some(obj) = def.as_object() else {
            self.push(
                Code::SchemaValidationFailed,
                "Definition must be a valid JSON object",
                None,
            );
            return;
        };
        self.lang = Lang::of(obj.get("QueryLanguage"), Lang::JsonPath);
        self.machine(obj, "", Scope::Top, 0);
    }

    /// `QueryLanguage` (top level or a state's): one of the two names. Which language it selects
    /// is [`Lang::of`]'s business.
    pub(super) fn query_language(&mut self, v: &Value, loc: &str) {
        self.want_enum(v, loc, "QueryLanguage", &["JSONPath", "JSONata"]);
    }

    /// An object with `StartAt` and `States` at `loc` ("" for the root).
    pub(super) fn machine(
        &mut self,
        obj: &Map<String, Value>,
        loc: &str,
        scope: Scope,
        depth: usize,
    ) {
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
        let assigned = self.assigned_in_scope(states, &states_loc, scope != Scope::Top);
        self.scopes.push(assigned);
        let infos: Vec<StateInfo> = states
            .iter()
            .map(|(name, value)| self.state(name, value, &child(&states_loc, name), depth))
            .collect();
        self.scopes.pop();

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

    /// State names are unique in the whole machine, nested ones included, and 1..=80 characters
    /// long (§1.2).
    pub(super) fn state_name(&mut self, name: &str, loc: &str) {
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
    }
}

#[cfg(test)]
mod tests {
    use crate::asl::validate::tests::*;

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

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

    // ----- the rules of this file ---------------------------------------------------------

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
        // JSONata at the top level or per state is checked as JSONata (jsonata.rs).
        ok(
            json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% 1 %}", "End": true}}}),
        );
        ok(sm(
            json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $x %}", "Next": "Done"}),
        ));
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
}
