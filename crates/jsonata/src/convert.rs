//! The engine's boundary: JSON values in, JSON values out, converted directly (no clone of the
//! input, no pass through a serializer).
//!
//! The rules are the engine's own: a JSON number is an `f64` inside; on the way out an integral
//! `f64` within the `i64` range is an integer, NaN and infinities are `null`, and a function held
//! in an array or object is `""` (the replacer jsonata-js's `$string` uses).

use indexmap::IndexMap;
use jsonata_core::value::{JArray, JValue};
use serde_json::{Map, Number, Value};

/// Red zone and growth step of the stack for deep values (the conversion recurses).
const RED_ZONE: usize = 64 * 1024;
const STACK_STEP: usize = 1024 * 1024;

/// A value bound to a variable for one evaluation, built from borrowed JSON.
pub struct Binding(pub(crate) JValue);

impl Binding {
    /// The JSON value `v`.
    pub fn of(v: &Value) -> Binding {
        Binding(to_engine(v))
    }

    /// An object of the given members, in order.
    pub fn object<'a>(members: impl IntoIterator<Item = (&'a str, Binding)>) -> Binding {
        let m = members
            .into_iter()
            .map(|(k, Binding(v))| (k.to_owned(), v))
            .collect();
        Binding(JValue::object(m))
    }
}

/// JSON → engine value.
pub(crate) fn to_engine(v: &Value) -> JValue {
    match v {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JValue::String(s.as_str().into()),
        Value::Array(items) => stacker::maybe_grow(RED_ZONE, STACK_STEP, || {
            let flat = !items.iter().any(Value::is_array);
            let mut shape: Shape<IndexMap<String, JValue>> = Shape::default();
            let items = items
                .iter()
                .map(|item| match item {
                    Value::Object(m) => match shape.skeleton(m.keys().map(String::as_str)) {
                        Some(skeleton) => {
                            let mut out = skeleton.clone();
                            for (slot, v) in out.values_mut().zip(m.values()) {
                                *slot = to_engine(v);
                            }
                            JValue::object(out)
                        }
                        None => to_engine(item),
                    },
                    other => to_engine(other),
                })
                .collect();
            JValue::Array(JArray::new_flat(items, flat))
        }),
        Value::Object(m) => stacker::maybe_grow(RED_ZONE, STACK_STEP, || {
            JValue::object(m.iter().map(|(k, v)| (k.clone(), to_engine(v))).collect())
        }),
    }
}

/// The key set of the objects of one array: arrays of records mostly repeat the same keys in
/// the same order, and from the second such object on, a prepared map with those keys is cloned
/// and filled rather than built key by key (a clone copies the hash table; no key is hashed).
struct Shape<M> {
    keys: Vec<String>,
    skeleton: Option<M>,
}

impl<M> Default for Shape<M> {
    fn default() -> Self {
        Shape {
            keys: Vec::new(),
            skeleton: None,
        }
    }
}

impl<M: Skeleton> Shape<M> {
    /// The prepared map when `keys` are those of the previous object; otherwise remembers them.
    fn skeleton<'k>(&mut self, keys: impl ExactSizeIterator<Item = &'k str> + Clone) -> Option<&M> {
        let same =
            keys.len() == self.keys.len() && keys.clone().eq(self.keys.iter().map(String::as_str));
        if !same {
            self.keys = keys.map(str::to_owned).collect();
            self.skeleton = None;
            return None;
        }
        Some(
            self.skeleton
                .get_or_insert_with(|| M::with_keys(&self.keys)),
        )
    }
}

trait Skeleton {
    fn with_keys(keys: &[String]) -> Self;
}

impl Skeleton for IndexMap<String, JValue> {
    fn with_keys(keys: &[String]) -> Self {
        keys.iter().map(|k| (k.clone(), JValue::Null)).collect()
    }
}

impl Skeleton for Map<String, Value> {
    fn with_keys(keys: &[String]) -> Self {
        keys.iter().map(|k| (k.clone(), Value::Null)).collect()
    }
}

/// Engine value → JSON (undefined, where it can occur inside a result, is `null`).
pub(crate) fn from_engine(v: &JValue) -> Value {
    match v {
        JValue::Null | JValue::Undefined => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number(*n),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => stacker::maybe_grow(RED_ZONE, STACK_STEP, || {
            let mut shape: Shape<Map<String, Value>> = Shape::default();
            let items = items
                .iter()
                .map(|item| match item {
                    JValue::Object(m) => match shape.skeleton(m.keys().map(String::as_str)) {
                        Some(skeleton) => {
                            let mut out = skeleton.clone();
                            for (slot, v) in out.values_mut().zip(m.values()) {
                                *slot = from_engine(v);
                            }
                            Value::Object(out)
                        }
                        None => from_engine(item),
                    },
                    other => from_engine(other),
                })
                .collect();
            Value::Array(items)
        }),
        JValue::Object(m) => stacker::maybe_grow(RED_ZONE, STACK_STEP, || {
            let mut out = Map::with_capacity(m.len());
            for (k, v) in m.iter() {
                out.insert(k.clone(), from_engine(v));
            }
            Value::Object(out)
        }),
        JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
            Value::String(String::new())
        }
    }
}

fn number(n: f64) -> Value {
    if !n.is_finite() {
        Value::Null
    } else if n.fract() == 0.0 && n >= i64::MIN as f64 && n <= i64::MAX as f64 {
        Value::Number((n as i64).into())
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The direct conversion gives what the engine's serializer gives.
    #[test]
    fn round_trip_matches_the_serializer() {
        let v = json!({"a": [1, 2.5, -0.0, 1e300, [true, null]], "b": "s", "c": {"d": {}}});
        let j = to_engine(&v);
        assert_eq!(from_engine(&j), serde_json::to_value(&j).unwrap());
        assert_eq!(
            from_engine(&j),
            json!({"a": [1, 2.5, 0, 1e300, [true, null]], "b": "s", "c": {"d": {}}})
        );
    }

    /// Arrays of records (the prepared-map path) and of mixed shapes convert like single values.
    #[test]
    fn arrays_of_records_keep_keys_values_and_order() {
        let v = json!([
            {"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"b": 3, "a": 4}, {"a": 5},
            {"a": 6, "b": [{"c": 1}, {"c": 2}]}, {"a": 7, "b": {"d": null}}, 8, {"a": 9, "b": 10}
        ]);
        let j = to_engine(&v);
        assert_eq!(serde_json::to_value(&j).unwrap(), v);
        assert_eq!(from_engine(&j), v);
        let back = from_engine(&j);
        let keys: Vec<Vec<&str>> = match &back {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| {
                    i.as_object()
                        .map(|m| m.keys().map(String::as_str).collect())
                })
                .collect(),
            _ => unreachable!(),
        };
        assert_eq!(keys[2], ["b", "a"]);
    }

    #[test]
    fn non_finite_numbers_are_null_and_integral_floats_integers() {
        assert_eq!(from_engine(&JValue::Number(f64::NAN)), Value::Null);
        assert_eq!(from_engine(&JValue::Number(3.0)), json!(3));
        assert_eq!(from_engine(&JValue::Number(3.5)), json!(3.5));
    }

    #[test]
    fn deep_values_do_not_overflow_the_stack() {
        let mut v = json!(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        let j = to_engine(&v);
        let back = from_engine(&j);
        // Drop iteratively: serde_json's Value drop recurses.
        let mut cur = back;
        let mut depth = 0;
        while let Value::Array(mut items) = cur {
            cur = items.pop().unwrap_or(Value::Null);
            depth += 1;
        }
        assert_eq!(depth, 100_000);
        let mut cur = v;
        while let Value::Array(mut items) = cur {
            cur = items.pop().unwrap_or(Value::Null);
        }
        drop(j);
    }
}
