//! `summary.json`: what the records add up to. Pure: records (and an earlier report) in, a
//! [`Summary`] out; the Markdown and HTML pages render it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ClusterEntry, Record, Report};

/// Counts of one cell: good, bad and no-verdict results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub total: usize,
    /// Good results (pass, agree).
    pub ok: usize,
    /// Bad results (fail, known failure, unexpected pass, errored, diverge).
    pub bad: usize,
    /// Without a verdict (skipped, indeterminate, inconclusive).
    pub none: usize,
}

impl Cell {
    fn add(&mut self, ok: Option<bool>) {
        self.total += 1;
        match ok {
            Some(true) => self.ok += 1,
            Some(false) => self.bad += 1,
            None => self.none += 1,
        }
    }
}

/// One row of a matrix: a feature (or area) and its cell per implementation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub name: String,
    /// One cell per implementation, in [`Summary::implementations`] order.
    pub cells: Vec<Cell>,
}

/// A result that changed since the previous report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub case: String,
    pub implementation: String,
    /// The verdict before (absent for a new case).
    pub before: Option<String>,
    /// The verdict now (absent for a case that is gone).
    pub after: Option<String>,
}

/// Run-to-run changes: bad → good (fixed), good → bad (broken), new cases, cases gone.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Changes {
    pub previous: String,
    pub fixed: Vec<Change>,
    pub broken: Vec<Change>,
    pub new: Vec<Change>,
    pub gone: Vec<Change>,
}

/// The contents of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub command: String,
    pub implementations: Vec<String>,
    /// One cell per implementation.
    pub totals: Vec<Cell>,
    /// Feature × implementation.
    pub features: Vec<Row>,
    /// Area × implementation.
    pub areas: Vec<Row>,
    /// One entry per cluster of divergences.
    pub clusters: Vec<ClusterEntry>,
    /// The bad results, one line each.
    pub failures: Vec<Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

/// A bad result, as the summary lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub case: String,
    pub implementation: String,
    pub verdict: String,
    pub detail: String,
}

fn matrix<'a>(
    records: &'a [Record],
    implementations: &[String],
    keys: impl Fn(&'a Record) -> Vec<&'a str>,
) -> Vec<Row> {
    let column = |name: &str| implementations.iter().position(|i| i == name);
    let mut rows: BTreeMap<&str, Vec<Cell>> = BTreeMap::new();
    for r in records {
        let Some(c) = column(&r.implementation) else {
            continue;
        };
        for k in keys(r) {
            rows.entry(k)
                .or_insert_with(|| vec![Cell::default(); implementations.len()])[c]
                .add(r.ok);
        }
    }
    rows.into_iter()
        .map(|(name, cells)| Row {
            name: name.to_string(),
            cells,
        })
        .collect()
}

/// The summary of `report`, with the changes since `previous` when given.
pub fn summary(report: &Report, previous: Option<&Report>) -> Summary {
    let implementations = report.implementations();
    let mut totals = vec![Cell::default(); implementations.len()];
    for r in &report.records {
        if let Some(c) = implementations.iter().position(|i| *i == r.implementation) {
            totals[c].add(r.ok);
        }
    }
    let features = matrix(&report.records, &implementations, |r| {
        r.features.iter().map(String::as_str).collect()
    });
    let areas = matrix(&report.records, &implementations, |r| vec![r.area.as_str()]);
    let failures = report
        .records
        .iter()
        .filter(|r| r.ok == Some(false))
        .map(|r| Failure {
            case: r.case.clone(),
            implementation: r.implementation.clone(),
            verdict: r.verdict.clone(),
            detail: r.detail.clone(),
        })
        .collect();
    Summary {
        command: report.command.clone(),
        implementations,
        totals,
        features,
        areas,
        clusters: report.clusters.clone(),
        failures,
        changes: previous.map(|p| changes(p, report)),
    }
}

/// What changed from `before` to `after`, per case and implementation.
pub fn changes(before: &Report, after: &Report) -> Changes {
    let index = |r: &Report| -> BTreeMap<(String, String), (String, Option<bool>)> {
        r.records
            .iter()
            .map(|x| {
                (
                    (x.case.clone(), x.implementation.clone()),
                    (x.verdict.clone(), x.ok),
                )
            })
            .collect()
    };
    let (b, a) = (index(before), index(after));
    let mut out = Changes {
        previous: before.command.clone(),
        ..Changes::default()
    };
    for ((case, implementation), (verdict, ok)) in &a {
        let change = |before: Option<&String>| Change {
            case: case.clone(),
            implementation: implementation.clone(),
            before: before.cloned(),
            after: Some(verdict.clone()),
        };
        match b.get(&(case.clone(), implementation.clone())) {
            None => out.new.push(change(None)),
            Some((v, Some(false))) if *ok == Some(true) => out.fixed.push(change(Some(v))),
            Some((v, Some(true))) if *ok == Some(false) => out.broken.push(change(Some(v))),
            Some(_) => {}
        }
    }
    for ((case, implementation), (verdict, _)) in &b {
        if !a.contains_key(&(case.clone(), implementation.clone())) {
            out.gone.push(Change {
                case: case.clone(),
                implementation: implementation.clone(),
                before: Some(verdict.clone()),
                after: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn the_matrix_counts_each_feature_per_implementation() {
        let report = Report {
            command: String::new(),
            records: vec![
                record("paths/a", "InputPath", "x", "pass"),
                record("paths/b", "InputPath", "x", "fail"),
                record("paths/a", "InputPath", "y", "skipped"),
                record("map/c", "Map", "y", "pass"),
            ],
            clusters: vec![],
        };
        let s = summary(&report, None);
        assert_eq!(s.implementations, ["x", "y"]);
        assert_eq!(s.features.len(), 2);
        assert_eq!(s.features[0].name, "InputPath");
        assert_eq!(
            s.features[0].cells[0],
            Cell {
                total: 2,
                ok: 1,
                bad: 1,
                none: 0
            }
        );
        assert_eq!(s.features[0].cells[1].none, 1);
        assert_eq!(s.features[1].cells[0].total, 0);
        assert_eq!(s.areas[1].name, "paths");
        assert_eq!(s.totals[1].ok, 1);
        assert_eq!(s.failures.len(), 1);
        assert!(s.changes.is_none());
    }

    #[test]
    fn changes_are_fixed_broken_new_and_gone() {
        let before = Report {
            command: "before".into(),
            records: vec![
                record("a/fixed", "F", "x", "fail"),
                record("a/broken", "F", "x", "pass"),
                record("a/same", "F", "x", "pass"),
                record("a/gone", "F", "x", "pass"),
            ],
            clusters: vec![],
        };
        let after = Report {
            command: "after".into(),
            records: vec![
                record("a/fixed", "F", "x", "pass"),
                record("a/broken", "F", "x", "fail"),
                record("a/same", "F", "x", "pass"),
                record("a/new", "F", "x", "fail"),
            ],
            clusters: vec![],
        };
        let c = changes(&before, &after);
        let cases = |v: &[Change]| v.iter().map(|c| c.case.clone()).collect::<Vec<_>>();
        assert_eq!(cases(&c.fixed), ["a/fixed"]);
        assert_eq!(cases(&c.broken), ["a/broken"]);
        assert_eq!(cases(&c.new), ["a/new"]);
        assert_eq!(cases(&c.gone), ["a/gone"]);
        assert_eq!(c.previous, "before");
    }
}
