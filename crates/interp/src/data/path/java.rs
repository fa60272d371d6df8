//! Java renderings (used in Jayway's messages and number handling): class
//! names, `Double.toString`, `toString()` of Jackson values and the
//! `BigDecimal` behaviour of filter numbers.

use serde_json::{Number, Value};
use std::cmp::Ordering;

use super::ast::Decimal;

/// The Java class Jackson maps a JSON value to (`'null'` for null), as shown
/// in Jayway's "Expected to find an object ..." message.
pub(super) fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "java.util.ArrayList",
        Value::Object(_) => "java.util.LinkedHashMap",
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    "java.lang.Integer"
                } else {
                    "java.lang.Long"
                }
            } else if n.is_u64() {
                "java.math.BigInteger"
            } else {
                "java.lang.Double"
            }
        }
    }
}

/// Java's `Double.toString`.
fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    if (1e-3..1e7).contains(&f.abs()) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            s + ".0"
        }
    } else {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((mantissa, exponent)) if mantissa.contains('.') => {
                format!("{mantissa}E{exponent}")
            }
            Some((mantissa, exponent)) => format!("{mantissa}.0E{exponent}"),
            None => s,
        }
    }
}

/// `toString()` of the Java number Jackson produces for a JSON number.
fn java_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        java_double(n.as_f64().unwrap_or(0.0))
    }
}

/// Java `toString()` of the value Jackson builds (`{a=1, b=[x, y]}`), as shown
/// in Jayway's "Current context is: ..." messages. Iterative.
pub(super) fn java_display(value: &Value) -> String {
    enum Tok<'v> {
        Val(&'v Value),
        Text(&'static str),
        Key(&'v str),
    }
    let mut out = String::new();
    let mut stack = vec![Tok::Val(value)];
    while let Some(tok) = stack.pop() {
        match tok {
            Tok::Text(t) => out.push_str(t),
            Tok::Key(k) => {
                out.push_str(k);
                out.push('=');
            }
            Tok::Val(v) => match v {
                Value::Null => out.push_str("null"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Number(n) => out.push_str(&java_number(n)),
                Value::String(s) => out.push_str(s),
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Tok::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Tok::Val(item));
                        if i > 0 {
                            stack.push(Tok::Text(", "));
                        }
                    }
                }
                Value::Object(map) => {
                    out.push('{');
                    stack.push(Tok::Text("}"));
                    for (i, (key, item)) in map.iter().enumerate().rev() {
                        stack.push(Tok::Val(item));
                        stack.push(Tok::Key(key));
                        if i > 0 {
                            stack.push(Tok::Text(", "));
                        }
                    }
                }
            },
        }
    }
    out
}

impl Decimal {
    fn zero() -> Decimal {
        Decimal {
            negative: false,
            digits: "0".to_string(),
            scale: 0,
        }
    }

    /// Java `new BigDecimal(String)` syntax.
    pub(super) fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(p) => (rest.get(..p)?, rest.get(p + 1..)),
            None => (rest, None),
        };
        let exponent: i64 = match exponent {
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                let value: i64 = e.parse().ok()?;
                if value.abs() > 1_000_000_000 {
                    return None;
                }
                value
            }
            None => 0,
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let joined = format!("{int_part}{frac_part}");
        let trimmed = joined.trim_start_matches('0');
        let digits = if trimmed.is_empty() { "0" } else { trimmed };
        Some(Decimal {
            negative: negative && digits != "0",
            digits: digits.to_string(),
            scale: i64::try_from(frac_part.len()).ok()? - exponent,
        })
    }

    /// Jayway builds `new BigDecimal(number.toString())`.
    pub(super) fn from_number(n: &Number) -> Decimal {
        Decimal::parse(&java_number(n)).unwrap_or_else(Decimal::zero)
    }

    fn signum(&self) -> i8 {
        if self.digits == "0" {
            0
        } else if self.negative {
            -1
        } else {
            1
        }
    }

    /// `BigDecimal.compareTo`.
    pub(super) fn cmp_value(&self, other: &Decimal) -> Ordering {
        let (a, b) = (self.signum(), other.signum());
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        let strip = |d: &Decimal| {
            let digits = d.digits.trim_end_matches('0');
            let removed = i64::try_from(d.digits.len() - digits.len()).unwrap_or(0);
            let scale = d.scale - removed;
            let exponent = i64::try_from(digits.len()).unwrap_or(0) - 1 - scale;
            (exponent, digits.to_string())
        };
        let magnitude = strip(self).cmp(&strip(other));
        if a < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }

    /// `BigDecimal.toString()`.
    pub(super) fn java_string(&self) -> String {
        let digits = &self.digits;
        let len = i64::try_from(digits.len()).unwrap_or(0);
        let scale = self.scale;
        let adjusted = len - 1 - scale;
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        if scale >= 0 && adjusted >= -6 {
            if scale == 0 {
                out.push_str(digits);
            } else if len > scale {
                let split = usize::try_from(len - scale).unwrap_or(0);
                out.push_str(digits.get(..split).unwrap_or_default());
                out.push('.');
                out.push_str(digits.get(split..).unwrap_or_default());
            } else {
                out.push_str("0.");
                for _ in 0..(scale - len) {
                    out.push('0');
                }
                out.push_str(digits);
            }
        } else {
            out.push_str(digits.get(..1).unwrap_or_default());
            if len > 1 {
                out.push('.');
                out.push_str(digits.get(1..).unwrap_or_default());
            }
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
        out
    }

    /// `BigDecimal.intValue()` for values that fit (truncated toward zero).
    pub(super) fn int_value(&self) -> Option<i64> {
        let len = i64::try_from(self.digits.len()).ok()?;
        let keep = if self.scale > 0 {
            usize::try_from((len - self.scale).max(0)).ok()?
        } else {
            self.digits.len()
        };
        let mut value: i64 = 0;
        for c in self.digits.get(..keep)?.bytes() {
            value = value.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
        }
        if self.scale < 0 && value != 0 {
            for _ in 0..(-self.scale).min(20) {
                value = value.checked_mul(10)?;
            }
        }
        Some(if self.negative { -value } else { value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // -- helpers ----------------------------------------------------------

    #[test]
    fn java_renderings() {
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(1.5), "1.5");
        assert_eq!(java_double(-0.25), "-0.25");
        assert_eq!(java_double(1e10), "1.0E10");
        assert_eq!(java_double(1.25e-7), "1.25E-7");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(1234567.0), "1234567.0");
        assert_eq!(java_double(12345678.0), "1.2345678E7");
        assert_eq!(
            java_display(&json!({"a": [1, "x", null], "b": {}})),
            "{a=[1, x, null], b={}}"
        );
        let d = |s: &str| Decimal::parse(s).map(|d| d.java_string());
        assert_eq!(d("1.0E10").as_deref(), Some("1.0E+10"));
        assert_eq!(d("1.50").as_deref(), Some("1.50"));
        assert_eq!(d("1.0E-5").as_deref(), Some("0.000010"));
        assert_eq!(d("1.0E-7").as_deref(), Some("1.0E-7"));
        assert_eq!(d("-007").as_deref(), Some("-7"));
        assert_eq!(d("x"), None);
        assert_eq!(d("1e"), None);
        let cmp = |a: &str, b: &str| {
            let (Some(a), Some(b)) = (Decimal::parse(a), Decimal::parse(b)) else {
                return None;
            };
            Some(a.cmp_value(&b))
        };
        assert_eq!(cmp("1", "1.000"), Some(Ordering::Equal));
        assert_eq!(cmp("-1", "0"), Some(Ordering::Less));
        assert_eq!(cmp("-2", "-1.5"), Some(Ordering::Less));
        assert_eq!(cmp("12", "1.2e1"), Some(Ordering::Equal));
        assert_eq!(
            cmp("9007199254740993", "9007199254740992"),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp("0.1", "1e-1"), Some(Ordering::Equal));
        assert_eq!(cmp("-0", "0"), Some(Ordering::Equal));
    }
}
