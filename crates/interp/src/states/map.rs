//! Inline Map state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html>;
//! docs/semantics/map.md §7).
//!
//! `ItemsPath` (default `$`) selects an array from the effective input; each item — or the
//! `ItemSelector` (legacy `Parameters`) evaluated with `$$.Map.Item.Index/Value` — is the input of
//! one iteration. The result is the array of iteration outputs in item order; an empty array gives
//! `[]`. Iterations start as `MaxConcurrency` slots free up (0 means AWS's inline limit of 40), on
//! virtual clocks, so concurrency shows in the timestamps but never in the output. The first
//! failing iteration fails the Map with its own error.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde_json::Value;

use crate::asl::model::{Amount, MapState, QueryLanguage, State};
use crate::data::context::Context;
use crate::data::jsonata::{self, unexpected_type};
use crate::data::template::{compact, shown, Scope};
use crate::data::timestamp::Millis;
use crate::data::PathRef;
use crate::engine::history::Detail;
use crate::engine::{Cursor, Runner, Step, Stop};
use crate::errors::Failure;
use crate::states::parallel::{FanOut, Thread};

/// AWS runs at most 40 inline iterations at once (§7.1).
pub const INLINE_CONCURRENCY_LIMIT: u64 = 40;

impl Runner<'_> {
    pub(crate) fn map(
        &mut self,
        state: &State,
        m: &MapState,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        let events = FanOut {
            succeeded: "MapStateSucceeded",
            failed: "MapStateFailed",
            // A Distributed Map's attempt yields its whole result (the array, or the export's
            // description with a ResultWriter) as one thread.
            whole: m.distributed.is_some(),
        };
        self.attempts(
            state,
            &m.handling,
            input,
            cur,
            entered_at,
            events,
            |r, input, retry_count, cur| {
                r.map_attempt(state, m, input, retry_count, cur, entered_at)
            },
        )
    }

    /// One attempt: the item inputs, `MapStateStarted`, then the iterations.
    fn map_attempt(
        &mut self,
        state: &State,
        m: &MapState,
        input: &Value,
        retry_count: u32,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Vec<Thread>, Stop> {
        if let Some(d) = &m.distributed {
            return self.distributed_attempt(state, m, d, input, retry_count, cur, entered_at);
        }
        let (item_inputs, slots, tolerance) = if state.language == QueryLanguage::Jsonata {
            match self.map_inputs_jsonata(state, m, input, retry_count, entered_at) {
                Ok((inputs, slots)) => (inputs, slots, Ok(())),
                // AWS records the evaluation failure, then `MapStateFailed` (recorded runs
                // `test_map_state_items_eval_jsonata_fail`).
                Err(f) => return self.failed_evaluation(state, cur, f),
            }
        } else {
            let ctx =
                Context::new(&self.exec, &state.name, entered_at).with_retry_count(retry_count);
            let effective = state.input_path.apply(input, &ctx)?;
            let items = select_items(m, &effective, &ctx)?;
            let slots = concurrency(&m.max_concurrency, &effective, &ctx)?;
            let mut inputs = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                inputs.push(match &m.item_selector {
                    Some(t) => {
                        let ictx = Context::new(&self.exec, &state.name, entered_at)
                            .with_map_item(i, item);
                        t.eval(
                            &Scope {
                                input: &effective,
                                context: &ictx,
                                spares: &self.spares,
                            },
                            &mut self.rng,
                        )?
                    }
                    None => item.clone(),
                });
            }
            (
                inputs,
                slots,
                check_tolerance(m, &effective, &ctx).map(|_| ()),
            )
        };
        let length = item_inputs.len();
        let started = self.event(cur, "MapStateStarted", Detail::MapStarted { length })?;
        // A bad tolerance value fails the execution after MapStateStarted (recorded AWS run
        // `test_map_state_tolerated_failure_percentage_path[100.1]`: MapStateStarted, then
        // ExecutionFailed).
        tolerance?;
        self.iterate(state, m, item_inputs, slots, cur, started)
    }

    /// Runs the iterations, starting each when a concurrency slot is free.
    fn iterate(
        &mut self,
        state: &State,
        m: &MapState,
        inputs: Vec<Value>,
        slots: u64,
        cur: &Cursor,
        started: usize,
    ) -> Result<Vec<Thread>, Stop> {
        let mut free: BinaryHeap<Reverse<Millis>> = BinaryHeap::new();
        let mut threads = Vec::with_capacity(inputs.len());
        let mut first_failure: Option<Millis> = None;
        let mut previous_last = Some(started);
        let mut kept = self.take_kept(state).unwrap_or_default();
        for (index, item) in inputs.into_iter().enumerate() {
            if let Some(output) = kept.get_mut(index).and_then(Option::take) {
                threads.push(self.kept_thread(output, cur, started));
                continue;
            }
            let start = if (index as u64) < slots {
                cur.now
            } else {
                free.pop().map(|Reverse(t)| t).unwrap_or(cur.now)
            };
            if first_failure.is_some_and(|f| start > f) {
                break;
            }
            // With one slot each iteration follows the previous one's last event (§7.8).
            let prev = if slots == 1 {
                previous_last
            } else {
                Some(started)
            };
            let mut ic = Cursor {
                now: start,
                last: prev,
            };
            let first = self.history.len();
            // Event details are built only when history is kept (no name copies per item).
            let detail = |_: &mut _| Detail::MapIteration {
                name: state.name.clone(),
                index,
            };
            self.event_with(&mut ic, "MapIterationStarted", detail)?;
            let result = self.run_graph(&m.processor, item, None, &mut ic);
            let before = ic.last;
            match &result {
                Ok(_) => {
                    self.event_with(&mut ic, "MapIterationSucceeded", detail)?;
                }
                Err(_) => {
                    self.event_with(&mut ic, "MapIterationFailed", detail)?;
                    first_failure = Some(first_failure.map_or(ic.now, |f| f.min(ic.now)));
                }
            }
            previous_last = before;
            free.push(Reverse(ic.now));
            threads.push(Thread {
                result,
                cursor: ic,
                events: first..self.history.len(),
            });
        }
        Ok(threads)
    }
}

/// The items array, borrowed from the input where possible.
pub(crate) fn select_items<'v>(
    m: &MapState,
    effective: &'v Value,
    ctx: &'v Context<'v>,
) -> Result<Cow<'v, [Value]>, Failure> {
    let (selected, text) = match &m.items_path {
        None => (Cow::Borrowed(effective), None),
        Some(PathRef::Input(p)) => (
            p.select(effective).map_err(|e| {
                Failure::runtime(format!("Invalid path '{}' : {}", p.text(), e.message))
            })?,
            Some(p.text().to_string()),
        ),
        Some(PathRef::Context { path, text }) => (
            ctx.select(path)
                .map_err(|e| Failure::runtime(format!("Invalid path '{text}' : {}", e.message)))?,
            // AWS shows `$$` paths with one `$` removed in this message (§7.2).
            Some(path.text().to_string()),
        ),
        Some(var @ PathRef::Variable { .. }) => (
            var.select(effective, ctx).map_err(|e| {
                Failure::runtime(format!("Invalid path '{}' : {}", var.text(), e.message))
            })?,
            Some(var.text().to_string()),
        ),
    };
    match selected {
        Cow::Borrowed(Value::Array(items)) => Ok(Cow::Borrowed(items.as_slice())),
        Cow::Owned(Value::Array(items)) => Ok(Cow::Owned(items)),
        other => Err(Failure::runtime(match text {
            Some(t) => format!("Reference path \"{t}\" must point to array."),
            None => format!(
                "Map state input must be an array but was: {}",
                compact(&other)
            ),
        })),
    }
}

impl Runner<'_> {
    /// JSONata `Items` (default: the state input), which must give an array.
    pub(crate) fn jsonata_items(
        &mut self,
        m: &MapState,
        input: &Value,
        states: &jsonata::States,
    ) -> Result<Vec<Value>, Failure> {
        match &m.items {
            Some(p) => match self.jsonata_field(p, "Items", states)? {
                Value::Array(items) => Ok(items),
                other => Err(unexpected_type(p, "Items", "array", &other)),
            },
            None => match input {
                Value::Array(items) => Ok(items.clone()),
                other => Err(jsonata::query_error(
                    None,
                    format!(
                        "Map state input must be an array but was: {}",
                        compact(other)
                    ),
                )),
            },
        }
    }

    /// JSONata: `Items` (default: the state input) must give an array; `ItemSelector` is
    /// evaluated per item with `$states.context.Map.Item`; `MaxConcurrency` may be an expression
    /// (docs/semantics/jsonata.md §11.2, §11.4).
    fn map_inputs_jsonata(
        &mut self,
        state: &State,
        m: &MapState,
        input: &Value,
        retry_count: u32,
        entered_at: Millis,
    ) -> Result<(Vec<Value>, u64), Failure> {
        let local = jsonata::Local::new(&state.name, entered_at, Some(retry_count));
        let states = jsonata::States::new(input.clone(), local, None);
        let items = self.jsonata_items(m, input, &states)?;
        let slots = match &m.max_concurrency {
            Amount::Fixed(n) => *n,
            Amount::Jsonata(p) => {
                let v = self.jsonata_field(p, "MaxConcurrency", &states)?;
                // UNVERIFIED: the cause for a value that is not a non-negative integer.
                v.as_u64()
                    .ok_or_else(|| unexpected_type(p, "MaxConcurrency", "integer", &v))?
            }
            Amount::Path(_) => {
                return Err(Failure::runtime(
                    "a JSONPath MaxConcurrencyPath in a JSONata state",
                ))
            }
        };
        let slots = effective_concurrency(slots);
        let inputs = self.jsonata_select(m, items, states)?;
        Ok((inputs, slots))
    }

    /// A JSONata `ItemSelector` applied to each item (the items as they are without one).
    /// One `$states` serves all items; only its context changes from item to item.
    pub(crate) fn jsonata_select(
        &mut self,
        m: &MapState,
        items: Vec<Value>,
        mut states: jsonata::States,
    ) -> Result<Vec<Value>, Failure> {
        let Some(p) = &m.item_selector_jsonata else {
            return Ok(items);
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            states.set_map_item(i, item);
            inputs.push(self.jsonata_field(p, "ItemSelector", &states)?);
        }
        Ok(inputs)
    }
}

/// Checks the values of `ToleratedFailurePercentagePath` (a number from 0 to 100) and
/// `ToleratedFailureCountPath` (an integer >= 0), with AWS's causes (docs/semantics/map.md §7.6;
/// recorded AWS run `test_map_state_tolerated_failure_percentage_path[100.1]`, 2024-06:
/// `ToleratedFailurePercentage must be between 0 and 100.`). Numeric strings are accepted as
/// in the other `…Path` fields.
pub(crate) fn check_tolerance(
    m: &MapState,
    effective: &Value,
    ctx: &Context<'_>,
) -> Result<(Option<f64>, Option<u64>), Failure> {
    let mut out = (None, None);
    // UNVERIFIED: a path that selects nothing is reported like a null value, as for
    // MaxConcurrencyPath.
    let value = |p: &PathRef| {
        let v = p.select(effective, ctx).ok();
        let text = v.as_deref().map_or_else(|| "null".into(), shown);
        (v.map(Cow::into_owned), text)
    };
    if let Some(p) = &m.tolerated_failure_percentage_path {
        let (v, text) = value(p);
        let n = match &v {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        };
        match n {
            None => {
                return Err(Failure::runtime(format!(
                    "The ToleratedFailurePercentagePath field refers to value \"{text}\" which is not a valid float: {}",
                    p.text()
                )))
            }
            Some(n) if !(0.0..=100.0).contains(&n) => {
                return Err(Failure::runtime(
                    "ToleratedFailurePercentage must be between 0 and 100.",
                ))
            }
            Some(n) => out.0 = Some(n),
        }
    }
    if let Some(p) = &m.tolerated_failure_count_path {
        let (v, text) = value(p);
        let n = match &v {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse::<i64>().ok(),
            _ => None,
        };
        match n {
            None => {
                return Err(Failure::runtime(format!(
                    "The ToleratedFailureCountPath field refers to value \"{text}\" which is not a valid integer: {}",
                    p.text()
                )))
            }
            Some(n) if n < 0 => {
                return Err(Failure::runtime("ToleratedFailureCount cannot be negative."))
            }
            Some(n) => out.1 = Some(n as u64),
        }
    }
    Ok(out)
}

/// Effective number of concurrent iterations (1..=40).
fn concurrency(a: &Amount, effective: &Value, ctx: &Context<'_>) -> Result<u64, Failure> {
    let n = match a {
        Amount::Fixed(n) => *n,
        Amount::Jsonata(_) => {
            return Err(Failure::runtime(
                "a JSONata MaxConcurrency in a JSONPath state",
            ))
        }
        Amount::Path(p) => {
            let v = p.select(effective, ctx).ok();
            let shown = v.as_deref().map(shown);
            // Numeric strings were accepted for these fields (docs/semantics/map.md §7.6).
            let parsed = v.as_deref().and_then(|v| match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.parse::<u64>().ok(),
                _ => None,
            });
            parsed.ok_or_else(|| {
                Failure::runtime(format!(
                    "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {}",
                    shown.unwrap_or_else(|| "null".into()),
                    p.text()
                ))
            })?
        }
    };
    Ok(effective_concurrency(n))
}

/// `MaxConcurrency` as the inline Map applies it: 0 means no limit, which is AWS's inline limit.
fn effective_concurrency(n: u64) -> u64 {
    if n == 0 {
        INLINE_CONCURRENCY_LIMIT
    } else {
        n.min(INLINE_CONCURRENCY_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    //! The tolerance `…Path` values are checked when the Map starts (docs/semantics/map.md §7.6).
    use crate::engine::{run, RunOptions, Status};
    use serde_json::{json, Value};

    fn run_with(field: &str, value: Value) -> (Status, Option<String>) {
        let def = json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items", "End": true, field: "$.t",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}});
        let loaded = crate::asl::parse_definition(def).expect("valid definition");
        let out = run(
            &loaded.machine,
            &json!({"items": [1], "t": value}),
            RunOptions::default(),
        );
        (out.status, out.cause)
    }

    fn cause_ends(field: &str, value: Value, tail: &str) {
        let (status, cause) = run_with(field, value.clone());
        assert_eq!(status, Status::Failed, "{field} {value}");
        let cause = cause.unwrap_or_default();
        assert!(cause.ends_with(tail), "{field} {value}: {cause}");
    }

    #[test]
    fn tolerated_failure_percentage_path_is_range_checked() {
        for ok in [json!(0), json!(1), json!(100), json!(99.5), json!("50")] {
            let (status, cause) = run_with("ToleratedFailurePercentagePath", ok.clone());
            assert_eq!(status, Status::Succeeded, "{ok}: {cause:?}");
        }
        for bad in [json!(100.1), json!(-1), json!(-1.1)] {
            cause_ends(
                "ToleratedFailurePercentagePath",
                bad,
                "ToleratedFailurePercentage must be between 0 and 100.",
            );
        }
        cause_ends(
            "ToleratedFailurePercentagePath",
            json!("x"),
            "The ToleratedFailurePercentagePath field refers to value \"x\" which is not a valid float: $.t",
        );
    }

    #[test]
    fn tolerated_failure_count_path_is_a_non_negative_integer() {
        for ok in [json!(0), json!(3), json!("2")] {
            let (status, cause) = run_with("ToleratedFailureCountPath", ok.clone());
            assert_eq!(status, Status::Succeeded, "{ok}: {cause:?}");
        }
        cause_ends(
            "ToleratedFailureCountPath",
            json!(-1),
            "ToleratedFailureCount cannot be negative.",
        );
        cause_ends(
            "ToleratedFailureCountPath",
            json!(1.5),
            "The ToleratedFailureCountPath field refers to value \"1.5\" which is not a valid integer: $.t",
        );
    }
}
