//! The subcommands of the `aslcheck` binary, one module each: its clap-derived `Args` and a
//! `main` that composes library calls ([`crate::harness`], [`crate::corpus`], the interpreter)
//! and prints. No subcommand module uses another; what they share is here.
//!
//! Exit codes (a stable contract for scripts): 0 when the command did its job (for `run`: the
//! execution reached a terminal status, FAILED included); 2 when a definition or input is invalid
//! (diagnostics on stderr, each with code, message and location); 1 for anything else.

pub mod bench;
pub mod conformance;
pub mod diff;
pub mod eval;
pub mod generate;
pub mod record;
pub mod replay;
pub mod run;
pub mod shrink;
pub mod validate;

use std::path::Path;

use crate::asl::LoadError;
use crate::harness::input::InputError;

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Other = 1,
    Invalid = 2,
}

/// Prints why a definition could not be loaded and returns the exit code.
pub fn report_load_error(file: &Path, e: LoadError) -> Exit {
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

/// Prints an input problem and returns the exit code (1 unreadable, 2 invalid).
pub fn report_input_error(e: InputError) -> Exit {
    eprintln!("{e}");
    match e {
        InputError::Io(_) => Exit::Other,
        InputError::Invalid(_) => Exit::Invalid,
    }
}

/// Prints problems found loading case files and returns exit code 2.
pub fn report_case_errors(errors: &[crate::corpus::LoadError]) -> Exit {
    for e in errors {
        eprintln!("{e}");
    }
    Exit::Invalid
}
