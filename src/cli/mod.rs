//! The subcommands of the `aslcheck` binary, one module each: its clap-derived `Args` and a
//! `main` that composes library calls ([`crate::harness`], [`crate::corpus`], the interpreter)
//! and prints. No subcommand module uses another; what they share is here.
//!
//! Exit codes (a stable contract for scripts, tabulated per command in README.md "Exit codes" and
//! checked row by row by `tests/exit_codes.rs`): 0 when the command did its job (for `run`: the
//! execution reached a terminal status, FAILED included); 2 when a definition, an execution input
//! or name, a case file or another file the command reads is invalid (diagnostics on stderr, each
//! with code, message and location); 1 for usage errors, files that cannot be read, unexpected
//! results and anything else.
//!
//! Every problem goes to stderr through [`error`]: one line, `error: ` and the message's
//! `Display`, naming the file, flag or JSON Pointer it is about.

pub mod bench;
#[cfg(feature = "serve")]
pub mod bench_api;
pub mod conformance;
pub mod diff;
pub mod eval;
pub mod generate;
pub mod record;
pub mod replay;
pub mod report;
pub mod run;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shrink;
pub mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::asl::LoadError;
use crate::harness::input::InputError;

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Other = 1,
    Invalid = 2,
}

/// Prints one problem on stderr: `error: ` and the message.
pub fn error(message: impl fmt::Display) {
    eprintln!("error: {message}");
}

/// Prints why a definition could not be loaded (one line per diagnostic) and returns the exit
/// code: 1 when it could not be read, 2 when it is invalid.
pub fn report_load_error(file: &Path, e: LoadError) -> Exit {
    match e {
        LoadError::Io(m) => {
            error(m);
            Exit::Other
        }
        LoadError::Invalid(diags) => {
            for d in &diags {
                error(format_args!("{}: {d}", file.display()));
            }
            Exit::Invalid
        }
    }
}

/// Prints an input problem and returns the exit code (1 unreadable, 2 invalid).
pub fn report_input_error(e: InputError) -> Exit {
    error(&e);
    match e {
        InputError::Io(_) => Exit::Other,
        InputError::Invalid(_) => Exit::Invalid,
    }
}

/// Prints problems found loading case files and returns the exit code: 1 when every problem
/// is a file or directory that could not be read, 2 when a case file is invalid.
pub fn report_case_errors(errors: &[crate::corpus::LoadError]) -> Exit {
    for e in errors {
        error(e);
    }
    if !errors.is_empty() && errors.iter().all(crate::corpus::LoadError::is_unreadable) {
        Exit::Other
    } else {
        Exit::Invalid
    }
}

/// The exit code for a `--profile` that could not be loaded: 1 when nothing of that name was
/// found or read, 2 when the file is not a valid profile.
pub fn profile_exit(e: &aslcheck_generators::ProfileError) -> Exit {
    match e {
        aslcheck_generators::ProfileError::NotFound { .. }
        | aslcheck_generators::ProfileError::Io { .. } => Exit::Other,
        aslcheck_generators::ProfileError::Invalid { .. } => Exit::Invalid,
    }
}

/// `--report DIR` and `--previous-report DIR` of the commands that run many cases.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Write the report files here: results.jsonl, summary.json, junit.xml, summary.md and
    /// index.html (docs/reports.md).
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// An earlier report directory: the new report lists what changed since (fixed, broken,
    /// new, gone).
    #[arg(long, value_name = "DIR", requires = "report")]
    pub previous_report: Option<PathBuf>,
}

impl ReportArgs {
    /// The previous report, read before the run so a bad directory fails at once: exit 1 when
    /// it cannot be read, 2 when it is malformed (the message printed).
    pub fn previous(&self) -> Result<Option<crate::report::Report>, Exit> {
        match &self.previous_report {
            None => Ok(None),
            Some(d) => crate::report::read(d).map(Some).map_err(|e| {
                error(format_args!("--previous-report: {e}"));
                if e.is_invalid() {
                    Exit::Invalid
                } else {
                    Exit::Other
                }
            }),
        }
    }

    /// Writes the report when `--report` was given; says where on stderr.
    pub fn write(
        &self,
        report: &crate::report::Report,
        previous: Option<&crate::report::Report>,
    ) -> Result<(), String> {
        let Some(dir) = &self.report else {
            return Ok(());
        };
        crate::report::write(dir, report, previous).map_err(|e| format!("--report: {e}"))?;
        eprintln!("report: {}", dir.join("index.html").display());
        Ok(())
    }
}

/// The world of `--resources DIR` (empty without one); a bad folder is reported and is
/// [`Exit::Invalid`].
pub(crate) fn load_world(dir: Option<&std::path::Path>) -> Result<crate::world::World, Exit> {
    match dir {
        None => Ok(crate::world::World::default()),
        Some(dir) => crate::world::World::load_dir(dir).map_err(|e| {
            error(format_args!("--resources: {e}"));
            Exit::Invalid
        }),
    }
}
