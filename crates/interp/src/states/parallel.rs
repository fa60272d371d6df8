//! Parallel state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html>;
//! docs/semantics/parallel.md §8).
//!
//! Every branch starts from the same input at the same virtual time; the result is the array of
//! branch outputs in `Branches` order. Branches are simulated one after another, each on its own
//! clock; the Parallel ends when the last branch ends. If a branch fails, the failure that happened
//! first in virtual time wins, the work the other branches would have done after it is dropped,
//! and the Parallel fails with the **branch's own** error (AWS does not use
//! `States.BranchFailed`). Retry runs all branches again.

use serde_json::Value;

use crate::asl::model::{Handling, Parallel, QueryLanguage, State};
use crate::data::context::Context;
use crate::data::template::Scope;
use crate::data::timestamp::Millis;
use crate::engine::history::Seq;
use crate::engine::{Cursor, Runner, Step, Stop, MAX_PAYLOAD_BYTES};
use crate::errors::Failure;
use crate::states::errors::{recover, Attempts, Recovery};

/// The outcome of one branch or iteration.
pub(crate) struct Thread {
    /// The output and an upper bound of its size, or why it stopped.
    pub result: Result<(Value, usize), Stop>,
    pub cursor: Cursor,
    /// The events it recorded.
    pub events: std::ops::Range<Seq>,
}

impl Thread {
    /// The one thread of an attempt that failed before any branch or iteration started (a
    /// JSONata error in the Arguments or Items), so that it meets Retry and Catch like any other.
    pub(crate) fn failed_before_start(f: Failure, cursor: Cursor, at: Seq) -> Thread {
        Thread {
            result: Err(Stop::Fail(f)),
            cursor,
            events: at..at,
        }
    }
}

/// How a set of threads ended.
enum Settled {
    /// All succeeded: outputs in order, an upper bound of the size of their array, end time, and
    /// the last event of the thread that ended last.
    Done(Vec<Value>, usize, Cursor),
    /// The first failure in virtual time; `cursor` is where it happened.
    Failed(Stop, Cursor),
}

/// The event types that close one attempt of a Parallel or Map.
#[derive(Clone, Copy)]
pub(crate) struct FanOut {
    pub succeeded: &'static str,
    pub failed: &'static str,
    /// The attempt yields one thread whose output is the whole result (a Distributed Map), not
    /// one element per thread.
    pub whole: bool,
}

impl Runner<'_> {
    /// Runs a Parallel or Map: `attempt` runs one attempt from the raw input and the retry count
    /// and returns its threads; [`Runner::fan_in`] ends it, and a retry runs it again.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn attempts(
        &mut self,
        state: &State,
        h: &Handling,
        mut input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
        events: FanOut,
        mut attempt: impl FnMut(&mut Self, &Value, u32, &mut Cursor) -> Result<Vec<Thread>, Stop>,
    ) -> Result<Step, Stop> {
        let mut attempts = Attempts::new(h);
        // The states inside an attempt overwrite it; what fails after them is this state's.
        let entered_seq = self.entered_seq;
        loop {
            let retry_count = attempts.total();
            // What a redrive may keep comes from the last attempt only.
            if self.depth == 1 {
                if let Some(point) = self.resume.as_mut() {
                    point.kept.clear();
                }
            }
            self.entered_seq = entered_seq;
            let threads = attempt(self, &input, retry_count, cur)?;
            self.entered_seq = entered_seq;
            if let Some(end) = self.fan_in(
                state,
                h,
                threads,
                cur,
                &mut input,
                entered_at,
                retry_count,
                &mut attempts,
                events,
            )? {
                return Ok(end);
            }
        }
    }

    /// An attempt whose JSONata field failed before its branches or iterations started:
    /// `EvaluationFailed`, then the failure goes through the state's Retry and Catch like a
    /// branch's (docs/semantics/jsonata.md §11.5).
    pub(crate) fn failed_evaluation(
        &mut self,
        state: &State,
        cur: &mut Cursor,
        f: Failure,
    ) -> Result<Vec<Thread>, Stop> {
        let mut f = f.at(&state.name, self.entered_seq);
        self.report_evaluation(cur, &mut f, &state.name)?;
        Ok(vec![Thread::failed_before_start(
            f,
            *cur,
            self.history.len(),
        )])
    }

    /// Ends one attempt of a Parallel or Map: on success, the state's result (the array of
    /// outputs) goes through ResultSelector/ResultPath/OutputPath; on failure the error is
    /// retried (`Ok(None)`: run the attempt again), caught or passed on.
    #[allow(clippy::too_many_arguments)]
    fn fan_in(
        &mut self,
        state: &State,
        h: &Handling,
        threads: Vec<Thread>,
        cur: &mut Cursor,
        input: &mut Value,
        entered_at: Millis,
        retry_count: u32,
        attempts: &mut Attempts,
        events: FanOut,
    ) -> Result<Option<Step>, Stop> {
        match self.settle(threads, *cur) {
            Settled::Done(outputs, bound, end) => {
                *cur = end;
                let before = cur.last;
                self.mark(cur, events.succeeded)?;
                // AWS: …StateExited points at the same predecessor as …StateSucceeded (§7.8, §8).
                cur.last = before;
                let mut outputs = outputs;
                let result = match (events.whole, outputs.len()) {
                    (true, 1) => outputs.pop().unwrap_or(Value::Null),
                    _ => Value::Array(outputs),
                };
                if state.language != QueryLanguage::Jsonata {
                    let raw = std::mem::take(input);
                    return self
                        .complete(state, h, raw, result, Some(bound), entered_at, retry_count)
                        .map(Some);
                }
                // A JSONata `Output` or `Assign` that fails to evaluate fails the state with
                // `States.QueryEvaluationError`, retried and caught like a branch's failure
                // (docs/semantics/jsonata.md §11.5).
                let done = self.complete(
                    state,
                    h,
                    input.clone(),
                    result,
                    Some(bound),
                    entered_at,
                    retry_count,
                );
                let f = match done {
                    Err(Stop::Fail(f)) if f.is_query() => f,
                    other => return other.map(Some),
                };
                let mut f = f.at(&state.name, self.entered_seq);
                self.report_evaluation(cur, &mut f, &state.name)?;
                let recovery = recover(h, &f, attempts, &mut self.rng);
                self.recovered(recovery, (state, entered_at), h, cur, input, f)
            }
            Settled::Failed(stop, at) => {
                *cur = at;
                let f = match stop {
                    Stop::Fail(f) => f,
                    timed_out => return Err(timed_out),
                };
                // A retry starts again right after the failure, with no `…StateFailed` in
                // between (docs/semantics/errors.md §6.3, §13.4).
                let recovery = recover(h, &f, attempts, &mut self.rng);
                if !matches!(recovery, Recovery::Retry(_)) {
                    self.mark(cur, events.failed)?;
                }
                self.recovered(recovery, (state, entered_at), h, cur, input, f)
            }
        }
    }

    /// What a failure of a fan-out state comes to: after the retry's wait, `Ok(None)` (run the
    /// attempt again); the catcher's next step; or the failure passed on.
    fn recovered(
        &mut self,
        recovery: Recovery,
        entered: (&State, Millis),
        h: &Handling,
        cur: &mut Cursor,
        input: &mut Value,
        f: Failure,
    ) -> Result<Option<Step>, Stop> {
        match recovery {
            Recovery::Retry(ms) => {
                self.advance(cur, ms)?;
                Ok(None)
            }
            Recovery::Catch(i) => self
                .caught(entered, h, i, std::mem::take(input), &f)
                .map(Some),
            Recovery::Fail => Err(Stop::Fail(f)),
        }
    }

    /// Combines the threads of a Parallel or Map (see the module docs).
    fn settle(&mut self, threads: Vec<Thread>, start: Cursor) -> Settled {
        let first_failure = threads
            .iter()
            .enumerate()
            .filter(|(_, t)| t.result.is_err())
            .min_by_key(|(i, t)| (t.cursor.now, *i))
            .map(|(i, t)| (i, t.cursor.now));
        if let Some((failed, at)) = first_failure {
            for (i, t) in threads.iter().enumerate() {
                if i != failed {
                    self.history.kill_after(t.events.clone(), at);
                }
            }
            self.note_kept(&threads, failed, at);
            let mut threads = threads;
            let t = threads.swap_remove(failed);
            let stop = match t.result {
                Err(s) => s,
                Ok(_) => Stop::Fail(Failure::runtime(
                    "internal: failed thread without a failure",
                )),
            };
            return Settled::Failed(stop, t.cursor);
        }
        let mut end = start;
        let mut outputs = Vec::with_capacity(threads.len());
        // `[` and `]`, and a comma per element.
        let mut bound = 2 + threads.len();
        for t in threads {
            if t.cursor.now >= end.now {
                end = t.cursor;
            }
            if let Ok((v, b)) = t.result {
                outputs.push(v);
                bound = bound.saturating_add(b);
            }
        }
        Settled::Done(outputs, bound, end)
    }

    /// For a redrive of the top-level state that fails here: the outputs of the threads that
    /// ended before the failure. A redrive runs only the others again, or all of them after a
    /// `States.DataLimitExceeded` (API_RedriveExecution; redrive-executions.html).
    fn note_kept(&mut self, threads: &[Thread], failed: usize, at: Millis) {
        if !self.resumable || self.depth != 1 {
            return;
        }
        let limit = matches!(&threads[failed].result,
            Err(Stop::Fail(f)) if f.error.as_deref() == Some(crate::errors::DATA_LIMIT_EXCEEDED));
        if let Some(point) = self.resume.as_mut() {
            point.kept = if limit {
                Vec::new()
            } else {
                threads
                    .iter()
                    .map(|t| match &t.result {
                        Ok((v, _)) if t.cursor.now <= at => Some(v.clone()),
                        _ => None,
                    })
                    .collect()
            };
        }
    }

    /// A redrive's kept outputs for the first attempt of `state`, if it is the redriven one.
    pub(crate) fn take_kept(&mut self, state: &State) -> Option<Vec<Option<Value>>> {
        match &self.kept {
            Some((name, _)) if self.depth == 1 && *name == state.name => {
                self.kept.take().map(|(_, k)| k)
            }
            _ => None,
        }
    }

    /// A branch or iteration that a redrive does not run again: its output from before, at
    /// the attempt's start, with no events.
    pub(crate) fn kept_thread(&self, output: Value, cur: &Cursor, started: Seq) -> Thread {
        let bound =
            crate::engine::size_bound(&output, MAX_PAYLOAD_BYTES).unwrap_or(MAX_PAYLOAD_BYTES);
        let at = self.history.len();
        Thread {
            result: Ok((output, bound)),
            cursor: Cursor {
                now: cur.now,
                last: Some(started),
            },
            events: at..at,
        }
    }

    pub(crate) fn parallel(
        &mut self,
        state: &State,
        p: &Parallel,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Step, Stop> {
        let events = FanOut {
            succeeded: "ParallelStateSucceeded",
            failed: "ParallelStateFailed",
            whole: false,
        };
        self.attempts(
            state,
            &p.handling,
            input,
            cur,
            entered_at,
            events,
            |r, input, retry_count, cur| {
                r.parallel_attempt(state, p, input, retry_count, cur, entered_at)
            },
        )
    }

    /// One attempt: the branch input, `ParallelStateStarted`, then every branch from the same
    /// input and time.
    fn parallel_attempt(
        &mut self,
        state: &State,
        p: &Parallel,
        input: &Value,
        retry_count: u32,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Vec<Thread>, Stop> {
        let branch_input = if state.language == QueryLanguage::Jsonata {
            // JSONata `Arguments` (default: the state input), docs/semantics/jsonata.md §11.4.
            let local =
                crate::data::jsonata::Local::new(&state.name, entered_at, Some(retry_count));
            let states = crate::data::jsonata::States::new(input.clone(), local, None);
            match &p.handling.arguments {
                Some(a) => match self.jsonata_field(a, "Arguments", &states) {
                    Ok(v) => v,
                    // Retried and caught like a branch's failure (docs/semantics/jsonata.md §11.5).
                    Err(f) => return self.failed_evaluation(state, cur, f),
                },
                None => input.clone(),
            }
        } else {
            let ctx =
                Context::new(&self.exec, &state.name, entered_at).with_retry_count(retry_count);
            let effective = state.input_path.apply(input, &ctx)?;
            match &p.handling.parameters {
                Some(t) => t.eval(
                    &Scope {
                        input: &effective,
                        context: &ctx,
                        spares: &self.spares,
                    },
                    &mut self.rng,
                )?,
                None => effective.into_owned(),
            }
        };
        let branch_bound = crate::engine::size_bound(&branch_input, MAX_PAYLOAD_BYTES);
        let started = self.mark(cur, "ParallelStateStarted")?;
        let mut kept = self.take_kept(state).unwrap_or_default();
        let mut threads = Vec::with_capacity(p.branches.len());
        for (i, branch) in p.branches.iter().enumerate() {
            if let Some(output) = kept.get_mut(i).and_then(Option::take) {
                threads.push(self.kept_thread(output, cur, started));
                continue;
            }
            let mut bc = Cursor {
                now: cur.now,
                last: Some(started),
            };
            let first = self.history.len();
            let result = self.run_graph(branch, branch_input.clone(), branch_bound, &mut bc);
            threads.push(Thread {
                result,
                cursor: bc,
                events: first..self.history.len(),
            });
        }
        Ok(threads)
    }
}
