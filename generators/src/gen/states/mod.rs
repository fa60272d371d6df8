//! One generator per state type (docs/semantics/structure.md §1.3, §5–§10), plus Retry and Catch (§6).
//!
//! The files follow the interpreter's `states/`: `pass` (Pass and Succeed), `task`,
//! `choice` (the state and its rules), `wait`, `fail`, `parallel`, `map`, and
//! `errors` for the `Retry` and `Catch` fields. This module holds what they share: the choice
//! of a state's deliberate fault, a fresh state object, and the ResultSelector of Parallel/Map.
//!
//! Each generator reads the shape of its raw input, draws its fields in pipeline order, links
//! itself into the spine and records the errors that can escape it. Deliberate faults are
//! drawn once per state (`Config::error_ratio`) and spent on one field.

pub(crate) mod choice;
mod errors;
mod fail;
mod map;
mod parallel;
mod pass;
pub(crate) mod service;
mod task;
mod wait;

use serde_json::{json, Map, Value};

use crate::shape::Shape;

use super::jsonata::{wrap, JScope};
use super::scope::{assigned, Scope, Vars};
use super::template::TemplateFault;
use super::{Ctx, Errs, Gen, QUERY_EVAL, RUNTIME, TIMEOUT, UNKNOWN};

/// Where a state's deliberate fault goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    InputPath,
    Parameters,
    Intrinsic,
    ResultSelector,
    ResultPath,
    OutputPath,
    ItemsPath,
    Variable,
    WaitPath,
    Timeout,
    FailPath,
    /// A JSONata `Output` that returns nothing.
    Expression,
}

fn put(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(key.to_string(), v);
    }
}

impl Gen {
    fn pick_fault(&mut self, ctx: &Ctx, options: &[Fault]) -> Option<Fault> {
        if ctx.may_fail && !options.is_empty() && self.t.flag(self.cfg.error_ratio) {
            Some(*self.t.pick(options))
        } else {
            None
        }
    }

    fn new_state(&mut self, ty: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("Type".into(), Value::String(ty.to_string()));
        if self.t.flag(self.cfg.odds.comment) {
            m.insert("Comment".into(), json!(format!("a generated {ty} state ✓")));
        }
        m
    }

    fn template_fault(&mut self, fault: Option<Fault>, state: &str, field: &str) -> TemplateFault {
        match fault {
            Some(Fault::Parameters) => {
                self.fault_note(&format!("{field} path selects nothing"), state);
                TemplateFault::MissingPath
            }
            Some(Fault::Intrinsic) => {
                self.fault_note(&format!("{field} intrinsic fails"), state);
                TemplateFault::Intrinsic
            }
            _ => TemplateFault::None,
        }
    }

    fn fault_errs(fault: Option<Fault>, errs: &mut Errs) {
        match fault {
            Some(Fault::Intrinsic) => {
                errs.insert(UNKNOWN.to_string());
            }
            Some(Fault::Timeout) => {
                errs.insert(TIMEOUT.to_string());
            }
            Some(Fault::Expression) => {
                errs.insert(QUERY_EVAL.to_string());
            }
            Some(_) => {
                errs.insert(RUNTIME.to_string());
            }
            None => {}
        }
    }

    /// A JSONata `Output` (docs/semantics/jsonata.md §11.4): the field, if any, and the state
    /// output. `default` is what the state outputs without it (the result, or the input). Inside
    /// a loop body the input must pass through unchanged, so states with a result output
    /// `$states.input` and the others have no Output.
    fn joutput(
        &mut self,
        ctx: &Ctx,
        sc: &JScope,
        default: Shape,
        passthrough: bool,
        fault: bool,
        name: &str,
    ) -> (Option<Value>, Shape) {
        if fault {
            self.fault_note("Output returns nothing", name);
            return (Some(self.jfault(sc)), Shape::Never);
        }
        if ctx.guard.is_some() {
            if passthrough {
                return (None, default);
            }
            let out = if default.is_never() {
                Shape::Never
            } else {
                sc.input.clone()
            };
            return (Some(wrap("$states.input")), out);
        }
        if default.is_never() || !self.t.flag(self.cfg.odds.output_path) {
            return (None, default);
        }
        let (v, s) = self.jvalue(sc);
        (Some(v), s)
    }

    /// The state's `Assign` (JSONPath over `sc`, or JSONata over `jsc`), put into `m`; the
    /// variables after it.
    fn state_assign(
        &mut self,
        ctx: &Ctx,
        m: &mut Map<String, Value>,
        sc: Option<&Scope>,
        jsc: Option<&JScope>,
    ) -> Vars {
        let got = match (sc, jsc) {
            (_, Some(j)) => self.assign_jsonata(ctx, j),
            (Some(s), None) => self.assign_jsonpath(ctx, s),
            (None, None) => None,
        };
        match got {
            Some((v, set)) => {
                m.insert("Assign".into(), v);
                assigned(&self.vars, &set)
            }
            None => self.vars.clone(),
        }
    }

    /// A ResultSelector for Parallel/Map (any template over the result array).
    fn selector(
        &mut self,
        m: &mut Map<String, Value>,
        result: &Shape,
        cshape: &Shape,
        fault: Option<Fault>,
        name: &str,
    ) -> Shape {
        let rs_fault = fault == Some(Fault::ResultSelector);
        if !rs_fault && !self.t.flag(self.cfg.odds.result_selector) {
            return result.clone();
        }
        let mut tf = if rs_fault {
            self.fault_note("ResultSelector path selects nothing", name);
            TemplateFault::MissingPath
        } else {
            TemplateFault::None
        };
        let sc = Scope {
            data: result,
            ctx: Some(cshape),
            root: true,
            indefinite: true,
        };
        let (v, s) = self.template(&sc, None, 0, &mut tf);
        m.insert("ResultSelector".into(), v);
        if result.is_never() {
            Shape::Never
        } else {
            s
        }
    }
}
