//! JSONata: `expression\ndocument` → `Expression::compile` → `evaluate` with small limits.
//!
//! Properties: errors carry a JSONata code (a letter and four digits); evaluation stays within
//! its limits (the target's own timeout catches a run that does not); a value result survives
//! printing; the same seed gives the same result.

#![no_main]

mod common;

use aslcheck_jsonata::{Binding, Evaluated, Expression, Limits};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    timeout_ms: 200,
    max_depth: 300,
    max_sequence_length: 100_000,
};

fn is_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = common::text_and_document(data) else {
        return;
    };
    let expr = match Expression::compile(text) {
        Ok(e) => e,
        Err(e) => {
            assert!(
                is_code(&e.code),
                "compile error with code {:?}: {e}",
                e.code
            );
            return;
        }
    };
    let lookup = |name: &str| match name {
        "states" => Some(Binding::of(&serde_json::json!({"input": doc}))),
        "x" => Some(Binding::of(&doc)),
        _ => None,
    };
    let first = expr.evaluate_seeded(Some(&doc), &lookup, &LIMITS, 5);
    match &first {
        Ok(Evaluated::Value(v)) => common::assert_json_round_trip(v, "a JSONata result"),
        Ok(_) => {}
        Err(e) => assert!(
            is_code(&e.code),
            "evaluation error with code {:?}: {e}",
            e.code
        ),
    }
    // Determinism, for results that did not depend on the clock (`$now`, `$millis`) or on
    // reaching a limit.
    let clock = expr.variables().iter().any(|v| v == "now" || v == "millis");
    if !clock && !matches!(&first, Err(e) if e.code == "U1001") {
        let second = expr.evaluate_seeded(Some(&doc), &lookup, &LIMITS, 5);
        if !matches!(&second, Err(e) if e.code == "U1001") {
            assert_eq!(
                first, second,
                "two evaluations of {text:?} with one seed differ"
            );
        }
    }
});
