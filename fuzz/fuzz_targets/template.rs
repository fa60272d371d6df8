//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`): `template\ndocument`
//! → `Template::compile` → `Template::eval` on the document.
//!
//! Properties: a template without `.$` keys evaluates to itself; an object template evaluates
//! to an object with the template's keys, `.$` suffixes removed, in the template's order;
//! evaluation fails only with `States.Runtime` or `States.IntrinsicFailure`.

#![no_main]

mod common;

use std::borrow::Cow;

use aslcheck_interp::data::context::{Context, ExecutionContext};
use aslcheck_interp::data::template::{Scope, Spares, Template};
use aslcheck_interp::errors::{INTRINSIC_FAILURE, RUNTIME};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn has_dynamic_key(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k.ends_with(".$") || has_dynamic_key(v)),
        Value::Array(a) => a.iter().any(has_dynamic_key),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = common::text_and_document(data) else {
        return;
    };
    let Ok(template_json) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Ok(template) = Template::compile(&template_json) else {
        return;
    };
    let exec = ExecutionContext::new(
        Cow::Borrowed("us-east-1"),
        Cow::Borrowed("123456789012"),
        Cow::Borrowed("Fuzz"),
        Some("fuzz-run".to_string()),
        7,
        &doc,
        1_700_000_000_000,
    );
    let ctx = Context::new(&exec, "S", 1_700_000_000_000);
    let spares = Spares::default();
    let scope = Scope {
        input: &doc,
        context: &ctx,
        spares: &spares,
    };
    match template.eval(&scope, &mut common::Counter(3)) {
        Ok(out) => {
            if !has_dynamic_key(&template_json) {
                assert_eq!(out, template_json, "a literal template changed");
            }
            if let (Value::Object(t), Value::Object(o)) = (&template_json, &out) {
                let want: Vec<&str> = t
                    .keys()
                    .map(|k| k.strip_suffix(".$").unwrap_or(k))
                    .collect();
                let got: Vec<&str> = o.keys().map(String::as_str).collect();
                assert_eq!(got, want, "output keys differ from the template's");
            } else if template_json.is_object() {
                panic!("an object template gave {out}");
            }
            common::assert_json_round_trip(&out, "a template's output");
            // Put the output aside as the interpreter does, and evaluate again: a reused object
            // must give the same result.
            spares.keep(out.clone());
            if let Ok(again) = template.eval(&scope, &mut common::Counter(3)) {
                assert_eq!(
                    again, out,
                    "evaluating with a spare object changed the result"
                );
            }
        }
        Err(f) => {
            let name = f.error.as_deref().unwrap_or("");
            assert!(
                name == RUNTIME || name == INTRINSIC_FAILURE,
                "a template failed with {:?}: {:?}",
                f.error,
                f.cause
            );
        }
    }
});
