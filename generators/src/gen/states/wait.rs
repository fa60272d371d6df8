//! Wait states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html>): `Seconds`,
//! `Timestamp`, or their `…Path` forms read from the input; the deliberate fault is a path value
//! that is not a valid wait (docs/semantics/wait.md §9).

use serde_json::{json, Value};

use crate::shape::Shape;

use super::{put, Fault};
use crate::gen::data::{BAD_TIMESTAMPS, PAST_TIMESTAMPS};
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::{wrap, JScope};
use crate::gen::scope::{Root, Scope};
use crate::gen::{Acc, Ctx, Gen};

impl Gen {
    pub fn wait_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        if self.jsonata() {
            return self.wait_jsonata(ctx, acc, links, here, raw);
        }
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::InputPath, Fault::OutputPath, Fault::WaitPath]);
        let mut m = self.new_state("Wait");
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
        let max = self.cfg.max_wait_seconds;
        let mut seconds = 0.0;
        let mut failed = false;
        if fault == Some(Fault::WaitPath) {
            // A negative or fractional SecondsPath value, an invalid TimestampPath value, or a
            // path that selects nothing: all States.Runtime (§9).
            self.fault_note("Wait path value is invalid", &name);
            failed = true;
            let bad_num = self.pick_node(
                &eff,
                false,
                &|s| matches!(s, Shape::Num { val: Some(v), .. } if *v < 0.0 || v.fract() != 0.0),
            );
            let bad_ts = self.pick_node(
                &eff,
                false,
                &|s| matches!(s, Shape::Str(Some(t)) if BAD_TIMESTAMPS.contains(&t.as_str())),
            );
            match (bad_num, bad_ts) {
                (Some((segs, _)), _) => {
                    let p = self.render(Root::Data, &segs);
                    m.insert("SecondsPath".into(), json!(p));
                }
                (None, Some((segs, _))) => {
                    let p = self.render(Root::Data, &segs);
                    m.insert("TimestampPath".into(), json!(p));
                }
                _ => {
                    let p = self.missing_path(&eff);
                    m.insert("SecondsPath".into(), json!(p));
                }
            }
        } else {
            let from_path = self.t.flag(self.cfg.odds.wait_path);
            let timestamp = self.t.flag(self.cfg.odds.wait_timestamp);
            // From the input when a usable value exists: a small non-negative integer, or a
            // valid past timestamp (whichever is available if the preferred one is not).
            let (mut secs_node, mut ts_node) = (None, None);
            if from_path {
                let secs = self.pick_node(&eff, false, &|s| s.small_uint(max));
                let ts = self.pick_node(&eff, false, &|s| s.is_past_timestamp());
                match (timestamp, secs, ts) {
                    (true, _, Some(t)) | (false, None, Some(t)) => ts_node = Some(t),
                    (_, Some(n), _) => secs_node = Some(n),
                    _ => {}
                }
            }
            if let Some((segs, s)) = secs_node {
                let p = self.render(Root::Data, &segs);
                m.insert("SecondsPath".into(), json!(p));
                if let Shape::Num { val: Some(v), .. } = s {
                    seconds = v;
                }
            } else if let Some((segs, _)) = ts_node {
                let p = self.render(Root::Data, &segs);
                m.insert("TimestampPath".into(), json!(p));
            } else if timestamp {
                // Past timestamps finish at once: no wall-clock cost anywhere.
                m.insert("Timestamp".into(), json!(self.t.pick(PAST_TIMESTAMPS)));
            } else {
                let v = self.t.range(0, i64::from(max));
                seconds = v as f64;
                m.insert("Seconds".into(), json!(v));
            }
        }
        self.time += seconds * ctx.mult;
        // `$` in a Wait state's Assign is its effective input (§12).
        let asc = Scope {
            data: &eff,
            ctx: Some(&cshape),
            root: true,
            indefinite: true,
        };
        links.out_vars = self.state_assign(ctx, &mut m, Some(&asc), None);
        let out = if failed { Shape::Never } else { eff };
        let (op, out) =
            self.output_path(ctx, &out, &cshape, fault == Some(Fault::OutputPath), &name);
        put(&mut m, "OutputPath", op);
        Self::fault_errs(fault, &mut acc.errs);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    /// A JSONata Wait: `Seconds` or `Timestamp`, each a literal or an expression, then `Output`
    /// and `Assign` (docs/semantics/wait.md §9).
    fn wait_jsonata(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::Expression]);
        let mut m = self.new_state("Wait");
        let cshape = self.context(&name, false, None);
        let sc = JScope::of_input(&raw, &cshape);
        let max = self.cfg.max_wait_seconds;
        let from_expr = self.t.flag(self.cfg.odds.wait_path);
        let mut seconds = 0;
        if self.t.flag(self.cfg.odds.wait_timestamp) {
            // Past timestamps finish at once.
            let ts = if from_expr && self.t.flag(0.5) {
                self.jleaf(&sc, &|s| s.is_past_timestamp()).map(|(p, _)| p)
            } else {
                None
            };
            let v = match ts {
                Some(p) => wrap(&p),
                None if from_expr => wrap(&format!("'{}'", self.t.pick(PAST_TIMESTAMPS))),
                None => json!(self.t.pick(PAST_TIMESTAMPS)),
            };
            m.insert("Timestamp".into(), v);
        } else {
            match if from_expr {
                self.jbounded(&sc, max)
            } else {
                None
            } {
                Some((e, v)) => {
                    seconds = v;
                    m.insert("Seconds".into(), wrap(&e));
                }
                None => {
                    seconds = self.t.range(0, i64::from(max));
                    m.insert("Seconds".into(), json!(seconds));
                }
            }
        }
        self.time += seconds as f64 * ctx.mult;
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
}
