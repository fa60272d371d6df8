//! Wait state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html>; docs/semantics/wait.md §9).
//!
//! The wait advances the thread's virtual clock (or sleeps in real-time mode); a timestamp in the
//! past ends the wait at once. Bad `SecondsPath`/`TimestampPath` values are `States.Runtime` with
//! the causes AWS records.

use serde_json::Value;

use crate::asl::model::{State, Wait};
use crate::data::context::Context;
use crate::data::template::shown;
use crate::data::timestamp::{self, Millis};
use crate::data::PathRef;
use crate::engine::{Cursor, Runner, Stop};
use crate::errors::Failure;
use crate::states::eval_assign;

/// AWS refuses waits of 2^31 seconds or more ("24,856 days failed, 24,855 passed").
const MAX_DELAY_SECONDS: i64 = i32::MAX as i64;

impl Runner<'_> {
    pub(crate) fn wait(
        &mut self,
        state: &State,
        w: &Wait,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Value, Stop> {
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        let effective = state.input_path.apply_owned(input, &ctx)?;
        let delay_ms = match w {
            Wait::Seconds(s) => (*s as i64).saturating_mul(1000),
            Wait::Timestamp(t) => t - cur.now,
            Wait::SecondsPath(p) => seconds_from(p, &effective, &ctx)?.saturating_mul(1000),
            Wait::TimestampPath(p) => timestamp_from(p, &effective, &ctx)? - cur.now,
        };
        if delay_ms / 1000 > MAX_DELAY_SECONDS {
            return Err(Failure::runtime("Wait state delay is too long.").into());
        }
        // `$` in a Wait state's Assign is its effective input.
        self.assigned = eval_assign(
            state.assign.as_ref(),
            &effective,
            &ctx,
            &self.spares,
            &mut self.rng,
        )?;
        drop(ctx);
        self.advance(cur, delay_ms.max(0))?;
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        Ok(state.output_path.apply_owned(effective, &ctx)?)
    }
}

fn seconds_from(p: &PathRef, input: &Value, ctx: &Context<'_>) -> Result<i64, Failure> {
    let path = p.text();
    let v = p.select(input, ctx).ok().ok_or_else(|| {
        Failure::runtime(format!(
            "The SecondsPath parameter does not reference an input value: {path}"
        ))
    })?;
    // UNVERIFIED (docs/semantics/wait.md §9): numeric strings are assumed to be read like Java's Long.parseLong.
    let n = match &*v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    let n = n.ok_or_else(|| {
        Failure::runtime(format!(
            "The SecondsPath parameter cannot be parsed as a long value: {path} == {}",
            shown(&v)
        ))
    })?;
    if n < 0 {
        return Err(Failure::runtime(format!(
            "The SecondsPath parameter references a negative value: {path} == {n}"
        )));
    }
    Ok(n)
}

fn timestamp_from(p: &PathRef, input: &Value, ctx: &Context<'_>) -> Result<i64, Failure> {
    let path = p.text();
    let v = p.select(input, ctx).ok().ok_or_else(|| {
        Failure::runtime(format!(
            "The TimestampPath parameter does not reference an input value: {path}"
        ))
    })?;
    v.as_str().and_then(timestamp::parse_millis).ok_or_else(|| {
        Failure::runtime(format!(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {path} == {}",
            shown(&v)
        ))
    })
}
