//! Cases as the harness runs them: corpus case files (`cases/`, `pending/`) and files written by
//! `aslcheck generate --out`, or cases generated on the spot — without their expected results.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::case::Provenance;
use super::files::{case_files, Walk};
use super::load::{case_from_value, cases_root_of, id_for, load_features, parse_strict, LoadError};
use crate::backend::{Mode, Request};

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

/// One case to run on implementations.
#[derive(Debug, Clone)]
pub struct Runnable {
    pub origin: Origin,
    pub mode: Mode,
    pub definition: Value,
    pub input: Value,
    pub environment: Value,
}

impl Runnable {
    pub fn from_generated(c: aslcheck_generators::Case) -> Runnable {
        Runnable {
            origin: Origin::Generated {
                profile: c.profile.clone(),
                seed: c.seed,
                generator_version: c.generator_version.clone(),
                shrunk: c.shrunk,
            },
            // An `invalid` case is judged by its validation verdict.
            mode: if c.mutation.is_some() {
                Mode::Validate
            } else {
                Mode::Execution
            },
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

    pub fn request(&self, history: bool) -> Request<'_> {
        Request {
            mode: self.mode,
            definition: &self.definition,
            input: &self.input,
            environment: &self.environment,
            history,
        }
    }

    /// The same case with another definition, input and environment (a shrinking candidate).
    pub fn with(&self, definition: Value, input: Value, environment: Value) -> Runnable {
        Runnable {
            origin: self.origin.clone(),
            mode: self.mode,
            definition,
            input,
            environment,
        }
    }
}

/// Loads case files (and the case files in directories, recursively; hidden files and
/// `manifest.json` are passed over). Corpus-format files are checked as strictly as the corpus
/// loader does; a file outside a `cases/` directory (e.g. in `pending/`) keeps its own id.
/// `corpus` is the corpus directory whose feature vocabulary applies.
pub fn load(paths: &[PathBuf], corpus: &Path) -> Result<Vec<Runnable>, Vec<LoadError>> {
    let features_file = corpus.join("schema").join("features.txt");
    let features = load_features(&features_file).map_err(|e| vec![e])?;
    let (files, mut errors) = case_files(paths, Walk::Lenient);
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

fn load_one(file: &Path, features: &BTreeSet<String>) -> Result<Runnable, LoadError> {
    let error = |pointer: String, message: String| LoadError {
        file: file.to_path_buf(),
        pointer,
        message,
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| error(String::new(), format!("cannot read: {e}")))?;
    let v = parse_strict(&text).map_err(|m| error(String::new(), m))?;
    if let Some(g) = v.get("generator") {
        return generated_file(&v, g).map_err(|m| error(String::new(), m));
    }
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let expected_id = match cases_root_of(&absolute) {
        Some(root) => id_for(&absolute, &root),
        None => v.get("id").and_then(Value::as_str).map(str::to_string),
    };
    let case = case_from_value(&v, expected_id.as_deref(), features)
        .map_err(|(pointer, message)| error(pointer, message))?;
    Ok(Runnable {
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
/// "environment", "mutation"}`.
fn generated_file(v: &Value, g: &Value) -> Result<Runnable, String> {
    let text = |k: &str| g.get(k).and_then(Value::as_str).map(str::to_string);
    let definition = v
        .get("definition")
        .filter(|d| d.is_object())
        .cloned()
        .ok_or("at /definition: a generated case needs a definition object")?;
    Ok(Runnable {
        origin: Origin::Generated {
            profile: text("profile").ok_or("at /generator/profile: a string is required")?,
            seed: g
                .get("seed")
                .and_then(Value::as_u64)
                .ok_or("at /generator/seed: a non-negative integer is required")?,
            generator_version: text("version").unwrap_or_default(),
            shrunk: g.get("shrunk").and_then(Value::as_bool).unwrap_or(false),
        },
        // An `invalid` case (a `mutation` member) is judged by its validation verdict.
        mode: if v.get("mutation").is_some_and(|m| !m.is_null()) {
            Mode::Validate
        } else {
            Mode::Execution
        },
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
