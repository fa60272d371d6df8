//! `aslcheck run DEF [--input FILE|-] [--history] [--seed N] [--real-time] [--start-time T]`.
//!
//! Prints exactly one JSON object on stdout:
//! `{"status", "output", "error", "cause"}`, plus `"history"` with `--history`.

use std::path::PathBuf;

use super::{read_input, with_big_stack, Exit, InputError};
use crate::asl::{load_definition, LoadError};
use crate::data::timestamp;
use crate::engine::{self, RunOptions};

pub struct Args {
    pub definition: PathBuf,
    pub input: Option<String>,
    pub history: bool,
    pub seed: u64,
    pub real_time: bool,
    pub start_time: Option<String>,
    pub name: Option<String>,
}

pub fn main(args: Args) -> Exit {
    let def = match load_definition(&args.definition) {
        Ok(d) => d,
        Err(e) => return report_load_error(&args.definition, e),
    };
    let input = match read_input(args.input.as_deref()) {
        Ok(v) => v,
        Err(InputError::Io(m)) => {
            eprintln!("{m}");
            return Exit::Other;
        }
        Err(InputError::Invalid(m)) => {
            eprintln!("{m}");
            return Exit::Invalid;
        }
    };
    let start_time = match &args.start_time {
        None => None,
        Some(t) => match timestamp::parse_millis(t) {
            Some(ms) => Some(ms),
            None => {
                eprintln!("--start-time: '{t}' is not an RFC 3339 timestamp such as 2024-01-01T00:00:00Z");
                return Exit::Other;
            }
        },
    };
    let sm_name = state_machine_name(&args.definition);
    let options = RunOptions {
        seed: args.seed,
        history: args.history,
        real_time: args.real_time,
        start_time,
        state_machine_name: sm_name,
        execution_name: args.name,
        ..RunOptions::default()
    };
    let machine = def.machine;
    let outcome = match with_big_stack(move || engine::run(&machine, &input, options)) {
        Ok(o) => o,
        Err(m) => {
            eprintln!("{m}");
            return Exit::Other;
        }
    };
    match serde_json::to_string_pretty(&outcome.to_json()) {
        Ok(s) => {
            println!("{s}");
            Exit::Ok
        }
        Err(e) => {
            eprintln!("cannot print the result: {e}");
            Exit::Other
        }
    }
}

/// Prints why a definition could not be loaded and returns the exit code.
pub fn report_load_error(file: &std::path::Path, e: LoadError) -> Exit {
    match e {
        LoadError::Io(m) => {
            eprintln!("{m}");
            Exit::Other
        }
        LoadError::Invalid(diags) => {
            for d in &diags {
                eprintln!("{}: {d}", file.display());
            }
            Exit::Invalid
        }
    }
}

/// A state machine name from the file name, limited to the characters AWS allows (§1.2).
pub fn state_machine_name(path: &std::path::Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let name: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(80)
        .collect();
    if name.is_empty() {
        "aslcheck".into()
    } else {
        name
    }
}
