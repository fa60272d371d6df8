//! `--shard K/N`: one of N machines' share of a run, so a CI matrix spreads a long run across
//! machines (their reports are merged with `aslcheck report merge`). Shard K (1-based) takes the
//! cases whose position, counted from 0, leaves K − 1 when divided by N: corpus cases by their
//! position in load order, generated cases by their position in seed order.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole run.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether the case at `position` belongs to this shard.
    pub fn keeps(&self, position: usize) -> bool {
        position % self.count == self.index
    }

    /// The items of `items` this shard takes, in order.
    pub fn take<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.keeps(*i))
            .map(|(_, x)| x)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 2/4), got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard {
            index: k - 1,
            count: n,
        })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_a_run_without_overlap() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        let mut seen = Vec::new();
        for s in &shards {
            seen.extend(s.take((0..10).collect::<Vec<_>>()));
        }
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(shards[1].take(vec!['a', 'b', 'c', 'd', 'e']), ['b', 'e']);
        assert_eq!(Shard::ALL.take(vec![1, 2]), [1, 2]);
        assert_eq!(shards[2].to_string(), "3/3");
    }

    #[test]
    fn bad_shards_are_refused() {
        for s in ["0/3", "4/3", "1/0", "3", "a/b", ""] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
    }
}
