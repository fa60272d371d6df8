//! Fail state (<https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html>; docs/semantics/errors.md §6.5).
//!
//! `Error`/`Cause` are literal strings; `ErrorPath`/`CausePath` are reference paths on the state
//! input or string-returning intrinsic calls. A path that selects nothing is `States.Runtime` with
//! AWS's cause `The JSONPath '$.x' specified for the field 'ErrorPath' could not be found in the input '<json>'`.

use serde_json::Value;

use crate::asl::model::{Fail, FailField, QueryLanguage, State};
use crate::data::context::Context;
use crate::data::jsonata::unexpected_type;
use crate::data::template::{self, Scope};
use crate::data::timestamp::Millis;
use crate::engine::{Runner, Stop};
use crate::errors::{Failure, Origin};

impl Runner<'_> {
    pub(crate) fn fail(
        &mut self,
        state: &State,
        f: &Fail,
        input: &Value,
        entered_at: Millis,
    ) -> Result<Failure, Stop> {
        if state.language == QueryLanguage::Jsonata {
            let states = self.jsonata_states(state, input.clone(), entered_at);
            let mut text = |field: &FailField, name: &str| -> Result<Option<String>, Failure> {
                match field {
                    FailField::Absent => Ok(None),
                    FailField::Literal(s) => Ok(Some(s.clone())),
                    FailField::Jsonata(p) => match self.jsonata_field(p, name, &states)? {
                        Value::String(s) => Ok(Some(s)),
                        other => Err(unexpected_type(p, name, "string", &other)),
                    },
                    FailField::Path(_) | FailField::Call(_) => {
                        Err(Failure::runtime("a JSONPath Fail field in a JSONata state"))
                    }
                }
            };
            let error = text(&f.error, "Error")?;
            let cause = text(&f.cause, "Cause")?;
            return Ok(Failure {
                error,
                cause,
                origin: Origin::Raised,
                site: None,
            });
        }
        let ctx = Context::new(&self.exec, &state.name, entered_at);
        let scope = Scope {
            input,
            context: &ctx,
            spares: &self.spares,
        };
        let error = field(&f.error, "ErrorPath", &scope, &mut self.rng)?;
        let cause = field(&f.cause, "CausePath", &scope, &mut self.rng)?;
        Ok(Failure {
            error,
            cause,
            origin: Origin::Raised,
            site: None,
        })
    }
}

fn field(
    f: &FailField,
    name: &str,
    scope: &Scope<'_>,
    rng: &mut dyn rand::RngCore,
) -> Result<Option<String>, Failure> {
    let value = match f {
        FailField::Absent => return Ok(None),
        FailField::Literal(s) => return Ok(Some(s.clone())),
        FailField::Path(p) => template::resolve(p, scope)
            .map(|v| v.into_owned())
            .ok_or_else(|| template::not_found(p, name, scope.input))?,
        FailField::Call(c) => template::eval_call(c, name, scope, rng)?,
        FailField::Jsonata(_) => {
            return Err(Failure::runtime("a JSONata Fail field in a JSONPath state"))
        }
    };
    // UNVERIFIED: a path that selects a non-string is assumed to be rendered as JSON text.
    Ok(Some(match value {
        Value::String(s) => s,
        other => template::compact(&other),
    }))
}
