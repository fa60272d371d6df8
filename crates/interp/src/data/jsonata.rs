//! JSONata data flow (ASL spec "Query Languages", "JSONata Concepts"; docs/semantics/jsonata.md §11).
//!
//! A field that takes JSONata holds any JSON value; a string in it (at any depth) is an
//! expression exactly when it begins with `{%` and ends with `%}` (§11.2). [`Payload`] is such a
//! field compiled once, at definition load: literals stay literals, expressions are compiled by
//! the `aslcheck-jsonata` crate. Evaluating it reads `$states` (§11.3) and the workflow variables
//! through a [`Scope`], and turns every problem into `States.QueryEvaluationError` with AWS's
//! cause texts (§11.5).

use std::cell::OnceCell;

use rand::RngCore;
use serde_json::{Map, Value};

use aslcheck_jsonata::{Binding, Evaluated, Expression, Limits};

use super::context::{Context, ExecutionContext};
use super::path::Path;
use super::template::compact;
use super::timestamp::Millis;
use crate::errors::{Failure, Origin, QUERY_EVALUATION_ERROR};

/// A compiled JSONata field.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Literal(Value),
    Expr(Box<Expression>),
    /// An expression that is only a variable and member names (`$states.input.a.b`, `$x.y`):
    /// read directly while the path goes through objects, by the engine otherwise.
    Path(Box<SimplePath>),
    Array(Vec<Payload>),
    /// An object template: its members' keys in `skeleton` (values `null`), their payloads in
    /// the same order. Evaluation clones the skeleton and fills it, so keys are not hashed again.
    Object {
        skeleton: Map<String, Value>,
        fields: Vec<Payload>,
    },
}

/// `$root.f1.f2…` with plain names, and the compiled expression for what the fast read declines.
#[derive(Debug, Clone, PartialEq)]
pub struct SimplePath {
    root: String,
    fields: Vec<String>,
    /// For `$states.context.…`: the rest as a context-object path (read without building it).
    context_path: Option<Path>,
    expr: Expression,
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl SimplePath {
    fn of(text: &str, expr: &Expression) -> Option<SimplePath> {
        let mut parts = text.strip_prefix('$')?.split('.');
        let root = parts.next().filter(|r| is_name(r))?.to_string();
        let fields: Vec<String> = parts.map(str::to_string).collect();
        if !fields.iter().all(|f| is_name(f)) {
            return None;
        }
        let context_path = match (root.as_str(), fields.split_first()) {
            ("states", Some((first, rest))) if first == "context" && !rest.is_empty() => {
                Some(Path::parse(&format!("$.{}", rest.join("."))).ok()?)
            }
            _ => None,
        };
        Some(SimplePath {
            root,
            fields,
            context_path,
            expr: expr.clone(),
        })
    }

    /// The value when every step goes through an object: JSONata's sequence rules flatten
    /// arrays met *between* steps, while an array the last step reaches comes back as it is
    /// (JSONata 2.0 `evaluateStep`: a last step with one array result returns that array).
    /// `Some(None)` for a member that is absent (undefined); `None` when the engine must decide.
    fn read<'v>(&self, root: Option<&'v Value>, fields: &[String]) -> Option<Option<&'v Value>> {
        let mut current = match root {
            Some(v) => v,
            None => return Some(None),
        };
        for f in fields {
            match current {
                Value::Object(m) => match m.get(f) {
                    Some(v) => current = v,
                    None => return Some(None),
                },
                Value::Array(_) => return None,
                _ => return Some(None),
            }
        }
        same_in_jsonata(current).then_some(Some(current))
    }
}

/// Whether a value comes out of JSONata unchanged: JSONata numbers are doubles, so `1.0`, `-0.0`
/// and integers beyond 2^53 come back in another form, and those reads go to the engine.
fn same_in_jsonata(v: &Value) -> bool {
    const EXACT: u64 = 1 << 53;
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.unsigned_abs() <= EXACT)
            .or_else(|| n.as_u64().map(|u| u <= EXACT))
            .unwrap_or(false),
        Value::Array(items) => items.iter().all(same_in_jsonata),
        Value::Object(m) => m.values().all(same_in_jsonata),
        _ => true,
    }
}

/// A malformed expression: where (a JSON Pointer relative to the field) and the JSONata error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    pub pointer: String,
    pub message: String,
}

/// What lies between the delimiters of an expression string (it starts with `{%` and ends with
/// `%}`, nothing outside them: §11.2), or `None` for a literal string.
pub fn delimited(s: &str) -> Option<&str> {
    (s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")).then(|| &s[2..s.len() - 2])
}

/// The text of an expression string without its delimiters and the spaces inside them (as AWS
/// quotes it in causes), or `None` for a literal string.
pub fn expression_text(s: &str) -> Option<&str> {
    delimited(s).map(str::trim)
}

fn has_expression(v: &Value) -> bool {
    match v {
        Value::String(s) => expression_text(s).is_some(),
        Value::Array(a) => a.iter().any(has_expression),
        Value::Object(o) => o.values().any(has_expression),
        _ => false,
    }
}

impl Payload {
    /// Compiles a field value; a value without expressions stays one literal.
    pub fn compile(v: &Value) -> Result<Payload, PayloadError> {
        if !has_expression(v) {
            return Ok(Payload::Literal(v.clone()));
        }
        Self::compile_at(v, "")
    }

    fn compile_at(v: &Value, pointer: &str) -> Result<Payload, PayloadError> {
        Ok(match v {
            Value::String(s) => match expression_text(s) {
                Some(text) => {
                    let expr = Expression::compile(text).map_err(|e| PayloadError {
                        pointer: pointer.to_string(),
                        message: format!("The JSONata expression '{text}' is not valid: {e}"),
                    })?;
                    match SimplePath::of(text, &expr) {
                        Some(path) => Payload::Path(Box::new(path)),
                        None => Payload::Expr(Box::new(expr)),
                    }
                }
                None => Payload::Literal(v.clone()),
            },
            Value::Array(items) if has_expression(v) => Payload::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| Self::compile_at(item, &format!("{pointer}/{i}")))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(members) if has_expression(v) => Payload::Object {
                skeleton: members.keys().map(|k| (k.clone(), Value::Null)).collect(),
                fields: members
                    .iter()
                    .map(|(k, item)| {
                        let p = format!("{pointer}/{}", crate::asl::model::pointer_escape(k));
                        Self::compile_at(item, &p)
                    })
                    .collect::<Result<_, _>>()?,
            },
            other => Payload::Literal(other.clone()),
        })
    }

    /// Evaluates the field named `field` (its location in AWS's messages: `Output`,
    /// `Arguments/FunctionName`, `Choices[1]/Condition`, …).
    pub fn eval(&self, field: &str, scope: &mut Scope<'_>) -> Result<Value, Failure> {
        self.eval_at(&Loc::Field(field), scope)
    }

    fn eval_at(&self, loc: &Loc<'_>, scope: &mut Scope<'_>) -> Result<Value, Failure> {
        match self {
            Payload::Literal(v) => Ok(v.clone()),
            Payload::Expr(e) => scope.evaluate(e, loc),
            Payload::Path(p) => match scope.read(p) {
                Some(v) => Ok(v),
                // Undefined, a step through an array, a number JSONata rewrites: the engine
                // gives the exact result (or the exact error).
                None => scope.evaluate(&p.expr, loc),
            },
            Payload::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| item.eval_at(&Loc::Index(loc, i), scope))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Payload::Object { skeleton, fields } => {
                let mut out = skeleton.clone();
                for ((k, slot), item) in out.iter_mut().zip(fields) {
                    *slot = item.eval_at(&Loc::Key(loc, k), scope)?;
                }
                Ok(Value::Object(out))
            }
        }
    }
}

/// The state-specific parts of the context object, owned so that `$states` does not borrow the
/// runner; the context object is built from them (and the execution) only when read.
#[derive(Debug, Clone, Default)]
pub struct Local {
    pub state_name: String,
    pub entered_at: Millis,
    pub retry_count: Option<u32>,
    pub task_token: Option<String>,
    pub map_item: Option<(usize, Value)>,
}

impl Local {
    /// The parts every state has; `retry_count` for the states that support Retry.
    pub fn new(state_name: &str, entered_at: Millis, retry_count: Option<u32>) -> Local {
        Local {
            state_name: state_name.to_string(),
            entered_at,
            retry_count,
            ..Local::default()
        }
    }

    fn context<'a>(&'a self, execution: &'a ExecutionContext<'a>) -> Context<'a> {
        let mut ctx = Context::new(execution, &self.state_name, self.entered_at);
        if let Some(n) = self.retry_count {
            ctx = ctx.with_retry_count(n);
        }
        if let Some(t) = &self.task_token {
            ctx = ctx.with_task_token(t);
        }
        if let Some((i, v)) = &self.map_item {
            ctx = ctx.with_map_item(*i, v);
        }
        ctx
    }
}

/// `$states` of one field (§11.3): `input`, `context`, and `result` or `errorOutput` where
/// visible. The JSON object is built only when an expression needs all of it.
pub struct States {
    pub input: Value,
    pub local: Local,
    pub extra: Option<(&'static str, Value)>,
    whole: OnceCell<Value>,
}

impl States {
    pub fn new(input: Value, local: Local, extra: Option<(&'static str, Value)>) -> States {
        States {
            input,
            local,
            extra,
            whole: OnceCell::new(),
        }
    }

    /// Changes the Map item (ItemSelector is evaluated once per item with the same `$states`).
    pub fn set_map_item(&mut self, index: usize, value: Value) {
        self.local.map_item = Some((index, value));
        self.whole = OnceCell::new();
    }

    /// `$states` with only the members an expression reads.
    fn partial(&self, names: &[String], execution: &ExecutionContext<'_>) -> Binding {
        Binding::object(names.iter().filter_map(|name| {
            let v = match name.as_str() {
                "input" => Binding::of(&self.input),
                "context" => Binding::of(self.local.context(execution).value()),
                other => match &self.extra {
                    Some((k, v)) if *k == other => Binding::of(v),
                    _ => return None,
                },
            };
            Some((name.as_str(), v))
        }))
    }

    fn whole(&self, execution: &ExecutionContext<'_>) -> &Value {
        self.whole.get_or_init(|| {
            let mut m = Map::with_capacity(3);
            m.insert("input".into(), self.input.clone());
            m.insert(
                "context".into(),
                self.local.context(execution).value().clone(),
            );
            if let Some((k, v)) = &self.extra {
                m.insert((*k).into(), v.clone());
            }
            Value::Object(m)
        })
    }
}

/// Where a value sits in a field, as AWS writes it in causes (`Output/values[0]`); formatted only
/// when an error needs it.
enum Loc<'a> {
    Field(&'a str),
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl std::fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loc::Field(name) => f.write_str(name),
            Loc::Key(parent, k) => write!(f, "{parent}/{k}"),
            Loc::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// What an evaluation may read: `$states` and the workflow variables.
pub struct Scope<'a> {
    pub states: &'a States,
    pub execution: &'a ExecutionContext<'a>,
    pub rng: &'a mut dyn RngCore,
}

impl Scope<'_> {
    /// A plain path read without the engine, when it gives what the engine would give.
    fn read(&self, p: &SimplePath) -> Option<Value> {
        if p.root != "states" {
            let v = p.read(self.execution.variable(&p.root), &p.fields)?;
            return Some(v?.clone());
        }
        let (first, rest) = p.fields.split_first()?;
        match first.as_str() {
            "input" => Some(p.read(Some(&self.states.input), rest)??.clone()),
            "context" => {
                let path = p.context_path.as_ref()?;
                let ctx = self.states.local.context(self.execution);
                let v = ctx.select(path).ok()?;
                (!v.is_array() && same_in_jsonata(&v)).then(|| v.into_owned())
            }
            name => match &self.states.extra {
                Some((k, v)) if *k == name => Some(p.read(Some(v), rest)??.clone()),
                _ => None,
            },
        }
    }

    fn evaluate(&mut self, e: &Expression, loc: &Loc<'_>) -> Result<Value, Failure> {
        let states = self.states;
        let members = e.states_members();
        let execution = self.execution;
        let lookup = |name: &str| -> Option<Binding> {
            if name == "states" {
                Some(match members {
                    Some(names) => states.partial(names, execution),
                    None => Binding::of(states.whole(execution)),
                })
            } else {
                execution.variable(name).map(Binding::of)
            }
        };
        // `$random()` and `$uuid()` draw from the run's seeded stream, and only they do.
        let seed = if e.uses_randomness() {
            self.rng.next_u64()
        } else {
            0
        };
        let shown = e.text();
        let result = e.evaluate_seeded(None, &lookup, &Limits::default(), seed);
        let field = match result {
            Ok(Evaluated::Value(v)) => return Ok(v),
            _ => loc.to_string(),
        };
        match result {
            Ok(Evaluated::Value(v)) => Ok(v),
            Ok(Evaluated::Undefined) => Err(query_error(
                Some(&field),
                format!(
                "The JSONata expression '{shown}' specified for the field '{field}' returned nothing (undefined)."
            ))),
            Ok(Evaluated::Function) => Err(query_error(
                Some(&field),
                format!(
                "The JSONata expression '{shown}' specified for the field '{field}' returned an unsupported result type."
            ))),
            Err(err) => Err(query_error(
                Some(&field),
                format!(
                "The JSONata expression '{shown}' specified for the field '{field}' threw an error during evaluation. {err}"
            ))),
        }
    }
}

/// `States.QueryEvaluationError` of the field at `location` (when one is known): catchable and
/// retriable, with the state prefix in its cause.
pub fn query_error(location: Option<&str>, detail: String) -> Failure {
    Failure {
        error: Some(QUERY_EVALUATION_ERROR.to_string()),
        cause: Some(detail),
        origin: Origin::Query {
            reported: false,
            location: location.map(str::to_string),
        },
        site: None,
    }
}

/// The JSON type name AWS uses in "Expected 'array', but was 'number'".
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The failure for a result of the wrong type (§11.5).
pub fn unexpected_type(p: &Payload, field: &str, expected: &str, got: &Value) -> Failure {
    let shown = match p {
        Payload::Expr(e) => e.text().to_string(),
        Payload::Path(s) => s.expr.text().to_string(),
        _ => compact(got),
    };
    query_error(Some(field), format!(
        "The JSONata expression '{shown}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {}",
        type_name(got),
        compact(got)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_whole_delimited_strings_are_expressions() {
        assert_eq!(expression_text("{% 1 %}"), Some("1"));
        assert_eq!(expression_text("{%%}"), Some(""));
        assert_eq!(expression_text(" {% 1 %}"), None);
        assert_eq!(expression_text("{% 1 %} "), None);
        assert_eq!(expression_text("$.a"), None);
        let p = Payload::compile(&json!({"a": "$x", "b": [1, "{% 2 %}"]})).unwrap();
        assert!(matches!(p, Payload::Object { .. }));
        let path = Payload::compile(&json!("{% $states.input.a.b %}")).unwrap();
        assert!(matches!(path, Payload::Path(_)));
        let not_path = Payload::compile(&json!("{% $states.input.a[0] %}")).unwrap();
        assert!(matches!(not_path, Payload::Expr(_)));
        let lit = Payload::compile(&json!({"a": "$x"})).unwrap();
        assert_eq!(lit, Payload::Literal(json!({"a": "$x"})));
        let bad = Payload::compile(&json!({"a": {"b": "{% 1 + %}"}})).unwrap_err();
        assert_eq!(bad.pointer, "/a/b");
    }

    /// The direct read of a plain path gives exactly what the engine gives, or declines.
    #[test]
    fn plain_path_reads_agree_with_the_engine() {
        let inputs = [
            json!({"a": {"b": [1, 2]}}),
            json!({"a": {"b": [[1], [2, [3]]]}}),
            json!({"a": {"b": []}}),
            json!({"a": {"b": [[]]}}),
            json!({"a": {"b": [{"c": [1]}]}}),
            json!({"a": {"b": [1.5, -0.0, 1.0]}}),
            json!({"a": {"b": [9007199254740993_u64]}}),
            json!({"a": [{"b": 1}, {"b": [2]}]}),
            json!({"a": {"b": {"c": null}}}),
            json!({"a": {"b": "s"}}),
            json!({"a": 1}),
            json!([1, 2]),
        ];
        let execution_input = json!({});
        let execution = ExecutionContext::new(
            "us-east-1".into(),
            "123456789012".into(),
            "m".into(),
            None,
            0,
            &execution_input,
            0,
        );
        for text in [
            "$states.input.a.b",
            "$states.input.a",
            "$states.input.a.b.c",
        ] {
            let expr = Expression::compile(text).unwrap();
            let path = SimplePath::of(text, &expr).expect("a plain path");
            for input in &inputs {
                let states = States::new(input.clone(), Local::new("S", 0, None), None);
                let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
                let mut scope = Scope {
                    states: &states,
                    execution: &execution,
                    rng: &mut rng,
                };
                let Some(direct) = scope.read(&path) else {
                    continue;
                };
                let engine = scope.evaluate(&expr, &Loc::Field("Output"));
                assert_eq!(Some(direct), engine.ok(), "{text} on {input}");
            }
        }
    }
}
