//! JSONata for the reference interpreter.
//!
//! AWS Step Functions evaluates JSONata 2.0.6 with every built-in function except `$eval`, plus
//! functions of its own (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>;
//! docs/semantics/jsonata.md §11.6). This crate hides the engine behind three types:
//!
//! - [`Expression`]: an expression compiled once (at definition load), cheap to clone, `Send + Sync`;
//! - [`Evaluated`]: what an evaluation produced — a JSON value, *undefined*, or a function (which
//!   a Step Functions field cannot hold);
//! - [`Error`]: a JSONata error with its code as jsonata-js names it (`T2001`, `D3001`, `S0201`, …).
//!
//! JSONata's own values (undefined, sequences, functions) stay inside: inputs and results are
//! `serde_json::Value`. Variables are read through a lookup function, called once per variable
//! the expression mentions.
#![forbid(unsafe_code)]

mod convert;
pub mod functions;

pub use convert::Binding;

use std::fmt;
use std::sync::Arc;

use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::Value;

/// A compiled JSONata expression.
#[derive(Clone)]
pub struct Expression {
    text: Arc<str>,
    ast: Arc<AstNode>,
    /// The variables (`$name`) the expression mentions, in first-mention order.
    variables: Arc<[String]>,
    /// The members of `$states` it reads, when it only ever writes `$states.<name>`.
    states_members: Option<Arc<[String]>>,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.text).finish()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// What an evaluation produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluated {
    Value(Value),
    /// JSONata's *undefined*: nothing matched (`$.missing`, an unassigned variable).
    Undefined,
    /// A function value (`function($x){$x}`, `$sum`): not representable in JSON.
    Function,
}

/// Resource limits of one evaluation (public API: callers may lower or raise them).
///
/// AWS stops an expression that runs longer than one second, nests too deeply or uses too much
/// memory, with the messages `Expression evaluation timeout`, `Stack overflow error` and
/// `Expression evaluation memory limit exceeded`
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>;
/// docs/semantics/jsonata.md §11.5). AWS publishes no depth or size figures; the defaults are:
///
/// | limit | default | breached |
/// |---|---|---|
/// | `timeout_ms` | 1000 (AWS's one second) | `U1001` "Expression evaluation timeout: …" |
/// | `max_depth` | 1000 evaluation levels (about 300 nested non-tail calls) | `U1001` "Stack overflow error: …" |
/// | `max_sequence_length` | 10,000,000 elements in one query-result sequence | `U1001` "Expression evaluation memory limit exceeded" |
///
/// `U1001` is the code the JSONata test suite expects for the first two; the code of the third
/// is UNVERIFIED. The time limit is checked between evaluation steps, so one built-in call over a
/// huge input finishes before it is noticed. `$range` has its own cap
/// ([`functions::MAX_RANGE_ELEMENTS`]); the `[a..b]` operator stops at 10,000,000 (`D2014`).
/// The native stack cannot overflow: the engine grows it on the heap as evaluation nests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time one evaluation may take, in milliseconds.
    pub timeout_ms: u64,
    /// The deepest evaluation stack (nested calls and sub-expressions).
    pub max_depth: usize,
    /// The longest sequence an evaluation may build.
    pub max_sequence_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_ms: 1000,
            max_depth: 1000,
            max_sequence_length: 10_000_000,
        }
    }
}

/// A JSONata error: `code` as jsonata-js names it, `message` its text without the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: String,
    pub message: String,
    /// The character offset in the expression, when the engine reports one.
    pub position: Option<usize>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Splits `…XNNNN: message…` into a code and the message after it.
fn split_code(text: &str) -> Option<(String, String)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(4)).find_map(|i| {
        let code = &bytes[i..i + 5];
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if starts_word
            && code[0].is_ascii_uppercase()
            && code[1..].iter().all(u8::is_ascii_digit)
            && bytes.get(i + 5).is_none_or(|b| !b.is_ascii_alphanumeric())
        {
            let rest = text[i + 5..].trim_start_matches(':').trim_start();
            Some((text[i..i + 5].to_string(), rest.to_string()))
        } else {
            None
        }
    })
}

fn from_evaluator(e: &EvaluatorError) -> Error {
    let (code, message) = match e.code() {
        Some(c) => (c.to_string(), e.message().to_string()),
        None => split_code(&e.to_string()).unwrap_or_else(|| ("D0000".into(), e.to_string())),
    };
    let message = match message.strip_prefix(&format!("{code}: ")) {
        Some(m) => m.to_string(),
        None => message,
    };
    // The engine's own limit errors, reported with the code the JSONata suite expects and the
    // words AWS documents (see [`Limits`]).
    let (code, message) = match code.as_str() {
        "D1011" => (
            "U1001".to_string(),
            "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.".to_string(),
        ),
        "D1012" => (
            "U1001".to_string(),
            "Expression evaluation timeout: Check for infinite loop".to_string(),
        ),
        "D2015" => (
            "U1001".to_string(),
            "Expression evaluation memory limit exceeded".to_string(),
        ),
        _ => (code, message),
    };
    Error {
        code,
        message,
        position: None,
    }
}

/// A parser error: its code (searched for in the text: some messages put it after a prefix, as
/// in `Invalid syntax: S0201: …`), or S0106 for an unterminated comment, which the engine reports
/// without one.
fn from_parser(shown: String) -> Error {
    let (code, message) = split_code(&shown).unwrap_or_else(|| {
        if shown.to_ascii_lowercase().contains("comment") {
            ("S0106".into(), "Comment has no closing tag".into())
        } else {
            ("S0201".into(), shown)
        }
    });
    Error {
        code,
        message,
        position: None,
    }
}

impl Expression {
    /// Compiles an expression (the text between `{%` and `%}`).
    pub fn compile(text: &str) -> Result<Expression, Error> {
        let ast = jsonata_core::parser::parse(text).map_err(|e| from_parser(e.to_string()))?;
        // The tree as JSON, for the checks and rewrites the engine's AST has no visitor for.
        let tree = serde_json::to_value(&ast).unwrap_or(Value::Null);
        reject_newer_operators(&tree)?;
        let mentions = mentions(text);
        let ast = if mentions.variables.iter().any(|v| v == "pad") {
            functions::bound_pad_widths(tree).unwrap_or(ast)
        } else {
            ast
        };
        Ok(Expression {
            text: text.into(),
            variables: mentions.variables.into(),
            states_members: mentions.states_members.map(Into::into),
            ast: Arc::new(ast),
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The variables the expression may read (`$states`, `$x`, …).
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// The members of `$states` the expression reads (`input`, `result`, …) when every mention
    /// of `$states` is `$states.<name>`; `None` when it uses `$states` otherwise
    /// (`$keys($states)`), so a caller may bind a `$states` with only these members.
    pub fn states_members(&self) -> Option<&[String]> {
        self.states_members.as_deref()
    }

    /// Whether the expression mentions `$random` or `$uuid`, whose results (unseeded) depend on
    /// the evaluation's seed.
    pub fn uses_randomness(&self) -> bool {
        self.variables
            .iter()
            .any(|name| name == "random" || name == "uuid")
    }

    /// Evaluates the expression. `input` is the context value (`$`; `None` for undefined);
    /// `lookup` gives the value of a variable the expression mentions (`None`: not bound).
    /// Unseeded `$random()` and `$uuid()` draw from a generator seeded with 0
    /// ([`Expression::evaluate_seeded`]).
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        lookup: &dyn Fn(&str) -> Option<Binding>,
        limits: &Limits,
    ) -> Result<Evaluated, Error> {
        self.evaluate_seeded(input, lookup, limits, 0)
    }

    /// [`Expression::evaluate`] with unseeded `$random()` and `$uuid()` drawing, in call order,
    /// from a ChaCha8 generator seeded with `seed`: the same seed gives the same results.
    pub fn evaluate_seeded(
        &self,
        input: Option<&Value>,
        lookup: &dyn Fn(&str) -> Option<Binding>,
        limits: &Limits,
        seed: u64,
    ) -> Result<Evaluated, Error> {
        let mut context = Context::new();
        if self.variables.iter().any(|v| v == "eval") {
            functions::hide_eval(&mut context);
        }
        for name in self.variables.iter() {
            if let Some(Binding(v)) = lookup(name) {
                context.bind(name.clone(), v);
            }
        }
        let options = EvaluatorOptions {
            timeout_ms: Some(limits.timeout_ms),
            max_stack_depth: Some(limits.max_depth),
            max_sequence_length: Some(limits.max_sequence_length),
            ..Default::default()
        };
        let mut evaluator = Evaluator::with_options(context, options);
        functions::install(&mut evaluator, &self.variables, seed)
            .map_err(|e| from_evaluator(&e))?;
        let data = input.map_or(JValue::Undefined, convert::to_engine);
        let result = evaluator
            .evaluate(&self.ast, &data)
            .map_err(|e| from_evaluator(&e))?;
        Ok(if result.is_undefined() {
            Evaluated::Undefined
        } else if result.is_function() {
            Evaluated::Function
        } else {
            Evaluated::Value(convert::from_engine(&result))
        })
    }
}

/// AWS implements JSONata 2.0.6 ("All built-in JSONata functions and operators in the 2.0.6
/// specification are supported":
/// <https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>). The engine
/// also parses `??` and `?:`, which came later (JSONata 2.1); JSONata 2.0.6 refuses them as a
/// `?` or `:` in unary position (S0211), and so does this function.
fn reject_newer_operators(tree: &Value) -> Result<(), Error> {
    fn walk(v: &Value) -> Option<&'static str> {
        match v {
            Value::Object(m) => {
                if let Some(op) = m.get("Binary").and_then(|b| b.get("op")) {
                    match op.as_str() {
                        Some("Coalesce") => return Some("?"),
                        Some("Default") => return Some(":"),
                        _ => {}
                    }
                }
                m.values().find_map(walk)
            }
            Value::Array(items) => items.iter().find_map(walk),
            _ => None,
        }
    }
    match walk(tree) {
        Some(symbol) => Err(Error {
            code: "S0211".into(),
            message: format!("The symbol \"{symbol}\" cannot be used as a unary operator"),
            position: None,
        }),
        None => Ok(()),
    }
}

/// What the text of an expression names outside string literals.
struct Mentions {
    /// The `$name` tokens: a superset of the variables it reads (binding one it does not read
    /// costs a little time and changes nothing).
    variables: Vec<String>,
    /// The `<name>` of every `$states.<name>`; `None` if `$states` also stands alone.
    states_members: Option<Vec<String>>,
}

fn mentions(text: &str) -> Mentions {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut variables: Vec<String> = Vec::new();
    let mut members: Option<Vec<String>> = Some(Vec::new());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if c == '$' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && ident(chars[end]) {
                    end += 1;
                }
                if end > start {
                    let name: String = chars[start..end].iter().collect();
                    if name == "states" {
                        let member_start = end + 1;
                        let mut member_end = member_start;
                        if chars.get(end) == Some(&'.') {
                            while member_end < chars.len() && ident(chars[member_end]) {
                                member_end += 1;
                            }
                        }
                        match (&mut members, member_end > member_start) {
                            (Some(ms), true) => {
                                let m: String = chars[member_start..member_end].iter().collect();
                                if !ms.contains(&m) {
                                    ms.push(m);
                                }
                            }
                            _ => members = None,
                        }
                    }
                    if !variables.contains(&name) {
                        variables.push(name);
                    }
                }
                i = end.max(i + 1);
                continue;
            }
            None => {}
        }
        i += 1;
    }
    Mentions {
        variables,
        states_members: members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, input: Value) -> Result<Evaluated, Error> {
        let states = json!({"input": input});
        Expression::compile(text)?.evaluate(
            Some(&input),
            &|name| (name == "states").then(|| Binding::of(&states)),
            &Limits::default(),
        )
    }

    #[test]
    fn values_undefined_functions_and_errors() {
        assert_eq!(
            eval("$states.input.a & 'x'", json!({"a": "b"})),
            Ok(Evaluated::Value(json!("bx")))
        );
        assert_eq!(eval("1 + 2", json!(null)), Ok(Evaluated::Value(json!(3))));
        assert_eq!(eval("$nothing", json!({})), Ok(Evaluated::Undefined));
        assert_eq!(eval("function($x){$x}", json!({})), Ok(Evaluated::Function));
        let e = eval("'a' + 1", json!({})).unwrap_err();
        assert_eq!(e.code, "T2001");
        let e = Expression::compile("1 +").unwrap_err();
        assert!(e.code.starts_with('S'), "{e}");
    }

    #[test]
    fn variables_outside_strings() {
        assert_eq!(
            mentions("$a + $b.c & '$d' & $a & $sum($e)").variables,
            vec!["a", "b", "sum", "e"]
        );
    }

    #[test]
    fn states_members_outside_strings() {
        assert_eq!(
            mentions("$merge([$states.input, {'r': $states.result}]) & '$states'").states_members,
            Some(vec!["input".to_string(), "result".to_string()])
        );
        assert_eq!(mentions("$keys($states)").states_members, None);
        assert_eq!(mentions("$statesX + 1").states_members, Some(vec![]));
    }
}

#[cfg(test)]
mod aws_function_tests {
    use super::*;
    use serde_json::json;

    fn run(text: &str) -> Result<Evaluated, Error> {
        Expression::compile(text)?.evaluate(Some(&json!({})), &|_| None, &Limits::default())
    }

    fn value(text: &str) -> Value {
        match run(text) {
            Ok(Evaluated::Value(v)) => v,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn code(text: &str) -> String {
        match run(text) {
            Err(e) => e.code,
            other => panic!("{text}: expected an error, got {other:?}"),
        }
    }

    #[test]
    fn partition() {
        // The AWS page's example.
        assert_eq!(
            value("$partition([1,2,3,4,5,6,7,8,9], 3)"),
            json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        );
        assert_eq!(
            value("$partition([1,2,3,4,5], 2)"),
            json!([[1, 2], [3, 4], [5]])
        );
        assert_eq!(value("$partition([], 2)"), json!([]));
        assert_eq!(value("$partition([1,2,3], 2.9)"), json!([[1, 2], [3]]));
        assert_eq!(run("$partition($nothing, 2)"), Ok(Evaluated::Undefined));
        assert_eq!(code("$partition([1], 0)"), "T0410");
        assert_eq!(code("$partition('ab', 1)"), "T0410");
        assert_eq!(code("$partition([1])"), "T0410");
    }

    #[test]
    fn range() {
        // The AWS page's example: the end is included.
        assert_eq!(value("$range(0, 10, 2)"), json!([0, 2, 4, 6, 8, 10]));
        assert_eq!(value("$range(5, 1, -2)"), json!([5, 3, 1]));
        assert_eq!(value("$range(1, 3)"), json!([1, 2, 3]));
        // One element collapses to the value (docs/semantics/jsonata.md §11.5).
        assert_eq!(value("$range(1, 9, 9)"), json!(1));
        assert_eq!(run("$range(5, 1, 1)"), Ok(Evaluated::Undefined));
        assert_eq!(code("$range(1, 5, 0)"), "T0410");
        assert_eq!(code("$range('a', 5)"), "T0410");
        assert_eq!(
            value("$count($range(1, 1000))"),
            json!(functions::MAX_RANGE_ELEMENTS)
        );
    }

    #[test]
    fn hash() {
        let cases = [
            ("MD5", "900150983cd24fb0d6963f7d28e17f72"),
            ("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                "SHA-256",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ];
        for (algorithm, digest) in cases {
            assert_eq!(
                value(&format!("$hash('abc', '{algorithm}')")),
                json!(digest)
            );
        }
        assert_eq!(
            value("$length($hash('abc', 'SHA-384')) & ' ' & $length($hash('abc', 'SHA-512'))"),
            json!("96 128")
        );
        assert_eq!(code("$hash('abc', 'sha-256')"), "T0410");
        assert_eq!(code("$hash(1, 'MD5')"), "T0410");
        assert_eq!(run("$hash($nothing, 'MD5')"), Ok(Evaluated::Undefined));
    }

    #[test]
    fn random_and_uuid() {
        let seeded = value("$random(7)").as_f64().unwrap();
        assert!((0.0..1.0).contains(&seeded));
        assert_eq!(value("$random(7)"), value("$random(7)"));
        assert_eq!(value("$random(7.8)"), value("$random(7)"));
        assert_ne!(value("$random(7)"), value("$random(8)"));
        assert_eq!(code("$random('x')"), "T0410");
        // Unseeded: reproducible for a given evaluation seed, different across seeds and calls.
        let e = Expression::compile("[$random(), $random(), $uuid()]").unwrap();
        assert!(e.uses_randomness());
        assert!(!Expression::compile("$randomly + $uuidx")
            .unwrap()
            .uses_randomness());
        let at = |seed| match e.evaluate_seeded(None, &|_| None, &Limits::default(), seed) {
            Ok(Evaluated::Value(v)) => v,
            other => panic!("{other:?}"),
        };
        assert_eq!(at(1), at(1));
        assert_ne!(at(1), at(2));
        assert_eq!(
            at(0),
            e.evaluate(None, &|_| None, &Limits::default())
                .map(|r| match r {
                    Evaluated::Value(v) => v,
                    _ => Value::Null,
                })
                .unwrap()
        );
        let v = at(3);
        assert_ne!(v[0], v[1]);
        let id = v[2].as_str().unwrap();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(&id[14..15], "4", "{id}");
        assert!("89ab".contains(&id[19..20]), "{id}");
        // A callback of a higher-order function gets (value, index, array): extras are ignored.
        assert_eq!(value("$count($map([1, 2, 3], $uuid))"), json!(3));
    }

    #[test]
    fn parse_and_no_eval() {
        assert_eq!(
            value("$parse('{\"a\": [1, 2.5, null]}')"),
            json!({"a": [1, 2.5, null]})
        );
        assert_eq!(value("$parse('3')"), json!(3));
        assert_eq!(code("$parse('{')"), "D3120");
        assert_eq!(code("$parse(3)"), "T0410");
        // `$eval` is not available: calling it fails like calling any undefined function.
        assert_eq!(code("$eval('1 + 1')"), "T1006");
        assert_eq!(run("$eval"), Ok(Evaluated::Undefined));
        assert_eq!(code("$nope(1)"), "T1006");
    }

    #[test]
    fn operators_newer_than_2_0_6_are_refused() {
        for (text, symbol) in [("a ?? 1", "?"), ("a ?: 1", ":"), ("[1, (x.y ?? 2)]", "?")] {
            let e = Expression::compile(text).unwrap_err();
            assert_eq!(e.code, "S0211", "{text}");
            assert!(e.message.contains(symbol), "{text}: {e}");
        }
        assert_eq!(value("true ? 1 : 2"), json!(1));
        assert_eq!(value("'a ?? b' & \"?:\""), json!("a ?? b?:"));
    }

    #[test]
    fn limits_stop_runaways() {
        // A range too large is refused before anything is allocated.
        assert_eq!(code("$range(1, 100000000)"), "D2014");
        assert_eq!(code("$range(-9007199254740991, 9007199254740991)"), "D2014");
        assert_eq!(code("[1..100000000]"), "D2014");
        // A padding too wide is refused before it is built, wherever the width comes from; a
        // width within the limit pads as before, the context inserted as the first argument.
        assert_eq!(code("$pad('', 27000/0, 'x')"), "U1001");
        assert_eq!(code("$pad('a', -1e12)"), "U1001");
        assert_eq!(code("$lowercase('a').$pad(1e12)"), "U1001");
        assert_eq!(value("$pad('a', -3, '*')"), json!("**a"));
        assert_eq!(value("$lowercase('AB').$pad(4)"), json!("ab  "));
        assert_eq!(
            value("$pad('a', 2, 'xy') & $pad(undefined, 5)"),
            json!("ax")
        );
        // Deep recursion: the depth limit, not a native stack overflow.
        assert_eq!(
            code("( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000) )"),
            "U1001"
        );
        // An endless tail call: the time limit.
        let started = std::time::Instant::now();
        let limits = Limits {
            timeout_ms: 200,
            ..Limits::default()
        };
        let e = Expression::compile("( $f := function(){ $f() }; $f() )").unwrap();
        let err = e.evaluate(None, &|_| None, &limits).unwrap_err();
        assert_eq!(err.code, "U1001");
        assert!(
            err.message.starts_with("Expression evaluation timeout"),
            "{err}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // A sequence longer than allowed.
        let limits = Limits {
            max_sequence_length: 100,
            ..Limits::default()
        };
        let e = Expression::compile("[1..1000].($ * 2)").unwrap();
        let err = e.evaluate(None, &|_| None, &limits).unwrap_err();
        assert_eq!(err.code, "U1001", "{err}");
        // An unterminated comment has a code.
        assert_eq!(Expression::compile("1 /* open").unwrap_err().code, "S0106");
    }
}
