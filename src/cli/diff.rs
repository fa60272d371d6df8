//! `aslcheck diff --backend A --backend B (--generate N [--profile P] [--seed S] | CASES…)`:
//! differential runs. Runs the same cases on two implementations, decides agreement
//! ([`differential::compare`], A is the side B is judged against), prints every divergence,
//! and shrinks each one into a ready-to-commit case under `corpus/pending/` (`--out DIR`
//! elsewhere), printing the command that reproduces it. Ends with agreement per area (corpus
//! cases) and per profile (generated cases).
//!
//! CASES are case files or directories: the corpus format (`corpus/README.md`; also files in
//! `corpus/pending/`) or files written by `aslcheck generate --out`.
//!
//! Exit codes: 0 no divergence; 1 divergences found (or other trouble); 2 invalid case files.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use aslcheck_generators::{generate, Profile};
use serde_json::{Map, Value};

use super::conformance::{corpus_dir, Progress};
use super::{make_backend, Exit};
use crate::backend::reference::observation_json;
use crate::backend::{Backend, Mode, Observation, Request};
use crate::corpus::load::{
    case_from_value, cases_root_of, id_for, load_features, parse_strict, LoadError,
};
use crate::corpus::Provenance;
use crate::diff::differential::{self, Agreement};
use crate::diff::normalise::Normaliser;
use crate::diff::render::{mismatch_list, pretty, unified, use_colour};
use crate::diff::shrink::Budget;

pub struct Args {
    /// Exactly two: A (judged as the expected side) and B.
    pub backends: Vec<String>,
    pub cases: Vec<PathBuf>,
    pub generate: u64,
    pub profile: String,
    pub seed: u64,
    pub corpus: Option<PathBuf>,
    /// Where minimised divergences go [default: <corpus>/pending].
    pub out: Option<PathBuf>,
    /// Oracle calls per shrink.
    pub budget: usize,
    /// Ask both backends for the execution history and compare it too.
    pub history: bool,
    pub verbose: bool,
}

/// Where a case comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A case file in the corpus format.
    Corpus { id: String, provenance: Provenance },
    /// A generated case: made now, or read from a file `aslcheck generate --out` wrote.
    Generated {
        profile: String,
        seed: u64,
        generator_version: String,
        shrunk: bool,
    },
}

/// One case of a differential run.
#[derive(Debug, Clone)]
pub struct DiffCase {
    pub origin: Origin,
    pub mode: Mode,
    pub definition: Value,
    pub input: Value,
    pub environment: Value,
}

/// How results are grouped in the summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Area(String),
    Profile(String),
}

impl DiffCase {
    pub fn from_generated(c: aslcheck_generators::Case) -> DiffCase {
        DiffCase {
            origin: Origin::Generated {
                profile: c.profile.clone(),
                seed: c.seed,
                generator_version: c.generator_version.clone(),
                shrunk: c.shrunk,
            },
            mode: Mode::Execution,
            definition: c.definition,
            input: c.input,
            environment: c.environment,
        }
    }

    /// `paths/inputpath-selects-field`, or `generated paths-12`.
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Corpus { id, .. } => id.clone(),
            Origin::Generated {
                profile,
                seed,
                shrunk,
                ..
            } => format!(
                "generated {profile}-{seed}{}",
                if *shrunk { "-shrunk" } else { "" }
            ),
        }
    }

    pub fn group(&self) -> Group {
        match &self.origin {
            Origin::Corpus { id, .. } => {
                Group::Area(id.split('/').next().unwrap_or("").to_string())
            }
            Origin::Generated { profile, .. } => Group::Profile(profile.clone()),
        }
    }

    pub fn request(&self, history: bool) -> Request<'_> {
        Request {
            mode: self.mode,
            definition: &self.definition,
            input: &self.input,
            environment: &self.environment,
            history,
        }
    }
}

/// Loads case files (and the case files in directories, recursively; hidden files and
/// `manifest.json` are passed over). Corpus-format files are checked as strictly as the corpus
/// loader does; a file outside a `cases/` directory (e.g. in `pending/`) keeps its own id.
pub fn load(paths: &[PathBuf], corpus: &Path) -> Result<Vec<DiffCase>, Vec<String>> {
    let features_file = corpus.join("schema").join("features.txt");
    let features = load_features(&features_file).map_err(|e| vec![e.to_string()])?;
    let (files, mut errors) = case_files(paths);
    let mut out = Vec::new();
    for file in files {
        match load_one(&file, &features) {
            Ok(c) => out.push(c),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The case files at `paths`: files as given, and every `*.json` file under directories (sorted;
/// hidden files and `manifest.json` are passed over); problems as messages.
pub fn case_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        collect(p, &mut files, &mut errors);
    }
    (files, errors)
}

fn collect(path: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(e) => e.flatten().map(|e| e.path()).collect(),
            Err(e) => {
                errors.push(format!(
                    "{}: cannot read the directory: {e}",
                    path.display()
                ));
                return;
            }
        };
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "manifest.json" {
                continue;
            }
            if p.is_dir() {
                collect(&p, files, errors);
            } else if name.ends_with(".json") {
                files.push(p);
            }
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        errors.push(format!("{}: no such file or directory", path.display()));
    }
}

fn load_one(
    file: &Path,
    features: &std::collections::BTreeSet<String>,
) -> Result<DiffCase, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let v = parse_strict(&text).map_err(|m| format!("{}: {m}", file.display()))?;
    if let Some(g) = v.get("generator") {
        return generated_file(&v, g).map_err(|m| format!("{}: {m}", file.display()));
    }
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let expected_id = match cases_root_of(&absolute) {
        Some(root) => id_for(&absolute, &root),
        None => v.get("id").and_then(Value::as_str).map(str::to_string),
    };
    let case =
        case_from_value(&v, expected_id.as_deref(), features).map_err(|(pointer, message)| {
            LoadError {
                file: file.to_path_buf(),
                pointer,
                message,
            }
            .to_string()
        })?;
    Ok(DiffCase {
        origin: Origin::Corpus {
            id: case.id,
            provenance: case.provenance,
        },
        mode: case.mode,
        definition: case.definition,
        input: case.input,
        environment: case.environment,
    })
}

/// A file `aslcheck generate --out` wrote: `{"id", "generator": {…}, "definition", "input",
/// "environment"}`.
fn generated_file(v: &Value, g: &Value) -> Result<DiffCase, String> {
    let text = |k: &str| g.get(k).and_then(Value::as_str).map(str::to_string);
    let definition = v
        .get("definition")
        .filter(|d| d.is_object())
        .cloned()
        .ok_or("at /definition: a generated case needs a definition object")?;
    Ok(DiffCase {
        origin: Origin::Generated {
            profile: text("profile").ok_or("at /generator/profile: a string is required")?,
            seed: g
                .get("seed")
                .and_then(Value::as_u64)
                .ok_or("at /generator/seed: a non-negative integer is required")?,
            generator_version: text("version").unwrap_or_default(),
            shrunk: g.get("shrunk").and_then(Value::as_bool).unwrap_or(false),
        },
        mode: Mode::Execution,
        definition,
        input: v
            .get("input")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
        environment: v
            .get("environment")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
    })
}

/// Runs one case; a mode or history the backend lacks skips it, a panic is an error of the
/// implementation (as in [`crate::corpus::observe`]).
pub fn observe(backend: &mut dyn Backend, case: &DiffCase, history: bool) -> Observation {
    if let Some(skip) = unsupported(backend, case, history) {
        return skip;
    }
    let request = case.request(history);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backend.run(&request))) {
        Ok(o) => o,
        Err(_) => Observation::Errored(format!("{} panicked", backend.name())),
    }
}

fn unsupported(backend: &dyn Backend, case: &DiffCase, history: bool) -> Option<Observation> {
    let caps = backend.capabilities();
    if !caps.modes.contains(&case.mode) {
        return Some(Observation::Skipped(format!(
            "{} does not support mode {}",
            backend.name(),
            case.mode.as_str()
        )));
    }
    if history && !caps.history {
        return Some(Observation::Skipped(format!(
            "{} does not return execution history",
            backend.name()
        )));
    }
    None
}

/// Runs every case (as one batch, so backends that run cases concurrently can).
fn observe_all(backend: &mut dyn Backend, cases: &[DiffCase], history: bool) -> Vec<Observation> {
    let mut out: Vec<Option<Observation>> = cases
        .iter()
        .map(|c| unsupported(backend, c, history))
        .collect();
    let runnable: Vec<usize> = (0..cases.len()).filter(|i| out[*i].is_none()).collect();
    let requests: Vec<Request<'_>> = runnable
        .iter()
        .map(|i| cases[*i].request(history))
        .collect();
    let batch = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        backend.run_batch(&requests)
    }));
    match batch {
        Ok(observations) if observations.len() == runnable.len() => {
            for (i, o) in runnable.into_iter().zip(observations) {
                out[i] = Some(o);
            }
        }
        // A panic (or a short answer) in the batch: run one by one to find the culprit.
        _ => {
            for i in runnable {
                out[i] = Some(observe(backend, &cases[i], history));
            }
        }
    }
    out.into_iter()
        .map(|o| o.unwrap_or_else(|| Observation::Errored("not run".into())))
        .collect()
}

/// Agreement counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub agree: usize,
    pub disagree: usize,
    pub inconclusive: usize,
}

impl Tally {
    fn total(&self) -> usize {
        self.agree + self.disagree + self.inconclusive
    }
}

/// Agreement per area and per profile.
#[derive(Debug, Clone, Default)]
pub struct Agreements(pub BTreeMap<Group, Tally>);

impl fmt::Display for Agreements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (title, want_area) in [("area", true), ("profile", false)] {
            let rows: Vec<(&String, &Tally)> = self
                .0
                .iter()
                .filter_map(|(g, t)| match g {
                    Group::Area(a) if want_area => Some((a, t)),
                    Group::Profile(p) if !want_area => Some((p, t)),
                    _ => None,
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let width = rows
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0)
                .max(title.len());
            writeln!(
                f,
                "{title:<width$}  {:>6} {:>6} {:>9} {:>13} {:>10}",
                "total", "agree", "disagree", "inconclusive", "agreement"
            )?;
            for (k, t) in rows {
                let decided = t.agree + t.disagree;
                let pct = if decided == 0 {
                    "-".to_string()
                } else {
                    format!("{:.1}%", 100.0 * t.agree as f64 / decided as f64)
                };
                writeln!(
                    f,
                    "{k:<width$}  {:>6} {:>6} {:>9} {:>13} {:>10}",
                    t.total(),
                    t.agree,
                    t.disagree,
                    t.inconclusive,
                    pct
                )?;
            }
        }
        Ok(())
    }
}

/// The normalised observation as pretty JSON (what the diff shows).
pub fn observation_text(o: &Observation) -> String {
    pretty(&observation_json(&Normaliser::new().observation(o)))
}

pub fn main(args: Args) -> Exit {
    let [a_name, b_name] = match <[String; 2]>::try_from(args.backends.clone()) {
        Ok(pair) => pair,
        Err(_) => {
            eprintln!("diff compares exactly two implementations: give --backend twice (e.g. --backend reference --backend external:adapters/x)");
            return Exit::Other;
        }
    };
    let (mut a, mut b) = match (make_backend(&a_name), make_backend(&b_name)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => {
            eprintln!("{m}");
            return Exit::Other;
        }
    };
    if args.cases.is_empty() && args.generate == 0 {
        eprintln!("nothing to compare: give case files or directories, or --generate N");
        return Exit::Other;
    }
    let corpus = corpus_dir(args.corpus.as_deref());
    let mut cases = if args.cases.is_empty() {
        Vec::new()
    } else {
        match load(&args.cases, &corpus) {
            Ok(c) => c,
            Err(errors) => {
                for e in errors {
                    eprintln!("{e}");
                }
                return Exit::Invalid;
            }
        }
    };
    if args.generate > 0 {
        let profile = match Profile::load(&args.profile) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("--profile {}: {e:?}", args.profile);
                return Exit::Invalid;
            }
        };
        cases.extend(
            (0..args.generate)
                .map(|i| DiffCase::from_generated(generate(&profile, args.seed.wrapping_add(i)))),
        );
    }
    let history = args.history;
    let obs_a = observe_all(a.as_mut(), &cases, history);
    let obs_b = observe_all(b.as_mut(), &cases, history);

    let colour = use_colour();
    let pending = super::shrink::PendingOptions {
        out: args.out.clone().unwrap_or_else(|| corpus.join("pending")),
        corpus: corpus.clone(),
        corpus_arg: args.corpus.clone(),
        budget: Budget {
            max_tests: args.budget,
        },
        history,
        specs: [a_name.clone(), b_name.clone()],
    };
    let mut agreements = Agreements::default();
    let mut trouble = 0usize;
    let mut progress = Progress::new("diff", cases.len());
    for ((case, oa), ob) in cases.iter().zip(&obs_a).zip(&obs_b) {
        let tally = agreements.0.entry(case.group()).or_default();
        match differential::compare(oa, ob) {
            Agreement::Agree => tally.agree += 1,
            Agreement::Inconclusive(reason) => {
                tally.inconclusive += 1;
                if args.verbose {
                    println!("{}: inconclusive: {reason}", case.label());
                }
            }
            Agreement::Disagree(mismatches) => {
                tally.disagree += 1;
                println!(
                    "DIVERGENCE {}: {} and {} disagree",
                    case.label(),
                    a.name(),
                    b.name()
                );
                print!("{}", mismatch_list(&mismatches));
                println!(
                    "  (--- expected is {}, +++ observed is {})",
                    a.name(),
                    b.name()
                );
                print!(
                    "{}",
                    unified(&observation_text(oa), &observation_text(ob), colour)
                );
                match super::shrink::minimise(
                    case,
                    oa,
                    &mismatches,
                    a.as_mut(),
                    b.as_mut(),
                    &pending,
                ) {
                    Ok(p) => print!("{p}"),
                    Err(m) => {
                        trouble += 1;
                        println!("  could not write a pending case: {m}");
                    }
                }
                println!();
            }
        }
        progress.tick();
    }
    print!("{agreements}");
    let total = agreements.0.values().fold(Tally::default(), |t, x| Tally {
        agree: t.agree + x.agree,
        disagree: t.disagree + x.disagree,
        inconclusive: t.inconclusive + x.inconclusive,
    });
    println!(
        "{} cases on {} and {}: {} agree, {} diverge, {} inconclusive",
        cases.len(),
        a.name(),
        b.name(),
        total.agree,
        total.disagree,
        total.inconclusive
    );
    if total.disagree > 0 || trouble > 0 {
        Exit::Other
    } else {
        Exit::Ok
    }
}
