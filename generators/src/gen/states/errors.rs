//! The `Retry` and `Catch` fields
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>;
//! docs/semantics/errors.md §6.2–6.4).
//!
//! `ErrorEquals` names errors the state can actually raise, wildcards and unrelated names;
//! `States.ALL` only ever appears alone in the last retrier or catcher. A catcher's `Next` is a
//! later block, the spine's continuation or a new side exit.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::shape::Shape;

use super::put;
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::{wrap, JScope};
use crate::gen::scope::{assigned, Scope};
use crate::gen::{Acc, Ctx, Errs, Gen, DYNAMIC, NULL_ERROR, RUNTIME, TIMEOUT, UNKNOWN};

impl Gen {
    /// `ErrorEquals` for a retrier/catcher: names that can actually be raised, wildcards, and
    /// unrelated names. `States.ALL` only alone and only in the last one (§1.4 rule 8).
    fn error_equals(&mut self, raised: &Errs) -> Vec<String> {
        if self.t.flag(0.2) {
            return vec!["States.ALL".to_string()];
        }
        let named: Vec<String> = raised
            .iter()
            .map(|e| match e.as_str() {
                UNKNOWN => "States.IntrinsicFailure".to_string(),
                NULL_ERROR | DYNAMIC => "States.TaskFailed".to_string(),
                _ => e.clone(),
            })
            .collect();
        let others = [
            "States.TaskFailed",
            "States.Timeout",
            "Unrelated.Error",
            "States.Runtime",
        ];
        let mut out = vec![];
        let n = self.t.count(1, 2);
        for i in 0..n {
            let name = if !named.is_empty() && (i == 0 || self.t.flag(0.3)) && !self.t.flag(0.15) {
                self.t.pick(&named).clone()
            } else {
                self.t.pick(&others).to_string()
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// A `Retry` array. With `design` (a flaky fixture: error, failures) the bool says whether
    /// the first retrier matching that error allows enough attempts; `force` makes sure it does.
    pub(super) fn retry_field(
        &mut self,
        ctx: &Ctx,
        raised: &Errs,
        design: Option<(&str, u32)>,
        force: bool,
    ) -> (Value, bool) {
        let p = self.cfg.odds.retry_field;
        let mut retriers = vec![];
        let mut ok = false;
        let mut decided = false;
        let mut j = 0;
        while self.t.more(j, 1, self.cfg.max_retriers, 0.4) {
            // `States.ALL` ends the list, so it is always alone in the last retrier.
            let errors = match design {
                Some((e, _)) if j == 0 && force => vec![e.to_string()],
                _ => self.error_equals(raised),
            };
            let mut r = Map::new();
            r.insert("ErrorEquals".into(), json!(errors));
            let interval = if self.t.flag(p) {
                let v = self
                    .t
                    .range(1, i64::from(self.cfg.max_retry_interval_seconds));
                r.insert("IntervalSeconds".into(), json!(v));
                v as f64
            } else {
                1.0
            };
            let attempts = match design {
                Some((_, n)) if j == 0 && force => {
                    let v = self
                        .t
                        .range(i64::from(n), i64::from(self.cfg.max_retry_attempts.max(n)));
                    r.insert("MaxAttempts".into(), json!(v));
                    v
                }
                _ if self.t.flag(p) => {
                    let v = self.t.range(0, i64::from(self.cfg.max_retry_attempts));
                    r.insert("MaxAttempts".into(), json!(v));
                    v
                }
                _ => 3,
            };
            let rate = if self.t.flag(p) {
                let v = *self.t.pick(&[1.0, 1.5, 2.0, 2.5]);
                r.insert("BackoffRate".into(), json!(v));
                v
            } else {
                2.0
            };
            let cap = if self.t.flag(p) {
                let v = self
                    .t
                    .range(1, 2 * i64::from(self.cfg.max_retry_interval_seconds));
                r.insert("MaxDelaySeconds".into(), json!(v));
                v as f64
            } else {
                f64::INFINITY
            };
            if self.t.flag(p) {
                let v = *self.t.pick(&["FULL", "NONE"]);
                r.insert("JitterStrategy".into(), json!(v));
            }
            let mut delay = interval;
            for _ in 0..attempts.min(10) {
                self.time += delay.min(cap) * ctx.mult;
                delay *= rate;
            }
            if let Some((e, n)) = design {
                let matches = errors
                    .iter()
                    .any(|x| x == e || x == "States.ALL" || x == "States.TaskFailed");
                if matches && !decided {
                    decided = true;
                    ok = attempts >= i64::from(n);
                }
            }
            retriers.push(Value::Object(r));
            self.t.end();
            j += 1;
            if errors.iter().any(|e| e == "States.ALL") {
                break;
            }
        }
        (Value::Array(retriers), ok)
    }

    /// Maybe a `Catch` array; returns the errors that still escape.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn maybe_catch(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        m: &mut Map<String, Value>,
        raw: &Shape,
        raised: Errs,
        task: bool,
    ) -> Errs {
        if !self.can_target(here) || !self.t.flag(self.cfg.odds.catch) {
            return raised;
        }
        let mut catchers = vec![];
        let mut caught: BTreeSet<String> = BTreeSet::new();
        // The edge of the state itself; each catcher's edge carries its own Assign instead.
        let own_vars = links.out_vars.clone();
        let cshape = self.context(&here.name, false, None);
        let catchable: Vec<&String> = raised.iter().filter(|e| e.as_str() != RUNTIME).collect();
        let mut j = 0;
        // A side exit of an earlier catcher may have used the last free states.
        while self.can_target(here) && self.t.more(j, 1, self.cfg.max_catchers, 0.4) {
            // `States.ALL` ends the list, so it is always alone in the last catcher.
            let errors = self.error_equals(&raised);
            for e in &raised {
                let hit = e != RUNTIME
                    && errors.iter().any(|x| {
                        x == e
                            || x == "States.ALL"
                            || (task && x == "States.TaskFailed" && e != TIMEOUT)
                            || (x == "States.IntrinsicFailure" && e == UNKNOWN)
                    });
                if hit {
                    caught.insert(e.clone());
                }
            }
            let error_name = match catchable.as_slice() {
                [only] if !only.starts_with('?') => Shape::Str(Some((*only).clone())),
                _ => Shape::Str(None),
            };
            let error_output = Shape::obj(vec![("Error", error_name), ("Cause", Shape::Str(None))]);
            let mut c = Map::new();
            c.insert("ErrorEquals".into(), json!(errors));
            let (out, got) = if self.jsonata() {
                // Output and Assign read $states.errorOutput (docs/semantics/jsonata.md §11.3).
                let sc = JScope {
                    input: raw,
                    context: &cshape,
                    result: None,
                    result_root: false,
                    error: Some(&error_output),
                };
                let out = if ctx.guard.is_some() {
                    c.insert("Output".into(), wrap("$states.input"));
                    raw.clone()
                } else if self.t.flag(0.5) {
                    let (v, s) = self.jvalue(&sc);
                    c.insert("Output".into(), v);
                    s
                } else {
                    error_output.clone()
                };
                (out, self.assign_jsonata(ctx, &sc))
            } else {
                let (rp, out) =
                    self.result_path(ctx, raw, error_output.clone(), false, &here.name, true);
                put(&mut c, "ResultPath", rp);
                // `$` in a catcher's Assign is the Error Output (§12).
                let sc = Scope {
                    data: &error_output,
                    ctx: None,
                    root: true,
                    indefinite: false,
                };
                (out, self.assign_jsonpath(ctx, &sc))
            };
            links.out_vars = match got {
                Some((a, set)) => {
                    c.insert("Assign".into(), a);
                    assigned(&self.vars, &set)
                }
                None => self.vars.clone(),
            };
            let next = self.target(ctx, acc, links, here, out);
            c.insert("Next".into(), json!(next));
            catchers.push(Value::Object(c));
            self.t.end();
            j += 1;
            if errors.iter().any(|e| e == "States.ALL") {
                break;
            }
        }
        m.insert("Catch".into(), Value::Array(catchers));
        links.out_vars = own_vars;
        raised.into_iter().filter(|e| !caught.contains(e)).collect()
    }

    /// Retry and Catch of a Parallel or Map state; the errors still escaping go to the graph.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn retry_and_catch(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        m: &mut Map<String, Value>,
        raw: &Shape,
        raised: Errs,
    ) {
        if self.t.flag(self.cfg.odds.retry) {
            let (retry, _) = self.retry_field(ctx, &raised, None, false);
            m.insert("Retry".into(), retry);
        }
        let escaping = self.maybe_catch(ctx, acc, links, here, m, raw, raised, false);
        acc.errs.extend(escaping);
    }
}
