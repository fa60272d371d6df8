//! Inputs the fuzz targets (fuzz/README.md) found, kept as tests in the crate they concern.

use std::borrow::Cow;

use aslcheck_interp::data::context::{Context, ExecutionContext};
use aslcheck_interp::data::template::{Scope, Spares, Template};
use serde_json::{json, Value};

/// Found by `template` and `jsonata_payload`: serde_json's default number parser may land one
/// unit in the last place away from the nearest double, so a number read, printed and read again
/// changed (`888…8` with 78 digits became `8.888888888888889e77`, then `8.88888888888889e77`;
/// `$random()`'s `0.12329747095141419` came back as `0.1232974709514142`). The workspace enables
/// serde_json's `float_roundtrip`, which parses to the nearest double, as Java's
/// `Double.parseDouble` does.
#[test]
fn numbers_survive_printing_and_parsing_again() {
    for text in [
        "888888888888888888888888888888888888888888888888888888888888888888888888888888",
        "0.12329747095141419",
        "8.888888888888889e77",
        "2.2250738585072011e-308",
        "0.30000000000000004",
    ] {
        let v: Value = serde_json::from_str(text).unwrap();
        let printed = serde_json::to_string(&v).unwrap();
        let again: Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(again, v, "{text} → {printed} → {again}");
        assert_eq!(
            v.as_f64(),
            text.parse::<f64>().ok(),
            "{text} is not parsed to the nearest double"
        );
    }
}

/// The same through a payload template, as the `template` target found it: a literal number in
/// a template evaluates to the number as written.
#[test]
fn a_template_keeps_a_long_literal_number() {
    let doc = json!({});
    let template: Value = serde_json::from_str(
        r#"{"n": 888888888888888888888888888888888888888888888888888888888888888888888888888888, "x.$": "$"}"#,
    )
    .unwrap();
    let compiled = Template::compile(&template).unwrap();
    let exec = ExecutionContext::new(
        Cow::Borrowed("us-east-1"),
        Cow::Borrowed("123456789012"),
        Cow::Borrowed("M"),
        Some("run".to_string()),
        0,
        &doc,
        0,
    );
    let ctx = Context::new(&exec, "S", 0);
    let spares = Spares::default();
    let scope = Scope {
        input: &doc,
        context: &ctx,
        spares: &spares,
    };
    let mut rng = rand::rngs::mock::StepRng::new(0, 1);
    let out = compiled.eval(&scope, &mut rng).unwrap();
    let printed = serde_json::to_string(&out).unwrap();
    assert_eq!(printed, r#"{"n":8.888888888888889e+77,"x":{}}"#);
    let again: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(again, out);
}
