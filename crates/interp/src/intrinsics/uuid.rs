//! `States.UUID()` — unique identifier generation.
//!
//! DG, "Intrinsic for unique identifier generation":
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-uuid-generate>
//!
//! Returns a version 4 (random) UUID in lowercase hyphenated form, e.g.
//! `"ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8"`. The 122 random bits come from the run's seeded
//! random source, so a run is reproducible.

use serde_json::Value;

use super::{arity_error, EvalError, Function};

pub(super) fn uuid(args: &[Value], next_u64: &mut dyn FnMut() -> u64) -> Result<Value, EvalError> {
    if !args.is_empty() {
        return Err(arity_error(Function::Uuid, args.len()));
    }
    let mut bytes = [0u8; 16];
    let (high, low) = bytes.split_at_mut(8);
    high.copy_from_slice(&next_u64().to_be_bytes());
    low.copy_from_slice(&next_u64().to_be_bytes());
    let id = ::uuid::Builder::from_random_bytes(bytes).into_uuid();
    Ok(Value::String(id.hyphenated().to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use super::super::{eval, Function};
    use super::*;
    use serde_json::json;

    fn is_v4(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        lens == [8, 4, 4, 4, 12]
            && s.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
            && parts.get(2).is_some_and(|p| p.starts_with('4'))
            && parts
                .get(3)
                .and_then(|p| p.chars().next())
                .is_some_and(|c| matches!(c, '8' | '9' | 'a' | 'b'))
    }

    #[test]
    fn dg_shape_and_reproducibility() {
        // DG, States.UUID: e.g. "ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8".
        assert!(is_v4("ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8"));
        let call = parse_ok("States.UUID()");
        let mut env = TestEnv::new(json!({}));
        let a = eval(&call, &mut env).unwrap();
        let b = eval(&call, &mut env).unwrap();
        assert!(is_v4(a.as_str().unwrap()), "{a}");
        assert!(is_v4(b.as_str().unwrap()), "{b}");
        assert_ne!(a, b);
        // Same source state, same UUID.
        let mut env2 = TestEnv::new(json!({}));
        assert_eq!(eval(&call, &mut env2).unwrap(), a);
    }

    #[test]
    fn fixed_bytes_and_edges() {
        let mut zero = || 0u64;
        assert_eq!(
            uuid(&[], &mut zero).unwrap(),
            json!("00000000-0000-4000-8000-000000000000")
        );
        let mut ones = || u64::MAX;
        assert_eq!(
            uuid(&[], &mut ones).unwrap(),
            json!("ffffffff-ffff-4fff-bfff-ffffffffffff")
        );
        let err = uuid(&[json!(1)], &mut zero).unwrap_err();
        assert!(err.cause.contains("States.UUID takes exactly 0 arguments"));
        assert!(Function::Uuid.returns_string());
        // Nested in other functions.
        let v = run(
            "States.ArrayLength(States.StringSplit(States.UUID(), '-'))",
            "",
        )
        .unwrap();
        assert_eq!(v, json!(5));
    }
}
