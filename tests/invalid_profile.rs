//! The `invalid` profile: every case is a generated machine with one deliberate definition
//! error, tagged with the code AWS reports at creation (generators/src/mutate.rs). The
//! reference rejects each with that code, and `diff` finds an implementation that accepts what
//! AWS rejects (the aws-local-stepfunctions adapter, `adapters/`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use aslcheck::backend::reference::Reference;
use aslcheck::backend::{Backend, Mode, Observation, Request};
use aslcheck_generators::{generate, Profile, MUTATIONS};

#[test]
fn the_reference_rejects_every_invalid_case_with_its_tagged_code() {
    let profile = Profile::builtin("invalid").unwrap();
    let mut reference = Reference::default();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..400 {
        let case = generate(&profile, seed);
        let m = case
            .mutation
            .clone()
            .expect("an invalid case carries its mutation");
        *kinds.entry(m.kind).or_default() += 1;
        let o = reference.run(&Request {
            mode: Mode::Validate,
            definition: &case.definition,
            input: &case.input,
            environment: &case.environment,
            history: false,
        });
        let Observation::Validation { valid, diagnostics } = o else {
            panic!("seed {seed}: {o:?}");
        };
        assert!(
            !valid,
            "seed {seed} ({}): accepted {}",
            m.kind, case.definition
        );
        assert!(
            diagnostics.iter().any(|d| d.code == m.code),
            "seed {seed} ({}, expected {}): {diagnostics:?}\n{}",
            m.kind,
            m.code,
            case.definition
        );
    }
    // Every kind occurs.
    for k in MUTATIONS {
        assert!(
            kinds.get(k.name).is_some_and(|n| *n > 0),
            "{} never drawn: {kinds:?}",
            k.name
        );
    }
}

#[test]
fn diff_finds_an_implementation_that_accepts_invalid_definitions() {
    let adapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapters/aws-local-stepfunctions");
    if !adapter.join("node_modules").is_dir() {
        if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
            eprintln!(
                "skipped: ASLCHECK_SKIP_PEERS=1 and the adapter's packages are not installed"
            );
            return;
        }
        panic!("the adapter's packages are missing: run scripts/setup.sh (or set ASLCHECK_SKIP_PEERS=1)");
    }
    let out = std::env::temp_dir().join(format!("aslcheck-invalid-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .args([
            "diff",
            "--backend",
            "reference",
            "--backend",
            &format!("external:{}", adapter.display()),
            "--generate",
            "60",
            "--profile",
            "invalid",
            "--out",
            out.to_str().unwrap(),
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("aslcheck runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    // A cluster of definitions the reference (as AWS) rejects and the adapter accepts.
    assert!(
        stdout.lines().any(|l| l.starts_with("CLUSTER ")
            && l.contains("validation: the first finds the definition invalid (")
            && l.ends_with(", the second valid")),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
