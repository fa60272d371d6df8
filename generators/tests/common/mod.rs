//! Helpers shared by the integration tests.
#![allow(dead_code)]

use aslcheck_generators::{check, generate, walk, Case, Profile};
use serde_json::Value;

pub fn profile(name: &str) -> Profile {
    Profile::builtin(name).unwrap_or_else(|e| panic!("{e}"))
}

/// `n` cases of `profile`, seeds 0..n.
pub fn cases(name: &str, n: u64) -> Vec<Case> {
    let p = profile(name);
    (0..n).map(|seed| generate(&p, seed)).collect()
}

/// Panics with the case when the definition breaks a structural rule.
pub fn assert_valid(case: &Case) {
    let errs = check::structural_errors(&case.definition);
    assert!(
        errs.is_empty(),
        "case {} is invalid:\n  {}\n{}",
        case.id(),
        errs.join("\n  "),
        serde_json::to_string_pretty(&case.definition).unwrap_or_default()
    );
}

/// Deepest Parallel/Map nesting of a definition.
pub fn depth(definition: &Value) -> usize {
    walk::graphs(definition)
        .iter()
        .map(|g| {
            g.pointer.matches("/Branches/").count()
                + g.pointer.matches("/ItemProcessor").count()
                + g.pointer.matches("/Iterator").count()
        })
        .max()
        .unwrap_or(0)
}
