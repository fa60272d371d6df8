//! Structural checks of a generated definition, without the interpreter: the creation-time
//! rules of docs/semantics/structure.md §1 that the generator promises to respect. Used by this crate's
//! tests; a failure here is a generator bug.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde_json::Value;

use crate::gen::{fixture_arn, LAMBDA_INVOKE};
use crate::walk;

const TYPES: [&str; 8] = [
    "Task", "Parallel", "Map", "Pass", "Wait", "Choice", "Succeed", "Fail",
];
const COMMON: [&str; 3] = ["Type", "Comment", "QueryLanguage"];

/// Fields each state type accepts (JSONPath, §1.3).
fn allowed(ty: &str) -> &'static [&'static str] {
    match ty {
        "Task" => &[
            "Assign",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Resource",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Next",
            "End",
        ],
        "Parallel" => &[
            "Assign",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        ],
        "Map" => &[
            "Assign",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "ItemSelector",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ToleratedFailureCount",
            "Next",
            "End",
        ],
        "Pass" => &[
            "Assign",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultPath",
            "Result",
            "Next",
            "End",
        ],
        "Wait" => &[
            "Assign",
            "InputPath",
            "OutputPath",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Next",
            "End",
        ],
        "Choice" => &["Assign", "InputPath", "OutputPath", "Choices", "Default"],
        "Succeed" => &["InputPath", "OutputPath"],
        "Fail" => &["Error", "ErrorPath", "Cause", "CausePath"],
        _ => &[],
    }
}

/// Fields each state type accepts in JSONata (§1.3).
fn allowed_jsonata(ty: &str) -> &'static [&'static str] {
    match ty {
        "Task" => &[
            "Output",
            "Assign",
            "Arguments",
            "Retry",
            "Catch",
            "Resource",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
            "Next",
            "End",
        ],
        "Parallel" => &[
            "Output",
            "Assign",
            "Arguments",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        ],
        "Map" => &[
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Items",
            "ItemSelector",
            "MaxConcurrency",
            "Next",
            "End",
        ],
        "Pass" => &["Output", "Assign", "Next", "End"],
        "Wait" => &["Output", "Assign", "Seconds", "Timestamp", "Next", "End"],
        "Choice" => &["Output", "Assign", "Choices", "Default"],
        "Succeed" => &["Output"],
        "Fail" => &["Error", "Cause"],
        _ => &[],
    }
}

/// A variable name (docs/semantics/variables.md §12): an identifier of at most 80
/// characters, not `states`.
fn is_variable_name(k: &str) -> bool {
    let mut cs = k.chars();
    matches!(cs.next(), Some(c) if c.is_alphabetic() || c == '_')
        && cs.all(|c| c.is_alphanumeric() || c == '_')
        && k.chars().count() <= 80
        && k != "states"
}

/// The names an `Assign` value sets (the keys without `.$`).
fn assign_names(v: &Value) -> Vec<String> {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.strip_suffix(".$").unwrap_or(k).to_string())
        .collect()
}

fn check_assign(v: &Value, jsonata: bool, allow: &str, at: &str, errs: &mut Vec<String>) {
    if !v.is_object() {
        errs.push(format!("{at}: Assign must be an object"));
        return;
    }
    for name in assign_names(v) {
        if !is_variable_name(&name) {
            errs.push(format!("{at}: {name:?} is not a variable name"));
        }
    }
    if jsonata {
        check_jsonata(v, at, allow, errs);
    } else {
        check_template(v, at, errs);
    }
}

/// Every string of a JSONata field that looks like an expression is delimited exactly, no key
/// ends in `.$`, and `$states.result` / `$states.errorOutput` appear only where `allow` lists
/// them (§11.2, §11.3).
fn check_jsonata(v: &Value, at: &str, allow: &str, errs: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let t = s.trim();
            if t.starts_with("{%") || t.ends_with("%}") {
                if !(s.starts_with("{% ") && s.ends_with(" %}")) {
                    errs.push(format!("{at}: badly delimited JSONata {s:?}"));
                }
                for member in ["result", "errorOutput"] {
                    let found = s.contains(&format!("$states.{member}"));
                    if found && !allow.contains(member) {
                        errs.push(format!("{at}: $states.{member} is not available here"));
                    }
                }
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                check_jsonata(x, &format!("{at}/{i}"), allow, errs);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                if k.ends_with(".$") {
                    errs.push(format!("{at}/{k}: '.$' keys are JSONPath"));
                }
                check_jsonata(x, &format!("{at}/{k}"), allow, errs);
            }
        }
        _ => {}
    }
}

/// No Parallel branch or Map processor assigns a name that an enclosing graph assigns
/// (docs/semantics/variables.md §12, Scope).
fn check_scopes(definition: &Value, errs: &mut Vec<String>) {
    let graphs = walk::graphs(definition);
    let names: Vec<(String, BTreeSet<String>)> = graphs
        .iter()
        .map(|g| {
            let mut set = BTreeSet::new();
            for state in g
                .graph
                .get("States")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
            {
                if let Some(a) = state.get("Assign") {
                    set.extend(assign_names(a));
                }
                for key in ["Choices", "Catch"] {
                    for r in state
                        .get(key)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(a) = r.get("Assign") {
                            set.extend(assign_names(a));
                        }
                    }
                }
            }
            (g.pointer.clone(), set)
        })
        .collect();
    for (inner, inner_names) in &names {
        for (outer, outer_names) in &names {
            let encloses = inner != outer && inner.starts_with(&format!("{outer}/States/"));
            if encloses {
                for n in inner_names.intersection(outer_names) {
                    errs.push(format!(
                        "{inner}: assigns {n:?}, which the enclosing graph {outer:?} assigns"
                    ));
                }
            }
        }
    }
}

/// A reference path: `$`/`$$` then only `.name`, `['name']`, `[n]` (§2.3).
pub fn is_reference_path(p: &str) -> bool {
    let rest = if let Some(r) = p.strip_prefix("$$") {
        r
    } else if let Some(r) = p.strip_prefix('$') {
        r
    } else {
        return false;
    };
    let b: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
                if i == start {
                    return false;
                }
            }
            '[' => {
                if b.get(i + 1) == Some(&'\'') {
                    i += 2;
                    while i < b.len() && b[i] != '\'' {
                        i += 1;
                    }
                    if b.get(i + 1) != Some(&']') {
                        return false;
                    }
                    i += 2;
                } else {
                    i += 1;
                    let start = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    if i == start || b.get(i) != Some(&']') {
                        return false;
                    }
                    i += 1;
                }
            }
            _ => return false,
        }
    }
    true
}

fn check_template(v: &Value, at: &str, errs: &mut Vec<String>) {
    let Some(m) = v.as_object() else {
        errs.push(format!("{at}: a payload template must be an object"));
        return;
    };
    let mut seen = HashSet::new();
    for (k, v) in m {
        let bare = k.strip_suffix(".$").unwrap_or(k);
        if !seen.insert(bare.to_string()) {
            errs.push(format!("{at}: keys collide after removing '.$': {bare}"));
        }
        if k.ends_with(".$") {
            match v.as_str() {
                Some(s) if s.starts_with('$') || s.starts_with("States.") => {}
                _ => errs.push(format!("{at}/{k}: must hold a path or an intrinsic call")),
            }
        } else if v.is_object() {
            check_template(v, &format!("{at}/{k}"), errs);
        }
    }
}

fn check_rule(rule: &Value, top: bool, at: &str, errs: &mut Vec<String>) {
    let Some(m) = rule.as_object() else {
        errs.push(format!("{at}: a rule must be an object"));
        return;
    };
    if top != m.contains_key("Next") {
        errs.push(format!(
            "{at}: Next is required at top level and forbidden in nested rules"
        ));
    }
    let ops: Vec<&String> = m
        .keys()
        .filter(|k| crate::CHOICE_OPERATORS.contains(&k.as_str()))
        .collect();
    if ops.len() != 1 {
        errs.push(format!(
            "{at}: exactly one operator expected, found {ops:?}"
        ));
        return;
    }
    match ops[0].as_str() {
        "And" | "Or" => match m[ops[0]].as_array() {
            Some(xs) if !xs.is_empty() => {
                for (i, x) in xs.iter().enumerate() {
                    check_rule(x, false, &format!("{at}/{}/{i}", ops[0]), errs);
                }
            }
            _ => errs.push(format!("{at}: And/Or needs a non-empty array")),
        },
        "Not" => check_rule(&m["Not"], false, &format!("{at}/Not"), errs),
        op => {
            if !m
                .get("Variable")
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with('$'))
            {
                errs.push(format!("{at}: a data-test rule needs a Variable path"));
            }
            let v = &m[op];
            let ok = if op.ends_with("Path") {
                v.as_str().is_some_and(|s| s.starts_with('$'))
            } else if op.starts_with("String") || op.starts_with("Timestamp") {
                v.is_string()
            } else if op.starts_with("Numeric") {
                v.is_number()
            } else {
                v.is_boolean()
            };
            if !ok {
                errs.push(format!("{at}/{op}: value of the wrong type"));
            }
        }
    }
}

fn check_errors_list(list: &Value, at: &str, errs: &mut Vec<String>) {
    let Some(xs) = list.as_array() else {
        errs.push(format!("{at}: must be an array"));
        return;
    };
    for (i, x) in xs.iter().enumerate() {
        let eq: Vec<&str> = x
            .get("ErrorEquals")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if eq.is_empty() {
            errs.push(format!(
                "{at}/{i}: ErrorEquals must be a non-empty string array"
            ));
        }
        if eq.contains(&"States.ALL") && (eq.len() != 1 || i + 1 != xs.len()) {
            errs.push(format!("{at}/{i}: States.ALL must be alone and last"));
        }
    }
}

/// Every violation of the §1 rules found in `definition` (empty when it is valid).
pub fn structural_errors(definition: &Value) -> Vec<String> {
    let mut errs = vec![];
    let machine_jsonata =
        definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    check_scopes(definition, &mut errs);
    let mut names: HashMap<&str, usize> = HashMap::new();
    for s in walk::states(definition) {
        *names.entry(s.name).or_default() += 1;
    }
    for (n, count) in &names {
        if *count > 1 {
            errs.push(format!("duplicate state name {n:?}"));
        }
        if n.chars().count() > 80 {
            errs.push(format!("state name longer than 80 characters: {n:?}"));
        }
    }
    let fixture_arns: BTreeSet<String> = crate::FIXTURES.iter().map(|n| fixture_arn(n)).collect();

    for g in walk::graphs(definition) {
        let at = if g.pointer.is_empty() {
            "/".to_string()
        } else {
            g.pointer.clone()
        };
        let Some(states) = g.graph.get("States").and_then(Value::as_object) else {
            errs.push(format!("{at}: States missing"));
            continue;
        };
        let start = g.graph.get("StartAt").and_then(Value::as_str).unwrap_or("");
        if !states.contains_key(start) {
            errs.push(format!(
                "{at}: StartAt {start:?} is not a state of this graph"
            ));
        }
        let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
        let mut terminal = false;
        for (name, state) in states {
            let sp = format!("{}/States/{name}", g.pointer);
            let ty = state.get("Type").and_then(Value::as_str).unwrap_or("");
            if !TYPES.contains(&ty) {
                errs.push(format!("{sp}: unknown Type {ty:?}"));
                continue;
            }
            let m = state.as_object().cloned().unwrap_or_default();
            let jsonata = match m.get("QueryLanguage").and_then(Value::as_str) {
                Some("JSONata") => true,
                Some(_) => {
                    if machine_jsonata {
                        errs.push(format!("{sp}: a JSONata machine has only JSONata states"));
                    }
                    false
                }
                None => machine_jsonata,
            };
            let fields = if jsonata {
                allowed_jsonata(ty)
            } else {
                allowed(ty)
            };
            for k in m.keys() {
                if !COMMON.contains(&k.as_str()) && !fields.contains(&k.as_str()) {
                    errs.push(format!("{sp}: field {k} is not supported on {ty}"));
                }
            }
            let result_here = matches!(ty, "Task" | "Parallel" | "Map");
            if let Some(a) = m.get("Assign") {
                let allow = if result_here { "result" } else { "" };
                check_assign(a, jsonata, allow, &format!("{sp}/Assign"), &mut errs);
            }
            if jsonata {
                for (k, v) in &m {
                    let allow = match k.as_str() {
                        "Output" | "Assign" if result_here => "result",
                        "Catch" => "",
                        _ => "",
                    };
                    if k == "Catch" {
                        for (i, c) in v.as_array().into_iter().flatten().enumerate() {
                            for f in ["Output", "Assign"] {
                                if let Some(x) = c.get(f) {
                                    check_jsonata(
                                        x,
                                        &format!("{sp}/Catch/{i}/{f}"),
                                        "errorOutput",
                                        &mut errs,
                                    );
                                }
                            }
                            if let Some(a) = c.get("Assign") {
                                let at = format!("{sp}/Catch/{i}/Assign");
                                check_assign(a, true, "errorOutput", &at, &mut errs);
                            }
                            if c.get("ResultPath").is_some() {
                                errs.push(format!("{sp}/Catch/{i}: ResultPath is JSONPath"));
                            }
                        }
                    } else if !matches!(k.as_str(), "Branches" | "ItemProcessor" | "Choices") {
                        check_jsonata(v, &format!("{sp}/{k}"), allow, &mut errs);
                    }
                }
            } else if let Some(c) = m.get("Catch").and_then(Value::as_array) {
                for (i, x) in c.iter().enumerate() {
                    if let Some(a) = x.get("Assign") {
                        check_assign(a, false, "", &format!("{sp}/Catch/{i}/Assign"), &mut errs);
                    }
                }
            }
            let mut targets: Vec<String> = vec![];
            let has_next = m.contains_key("Next");
            let has_end = m.get("End") == Some(&Value::Bool(true));
            match ty {
                "Choice" | "Succeed" | "Fail" => {
                    if has_next || m.contains_key("End") {
                        errs.push(format!("{sp}: {ty} takes neither Next nor End"));
                    }
                }
                _ => {
                    if has_next == has_end {
                        errs.push(format!(
                            "{sp}: exactly one of Next and End:true is required"
                        ));
                    }
                }
            }
            if has_end || ty == "Succeed" || ty == "Fail" {
                terminal = true;
            }
            if let Some(n) = m.get("Next").and_then(Value::as_str) {
                targets.push(n.to_string());
            }
            for key in ["Parameters", "ResultSelector", "ItemSelector"] {
                if let Some(t) = m.get(key).filter(|_| !jsonata) {
                    check_template(t, &format!("{sp}/{key}"), &mut errs);
                }
            }
            for key in [
                "ResultPath",
                "ItemsPath",
                "SecondsPath",
                "TimestampPath",
                "MaxConcurrencyPath",
            ] {
                if let Some(Value::String(p)) = m.get(key) {
                    if !is_reference_path(p) {
                        errs.push(format!("{sp}/{key}: {p:?} is not a reference path"));
                    }
                }
            }
            if let Some(Value::String(p)) = m.get("ResultPath") {
                if p.starts_with("$$") {
                    errs.push(format!("{sp}/ResultPath: may not start with $$"));
                }
            }
            if let Some(r) = m.get("Retry") {
                check_errors_list(r, &format!("{sp}/Retry"), &mut errs);
                for (i, x) in r.as_array().into_iter().flatten().enumerate() {
                    if x.get("BackoffRate")
                        .and_then(Value::as_f64)
                        .is_some_and(|b| b < 1.0)
                    {
                        errs.push(format!("{sp}/Retry/{i}: BackoffRate below 1.0"));
                    }
                    if x.get("IntervalSeconds")
                        .and_then(Value::as_i64)
                        .is_some_and(|v| v < 1)
                    {
                        errs.push(format!("{sp}/Retry/{i}: IntervalSeconds must be positive"));
                    }
                }
            }
            if let Some(c) = m.get("Catch") {
                check_errors_list(c, &format!("{sp}/Catch"), &mut errs);
                for (i, x) in c.as_array().into_iter().flatten().enumerate() {
                    match x.get("Next").and_then(Value::as_str) {
                        Some(n) => targets.push(n.to_string()),
                        None => errs.push(format!("{sp}/Catch/{i}: Next missing")),
                    }
                    if let Some(Value::String(p)) = x.get("ResultPath") {
                        if !is_reference_path(p) {
                            errs.push(format!(
                                "{sp}/Catch/{i}/ResultPath: {p:?} is not a reference path"
                            ));
                        }
                    }
                }
            }
            match ty {
                "Task" => {
                    let res = m.get("Resource").and_then(Value::as_str).unwrap_or("");
                    let function = if res == LAMBDA_INVOKE {
                        m.get("Parameters")
                            .or_else(|| m.get("Arguments"))
                            .and_then(|p| p.get("FunctionName"))
                            .and_then(Value::as_str)
                            .unwrap_or("")
                    } else {
                        res
                    };
                    if !fixture_arns.contains(function)
                        && !crate::gen::states::service::RESOURCES.contains(&res)
                    {
                        errs.push(format!("{sp}/Resource: not a fixture function: {res:?}"));
                    }
                    if let (Some(t), Some(h)) = (
                        m.get("TimeoutSeconds").and_then(Value::as_i64),
                        m.get("HeartbeatSeconds").and_then(Value::as_i64),
                    ) {
                        if h >= t {
                            errs.push(format!(
                                "{sp}: HeartbeatSeconds must be below TimeoutSeconds"
                            ));
                        }
                    }
                    if m.get("TimeoutSeconds")
                        .and_then(Value::as_i64)
                        .is_some_and(|t| t < 1)
                    {
                        errs.push(format!("{sp}/TimeoutSeconds: must be positive"));
                    }
                }
                "Wait" => {
                    let n = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
                        .iter()
                        .filter(|k| m.contains_key(**k))
                        .count();
                    if n != 1 {
                        errs.push(format!(
                            "{sp}: exactly one of Seconds/Timestamp/SecondsPath/TimestampPath"
                        ));
                    }
                    if let Some(ts) = m.get("Timestamp").and_then(Value::as_str) {
                        if !crate::shape::looks_like_timestamp(ts) && !ts.starts_with("{% ") {
                            errs.push(format!("{sp}/Timestamp: not RFC 3339"));
                        }
                    }
                }
                "Fail" => {
                    if m.contains_key("Error") && m.contains_key("ErrorPath") {
                        errs.push(format!("{sp}: Error and ErrorPath are exclusive"));
                    }
                    if m.contains_key("Cause") && m.contains_key("CausePath") {
                        errs.push(format!("{sp}: Cause and CausePath are exclusive"));
                    }
                    for key in ["ErrorPath", "CausePath"] {
                        if let Some(p) = m.get(key).and_then(Value::as_str) {
                            let ok = is_reference_path(p)
                                || [
                                    "States.Format(",
                                    "States.JsonToString(",
                                    "States.ArrayGetItem(",
                                    "States.Base64Encode(",
                                    "States.Base64Decode(",
                                    "States.Hash(",
                                    "States.UUID(",
                                ]
                                .iter()
                                .any(|f| p.starts_with(f));
                            if !ok {
                                errs.push(format!("{sp}/{key}: {p:?} is neither a reference path nor a string intrinsic"));
                            }
                        }
                    }
                }
                "Choice" => {
                    match m.get("Choices").and_then(Value::as_array) {
                        Some(rules) if !rules.is_empty() => {
                            for (i, r) in rules.iter().enumerate() {
                                let at = format!("{sp}/Choices/{i}");
                                if let Some(a) = r.get("Assign") {
                                    check_assign(
                                        a,
                                        jsonata,
                                        "",
                                        &format!("{at}/Assign"),
                                        &mut errs,
                                    );
                                }
                                if jsonata {
                                    let cond = r.get("Condition");
                                    let ok = cond.is_some_and(|c| {
                                        c.is_boolean()
                                            || c.as_str().is_some_and(|s| {
                                                s.starts_with("{% ") && s.ends_with(" %}")
                                            })
                                    });
                                    if !ok || r.get("Next").is_none() {
                                        errs.push(format!(
                                            "{at}: a JSONata rule needs Condition and Next"
                                        ));
                                    }
                                    for f in ["Condition", "Output"] {
                                        if let Some(x) = r.get(f) {
                                            check_jsonata(x, &format!("{at}/{f}"), "", &mut errs);
                                        }
                                    }
                                    if let Some(n) = r.get("Next").and_then(Value::as_str) {
                                        targets.push(n.to_string());
                                    }
                                    continue;
                                }
                                check_rule(r, true, &at, &mut errs);
                                if let Some(n) = r.get("Next").and_then(Value::as_str) {
                                    targets.push(n.to_string());
                                }
                            }
                        }
                        _ => errs.push(format!("{sp}: Choices must be a non-empty array")),
                    }
                    if let Some(d) = m.get("Default").and_then(Value::as_str) {
                        targets.push(d.to_string());
                    }
                }
                "Parallel" => {
                    let branches = m
                        .get("Branches")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    if branches == 0 {
                        errs.push(format!("{sp}: Branches must be a non-empty array"));
                    }
                }
                "Map" => {
                    if !m.contains_key("ItemProcessor") && !m.contains_key("Iterator") {
                        errs.push(format!("{sp}: ItemProcessor (or Iterator) is required"));
                    }
                    if let Some(pc) = m
                        .get("ItemProcessor")
                        .and_then(|p| p.get("ProcessorConfig"))
                    {
                        // DISTRIBUTED only in the services profile's S3 Maps (service.rs),
                        // which always read their items with an ItemReader.
                        match pc.get("Mode").and_then(Value::as_str) {
                            Some("INLINE") => {}
                            Some("DISTRIBUTED") if m.contains_key("ItemReader") => {}
                            _ => errs.push(format!(
                                "{sp}: only INLINE processors are generated, and DISTRIBUTED ones with an ItemReader"
                            )),
                        }
                    } else if m.contains_key("ItemReader") || m.contains_key("ResultWriter") {
                        errs.push(format!(
                            "{sp}: ItemReader and ResultWriter need a DISTRIBUTED processor"
                        ));
                    }
                    if let Some(mc) = m.get("MaxConcurrency") {
                        if mc.as_u64().is_none() {
                            errs.push(format!(
                                "{sp}/MaxConcurrency: must be a non-negative integer"
                            ));
                        }
                    }
                }
                _ => {}
            }
            for t in &targets {
                if !states.contains_key(t.as_str()) {
                    errs.push(format!(
                        "{sp}: target {t:?} is not in the same States object"
                    ));
                }
            }
            edges.insert(name.as_str(), targets);
        }
        if !terminal {
            errs.push(format!("{at}: graph has no terminal state"));
        }
        // Reachability from StartAt.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&str> = VecDeque::new();
        if states.contains_key(start) {
            queue.push_back(start);
            seen.insert(start);
        }
        while let Some(n) = queue.pop_front() {
            for t in edges.get(n).into_iter().flatten() {
                if let Some((k, _)) = states.get_key_value(t.as_str()) {
                    if seen.insert(k.as_str()) {
                        queue.push_back(k.as_str());
                    }
                }
            }
        }
        for name in states.keys() {
            if !seen.contains(name.as_str()) {
                errs.push(format!(
                    "{}/States/{name}: not reachable from StartAt",
                    g.pointer
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_paths() {
        assert!(is_reference_path("$"));
        assert!(is_reference_path("$.a['my key'][0].b"));
        assert!(is_reference_path("$$.Execution.Input"));
        assert!(!is_reference_path("$.a[*]"));
        assert!(!is_reference_path("$..a"));
        assert!(!is_reference_path("$.a[0:2]"));
        assert!(!is_reference_path("States.UUID()"));
    }
}
