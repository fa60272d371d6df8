//! Distributed Map (<https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html>;
//! docs/semantics/map.md §7.9): `ProcessorConfig.Mode: DISTRIBUTED` in a JSONPath state.
//!
//! The items come from the input (`ItemsPath`) or from the world's S3 through an `ItemReader`
//! (`s3:getObject` with `InputType` JSON (maybe with an `ItemsPointer`), JSONL, CSV or MANIFEST,
//! an S3 inventory report; `s3:listObjectsV2`, object metadata or, with `LOAD_AND_FLATTEN`, the
//! listed objects' records; GZIP bodies decompressed), limited by `MaxItems(Path)`;
//! `ItemSelector` shapes each item and an `ItemBatcher` groups them into
//! `{"BatchInput"?, "Items"}` batches. Each item (or batch) runs as a child execution of a Map
//! Run: the parent's history shows `MapRunStarted{mapRunArn}` and `MapRunSucceeded` or
//! `MapRunFailed{error, cause}`, never the children's events. Children run up to
//! `MaxConcurrency` at once (0: 10,000) on virtual time.
//!
//! Failed children are tolerated up to `ToleratedFailureCount(Path)` /
//! `ToleratedFailurePercentage(Path)` (default 0); beyond, the Map fails with
//! `States.ExceedToleratedFailureThreshold`. The results are shaped by
//! `WriterConfig.Transformation` (COMPACT without a ResultWriter; a failed child is always its
//! NONE execution record), and with a ResultWriter's `Resource` exported to the world's S3 —
//! `<Prefix>/<map run id>/manifest.json` and `SUCCEEDED_0.json` (`FAILED_0.json` with failures),
//! in the layout of <https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html>
//! — when the state's result is `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`
//! (docs/semantics/map.md §7.9).
//!
//! In a JSONata state the same fields are JSONata: `Items`, `ItemSelector`,
//! `ItemReader.Arguments`, `ItemBatcher.BatchInput`, `ResultWriter.Arguments`, and
//! `MaxConcurrency`, `ToleratedFailure…`, `MaxItems`, `MaxItemsPerBatch`,
//! `MaxInputBytesPerBatch` as numbers or expressions.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde_json::{json, Map, Value};

use crate::asl::model::{
    Amount, Arguments, Distributed, ItemReader, MapState, QueryLanguage, State,
};
use crate::data::context::Context;
use crate::data::jsonata::{self, unexpected_type};
use crate::data::template::{shown, Scope};
use crate::data::timestamp::{self, Millis};
use crate::engine::history::{Detail, History};
use crate::engine::random::uuid_from;
use crate::engine::{Cursor, Runner, Stop};
use crate::errors::Failure;
use crate::states::map::check_tolerance;
use crate::states::parallel::Thread;

/// Children of one Map Run that run at once, at most (AWS's quota).
pub const DISTRIBUTED_CONCURRENCY_LIMIT: u64 = 10_000;
/// The largest batch input, in bytes (256 KiB).
const MAX_BATCH_BYTES: usize = 262_144;
const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
const EXCEEDED: &str = "States.ExceedToleratedFailureThreshold";

/// An integer `…Path` field's value (numeric strings accepted, docs/semantics/map.md §7.6).
fn integer(a: &Amount, field: &str, effective: &Value, ctx: &Context<'_>) -> Result<i64, Failure> {
    match a {
        Amount::Fixed(n) => Ok(*n as i64),
        Amount::Jsonata(_) => Err(Failure::runtime(format!(
            "a JSONata {field} in a JSONPath state"
        ))),
        Amount::Path(p) => {
            let v = p.select(effective, ctx).ok();
            let parsed = v.as_deref().and_then(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.parse::<i64>().ok(),
                _ => None,
            });
            parsed.ok_or_else(|| {
                Failure::runtime(format!(
                    "The {field}Path field refers to value \"{}\" which is not a valid integer: {}",
                    v.as_deref().map(shown).unwrap_or_else(|| "null".into()),
                    p.text()
                ))
            })
        }
    }
}

/// What a Map Run is set up with: the values of its fields, evaluated once per attempt.
struct Plan {
    slots: u64,
    tolerance: (Option<f64>, Option<u64>),
    max_items: Option<i64>,
    reader_params: Option<Value>,
    batch_items: Option<i64>,
    batch_bytes: Option<i64>,
    batch_input: Option<Value>,
    writer_params: Option<Value>,
}

fn plan(
    m: &MapState,
    d: &Distributed,
    effective: &Value,
    ctx: &Context<'_>,
    rng: &mut dyn rand::RngCore,
    spares: &crate::data::template::Spares,
) -> Result<Plan, Failure> {
    let slots = match integer(&m.max_concurrency, "MaxConcurrency", effective, ctx)? {
        n if n <= 0 => DISTRIBUTED_CONCURRENCY_LIMIT,
        n => (n as u64).min(DISTRIBUTED_CONCURRENCY_LIMIT),
    };
    let tolerance = check_tolerance(m, effective, ctx)?;
    let max_items = match d.reader.as_ref().and_then(|r| r.max_items.as_ref()) {
        Some(a) => Some(integer(a, "MaxItems", effective, ctx)?),
        None => None,
    };
    let scope = Scope {
        input: effective,
        context: ctx,
        spares,
    };
    let mut args = |a: Option<&Arguments>| -> Result<Option<Value>, Failure> {
        match a {
            None => Ok(None),
            Some(Arguments::Template(t)) => t.eval(&scope, rng).map(Some),
            Some(Arguments::Jsonata(_)) => Err(Failure::runtime(
                "a JSONata field in a JSONPath Distributed Map",
            )),
        }
    };
    let reader_params = args(d.reader.as_ref().and_then(|r| r.parameters.as_ref()))?;
    let (mut batch_items, mut batch_bytes, mut batch_input) = (None, None, None);
    if let Some(b) = &d.batcher {
        if let Some(a) = &b.max_items {
            batch_items = Some(integer(a, "MaxItemsPerBatch", effective, ctx)?);
        }
        if let Some(a) = &b.max_bytes {
            batch_bytes = Some(integer(a, "MaxInputBytesPerBatch", effective, ctx)?);
        }
        batch_input = args(b.batch_input.as_ref())?;
    }
    let writer_params = args(d.writer.as_ref().and_then(|w| w.parameters.as_ref()))?;
    Ok(Plan {
        slots,
        tolerance,
        max_items,
        reader_params,
        batch_items,
        batch_bytes,
        batch_input,
        writer_params,
    })
}

impl Runner<'_> {
    /// One attempt of a Distributed Map (see the module docs).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn distributed_attempt(
        &mut self,
        state: &State,
        m: &MapState,
        d: &Distributed,
        input: &Value,
        retry_count: u32,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Vec<Thread>, Stop> {
        if state.language == QueryLanguage::Jsonata {
            return self.distributed_attempt_jsonata(
                state,
                m,
                d,
                input,
                retry_count,
                cur,
                entered_at,
            );
        }
        // Everything read from the input before MapStateStarted, then what fails after it.
        let (effective, from_input) = {
            let ctx =
                Context::new(&self.exec, &state.name, entered_at).with_retry_count(retry_count);
            let effective = state.input_path.apply(input, &ctx)?.into_owned();
            let from_input = match &d.reader {
                None => Some(super::map::select_items(m, &effective, &ctx)?.into_owned()),
                Some(_) => None,
            };
            (effective, from_input)
        };
        // With an ItemReader the items are counted by the Map Run: `length` is 0 (§7.4).
        let length = from_input.as_ref().map_or(0, Vec::len);
        self.event(cur, "MapStateStarted", Detail::MapStarted { length })?;
        let plan = {
            let Runner {
                ref exec,
                ref mut rng,
                ref spares,
                ..
            } = *self;
            let ctx = Context::new(exec, &state.name, entered_at).with_retry_count(retry_count);
            plan(m, d, &effective, &ctx, rng, spares)?
        };
        let select = |r: &mut Self, items: Vec<Value>| -> Result<Vec<Value>, Failure> {
            let Some(t) = &m.item_selector else {
                return Ok(items);
            };
            let Runner {
                ref exec,
                ref mut rng,
                ref spares,
                ..
            } = *r;
            let mut inputs = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let ictx = Context::new(exec, &state.name, entered_at).with_map_item(i, item);
                inputs.push(t.eval(
                    &Scope {
                        input: &effective,
                        context: &ictx,
                        spares,
                    },
                    rng,
                )?);
            }
            Ok(inputs)
        };
        self.map_run(state, m, d, from_input, plan, cur, select)
    }

    /// A JSONata Distributed Map: `Items`, `ItemSelector`, `ItemReader.Arguments`,
    /// `ItemBatcher.BatchInput`, `ResultWriter.Arguments` and the numeric fields are JSONata;
    /// a field that fails to evaluate fails the attempt with `States.QueryEvaluationError`
    /// through the Map's Retry and Catch (docs/semantics/jsonata.md §11.5).
    #[allow(clippy::too_many_arguments)]
    fn distributed_attempt_jsonata(
        &mut self,
        state: &State,
        m: &MapState,
        d: &Distributed,
        input: &Value,
        retry_count: u32,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Vec<Thread>, Stop> {
        let local = jsonata::Local::new(&state.name, entered_at, Some(retry_count));
        let states = jsonata::States::new(input.clone(), local, None);
        let from_input = match &d.reader {
            None => match self.jsonata_items(m, input, &states) {
                Ok(items) => Some(items),
                Err(f) => return self.failed_evaluation(state, cur, f),
            },
            Some(_) => None,
        };
        let length = from_input.as_ref().map_or(0, Vec::len);
        self.event(cur, "MapStateStarted", Detail::MapStarted { length })?;
        let plan = match self.plan_jsonata(m, d, &states) {
            Ok(p) => p,
            Err(f) => return self.failed_evaluation(state, cur, f),
        };
        let select = |r: &mut Self, items: Vec<Value>| -> Result<Vec<Value>, Failure> {
            let local = jsonata::Local::new(&state.name, entered_at, Some(retry_count));
            r.jsonata_select(m, items, jsonata::States::new(input.clone(), local, None))
        };
        self.map_run(state, m, d, from_input, plan, cur, select)
    }

    /// The values of a JSONata Distributed Map's fields, evaluated once per attempt.
    fn plan_jsonata(
        &mut self,
        m: &MapState,
        d: &Distributed,
        states: &jsonata::States,
    ) -> Result<Plan, Failure> {
        let slots = match self.jsonata_integer(&m.max_concurrency, "MaxConcurrency", states)? {
            n if n <= 0 => DISTRIBUTED_CONCURRENCY_LIMIT,
            n => (n as u64).min(DISTRIBUTED_CONCURRENCY_LIMIT),
        };
        let count = match &d.tolerated_count_expr {
            None => None,
            Some(p) => {
                let v = self.jsonata_field(p, "ToleratedFailureCount", states)?;
                // UNVERIFIED: the cause for a value that is not a non-negative integer.
                match v.as_u64() {
                    Some(n) => Some(n),
                    None => return Err(unexpected_type(p, "ToleratedFailureCount", "integer", &v)),
                }
            }
        };
        let pct = match &d.tolerated_percentage_expr {
            None => None,
            Some(p) => {
                let v = self.jsonata_field(p, "ToleratedFailurePercentage", states)?;
                match v.as_f64() {
                    // The cause of the `…Path` form (docs/semantics/map.md §7.6); the error
                    // name for the JSONata form is UNVERIFIED.
                    Some(n) if !(0.0..=100.0).contains(&n) => {
                        return Err(jsonata::query_error(
                            Some("ToleratedFailurePercentage"),
                            "ToleratedFailurePercentage must be between 0 and 100.".to_string(),
                        ))
                    }
                    Some(n) => Some(n),
                    None => {
                        return Err(unexpected_type(
                            p,
                            "ToleratedFailurePercentage",
                            "number",
                            &v,
                        ))
                    }
                }
            }
        };
        let max_items = match d.reader.as_ref().and_then(|r| r.max_items.as_ref()) {
            Some(a) => Some(self.jsonata_integer(a, "MaxItems", states)?),
            None => None,
        };
        let reader_params = self.jsonata_arguments(
            d.reader.as_ref().and_then(|r| r.parameters.as_ref()),
            "ItemReader/Arguments",
            states,
        )?;
        let (mut batch_items, mut batch_bytes, mut batch_input) = (None, None, None);
        if let Some(b) = &d.batcher {
            if let Some(a) = &b.max_items {
                batch_items = Some(self.jsonata_integer(a, "MaxItemsPerBatch", states)?);
            }
            if let Some(a) = &b.max_bytes {
                batch_bytes = Some(self.jsonata_integer(a, "MaxInputBytesPerBatch", states)?);
            }
            batch_input =
                self.jsonata_arguments(b.batch_input.as_ref(), "ItemBatcher/BatchInput", states)?;
        }
        let writer_params = self.jsonata_arguments(
            d.writer.as_ref().and_then(|w| w.parameters.as_ref()),
            "ResultWriter/Arguments",
            states,
        )?;
        Ok(Plan {
            slots,
            tolerance: (pct, count),
            max_items,
            reader_params,
            batch_items,
            batch_bytes,
            batch_input,
            writer_params,
        })
    }

    /// An integer field of a JSONata state: a literal or an expression.
    fn jsonata_integer(
        &mut self,
        a: &Amount,
        field: &str,
        states: &jsonata::States,
    ) -> Result<i64, Failure> {
        match a {
            Amount::Fixed(n) => Ok(*n as i64),
            Amount::Jsonata(p) => {
                let v = self.jsonata_field(p, field, states)?;
                // UNVERIFIED: the cause for a value that is not an integer.
                v.as_i64()
                    .ok_or_else(|| unexpected_type(p, field, "integer", &v))
            }
            Amount::Path(_) => Err(Failure::runtime(format!(
                "a JSONPath {field}Path in a JSONata state"
            ))),
        }
    }

    fn jsonata_arguments(
        &mut self,
        a: Option<&Arguments>,
        field: &str,
        states: &jsonata::States,
    ) -> Result<Option<Value>, Failure> {
        match a {
            None => Ok(None),
            Some(Arguments::Jsonata(p)) => self.jsonata_field(p, field, states).map(Some),
            Some(Arguments::Template(_)) => Err(Failure::runtime(format!(
                "a JSONPath {field} in a JSONata state"
            ))),
        }
    }

    /// The Map Run of one attempt, once its fields are evaluated: reads and shapes the items
    /// (`select` applies the ItemSelector), runs the children and gathers or exports their
    /// results.
    #[allow(clippy::too_many_arguments)]
    fn map_run(
        &mut self,
        state: &State,
        m: &MapState,
        d: &Distributed,
        from_input: Option<Vec<Value>>,
        plan: Plan,
        cur: &mut Cursor,
        select: impl FnOnce(&mut Self, Vec<Value>) -> Result<Vec<Value>, Failure>,
    ) -> Result<Vec<Thread>, Stop> {
        let id = uuid_from(&mut self.rng);
        let label = d.label.clone().unwrap_or_else(|| state.name.clone());
        let arn = format!(
            "arn:aws:states:{}:{}:mapRun:{}/{label}:{id}",
            self.exec.region, self.exec.account, self.exec.state_machine_name
        );
        self.event_with(cur, "MapRunStarted", |_| Detail::MapRunStarted {
            arn: arn.clone(),
        })?;
        let (pct_path, count_path) = plan.tolerance;
        let mut run = MapRun {
            arn: arn.clone(),
            start: cur.now,
            stop: cur.now,
            status: "FAILED",
            max_concurrency: if plan.slots >= DISTRIBUTED_CONCURRENCY_LIMIT {
                0
            } else {
                plan.slots
            },
            tolerated_percentage: pct_path.or(d.tolerated_percentage).unwrap_or(0.0),
            tolerated_count: count_path.or(d.tolerated_count).unwrap_or(0),
            items: MapRunCounts::default(),
            executions: MapRunCounts::default(),
        };
        let items = match (from_input, &d.reader) {
            (Some(items), _) => items,
            (None, Some(reader)) => {
                match self.read_items(reader, plan.reader_params.as_ref(), plan.max_items) {
                    Ok(items) => items,
                    Err(f) => return self.map_run_failed(cur, f, run),
                }
            }
            (None, None) => Vec::new(),
        };
        let inputs = match select(self, items) {
            Ok(inputs) => inputs,
            Err(f) if f.is_query() => return self.failed_evaluation(state, cur, f),
            Err(f) => return Err(Stop::Fail(f)),
        };
        let inputs = match &d.batcher {
            None => inputs,
            Some(_) => batches(
                inputs,
                plan.batch_items,
                plan.batch_bytes,
                plan.batch_input.as_ref(),
            ),
        };
        let slots = plan.slots;
        // Items per child: one, or a batch's.
        let sizes: Vec<u64> = inputs
            .iter()
            .map(|i| match &d.batcher {
                None => 1,
                Some(_) => i
                    .get("Items")
                    .and_then(Value::as_array)
                    .map_or(1, |a| a.len() as u64),
            })
            .collect();

        // The children: each runs the processor on its own virtual clock; their events are not
        // part of the parent's history.
        let total = inputs.len();
        let saved = std::mem::replace(&mut self.history, History::new(false));
        // Map Runs inside the children belong to the children's executions.
        let outer_runs = std::mem::take(&mut self.map_runs);
        let mut free: BinaryHeap<Reverse<Millis>> = BinaryHeap::new();
        // Without a ResultWriter the children's outputs are COMPACT; with one exporting to S3
        // and no WriterConfig, NONE (AWS's ResultWriter page).
        let (transformation, export) = match &d.writer {
            None => ("COMPACT", false),
            Some(w) => (w.transformation.as_str(), w.export),
        };
        // A child's input is kept only for its NONE record: every child's under NONE, a failed
        // one's when failures may be tolerated (otherwise one fails the Map Run).
        let keep_inputs = transformation == "NONE";
        let tolerant = count_path.or(d.tolerated_count).is_some()
            || pct_path.or(d.tolerated_percentage).is_some();
        let mut results: Vec<Child> = Vec::with_capacity(total);
        let mut end = cur.now;
        let mut stopped = None;
        for (index, item) in inputs.into_iter().enumerate() {
            let start = if (index as u64) < slots {
                cur.now
            } else {
                free.pop().map(|Reverse(t)| t).unwrap_or(cur.now)
            };
            let mut ic = Cursor {
                now: start,
                last: None,
            };
            // Each child has a history of its own (and its own 25,000-event limit).
            self.history = History::new(false);
            let input = (keep_inputs || tolerant).then(|| item.clone());
            let r = self.run_graph(&m.processor, item, None, &mut ic);
            end = end.max(ic.now);
            free.push(Reverse(ic.now));
            let result = match r {
                Ok((v, _)) => Ok(v),
                Err(Stop::Fail(f)) => Err(f),
                Err(other) => {
                    stopped = Some(other);
                    break;
                }
            };
            let keep = keep_inputs || result.is_err();
            results.push(Child {
                input: input.filter(|_| keep).unwrap_or(Value::Null),
                start,
                stop: ic.now,
                result,
            });
        }
        self.history = saved;
        self.map_runs = outer_runs;
        if let Some(s) = stopped {
            return Err(s);
        }
        cur.now = end;
        for (child, size) in results.iter().zip(&sizes) {
            run.items.add(&child.result, *size);
            run.executions.add(&child.result, 1);
        }
        let failed = results.iter().filter(|c| c.result.is_err()).count();
        let count = count_path.or(d.tolerated_count);
        let pct = pct_path.or(d.tolerated_percentage);
        let exceeded = match (count, pct) {
            (None, None) => failed > 0,
            (c, p) => {
                c.is_some_and(|c| failed as u64 > c)
                    || p.is_some_and(|p| total > 0 && (failed as f64) * 100.0 / (total as f64) > p)
            }
        };
        if exceeded {
            return self.map_run_failed(
                cur,
                Failure::raised(
                    EXCEEDED,
                    "The specified tolerated failure threshold was exceeded",
                ),
                run,
            );
        }
        let names = ChildNames::new(&self.exec, &label);
        let result = if export {
            let w = d.writer.as_ref().expect("export implies a writer");
            let params = plan.writer_params.clone().unwrap_or_else(|| json!({}));
            match self.write_results(&params, &arn, &id, &names, &results, w, cur.now) {
                Ok(v) => v,
                Err(f) => return self.map_run_failed(cur, f, run),
            }
        } else {
            let all: Vec<&Child> = results.iter().collect();
            Value::Array(self.transformed(&names, &all, transformation))
        };
        let last = self.event(cur, "MapRunSucceeded", Detail::None)?;
        if export {
            run.items.results_written = run.items.total;
            run.executions.results_written = run.executions.total;
        }
        run.status = "SUCCEEDED";
        run.stop = cur.now;
        self.map_runs.push(run);
        let bound = crate::data::size::json_size(&result);
        Ok(vec![Thread {
            result: Ok((result, bound)),
            cursor: Cursor {
                now: cur.now,
                last: Some(last),
            },
            events: self.history.len()..self.history.len(),
        }])
    }

    /// `MapRunFailed{error, cause}`; the Map then fails with that error (caught or retried like
    /// any other).
    fn map_run_failed(
        &mut self,
        cur: &mut Cursor,
        f: Failure,
        mut run: MapRun,
    ) -> Result<Vec<Thread>, Stop> {
        let detail = f.clone();
        self.event_with(cur, "MapRunFailed", |_| Detail::Failure(detail))?;
        run.stop = cur.now;
        self.map_runs.push(run);
        Ok(vec![Thread::failed_before_start(
            f,
            *cur,
            self.history.len(),
        )])
    }

    /// The items of an `ItemReader` from the world's S3.
    fn read_items(
        &mut self,
        r: &ItemReader,
        params: Option<&Value>,
        max_items: Option<i64>,
    ) -> Result<Vec<Value>, Failure> {
        if let Some(n) = max_items {
            if n <= 0 && !matches!(r.max_items, Some(Amount::Fixed(0))) {
                return Err(Failure::raised(
                    ITEM_READER_FAILED,
                    "field MaxItems must be positive",
                ));
            }
        }
        let empty = json!({});
        let params = params.unwrap_or(&empty);
        let text = |k: &str| {
            params
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let bucket = text("Bucket");
        let world = self.resources.world().unwrap_or_default();
        let request_id = uuid_from(&mut self.rng);
        let items = if r.resource.ends_with("s3:listObjectsV2") {
            let prefix = text("Prefix");
            let w = world.lock();
            let Some(b) = w.s3.get(&bucket) else {
                return Err(no_such_bucket(&request_id));
            };
            if r.transformation == "LOAD_AND_FLATTEN" {
                // Each listed object's records, in key order (a console "folder", a key ending
                // in `/`, holds none).
                let mut items = Vec::new();
                for (k, o) in b.list(&prefix).filter(|(k, _)| !k.ends_with('/')) {
                    let body = object_text(&o.body).map_err(|f| in_object(f, k))?;
                    items.extend(parse_items(r, &body).map_err(|f| in_object(f, k))?);
                }
                items
            } else {
                // AWS's example item: `LastModified` in epoch seconds.
                b.list(&prefix)
                    .map(|(k, o)| {
                        json!({
                            "Etag": o.etag(),
                            "Key": k,
                            "LastModified": o.last_modified.unwrap_or(self.exec.start_time).div_euclid(1000),
                            "Size": o.body.len(),
                            "StorageClass": "STANDARD"
                        })
                    })
                    .collect()
            }
        } else {
            let key = text("Key");
            let w = world.lock();
            let Some(b) = w.s3.get(&bucket) else {
                return Err(no_such_bucket(&request_id));
            };
            let Some(o) = b.get(&key) else {
                return Err(no_such_key(&request_id));
            };
            let body = object_text(&o.body)?;
            if r.input_type.as_deref() == Some("MANIFEST") {
                inventory_items(r, &body, &w.s3, &request_id)?
            } else {
                parse_items(r, &body)?
            }
        };
        let limit = match max_items {
            Some(n) if n > 0 => (n as u64).min(100_000_000) as usize,
            _ => usize::MAX,
        };
        Ok(items.into_iter().take(limit).collect())
    }

    /// The children's results as `WriterConfig.Transformation` shapes them
    /// (<https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html>):
    /// `NONE` gives each child's execution record; `COMPACT` its output; `FLATTEN` its output,
    /// an array's elements spliced in. A failed child is always its record ("equivalent to
    /// having set Transformation to NONE").
    fn transformed(&mut self, names: &ChildNames, children: &[&Child], how: &str) -> Vec<Value> {
        let mut out = Vec::with_capacity(children.len());
        for c in children {
            match (&c.result, how) {
                (Ok(v), "COMPACT") => out.push(v.clone()),
                (Ok(Value::Array(a)), "FLATTEN") => out.extend(a.iter().cloned()),
                (Ok(v), "FLATTEN") => out.push(v.clone()),
                _ => {
                    let name = uuid_from(&mut self.rng);
                    out.push(names.record(&name, c));
                }
            }
        }
        out
    }

    /// Writes the Map Run's results into the world's S3 (`SUCCEEDED_0` transformed, `FAILED_0`
    /// as records, and `manifest.json`); the state's result.
    #[allow(clippy::too_many_arguments)]
    fn write_results(
        &mut self,
        params: &Value,
        arn: &str,
        id: &str,
        names: &ChildNames,
        results: &[Child],
        w: &crate::asl::model::ResultWriter,
        now: Millis,
    ) -> Result<Value, Failure> {
        let bucket = params
            .get("Bucket")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let prefix = params.get("Prefix").and_then(Value::as_str).unwrap_or("");
        let base = if prefix.is_empty() {
            format!("{id}/")
        } else {
            format!("{}/{id}/", prefix.trim_end_matches('/'))
        };
        let (ok, bad): (Vec<&Child>, Vec<&Child>) = results.iter().partition(|c| c.result.is_ok());
        let ok = self.transformed(names, &ok, &w.transformation);
        let bad = self.transformed(names, &bad, "NONE");
        let world = self.resources.world().unwrap_or_default();
        let mut guard = world.lock();
        let Some(b) = guard.s3.get_mut(&bucket) else {
            let request_id = uuid_from(&mut self.rng);
            return Err(Failure::raised(
                RESULT_WRITER_FAILED,
                format!("The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: {request_id})"),
            ));
        };
        // UNVERIFIED: AWS names only SUCCEEDED_n.json; JSONL files are written as .jsonl.
        let jsonl = w.output_type == "JSONL";
        let ext = if jsonl { "jsonl" } else { "json" };
        let mut files = Map::new();
        for (kind, records) in [("SUCCEEDED", &ok), ("FAILED", &bad)] {
            let mut entries = Vec::new();
            if !records.is_empty() {
                let body = if jsonl {
                    records
                        .iter()
                        .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
                        .collect::<String>()
                } else {
                    serde_json::to_string(records).unwrap_or_default()
                };
                let key = format!("{base}{kind}_0.{ext}");
                entries.push(json!({"Key": key, "Size": body.len()}));
                b.put(&key, body.into_bytes(), now);
            }
            files.insert(kind.into(), Value::Array(entries));
        }
        files.insert("PENDING".into(), json!([]));
        let manifest_key = format!("{base}manifest.json");
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": arn,
            "ResultFiles": files,
        });
        b.put(
            &manifest_key,
            serde_json::to_vec(&manifest).unwrap_or_default(),
            now,
        );
        Ok(json!({
            "MapRunArn": arn,
            "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}
        }))
    }
}

/// One child execution of a Map Run: its input, virtual start and stop, and result.
/// A Map Run as DescribeMapRun shows it
/// (<https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html>).
#[derive(Debug, Clone, PartialEq)]
pub struct MapRun {
    pub arn: String,
    pub start: Millis,
    pub stop: Millis,
    /// `SUCCEEDED` or `FAILED`.
    pub status: &'static str,
    /// 0 when unbounded.
    pub max_concurrency: u64,
    pub tolerated_percentage: f64,
    pub tolerated_count: u64,
    /// Items, and child executions (`MapRunItemCounts`, `MapRunExecutionCounts`).
    pub items: MapRunCounts,
    pub executions: MapRunCounts,
}

/// Children (or their items) by how they ended. Children run to their end before the Map Run
/// does, so none is pending or running when it is described.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapRunCounts {
    pub total: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub aborted: u64,
    pub results_written: u64,
}

impl MapRunCounts {
    fn add(&mut self, result: &Result<Value, Failure>, n: u64) {
        self.total += n;
        match result {
            Ok(_) => self.succeeded += n,
            Err(f) if f.error.as_deref() == Some(crate::errors::TIMEOUT) => self.timed_out += n,
            Err(_) => self.failed += n,
        }
    }
}

struct Child {
    input: Value,
    start: Millis,
    stop: Millis,
    result: Result<Value, Failure>,
}

/// The ARNs of a Map Run's children: `stateMachine:<machine>/<label>` and
/// `execution:<machine>/<label>:<name>`, as in the records of AWS's ResultWriter page.
struct ChildNames {
    state_machine: String,
    execution_prefix: String,
}

impl ChildNames {
    fn new(exec: &crate::data::context::ExecutionContext<'_>, label: &str) -> Self {
        let head = format!("arn:aws:states:{}:{}", exec.region, exec.account);
        ChildNames {
            state_machine: format!("{head}:stateMachine:{}/{label}", exec.state_machine_name),
            execution_prefix: format!("{head}:execution:{}/{label}", exec.state_machine_name),
        }
    }

    /// A child's execution record (the `NONE` transformation), members in AWS's alphabetical
    /// order; `Input` and `Output` are JSON text. UNVERIFIED for a failed child (AWS shows a
    /// succeeded one): `Cause` and `Error` instead of `Output`, and `RedriveStatus`
    /// `REDRIVABLE_BY_MAP_RUN` (the DescribeExecution value for a Map Run's child).
    fn record(&self, name: &str, c: &Child) -> Value {
        let text = |v: &Value| Value::String(serde_json::to_string(v).unwrap_or_default());
        let mut o = Map::new();
        if let Err(f) = &c.result {
            o.insert("Cause".into(), json!(f.cause));
            o.insert("Error".into(), json!(f.error));
        }
        o.insert(
            "ExecutionArn".into(),
            json!(format!("{}:{name}", self.execution_prefix)),
        );
        o.insert("Input".into(), text(&c.input));
        o.insert("InputDetails".into(), json!({"Included": true}));
        o.insert("Name".into(), json!(name));
        match &c.result {
            Ok(v) => {
                o.insert("Output".into(), text(v));
                o.insert("OutputDetails".into(), json!({"Included": true}));
                o.insert("RedriveCount".into(), json!(0));
                o.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
                o.insert(
                    "RedriveStatusReason".into(),
                    json!("Execution is SUCCEEDED and cannot be redriven"),
                );
            }
            Err(_) => {
                o.insert("RedriveCount".into(), json!(0));
                o.insert("RedriveStatus".into(), json!("REDRIVABLE_BY_MAP_RUN"));
            }
        }
        o.insert("StartDate".into(), json!(timestamp::format_millis(c.start)));
        o.insert("StateMachineArn".into(), json!(self.state_machine));
        let status = if c.result.is_ok() {
            "SUCCEEDED"
        } else {
            "FAILED"
        };
        o.insert("Status".into(), json!(status));
        o.insert("StopDate".into(), json!(timestamp::format_millis(c.stop)));
        Value::Object(o)
    }
}

fn no_such_key(request_id: &str) -> Failure {
    Failure::raised(
        ITEM_READER_FAILED,
        format!("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: {request_id})"),
    )
}

/// An object's text: GZIP-compressed bodies (`myObject.jsonl.gz`, AWS's ItemReader page) are
/// decompressed.
fn object_text(body: &[u8]) -> Result<String, Failure> {
    if body.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(body)
            .read_to_string(&mut text)
            .map_err(|e| {
                Failure::raised(
                    ITEM_READER_FAILED,
                    format!("The object is not valid GZIP text: {e}"),
                )
            })?;
        Ok(text)
    } else {
        Ok(String::from_utf8_lossy(body).into_owned())
    }
}

/// The items of an S3 inventory report (`InputType: MANIFEST`, AWS's ItemReader page): the
/// manifest's `files` are CSV files without a header row in the `destinationBucket`, their
/// columns named by `fileSchema`; every value is a string.
fn inventory_items(
    r: &ItemReader,
    manifest: &str,
    s3: &std::collections::BTreeMap<String, crate::world::s3::Bucket>,
    request_id: &str,
) -> Result<Vec<Value>, Failure> {
    let failed = |m: String| Failure::raised(ITEM_READER_FAILED, m);
    let m: Value = serde_json::from_str(manifest)
        .map_err(|e| failed(format!("The manifest is not valid JSON: {e}")))?;
    let member = |k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| failed(format!("The manifest has no string member {k}.")))
    };
    let schema: Vec<String> = member("fileSchema")?
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    let destination = member("destinationBucket")?;
    let bucket = destination
        .strip_prefix("arn:aws:s3:::")
        .unwrap_or(destination);
    let Some(b) = s3.get(bucket) else {
        return Err(no_such_bucket(request_id));
    };
    let files = m
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| failed("The manifest has no array member files.".into()))?;
    let mut items = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let key = f.get("key").and_then(Value::as_str).ok_or_else(|| {
            failed(format!(
                "The manifest's files/{i} has no string member key."
            ))
        })?;
        let Some(o) = b.get(key) else {
            return Err(no_such_key(request_id));
        };
        let text = object_text(&o.body).map_err(|f| in_object(f, key))?;
        for row in csv_rows(&text, r.csv_delimiter) {
            let record = csv_record(&schema, row, |fields, n| {
                format!("A CSV row has {fields} fields but the fileSchema names {n}.")
            });
            items.push(record.map_err(|f| in_object(f, key))?);
        }
    }
    Ok(items)
}

/// A reader failure while reading one of a listing's objects names the object.
fn in_object(mut f: Failure, key: &str) -> Failure {
    if let Some(c) = &f.cause {
        f.cause = Some(format!("{c} (object {key})"));
    }
    f
}

fn no_such_bucket(request_id: &str) -> Failure {
    Failure::raised(
        ITEM_READER_FAILED,
        format!("The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: {request_id})"),
    )
}

/// The items of an object's text per `InputType`.
fn parse_items(r: &ItemReader, text: &str) -> Result<Vec<Value>, Failure> {
    let failed = |m: String| Failure::raised(ITEM_READER_FAILED, m);
    match r.input_type.as_deref().unwrap_or("JSON") {
        "JSON" => {
            let v = serde_json::from_str::<Value>(text)
                .map_err(|e| failed(format!("The object is not valid JSON: {e}")))?;
            let node = match &r.items_pointer {
                None => v,
                Some(p) => v.pointer(p).cloned().ok_or_else(|| {
                    failed(format!(
                        "The ItemsPointer {p} does not point to a node of the object."
                    ))
                })?,
            };
            match node {
                Value::Array(items) => Ok(items),
                _ => Err(failed("Attempting to map over non-iterable node.".into())),
            }
        }
        "JSONL" => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| failed(format!("A line is not valid JSON: {e}")))
            })
            .collect(),
        "CSV" => {
            let mut rows = csv_rows(text, r.csv_delimiter);
            let headers = if r.csv_header_location.as_deref() == Some("GIVEN") {
                r.csv_headers.clone()
            } else if rows.is_empty() {
                Vec::new()
            } else {
                rows.remove(0)
            };
            let mut seen = std::collections::BTreeSet::new();
            if !headers.iter().all(|h| seen.insert(h.as_str())) {
                return Err(failed("CSV headers cannot contain duplicates.".into()));
            }
            rows.into_iter()
                .map(|row| {
                    csv_record(&headers, row, |fields, n| {
                        format!("A CSV row has {fields} fields but there are {n} headers.")
                    })
                })
                .collect()
        }
        other => Err(failed(format!(
            "InputType {other} is not simulated here (JSON, JSONL and CSV are)"
        ))),
    }
}

/// One CSV row as an object of strings named by `headers` (a short row's missing fields are
/// empty); a row with more fields than headers fails with `too_long(fields, headers)`.
fn csv_record(
    headers: &[String],
    mut row: Vec<String>,
    too_long: impl Fn(usize, usize) -> String,
) -> Result<Value, Failure> {
    if row.len() > headers.len() {
        return Err(Failure::raised(
            ITEM_READER_FAILED,
            too_long(row.len(), headers.len()),
        ));
    }
    row.resize(headers.len(), String::new());
    Ok(Value::Object(
        headers
            .iter()
            .cloned()
            .zip(row.into_iter().map(Value::String))
            .collect(),
    ))
}

/// CSV records (RFC 4180 quoting: `"a,b"`, `""` for a quote); a trailing newline ends the last.
pub(crate) fn csv_rows(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.is_empty() {
            quoted = true;
        } else if c == delimiter {
            row.push(std::mem::take(&mut field));
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
            any = false;
        } else {
            field.push(c);
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Groups items into batches of at most `max_items` items and `max_bytes` bytes (256 KiB at
/// most), each `{"BatchInput"?, "Items"}`.
fn batches(
    items: Vec<Value>,
    max_items: Option<i64>,
    max_bytes: Option<i64>,
    batch_input: Option<&Value>,
) -> Vec<Value> {
    let max_items = max_items
        .filter(|n| *n > 0)
        .map_or(usize::MAX, |n| n as usize);
    let max_bytes = max_bytes
        .filter(|n| *n > 0)
        .map_or(MAX_BATCH_BYTES, |n| (n as usize).min(MAX_BATCH_BYTES));
    let wrap = |items: Vec<Value>| {
        let mut o = Map::new();
        if let Some(b) = batch_input {
            o.insert("BatchInput".into(), b.clone());
        }
        o.insert("Items".into(), Value::Array(items));
        Value::Object(o)
    };
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for item in items {
        let size = serde_json::to_string(&item).map_or(0, |s| s.len()) + 1;
        if !current.is_empty() && (current.len() >= max_items || bytes + size > max_bytes) {
            out.push(wrap(std::mem::take(&mut current)));
            bytes = 0;
        }
        bytes += size;
        current.push(item);
    }
    if !current.is_empty() {
        out.push(wrap(current));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_empty_cells() {
        assert_eq!(
            csv_rows("a,\"b,c\",\"d\"\"e\"\n,,\n", ','),
            vec![vec!["a", "b,c", "d\"e"], vec!["", "", ""]]
        );
        assert_eq!(csv_rows("x;y", ';'), vec![vec!["x", "y"]]);
    }

    #[test]
    fn batches_respect_counts_and_bytes() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let b = batches(items.clone(), Some(2), None, Some(&json!({"k": 1})));
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], json!({"BatchInput": {"k": 1}, "Items": [0, 1]}));
        let b = batches(items, None, Some(4), None);
        assert_eq!(b[0], json!({"Items": [0, 1]}));
    }
}
