//! The size of a value's compact JSON text, as the payload limits count it (docs/semantics/data-flow.md §2.8):
//! exact, or as a cheap upper bound (every string fully escaped, every number at its longest).

use serde_json::Value;

/// Whether the compact JSON text of `v` is longer than `limit` bytes. A cheap upper bound
/// (every string fully escaped, every number at its longest) settles most values without
/// serialising them.
pub fn exceeds(v: &Value, limit: usize) -> bool {
    if size_bound(v, limit).is_some() {
        return false;
    }
    json_size(v) > limit
}

/// An upper bound of the size of `v`'s compact JSON text, or `None` once it passes `limit`.
pub fn size_bound(v: &Value, limit: usize) -> Option<usize> {
    add_bound(v, limit, 0)
}

/// An upper bound of `v`'s size that is at most the exact size when the exact size is within
/// `limit`; `None` when `v` is larger than `limit`.
pub fn tight_bound(v: &Value, limit: usize) -> Option<usize> {
    size_bound(v, limit).or_else(|| Some(json_size(v)).filter(|&n| n <= limit))
}

/// The size bound of a scalar; `None` for arrays and objects.
fn scalar_bound(v: &Value) -> Option<usize> {
    match v {
        Value::Null | Value::Bool(_) => Some(5),
        Value::Number(_) => Some(24),
        Value::String(s) => Some(s.len() * 6 + 2),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// An upper bound of `v`'s size; `None` once it passes `limit` or the value is nested too
/// deeply to walk recursively (the exact count then decides).
fn add_bound(v: &Value, limit: usize, depth: usize) -> Option<usize> {
    if let Some(b) = scalar_bound(v) {
        return (b <= limit).then_some(b);
    }
    if depth > 64 {
        return None;
    }
    let element = |x: &Value| match scalar_bound(x) {
        Some(b) => Some(b),
        None => add_bound(x, limit, depth + 1),
    };
    // Brackets or braces, then a comma per element or quotes, colon and comma per member.
    let mut bound = 2usize;
    match v {
        Value::Array(a) => {
            for x in a {
                bound += 1 + element(x)?;
                if bound > limit {
                    return None;
                }
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                bound += k.len() * 6 + 4 + element(x)?;
                if bound > limit {
                    return None;
                }
            }
        }
        _ => return None,
    }
    (bound <= limit).then_some(bound)
}

/// Exact size of the compact JSON text of `v`, without building it.
pub fn json_size(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}
