//! Replaying corpus cases on a backend: observe each case ([`super::observe`]), judge the
//! observation against the expected result ([`crate::diff::judge`]), apply the backend's
//! expectations file, and summarise by area and feature.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::inconclusive::Tallies;
use super::observe::observe;
use super::progress::Progress;
use super::shard::Shard;
use crate::backend::{Backend, Observation, Request};
use crate::corpus::load::{self, LoadError};
use crate::corpus::{Case, Expectations};
use crate::diff::{self, Judgement, Mismatch};

/// The verdict on one case for one implementation, expectations applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    Fail {
        mismatches: Vec<Mismatch>,
    },
    Skipped {
        reason: String,
    },
    Indeterminate {
        reason: String,
    },
    Errored {
        message: String,
    },
    /// Failed (or errored) as the expectations file says it does.
    ExpectedFailure {
        reason: String,
        judgement: Judgement,
    },
    /// Listed as a known failure but passed: the entry must go (fails the run).
    UnexpectedPass {
        reason: String,
    },
}

impl Verdict {
    /// Applies a known-failure reason (if any) to a comparison outcome.
    pub fn new(judgement: Judgement, known_failure: Option<&str>) -> Verdict {
        match (judgement, known_failure) {
            (Judgement::Pass, Some(r)) => Verdict::UnexpectedPass {
                reason: r.to_string(),
            },
            (o @ (Judgement::Fail { .. } | Judgement::Errored { .. }), Some(r)) => {
                Verdict::ExpectedFailure {
                    reason: r.to_string(),
                    judgement: o,
                }
            }
            (Judgement::Pass, None) => Verdict::Pass,
            (Judgement::Fail { mismatches }, None) => Verdict::Fail { mismatches },
            (Judgement::Errored { message }, None) => Verdict::Errored { message },
            (Judgement::Skipped { reason }, _) => Verdict::Skipped { reason },
            (Judgement::Indeterminate { reason }, _) => Verdict::Indeterminate { reason },
        }
    }

    /// False for the verdicts that fail a run: Fail, Errored, UnexpectedPass.
    pub fn is_ok(&self) -> bool {
        !matches!(
            self,
            Verdict::Fail { .. } | Verdict::Errored { .. } | Verdict::UnexpectedPass { .. }
        )
    }

    /// A short lowercase name (`pass`, `fail`, `skipped`, `indeterminate`, `errored`,
    /// `expected-failure`, `unexpected-pass`).
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail { .. } => "fail",
            Verdict::Skipped { .. } => "skipped",
            Verdict::Indeterminate { .. } => "indeterminate",
            Verdict::Errored { .. } => "errored",
            Verdict::ExpectedFailure { .. } => "expected-failure",
            Verdict::UnexpectedPass { .. } => "unexpected-pass",
        }
    }
}

/// The result of one case on one backend.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub id: String,
    pub area: String,
    pub features: Vec<String>,
    pub backend: String,
    /// The raw observation, as the backend returned it.
    pub observation: Observation,
    pub verdict: Verdict,
}

/// Runs and judges one case.
pub fn run_case(case: &Case, backend: &mut dyn Backend, expectations: &Expectations) -> CaseResult {
    let request = Request {
        mode: case.mode,
        definition: &case.definition,
        input: &case.input,
        environment: &case.environment,
        history: case.wants_history(),
    };
    let observation = observe(backend, &request);
    let judgement = diff::judge(&case.expected, &observation);
    CaseResult {
        id: case.id.clone(),
        area: case.area().to_string(),
        features: case.features.clone(),
        backend: backend.name().to_string(),
        observation,
        verdict: Verdict::new(judgement, expectations.reason(&case.id)),
    }
}

/// Runs already loaded cases.
pub fn replay_cases(
    cases: &[Case],
    backend: &mut dyn Backend,
    expectations: &Expectations,
) -> Vec<CaseResult> {
    let mut progress = Progress::new("corpus", cases.len());
    cases
        .iter()
        .map(|c| {
            let r = run_case(c, backend, expectations);
            progress.tick();
            r
        })
        .collect()
}

/// What the results ended with: verdicts, skipped and indeterminate cases (with their reasons),
/// for [`Tallies::check`].
pub fn tallies(results: &[CaseResult]) -> Tallies {
    let mut t = Tallies::default();
    for r in results {
        match &r.verdict {
            Verdict::Skipped { .. } => t.skipped(),
            Verdict::Indeterminate { reason } => t.indeterminate(reason),
            _ => t.verdict(),
        }
    }
    t
}

/// The cases a replay ran and their results, in the same order.
#[derive(Debug, Clone)]
pub struct Replay {
    pub cases: Vec<Case>,
    pub results: Vec<CaseResult>,
}

/// Loads the cases at `paths` (case files or directories inside one `corpus/cases/`), runs them
/// on `backend` and judges them, applying `corpus/expectations/<backend name>.toml` when it exists.
pub fn replay(paths: &[PathBuf], backend: &mut dyn Backend) -> Result<Replay, Vec<LoadError>> {
    replay_shard(paths, backend, Shard::ALL)
}

/// [`replay`] of one shard's share of the cases (all of them are loaded and checked).
pub fn replay_shard(
    paths: &[PathBuf],
    backend: &mut dyn Backend,
    shard: Shard,
) -> Result<Replay, Vec<LoadError>> {
    let no_root = |p: &Path| LoadError {
        file: p.to_path_buf(),
        pointer: String::new(),
        message: "not inside a corpus cases/ directory".into(),
    };
    let Some(first) = paths.first() else {
        return Err(vec![LoadError {
            file: PathBuf::new(),
            pointer: String::new(),
            message: "no case files or directories given".into(),
        }]);
    };
    let missing: Vec<LoadError> = paths
        .iter()
        .filter(|p| !p.exists())
        .map(|p| LoadError {
            file: p.clone(),
            pointer: String::new(),
            message: "no such file or directory".into(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let first = std::fs::canonicalize(first).unwrap_or_else(|_| first.clone());
    let cases_root = load::cases_root_of(&first).ok_or_else(|| vec![no_root(&first)])?;
    let mut absolute = Vec::with_capacity(paths.len());
    for p in paths {
        let a = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        if !a.starts_with(&cases_root) {
            return Err(vec![no_root(p)]);
        }
        absolute.push(a);
    }
    let corpus_root = cases_root
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let features = load::load_features(&corpus_root.join("schema").join("features.txt"))
        .map_err(|e| vec![e])?;
    let cases = shard.take(load::load_cases(&cases_root, &absolute, &features)?);
    let expectations =
        Expectations::for_backend(&corpus_root, backend.name()).map_err(|e| vec![e])?;
    let results = replay_cases(&cases, backend, &expectations);
    Ok(Replay { cases, results })
}

/// An explanation of a result for people: the verdict, and for failures the mismatches and a
/// unified diff (coloured when `colour`).
pub fn explain(case: &Case, result: &CaseResult, colour: bool) -> String {
    let mut out = format!(
        "{} [{}]: {}\n",
        result.id,
        result.backend,
        result.verdict.label()
    );
    let diff_of = |mismatches: &[Mismatch]| {
        diff::render::report(&case.expected, &result.observation, mismatches, colour)
    };
    match &result.verdict {
        Verdict::Pass => {}
        Verdict::Fail { mismatches } => out.push_str(&diff_of(mismatches)),
        Verdict::Skipped { reason } | Verdict::Indeterminate { reason } => {
            out.push_str(reason);
            out.push('\n');
        }
        Verdict::Errored { message } => {
            out.push_str(message);
            out.push('\n');
        }
        Verdict::ExpectedFailure { reason, judgement } => {
            out.push_str(&format!("known failure: {reason}\n"));
            if let Judgement::Fail { mismatches } = judgement {
                out.push_str(&diff_of(mismatches));
            }
        }
        Verdict::UnexpectedPass { reason } => out.push_str(&format!(
            "UNEXPECTED PASS: the case is listed as a known failure ({reason:?}) but passes; remove it from the expectations file\n"
        )),
    }
    out
}

/// Verdict counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub skipped: usize,
    pub indeterminate: usize,
    pub errored: usize,
    pub expected_failure: usize,
    pub unexpected_pass: usize,
}

impl Counts {
    pub fn add(&mut self, v: &Verdict) {
        match v {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail { .. } => self.fail += 1,
            Verdict::Skipped { .. } => self.skipped += 1,
            Verdict::Indeterminate { .. } => self.indeterminate += 1,
            Verdict::Errored { .. } => self.errored += 1,
            Verdict::ExpectedFailure { .. } => self.expected_failure += 1,
            Verdict::UnexpectedPass { .. } => self.unexpected_pass += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.pass
            + self.fail
            + self.skipped
            + self.indeterminate
            + self.errored
            + self.expected_failure
            + self.unexpected_pass
    }
}

/// Results summarised by area and by feature (derived from the results, never stored apart).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: Counts,
    pub by_area: BTreeMap<String, Counts>,
    pub by_feature: BTreeMap<String, Counts>,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.total.add(&r.verdict);
            s.by_area.entry(r.area.clone()).or_default().add(&r.verdict);
            for f in &r.features {
                s.by_feature.entry(f.clone()).or_default().add(&r.verdict);
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn table(
            f: &mut fmt::Formatter<'_>,
            title: &str,
            rows: &BTreeMap<String, Counts>,
        ) -> fmt::Result {
            let width = rows
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0)
                .max(title.len());
            writeln!(
                f,
                "{title:<width$}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
                "total", "pass", "fail", "xfail", "xpass", "err", "skip", "indet"
            )?;
            for (k, c) in rows {
                writeln!(
                    f,
                    "{k:<width$}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
                    c.total(),
                    c.pass,
                    c.fail,
                    c.expected_failure,
                    c.unexpected_pass,
                    c.errored,
                    c.skipped,
                    c.indeterminate
                )?;
            }
            Ok(())
        }
        let t = &self.total;
        writeln!(
            f,
            "{} cases: {} pass, {} fail, {} expected failures, {} unexpected passes, {} errored, {} skipped, {} indeterminate",
            t.total(),
            t.pass,
            t.fail,
            t.expected_failure,
            t.unexpected_pass,
            t.errored,
            t.skipped,
            t.indeterminate
        )?;
        writeln!(f)?;
        table(f, "area", &self.by_area)?;
        writeln!(f)?;
        table(f, "feature", &self.by_feature)
    }
}
