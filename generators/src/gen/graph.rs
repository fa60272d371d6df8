//! State graphs. A graph is a *spine*: blocks 0..n, each falling through to the next, so every
//! block is reachable; Choice rules and catchers may jump forward to a later block, to the
//! spine's continuation, or to a new *side exit* (a short spine ending in Succeed/Fail/End).
//! Only forward jumps exist, except the back edge of a counter loop, whose body may not touch
//! the counter (see `Ctx::guard`), so every machine terminates.
//!
//! Budget: `Gen::states_left` counts states not yet allocated; `reserved` are promised to blocks
//! that are planned but not generated yet. A spine never plans more than `free()` states.

use std::rc::Rc;

use serde_json::{json, Map, Value};

use crate::shape::{Kind, Shape};

use super::scope::{join_vars, Vars};
use super::{Acc, Ctx, Gen};

/// The kinds of blocks, simplest first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Block {
    Pass,
    Task,
    Wait,
    Choice,
    Parallel,
    Map,
    Loop,
    Succeed,
    Fail,
}

impl Block {
    /// States a block needs besides its entry state.
    fn extra(self) -> usize {
        match self {
            Block::Parallel | Block::Map => 1,
            Block::Loop => 3,
            _ => 0,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Block::Pass => "Pass",
            Block::Task => "Task",
            Block::Wait => "Wait",
            Block::Choice => "Choice",
            Block::Parallel => "Parallel",
            Block::Map => "Map",
            Block::Loop => "LoopInit",
            Block::Succeed => "Succeed",
            Block::Fail => "Fail",
        }
    }
}

/// The targets of one spine: the entry state of every block, and the continuation.
pub struct Links {
    names: Vec<String>,
    /// Shapes arriving at each slot (slot `n` is the continuation, if any).
    pending: Vec<Vec<Shape>>,
    /// The variables arriving at each slot, one list per edge.
    pending_vars: Vec<Vec<Vars>>,
    /// The variables the state being generated sends along its next edge: its entry
    /// variables, updated by its `Assign` (or a Choice rule's or catcher's).
    pub out_vars: Vars,
}

/// Where a block sits in its spine.
pub struct Here {
    pub name: String,
    /// The slot the block falls through to (`None`: the block ends the graph).
    pub fall: Option<usize>,
    /// Slots a rule or catcher may jump to besides `fall`.
    pub jumps: Vec<usize>,
}

impl Links {
    pub fn goto(&mut self, slot: usize, shape: Shape) -> String {
        self.pending[slot].push(shape);
        self.pending_vars[slot].push(self.out_vars.clone());
        self.names[slot].clone()
    }
}

impl Gen {
    /// Generates a spine of at most `max_blocks` blocks into `acc`, starting with `input` and
    /// the variables `vars`.
    /// With `after`, the last block continues there (and the shapes arriving are returned);
    /// without, the spine ends the graph. The caller guarantees `free() ≥ 1`; the spine then
    /// has at least one block.
    pub fn spine(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        input: Shape,
        vars: Vars,
        max_blocks: usize,
        after: Option<String>,
    ) -> (String, Vec<Shape>) {
        let saved_vars = self.vars.clone();
        // Plan the kinds first, so that entry names (and types) are known before any jump is
        // made. Each planned block is one span (a "more" coin and a kind): deleting the span
        // while shrinking removes exactly one block. A spine that ends the graph ends with one
        // block that may be terminal.
        let cap = max_blocks.clamp(1, 6);
        let terminal = after.is_none();
        let mut kinds = Vec::new();
        if terminal {
            self.reserve(1);
        }
        let (min, room) = if terminal { (0, cap - 1) } else { (1, cap) };
        let mut groups = Vec::new();
        while self.t.more(kinds.len(), min, room, 0.7) {
            if self.free() == 0 {
                self.t.end();
                break;
            }
            let group = self.t.new_group();
            self.t.tag(group);
            self.reserve(1);
            let kind = self.block_kind(ctx, false);
            self.reserve(kind.extra());
            kinds.push(kind);
            groups.push(group);
            self.t.end();
        }
        if terminal {
            let kind = self.block_kind(ctx, true);
            self.reserve(kind.extra());
            kinds.push(kind);
            groups.push(0);
        }
        let n = kinds.len();
        let mut names = Vec::with_capacity(n + 1);
        for kind in &kinds {
            self.release(1);
            names.push(self.alloc(kind.prefix()));
        }
        let has_after = after.is_some();
        if let Some(a) = after {
            names.push(a);
        }
        let mut links = Links {
            names,
            pending: vec![vec![]; n + 1],
            pending_vars: vec![vec![]; n + 1],
            out_vars: Vars::new(),
        };
        links.pending[0].push(input);
        links.pending_vars[0].push(vars);

        for (i, kind) in kinds.iter().enumerate() {
            self.t.begin();
            self.t.tag(groups[i]);
            let shape = Shape::join_all(&links.pending[i]);
            let entry = match links.pending_vars[i].split_first() {
                Some((first, rest)) => rest.iter().fold(first.clone(), |a, b| join_vars(&a, b)),
                None => Vars::new(),
            };
            self.vars = entry.clone();
            links.out_vars = entry;
            let fall = if i + 1 < n || has_after {
                Some(i + 1)
            } else {
                None
            };
            let mut jumps: Vec<usize> = (i + 2..n).collect();
            if has_after && i + 1 < n {
                jumps.push(n);
            }
            let here = Here {
                name: links.names[i].clone(),
                fall,
                jumps,
            };
            self.block(ctx, acc, &mut links, &here, *kind, shape);
            self.t.end();
        }
        let arriving = if has_after {
            std::mem::take(&mut links.pending[n])
        } else {
            vec![]
        };
        self.vars = saved_vars;
        (links.names[0].clone(), arriving)
    }

    /// A new graph (a Parallel branch or a Map processor): its StartAt, States, exit shape and
    /// escaping errors. It reads the variables of the state holding it (§12 Scope).
    pub fn region(&mut self, ctx: &Ctx, input: Shape) -> (Value, Shape, super::Errs) {
        let mut acc = Acc::default();
        let vars = self.vars.clone();
        let (start, _) = self.spine(ctx, &mut acc, input, vars, usize::MAX, None);
        let exit = Shape::join_all(&acc.exits);
        let graph = json!({ "StartAt": start, "States": Value::Object(acc.states) });
        (graph, exit, acc.errs)
    }

    fn block_kind(&mut self, ctx: &Ctx, terminal: bool) -> Block {
        let s = &self.cfg.states;
        let spare = self.free();
        let nest = ctx.depth < self.cfg.max_depth;
        let may_fail = ctx.may_fail;
        let fits = |b: Block| b.extra() <= spare;
        let kinds = [
            Block::Pass,
            Block::Task,
            Block::Wait,
            Block::Choice,
            Block::Parallel,
            Block::Map,
            Block::Loop,
            Block::Succeed,
            Block::Fail,
        ];
        let weights = [
            s.pass,
            s.task,
            s.wait,
            if terminal { 0 } else { s.choice },
            if nest && fits(Block::Parallel) {
                s.parallel
            } else {
                0
            },
            if nest && fits(Block::Map) { s.map } else { 0 },
            if !terminal && ctx.loop_depth < 2 && fits(Block::Loop) {
                s.loop_
            } else {
                0
            },
            if terminal { s.succeed } else { 0 },
            if terminal && may_fail { s.fail } else { 0 },
        ];
        if weights.iter().all(|&w| w == 0) {
            return Block::Pass;
        }
        kinds[self.t.weighted(&weights)]
    }

    /// `Next`/`End` for a block that falls through (or ends the graph), recording the shape.
    pub fn link(
        &mut self,
        links: &mut Links,
        acc: &mut Acc,
        here: &Here,
        m: &mut Map<String, Value>,
        out: Shape,
    ) {
        match here.fall {
            Some(slot) => {
                let next = links.goto(slot, out);
                m.insert("Next".into(), Value::String(next));
            }
            None => {
                acc.exits.push(out);
                m.insert("End".into(), Value::Bool(true));
            }
        }
    }

    /// Whether a rule or catcher can be given a target.
    pub fn can_target(&self, here: &Here) -> bool {
        here.fall.is_some() || !here.jumps.is_empty() || self.free() >= 1
    }

    /// A target for a Choice rule or a catcher receiving `shape`: the next block, a later
    /// block, the continuation, or a new side exit.
    pub fn target(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        shape: Shape,
    ) -> String {
        let side = self.free() >= 1;
        let which = self.t.weighted(&[
            if here.fall.is_some() { 3 } else { 0 },
            if here.jumps.is_empty() { 0 } else { 2 },
            if side { 2 } else { 0 },
        ]);
        match (which, here.fall) {
            (0, Some(slot)) => links.goto(slot, shape),
            (1, _) => {
                let slot = *self.t.pick(&here.jumps);
                links.goto(slot, shape)
            }
            _ if side => {
                // A side exit never returns to this spine; inside a loop it ends the graph.
                let vars = links.out_vars.clone();
                let (start, _) = self.spine(ctx, acc, shape, vars, 2, None);
                start
            }
            (_, Some(slot)) => links.goto(slot, shape),
            _ => {
                let slot = here.jumps[0];
                links.goto(slot, shape)
            }
        }
    }

    fn block(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        kind: Block,
        input: Shape,
    ) {
        self.release(kind.extra());
        match kind {
            Block::Pass => self.pass_state(ctx, acc, links, here, input),
            Block::Task => self.task_state(ctx, acc, links, here, input),
            Block::Wait => self.wait_state(ctx, acc, links, here, input),
            Block::Choice => self.choice_state(ctx, acc, links, here, input),
            Block::Parallel => self.parallel_state(ctx, acc, links, here, input),
            Block::Map => self.map_state(ctx, acc, links, here, input),
            Block::Loop => self.loop_block(ctx, acc, links, here, input),
            Block::Succeed => self.succeed_state(ctx, acc, here, input),
            Block::Fail => self.fail_state(ctx, acc, here, input),
        }
    }

    /// A counter loop: `Init` (Pass: counter = 0) → body → `Inc` (Pass: counter + 1) →
    /// `Check` (Choice: counter < K → body, else continue). The body keeps every member that
    /// existed at loop entry (ResultPath only into new members, no OutputPath), so the counter
    /// survives and the loop runs exactly K times.
    fn loop_block(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        input: Shape,
    ) {
        if self.jsonata() {
            return self.loop_jsonata(ctx, acc, links, here, input);
        }
        let Shape::Obj(members) = &input else {
            // The counter needs an object to live in; a plain Pass takes the block's place.
            return self.pass_state(ctx, acc, links, here, input);
        };
        let Some(fall) = here.fall else {
            return self.pass_state(ctx, acc, links, here, input);
        };
        let k = self.t.range(1, i64::from(self.cfg.max_loop_iterations));
        let counter = format!("loop{}", self.next_id);
        let use_math = self.cfg.intrinsic_enabled("States.MathAdd");
        let inc_name = self.alloc("LoopInc");
        let check_name = self.alloc("LoopCheck");

        let counter_any = if use_math {
            Shape::obj(vec![("v", Shape::any_int())])
        } else {
            Shape::Any
        };
        let init_result = if use_math { json!({"v": 0}) } else { json!({}) };
        let body_input = input
            .set(
                &[crate::shape::Seg::Key(counter.clone())],
                counter_any.clone(),
            )
            .unwrap_or(Shape::Any);

        let mut guard: Vec<String> = members.iter().map(|(k, _)| k.clone()).collect();
        guard.push(counter.clone());
        if let Some(outer) = &ctx.guard {
            guard.extend(outer.iter().cloned());
        }
        let body_ctx = Ctx {
            loop_depth: ctx.loop_depth + 1,
            mult: ctx.mult * k as f64,
            guard: Some(Rc::new(guard)),
            ..ctx.clone()
        };
        let vars = self.vars.clone();
        let (body_start, arriving) =
            self.spine(&body_ctx, acc, body_input, vars, 3, Some(inc_name.clone()));

        let mut init = Map::new();
        init.insert("Type".into(), json!("Pass"));
        init.insert("Result".into(), init_result);
        init.insert("ResultPath".into(), json!(format!("$.{counter}")));
        init.insert("Next".into(), json!(body_start));
        acc.states.insert(here.name.clone(), Value::Object(init));

        let body_exit = Shape::join_all(&arriving);
        let inc_params = if use_math {
            json!({ "v.$": format!("States.MathAdd($.{counter}.v, 1)") })
        } else {
            json!({ "prev.$": format!("$.{counter}") })
        };
        let mut inc = Map::new();
        inc.insert("Type".into(), json!("Pass"));
        inc.insert("Parameters".into(), inc_params);
        inc.insert("ResultPath".into(), json!(format!("$.{counter}")));
        inc.insert("Next".into(), json!(check_name.clone()));
        acc.states.insert(inc_name, Value::Object(inc));

        let after_inc = if body_exit.kind() == Kind::Obj {
            body_exit
                .set(&[crate::shape::Seg::Key(counter.clone())], counter_any)
                .unwrap_or(Shape::Any)
        } else {
            body_exit
        };
        let exit_name = links.goto(fall, after_inc);
        let rule = if use_math {
            json!({ "Variable": format!("$.{counter}.v"), "NumericLessThan": k, "Next": body_start })
        } else {
            let deep = format!("$.{counter}{}", ".prev".repeat(k as usize));
            json!({ "Variable": deep, "IsPresent": false, "Next": body_start })
        };
        let check = json!({ "Type": "Choice", "Choices": [rule], "Default": exit_name });
        acc.states.insert(check_name, check);
    }

    /// The JSONata counter loop: the counter is a variable. `Init` (Pass: Assign counter 0) →
    /// body → `Inc` (Pass: Assign counter + 1) → `Check` (Choice: `$counter < K` → body, else
    /// continue). Body states pass their input through (see `joutput`), so every iteration
    /// sees the same data.
    fn loop_jsonata(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        input: Shape,
    ) {
        let Some(fall) = here.fall else {
            return self.pass_state(ctx, acc, links, here, input);
        };
        let members: Vec<String> = match &input {
            Shape::Obj(ms) => ms.iter().map(|(k, _)| k.clone()).collect(),
            _ => vec![],
        };
        let k = self.t.range(1, i64::from(self.cfg.max_loop_iterations));
        let counter = format!("loop{}", self.next_id);
        let inc_name = self.alloc("LoopInc");
        let check_name = self.alloc("LoopCheck");
        let mut guard = members;
        if let Some(outer) = &ctx.guard {
            guard.extend(outer.iter().cloned());
        }
        let body_ctx = Ctx {
            loop_depth: ctx.loop_depth + 1,
            mult: ctx.mult * k as f64,
            guard: Some(Rc::new(guard)),
            ..ctx.clone()
        };
        let mut vars = self.vars.clone();
        vars.push((counter.clone(), Shape::any_int()));
        let (body_start, _) = self.spine(
            &body_ctx,
            acc,
            input.clone(),
            vars,
            3,
            Some(inc_name.clone()),
        );
        let init = json!({
            "Type": "Pass",
            "Assign": { counter.clone(): 0 },
            "Next": body_start,
        });
        acc.states.insert(here.name.clone(), init);
        let inc = json!({
            "Type": "Pass",
            "Assign": { counter.clone(): format!("{{% ${counter} + 1 %}}") },
            "Next": check_name,
        });
        acc.states.insert(inc_name, inc);
        let exit_name = links.goto(fall, input);
        let check = json!({
            "Type": "Choice",
            "Choices": [{ "Condition": format!("{{% ${counter} < {k} %}}"), "Next": body_start }],
            "Default": exit_name,
        });
        acc.states.insert(check_name, check);
    }
}
