//! Inline Map states
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html>): `ItemsPath` to
//! an array of the input (or of the execution input), an optional `ItemSelector`, one region as the
//! item processor (or the legacy `Iterator`), and `MaxConcurrency`. Without an array in reach the
//! block becomes a Pass.

use serde_json::{json, Map, Value};

use crate::shape::{Kind, Shape};

use super::{put, Fault};
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::{wrap, JScope};
use crate::gen::scope::{Root, Scope};
use crate::gen::template::TemplateFault;
use crate::gen::{Acc, Ctx, Gen};

impl Gen {
    pub fn map_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        if self.jsonata() {
            return self.map_jsonata(ctx, acc, links, here, raw);
        }
        let name = here.name.clone();
        let fault = self.pick_fault(
            ctx,
            &[
                Fault::InputPath,
                Fault::ItemsPath,
                Fault::Parameters,
                Fault::Intrinsic,
                Fault::ResultSelector,
                Fault::ResultPath,
                Fault::OutputPath,
            ],
        );
        let cshape = self.context(&name, false, None);
        // Find the items first: without any array in reach the block becomes a Pass.
        let arrays_here =
            !raw.is_never() && raw.nodes(64).iter().any(|(_, s)| s.kind() == Kind::Arr);
        let arrays_exec = self
            .exec_input
            .nodes(64)
            .iter()
            .any(|(_, s)| s.kind() == Kind::Arr);
        if !arrays_here && !arrays_exec && fault != Some(Fault::ItemsPath) {
            return self.pass_state(ctx, acc, links, here, raw);
        }
        let mut m = self.new_state("Map");
        let (ip, eff) = self.input_path(
            ctx,
            &raw,
            &cshape,
            false,
            fault == Some(Fault::InputPath),
            &name,
        );
        put(&mut m, "InputPath", ip);

        let items: Shape;
        if fault == Some(Fault::ItemsPath) {
            self.fault_note("ItemsPath is not an array", &name);
            let p = match self.pick_node(&eff, false, &|s| {
                matches!(s.kind(), Kind::Str | Kind::Num | Kind::Obj | Kind::Bool)
            }) {
                Some((segs, _)) => self.render(Root::Data, &segs),
                None => self.missing_path(&eff),
            };
            m.insert("ItemsPath".into(), json!(p));
            items = Shape::Never;
        } else {
            let local = if eff.is_never() {
                None
            } else {
                self.pick_node(&eff, true, &|s| s.kind() == Kind::Arr)
            };
            match local {
                Some((segs, s)) => {
                    if !segs.is_empty() || self.t.flag(0.5) {
                        let p = self.render(Root::Data, &segs);
                        m.insert("ItemsPath".into(), json!(p));
                    }
                    items = s;
                }
                None => {
                    let exec = self.exec_input.clone();
                    match self.pick_node(&exec, false, &|s| s.kind() == Kind::Arr) {
                        Some((mut segs, s)) => {
                            let mut full = vec![
                                crate::shape::Seg::Key("Execution".into()),
                                crate::shape::Seg::Key("Input".into()),
                            ];
                            full.append(&mut segs);
                            let p = self.render(Root::Context, &full);
                            m.insert("ItemsPath".into(), json!(p));
                            items = s;
                        }
                        None => {
                            // The effective input is not known to hold an array after all.
                            return self.pass_state(ctx, acc, links, here, raw);
                        }
                    }
                }
            }
        }
        let item = match items.element() {
            Shape::Never => Shape::Any,
            s => s,
        };
        let legacy = self.t.flag(self.cfg.odds.legacy_map);
        let mut tf = self.template_fault(fault, &name, "ItemSelector");
        let item_ctx = self.context(&name, false, Some(&item));
        let body_input = if tf != TemplateFault::None || self.t.flag(self.cfg.odds.item_selector) {
            let sc = Scope {
                data: &eff,
                ctx: Some(&item_ctx),
                root: true,
                indefinite: true,
            };
            let (v, s) = self.template(&sc, Some(&item), 0, &mut tf);
            m.insert(if legacy { "Parameters" } else { "ItemSelector" }.into(), v);
            s
        } else {
            item.clone()
        };
        let n_items = items.known_len().unwrap_or(self.cfg.max_map_items).max(1);
        let bctx = Ctx {
            depth: ctx.depth + 1,
            loop_depth: 0,
            guard: None,
            scope: self.new_scope(),
            may_fail: ctx.may_fail,
            mult: ctx.mult * n_items as f64,
        };
        self.t.begin();
        let (graph, exit, errs) = self.region(&bctx, body_input.clone());
        self.t.end();
        if legacy {
            m.insert("Iterator".into(), graph);
        } else {
            let mut processor = Map::new();
            if self.t.flag(self.cfg.odds.processor_config) {
                processor.insert("ProcessorConfig".into(), json!({ "Mode": "INLINE" }));
            }
            if let Value::Object(g) = graph {
                processor.extend(g);
            }
            m.insert("ItemProcessor".into(), Value::Object(processor));
        }
        // Failing iterations: which one is reported depends on timing unless they run one at
        // a time (§7.7).
        if !errs.is_empty() && self.cfg.deterministic {
            m.insert("MaxConcurrency".into(), json!(1));
        } else if self.t.flag(self.cfg.odds.max_concurrency) {
            let path = if self.t.flag(0.2) {
                self.pick_node(&eff, false, &|s| s.small_uint(40))
            } else {
                None
            };
            match path {
                Some((segs, _)) => {
                    let p = self.render(Root::Data, &segs);
                    m.insert("MaxConcurrencyPath".into(), json!(p));
                }
                None => {
                    let v = *self.t.pick(&[0, 1, 2, 3, 5, 40]);
                    m.insert("MaxConcurrency".into(), json!(v));
                }
            }
            if !errs.is_empty() && m.get("MaxConcurrency") != Some(&json!(1)) {
                self.nondet.insert("map_failure_order");
            }
        } else if !errs.is_empty() {
            self.nondet.insert("map_failure_order");
        }
        let result = match (items.known_len(), &exit) {
            _ if body_input.is_never() && items.known_len() != Some(0) => Shape::Never,
            (Some(0), _) => Shape::Arr(vec![]),
            (Some(_), Shape::Never) => Shape::Never,
            (Some(n), e) => Shape::Arr(vec![e.clone(); n]),
            (None, e) => Shape::List(Box::new(e.clone())),
        };
        let result = if items.is_never() {
            Shape::Never
        } else {
            result
        };
        // `$` in a Map state's Assign is the raw result array (§12).
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
        let mut raised = errs;
        Self::fault_errs(fault, &mut raised);
        links.out_vars = own_vars;
        self.retry_and_catch(ctx, acc, links, here, &mut m, &raw, raised);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    /// A JSONata Map: `Items` (an expression selecting a non-empty array, a literal array, or
    /// nothing when the input is an array), `ItemSelector` reading `$states.context.Map.Item`,
    /// the processor, `MaxConcurrency`, then `Output` and `Assign` over the result array.
    fn map_jsonata(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::Expression]);
        let mut m = self.new_state("Map");
        let cshape = self.context(&name, false, None);
        let sc = JScope::of_input(&raw, &cshape);
        let nonempty = |s: &Shape| matches!(s, Shape::Arr(xs) if !xs.is_empty());
        let items = if nonempty(&raw) && self.t.flag(0.5) {
            raw.clone()
        } else if self.t.flag(0.8) {
            match self.jleaf(&sc, &nonempty) {
                Some((p, s)) => {
                    m.insert("Items".into(), wrap(&p));
                    s
                }
                None => {
                    let v = crate::gen::jsonata::template_safe(json!([1, 2, 3]));
                    let s = Shape::of(&v);
                    m.insert("Items".into(), v);
                    s
                }
            }
        } else {
            // A literal array of scalars or objects.
            let n = self.t.count(0, self.cfg.max_map_items);
            let v: Vec<Value> = (0..n)
                .map(|_| match self.literal(2) {
                    Value::Array(_) => json!(0),
                    other => other,
                })
                .collect();
            let v = crate::gen::jsonata::template_safe(Value::Array(v));
            let s = Shape::of(&v);
            m.insert("Items".into(), v);
            s
        };
        let item = match items.element() {
            Shape::Never => Shape::Any,
            s => s,
        };
        let item_ctx = self.context(&name, false, Some(&item));
        let isc = JScope {
            context: &item_ctx,
            ..sc
        };
        let body_input = if self.t.flag(self.cfg.odds.item_selector) {
            let (v, s) = if self.t.flag(0.2) {
                let (e, s) = self.jexpr(&isc, crate::gen::scope::Want::Any, 0);
                (wrap(&e), s)
            } else {
                self.jtemplate(&isc, Some(&item), 0)
            };
            m.insert("ItemSelector".into(), v);
            s
        } else {
            item.clone()
        };
        let n_items = items.known_len().unwrap_or(self.cfg.max_map_items).max(1);
        let bctx = Ctx {
            depth: ctx.depth + 1,
            loop_depth: 0,
            guard: None,
            scope: self.new_scope(),
            may_fail: ctx.may_fail,
            mult: ctx.mult * n_items as f64,
        };
        self.t.begin();
        let (graph, exit, errs) = self.region(&bctx, body_input.clone());
        self.t.end();
        let mut processor = Map::new();
        if self.t.flag(self.cfg.odds.processor_config) {
            processor.insert("ProcessorConfig".into(), json!({ "Mode": "INLINE" }));
        }
        if let Value::Object(g) = graph {
            processor.extend(g);
        }
        m.insert("ItemProcessor".into(), Value::Object(processor));
        if !errs.is_empty() && self.cfg.deterministic {
            m.insert("MaxConcurrency".into(), json!(1));
        } else {
            if self.t.flag(self.cfg.odds.max_concurrency) {
                let v = *self.t.pick(&[0, 1, 2, 3, 5, 40]);
                m.insert("MaxConcurrency".into(), json!(v));
            }
            if !errs.is_empty() && m.get("MaxConcurrency") != Some(&json!(1)) {
                self.nondet.insert("map_failure_order");
            }
        }
        let result = match (items.known_len(), &exit) {
            (Some(0), _) => Shape::Arr(vec![]),
            _ if body_input.is_never() => Shape::Never,
            (Some(_), Shape::Never) => Shape::Never,
            (Some(n), e) => Shape::Arr(vec![e.clone(); n]),
            (None, e) => Shape::List(Box::new(e.clone())),
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
        put(&mut m, "Output", o);
        links.out_vars = self.state_assign(ctx, &mut m, None, Some(&rsc));
        let mut raised = errs;
        Self::fault_errs(fault, &mut raised);
        self.retry_and_catch(ctx, acc, links, here, &mut m, &raw, raised);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}
