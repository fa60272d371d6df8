//! Coverage statistics over generated cases, computed from the JSON alone (so they also
//! describe cases that were edited or shrunk).
//!
//! Categories (each maps a key to how many machines contain it and how often it occurs):
//! `state` (Type), `field` (`Type.Field`, plus `Map.ProcessorConfig`), `intrinsic`,
//! `choice_operator`, `retry_field`, `catch_field`, `resource` (`fixture via arn|invoke`),
//! `intrinsic_field` (`in <field>` and `<field>: <outermost function>`), `nesting`
//! (`<Type> in <Parallel|Map>`), `path` (path features: `$$`, brackets, `[*]`, `..`, slices,
//! unions, filters, `null` forms, deliberately missing members),
//! `graph` (`loop (cycle)`), `fault` (deliberate faults by kind) and `nondeterministic`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::case::Case;
use crate::walk;

/// How often one thing occurs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Machines containing it at least once.
    pub machines: usize,
    /// Occurrences over all machines.
    pub occurrences: usize,
}

/// Counts per category and key. See the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub machines: usize,
    /// States over all machines.
    pub states: usize,
    /// Most states in one machine.
    pub max_states: usize,
    /// Deepest Parallel/Map nesting seen.
    pub max_depth: usize,
    /// Bytes of compact definition JSON over all machines.
    pub definition_bytes: usize,
    pub categories: BTreeMap<String, BTreeMap<String, Count>>,
}

impl Stats {
    /// The count of `key` in `category` (zero when never seen).
    pub fn count(&self, category: &str, key: &str) -> Count {
        self.categories
            .get(category)
            .and_then(|c| c.get(key))
            .copied()
            .unwrap_or_default()
    }

    /// Fraction of machines containing `key` of `category`.
    pub fn share(&self, category: &str, key: &str) -> f64 {
        if self.machines == 0 {
            0.0
        } else {
            self.count(category, key).machines as f64 / self.machines as f64
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Counts what the cases contain. See the module documentation.
pub fn stats(cases: &[Case]) -> Stats {
    let mut st = Stats {
        machines: cases.len(),
        ..Stats::default()
    };
    for case in cases {
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut note = |cat: &str, key: &str| {
            *seen.entry((cat.to_string(), key.to_string())).or_default() += 1;
        };
        let states = walk::states(&case.definition);
        st.states += states.len();
        st.max_states = st.max_states.max(states.len());
        st.definition_bytes += case.definition.to_string().len();
        for g in walk::graphs(&case.definition) {
            let depth = g.pointer.matches("/Branches/").count()
                + g.pointer.matches("/ItemProcessor").count()
                + g.pointer.matches("/Iterator").count();
            st.max_depth = st.max_depth.max(depth);
            if walk::has_cycle(g.graph) {
                note("graph", "loop (cycle)");
            }
        }
        for s in &states {
            let ty = s.state.get("Type").and_then(Value::as_str).unwrap_or("?");
            note("state", ty);
            if let Some(container) = s.container {
                note("nesting", &format!("{ty} in {container}"));
            }
            if let Some(m) = s.state.as_object() {
                for (k, v) in m {
                    if k != "Type" {
                        note("field", &format!("{ty}.{k}"));
                    }
                    match (k.as_str(), v) {
                        ("Retry", Value::Array(rs)) => {
                            for r in rs {
                                for (rk, rv) in r.as_object().into_iter().flatten() {
                                    note("retry_field", rk);
                                    if rk == "JitterStrategy" {
                                        note(
                                            "retry_field",
                                            &format!(
                                                "JitterStrategy={}",
                                                rv.as_str().unwrap_or("?")
                                            ),
                                        );
                                    }
                                }
                                if r.get("ErrorEquals")
                                    .and_then(Value::as_array)
                                    .is_some_and(|e| e.iter().any(|x| x == "States.ALL"))
                                {
                                    note("retry_field", "ErrorEquals=States.ALL");
                                }
                            }
                        }
                        ("Catch", Value::Array(cs)) => {
                            for c in cs {
                                for (ck, cv) in c.as_object().into_iter().flatten() {
                                    note("catch_field", ck);
                                    if ck == "ResultPath" && cv.is_null() {
                                        note("catch_field", "ResultPath=null");
                                    }
                                }
                            }
                        }
                        ("Choices", Value::Array(rules)) => {
                            for r in rules {
                                operators(r, &mut note);
                            }
                        }
                        ("ItemProcessor", p) if p.get("ProcessorConfig").is_some() => {
                            note("field", "Map.ProcessorConfig");
                        }
                        ("InputPath" | "OutputPath" | "ResultPath", Value::Null) => {
                            note("path", &format!("{k}=null"))
                        }
                        ("ResultPath", Value::String(p)) if p == "$" => {
                            note("path", "ResultPath=$")
                        }
                        _ => {}
                    }
                }
                if ty == "Task" {
                    let res = m.get("Resource").and_then(Value::as_str).unwrap_or("");
                    let (function, form) = if res == crate::gen::LAMBDA_INVOKE {
                        (
                            m.get("Parameters")
                                .or_else(|| m.get("Arguments"))
                                .and_then(|p| p.get("FunctionName"))
                                .and_then(Value::as_str)
                                .unwrap_or(""),
                            "invoke",
                        )
                    } else {
                        (res, "arn")
                    };
                    let name = function.rsplit("aslcheck-").next().unwrap_or(function);
                    note("resource", &format!("{name} via {form}"));
                }
                for key in ["Parameters", "ResultSelector", "ItemSelector"] {
                    if let Some(Value::Object(t)) = m.get(key) {
                        if t.values().any(|v| v.is_object()) {
                            note("path", &format!("{key} nested template"));
                        }
                    }
                }
            }
            for (field, expr) in walk::expressions(s.state) {
                let names = walk::intrinsic_names(&expr);
                for n in &names {
                    note("intrinsic", n);
                }
                if let Some(outer) = names.first() {
                    note("intrinsic_field", &format!("{field}: {outer}"));
                    note("intrinsic_field", &format!("in {field}"));
                }
                if names.len() > 1 {
                    note("intrinsic", "(nested)");
                }
                if names.is_empty() {
                    path_features(&field, &expr, &mut note);
                }
            }
        }
        for f in case
            .environment
            .get("faults")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(text) = f.as_str() {
                note("fault", text.split(" at ").next().unwrap_or(text));
            }
        }
        for n in case
            .environment
            .get("nondeterministic")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(text) = n.as_str() {
                note("nondeterministic", text);
            }
        }
        for ((cat, key), n) in seen {
            let c = st
                .categories
                .entry(cat)
                .or_default()
                .entry(key)
                .or_default();
            c.machines += 1;
            c.occurrences += n;
        }
    }
    st
}

fn operators(rule: &Value, note: &mut impl FnMut(&str, &str)) {
    let Some(m) = rule.as_object() else { return };
    for (k, v) in m {
        match k.as_str() {
            "Variable" | "Next" | "Comment" => {}
            "And" | "Or" => {
                note("choice_operator", k);
                v.as_array()
                    .into_iter()
                    .flatten()
                    .for_each(|r| operators(r, note));
            }
            "Not" => {
                note("choice_operator", k);
                operators(v, note);
            }
            op => note("choice_operator", op),
        }
    }
}

fn path_features(field: &str, p: &str, note: &mut impl FnMut(&str, &str)) {
    if p.starts_with("$$") {
        note("path", "context ($$)");
        if p.starts_with("$$.Map.Item") {
            note("path", "$$.Map.Item");
        }
    }
    if p.contains("absent") {
        note("path", "missing member (deliberate)");
    }
    if p.contains("['") {
        note("path", "bracket member");
    }
    if p.contains("[*]") {
        note("path", "wildcard [*]");
    }
    if p.contains("..") {
        note("path", "deep scan ..");
    }
    if p.contains("[?(") {
        note("path", "filter [?()]");
    }
    if p.contains(":2]") || p.contains(":]") {
        note("path", "slice [a:b]");
    }
    if p.contains("[0,1]") {
        note("path", "union [a,b]");
    }
    if p.bytes()
        .zip(p.bytes().skip(1))
        .any(|(a, b)| a == b'[' && b.is_ascii_digit())
        && !p.contains("[0,1]")
        && !p.contains(":")
    {
        note("path", "index [n]");
    }
    note("path", &format!("{field} path"));
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = |n: usize| {
            if self.machines == 0 {
                0.0
            } else {
                n as f64 / self.machines as f64
            }
        };
        writeln!(
            f,
            "{} machines, {} states ({:.1} per machine, at most {}), nesting depth ≤ {}, {:.0} bytes per definition",
            self.machines,
            self.states,
            per(self.states),
            self.max_states,
            self.max_depth,
            per(self.definition_bytes)
        )?;
        for (cat, keys) in &self.categories {
            writeln!(f)?;
            writeln!(
                f,
                "{cat:<42} {:>7} {:>8} {:>11}",
                "machines", "share", "occurrences"
            )?;
            for (key, c) in keys {
                writeln!(
                    f,
                    "  {key:<40} {:>7} {:>7.1}% {:>11}",
                    c.machines,
                    100.0 * per(c.machines),
                    c.occurrences
                )?;
            }
        }
        Ok(())
    }
}
