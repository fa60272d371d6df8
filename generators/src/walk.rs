//! Walking a definition: every graph (`States` object) and every state, with JSON Pointers.

use serde_json::Value;

/// One state of a definition.
#[derive(Debug, Clone)]
pub struct StateRef<'a> {
    pub name: &'a str,
    pub state: &'a Value,
    /// JSON Pointer of the state (`/States/A/Branches/0/States/B`).
    pub pointer: String,
    /// Type of the state holding the graph (`Parallel`, `Map`), `None` at the top level.
    pub container: Option<&'a str>,
}

/// One graph: an object with `StartAt` and `States` (the top level, a branch, a processor).
#[derive(Debug, Clone)]
pub struct GraphRef<'a> {
    pub graph: &'a Value,
    /// JSON Pointer of the graph object (`""` for the top level).
    pub pointer: String,
    /// Type of the state holding this graph (`Parallel`, `Map`), `None` at the top level.
    pub container: Option<&'a str>,
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every graph, outermost first.
pub fn graphs(definition: &Value) -> Vec<GraphRef<'_>> {
    let mut out = vec![];
    collect(definition, String::new(), None, &mut out);
    out
}

fn collect<'a>(
    graph: &'a Value,
    pointer: String,
    container: Option<&'a str>,
    out: &mut Vec<GraphRef<'a>>,
) {
    out.push(GraphRef {
        graph,
        pointer: pointer.clone(),
        container,
    });
    let Some(states) = graph.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        let sp = format!("{pointer}/States/{}", escape(name));
        let ty = state.get("Type").and_then(Value::as_str);
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            for (i, b) in branches.iter().enumerate() {
                collect(b, format!("{sp}/Branches/{i}"), ty, out);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(p) = state.get(key) {
                collect(p, format!("{sp}/{key}"), ty, out);
            }
        }
    }
}

/// Every state of every graph.
pub fn states(definition: &Value) -> Vec<StateRef<'_>> {
    let mut out = vec![];
    for graph in graphs(definition) {
        if let Some(states) = graph.graph.get("States").and_then(Value::as_object) {
            for (name, state) in states {
                out.push(StateRef {
                    name,
                    state,
                    pointer: format!("{}/States/{}", graph.pointer, escape(name)),
                    container: graph.container,
                });
            }
        }
    }
    out
}

/// The transitions of a state: `Next`, `Default`, Choice rule and catcher targets.
pub fn targets(state: &Value) -> Vec<&str> {
    let mut out = vec![];
    for key in ["Next", "Default"] {
        if let Some(t) = state.get(key).and_then(Value::as_str) {
            out.push(t);
        }
    }
    for key in ["Choices", "Catch"] {
        for r in state
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = r.get("Next").and_then(Value::as_str) {
                out.push(t);
            }
        }
    }
    out
}

/// Whether a graph (`StartAt` + `States`) has a cycle (a loop).
pub fn has_cycle(graph: &Value) -> bool {
    let Some(states) = graph.get("States").and_then(Value::as_object) else {
        return false;
    };
    // Iterative depth-first search with colours: 1 = on the stack, 2 = done.
    let mut colour: std::collections::HashMap<&str, u8> = Default::default();
    for start in states.keys() {
        if colour.contains_key(start.as_str()) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        colour.insert(start.as_str(), 1);
        while let Some((node, i)) = stack.pop() {
            let next: Vec<&str> = states.get(node).map(targets).unwrap_or_default();
            if i < next.len() {
                stack.push((node, i + 1));
                let t = next[i];
                match colour.get(t) {
                    Some(1) => return true,
                    Some(_) => {}
                    None if states.contains_key(t) => {
                        colour.insert(t, 1);
                        stack.push((t, 0));
                    }
                    None => {}
                }
            } else {
                colour.insert(node, 2);
            }
        }
    }
    false
}

/// Every string that is a path or an intrinsic call in a state (values of `….$` keys at any
/// depth of its templates, and the path fields), with the field it came from.
pub fn expressions(state: &Value) -> Vec<(String, String)> {
    let mut out = vec![];
    if let Some(m) = state.as_object() {
        for (k, v) in m {
            match k.as_str() {
                "InputPath" | "OutputPath" | "ResultPath" | "ItemsPath" | "SecondsPath"
                | "TimestampPath" | "ErrorPath" | "CausePath" | "MaxConcurrencyPath" => {
                    if let Some(s) = v.as_str() {
                        out.push((k.clone(), s.to_string()));
                    }
                }
                "Parameters" | "ResultSelector" | "ItemSelector" => template_exprs(k, v, &mut out),
                "Catch" => {
                    for c in v.as_array().into_iter().flatten() {
                        if let Some(s) = c.get("ResultPath").and_then(Value::as_str) {
                            out.push(("Catch.ResultPath".into(), s.to_string()));
                        }
                    }
                }
                "Choices" => {
                    for r in v.as_array().into_iter().flatten() {
                        rule_exprs(r, &mut out);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn template_exprs(field: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k.ends_with(".$") {
                    if let Some(s) = v.as_str() {
                        out.push((field.to_string(), s.to_string()));
                    }
                } else {
                    template_exprs(field, v, out);
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| template_exprs(field, x, out)),
        _ => {}
    }
}

fn rule_exprs(rule: &Value, out: &mut Vec<(String, String)>) {
    let Some(m) = rule.as_object() else { return };
    for (k, v) in m {
        match (k.as_str(), v) {
            ("And" | "Or", Value::Array(xs)) => xs.iter().for_each(|x| rule_exprs(x, out)),
            ("Not", x) => rule_exprs(x, out),
            ("Variable", Value::String(s)) => out.push(("Variable".into(), s.clone())),
            (op, Value::String(s)) if op.ends_with("Path") => out.push((op.to_string(), s.clone())),
            _ => {}
        }
    }
}

/// Names of the intrinsic functions called in an expression (`States.X(`), outside quotes.
pub fn intrinsic_names(expr: &str) -> Vec<String> {
    let mut out = vec![];
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut quoted = false;
    while i < chars.len() {
        let c = chars[i];
        if quoted {
            if c == '\\' {
                i += 2;
                continue;
            }
            if c == '\'' {
                quoted = false;
            }
            i += 1;
            continue;
        }
        if c == '\'' {
            quoted = true;
            i += 1;
            continue;
        }
        if expr_starts(&chars, i, "States.") {
            let start = i;
            let mut j = i + 7;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j < chars.len() && chars[j] == '(' {
                out.push(chars[start..j].iter().collect());
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

fn expr_starts(chars: &[char], i: usize, pat: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    chars.len() >= i + p.len() && chars[i..i + p.len()] == p[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_intrinsics_outside_quotes() {
        assert_eq!(
            intrinsic_names("States.Format('States.UUID() {}', States.ArrayLength($.a))"),
            vec!["States.Format", "States.ArrayLength"]
        );
        assert_eq!(
            intrinsic_names("States.Format('it\\'s', States.UUID())"),
            vec!["States.Format", "States.UUID"]
        );
    }
}
