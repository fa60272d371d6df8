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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time one evaluation may take. AWS stops an expression after one second
    /// (docs/semantics/jsonata.md §11.5).
    pub timeout_ms: u64,
    /// The deepest evaluation stack (nested calls and sub-expressions).
    pub max_depth: usize,
    /// The longest sequence an evaluation may build (`$range(1, 1e9)` stops here).
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
    Error {
        code,
        message,
        position: None,
    }
}

impl Expression {
    /// Compiles an expression (the text between `{%` and `%}`).
    pub fn compile(text: &str) -> Result<Expression, Error> {
        let ast = jsonata_core::parser::parse(text).map_err(|e| {
            let shown = e.to_string();
            let (code, message) = split_code(&shown).unwrap_or_else(|| ("S0201".into(), shown));
            Error {
                code,
                message,
                position: None,
            }
        })?;
        Ok(Expression {
            text: text.into(),
            variables: mentioned_variables(text).into(),
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

    /// Evaluates the expression. `input` is the context value (`$`; `None` for undefined);
    /// `lookup` gives the value of a variable the expression mentions (`None`: not bound).
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        lookup: &dyn Fn(&str) -> Option<Value>,
        limits: &Limits,
    ) -> Result<Evaluated, Error> {
        let mut context = Context::new();
        for name in self.variables.iter() {
            if let Some(v) = lookup(name) {
                context.bind(name.clone(), JValue::from(v));
            }
        }
        let options = EvaluatorOptions {
            timeout_ms: Some(limits.timeout_ms),
            max_stack_depth: Some(limits.max_depth),
            max_sequence_length: Some(limits.max_sequence_length),
            ..Default::default()
        };
        let mut evaluator = Evaluator::with_options(context, options);
        let data = input.map_or(JValue::Undefined, |v| JValue::from(v.clone()));
        let result = evaluator
            .evaluate(&self.ast, &data)
            .map_err(|e| from_evaluator(&e))?;
        Ok(if result.is_undefined() {
            Evaluated::Undefined
        } else if result.is_function() {
            Evaluated::Function
        } else {
            Evaluated::Value(serde_json::to_value(&result).unwrap_or(Value::Null))
        })
    }
}

/// The `$name` tokens of an expression outside string literals (a superset of the variables it
/// reads: binding one it does not read costs a little time and changes nothing).
fn mentioned_variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
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
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                if end > start {
                    let name: String = chars[start..end].iter().collect();
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                i = end.max(i + 1);
                continue;
            }
            None => {}
        }
        i += 1;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, input: Value) -> Result<Evaluated, Error> {
        let states = json!({"input": input});
        Expression::compile(text)?.evaluate(
            Some(&input),
            &|name| (name == "states").then(|| states.clone()),
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
            mentioned_variables("$a + $b.c & '$d' & $a & $sum($e)"),
            vec!["a", "b", "sum", "e"]
        );
    }
}
