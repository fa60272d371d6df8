//! `aslcheck eval --query-language jsonata|jsonpath|intrinsic EXPR [--input FILE] [--context FILE]
//! [--bindings FILE] [--seed N]`.
//!
//! Prints exactly one JSON object on stdout: `{"result": V}`, `{"undefined": true}` or
//! `{"error": CODE, "message": …}` (see [`crate::harness::eval`]). Exits 0 for all three, 2 when
//! the expression does not parse (the error object is printed too), 1 when a file cannot be read.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{error, report_input_error, Exit};
use crate::harness::eval::{evaluate, Language, Request};
use crate::harness::input::read_input;

/// Evaluate one JSONata expression, JSONPath path or intrinsic call as the interpreter does.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query language of EXPR.
    #[arg(long, value_enum)]
    pub query_language: Language,
    /// The expression: JSONata (with or without `{% %}`), a path (`$.a`, `$$.State.Name`,
    /// `$var.x`) or an intrinsic call (`States.Format('{}', $.a)`).
    pub expr: String,
    /// The input (`$`; `$states.input` in JSONata): a file, file://FILE, - for stdin, or JSON
    /// text starting with {, [ or " [default: {}].
    #[arg(long)]
    pub input: Option<String>,
    /// The context object (`$states.context`, `$$`), a JSON file [default: {} for JSONata, the
    /// interpreter's for an execution named `eval` in state `Eval` otherwise].
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// Variables: a JSON file holding an object, read as `$name`.
    #[arg(long)]
    pub bindings: Option<PathBuf>,
    /// Seed for unseeded `$random()`, `$uuid()`, `States.UUID()` and `States.MathRandom`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Reads `--context` or `--bindings`: a file that cannot be read is exit code 1, one that is
/// not JSON exit code 2.
fn read_json(file: &Path) -> Result<Value, (String, Exit)> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| (format!("cannot read {}: {e}", file.display()), Exit::Other))?;
    serde_json::from_str(&text).map_err(|e| {
        (
            format!("{}: not valid JSON: {e}", file.display()),
            Exit::Invalid,
        )
    })
}

pub fn main(args: Args) -> Exit {
    let input = match read_input(args.input.as_deref()) {
        Ok(v) => v,
        Err(e) => return report_input_error(e),
    };
    let context = match args.context.as_deref().map(read_json).transpose() {
        Ok(c) => c,
        Err((m, exit)) => {
            error(&m);
            return exit;
        }
    };
    let bindings: Map<String, Value> = match args.bindings.as_deref().map(read_json) {
        None => Map::new(),
        Some(Ok(Value::Object(m))) => m,
        Some(Ok(_)) => {
            error("the bindings must be a JSON object of variable names and values");
            return Exit::Invalid;
        }
        Some(Err((m, exit))) => {
            error(&m);
            return exit;
        }
    };
    let outcome = evaluate(&Request {
        language: args.query_language,
        expression: &args.expr,
        input: Some(&input),
        context: context.as_ref(),
        bindings: &bindings,
        limits: Default::default(),
        seed: args.seed,
    });
    println!("{}", outcome.to_json());
    if outcome.is_syntax_error() {
        Exit::Invalid
    } else {
        Exit::Ok
    }
}
