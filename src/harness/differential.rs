//! The differential loop: the same cases on two implementations, agreement decided by
//! [`crate::diff::agreement::compare`] (A is the side B is judged against), every divergence
//! shrunk ([`super::minimise`]) and filed in its cluster ([`super::triage`]), one pending corpus
//! case written per cluster, and agreement tallied per corpus area and per generator profile.
//!
//! Only a disagreement between two observations is a divergence. A case on which either side
//! was skipped or indeterminate (a timeout, a crashed or hung adapter, an unreachable endpoint),
//! or on which A errored, is inconclusive: it is counted, never minimised, never written to
//! `corpus/pending/`; [`DiffReport::tallies`] says whether there were too many of them
//! ([`super::inconclusive`]).
//!
//! The loop reports what it finds through [`Event`]s as it goes; printing is the caller's job.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use super::inconclusive::Tallies;
use super::minimise::{shrink_divergence, write_pending, Pending, PendingOptions};
use super::observe::observe_all;
use super::triage::{known_clusters, Cluster, ClusterKey, Triage};
use crate::backend::{Backend, Observation, Request};
use crate::corpus::load::load_features;
use crate::corpus::pending::features as features_of;
use crate::corpus::{Origin, Runnable};
use crate::diff::agreement::{self, Agreement};
use crate::diff::render::mismatch_line;
use crate::diff::{Mismatch, Signature};

/// How results are grouped in the summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// A corpus case's area (the first segment of its id).
    Area(String),
    /// A generated case's profile.
    Profile(String),
}

impl Group {
    pub fn of(case: &Runnable) -> Group {
        match &case.origin {
            Origin::Corpus { id, .. } => {
                Group::Area(id.split('/').next().unwrap_or("").to_string())
            }
            Origin::Generated { profile, .. } => Group::Profile(profile.clone()),
        }
    }
}

/// Agreement counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub agree: usize,
    pub disagree: usize,
    pub inconclusive: usize,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.agree + self.disagree + self.inconclusive
    }

    fn add(&mut self, other: &Tally) {
        self.agree += other.agree;
        self.disagree += other.disagree;
        self.inconclusive += other.inconclusive;
    }
}

/// Agreement per area and per profile.
#[derive(Debug, Clone, Default)]
pub struct Agreements(pub BTreeMap<Group, Tally>);

impl Agreements {
    /// The counts over every group.
    pub fn total(&self) -> Tally {
        let mut t = Tally::default();
        for x in self.0.values() {
            t.add(x);
        }
        t
    }
}

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

/// What the loop found, as it finds it.
#[derive(Debug)]
pub enum Event<'a> {
    /// One side could not run the case.
    Inconclusive { case: &'a Runnable, reason: &'a str },
    /// The two implementations disagree; shrinking starts (unless its cluster has a small
    /// exemplar already).
    Divergence {
        case: &'a Runnable,
        observed_a: &'a Observation,
        observed_b: &'a Observation,
        mismatches: &'a [Mismatch],
    },
    /// The divergence just reported was filed in cluster `cluster` (an index into
    /// [`DiffReport::clusters`]); `new` when it opened the cluster, `shrunk` unless shrinking
    /// was skipped.
    Filed {
        case: &'a Runnable,
        cluster: usize,
        new: bool,
        shrunk: bool,
    },
    /// A case has been judged (for progress displays).
    Judged,
}

/// A cluster at the end of the run, with its pending case.
#[derive(Debug, Clone)]
pub struct ClusterReport {
    pub cluster: Cluster,
    /// The exemplar's pending case as written (or found unchanged), or why it was not written.
    pub pending: Result<Pending, String>,
    /// A pending case of an earlier run tagged with this cluster's id: nothing new is written.
    pub known: Option<PathBuf>,
}

/// What one case ended with, for reports.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub label: String,
    pub group: Group,
    /// The corpus features the case's definition uses.
    pub features: Vec<String>,
    /// `agree`, `diverge` or `inconclusive`.
    pub verdict: &'static str,
    /// The mismatches or the reason, one line.
    pub detail: String,
    pub observed: [Observation; 2],
    /// The index of the divergence's cluster in [`DiffReport::clusters`].
    pub cluster: Option<usize>,
}

/// The end of a differential run.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    /// Every case, in order.
    pub cases: Vec<CaseOutcome>,
    pub agreements: Agreements,
    /// Clusters whose pending case could not be written.
    pub unwritten: usize,
    /// Verdicts (agree, disagree), skipped and indeterminate cases.
    pub tallies: Tallies,
    /// The divergences, one cluster per defect, in the order they were found.
    pub clusters: Vec<ClusterReport>,
}

/// What an inconclusive pair of observations counts as: skipped when a side could not run the
/// feature, indeterminate (with the reason) otherwise.
pub fn count_inconclusive(t: &mut Tallies, a: &Observation, b: &Observation, reason: &str) {
    let indeterminate = [a, b].into_iter().find_map(|o| match o {
        Observation::Indeterminate(r) => Some(r.as_str()),
        _ => None,
    });
    match indeterminate {
        Some(r) => t.indeterminate(r),
        None if [a, b].iter().any(|o| matches!(o, Observation::Skipped(_))) => t.skipped(),
        None => t.indeterminate(reason),
    }
}

/// Runs `cases` on `a` and `b` (each as one batch, so backends that run cases concurrently can),
/// judges every pair of observations, shrinks every divergence and files it in its cluster
/// ([`super::triage`]), then writes one pending case per cluster (none for a cluster an earlier
/// run's pending case already holds).
pub fn run(
    cases: &[Runnable],
    a: &mut dyn Backend,
    b: &mut dyn Backend,
    pending: &PendingOptions,
    on: &mut dyn FnMut(Event<'_>),
) -> DiffReport {
    let requests: Vec<Request<'_>> = cases.iter().map(|c| c.request(pending.history)).collect();
    let obs_a = observe_all(a, &requests);
    let obs_b = observe_all(b, &requests);
    let mut report = DiffReport::default();
    let features = load_features(&pending.corpus.join("schema").join("features.txt"));
    let vocabulary = features.as_ref().cloned().unwrap_or_default();
    let mut triage = Triage::default();
    for ((case, oa), ob) in cases.iter().zip(&obs_a).zip(&obs_b) {
        let tally = report.agreements.0.entry(Group::of(case)).or_default();
        let mut outcome = CaseOutcome {
            label: case.label(),
            group: Group::of(case),
            features: features_of(&case.definition, &vocabulary),
            verdict: "agree",
            detail: String::new(),
            observed: [oa.clone(), ob.clone()],
            cluster: None,
        };
        match agreement::compare(oa, ob) {
            Agreement::Agree => {
                tally.agree += 1;
                report.tallies.verdict();
            }
            Agreement::Inconclusive(reason) => {
                tally.inconclusive += 1;
                count_inconclusive(&mut report.tallies, oa, ob, &reason);
                on(Event::Inconclusive {
                    case,
                    reason: &reason,
                });
                outcome.verdict = "inconclusive";
                outcome.detail = reason;
            }
            Agreement::Disagree(mismatches) => {
                outcome.verdict = "diverge";
                outcome.detail = mismatch_line(&mismatches);
                tally.disagree += 1;
                report.tallies.verdict();
                on(Event::Divergence {
                    case,
                    observed_a: oa,
                    observed_b: ob,
                    mismatches: &mismatches,
                });
                let signature = Signature::of(oa, ob, &mismatches);
                let key = ClusterKey::of(case, oa, ob, &signature);
                let event = match triage.small_exemplar(&key) {
                    Some(i) => {
                        triage.join(i, case.label());
                        Event::Filed {
                            case,
                            cluster: i,
                            new: false,
                            shrunk: false,
                        }
                    }
                    None => {
                        let before = triage.clusters.len();
                        let shrunk = shrink_divergence(case, [oa, ob], &mismatches, a, b, pending);
                        let i = triage.add(case.label(), key, shrunk, &vocabulary);
                        Event::Filed {
                            case,
                            cluster: i,
                            new: triage.clusters.len() > before,
                            shrunk: true,
                        }
                    }
                };
                if let Event::Filed { cluster, .. } = event {
                    outcome.cluster = Some(cluster);
                }
                on(event);
            }
        }
        report.cases.push(outcome);
        on(Event::Judged);
    }
    let known = known_clusters(&pending.out);
    let backends = [a.name().to_string(), b.name().to_string()];
    for cluster in triage.clusters {
        let known = known.get(&cluster.key.id()).cloned();
        let written = match (&features, &known) {
            (Err(e), _) => Err(e.to_string()),
            (Ok(_), Some(file)) => Err(format!("known cluster: {}", file.display())),
            (Ok(_), None) => write_pending(
                &cluster.exemplar.case,
                &cluster.exemplar,
                &backends,
                pending,
                &[cluster.key.tag()],
            )
            .map_err(|e| e.to_string()),
        };
        if written.is_err() && known.is_none() {
            report.unwritten += 1;
        }
        report.clusters.push(ClusterReport {
            cluster,
            pending: written,
            known,
        });
    }
    report
}
