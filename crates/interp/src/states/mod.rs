//! The state types, one file each (ASL spec "State Types"), plus [`errors`] for Retry and Catch.
//!
//! Each file adds the `Runner` method that runs its state type. A state receives its raw input
//! and returns where the execution goes next with the state's output; the execution loop
//! (`engine`) records the `…Entered`/`…Exited` events around it.

pub mod choice;
pub mod distributed;
pub mod errors;
pub mod fail;
pub mod map;
pub mod parallel;
pub mod pass;
pub mod task;
pub mod wait;

use serde_json::{Map, Value};

use crate::asl::model::{Assign, Handling, QueryLanguage, State, Transition};
use crate::data::context::Context;
use crate::data::jsonata::{self, Payload};
use crate::data::template::{Scope, Spares};
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
        if state.language == QueryLanguage::Jsonata {
            let local = jsonata::Local::new(&state.name, entered_at, Some(retry_count));
            let states = jsonata::States::new(raw_input, local, Some(("result", result)));
            self.assigned = self.jsonata_assign(state.assign.as_ref(), &states)?;
            let output = match &state.output {
                Some(p) => self.jsonata_field(p, "Output", &states)?,
                None => states.extra.map(|(_, r)| r).unwrap_or_default(),
            };
            self.out_bound = None;
            return Ok(match state.next {
                Transition::Next(n) => Step::Next(n, output),
                Transition::End => Step::End(output),
            });
        }
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
        (state, entered_at): (&State, Millis),
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
        if state.language == QueryLanguage::Jsonata {
            let local = jsonata::Local::new(&state.name, entered_at, None);
            let states =
                jsonata::States::new(raw_input, local, Some(("errorOutput", error_output)));
            self.assigned = self.jsonata_assign(c.assign.as_ref(), &states)?;
            let output = match &c.output {
                Some(p) => self.jsonata_field(p, "Output", &states)?,
                None => states.extra.map(|(_, e)| e).unwrap_or_default(),
            };
            self.out_bound = None;
            return Ok(Step::Next(c.next, output));
        }
        // The catcher's Assign replaces the state's own; `$` is the Error Output.
        self.assigned = match &c.assign {
            Some(t) => {
                let ctx = Context::new(&self.exec, &state.name, entered_at);
                eval_assign(Some(t), &error_output, &ctx, &self.spares, &mut self.rng)?
            }
            None => None,
        };
        let (output, bound) = self.result_path(&c.result_path, raw_input, error_output, None)?;
        self.out_bound = bound;
        Ok(Step::Next(c.next, output))
    }
}

impl Runner<'_> {
    /// `$states` of a field that sees the state input and the context object.
    pub(crate) fn jsonata_states(
        &self,
        state: &State,
        input: Value,
        entered_at: Millis,
    ) -> jsonata::States {
        jsonata::States::new(
            input,
            jsonata::Local::new(&state.name, entered_at, None),
            None,
        )
    }

    /// The Output and Assign of a JSONata state without a result (Pass, Succeed, Wait): the
    /// output defaults to the input.
    pub(crate) fn jsonata_finish(
        &mut self,
        output: Option<&Payload>,
        assign: Option<&Assign>,
        states: jsonata::States,
    ) -> Result<Value, Failure> {
        self.assigned = self.jsonata_assign(assign, &states)?;
        match output {
            Some(p) => self.jsonata_field(p, "Output", &states),
            None => Ok(states.input),
        }
    }

    /// Evaluates a JSONata field of the running state with `states` as `$states`.
    pub(crate) fn jsonata_field(
        &mut self,
        p: &Payload,
        field: &str,
        states: &jsonata::States,
    ) -> Result<Value, Failure> {
        let mut scope = jsonata::Scope {
            states,
            execution: &self.exec,
            rng: &mut self.rng,
        };
        p.eval(field, &mut scope)
    }

    /// Evaluates a JSONata `Assign`: the variables to assign when the state exits.
    pub(crate) fn jsonata_assign(
        &mut self,
        assign: Option<&Assign>,
        states: &jsonata::States,
    ) -> Result<Option<Map<String, Value>>, Failure> {
        match assign {
            Some(Assign::Jsonata(p)) => match self.jsonata_field(p, "Assign", states)? {
                Value::Object(values) => Ok(Some(values)),
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }
}

/// Evaluates a JSONPath `Assign` with `value` as its `$` (docs/semantics/variables.md, "`$` in a
/// JSONPath `Assign`"): the variables to assign when the state exits, or `None` without one.
pub(crate) fn eval_assign(
    assign: Option<&Assign>,
    value: &Value,
    ctx: &Context<'_>,
    spares: &Spares,
    rng: &mut dyn rand::RngCore,
) -> Result<Option<Map<String, Value>>, Failure> {
    // A JSONata Assign is evaluated by `Runner::jsonata_assign`; it never reaches here.
    let Some(Assign::Path(t)) = assign else {
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
