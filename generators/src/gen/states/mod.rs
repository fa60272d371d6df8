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
mod task;
mod wait;

use serde_json::{json, Map, Value};

use crate::shape::Shape;

use super::scope::Scope;
use super::template::TemplateFault;
use super::{Ctx, Errs, Gen, RUNTIME, TIMEOUT, UNKNOWN};

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
            Some(_) => {
                errs.insert(RUNTIME.to_string());
            }
            None => {}
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
