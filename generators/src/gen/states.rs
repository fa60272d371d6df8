//! One generator per state type (docs/semantics/structure.md §1.3, §5–§10), plus Retry and Catch (§6).
//!
//! Each generator reads the shape of its raw input, draws its fields in pipeline order, links
//! itself into the spine and records the errors that can escape it. Deliberate faults are
//! drawn once per state (`Config::error_ratio`) and spent on one field.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::shape::{Kind, Shape};

use super::data::{BAD_TIMESTAMPS, CAUSES, ERROR_NAMES, PAST_TIMESTAMPS};
use super::graph::{Here, Links};
use super::intrinsics::{Want, STRING_FUNCS};
use super::paths::Root;
use super::template::{Scope, TemplateFault};
use super::{
    fixture_arn, Acc, Ctx, Errs, Gen, DYNAMIC, LAMBDA_INVOKE, NO_CHOICE, NULL_ERROR, RUNTIME,
    TIMEOUT, UNKNOWN,
};

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

    // ------------------------------------------------------------------ Pass

    pub fn pass_state(
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

    // ------------------------------------------------------------------ Task

    pub fn task_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let f = &self.cfg.fixtures;
        let mut weights = [f.echo, f.fail, f.flaky, f.sleep];
        if !ctx.may_fail {
            weights[1] = 0;
        }
        if weights.iter().all(|&w| w == 0) {
            weights[0] = 1;
        }
        let fixture = crate::FIXTURES[self.t.weighted(&weights)];
        self.fixtures.insert(fixture);
        let invoke = self.t.flag(self.cfg.odds.lambda_invoke);
        let mut options = vec![
            Fault::InputPath,
            Fault::Parameters,
            Fault::Intrinsic,
            Fault::ResultSelector,
            Fault::ResultPath,
            Fault::OutputPath,
        ];
        if fixture == "sleep" && self.cfg.max_sleep_seconds >= 2 {
            options.push(Fault::Timeout);
        }
        if invoke {
            // The cause of a failing ResultSelector path quotes the whole Invoke envelope,
            // request ids included.
            options.retain(|f| *f != Fault::ResultSelector);
        }
        let fault = self.pick_fault(ctx, &options);
        let mut m = self.new_state("Task");
        let cshape = self.context(&name, true, None);
        let (ip, eff) = self.input_path(
            ctx,
            &raw,
            &cshape,
            false,
            fault == Some(Fault::InputPath),
            &name,
        );
        put(&mut m, "InputPath", ip);

        let mut raised = Errs::new();
        let mut tf = self.template_fault(fault, &name, "Parameters");
        let mut flaky: Option<(String, u32)> = None;
        let mut sleep_seconds = 0i64;
        let mut payload_path: Option<String> = None;
        let (payload, mut result) = match fixture {
            "fail" => {
                let error = self.t.pick(ERROR_NAMES).to_string();
                let mut p = Map::new();
                p.insert("error".into(), json!(error));
                match self.pick_path(&eff, None, false, &|s| s.kind() == Kind::Str) {
                    Some(path) if self.t.flag(0.3) => {
                        p.insert("cause.$".into(), json!(path.text));
                    }
                    _ => {
                        p.insert("cause".into(), json!(self.t.pick(CAUSES)));
                    }
                }
                raised.insert(error);
                (Some(p), Shape::Never)
            }
            "flaky" => {
                let n = self.t.range(1, i64::from(self.cfg.max_retry_attempts)) as u32;
                let error = self.t.pick(ERROR_NAMES).to_string();
                let p =
                    json!({ "attempt.$": "$$.State.RetryCount", "failures": n, "error": error });
                let shape = Shape::obj(vec![
                    ("attempt", Shape::int(i64::from(n))),
                    ("failures", Shape::int(i64::from(n))),
                    ("error", Shape::Str(Some(error.clone()))),
                ]);
                flaky = Some((error, n));
                (p.as_object().cloned(), shape)
            }
            "sleep" => {
                sleep_seconds = self.t.range(0, i64::from(self.cfg.max_sleep_seconds));
                if fault == Some(Fault::Timeout) {
                    sleep_seconds = sleep_seconds.max(2);
                }
                let p = json!({ "seconds": sleep_seconds });
                (
                    p.as_object().cloned(),
                    Shape::obj(vec![("seconds", Shape::int(sleep_seconds))]),
                )
            }
            _ => {
                if tf != TemplateFault::None || self.t.flag(self.cfg.odds.parameters) {
                    let sc = Scope {
                        data: &eff,
                        ctx: Some(&cshape),
                        root: true,
                        indefinite: true,
                    };
                    let (v, s) = self.template(&sc, None, 0, &mut tf);
                    (v.as_object().cloned(), s)
                } else if invoke && self.t.flag(0.3) {
                    match self.pick_path(&eff, None, false, &|_| true) {
                        Some(p) => {
                            payload_path = Some(p.text);
                            (None, p.shape)
                        }
                        None => (None, eff.clone()),
                    }
                } else {
                    (None, eff.clone())
                }
            }
        };
        // A Parameters fault on a fixed fixture payload: one extra member that cannot resolve.
        let payload = match (payload, tf) {
            (Some(mut p), TemplateFault::MissingPath | TemplateFault::Intrinsic) => {
                let missing = self.missing_path(&eff);
                p.insert("extra.$".into(), json!(missing));
                result = Shape::Never;
                Some(p)
            }
            (p, _) => p,
        };
        if invoke {
            m.insert("Resource".into(), json!(LAMBDA_INVOKE));
            let mut params = Map::new();
            params.insert("FunctionName".into(), json!(fixture_arn(fixture)));
            match (payload, payload_path) {
                (Some(p), _) => {
                    params.insert("Payload".into(), Value::Object(p));
                }
                (None, Some(path)) => {
                    params.insert("Payload.$".into(), json!(path));
                }
                (None, None) => {
                    params.insert("Payload.$".into(), json!("$"));
                }
            }
            m.insert("Parameters".into(), Value::Object(params));
        } else {
            m.insert("Resource".into(), json!(fixture_arn(fixture)));
            if let Some(p) = payload {
                m.insert("Parameters".into(), Value::Object(p));
            }
        }

        // TimeoutSeconds: generous (cold starts), or below the sleep as a deliberate timeout.
        if fault == Some(Fault::Timeout) {
            self.fault_note("Task times out", &name);
            m.insert("TimeoutSeconds".into(), json!(sleep_seconds - 1));
            result = Shape::Never;
        } else if self.t.flag(self.cfg.odds.task_timeout) {
            m.insert(
                "TimeoutSeconds".into(),
                json!(sleep_seconds + self.t.range(30, 60)),
            );
        }
        self.time += sleep_seconds as f64 * ctx.mult;

        // Errors of deliberate faults can be named by retriers and catchers too.
        Self::fault_errs(fault, &mut raised);

        // Retry: a flaky fixture succeeds once the first retrier matching its error allows
        // enough attempts; it is left to fail only as a deliberate fault.
        if let Some((e, n)) = &flaky {
            let force = !ctx.may_fail || !self.t.flag((self.cfg.error_ratio * 4.0).min(1.0));
            let mut ok = false;
            if force || self.t.flag(0.5) {
                let mut named = raised.clone();
                named.insert(e.clone());
                let (retry, retried_enough) =
                    self.retry_field(ctx, &named, Some((e.as_str(), *n)), force);
                m.insert("Retry".into(), retry);
                ok = retried_enough;
            }
            if !ok {
                self.fault_note("flaky fixture runs out of retries", &name);
                raised.insert(e.clone());
                result = Shape::Never;
            }
        } else if self.t.flag(self.cfg.odds.retry) {
            let (retry, _) = self.retry_field(ctx, &raised, None, false);
            m.insert("Retry".into(), retry);
        }

        // ResultSelector: mandatory with lambda:invoke, whose envelope carries headers that
        // differ between runs; only Payload, StatusCode and ExecutedVersion are read.
        let envelope = Shape::obj(vec![
            ("ExecutedVersion", Shape::str("$LATEST")),
            ("Payload", result.clone()),
            ("StatusCode", Shape::int(200)),
        ]);
        let rs_fault = fault == Some(Fault::ResultSelector);
        let result_in = if invoke { envelope } else { result.clone() };
        let result = if invoke || rs_fault || self.t.flag(self.cfg.odds.result_selector) {
            let mut rtf = if rs_fault {
                self.fault_note("ResultSelector path selects nothing", &name);
                TemplateFault::MissingPath
            } else {
                TemplateFault::None
            };
            let sc = Scope {
                data: &result_in,
                ctx: Some(&cshape),
                root: !invoke,
                indefinite: !invoke,
            };
            let (mut v, s) = if invoke && rtf == TemplateFault::None && self.t.flag(0.5) {
                (
                    json!({ "Payload.$": "$.Payload" }),
                    Shape::obj(vec![("Payload", result.clone())]),
                )
            } else {
                self.template(&sc, None, 0, &mut rtf)
            };
            if let Value::Object(obj) = &mut v {
                if obj.is_empty() {
                    obj.insert("Payload.$".into(), json!("$.Payload"));
                }
            }
            m.insert("ResultSelector".into(), v);
            if result.is_never() {
                Shape::Never
            } else {
                s
            }
        } else {
            result
        };

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

        if !raised.is_empty() && matches!(fixture, "fail" | "flaky") {
            self.nondet.insert("lambda_error_cause");
        }
        let escaping = self.maybe_catch(ctx, acc, links, here, &mut m, &raw, raised, true);
        acc.errs.extend(escaping);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    // ------------------------------------------------------------------ Retry and Catch

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
    fn retry_field(
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
    fn maybe_catch(
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
            let (rp, out) = self.result_path(ctx, raw, error_output, false, &here.name, true);
            put(&mut c, "ResultPath", rp);
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
        raised.into_iter().filter(|e| !caught.contains(e)).collect()
    }

    // ------------------------------------------------------------------ Wait

    pub fn wait_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
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
        let out = if failed { Shape::Never } else { eff };
        let (op, out) =
            self.output_path(ctx, &out, &cshape, fault == Some(Fault::OutputPath), &name);
        put(&mut m, "OutputPath", op);
        Self::fault_errs(fault, &mut acc.errs);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    // ------------------------------------------------------------------ Choice

    pub fn choice_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        let name = here.name.clone();
        let fault = self.pick_fault(ctx, &[Fault::InputPath, Fault::OutputPath, Fault::Variable]);
        let mut m = self.new_state("Choice");
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
        let with_default = !ctx.may_fail || self.t.flag(self.cfg.odds.choice_default);
        let mut var_fault = fault == Some(Fault::Variable);
        let sc = super::choice::ChoiceScope {
            data: &eff,
            ctx: &cshape,
        };
        let mut rules = vec![];
        while self.t.more(rules.len(), 1, self.cfg.max_choice_rules, 0.5) {
            let mut rule = self.rule(&sc, 0, &mut var_fault, &name);
            let next = if !with_default && rules.is_empty() {
                // Without Default the next block is reached through the first rule.
                let slot = here.fall.unwrap_or(0);
                links.goto(slot, out.clone())
            } else {
                self.target(ctx, acc, links, here, out.clone())
            };
            if let Value::Object(r) = &mut rule {
                r.insert("Next".into(), json!(next));
            }
            rules.push(rule);
            self.t.end();
        }
        m.insert("Choices".into(), Value::Array(rules));
        if with_default {
            let slot = here.fall.unwrap_or(0);
            let next = links.goto(slot, out.clone());
            m.insert("Default".into(), json!(next));
        } else {
            self.fault_note("Choice has no Default", &name);
            acc.errs.insert(NO_CHOICE.to_string());
        }
        put(&mut m, "OutputPath", op);
        if fault == Some(Fault::Variable) && var_fault {
            // The rule generator found no place for it; nothing failed.
        } else {
            Self::fault_errs(fault, &mut acc.errs);
        }
        acc.states.insert(name, Value::Object(m));
    }

    // ------------------------------------------------------------------ Succeed and Fail

    pub fn succeed_state(&mut self, ctx: &Ctx, acc: &mut Acc, here: &Here, raw: Shape) {
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

    pub fn fail_state(&mut self, ctx: &Ctx, acc: &mut Acc, here: &Here, raw: Shape) {
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

    // ------------------------------------------------------------------ Parallel

    pub fn parallel_state(
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
                Fault::Parameters,
                Fault::Intrinsic,
                Fault::ResultSelector,
                Fault::ResultPath,
                Fault::OutputPath,
            ],
        );
        let mut m = self.new_state("Parallel");
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
        m.insert("Branches".into(), Value::Array(branches));
        let result = if exits.iter().any(Shape::is_never) || branch_input.is_never() {
            Shape::Never
        } else {
            Shape::Arr(exits)
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
        Self::fault_errs(fault, &mut raised);
        self.retry_and_catch(ctx, acc, links, here, &mut m, &raw, raised);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
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

    #[allow(clippy::too_many_arguments)]
    fn retry_and_catch(
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

    // ------------------------------------------------------------------ Map

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
