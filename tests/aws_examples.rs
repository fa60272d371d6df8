//! The examples of the AWS Step Functions Developer Guide (DG) and of the project's rule notes
//! (`docs/semantics/`), run against the interpreter.
//!
//! Every expected value below is taken from the cited page or section, never from the
//! interpreter's own output. DG pages are cited by URL (the text was read from the current page
//! where reachable, and otherwise from the archived DG source in
//! `awsdocs/aws-step-functions-developer-guide/doc_source/*.md`, whose examples are unchanged).
//!
//! Where a DG example runs a Lambda function, the function is replaced as each comment says:
//! either by a Pass state whose `Result` is the page's task result, or by the interpreter's
//! built-in behaviour of a Lambda function ARN (it returns its input unchanged).

use aslcheck::asl::parse_definition;
use aslcheck::engine::{run, Outcome, RunOptions, Status};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:";

fn exec_with(def: Value, input: Value, opts: RunOptions) -> Outcome {
    let loaded = match parse_definition(def.clone()) {
        Ok(d) => d,
        Err(e) => panic!("definition rejected: {e}\n{def:#}"),
    };
    run(&loaded.machine, &input, opts)
}

fn exec(def: Value, input: Value) -> Outcome {
    exec_with(def, input, RunOptions::default())
}

/// Runs and asserts SUCCEEDED; returns the output.
fn ok(def: Value, input: Value) -> Value {
    let out = exec(def, input);
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    out.output.expect("a succeeded execution has an output")
}

/// Runs and asserts FAILED; returns (error, cause) with "" for an absent field.
fn failed(def: Value, input: Value) -> (String, String) {
    let out = exec(def, input);
    assert_eq!(out.status, Status::Failed, "{out:?}");
    (out.error.unwrap_or_default(), out.cause.unwrap_or_default())
}

/// Runs with history; returns the outcome.
fn with_history(def: Value, input: Value) -> Outcome {
    let opts = RunOptions {
        history: true,
        ..RunOptions::default()
    };
    exec_with(def, input, opts)
}

/// `(type, id, previousEventId)` of every event.
fn seq(out: &Outcome) -> Vec<(String, u64, u64)> {
    out.history
        .as_ref()
        .expect("history was requested")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_string(),
                e["id"].as_u64().unwrap_or(u64::MAX),
                e["previousEventId"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

fn ev(kind: &str, id: u64, prev: u64) -> (String, u64, u64) {
    (kind.to_string(), id, prev)
}

/// A JSON string field of a history event, parsed.
fn payload(event: &Value, details: &str, field: &str) -> Value {
    let text = event[details][field]
        .as_str()
        .unwrap_or_else(|| panic!("{details}.{field} is not a string in {event}"));
    serde_json::from_str(text).expect("history payloads are JSON text")
}

/// A machine whose only state is `name`.
fn single(name: &str, mut state: Value) -> Value {
    let kind = state["Type"].as_str().unwrap_or_default().to_string();
    if !matches!(kind.as_str(), "Choice" | "Fail" | "Succeed") {
        state["End"] = json!(true);
    }
    json!({"StartAt": name, "States": {name: state}})
}

/// The cause prefix of engine errors (docs/semantics/errors.md §6.6).
fn prefix(state: &str, entered_id: u64) -> String {
    format!("An error occurred while executing the state '{state}' (entered at the event id #{entered_id}). ")
}

/// Whether one JSONPath Choice rule matches `input`.
fn choose(mut rule: Value, input: Value) -> bool {
    rule["Next"] = json!("Yes");
    let def = json!({
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": true, "End": true},
            "No": {"Type": "Pass", "Result": false, "End": true}
        }
    });
    ok(def, input) == json!(true)
}

// ---------------------------------------------------------------------------------------------
// InputPath and Parameters
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
// ---------------------------------------------------------------------------------------------

// DG input-output-inputpath-params.html, "InputPath".
#[test]
fn inputpath_selects_dataset2() {
    let input = json!({
        "comment": "Example for InputPath.",
        "dataset1": {"val1": 1, "val2": 2, "val3": 3},
        "dataset2": {"val1": "a", "val2": "b", "val3": "c"}
    });
    let def = single("P", json!({"Type": "Pass", "InputPath": "$.dataset2"}));
    assert_eq!(
        ok(def, input),
        json!({"val1": "a", "val2": "b", "val3": "c"})
    );
}

// DG input-output-inputpath-params.html, note: `$.a[0:2]` on {"a":[1,2,3,4]} gives [1,2].
#[test]
fn inputpath_slice_yields_selection() {
    let def = single("P", json!({"Type": "Pass", "InputPath": "$.a[0:2]"}));
    assert_eq!(ok(def, json!({"a": [1, 2, 3, 4]})), json!([1, 2]));
}

// DG input-output-inputpath-params.html, "Parameters" key-value pairs (static, `.$`, nested).
#[test]
fn parameters_key_value_pairs() {
    let input = json!({
        "comment": "Example for Parameters.",
        "product": {
            "details": {"color": "blue", "size": "small", "material": "cotton"},
            "availability": "in stock",
            "sku": "2317",
            "cost": "$23"
        }
    });
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {
            "comment": "Selecting what I care about.",
            "MyDetails": {
                "size.$": "$.product.details.size",
                "exists.$": "$.product.availability",
                "StaticValue": "foo"
            }
        }}),
    );
    assert_eq!(
        ok(def, input),
        json!({
            "comment": "Selecting what I care about.",
            "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}
        })
    );
}

// DG input-output-contextobject.html, "Accessing the Context object": `"Execution.$":
// "$$.Execution.Id"` inside a nested Parameters object; the Id format is the page's
// "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName".
// The page's SQS Task is replaced by a Pass state so the payload is the output.
#[test]
fn parameters_context_execution_id() {
    let def = single(
        "Order Flight Ticket Queue",
        json!({"Type": "Pass", "Parameters": {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/flight-purchase",
            "MessageBody": {"From": "YVR", "To": "SEA", "Execution.$": "$$.Execution.Id"}
        }}),
    );
    let opts = RunOptions {
        state_machine_name: "stateMachineName".into(),
        execution_name: Some("executionName".into()),
        ..RunOptions::default()
    };
    let out = exec_with(def, json!({}), opts);
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(
        out.output.unwrap(),
        json!({
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/flight-purchase",
            "MessageBody": {
                "From": "YVR",
                "To": "SEA",
                "Execution": "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName"
            }
        })
    );
}

// docs/semantics/data-flow.md §2.2: InputPath null → the state sees {}.
#[test]
fn inputpath_null_gives_empty_object() {
    let def = single("P", json!({"Type": "Pass", "InputPath": null}));
    assert_eq!(ok(def, json!({"a": 1})), json!({}));
}

// docs/semantics/data-flow.md §2.4: keys without `.$` are literal, even when the value looks like a path;
// Pass `Result` is not a template (`.$` keys are output verbatim).
#[test]
fn parameters_literals_and_pass_result_verbatim() {
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {"x": "$.a", "y.$": "$.a"}}),
    );
    assert_eq!(ok(def, json!({"a": 1})), json!({"x": "$.a", "y": 1}));

    let def = single(
        "P",
        json!({"Type": "Pass", "Result": {"TestResult.$": "ConditionTrue"}}),
    );
    assert_eq!(ok(def, json!({})), json!({"TestResult.$": "ConditionTrue"}));
}

// ---------------------------------------------------------------------------------------------
// ResultSelector
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-resultselector
// ---------------------------------------------------------------------------------------------

// DG ResultSelector example (EMR createCluster.sync result; ResultSelector
// {"ClusterId.$":"$.output.ClusterId","ResourceType.$":"$.resourceType"}, ResultPath "$.EMROutput").
// The EMR task is replaced by a Lambda ARN (returns its input) whose input, built by Parameters,
// is the page's task result.
#[test]
fn resultselector_emr_cluster() {
    let def = single(
        "Create Cluster",
        json!({
            "Type": "Task",
            "Resource": format!("{LAMBDA}EmrStandIn"),
            "Parameters": {
                "resourceType": "elasticmapreduce",
                "resource": "createCluster.sync",
                "output": {
                    "SdkHttpMetadata": {"HttpStatusCode": 200},
                    "SdkResponseMetadata": {"RequestId": "1234-5678-9012"},
                    "ClusterId": "AKIAIOSFODNN7EXAMPLE"
                }
            },
            "ResultSelector": {
                "ClusterId.$": "$.output.ClusterId",
                "ResourceType.$": "$.resourceType"
            },
            "ResultPath": "$.EMROutput"
        }),
    );
    assert_eq!(
        ok(def, json!({"OtherDataFromInput": {}})),
        json!({
            "OtherDataFromInput": {},
            "EMROutput": {"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"}
        })
    );
}

// docs/semantics/data-flow.md §2.4: result {"a":{"b":1},"c":2}, ResultSelector {"x.$":"$.a.b","k":"lit"}
// → {"x":1,"k":"lit"}. (Lambda ARN returns its input, so the input is the result.)
#[test]
fn resultselector_digest_example() {
    let def = single(
        "T",
        json!({
            "Type": "Task",
            "Resource": format!("{LAMBDA}Echo"),
            "ResultSelector": {"x.$": "$.a.b", "k": "lit"}
        }),
    );
    assert_eq!(
        ok(def, json!({"a": {"b": 1}, "c": 2})),
        json!({"x": 1, "k": "lit"})
    );
}

// DG input-output-contextobject.html: `$$` may be used in ResultSelector.
#[test]
fn resultselector_reads_context() {
    let def = single(
        "T",
        json!({
            "Type": "Task",
            "Resource": format!("{LAMBDA}Echo"),
            "ResultSelector": {"state.$": "$$.State.Name", "a.$": "$.a"}
        }),
    );
    assert_eq!(ok(def, json!({"a": 1})), json!({"state": "T", "a": 1}));
}

// DG "Flattening an array of arrays": a Parallel state returning an array of arrays, flattened
// with ResultSelector {"flattenArray.$": "$[*][*]"}.
#[test]
fn resultselector_flattens_parallel_arrays() {
    let def = single(
        "Par",
        json!({
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": [1, 2], "End": true}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": [3], "End": true}}}
            ],
            "ResultSelector": {"flattenArray.$": "$[*][*]"}
        }),
    );
    assert_eq!(ok(def, json!({})), json!({"flattenArray": [1, 2, 3]}));
}

// Same DG section, with a Map state whose iterations return arrays.
#[test]
fn resultselector_flattens_map_arrays() {
    let def = single(
        "M",
        json!({
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "I",
                "States": {"I": {"Type": "Pass", "End": true}}
            },
            "ResultSelector": {"flattenArray.$": "$[*][*]"}
        }),
    );
    assert_eq!(
        ok(def, json!([["a", "b"], ["c"], []])),
        json!({"flattenArray": ["a", "b", "c"]})
    );
}

// ---------------------------------------------------------------------------------------------
// ResultPath
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
// The page's Lambda function (the tutorial's HelloFunction, result "Hello, AWS Step Functions!")
// is replaced by a Pass state whose Result is that string; `echo_task` is the page's Task state
// with the built-in Lambda behaviour (the result is the task input).
// ---------------------------------------------------------------------------------------------

fn hello_task(result_path: Option<Value>) -> Value {
    let mut state = json!({"Type": "Pass", "Result": "Hello, AWS Step Functions!"});
    if let Some(rp) = result_path {
        state["ResultPath"] = rp;
    }
    single("HelloWorld", state)
}

fn echo_task(result_path: &str) -> Value {
    single(
        "HelloWorld",
        json!({"Type": "Task", "Resource": format!("{LAMBDA}HelloFunction"), "ResultPath": result_path}),
    )
}

fn resultpath_input() -> Value {
    json!({
        "comment": "This is a test of the input and output of a Task state.",
        "details": "Default example",
        "who": "AWS Step Functions"
    })
}

// DG input-output-resultpath.html, "Use ResultPath to replace the input with the result".
#[test]
fn resultpath_default_replaces_input() {
    let expected = json!("Hello, AWS Step Functions!");
    assert_eq!(ok(hello_task(None), resultpath_input()), expected);
    assert_eq!(
        ok(hello_task(Some(json!("$"))), resultpath_input()),
        expected
    );
}

// DG input-output-resultpath.html, "Discard the result and keep the original input".
#[test]
fn resultpath_null_keeps_input() {
    assert_eq!(
        ok(hello_task(Some(Value::Null)), resultpath_input()),
        resultpath_input()
    );
}

// DG input-output-resultpath.html, "Include the result with the input" ($.taskresult).
// (The page's output repeats the input with small wording slips; the input's text is used.)
#[test]
fn resultpath_includes_result_with_input() {
    let mut expected = resultpath_input();
    expected["taskresult"] = json!("Hello, AWS Step Functions!");
    assert_eq!(
        ok(hello_task(Some(json!("$.taskresult"))), resultpath_input()),
        expected
    );
    let mut expected = resultpath_input();
    expected["taskresult"] = resultpath_input();
    assert_eq!(ok(echo_task("$.taskresult"), resultpath_input()), expected);
}

// DG input-output-resultpath.html: ResultPath "$.strings.lambdaresult" inserts a child node.
#[test]
fn resultpath_inserts_child_node() {
    let input = json!({
        "comment": "An input comment.",
        "strings": {"string1": "foo", "string2": "bar", "string3": "baz"},
        "who": "AWS Step Functions"
    });
    assert_eq!(
        ok(hello_task(Some(json!("$.strings.lambdaresult"))), input),
        json!({
            "comment": "An input comment.",
            "strings": {
                "string1": "foo",
                "string2": "bar",
                "string3": "baz",
                "lambdaresult": "Hello, AWS Step Functions!"
            },
            "who": "AWS Step Functions"
        })
    );
}

// DG input-output-resultpath.html, "Update a node in the input with the result" ($.comment).
#[test]
fn resultpath_overwrites_existing_node() {
    let mut expected = resultpath_input();
    expected["comment"] = json!("Hello, AWS Step Functions!");
    assert_eq!(
        ok(hello_task(Some(json!("$.comment"))), resultpath_input()),
        expected
    );
    let mut expected = resultpath_input();
    expected["comment"] = resultpath_input();
    assert_eq!(ok(echo_task("$.comment"), resultpath_input()), expected);
}

// DG input-output-resultpath.html, "Include both error and input in a Catch": Catch ResultPath
// "$.error" on input {"foo":"bar"}. The page's failing Lambda is replaced by a Parallel state whose
// branch fails with Error "Error here" (docs/semantics/parallel.md §8: the branch's error is the Parallel's);
// the Error Output shape {"Error","Cause"} is docs/semantics/errors.md §6.4.
#[test]
fn resultpath_in_catch_keeps_input() {
    let def = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {
                    "Type": "Fail", "Error": "Error here", "Cause": "Cause here"}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "NextTask", "ResultPath": "$.error"}],
                "End": true
            },
            "NextTask": {"Type": "Pass", "End": true}
        }
    });
    assert_eq!(
        ok(def, json!({"foo": "bar"})),
        json!({"foo": "bar", "error": {"Error": "Error here", "Cause": "Cause here"}})
    );
}

// docs/semantics/data-flow.md §2.2: ResultPath overwrites an existing field, and creates missing intermediates.
#[test]
fn resultpath_digest_examples() {
    let input = json!({"m": {"d": [1, 2]}});
    let def = single(
        "P",
        json!({"Type": "Pass", "Result": 6, "ResultPath": "$.m.d"}),
    );
    assert_eq!(ok(def, input.clone()), json!({"m": {"d": 6}}));
    let def = single(
        "P",
        json!({"Type": "Pass", "Result": 6, "ResultPath": "$.m.x.y"}),
    );
    assert_eq!(ok(def, input), json!({"m": {"d": [1, 2], "x": {"y": 6}}}));
    let def = single(
        "P",
        json!({"Type": "Pass", "Result": 7, "ResultPath": "$.r"}),
    );
    assert_eq!(ok(def, json!({"a": 1})), json!({"a": 1, "r": 7}));
}

// ---------------------------------------------------------------------------------------------
// InputPath + ResultPath + OutputPath
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-example.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-outputpath.html
// ---------------------------------------------------------------------------------------------

// DG input-output-example.html: the HelloWorld Task with InputPath "$.lambda",
// ResultPath "$.data.lambdaresult", OutputPath "$.data". Run as on the page but with the built-in
// Lambda (result = task input {"who": ...}), then with a Pass state whose Result is the page's
// "Hello, AWS Step Functions!".
#[test]
fn input_result_output_path_example() {
    let mut def = json!({
        "Comment": "A Hello World example of the Amazon States Language using an AWS Lambda function",
        "StartAt": "HelloWorld",
        "States": {
            "HelloWorld": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction",
                "InputPath": "$.lambda",
                "ResultPath": "$.data.lambdaresult",
                "OutputPath": "$.data",
                "End": true
            }
        }
    });
    let input = json!({
        "comment": "An input comment.",
        "data": {"val1": 23, "val2": 17},
        "extra": "foo",
        "lambda": {"who": "AWS Step Functions"}
    });
    assert_eq!(
        ok(def.clone(), input.clone()),
        json!({"val1": 23, "val2": 17, "lambdaresult": {"who": "AWS Step Functions"}})
    );
    let hello = &mut def["States"]["HelloWorld"];
    hello["Type"] = json!("Pass");
    hello["Result"] = json!("Hello, AWS Step Functions!");
    hello.as_object_mut().unwrap().remove("Resource");
    assert_eq!(
        ok(def, input),
        json!({"val1": 23, "val2": 17, "lambdaresult": "Hello, AWS Step Functions!"})
    );
}

// DG "Input and Output Processing" (archived doc_source/amazon-states-language-input-output-processing.md,
// "Paths in InputPath, ResultPath, and OutputPath Fields"):
// InputPath "$.numbers", ResultPath "$.sum", task result 7; OutputPath "$" then "$.sum".
// The adding task is replaced by a Pass state whose Result is the page's 7.
#[test]
fn numbers_to_add_example() {
    let input = json!({"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}});
    let state = |output_path: &str| {
        single(
            "Add",
            json!({"Type": "Pass", "InputPath": "$.numbers", "Result": 7,
                   "ResultPath": "$.sum", "OutputPath": output_path}),
        )
    };
    assert_eq!(
        ok(state("$"), input.clone()),
        json!({"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}, "sum": 7})
    );
    assert_eq!(ok(state("$.sum"), input), json!(7));
}

// docs/semantics/data-flow.md §2.2: OutputPath null → {}.
#[test]
fn outputpath_null_gives_empty_object() {
    let def = single("P", json!({"Type": "Pass", "OutputPath": null}));
    assert_eq!(ok(def, json!({"a": 1})), json!({}));
}

// ---------------------------------------------------------------------------------------------
// Paths
// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
// ---------------------------------------------------------------------------------------------

fn paths_input() -> Value {
    json!({
        "foo": 123,
        "bar": ["a", "b", "c"],
        "car": {"cdr": true},
        "jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}]
    })
}

fn select(path: &str, input: Value) -> Value {
    ok(
        single("P", json!({"Type": "Pass", "InputPath": path})),
        input,
    )
}

// DG amazon-states-language-paths.html: $.foo => 123, $.bar => ["a","b","c"], $.car.cdr => true.
#[test]
fn paths_reference_examples() {
    assert_eq!(select("$.foo", paths_input()), json!(123));
    assert_eq!(select("$.bar", paths_input()), json!(["a", "b", "c"]));
    assert_eq!(select("$.car.cdr", paths_input()), json!(true));
}

// DG amazon-states-language-paths.html: $.jar[?(@.a >= 5)] => [{"a": 5}, {"a": 7}].
#[test]
fn paths_filter_example() {
    assert_eq!(
        select("$.jar[?(@.a >= 5)]", paths_input()),
        json!([{"a": 5}, {"a": 7}])
    );
}

// docs/semantics/data-flow.md §2.3: an indefinite path yields an array even for one match.
#[test]
fn paths_indefinite_single_match_is_array() {
    assert_eq!(
        select("$.jar[?(@.a == 7)]", paths_input()),
        json!([{"a": 7}])
    );
}

// DG amazon-states-language-paths.html: square brackets for names outside member-name-shorthand,
// e.g. `$.abc.['def ghi']`.
#[test]
fn paths_bracket_notation_for_special_names() {
    assert_eq!(
        select("$.abc.['def ghi']", json!({"abc": {"def ghi": 42}})),
        json!(42)
    );
}

// docs/semantics/data-flow.md §2.3: union `$.a[0,1]` on {"a":[1,2,3]} → [1,2]; negative slice `[-3:]`;
// `..` deep scan (DG variables page: "products.$": "$.order..product"); `*`.
#[test]
fn paths_union_slice_deep_scan_wildcard() {
    assert_eq!(select("$.a[0,1]", json!({"a": [1, 2, 3]})), json!([1, 2]));
    assert_eq!(
        select("$.a[-3:]", json!({"a": [1, 2, 3, 4, 5]})),
        json!([3, 4, 5])
    );
    let order = json!({"order": {"items": [{"product": "p1"}, {"product": "p2"}], "total": 9}});
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {"products.$": "$.order..product", "orderTotal.$": "$.order.total"}}),
    );
    assert_eq!(
        ok(def, order),
        json!({"products": ["p1", "p2"], "orderTotal": 9})
    );
    assert_eq!(select("$.bar[*]", paths_input()), json!(["a", "b", "c"]));
}

// ---------------------------------------------------------------------------------------------
// Context object
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
// ---------------------------------------------------------------------------------------------

fn who_items() -> Value {
    json!([{"who": "bob"}, {"who": "meg"}, {"who": "joe"}])
}

fn who_expected() -> Value {
    json!([
        {"ContextValue": {"who": "bob"}, "ContextIndex": 0},
        {"ContextValue": {"who": "meg"}, "ContextIndex": 1},
        {"ContextValue": {"who": "joe"}, "ContextIndex": 2}
    ])
}

// DG input-output-contextobject.html, "Context object data for Map states" (legacy form:
// Map `Parameters` + `Iterator`, as in the archived page).
#[test]
fn context_map_item_legacy_parameters_iterator() {
    let def = json!({
        "StartAt": "ExampleMapState",
        "States": {
            "ExampleMapState": {
                "Type": "Map",
                "Parameters": {
                    "ContextIndex.$": "$$.Map.Item.Index",
                    "ContextValue.$": "$$.Map.Item.Value"
                },
                "Iterator": {
                    "StartAt": "TestPass",
                    "States": {"TestPass": {"Type": "Pass", "End": true}}
                },
                "End": true
            }
        }
    });
    assert_eq!(ok(def, who_items()), who_expected());
}

// Same DG example in the current form: ItemSelector + ItemProcessor (INLINE).
#[test]
fn context_map_item_selector_item_processor() {
    let def = json!({
        "StartAt": "ExampleMapState",
        "States": {
            "ExampleMapState": {
                "Type": "Map",
                "ItemSelector": {
                    "ContextIndex.$": "$$.Map.Item.Index",
                    "ContextValue.$": "$$.Map.Item.Value"
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "TestPass",
                    "States": {"TestPass": {"Type": "Pass", "End": true}}
                },
                "End": true
            }
        }
    });
    assert_eq!(ok(def, who_items()), who_expected());
}

// DG input-output-contextobject.html field list + docs/semantics/context-object.md §3: `Execution.Input` is the
// execution input (not the state input); `State.Name`, `StateMachine.Name`, `Execution.Name`,
// and the ARN forms of `Execution.Id` / `StateMachine.Id`.
#[test]
fn context_execution_state_and_machine_fields() {
    let def = json!({
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": {"replaced": true}, "Next": "Second"},
            "Second": {"Type": "Pass", "Parameters": {
                "input.$": "$$.Execution.Input",
                "state.$": "$$.State.Name",
                "machine.$": "$$.StateMachine.Name",
                "name.$": "$$.Execution.Name",
                "id.$": "$$.Execution.Id",
                "machineId.$": "$$.StateMachine.Id",
                "current.$": "$"
            }, "End": true}
        }
    });
    let opts = RunOptions {
        state_machine_name: "stateMachineName".into(),
        execution_name: Some("executionName".into()),
        ..RunOptions::default()
    };
    let out = exec_with(def, json!({"key": "value"}), opts);
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(
        out.output.unwrap(),
        json!({
            "input": {"key": "value"},
            "state": "Second",
            "machine": "stateMachineName",
            "name": "executionName",
            "id": "arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName",
            "machineId": "arn:aws:states:us-east-1:123456789012:stateMachine:stateMachineName",
            "current": {"replaced": true}
        })
    );
}

fn start_time_text(ms: i64) -> Value {
    let opts = RunOptions {
        start_time: Some(ms),
        ..RunOptions::default()
    };
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {"t.$": "$$.Execution.StartTime"}}),
    );
    let out = exec_with(def, json!({}), opts);
    out.output.expect("succeeded")["t"].clone()
}

// DG input-output-contextobject.html: StartTime is ISO 8601 UTC, like "2019-03-26T20:14:13.192Z".
// (2024-01-01T00:00:00Z = 1_704_067_200_000 ms.)
#[test]
fn context_start_time_format() {
    assert_eq!(
        start_time_text(1_704_067_200_192),
        json!("2024-01-01T00:00:00.192Z")
    );
}

// DG input-output-contextobject.html: "when a timestamp has zero fractional seconds, trailing
// zeros are removed", so a start exactly on the second has no fraction (docs/semantics/context-object.md §3).
#[test]
fn context_timestamp_zero_fraction_has_no_fraction() {
    assert_eq!(
        start_time_text(1_704_067_200_000),
        json!("2024-01-01T00:00:00Z")
    );
}

#[test]
fn context_in_inputpath_outputpath_and_choice() {
    let def = single("P", json!({"Type": "Pass", "InputPath": "$$"}));
    let ctx = ok(def, json!({"k": 1}));
    assert_eq!(ctx["Execution"]["Input"], json!({"k": 1}));
    assert_eq!(ctx["State"]["Name"], json!("P"));
    assert!(ctx["StateMachine"]["Id"].is_string(), "{ctx}");

    let def = single(
        "P",
        json!({"Type": "Pass", "OutputPath": "$$.Execution.Input.k"}),
    );
    assert_eq!(ok(def, json!({"k": 1})), json!(1));

    let def = json!({
        "StartAt": "Replace",
        "States": {
            "Replace": {"Type": "Pass", "Result": {}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$$.Execution.Input.flag", "BooleanEquals": true, "Next": "Yes"}
            ], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": "yes", "End": true},
            "No": {"Type": "Pass", "Result": "no", "End": true}
        }
    });
    assert_eq!(ok(def, json!({"flag": true})), json!("yes"));
}

// ---------------------------------------------------------------------------------------------
// Pass, Succeed
// https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
// https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
// ---------------------------------------------------------------------------------------------

// DG state-pass.html, "Pass state example".
#[test]
fn pass_injects_result_at_resultpath() {
    let def = single(
        "No-op",
        json!({
            "Type": "Pass",
            "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
            "ResultPath": "$.coords"
        }),
    );
    assert_eq!(
        ok(def, json!({"georefOf": "Home"})),
        json!({"georefOf": "Home", "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}})
    );
}

// DG state-pass.html: a Pass state passes its input to its output.
#[test]
fn pass_without_result_passes_input() {
    let input = json!({"a": [1, {"b": null}], "c": "d"});
    assert_eq!(
        ok(single("P", json!({"Type": "Pass"})), input.clone()),
        input
    );
}

// DG state-succeed.html / docs/semantics/data-flow.md §2.1: Succeed applies InputPath then OutputPath.
#[test]
fn succeed_applies_inputpath_and_outputpath() {
    let def = single(
        "Done",
        json!({"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}),
    );
    assert_eq!(ok(def, json!({"a": {"b": [1]}, "x": 0})), json!([1]));
}

// ---------------------------------------------------------------------------------------------
// Choice
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
// ---------------------------------------------------------------------------------------------

/// The DG Choice example; the target Tasks are replaced by Pass states whose Result is the
/// state's name, so the output tells which branch was taken.
fn choice_dg_example() -> Value {
    let target = |name: &str| json!({"Type": "Pass", "Result": name, "End": true});
    json!({
        "StartAt": "ChoiceStateX",
        "States": {
            "ChoiceStateX": {
                "Type": "Choice",
                "Choices": [
                    {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
                    {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
                    {"And": [
                        {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                        {"Variable": "$.value", "NumericLessThan": 30}
                    ], "Next": "ValueInTwenties"}
                ],
                "Default": "DefaultState"
            },
            "Public": target("Public"),
            "ValueIsZero": target("ValueIsZero"),
            "ValueInTwenties": target("ValueInTwenties"),
            "DefaultState": {"Type": "Fail", "Cause": "No Matches!"}
        }
    })
}

// DG state-choice.html, "Choice state example": {"type":"Private","value":22} → ValueInTwenties;
// and the other rules / Default of the same machine.
#[test]
fn choice_dg_example_branches() {
    let def = choice_dg_example();
    assert_eq!(
        ok(def.clone(), json!({"type": "Private", "value": 22})),
        json!("ValueInTwenties")
    );
    assert_eq!(
        ok(def.clone(), json!({"type": "Public", "value": 22})),
        json!("Public")
    );
    assert_eq!(
        ok(def.clone(), json!({"type": "Private", "value": 0})),
        json!("ValueIsZero")
    );
    let out = exec(def, json!({"type": "Private", "value": 30}));
    assert_eq!(out.status, Status::Failed, "{out:?}");
    assert_eq!(out.error, None);
    assert_eq!(out.cause.as_deref(), Some("No Matches!"));
}

// DG state-choice.html note: "If the state input doesn't contain the $.type field, the execution
// fails"; docs/semantics/choice.md §5.3: States.Runtime with the §6.6 prefix (detail text UNVERIFIED).
#[test]
fn choice_missing_variable_fails_with_runtime() {
    let (error, cause) = failed(choice_dg_example(), json!({"value": 22}));
    assert_eq!(error, "States.Runtime");
    assert!(cause.starts_with(&prefix("ChoiceStateX", 2)), "{cause}");
}

// docs/semantics/choice.md §5.1: no match and no Default → States.NoChoiceMatched.
#[test]
fn choice_without_default_fails_no_choice_matched() {
    let def = json!({
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.v", "NumericEquals": 1, "Next": "Done"}
            ]},
            "Done": {"Type": "Succeed"}
        }
    });
    assert_eq!(failed(def, json!({"v": 2})).0, "States.NoChoiceMatched");
}

// DG state-choice.html: rules are examined in order; the first match wins. docs/semantics/choice.md §5.1:
// the Choice output is its (filtered) input.
#[test]
fn choice_first_match_wins_and_passes_input() {
    let def = json!({
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "InputPath": "$.in", "OutputPath": "$.keep", "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "First"},
                {"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Second"}
            ], "Default": "Second"},
            "First": {"Type": "Pass", "ResultPath": "$.went", "Result": "First", "End": true},
            "Second": {"Type": "Pass", "ResultPath": "$.went", "Result": "Second", "End": true}
        }
    });
    assert_eq!(
        ok(def, json!({"in": {"n": 5, "keep": {"k": 1}}, "other": 0})),
        json!({"k": 1, "went": "First"})
    );
}

// DG state-choice.html rule examples (StringEquals "MyString", StringGreaterThan "MyStringABC")
// and the docs/semantics/choice.md §5.2 truth tables for the string operators.
#[test]
fn choice_string_operators() {
    let foo = |v: Value| json!({"foo": v});
    assert!(choose(
        json!({"Variable": "$.foo", "StringEquals": "MyString"}),
        foo(json!("MyString"))
    ));
    assert!(!choose(
        json!({"Variable": "$.foo", "StringEquals": "MyString"}),
        foo(json!("mystring"))
    ));
    assert!(!choose(
        json!({"Variable": "$.foo", "StringEquals": " "}),
        foo(json!("     "))
    ));
    assert!(!choose(
        json!({"Variable": "$.foo", "StringEquals": "1"}),
        foo(json!(1))
    ));
    assert!(choose(
        json!({"Variable": "$.foo", "StringGreaterThan": "MyStringABC"}),
        foo(json!("MyStringABD"))
    ));
    assert!(!choose(
        json!({"Variable": "$.foo", "StringGreaterThan": "A "}),
        foo(json!("A"))
    ));
    assert!(choose(
        json!({"Variable": "$.foo", "StringLessThan": "AB"}),
        foo(json!("A"))
    ));
    assert!(!choose(
        json!({"Variable": "$.foo", "StringLessThan": ""}),
        foo(json!(""))
    ));
    assert!(choose(
        json!({"Variable": "$.foo", "StringLessThanEquals": "a"}),
        foo(json!("a"))
    ));
    assert!(choose(
        json!({"Variable": "$.foo", "StringGreaterThanEquals": "a"}),
        foo(json!("b"))
    ));
    assert!(!choose(
        json!({"Variable": "$.foo", "StringGreaterThanEquals": "b"}),
        foo(json!("a"))
    ));
}

// DG state-choice.html (NumericEquals 1 example) and docs/semantics/choice.md §5.2 truth table: type
// mismatches are false, not errors; 1 equals 1.0; 1.1 does not equal 1.
#[test]
fn choice_numeric_operators() {
    let rule = |op: &str, v: Value| json!({"Variable": "$.foo", op: v});
    let foo = |v: Value| json!({"foo": v});
    assert!(choose(rule("NumericEquals", json!(1)), foo(json!(1))));
    assert!(choose(rule("NumericEquals", json!(1.0)), foo(json!(1))));
    assert!(!choose(rule("NumericEquals", json!(1)), foo(json!(1.1))));
    for v in [
        json!(null),
        json!(""),
        json!([]),
        json!({}),
        json!(true),
        json!("0"),
    ] {
        assert!(
            !choose(rule("NumericEquals", json!(0)), foo(v.clone())),
            "{v}"
        );
    }
    assert!(choose(rule("NumericLessThan", json!(30)), foo(json!(29.5))));
    assert!(!choose(rule("NumericLessThan", json!(30)), foo(json!(30))));
    assert!(choose(
        rule("NumericLessThanEquals", json!(30)),
        foo(json!(30))
    ));
    assert!(choose(rule("NumericGreaterThan", json!(-1)), foo(json!(0))));
    assert!(choose(
        rule("NumericGreaterThanEquals", json!(20)),
        foo(json!(20))
    ));
}

// docs/semantics/choice.md §5.2: BooleanEquals is true only for equal booleans.
#[test]
fn choice_boolean_equals() {
    let rule = |b: bool| json!({"Variable": "$.foo", "BooleanEquals": b});
    assert!(choose(rule(true), json!({"foo": true})));
    assert!(choose(rule(false), json!({"foo": false})));
    assert!(!choose(rule(true), json!({"foo": false})));
    for v in [json!(0), json!(1), json!(""), json!(null), json!([true])] {
        assert!(!choose(rule(true), json!({"foo": v.clone()})), "{v}");
        assert!(!choose(rule(false), json!({"foo": v.clone()})), "{v}");
    }
}

// DG state-choice.html (TimestampEquals "2001-01-01T12:00:00Z"; uppercase T and Z required) and
// docs/semantics/choice.md §5.2/§5.4: values that are not timestamps compare false.
#[test]
fn choice_timestamp_operators() {
    let rule = |op: &str| json!({"Variable": "$.foo", op: "2001-01-01T12:00:00Z"});
    let foo = |v: &str| json!({"foo": v});
    assert!(choose(rule("TimestampEquals"), foo("2001-01-01T12:00:00Z")));
    assert!(!choose(
        rule("TimestampEquals"),
        foo("2001-01-01 12:00:00Z")
    ));
    assert!(!choose(rule("TimestampEquals"), foo("2001-01-01T12:00:00")));
    assert!(!choose(rule("TimestampEquals"), json!({"foo": 978350400})));
    assert!(choose(
        rule("TimestampLessThan"),
        foo("2001-01-01T11:59:59Z")
    ));
    assert!(choose(
        rule("TimestampGreaterThan"),
        foo("2016-08-18T17:33:00Z")
    ));
    assert!(choose(
        rule("TimestampLessThanEquals"),
        foo("2001-01-01T12:00:00Z")
    ));
    assert!(choose(
        rule("TimestampGreaterThanEquals"),
        foo("2001-01-01T12:00:00Z")
    ));
    assert!(!choose(
        rule("TimestampGreaterThanEquals"),
        foo("2000-12-31T23:59:59Z")
    ));
}

// DG state-choice.html / docs/semantics/choice.md §5.2: StringMatches with `*` (any run, incl. empty) and
// `\\*` in JSON for a literal `*`.
#[test]
fn choice_string_matches() {
    let rule = |p: &str| json!({"Variable": "$.foo", "StringMatches": p});
    let foo = |v: &str| json!({"foo": v});
    assert!(choose(rule("log-*.txt"), foo("log-2024-01-01.txt")));
    assert!(choose(rule("log-*.txt"), foo("log-.txt")));
    assert!(!choose(rule("log-*.txt"), foo("log-1.txt.gz")));
    assert!(!choose(rule("log-*.txt"), foo("mylog-1.txt")));
    assert!(choose(rule("a\\*b"), foo("a*b")));
    assert!(!choose(rule("a\\*b"), foo("axb")));
    assert!(!choose(rule("*"), json!({"foo": 1})));
}

// docs/semantics/choice.md §5.2: IsNull, IsPresent (never errors on a missing path; true for a present
// null/false/[]), IsNumeric, IsString, IsBoolean, IsTimestamp; operand false inverts.
#[test]
fn choice_type_test_operators() {
    let rule = |op: &str, b: bool| json!({"Variable": "$.foo", op: b});
    let foo = |v: Value| json!({"foo": v});
    assert!(choose(rule("IsNull", true), foo(json!(null))));
    assert!(!choose(rule("IsNull", true), foo(json!(0))));
    assert!(choose(rule("IsNull", false), foo(json!(""))));
    assert!(!choose(rule("IsPresent", true), json!({"bar": 1})));
    assert!(choose(rule("IsPresent", false), json!({"bar": 1})));
    for v in [json!(null), json!(false), json!([])] {
        assert!(choose(rule("IsPresent", true), foo(v.clone())), "{v}");
    }
    for v in [json!(0), json!(0.0), json!(1), json!(1.1)] {
        assert!(choose(rule("IsNumeric", true), foo(v.clone())), "{v}");
    }
    assert!(!choose(rule("IsNumeric", true), foo(json!("1"))));
    assert!(choose(rule("IsNumeric", false), foo(json!("1"))));
    assert!(choose(
        rule("IsString", true),
        foo(json!("2016-08-18T17:33:00Z"))
    ));
    assert!(!choose(rule("IsString", true), foo(json!(null))));
    assert!(choose(rule("IsBoolean", true), foo(json!(false))));
    assert!(!choose(rule("IsBoolean", true), foo(json!("true"))));
    assert!(choose(
        rule("IsTimestamp", true),
        foo(json!("2016-08-18T17:33:00Z"))
    ));
    assert!(!choose(
        rule("IsTimestamp", true),
        foo(json!("2012-10-09T19:00:55"))
    ));
}

// DG transforming-data.html ("Check Price": Variable "$.current_price.current_price",
// NumericLessThanEqualsPath "$.desired_price") and docs/semantics/choice.md §5.2 `…Path` variants.
#[test]
fn choice_path_operators() {
    let price =
        |current: f64| json!({"current_price": {"current_price": current}, "desired_price": 10});
    let rule = json!({"Variable": "$.current_price.current_price", "NumericLessThanEqualsPath": "$.desired_price"});
    assert!(choose(rule.clone(), price(9.5)));
    assert!(choose(rule.clone(), price(10.0)));
    assert!(!choose(rule, price(10.5)));

    let input = json!({"a": "x", "b": "x", "c": "y", "t": true, "u": true,
                       "t1": "2001-01-01T12:00:00Z", "t2": "2016-08-18T17:33:00Z", "n": 3, "m": 3.0});
    assert!(choose(
        json!({"Variable": "$.a", "StringEqualsPath": "$.b"}),
        input.clone()
    ));
    assert!(!choose(
        json!({"Variable": "$.a", "StringEqualsPath": "$.c"}),
        input.clone()
    ));
    assert!(choose(
        json!({"Variable": "$.a", "StringLessThanPath": "$.c"}),
        input.clone()
    ));
    assert!(choose(
        json!({"Variable": "$.t", "BooleanEqualsPath": "$.u"}),
        input.clone()
    ));
    assert!(choose(
        json!({"Variable": "$.n", "NumericEqualsPath": "$.m"}),
        input.clone()
    ));
    assert!(choose(
        json!({"Variable": "$.t1", "TimestampLessThanPath": "$.t2"}),
        input.clone()
    ));
    assert!(!choose(
        json!({"Variable": "$.t1", "TimestampGreaterThanPath": "$.t2"}),
        input
    ));
}

// DG state-choice.html: nested And / Or / Not rules (Next only at the top level).
#[test]
fn choice_and_or_not() {
    let rule = json!({"Or": [
        {"And": [
            {"Variable": "$.type", "StringEquals": "Private"},
            {"Not": {"Variable": "$.value", "NumericLessThan": 20}}
        ]},
        {"Variable": "$.vip", "BooleanEquals": true}
    ]});
    assert!(choose(
        rule.clone(),
        json!({"type": "Private", "value": 25, "vip": false})
    ));
    assert!(!choose(
        rule.clone(),
        json!({"type": "Private", "value": 5, "vip": false})
    ));
    assert!(choose(
        rule.clone(),
        json!({"type": "Public", "value": 5, "vip": true})
    ));
    assert!(!choose(
        rule,
        json!({"type": "Public", "value": 25, "vip": false})
    ));
}

// ---------------------------------------------------------------------------------------------
// Wait
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html ; docs/semantics/wait.md §9
// ---------------------------------------------------------------------------------------------

fn wait_then_time(mut wait: Value) -> Value {
    wait["Type"] = json!("Wait");
    wait["Next"] = json!("After");
    json!({
        "StartAt": "W",
        "States": {
            "W": wait,
            "After": {"Type": "Pass", "Parameters": {
                "entered.$": "$$.State.EnteredTime",
                "start.$": "$$.Execution.StartTime",
                "input.$": "$"
            }, "End": true}
        }
    })
}

fn millis(ts: &Value) -> i64 {
    let s = ts.as_str().expect("timestamp string");
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .timestamp_millis()
}

// DG state-wait.html: "wait_ten_seconds" (Seconds 10) delays the next state by ten seconds;
// the Wait output is its input.
#[test]
fn wait_seconds_delays_next_state() {
    let out = ok(wait_then_time(json!({"Seconds": 10})), json!({"k": "v"}));
    let delay = millis(&out["entered"]) - millis(&out["start"]);
    assert!((10_000..11_000).contains(&delay), "delay {delay} ms: {out}");
    assert_eq!(out["input"], json!({"k": "v"}));
}

// DG state-wait.html: Timestamp "2016-03-14T01:59:00Z" and TimestampPath "$.expirydate" with
// input {"expirydate": "2016-03-14T01:59:00Z"}; a past time ends the wait at once (§9).
#[test]
fn wait_timestamp_and_timestamp_path_in_the_past() {
    let out = ok(
        wait_then_time(json!({"Timestamp": "2016-03-14T01:59:00Z"})),
        json!({}),
    );
    assert!(
        millis(&out["entered"]) - millis(&out["start"]) < 1_000,
        "{out}"
    );

    let input = json!({"expirydate": "2016-03-14T01:59:00Z"});
    let out = ok(
        wait_then_time(json!({"TimestampPath": "$.expirydate"})),
        input.clone(),
    );
    assert_eq!(out["input"], input);
}

// DG state-wait.html: SecondsPath selects the number of seconds from the input.
#[test]
fn wait_seconds_path() {
    let out = ok(
        wait_then_time(json!({"SecondsPath": "$.input.waitSeconds"})),
        json!({"input": {"waitSeconds": 5}}),
    );
    let delay = millis(&out["entered"]) - millis(&out["start"]);
    assert!((5_000..6_000).contains(&delay), "delay {delay} ms: {out}");
}

// docs/semantics/wait.md §9: SecondsPath runtime errors (missing, negative, not integral).
#[test]
fn wait_seconds_path_errors() {
    let def = || {
        single(
            "W",
            json!({"Type": "Wait", "SecondsPath": "$.input.waitSeconds"}),
        )
    };
    let p = prefix("W", 2);
    assert_eq!(
        failed(def(), json!({"input": {}})),
        (
            "States.Runtime".to_string(),
            format!("{p}The SecondsPath parameter does not reference an input value: $.input.waitSeconds")
        )
    );
    assert_eq!(
        failed(def(), json!({"input": {"waitSeconds": -1}})),
        (
            "States.Runtime".to_string(),
            format!("{p}The SecondsPath parameter references a negative value: $.input.waitSeconds == -1")
        )
    );
    assert_eq!(
        failed(def(), json!({"input": {"waitSeconds": 1.5}})),
        (
            "States.Runtime".to_string(),
            format!("{p}The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5")
        )
    );
}

// docs/semantics/wait.md §9: TimestampPath values without a zone or with a space instead of `T`.
#[test]
fn wait_timestamp_path_invalid_values() {
    for bad in ["2016-12-05T21:29:29", "2016-12-05 21:29:29Z"] {
        let def = single(
            "W",
            json!({"Type": "Wait", "TimestampPath": "$.TimestampValue"}),
        );
        let (error, cause) = failed(def, json!({"TimestampValue": bad}));
        assert_eq!(error, "States.Runtime");
        assert_eq!(
            cause,
            format!(
                "{}The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == {bad}",
                prefix("W", 2)
            )
        );
    }
}

// docs/semantics/wait.md §9: a timestamp ≥ ~2^31 s ahead → "Wait state delay is too long." (the run
// starts 2024-01-01; 2100-01-01 is ~27,700 days later, beyond the 24,856-day failure point).
#[test]
fn wait_delay_too_long() {
    let def = single(
        "W",
        json!({"Type": "Wait", "Timestamp": "2100-01-01T00:00:00Z"}),
    );
    assert_eq!(
        failed(def, json!({})),
        (
            "States.Runtime".to_string(),
            format!("{}Wait state delay is too long.", prefix("W", 2))
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Parallel
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html ; docs/semantics/parallel.md §8
// ---------------------------------------------------------------------------------------------

// DG state-parallel.html, "FunWithMath": input [3,2]; Add → 5, Subtract → 1; output [5, 1].
// The page's activity tasks are replaced by Pass states whose Result is the page's value.
#[test]
fn parallel_fun_with_math() {
    let def = json!({
        "Comment": "Parallel Example.",
        "StartAt": "FunWithMath",
        "States": {
            "FunWithMath": {
                "Type": "Parallel",
                "End": true,
                "Branches": [
                    {"StartAt": "Add", "States": {"Add": {"Type": "Pass", "Result": 5, "End": true}}},
                    {"StartAt": "Subtract", "States": {"Subtract": {"Type": "Pass", "Result": 1, "End": true}}}
                ]
            }
        }
    });
    assert_eq!(ok(def, json!([3, 2])), json!([5, 1]));
}

// DG state-parallel.html, "LookupCustomerInfo": each branch gets a copy of the input; output is
// one element per branch in Branches order (Lambda ARNs return their input).
#[test]
fn parallel_lookup_customer_info() {
    let def = json!({
        "Comment": "Parallel Example.",
        "StartAt": "LookupCustomerInfo",
        "States": {
            "LookupCustomerInfo": {
                "Type": "Parallel",
                "End": true,
                "Branches": [
                    {"StartAt": "LookupAddress", "States": {"LookupAddress": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:AddressFinder",
                        "End": true}}},
                    {"StartAt": "LookupPhone", "States": {"LookupPhone": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:PhoneFinder",
                        "End": true}}}
                ]
            }
        }
    });
    let input = json!({"customer": "c-1"});
    assert_eq!(ok(def, input.clone()), json!([input.clone(), input]));
}

// docs/semantics/parallel.md §8: input [1,2,3,4], three pass-through branches → three copies; results may
// differ in type and keep Branches order.
#[test]
fn parallel_output_in_branch_order() {
    // State names are unique across the whole machine, branches included.
    let branch = |name: &str, state: Value| json!({"StartAt": name, "States": {name: state}});
    let def = single(
        "Par",
        json!({"Type": "Parallel", "Branches": [
            branch("S1", json!({"Type": "Pass", "End": true})),
            branch("S2", json!({"Type": "Wait", "Seconds": 3, "End": true})),
            branch("S3", json!({"Type": "Pass", "End": true})),
            branch("S4", json!({"Type": "Pass", "Result": "text", "End": true}))
        ]}),
    );
    assert_eq!(
        ok(def, json!([1, 2, 3, 4])),
        json!([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], "text"])
    );
}

fn failing_parallel(catch: Option<Value>) -> Value {
    let mut par = json!({
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": true}}},
            {"StartAt": "Boom", "States": {"Boom": {
                "Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}}}
        ],
        "End": true
    });
    let mut def = json!({"StartAt": "Par", "States": {}});
    if let Some(c) = catch {
        par["Catch"] = c;
        def["States"]["Handled"] = json!({"Type": "Pass", "End": true});
    }
    def["States"]["Par"] = par;
    def
}

// DG state-parallel.html "Error handling" + docs/semantics/parallel.md §8: a failing branch fails the
// Parallel with the branch's own error and cause (not States.BranchFailed).
#[test]
fn parallel_branch_failure_propagates_branch_error() {
    assert_eq!(
        failed(failing_parallel(None), json!({})),
        ("FailureType".to_string(), "Cause description".to_string())
    );
}

// docs/semantics/parallel.md §8/§6.4: a Catch on the branch's error name, with ResultPath into the raw input.
#[test]
fn parallel_catch_branch_error() {
    let catch =
        json!([{"ErrorEquals": ["FailureType"], "ResultPath": "$.error", "Next": "Handled"}]);
    assert_eq!(
        ok(failing_parallel(Some(catch)), json!({"k": 1})),
        json!({"k": 1, "error": {"Error": "FailureType", "Cause": "Cause description"}})
    );
}

// ---------------------------------------------------------------------------------------------
// Map
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemspath.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
// ---------------------------------------------------------------------------------------------

fn pass_processor() -> Value {
    json!({"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}})
}

// DG input-output-itemspath.html: ItemsPath "$.ThingsPiratesSay", one SayWord iteration per item.
#[test]
fn map_itemspath_pirates() {
    let def = json!({
        "StartAt": "PiratesSay",
        "States": {
            "PiratesSay": {
                "Type": "Map",
                "ItemsPath": "$.ThingsPiratesSay",
                "Iterator": {
                    "StartAt": "SayWord",
                    "States": {"SayWord": {"Type": "Pass", "End": true}}
                },
                "End": true
            }
        }
    });
    let input = json!({
        "ThingsPiratesSay": [{"say": "Avast!"}, {"say": "Yar!"}, {"say": "Walk the Plank!"}],
        "ThingsGiantsSay": [{"say": "Fee!"}, {"say": "Fi!"}, {"say": "Fo!"}, {"say": "Fum!"}]
    });
    assert_eq!(
        ok(def, input),
        json!([{"say": "Avast!"}, {"say": "Yar!"}, {"say": "Walk the Plank!"}])
    );
}

fn shipment() -> Value {
    json!({
        "ship-date": "2016-03-14T01:59:00Z",
        "detail": {
            "delivery-partner": "UQS",
            "shipped": [
                {"prod": "R31", "dest-code": 9511, "quantity": 1344},
                {"prod": "S39", "dest-code": 9511, "quantity": 40},
                {"prod": "R31", "dest-code": 9833, "quantity": 12},
                {"prod": "R40", "dest-code": 9860, "quantity": 887},
                {"prod": "R40", "dest-code": 9511, "quantity": 1220}
            ]
        }
    })
}

fn validate_all(selector: Option<(&str, Value)>) -> Value {
    let mut map = json!({
        "Type": "Map",
        "InputPath": "$.detail",
        "ItemsPath": "$.shipped",
        "MaxConcurrency": 0,
        "ResultPath": "$.detail.shipped",
        "Iterator": {
            "StartAt": "Validate",
            "States": {"Validate": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ship-val",
                "End": true
            }}
        },
        "End": true
    });
    if let Some((field, template)) = selector {
        map[field] = template;
    }
    json!({"StartAt": "Validate-All", "States": {"Validate-All": map}})
}

// DG state-map.html "Map state example" (InputPath "$.detail", ItemsPath "$.shipped",
// ResultPath "$.detail.shipped"): each iteration's input is one item; the ship-val Lambda is the
// built-in Lambda ARN (returns its input), so detail.shipped is rewritten with the same items.
#[test]
fn map_validate_all_items() {
    assert_eq!(ok(validate_all(None), shipment()), shipment());
}

// DG state-map.html / state-map-inline.html (and docs/semantics/map.md §7.3): the parcel/courier
// selector; iteration input {"parcel": <item>, "courier": "UQS"}, written to detail.shipped.
// Run with the legacy `Parameters` and with `ItemSelector`.
#[test]
fn map_validate_all_with_selector() {
    let template = json!({"parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner"});
    let mut expected = shipment();
    let items = expected["detail"]["shipped"].as_array().unwrap().clone();
    expected["detail"]["shipped"] = Value::Array(
        items
            .into_iter()
            .map(|item| json!({"parcel": item, "courier": "UQS"}))
            .collect(),
    );
    for field in ["Parameters", "ItemSelector"] {
        let def = validate_all(Some((field, template.clone())));
        assert_eq!(ok(def, shipment()), expected, "{field}");
    }
}

// DG input-output-itemselector.html: ItemSelector {"size": 10, "value.$": "$$.Map.Item.Value"};
// an iteration receives {"size": 10, "value": {"resize": "true", "format": "jpg"}}.
#[test]
fn map_item_selector_static_and_value() {
    let def = single(
        "M",
        json!({"Type": "Map",
               "ItemSelector": {"size": 10, "value.$": "$$.Map.Item.Value"},
               "ItemProcessor": pass_processor()}),
    );
    let items = json!([
        {"resize": "true", "format": "jpg"},
        {"resize": "false", "format": "png"},
        {"resize": "true", "format": "jpg"}
    ]);
    let expected: Vec<Value> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|v| json!({"size": 10, "value": v}))
        .collect();
    assert_eq!(ok(def, items), Value::Array(expected));
}

// docs/semantics/map.md §7.2: an empty array → zero iterations, result [].
#[test]
fn map_empty_array_gives_empty_result() {
    let def = single(
        "M",
        json!({"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": pass_processor()}),
    );
    assert_eq!(ok(def, json!({"items": []})), json!([]));
}

// DG state-map.html: MaxConcurrency 1 runs the iterations one by one in item order;
// docs/semantics/map.md §7.4: the result is in item order whatever the completion order (iterations that
// wait longer come first here).
#[test]
fn map_result_in_item_order() {
    let processor = json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "Out"},
        "Out": {"Type": "Pass", "InputPath": "$.id", "End": true}
    }});
    let items = json!([{"s": 3, "id": "a"}, {"s": 2, "id": "b"}, {"s": 1, "id": "c"}]);
    for mc in [0, 1] {
        let def = single(
            "M",
            json!({"Type": "Map", "MaxConcurrency": mc, "ItemProcessor": processor.clone()}),
        );
        assert_eq!(
            ok(def, items.clone()),
            json!(["a", "b", "c"]),
            "MaxConcurrency {mc}"
        );
    }
}

// DG input-output-contextobject.html: `$$` may be used in ItemsPath.
#[test]
fn map_itemspath_from_context() {
    let def = json!({
        "StartAt": "Replace",
        "States": {
            "Replace": {"Type": "Pass", "Result": {}, "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$$.Execution.Input.items",
                  "ItemProcessor": pass_processor(), "End": true}
        }
    });
    assert_eq!(ok(def, json!({"items": [1, "two"]})), json!([1, "two"]));
}

// DG state-map.html ("If any iteration fails, entire Map state fails") + docs/semantics/map.md §7.7:
// the iteration's own error and cause become the Map's.
#[test]
fn map_iteration_failure_propagates() {
    let processor = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$", "NumericEquals": 2, "Next": "Boom"}
        ], "Default": "Fine"},
        "Boom": {"Type": "Fail", "Error": "HandleItemFailError", "Cause": "HandleItemFailCause"},
        "Fine": {"Type": "Pass", "End": true}
    }});
    let def = single("M", json!({"Type": "Map", "ItemProcessor": processor}));
    assert_eq!(
        failed(def, json!([1, 2, 3])),
        (
            "HandleItemFailError".to_string(),
            "HandleItemFailCause".to_string()
        )
    );
}

// docs/semantics/map.md §7.2 / §7.6: ItemsPath to a non-array and a bad MaxConcurrencyPath value are
// States.Runtime errors.
#[test]
fn map_runtime_errors() {
    let def = single(
        "M",
        json!({"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": pass_processor()}),
    );
    let (error, cause) = failed(def, json!({"items": {"a": 1}, "x": 0}));
    assert_eq!(error, "States.Runtime");
    assert!(
        cause.ends_with("Reference path \"$.items\" must point to array."),
        "{cause}"
    );

    let def = single(
        "M",
        json!({"Type": "Map", "MaxConcurrencyPath": "$.MaxConcurrencyValue",
               "ItemsPath": "$.items", "ItemProcessor": pass_processor()}),
    );
    assert_eq!(
        failed(def, json!({"MaxConcurrencyValue": "NoNumber", "items": [1]})),
        (
            "States.Runtime".to_string(),
            format!(
                "{}The MaxConcurrencyPath field refers to value \"NoNumber\" which is not a valid integer: $.MaxConcurrencyValue",
                prefix("M", 2)
            )
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Fail
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html ; docs/semantics/errors.md §6.5, §4.2
// ---------------------------------------------------------------------------------------------

// DG state-fail.html: {"Type":"Fail","Cause":"Invalid response.","Error":"ErrorA"}.
#[test]
fn fail_error_and_cause() {
    let def = single(
        "FailState",
        json!({"Type": "Fail", "Cause": "Invalid response.", "Error": "ErrorA"}),
    );
    assert_eq!(
        failed(def, json!({})),
        ("ErrorA".to_string(), "Invalid response.".to_string())
    );
}

// DG state-fail.html: ErrorPath "$.Error", CausePath "$.Cause".
#[test]
fn fail_error_path_and_cause_path() {
    let def = single(
        "FailState",
        json!({"Type": "Fail", "Comment": "my error comment",
               "ErrorPath": "$.Error", "CausePath": "$.Cause"}),
    );
    assert_eq!(
        failed(
            def,
            json!({"Error": "error string", "Cause": "cause string"})
        ),
        ("error string".to_string(), "cause string".to_string())
    );
}

// docs/semantics/intrinsics.md §4.2 (DG state-fail.html intrinsic form): CausePath with States.Format.
#[test]
fn fail_cause_path_intrinsic() {
    let def = single(
        "FailState",
        json!({"Type": "Fail", "ErrorPath": "$.Error",
               "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)"}),
    );
    assert_eq!(
        failed(
            def,
            json!({"Error": "error string", "Cause": "cause string"})
        ),
        (
            "error string".to_string(),
            "This is a custom error message for error string, caused by cause string.".to_string()
        )
    );
}

// docs/semantics/data-flow.md §2.5: an ErrorPath that selects nothing is States.Runtime.
#[test]
fn fail_error_path_missing_is_runtime() {
    let def = single(
        "FailState",
        json!({"Type": "Fail", "ErrorPath": "$.ErrorX", "Cause": "c"}),
    );
    assert_eq!(
        failed(def, json!({"Error": "e"})),
        (
            "States.Runtime".to_string(),
            format!(
                "{}The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{{\"Error\":\"e\"}}'",
                prefix("FailState", 2)
            )
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Runtime path failures — docs/semantics/data-flow.md §2.5, §6.1, §6.6
// ---------------------------------------------------------------------------------------------

// docs/semantics/data-flow.md §2.5: InputPath with no results.
#[test]
fn runtime_inputpath_no_results() {
    let def = single(
        "P",
        json!({"Type": "Pass", "InputPath": "$.NoSuchInputPath"}),
    );
    assert_eq!(
        failed(def, json!({"a": 1})),
        (
            "States.Runtime".to_string(),
            format!(
                "{}Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']",
                prefix("P", 2)
            )
        )
    );
}

// docs/semantics/data-flow.md §2.5: OutputPath with no results / a missing intermediate property; the entered
// event id of a second state is #4 (§6.6, §13.4).
#[test]
fn runtime_outputpath_failures() {
    let def = json!({
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Second"},
            "Second": {"Type": "Pass", "OutputPath": "$.NoSuchOutputPath", "End": true}
        }
    });
    assert_eq!(
        failed(def, json!({"a": 1})),
        (
            "States.Runtime".to_string(),
            format!(
                "{}Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']",
                prefix("Second", 4)
            )
        )
    );
    let def = single(
        "P",
        json!({"Type": "Pass", "OutputPath": "$.no.such.result.path"}),
    );
    assert_eq!(
        failed(def, json!({"a": 1})),
        (
            "States.Runtime".to_string(),
            format!(
                "{}Invalid path '$.no.such.result.path' : Missing property in path $['no']",
                prefix("P", 2)
            )
        )
    );
}

// docs/semantics/data-flow.md §2.5: a `.$` path in Parameters that selects nothing (also for `$$` paths).
#[test]
fn runtime_parameters_path_not_found() {
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {"value.$": "$.x"}}),
    );
    assert_eq!(
        failed(def, json!({"a": 1})),
        (
            "States.Runtime".to_string(),
            format!(
                "{}The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '{{\"a\":1}}'",
                prefix("P", 2)
            )
        )
    );
    let def = single(
        "P",
        json!({"Type": "Pass", "Parameters": {"value.$": "$$.Execution.NoSuchField"}}),
    );
    let (error, cause) = failed(def, json!({"a": 1}));
    assert_eq!(error, "States.Runtime");
    assert!(cause.starts_with(&prefix("P", 2)), "{cause}");
    assert!(
        cause.contains("specified for the field 'value.$' could not be found in the input"),
        "{cause}"
    );
}

// docs/semantics/data-flow.md §2.5 / §6.1 (`test_catch_states_runtime`): a Task OutputPath miss is not caught,
// even by a catcher naming States.Runtime; history ends LambdaFunctionSucceeded → ExecutionFailed.
#[test]
fn runtime_errors_are_not_catchable() {
    let def = json!({
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": format!("{LAMBDA}Echo"),
                "OutputPath": "$.no.such.path",
                "Catch": [
                    {"ErrorEquals": ["States.Runtime"], "Next": "H"},
                    {"ErrorEquals": ["States.ALL"], "Next": "H"}
                ],
                "End": true
            },
            "H": {"Type": "Pass", "End": true}
        }
    });
    let out = with_history(def, json!({"a": 1}));
    assert_eq!(out.status, Status::Failed, "{out:?}");
    assert_eq!(out.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        out.cause.as_deref(),
        Some(
            format!(
                "{}Invalid path '$.no.such.path' : Missing property in path $['no']",
                prefix("T", 2)
            )
            .as_str()
        )
    );
    let s = seq(&out);
    assert_eq!(
        &s[s.len() - 2..],
        [
            ev("LambdaFunctionSucceeded", 5, 4),
            ev("ExecutionFailed", 6, 5)
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// History — docs/semantics/execution.md §13.4, §7.8, §6.5
// ---------------------------------------------------------------------------------------------

// docs/semantics/execution.md §13.4 "Pass": 1<0 ExecutionStarted, 2<0 PassStateEntered, 3<2 PassStateExited,
// 4<3 ExecutionSucceeded; payloads are JSON strings.
#[test]
fn history_pass() {
    let out = with_history(
        single("P", json!({"Type": "Pass", "Result": {"r": 1}})),
        json!({"a": 1}),
    );
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("PassStateEntered", 2, 0),
            ev("PassStateExited", 3, 2),
            ev("ExecutionSucceeded", 4, 3)
        ]
    );
    let h = out.history.as_ref().unwrap();
    assert_eq!(
        payload(&h[0], "executionStartedEventDetails", "input"),
        json!({"a": 1})
    );
    assert_eq!(h[1]["stateEnteredEventDetails"]["name"], json!("P"));
    assert_eq!(
        payload(&h[1], "stateEnteredEventDetails", "input"),
        json!({"a": 1})
    );
    assert_eq!(h[2]["stateExitedEventDetails"]["name"], json!("P"));
    assert_eq!(
        payload(&h[2], "stateExitedEventDetails", "output"),
        json!({"r": 1})
    );
    assert_eq!(
        payload(&h[3], "executionSucceededEventDetails", "output"),
        json!({"r": 1})
    );
}

// docs/semantics/execution.md §13.4 "Fail" and §6.5: FailStateEntered then ExecutionFailed, no exit event;
// ExecutionFailed carries only the fields that are set ({} for a bare Fail).
#[test]
fn history_fail() {
    let out = with_history(
        single(
            "F",
            json!({"Type": "Fail", "Error": "ErrorA", "Cause": "Invalid response."}),
        ),
        json!({}),
    );
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("FailStateEntered", 2, 0),
            ev("ExecutionFailed", 3, 2)
        ]
    );
    let h = out.history.as_ref().unwrap();
    assert_eq!(
        h[2]["executionFailedEventDetails"],
        json!({"error": "ErrorA", "cause": "Invalid response."})
    );

    let out = with_history(single("F", json!({"Type": "Fail"})), json!({}));
    assert_eq!(out.status, Status::Failed);
    assert_eq!((out.error.as_deref(), out.cause.as_deref()), (None, None));
    let h = out.history.as_ref().unwrap();
    assert_eq!(h[2]["executionFailedEventDetails"], json!({}));
}

// docs/semantics/execution.md §13.4 "Choice": ChoiceStateEntered → ChoiceStateExited → next …Entered.
#[test]
fn history_choice() {
    let def = json!({
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.v", "NumericEquals": 1, "Next": "Done"}
            ], "Default": "Done"},
            "Done": {"Type": "Succeed"}
        }
    });
    let out = with_history(def, json!({"v": 1}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("ChoiceStateEntered", 2, 0),
            ev("ChoiceStateExited", 3, 2),
            ev("SucceedStateEntered", 4, 3),
            ev("SucceedStateExited", 5, 4),
            ev("ExecutionSucceeded", 6, 5)
        ]
    );
}

// docs/semantics/execution.md §13.4 "Lambda ARN": TaskStateEntered, LambdaFunctionScheduled/Started/Succeeded,
// TaskStateExited.
#[test]
fn history_lambda_task() {
    let def = single(
        "T",
        json!({"Type": "Task", "Resource": format!("{LAMBDA}Echo")}),
    );
    let out = with_history(def, json!({"a": 1}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("TaskStateEntered", 2, 0),
            ev("LambdaFunctionScheduled", 3, 2),
            ev("LambdaFunctionStarted", 4, 3),
            ev("LambdaFunctionSucceeded", 5, 4),
            ev("TaskStateExited", 6, 5),
            ev("ExecutionSucceeded", 7, 6)
        ]
    );
}

// docs/semantics/execution.md §13.4 "Runtime error on entry": 2<0 XStateEntered, 3<2 ExecutionFailed.
#[test]
fn history_runtime_error_on_entry() {
    let def = single(
        "P",
        json!({"Type": "Pass", "InputPath": "$.NoSuchInputPath"}),
    );
    let out = with_history(def, json!({}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("PassStateEntered", 2, 0),
            ev("ExecutionFailed", 3, 2)
        ]
    );
}

// docs/semantics/execution.md §13.4 "Parallel fail": 2<0 ParallelStateEntered, 3<2 ParallelStateStarted,
// 4<3 FailStateEntered, 5<4 ParallelStateFailed, 6<5 ExecutionFailed (the branch's error).
#[test]
fn history_parallel_fail() {
    let def = single(
        "Par",
        json!({"Type": "Parallel", "Branches": [
            {"StartAt": "Boom", "States": {"Boom": {
                "Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}}}
        ]}),
    );
    let out = with_history(def, json!({}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("ParallelStateEntered", 2, 0),
            ev("ParallelStateStarted", 3, 2),
            ev("FailStateEntered", 4, 3),
            ev("ParallelStateFailed", 5, 4),
            ev("ExecutionFailed", 6, 5)
        ]
    );
    let h = out.history.as_ref().unwrap();
    assert_eq!(
        h[5]["executionFailedEventDetails"],
        json!({"error": "FailureType", "cause": "Cause description"})
    );
}

// docs/semantics/parallel.md §8 / §13.4: a succeeding Parallel logs Entered, Started, the branch events,
// Succeeded, Exited (the previousEventId of the last two is UNVERIFIED and not checked).
#[test]
fn history_parallel_success_types() {
    let def = single(
        "Par",
        json!({"Type": "Parallel", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
        ]}),
    );
    let out = with_history(def, json!({}));
    let s = seq(&out);
    let kinds: Vec<&str> = s.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "PassStateEntered",
            "PassStateExited",
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        &s[..5],
        [
            ev("ExecutionStarted", 1, 0),
            ev("ParallelStateEntered", 2, 0),
            ev("ParallelStateStarted", 3, 2),
            ev("PassStateEntered", 4, 3),
            ev("PassStateExited", 5, 4)
        ]
    );
    let ids: Vec<u64> = s.iter().map(|e| e.1).collect();
    assert_eq!(ids, (1..=8).collect::<Vec<u64>>());
}

// docs/semantics/execution.md §13.4 "Wait" and "Succeed": WaitStateEntered → WaitStateExited,
// SucceedStateEntered → SucceedStateExited → ExecutionSucceeded; the exit comes Seconds later.
#[test]
fn history_wait_and_succeed() {
    let def = json!({
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }
    });
    let out = with_history(def, json!({}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("WaitStateEntered", 2, 0),
            ev("WaitStateExited", 3, 2),
            ev("SucceedStateEntered", 4, 3),
            ev("SucceedStateExited", 5, 4),
            ev("ExecutionSucceeded", 6, 5)
        ]
    );
    let h = out.history.as_ref().unwrap();
    let waited = millis(&h[2]["timestamp"]) - millis(&h[1]["timestamp"]);
    assert!((10_000..11_000).contains(&waited), "{waited} ms");
}

// docs/semantics/execution.md §13.4 "Parallel retry" and §6.3: each retry logs ParallelStateStarted again
// (no new ParallelStateEntered) and reruns the branches; here MaxAttempts 2.
#[test]
fn history_parallel_retry() {
    let def = single(
        "Par",
        json!({"Type": "Parallel",
               "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}],
               "Branches": [
            {"StartAt": "Boom", "States": {"Boom": {
                "Type": "Fail", "Error": "FailureType", "Cause": "Cause description"}}}
        ]}),
    );
    let out = with_history(def, json!({}));
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("ParallelStateEntered", 2, 0),
            ev("ParallelStateStarted", 3, 2),
            ev("FailStateEntered", 4, 3),
            ev("ParallelStateStarted", 5, 4),
            ev("FailStateEntered", 6, 5),
            ev("ParallelStateStarted", 7, 6),
            ev("FailStateEntered", 8, 7),
            ev("ParallelStateFailed", 9, 8),
            ev("ExecutionFailed", 10, 9)
        ]
    );
    assert_eq!(out.error.as_deref(), Some("FailureType"));
}

// docs/semantics/map.md §7.8: inline Map with MaxConcurrency 1 over three items, after a Pass state.
#[test]
fn history_map_sequential() {
    let def = json!({
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Next": "Map"},
            "Map": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": pass_processor(), "End": true}
        }
    });
    let out = with_history(def, json!([1, 2, 3]));
    assert_eq!(out.status, Status::Succeeded, "{out:?}");
    assert_eq!(
        seq(&out),
        [
            ev("ExecutionStarted", 1, 0),
            ev("PassStateEntered", 2, 0),
            ev("PassStateExited", 3, 2),
            ev("MapStateEntered", 4, 3),
            ev("MapStateStarted", 5, 4),
            ev("MapIterationStarted", 6, 5),
            ev("PassStateEntered", 7, 6),
            ev("PassStateExited", 8, 7),
            ev("MapIterationSucceeded", 9, 8),
            ev("MapIterationStarted", 10, 8),
            ev("PassStateEntered", 11, 10),
            ev("PassStateExited", 12, 11),
            ev("MapIterationSucceeded", 13, 12),
            ev("MapIterationStarted", 14, 12),
            ev("PassStateEntered", 15, 14),
            ev("PassStateExited", 16, 15),
            ev("MapIterationSucceeded", 17, 16),
            ev("MapStateSucceeded", 18, 17),
            ev("MapStateExited", 19, 17),
            ev("ExecutionSucceeded", 20, 19)
        ]
    );
    let h = out.history.as_ref().unwrap();
    assert_eq!(h[4]["mapStateStartedEventDetails"], json!({"length": 3}));
    assert_eq!(
        h[5]["mapIterationStartedEventDetails"],
        json!({"index": 0, "name": "Map"})
    );
    assert_eq!(
        h[16]["mapIterationSucceededEventDetails"],
        json!({"index": 2, "name": "Map"})
    );
    assert_eq!(
        payload(&h[18], "stateExitedEventDetails", "output"),
        json!([1, 2, 3])
    );
}

// docs/semantics/map.md §7.2: an empty Map logs MapStateStarted{"length":0}, MapStateSucceeded,
// MapStateExited{"output":"[]"}.
#[test]
fn history_map_empty() {
    let def = single(
        "M",
        json!({"Type": "Map", "ItemProcessor": pass_processor()}),
    );
    let out = with_history(def, json!([]));
    let s = seq(&out);
    let kinds: Vec<&str> = s.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    let h = out.history.as_ref().unwrap();
    assert_eq!(h[2]["mapStateStartedEventDetails"], json!({"length": 0}));
    assert_eq!(h[4]["stateExitedEventDetails"]["output"], json!("[]"));
}
