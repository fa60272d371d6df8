//! Inline Map states
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html>): `ItemsPath` to
//! an array of the input (or of the execution input), an optional `ItemSelector`, one region as the
//! item processor (or the legacy `Iterator`), and `MaxConcurrency`. Without an array in reach the
//! block becomes a Pass.

use serde_json::{json, Map, Value};

use crate::shape::{Kind, Shape};

use super::{put, Fault};
use crate::gen::graph::{Here, Links};
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
        self.retry_and_catch(ctx, acc, links, here, &mut m, &raw, raised);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}
