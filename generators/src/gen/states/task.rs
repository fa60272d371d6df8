//! Task states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html>) calling the
//! fixture functions, either by function ARN or through the optimized `lambda:invoke` integration.
//!
//! The fixture decides the result: `echo` returns its payload, `fail` raises a named error, `flaky`
//! fails a set number of times before it succeeds (so its Retry is designed to let it through
//! unless that is the state's fault), and `sleep` waits, which a short `TimeoutSeconds` turns into
//! `States.Timeout`.

use serde_json::{json, Map, Value};

use crate::shape::{Kind, Shape};

use super::{put, Fault};
use crate::gen::data::{CAUSES, ERROR_NAMES};
use crate::gen::graph::{Here, Links};
use crate::gen::jsonata::{wrap, JScope};
use crate::gen::scope::Scope;
use crate::gen::template::TemplateFault;
use crate::gen::{fixture_arn, Acc, Ctx, Errs, Gen, LAMBDA_INVOKE};

impl Gen {
    pub fn task_state(
        &mut self,
        ctx: &Ctx,
        acc: &mut Acc,
        links: &mut Links,
        here: &Here,
        raw: Shape,
    ) {
        if self.jsonata() {
            return self.task_jsonata(ctx, acc, links, here, raw);
        }
        // Drawn only when enabled, so other profiles' tapes are unchanged.
        if self.cfg.odds.service_task > 0.0 && self.t.flag(self.cfg.odds.service_task) {
            return self.service_task(ctx, acc, links, here, raw);
        }
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

        let timing = TaskTiming {
            fault,
            sleep_seconds,
            flaky: &flaky,
            name: &name,
        };
        self.timeout_and_retry(ctx, &mut m, &timing, &mut raised, &mut result);

        // ResultSelector: mandatory with lambda:invoke, whose envelope carries headers that
        // differ between runs; only Payload, StatusCode and ExecutedVersion are read.
        let envelope = invoke_envelope(&result);
        let rs_fault = fault == Some(Fault::ResultSelector);
        let result_in = if invoke { envelope } else { result.clone() };
        // `$` in a Task's Assign is its raw result, before ResultSelector (§12); of the
        // lambda:invoke envelope only the members above are read.
        let asc = Scope {
            data: &result_in,
            ctx: Some(&cshape),
            root: !invoke,
            indefinite: !invoke,
        };
        let own_vars = self.state_assign(ctx, &mut m, Some(&asc), None);
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
        links.out_vars = own_vars;
        let escaping = self.maybe_catch(ctx, acc, links, here, &mut m, &raw, raised, true);
        acc.errs.extend(escaping);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }

    /// A JSONata Task: the fixture payload in `Arguments` (or the input), then `Output` and
    /// `Assign` reading `$states.result`; with lambda:invoke `Output` always picks the
    /// envelope's fixed members, never its headers.
    fn task_jsonata(
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
        let mut options = vec![Fault::Expression];
        if fixture == "sleep" && self.cfg.max_sleep_seconds >= 2 {
            options.push(Fault::Timeout);
        }
        let fault = self.pick_fault(ctx, &options);
        let mut m = self.new_state("Task");
        let cshape = self.context(&name, true, None);
        let sc = JScope::of_input(&raw, &cshape);
        let mut raised = Errs::new();
        let mut flaky: Option<(String, u32)> = None;
        let mut sleep_seconds = 0i64;
        // The payload: a value for Arguments (None: the state input) and the result shape.
        let (payload, mut result): (Option<Value>, Shape) = match fixture {
            "fail" => {
                let error = self.t.pick(ERROR_NAMES).to_string();
                let cause = match self.jleaf(&sc, &|s| s.kind() == Kind::Str) {
                    Some((p, _)) if self.t.flag(0.3) => wrap(&p),
                    _ => json!(self.t.pick(CAUSES)),
                };
                let cause = if cause == json!("") {
                    json!(" ")
                } else {
                    cause
                };
                raised.insert(error.clone());
                (
                    Some(json!({ "error": error, "cause": cause })),
                    Shape::Never,
                )
            }
            "flaky" => {
                let n = self.t.range(1, i64::from(self.cfg.max_retry_attempts)) as u32;
                let error = self.t.pick(ERROR_NAMES).to_string();
                let p = json!({
                    "attempt": "{% $states.context.State.RetryCount %}",
                    "failures": n,
                    "error": error,
                });
                let shape = Shape::obj(vec![
                    ("attempt", Shape::int(i64::from(n))),
                    ("failures", Shape::int(i64::from(n))),
                    ("error", Shape::Str(Some(error.clone()))),
                ]);
                flaky = Some((error, n));
                (Some(p), shape)
            }
            "sleep" => {
                sleep_seconds = self.t.range(0, i64::from(self.cfg.max_sleep_seconds));
                if fault == Some(Fault::Timeout) {
                    sleep_seconds = sleep_seconds.max(2);
                }
                (
                    Some(json!({ "seconds": sleep_seconds })),
                    Shape::obj(vec![("seconds", Shape::int(sleep_seconds))]),
                )
            }
            _ => {
                if self.t.flag(self.cfg.odds.parameters) {
                    let (v, s) = self.jvalue(&sc);
                    (Some(v), s)
                } else {
                    (None, raw.clone())
                }
            }
        };
        if invoke {
            m.insert("Resource".into(), json!(LAMBDA_INVOKE));
            let mut args = Map::new();
            args.insert("FunctionName".into(), json!(fixture_arn(fixture)));
            args.insert(
                "Payload".into(),
                payload.unwrap_or_else(|| wrap("$states.input")),
            );
            m.insert("Arguments".into(), Value::Object(args));
        } else {
            m.insert("Resource".into(), json!(fixture_arn(fixture)));
            if let Some(p) = payload {
                m.insert("Arguments".into(), p);
            }
        }
        let timing = TaskTiming {
            fault,
            sleep_seconds,
            flaky: &flaky,
            name: &name,
        };
        self.timeout_and_retry(ctx, &mut m, &timing, &mut raised, &mut result);
        let envelope = invoke_envelope(&result);
        let result_in = if invoke { envelope } else { result.clone() };
        let rsc = JScope {
            input: &raw,
            context: &cshape,
            result: Some(&result_in),
            result_root: !invoke,
            error: None,
        };
        let expr_fault = fault == Some(Fault::Expression);
        let (o, out) = if invoke && !expr_fault && ctx.guard.is_none() {
            // The envelope's headers differ between runs: Output is always given.
            if self.t.flag(0.5) {
                (Some(wrap("$states.result.Payload")), result.clone())
            } else {
                let (v, s) = self.jtemplate(&rsc, None, 0);
                (Some(v), if result.is_never() { Shape::Never } else { s })
            }
        } else {
            self.joutput(ctx, &rsc, result_in.clone(), false, expr_fault, &name)
        };
        let out = if result.is_never() { Shape::Never } else { out };
        put(&mut m, "Output", o);
        links.out_vars = self.state_assign(ctx, &mut m, None, Some(&rsc));
        if !raised.is_empty() && matches!(fixture, "fail" | "flaky") {
            self.nondet.insert("lambda_error_cause");
        }
        let escaping = self.maybe_catch(ctx, acc, links, here, &mut m, &raw, raised, true);
        acc.errs.extend(escaping);
        self.link(links, acc, here, &mut m, out);
        acc.states.insert(name, Value::Object(m));
    }
}

/// What decides a Task's `TimeoutSeconds` and `Retry` (in both query languages).
struct TaskTiming<'a> {
    fault: Option<Fault>,
    sleep_seconds: i64,
    flaky: &'a Option<(String, u32)>,
    name: &'a str,
}

/// The `lambda:invoke` envelope around a function's result: headers that differ between runs
/// are left out, so only Payload, StatusCode and ExecutedVersion may be read.
fn invoke_envelope(result: &Shape) -> Shape {
    Shape::obj(vec![
        ("ExecutedVersion", Shape::str("$LATEST")),
        ("Payload", result.clone()),
        ("StatusCode", Shape::int(200)),
    ])
}

impl Gen {
    /// `TimeoutSeconds` (generous for cold starts, or below the sleep as a deliberate timeout),
    /// the errors of deliberate faults (retriers and catchers may name them too), then `Retry`:
    /// a flaky fixture succeeds once the first retrier matching its error allows enough
    /// attempts, and is left to fail only as a deliberate fault.
    fn timeout_and_retry(
        &mut self,
        ctx: &Ctx,
        m: &mut Map<String, Value>,
        timing: &TaskTiming<'_>,
        raised: &mut Errs,
        result: &mut Shape,
    ) {
        let TaskTiming {
            fault,
            sleep_seconds,
            flaky,
            name,
        } = *timing;
        if fault == Some(Fault::Timeout) {
            self.fault_note("Task times out", name);
            m.insert("TimeoutSeconds".into(), json!(sleep_seconds - 1));
            *result = Shape::Never;
        } else if self.t.flag(self.cfg.odds.task_timeout) {
            m.insert(
                "TimeoutSeconds".into(),
                json!(sleep_seconds + self.t.range(30, 60)),
            );
        }
        self.time += sleep_seconds as f64 * ctx.mult;
        Self::fault_errs(fault, raised);
        if let Some((e, n)) = flaky {
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
                self.fault_note("flaky fixture runs out of retries", name);
                raised.insert(e.clone());
                *result = Shape::Never;
            }
        } else if self.t.flag(self.cfg.odds.retry) {
            let (retry, _) = self.retry_field(ctx, raised, None, false);
            m.insert("Retry".into(), retry);
        }
    }
}
