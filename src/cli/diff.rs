//! `aslcheck diff --backend A --backend B (--generate N [--profile P] [--seed S] | CASES…)`:
//! differential runs ([`crate::harness::differential`]). Shrinks every divergence, groups them
//! into clusters, one per defect ([`crate::harness::triage`]), and prints one section per
//! cluster: its signature and features, the smallest shrunk exemplar's diff, its pending case
//! under `corpus/pending/` (`--out DIR` elsewhere; one per cluster, none when an earlier run's
//! pending case holds the cluster) with the command that reproduces it, and the other members.
//! Ends with agreement per area (corpus cases) and per profile (generated cases). `--verbose`
//! also prints every divergence as it is found.
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

use super::{error, profile_exit, report_case_errors, Exit, ReportArgs};
use crate::corpus::{self, Runnable};
use crate::diff::render::{
    clip, cut, mismatch_list, unified, use_colour, ColorChoice, MAX_DIFF_LINES,
};
use crate::diff::shrink::{Budget, Stop};
use crate::harness::capable;
use crate::harness::differential::{self, ClusterReport, Event};
use crate::harness::inconclusive::VerdictArgs;
use crate::harness::minimise::PendingOptions;
use crate::harness::progress::Progress;
use crate::harness::reporting::{cluster_entries, diff_records, observation_text};
use crate::harness::shard::Shard;
use crate::harness::subject::BackendArgs;
use crate::report::{command_line, Report};

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
    /// Also print every divergence as it is found, and list inconclusive cases.
    #[arg(long)]
    pub verbose: bool,
    #[command(flatten)]
    pub report_args: ReportArgs,
    /// Colour in diffs: auto (when standard output is a terminal and NO_COLOR is unset),
    /// always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Run only shard K of N of the cases (e.g. 2/4), for a CI matrix; merge the shards' reports
    /// with `aslcheck report merge`.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    pub shard: Shard,
}

/// Characters of an exemplar's signature shown in its section (a masked cause can be kilobytes;
/// the whole signature is in the report's `summary.json`).
const SIGNATURE_SHOWN: usize = 400;

/// Members listed in a cluster's section before the list is cut.
const MEMBERS_SHOWN: usize = 20;

/// One cluster: its signature and features, the exemplar's diff, its pending case, its members.
fn cluster_section(
    i: usize,
    count: usize,
    report: &ClusterReport,
    names: &[String; 2],
    colour: bool,
) -> String {
    use std::fmt::Write;
    let c = &report.cluster;
    let e = &c.exemplar;
    let mut out = String::new();
    let n = c.members.len();
    let _ = writeln!(
        out,
        "CLUSTER {}/{count} ({n} divergence{}): {}",
        i + 1,
        if n == 1 { "" } else { "s" },
        c.key
    );
    let _ = writeln!(
        out,
        "  exemplar's signature: {}",
        clip(&e.signature.to_string(), SIGNATURE_SHOWN)
    );
    let _ = writeln!(out, "  features: {}", c.features.join(", "));
    let stop = match e.stop {
        Stop::Fixpoint => "minimal",
        Stop::BudgetExhausted => "budget exhausted, maybe not minimal",
    };
    let _ = writeln!(
        out,
        "  exemplar: {} (from {} with {}, {} runs, {stop}); --- is {}, +++ is {}",
        states(e.states_after()),
        c.exemplar_of,
        states(e.states_before),
        e.tests,
        names[0],
        names[1]
    );
    out.push_str(&cut(
        unified(
            &observation_text(&e.observed),
            &observation_text(&e.observed_b),
            colour,
        ),
        MAX_DIFF_LINES,
    ));
    match (&report.known, &report.pending) {
        (Some(file), _) => {
            let _ = writeln!(
                out,
                "  known cluster: its pending case is {} (no new case written)",
                file.display()
            );
        }
        (None, Ok(p)) => {
            let note = if p.unchanged { " (already there)" } else { "" };
            let _ = writeln!(out, "  pending case: {}{note}", p.file.display());
            let _ = writeln!(out, "  reproduce: {}", p.command);
        }
        (None, Err(m)) => {
            let _ = writeln!(out, "  could not write a pending case: {m}");
        }
    }
    if n > 1 {
        let shown: Vec<&str> = c
            .members
            .iter()
            .take(MEMBERS_SHOWN)
            .map(String::as_str)
            .collect();
        let more = if n > MEMBERS_SHOWN {
            format!(" and {} more", n - MEMBERS_SHOWN)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  members: {}{more}", shown.join(", "));
    }
    out.push('\n');
    out
}

pub fn main(args: Args) -> Exit {
    let previous = match args.report_args.previous() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
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
            Ok(c) => args.shard.take(c),
            Err(errors) => return report_case_errors(&errors),
        }
    };
    if args.generate > 0 {
        let mut profile = match Profile::load(&args.profile) {
            Ok(p) => p,
            Err(e) => {
                error(format_args!("--profile {}: {e}", args.profile));
                return profile_exit(&e);
            }
        };
        let backends = [(a.name(), a.capabilities()), (b.name(), b.capabilities())];
        for note in capable::fit(&mut profile, &backends) {
            eprintln!("note: {note}");
        }
        cases.extend(
            (0..args.generate)
                .filter(|i| args.shard.keeps(*i as usize))
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
    let colour = use_colour(args.color);
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
                    if args.verbose {
                        println!(
                            "DIVERGENCE {}: {} and {} disagree",
                            case.label(),
                            names[0],
                            names[1]
                        );
                        print!("{}", mismatch_list(mismatches));
                        print!(
                            "{}",
                            cut(
                                unified(
                                    &observation_text(observed_a),
                                    &observation_text(observed_b),
                                    colour
                                ),
                                MAX_DIFF_LINES
                            )
                        );
                    }
                }
                Event::Filed {
                    case,
                    cluster,
                    new,
                    shrunk,
                } => {
                    if args.verbose {
                        let how = match (new, shrunk) {
                            (true, _) => "opens",
                            (false, true) => "joins",
                            (false, false) => "joins (not shrunk: the cluster's exemplar is small)",
                        };
                        println!("  {} {how} cluster {}", case.label(), cluster + 1);
                    }
                }
                Event::Judged => progress.tick(),
            },
        );
    let count = report.clusters.len();
    for (i, c) in report.clusters.iter().enumerate() {
        print!("{}", cluster_section(i, count, c, &names, colour));
    }
    let written = args.report_args.write(
        &Report {
            command: command_line(),
            records: diff_records(&report, &names),
            clusters: cluster_entries(&report),
        },
        previous.as_ref(),
    );
    if let Err(m) = written {
        error(m);
        return Exit::Other;
    }
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
        "{} cases on {} and {}: {} agree, {} diverge in {} clusters, {} inconclusive ({} skipped, {} indeterminate); {share}",
        cases.len(),
        names[0],
        names[1],
        total.agree,
        total.disagree,
        report.clusters.len(),
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

/// "1 state", "3 states".
fn states(n: usize) -> String {
    format!("{n} state{}", if n == 1 { "" } else { "s" })
}
