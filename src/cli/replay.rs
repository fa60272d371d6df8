//! `aslcheck replay [PATHS] [--backend B]`: replays corpus cases (files or directories under a
//! `corpus/cases/`) and explains every case that does not pass. Exits 1 on unexpected results,
//! and when no case produced a verdict or more were indeterminate than `--max-indeterminate`
//! allows ([`crate::harness::inconclusive`]).

use std::path::PathBuf;

use super::{error, report_case_errors, Exit, ReportArgs};
use crate::corpus;
use crate::diff::render::{cut, use_colour, ColorChoice, MAX_DIFF_LINES};
use crate::harness::inconclusive::VerdictArgs;
use crate::harness::replay::{explain, replay, tallies, Summary, Verdict};
use crate::harness::reporting::replay_records;
use crate::harness::subject::BackendArgs;
use crate::report::{command_line, Report};

/// Replay corpus cases (files or directories) on a backend and explain every non-pass.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub backend_args: BackendArgs,
    #[command(flatten)]
    pub verdict_args: VerdictArgs,
    /// Case files or directories under a corpus cases/ directory [default: the corpus's cases/].
    pub paths: Vec<PathBuf>,
    /// The implementation to run the cases on.
    #[arg(long, default_value = "reference")]
    pub backend: String,
    #[command(flatten)]
    pub report_args: ReportArgs,
    /// Colour in diffs: auto (when standard output is a terminal and NO_COLOR is unset),
    /// always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

pub fn main(args: Args) -> Exit {
    let previous = match args.report_args.previous() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let mut backend = match args.backend_args.open(&args.backend) {
        Ok(b) => b,
        Err(e) => {
            error(&e);
            return Exit::Other;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![corpus::default_dir(None).join("cases")]
    } else {
        args.paths
    };
    let replayed = match replay(&paths, backend.as_mut()) {
        Ok(r) => r,
        Err(errors) => return report_case_errors(&errors),
    };
    let colour = use_colour(args.color);
    let mut unexpected = 0;
    for (case, r) in replayed.cases.iter().zip(&replayed.results) {
        if matches!(r.verdict, Verdict::Pass) {
            continue;
        }
        if !r.verdict.is_ok() {
            unexpected += 1;
        }
        print!("{}", cut(explain(case, r, colour), MAX_DIFF_LINES));
    }
    print!("{}", Summary::of(&replayed.results));
    let report = Report {
        command: command_line(),
        records: replay_records(&replayed.cases, &replayed.results),
        clusters: Vec::new(),
    };
    if let Err(m) = args.report_args.write(&report, previous.as_ref()) {
        error(m);
        return Exit::Other;
    }
    if let Err(m) = tallies(&replayed.results).check(args.verdict_args.max()) {
        eprintln!("error: {m}");
        return Exit::Other;
    }
    if unexpected > 0 {
        Exit::Other
    } else {
        Exit::Ok
    }
}
