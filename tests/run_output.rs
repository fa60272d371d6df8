//! How `aslcheck run` prints its result: pretty while the pretty text is at most 1 MiB, compact
//! (one line) beyond that or with `--compact`; and definitions nested too deeply refused at once.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

fn scratch(name: &str, text: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aslcheck-run-output-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `aslcheck ARGS`, failing instead of hanging if it never ends.
fn aslcheck(args: Vec<String>) -> Output {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
            .args(&args)
            .output()
            .unwrap();
        let _ = tx.send(out);
    });
    rx.recv_timeout(Duration::from_secs(600))
        .expect("aslcheck ended within ten minutes")
}

fn run(def: &Value, extra: &[&str]) -> (Output, String) {
    // One file per call: tests run in parallel, and two of them may pass the same flags.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let file = scratch(
        &format!("def-{k}-{}.json", extra.join("_").replace('-', "")),
        &def.to_string(),
    );
    let mut args = vec!["run".to_string(), file.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = aslcheck(args);
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    (out, stdout)
}

fn pass_with_result(result: Value) -> Value {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": true}}})
}

#[test]
fn a_small_result_is_pretty_and_one_line_with_compact() {
    let def = pass_with_result(json!({"x": [1, 2]}));
    let (out, text) = run(&def, &[]);
    assert!(out.status.success());
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        text,
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
    );
    assert_eq!(v["output"], json!({"x": [1, 2]}));
    let (out, text) = run(&def, &["--compact"]);
    assert!(out.status.success());
    assert_eq!(
        text,
        "{\"status\":\"SUCCEEDED\",\"output\":{\"x\":[1,2]},\"error\":null,\"cause\":null}\n"
    );
}

#[test]
fn a_result_whose_pretty_text_passes_one_mib_is_compact() {
    // 15,000 arrays nested six deep: about 210 KB compact (under AWS's 256 KiB), about 2.4 MB
    // pretty.
    let items: Vec<Value> = (0..15_000).map(|_| json!([[[[[[1]]]]]])).collect();
    let (out, text) = run(&pass_with_result(Value::Array(items.clone())), &[]);
    assert!(out.status.success());
    assert_eq!(text.lines().count(), 1, "printed on one line");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["status"], "SUCCEEDED", "{}", v["cause"]);
    assert!(serde_json::to_string_pretty(&v).unwrap().len() > 1 << 20);
    assert_eq!(v["output"], Value::Array(items));
}

#[test]
fn a_deep_result_path_prints_about_its_compact_size() {
    // `ResultPath` `$.a` 20,000 levels deep: 100 KB compact, 800 MB pretty.
    let path = format!("${}", ".a".repeat(20_000));
    let def =
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": path, "End": true}}});
    let (out, text) = run(&def, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.len() < 200_000, "{} bytes", text.len());
    assert!(text.starts_with("{\"status\":\"SUCCEEDED\",\"output\":{\"a\":{\"a\":"));
}

#[test]
fn a_deeply_nested_yaml_definition_is_refused_naming_the_file() {
    let file = scratch(
        "deep.yaml",
        &format!("{}1{}", "{a: ".repeat(100_000), "}".repeat(100_000)),
    );
    let out = aslcheck(vec!["validate".into(), file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("deep.yaml"), "{all}");
    assert!(all.contains("nested more than 127 levels deep"), "{all}");
    let out = aslcheck(vec!["run".into(), file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("deep.yaml") && err.contains("line 1, column 509"),
        "{err}"
    );
}
