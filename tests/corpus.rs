//! Replays the conformance corpus (`corpus/cases/**.json`) on the reference interpreter.
//!
//! One trial per case, named by its id and of the kind of its area, so the usual filters work:
//! `cargo test --test corpus -- retry` runs the cases whose name contains "retry"; `--list`
//! lists them; `cargo nextest run --test corpus` runs each in its own process. Known failures
//! come from `corpus/expectations/reference.toml`: they pass as expected failures, and one that
//! starts passing fails loudly so its entry gets removed. Set `ASLCHECK_CORPUS_SUMMARY=1` to print
//! a summary by area and feature after the run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aslcheck::backend::reference::Reference;
use aslcheck::corpus::{Corpus, Expectations};
use aslcheck::diff::render::{use_colour, ColorChoice};
use aslcheck::harness::replay::{self, Summary, Verdict};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn main() {
    let args = Arguments::from_args();
    let root = corpus_root();
    let results = Arc::new(Mutex::new(Vec::new()));
    let mut trials = Vec::new();
    match Corpus::load(&root) {
        Err(errors) => {
            let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            trials.push(
                Trial::test("corpus/load", move || Err(Failed::from(text.join("\n"))))
                    .with_kind("corpus"),
            );
        }
        Ok(corpus) => {
            let expectations = match Expectations::for_backend(&root, "reference") {
                Ok(e) => e,
                Err(e) => {
                    let text = e.to_string();
                    trials.push(
                        Trial::test("corpus/expectations", move || Err(Failed::from(text)))
                            .with_kind("corpus"),
                    );
                    Expectations::default()
                }
            };
            let ids: Vec<&str> = corpus.cases.iter().map(|c| c.id.as_str()).collect();
            let stale: Vec<String> = expectations
                .unknown_ids(&ids)
                .into_iter()
                .map(str::to_string)
                .collect();
            let file = expectations.file.display().to_string();
            trials.push(
                Trial::test("corpus/expectations-name-cases", move || {
                    if stale.is_empty() {
                        Ok(())
                    } else {
                        Err(Failed::from(format!(
                            "{file} lists ids that are not cases: {}",
                            stale.join(", ")
                        )))
                    }
                })
                .with_kind("corpus"),
            );
            // The library entry point later CLI commands use: load a directory, replay, summarise.
            let history_dir = root.join("cases").join("history");
            trials.push(
                Trial::test("corpus/replay-api", move || {
                    let results = replay::replay(&[history_dir], &mut Reference::default())
                        .map_err(|e| {
                            Failed::from(
                                e.iter()
                                    .map(|e| e.to_string())
                                    .collect::<Vec<_>>()
                                    .join("\n"),
                            )
                        })?
                        .results;
                    let summary = Summary::of(&results);
                    match (
                        results.is_empty(),
                        summary.by_area.keys().collect::<Vec<_>>(),
                    ) {
                        (false, areas) if areas == ["history"] => Ok(()),
                        (_, areas) => Err(Failed::from(format!(
                            "replay of cases/history gave areas {areas:?}"
                        ))),
                    }
                })
                .with_kind("corpus"),
            );
            let expectations = Arc::new(expectations);
            for case in corpus.cases {
                let expectations = Arc::clone(&expectations);
                let results = Arc::clone(&results);
                let kind = case.area().to_string();
                trials.push(
                    Trial::ignorable_test(case.id.clone(), move || {
                        let mut backend = Reference::default();
                        let result = replay::run_case(&case, &mut backend, &expectations);
                        let verdict = result.verdict.clone();
                        let text = replay::explain(&case, &result, use_colour(ColorChoice::Auto));
                        if let Ok(mut r) = results.lock() {
                            r.push(result);
                        }
                        match verdict {
                            Verdict::Pass | Verdict::ExpectedFailure { .. } => {
                                Ok(Completion::Completed)
                            }
                            Verdict::Skipped { reason } | Verdict::Indeterminate { reason } => {
                                Ok(Completion::ignored_with(reason))
                            }
                            Verdict::Fail { .. }
                            | Verdict::Errored { .. }
                            | Verdict::UnexpectedPass { .. } => Err(Failed::from(text)),
                        }
                    })
                    .with_kind(kind),
                );
            }
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if std::env::var_os("ASLCHECK_CORPUS_SUMMARY").is_some() {
        if let Ok(r) = results.lock() {
            eprintln!("\n{}", Summary::of(&r));
        }
    }
    conclusion.exit();
}
