//! `aslcheck replay [PATHS] [--backend B]`: replays corpus cases (files or directories under a
//! `corpus/cases/`) and explains every case that does not pass.

use std::path::PathBuf;

use super::conformance::corpus_dir;
use super::{make_backend, Exit};
use crate::corpus::{self, Summary, Verdict};
use crate::diff::render::use_colour;

pub fn main(paths: Vec<PathBuf>, backend: &str) -> Exit {
    let mut backend = match make_backend(backend) {
        Ok(b) => b,
        Err(m) => {
            eprintln!("{m}");
            return Exit::Other;
        }
    };
    let paths = if paths.is_empty() {
        vec![corpus_dir(None).join("cases")]
    } else {
        paths
    };
    let results = match corpus::replay(&paths, backend.as_mut()) {
        Ok(r) => r,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            return Exit::Invalid;
        }
    };
    // Load the cases again for the explanations (expected values and diffs).
    let colour = use_colour();
    let mut unexpected = 0;
    for r in &results {
        if matches!(r.verdict, Verdict::Pass) {
            continue;
        }
        if !r.verdict.is_ok() {
            unexpected += 1;
        }
        match find_case(&paths, &r.id) {
            Some(case) => print!("{}", corpus::explain(&case, r, colour)),
            None => println!("{}: {}", r.id, r.verdict.label()),
        }
    }
    print!("{}", Summary::of(&results));
    if unexpected > 0 {
        Exit::Other
    } else {
        Exit::Ok
    }
}

fn find_case(paths: &[PathBuf], id: &str) -> Option<corpus::Case> {
    let first = std::fs::canonicalize(paths.first()?).ok()?;
    let root = corpus::load::cases_root_of(&first)?;
    let corpus_root = root.parent()?;
    let features =
        corpus::load::load_features(&corpus_root.join("schema").join("features.txt")).ok()?;
    let file = root.join(format!("{id}.json"));
    corpus::load::load_cases(&root, &[file], &features)
        .ok()?
        .into_iter()
        .next()
}
