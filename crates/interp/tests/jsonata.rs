//! JSONata states end to end through `Machine::compile` and `engine::run` (the validator is
//! tested on its own). Expected results follow the AWS examples cited per test.

use aslcheck_interp::asl::model::Machine;
use aslcheck_interp::engine::{run, RunOptions, Status};
use serde_json::{json, Value};

fn exec(def: Value, input: Value) -> aslcheck_interp::engine::Outcome {
    let machine = Machine::compile(&def).expect("compiles");
    run(&machine, &input, RunOptions::default())
}

fn output(def: Value, input: Value) -> Value {
    let o = exec(def, input);
    assert_eq!(o.status, Status::Succeeded, "{:?} {:?}", o.error, o.cause);
    o.output.expect("output")
}

/// The Output example of https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
#[test]
fn pass_output_from_the_aws_example() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass",
        "Output": {"lastName": "{% 'Last=>' & $states.input.customer.lastName %}",
                   "orderValue": "{% $states.input.order.total %}"}, "End": true}}});
    let input = json!({"customer": {"lastName": "Rivera"}, "order": {"total": 27.91}});
    assert_eq!(
        output(def, input),
        json!({"lastName": "Last=>Rivera", "orderValue": 27.91})
    );
}

/// docs/semantics/variables.md: Assign values are computed from the values at state entry.
#[test]
fn assign_swaps_with_entry_values_and_later_states_read_them() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"x": "{% $y %}", "y": "{% $x %}"}, "Next": "C"},
        "C": {"Type": "Pass", "Output": {"x": "{% $x %}", "y": "{% $y %}"}, "End": true}}});
    assert_eq!(output(def, json!({})), json!({"x": 2, "y": 1}));
}

/// Recorded AWS run `assign/test_assign_reference_variables` (BASE_UNDEFINED_ASSIGN).
#[test]
fn an_undefined_result_is_a_query_evaluation_error() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Assign": {"result": "{% $doesNotExist %}"}, "End": true}}});
    let o = exec(def, json!({}));
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        o.cause.as_deref(),
        Some("An error occurred while executing the state 'State0' (entered at the event id #2). The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).")
    );
}

/// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html (JSONata Condition).
#[test]
fn choice_conditions_map_items_and_task_results() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.n > 1 %}", "Next": "M", "Assign": {"big": true}}],
            "Default": "Small"},
        "Small": {"Type": "Succeed"},
        "M": {"Type": "Map", "Items": "{% $states.input.items %}",
              "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}",
                               "i": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
              "Output": {"all": "{% $states.result %}", "big": "{% $big %}"},
              "End": true}}});
    assert_eq!(
        output(def, json!({"n": 2, "items": [1, 2]})),
        json!({"all": [{"v": 10, "i": 0}, {"v": 20, "i": 1}], "big": true})
    );
}

/// Recorded AWS runs `test_map_state_items_eval_jsonata_fail[number]`.
#[test]
fn map_items_of_the_wrong_type() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "MapIterateState", "States": {
        "MapIterateState": {"Type": "Map", "Items": "{% 1 %}",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    let o = exec(def, json!({}));
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(o.cause.as_deref(), Some("An error occurred while executing the state 'MapIterateState' (entered at the event id #2). The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'number' for value: 1"));
}

/// The JSONata benchmark machines run and give what their JSONPath counterparts give.
#[test]
fn benchmark_machines_match_their_jsonpath_counterparts() {
    let read = |f: &str| -> Value {
        let path = format!("{}/../../benches/machines/{f}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).expect("bench file")).expect("json")
    };
    let out = output(
        read("jsonata_pass_chain.json"),
        read("jsonata_pass_chain.input.json"),
    );
    assert_eq!(out["last"], json!({"v": 1, "step": 10}));
    let jsonata = output(
        read("jsonata_map_100.json"),
        read("jsonata_map_100.input.json"),
    );
    let jsonpath = output(read("map_100.json"), read("map_100.input.json"));
    assert_eq!(jsonata, jsonpath);
}

/// A plain path read gives what the engine gives: numbers that JSONata holds as doubles come back
/// in their JSONata form (`1.0` as `1`, `-0.0` as `0`), absent members are undefined, and a step
/// through an array maps over it.
#[test]
fn path_reads_follow_the_engine() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass",
        "Output": {"v": "{% $states.input.v %}", "y": "{% $states.input.y %}",
                   "s": "{% $states.input.o.s %}", "m": "{% $states.input.list.k %}"},
        "End": true}}});
    let input = json!({"v": 1.0, "y": -0.0, "o": {"s": "t"}, "list": [{"k": 1}, {"k": 2}]});
    assert_eq!(
        output(def, input),
        json!({"v": 1, "y": 0, "s": "t", "m": [1, 2]})
    );
    let missing = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass",
        "Output": "{% $states.input.nothing.here %}", "End": true}}});
    let o = exec(missing, json!({}));
    assert_eq!(o.error.as_deref(), Some("States.QueryEvaluationError"));
}
