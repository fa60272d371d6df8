//! Coverage: in 500 machines of a profile, every state type, field, intrinsic, Choice operator
//! and Retry field of the profile's area appears in at least 1% of the machines.

mod common;

use aslcheck_generators::{stats, Stats, ALL_INTRINSICS, CHOICE_OPERATORS};

const MACHINES: u64 = 500;

/// (category, key) pairs.
type Wanted = Vec<(&'static str, String)>;

fn keys(category: &'static str, keys: &[&str]) -> Wanted {
    keys.iter().map(|k| (category, k.to_string())).collect()
}

fn check(profile: &str, wanted: Wanted) -> Stats {
    let st = stats(&common::cases(profile, MACHINES));
    let missing: Vec<String> = wanted
        .iter()
        .filter(|(cat, key)| st.share(cat, key) < 0.01)
        .map(|(cat, key)| format!("{cat}/{key}: {:.1}%", 100.0 * st.share(cat, key)))
        .collect();
    assert!(
        missing.is_empty(),
        "profile {profile} under 1%:\n  {}\n\n{st}",
        missing.join("\n  ")
    );
    st
}

fn all_states() -> Wanted {
    keys(
        "state",
        &[
            "Pass", "Task", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail",
        ],
    )
}

fn retry_fields() -> Wanted {
    keys(
        "retry_field",
        &[
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "JitterStrategy=FULL",
            "JitterStrategy=NONE",
            "ErrorEquals=States.ALL",
        ],
    )
}

#[test]
fn all_covers_every_area() {
    let mut w = all_states();
    w.extend(ALL_INTRINSICS.iter().map(|i| ("intrinsic", i.to_string())));
    w.extend(retry_fields());
    w.extend(keys("catch_field", &["ErrorEquals", "Next", "ResultPath"]));
    w.extend(keys(
        "field",
        &[
            "Task.InputPath",
            "Task.Parameters",
            "Task.ResultSelector",
            "Task.ResultPath",
            "Task.OutputPath",
            "Task.Retry",
            "Task.Catch",
            "Task.TimeoutSeconds",
            "Map.ItemSelector",
            "Map.MaxConcurrency",
            "Parallel.ResultSelector",
            "Wait.Seconds",
            "Wait.Timestamp",
            "Wait.SecondsPath",
            "Fail.ErrorPath",
            "Fail.CausePath",
        ],
    ));
    w.extend(keys(
        "resource",
        &[
            "echo via arn",
            "echo via invoke",
            "fail via arn",
            "flaky via arn",
            "sleep via arn",
        ],
    ));
    w.extend(keys("graph", &["loop (cycle)"]));
    // Workflow variables.
    w.extend(keys(
        "field",
        &[
            "Pass.Assign",
            "Task.Assign",
            "Choice.Assign",
            "Wait.Assign",
            "Map.Assign",
            "Parallel.Assign",
        ],
    ));
    w.extend(keys("catch_field", &["Assign"]));
    check("all", w);
}

#[test]
fn jsonata_covers_every_state_type_and_jsonata_field() {
    let mut w = all_states();
    w.extend(retry_fields());
    w.extend(keys(
        "field",
        &[
            "Pass.Output",
            "Pass.Assign",
            "Task.Arguments",
            "Task.Output",
            "Task.Assign",
            "Task.Catch",
            "Task.TimeoutSeconds",
            "Parallel.Arguments",
            "Parallel.Output",
            "Parallel.Assign",
            "Map.Items",
            "Map.ItemSelector",
            "Map.MaxConcurrency",
            "Map.Output",
            "Map.Assign",
            "Choice.Output",
            "Choice.Assign",
            "Choice.Default",
            "Wait.Seconds",
            "Wait.Timestamp",
            "Wait.Output",
            "Succeed.Output",
            "Fail.Error",
            "Fail.Cause",
        ],
    ));
    w.extend(keys("catch_field", &["Output", "Assign"]));
    w.extend(keys(
        "resource",
        &[
            "echo via arn",
            "echo via invoke",
            "fail via arn",
            "flaky via arn",
            "sleep via arn",
        ],
    ));
    w.extend(keys(
        "nesting",
        &["Map in Map", "Parallel in Map", "Task in Parallel"],
    ));
    w.extend(keys("graph", &["loop (cycle)"]));
    w.extend(keys("fault", &["Output returns nothing"]));
    check("jsonata", w);
}

#[test]
fn swarm_covers_every_state_type_and_intrinsic() {
    let mut w = all_states();
    w.extend(ALL_INTRINSICS.iter().map(|i| ("intrinsic", i.to_string())));
    w.extend(retry_fields());
    check("swarm", w);
}

#[test]
fn paths_reaches_deep_into_data_flow() {
    let mut w = keys("state", &["Pass", "Task", "Map", "Parallel"]);
    for ty in ["Pass", "Task", "Map", "Parallel"] {
        for f in ["InputPath", "ResultPath", "OutputPath"] {
            w.push(("field", format!("{ty}.{f}")));
        }
    }
    w.extend(keys(
        "field",
        &[
            "Pass.Parameters",
            "Pass.Result",
            "Task.Parameters",
            "Task.ResultSelector",
            "Parallel.Parameters",
            "Parallel.ResultSelector",
            "Map.ItemSelector",
            "Map.ResultSelector",
        ],
    ));
    w.extend(keys(
        "path",
        &[
            "InputPath=null",
            "OutputPath=null",
            "ResultPath=null",
            "ResultPath=$",
            "context ($$)",
            "$$.Map.Item",
            "bracket member",
            "index [n]",
            "wildcard [*]",
            "slice [a:b]",
            "union [a,b]",
            "filter [?()]",
            "deep scan ..",
            "Parameters nested template",
            "ResultSelector nested template",
            "ItemSelector nested template",
            "missing member (deliberate)",
            "Catch.ResultPath path",
        ],
    ));
    w.extend(keys("catch_field", &["ResultPath", "ResultPath=null"]));
    check("paths", w);
}

#[test]
fn intrinsics_uses_all_18_nested_and_in_every_field() {
    let mut w: Wanted = ALL_INTRINSICS
        .iter()
        .map(|i| ("intrinsic", i.to_string()))
        .collect();
    w.push(("intrinsic", "(nested)".to_string()));
    for f in [
        "in Parameters",
        "in ResultSelector",
        "in ItemSelector",
        "in ErrorPath",
        "in CausePath",
    ] {
        w.push(("intrinsic_field", f.to_string()));
    }
    // (UUID and MathRandom appear inside fixed-result wrappers in deterministic profiles.)
    for i in ALL_INTRINSICS
        .iter()
        .filter(|i| !matches!(**i, "States.UUID" | "States.MathRandom"))
    {
        w.push(("intrinsic_field", format!("Parameters: {i}")));
    }
    w.extend(keys("fault", &["Parameters intrinsic fails"]));
    check("intrinsics", w);
}

#[test]
fn choice_uses_every_operator_and_path_variant() {
    let mut w: Wanted = CHOICE_OPERATORS
        .iter()
        .map(|o| ("choice_operator", o.to_string()))
        .collect();
    w.extend(keys(
        "field",
        &["Choice.Default", "Choice.InputPath", "Choice.OutputPath"],
    ));
    w.extend(keys(
        "path",
        &["missing member (deliberate)", "context ($$)"],
    ));
    w.extend(keys(
        "fault",
        &["Choice Variable selects nothing", "Choice has no Default"],
    ));
    w.extend(keys("graph", &["loop (cycle)"]));
    check("choice", w);
}

#[test]
fn errors_exercises_fail_retry_and_catch_everywhere() {
    let mut w = keys("state", &["Fail", "Task", "Parallel", "Map"]);
    w.extend(retry_fields());
    w.extend(keys(
        "catch_field",
        &["ErrorEquals", "Next", "ResultPath", "ResultPath=null"],
    ));
    w.extend(keys(
        "field",
        &[
            "Task.Retry",
            "Task.Catch",
            "Parallel.Retry",
            "Parallel.Catch",
            "Map.Retry",
            "Map.Catch",
            "Task.TimeoutSeconds",
            "Fail.Error",
            "Fail.ErrorPath",
            "Fail.Cause",
            "Fail.CausePath",
        ],
    ));
    w.extend(keys(
        "resource",
        &[
            "fail via arn",
            "fail via invoke",
            "flaky via arn",
            "flaky via invoke",
            "sleep via arn",
        ],
    ));
    w.extend(keys("nesting", &["Fail in Map", "Fail in Parallel"]));
    w.extend(keys(
        "fault",
        &[
            "InputPath selects nothing",
            "OutputPath selects nothing",
            "Parameters path selects nothing",
            "Parameters intrinsic fails",
            "ResultSelector path selects nothing",
            "ResultPath runs through a scalar",
            "Task times out",
            "flaky fixture runs out of retries",
            "ErrorPath selects nothing",
        ],
    ));
    check("errors", w);
}

#[test]
fn map_covers_inline_map_features() {
    let mut w = keys(
        "field",
        &[
            "Map.ItemsPath",
            "Map.ItemSelector",
            "Map.MaxConcurrency",
            "Map.MaxConcurrencyPath",
            "Map.ItemProcessor",
            "Map.ProcessorConfig",
            "Map.Iterator",
            "Map.Parameters",
            "Map.ResultSelector",
            "Map.ResultPath",
            "Map.Retry",
            "Map.Catch",
        ],
    );
    w.extend(keys(
        "path",
        &["$$.Map.Item", "ItemSelector nested template"],
    ));
    w.extend(keys(
        "nesting",
        &["Map in Map", "Fail in Map", "Task in Map", "Choice in Map"],
    ));
    w.extend(keys("fault", &["ItemsPath is not an array"]));
    check("map", w);
}

#[test]
fn parallel_covers_branches_and_their_failures() {
    let mut w = keys(
        "field",
        &[
            "Parallel.Branches",
            "Parallel.Parameters",
            "Parallel.ResultSelector",
            "Parallel.ResultPath",
            "Parallel.OutputPath",
            "Parallel.Retry",
            "Parallel.Catch",
        ],
    );
    w.extend(keys(
        "nesting",
        &[
            "Parallel in Parallel",
            "Map in Parallel",
            "Fail in Parallel",
            "Task in Parallel",
            "Choice in Parallel",
        ],
    ));
    let st = check("parallel", w);
    // Several branches, not only one.
    assert!(st.count("field", "Parallel.Branches").occurrences > 0);
}
