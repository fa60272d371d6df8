//! The state types, one file each (ASL spec "State Types"), plus [`errors`] for Retry and Catch.
//!
//! Each file adds the `Runner` method that runs its state type. A state receives its raw input
//! and returns where the execution goes next with the state's output; the execution loop
//! (`engine`) records the `…Entered`/`…Exited` events around it.

pub mod choice;
pub mod errors;
pub mod fail;
pub mod map;
pub mod parallel;
pub mod pass;
pub mod task;
pub mod wait;

use serde_json::{Map, Value};

use crate::asl::model::{Handling, State, Transition};
use crate::data::context::Context;
use crate::data::template::{Scope, Spares, Template};
use crate::data::timestamp::Millis;
use crate::engine::{Runner, Step, Stop};
use crate::errors::Failure;

impl Runner<'_> {
    /// ResultSelector → ResultPath → OutputPath for Task, Parallel and Map (docs/semantics/data-flow.md §2.1).
    /// `result_bound`: an upper bound of the result's size, when the caller knows one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn complete(
        &mut self,
        state: &State,
        h: &Handling,
        raw_input: Value,
        result: Value,
        result_bound: Option<usize>,
        entered_at: Millis,
        retry_count: u32,
    ) -> Result<Step, Stop> {
        let ctx = Context::new(&self.exec, &state.name, entered_at).with_retry_count(retry_count);
        // `$` in the Assign of a Task, Parallel or Map is the raw result.
        self.assigned = eval_assign(
            state.assign.as_ref(),
            &result,
            &ctx,
            &self.spares,
            &mut self.rng,
        )?;
        let (selected, result_bound) = match &h.result_selector {
            Some(t) => (
                t.eval(
                    &Scope {
                        input: &result,
                        context: &ctx,
                        spares: &self.spares,
                    },
                    &mut self.rng,
                )?,
                None,
            ),
            None => (result, result_bound),
        };
        let (output, bound) =
            self.result_path(&h.result_path, raw_input, selected, result_bound)?;
        self.out_bound = bound;
        let output = state.output_path.apply_owned(output, &ctx)?;
        Ok(match state.next {
            Transition::Next(n) => Step::Next(n, output),
            Transition::End => Step::End(output),
        })
    }

    /// The output of a firing catcher: the Error Output placed into the raw input by the
    /// catcher's ResultPath; the state's own ResultSelector/ResultPath/OutputPath are skipped (§2.6).
    pub(crate) fn caught(
        &mut self,
        (state_name, entered_at): (&str, Millis),
        h: &Handling,
        catcher: usize,
        raw_input: Value,
        f: &Failure,
    ) -> Result<Step, Stop> {
        let c = h
            .catch
            .get(catcher)
            .ok_or_else(|| Failure::runtime("catcher index out of range"))?;
        let error_output = f.error_output();
        // The catcher's Assign replaces the state's own; `$` is the Error Output.
        self.assigned = match &c.assign {
            Some(t) => {
                let ctx = Context::new(&self.exec, state_name, entered_at);
                eval_assign(Some(t), &error_output, &ctx, &self.spares, &mut self.rng)?
            }
            None => None,
        };
        let (output, bound) = self.result_path(&c.result_path, raw_input, error_output, None)?;
        self.out_bound = bound;
        Ok(Step::Next(c.next, output))
    }
}

/// Evaluates a JSONPath `Assign` with `value` as its `$` (docs/semantics/variables.md, "`$` in a
/// JSONPath `Assign`"): the variables to assign when the state exits, or `None` without one.
pub(crate) fn eval_assign(
    assign: Option<&Template>,
    value: &Value,
    ctx: &Context<'_>,
    spares: &Spares,
    rng: &mut dyn rand::RngCore,
) -> Result<Option<Map<String, Value>>, Failure> {
    let Some(t) = assign else {
        return Ok(None);
    };
    let scope = Scope {
        input: value,
        context: ctx,
        spares,
    };
    match t.eval(&scope, rng)? {
        Value::Object(values) => Ok(Some(values)),
        // The validator accepts only objects; a compiled literal that is not one assigns nothing.
        _ => Ok(None),
    }
}
