//! Same profile and seed → same case; the proptest strategy is deterministic for a runner seed.

mod common;

use aslcheck_generators::{generate, Profile};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

#[test]
fn same_seed_same_case() {
    for name in Profile::builtin_names() {
        let p = common::profile(name);
        for seed in [0, 1, 7, 12345, u64::MAX] {
            let a = generate(&p, seed);
            let b = generate(&p, seed);
            assert_eq!(a, b, "profile {name}, seed {seed}");
            assert_eq!(a.to_json(), b.to_json());
            assert_eq!(a.seed, seed);
            assert_eq!(a.profile, name);
            assert_eq!(a.generator_version, aslcheck_generators::VERSION);
        }
    }
}

#[test]
fn different_seeds_differ() {
    let p = common::profile("all");
    let distinct: std::collections::HashSet<String> = (0..50)
        .map(|s| generate(&p, s).definition.to_string())
        .collect();
    assert!(
        distinct.len() >= 45,
        "only {} distinct definitions in 50 seeds",
        distinct.len()
    );
}

#[test]
fn the_definition_names_its_origin() {
    let case = generate(&common::profile("errors"), 99);
    let comment = case.definition["Comment"].as_str().unwrap_or_default();
    assert!(
        comment.contains("profile errors") && comment.contains("seed 99"),
        "{comment}"
    );
    let json = case.to_json();
    assert_eq!(json["generator"]["seed"], 99);
    assert_eq!(json["generator"]["profile"], "errors");
    assert!(json["generator"]["config"]["max_states"].is_u64());
}

#[test]
fn strategy_is_deterministic_for_a_runner_seed() {
    let make = || {
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let strategy = common::profile("all").strategy();
        (0..5)
            .map(|_| strategy.new_tree(&mut runner).map(|t| t.current()))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_default()
    };
    let (a, b) = (make(), make());
    assert_eq!(a.len(), 5);
    assert_eq!(a, b);
    // A strategy case is reproducible from its seed.
    let again = generate(&common::profile("all"), a[0].seed);
    assert_eq!(again.definition, a[0].definition);
}

#[test]
fn swarm_varies_the_config_per_case() {
    let cases = common::cases("swarm", 20);
    let configs: std::collections::HashSet<String> = cases
        .iter()
        .map(|c| serde_json::to_string(&c.config).unwrap_or_default())
        .collect();
    assert!(
        configs.len() > 10,
        "swarm drew only {} distinct configs",
        configs.len()
    );
    assert!(cases.iter().all(|c| !c.config.swarm));
}
