//! Intrinsic functions: `call\ndocument` → `intrinsics::parse` (paths compiled as the
//! interpreter does) → `intrinsics::eval` with paths read from the document.
//!
//! Properties: a call that parses has an argument count its function accepts; evaluation
//! fails only with `States.IntrinsicFailure` or the path error the environment raised; the
//! functions that return strings (all of `returns_string` but ArrayGetItem) return strings; results survive printing.

#![no_main]

mod common;

use aslcheck_interp::data::PathRef;
use aslcheck_interp::intrinsics::{self, Env, EvalError, Function, INTRINSIC_FAILURE};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const PATH_ERROR: &str = "States.Runtime";

struct DocEnv {
    doc: Value,
    seed: u64,
}

impl Env<PathRef> for DocEnv {
    fn resolve(&mut self, path: &PathRef) -> Result<Value, EvalError> {
        let found = match path {
            PathRef::Input(p) => p.select(&self.doc).map(|v| v.into_owned()).ok(),
            // Context paths and variables read the same document here.
            PathRef::Context { path, .. } | PathRef::Variable { path, .. } => {
                path.select(&self.doc).map(|v| v.into_owned()).ok()
            }
        };
        found.ok_or_else(|| EvalError {
            error: PATH_ERROR.to_string(),
            cause: format!("no node at {}", path.text()),
        })
    }

    fn next_u64(&mut self) -> u64 {
        self.seed = self
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.seed
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = common::text_and_document(data) else {
        return;
    };
    let _ = intrinsics::looks_like_call(text);
    let mut compile = |p: &str| PathRef::compile(p).map_err(|e| e.to_string());
    let Ok(call) = intrinsics::parse(text, &mut compile) else {
        return;
    };
    assert!(
        call.function.accepts_arg_count(call.args.len()),
        "{text:?} parsed with {} arguments for {}",
        call.args.len(),
        call.function.name()
    );
    let mut env = DocEnv { doc, seed: 1 };
    match intrinsics::eval(&call, &mut env) {
        Ok(v) => {
            // `returns_string` also lists ArrayGetItem (a Fail state accepts it in `ErrorPath`),
            // which returns whatever the array holds.
            if call.function.returns_string() && call.function != Function::ArrayGetItem {
                assert!(v.is_string(), "{text:?} returned {v} instead of a string");
            }
            common::assert_json_round_trip(&v, "an intrinsic's result");
        }
        Err(e) => assert!(
            e.error == INTRINSIC_FAILURE || e.error == PATH_ERROR,
            "{text:?} failed with {e}"
        ),
    }
});
