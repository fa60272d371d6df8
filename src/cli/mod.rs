//! The subcommands of the `aslcheck` binary, one module each. `main.rs` only parses arguments.
//!
//! Exit codes (a stable contract for scripts): 0 when the command did its job (for `run`: the
//! execution reached a terminal status, FAILED included); 2 when a definition or input is invalid
//! (diagnostics on stderr, each with code, message and location); 1 for anything else.

pub mod bench;
pub mod conformance;
pub mod diff;
pub mod generate;
pub mod record;
pub mod replay;
pub mod run;
pub mod shrink;
pub mod validate;

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::backend::Backend;
use crate::engine::MAX_PAYLOAD_BYTES;

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Other = 1,
    Invalid = 2,
}

/// A problem with the execution input.
#[derive(Debug)]
pub enum InputError {
    Io(String),
    Invalid(String),
}

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

/// Parses execution input text as StartExecution does (docs/semantics/execution.md §13.2): any JSON text;
/// an empty string is refused; at most 256 KiB.
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
        let hint = if e.to_string().contains("recursion limit") {
            " (inputs nested more than 128 levels deep are refused)"
        } else {
            ""
        };
        InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: Invalid State Machine Execution Input: '{e}'{hint} at line {}, column {}",
            e.line(),
            e.column()
        ))
    })
}

/// Runs `f` on a thread with a large stack: deeply nested data built by a machine (ResultPath in
/// a loop) must not overflow the stack when it is copied, compared or dropped.
pub fn with_big_stack<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    std::thread::Builder::new()
        .name("aslcheck-interpreter".into())
        .stack_size(512 * 1024 * 1024)
        .spawn(f)
        .map_err(|e| format!("cannot start the interpreter thread: {e}"))?
        .join()
        .map_err(|_| "the interpreter thread panicked".to_string())
}

/// The environment variable that unlocks deliberately faulty backends (a testing aid).
pub const ENABLE_FAULTS: &str = "ASLCHECK_ENABLE_FAULTS";

/// Builds a backend from its `--backend` name.
///
/// Testing aid: `reference+fault=resultpath` is the reference interpreter with one deliberate
/// departure from AWS (`Fault::ResultPathOneLevelUp`: `ResultPath` writes one level too high),
/// used to check that `diff` finds and `shrink` minimises a known divergence. It is accepted only
/// when `ASLCHECK_ENABLE_FAULTS=1` is set, so it can never be picked by accident.
pub fn make_backend(spec: &str) -> Result<Box<dyn Backend>, String> {
    use crate::backend::reference::Reference;
    use crate::engine::Fault;
    match spec {
        "reference+fault=resultpath" => {
            if std::env::var(ENABLE_FAULTS).is_ok_and(|v| v == "1") {
                Ok(Box::new(Reference {
                    fault: Some(Fault::ResultPathOneLevelUp),
                    ..Reference::default()
                }))
            } else {
                Err(format!(
                    "backend '{spec}' is a deliberately faulty reference interpreter for testing the differ and the shrinker; set {ENABLE_FAULTS}=1 to use it"
                ))
            }
        }
        other => crate::backend::spec::from_spec(other, &backend_options()),
    }
}

static BACKEND_OPTIONS: std::sync::OnceLock<crate::backend::spec::BackendOptions> =
    std::sync::OnceLock::new();

/// Records the backend flags of this command line (`--endpoint`, `--region`, …) for
/// [`make_backend`]; set once, by `main`.
pub fn set_backend_options(options: crate::backend::spec::BackendOptions) {
    let _ = BACKEND_OPTIONS.set(options);
}

fn backend_options() -> crate::backend::spec::BackendOptions {
    BACKEND_OPTIONS.get().cloned().unwrap_or_default()
}
