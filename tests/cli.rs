//! The `aslcheck` command line as scripts use it: output shape, exit codes, and bad input.
//! Exit codes: 0 = the command did its job (a FAILED execution included), 2 = invalid
//! definition or input, 1 = anything else.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aslcheck"))
}

/// A scratch directory per test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aslcheck-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON value ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.r","End":true}}}"#;

#[test]
fn run_prints_exactly_the_result_object() {
    let d = dir("shape");
    let def = write(&d, "m.json", PASS);
    let o = run(&["run", def.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(
        v,
        json!({"status": "SUCCEEDED", "output": {"r": {"ok": true}}, "error": null, "cause": null})
    );
}

#[test]
fn run_reads_input_from_a_file_and_stdin() {
    let d = dir("input");
    let def = write(&d, "m.json", PASS);
    let input = write(&d, "in.json", r#"{"a": 1}"#);
    let o = run(&[
        "run",
        def.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(
        stdout_json(&o)["output"],
        json!({"a": 1, "r": {"ok": true}})
    );
    let mut child = bin()
        .args(["run", def.to_str().unwrap(), "--input", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"b": 2}"#)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        stdout_json(&o)["output"],
        json!({"b": 2, "r": {"ok": true}})
    );
}

#[test]
fn a_failed_execution_exits_zero_with_error_and_cause() {
    let d = dir("failed");
    let def = write(
        &d,
        "m.json",
        r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}"#,
    );
    let o = run(&["run", def.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout_json(&o),
        json!({"status": "FAILED", "output": null, "error": "Boom", "cause": "it broke"})
    );
}

#[test]
fn history_is_included_on_request_and_runs_are_reproducible() {
    let d = dir("history");
    let def = write(
        &d,
        "m.json",
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"id.$":"States.UUID()","name.$":"$$.Execution.Name"},"End":true}}}"#,
    );
    let a = run(&["run", def.to_str().unwrap(), "--history", "--seed", "7"]);
    let b = run(&["run", def.to_str().unwrap(), "--history", "--seed", "7"]);
    let c = run(&["run", def.to_str().unwrap(), "--history", "--seed", "8"]);
    assert_eq!(a.stdout, b.stdout, "same seed, same result and history");
    assert_ne!(a.stdout, c.stdout, "another seed draws other ids");
    let v = stdout_json(&a);
    let types: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[test]
fn a_year_long_wait_costs_no_wall_clock_time() {
    let d = dir("wait");
    let def = write(
        &d,
        "m.json",
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":31536000,"End":true}}}"#,
    );
    let o = run(&["run", def.to_str().unwrap(), "--history"]);
    let v = stdout_json(&o);
    assert_eq!(v["status"], "SUCCEEDED");
    // The virtual clock moved by a year (2024 is a leap year: 365 days end on Dec 31).
    let h = v["history"].as_array().unwrap();
    assert_eq!(h[0]["timestamp"], "2024-01-01T00:00:00Z");
    assert_eq!(h.last().unwrap()["timestamp"], "2024-12-31T00:00:00Z");
}

#[test]
fn yaml_definitions_are_accepted() {
    let d = dir("yaml");
    let def = write(
        &d,
        "m.yaml",
        "StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result:\n      from: yaml\n    End: true\n",
    );
    let o = run(&["run", def.to_str().unwrap()]);
    assert_eq!(stdout_json(&o)["output"], json!({"from": "yaml"}));
}

#[test]
fn malformed_json_and_yaml_are_invalid_definitions() {
    let d = dir("malformed");
    let json_def = write(&d, "bad.json", r#"{"StartAt": "P", "States": {"#);
    let o = run(&["run", json_def.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad.json") && e.contains("INVALID_JSON_DESCRIPTION") && e.contains("line 1"),
        "{e}"
    );
    let yaml_def = write(&d, "bad.yaml", "StartAt: [unclosed\nStates: {\n");
    let o = run(&["validate", yaml_def.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.yaml"), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("bad.yaml: invalid"));
}

#[test]
fn a_definition_that_is_not_an_object_is_invalid() {
    let d = dir("notobject");
    let def = write(&d, "m.json", "[1, 2, 3]");
    let o = run(&["validate", def.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("Definition must be a valid JSON object"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unknown_state_types_are_reported_with_their_location() {
    let d = dir("type");
    let def = write(
        &d,
        "m.json",
        r#"{"StartAt":"X","States":{"X":{"Type":"Teleport","End":true}}}"#,
    );
    let o = run(&["validate", def.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/X/Type"),
        "{e}"
    );
}

#[test]
fn validate_reports_every_problem_of_every_file() {
    let d = dir("many");
    let good = write(&d, "good.json", PASS);
    let bad = write(
        &d,
        "bad.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"},"B":{"Type":"Succeed"}}}"#,
    );
    let o = run(&["validate", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("good.json: valid"), "{out}");
    let e = stderr(&o);
    assert!(
        e.contains("MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next"),
        "{e}"
    );
    assert!(
        e.lines()
            .filter(|l| l.starts_with(&format!("error: {}", bad.display())))
            .count()
            >= 2,
        "all problems listed: {e}"
    );
}

#[test]
fn a_missing_file_is_exit_one() {
    let o = run(&["run", "/nonexistent/definition.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/definition.json"));
}

#[test]
fn usage_errors_are_exit_one() {
    let o = run(&["run"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn deeply_nested_input_is_refused_clearly() {
    let d = dir("deep");
    let def = write(&d, "m.json", PASS);
    let depth = 10_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let input = write(&d, "deep.json", &text);
    let o = run(&[
        "run",
        def.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("INVALID_EXECUTION_INPUT") && e.contains("nested"),
        "{e}"
    );
}

#[test]
fn a_fifty_megabyte_input_is_refused_clearly() {
    let d = dir("big");
    let def = write(&d, "m.json", PASS);
    let text = format!("{{\"blob\": \"{}\"}}", "x".repeat(50 * 1024 * 1024));
    let input = write(&d, "big.json", &text);
    let o = run(&[
        "run",
        def.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("262144") && e.contains("256 KiB"), "{e}");
}

#[test]
fn an_empty_input_is_refused_as_aws_does() {
    let d = dir("empty");
    let def = write(&d, "m.json", PASS);
    let input = write(&d, "empty.json", "");
    let o = run(&[
        "run",
        def.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("Invalid execution input."),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_choice_loop_that_never_ends_stops_at_the_history_limit() {
    let d = dir("loop");
    let def = write(
        &d,
        "m.json",
        r#"{"StartAt":"Again","States":{"Again":{"Type":"Choice","Choices":[{"Variable":"$.stop","BooleanEquals":true,"Next":"Done"}],"Default":"Again"},"Done":{"Type":"Succeed"}}}"#,
    );
    let input = write(&d, "in.json", r#"{"stop": false}"#);
    let o = run(&[
        "run",
        def.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = stdout_json(&o);
    assert_eq!(v["status"], "FAILED");
    assert!(v["cause"].as_str().unwrap().contains("25000"), "{v}");
}

#[test]
fn bench_prints_a_rate() {
    let d = dir("bench");
    let def = write(&d, "m.json", PASS);
    let o = run(&["bench", def.to_str().unwrap(), "--iterations", "50"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("50 executions") && out.contains("executions/s"),
        "{out}"
    );
    let o = run(&[
        "bench",
        def.to_str().unwrap(),
        "--iterations",
        "20",
        "--rounds",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches("20 executions in").count(), 3, "{out}");
    assert!(
        out.contains("3 rounds: best ") && out.contains(", median "),
        "{out}"
    );
}

#[test]
fn every_subcommand_parses_its_flags() {
    // clap checks argument definitions when a subcommand is built: a duplicate flag would panic.
    for sub in [
        "validate",
        "run",
        "bench",
        "conformance",
        "replay",
        "generate",
        "diff",
        "shrink",
        "record",
    ] {
        let o = run(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub} --help: {}", stderr(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Usage"),
            "{sub}"
        );
    }
}

#[test]
fn generate_writes_cases_and_a_manifest_that_regenerates_them() {
    let d = dir("generate");
    let out = d.join("cases");
    let o = run(&[
        "generate",
        "--profile",
        "choice",
        "--count",
        "4",
        "--seed",
        "9",
        "--out",
        out.to_str().unwrap(),
        "--stats",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["profile"], "choice");
    assert_eq!(manifest["first_seed"], 9);
    let ids: Vec<&str> = manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(ids, ["choice-9", "choice-10", "choice-11", "choice-12"]);
    // The same seed gives the same case again.
    let again = run(&[
        "generate",
        "--profile",
        "choice",
        "--count",
        "1",
        "--seed",
        "9",
    ]);
    let first: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("choice-9.json")).unwrap()).unwrap();
    let line: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(first["definition"], line["definition"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Choice"),
        "--stats prints coverage"
    );
}

#[test]
fn eval_prints_a_result_undefined_or_an_error_and_exits_zero() {
    let d = dir("eval");
    let input = write(&d, "in.json", r#"{"a": [1, 2, 3]}"#);
    let context = write(&d, "ctx.json", r#"{"Execution": {"Name": "x"}}"#);
    let bindings = write(&d, "vars.json", r#"{"n": 10}"#);
    let eval = |lang: &str, expr: &str| {
        let o = run(&[
            "eval",
            "--query-language",
            lang,
            expr,
            "--input",
            input.to_str().unwrap(),
            "--context",
            context.to_str().unwrap(),
            "--bindings",
            bindings.to_str().unwrap(),
        ]);
        (o.status.code(), stdout_json(&o))
    };
    assert_eq!(
        eval("jsonata", "{% $sum($states.input.a) + $n %}"),
        (Some(0), json!({"result": 16}))
    );
    assert_eq!(
        eval(
            "jsonata",
            "$states.context.Execution.Name & $string($count(a))"
        ),
        (Some(0), json!({"result": "x3"}))
    );
    assert_eq!(
        eval("jsonata", "$states.input.missing"),
        (Some(0), json!({"undefined": true}))
    );
    let (code, v) = eval("jsonata", "'a' + 1");
    assert_eq!((code, &v["error"]), (Some(0), &json!("T2001")), "{v}");
    assert!(v["message"].is_string(), "{v}");
    assert_eq!(eval("jsonpath", "$.a[1]"), (Some(0), json!({"result": 2})));
    assert_eq!(eval("jsonpath", "$n"), (Some(0), json!({"result": 10})));
    assert_eq!(
        eval("jsonpath", "$$.Execution.Name"),
        (Some(0), json!({"result": "x"}))
    );
    let (code, v) = eval("jsonpath", "$.nothing");
    assert_eq!(
        (code, &v["error"]),
        (Some(0), &json!("States.Runtime")),
        "{v}"
    );
    assert_eq!(
        eval(
            "intrinsic",
            "States.Format('{}-{}', $n, States.ArrayLength($.a))"
        ),
        (Some(0), json!({"result": "10-3"}))
    );
    let (code, v) = eval("intrinsic", "States.ArrayGetItem($.a, 7)");
    assert_eq!(
        (code, &v["error"]),
        (Some(0), &json!("States.IntrinsicFailure")),
        "{v}"
    );
}

#[test]
fn eval_exits_2_when_the_expression_does_not_parse() {
    for (lang, expr, code) in [
        ("jsonata", "(1 + ", None),
        ("jsonpath", "a.b", Some("SCHEMA_VALIDATION_FAILED")),
        (
            "intrinsic",
            "States.Nope(1)",
            Some("SCHEMA_VALIDATION_FAILED"),
        ),
    ] {
        let o = run(&["eval", "--query-language", lang, expr]);
        assert_eq!(o.status.code(), Some(2), "{lang} {expr}: {}", stderr(&o));
        let v = stdout_json(&o);
        let error = v["error"].as_str().unwrap_or_else(|| panic!("{v}"));
        match code {
            Some(c) => assert_eq!(error, c),
            None => assert!(error.starts_with('S'), "{v}"),
        }
        assert!(v["message"].is_string(), "{v}");
    }
}

#[test]
fn aws_cli_spellings_are_accepted() {
    // `--endpoint-url` is `--endpoint`, and `--profile` is `--aws-profile` where it names no
    // generator profile; the reference backend takes no notice of either, so the replay runs.
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/cases/states/fail-bare.json");
    let o = run(&[
        "replay",
        "--profile",
        "dev",
        "--endpoint-url",
        "http://127.0.0.1:9",
        case.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // On conformance, --profile stays the generator profile.
    let o = run(&[
        "conformance",
        "--generate",
        "1",
        "--profile",
        "no-such-profile",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error: --profile no-such-profile: no profile named"),
        "{}",
        stderr(&o)
    );
    // `file://` names a file, as in the AWS CLI.
    let d = dir("spellings");
    let def = write(&d, "m.json", PASS);
    let input = write(&d, "in.json", r#"{"from": "file"}"#);
    let o = run(&[
        "run",
        def.to_str().unwrap(),
        "--input",
        &format!("file://{}", input.display()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["output"]["from"], "file");
}
