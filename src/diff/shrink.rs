//! Minimising a divergence: the smallest definition and input on which two implementations still
//! disagree (delta debugging, as in C-Reduce or the wasm-smith/wasmtime fuzz shrinkers).
//!
//! The shrinker is pure: it knows nothing about backends. It proposes one-step reductions
//! ([`Edit`]) of a [`Subject`] (definition + input) and asks an [`Oracle`] whether the reduced subject
//! is still interesting (for `aslcheck diff`/`shrink`: "the two backends still diverge with the
//! same [`crate::diff::signature::Signature`]", so the result is the defect it started from). An accepted reduction replaces the subject; the loop stops at a fixpoint (no reduction
//! is accepted) or when the [`Budget`] of oracle calls is spent.
//!
//! Reductions, biggest first:
//! - cut a graph at a state (its predecessors end there: `End: true`, Choice rules and catchers
//!   that lead to it are dropped);
//! - start a graph later: at a state the oracle saw entered with one input, which becomes the
//!   execution input (top level) or the literal `Parameters`/`Arguments` of the Parallel whose
//!   branch it is, so the states before it go while the state still sees what it saw;
//! - bypass a state (predecessors go to its `Next`; a Choice's `Default` or first rule);
//! - replace a Task, Choice, Wait, Parallel or Map by a Pass with the same transition (bare, then
//!   keeping `InputPath`, `Parameters`, `ResultPath`, `OutputPath`);
//! - remove any optional member or array element: branches, `InputPath`, `Parameters` keys,
//!   `ResultSelector`, `OutputPath`, `Retry`, `Catch`, Choice rules, `Comment`, …;
//! - simplify values: objects to `{}`, arrays to `[]`, strings to `""`, paths to their parent
//!   (`$.a.b` → `$.a`), numbers to 0 or 1, `true` to `false`;
//! - the same removals and simplifications on the execution input.
//!
//! Every edit is followed by pruning states no longer reachable from `StartAt`. When the
//! original definition is valid, every candidate is re-validated
//! ([`crate::asl::validate::validate`]) and skipped unless valid, so the result is a definition
//! AWS would accept. A candidate is accepted only when it is strictly smaller — fewer states, or
//! as many states and a smaller [`weight`] — so the loop always terminates. Candidates are tried
//! in a fixed order, so the same subject and oracle always give the same result.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use crate::asl::model::pointer_escape;
use crate::asl::validate::validate;
use crate::asl::walk::{self, mentions, GraphKind};

/// What is being minimised.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub definition: Value,
    pub input: Value,
    /// The case environment (mocks, fixtures): members are only removed, never changed.
    pub environment: Value,
}

/// How much work the shrinker may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Oracle calls (each one a run on both backends) at most.
    pub max_tests: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_tests: 2000 }
    }
}

/// Why the shrinker stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// No one-step reduction is interesting any more.
    Fixpoint,
    /// The budget ran out first; the subject is smaller but maybe not minimal.
    BudgetExhausted,
}

/// The result of shrinking.
#[derive(Debug, Clone, PartialEq)]
pub struct Shrunk {
    pub subject: Subject,
    /// Oracle calls made.
    pub tests: usize,
    /// Reductions accepted.
    pub steps: usize,
    pub stop: Stop,
}

/// The input each state was entered with on one run of a subject, by state name (state names
/// are unique in a machine); a state entered more than once with different inputs is left out.
pub type StateInputs = BTreeMap<String, Value>;

/// What the shrinker asks about a candidate.
pub trait Oracle {
    /// Whether the candidate still shows what is being minimised.
    fn interesting(&mut self, subject: &Subject) -> bool;

    /// The inputs the states of `subject` were entered with (for [`Edit::StartAt`]); an oracle
    /// that cannot run the subject with its history knows none.
    fn state_inputs(&mut self, _subject: &Subject) -> StateInputs {
        StateInputs::new()
    }
}

impl<F: FnMut(&Subject) -> bool> Oracle for F {
    fn interesting(&mut self, subject: &Subject) -> bool {
        self(subject)
    }
}

/// Which part of the subject an edit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Definition,
    Input,
    Environment,
}

/// One candidate reduction. Graphs and values are addressed by JSON Pointers (`""` is the top
/// level; `/States/P/Branches/0` a branch).
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Remove `state`; whatever led to it ends instead (`End: true`, rule or catcher dropped).
    CutAt { graph: String, state: String },
    /// Remove `state`; whatever led to it goes to its successor.
    Bypass { graph: String, state: String },
    /// Replace the states of `graph` by those of `inner`, a branch or item processor of one of
    /// its states (a Parallel or Map around the divergence goes).
    Hoist { graph: String, inner: String },
    /// Start `graph` (the top level or a Parallel branch) at `state`, giving the graph `input`,
    /// what `state` was seen entered with: as the execution input, or as the literal
    /// `Parameters` (JSONPath) or `Arguments` (JSONata) of the Parallel.
    StartAt {
        graph: String,
        state: String,
        input: Value,
    },
    /// Replace `state` by a Pass with the same transition; `keep_data` keeps its
    /// `InputPath`/`Parameters`/`ResultPath`/`OutputPath`.
    ToPass {
        graph: String,
        state: String,
        keep_data: bool,
    },
    /// Remove the object member or array element at `pointer`.
    Remove { target: Target, pointer: String },
    /// Replace the value at `pointer`.
    Replace {
        target: Target,
        pointer: String,
        value: Value,
    },
}

/// Minimises `start` while the oracle finds it interesting (assumed to hold for `start`).
pub fn shrink(start: Subject, budget: Budget, mut oracle: impl Oracle) -> Shrunk {
    let keep_valid = validate(&start.definition).is_empty();
    let mut current = start;
    let mut size = measure(&current);
    let mut candidates = edits(&current, &oracle.state_inputs(&current));
    let (mut next_index, mut tried, mut tests, mut steps) = (0usize, 0usize, 0usize, 0usize);
    loop {
        if candidates.is_empty() || tried >= candidates.len() {
            return Shrunk {
                subject: current,
                tests,
                steps,
                stop: Stop::Fixpoint,
            };
        }
        let index = next_index % candidates.len();
        next_index = index + 1;
        tried += 1;
        let Some(candidate) = apply(&current, &candidates[index]) else {
            continue;
        };
        let candidate_size = measure(&candidate);
        if candidate_size >= size {
            continue;
        }
        if keep_valid && !validate(&candidate.definition).is_empty() {
            continue;
        }
        if tests >= budget.max_tests {
            return Shrunk {
                subject: current,
                tests,
                steps,
                stop: Stop::BudgetExhausted,
            };
        }
        tests += 1;
        if oracle.interesting(&candidate) {
            current = candidate;
            size = candidate_size;
            steps += 1;
            candidates = edits(&current, &oracle.state_inputs(&current));
            // Go on from the same position in the new list (the usual ddmin trick): edits
            // before it were just found uninteresting.
            next_index = index;
            tried = 0;
        }
    }
}

/// The size order the shrinker descends: (number of states, weight of definition and input).
pub fn measure(s: &Subject) -> (usize, usize) {
    (
        state_count(&s.definition),
        weight(&s.definition) + weight(&s.input) + weight(&s.environment),
    )
}

/// States in every graph of a definition (branches and processors included).
pub fn state_count(definition: &Value) -> usize {
    graphs(definition)
        .iter()
        .filter_map(|g| {
            definition
                .pointer(g)?
                .get("States")?
                .as_object()
                .map(Map::len)
        })
        .sum()
}

/// A size of a JSON value: every node counts, strings by length; `0`, `false`, `""`, `{}` and
/// `[]` are the lightest values of their kinds.
pub fn weight(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(false) => 1,
        Value::Bool(true) => 2,
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => 1,
            Some(1.0) => 2,
            _ => 3,
        },
        Value::String(s) => 1 + s.chars().count(),
        Value::Array(a) => 1 + a.iter().map(weight).sum::<usize>(),
        Value::Object(o) => {
            1 + o
                .iter()
                .map(|(k, v)| 1 + k.chars().count() + weight(v))
                .sum::<usize>()
        }
    }
}

/// JSON Pointers of every graph (`StartAt` + `States`), outermost first
/// ([`crate::asl::walk::graphs`]; a processor that is not an object is not a graph to shrink).
pub fn graphs(definition: &Value) -> Vec<String> {
    walk::graphs(definition)
        .filter(|g| g.value.is_object() || matches!(g.kind, GraphKind::Top | GraphKind::Branch(_)))
        .map(|g| g.pointer)
        .collect()
}

/// Every one-step reduction of `s`, biggest first, in a fixed order; `inputs` are what its
/// states were entered with ([`Oracle::state_inputs`]).
pub fn edits(s: &Subject, inputs: &StateInputs) -> Vec<Edit> {
    let mut out = Vec::new();
    let graph_list = graphs(&s.definition);
    let states_of = |g: &String| -> Vec<(&String, &Value)> {
        s.definition
            .pointer(g)
            .and_then(|g| g.get("States"))
            .and_then(Value::as_object)
            .map(|m| m.iter().collect())
            .unwrap_or_default()
    };
    for g in &graph_list {
        for (name, _) in states_of(g) {
            out.push(Edit::CutAt {
                graph: g.clone(),
                state: name.clone(),
            });
        }
    }
    for g in &graph_list {
        let prefix = format!("{g}/States/");
        for inner in &graph_list {
            // Graphs directly inside a state of `g`: `<g>/States/<name>/<Branches/i|ItemProcessor>`.
            let direct = inner.strip_prefix(&prefix).is_some_and(|rest| {
                let parts: Vec<&str> = rest.split('/').collect();
                matches!(
                    parts.as_slice(),
                    [_, "Branches", _] | [_, "ItemProcessor" | "Iterator"]
                )
            });
            if direct {
                out.push(Edit::Hoist {
                    graph: g.clone(),
                    inner: inner.clone(),
                });
            }
        }
    }
    for g in &graph_list {
        let start = s.definition.pointer(g).and_then(|g| g.get("StartAt"));
        for (name, _) in states_of(g) {
            if let Some(input) = inputs.get(name).filter(|_| start != Some(&json_str(name))) {
                out.push(Edit::StartAt {
                    graph: g.clone(),
                    state: name.clone(),
                    input: input.clone(),
                });
            }
        }
    }
    for g in &graph_list {
        for (name, _) in states_of(g) {
            out.push(Edit::Bypass {
                graph: g.clone(),
                state: name.clone(),
            });
        }
    }
    for g in &graph_list {
        for (name, state) in states_of(g) {
            let ty = state.get("Type").and_then(Value::as_str).unwrap_or("");
            if matches!(ty, "Task" | "Choice" | "Wait" | "Parallel" | "Map") {
                for keep_data in [false, true] {
                    out.push(Edit::ToPass {
                        graph: g.clone(),
                        state: name.clone(),
                        keep_data,
                    });
                }
            }
        }
    }
    let mut removals = Vec::new();
    let mut replacements = Vec::new();
    value_edits(
        &s.definition,
        String::new(),
        Place::Graph,
        Target::Definition,
        &mut removals,
        &mut replacements,
    );
    out.append(&mut removals);
    out.append(&mut replacements);
    value_edits(
        &s.input,
        String::new(),
        Place::Data,
        Target::Input,
        &mut removals,
        &mut replacements,
    );
    out.append(&mut removals);
    out.append(&mut replacements);
    value_edits(
        &s.environment,
        String::new(),
        Place::Data,
        Target::Environment,
        &mut removals,
        &mut replacements,
    );
    out.append(&mut removals);
    out
}

/// What a value is, for choosing which generic edits make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A graph object (`StartAt`, `States`, …).
    Graph,
    /// The `States` object of a graph: its members are states (removed by CutAt/Bypass).
    StatesMap,
    /// A state object.
    State,
    /// Anything else: fields, templates, rules, input data.
    Data,
}

/// Members whose removal or replacement can never give a valid definition, or that are state
/// names (changed only by the graph edits).
const FIXED_MEMBERS: [&str; 6] = ["Type", "StartAt", "States", "Next", "End", "Default"];

fn value_edits(
    v: &Value,
    at: String,
    place: Place,
    target: Target,
    removals: &mut Vec<Edit>,
    replacements: &mut Vec<Edit>,
) {
    let definition = target == Target::Definition;
    // Replacements of this node.
    if !at.is_empty() && place == Place::Data {
        for value in simpler(v) {
            replacements.push(Edit::Replace {
                target,
                pointer: at.clone(),
                value,
            });
        }
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", pointer_escape(k));
                let child_place = match place {
                    Place::Graph if k == "States" => Place::StatesMap,
                    Place::StatesMap => Place::State,
                    Place::State
                        if definition && matches!(k.as_str(), "Iterator" | "ItemProcessor") =>
                    {
                        Place::Graph
                    }
                    _ => Place::Data,
                };
                let fixed =
                    definition && place != Place::Data && FIXED_MEMBERS.contains(&k.as_str());
                let fixed =
                    fixed || (definition && place == Place::Data && matches!(k.as_str(), "Next"));
                if place != Place::StatesMap && !fixed {
                    removals.push(Edit::Remove {
                        target,
                        pointer: p.clone(),
                    });
                }
                if fixed && !child.is_object() && !child.is_array() {
                    continue;
                }
                // Branches hold graphs.
                if definition && place == Place::State && k == "Branches" {
                    if let Value::Array(branches) = child {
                        for (i, b) in branches.iter().enumerate() {
                            let bp = format!("{p}/{i}");
                            if branches.len() > 1 {
                                removals.push(Edit::Remove {
                                    target,
                                    pointer: bp.clone(),
                                });
                            }
                            value_edits(b, bp, Place::Graph, target, removals, replacements);
                        }
                    }
                    continue;
                }
                value_edits(child, p, child_place, target, removals, replacements);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                removals.push(Edit::Remove {
                    target,
                    pointer: p.clone(),
                });
                value_edits(child, p, Place::Data, target, removals, replacements);
            }
        }
        _ => {}
    }
}

/// Simpler values to try in place of `v`, simplest first.
fn simpler(v: &Value) -> Vec<Value> {
    match v {
        Value::Object(m) if !m.is_empty() => vec![Value::Object(Map::new())],
        Value::Array(a) if !a.is_empty() => vec![Value::Array(Vec::new())],
        Value::String(s) if !s.is_empty() => {
            let mut out = Vec::new();
            if let Some(parent) = parent_path(s) {
                out.push(Value::String(parent));
            }
            out.push(Value::String(String::new()));
            out
        }
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => vec![],
            Some(1.0) => vec![Value::from(0)],
            _ => vec![Value::from(0), Value::from(1)],
        },
        Value::Bool(true) => vec![Value::Bool(false)],
        _ => vec![],
    }
}

/// `$.a.b` → `$.a`, `$.a['b']` → `$.a`, `$.a` → `$`, `$$.Execution.Input` → `$$.Execution`.
fn parent_path(s: &str) -> Option<String> {
    if !s.starts_with('$') || s == "$" || s == "$$" {
        return None;
    }
    let bytes = s.as_bytes();
    let last = match bytes.last()? {
        b']' => s.rfind('[')?,
        _ => {
            let cut = s.rfind(['.', '['])?;
            if s[cut..].contains(']') {
                return None;
            }
            cut
        }
    };
    (last > 0).then(|| s[..last].to_string())
}

/// Applies an edit; `None` when it does not apply (nothing there, or no way to keep the graph
/// connected).
pub fn apply(s: &Subject, edit: &Edit) -> Option<Subject> {
    let mut out = s.clone();
    match edit {
        Edit::CutAt { graph, state } => remove_state(&mut out.definition, graph, state, false)?,
        Edit::Bypass { graph, state } => remove_state(&mut out.definition, graph, state, true)?,
        Edit::Hoist { graph, inner } => hoist(&mut out.definition, graph, inner)?,
        Edit::StartAt {
            graph,
            state,
            input,
        } => start_at(&mut out, graph, state, input)?,
        Edit::ToPass {
            graph,
            state,
            keep_data,
        } => to_pass(&mut out.definition, graph, state, *keep_data)?,
        Edit::Remove { target, pointer } => {
            let root = match target {
                Target::Definition => &mut out.definition,
                Target::Input => &mut out.input,
                Target::Environment => &mut out.environment,
            };
            remove_at(root, pointer)?;
        }
        Edit::Replace {
            target,
            pointer,
            value,
        } => {
            let root = match target {
                Target::Definition => &mut out.definition,
                Target::Input => &mut out.input,
                Target::Environment => &mut out.environment,
            };
            *root.pointer_mut(pointer)? = value.clone();
        }
    }
    if matches!(
        edit,
        Edit::Remove {
            target: Target::Input | Target::Environment,
            ..
        } | Edit::Replace {
            target: Target::Input | Target::Environment,
            ..
        }
    ) {
        return Some(out);
    }
    prune(&mut out.definition);
    Some(out)
}

fn hoist(definition: &mut Value, graph: &str, inner: &str) -> Option<()> {
    let nested = definition.pointer(inner)?;
    let start = nested.get("StartAt")?.clone();
    let states = nested.get("States")?.clone();
    let g = definition.pointer_mut(graph)?.as_object_mut()?;
    g.insert("StartAt".into(), start);
    g.insert("States".into(), states);
    Some(())
}

fn start_at(s: &mut Subject, graph: &str, state: &str, input: &Value) -> Option<()> {
    s.definition.pointer(graph)?.get("States")?.get(state)?;
    if graph.is_empty() {
        s.input = input.clone();
    } else {
        // Only a Parallel branch, `<parallel>/Branches/<i>`: every item of a Map has its own input.
        let (branches, index) = graph.rsplit_once('/')?;
        let parallel = branches.strip_suffix("/Branches")?;
        index.parse::<usize>().ok()?;
        let root_language = s.definition.get("QueryLanguage").cloned();
        let p = s.definition.pointer_mut(parallel)?.as_object_mut()?;
        let language = p.get("QueryLanguage").cloned().or(root_language);
        if language.as_ref().and_then(Value::as_str) == Some("JSONata") {
            if has_template(input) {
                return None;
            }
            p.insert("Arguments".into(), input.clone());
        } else {
            if !input.is_object() || has_template(input) {
                return None;
            }
            p.remove("InputPath");
            p.insert("Parameters".into(), input.clone());
        }
    }
    let g = s.definition.pointer_mut(graph)?.as_object_mut()?;
    g.insert("StartAt".into(), json_str(state));
    Some(())
}

fn json_str(s: &str) -> Value {
    Value::String(s.to_string())
}

/// Whether a value given as a literal `Parameters` or `Arguments` would not stay literal: a key
/// ending in `.$` (a JSONPath payload template) or a string opening `{%` (a JSONata expression).
fn has_template(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k.ends_with(".$") || has_template(v)),
        Value::Array(a) => a.iter().any(has_template),
        Value::String(s) => s.trim_start().starts_with("{%"),
        _ => false,
    }
}

fn remove_at(root: &mut Value, pointer: &str) -> Option<()> {
    let cut = pointer.rfind('/')?;
    let (parent, last) = (&pointer[..cut], &pointer[cut + 1..]);
    let key = last.replace("~1", "/").replace("~0", "~");
    match root.pointer_mut(parent)? {
        Value::Object(m) => m.shift_remove(&key).map(|_| ()),
        Value::Array(a) => {
            let i: usize = key.parse().ok()?;
            (i < a.len()).then(|| {
                a.remove(i);
            })
        }
        _ => None,
    }
}

/// Where a state goes next when it is bypassed: `Next`, or a Choice's `Default` or first rule.
fn successor(state: &Value) -> Option<String> {
    if let Some(n) = state.get("Next").and_then(Value::as_str) {
        return Some(n.to_string());
    }
    if state.get("Type").and_then(Value::as_str) == Some("Choice") {
        if let Some(d) = state.get("Default").and_then(Value::as_str) {
            return Some(d.to_string());
        }
        return state
            .get("Choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(|r| r.get("Next"))
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    None
}

fn remove_state(definition: &mut Value, graph: &str, name: &str, bypass: bool) -> Option<()> {
    let g = definition.pointer_mut(graph)?.as_object_mut()?;
    let removed = g.get("States")?.as_object()?.get(name)?.clone();
    let to = if bypass {
        Some(successor(&removed).filter(|n| n != name)?)
    } else {
        None
    };
    if g.get("StartAt").and_then(Value::as_str) == Some(name) {
        g.insert("StartAt".into(), Value::String(to.clone()?));
    }
    let states = g.get_mut("States")?.as_object_mut()?;
    states.shift_remove(name);
    for state in states.values_mut() {
        redirect(state, name, to.as_deref());
    }
    Some(())
}

/// Points every transition of `state` that names `from` to `to`; with `to = None` the state ends
/// there instead (`End: true`; a Choice rule or catcher leading there is dropped).
fn redirect(state: &mut Value, from: &str, to: Option<&str>) {
    let Some(s) = state.as_object_mut() else {
        return;
    };
    let is = |v: Option<&Value>| v.and_then(Value::as_str) == Some(from);
    if is(s.get("Next")) {
        match to {
            Some(t) => {
                s.insert("Next".into(), Value::String(t.into()));
            }
            None => {
                let at = s.keys().position(|k| k == "Next").unwrap_or(s.len());
                s.shift_remove("Next");
                s.shift_insert(at.min(s.len()), "End".into(), Value::Bool(true));
            }
        }
    }
    if is(s.get("Default")) {
        match to {
            Some(t) => {
                s.insert("Default".into(), Value::String(t.into()));
            }
            None => {
                s.shift_remove("Default");
            }
        }
    }
    for list in ["Choices", "Catch"] {
        if let Some(Value::Array(items)) = s.get_mut(list) {
            match to {
                Some(t) => {
                    for item in items.iter_mut() {
                        if is(item.get("Next")) {
                            if let Some(o) = item.as_object_mut() {
                                o.insert("Next".into(), Value::String(t.into()));
                            }
                        }
                    }
                }
                None => items.retain(|item| !is(item.get("Next"))),
            }
            if list == "Catch" && items.is_empty() {
                s.shift_remove("Catch");
            }
        }
    }
}

fn to_pass(definition: &mut Value, graph: &str, name: &str, keep_data: bool) -> Option<()> {
    let state = definition.pointer_mut(&format!("{graph}/States/{}", pointer_escape(name)))?;
    let ty = state.get("Type").and_then(Value::as_str)?.to_string();
    if !matches!(ty.as_str(), "Task" | "Choice" | "Wait" | "Parallel" | "Map") {
        return None;
    }
    let mut pass = Map::new();
    pass.insert("Type".into(), Value::String("Pass".into()));
    if keep_data {
        let fields: &[&str] = if ty == "Choice" {
            &["InputPath", "OutputPath"]
        } else {
            &["InputPath", "Parameters", "ResultPath", "OutputPath"]
        };
        let mut kept = false;
        for f in fields {
            if let Some(v) = state.get(*f) {
                pass.insert((*f).into(), v.clone());
                kept = true;
            }
        }
        if !kept {
            return None; // the same as the bare Pass
        }
    }
    match (successor(state), state.get("End")) {
        (Some(next), _) => {
            pass.insert("Next".into(), Value::String(next));
        }
        (None, Some(end)) => {
            pass.insert("End".into(), end.clone());
        }
        (None, None) => return None,
    }
    *state = Value::Object(pass);
    Some(())
}

/// Removes the states of every graph that cannot be reached from its `StartAt`.
pub fn prune(definition: &mut Value) {
    // Outermost first; a graph removed with its container is simply not found.
    for g in graphs(definition) {
        let Some(graph) = definition.pointer_mut(&g).and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(start) = graph
            .get("StartAt")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let Some(states) = graph.get_mut("States").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            let Some(state) = states.get(&n) else {
                continue;
            };
            if !seen.insert(n) {
                continue;
            }
            if let Some(obj) = state.as_object() {
                stack.extend(mentions(obj));
            }
        }
        if seen.len() < states.len() {
            states.retain(|k, _| seen.contains(k));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A machine with most kinds of states; the "bug" is any ResultPath two levels deep with a
    /// non-empty input.
    fn big() -> Subject {
        Subject {
            definition: json!({
                "Comment": "big",
                "StartAt": "Start",
                "States": {
                    "Start": {"Type": "Pass", "Result": {"x": [1, 2, 3], "y": "text"}, "ResultPath": "$.r", "Next": "Route"},
                    "Route": {"Type": "Choice", "Choices": [
                        {"Variable": "$.r.y", "StringEquals": "text", "Next": "Fan"},
                        {"Variable": "$.r.y", "StringEquals": "other", "Next": "Done"}
                    ], "Default": "Done"},
                    "Fan": {"Type": "Parallel", "Branches": [
                        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Result": 1, "End": true}}},
                        {"StartAt": "B2", "States": {"B2": {"Type": "Wait", "Seconds": 1, "Next": "B3"}, "B3": {"Type": "Succeed"}}}
                    ], "ResultPath": "$.fan", "Next": "Each"},
                    "Each": {"Type": "Map", "ItemsPath": "$.r.x", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "ResultPath": "$.each", "Next": "Deep"},
                    "Deep": {"Type": "Pass", "InputPath": "$", "Parameters": {"a": 1, "b.$": "$.r.x", "c": {"d": true}}, "ResultPath": "$.deep.inner", "OutputPath": "$", "Next": "Done"},
                    "Done": {"Type": "Succeed"}
                }
            }),
            input: json!({"k": {"l": [1, 2, {"m": "n"}]}, "z": true}),
            environment: json!({"functions": {"arn:aws:lambda:us-east-1:123456789012:function:x": "echo"}}),
        }
    }

    fn buggy(s: &Subject) -> bool {
        fn deep(v: &Value) -> bool {
            match v {
                Value::Object(m) => m.iter().any(|(k, v)| {
                    (k == "ResultPath" && v.as_str().is_some_and(|p| p.matches('.').count() >= 2))
                        || deep(v)
                }),
                Value::Array(a) => a.iter().any(deep),
                _ => false,
            }
        }
        deep(&s.definition) && s.input.as_object().is_some_and(|o| !o.is_empty())
    }

    #[test]
    fn shrinks_to_the_essence_and_keeps_validity() {
        let start = big();
        assert!(validate(&start.definition).is_empty());
        let mut calls = 0;
        let r = shrink(start, Budget::default(), |s: &Subject| {
            calls += 1;
            let diags = validate(&s.definition);
            assert!(
                diags.is_empty(),
                "invalid candidate {}: {diags:?}",
                s.definition
            );
            buggy(s)
        });
        assert_eq!(r.stop, Stop::Fixpoint);
        assert_eq!(r.tests, calls);
        assert!(buggy(&r.subject));
        assert_eq!(
            state_count(&r.subject.definition),
            1,
            "{}",
            r.subject.definition
        );
        assert_eq!(
            r.subject.definition,
            json!({"StartAt": "Deep", "States": {"Deep": {"Type": "Pass", "ResultPath": "$.deep.inner", "End": true}}})
        );
        assert_eq!(r.subject.input, json!({"z": false}));
        assert_eq!(r.subject.environment, json!({}));
    }

    #[test]
    fn reaches_a_fixpoint_and_is_deterministic() {
        let a = shrink(big(), Budget::default(), buggy);
        let b = shrink(big(), Budget::default(), buggy);
        assert_eq!(a, b);
        let again = shrink(a.subject.clone(), Budget::default(), buggy);
        assert_eq!(again.stop, Stop::Fixpoint);
        assert_eq!(again.steps, 0);
        assert_eq!(again.subject, a.subject);
    }

    #[test]
    fn every_accepted_step_is_smaller_and_valid() {
        // A permissive oracle: everything is interesting, so every valid reduction is taken.
        let mut sizes = Vec::new();
        let r = shrink(big(), Budget::default(), |s: &Subject| {
            assert!(validate(&s.definition).is_empty());
            sizes.push(measure(s));
            true
        });
        assert_eq!(r.stop, Stop::Fixpoint);
        assert_eq!(state_count(&r.subject.definition), 1);
        assert_eq!(r.subject.input, json!({}));
    }

    #[test]
    fn the_budget_stops_the_loop() {
        let r = shrink(big(), Budget { max_tests: 3 }, buggy);
        assert_eq!(r.stop, Stop::BudgetExhausted);
        assert_eq!(r.tests, 3);
    }

    #[test]
    fn invalid_definitions_are_shrunk_without_the_validity_filter() {
        // A validation divergence: the definition is invalid to start with.
        let s = Subject {
            definition: json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}, "B": {"Type": "Succeed", "Comment": "x"}}}),
            input: json!({}),
            environment: json!({}),
        };
        let r = shrink(s, Budget::default(), |s: &Subject| {
            s.definition.pointer("/States/A/Next") == Some(&json!("Missing"))
        });
        assert_eq!(
            r.subject.definition,
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}})
        );
    }

    #[test]
    fn graph_edits() {
        let s = big();
        // Bypassing the Choice sends Start to the Default.
        let e = Edit::Bypass {
            graph: String::new(),
            state: "Route".into(),
        };
        let out = apply(&s, &e).unwrap();
        assert_eq!(
            out.definition.pointer("/States/Start/Next"),
            Some(&json!("Done"))
        );
        assert_eq!(state_count(&out.definition), 2);
        // Cutting at Fan drops the first rule, keeps the second and the Default.
        let e = Edit::CutAt {
            graph: String::new(),
            state: "Fan".into(),
        };
        let out = apply(&s, &e).unwrap();
        assert_eq!(
            out.definition
                .pointer("/States/Route/Choices")
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(1)
        );
        assert!(validate(&out.definition).is_empty());
        // A terminal start state cannot be bypassed.
        let one = Subject {
            definition: json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            input: json!({}),
            environment: json!({}),
        };
        assert!(apply(
            &one,
            &Edit::Bypass {
                graph: String::new(),
                state: "A".into()
            }
        )
        .is_none());
        // Hoisting a branch replaces the top-level states by the branch's.
        let e = Edit::Hoist {
            graph: String::new(),
            inner: "/States/Fan/Branches/1".into(),
        };
        assert!(edits(&s, &StateInputs::new()).contains(&e));
        let out = apply(&s, &e).unwrap();
        assert_eq!(out.definition.pointer("/StartAt"), Some(&json!("B2")));
        assert_eq!(state_count(&out.definition), 2);
        assert!(validate(&out.definition).is_empty());
        // A Map becomes a Pass that keeps its ResultPath.
        let e = Edit::ToPass {
            graph: String::new(),
            state: "Each".into(),
            keep_data: true,
        };
        let out = apply(&s, &e).unwrap();
        assert_eq!(
            out.definition.pointer("/States/Each"),
            Some(&json!({"Type": "Pass", "ResultPath": "$.each", "Next": "Deep"}))
        );
    }

    #[test]
    fn parent_paths() {
        assert_eq!(parent_path("$.a.b").as_deref(), Some("$.a"));
        assert_eq!(parent_path("$.a").as_deref(), Some("$"));
        assert_eq!(parent_path("$.a['b c']").as_deref(), Some("$.a"));
        assert_eq!(
            parent_path("$$.Execution.Input").as_deref(),
            Some("$$.Execution")
        );
        assert_eq!(parent_path("$"), None);
        assert_eq!(parent_path("text"), None);
    }

    /// A chain whose last state is the bug, but only with the input it was entered with.
    struct Chain;

    impl Oracle for Chain {
        fn interesting(&mut self, s: &Subject) -> bool {
            let at_c = s.definition.pointer("/States/C").is_some();
            match s.definition.get("StartAt").and_then(Value::as_str) {
                Some("A") => at_c,
                Some("B") => at_c && s.input == json!({"v": 1}),
                Some("C") => s.input == json!({"v": 2}),
                _ => false,
            }
        }

        fn state_inputs(&mut self, s: &Subject) -> StateInputs {
            let mut m = StateInputs::new();
            if s.definition.pointer("/States/B").is_some() {
                m.insert("B".into(), json!({"v": 1}));
            }
            m.insert("C".into(), json!({"v": 2}));
            m
        }
    }

    #[test]
    fn starting_later_drops_the_states_before_and_keeps_their_output() {
        let s = Subject {
            definition: json!({"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Result": {"v": 1}, "Next": "B"},
                "B": {"Type": "Pass", "Result": {"v": 2}, "Next": "C"},
                "C": {"Type": "Pass", "End": true}}}),
            input: json!({"big": "input"}),
            environment: json!({}),
        };
        let r = shrink(s.clone(), Budget::default(), Chain);
        assert_eq!(
            r.subject.definition,
            json!({"StartAt": "C", "States": {"C": {"Type": "Pass", "End": true}}})
        );
        assert_eq!(r.subject.input, json!({"v": 2}));
        // Without state inputs the start state cannot go.
        let plain = shrink(s, Budget::default(), |s: &Subject| Chain.interesting(s));
        assert_eq!(plain.subject.definition.get("StartAt"), Some(&json!("A")));
    }

    #[test]
    fn a_parallel_branch_starts_later_with_literal_parameters() {
        let s = Subject {
            definition: json!({"StartAt": "P", "States": {"P": {
                "Type": "Parallel", "InputPath": "$.x", "End": true,
                "Branches": [{"StartAt": "X", "States": {
                    "X": {"Type": "Pass", "Next": "Y"},
                    "Y": {"Type": "Pass", "End": true}}}]}}}),
            input: json!({"x": {}}),
            environment: json!({}),
        };
        let edit = |input: Value| Edit::StartAt {
            graph: "/States/P/Branches/0".into(),
            state: "Y".into(),
            input,
        };
        let out = apply(&s, &edit(json!({"k": "v"}))).unwrap();
        assert_eq!(
            out.definition.pointer("/States/P/Parameters"),
            Some(&json!({"k": "v"}))
        );
        assert_eq!(out.definition.pointer("/States/P/InputPath"), None);
        assert_eq!(state_count(&out.definition), 2);
        assert!(validate(&out.definition).is_empty());
        assert_eq!(out.input, s.input);
        // An input that would not stay literal, or is no object, cannot be Parameters.
        assert!(apply(&s, &edit(json!({"k.$": "$.a"}))).is_none());
        assert!(apply(&s, &edit(json!([1]))).is_none());
        // In JSONata it becomes the Parallel's Arguments, any value.
        let mut jsonata = s.clone();
        jsonata.definition["QueryLanguage"] = json!("JSONata");
        jsonata.definition["States"]["P"]
            .as_object_mut()
            .unwrap()
            .remove("InputPath");
        let out = apply(&jsonata, &edit(json!([1]))).unwrap();
        assert_eq!(
            out.definition.pointer("/States/P/Arguments"),
            Some(&json!([1]))
        );
        assert!(apply(&jsonata, &edit(json!("{% $x %}"))).is_none());
    }
}
