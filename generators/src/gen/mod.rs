//! The builder: turns a [`Tape`] of decisions into a machine, an input and an environment.
//!
//! Layout (each file one job):
//! - `data.rs`: JSON values (execution input, literals) and the pools of edge-case scalars;
//! - `scope.rs`: what paths and expressions read and how numbers are written in them (shared
//!   by the next three, importing none of them);
//! - `paths.rs`: choosing and rendering paths that resolve against a [`Shape`];
//! - `intrinsics.rs`: typed intrinsic-function expressions (docs/semantics/intrinsics.md §4);
//! - `template.rs`: payload templates and the InputPath → … → OutputPath pipeline (§2);
//! - `vars.rs`: workflow variables: the names a scope may assign, JSONPath `Assign`, `$name`
//!   reads;
//! - `jsonata.rs`: typed JSONata expressions, `Output`/`Assign` templates (§11);
//! - `graph.rs`: state graphs: sequences of blocks, jumps, loops, side exits, budgets;
//! - `states/`: one generator per state type, one file each, with Choice rules (§5) and
//!   Retry and Catch (§6–§9).
//!
//! Validity is structural: names are unique by construction (a global counter), every `Next`
//! points at a state allocated in the same `States` object, every block is reachable from the
//! one before it, and every graph ends in a terminal state.

mod data;
mod graph;
mod intrinsics;
mod jsonata;
mod paths;
mod scope;
pub(crate) mod states;
mod template;
mod vars;

use std::collections::BTreeSet;
use std::rc::Rc;

use serde_json::{json, Map, Value};

use crate::config::{Config, QueryLanguage};
use crate::shape::Shape;
use crate::tape::Tape;

/// Account and region of the fixture functions.
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// The ARN of fixture function `name` (`echo`, `fail`, `flaky`, `sleep`).
pub fn fixture_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:aslcheck-{name}")
}

/// The optimized Lambda integration.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Error names that escape a state or graph. Names starting with `?` are placeholders for
/// errors whose AWS name is unverified or absent.
pub(crate) type Errs = BTreeSet<String>;

pub(crate) const RUNTIME: &str = "States.Runtime";
pub(crate) const TIMEOUT: &str = "States.Timeout";
pub(crate) const NO_CHOICE: &str = "States.NoChoiceMatched";
/// A JSONata expression failed or returned nothing (docs/semantics/jsonata.md §11.5).
pub(crate) const QUERY_EVAL: &str = "States.QueryEvaluationError";
/// An intrinsic failed (`States.IntrinsicFailure` per the spec; AWS name unverified).
pub(crate) const UNKNOWN: &str = "?intrinsic";
/// A Fail state without `Error`.
pub(crate) const NULL_ERROR: &str = "?null";
/// An error name read from data.
pub(crate) const DYNAMIC: &str = "?dynamic";

/// Where in the machine a state is generated.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    /// Parallel/Map nesting depth.
    pub depth: usize,
    /// Counter-loop nesting depth.
    pub loop_depth: usize,
    /// How many times this code may run (loops, Map items, retries): scales time estimates.
    pub mult: f64,
    /// Whether a state here may fail (false for the non-designated branches of a Parallel in
    /// deterministic mode).
    pub may_fail: bool,
    /// Inside a loop body: top-level members that must survive every state unchanged.
    pub guard: Option<Rc<Vec<String>>>,
    /// The variable scope (0: the top level; each Parallel branch and Map processor has its
    /// own), which decides the names its states may assign (docs/semantics/variables.md §12).
    pub scope: usize,
}

impl Ctx {
    fn root() -> Ctx {
        Ctx {
            depth: 0,
            loop_depth: 0,
            mult: 1.0,
            may_fail: true,
            guard: None,
            scope: 0,
        }
    }

    pub fn guarded(&self, key: &str) -> bool {
        self.guard
            .as_ref()
            .is_some_and(|g| g.iter().any(|k| k == key))
    }
}

/// What a generated graph collects: its states, the shapes that leave it, the errors that
/// escape it.
#[derive(Default)]
pub(crate) struct Acc {
    pub states: Map<String, Value>,
    pub exits: Vec<Shape>,
    pub errs: Errs,
}

/// The generator state for one case.
pub(crate) struct Gen {
    pub t: Tape,
    pub cfg: Config,
    /// States not yet allocated.
    states_left: usize,
    /// Of those, how many are promised to blocks already planned.
    reserved: usize,
    next_id: usize,
    pub fixtures: BTreeSet<&'static str>,
    pub nondet: BTreeSet<&'static str>,
    pub faults: Vec<String>,
    /// Rough upper bound of wall-clock seconds a real implementation needs.
    pub time: f64,
    /// Shape of the execution input (`$$.Execution.Input`).
    pub exec_input: Shape,
    /// The variables at the entry of the state being generated (what its fields read).
    pub vars: scope::Vars,
    /// Variable scopes handed out so far.
    scopes: usize,
    /// The simulated AWS resources the machine uses (`environment.resources`).
    pub world: Map<String, Value>,
    /// Whether a Task calls a service (so the case declares its resources).
    pub uses_services: bool,
    /// The callbacks script's entries (`.waitForTaskToken` states' answers).
    pub callbacks: Vec<Value>,
}

/// One generated case, before it is wrapped in a [`crate::Case`].
pub(crate) struct Built {
    pub definition: Value,
    pub input: Value,
    pub environment: Value,
    pub config: Config,
}

/// Builds one case from the decisions on `tape`.
pub(crate) fn build(base: &Config, header: &str, mut tape: Tape) -> (Built, Tape) {
    let base = base.normalized();
    let cfg = if base.swarm {
        base.swarm_variant(&mut tape).normalized()
    } else {
        base
    };
    let mut g = Gen {
        t: tape,
        states_left: cfg.max_states,
        cfg,
        reserved: 0,
        next_id: 0,
        fixtures: BTreeSet::new(),
        nondet: BTreeSet::new(),
        faults: Vec::new(),
        time: 0.0,
        exec_input: Shape::Any,
        vars: scope::Vars::new(),
        scopes: 0,
        world: Map::new(),
        uses_services: false,
        callbacks: Vec::new(),
    };
    g.t.begin();
    let input = g.input();
    g.t.end();
    g.exec_input = Shape::of(&input);

    let mut acc = Acc::default();
    let (start, _) = g.spine(
        &Ctx::root(),
        &mut acc,
        g.exec_input.clone(),
        scope::Vars::new(),
        usize::MAX,
        None,
    );

    let mut definition = Map::new();
    definition.insert("Comment".into(), Value::String(header.to_string()));
    if g.jsonata() {
        definition.insert("QueryLanguage".into(), Value::String("JSONata".into()));
    }
    definition.insert("StartAt".into(), Value::String(start));
    definition.insert("States".into(), Value::Object(acc.states));

    let fixtures: Map<String, Value> = g
        .fixtures
        .iter()
        .map(|name| (name.to_string(), Value::String(fixture_arn(name))))
        .collect();
    let mut environment = json!({
        "fixtures": fixtures,
        "nondeterministic": g.nondet.iter().collect::<Vec<_>>(),
        "faults": g.faults,
        "time_bound_seconds": g.time.ceil() as u64,
    });
    if let Some(r) = states::service::resources(&g) {
        environment["resources"] = r;
    }
    if let Some(c) = states::service::callbacks(&g) {
        environment["callbacks"] = c;
    }
    let built = Built {
        definition: Value::Object(definition),
        input,
        environment,
        config: g.cfg.clone(),
    };
    (built, g.t)
}

impl Gen {
    /// States that may still be allocated without breaking a promise.
    pub fn free(&self) -> usize {
        self.states_left.saturating_sub(self.reserved)
    }

    pub fn reserve(&mut self, n: usize) {
        self.reserved += n;
    }

    pub fn release(&mut self, n: usize) {
        self.reserved = self.reserved.saturating_sub(n);
    }

    /// Allocates a fresh, unique state name (and one state of the budget).
    pub fn alloc(&mut self, prefix: &str) -> String {
        self.states_left = self.states_left.saturating_sub(1);
        self.next_id += 1;
        let id = self.next_id;
        if self.t.flag(self.cfg.odds.odd_names) {
            let odd = [
                "step with spaces",
                "ünïcödé — ✓",
                "dots.and-dashes_and:colons",
                "$.not.a.path",
            ];
            let which = self.t.below(odd.len() + 1);
            if which == odd.len() {
                // The longest name AWS accepts: 80 characters.
                let head = format!("{prefix}{id}-");
                let pad = 80usize.saturating_sub(head.chars().count());
                return format!("{head}{}", "x".repeat(pad));
            }
            return format!("{prefix}{id} {}", odd[which]);
        }
        format!("{prefix}{id}")
    }

    /// Whether the machine is a JSONata machine.
    pub fn jsonata(&self) -> bool {
        self.cfg.query_language == QueryLanguage::Jsonata
    }

    /// A fresh variable scope for a Parallel branch or Map processor.
    pub fn new_scope(&mut self) -> usize {
        self.scopes += 1;
        self.scopes
    }

    /// Records a deliberate fault.
    pub fn fault_note(&mut self, what: &str, state: &str) {
        self.faults.push(format!("{what} at {state}"));
    }

    /// The context object as far as it is known at state `name` (docs/semantics/context-object.md §3). In
    /// deterministic mode only fields with a fixed value are included.
    pub fn context(&self, name: &str, retry_count: bool, item: Option<&Shape>) -> Shape {
        let det = self.cfg.deterministic;
        let mut execution = vec![("Input", self.exec_input.clone())];
        let mut state = vec![("Name", Shape::str(name))];
        let mut members = vec![];
        if !det {
            for k in ["Id", "Name", "RoleArn", "StartTime"] {
                execution.push((k, Shape::Str(None)));
            }
            state.push(("EnteredTime", Shape::Str(None)));
        }
        if retry_count {
            state.push(("RetryCount", Shape::any_int()));
        }
        members.push(("Execution", Shape::obj(execution)));
        members.push(("State", Shape::obj(state)));
        if !det {
            members.push((
                "StateMachine",
                Shape::obj(vec![("Id", Shape::Str(None)), ("Name", Shape::Str(None))]),
            ));
        }
        if let Some(item) = item {
            members.push((
                "Map",
                Shape::obj(vec![(
                    "Item",
                    Shape::obj(vec![("Index", Shape::any_int()), ("Value", item.clone())]),
                )]),
            ));
        }
        Shape::obj(members)
    }
}
