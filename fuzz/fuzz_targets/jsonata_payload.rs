//! JSONata payloads in a definition (`Output`, `Arguments`, …): `expression\ninput` →
//! `Payload::compile` of `{% expression %}` → `Payload::eval`, the interpreter's path.
//!
//! Property: the interpreter's shortcut for plain paths (`$states.input.a.b`) gives what the
//! JSONata engine gives: the payload's result equals the engine's on the same `$states`.

#![no_main]

mod common;

use std::borrow::Cow;

use aslcheck_interp::data::context::{Context, ExecutionContext};
use aslcheck_interp::data::jsonata::{Local, Payload, Scope, States};
use aslcheck_jsonata::{Binding, Evaluated, Expression, Limits};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = common::text_and_document(data) else {
        return;
    };
    let field = Value::String(format!("{{%{text}%}}"));
    let Ok(payload) = Payload::compile(&field) else {
        return;
    };
    let Ok(expr) = Expression::compile(text) else {
        panic!("the payload compiled but the expression {text:?} does not");
    };
    let start = 1_700_000_000_000;
    let exec = ExecutionContext::new(
        Cow::Borrowed("us-east-1"),
        Cow::Borrowed("123456789012"),
        Cow::Borrowed("Fuzz"),
        Some("fuzz-run".to_string()),
        7,
        &doc,
        start,
    );
    let states = States::new(doc.clone(), Local::new("S", start, None), None);
    let mut rng = common::Counter(9);
    let got = payload.eval(
        "Output",
        &mut Scope {
            states: &states,
            execution: &exec,
            rng: &mut rng,
        },
    );
    if let Ok(v) = &got {
        common::assert_json_round_trip(v, "a payload's result");
    }
    let clock_or_random = expr
        .variables()
        .iter()
        .any(|v| matches!(v.as_str(), "now" | "millis" | "random" | "uuid"));
    if clock_or_random {
        return;
    }
    // What the engine alone gives, with `$states` as AWS documents it.
    let ctx = Context::new(&exec, "S", start);
    let whole = json!({"input": doc, "context": ctx.value()});
    let lookup = |name: &str| (name == "states").then(|| Binding::of(&whole));
    let engine = expr.evaluate(None, &lookup, &Limits::default());
    match (&got, &engine) {
        (Ok(v), Ok(Evaluated::Value(w))) => {
            assert_eq!(v, w, "payload and engine differ on {text:?}")
        }
        (Err(_), Ok(Evaluated::Value(w))) => panic!("payload failed where the engine gave {w}"),
        (Ok(v), _) => panic!("payload gave {v} where the engine gave {engine:?}"),
        (Err(_), Err(e)) if e.code == "U1001" => {}
        (Err(_), _) => {}
    }
});
