//! The choice tape: every random decision the generator makes, in order.
//!
//! Generation never asks an RNG directly; it asks the tape for "an index below `n`" or "a coin
//! with probability `p`". A fresh tape answers from a seeded ChaCha RNG and records the answers;
//! a replayed tape answers from a recorded list (and with 0 once the list runs out). Because
//! the builder turns *any* list of answers into a valid machine, shrinking is just editing the
//! list (Hypothesis-style "internal shrinking", see `tree.rs`): no answer can produce an invalid
//! definition, so no `prop_filter` is ever needed.
//!
//! Convention that makes shrinking work: answer 0 is always the simplest choice (the first,
//! plainest option; a coin landing "no"; the smallest count).

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// The deterministic RNG for a generation seed (ChaCha, identical on every platform).
pub fn seeded_rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..24].copy_from_slice(b"aslcheck-gen-v1\0");
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// A source of decisions that records what it answered. See the module documentation.
pub struct Tape {
    rng: Option<TestRng>,
    replay: Vec<u64>,
    pos: usize,
    record: Vec<u64>,
    spans: Vec<Span>,
    open: Vec<(usize, u32)>,
    groups: u32,
}

/// A run of decisions that belong together: `start..end` of the record, and a group (0 =
/// none). Spans of one group (a block's plan and its content) are deleted together.
pub type Span = (usize, usize, u32);

impl Tape {
    /// A tape answering from the RNG seeded with `seed`.
    pub fn fresh(seed: u64) -> Tape {
        Tape {
            rng: Some(seeded_rng(seed)),
            replay: Vec::new(),
            pos: 0,
            record: Vec::new(),
            spans: Vec::new(),
            open: Vec::new(),
            groups: 0,
        }
    }

    /// A tape answering from `answers` (then 0 forever).
    pub fn replay(answers: Vec<u64>) -> Tape {
        Tape {
            rng: None,
            replay: answers,
            pos: 0,
            record: Vec::new(),
            spans: Vec::new(),
            open: Vec::new(),
            groups: 0,
        }
    }

    /// The answers given so far, and the spans (start, end) of the groups of answers that
    /// belong together (one state, one list element, ...).
    pub fn finish(self) -> (Vec<u64>, Vec<Span>) {
        (self.record, self.spans)
    }

    fn answer(&mut self, bound: u64) -> u64 {
        let v = match &mut self.rng {
            Some(rng) => rng.next_u64() % bound,
            None => self.replay.get(self.pos).copied().unwrap_or(0) % bound,
        };
        self.pos += 1;
        self.record.push(v);
        v
    }

    /// An index in `0..n` (`n ≤ 1` answers 0 without consuming a decision).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            0
        } else {
            self.answer(n as u64) as usize
        }
    }

    /// An integer in `lo..=hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.answer((hi - lo) as u64 + 1) as i64
        }
    }

    /// A count in `lo..=hi`.
    pub fn count(&mut self, lo: usize, hi: usize) -> usize {
        self.range(lo as i64, hi as i64) as usize
    }

    /// A coin that lands `true` with probability `p` (no decision is used when `p` is 0 or 1).
    pub fn flag(&mut self, p: f64) -> bool {
        if p.is_nan() || p <= 0.0 {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        let v = match &mut self.rng {
            Some(rng) => {
                let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                u64::from(unit < p)
            }
            None => u64::from(self.replay.get(self.pos).copied().unwrap_or(0) != 0),
        };
        self.pos += 1;
        self.record.push(v);
        v != 0
    }

    /// An index chosen with the given relative weights (zero weights are never chosen; all
    /// zero answers 0).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let nonzero = weights.iter().filter(|&&w| w > 0).count();
        if total == 0 {
            return 0;
        }
        let first = weights.iter().position(|&w| w > 0).unwrap_or(0);
        if nonzero == 1 {
            return first;
        }
        let idx = match &mut self.rng {
            Some(rng) => {
                let mut r = rng.next_u64() % total;
                let mut idx = first;
                for (i, &w) in weights.iter().enumerate() {
                    if r < u64::from(w) {
                        idx = i;
                        break;
                    }
                    r -= u64::from(w);
                }
                idx
            }
            None => {
                let v = self.replay.get(self.pos).copied().unwrap_or(0) as usize % weights.len();
                if weights[v] > 0 {
                    v
                } else {
                    first
                }
            }
        };
        self.pos += 1;
        self.record.push(idx as u64);
        idx
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Opens a span: the decisions until the matching [`Tape::end`] belong together.
    pub fn begin(&mut self) {
        self.open.push((self.record.len(), 0));
    }

    /// Closes the innermost open span.
    pub fn end(&mut self) {
        if let Some((start, group)) = self.open.pop() {
            let end = self.record.len();
            if end > start {
                self.spans.push((start, end, group));
            }
        }
    }

    /// A fresh group id.
    pub fn new_group(&mut self) -> u32 {
        self.groups += 1;
        self.groups
    }

    /// Puts the innermost open span into `group`.
    pub fn tag(&mut self, group: u32) {
        if let Some(last) = self.open.last_mut() {
            last.1 = group;
        }
    }

    /// A list element: `true` (and an open span the caller must [`Tape::end`]) when another
    /// element should be generated. Deleting the span removes exactly one element.
    pub fn more(&mut self, have: usize, min: usize, max: usize, p: f64) -> bool {
        if have >= max {
            return false;
        }
        self.begin();
        if have < min || self.flag(p) {
            true
        } else {
            self.end();
            false
        }
    }
}
