//! Wait state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html>; docs/semantics/wait.md §9).
//!
//! The wait advances the thread's virtual clock (or sleeps in real-time mode); a timestamp in the
//! past ends the wait at once. Bad `SecondsPath`/`TimestampPath` values are `States.Runtime` with
//! the causes AWS records.

use serde_json::Value;

use crate::asl::model::{QueryLanguage, State, Wait};
use crate::data::context::Context;
use crate::data::jsonata::{query_error, unexpected_type};
use crate::data::template::compact;
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
        if state.language == QueryLanguage::Jsonata {
            return self.wait_jsonata(state, w, input, cur, entered_at);
        }
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        let effective = state.input_path.apply_owned(input, &ctx)?;
        let delay_ms = match w {
            Wait::Seconds(s) => (*s as i64).saturating_mul(1000),
            Wait::Timestamp(t) => t - cur.now,
            Wait::SecondsPath(p) => seconds_from(p, &effective, &ctx)?.saturating_mul(1000),
            Wait::TimestampPath(p) => timestamp_from(p, &effective, &ctx)? - cur.now,
            Wait::SecondsExpr(_) | Wait::TimestampExpr(_) => {
                return Err(Failure::runtime("a JSONata Wait field in a JSONPath state").into())
            }
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

impl Runner<'_> {
    /// A JSONata Wait: `Seconds` (an integer or an expression giving one) or `Timestamp`, then
    /// Output and Assign (docs/semantics/jsonata.md §11.4).
    fn wait_jsonata(
        &mut self,
        state: &State,
        w: &Wait,
        input: Value,
        cur: &mut Cursor,
        entered_at: Millis,
    ) -> Result<Value, Stop> {
        let states = self.jsonata_states(state, input, entered_at);
        let delay_ms = match w {
            Wait::Seconds(s) => (*s as i64).saturating_mul(1000),
            Wait::Timestamp(t) => t - cur.now,
            Wait::SecondsExpr(p) => {
                let v = self.jsonata_field(p, "Seconds", &states)?;
                // UNVERIFIED: the cause for a value that is not a non-negative integer.
                let seconds = v
                    .as_u64()
                    .or_else(|| {
                        v.as_f64()
                            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                            .map(|f| f as u64)
                    })
                    .ok_or_else(|| unexpected_type(p, "Seconds", "integer", &v))?;
                (seconds as i64).saturating_mul(1000)
            }
            Wait::TimestampExpr(p) => {
                let v = self.jsonata_field(p, "Timestamp", &states)?;
                let parsed = v.as_str().and_then(timestamp::parse_millis);
                match parsed {
                    Some(t) => t - cur.now,
                    // Recorded: `The Timestamp field cannot be parsed as an ISO-8601 extended
                    // offset date-time format string: <value>` (the string without quotes).
                    None => {
                        let shown = match &v {
                            Value::String(s) => s.clone(),
                            other => compact(other),
                        };
                        return Err(query_error(
                            None,
                            format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {shown}"
                        ))
                        .into());
                    }
                }
            }
            Wait::SecondsPath(_) | Wait::TimestampPath(_) => {
                return Err(Failure::runtime("a JSONPath Wait field in a JSONata state").into())
            }
        };
        if delay_ms / 1000 > MAX_DELAY_SECONDS {
            return Err(Failure::runtime("Wait state delay is too long.").into());
        }
        self.advance(cur, delay_ms.max(0))?;
        Ok(self.jsonata_finish(state.output.as_ref(), state.assign.as_ref(), states)?)
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
