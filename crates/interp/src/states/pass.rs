//! Pass and Succeed states (<https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html>,
//! <https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html>).
//!
//! Pass: InputPath → Parameters → result (`Result` if present — taken literally, `.$` keys
//! included — else the Parameters output) → ResultPath → OutputPath (docs/semantics/data-flow.md §2.1, §2.4).
//! Succeed: InputPath → OutputPath.

use serde_json::Value;

use crate::asl::model::{Pass, QueryLanguage, State};
use crate::data::context::Context;
use crate::data::flow::ResultPath;
use crate::data::template::Scope;
use crate::data::timestamp::Millis;
use crate::engine::{Runner, Stop};
use crate::states::eval_assign;

impl Runner<'_> {
    pub(crate) fn pass(
        &mut self,
        state: &State,
        p: &Pass,
        input: Value,
        entered_at: Millis,
    ) -> Result<Value, Stop> {
        if state.language == QueryLanguage::Jsonata {
            let states = self.jsonata_states(state, input, entered_at);
            self.out_bound = None;
            return Ok(self.jsonata_finish(
                state.output.as_ref(),
                state.assign.as_ref(),
                states,
            )?);
        }
        // The result is the effective input and replaces it: no copy needed, and the output is
        // a part of the input.
        if p.parameters.is_none()
            && p.result.is_none()
            && p.result_path == ResultPath::Replace
            && state.assign.is_none()
        {
            self.out_bound = self.in_bound;
            return self.filter(state, input, entered_at);
        }
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        let effective = state.input_path.apply(&input, &ctx)?;
        let parameters = match &p.parameters {
            Some(t) => Some(t.eval(
                &Scope {
                    input: &effective,
                    context: &ctx,
                    spares: &self.spares,
                },
                &mut self.rng,
            )?),
            None => None,
        };
        let result = match (&p.result, parameters) {
            (Some(r), _) => r.clone(),
            (None, Some(v)) => v,
            (None, None) => effective.into_owned(),
        };
        // `$` in a Pass state's Assign is its result.
        self.assigned = eval_assign(
            state.assign.as_ref(),
            &result,
            &ctx,
            &self.spares,
            &mut self.rng,
        )?;
        let (output, bound) = self.result_path(&p.result_path, input, result, None)?;
        self.out_bound = bound;
        Ok(state.output_path.apply_owned(output, &ctx)?)
    }

    pub(crate) fn succeed(
        &mut self,
        state: &State,
        input: Value,
        entered_at: Millis,
    ) -> Result<Value, Stop> {
        if state.language == QueryLanguage::Jsonata {
            let states = self.jsonata_states(state, input, entered_at);
            return Ok(self.jsonata_finish(state.output.as_ref(), None, states)?);
        }
        self.filter(state, input, entered_at)
    }

    /// InputPath then OutputPath: the whole data flow of Succeed, Wait and Choice.
    pub(crate) fn filter(
        &mut self,
        state: &State,
        input: Value,
        entered_at: Millis,
    ) -> Result<Value, Stop> {
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        let effective = state.input_path.apply_owned(input, &ctx)?;
        Ok(state.output_path.apply_owned(effective, &ctx)?)
    }
}
