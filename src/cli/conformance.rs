//! `aslcheck conformance [--backend B] [--generate N] [--profile P] [--seed S] [--corpus DIR]`:
//! the main job. Replays the whole corpus on a backend (the embedded reference by default), runs N
//! freshly generated cases on it and on the reference, and prints agreement per area and feature.
//! Exits 1 on unexpected failures (a failing case not listed in the backend's expectations, an
//! unexpected pass, an errored case, or a generated case on which the backend and the reference
//! disagree).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use aslcheck_generators::{generate, Profile};

use super::{make_backend, Exit};
use crate::backend::reference::Reference;
use crate::backend::{Backend, Mode, Request};
use crate::corpus::{self, Summary, Verdict};
use crate::diff::differential::{self, Agreement};

pub struct Args {
    pub backend: String,
    pub generate: u64,
    pub profile: String,
    pub seed: u64,
    pub corpus: Option<PathBuf>,
    pub verbose: bool,
}

/// The corpus directory: `--corpus`, else `./corpus`, else the one this binary was built from.
pub fn corpus_dir(arg: Option<&Path>) -> PathBuf {
    if let Some(p) = arg {
        return p.to_path_buf();
    }
    let here = PathBuf::from("corpus");
    if here.join("cases").is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Shows `[done/total]` on stderr when it is a terminal.
pub struct Progress {
    total: usize,
    done: usize,
    on: bool,
    label: &'static str,
}

impl Progress {
    pub fn new(label: &'static str, total: usize) -> Progress {
        Progress {
            total,
            done: 0,
            on: std::io::stderr().is_terminal(),
            label,
        }
    }

    pub fn tick(&mut self) {
        self.done += 1;
        if self.on && (self.done.is_multiple_of(10) || self.done == self.total) {
            eprint!("\r{} [{}/{}]", self.label, self.done, self.total);
            if self.done == self.total {
                eprintln!();
            }
        }
    }
}

pub fn main(args: Args) -> Exit {
    let mut backend = match make_backend(&args.backend) {
        Ok(b) => b,
        Err(m) => {
            eprintln!("{m}");
            return Exit::Other;
        }
    };
    let dir = corpus_dir(args.corpus.as_deref());
    let cases_dir = dir.join("cases");
    let results = match corpus::replay(std::slice::from_ref(&cases_dir), backend.as_mut()) {
        Ok(r) => r,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            return Exit::Invalid;
        }
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

    if args.generate > 0 {
        match generated(&args, backend.as_mut()) {
            Ok(disagreements) => unexpected += disagreements,
            Err(m) => {
                eprintln!("{m}");
                return Exit::Other;
            }
        }
    }
    if unexpected > 0 {
        println!("{unexpected} unexpected result(s)");
        Exit::Other
    } else {
        println!("no unexpected results");
        Exit::Ok
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
/// disagreements.
fn generated(args: &Args, backend: &mut dyn Backend) -> Result<usize, String> {
    let profile =
        Profile::load(&args.profile).map_err(|e| format!("--profile {}: {e:?}", args.profile))?;
    let mut reference = Reference::default();
    let (mut agree, mut disagree, mut inconclusive) = (0usize, 0usize, 0usize);
    let mut progress = Progress::new("generated", args.generate as usize);
    for i in 0..args.generate {
        let seed = args.seed.wrapping_add(i);
        let case = generate(&profile, seed);
        let request = Request {
            mode: Mode::Execution,
            definition: &case.definition,
            input: &case.input,
            environment: &case.environment,
            history: false,
        };
        let expected = reference.run(&request);
        let observed = backend.run(&request);
        match differential::compare(&expected, &observed) {
            Agreement::Agree => agree += 1,
            Agreement::Inconclusive(_) => inconclusive += 1,
            Agreement::Disagree(m) => {
                disagree += 1;
                println!(
                    "generated {} (profile {}, seed {seed}): {} disagrees with the reference: {}",
                    case.id(),
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
    Ok(disagree)
}
