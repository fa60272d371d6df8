//! Strict loading of case files.
//!
//! A case file must be a JSON object with exactly the members of `corpus/schema/case.schema.json`.
//! The loader rejects — naming the file and a JSON Pointer into it — unknown members, duplicate
//! member names anywhere in the file (JSON parsers silently keep the last one, which would hide a
//! mistake in a definition), an `id` that is not the file's path under `cases/`, features outside
//! `schema/features.txt`, malformed patterns, and ids used twice.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::case::{
    Case, DiagnosticExpectation, ExecutionExpectation, Expected, HistoryConstraint, Provenance,
    ValidationExpectation, EXECUTION_STATUSES, TEST_STATE_STATUSES,
};
use super::files::{case_files, Walk};
use super::pattern::{escape_token, Expect};
use crate::backend::Mode;

/// Why a case (or the corpus) could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: PathBuf,
    /// JSON Pointer into the file; empty when the problem is the file as a whole.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: at {}: {}",
                self.file.display(),
                self.pointer,
                self.message
            )
        }
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    /// True when the problem is with what was asked for — a file or directory that does not
    /// exist or cannot be read, a path outside the corpus's `cases/`, no path at all (a usage
    /// problem, exit code 1) — not with what a file holds (exit code 2). Content that is not
    /// UTF-8 is a problem with what the file holds.
    pub fn is_unreadable(&self) -> bool {
        self.pointer.is_empty()
            && (matches!(
                self.message.as_str(),
                "no such file or directory"
                    | "not inside a corpus cases/ directory"
                    | "no case files or directories given"
            ) || (self.message.starts_with("cannot read") && !self.message.contains("UTF-8")))
    }
}

/// The members a case file may have.
pub const CASE_MEMBERS: [&str; 11] = [
    "id",
    "description",
    "tags",
    "features",
    "provenance",
    "definition",
    "input",
    "environment",
    "mode",
    "expected",
    "$schema",
];

/// A loaded corpus: its directory, the feature vocabulary and the cases (sorted by id).
#[derive(Debug, Clone)]
pub struct Corpus {
    pub root: PathBuf,
    pub features: BTreeSet<String>,
    pub cases: Vec<Case>,
}

impl Corpus {
    /// Loads `<root>/schema/features.txt` and every case under `<root>/cases`.
    pub fn load(root: &Path) -> Result<Corpus, Vec<LoadError>> {
        let features =
            load_features(&root.join("schema").join("features.txt")).map_err(|e| vec![e])?;
        let cases = load_cases(&root.join("cases"), &[root.join("cases")], &features)?;
        Ok(Corpus {
            root: root.to_path_buf(),
            features,
            cases,
        })
    }
}

/// Reads the feature vocabulary: one name a line; blank lines and `#` comments ignored.
pub fn load_features(file: &Path) -> Result<BTreeSet<String>, LoadError> {
    let text = std::fs::read_to_string(file).map_err(|e| LoadError {
        file: file.to_path_buf(),
        pointer: String::new(),
        message: format!("cannot read the feature list: {e}"),
    })?;
    let mut set = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !set.insert(line.to_string()) {
            return Err(LoadError {
                file: file.to_path_buf(),
                pointer: String::new(),
                message: format!("line {}: feature {line:?} is listed twice", n + 1),
            });
        }
    }
    Ok(set)
}

/// Finds the `cases` directory a path lies in (the path itself or its nearest ancestor).
pub fn cases_root_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "cases"))
        .map(Path::to_path_buf)
}

/// Loads the cases at `paths` (files or directories, all inside `cases_root`), checking the
/// whole selection: every error is reported, not only the first.
pub fn load_cases(
    cases_root: &Path,
    paths: &[PathBuf],
    features: &BTreeSet<String>,
) -> Result<Vec<Case>, Vec<LoadError>> {
    let (mut files, mut errors) = case_files(paths, Walk::Corpus);
    files.sort();
    files.dedup();
    let mut cases: Vec<Case> = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for file in files {
        match load_case(&file, cases_root, features) {
            Ok(case) => {
                if let Some(first) = seen.get(&case.id) {
                    errors.push(LoadError {
                        file: file.clone(),
                        pointer: "/id".into(),
                        message: format!(
                            "duplicate id {:?} (also in {})",
                            case.id,
                            first.display()
                        ),
                    });
                } else {
                    seen.insert(case.id.clone(), file.clone());
                    cases.push(case);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// The id a file must have: its path under `cases_root`, `/`-separated, without `.json`.
pub fn id_for(file: &Path, cases_root: &Path) -> Option<String> {
    let rel = file.strip_prefix(cases_root).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        parts.push(c.as_os_str().to_str()?.to_string());
    }
    let last = parts.last_mut()?;
    *last = last.strip_suffix(".json")?.to_string();
    Some(parts.join("/"))
}

/// Loads one case file.
pub fn load_case(
    file: &Path,
    cases_root: &Path,
    features: &BTreeSet<String>,
) -> Result<Case, LoadError> {
    let text = std::fs::read_to_string(file).map_err(|e| LoadError {
        file: file.to_path_buf(),
        pointer: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    let value = parse_strict(&text).map_err(|message| LoadError {
        file: file.to_path_buf(),
        pointer: String::new(),
        message,
    })?;
    let expected_id = id_for(file, cases_root);
    let mut case = case_from_value(&value, expected_id.as_deref(), features).map_err(
        |(pointer, message)| LoadError {
            file: file.to_path_buf(),
            pointer,
            message,
        },
    )?;
    case.file = file.to_path_buf();
    Ok(case)
}

/// Parses JSON text, rejecting duplicate member names at any depth.
pub fn parse_strict(text: &str) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict { at: String::new() }
        .deserialize(&mut de)
        .map_err(|e| format!("invalid JSON: {e}"))?;
    de.end().map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(v)
}

struct Strict {
    at: String,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict {
            at: format!("{}/{}", self.at, out.len()),
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = format!("{}/{}", self.at, escape_token(&key));
            if out.contains_key(&key) {
                return Err(A::Error::custom(format!("duplicate member name at {at}")));
            }
            let v = map.next_value_seed(Strict { at })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

type Problem = (String, String);

fn problem(at: &str, message: impl Into<String>) -> Problem {
    (at.to_string(), message.into())
}

fn object<'a>(v: &'a Value, at: &str, what: &str) -> Result<&'a Map<String, Value>, Problem> {
    v.as_object()
        .ok_or_else(|| problem(at, format!("{what} must be an object")))
}

fn only_members(m: &Map<String, Value>, at: &str, allowed: &[&str]) -> Result<(), Problem> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(problem(
                &format!("{at}/{}", escape_token(k)),
                format!("unknown member {k:?}; allowed here: {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn string<'a>(m: &'a Map<String, Value>, at: &str, key: &str) -> Result<&'a str, Problem> {
    match m.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(problem(
            &format!("{at}/{key}"),
            format!("{key:?} must be a non-empty string"),
        )),
        None => Err(problem(at, format!("the member {key:?} is required"))),
    }
}

/// The `date` member: YYYY-MM-DD.
fn date<'a>(m: &'a Map<String, Value>, at: &str) -> Result<&'a str, Problem> {
    let date = string(m, at, "date")?;
    let ok = date.len() == 10
        && date.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if ok {
        Ok(date)
    } else {
        Err(problem(&format!("{at}/date"), "a date is YYYY-MM-DD"))
    }
}

fn strings(v: &Value, at: &str) -> Result<Vec<String>, Problem> {
    let arr = v
        .as_array()
        .ok_or_else(|| problem(at, "must be an array of strings"))?;
    let mut out: Vec<String> = Vec::with_capacity(arr.len());
    for (i, s) in arr.iter().enumerate() {
        let s = s
            .as_str()
            .ok_or_else(|| problem(&format!("{at}/{i}"), "must be a string"))?;
        if out.iter().any(|x| x == s) {
            return Err(problem(
                &format!("{at}/{i}"),
                format!("{s:?} is listed twice"),
            ));
        }
        out.push(s.to_string());
    }
    Ok(out)
}

fn valid_id(id: &str) -> bool {
    let segments: Vec<&str> = id.split('/').collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && s.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                })
        })
}

/// Checks a parsed case file. `expected_id` is the id its path implies (None: not under a
/// `cases/` directory, which is itself an error).
pub fn case_from_value(
    v: &Value,
    expected_id: Option<&str>,
    features: &BTreeSet<String>,
) -> Result<Case, Problem> {
    let m = object(v, "", "a case")?;
    only_members(m, "", &CASE_MEMBERS)?;
    let id = string(m, "", "id")?;
    if !valid_id(id) {
        return Err(problem(
            "/id",
            "an id is <area>/<name>: path segments of lowercase letters, digits, '-', '_', '.'",
        ));
    }
    match expected_id {
        Some(e) if e == id => {}
        Some(e) => {
            return Err(problem(
                "/id",
                format!("id {id:?} does not match the file's path (expected {e:?})"),
            ))
        }
        None => return Err(problem("/id", "the file is not under a cases/ directory")),
    }
    let description = string(m, "", "description")?.to_string();
    let tags = match m.get("tags") {
        Some(t) => strings(t, "/tags")?,
        None => Vec::new(),
    };
    let feats = match m.get("features") {
        Some(f) => strings(f, "/features")?,
        None => return Err(problem("", "the member \"features\" is required")),
    };
    if feats.is_empty() {
        return Err(problem("/features", "list at least one feature"));
    }
    for (i, f) in feats.iter().enumerate() {
        if !features.contains(f) {
            return Err(problem(
                &format!("/features/{i}"),
                format!("unknown feature {f:?} (the vocabulary is corpus/schema/features.txt)"),
            ));
        }
    }
    let provenance = provenance(
        m.get("provenance")
            .ok_or_else(|| problem("", "the member \"provenance\" is required"))?,
    )?;
    let definition = m
        .get("definition")
        .ok_or_else(|| problem("", "the member \"definition\" is required"))?
        .clone();
    if !definition.is_object() {
        return Err(problem(
            "/definition",
            "the definition must be a JSON object",
        ));
    }
    let input = m
        .get("input")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let environment = match m.get("environment") {
        Some(e @ Value::Object(_)) => e.clone(),
        Some(_) => return Err(problem("/environment", "the environment must be an object")),
        None => Value::Object(Map::new()),
    };
    let mode_text = string(m, "", "mode")?;
    let mode = Mode::parse(mode_text).ok_or_else(|| {
        problem(
            "/mode",
            "mode must be one of execution, test_state, validate",
        )
    })?;
    let expected_value = m
        .get("expected")
        .ok_or_else(|| problem("", "the member \"expected\" is required"))?;
    let expected = expected(expected_value, mode)?;
    Ok(Case {
        id: id.to_string(),
        file: PathBuf::new(),
        description,
        tags,
        features: feats,
        provenance,
        definition,
        input,
        environment,
        mode,
        expected,
    })
}

fn provenance(v: &Value) -> Result<Provenance, Problem> {
    let at = "/provenance";
    let m = object(v, at, "provenance")?;
    let kind = string(m, at, "kind")?;
    let p = match kind {
        "aws-docs" => {
            only_members(m, at, &["kind", "url"])?;
            let url = string(m, at, "url")?;
            if !url.starts_with("https://docs.aws.amazon.com/") && !url.starts_with("https://states-language.net/") {
                return Err(problem(
                    "/provenance/url",
                    "an aws-docs url starts with https://docs.aws.amazon.com/ (or https://states-language.net/ for the spec)",
                ));
            }
            Provenance::AwsDocs { url: url.into() }
        }
        "semantics" => {
            only_members(m, at, &["kind", "section", "evidence"])?;
            let section = string(m, at, "section")?;
            let ok = section.strip_prefix('§').is_some_and(|s| {
                !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            });
            if !ok {
                return Err(problem("/provenance/section", "a section is written §N or §N.M (e.g. §2.5)"));
            }
            let evidence = string(m, at, "evidence")?;
            // "[OBS]", "[OBS 2025-01]", "[3P PR #12487]", "[S][DG]" …
            const TAGS: [&str; 5] = ["S", "DG", "API", "OBS", "3P"];
            let tagged = evidence.strip_prefix('[').is_some_and(|rest| {
                TAGS.iter().any(|t| rest.strip_prefix(t).is_some_and(|r| r.starts_with(']') || r.starts_with(' ')))
            });
            if !tagged {
                return Err(problem(
                    "/provenance/evidence",
                    "evidence starts with an evidence tag: [S], [DG], [API], [OBS] or [3P] (UNVERIFIED rules are not evidence)",
                ));
            }
            Provenance::Semantics {
                section: section.into(),
                evidence: evidence.into(),
            }
        }
        "recorded" => {
            only_members(m, at, &["kind", "region", "date", "tool"])?;
            Provenance::Recorded {
                region: string(m, at, "region")?.into(),
                date: date(m, at)?.into(),
                tool: string(m, at, "tool")?.into(),
            }
        }
        "observed" => {
            only_members(m, at, &["kind", "implementation", "date", "tool"])?;
            Provenance::Observed {
                implementation: string(m, at, "implementation")?.into(),
                date: date(m, at)?.into(),
                tool: string(m, at, "tool")?.into(),
            }
        }
        "generated" => {
            only_members(m, at, &["kind", "generator_version", "profile", "seed"])?;
            let seed = m
                .get("seed")
                .and_then(Value::as_u64)
                .ok_or_else(|| problem("/provenance/seed", "seed must be a non-negative integer"))?;
            Provenance::Generated {
                generator_version: string(m, at, "generator_version")?.into(),
                profile: string(m, at, "profile")?.into(),
                seed,
            }
        }
        "minimised" => {
            only_members(m, at, &["kind", "from"])?;
            Provenance::Minimised {
                from: string(m, at, "from")?.into(),
            }
        }
        other => {
            return Err(problem(
                "/provenance/kind",
                format!("unknown provenance kind '{other}'; one of aws-docs, semantics, recorded, observed, generated, minimised"),
            ))
        }
    };
    Ok(p)
}

fn expected(v: &Value, mode: Mode) -> Result<Expected, Problem> {
    let at = "/expected";
    let m = object(v, at, "expected")?;
    let alternatives: Vec<(String, &Value)> = match m.get("any_of") {
        Some(any) => {
            only_members(m, at, &["any_of"])?;
            let arr = any.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
                problem(
                    "/expected/any_of",
                    "any_of is an array of at least two expected results",
                )
            })?;
            arr.iter()
                .enumerate()
                .map(|(i, v)| (format!("/expected/any_of/{i}"), v))
                .collect()
        }
        None => vec![(at.to_string(), v)],
    };
    match mode {
        Mode::Execution | Mode::TestState => alternatives
            .iter()
            .map(|(at, v)| execution_expectation(v, at, mode))
            .collect::<Result<Vec<_>, _>>()
            .map(Expected::Execution),
        Mode::Validate => alternatives
            .iter()
            .map(|(at, v)| validation_expectation(v, at))
            .collect::<Result<Vec<_>, _>>()
            .map(Expected::Validation),
    }
}

fn expect(v: &Value, at: &str) -> Result<Expect, Problem> {
    Expect::parse(v).map_err(|e| {
        let inner = if e.pointer == "/" {
            String::new()
        } else {
            e.pointer
        };
        problem(&format!("{at}{inner}"), e.message)
    })
}

fn execution_expectation(v: &Value, at: &str, mode: Mode) -> Result<ExecutionExpectation, Problem> {
    let m = object(v, at, "an expected result")?;
    only_members(m, at, &["status", "output", "error", "cause", "history"])?;
    let status = string(m, at, "status")?;
    let allowed: &[&str] = if mode == Mode::TestState {
        &TEST_STATE_STATUSES
    } else {
        &EXECUTION_STATUSES
    };
    if !allowed.contains(&status) {
        return Err(problem(
            &format!("{at}/status"),
            format!("status must be one of {}", allowed.join(", ")),
        ));
    }
    let field = |k: &str| -> Result<Option<Expect>, Problem> {
        m.get(k)
            .map(|v| expect(v, &format!("{at}/{k}")))
            .transpose()
    };
    let output = field("output")?;
    let error = field("error")?;
    let cause = field("cause")?;
    for (k, e) in [("error", &error), ("cause", &cause)] {
        if let Some(Expect::Scalar(s)) = e {
            if !(s.is_string() || s.is_null()) {
                return Err(problem(
                    &format!("{at}/{k}"),
                    format!("{k} is a string, null or a pattern"),
                ));
            }
        }
    }
    let mut history = Vec::new();
    if let Some(h) = m.get("history") {
        let hat = format!("{at}/history");
        let arr = h
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| problem(&hat, "history is a non-empty array of constraints"))?;
        for (i, c) in arr.iter().enumerate() {
            let cat = format!("{hat}/{i}");
            let cm = object(c, &cat, "a history constraint")?;
            only_members(cm, &cat, &["types", "events", "counts"])?;
            if cm.is_empty() {
                return Err(problem(
                    &cat,
                    "a history constraint has \"types\", \"events\" and/or \"counts\"",
                ));
            }
            if let Some(t) = cm.get("types") {
                history.push(HistoryConstraint::Types(strings_allow_repeats(
                    t,
                    &format!("{cat}/types"),
                )?));
            }
            if let Some(e) = cm.get("events") {
                let eat = format!("{cat}/events");
                let events = e
                    .as_array()
                    .ok_or_else(|| problem(&eat, "events is an array of objects"))?;
                let mut out = Vec::with_capacity(events.len());
                for (j, ev) in events.iter().enumerate() {
                    let evat = format!("{eat}/{j}");
                    object(ev, &evat, "an expected event")?;
                    out.push(expect(ev, &evat)?);
                }
                history.push(HistoryConstraint::Events(out));
            }
            if let Some(c) = cm.get("counts") {
                let cat = format!("{cat}/counts");
                let counts = object(c, &cat, "counts (event type → number)")?;
                let mut out = Vec::with_capacity(counts.len());
                for (t, n) in counts {
                    let n = n.as_u64().ok_or_else(|| {
                        problem(
                            &format!("{cat}/{}", escape_token(t)),
                            "a count is a non-negative integer",
                        )
                    })?;
                    out.push((t.clone(), n));
                }
                history.push(HistoryConstraint::Counts(out));
            }
        }
    }
    Ok(ExecutionExpectation {
        status: status.to_string(),
        output,
        error,
        cause,
        history,
    })
}

fn strings_allow_repeats(v: &Value, at: &str) -> Result<Vec<String>, Problem> {
    let arr = v
        .as_array()
        .ok_or_else(|| problem(at, "must be an array of strings"))?;
    arr.iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| problem(&format!("{at}/{i}"), "must be a string"))
        })
        .collect()
}

fn validation_expectation(v: &Value, at: &str) -> Result<ValidationExpectation, Problem> {
    let m = object(v, at, "an expected validation result")?;
    only_members(m, at, &["valid", "diagnostics"])?;
    let valid = m
        .get("valid")
        .ok_or_else(|| problem(at, "the member \"valid\" is required"))?
        .as_bool()
        .ok_or_else(|| problem(&format!("{at}/valid"), "valid is a boolean"))?;
    let mut diagnostics = Vec::new();
    if let Some(d) = m.get("diagnostics") {
        let dat = format!("{at}/diagnostics");
        let arr = d
            .as_array()
            .ok_or_else(|| problem(&dat, "diagnostics is an array"))?;
        if valid && !arr.is_empty() {
            return Err(problem(
                &dat,
                "a valid definition has no (error) diagnostics",
            ));
        }
        for (i, dv) in arr.iter().enumerate() {
            let iat = format!("{dat}/{i}");
            let dm = object(dv, &iat, "a diagnostic")?;
            only_members(dm, &iat, &["code", "location", "message"])?;
            let code = string(dm, &iat, "code")?.to_string();
            let location = match dm.get("location") {
                None => None,
                Some(Value::Null) => Some(None),
                Some(Value::String(s)) => Some(Some(s.clone())),
                Some(_) => {
                    return Err(problem(
                        &format!("{iat}/location"),
                        "location is a string or null",
                    ))
                }
            };
            let message = dm
                .get("message")
                .map(|v| expect(v, &format!("{iat}/message")))
                .transpose()?;
            diagnostics.push(DiagnosticExpectation {
                code,
                location,
                message,
            });
        }
    }
    Ok(ValidationExpectation { valid, diagnostics })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feats() -> BTreeSet<String> {
        ["Pass", "InputPath"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn base() -> Value {
        json!({
            "id": "paths/x",
            "description": "d",
            "features": ["Pass"],
            "provenance": {"kind": "semantics", "section": "§2.2", "evidence": "[S] x"},
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            "mode": "execution",
            "expected": {"status": "SUCCEEDED", "output": {}}
        })
    }

    fn pointer_of(v: Value) -> String {
        case_from_value(&v, Some("paths/x"), &feats())
            .unwrap_err()
            .0
    }

    #[test]
    fn a_minimal_case_loads() {
        let c = case_from_value(&base(), Some("paths/x"), &feats()).unwrap();
        assert_eq!(c.area(), "paths");
        assert_eq!(c.input, json!({}));
    }

    #[test]
    fn unknown_members_are_rejected_with_their_pointer() {
        let mut v = base();
        v["expected"]["outptu"] = json!(1);
        assert_eq!(pointer_of(v), "/expected/outptu");
        let mut v = base();
        v["provenance"]["page"] = json!("x");
        assert_eq!(pointer_of(v), "/provenance/page");
        let mut v = base();
        v["extra"] = json!(1);
        assert_eq!(pointer_of(v), "/extra");
    }

    #[test]
    fn id_must_match_path_and_features_the_vocabulary() {
        let e = case_from_value(&base(), Some("paths/y"), &feats()).unwrap_err();
        assert_eq!(e.0, "/id");
        let mut v = base();
        v["features"] = json!(["Pass", "Nope"]);
        assert_eq!(pointer_of(v), "/features/1");
    }

    #[test]
    fn patterns_are_checked_at_load() {
        let mut v = base();
        v["expected"]["output"] = json!({"a": {"$uid": true}});
        assert_eq!(pointer_of(v), "/expected/output/a/$uid");
    }

    #[test]
    fn unverified_evidence_is_not_provenance() {
        let mut v = base();
        v["provenance"]["evidence"] = json!("UNVERIFIED guess");
        assert_eq!(pointer_of(v), "/provenance/evidence");
    }

    #[test]
    fn duplicate_members_are_rejected() {
        let e = parse_strict(r#"{"a": {"b": 1, "b": 2}}"#).unwrap_err();
        assert!(e.contains("duplicate member name at /a/b"), "{e}");
        assert!(parse_strict(r#"[{"a": 1}, {"a": 2}]"#).is_ok());
        assert!(parse_strict(r#"{"a": 1} x"#).is_err());
    }

    #[test]
    fn the_schema_lists_the_members_the_loader_accepts() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/schema/case.schema.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut in_schema: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut in_loader = CASE_MEMBERS.to_vec();
        in_schema.sort_unstable();
        in_loader.sort_unstable();
        assert_eq!(in_schema, in_loader);
    }

    #[test]
    fn ids_come_from_paths() {
        let root = Path::new("/c/cases");
        assert_eq!(
            id_for(Path::new("/c/cases/retry/a.json"), root).as_deref(),
            Some("retry/a")
        );
        assert_eq!(
            cases_root_of(Path::new("/c/cases/retry/a.json")),
            Some(root.to_path_buf())
        );
    }
}
