//! The records and clusters of a run, for report files ([`crate::report`]): corpus replays,
//! differential runs and the generated cases of `conformance`, each turned into
//! [`Record`]s.

use super::differential::{DiffReport, Group};
use super::replay::{explain, CaseResult, Verdict};
use crate::backend::reference::observation_json;
use crate::backend::Observation;
use crate::corpus::Case;
use crate::diff::normalise::Normaliser;
use crate::diff::render::{mismatch_line, pretty, unified};
use crate::report::{ClusterEntry, Record};

/// One line: the mismatches or the reason of a verdict.
pub fn verdict_detail(v: &Verdict) -> String {
    match v {
        Verdict::Pass => String::new(),
        Verdict::Fail { mismatches } => mismatch_line(mismatches),
        Verdict::Skipped { reason }
        | Verdict::Indeterminate { reason }
        | Verdict::ExpectedFailure { reason, .. }
        | Verdict::UnexpectedPass { reason } => reason.clone(),
        Verdict::Errored { message } => message.clone(),
    }
}

/// The records of a corpus replay (`cases` and `results` in the same order).
pub fn replay_records(cases: &[Case], results: &[CaseResult]) -> Vec<Record> {
    cases
        .iter()
        .zip(results)
        .map(|(case, r)| {
            let verdict = r.verdict.label().to_string();
            let ok = Record::ok_of(&verdict);
            Record {
                case: r.id.clone(),
                area: r.area.clone(),
                features: r.features.clone(),
                implementation: r.backend.clone(),
                against: "expected".into(),
                ok,
                detail: verdict_detail(&r.verdict),
                diff: (ok == Some(false)).then(|| explain(case, r, false)),
                observation: observation_json(&r.observation),
                cluster: None,
                verdict,
            }
        })
        .collect()
}

/// The normalised observation as pretty JSON (what a diff shows).
pub fn observation_text(o: &Observation) -> String {
    pretty(&observation_json(&Normaliser::new().observation(o)))
}

/// The diff of two observations, `---` the first, `+++` the second.
pub fn observation_diff(a: &Observation, b: &Observation) -> String {
    unified(&observation_text(a), &observation_text(b), false)
}

/// The area of a case in a report: its corpus area, or `generated/<profile>`.
pub fn area_of(group: &Group) -> String {
    match group {
        Group::Area(a) => a.clone(),
        Group::Profile(p) => format!("generated/{p}"),
    }
}

/// The records of a differential run: the second implementation judged against the first.
pub fn diff_records(report: &DiffReport, names: &[String; 2]) -> Vec<Record> {
    report
        .cases
        .iter()
        .map(|c| Record {
            case: c.label.clone(),
            area: area_of(&c.group),
            features: c.features.clone(),
            implementation: names[1].clone(),
            against: names[0].clone(),
            verdict: c.verdict.to_string(),
            ok: Record::ok_of(c.verdict),
            detail: c.detail.clone(),
            diff: (c.verdict == "diverge")
                .then(|| observation_diff(&c.observed[0], &c.observed[1])),
            observation: observation_json(&c.observed[1]),
            cluster: c.cluster.map(|i| report.clusters[i].cluster.key.id()),
        })
        .collect()
}

/// The clusters of a differential run, as `summary.json` lists them.
pub fn cluster_entries(report: &DiffReport) -> Vec<ClusterEntry> {
    report
        .clusters
        .iter()
        .map(|r| {
            let c = &r.cluster;
            let pending = r.pending.as_ref().ok();
            ClusterEntry {
                id: c.key.id(),
                signature: c.key.to_string(),
                exemplar_signature: c.exemplar.signature.to_string(),
                count: c.members.len(),
                exemplar: r
                    .known
                    .as_ref()
                    .or(pending.map(|p| &p.file))
                    .map(|f| f.display().to_string()),
                exemplar_states: c.exemplar.states_after(),
                features: c.features.clone(),
                members: c.members.clone(),
                reproduce: pending.map(|p| p.command.clone()),
                diff: observation_diff(&c.exemplar.observed, &c.exemplar.observed_b),
                known: r.known.is_some(),
            }
        })
        .collect()
}
