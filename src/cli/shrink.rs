//! `aslcheck shrink CASE --backend A --backend B [--out DIR] [--budget N]`: minimises a
//! divergence ([`crate::harness::minimise`]: drop states and branches, simplify payloads, paths
//! and inputs while A and B still disagree the same way; the definition stays valid) and writes a
//! ready-to-commit case to `corpus/pending/<area>/<name>.json` (`--out DIR` elsewhere).
//!
//! The pending case ([`crate::corpus::pending`]) has A's observation as its expected result —
//! which is *not* evidence of what AWS does: a maintainer checks it against AWS (docs, a recorded
//! run, the rule notes in docs/semantics/) before moving the file into `cases/`. Its description
//! holds the command that reproduces the divergence.
//!
//! Exit codes: 0 the backends agree on the case; 1 a divergence was found (and written) or other
//! trouble; 2 an invalid case file.

use std::path::PathBuf;

use super::{error, report_case_errors, Exit};
use crate::corpus;
use crate::diff::agreement::{self, Agreement};
use crate::diff::render::mismatch_list;
use crate::diff::shrink::Budget;
use crate::harness::minimise::{minimise, PendingOptions};
use crate::harness::observe::observe;
use crate::harness::subject::BackendArgs;

/// Minimise a case on which two implementations disagree; write it to corpus/pending/.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub backend_args: BackendArgs,
    /// The case file.
    pub case: PathBuf,
    /// The two implementations: --backend A --backend B.
    #[arg(long = "backend", required = true, num_args = 1)]
    pub backends: Vec<String>,
    /// The corpus directory (feature vocabulary, default pending dir) [default: ./corpus].
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Where the minimised case is written [default: <corpus>/pending].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Runs (on both backends) the shrink may make.
    #[arg(long, default_value_t = 2000)]
    pub budget: usize,
    /// Ask both backends for the execution history and compare it too.
    #[arg(long)]
    pub history: bool,
}

pub fn main(args: Args) -> Exit {
    let [a_name, b_name] = match <[String; 2]>::try_from(args.backends.clone()) {
        Ok(pair) => pair,
        Err(_) => {
            error("shrink needs exactly two implementations: give --backend twice");
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
    let corpus = corpus::default_dir(args.corpus.as_deref());
    if args.case.is_dir() {
        error(format_args!(
            "{}: shrink takes one case file (use diff for directories)",
            args.case.display()
        ));
        return Exit::Other;
    }
    let case = match corpus::runnable::load(std::slice::from_ref(&args.case), &corpus) {
        Ok(mut c) if c.len() == 1 => c.remove(0),
        Ok(_) => {
            error(format_args!("{}: not one case", args.case.display()));
            return Exit::Other;
        }
        Err(errors) => return report_case_errors(&errors),
    };
    let request = case.request(args.history);
    let oa = observe(a.as_mut(), &request);
    let ob = observe(b.as_mut(), &request);
    match agreement::compare(&oa, &ob) {
        Agreement::Agree => {
            println!(
                "{}: {} and {} agree; nothing to shrink",
                case.label(),
                a.name(),
                b.name()
            );
            Exit::Ok
        }
        Agreement::Inconclusive(reason) => {
            println!(
                "{}: inconclusive ({reason}); nothing to shrink",
                case.label()
            );
            Exit::Other
        }
        Agreement::Disagree(mismatches) => {
            println!(
                "DIVERGENCE {}: {} and {} disagree",
                case.label(),
                a.name(),
                b.name()
            );
            print!("{}", mismatch_list(&mismatches));
            let options = PendingOptions {
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
            match minimise(
                &case,
                [&oa, &ob],
                &mismatches,
                a.as_mut(),
                b.as_mut(),
                &options,
            ) {
                Ok(p) => print!("{p}"),
                Err(e) => error(format_args!("could not write a pending case: {e}")),
            }
            Exit::Other
        }
    }
}
