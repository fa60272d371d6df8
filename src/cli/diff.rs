//! `aslcheck diff --backend A --backend B (--generate N [--profile P] [--seed S] | CASES…)`:
//! differential runs ([`crate::harness::differential`]). Prints every divergence as it is found,
//! shrinks each one into a ready-to-commit case under `corpus/pending/` (`--out DIR` elsewhere)
//! with the command that reproduces it, and ends with agreement per area (corpus cases) and per
//! profile (generated cases).
//!
//! CASES are case files or directories: the corpus format (`corpus/README.md`; also files in
//! `corpus/pending/`) or files written by `aslcheck generate --out`.
//!
//! Only real divergences are shrunk and written: a case on which a side was skipped or
//! indeterminate (a timeout, a crashed or hung adapter, an unreachable endpoint) is counted as
//! inconclusive and left alone.
//!
//! Exit codes: 0 no divergence; 1 divergences found, no case with a verdict, more indeterminate
//! cases than `--max-indeterminate` allows (the reason in one line), or other trouble; 2 invalid
//! case files.

use std::path::PathBuf;

use aslcheck_generators::{generate, Profile};

use super::{error, profile_exit, report_case_errors, Exit};
use crate::backend::reference::observation_json;
use crate::backend::Observation;
use crate::corpus::{self, Runnable};
use crate::diff::normalise::Normaliser;
use crate::diff::render::{mismatch_list, pretty, unified, use_colour};
use crate::diff::shrink::Budget;
use crate::harness::differential::{self, Event};
use crate::harness::inconclusive::VerdictArgs;
use crate::harness::minimise::PendingOptions;
use crate::harness::progress::Progress;
use crate::harness::subject::BackendArgs;

/// Run the same cases on two implementations, report agreement per area/profile, and shrink
/// every divergence into a pending corpus case (docs/differential.md).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub backend_args: BackendArgs,
    #[command(flatten)]
    pub verdict_args: VerdictArgs,
    /// The two implementations: --backend A --backend B (A is the side B is judged against).
    #[arg(long = "backend", required = true, num_args = 1)]
    pub backends: Vec<String>,
    /// Case files or directories (corpus format, or files from `aslcheck generate --out`).
    pub cases: Vec<PathBuf>,
    /// Also run this many generated cases.
    #[arg(long, default_value_t = 0)]
    pub generate: u64,
    /// Generator profile for --generate (a built-in name or a .toml file).
    #[arg(long, default_value = "all")]
    pub profile: String,
    /// First generator seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The corpus directory (feature vocabulary, default pending dir) [default: ./corpus].
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Where minimised divergences are written [default: <corpus>/pending].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Runs (on both backends) each shrink may make.
    #[arg(long, default_value_t = 2000)]
    pub budget: usize,
    /// Ask both backends for the execution history and compare it too.
    #[arg(long)]
    pub history: bool,
    /// Also list inconclusive cases.
    #[arg(long)]
    pub verbose: bool,
}

/// The normalised observation as pretty JSON (what the diff shows).
fn observation_text(o: &Observation) -> String {
    pretty(&observation_json(&Normaliser::new().observation(o)))
}

pub fn main(args: Args) -> Exit {
    let [a_name, b_name] = match <[String; 2]>::try_from(args.backends.clone()) {
        Ok(pair) => pair,
        Err(_) => {
            error("diff compares exactly two implementations: give --backend twice (e.g. --backend reference --backend external:adapters/x)");
            return Exit::Other;
        }
    };
    let (mut a, mut b) = match (
        args.backend_args.open(&a_name),
        args.backend_args.open(&b_name),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            error(&e);
            return Exit::Other;
        }
    };
    if args.cases.is_empty() && args.generate == 0 {
        error("nothing to compare: give case files or directories, or --generate N");
        return Exit::Other;
    }
    let corpus = corpus::default_dir(args.corpus.as_deref());
    let mut cases = if args.cases.is_empty() {
        Vec::new()
    } else {
        match corpus::runnable::load(&args.cases, &corpus) {
            Ok(c) => c,
            Err(errors) => return report_case_errors(&errors),
        }
    };
    if args.generate > 0 {
        let profile = match Profile::load(&args.profile) {
            Ok(p) => p,
            Err(e) => {
                error(format_args!("--profile {}: {e}", args.profile));
                return profile_exit(&e);
            }
        };
        cases.extend(
            (0..args.generate)
                .map(|i| Runnable::from_generated(generate(&profile, args.seed.wrapping_add(i)))),
        );
    }
    let pending = PendingOptions {
        out: args.out.clone().unwrap_or_else(|| corpus.join("pending")),
        corpus: corpus.clone(),
        corpus_arg: args.corpus.clone(),
        budget: Budget {
            max_tests: args.budget,
        },
        history: args.history,
        specs: [a_name, b_name],
        backend_args: args.backend_args.clone(),
    };
    let colour = use_colour();
    let names = [a.name().to_string(), b.name().to_string()];
    let mut progress = Progress::new("diff", cases.len());
    let report =
        differential::run(
            &cases,
            a.as_mut(),
            b.as_mut(),
            &pending,
            &mut |event| match event {
                Event::Inconclusive { case, reason } => {
                    if args.verbose {
                        println!("{}: inconclusive: {reason}", case.label());
                    }
                }
                Event::Divergence {
                    case,
                    observed_a,
                    observed_b,
                    mismatches,
                } => {
                    println!(
                        "DIVERGENCE {}: {} and {} disagree",
                        case.label(),
                        names[0],
                        names[1]
                    );
                    print!("{}", mismatch_list(mismatches));
                    println!(
                        "  (--- expected is {}, +++ observed is {})",
                        names[0], names[1]
                    );
                    print!(
                        "{}",
                        unified(
                            &observation_text(observed_a),
                            &observation_text(observed_b),
                            colour
                        )
                    );
                }
                Event::Minimised { pending, .. } => {
                    match pending {
                        Ok(p) => print!("{p}"),
                        Err(e) => println!("  could not write a pending case: {e}"),
                    }
                    println!();
                }
                Event::Judged => progress.tick(),
            },
        );
    print!("{}", report.agreements);
    let total = report.agreements.total();
    let decided = total.agree + total.disagree;
    let share = if decided == 0 {
        "no case with a verdict".to_string()
    } else {
        format!(
            "agreement {}/{decided} of the cases with a verdict ({:.1}%)",
            total.agree,
            100.0 * total.agree as f64 / decided as f64
        )
    };
    println!(
        "{} cases on {} and {}: {} agree, {} diverge, {} inconclusive ({} skipped, {} indeterminate); {share}",
        cases.len(),
        names[0],
        names[1],
        total.agree,
        total.disagree,
        total.inconclusive,
        report.tallies.skipped,
        report.tallies.indeterminate,
    );
    if let Err(m) = report.tallies.check(args.verdict_args.max()) {
        eprintln!("error: {m}");
        return Exit::Other;
    }
    if total.disagree > 0 || report.unwritten > 0 {
        Exit::Other
    } else {
        Exit::Ok
    }
}
