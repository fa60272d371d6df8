//! Workflow variables (docs/semantics/variables.md §12): the names a scope may assign, JSONPath
//! `Assign` templates and `$name` reads.
//!
//! The variables known at a state are those assigned on *every* path to it ([`Vars`], joined
//! where edges meet, see `graph.rs`), so a read never meets an unassigned name. Scopes: every
//! Parallel branch and Map processor has a scope number, and a scope assigns only its own
//! names (`x` at the top level, `x_3` in scope 3), so an inner scope never assigns a name an
//! outer one has, while it may read every name of the scopes around it. Inside a counter-loop
//! body only names not yet visible are assigned, so a variable read in the body has the same
//! shape on every iteration.

use serde_json::{Map, Value};

use crate::shape::Shape;

use super::paths::Picked;
use super::scope::{Root, Scope, Vars, Want};
use super::template::validator_safe;
use super::{Ctx, Gen};

/// Base names of variables (none is a JSONata function name or `states`).
const VAR_NAMES: [&str; 6] = ["x", "y", "total", "label", "seen", "acc"];

impl Gen {
    /// A name a state in `ctx` may assign, other than those in `taken`.
    pub fn var_name(&mut self, ctx: &Ctx, taken: &[String]) -> Option<String> {
        let in_loop = ctx.guard.is_some() || ctx.loop_depth > 0;
        let names: Vec<String> = VAR_NAMES
            .iter()
            .map(|b| {
                if ctx.scope == 0 {
                    b.to_string()
                } else {
                    format!("{b}_{}", ctx.scope)
                }
            })
            .filter(|n| !taken.contains(n))
            .filter(|n| !in_loop || !self.vars.iter().any(|(k, _)| k == n))
            .collect();
        if names.is_empty() {
            None
        } else {
            Some(self.t.pick(&names).clone())
        }
    }

    /// Sometimes (`odds.variable`) a path into a variable known here whose node satisfies
    /// `pred`: `$name`, `$name.member`, `$name[0]`.
    pub fn var_path(&mut self, pred: &dyn Fn(&Shape) -> bool) -> Option<Picked> {
        if self.vars.is_empty() || !self.t.flag(self.cfg.odds.variable) {
            return None;
        }
        let (name, shape) = self.t.pick(&self.vars).clone();
        let (segs, node) = self.pick_node(&shape, true, pred)?;
        let text = self.render(Root::Data, &segs);
        Some(Picked {
            text: format!("${name}{}", &text[1..]),
            shape: node,
        })
    }

    /// Sometimes (`odds.assign`) a JSONPath `Assign` (a payload template whose keys are
    /// variable names) over `sc`, whose `$` is what the state type defines (§12), and the
    /// variables it sets.
    pub fn assign_jsonpath(&mut self, ctx: &Ctx, sc: &Scope) -> Option<(Value, Vars)> {
        if !self.t.flag(self.cfg.odds.assign) {
            return None;
        }
        let mut m = Map::new();
        let mut set = Vars::new();
        let mut taken: Vec<String> = vec![];
        for _ in 0..self.t.count(1, 2) {
            let Some(name) = self.var_name(ctx, &taken) else {
                break;
            };
            taken.push(name.clone());
            let intrinsics_on = !self.cfg.intrinsics.is_empty();
            let which = self.t.weighted(&[3, 4, if intrinsics_on { 2 } else { 0 }]);
            let picked = match which {
                1 => {
                    let (text, s) = self.value_path(sc, None);
                    Some((text, s))
                }
                2 => {
                    let mut no_fault = false;
                    self.intrinsic(sc, Want::Any, &[], &mut no_fault)
                }
                _ => None,
            };
            match picked {
                Some((text, s)) => {
                    m.insert(format!("{name}.$"), Value::String(text));
                    set.push((name, s));
                }
                None => {
                    let v = validator_safe(self.literal(1));
                    set.push((name.clone(), Shape::of(&v)));
                    m.insert(name, v);
                }
            }
        }
        if m.is_empty() {
            return None;
        }
        Some((Value::Object(m), set))
    }
}
