//! Property tests of the intrinsic functions, through the public API only.

use aslcheck::intrinsics::{eval, parse, EvalError};
use proptest::prelude::*;
use serde_json::{Map, Value};

#[path = "support/intrinsics_env.rs"]
mod intrinsics_env;
use intrinsics_env::TestEnv;

fn run(text: &str, input: Value) -> Result<Value, EvalError> {
    let call = parse(text, &mut |p: &str| Ok(p.to_string())).expect("expression must parse");
    eval(&call, &mut TestEnv { input, state: 1 })
}

fn input1(name: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(name.to_string(), value);
    Value::Object(m)
}

/// Arbitrary JSON. Floats are multiples of 1/8 so that their decimal text round-trips exactly
/// through serde_json's parser.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i32>().prop_map(|i| Value::from(f64::from(i) / 8.0)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,6}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn arb_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(("[a-e]{1,2}", arb_json()), 0..8)
        .prop_map(|entries| entries.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn string_to_json_inverts_json_to_string(x in arb_json()) {
        let out = run("States.StringToJson(States.JsonToString($.x))", input1("x", x.clone()));
        prop_assert_eq!(out, Ok(x));
    }

    #[test]
    fn json_to_string_is_compact_json(x in arb_json()) {
        let out = run("States.JsonToString($.x)", input1("x", x.clone())).unwrap();
        let text = out.as_str().unwrap().to_string();
        prop_assert_eq!(&text, &serde_json::to_string(&x).unwrap());
        prop_assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), x);
    }

    #[test]
    fn base64_decode_inverts_encode(s in "\\PC{0,300}") {
        let out = run("States.Base64Decode(States.Base64Encode($.s))", input1("s", Value::String(s.clone())));
        prop_assert_eq!(out, Ok(Value::String(s)));
    }

    #[test]
    fn base64_round_trips_any_unicode(s in any::<String>()) {
        let out = run("States.Base64Decode(States.Base64Encode($.s))", input1("s", Value::String(s.clone())));
        prop_assert_eq!(out, Ok(Value::String(s)));
    }

    #[test]
    fn array_unique_is_idempotent_and_keeps_first_occurrences(
        a in prop::collection::vec(prop_oneof![
            (0i64..4).prop_map(Value::from),
            "[ab]".prop_map(Value::String),
            Just(Value::Null),
            arb_json(),
        ], 0..24)
    ) {
        let once = run("States.ArrayUnique($.a)", input1("a", Value::Array(a.clone()))).unwrap();
        let twice = run("States.ArrayUnique(States.ArrayUnique($.a))", input1("a", Value::Array(a.clone()))).unwrap();
        prop_assert_eq!(&once, &twice);
        // Same as a quadratic first-occurrence filter.
        let mut expected: Vec<Value> = Vec::new();
        for v in &a {
            if !expected.contains(v) {
                expected.push(v.clone());
            }
        }
        prop_assert_eq!(once, Value::Array(expected));
    }

    #[test]
    fn array_partition_chunks_concatenate_to_input(
        a in prop::collection::vec(arb_json(), 0..40),
        n in 1i64..50,
    ) {
        let out = run("States.ArrayPartition($.a, $.n)", {
            let mut m = Map::new();
            m.insert("a".into(), Value::Array(a.clone()));
            m.insert("n".into(), Value::from(n));
            Value::Object(m)
        }).unwrap();
        let chunks = out.as_array().unwrap();
        let size = usize::try_from(n).unwrap();
        let mut joined = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            let chunk = chunk.as_array().unwrap();
            prop_assert!(!chunk.is_empty());
            if i + 1 < chunks.len() {
                prop_assert_eq!(chunk.len(), size);
            } else {
                prop_assert!(chunk.len() <= size);
            }
            joined.extend(chunk.iter().cloned());
        }
        prop_assert_eq!(joined, a.clone());
        prop_assert_eq!(chunks.len(), a.len().div_ceil(size));
    }

    #[test]
    fn json_merge_is_right_biased_and_shallow(a in arb_object(), b in arb_object()) {
        let out = run("States.JsonMerge($.a, $.b, false)", {
            let mut m = Map::new();
            m.insert("a".into(), Value::Object(a.clone()));
            m.insert("b".into(), Value::Object(b.clone()));
            Value::Object(m)
        }).unwrap();
        let merged = out.as_object().unwrap();
        for (k, v) in &b {
            // Right-biased, and shallow: the right value replaces the left one whole.
            prop_assert_eq!(merged.get(k), Some(v));
        }
        for (k, v) in &a {
            if !b.contains_key(k) {
                prop_assert_eq!(merged.get(k), Some(v));
            }
        }
        prop_assert!(merged.keys().all(|k| a.contains_key(k) || b.contains_key(k)));
        // Merging with an empty object changes nothing.
        let same = run("States.JsonMerge($.a, $.b, false)", {
            let mut m = Map::new();
            m.insert("a".into(), Value::Object(a.clone()));
            m.insert("b".into(), Value::Object(Map::new()));
            Value::Object(m)
        }).unwrap();
        prop_assert_eq!(same, Value::Object(a));
    }

    #[test]
    fn array_range_matches_a_reference_model(
        first in -60i64..60, last in -60i64..60, step in prop_oneof![-13i64..0, 1i64..13],
    ) {
        let out = run(&format!("States.ArrayRange({first}, {last}, {step})"), Value::Null).unwrap();
        let mut expected = Vec::new();
        let mut x = first;
        while (step > 0 && x <= last) || (step < 0 && x >= last) {
            expected.push(Value::from(x));
            x += step;
        }
        prop_assert_eq!(out, Value::Array(expected));
    }

    #[test]
    fn math_add_rounds_like_java(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
        // a/4 and b/4 exercise ties (.5) in both directions.
        let x = a as f64 / 4.0;
        let y = b as f64 / 4.0;
        let out = run("States.MathAdd($.x, $.y)", {
            let mut m = Map::new();
            m.insert("x".into(), Value::from(x));
            m.insert("y".into(), Value::from(y));
            Value::Object(m)
        }).unwrap();
        let java_round = |v: f64| (v + 0.5).floor() as i64;
        prop_assert_eq!(out, Value::from(java_round(x) + java_round(y)));
    }

    #[test]
    fn string_split_tokens_rejoin_without_delimiters(s in "[ab,;]{0,30}") {
        let out = run("States.StringSplit($.s, ',;')", input1("s", Value::String(s.clone()))).unwrap();
        let tokens: Vec<String> = out
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        prop_assert!(tokens.iter().all(|t| !t.is_empty() && !t.contains([',', ';'])));
        let stripped: String = s.chars().filter(|c| !matches!(c, ',' | ';')).collect();
        prop_assert_eq!(tokens.concat(), stripped);
    }

    #[test]
    fn math_random_stays_in_range(start in -1000i64..1000, width in 1i64..1000, seed in any::<i64>()) {
        let end = start + width;
        let unseeded = run(&format!("States.MathRandom({start}, {end})"), Value::Null).unwrap();
        let seeded = run(&format!("States.MathRandom({start}, {end}, {seed})"), Value::Null).unwrap();
        let again = run(&format!("States.MathRandom({start}, {end}, {seed})"), Value::Null).unwrap();
        for v in [&unseeded, &seeded] {
            let n = v.as_i64().unwrap();
            prop_assert!(n >= start && n < end);
        }
        prop_assert_eq!(seeded, again);
    }
}
