//! The shrinker keeps the defect it started with.
//!
//! The case: a Choice sends `{"kind": "json"}` to a Pass whose `States.StringToJson` gets text
//! that is not JSON, so the reference fails with `States.IntrinsicFailure`; the second
//! implementation is a stub that succeeds on every machine and returns its input. Cutting the
//! Pass away (the shrinker's first reduction) leaves a Choice with no rule for `json`: the
//! reference now fails with `States.NoChoiceMatched` — another defect of the stub, differing at
//! the very same members (`/status`, `/output`, `/error`, `/cause`). A shrinker that compares only
//! the members takes that step; one that compares [`Signature`]s must not.

use std::path::{Path, PathBuf};

use aslcheck::backend::reference::Reference;
use aslcheck::backend::{Backend, Capabilities, Mode, Observation, Request};
use aslcheck::corpus::{Origin, Provenance, Runnable};
use aslcheck::diff::agreement::{compare, Agreement};
use aslcheck::diff::shrink::{self, state_count, Budget, Subject};
use aslcheck::diff::signature::{members, Outcome};
use aslcheck::diff::Signature;
use aslcheck::harness::minimise::{minimise, PendingOptions};
use aslcheck::harness::subject::BackendArgs;
use serde_json::{json, Value};

/// An implementation that succeeds on every machine, its output being its input.
struct AlwaysSucceeds;

impl Backend for AlwaysSucceeds {
    fn name(&self) -> &str {
        "always-succeeds"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            modes: vec![Mode::Execution],
            history: false,
            query_languages: vec!["JSONPath".into()],
            fixtures: true,
            resources: true,
            variables: true,
            callbacks: false,
            ecs: false,
        }
    }
    fn run(&mut self, request: &Request<'_>) -> Observation {
        Observation::Execution {
            status: "SUCCEEDED".into(),
            output: Some(request.input.clone()),
            error: None,
            cause: None,
            history: None,
        }
    }
}

fn case() -> Runnable {
    Runnable {
        origin: Origin::Corpus {
            id: "intrinsics/drift".into(),
            provenance: Provenance::Minimised {
                from: "tests/shrink_drift.rs".into(),
            },
        },
        mode: Mode::Execution,
        definition: json!({
            "StartAt": "Route",
            "States": {
                "Route": {"Type": "Choice", "Choices": [
                    {"Variable": "$.kind", "StringEquals": "json", "Next": "Parse"},
                    {"Variable": "$.kind", "StringEquals": "text", "Next": "Keep"}
                ]},
                "Parse": {"Type": "Pass", "Parameters": {"value.$": "States.StringToJson($.text)"}, "End": true},
                "Keep": {"Type": "Pass", "End": true}
            }
        }),
        input: json!({"kind": "json", "text": "{not json"}),
        environment: json!({}),
    }
}

fn run_both(s: &Subject) -> (Observation, Observation) {
    let request = Request {
        mode: Mode::Execution,
        definition: &s.definition,
        input: &s.input,
        environment: &s.environment,
        history: false,
    };
    (
        Reference::default().run(&request),
        AlwaysSucceeds.run(&request),
    )
}

fn signature_of(s: &Subject) -> Option<Signature> {
    let (a, b) = run_both(s);
    match compare(&a, &b) {
        Agreement::Disagree(m) => Some(Signature::of(&a, &b, &m)),
        _ => None,
    }
}

fn error_of(o: &Observation) -> Option<&str> {
    match o {
        Observation::Execution { error, .. } => error.as_deref(),
        _ => None,
    }
}

fn subject(c: &Runnable) -> Subject {
    Subject {
        definition: c.definition.clone(),
        input: c.input.clone(),
        environment: c.environment.clone(),
    }
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("aslcheck-shrink-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a scratch directory");
    d
}

#[test]
fn comparing_members_only_drifts_to_another_defect() {
    // The premise of the next test: with the old rule (the same members differ) the shrinker
    // ends on a NoChoiceMatched divergence. If this stops holding, the case no longer tests
    // drift and needs another machine.
    let start = subject(&case());
    let original = signature_of(&start).expect("the case diverges");
    let shrunk = shrink::shrink(start, Budget::default(), |s: &Subject| {
        signature_of(s).is_some_and(|sig| sig.members == original.members)
    });
    let (a, _) = run_both(&shrunk.subject);
    assert_eq!(
        error_of(&a),
        Some("States.NoChoiceMatched"),
        "{}",
        shrunk.subject.definition
    );
}

#[test]
fn the_shrunk_case_keeps_the_original_signature() {
    let c = case();
    let start = subject(&c);
    let (oa, ob) = run_both(&start);
    let Agreement::Disagree(mismatches) = compare(&oa, &ob) else {
        panic!("the case must diverge");
    };
    let original = Signature::of(&oa, &ob, &mismatches);
    assert_eq!(
        original.sides[0],
        Outcome::Execution {
            error: Some("States.IntrinsicFailure".into()),
            cause: Some("The first argument of States.StringToJson must be a valid JSON string: key must be a string at line <n> column <n>".into()),
        }
    );
    let out = scratch();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let options = PendingOptions {
        out: out.clone(),
        corpus: corpus.clone(),
        corpus_arg: None,
        budget: Budget::default(),
        history: false,
        specs: ["reference".into(), "always-succeeds".into()],
        backend_args: BackendArgs::default(),
    };
    let mut a = Reference::default();
    let mut b = AlwaysSucceeds;
    let pending = minimise(&c, [&oa, &ob], &mismatches, &mut a, &mut b, &options)
        .expect("the pending case is written");
    assert!(pending.states_after < pending.states_before, "{pending}");
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(&pending.file).expect("the pending case is there"),
    )
    .expect("JSON");
    let shrunk = Subject {
        definition: written["definition"].clone(),
        input: written["input"].clone(),
        environment: json!({}),
    };
    assert_eq!(
        written["expected"]["error"],
        json!("States.IntrinsicFailure"),
        "{written}"
    );
    assert_eq!(signature_of(&shrunk).as_ref(), Some(&original));
    assert_eq!(state_count(&shrunk.definition), 1, "{}", shrunk.definition);
    assert_eq!(
        members(&mismatches).into_iter().collect::<Vec<_>>(),
        ["/cause", "/error", "/output", "/status"]
    );
    let _ = std::fs::remove_dir_all(&out);
}
