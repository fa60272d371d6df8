//! The proptest strategy and its shrinking value tree.
//!
//! A case is a function of its tape (see `tape.rs`). The value tree keeps the tape of the
//! smallest failing case found so far and proposes edited tapes, Hypothesis-style:
//!
//! 1. truncate the tape (later decisions become 0 = simplest);
//! 2. delete one block of a graph (its planning decisions and its content together);
//! 3. delete one span (a state, a list element, a template member, ...), largest first;
//! 4. zero one span;
//! 5. lower single decisions (to 0, to half, by one).
//!
//! A proposal is kept only if the tape the builder actually *used* is shortlex-smaller than
//! the current one, so shrinking always terminates. Every proposal is a valid machine because
//! every tape is.

use proptest::prelude::Rng;
use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::case::Case;
use crate::config::Config;
use crate::gen;
use crate::tape::{Span, Tape};
use crate::VERSION;

/// A strategy producing [`Case`]s for one config. See [`crate::case_strategy`].
#[derive(Debug, Clone)]
pub struct CaseStrategy {
    config: Config,
    profile: String,
}

impl CaseStrategy {
    pub fn new(config: Config, profile: &str) -> CaseStrategy {
        CaseStrategy {
            config,
            profile: profile.to_string(),
        }
    }
}

impl Strategy for CaseStrategy {
    type Tree = CaseTree;
    type Value = Case;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let seed = runner.rng().next_u64();
        Ok(CaseTree::new(self.config.clone(), &self.profile, seed))
    }
}

/// A built case with the decisions that made it.
#[derive(Debug, Clone)]
struct Candidate {
    case: Case,
    tape: Vec<u64>,
    spans: Vec<Span>,
}

/// Builds the case for `seed` (fresh) or for a recorded tape (replay).
fn make(config: &Config, profile: &str, seed: u64, tape: Tape, shrunk: bool) -> Candidate {
    let header = format!(
        "aslcheck-generators {VERSION}: profile {profile}, seed {seed}{}",
        if shrunk { " (shrunk)" } else { "" }
    );
    let (built, tape) = gen::build(config, &header, tape);
    let (mut record, spans) = tape.finish();
    while record.last() == Some(&0) {
        record.pop();
    }
    let len = record.len();
    let spans = spans
        .into_iter()
        .filter_map(|(s, e, g)| {
            if s < len {
                Some((s, e.min(len), g))
            } else {
                None
            }
        })
        .collect();
    let mut definition = built.definition;
    let mutation = config
        .invalid
        .then(|| crate::mutate::mutate(&mut definition, seed));
    let case = Case {
        definition,
        input: built.input,
        environment: built.environment,
        profile: profile.to_string(),
        seed,
        generator_version: VERSION.to_string(),
        config: built.config,
        shrunk,
        mutation,
    };
    Candidate {
        case,
        tape: record,
        spans,
    }
}

/// The case for `seed` (what [`crate::generate`] returns).
pub(crate) fn fresh_case(config: &Config, profile: &str, seed: u64) -> Case {
    make(config, profile, seed, Tape::fresh(seed), false).case
}

fn shortlex_less(a: &[u64], b: &[u64]) -> bool {
    a.len() < b.len() || (a.len() == b.len() && a < b)
}

/// The shrinking value tree of [`CaseStrategy`].
#[derive(Debug, Clone)]
pub struct CaseTree {
    config: Config,
    profile: String,
    seed: u64,
    accepted: Candidate,
    candidate: Option<Candidate>,
    /// Spans of the accepted tape, largest first.
    order: Vec<(usize, usize)>,
    /// Groups of spans of the accepted tape (each sorted by start), largest first.
    groups: Vec<Vec<(usize, usize)>>,
    pass: usize,
    idx: usize,
    sub: usize,
    improved: bool,
}

impl CaseTree {
    fn new(config: Config, profile: &str, seed: u64) -> CaseTree {
        let accepted = make(&config, profile, seed, Tape::fresh(seed), false);
        let mut tree = CaseTree {
            config,
            profile: profile.to_string(),
            seed,
            accepted,
            candidate: None,
            order: vec![],
            groups: vec![],
            pass: 0,
            idx: 0,
            sub: 0,
            improved: false,
        };
        tree.sort_spans();
        tree
    }

    fn sort_spans(&mut self) {
        let mut order: Vec<(usize, usize)> = self
            .accepted
            .spans
            .iter()
            .map(|&(s, e, _)| (s, e))
            .collect();
        order.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
        order.dedup();
        self.order = order;
        let mut groups: std::collections::BTreeMap<u32, Vec<(usize, usize)>> = Default::default();
        for &(s, e, g) in &self.accepted.spans {
            if g != 0 {
                groups.entry(g).or_default().push((s, e));
            }
        }
        let mut groups: Vec<Vec<(usize, usize)>> = groups
            .into_values()
            .filter(|spans| spans.len() > 1)
            .map(|mut spans| {
                spans.sort();
                spans
            })
            .collect();
        groups.sort_by_key(|spans| {
            std::cmp::Reverse(spans.iter().map(|(s, e)| e - s).sum::<usize>())
        });
        self.groups = groups;
    }

    fn accept(&mut self, c: Candidate) {
        self.accepted = c;
        self.improved = true;
        self.sort_spans();
        match self.pass {
            1..=3 => self.idx = self.idx.saturating_sub(1),
            4 => self.sub = 1,
            _ => {}
        }
    }

    /// The next edited tape to try, or `None` when a full sweep found nothing smaller.
    fn propose(&mut self) -> Option<Vec<u64>> {
        loop {
            let t = &self.accepted.tape;
            match self.pass {
                0 => {
                    if self.idx < 4 {
                        let len = t.len() * self.idx / 4;
                        self.idx += 1;
                        if len < t.len() {
                            return Some(t[..len].to_vec());
                        }
                        continue;
                    }
                }
                1 => {
                    if self.idx < self.groups.len() {
                        let spans = &self.groups[self.idx];
                        self.idx += 1;
                        let mut c = t.clone();
                        // Later spans first, so earlier positions stay put.
                        for &(s, e) in spans.iter().rev() {
                            if s < e && e <= c.len() {
                                c.drain(s..e);
                            }
                        }
                        if c.len() < t.len() {
                            return Some(c);
                        }
                        continue;
                    }
                }
                2 | 3 => {
                    if self.idx < self.order.len() {
                        let (s, e) = self.order[self.idx];
                        self.idx += 1;
                        if e > t.len() || s >= e {
                            continue;
                        }
                        let mut c = t.clone();
                        if self.pass == 2 {
                            c.drain(s..e);
                        } else {
                            if c[s..e].iter().all(|&v| v == 0) {
                                continue;
                            }
                            c[s..e].iter_mut().for_each(|v| *v = 0);
                        }
                        return Some(c);
                    }
                }
                _ => {
                    if self.idx < t.len() {
                        let pos = self.idx;
                        let v = t[pos];
                        let sub = self.sub;
                        self.sub += 1;
                        if self.sub >= 3 {
                            self.sub = 0;
                            self.idx += 1;
                        }
                        if v == 0 {
                            continue;
                        }
                        let smaller = match sub {
                            0 => 0,
                            1 => v / 2,
                            _ => v - 1,
                        };
                        if (sub > 0 && smaller == 0) || (sub == 2 && smaller == v / 2) {
                            continue;
                        }
                        let mut c = t.clone();
                        c[pos] = smaller;
                        return Some(c);
                    }
                    if !self.improved {
                        return None;
                    }
                    self.improved = false;
                    self.pass = 0;
                    self.idx = 0;
                    self.sub = 0;
                    continue;
                }
            }
            self.pass += 1;
            self.idx = 0;
            self.sub = 0;
        }
    }

    /// The next proposal whose used tape is smaller than the accepted one.
    fn next_candidate(&mut self) -> Option<Candidate> {
        while let Some(tape) = self.propose() {
            let c = make(
                &self.config,
                &self.profile,
                self.seed,
                Tape::replay(tape),
                true,
            );
            if shortlex_less(&c.tape, &self.accepted.tape) {
                return Some(c);
            }
        }
        None
    }
}

impl ValueTree for CaseTree {
    type Value = Case;

    fn current(&self) -> Case {
        self.candidate
            .as_ref()
            .unwrap_or(&self.accepted)
            .case
            .clone()
    }

    fn simplify(&mut self) -> bool {
        // Called after `current()` failed: a pending candidate becomes the new smallest.
        if let Some(c) = self.candidate.take() {
            self.accept(c);
        }
        self.candidate = self.next_candidate();
        self.candidate.is_some()
    }

    fn complicate(&mut self) -> bool {
        // The candidate passed: drop it and try the next one.
        self.candidate = self.next_candidate();
        self.candidate.is_some()
    }
}
