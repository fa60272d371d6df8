//! Report files: what a run hands to people and to CI systems (`--report DIR` on `conformance`,
//! `replay` and `diff`).
//!
//! A run produces [`Record`]s, one per case and implementation; every file is derived from them
//! (and from the run's clusters), by pure functions:
//!
//! - `results.jsonl`: the records themselves, one JSON object per line — the raw stream every
//!   summary is derived from ([`Record`] documents the members);
//! - `summary.json`: totals per implementation, the feature × implementation and area ×
//!   implementation matrices, the clusters (signature, count, exemplar case, members) and, given
//!   a previous report, the run-to-run changes ([`summary`]);
//! - `junit.xml`: one `testsuite` per implementation, one `testcase` per case, a `failure` with
//!   the diff for every bad result, `skipped` for cases without a verdict ([`junit`]);
//! - `summary.md`: the same tables in Markdown ([`markdown`]);
//! - `index.html`: one static page, no script, no external resource: the matrix with per-cell
//!   counts, the clusters with their exemplars, the changes ([`html`]).
//!
//! `aslcheck report merge OUT DIR…` merges the reports of shards of one run (`--shard K/N`)
//! into one ([`merge`]).

pub mod html;
pub mod junit;
pub mod markdown;
pub mod summary;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::corpus::write::{create_dir, write_atomic, WriteError};

/// One case on one implementation: a line of `results.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The case: a corpus id (`paths/inputpath-selects-field`) or a generated case's label
    /// (`generated paths-12`).
    pub case: String,
    /// The corpus area, or `generated/<profile>` for a generated case.
    pub area: String,
    /// The corpus features the case uses.
    pub features: Vec<String>,
    /// The implementation judged.
    pub implementation: String,
    /// What it was judged against: `expected` (the case's expected result) or the name of the
    /// other implementation (`diff`, generated cases of `conformance`).
    pub against: String,
    /// `pass`, `fail`, `expected-failure`, `unexpected-pass`, `errored`, `skipped`,
    /// `indeterminate` (corpus replay); `agree`, `diverge`, `inconclusive` (two implementations).
    pub verdict: String,
    /// Whether the result is good (`true`), bad (`false`; a known failure is bad too: the
    /// implementation does fail the case) or without a verdict (`null`).
    pub ok: Option<bool>,
    /// Mismatches, reasons or messages, one line.
    pub detail: String,
    /// The unified diff of expected and observed, for bad results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// The observation as the implementation returned it.
    pub observation: Value,
    /// The cluster (id) of a divergence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

impl Record {
    /// `ok` for a verdict label.
    pub fn ok_of(verdict: &str) -> Option<bool> {
        match verdict {
            "pass" | "agree" => Some(true),
            "skipped" | "indeterminate" | "inconclusive" => None,
            _ => Some(false),
        }
    }
}

/// A cluster of divergences, as `summary.json` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterEntry {
    pub id: String,
    /// The cluster's key (what the second implementation did).
    pub signature: String,
    /// The exemplar's full signature (the one shrinking kept).
    pub exemplar_signature: String,
    pub count: usize,
    /// The exemplar's pending case file, when one was written or found.
    pub exemplar: Option<String>,
    pub exemplar_states: usize,
    pub features: Vec<String>,
    pub members: Vec<String>,
    /// The command that reproduces the exemplar.
    pub reproduce: Option<String>,
    /// The exemplar's diff (first implementation `---`, second `+++`).
    pub diff: String,
    /// A pending case of an earlier run held this cluster already.
    pub known: bool,
}

/// Everything a report is made of.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The command line that produced it.
    pub command: String,
    pub records: Vec<Record>,
    pub clusters: Vec<ClusterEntry>,
}

impl Report {
    /// The implementations judged, in order of appearance.
    pub fn implementations(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.records
            .iter()
            .filter(|r| seen.insert(r.implementation.clone()))
            .map(|r| r.implementation.clone())
            .collect()
    }
}

/// Why a report could not be written or read.
#[derive(Debug)]
pub enum ReportError {
    Write(WriteError),
    /// A report file that does not exist or cannot be read.
    Read {
        file: PathBuf,
        message: String,
    },
    /// A report file that is not what it must hold.
    Invalid {
        file: PathBuf,
        message: String,
    },
}

impl ReportError {
    /// Whether the report read is malformed (rather than missing or unwritable).
    pub fn is_invalid(&self) -> bool {
        matches!(self, ReportError::Invalid { .. })
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Write(e) => e.fmt(f),
            ReportError::Read { file, message } | ReportError::Invalid { file, message } => {
                write!(f, "{}: {message}", file.display())
            }
        }
    }
}

impl std::error::Error for ReportError {}

/// The file names of a report.
pub const FILES: [&str; 5] = [
    "results.jsonl",
    "summary.json",
    "junit.xml",
    "summary.md",
    "index.html",
];

/// Writes the five files of `report` into `dir` (created if needed; each file written
/// atomically). `previous` is an earlier report, for the run-to-run changes.
pub fn write(dir: &Path, report: &Report, previous: Option<&Report>) -> Result<(), ReportError> {
    create_dir(dir).map_err(ReportError::Write)?;
    let summary = summary::summary(report, previous);
    let files = [
        ("results.jsonl", results_jsonl(&report.records)),
        (
            "summary.json",
            serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n",
        ),
        ("junit.xml", junit::junit(report)),
        ("summary.md", markdown::markdown(&summary)),
        ("index.html", html::html(&summary)),
    ];
    for (name, text) in files {
        write_atomic(&dir.join(name), &text).map_err(ReportError::Write)?;
    }
    Ok(())
}

/// `results.jsonl`: one record per line.
pub fn results_jsonl(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&serde_json::to_string(r).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Reads a report directory back: its records from `results.jsonl`, its clusters and command
/// from `summary.json`.
pub fn read(dir: &Path) -> Result<Report, ReportError> {
    let read = |name: &str| {
        let file = dir.join(name);
        std::fs::read_to_string(&file).map_err(|e| ReportError::Read {
            file: file.clone(),
            message: format!("cannot read it: {e}"),
        })
    };
    let mut records = Vec::new();
    for (i, line) in read("results.jsonl")?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(line).map_err(|e| ReportError::Invalid {
            file: dir.join("results.jsonl"),
            message: format!("line {}: not a result record: {e}", i + 1),
        })?;
        records.push(r);
    }
    let summary: Value =
        serde_json::from_str(&read("summary.json")?).map_err(|e| ReportError::Read {
            file: dir.join("summary.json"),
            message: format!("not JSON: {e}"),
        })?;
    let clusters = match summary.get("clusters") {
        Some(c) => serde_json::from_value(c.clone()).map_err(|e| ReportError::Invalid {
            file: dir.join("summary.json"),
            message: format!("/clusters: {e}"),
        })?,
        None => Vec::new(),
    };
    Ok(Report {
        command: summary
            .get("command")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        records,
        clusters,
    })
}

/// The reports of the shards of one run, as one: records in shard order; clusters with the
/// same id merged (counts added, members joined, the smaller exemplar kept).
pub fn merge(reports: &[Report]) -> Report {
    let mut out = Report {
        command: reports
            .iter()
            .map(|r| r.command.as_str())
            .collect::<Vec<_>>()
            .join(" ; "),
        ..Report::default()
    };
    for r in reports {
        out.records.extend(r.records.iter().cloned());
        for c in &r.clusters {
            match out.clusters.iter_mut().find(|x| x.id == c.id) {
                Some(x) => {
                    x.count += c.count;
                    x.members.extend(c.members.iter().cloned());
                    x.known &= c.known;
                    if c.exemplar_states < x.exemplar_states {
                        x.exemplar = c.exemplar.clone();
                        x.exemplar_states = c.exemplar_states;
                        x.exemplar_signature = c.exemplar_signature.clone();
                        x.features = c.features.clone();
                        x.reproduce = c.reproduce.clone();
                        x.diff = c.diff.clone();
                    }
                }
                None => out.clusters.push(c.clone()),
            }
        }
    }
    out
}

/// The command line of this process, for the report.
pub fn command_line() -> String {
    let args: Vec<String> = std::env::args().collect();
    let mut words = vec!["aslcheck".to_string()];
    words.extend(args.into_iter().skip(1));
    words.join(" ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub fn record(case: &str, feature: &str, implementation: &str, verdict: &str) -> Record {
        Record {
            case: case.into(),
            area: case.split('/').next().unwrap_or("").into(),
            features: vec![feature.into()],
            implementation: implementation.into(),
            against: "expected".into(),
            verdict: verdict.into(),
            ok: Record::ok_of(verdict),
            detail: String::new(),
            diff: (Record::ok_of(verdict) == Some(false)).then(|| "-a\n+b\n".to_string()),
            observation: json!({"status": "SUCCEEDED"}),
            cluster: None,
        }
    }

    pub fn cluster(id: &str, count: usize, states: usize) -> ClusterEntry {
        ClusterEntry {
            id: id.into(),
            signature: format!("signature {id}"),
            exemplar_signature: String::new(),
            count,
            exemplar: Some(format!("corpus/pending/{id}.json")),
            exemplar_states: states,
            features: vec!["Pass".into()],
            members: (0..count).map(|i| format!("generated p-{i}")).collect(),
            reproduce: None,
            diff: String::new(),
            known: false,
        }
    }

    #[test]
    fn a_report_reads_back_as_written() {
        let dir = std::env::temp_dir().join(format!("aslcheck-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let report = Report {
            command: "aslcheck replay corpus/cases".into(),
            records: vec![
                record("paths/a", "InputPath", "reference", "pass"),
                record("paths/b", "OutputPath", "reference", "fail"),
            ],
            clusters: vec![cluster("00aa", 2, 1)],
        };
        write(&dir, &report, None).unwrap();
        for f in FILES {
            assert!(dir.join(f).is_file(), "{f}");
        }
        assert_eq!(read(&dir).unwrap(), report);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn merging_shards_joins_records_and_clusters() {
        let a = Report {
            command: "a".into(),
            records: vec![record("paths/a", "InputPath", "x", "pass")],
            clusters: vec![cluster("1", 2, 3)],
        };
        let b = Report {
            command: "b".into(),
            records: vec![record("paths/b", "InputPath", "x", "fail")],
            clusters: vec![cluster("1", 1, 1), cluster("2", 1, 2)],
        };
        let m = merge(&[a, b]);
        assert_eq!(m.records.len(), 2);
        assert_eq!(m.clusters.len(), 2);
        assert_eq!(m.clusters[0].count, 3);
        assert_eq!(m.clusters[0].members.len(), 3);
        assert_eq!(m.clusters[0].exemplar_states, 1);
    }
}
