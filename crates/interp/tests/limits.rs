//! Memory and nesting limits: history events share the payloads they show, and documents nested
//! deeper than the parsers' bound are refused at once, alike in JSON and YAML.

use std::sync::mpsc;
use std::time::Duration;

use aslcheck_interp::asl::depth::MAX_NESTING;
use aslcheck_interp::asl::load::{parse_text, Format};
use aslcheck_interp::asl::model::Machine;
use aslcheck_interp::engine::{run, Outcome, RunOptions, Status};
use serde_json::{json, Value};

/// Runs `f` on a thread with a large stack (deeply nested data is copied, written and dropped
/// recursively), failing instead of hanging if it never ends.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(512 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    rx.recv_timeout(Duration::from_secs(600))
        .expect("the run ended within ten minutes")
}

/// A loop whose Pass nests its own input one level deeper per turn (`ResultPath: "$.a"`), until
/// the data is `depth` levels deep.
fn nesting_loop(depth: usize) -> Value {
    json!({"StartAt": "Nest", "States": {
        "Nest": {"Type": "Pass", "ResultPath": "$.a", "Next": "Check"},
        "Check": {"Type": "Choice",
            "Choices": [{"Variable": format!("${}", ".a".repeat(depth)), "IsPresent": true, "Next": "Done"}],
            "Default": "Nest"},
        "Done": {"Type": "Succeed"}}})
}

fn run_with_history(def: Value) -> Outcome {
    on_big_stack(move || {
        let machine = Machine::compile(&def).expect("compiles");
        let options = RunOptions {
            history: true,
            ..RunOptions::default()
        };
        let mut o = run(&machine, &json!({}), options);
        // Dropped here, on the large stack.
        o.output = None;
        o
    })
}

#[test]
fn a_loop_that_nests_its_data_keeps_each_value_once_in_its_history() {
    let depth = 1_500;
    let o = run_with_history(nesting_loop(depth));
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.cause);
    let h = o.history.expect("history was requested");
    // ExecutionStarted, 4 events per turn, Succeed's two, ExecutionSucceeded.
    assert_eq!(h.len(), 1 + 4 * depth + 3);
    // Each turn's Pass output is the next Choice's input and output and the next Pass's input:
    // four events show it, one text holds it. Copies per event would make these equal.
    let shown = h.shown_text_bytes();
    let kept = h.retained_text_bytes();
    assert!(kept * 3 < shown, "kept {kept} bytes for {shown} shown");
    // What is kept is the distinct data: one value per turn, each at most the final size.
    let last = r#"{"a":"#.len() * depth + 2 + depth;
    assert!(kept <= (depth + 2) * last, "kept {kept}");
    // The events still show every value in full.
    let exited = h.get(h.len() - 6).unwrap();
    assert_eq!(exited["type"], "PassStateExited");
    let full = format!("{}{{}}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    assert_eq!(exited["stateExitedEventDetails"]["output"], json!(full));
    let shown_input = h.get(1).unwrap()["stateEnteredEventDetails"]["input"].clone();
    assert_eq!(shown_input, json!("{}"));
}

fn nested_json(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

fn nested_yaml_maps(levels: usize) -> String {
    format!("{}1{}", "{a: ".repeat(levels), "}".repeat(levels))
}

fn refusal(text: &str, format: Format) -> (String, Option<String>) {
    let d = parse_text(text, format).expect_err("refused");
    (d.message, d.location)
}

#[test]
fn documents_nested_up_to_the_bound_parse_in_both_formats() {
    for text in [nested_json(MAX_NESTING), nested_yaml_maps(MAX_NESTING)] {
        let yaml = parse_text(&text, Format::Yaml);
        assert!(yaml.is_ok(), "{:?}", yaml.err());
    }
    assert!(parse_text(&nested_json(MAX_NESTING), Format::Json).is_ok());
}

#[test]
fn documents_nested_past_the_bound_are_refused_alike_in_json_and_yaml() {
    let (json_msg, json_at) = refusal(&nested_json(MAX_NESTING + 1), Format::Json);
    let (yaml_msg, yaml_at) = refusal(&nested_json(MAX_NESTING + 1), Format::Yaml);
    for m in [&json_msg, &yaml_msg] {
        assert!(m.contains("nested more than 127 levels deep"), "{m}");
    }
    assert!(json_msg.contains("(JSON)") && yaml_msg.contains("(YAML)"));
    assert_eq!(json_at.as_deref(), Some("line 1, column 128"));
    assert_eq!(yaml_at.as_deref(), Some("line 1, column 128"));
    // Block collections are measured once parsed, with the same message.
    let block: String = (0..MAX_NESTING + 1)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect::<String>()
        + &" ".repeat(MAX_NESTING + 1)
        + "a: 1\n";
    let (block_msg, _) = refusal(&block, Format::Yaml);
    assert!(
        block_msg.contains("nested more than 127 levels deep"),
        "{block_msg}"
    );
}

#[test]
fn a_hundred_thousand_levels_of_yaml_are_refused_where_the_bound_is_passed() {
    // Before the depth pass the YAML parser scanned all of it first (quadratic: over a minute).
    let text = nested_yaml_maps(100_000);
    let (msg, at) = on_big_stack(move || refusal(&text, Format::Yaml));
    assert!(msg.contains("nested more than 127 levels deep"), "{msg}");
    assert_eq!(at.as_deref(), Some("line 1, column 509"));
    let (msg, at) = refusal(&nested_json(100_000), Format::Json);
    assert!(msg.contains("nested more than 127 levels deep"), "{msg}");
    assert_eq!(at.as_deref(), Some("line 1, column 128"));
}
