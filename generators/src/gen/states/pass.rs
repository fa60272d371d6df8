//! Pass and Succeed states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html>,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html>).
//!
//! Pass runs the whole pipeline with `Parameters` or a literal `Result` as its result (a `Result`
//! is not a template, docs/semantics/data-flow.md §2.4); Succeed has only InputPath and OutputPath
//! and ends its graph.

use serde_json::{json, Value};

use crate::shape::Shape;

use super::{put, Fault};
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::JScope;
use crate::gen::scope::Scope;
use crate::gen::template::TemplateFault;
use crate::gen::{Acc, Ctx, Gen};

impl Gen {
    pub fn pass_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        if self.jsonata() {
            return self.pass_jsonata(ctx, acc, links, here, raw);
        }
        let name = here.name.clone();
        let fault = self.pick_fault(
            ctx,
            &[
                Fault::InputPath,
                Fault::Parameters,
                Fault::Intrinsic,
                Fault::ResultPath,
                Fault::OutputPath,
            ],
        );
        let mut m = self.new_state("Pass");
        let cshape = self.context(&name, false, None);
        let (ip, eff) = self.input_path(
            ctx,
            &raw,
            &cshape,
            false,
            fault == Some(Fault::InputPath),
            &name,
        );
        put(&mut m, "InputPath", ip);
        let mut tf = self.template_fault(fault, &name, "Parameters");
        let result = if tf != TemplateFault::None || self.t.flag(self.cfg.odds.parameters) {
            let sc = Scope {
                data: &eff,
                ctx: Some(&cshape),
                root: true,
                indefinite: true,
            };
            let (v, s) = self.template(&sc, None, 0, &mut tf);
            m.insert("Parameters".into(), v);
            s
        } else if self.t.flag(self.cfg.odds.result) {
            let mut v = self.literal(0);
            if self.t.flag(0.15) {
                // `Result` is not a template: a ".$" key is output verbatim (§2.4).
                v = json!({ "literal.$": "$.not.evaluated", "value": v });
            }
            let s = Shape::of(&v);
            m.insert("Result".into(), v);
            s
        } else {
            eff.clone()
        };
        // `$` in a Pass state's Assign is its result (§12).
        let asc = Scope {
            data: &result,
            ctx: Some(&cshape),
            root: true,
            indefinite: true,
        };
        links.out_vars = self.state_assign(ctx, &mut m, Some(&asc), None);
        let (rp, out) = self.result_path(
            ctx,
            &raw,
            result,
            fault == Some(Fault::ResultPath),
            &name,
            false,
        );
        put(&mut m, "ResultPath", rp);
        let (op, out) =
            self.output_path(ctx, &out, &cshape, fault == Some(Fault::OutputPath), &name);
        put(&mut m, "OutputPath", op);
        Self::fault_errs(fault, &mut acc.errs);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    /// A JSONata Pass: `Output` (default: the input) and `Assign`.
    fn pass_jsonata(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::Expression]);
        let mut m = self.new_state("Pass");
        let cshape = self.context(&name, false, None);
        let sc = JScope::of_input(&raw, &cshape);
        let (o, out) = self.joutput(
            ctx,
            &sc,
            raw.clone(),
            true,
            fault == Some(Fault::Expression),
            &name,
        );
        put(&mut m, "Output", o);
        links.out_vars = self.state_assign(ctx, &mut m, None, Some(&sc));
        Self::fault_errs(fault, &mut acc.errs);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    pub fn succeed_state(&mut self, ctx: &Ctx, acc: &mut Acc, here: &Here, raw: Shape) {
        if self.jsonata() {
            let name = here.name.clone();
            let fault = self.pick_fault(ctx, &[Fault::Expression]);
            let mut m = self.new_state("Succeed");
            let cshape = self.context(&name, false, None);
            let sc = JScope::of_input(&raw, &cshape);
            let (o, out) = self.joutput(
                ctx,
                &sc,
                raw.clone(),
                true,
                fault == Some(Fault::Expression),
                &name,
            );
            put(&mut m, "Output", o);
            Self::fault_errs(fault, &mut acc.errs);
            acc.exits.push(out);
            acc.states.insert(name, Value::Object(m));
            return;
        }
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::InputPath, Fault::OutputPath]);
        let mut m = self.new_state("Succeed");
        let cshape = self.context(&name, false, None);
        let (ip, eff) = self.input_path(
            ctx,
            &raw,
            &cshape,
            true,
            fault == Some(Fault::InputPath),
            &name,
        );
        put(&mut m, "InputPath", ip);
        let (op, out) =
            self.output_path(ctx, &eff, &cshape, fault == Some(Fault::OutputPath), &name);
        put(&mut m, "OutputPath", op);
        Self::fault_errs(fault, &mut acc.errs);
        acc.exits.push(out);
        acc.states.insert(name, Value::Object(m));
    }
}
