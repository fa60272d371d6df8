//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector` (ASL spec "Payload Template";
//! docs/semantics/data-flow.md §2.4; <https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html>).
//!
//! Every key ending in `.$`, at any depth (objects inside arrays included), is replaced by the key
//! without the suffix; its value is a path on the state data (`$…`), on the context object (`$$…`),
//! or an intrinsic function call. Other keys and values are copied literally — a string that looks
//! like a path stays a string. A template is compiled once when the definition is loaded.
//!
//! An object template fills either a copy of its pre-hashed keys or, when the execution has just
//! finished with an object of exactly the same keys in the same order, that object ([`Spares`]).

use std::borrow::Cow;
use std::cell::RefCell;

use rand::RngCore;
use serde_json::{Map, Value};

use super::context::Context;
use super::PathRef;
use crate::errors::{Failure, RUNTIME};
use crate::intrinsics::{self, Call, EvalError};

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A subtree without `.$` keys, copied as is.
    Literal(Value),
    /// The output keys, already hashed into a map (values null) that each evaluation copies and
    /// fills in order, so evaluating a template hashes no keys.
    Object {
        keys: Map<String, Value>,
        fields: Vec<Template>,
    },
    Array(Vec<Template>),
    /// `"key.$": "$.path"`; `field` is the key as written (with `.$`).
    Path {
        field: String,
        path: PathRef,
    },
    /// `"key.$": "States.Format(…)"`.
    Call {
        field: String,
        call: Call<PathRef>,
    },
}

/// What a template is evaluated against.
pub struct Scope<'a> {
    /// `$`: the effective input (Parameters, ItemSelector) or the raw result (ResultSelector).
    pub input: &'a Value,
    pub context: &'a Context<'a>,
    /// Objects the execution no longer uses, for a template to fill instead of building anew.
    pub spares: &'a Spares,
}

/// A few objects an execution has finished with, kept so that a template whose output has the
/// same keys in the same order can overwrite their values instead of allocating a new object
/// (a loop or a chain of states that rewrites the same fields builds one object per state).
/// Only the objects themselves are kept; their values are dropped when they are put aside.
#[derive(Debug, Default)]
pub struct Spares(RefCell<Vec<Map<String, Value>>>);

impl Spares {
    /// How many objects are kept at most, and how many keys each may have.
    const OBJECTS: usize = 4;
    const KEYS: usize = 16;

    /// Puts `value` aside if it is a small object and there is room; otherwise drops it.
    pub fn keep(&self, value: Value) {
        if let Value::Object(mut map) = value {
            if (1..=Self::KEYS).contains(&map.len()) {
                let mut kept = self.0.borrow_mut();
                if kept.len() < Self::OBJECTS {
                    for v in map.values_mut() {
                        *v = Value::Null;
                    }
                    kept.push(map);
                }
            }
        }
    }

    /// A kept object with exactly `keys`' keys in the same order, if there is one.
    fn take_like(&self, keys: &Map<String, Value>) -> Option<Map<String, Value>> {
        let mut kept = self.0.borrow_mut();
        let i = kept
            .iter()
            .position(|m| m.len() == keys.len() && m.keys().eq(keys.keys()))?;
        Some(kept.swap_remove(i))
    }
}

impl Template {
    /// Compiles a template object. Errors name the offending key, as AWS's
    /// `The value for the field 'k.$' must be a valid JSONPath or a valid intrinsic function call`.
    pub fn compile(value: &Value) -> Result<Template, String> {
        match value {
            Value::Object(map) => {
                if !has_dynamic(value) {
                    return Ok(Template::Literal(value.clone()));
                }
                let mut keys = Map::with_capacity(map.len());
                let mut fields = Vec::with_capacity(map.len());
                for (key, v) in map {
                    let (name, field) = match key.strip_suffix(".$") {
                        Some(stripped) => {
                            let text = v.as_str().ok_or_else(|| invalid_dynamic(key))?;
                            (stripped.to_string(), compile_dynamic(key, text)?)
                        }
                        None => (key.clone(), Template::compile(v)?),
                    };
                    if keys.insert(name.clone(), Value::Null).is_some() {
                        return Err(format!(
                            "The field '{name}' appears twice after '.$' suffixes are removed"
                        ));
                    }
                    fields.push(field);
                }
                Ok(Template::Object { keys, fields })
            }
            Value::Array(items) if has_dynamic(value) => Ok(Template::Array(
                items
                    .iter()
                    .map(Template::compile)
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(Template::Literal(other.clone())),
        }
    }

    /// Evaluates the template.
    pub fn eval(&self, scope: &Scope<'_>, rng: &mut dyn RngCore) -> Result<Value, Failure> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Object { keys, fields } => {
                let mut out = match scope.spares.take_like(keys) {
                    Some(spare) => spare,
                    None => keys.clone(),
                };
                for ((_, slot), t) in out.iter_mut().zip(fields) {
                    *slot = t.eval(scope, rng)?;
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => items
                .iter()
                .map(|t| t.eval(scope, rng))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Template::Path { field, path } => match resolve(path, scope) {
                Some(value) => Ok(value.into_owned()),
                // An indefinite path (`[*]`, a slice, `..`, a filter, a union) in a `.$` value
                // that cannot be followed gives an empty array, not an error: recorded AWS runs
                // `test_json_path_array_wildcard_or_slice_with_no_input` (2025-04), e.g.
                // `"item.$": "$.item.items[*]"` on `{}` → `{"item": []}` (docs/semantics/data-flow.md §2.3).
                None if !is_definite(path) => Ok(Value::Array(Vec::new())),
                None => Err(not_found(path, field, scope.input)),
            },
            Template::Call { field, call } => eval_call(call, field, scope, rng),
        }
    }
}

/// Compiles the value of one `.$` key: a path or an intrinsic call.
pub fn compile_dynamic(field: &str, text: &str) -> Result<Template, String> {
    if text.starts_with('$') {
        let path = PathRef::compile(text).map_err(|_| invalid_dynamic(field))?;
        Ok(Template::Path {
            field: field.to_string(),
            path,
        })
    } else {
        let call = intrinsics::parse(text, &mut |p| PathRef::compile(p).map_err(|e| e.message))
            .map_err(|_| invalid_dynamic(field))?;
        Ok(Template::Call {
            field: field.to_string(),
            call,
        })
    }
}

fn invalid_dynamic(field: &str) -> String {
    format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call")
}

fn has_dynamic(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| k.ends_with(".$") || has_dynamic(v)),
        Value::Array(items) => items.iter().any(has_dynamic),
        _ => false,
    }
}

/// Resolves a path on the scope; `None` when a definite path selects nothing.
pub fn resolve<'a>(path: &PathRef, scope: &'a Scope<'a>) -> Option<Cow<'a, Value>> {
    path.select(scope.input, scope.context).ok()
}

/// Jayway's definiteness of the path, whether on the state data or the context object.
fn is_definite(path: &PathRef) -> bool {
    match path {
        PathRef::Input(p)
        | PathRef::Context { path: p, .. }
        | PathRef::Variable { path: p, .. } => p.is_definite(),
    }
}

/// AWS: `The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '<json>'` (§2.5).
pub fn not_found(path: &PathRef, field: &str, input: &Value) -> Failure {
    Failure::runtime(format!(
        "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
        path.text(),
        field,
        compact(input)
    ))
}

/// A value as AWS shows it inside a cause: strings raw, anything else as compact JSON.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => compact(other),
    }
}

/// Compact JSON text, as AWS prints values in causes.
pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Evaluates an intrinsic call in a template field (or a Fail `ErrorPath`/`CausePath`).
pub fn eval_call(
    call: &Call<PathRef>,
    field: &str,
    scope: &Scope<'_>,
    rng: &mut dyn RngCore,
) -> Result<Value, Failure> {
    let mut env = CallEnv { scope, field, rng };
    intrinsics::eval(call, &mut env).map_err(|e| {
        if e.error == RUNTIME {
            Failure::runtime(e.cause)
        } else {
            Failure::raised(e.error, e.cause)
        }
    })
}

struct CallEnv<'s, 'a, 'r> {
    scope: &'s Scope<'a>,
    field: &'s str,
    rng: &'r mut dyn RngCore,
}

impl intrinsics::Env<PathRef> for CallEnv<'_, '_, '_> {
    fn resolve(&mut self, path: &PathRef) -> Result<Value, EvalError> {
        // UNVERIFIED (docs/semantics/intrinsics.md §4.3): a path argument that selects nothing is assumed to fail
        // like a `.$` field does.
        resolve(path, self.scope)
            .map(Cow::into_owned)
            .ok_or_else(|| {
                let f = not_found(path, self.field, self.scope.input);
                EvalError {
                    error: RUNTIME.to_string(),
                    cause: f.cause.unwrap_or_default(),
                }
            })
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::context::ExecutionContext;
    use rand::SeedableRng;
    use serde_json::json;

    fn eval_with(template: &Value, input: &Value, spares: &Spares) -> Value {
        let t = Template::compile(template).expect("template compiles");
        let exec = ExecutionContext::new(
            "us-east-1".into(),
            "123456789012".into(),
            "m".into(),
            Some("e".into()),
            0,
            input,
            0,
        );
        let ctx = Context::new(&exec, "S", 0);
        let scope = Scope {
            input,
            context: &ctx,
            spares,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        t.eval(&scope, &mut rng).expect("template evaluates")
    }

    /// A kept object with the same keys is filled with the new values, in the template's order.
    #[test]
    fn a_spare_with_the_same_keys_is_refilled() {
        let spares = Spares::default();
        spares.keep(json!({"a": "old", "b": [1, 2], "c": {"deep": true}}));
        let out = eval_with(
            &json!({"a.$": "$.x", "b": 5, "c.$": "$.y"}),
            &json!({"x": "new", "y": [3]}),
            &spares,
        );
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            r#"{"a":"new","b":5,"c":[3]}"#
        );
        assert!(spares.0.borrow().is_empty(), "the spare was used");
    }

    /// Same keys in another order, or other keys, are not reused: the output's key order is the
    /// template's.
    #[test]
    fn a_spare_with_other_keys_or_order_is_not_used() {
        let spares = Spares::default();
        spares.keep(json!({"b": 1, "a": 2}));
        spares.keep(json!({"a": 1}));
        let out = eval_with(&json!({"a.$": "$.x", "b": 5}), &json!({"x": 0}), &spares);
        assert_eq!(serde_json::to_string(&out).unwrap(), r#"{"a":0,"b":5}"#);
        assert_eq!(spares.0.borrow().len(), 2);
    }

    /// An indefinite `.$` path that cannot be followed gives `[]` (recorded AWS runs
    /// `test_json_path_array_wildcard_or_slice_with_no_input`); a definite one still fails.
    #[test]
    fn an_unfollowable_indefinite_path_gives_an_empty_array() {
        let spares = Spares::default();
        for path in [
            "$.item.items[*]",
            "$.items[1:]",
            "$.items[:1].v",
            "$..x",
            "$.a[?(@.b)]",
        ] {
            let out = eval_with(&json!({"item.$": path}), &json!({}), &spares);
            assert_eq!(out, json!({"item": []}), "{path}");
        }
        let t = Template::compile(&json!({"item.$": "$.item.items"})).expect("compiles");
        let exec = ExecutionContext::new(
            "us-east-1".into(),
            "123456789012".into(),
            "m".into(),
            Some("e".into()),
            0,
            &Value::Null,
            0,
        );
        let ctx = Context::new(&exec, "S", 0);
        let input = json!({});
        let scope = Scope {
            input: &input,
            context: &ctx,
            spares: &spares,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        assert!(t.eval(&scope, &mut rng).is_err());
    }

    /// Only a few small objects are kept, and their values are dropped at once.
    #[test]
    fn spares_are_bounded_and_hold_no_values() {
        let spares = Spares::default();
        for i in 0..10 {
            spares.keep(json!({ "k": "x".repeat(1000 + i) }));
        }
        spares.keep(json!([1, 2, 3]));
        spares.keep(json!({}));
        let kept = spares.0.borrow();
        assert_eq!(kept.len(), Spares::OBJECTS);
        assert!(kept.iter().all(|m| m.values().all(Value::is_null)));
    }
}
