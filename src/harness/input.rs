//! Execution inputs from files or stdin, accepted as StartExecution accepts them
//! (docs/semantics/execution.md §13.2): any JSON text; an empty string is refused; at most
//! 256 KiB.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::engine::MAX_PAYLOAD_BYTES;

/// A problem with the execution input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The input could not be read (exit code 1).
    Io(String),
    /// The input is not one AWS would accept (exit code 2).
    Invalid(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io(m) | InputError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for InputError {}

/// Reads an execution input: a file, `-` for stdin, or `{}` when none is given.
pub fn read_input(arg: Option<&str>) -> Result<Value, InputError> {
    let (text, name) = match arg {
        None => return Ok(Value::Object(Default::default())),
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| InputError::Io(format!("cannot read the input from stdin: {e}")))?;
            (s, "<stdin>".to_string())
        }
        Some(path) => (
            std::fs::read_to_string(Path::new(path))
                .map_err(|e| InputError::Io(format!("cannot read the input {path}: {e}")))?,
            path.to_string(),
        ),
    };
    parse_input(&text, &name)
}

/// Parses execution input text as StartExecution does (docs/semantics/execution.md §13.2):
/// any JSON text; an empty string is refused; at most 256 KiB.
pub fn parse_input(text: &str, name: &str) -> Result<Value, InputError> {
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: the input is {} bytes; AWS accepts at most {MAX_PAYLOAD_BYTES} bytes (256 KiB) at /",
            text.len()
        )));
    }
    if text.trim().is_empty() {
        return Err(InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: Invalid State Machine Execution Input: 'Invalid execution input.' at /"
        )));
    }
    serde_json::from_str(text).map_err(|e| {
        // A bound of this tool, not an AWS rule (aslcheck_interp::asl::depth).
        let hint = if e.to_string().contains("recursion limit") {
            format!(
                " (inputs nested more than {} levels deep are refused)",
                crate::asl::depth::MAX_NESTING
            )
        } else {
            String::new()
        };
        InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: Invalid State Machine Execution Input: '{e}'{hint} at line {}, column {}",
            e.line(),
            e.column()
        ))
    })
}
