//! `Config::fit`: cases generated from a fitted config use nothing the implementation lacks.

use aslcheck_generators::{fixture_arn, generate, Profile, FIXTURES};

fn uses_fixtures(text: &str) -> bool {
    FIXTURES.iter().any(|f| text.contains(&fixture_arn(f)))
}

#[test]
fn without_fixtures_no_case_calls_a_fixture_lambda() {
    for name in ["swarm", "all", "errors", "jsonata", "map"] {
        let mut p = Profile::builtin(name).unwrap();
        let before = (0..60).filter(|s| uses_fixtures(&generate(&p, *s).definition.to_string()));
        assert!(before.count() > 0, "{name} calls fixtures unfitted");
        let notes = p.config.fit(false, true, true, true);
        assert!(!notes.is_empty(), "{name}");
        for seed in 0..200 {
            let c = generate(&p, seed);
            let text = c.definition.to_string();
            assert!(!uses_fixtures(&text), "{name} seed {seed}: {text}");
        }
    }
}

#[test]
fn without_fixtures_the_services_profile_calls_services() {
    let mut p = Profile::builtin("services").unwrap();
    p.config.fit(false, true, true, true);
    let mut services = 0;
    for seed in 0..100 {
        let text = generate(&p, seed).definition.to_string();
        assert!(!uses_fixtures(&text), "seed {seed}: {text}");
        if text.contains("arn:aws:states:::") {
            services += 1;
        }
    }
    assert!(services > 50, "{services} of 100 cases call a service");
}

#[test]
fn without_jsonata_or_resources_neither_appears() {
    let mut p = Profile::builtin("jsonata").unwrap();
    p.config.fit(true, true, false, true);
    for seed in 0..100 {
        let text = generate(&p, seed).definition.to_string();
        assert!(!text.contains("JSONata"), "seed {seed}: {text}");
    }
    let mut p = Profile::builtin("services").unwrap();
    p.config.fit(true, false, true, true);
    for seed in 0..100 {
        let c = generate(&p, seed);
        let text = c.definition.to_string();
        for service in ["dynamodb:", "sqs:", "sns:", "s3:"] {
            assert!(!text.contains(service), "seed {seed}: {text}");
        }
    }
}

#[test]
fn without_variables_nothing_is_assigned() {
    for name in ["all", "swarm", "jsonata"] {
        let mut p = Profile::builtin(name).unwrap();
        let before = (0..100).filter(|s| {
            generate(&p, *s)
                .definition
                .to_string()
                .contains("\"Assign\"")
        });
        assert!(before.count() > 0, "{name} assigns unfitted");
        p.config.fit(true, true, true, false);
        for seed in 0..200 {
            let text = generate(&p, seed).definition.to_string();
            assert!(!text.contains("\"Assign\""), "{name} seed {seed}: {text}");
        }
    }
}

#[test]
fn callbacks_and_ecs_appear_only_where_they_can_run() {
    let mut p = Profile::builtin("services").unwrap();
    let count = |p: &Profile, what: &str| {
        (0..300)
            .filter(|s| generate(p, *s).definition.to_string().contains(what))
            .count()
    };
    let waits = count(&p, ".waitForTaskToken");
    let ecs = count(&p, "ecs:runTask.sync");
    assert!(
        waits > 0 && ecs > 0,
        "unfitted: {waits} waits, {ecs} ECS tasks"
    );
    // Every waiting state has an answer in the case's callbacks script.
    for seed in 0..300 {
        let c = generate(&p, seed);
        let text = c.definition.to_string();
        if text.contains(".waitForTaskToken") {
            let script = &c.environment["callbacks"]["Callbacks"];
            assert!(
                script.as_array().is_some_and(|a| !a.is_empty()),
                "seed {seed}: no callbacks for {text}"
            );
        }
    }
    let notes = p.config.fit_services(false, false);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(count(&p, ".waitForTaskToken"), 0);
    assert_eq!(count(&p, "ecs:runTask"), 0);
}
