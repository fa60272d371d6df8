//! Honest results: a run whose cases mostly said nothing does not pass.
//!
//! Every case of a run ends with a verdict (it passed, failed, agreed, diverged, errored), or
//! without one: **skipped** (the implementation cannot run the feature; expected, not trouble)
//! or **indeterminate** (trouble outside the implementation: a timeout, an adapter that crashed
//! or broke the protocol, an endpoint that cannot be reached, rejected credentials). A run fails
//! ([`Tallies::check`]) when no case produced a verdict, or when more cases were indeterminate
//! than `--max-indeterminate` allows ([`MaxIndeterminate`]: a count, or a share of the cases
//! run; default 0) — so a nightly job whose endpoint or credentials broke goes red instead of
//! reporting "no unexpected results".

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// How many indeterminate cases a run may have and still pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxIndeterminate {
    /// At most this many cases.
    Count(usize),
    /// At most this share of the cases run (0.0–1.0).
    Share(f64),
}

impl Default for MaxIndeterminate {
    fn default() -> Self {
        MaxIndeterminate::Count(0)
    }
}

impl MaxIndeterminate {
    /// The number of indeterminate cases allowed in a run of `total` cases (a share is rounded
    /// down).
    pub fn allowed(&self, total: usize) -> usize {
        match *self {
            MaxIndeterminate::Count(n) => n,
            MaxIndeterminate::Share(s) => (s * total as f64).floor() as usize,
        }
    }
}

impl FromStr for MaxIndeterminate {
    type Err = String;

    /// `3` (a count), `5%` or `0.05` (a share of the cases run).
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "{s:?} is neither a count of cases (e.g. 3) nor a share of them (e.g. 5% or 0.05)"
            )
        };
        if let Some(p) = s.strip_suffix('%') {
            let p: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(0.0..=100.0).contains(&p) {
                return Err(format!("{s:?}: a percentage is between 0% and 100%"));
            }
            return Ok(MaxIndeterminate::Share(p / 100.0));
        }
        if let Ok(n) = s.parse::<usize>() {
            return Ok(MaxIndeterminate::Count(n));
        }
        let f: f64 = s.parse().map_err(|_| bad())?;
        if !(0.0..=1.0).contains(&f) {
            return Err(format!(
                "{s:?}: a share is between 0 and 1 (or give a whole number of cases)"
            ));
        }
        Ok(MaxIndeterminate::Share(f))
    }
}

impl fmt::Display for MaxIndeterminate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxIndeterminate::Count(n) => write!(f, "{n}"),
            MaxIndeterminate::Share(s) => write!(f, "{}%", s * 100.0),
        }
    }
}

/// The `--max-indeterminate` flag (flatten into a subcommand's arguments).
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
pub struct VerdictArgs {
    /// Indeterminate cases (timeouts, a crashed or hung adapter, an unreachable endpoint) the run
    /// may have and still pass: a count (3) or a share of the cases run (5% or 0.05) [default: 0].
    #[arg(long, value_name = "N|SHARE")]
    pub max_indeterminate: Option<MaxIndeterminate>,
}

impl VerdictArgs {
    pub fn max(&self) -> MaxIndeterminate {
        self.max_indeterminate.unwrap_or_default()
    }
}

/// What a run's cases ended with, for [`Tallies::check`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies {
    /// Cases run.
    pub total: usize,
    /// Cases that ended with a verdict.
    pub verdicts: usize,
    pub skipped: usize,
    pub indeterminate: usize,
    /// The first line of each indeterminate case's reason, and how many cases gave it.
    pub reasons: BTreeMap<String, usize>,
}

/// Longest reason quoted in the one-line message.
const REASON_CHARS: usize = 300;

impl Tallies {
    pub fn verdict(&mut self) {
        self.total += 1;
        self.verdicts += 1;
    }

    pub fn skipped(&mut self) {
        self.total += 1;
        self.skipped += 1;
    }

    pub fn indeterminate(&mut self, reason: &str) {
        self.total += 1;
        self.indeterminate += 1;
        let line = reason.lines().next().unwrap_or("").trim();
        let line = match line.char_indices().nth(REASON_CHARS) {
            Some((i, _)) => format!("{}…", &line[..i]),
            None => line.to_string(),
        };
        *self.reasons.entry(line).or_default() += 1;
    }

    pub fn add(&mut self, other: &Tallies) {
        self.total += other.total;
        self.verdicts += other.verdicts;
        self.skipped += other.skipped;
        self.indeterminate += other.indeterminate;
        for (r, n) in &other.reasons {
            *self.reasons.entry(r.clone()).or_default() += n;
        }
    }

    /// The most common indeterminate reason, and how many other reasons there were.
    fn main_reason(&self) -> Option<String> {
        let (reason, _) = self
            .reasons
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        let others = self.reasons.len() - 1;
        Some(if others == 0 {
            reason.clone()
        } else {
            format!(
                "{reason} (and {others} other reason{})",
                if others == 1 { "" } else { "s" }
            )
        })
    }

    /// `Err` with the reason in one line when the run must fail: no case produced a verdict, or
    /// more cases were indeterminate than `max` allows.
    pub fn check(&self, max: MaxIndeterminate) -> Result<(), String> {
        let reason = self
            .main_reason()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        if self.total == 0 {
            return Err("no cases were run, so there is no verdict".into());
        }
        if self.verdicts == 0 {
            let what = match (self.skipped, self.indeterminate) {
                (s, 0) => format!("{s} skipped"),
                (0, i) => format!("{i} indeterminate"),
                (s, i) => format!("{s} skipped, {i} indeterminate"),
            };
            return Err(format!(
                "none of the {} cases produced a verdict ({what}){reason}",
                self.total
            ));
        }
        let allowed = max.allowed(self.total);
        if self.indeterminate > allowed {
            return Err(format!(
                "{} of {} cases indeterminate (--max-indeterminate allows {allowed}){reason}",
                self.indeterminate, self.total
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_takes_counts_and_shares() {
        assert_eq!("3".parse(), Ok(MaxIndeterminate::Count(3)));
        assert_eq!("0".parse(), Ok(MaxIndeterminate::Count(0)));
        assert_eq!("5%".parse(), Ok(MaxIndeterminate::Share(0.05)));
        assert_eq!("0.25".parse(), Ok(MaxIndeterminate::Share(0.25)));
        for bad in ["", "x", "-1", "1.5", "101%", "%"] {
            assert!(bad.parse::<MaxIndeterminate>().is_err(), "{bad:?}");
        }
        assert_eq!(MaxIndeterminate::Share(0.1).allowed(25), 2);
        assert_eq!(MaxIndeterminate::Count(4).allowed(2), 4);
        assert_eq!(MaxIndeterminate::Share(0.05).to_string(), "5%");
    }

    #[test]
    fn runs_without_verdicts_or_with_too_many_indeterminate_cases_fail() {
        let mut t = Tallies::default();
        assert!(t.check(MaxIndeterminate::Count(5)).is_err());
        for _ in 0..3 {
            t.indeterminate("sfn-api: connection refused at http://127.0.0.1:9\nmore");
        }
        assert_eq!(
            t.check(MaxIndeterminate::Count(5)),
            Err("none of the 3 cases produced a verdict (3 indeterminate): sfn-api: connection refused at http://127.0.0.1:9".into())
        );
        t.verdict();
        t.skipped();
        assert_eq!(
            t.check(MaxIndeterminate::default()),
            Err("3 of 5 cases indeterminate (--max-indeterminate allows 0): sfn-api: connection refused at http://127.0.0.1:9".into())
        );
        assert_eq!(t.check(MaxIndeterminate::Count(3)), Ok(()));
        assert_eq!(t.check(MaxIndeterminate::Share(0.6)), Ok(()));
        assert!(t.check(MaxIndeterminate::Share(0.5)).is_err());
        t.indeterminate("a timeout");
        assert!(t
            .check(MaxIndeterminate::default())
            .is_err_and(|m| m.ends_with("127.0.0.1:9 (and 1 other reason)")));

        let mut skipped = Tallies::default();
        skipped.skipped();
        assert_eq!(
            skipped.check(MaxIndeterminate::default()),
            Err("none of the 1 cases produced a verdict (1 skipped)".into())
        );
        let mut fine = Tallies::default();
        fine.verdict();
        fine.skipped();
        assert_eq!(fine.check(MaxIndeterminate::default()), Ok(()));
    }
}
