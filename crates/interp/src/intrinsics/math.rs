//! `States.MathRandom`, `States.MathAdd` — math operations.
//!
//! DG, "Intrinsics for Math operations":
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math-operation>
//!
//! * `States.MathRandom(start, end[, seed])` — an integer in `[start, end)`. Non-integer bounds
//!   are rounded (observed: `(12.50, 44.51)` is accepted). With a seed the result depends only
//!   on the seed and the bounds.
//! * `States.MathAdd(a, b)` — the sum of two integers in the Java `int` range; non-integers are
//!   rounded with Java `Math.round` (observed: `(1.49, 1.50)` → 3, `(2.5, 0)` → 3,
//!   `(-2.5, 0)` → -2, `(-0.5, 0)` → 0, `(-1.50, -1.51)` → -3).

use serde_json::Value;

use super::{arg_error, arity_error, int32_arg, integer_arg, EvalError, Function};

pub(super) fn math_add(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::MathAdd;
    let [a, b] = args else {
        return Err(arity_error(F, args.len()));
    };
    let a = int32_arg(F, 0, a)?;
    let b = int32_arg(F, 1, b)?;
    // UNVERIFIED: a sum outside the int range (e.g. 2147483647 + 1) is returned exactly
    // (2147483648), neither wrapped as Java int arithmetic would nor rejected.
    Ok(Value::from(a + b))
}

pub(super) fn math_random(
    args: &[Value],
    next_u64: &mut dyn FnMut() -> u64,
) -> Result<Value, EvalError> {
    const F: Function = Function::MathRandom;
    let (start, end, seed) = match args {
        [start, end] => (start, end, None),
        [start, end, seed] => (start, end, Some(seed)),
        _ => return Err(arity_error(F, args.len())),
    };
    // UNVERIFIED: bounds must lie in the Java int range and `end` must exceed `start`.
    let start = int32_arg(F, 0, start)?;
    let end = int32_arg(F, 1, end)?;
    let bound = end - start;
    let Ok(bound32) = i32::try_from(bound) else {
        return Err(range_error());
    };
    if bound32 <= 0 {
        return Err(range_error());
    }
    let offset = match seed {
        // UNVERIFIED: the seeded result is `new java.util.Random(seed).nextInt(end - start) +
        // start`; the seed is any integer (non-integers rounded, Java Math.round).
        Some(seed) => {
            let seed = integer_arg(F, 2, seed, "an integer")?;
            i64::from(JavaRandom::new(seed).next_int(bound32))
        }
        // Unseeded: drawn from the run's random source (reproducible per run seed).
        None => {
            let draw = u128::from(next_u64());
            let scaled = (draw * u128::from(bound.unsigned_abs())) >> 64;
            i64::try_from(scaled).unwrap_or(0)
        }
    };
    Ok(Value::from(start + offset))
}

fn range_error() -> EvalError {
    arg_error(
        Function::MathRandom,
        1,
        "greater than the first argument (the range must not be empty and must fit a Java int)",
    )
}

/// The linear congruential generator of `java.util.Random` (48-bit state).
pub(super) struct JavaRandom {
    state: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const ADDEND: u64 = 0xB;
    const MASK: u64 = (1 << 48) - 1;

    /// `new Random(seed)`.
    pub(super) fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            state: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    /// `Random.next(bits)` for `1 <= bits <= 32`.
    fn next(&mut self, bits: u32) -> i32 {
        self.state = self
            .state
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::ADDEND)
            & Self::MASK;
        // Java: (int) (seed >>> (48 - bits)) — keep the low 32 bits.
        (self.state >> (48 - bits.clamp(1, 32))) as u32 as i32
    }

    /// `Random.nextInt()`.
    #[cfg(test)]
    fn next_i32(&mut self) -> i32 {
        self.next(32)
    }

    /// `Random.nextInt(bound)` for `bound > 0` (the legacy algorithm, unchanged in current
    /// JDKs for `java.util.Random`).
    pub(super) fn next_int(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            // Power of two: take the high bits.
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            // Java: `u - r + m < 0` in int arithmetic (overflow means "reject").
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn java_random_known_values() {
        // Well-known outputs of java.util.Random.
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_i32(), -1170105035);
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_int(10), 0);
        let mut r = JavaRandom::new(0);
        assert_eq!(r.next_i32(), -1155484576);
        // Power-of-two bound path and the general path stay in range.
        for seed in [-5_i64, 0, 1, 1234, i64::MAX, i64::MIN] {
            let mut r = JavaRandom::new(seed);
            for bound in [1, 2, 3, 16, 998, 1 << 30, i32::MAX] {
                let v = r.next_int(bound);
                assert!((0..bound).contains(&v), "seed {seed} bound {bound}: {v}");
            }
        }
    }

    #[test]
    fn math_add_table() {
        check_ok(&[
            // DG, States.MathAdd.
            (
                "States.MathAdd($.value1, $.step)",
                r#"{"value1": 111, "step": -1}"#,
                "110",
            ),
            // docs/semantics/intrinsics.md §4.2, observed on AWS.
            ("States.MathAdd(1.49, 1.50)", "", "3"),
            ("States.MathAdd(2.5, 0)", "", "3"),
            ("States.MathAdd(-2.5, 0)", "", "-2"),
            ("States.MathAdd(-0.5, 0)", "", "0"),
            ("States.MathAdd(-1.50, -1.51)", "", "-3"),
            ("States.MathAdd(-9, 3)", "", "-6"),
            // Edges: int range boundaries and their sums.
            ("States.MathAdd(2147483647, 0)", "", "2147483647"),
            ("States.MathAdd(-2147483648, 0)", "", "-2147483648"),
            ("States.MathAdd(2147483647, 1)", "", "2147483648"),
            (
                "States.MathAdd(-2147483648, -2147483648)",
                "",
                "-4294967296",
            ),
            ("States.MathAdd(2147483647.4, 0)", "", "2147483647"),
            ("States.MathAdd(1e3, 1E1)", "", "1010"),
            ("States.MathAdd(0, 0)", "", "0"),
            (
                "States.MathAdd(States.ArrayLength($.a), 1)",
                r#"{"a": [1, 2]}"#,
                "3",
            ),
        ]);
        check_err(&[
            ("States.MathAdd(2147483648, 0)", "", "The first argument of States.MathAdd must be an integer between -2147483648 and 2147483647"),
            ("States.MathAdd(0, -2147483649)", "", "The second argument of States.MathAdd must be an integer between -2147483648 and 2147483647"),
            ("States.MathAdd(2147483647.5, 0)", "", "The first argument of States.MathAdd must be an integer"),
            ("States.MathAdd(1e300, 0)", "", "The first argument of States.MathAdd must be an integer"),
            ("States.MathAdd(18446744073709551615, 0)", "", "The first argument"),
            ("States.MathAdd('1', 2)", "", "The first argument of States.MathAdd must be an integer"),
            ("States.MathAdd(1, null)", "", "The second argument of States.MathAdd must be an integer"),
            ("States.MathAdd($.a, 1)", r#"{"a": [1]}"#, "The first argument"),
        ]);
    }

    #[test]
    fn math_random_unseeded_in_range() {
        // DG, States.MathRandom($.start, $.end): a number in [1, 999).
        for _ in 0..3 {
            let v = run(
                "States.MathRandom($.start, $.end)",
                r#"{"start": 1, "end": 999}"#,
            )
            .unwrap();
            let n = v.as_i64().unwrap();
            assert!((1..999).contains(&n), "{n}");
        }
        // Many draws from one environment cover a small range, never reaching `end`.
        let call = parse_ok("States.MathRandom(3, 5)");
        let mut env = TestEnv::new(json!({}));
        let mut seen = [false; 2];
        for _ in 0..200 {
            let n = super::super::eval(&call, &mut env)
                .unwrap()
                .as_i64()
                .unwrap();
            assert!((3..5).contains(&n));
            if let Some(s) = usize::try_from(n - 3).ok().and_then(|i| seen.get_mut(i)) {
                *s = true;
            }
        }
        assert_eq!(seen, [true, true]);
        // Width-one range: always the start.
        assert_eq!(run("States.MathRandom(7, 8)", "").unwrap(), json!(7));
        // Largest range whose width fits a Java int.
        let n = run("States.MathRandom(-1, 2147483646)", "")
            .unwrap()
            .as_i64()
            .unwrap();
        assert!((-1..2147483646).contains(&n));
        // Non-integer bounds are accepted and rounded (observed): (12.50, 44.51) -> [13, 45).
        for _ in 0..3 {
            let n = run("States.MathRandom(12.50, 44.51)", "")
                .unwrap()
                .as_i64()
                .unwrap();
            assert!((13..45).contains(&n), "{n}");
        }
        // The run's source makes results reproducible.
        let a = run("States.MathRandom(0, 1000000)", "").unwrap();
        let b = run("States.MathRandom(0, 1000000)", "").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn math_random_seeded() {
        // DG, States.MathRandom($.start, $.end, $.seed) with seed 1234: deterministic.
        let input = r#"{"start": 1, "end": 999, "seed": 1234}"#;
        let expected = 1 + i64::from(JavaRandom::new(1234).next_int(998));
        check_ok(&[
            (
                "States.MathRandom($.start, $.end, $.seed)",
                input,
                &expected.to_string(),
            ),
            // new Random(42).nextInt(10) == 0.
            ("States.MathRandom(0, 10, 42)", "", "0"),
            ("States.MathRandom(100, 110, 42)", "", "100"),
            ("States.MathRandom(0, 10, 42.4)", "", "0"),
        ]);
        // Independent of the run's random source.
        let call = parse_ok("States.MathRandom(1, 999, 1234)");
        let mut env = TestEnv::new(json!({}));
        for i in 0..5 {
            env.state = i * 1_000_003;
            assert_eq!(
                super::super::eval(&call, &mut env).unwrap(),
                json!(expected)
            );
        }
        // Negative, zero and huge seeds work.
        for seed in ["-1234", "0", "9223372036854775807", "-9223372036854775808"] {
            let n = run(&format!("States.MathRandom(-5, 5, {seed})"), "")
                .unwrap()
                .as_i64()
                .unwrap();
            assert!((-5..5).contains(&n));
        }
    }

    #[test]
    fn math_random_errors() {
        check_err(&[
            (
                "States.MathRandom(5, 5)",
                "",
                "The second argument of States.MathRandom must be greater than the first",
            ),
            (
                "States.MathRandom(10, 1)",
                "",
                "must be greater than the first",
            ),
            (
                "States.MathRandom(5.4, 4.6)",
                "",
                "must be greater than the first",
            ),
            (
                "States.MathRandom(0, 2147483648)",
                "",
                "The second argument of States.MathRandom must be an integer between",
            ),
            (
                "States.MathRandom(-2147483649, 0)",
                "",
                "The first argument of States.MathRandom must be an integer between",
            ),
            (
                "States.MathRandom(-2147483648, 2147483647, 1)",
                "",
                "must be greater than the first",
            ),
            (
                "States.MathRandom(-2147483648, 2147483647)",
                "",
                "must fit a Java int",
            ),
            (
                "States.MathRandom(-2, 2147483646)",
                "",
                "must fit a Java int",
            ),
            (
                "States.MathRandom('1', 5)",
                "",
                "The first argument of States.MathRandom must be an integer",
            ),
            (
                "States.MathRandom(1, 5, 'seed')",
                "",
                "The third argument of States.MathRandom must be an integer",
            ),
            (
                "States.MathRandom(1, 5, 1e300)",
                "",
                "The third argument of States.MathRandom must be an integer",
            ),
        ]);
    }
}
