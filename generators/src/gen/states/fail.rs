//! Fail states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html>;
//! docs/semantics/errors.md §6.5): a literal `Error` and `Cause`, or `ErrorPath`/`CausePath` as a
//! reference path to a string or a string-returning intrinsic.

use serde_json::{json, Value};

use crate::shape::{Kind, Shape};

use super::Fault;
use crate::gen::data::{CAUSES, ERROR_NAMES};
use crate::gen::graph::Here;
use crate::gen::intrinsics::STRING_FUNCS;
use crate::gen::jsonata::{wrap, JScope};
use crate::gen::scope::{Root, Scope, Want};
use crate::gen::{Acc, Ctx, Gen, DYNAMIC, NULL_ERROR, RUNTIME};

impl Gen {
    pub fn fail_state(&mut self, ctx: &Ctx, acc: &mut Acc, here: &Here, raw: Shape) {
        if self.jsonata() {
            return self.fail_jsonata(acc, here, raw);
        }
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::FailPath]);
        let mut m = self.new_state("Fail");
        let cshape = self.context(&name, false, None);
        let mut error_name: Option<String> = None;
        if fault == Some(Fault::FailPath) {
            self.fault_note("ErrorPath selects nothing", &name);
            let p = self.missing_path(&raw);
            m.insert("ErrorPath".into(), json!(p));
            acc.errs.insert(RUNTIME.to_string());
        } else if !self.t.flag(0.1) {
            match self.fail_path(&raw, &cshape) {
                Some(p) => {
                    m.insert("ErrorPath".into(), json!(p));
                    acc.errs.insert(DYNAMIC.to_string());
                }
                None => {
                    let e = self.t.pick(ERROR_NAMES).to_string();
                    m.insert("Error".into(), json!(e));
                    error_name = Some(e);
                }
            }
        }
        if !self.t.flag(0.1) {
            match self.fail_path(&raw, &cshape) {
                Some(p) => {
                    m.insert("CausePath".into(), json!(p));
                }
                None => {
                    m.insert("Cause".into(), json!(self.t.pick(CAUSES)));
                }
            }
        }
        match (error_name, m.contains_key("ErrorPath")) {
            (Some(e), _) => {
                acc.errs.insert(e);
            }
            (None, false) => {
                acc.errs.insert(NULL_ERROR.to_string());
            }
            _ => {}
        }
        acc.states.insert(name, Value::Object(m));
    }

    /// An `ErrorPath`/`CausePath`: a reference path to a string, or a string-returning
    /// intrinsic (AWS state-fail page). `None`: use the literal field.
    fn fail_path(&mut self, raw: &Shape, cshape: &Shape) -> Option<String> {
        if !self.t.flag(self.cfg.odds.fail_path) {
            return None;
        }
        if self.t.flag(0.5) {
            let sc = Scope {
                data: raw,
                ctx: Some(cshape),
                root: false,
                indefinite: false,
            };
            let mut no_fault = false;
            if let Some((text, _)) = self.intrinsic(&sc, Want::Str, &STRING_FUNCS, &mut no_fault) {
                return Some(text);
            }
        }
        let (segs, _) = self.pick_node(raw, false, &|s| s.kind() == Kind::Str)?;
        Some(self.render(Root::Data, &segs))
    }

    /// A JSONata Fail: `Error` and `Cause`, each a literal or a string expression.
    fn fail_jsonata(&mut self, acc: &mut Acc, here: &Here, raw: Shape) {
        let name = here.name.clone();
        let mut m = self.new_state("Fail");
        let cshape = self.context(&name, false, None);
        let sc = JScope::of_input(&raw, &cshape);
        if !self.t.flag(0.1) {
            if self.t.flag(self.cfg.odds.fail_path) {
                let (e, _) = self.jexpr(&sc, Want::Str, 0);
                m.insert("Error".into(), wrap(&e));
                acc.errs.insert(DYNAMIC.to_string());
            } else {
                let e = self.t.pick(ERROR_NAMES).to_string();
                m.insert("Error".into(), json!(e));
                acc.errs.insert(e);
            }
        } else {
            acc.errs.insert(NULL_ERROR.to_string());
        }
        if !self.t.flag(0.1) {
            if self.t.flag(self.cfg.odds.fail_path) {
                let (e, _) = self.jexpr(&sc, Want::Str, 0);
                m.insert("Cause".into(), wrap(&e));
            } else {
                // asl-validator 4.0.0 rejects an empty literal here.
                let causes: Vec<&str> = CAUSES.iter().copied().filter(|c| !c.is_empty()).collect();
                m.insert("Cause".into(), json!(self.t.pick(&causes)));
            }
        }
        acc.states.insert(name, Value::Object(m));
    }
}
