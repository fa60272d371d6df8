//! Parallel states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html>):
//! one region per branch, all fed the same input. In deterministic mode only one designated branch
//! may fail, since which failure AWS reports otherwise depends on timing.

use serde_json::Value;

use crate::shape::Shape;

use super::{put, Fault};
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::JScope;
use crate::gen::scope::Scope;
use crate::gen::template::TemplateFault;
use crate::gen::{Acc, Ctx, Errs, Gen};

impl Gen {
    pub fn parallel_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let jsonata = self.jsonata();
        let fault = if jsonata {
            self.pick_fault(ctx, &[Fault::Expression])
        } else {
            self.pick_fault(
                ctx,
                &[
                    Fault::InputPath,
                    Fault::Parameters,
                    Fault::Intrinsic,
                    Fault::ResultSelector,
                    Fault::ResultPath,
                    Fault::OutputPath,
                ],
            )
        };
        let mut m = self.new_state("Parallel");
        let cshape = self.context(&name, false, None);
        if jsonata {
            return self.parallel_jsonata(ctx, acc, links, here, raw, m, fault);
        }
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
        let branch_input = if tf != TemplateFault::None || self.t.flag(self.cfg.odds.parameters) {
            let sc = Scope {
                data: &eff,
                ctx: Some(&cshape),
                root: true,
                indefinite: true,
            };
            let (v, s) = self.template(&sc, None, 0, &mut tf);
            m.insert("Parameters".into(), v);
            s
        } else {
            eff.clone()
        };

        let (branches, exits, mut raised) = self.branches(ctx, &branch_input);
        m.insert("Branches".into(), Value::Array(branches));
        let result = if exits.iter().any(Shape::is_never) || branch_input.is_never() {
            Shape::Never
        } else {
            Shape::Arr(exits)
        };
        // `$` in a Parallel state's Assign is the raw branch array (§12).
        let asc = Scope {
            data: &result,
            ctx: Some(&cshape),
            root: true,
            indefinite: true,
        };
        let own_vars = self.state_assign(ctx, &mut m, Some(&asc), None);
        let result = self.selector(&mut m, &result, &cshape, fault, &name);
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
        Self::fault_errs(fault, &mut raised);
        links.out_vars = own_vars;
        self.retry_and_catch(ctx, acc, links, here, &mut m, &raw, raised);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    /// The branches of a Parallel state fed `branch_input`: their graphs, exit shapes and the
    /// errors escaping them.
    fn branches(&mut self, ctx: &Ctx, branch_input: &Shape) -> (Vec<Value>, Vec<Shape>, Errs) {
        // Each branch needs a state; the first is promised by the block plan. In deterministic
        // mode only the designated branch may fail.
        let designated = self.t.below(self.cfg.max_branches);
        let mut branches = vec![];
        let mut exits = vec![];
        let mut raised = Errs::new();
        let mut failing_branches = 0;
        let mut j = 0;
        while (j == 0 || self.free() >= 1) && self.t.more(j, 1, self.cfg.max_branches, 0.6) {
            let bctx = Ctx {
                depth: ctx.depth + 1,
                loop_depth: 0,
                guard: None,
                scope: self.new_scope(),
                may_fail: ctx.may_fail && (!self.cfg.deterministic || j == designated),
                mult: ctx.mult,
            };
            let (graph, exit, errs) = self.region(&bctx, branch_input.clone());
            if !errs.is_empty() {
                failing_branches += 1;
            }
            branches.push(graph);
            exits.push(exit);
            raised.extend(errs);
            self.t.end();
            j += 1;
        }
        if failing_branches > 1 {
            self.nondet.insert("parallel_failure_order");
        }
        (branches, exits, raised)
    }

    /// A JSONata Parallel: `Arguments` (the branch input), the branches, then `Output` and
    /// `Assign` reading the branch array as `$states.result`.
    #[allow(clippy::too_many_arguments)]
    fn parallel_jsonata(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
        mut m: serde_json::Map<String, Value>,
        fault: Option<Fault>,
    ) {
        let name = here.name.clone();
        let cshape = self.context(&name, false, None);
        let sc = JScope::of_input(&raw, &cshape);
        let branch_input = if self.t.flag(self.cfg.odds.parameters) {
            let (v, s) = self.jvalue(&sc);
            m.insert("Arguments".into(), v);
            s
        } else {
            raw.clone()
        };
        let (branches, exits, mut raised) = self.branches(ctx, &branch_input);
        m.insert("Branches".into(), Value::Array(branches));
        let result = if exits.iter().any(Shape::is_never) || branch_input.is_never() {
            Shape::Never
        } else {
            Shape::Arr(exits)
        };
        let rsc = JScope {
            result: Some(&result),
            result_root: true,
            ..sc
        };
        let (o, out) = self.joutput(
            ctx,
            &rsc,
            result.clone(),
            false,
            fault == Some(Fault::Expression),
            &name,
        );
        let out = if result.is_never() { Shape::Never } else { out };
        if let Some(o) = o {
            m.insert("Output".into(), o);
        }
        links.out_vars = self.state_assign(ctx, &mut m, None, Some(&rsc));
        Self::fault_errs(fault, &mut raised);
        self.retry_and_catch(ctx, acc, links, here, &mut m, &raw, raised);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}
