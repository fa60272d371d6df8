//! The differential loop: the same cases on two implementations, agreement decided by
//! [`crate::diff::agreement::compare`] (A is the side B is judged against), every divergence
//! minimised into a pending corpus case ([`super::minimise`]), and agreement tallied per corpus
//! area and per generator profile.
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

use super::inconclusive::Tallies;
use super::minimise::{minimise, MinimiseError, Pending, PendingOptions};
use super::observe::observe_all;
use crate::backend::{Backend, Observation, Request};
use crate::corpus::{Origin, Runnable};
use crate::diff::agreement::{self, Agreement};
use crate::diff::Mismatch;

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
    /// The two implementations disagree; minimising starts.
    Divergence {
        case: &'a Runnable,
        observed_a: &'a Observation,
        observed_b: &'a Observation,
        mismatches: &'a [Mismatch],
    },
    /// The divergence just reported was minimised and written (or could not be written).
    Minimised {
        case: &'a Runnable,
        pending: &'a Result<Pending, MinimiseError>,
    },
    /// A case has been judged (for progress displays).
    Judged,
}

/// The end of a differential run.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    pub agreements: Agreements,
    /// Divergences whose pending case could not be written.
    pub unwritten: usize,
    /// Verdicts (agree, disagree), skipped and indeterminate cases.
    pub tallies: Tallies,
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
/// judges every pair of observations and minimises every divergence.
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
    for ((case, oa), ob) in cases.iter().zip(&obs_a).zip(&obs_b) {
        let tally = report.agreements.0.entry(Group::of(case)).or_default();
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
            }
            Agreement::Disagree(mismatches) => {
                tally.disagree += 1;
                report.tallies.verdict();
                on(Event::Divergence {
                    case,
                    observed_a: oa,
                    observed_b: ob,
                    mismatches: &mismatches,
                });
                let written = minimise(case, [oa, ob], &mismatches, a, b, pending);
                if written.is_err() {
                    report.unwritten += 1;
                }
                on(Event::Minimised {
                    case,
                    pending: &written,
                });
            }
        }
        on(Event::Judged);
    }
    report
}
