//! Every profile loads and generates 200 structurally valid, bounded cases.

mod common;

use aslcheck_generators::{walk, Profile, ProfileError, FIXTURES};
use serde_json::Value;

#[test]
fn every_profile_generates_200_valid_bounded_cases() {
    for name in Profile::builtin_names() {
        let p = common::profile(name);
        assert!(
            !p.description.is_empty(),
            "profile {name} has no description"
        );
        if p.config.invalid {
            // Invalid on purpose: tests/invalid_profile.rs checks each case is rejected with
            // the code its mutation names.
            for case in common::cases(name, 200) {
                assert!(case.mutation.is_some(), "{}", case.id());
            }
            continue;
        }
        for case in common::cases(name, 200) {
            common::assert_valid(&case);
            let cfg = &p.config;
            let n = case.state_count();
            assert!(
                n <= cfg.max_states,
                "{}: {n} states > {}",
                case.id(),
                cfg.max_states
            );
            assert!(
                common::depth(&case.definition) <= cfg.max_depth,
                "{}: too deep",
                case.id()
            );
            assert!(case.input.is_object());
            for s in walk::states(&case.definition) {
                check_bounds(&case.id(), s.state, cfg);
                for (field, expr) in walk::expressions(s.state) {
                    assert!(
                        !expr.starts_with("States.") || !expr.chars().any(char::is_control),
                        "{}: control character in an intrinsic literal in {field}: {expr:?}",
                        case.id()
                    );
                }
            }
            let env = &case.environment;
            for (fixture, arn) in env["fixtures"].as_object().into_iter().flatten() {
                assert!(FIXTURES.contains(&fixture.as_str()));
                assert_eq!(
                    arn.as_str(),
                    Some(aslcheck_generators::fixture_arn(fixture).as_str())
                );
            }
            if cfg.deterministic {
                let nd: Vec<&str> = env["nondeterministic"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                assert!(
                    nd.iter().all(|n| *n == "lambda_error_cause"),
                    "{}: deterministic profile declares {nd:?}",
                    case.id()
                );
            }
        }
    }
}

fn check_bounds(id: &str, state: &Value, cfg: &aslcheck_generators::Config) {
    if let Some(s) = state.get("Seconds").and_then(Value::as_u64) {
        assert!(s <= u64::from(cfg.max_wait_seconds), "{id}: Wait {s}s");
    }
    if let Some(p) = state.get("Parameters") {
        let payload = p.get("Payload").unwrap_or(p);
        if let Some(s) = payload.get("seconds").and_then(Value::as_u64) {
            assert!(
                s <= u64::from(cfg.max_sleep_seconds.max(2)),
                "{id}: sleep {s}s"
            );
        }
    }
    for r in state
        .get("Retry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(i) = r.get("IntervalSeconds").and_then(Value::as_u64) {
            assert!(
                i <= u64::from(cfg.max_retry_interval_seconds),
                "{id}: IntervalSeconds {i}"
            );
        }
    }
}

#[test]
fn deterministic_map_with_failing_iterations_runs_one_at_a_time() {
    // A Fail state directly in a processor always escapes the iteration (nothing in the same
    // graph can catch it), so the Map must run its iterations one at a time.
    for case in common::cases("map", 200) {
        for s in walk::states(&case.definition) {
            if s.state["Type"] != "Map" {
                continue;
            }
            let body = s
                .state
                .get("ItemProcessor")
                .or_else(|| s.state.get("Iterator"));
            let fails = body
                .and_then(|b| b.get("States"))
                .and_then(Value::as_object)
                .is_some_and(|states| states.values().any(|st| st["Type"] == "Fail"));
            if fails {
                assert_eq!(
                    s.state.get("MaxConcurrency"),
                    Some(&Value::from(1)),
                    "{}: {}",
                    case.id(),
                    s.pointer
                );
            }
        }
    }
}

#[test]
fn unknown_profiles_are_reported_with_the_known_names() {
    match Profile::load("no-such-profile") {
        Err(e @ ProfileError::NotFound { .. }) => assert!(e.to_string().contains("paths")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn profiles_load_from_files_and_reject_unknown_fields() {
    let dir = std::env::temp_dir().join(format!("aslcheck-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let good = dir.join("tiny.toml");
    std::fs::write(
        &good,
        "description = \"tiny\"\n[config]\nmax_states = 3\n[config.states]\nparallel = 0\n",
    )
    .unwrap_or_default();
    let p = Profile::load(good.to_str().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name, "tiny");
    assert_eq!(p.config.max_states, 3);
    assert_eq!(p.config.states.parallel, 0);
    assert_eq!(
        p.config.states.pass,
        aslcheck_generators::StateWeights::default().pass
    );
    for seed in 0..50 {
        let c = aslcheck_generators::generate(&p, seed);
        common::assert_valid(&c);
        assert!(c.state_count() <= 3);
    }
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[config]\nmax_sates = 3\n").unwrap_or_default();
    assert!(matches!(
        Profile::load(bad.to_str().unwrap_or_default()),
        Err(ProfileError::Invalid { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extreme_configs_still_give_valid_machines() {
    let mut tiny = aslcheck_generators::Config {
        max_states: 1,
        ..Default::default()
    };
    tiny.intrinsics.clear();
    let mut huge = aslcheck_generators::Config {
        max_states: 60,
        max_depth: 5,
        error_ratio: 0.5,
        deterministic: false,
        ..Default::default()
    };
    huge.odds.indefinite_path = 0.5;
    huge.odds.odd_names = 0.3;
    for (cfg, max) in [(tiny, 1), (huge, 60)] {
        for seed in 0..100 {
            let c = aslcheck_generators::generate_with(&cfg, seed);
            common::assert_valid(&c);
            assert!(c.state_count() <= max);
        }
    }
}
