//! The corpus case loader: a case file's text → `parse_strict` → `case_from_value` (with the
//! corpus's real feature list).
//!
//! Properties: `parse_strict` accepts only JSON that serde_json accepts, and gives the same value;
//! the corpus's pretty printer round-trips what it accepts; an accepted case has the id it was
//! loaded under.

#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use aslcheck::corpus::load::{case_from_value, parse_strict};
use aslcheck::corpus::write::pretty;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn features() -> &'static BTreeSet<String> {
    static FEATURES: OnceLock<BTreeSet<String>> = OnceLock::new();
    FEATURES.get_or_init(|| {
        include_str!("../../corpus/schema/features.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(v) = parse_strict(text) else {
        return;
    };
    let plain: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("parse_strict accepted what serde_json rejects: {e}"));
    assert_eq!(
        v, plain,
        "parse_strict and serde_json read different values"
    );
    let printed = pretty(&v);
    let back = parse_strict(&printed)
        .unwrap_or_else(|e| panic!("the pretty form does not parse strictly: {e}"));
    assert_eq!(back, v, "the pretty form reads back differently");
    // The id the file's path would imply: the case's own, so that only content is judged.
    let id = v.get("id").and_then(Value::as_str).unwrap_or("fuzz/case");
    if let Ok(case) = case_from_value(&v, Some(id), features()) {
        assert_eq!(case.id, id, "a case loaded under another id");
    }
});
