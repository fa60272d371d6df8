//! Shrinking: a failing property shrinks to a small machine, and every case tried on the way
//! is still valid.

mod common;

use std::sync::Mutex;

use aslcheck_generators::{check, walk, Case};
use proptest::prop_assert;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

/// Runs `property` on a profile's strategy and returns the minimal failing case, checking that
/// every case the shrinker tried was valid.
fn minimal(profile: &str, property: impl Fn(&Case) -> bool) -> Case {
    let config = Config {
        cases: 256,
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let invalid = Mutex::new(Vec::new());
    let tried = Mutex::new(0usize);
    let strategy = common::profile(profile).strategy().boxed();
    let result = runner.run(&strategy, |case| {
        *tried.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        let errs = check::structural_errors(&case.definition);
        if !errs.is_empty() {
            invalid
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((case.id(), errs));
        }
        prop_assert!(property(&case));
        Ok(())
    });
    let invalid = invalid.into_inner().unwrap_or_default();
    assert!(
        invalid.is_empty(),
        "shrinking produced invalid machines: {invalid:#?}"
    );
    match result {
        Err(TestError::Fail(_, case)) => {
            common::assert_valid(&case);
            case
        }
        other => panic!("the property should fail: {other:?}"),
    }
}

fn has(case: &Case, ty: &str) -> bool {
    walk::states(&case.definition)
        .iter()
        .any(|s| s.state["Type"] == ty)
}

#[test]
fn a_map_shrinks_to_a_tiny_machine() {
    let case = minimal("map", |c| !has(c, "Map"));
    assert!(has(&case, "Map"));
    assert!(case.shrunk);
    assert!(
        case.state_count() <= 3,
        "not minimal ({} states):\n{:#}",
        case.state_count(),
        case.definition
    );
    assert!(
        case.input.as_object().is_some_and(|m| m.len() <= 2),
        "input not minimal: {}",
        case.input
    );
}

#[test]
fn a_retry_with_jitter_shrinks_to_one_retrier() {
    let case = minimal("errors", |c| {
        !c.definition.to_string().contains("JitterStrategy")
    });
    assert!(
        case.state_count() <= 3,
        "not minimal:\n{:#}",
        case.definition
    );
    let retriers: usize = walk::states(&case.definition)
        .iter()
        .filter_map(|s| {
            s.state
                .get("Retry")
                .and_then(|r| r.as_array())
                .map(Vec::len)
        })
        .sum();
    assert_eq!(retriers, 1, "{:#}", case.definition);
}

#[test]
fn a_nested_intrinsic_shrinks_to_a_short_expression() {
    let case = minimal("intrinsics", |c| {
        !walk::states(&c.definition)
            .iter()
            .flat_map(|s| walk::expressions(s.state))
            .any(|(_, e)| walk::intrinsic_names(&e).len() >= 2)
    });
    assert!(
        case.state_count() <= 2,
        "not minimal:\n{:#}",
        case.definition
    );
    assert!(
        case.definition.to_string().len() < 600,
        "not minimal:\n{:#}",
        case.definition
    );
}
