//! Expected failures per implementation: `corpus/expectations/<impl>.toml`.
//!
//! ```toml
//! [known_failures]
//! "choice/no-match-no-default" = "States.NoChoiceMatched cause text differs"
//! ```
//!
//! Each entry is data with a reason (as in test262 results and wpt metadata). A listed case that
//! fails is an expected failure; a listed case that passes is an *unexpected pass*, which fails
//! the run so the entry gets removed. An entry naming no case of the corpus is an error too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::load::LoadError;

/// The known failures of one implementation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Where they were read from (empty when there is no file).
    pub file: PathBuf,
    /// Case id → reason.
    pub known_failures: BTreeMap<String, String>,
}

impl Expectations {
    /// The file for a backend name (`reference` → `<corpus>/expectations/reference.toml`);
    /// characters other than letters, digits, `-`, `_` and `.` become `_`.
    pub fn file_for(corpus_root: &Path, backend: &str) -> PathBuf {
        let safe: String = backend
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        corpus_root
            .join("expectations")
            .join(format!("{safe}.toml"))
    }

    /// Loads the expectations of `backend`; no file means no known failures.
    pub fn for_backend(corpus_root: &Path, backend: &str) -> Result<Expectations, LoadError> {
        let file = Expectations::file_for(corpus_root, backend);
        if !file.exists() {
            return Ok(Expectations::default());
        }
        Expectations::load(&file)
    }

    /// Reads and checks one expectations file.
    pub fn load(file: &Path) -> Result<Expectations, LoadError> {
        let err = |message: String| LoadError {
            file: file.to_path_buf(),
            pointer: String::new(),
            message,
        };
        let text = std::fs::read_to_string(file).map_err(|e| err(format!("cannot read: {e}")))?;
        let mut exp = Expectations::parse(&text).map_err(err)?;
        exp.file = file.to_path_buf();
        Ok(exp)
    }

    /// Parses the TOML text of an expectations file.
    pub fn parse(text: &str) -> Result<Expectations, String> {
        let table: toml::Table = text.parse().map_err(|e| format!("invalid TOML: {e}"))?;
        let mut known_failures = BTreeMap::new();
        for (key, value) in &table {
            if key != "known_failures" {
                return Err(format!(
                    "unknown key {key:?}; the file has one table, [known_failures]"
                ));
            }
            let toml::Value::Table(entries) = value else {
                return Err(
                    "known_failures must be a table of \"<case id>\" = \"<reason>\"".into(),
                );
            };
            for (id, reason) in entries {
                match reason {
                    toml::Value::String(r) if !r.trim().is_empty() => {
                        known_failures.insert(id.clone(), r.clone());
                    }
                    _ => {
                        return Err(format!(
                            "known_failures.{id:?}: the reason must be a non-empty string"
                        ))
                    }
                }
            }
        }
        Ok(Expectations {
            file: PathBuf::new(),
            known_failures,
        })
    }

    /// The reason a case is expected to fail, if it is.
    pub fn reason(&self, id: &str) -> Option<&str> {
        self.known_failures.get(id).map(String::as_str)
    }

    /// Entries that name no case among `ids` (stale entries).
    pub fn unknown_ids<'a>(&'a self, ids: &[&str]) -> Vec<&'a str> {
        self.known_failures
            .keys()
            .filter(|k| !ids.contains(&k.as_str()))
            .map(String::as_str)
            .collect()
    }
}

/// The text of an expectations file for `backend` listing `failures` (case id → reason): the
/// header says what the file is and how it was made (`made_by`), then one line per case, in
/// id order, each reason on one line.
pub fn expectations_text(
    backend: &str,
    made_by: &str,
    failures: &BTreeMap<String, String>,
) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "# Known failures of {backend}: the corpus cases it does not pass today, each with why.\n\
         #\n\
         # Written by `{made_by}`: a run on {backend} exits 0 on this state and 1 when a case\n\
         # starts or stops failing. A reason is the first mismatch of the run that listed the case\n\
         # unless someone wrote a better one (rewriting the file keeps reasons of cases that still\n\
         # fail). See corpus/README.md.\n\n[known_failures]\n"
    );
    for (id, reason) in failures {
        let one_line: String = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!("{} = {}\n", quote(id), quote(&one_line)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_expectations_parse_back() {
        let mut f = BTreeMap::new();
        f.insert(
            "a/b".to_string(),
            "/output: expected \"x\",\n got 1".to_string(),
        );
        f.insert("c/d".to_string(), "errored".to_string());
        let text = expectations_text("moto", "aslcheck conformance --write-expectations", &f);
        let e = Expectations::parse(&text).unwrap();
        assert_eq!(e.reason("a/b"), Some("/output: expected \"x\", got 1"));
        assert_eq!(e.reason("c/d"), Some("errored"));
        assert!(text.starts_with("# Known failures of moto"));
    }

    #[test]
    fn parses_known_failures() {
        let e = Expectations::parse("[known_failures]\n\"a/b\" = \"why\"\n").unwrap();
        assert_eq!(e.reason("a/b"), Some("why"));
        assert_eq!(e.unknown_ids(&["a/c"]), vec!["a/b"]);
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(Expectations::parse("x = 1").is_err());
        assert!(Expectations::parse("[known_failures]\n\"a/b\" = 1").is_err());
        assert!(Expectations::parse("[known_failures]\n\"a/b\" = \"\"").is_err());
        assert!(Expectations::parse("[known_failures]\n\"a/b\" = \"x\"\n\"a/b\" = \"y\"").is_err());
    }

    #[test]
    fn file_names_are_sanitised() {
        let f = Expectations::file_for(Path::new("/c"), "external:my impl");
        assert_eq!(f, PathBuf::from("/c/expectations/external_my_impl.toml"));
    }
}
