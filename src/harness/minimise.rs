//! Minimising a divergence and writing it as a pending corpus case: the pure shrinker
//! ([`crate::diff::shrink`]) driven by an oracle that runs both implementations
//! ([`shrink_divergence`]), then the smallest case written to `corpus/pending/`
//! ([`crate::corpus::pending`]) with the command that reproduces it ([`write_pending`]).

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::observe::observe;
use super::subject::BackendArgs;
use crate::backend::reference::observation_json;
use crate::backend::spec::ENABLE_FAULTS;
use crate::backend::{Backend, Observation};
use crate::corpus::load::{load_features, LoadError};
use crate::corpus::pending::PendingCase;
use crate::corpus::write::{create_dir, write_atomic, WriteError};
use crate::corpus::{Origin, Provenance, Runnable};
use crate::diff::agreement::{self, Agreement};
use crate::diff::shrink::{self, state_count, Budget, StateInputs, Stop, Subject};
use crate::diff::{Mismatch, Signature};

/// Where and how minimised cases are written.
#[derive(Debug, Clone)]
pub struct PendingOptions {
    /// The directory pending cases go to (`<corpus>/pending` by default).
    pub out: PathBuf,
    /// The corpus (for the feature vocabulary and the area directories).
    pub corpus: PathBuf,
    /// `--corpus` as given, repeated in the reproducing command.
    pub corpus_arg: Option<PathBuf>,
    pub budget: Budget,
    pub history: bool,
    /// The two `--backend` values as given (the reproducing command repeats them).
    pub specs: [String; 2],
    /// The backend flags of the run (the reproducing command repeats them).
    pub backend_args: BackendArgs,
}

/// A minimised divergence, written.
#[derive(Debug, Clone)]
pub struct Pending {
    pub file: PathBuf,
    pub states_before: usize,
    pub states_after: usize,
    pub tests: usize,
    pub stop: Stop,
    /// The file was there already with this very content.
    pub unchanged: bool,
    /// The command that reproduces the divergence.
    pub command: String,
    /// The divergence's signature, kept from the original case to the shrunk one.
    pub signature: Signature,
}

impl fmt::Display for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stop = match self.stop {
            Stop::Fixpoint => "minimal",
            Stop::BudgetExhausted => "budget exhausted, maybe not minimal",
        };
        writeln!(
            f,
            "  shrunk: {} states -> {} in {} runs ({stop})",
            self.states_before, self.states_after, self.tests
        )?;
        let note = if self.unchanged {
            " (already there)"
        } else {
            ""
        };
        writeln!(f, "  signature: {}", self.signature)?;
        writeln!(f, "  pending case: {}{note}", self.file.display())?;
        writeln!(f, "  reproduce: {}", self.command)
    }
}

/// Why a pending case could not be written.
#[derive(Debug)]
pub enum MinimiseError {
    /// The corpus's feature vocabulary could not be read.
    Features(LoadError),
    Write(WriteError),
    /// A thousand pending cases of that name exist already.
    TooMany(String),
}

impl fmt::Display for MinimiseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MinimiseError::Features(e) => e.fmt(f),
            MinimiseError::Write(e) => e.fmt(f),
            MinimiseError::TooMany(id) => write!(f, "too many pending cases named {id}-N"),
        }
    }
}

impl std::error::Error for MinimiseError {}

/// A divergence shrunk, not yet written.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The smallest case found (the original when nothing smaller diverges the same way).
    pub case: Runnable,
    /// A's observation of [`Shrunk::case`].
    pub observed: Observation,
    /// B's observation of [`Shrunk::case`].
    pub observed_b: Observation,
    pub states_before: usize,
    pub tests: usize,
    pub stop: Stop,
    /// The divergence's signature, kept from the original case to the shrunk one.
    pub signature: Signature,
}

impl Shrunk {
    pub fn states_after(&self) -> usize {
        state_count(&self.case.definition)
    }
}

/// Shrinks a case on which `a` and `b` disagree (`observed` are A's and B's observations,
/// `mismatches` the disagreement). A candidate is kept only while the two implementations still
/// disagree with the same [`Signature`] — the same members differ, with the same error names
/// and masked causes on each side — so the shrunk case shows the defect the original showed,
/// not another one met on the way down.
pub fn shrink_divergence(
    case: &Runnable,
    observed: [&Observation; 2],
    mismatches: &[Mismatch],
    a: &mut dyn Backend,
    b: &mut dyn Backend,
    options: &PendingOptions,
) -> Shrunk {
    let mut oracle = PairOracle {
        case,
        wanted: Signature::of(observed[0], observed[1], mismatches),
        backends: [a, b],
        options,
    };
    let start = Subject {
        definition: case.definition.clone(),
        input: case.input.clone(),
        environment: case.environment.clone(),
    };
    let shrunk = shrink::shrink(start.clone(), options.budget, &mut oracle);
    // Run the result once more for the observations (and to be sure it still diverges).
    let (subject, (observed, observed_b)) = match oracle.diverges(&shrunk.subject) {
        Some(o) => (shrunk.subject, o),
        None => (start, (observed[0].clone(), observed[1].clone())),
    };
    Shrunk {
        case: case.with(subject.definition, subject.input, subject.environment),
        observed,
        observed_b,
        states_before: state_count(&case.definition),
        tests: shrunk.tests,
        stop: shrunk.stop,
        signature: oracle.wanted,
    }
}

/// The shrinker's oracle for a divergence: both implementations run a candidate, which is kept
/// while they disagree with the wanted signature.
struct PairOracle<'a> {
    case: &'a Runnable,
    wanted: Signature,
    backends: [&'a mut dyn Backend; 2],
    options: &'a PendingOptions,
}

impl PairOracle<'_> {
    fn candidate(&self, s: &Subject) -> Runnable {
        self.case
            .with(s.definition.clone(), s.input.clone(), s.environment.clone())
    }

    fn diverges(&mut self, s: &Subject) -> Option<(Observation, Observation)> {
        let candidate = self.candidate(s);
        let request = candidate.request(self.options.history);
        let [a, b] = &mut self.backends;
        let oa = observe(&mut **a, &request);
        let ob = observe(&mut **b, &request);
        match agreement::compare(&oa, &ob) {
            Agreement::Disagree(m) if Signature::of(&oa, &ob, &m) == self.wanted => Some((oa, ob)),
            _ => None,
        }
    }
}

impl shrink::Oracle for &mut PairOracle<'_> {
    fn interesting(&mut self, s: &Subject) -> bool {
        self.diverges(s).is_some()
    }

    /// From the history of the first implementation that gives one.
    fn state_inputs(&mut self, s: &Subject) -> StateInputs {
        let candidate = self.candidate(s);
        let request = candidate.request(true);
        let Some(backend) = self.backends.iter_mut().find(|b| b.capabilities().history) else {
            return StateInputs::new();
        };
        match observe(&mut **backend, &request) {
            Observation::Execution {
                history: Some(h), ..
            } => entered_inputs(&h),
            _ => StateInputs::new(),
        }
    }
}

/// The input each state was entered with (`stateEnteredEventDetails`); a state entered more
/// than once with different inputs is left out.
fn entered_inputs(history: &[Value]) -> StateInputs {
    let mut out = StateInputs::new();
    let mut ambiguous = std::collections::BTreeSet::new();
    for event in history {
        let Some(d) = event.get("stateEnteredEventDetails") else {
            continue;
        };
        let (Some(name), Some(input)) = (
            d.get("name").and_then(Value::as_str),
            d.get("input")
                .and_then(Value::as_str)
                .and_then(|t| serde_json::from_str::<Value>(t).ok()),
        ) else {
            continue;
        };
        match out.get(name) {
            Some(seen) if *seen != input => {
                ambiguous.insert(name.to_string());
            }
            _ => {
                out.insert(name.to_string(), input);
            }
        }
    }
    out.retain(|k, _| !ambiguous.contains(k));
    out
}

/// Shrinks a divergence ([`shrink_divergence`]) and writes it to the pending directory
/// ([`write_pending`]).
pub fn minimise(
    case: &Runnable,
    observed: [&Observation; 2],
    mismatches: &[Mismatch],
    a: &mut dyn Backend,
    b: &mut dyn Backend,
    options: &PendingOptions,
) -> Result<Pending, MinimiseError> {
    let shrunk = shrink_divergence(case, observed, mismatches, a, b, options);
    let backends = [a.name().to_string(), b.name().to_string()];
    write_pending(case, &shrunk, &backends, options, &[])
}

/// Writes a shrunk divergence of `original` as a pending case (never over another file: a
/// taken id gets a `-N` suffix); `tags` are added to the case's `pending` tag.
pub fn write_pending(
    original: &Runnable,
    shrunk: &Shrunk,
    backends: &[String; 2],
    options: &PendingOptions,
    tags: &[String],
) -> Result<Pending, MinimiseError> {
    let features = load_features(&options.corpus.join("schema").join("features.txt"))
        .map_err(MinimiseError::Features)?;
    let (id, from) = pending_id(original, &options.corpus);
    let differing: Vec<String> = shrunk.signature.members.iter().cloned().collect();
    let expected = observation_json(&shrunk.observed);
    let mut n = 1;
    loop {
        let id = if n == 1 {
            id.clone()
        } else {
            format!("{id}-{n}")
        };
        let file = options.out.join(format!("{id}.json"));
        let command = reproduce(options, &file);
        let text = PendingCase {
            id: &id,
            from: &from,
            differing: &differing,
            backends,
            command: &command,
            mode: original.mode,
            definition: &shrunk.case.definition,
            input: &shrunk.case.input,
            environment: &shrunk.case.environment,
            expected: &expected,
            tags,
        }
        .text(&features);
        let existing = std::fs::read_to_string(&file).ok();
        if existing.as_deref().is_none_or(|e| e == text) {
            let unchanged = existing.is_some();
            if !unchanged {
                if let Some(dir) = file.parent() {
                    create_dir(dir).map_err(MinimiseError::Write)?;
                }
                write_atomic(&file, &text).map_err(MinimiseError::Write)?;
            }
            return Ok(Pending {
                file,
                states_before: shrunk.states_before,
                states_after: shrunk.states_after(),
                tests: shrunk.tests,
                stop: shrunk.stop,
                unchanged,
                command,
                signature: shrunk.signature.clone(),
            });
        }
        // Another pending case has this id: never overwrite a maintainer's file.
        n += 1;
        if n > 1000 {
            return Err(MinimiseError::TooMany(id));
        }
    }
}

/// The pending case's id and its `from` provenance.
fn pending_id(case: &Runnable, corpus: &Path) -> (String, String) {
    match &case.origin {
        Origin::Corpus {
            id,
            provenance: Provenance::Minimised { from },
        } => (id.clone(), from.clone()),
        Origin::Corpus { id, .. } => (format!("{id}-min"), id.clone()),
        Origin::Generated {
            profile,
            seed,
            generator_version,
            shrunk,
        } => {
            let p = id_segment(profile);
            let area = if corpus.join("cases").join(&p).is_dir() {
                p.clone()
            } else {
                "generated".into()
            };
            let name = format!("{p}-{seed}{}", if *shrunk { "-shrunk" } else { "" });
            let from = format!(
                "generated: aslcheck-generators {generator_version}, profile {profile}, seed {seed}{}",
                if *shrunk { " (already shrunk by the generator)" } else { "" }
            );
            (format!("{area}/{name}"), from)
        }
    }
}

/// A valid id segment: lowercase letters, digits, `-`, `_`, `.`, starting with a letter or digit.
fn id_segment(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        out.insert(0, 'x');
    }
    out
}

/// The shell command that reproduces the divergence: the same backends with the same flags.
/// It names the pending directory too, so running it finds the case already there instead of
/// writing a second copy.
fn reproduce(options: &PendingOptions, file: &Path) -> String {
    let mut words: Vec<String> = Vec::new();
    if options.specs.iter().any(|b| b.contains("+fault=")) {
        words.push(format!("{ENABLE_FAULTS}=1"));
    }
    words.push("aslcheck".into());
    words.push("diff".into());
    for b in &options.specs {
        words.push("--backend".into());
        words.push(quote(b));
    }
    words.extend(options.backend_args.to_argv().iter().map(|w| quote(w)));
    if let Some(c) = &options.corpus_arg {
        words.push("--corpus".into());
        words.push(quote(&c.display().to_string()));
    }
    words.push("--out".into());
    words.push(quote(&options.out.display().to_string()));
    words.push(quote(&file.display().to_string()));
    words.join(" ")
}

fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=+,@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_ids() {
        assert_eq!(quote("external:adapters/x"), "external:adapters/x");
        assert_eq!(quote("external:node a.js"), "'external:node a.js'");
        assert_eq!(id_segment("My Profile"), "my-profile");
    }

    #[test]
    fn the_reproduce_command_repeats_backends_and_their_flags() {
        let options = PendingOptions {
            out: PathBuf::from("corpus/pending"),
            corpus: PathBuf::from("corpus"),
            corpus_arg: None,
            budget: Budget::default(),
            history: false,
            specs: ["reference".into(), "sfn-api".into()],
            backend_args: BackendArgs {
                endpoint: Some("http://127.0.0.1:5000".into()),
                ..BackendArgs::default()
            },
        };
        assert_eq!(
            reproduce(&options, Path::new("corpus/pending/a/b.json")),
            "aslcheck diff --backend reference --backend sfn-api --endpoint http://127.0.0.1:5000 --out corpus/pending corpus/pending/a/b.json"
        );
    }

    #[test]
    fn entered_inputs_keep_states_seen_with_one_input() {
        let entered = |name: &str, input: &str| {
            serde_json::json!({"type": "PassStateEntered",
                "stateEnteredEventDetails": {"name": name, "input": input}})
        };
        let history = [
            serde_json::json!({"type": "ExecutionStarted"}),
            entered("A", "{}"),
            entered("Item", "1"),
            entered("Item", "2"),
            entered("Again", "[1]"),
            entered("Again", "[1]"),
        ];
        let inputs = entered_inputs(&history);
        assert_eq!(
            inputs.into_iter().collect::<Vec<_>>(),
            vec![
                ("A".to_string(), serde_json::json!({})),
                ("Again".to_string(), serde_json::json!([1])),
            ]
        );
    }
}
