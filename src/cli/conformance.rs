//! `aslcheck conformance [--backend B] [--generate N] [--profile P] [--seed S] [--corpus DIR]`:
//! the main job. Replays the whole corpus on a backend (the embedded reference by default), runs N
//! freshly generated cases on it and on the reference, and prints agreement per area and feature.
//! On the reference itself the generated cases are checked against the laws that need no second
//! implementation ([`crate::harness::laws`]: determinism, a terminal answer, a well-formed
//! history) instead. `--write-expectations` writes the backend's known failures from the run.
//! Exits 1 on unexpected failures (a failing case not listed in the backend's expectations, an
//! unexpected pass, an errored case, or a generated case on which the backend and the reference
//! disagree or that breaks a law), and when no case produced a verdict or more cases were indeterminate than
//! `--max-indeterminate` allows ([`crate::harness::inconclusive`]), with the reason in one line.

use std::collections::BTreeSet;
use std::path::PathBuf;

use aslcheck_generators::{generate, Profile};

use super::{error, profile_exit, report_case_errors, Exit, ReportArgs};
use crate::backend::reference::{observation_json, Reference};
use crate::backend::{Backend, Observation};
use crate::corpus::expectations::expectations_text;
use crate::corpus::load::load_features;
use crate::corpus::pending::features;
use crate::corpus::write::{create_dir, write_atomic};
use crate::corpus::Expectations;
use crate::corpus::{self, Runnable};
use crate::diff::agreement::{self, Agreement};
use crate::diff::render::mismatch_line;
use crate::diff::Judgement;
use crate::harness::capable;
use crate::harness::differential::count_inconclusive;
use crate::harness::inconclusive::{Tallies, VerdictArgs};
use crate::harness::laws;
use crate::harness::observe::observe;
use crate::harness::progress::Progress;
use crate::harness::replay::{replay_shard, tallies, CaseResult, Summary, Verdict};
use crate::harness::reporting::{observation_diff, replay_records, verdict_detail};
use crate::harness::shard::Shard;
use crate::harness::subject::BackendArgs;
use crate::report::{command_line, Record, Report};

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
    #[command(flatten)]
    pub report_args: ReportArgs,
    /// Write corpus/expectations/<backend>.toml from this run: every corpus case that fails or
    /// errors is listed with a reason (kept from the file when it has one), and cases that pass
    /// are taken out. For gating an implementation on today's known state.
    #[arg(long)]
    pub write_expectations: bool,
    /// Run only shard K of N of the cases (e.g. 2/4), for a CI matrix; merge the shards' reports
    /// with `aslcheck report merge`.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    pub shard: Shard,
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
    let dir = corpus::default_dir(args.corpus.as_deref());
    let cases_dir = dir.join("cases");
    let replayed = match replay_shard(
        std::slice::from_ref(&cases_dir),
        backend.as_mut(),
        args.shard,
    ) {
        Ok(r) => r,
        Err(errors) => return report_case_errors(&errors),
    };
    let mut replayed = replayed;
    if args.write_expectations {
        if args.shard != Shard::ALL {
            error("--write-expectations needs the whole corpus: drop --shard");
            return Exit::Other;
        }
        match write_expectations(&dir, backend.name(), &args.backend, &mut replayed.results) {
            Ok((file, n)) => eprintln!("note: wrote {n} known failures to {}", file.display()),
            Err(m) => {
                error(m);
                return Exit::Other;
            }
        }
    }
    let mut records = replay_records(&replayed.cases, &replayed.results);
    let results = replayed.results;
    let mut unexpected = 0usize;
    for r in &results {
        let bad = !r.verdict.is_ok();
        if bad {
            unexpected += 1;
        }
        if bad || (args.verbose && !matches!(r.verdict, Verdict::Pass)) {
            println!(
                "{}: {} ({})",
                r.id,
                r.verdict.label(),
                verdict_detail(&r.verdict)
            );
        }
    }
    let summary = Summary::of(&results);
    println!("corpus: {} cases on {}", results.len(), backend.name());
    print!("{summary}");
    let mut counted = tallies(&results);

    if args.generate > 0 {
        let vocabulary =
            load_features(&dir.join("schema").join("features.txt")).unwrap_or_default();
        match generated(&args, backend.as_mut(), &vocabulary) {
            Ok((disagreements, t, r)) => {
                unexpected += disagreements;
                counted.add(&t);
                records.extend(r);
            }
            Err((m, exit)) => {
                error(&m);
                return exit;
            }
        }
    }
    let report = Report {
        command: command_line(),
        records,
        clusters: Vec::new(),
    };
    if let Err(m) = args.report_args.write(&report, previous.as_ref()) {
        error(m);
        return Exit::Other;
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

/// Writes `<corpus>/expectations/<backend>.toml` from `results` (every failing or errored case,
/// with the reason the file gave it or the run's first mismatch) and re-judges the results by
/// it. Returns the file and the number of entries.
fn write_expectations(
    corpus: &std::path::Path,
    backend: &str,
    spec: &str,
    results: &mut [CaseResult],
) -> Result<(PathBuf, usize), String> {
    let file = Expectations::file_for(corpus, backend);
    let old = Expectations::for_backend(corpus, backend).map_err(|e| e.to_string())?;
    let mut failures = std::collections::BTreeMap::new();
    for r in results.iter_mut() {
        let judgement = match std::mem::replace(&mut r.verdict, Verdict::Pass) {
            Verdict::ExpectedFailure { judgement, .. } => judgement,
            Verdict::Fail { mismatches } => Judgement::Fail { mismatches },
            Verdict::Errored { message } => Judgement::Errored { message },
            Verdict::UnexpectedPass { .. } | Verdict::Pass => Judgement::Pass,
            Verdict::Skipped { reason } => Judgement::Skipped { reason },
            Verdict::Indeterminate { reason } => Judgement::Indeterminate { reason },
        };
        let reason = match &judgement {
            Judgement::Fail { mismatches } => {
                Some(old.reason(&r.id).map(str::to_string).unwrap_or_else(|| {
                    let first = mismatches
                        .first()
                        .map(|m| m.to_string())
                        .unwrap_or_default();
                    clip(&format!("fails: {first}"))
                }))
            }
            Judgement::Errored { message } => Some(
                old.reason(&r.id)
                    .map(str::to_string)
                    .unwrap_or_else(|| clip(&format!("errored: {message}"))),
            ),
            _ => None,
        };
        if let Some(reason) = &reason {
            failures.insert(r.id.clone(), reason.clone());
        }
        r.verdict = Verdict::new(judgement, reason.as_deref());
    }
    if let Some(dir) = file.parent() {
        create_dir(dir).map_err(|e| e.to_string())?;
    }
    let text = expectations_text(
        backend,
        &format!("aslcheck conformance --backend {spec} --write-expectations"),
        &failures,
    );
    write_atomic(&file, &text).map_err(|e| e.to_string())?;
    Ok((file, failures.len()))
}

/// At most 200 characters, on one line.
fn clip(s: &str) -> String {
    crate::diff::render::clip(&s.split_whitespace().collect::<Vec<_>>().join(" "), 200)
}

/// Runs N generated cases on the backend and on the reference; returns the number of
/// disagreements, what the cases ended with, and their report records.
fn generated(
    args: &Args,
    backend: &mut dyn Backend,
    vocabulary: &BTreeSet<String>,
) -> Result<(usize, Tallies, Vec<Record>), (String, Exit)> {
    let mut profile = Profile::load(&args.profile)
        .map_err(|e| (format!("--profile {}: {e}", args.profile), profile_exit(&e)))?;
    let mut reference = Reference::default();
    let backends = [
        (reference.name(), reference.capabilities()),
        (backend.name(), backend.capabilities()),
    ];
    for note in capable::fit(&mut profile, &backends) {
        eprintln!("note: {note}");
    }
    let (mut agree, mut disagree, mut inconclusive) = (0usize, 0usize, 0usize);
    let mut counted = Tallies::default();
    let mut records = Vec::new();
    let share = (0..args.generate)
        .filter(|i| args.shard.keeps(*i as usize))
        .count();
    let mut progress = Progress::new("generated", share);
    // On the reference itself, a comparison with the reference says nothing: check the laws.
    let laws_only = backend.name() == reference.name();
    for i in 0..args.generate {
        if !args.shard.keeps(i as usize) {
            continue;
        }
        let seed = args.seed.wrapping_add(i);
        let case = Runnable::from_generated(generate(&profile, seed));
        let request = case.request(false);
        if laws_only {
            // The reference judged by the laws that need no second implementation.
            let (observed, broken) = laws::check(backend, &request);
            let ok = match &observed {
                Observation::Skipped(_) | Observation::Indeterminate(_) => None,
                Observation::Errored(_) => Some(false),
                _ => Some(broken.is_empty()),
            };
            match ok {
                Some(true) => {
                    agree += 1;
                    counted.verdict();
                }
                Some(false) => {
                    disagree += 1;
                    counted.verdict();
                    println!(
                        "{} (profile {}, seed {seed}): {} breaks a law: {}",
                        case.label(),
                        profile.name,
                        backend.name(),
                        if broken.is_empty() {
                            format!("{observed:?}")
                        } else {
                            broken.join("; ")
                        }
                    );
                }
                None => {
                    inconclusive += 1;
                    count_inconclusive(&mut counted, &observed, &observed, "no verdict");
                }
            }
            records.push(Record {
                case: case.label(),
                area: format!("generated/{}", profile.name),
                features: features(&case.definition, vocabulary),
                implementation: backend.name().to_string(),
                against: "laws".into(),
                verdict: match ok {
                    Some(true) => "pass",
                    Some(false) => "fail",
                    None => "indeterminate",
                }
                .into(),
                ok,
                detail: broken.join("; "),
                diff: None,
                observation: observation_json(&observed),
                cluster: None,
            });
            progress.tick();
            continue;
        }
        let expected = observe(&mut reference, &request);
        let observed = observe(backend, &request);
        let mut record = Record {
            case: case.label(),
            area: format!("generated/{}", profile.name),
            features: features(&case.definition, vocabulary),
            implementation: backend.name().to_string(),
            against: reference.name().to_string(),
            verdict: "agree".into(),
            ok: Some(true),
            detail: String::new(),
            diff: None,
            observation: observation_json(&observed),
            cluster: None,
        };
        match agreement::compare(&expected, &observed) {
            Agreement::Agree => {
                agree += 1;
                counted.verdict();
            }
            Agreement::Inconclusive(reason) => {
                inconclusive += 1;
                count_inconclusive(&mut counted, &expected, &observed, &reason);
                record.verdict = "inconclusive".into();
                record.ok = None;
                record.detail = reason;
            }
            Agreement::Disagree(m) => {
                disagree += 1;
                counted.verdict();
                record.verdict = "diverge".into();
                record.ok = Some(false);
                record.detail = mismatch_line(&m);
                record.diff = Some(observation_diff(&expected, &observed));
                println!(
                    "{} (profile {}, seed {seed}): {} disagrees with the reference: {}",
                    case.label(),
                    profile.name,
                    backend.name(),
                    mismatch_line(&m)
                );
            }
        }
        records.push(record);
        progress.tick();
    }
    println!(
        "generated: {share} cases (profile {}, seeds {}..{}{}): {agree} {}, {disagree} {}, {inconclusive} inconclusive",
        profile.name,
        args.seed,
        args.seed.wrapping_add(args.generate),
        if args.shard == Shard::ALL {
            String::new()
        } else {
            format!(", shard {}", args.shard)
        },
        if laws_only {
            "keep the laws (determinism, a terminal answer, a well-formed history)"
        } else {
            "agree"
        },
        if laws_only { "break one" } else { "disagree" }
    );
    Ok((disagree, counted, records))
}
