//! Local properties of the reference interpreter on generated machines (proptest).
//!
//! Case counts keep `cargo test` to seconds; `PROPTEST_CASES=N` scales every property for long
//! runs. Failing seeds are kept in `tests/properties.proptest-regressions` and replayed first.

use aslcheck::asl::parse_definition;
use aslcheck::asl::validate::validate;
use aslcheck::diff::shrink::{shrink, Budget, Subject};
use aslcheck::engine::{run, Outcome, RunOptions, Status};
use aslcheck::harness::laws::history_well_formed as check_history;
use aslcheck_generators::{generate, Profile};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

const PROFILES: [&str; 9] = [
    "paths",
    "intrinsics",
    "choice",
    "errors",
    "map",
    "parallel",
    "all",
    "jsonata",
    "services",
];

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    }
}

fn profile(name: &str) -> Profile {
    Profile::builtin(name).unwrap_or_else(|e| panic!("profile {name}: {e:?}"))
}

fn exec(def: &Value, input: &Value, seed: u64) -> Outcome {
    let d = parse_definition(def.clone())
        .unwrap_or_else(|e| panic!("generated machine is invalid: {e}\n{def:#}"));
    run(
        &d.machine,
        input,
        RunOptions {
            seed,
            history: true,
            ..RunOptions::default()
        },
    )
}

// 100% of generated machines pass our validator (fixed seeds, every profile).
#[test]
fn generated_machines_are_valid() {
    let per_profile = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000 / PROFILES.len() as u64 + 1);
    for name in PROFILES {
        let p = profile(name);
        for seed in 0..per_profile {
            let case = generate(&p, seed);
            let diags = validate(&case.definition);
            assert!(
                diags.is_empty(),
                "{name} seed {seed}: {:?}\n{:#}",
                diags,
                case.definition
            );
        }
    }
}

// The services profile calls DynamoDB, SQS, SNS, S3, ECS and child machines on the resources its
// cases declare, and its `.waitForTaskToken` states are answered by the case's callbacks script;
// it has no deliberate faults and no Fail states: on the reference, with the case's world and
// script, every case succeeds, and a getItem finds the item the world holds.
#[test]
fn services_cases_succeed_on_the_resources_they_declare() {
    let p = profile("services");
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150u64);
    let mut gets = 0;
    for seed in 0..n {
        let case = generate(&p, seed);
        let d = parse_definition(case.definition.clone()).expect("a valid machine");
        let names = aslcheck::asl::state_names(&case.definition);
        let registry = aslcheck::tasks::Registry::from_environment(&case.environment, &names)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let o = run(
            &d.machine,
            &case.input,
            RunOptions {
                seed,
                resources: Box::new(registry),
                // `.waitForTaskToken` states are answered by the case's callbacks script.
                callbacks: match case.environment.get("callbacks") {
                    Some(script) => Box::new(
                        aslcheck::tasks::callbacks::Script::parse(script)
                            .unwrap_or_else(|e| panic!("seed {seed}: {e}")),
                    ),
                    None => Box::new(aslcheck::tasks::callbacks::Silent),
                },
                ..RunOptions::default()
            },
        );
        assert_eq!(
            o.status,
            Status::Succeeded,
            "seed {seed}: {o:?}\n{:#}",
            case.definition
        );
        if case.definition.to_string().contains("dynamodb:getItem") {
            gets += 1;
        }
    }
    assert!(gets > 0, "no case read an item");
}

proptest! {
    #![proptest_config(cases(64))]

    // The interpreter never panics and always ends (the 25,000-event limit bounds every loop);
    // history is well formed.
    #[test]
    fn runs_terminate_with_well_formed_history(case in profile("all").strategy()) {
        let o = exec(&case.definition, &case.input, 1);
        prop_assert!(matches!(o.status, Status::Succeeded | Status::Failed | Status::TimedOut));
        let h = o.history.as_ref().map(|h| h.to_values()).unwrap_or_default();
        prop_assert!(check_history(&h).is_ok(), "{:?}", check_history(&h));
    }

    // Same seed: same output, error, cause and history.
    #[test]
    fn runs_are_deterministic(case in profile("all").strategy(), seed in any::<u64>()) {
        let a = exec(&case.definition, &case.input, seed);
        let b = exec(&case.definition, &case.input, seed);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn every_profile_runs(seed in 0u64..10_000, which in 0usize..PROFILES.len()) {
        let case = generate(&profile(PROFILES[which]), seed);
        let o = exec(&case.definition, &case.input, seed);
        prop_assert!(check_history(&o.history.as_ref().map(|h| h.to_values()).unwrap_or_default()).is_ok());
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        "[a-z]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Values with arbitrary text (escapes, non-ASCII) in strings and keys.
fn text_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
        "[\\x00-\\x1f\"\\\\]{0,4}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,4}", inner), 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-z]{1,3}", json_value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn ok_output(def: Value, input: &Value) -> Value {
    let o = exec(&def, input, 0);
    assert_eq!(o.status, Status::Succeeded, "{o:?}");
    o.output.unwrap_or(Value::Null)
}

proptest! {
    #![proptest_config(cases(64))]

    // Parallel output length = number of branches, in Branches order.
    #[test]
    fn parallel_output_has_one_element_per_branch(n in 1usize..6, input in json_value()) {
        let branches: Vec<Value> = (0..n)
            .map(|i| json!({"StartAt": format!("B{i}"), "States": {format!("B{i}"): {"Type": "Pass", "Result": i, "End": true}}}))
            .collect();
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": branches, "End": true}}});
        let out = ok_output(def, &input);
        prop_assert_eq!(out, Value::Array((0..n).map(Value::from).collect()));
    }

    // Map keeps item order and count, whatever the concurrency.
    #[test]
    fn map_keeps_item_order_and_count(items in prop::collection::vec(json_value(), 0..12), conc in 0u64..4) {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": conc,
            "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": true}}}, "End": true}}});
        let out = ok_output(def, &Value::Array(items.clone()));
        let expected: Vec<Value> = items.iter().enumerate().map(|(i, v)| json!({"i": i, "v": v})).collect();
        prop_assert_eq!(out, Value::Array(expected));
    }

    // ResultPath `$` replaces the input, `null` discards the result, `$.k` adds one member.
    #[test]
    fn result_path_laws(input in object(), result in json_value()) {
        let pass = |rp: Value| json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result.clone(), "ResultPath": rp, "End": true}}});
        prop_assert_eq!(ok_output(pass(json!("$")), &input), result.clone());
        prop_assert_eq!(ok_output(pass(Value::Null), &input), input.clone());
        let mut merged = input.clone();
        merged.as_object_mut().unwrap().insert("k".into(), result.clone());
        prop_assert_eq!(ok_output(pass(json!("$.k")), &input), merged);
    }

    // The payload-size bound never undercounts, so the 256 KiB check decides exactly as
    // measuring the compact JSON text would (docs/semantics/data-flow.md §2.8).
    #[test]
    fn size_bound_never_undercounts(v in text_value(), slack in 0usize..40) {
        use aslcheck::engine::{exceeds, json_size, size_bound};
        let exact = json_size(&v);
        prop_assert_eq!(exact, serde_json::to_string(&v).unwrap().len());
        if let Some(b) = size_bound(&v, usize::MAX) {
            prop_assert!(b >= exact, "bound {} < size {}", b, exact);
        }
        for limit in [exact.saturating_sub(slack), exact, exact + slack] {
            prop_assert_eq!(exceeds(&v, limit), exact > limit, "limit {}", limit);
        }
    }

    // A template whose keys match an object the run has finished with refills it; the output
    // is the same as a freshly built one, key order included.
    #[test]
    fn refilled_templates_match_fresh_ones(a in json_value(), b in json_value()) {
        let def = json!({"StartAt": "P1", "States": {
            "P1": {"Type": "Pass", "Parameters": {"x.$": "$.a", "y.$": "$.b"}, "ResultPath": "$.r", "Next": "P2"},
            "P2": {"Type": "Pass", "Parameters": {"x.$": "$.b", "y.$": "$.a"}, "ResultPath": "$.r", "Next": "P3"},
            "P3": {"Type": "Pass", "Parameters": {"x.$": "$.a", "y.$": "$.b"}, "ResultPath": "$.r", "Next": "P4"},
            "P4": {"Type": "Pass", "Parameters": {"y.$": "$.r.y", "x.$": "$.r.x"}, "ResultPath": "$.s", "End": true}}});
        let input = json!({"a": a.clone(), "b": b.clone()});
        let out = ok_output(def, &input);
        let expected = json!({"a": a.clone(), "b": b.clone(), "r": {"x": a.clone(), "y": b.clone()}, "s": {"y": b, "x": a}});
        prop_assert_eq!(serde_json::to_string(&out).unwrap(), serde_json::to_string(&expected).unwrap());
    }

    // InputPath then OutputPath compose as paths do: `$.a` then `$.b` selects input.a.b.
    #[test]
    fn input_path_then_output_path_compose(inner in json_value(), other in json_value()) {
        let input = json!({"a": {"b": inner.clone(), "c": other}});
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a", "OutputPath": "$.b", "End": true}}});
        prop_assert_eq!(ok_output(def, &input), inner);
    }

    // A retrier runs a task at most MaxAttempts + 1 times.
    #[test]
    fn retriers_run_at_most_max_attempts_plus_one(max in 0u64..5, failures in 0u64..8) {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-flaky",
            "Parameters": {"attempt.$": "$$.State.RetryCount", "failures": failures, "error": "Flaky"},
            "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": max, "IntervalSeconds": 1}], "End": true}}});
        let o = exec(&def, &json!({}), 0);
        let runs = o.history.as_ref().unwrap().iter().filter(|e| e["type"] == "LambdaFunctionScheduled").count() as u64;
        prop_assert!(runs <= max + 1);
        prop_assert_eq!(runs, (failures + 1).min(max + 1));
        prop_assert_eq!(o.status == Status::Succeeded, failures <= max);
    }
}

/// The number of states inside the processor of every Map in a definition.
fn map_processor_sizes(def: &Value) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![def];
    while let Some(v) = stack.pop() {
        if let Some(states) = v.get("States").and_then(Value::as_object) {
            for s in states.values() {
                for k in ["ItemProcessor", "Iterator"] {
                    if let Some(p) = s.get(k) {
                        out.push(
                            p.get("States")
                                .and_then(Value::as_object)
                                .map_or(0, |m| m.len()),
                        );
                        stack.push(p);
                    }
                }
                if let Some(b) = s.get("Branches").and_then(Value::as_array) {
                    stack.extend(b.iter());
                }
            }
        }
    }
    out
}

fn count_states(def: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![def];
    while let Some(v) = stack.pop() {
        if let Some(states) = v.get("States").and_then(Value::as_object) {
            n += states.len();
            for s in states.values() {
                for k in ["ItemProcessor", "Iterator"] {
                    if let Some(p) = s.get(k) {
                        stack.push(p);
                    }
                }
                if let Some(b) = s.get("Branches").and_then(Value::as_array) {
                    stack.extend(b.iter());
                }
            }
        }
    }
    n
}

/// Finds a failing case of "no Map has more than one state" from an RNG seed and minimises it in
/// two stages: the generator's own shrinking (proptest, on its decision lists), then the
/// structural shrinker the differ uses (drops states and fields while the property still fails,
/// keeping the definition valid).
fn shrunk_map_failure(rng: TestRng) -> Value {
    let big_map = |def: &Value| map_processor_sizes(def).into_iter().any(|n| n > 1);
    let mut runner = TestRunner::new_with_rng(
        RunnerConfig {
            cases: 512,
            failure_persistence: None,
            ..RunnerConfig::default()
        },
        rng,
    );
    let result = runner.run(&profile("map").strategy(), |case| {
        prop_assert!(!big_map(&case.definition), "a Map with more than one state");
        Ok(())
    });
    let case = match result {
        Err(proptest::test_runner::TestError::Fail(_, case)) => case,
        other => panic!("expected the property to fail and shrink, got {other:?}"),
    };
    let subject = Subject {
        definition: case.definition,
        input: case.input,
        environment: case.environment,
    };
    let shrunk = shrink(subject, Budget { max_tests: 2000 }, |s: &Subject| {
        big_map(&s.definition)
    });
    let def = shrunk.subject.definition;
    assert!(
        big_map(&def),
        "the shrunk case must still fail the property"
    );
    assert!(
        validate(&def).is_empty(),
        "the shrunk case must stay valid: {def:#}"
    );
    def
}

// Shrinking works: a property that fails on any Map with more than one state shrinks to a
// machine of at most three states.
#[test]
fn shrinking_reduces_a_map_failure_to_three_states() {
    let def = shrunk_map_failure(TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let n = count_states(&def);
    assert!(n <= 3, "shrunk to {n} states:\n{def:#}");
    // And it does so from most starting points, not just one lucky seed.
    let small = (0..10u8)
        .filter(|seed| {
            count_states(&shrunk_map_failure(TestRng::from_seed(
                RngAlgorithm::ChaCha,
                &[*seed; 32],
            ))) <= 3
        })
        .count();
    assert!(
        small >= 8,
        "only {small} of 10 seeds shrank to at most three states"
    );
}
