//! `aslcheck conformance [--backend B] [--generate N] [--profile P] [--seed S] [--corpus DIR]`:
//! the main job. Replays the whole corpus on a backend (the embedded reference by default), runs N
//! freshly generated cases on it and on the reference, and prints agreement per area and feature.
//! Exits 1 on unexpected failures (a failing case not listed in the backend's expectations, an
//! unexpected pass, an errored case, or a generated case on which the backend and the reference
//! disagree), and when no case produced a verdict or more cases were indeterminate than
//! `--max-indeterminate` allows ([`crate::harness::inconclusive`]), with the reason in one line.

use std::path::PathBuf;

use aslcheck_generators::{generate, Profile};

use super::{error, profile_exit, report_case_errors, Exit};
use crate::backend::reference::Reference;
use crate::backend::Backend;
use crate::corpus::{self, Runnable};
use crate::diff::agreement::{self, Agreement};
use crate::harness::differential::count_inconclusive;
use crate::harness::inconclusive::{Tallies, VerdictArgs};
use crate::harness::observe::observe;
use crate::harness::progress::Progress;
use crate::harness::replay::{replay, tallies, Summary, Verdict};
use crate::harness::subject::BackendArgs;

/// The main job: replay the corpus (and N generated cases) on a backend; agreement per area and feature.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub backend_args: BackendArgs,
    #[command(flatten)]
    pub verdict_args: VerdictArgs,
    /// The implementation to check.
    #[arg(long, default_value = "reference")]
    pub backend: String,
    /// Also run this many generated cases, compared with the reference.
    #[arg(long, default_value_t = 0)]
    pub generate: u64,
    /// Generator profile for --generate (a built-in name or a .toml file).
    #[arg(long, default_value = "all")]
    pub profile: String,
    /// First generator seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The corpus directory [default: ./corpus].
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Also list skipped and known-failing cases.
    #[arg(long)]
    pub verbose: bool,
}

pub fn main(args: Args) -> Exit {
    let mut backend = match args.backend_args.open(&args.backend) {
        Ok(b) => b,
        Err(e) => {
            error(&e);
            return Exit::Other;
        }
    };
    let dir = corpus::default_dir(args.corpus.as_deref());
    let cases_dir = dir.join("cases");
    let results = match replay(std::slice::from_ref(&cases_dir), backend.as_mut()) {
        Ok(r) => r.results,
        Err(errors) => return report_case_errors(&errors),
    };
    let mut unexpected = 0usize;
    for r in &results {
        let bad = !r.verdict.is_ok();
        if bad {
            unexpected += 1;
        }
        if bad || (args.verbose && !matches!(r.verdict, Verdict::Pass)) {
            println!("{}: {} ({})", r.id, r.verdict.label(), detail(&r.verdict));
        }
    }
    let summary = Summary::of(&results);
    println!("corpus: {} cases on {}", results.len(), backend.name());
    print!("{summary}");
    let mut counted = tallies(&results);

    if args.generate > 0 {
        match generated(&args, backend.as_mut()) {
            Ok((disagreements, t)) => {
                unexpected += disagreements;
                counted.add(&t);
            }
            Err((m, exit)) => {
                error(&m);
                return exit;
            }
        }
    }
    let honest = counted.check(args.verdict_args.max());
    if unexpected > 0 {
        println!("{unexpected} unexpected result(s)");
    }
    match honest {
        Err(m) => {
            eprintln!("error: {m}");
            Exit::Other
        }
        Ok(()) if unexpected > 0 => Exit::Other,
        Ok(()) => {
            println!("no unexpected results");
            Exit::Ok
        }
    }
}

fn detail(v: &Verdict) -> String {
    match v {
        Verdict::Fail { mismatches } => mismatches
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        Verdict::Skipped { reason }
        | Verdict::Indeterminate { reason }
        | Verdict::ExpectedFailure { reason, .. }
        | Verdict::UnexpectedPass { reason } => reason.clone(),
        Verdict::Errored { message } => message.clone(),
        Verdict::Pass => String::new(),
    }
}

/// Runs N generated cases on the backend and on the reference; returns the number of
/// disagreements and what the cases ended with.
fn generated(args: &Args, backend: &mut dyn Backend) -> Result<(usize, Tallies), (String, Exit)> {
    let profile = Profile::load(&args.profile)
        .map_err(|e| (format!("--profile {}: {e}", args.profile), profile_exit(&e)))?;
    let mut reference = Reference::default();
    let (mut agree, mut disagree, mut inconclusive) = (0usize, 0usize, 0usize);
    let mut counted = Tallies::default();
    let mut progress = Progress::new("generated", args.generate as usize);
    for i in 0..args.generate {
        let seed = args.seed.wrapping_add(i);
        let case = Runnable::from_generated(generate(&profile, seed));
        let request = case.request(false);
        let expected = observe(&mut reference, &request);
        let observed = observe(backend, &request);
        match agreement::compare(&expected, &observed) {
            Agreement::Agree => {
                agree += 1;
                counted.verdict();
            }
            Agreement::Inconclusive(reason) => {
                inconclusive += 1;
                count_inconclusive(&mut counted, &expected, &observed, &reason);
            }
            Agreement::Disagree(m) => {
                disagree += 1;
                counted.verdict();
                println!(
                    "{} (profile {}, seed {seed}): {} disagrees with the reference: {}",
                    case.label(),
                    profile.name,
                    backend.name(),
                    m.iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
        }
        progress.tick();
    }
    println!(
        "generated: {} cases (profile {}, seeds {}..{}): {agree} agree, {disagree} disagree, {inconclusive} inconclusive",
        args.generate,
        profile.name,
        args.seed,
        args.seed.wrapping_add(args.generate)
    );
    Ok((disagree, counted))
}
