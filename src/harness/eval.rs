//! One expression evaluated the way the reference interpreter evaluates a field: JSONata
//! (`{% … %}`), a JSONPath path (`$.a`, `$$.Execution.Id`, `$name.b`) or an intrinsic function
//! call (`States.Format(…)`). `aslcheck eval` prints what [`evaluate`] returns; the JSONata suite
//! test (tests/jsonata_suite.rs) judges the engine through the same function.
//!
//! - JSONata: `$` is the input and `$states` is `{"input": …, "context": …}`
//!   (docs/semantics/jsonata.md §11.3); bindings are variables (`$name`). Errors carry the
//!   JSONata code (`T2001`, `U1001`, …).
//! - JSONPath and intrinsics: `$…` reads the input, `$$…` the context object (the given one, or
//!   the interpreter's for an execution named `eval` in state `Eval`), `$name…` a binding (a
//!   workflow variable, docs/semantics/variables.md). Errors carry the `States.*` name the
//!   interpreter raises: `States.Runtime` for a path that selects nothing,
//!   `States.IntrinsicFailure` for a bad intrinsic argument.
//!
//! Text that does not parse is an error with [`EvalResult::is_syntax_error`] set: a JSONata `S0xxx`
//! code, or `SCHEMA_VALIDATION_FAILED` (the code AWS gives a definition with such a field) for a
//! path or intrinsic call.

use std::borrow::Cow;

use aslcheck_interp::data::context::{Context, ExecutionContext};
use aslcheck_interp::data::template::not_found;
use aslcheck_interp::data::PathRef;
use aslcheck_interp::errors::RUNTIME;
use aslcheck_interp::intrinsics::{self, EvalError};
use aslcheck_jsonata::{Binding, Evaluated, Expression, Limits};
use serde_json::{json, Map, Value};

/// The query language of the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    Jsonata,
    Jsonpath,
    Intrinsic,
}

/// What to evaluate and on what.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub language: Language,
    /// For JSONata with or without the `{% %}` delimiters.
    pub expression: &'a str,
    /// `$`; `None` is JSONata's *undefined* (JSONPath and intrinsics then read `{}`).
    pub input: Option<&'a Value>,
    /// The context object (`$states.context`, `$$`); `None`: `{}` for JSONata, the
    /// interpreter's own for JSONPath and intrinsics.
    pub context: Option<&'a Value>,
    /// Variables, by name without `$`.
    pub bindings: &'a Map<String, Value>,
    /// JSONata only.
    pub limits: Limits,
    /// Seeds unseeded `$random()`, `$uuid()`, `States.UUID()` and `States.MathRandom`.
    pub seed: u64,
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalResult {
    Value(Value),
    /// JSONata's *undefined* (nothing selected, an unbound variable).
    Undefined,
    Error {
        /// The JSONata code, or the `States.*` error name.
        code: String,
        message: String,
        /// The expression did not parse.
        syntax: bool,
    },
}

impl EvalResult {
    /// `{"result": V}`, `{"undefined": true}` or `{"error": CODE, "message": …}`.
    pub fn to_json(&self) -> Value {
        match self {
            EvalResult::Value(v) => json!({ "result": v }),
            EvalResult::Undefined => json!({ "undefined": true }),
            EvalResult::Error { code, message, .. } => json!({ "error": code, "message": message }),
        }
    }

    pub fn is_syntax_error(&self) -> bool {
        matches!(self, EvalResult::Error { syntax: true, .. })
    }

    fn error(code: impl Into<String>, message: impl Into<String>, syntax: bool) -> EvalResult {
        EvalResult::Error {
            code: code.into(),
            message: message.into(),
            syntax,
        }
    }
}

/// The code AWS gives a definition whose path or intrinsic field does not parse.
pub const SYNTAX_ERROR: &str = "SCHEMA_VALIDATION_FAILED";

/// Evaluates one expression.
pub fn evaluate(request: &Request<'_>) -> EvalResult {
    match request.language {
        Language::Jsonata => jsonata(request),
        Language::Jsonpath | Language::Intrinsic => path_or_call(request),
    }
}

/// The expression without `{%` and `%}` when it has both.
pub fn strip_delimiters(text: &str) -> &str {
    aslcheck_interp::data::jsonata::delimited(text).unwrap_or(text)
}

fn jsonata(request: &Request<'_>) -> EvalResult {
    let expression = match Expression::compile(strip_delimiters(request.expression)) {
        Ok(e) => e,
        Err(e) => return EvalResult::error(e.code, e.message, true),
    };
    let mut states = Map::new();
    if let Some(input) = request.input {
        states.insert("input".into(), input.clone());
    }
    states.insert(
        "context".into(),
        request.context.cloned().unwrap_or_else(|| json!({})),
    );
    let states = Value::Object(states);
    let lookup = |name: &str| match request.bindings.get(name) {
        Some(v) => Some(Binding::of(v)),
        None if name == "states" => Some(Binding::of(&states)),
        None => None,
    };
    match expression.evaluate_seeded(request.input, &lookup, &request.limits, request.seed) {
        Ok(Evaluated::Value(v)) => EvalResult::Value(v),
        Ok(Evaluated::Undefined) => EvalResult::Undefined,
        // AWS: "… returned an unsupported result type." (docs/semantics/jsonata.md §11.5); no
        // JSONata code exists for it.
        Ok(Evaluated::Function) => EvalResult::error(
            "States.QueryEvaluationError",
            "The expression returned an unsupported result type (a function)",
            false,
        ),
        Err(e) => EvalResult::error(e.code, e.message, false),
    }
}

fn path_or_call(request: &Request<'_>) -> EvalResult {
    let empty = json!({});
    let input = request.input.unwrap_or(&empty);
    let mut execution = ExecutionContext::new(
        "us-east-1".into(),
        "123456789012".into(),
        "eval".into(),
        Some("eval".into()),
        request.seed,
        input,
        0,
    );
    execution.assign(request.bindings.clone());
    let context = Context::new(&execution, "Eval", 0);
    let scope = Scope {
        input,
        context: &context,
        given_context: request.context,
        field: "eval",
    };
    if request.language == Language::Jsonpath {
        let path = match PathRef::compile(request.expression) {
            Ok(p) => p,
            Err(e) => return EvalResult::error(SYNTAX_ERROR, e.message, true),
        };
        return match scope.select(&path) {
            Ok(v) => EvalResult::Value(v.into_owned()),
            Err(e) => EvalResult::error(e.error, e.cause, false),
        };
    }
    let call = match intrinsics::parse(request.expression, &mut |p| {
        PathRef::compile(p).map_err(|e| e.message)
    }) {
        Ok(c) => c,
        Err(e) => return EvalResult::error(SYNTAX_ERROR, e.message, true),
    };
    let mut env = Env {
        scope,
        rng: SplitMix64(request.seed),
    };
    match intrinsics::eval(&call, &mut env) {
        Ok(v) => EvalResult::Value(v),
        Err(e) => EvalResult::error(e.error, e.cause, false),
    }
}

struct Scope<'a> {
    input: &'a Value,
    context: &'a Context<'a>,
    given_context: Option<&'a Value>,
    field: &'a str,
}

impl Scope<'_> {
    /// A path as a `.$` field reads it: nothing selected is `States.Runtime`
    /// (docs/semantics/data-flow.md §2.5).
    fn select(&self, path: &PathRef) -> Result<Cow<'_, Value>, EvalError> {
        let selected = match (path, self.given_context) {
            (PathRef::Context { path, .. }, Some(given)) => path.select(given).ok(),
            _ => path.select(self.input, self.context).ok(),
        };
        selected.ok_or_else(|| EvalError {
            error: RUNTIME.to_string(),
            cause: not_found(path, self.field, self.input)
                .cause
                .unwrap_or_default(),
        })
    }
}

struct Env<'a> {
    scope: Scope<'a>,
    rng: SplitMix64,
}

impl intrinsics::Env<PathRef> for Env<'_> {
    fn resolve(&mut self, path: &PathRef) -> Result<Value, EvalError> {
        self.scope.select(path).map(Cow::into_owned)
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next()
    }
}

/// A small seeded generator for `States.UUID()` and unseeded `States.MathRandom` (the values
/// differ from an execution's, which draws from the run's stream).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(language: Language, expression: &str, input: Value, bindings: Value) -> EvalResult {
        let bindings = bindings.as_object().cloned().unwrap_or_default();
        evaluate(&Request {
            language,
            expression,
            input: Some(&input),
            context: None,
            bindings: &bindings,
            limits: Limits::default(),
            seed: 0,
        })
    }

    #[test]
    fn jsonata_values_undefined_errors() {
        use Language::Jsonata;
        let input = json!({"a": [1, 2, 3]});
        assert_eq!(
            run(
                Jsonata,
                "{% $sum($states.input.a) %}",
                input.clone(),
                json!({})
            ),
            EvalResult::Value(json!(6))
        );
        assert_eq!(
            run(Jsonata, "$count(a) + $x", input.clone(), json!({"x": 10})),
            EvalResult::Value(json!(13))
        );
        assert_eq!(
            run(Jsonata, "$states.context", input.clone(), json!({})),
            EvalResult::Value(json!({}))
        );
        assert_eq!(
            run(Jsonata, "$missing", input.clone(), json!({})),
            EvalResult::Undefined
        );
        let e = run(Jsonata, "'a' - 1", input.clone(), json!({}));
        assert!(
            matches!(&e, EvalResult::Error { code, syntax: false, .. } if code == "T2001"),
            "{e:?}"
        );
        let e = run(Jsonata, "(1 + ", input, json!({}));
        assert!(e.is_syntax_error(), "{e:?}");
    }

    #[test]
    fn jsonpath_and_intrinsics() {
        use Language::{Intrinsic, Jsonpath};
        let input = json!({"a": {"b": [1, 2]}});
        assert_eq!(
            run(Jsonpath, "$.a.b[1]", input.clone(), json!({})),
            EvalResult::Value(json!(2))
        );
        assert_eq!(
            run(Jsonpath, "$v.k", input.clone(), json!({"v": {"k": "x"}})),
            EvalResult::Value(json!("x"))
        );
        assert_eq!(
            run(Jsonpath, "$$.State.Name", input.clone(), json!({})),
            EvalResult::Value(json!("Eval"))
        );
        let e = run(Jsonpath, "$.nope", input.clone(), json!({}));
        assert!(
            matches!(&e, EvalResult::Error { code, .. } if code == "States.Runtime"),
            "{e:?}"
        );
        assert!(run(Jsonpath, "a.b", input.clone(), json!({})).is_syntax_error());
        assert_eq!(
            run(
                Intrinsic,
                "States.ArrayLength($.a.b)",
                input.clone(),
                json!({})
            ),
            EvalResult::Value(json!(2))
        );
        let e = run(
            Intrinsic,
            "States.ArrayPartition($.a.b, 0)",
            input.clone(),
            json!({}),
        );
        assert!(
            matches!(&e, EvalResult::Error { code, .. } if code == "States.IntrinsicFailure"),
            "{e:?}"
        );
        assert!(run(Intrinsic, "States.Nope(1)", input, json!({})).is_syntax_error());
    }

    #[test]
    fn a_given_context_object_is_read_by_double_dollar_paths() {
        let input = json!({});
        let context = json!({"Execution": {"Name": "given"}});
        let bindings = Map::new();
        let out = evaluate(&Request {
            language: Language::Jsonpath,
            expression: "$$.Execution.Name",
            input: Some(&input),
            context: Some(&context),
            bindings: &bindings,
            limits: Limits::default(),
            seed: 0,
        });
        assert_eq!(out, EvalResult::Value(json!("given")));
    }
}
