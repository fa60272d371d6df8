//! `aslcheck shrink CASE --backend A --backend B [--out DIR] [--budget N]`: minimises a
//! divergence ([`crate::diff::shrink`]: drop states and branches, simplify payloads, paths and
//! inputs while A and B still disagree the same way; the definition stays valid) and writes a
//! ready-to-commit case to `corpus/pending/<area>/<name>.json` (`--out DIR` elsewhere).
//!
//! The pending case has provenance `{"kind": "minimised", "from": …}`, the tag `pending`, and
//! A's observation as its expected result — which is *not* evidence of what AWS does: a
//! maintainer checks it against AWS (docs, a recorded run, the rule notes in docs/semantics/) before moving
//! the file into `cases/`. Its description holds the command that reproduces the divergence.
//!
//! Exit codes: 0 the backends agree on the case; 1 a divergence was found (and written) or other
//! trouble; 2 an invalid case file.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::diff::{load, observe, DiffCase, Origin};
use super::record::write_atomic;
use super::{make_backend, Exit, ENABLE_FAULTS};
use crate::backend::reference::observation_json;
use crate::backend::{Backend, Observation};
use crate::corpus::load::load_features;
use crate::corpus::Provenance;
use crate::diff::differential::{self, Agreement};
use crate::diff::render::{mismatch_list, pretty};
use crate::diff::shrink::{self, signature, state_count, Budget, Stop, Subject};
use crate::diff::Mismatch;

pub struct Args {
    pub case: PathBuf,
    pub backends: Vec<String>,
    pub corpus: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub budget: usize,
    pub history: bool,
}

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
        writeln!(f, "  pending case: {}{note}", self.file.display())?;
        writeln!(f, "  reproduce: {}", self.command)
    }
}

pub fn main(args: Args) -> Exit {
    let [a_name, b_name] = match <[String; 2]>::try_from(args.backends.clone()) {
        Ok(pair) => pair,
        Err(_) => {
            eprintln!("shrink needs exactly two implementations: give --backend twice");
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
    let corpus = super::conformance::corpus_dir(args.corpus.as_deref());
    if args.case.is_dir() {
        eprintln!(
            "{}: shrink takes one case file (use diff for directories)",
            args.case.display()
        );
        return Exit::Other;
    }
    let case = match load(std::slice::from_ref(&args.case), &corpus) {
        Ok(mut c) if c.len() == 1 => c.remove(0),
        Ok(_) => {
            eprintln!("{}: not one case", args.case.display());
            return Exit::Other;
        }
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            return Exit::Invalid;
        }
    };
    let oa = observe(a.as_mut(), &case, args.history);
    let ob = observe(b.as_mut(), &case, args.history);
    match differential::compare(&oa, &ob) {
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
                specs: [a_name.clone(), b_name.clone()],
            };
            match minimise(&case, &oa, &mismatches, a.as_mut(), b.as_mut(), &options) {
                Ok(p) => print!("{p}"),
                Err(m) => eprintln!("could not write a pending case: {m}"),
            }
            Exit::Other
        }
    }
}

/// Shrinks a case on which `a` and `b` disagree (`observed_a` is A's observation, `mismatches`
/// the disagreement) and writes the minimised case to the pending directory.
pub fn minimise(
    case: &DiffCase,
    observed_a: &Observation,
    mismatches: &[Mismatch],
    a: &mut dyn Backend,
    b: &mut dyn Backend,
    options: &PendingOptions,
) -> Result<Pending, String> {
    let wanted = signature(mismatches);
    let diverges = |s: &Subject, a: &mut dyn Backend, b: &mut dyn Backend| -> Option<Observation> {
        let candidate = DiffCase {
            definition: s.definition.clone(),
            input: s.input.clone(),
            environment: s.environment.clone(),
            ..case.clone()
        };
        let oa = observe(a, &candidate, options.history);
        let ob = observe(b, &candidate, options.history);
        match differential::compare(&oa, &ob) {
            Agreement::Disagree(m) if signature(&m) == wanted => Some(oa),
            _ => None,
        }
    };
    let start = Subject {
        definition: case.definition.clone(),
        input: case.input.clone(),
        environment: case.environment.clone(),
    };
    let shrunk = shrink::shrink(start.clone(), options.budget, |s| {
        diverges(s, a, b).is_some()
    });
    // Run the result once more for A's observation (and to be sure it still diverges).
    let (subject, observed) = match diverges(&shrunk.subject, a, b) {
        Some(o) => (shrunk.subject.clone(), o),
        None => (start, observed_a.clone()),
    };
    let features = load_features(&options.corpus.join("schema").join("features.txt"))
        .map_err(|e| e.to_string())?;
    let (id, from) = pending_id(case, &options.corpus);
    let backends = [a.name().to_string(), b.name().to_string()];
    let mut n = 1;
    loop {
        let id = if n == 1 {
            id.clone()
        } else {
            format!("{id}-{n}")
        };
        let file = options.out.join(format!("{id}.json"));
        let command = reproduce(
            &options.specs,
            options.corpus_arg.as_deref(),
            &options.out,
            &file,
        );
        let text = pending_text(
            &id, &from, case, &subject, &observed, mismatches, &backends, &command, &features,
        );
        let existing = std::fs::read_to_string(&file).ok();
        if existing.as_deref().is_none_or(|e| e == text) {
            let unchanged = existing.is_some();
            if !unchanged {
                if let Some(dir) = file.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                write_atomic(&file, &text)?;
            }
            return Ok(Pending {
                file,
                states_before: state_count(&case.definition),
                states_after: state_count(&subject.definition),
                tests: shrunk.tests,
                stop: shrunk.stop,
                unchanged,
                command,
            });
        }
        // Another pending case has this id: never overwrite a maintainer's file.
        n += 1;
        if n > 1000 {
            return Err(format!("too many pending cases named {id}-N"));
        }
    }
}

/// The pending case's id and its `from` provenance.
fn pending_id(case: &DiffCase, corpus: &Path) -> (String, String) {
    match &case.origin {
        Origin::Corpus {
            id,
            provenance: Provenance::Minimised { from },
            ..
        } => (id.clone(), from.clone()),
        Origin::Corpus { id, .. } => (format!("{id}-min"), id.clone()),
        Origin::Generated {
            profile,
            seed,
            generator_version,
            shrunk,
            ..
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

/// The shell command that reproduces the divergence.
/// It names the pending directory too, so running it finds the case already there instead of
/// writing a second copy.
fn reproduce(backends: &[String; 2], corpus: Option<&Path>, out: &Path, file: &Path) -> String {
    let mut words: Vec<String> = Vec::new();
    if backends.iter().any(|b| b.contains("+fault=")) {
        words.push(format!("{ENABLE_FAULTS}=1"));
    }
    words.push("aslcheck".into());
    words.push("diff".into());
    for b in backends {
        words.push("--backend".into());
        words.push(quote(b));
    }
    // The backend flags of this command line (--endpoint, --region, --fixtures …) are part of
    // what reproduces the divergence.
    words.extend(
        backend_flags(std::env::args().skip(1))
            .iter()
            .map(|w| quote(w)),
    );
    if let Some(c) = corpus {
        words.push("--corpus".into());
        words.push(quote(&c.display().to_string()));
    }
    words.push("--out".into());
    words.push(quote(&out.display().to_string()));
    words.push(quote(&file.display().to_string()));
    words.join(" ")
}

/// The backend flags (and their values) among command-line words.
fn backend_flags(args: impl Iterator<Item = String>) -> Vec<String> {
    const WITH_VALUE: [&str; 9] = [
        "--region",
        "--aws-profile",
        "--endpoint",
        "--fixtures",
        "--role-arn",
        "--workflow-type",
        "--concurrency",
        "--case-timeout",
        "--max-executions",
    ];
    let mut out = Vec::new();
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        if let Some(flag) = WITH_VALUE
            .iter()
            .find(|f| a == **f || a.starts_with(&format!("{f}=")))
        {
            out.push(a.clone());
            if a == *flag {
                if let Some(v) = args.next() {
                    out.push(v);
                }
            }
        }
    }
    out
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

#[allow(clippy::too_many_arguments)]
fn pending_text(
    id: &str,
    from: &str,
    case: &DiffCase,
    subject: &Subject,
    observed_a: &Observation,
    mismatches: &[Mismatch],
    backends: &[String; 2],
    command: &str,
    vocabulary: &BTreeSet<String>,
) -> String {
    let wanted: Vec<String> = signature(mismatches).into_iter().collect();
    let description = format!(
        "Minimised divergence: {} and {} disagree at {} (from {from}). The expected result is {}'s observation and is NOT evidence of what AWS does: check it against AWS (the docs, a recorded run, the rule notes in docs/semantics/), give the case that provenance, drop the pending tag and move it to corpus/cases/{id}.json. Reproduce: {command}",
        backends[0],
        backends[1],
        wanted.join(", "),
        backends[0]
    );
    let mut expected = observation_json(observed_a);
    if let Some(o) = expected.as_object_mut() {
        o.remove("history");
    }
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("description".into(), json!(description));
    m.insert("tags".into(), json!(["pending"]));
    m.insert(
        "features".into(),
        json!(features(&subject.definition, vocabulary)),
    );
    m.insert(
        "provenance".into(),
        json!({"kind": "minimised", "from": from}),
    );
    m.insert("mode".into(), json!(case.mode.as_str()));
    m.insert("definition".into(), subject.definition.clone());
    m.insert("input".into(), subject.input.clone());
    if subject
        .environment
        .as_object()
        .is_some_and(|e| !e.is_empty())
    {
        m.insert("environment".into(), subject.environment.clone());
    }
    m.insert("expected".into(), literal(&expected));
    pretty(&Value::Object(m))
}

/// Wraps observed objects that would read as patterns (one member whose name starts with `$`)
/// in `{"$literal": …}`, so the expected result means exactly what was observed.
pub fn literal(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.keys().all(|k| k.starts_with('$')) => {
            json!({"$literal": v})
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(literal).collect()),
        other => other.clone(),
    }
}

/// The features (from the corpus vocabulary) a definition uses: state types, data-flow fields,
/// errors, Choice operators, Map and Wait fields, intrinsic functions, the context object.
pub fn features(definition: &Value, vocabulary: &BTreeSet<String>) -> Vec<String> {
    let mut found = BTreeSet::new();
    walk_features(definition, &mut found);
    let mut out: Vec<String> = found
        .into_iter()
        .filter(|f| vocabulary.contains(f))
        .collect();
    if out.is_empty() {
        out.push("Validation".into());
    }
    out
}

fn walk_features(v: &Value, found: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(ty) = m.get("Type").and_then(Value::as_str) {
                found.insert(ty.to_string());
                for field in [
                    "InputPath",
                    "Parameters",
                    "ResultSelector",
                    "ResultPath",
                    "OutputPath",
                    "Retry",
                    "Catch",
                ] {
                    if m.contains_key(field) {
                        found.insert(field.to_string());
                    }
                }
                match ty {
                    "Pass" if m.contains_key("Result") => {
                        found.insert("Pass.Result".into());
                    }
                    "Map" => {
                        for field in [
                            "ItemsPath",
                            "ItemSelector",
                            "Parameters",
                            "Iterator",
                            "ItemProcessor",
                            "MaxConcurrency",
                        ] {
                            if m.contains_key(field) {
                                found.insert(format!("Map.{field}"));
                            }
                        }
                    }
                    "Wait" => {
                        for field in ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"] {
                            if m.contains_key(field) {
                                found.insert(format!("Wait.{field}"));
                            }
                        }
                    }
                    "Fail" => {
                        for field in ["ErrorPath", "CausePath"] {
                            if m.contains_key(field) {
                                found.insert(format!("Fail.{field}"));
                            }
                        }
                    }
                    "Choice" if m.contains_key("Default") => {
                        found.insert("Choice.Default".into());
                    }
                    _ => {}
                }
            }
            for (k, child) in m {
                // Choice operators: `StringEquals`, `NumericLessThanPath`, `And`, …
                if let Some(op) = k.strip_suffix("Path").filter(|op| {
                    op.ends_with("Equals") || op.contains("Than") || op.ends_with("Matches")
                }) {
                    found.insert("Choice.PathOperand".into());
                    found.insert(format!("Choice.{op}"));
                } else if (k.ends_with("Equals") && k != "ErrorEquals")
                    || k.contains("Than")
                    || k.starts_with("Is")
                    || matches!(k.as_str(), "And" | "Or" | "Not" | "StringMatches")
                {
                    found.insert(format!("Choice.{k}"));
                }
                walk_features(child, found);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| walk_features(x, found)),
        Value::String(s) => {
            if s.starts_with("$$") {
                found.insert("ContextObject".into());
            }
            let mut rest = s.as_str();
            while let Some(at) = rest.find("States.") {
                let name: String = rest[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if rest[at + 7 + name.len()..].starts_with('(') {
                    found.insert(format!("Intrinsic.{name}"));
                }
                rest = &rest[at + 7..];
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_of_a_definition() {
        let vocabulary: BTreeSet<String> = [
            "Pass",
            "ResultPath",
            "Choice.StringEquals",
            "Choice.PathOperand",
            "Intrinsic.Format",
            "ContextObject",
            "Choice",
            "Pass.Result",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let d = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringEqualsPath": "$$.Execution.Name", "Next": "P"}], "Default": "P"},
            "P": {"Type": "Pass", "Parameters": {"x.$": "States.Format('{}', $.a)"}, "ResultPath": "$.r", "End": true}}});
        assert_eq!(
            features(&d, &vocabulary),
            vec![
                "Choice",
                "Choice.PathOperand",
                "Choice.StringEquals",
                "ContextObject",
                "Intrinsic.Format",
                "Pass",
                "ResultPath"
            ]
        );
    }

    #[test]
    fn literals_and_quoting() {
        assert_eq!(
            literal(&json!({"a": {"$x": 1}})),
            json!({"a": {"$literal": {"$x": 1}}})
        );
        assert_eq!(quote("external:adapters/x"), "external:adapters/x");
        assert_eq!(quote("external:node a.js"), "'external:node a.js'");
        assert_eq!(id_segment("My Profile"), "my-profile");
    }
}
