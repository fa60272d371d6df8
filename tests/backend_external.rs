//! The `external` backend end to end: the shipped Node adapter for aws-local-stepfunctions
//! (`external:adapters/aws-local-stepfunctions`, dependencies installed by
//! `scripts/setup-peers.sh`), and small adapters written by the tests that crash, hang or break
//! the protocol (docs/protocol.md).
//!
//! A missing Node or adapter installation fails these tests, unless `ASLCHECK_SKIP_PEERS=1`,
//! which skips them with the reason printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use aslcheck::backend::external::{External, ExternalOptions};
use aslcheck::backend::spec::{from_spec, BackendOptions};
use aslcheck::backend::{Backend, Mode, Observation, Request};
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skip_or_fail<T>(why: String) -> Option<T> {
    if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
        eprintln!("skipped: {why}; ASLCHECK_SKIP_PEERS=1");
        return None;
    }
    panic!("{why}; set ASLCHECK_SKIP_PEERS=1 to skip the tests that need it");
}

fn node() -> Option<()> {
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => Some(()),
        _ => skip_or_fail("node is not on PATH".into()),
    }
}

fn adapter_dir() -> Option<PathBuf> {
    node()?;
    let dir = root().join("adapters/aws-local-stepfunctions");
    if !dir.join("node_modules/aws-local-stepfunctions").is_dir() {
        return skip_or_fail(format!(
            "the adapter's dependencies are not installed in {} (run scripts/setup-peers.sh)",
            dir.display()
        ));
    }
    Some(dir)
}

fn run(backend: &mut dyn Backend, mode: Mode, definition: Value, input: Value) -> Observation {
    run_in(backend, mode, definition, input, json!({}))
}

fn run_in(
    backend: &mut dyn Backend,
    mode: Mode,
    definition: Value,
    input: Value,
    environment: Value,
) -> Observation {
    backend.run(&Request {
        mode,
        definition: &definition,
        input: &input,
        environment: &environment,
        history: false,
    })
}

fn execution(o: &Observation) -> (&str, Option<&Value>, Option<&str>, Option<&str>) {
    match o {
        Observation::Execution {
            status,
            output,
            error,
            cause,
            ..
        } => (
            status.as_str(),
            output.as_ref(),
            error.as_deref(),
            cause.as_deref(),
        ),
        other => panic!("not an execution result: {other:?}"),
    }
}

fn lambda(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

#[test]
fn aws_local_stepfunctions_adapter() {
    let Some(dir) = adapter_dir() else { return };
    let spec = format!("external:{}", dir.display());
    let mut options = BackendOptions::default();
    options.external.case_timeout = Duration::from_secs(60);
    let mut b = from_spec(&spec, &options).expect("the adapter starts");
    assert_eq!(b.name(), "aws-local-stepfunctions");
    let caps = b.capabilities();
    assert_eq!(caps.modes, vec![Mode::Execution, Mode::Validate]);
    assert!(!caps.history);

    // Data flow.
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.a", "End": true}}}),
        json!({"x": 1}),
    );
    assert_eq!(
        execution(&o),
        (
            "SUCCEEDED",
            Some(&json!({"x": 1, "a": {"n": 1}})),
            None,
            None
        )
    );

    // Fail state.
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}),
        json!({}),
    );
    assert_eq!(execution(&o), ("FAILED", None, Some("E"), Some("C")));

    // Fixtures: echo through a direct ARN, and through lambda:invoke with its envelope.
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lambda("aslcheck-echo"), "End": true}}}),
        json!({"k": [1, 2]}),
    );
    assert_eq!(
        execution(&o),
        ("SUCCEEDED", Some(&json!({"k": [1, 2]})), None, None)
    );
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "aslcheck-echo", "Payload.$": "$"}, "OutputPath": "$.Payload", "End": true}}}),
        json!({"k": 2}),
    );
    assert_eq!(
        execution(&o),
        ("SUCCEEDED", Some(&json!({"k": 2})), None, None)
    );

    // The fail fixture raises its error; the cause is the Lambda error payload.
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lambda("aslcheck-fail"), "End": true}}}),
        json!({"error": "Boom", "cause": "bad"}),
    );
    let (status, _, error, cause) = execution(&o);
    assert_eq!((status, error), ("FAILED", Some("Boom")));
    let cause: Value = serde_json::from_str(cause.expect("a cause")).expect("the cause is JSON");
    assert_eq!(
        (cause["errorType"].as_str(), cause["errorMessage"].as_str()),
        (Some("Boom"), Some("bad"))
    );

    // Virtual time: an hour of Wait, then a sleep fixture longer than TimeoutSeconds, retried
    // after 100 s — all without wall-clock waiting (the case timeout would end a real wait).
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "T"},
            "T": {"Type": "Task", "Resource": lambda("aslcheck-sleep"), "TimeoutSeconds": 5,
                  "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 100, "MaxAttempts": 1}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Pass", "End": true}
        }}),
        json!({"seconds": 600}),
    );
    let (status, output, _, _) = execution(&o);
    assert_eq!(status, "SUCCEEDED");
    assert_eq!(
        output.and_then(|v| v.get("Error")),
        Some(&json!("States.Timeout"))
    );

    // A machine that waits forever is stopped after a year of virtual time.
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 86400, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "BooleanEquals": true, "Next": "S"}], "Default": "W"},
            "S": {"Type": "Succeed"}
        }}),
        json!({"stop": false}),
    );
    assert!(
        matches!(&o, Observation::Errored(m) if m.contains("virtual time")),
        "{o:?}"
    );

    // Validation: the library's validator, raw.
    let o = run(
        &mut *b,
        Mode::Validate,
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}),
        json!({}),
    );
    match o {
        Observation::Validation { valid, diagnostics } => {
            assert!(!valid);
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d.code == "MISSING_TRANSITION_TARGET"),
                "{diagnostics:?}"
            );
        }
        other => panic!("{other:?}"),
    }

    // What the library cannot do is skipped with the reason.
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}),
        json!({}),
    );
    assert!(
        matches!(&o, Observation::Skipped(r) if r.contains("sqs:sendMessage")),
        "{o:?}"
    );
    let o = run(
        &mut *b,
        Mode::Execution,
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
        json!({}),
    );
    assert!(
        matches!(&o, Observation::Skipped(r) if r.contains("JSONata")),
        "{o:?}"
    );
    let o = run(
        &mut *b,
        Mode::TestState,
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
        json!({}),
    );
    assert!(matches!(&o, Observation::Skipped(_)), "{o:?}");
}

#[test]
fn adapter_takes_functions_and_mocks_from_the_environment() {
    let Some(dir) = adapter_dir() else { return };
    let mut b = from_spec(
        &format!("external:{}", dir.display()),
        &BackendOptions::default(),
    )
    .expect("the adapter starts");
    // `functions` gives any function a fixture's behaviour (corpus/README.md).
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lambda("charge-card"), "End": true}}});
    let o = run_in(
        &mut *b,
        Mode::Execution,
        def.clone(),
        json!({"error": "Declined", "cause": "no"}),
        json!({"functions": {lambda("charge-card"): "fail"}}),
    );
    assert_eq!(execution(&o).2, Some("Declined"));
    let o = run_in(&mut *b, Mode::Execution, def, json!({"a": 1}), json!({}));
    assert_eq!(
        execution(&o),
        ("SUCCEEDED", Some(&json!({"a": 1})), None, None)
    );

    // A Step Functions Local mock file: the first call throws, the retry returns.
    let def = json!({"StartAt": "Q", "States": {"Q": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30}], "End": true}}});
    let env = json!({"mock_test_case": "happy", "mock_config": {
        "StateMachines": {"m": {"TestCases": {"happy": {"Q": "QResponses"}}}},
        "MockedResponses": {"QResponses": {"0": {"Throw": {"Error": "Busy", "Cause": "try later"}}, "1-2": {"Return": {"MessageId": "m-1"}}}}
    }});
    let o = run_in(&mut *b, Mode::Execution, def, json!({}), env);
    assert_eq!(
        execution(&o),
        ("SUCCEEDED", Some(&json!({"MessageId": "m-1"})), None, None)
    );
}

/// A small adapter in Node whose behaviour on each run is chosen by the case's input
/// (`{"do": "ok" | "crash" | "garbage" | "hang" | "wrong-seq" | "skip" | "error"}`).
const TOY_ADAPTER: &str = r#"
const rl = require('readline').createInterface({ input: process.stdin });
const send = (o) => process.stdout.write(JSON.stringify(o) + '\n');
rl.on('line', (line) => {
  const r = JSON.parse(line);
  if (r.cmd === 'start') return send({ version: 1, implementation: { name: 'toy', version: '0' }, capabilities: { modes: ['execution'], history: true } });
  if (r.cmd === 'stop') process.exit(0);
  const what = r.case.input.do;
  if (what === 'crash') { process.stderr.write('toy: crashing on purpose\n'); process.exit(3); }
  if (what === 'garbage') return process.stdout.write('this is not json\n');
  if (what === 'hang') return;
  if (what === 'wrong-seq') return send({ seq: r.seq + 100, result: { status: 'SUCCEEDED' } });
  if (what === 'skip') return send({ seq: r.seq, skipped: { message: 'toy cannot' } });
  if (what === 'error') return send({ seq: r.seq, errored: { message: 'toy broke', context: { why: 'test' } } });
  send({ seq: r.seq, result: { status: 'SUCCEEDED', output: r.case.input, error: null, cause: null, history: [{ type: 'ExecutionStarted', id: 1 }] } });
});
"#;

fn toy() -> Option<External> {
    node()?;
    let dir = std::env::temp_dir().join(format!("aslcheck-toy-adapter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("toy.js"), TOY_ADAPTER).expect("write the toy adapter");
    std::fs::write(dir.join("command"), "# the toy adapter\nnode toy.js\n")
        .expect("write the command file");
    let options = ExternalOptions {
        case_timeout: Duration::from_secs(3),
        ..ExternalOptions::default()
    };
    Some(
        External::start(dir.to_str().expect("utf-8 temp dir"), &options)
            .expect("the toy adapter starts"),
    )
}

#[test]
fn broken_adapters_are_indeterminate_and_restarted() {
    let Some(mut b) = toy() else { return };
    assert_eq!(b.name(), "toy");
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let ok = |b: &mut External| {
        let o = run(b, Mode::Execution, def.clone(), json!({"do": "ok"}));
        assert!(
            matches!(&o, Observation::Execution { status, history: Some(h), .. } if status == "SUCCEEDED" && h.len() == 1),
            "{o:?}"
        );
    };
    ok(&mut b);
    for (what, expect) in [
        ("crash", "crashing on purpose"),
        ("garbage", "not JSON"),
        ("wrong-seq", "seq"),
        ("hang", "case timeout"),
    ] {
        let o = run(&mut b, Mode::Execution, def.clone(), json!({"do": what}));
        assert!(
            matches!(&o, Observation::Indeterminate(m) if m.contains(expect) && m.contains("restarted")),
            "{what}: {o:?}"
        );
        ok(&mut b); // restarted for the next case
    }
    assert_eq!(
        run(&mut b, Mode::Execution, def.clone(), json!({"do": "skip"})),
        Observation::Skipped("toy cannot".into())
    );
    let o = run(&mut b, Mode::Execution, def.clone(), json!({"do": "error"}));
    assert!(
        matches!(&o, Observation::Errored(m) if m.contains("toy broke") && m.contains("why")),
        "{o:?}"
    );
    ok(&mut b);
}

#[test]
fn adapters_that_do_not_start_are_reported() {
    let missing = External::start(
        "/definitely/not/an/adapter-aslcheck --flag",
        &ExternalOptions::default(),
    );
    assert!(missing.is_err_and(|e| e.contains("cannot start")));
    let Some(()) = node() else { return };
    let wrong = External::start(
        "node -e 'console.log(JSON.stringify({version:9}))'",
        &ExternalOptions::default(),
    );
    assert!(wrong.is_err_and(|e| e.contains("protocol version")));
}
