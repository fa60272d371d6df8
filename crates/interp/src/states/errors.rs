//! Retry and Catch (<https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>;
//! docs/semantics/errors.md §6.2–6.4).
//!
//! Retriers are scanned in order and the first one whose `ErrorEquals` matches is used; when it
//! has no attempts left the error goes to the catchers, which are scanned in order. Each retrier
//! counts its own attempts for the current visit of the state.

use rand::RngCore;

use crate::asl::model::{Handling, Jitter, Retrier};
use crate::errors::{matches, Failure};

/// What to do with a failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Recovery {
    /// Run the state again after this many milliseconds.
    Retry(i64),
    /// Go to the catcher with this index.
    Catch(usize),
    /// Let the failure through.
    Fail,
}

/// Attempts made per retrier during one visit of a state.
#[derive(Debug, Clone, Default)]
pub struct Attempts(Vec<u64>);

impl Attempts {
    pub fn new(h: &Handling) -> Attempts {
        Attempts(vec![0; h.retry.len()])
    }

    /// Retries made so far in this visit (`$$.State.RetryCount`).
    pub fn total(&self) -> u32 {
        self.0.iter().sum::<u64>().min(u64::from(u32::MAX)) as u32
    }
}

/// Decides how a failure is handled.
pub fn recover(
    h: &Handling,
    f: &Failure,
    attempts: &mut Attempts,
    rng: &mut dyn RngCore,
) -> Recovery {
    if !f.is_handleable() {
        return Recovery::Fail;
    }
    let name = f.error.as_deref();
    let hit = |list: &[String]| list.iter().any(|p| matches(p, name));
    if let Some(i) = h.retry.iter().position(|r| hit(&r.error_equals)) {
        let r = &h.retry[i];
        if let Some(made) = attempts.0.get_mut(i) {
            if *made < r.max_attempts {
                *made += 1;
                return Recovery::Retry(delay_ms(r, *made, rng));
            }
        }
    }
    match h.catch.iter().position(|c| hit(&c.error_equals)) {
        Some(i) => Recovery::Catch(i),
        None => Recovery::Fail,
    }
}

/// Delay before retry `k` (1-based): `IntervalSeconds × BackoffRate^(k−1)`, capped by
/// `MaxDelaySeconds`, and with `FULL` jitter drawn uniformly from `[0, delay]` (§6.3).
/// Sub-second granularity is UNVERIFIED; delays are kept to the millisecond.
pub fn delay_ms(r: &Retrier, k: u64, rng: &mut dyn RngCore) -> i64 {
    let exp = i32::try_from(k.saturating_sub(1)).unwrap_or(i32::MAX);
    let mut seconds = r.interval_seconds as f64 * r.backoff_rate.powi(exp);
    if let Some(max) = r.max_delay_seconds {
        seconds = seconds.min(max as f64);
    }
    // The execution can last at most a year; keep the arithmetic finite.
    let mut ms = (seconds * 1000.0).min(4e13).round();
    if r.jitter == Jitter::Full {
        let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ms = (ms * unit).round();
    }
    ms as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asl::model::Catcher;
    use crate::data::flow::ResultPath;
    use rand::SeedableRng;

    fn retrier(
        errors: &[&str],
        interval: u64,
        max: u64,
        backoff: f64,
        cap: Option<u64>,
    ) -> Retrier {
        Retrier {
            error_equals: errors.iter().map(|s| s.to_string()).collect(),
            interval_seconds: interval,
            max_attempts: max,
            backoff_rate: backoff,
            max_delay_seconds: cap,
            jitter: Jitter::None,
        }
    }

    #[test]
    fn delays_follow_the_developer_guide() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        // DG: Interval 3, Backoff 1.5 → waits 3, 4.5.
        let r = retrier(&["X"], 3, 2, 1.5, None);
        assert_eq!(delay_ms(&r, 1, &mut rng), 3000);
        assert_eq!(delay_ms(&r, 2, &mut rng), 4500);
        // DG: Interval 3, MaxAttempts 3, Backoff 2, MaxDelay 5 → 3, 5, 5.
        let r = retrier(&["X"], 3, 3, 2.0, Some(5));
        let d: Vec<i64> = (1..=3).map(|k| delay_ms(&r, k, &mut rng)).collect();
        assert_eq!(d, vec![3000, 5000, 5000]);
    }

    #[test]
    fn full_jitter_is_bounded() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut r = retrier(&["X"], 10, 3, 2.0, None);
        r.jitter = Jitter::Full;
        for k in 1..=3 {
            let d = delay_ms(&r, k, &mut rng);
            assert!((0..=10_000 * 2i64.pow(k as u32 - 1)).contains(&d));
        }
    }

    #[test]
    fn spec_example_counters() {
        // ASL spec example: errors A, B, C, B with R1{A,B; MaxAttempts 2}, R2{C} → waits 1, 2, 5,
        // then R1 exhausted → Catch.
        let h = Handling {
            retry: vec![
                retrier(&["A", "B"], 1, 2, 2.0, None),
                retrier(&["C"], 5, 1, 2.0, None),
            ],
            catch: vec![Catcher {
                error_equals: vec!["States.ALL".into()],
                next: 0,
                result_path: ResultPath::Replace,
                assign: None,
                output: None,
            }],
            ..Handling::default()
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut a = Attempts::new(&h);
        let f = |n: &str| Failure::raised(n, "");
        assert_eq!(
            recover(&h, &f("A"), &mut a, &mut rng),
            Recovery::Retry(1000)
        );
        assert_eq!(
            recover(&h, &f("B"), &mut a, &mut rng),
            Recovery::Retry(2000)
        );
        assert_eq!(
            recover(&h, &f("C"), &mut a, &mut rng),
            Recovery::Retry(5000)
        );
        assert_eq!(recover(&h, &f("B"), &mut a, &mut rng), Recovery::Catch(0));
        assert_eq!(a.total(), 3);
    }

    #[test]
    fn max_attempts_zero_never_retries_and_runtime_is_never_handled() {
        let h = Handling {
            retry: vec![retrier(&["States.ALL"], 1, 0, 2.0, None)],
            ..Handling::default()
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut a = Attempts::new(&h);
        assert_eq!(
            recover(&h, &Failure::raised("X", ""), &mut a, &mut rng),
            Recovery::Fail
        );
        let h = Handling {
            retry: vec![retrier(&["States.ALL"], 1, 3, 2.0, None)],
            ..Handling::default()
        };
        let mut a = Attempts::new(&h);
        assert_eq!(
            recover(&h, &Failure::runtime("x"), &mut a, &mut rng),
            Recovery::Fail
        );
    }
}
