//! DynamoDB attribute values (DynamoDB JSON: `{"S": "…"}`, `{"N": "…"}`, …): comparison,
//! sizes, set operations and exact decimal arithmetic. Numbers have up to 38 significant digits
//! (<https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number>),
//! which an `i128` mantissa with a decimal scale holds exactly.

use std::cmp::Ordering;

use serde_json::{json, Value};

/// One attribute value in DynamoDB JSON.
pub type Attr = Value;

pub const TYPE_NAMES: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];

/// The type descriptor of an attribute value.
pub fn type_name(a: &Attr) -> Option<&str> {
    a.as_object()?.keys().next().map(String::as_str)
}

/// A decimal number: `m × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    m: i128,
    scale: i32,
}

impl Decimal {
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim();
        let (mant, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let (neg, mant) = match mant.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, mant.strip_prefix('+').unwrap_or(mant)),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 38 {
            return None;
        }
        let m: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        let d = Decimal {
            m: if neg { -m } else { m },
            scale: frac.len() as i32 - exp,
        };
        Some(d.normal())
    }

    fn normal(mut self) -> Decimal {
        if self.m == 0 {
            return Decimal { m: 0, scale: 0 };
        }
        while self.m % 10 == 0 && self.scale > -200 {
            self.m /= 10;
            self.scale -= 1;
        }
        self
    }

    fn at_scale(self, scale: i32) -> Option<i128> {
        let k = scale - self.scale;
        if k < 0 {
            return None;
        }
        let mut m = self.m;
        for _ in 0..k {
            m = m.checked_mul(10)?;
        }
        Some(m)
    }

    pub fn checked_add(self, o: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(o.scale);
        let m = self.at_scale(scale)?.checked_add(o.at_scale(scale)?)?;
        Some(Decimal { m, scale }.normal())
    }

    pub fn negated(self) -> Decimal {
        Decimal {
            m: -self.m,
            scale: self.scale,
        }
    }

    pub fn compare(self, o: Decimal) -> Ordering {
        let scale = self.scale.max(o.scale);
        match (self.at_scale(scale), o.at_scale(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.to_f64().total_cmp(&o.to_f64()),
        }
    }

    fn to_f64(self) -> f64 {
        self.m as f64 * 10f64.powi(-self.scale)
    }

    /// DynamoDB's text of the number: no exponent, no trailing zeros.
    pub fn text(self) -> String {
        let neg = self.m < 0;
        let digits = self.m.unsigned_abs().to_string();
        let body = if self.scale <= 0 {
            format!("{digits}{}", "0".repeat((-self.scale) as usize))
        } else {
            let s = self.scale as usize;
            if digits.len() > s {
                format!(
                    "{}.{}",
                    &digits[..digits.len() - s],
                    &digits[digits.len() - s..]
                )
            } else {
                format!("0.{}{digits}", "0".repeat(s - digits.len()))
            }
        };
        if neg {
            format!("-{body}")
        } else {
            body
        }
    }
}

/// `{"N": "<n>"}`.
pub fn number(n: i128) -> Attr {
    json!({ "N": n.to_string() })
}

/// The number of an `N` attribute.
pub fn as_number(a: &Attr) -> Option<Decimal> {
    Decimal::parse(a.get("N")?.as_str()?)
}

/// `a + b` or `a - b` as an `N` attribute; `None` beyond 38 digits.
pub fn arith(a: &Decimal, b: &Decimal, plus: bool) -> Option<Attr> {
    let r = if plus {
        a.checked_add(*b)?
    } else {
        a.checked_add(b.negated())?
    };
    Some(json!({ "N": r.text() }))
}

/// A number in DynamoDB's canonical text, or the text as given when it does not parse.
pub fn canonical_number(s: &str) -> String {
    Decimal::parse(s)
        .map(Decimal::text)
        .unwrap_or_else(|| s.to_string())
}

/// An item (or attribute value) with every number in canonical text, as DynamoDB stores it.
pub fn canonical(a: &Value) -> Value {
    match a {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("N", Value::String(s)) => Value::String(canonical_number(s)),
                        ("NS", Value::Array(l)) => Value::Array(
                            l.iter()
                                .map(|x| match x {
                                    Value::String(s) => Value::String(canonical_number(s)),
                                    other => other.clone(),
                                })
                                .collect(),
                        ),
                        _ => canonical(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(l) => Value::Array(l.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// `size()`: characters of a string, bytes of a binary, members of a set, list or map.
pub fn size(a: &Attr) -> Option<usize> {
    let (t, v) = a.as_object()?.iter().next()?;
    match t.as_str() {
        "S" => Some(v.as_str()?.chars().count()),
        "B" => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str()?)
                .ok()
                .map(|b| b.len())
        }
        "SS" | "NS" | "BS" | "L" => Some(v.as_array()?.len()),
        "M" => Some(v.as_object()?.len()),
        _ => None,
    }
}

/// The type and text of an `S` or `B` attribute (what `begins_with` compares).
pub fn text(a: &Attr) -> Option<(&'static str, String)> {
    if let Some(s) = a.get("S").and_then(Value::as_str) {
        return Some(("S", s.to_string()));
    }
    a.get("B")
        .and_then(Value::as_str)
        .map(|s| ("B", s.to_string()))
}

/// DynamoDB equality: same type and value; numbers numerically, sets as sets.
pub fn equal(a: &Attr, b: &Attr) -> bool {
    match (type_name(a), type_name(b)) {
        (Some("N"), Some("N")) => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x.compare(y) == Ordering::Equal,
            _ => a == b,
        },
        (Some(t @ ("SS" | "NS" | "BS")), Some(u)) if t == u => {
            let set = |v: &Attr| -> Vec<String> {
                let mut l: Vec<String> = v[t]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(Value::as_str)
                            .map(|s| {
                                if t == "NS" {
                                    canonical_number(s)
                                } else {
                                    s.to_string()
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                l.sort();
                l.dedup();
                l
            };
            set(a) == set(b)
        }
        (Some(t), Some(u)) if t == u => canonical(a) == canonical(b),
        _ => false,
    }
}

/// Ordering for `<`, `<=`, `>`, `>=`, `BETWEEN`: numbers, strings (by UTF-8 bytes) and
/// binaries of the same type; `None` otherwise (the comparison is false).
pub fn compare(a: &Attr, b: &Attr) -> Option<Ordering> {
    match (type_name(a)?, type_name(b)?) {
        ("N", "N") => Some(as_number(a)?.compare(as_number(b)?)),
        ("S", "S") => Some(a["S"].as_str()?.as_bytes().cmp(b["S"].as_str()?.as_bytes())),
        ("B", "B") => Some(a["B"].as_str()?.cmp(b["B"].as_str()?)),
        _ => None,
    }
}

/// `contains(a, b)`: a substring of a string, a member of a set, an element of a list.
pub fn contains(a: &Attr, b: &Attr) -> bool {
    let Some(t) = type_name(a) else { return false };
    match t {
        "S" => match (a["S"].as_str(), b.get("S").and_then(Value::as_str)) {
            (Some(x), Some(y)) => x.contains(y),
            _ => false,
        },
        "SS" | "NS" | "BS" => {
            let elem = &t[..1];
            a[t].as_array()
                .is_some_and(|l| l.iter().any(|x| equal(&json!({ elem: x }), b)))
        }
        "L" => a["L"]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| equal(x, b))),
        _ => false,
    }
}

/// `ADD`: a number adds, a set unions; an absent attribute starts from 0 or the empty set.
/// `None` for operands of other types; `Some(None)` never happens (kept for symmetry).
pub fn add(cur: Option<&Attr>, v: &Attr) -> Option<Option<Attr>> {
    match type_name(v)? {
        "N" => {
            let x = match cur {
                None => Decimal::parse("0")?,
                Some(c) => as_number(c)?,
            };
            Some(Some(arith(&x, &as_number(v)?, true)?))
        }
        t @ ("SS" | "NS" | "BS") => {
            let mut l: Vec<Value> = match cur {
                None => Vec::new(),
                Some(c) if type_name(c) == Some(t) => c[t].as_array()?.clone(),
                Some(_) => return None,
            };
            for x in v[t].as_array()? {
                if !l.contains(x) {
                    l.push(x.clone());
                }
            }
            Some(Some(json!({ t: l })))
        }
        _ => None,
    }
}

/// `DELETE`: removes the elements of a set; an emptied set removes the attribute.
pub fn delete(cur: Option<&Attr>, v: &Attr) -> Option<Option<Attr>> {
    let t = type_name(v)?;
    if !matches!(t, "SS" | "NS" | "BS") {
        return None;
    }
    let Some(c) = cur else {
        return Some(None);
    };
    if type_name(c) != Some(t) {
        return None;
    }
    let gone = v[t].as_array()?;
    let l: Vec<Value> = c[t]
        .as_array()?
        .iter()
        .filter(|x| !gone.contains(x))
        .cloned()
        .collect();
    Some(if l.is_empty() {
        None
    } else {
        Some(json!({ t: l }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        let a = Decimal::parse("0.1").unwrap();
        let b = Decimal::parse("0.2").unwrap();
        assert_eq!(a.checked_add(b).unwrap().text(), "0.3");
        let big = Decimal::parse("12345678901234567890123456789012345678").unwrap();
        assert_eq!(
            big.checked_add(Decimal::parse("1").unwrap())
                .unwrap()
                .text(),
            "12345678901234567890123456789012345679"
        );
        assert_eq!(Decimal::parse("1.50e2").unwrap().text(), "150");
        assert_eq!(Decimal::parse("-0.00").unwrap().text(), "0");
        assert_eq!(Decimal::parse("012.50").unwrap().text(), "12.5");
        assert!(Decimal::parse("1x").is_none());
        assert_eq!(
            Decimal::parse("5")
                .unwrap()
                .compare(Decimal::parse("5.0").unwrap()),
            Ordering::Equal
        );
    }

    #[test]
    fn equality_and_order() {
        assert!(equal(&json!({"N": "1.0"}), &json!({"N": "1"})));
        assert!(equal(
            &json!({"SS": ["b", "a"]}),
            &json!({"SS": ["a", "b"]})
        ));
        assert!(!equal(&json!({"S": "1"}), &json!({"N": "1"})));
        assert_eq!(
            compare(&json!({"S": "a"}), &json!({"S": "b"})),
            Some(Ordering::Less)
        );
        assert_eq!(compare(&json!({"S": "a"}), &json!({"N": "1"})), None);
        assert_eq!(
            delete(Some(&json!({"SS": ["a"]})), &json!({"SS": ["a"]})),
            Some(None)
        );
    }
}
