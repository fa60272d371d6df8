//! What the generator knows about the data flowing into a state (Csmith-style type tracking).
//!
//! A [`Shape`] is an abstraction of a JSON value: fully known where the generator can tell
//! (the execution input, literals, echo fixtures), only typed where it cannot (`Str(None)`),
//! or [`Shape::Any`]. Object shapes list the members that are *certainly* present, so a path
//! built from a shape resolves at run time; joining the shapes of two incoming edges keeps only
//! what both guarantee. [`Shape::Never`] is the shape after a state that never completes.

use serde_json::{Map, Value};

/// An abstract JSON value. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// No value ever arrives (the state before always fails).
    Never,
    /// Nothing is known.
    Any,
    Null,
    Bool(Option<bool>),
    /// A number; `int` when it is certainly integral.
    Num {
        int: bool,
        val: Option<f64>,
    },
    Str(Option<String>),
    /// An array of known length.
    Arr(Vec<Shape>),
    /// An array of unknown length (maybe empty) whose elements all have this shape.
    List(Box<Shape>),
    /// An object with (at least) these members.
    Obj(Vec<(String, Shape)>),
}

/// One step of a reference path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Idx(usize),
}

/// The broad type of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Never,
    Any,
    Null,
    Bool,
    Num,
    Str,
    Arr,
    Obj,
}

impl Shape {
    /// The exact shape of a known value.
    pub fn of(v: &Value) -> Shape {
        match v {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(Some(*b)),
            Value::Number(n) => Shape::Num {
                int: n.is_i64() || n.is_u64(),
                val: n.as_f64(),
            },
            Value::String(s) => Shape::Str(Some(s.clone())),
            Value::Array(xs) => Shape::Arr(xs.iter().map(Shape::of).collect()),
            Value::Object(m) => {
                Shape::Obj(m.iter().map(|(k, v)| (k.clone(), Shape::of(v))).collect())
            }
        }
    }

    pub fn int(v: i64) -> Shape {
        Shape::Num {
            int: true,
            val: Some(v as f64),
        }
    }

    pub fn any_int() -> Shape {
        Shape::Num {
            int: true,
            val: None,
        }
    }

    pub fn str(s: &str) -> Shape {
        Shape::Str(Some(s.to_string()))
    }

    pub fn obj(members: Vec<(&str, Shape)>) -> Shape {
        Shape::Obj(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    pub fn kind(&self) -> Kind {
        match self {
            Shape::Never => Kind::Never,
            Shape::Any => Kind::Any,
            Shape::Null => Kind::Null,
            Shape::Bool(_) => Kind::Bool,
            Shape::Num { .. } => Kind::Num,
            Shape::Str(_) => Kind::Str,
            Shape::Arr(_) | Shape::List(_) => Kind::Arr,
            Shape::Obj(_) => Kind::Obj,
        }
    }

    pub fn is_never(&self) -> bool {
        matches!(self, Shape::Never)
    }

    /// The value, when every part of it is known. Objects are only "known" when built from a
    /// value, so a known object here is exact.
    pub fn known(&self) -> Option<Value> {
        match self {
            Shape::Null => Some(Value::Null),
            Shape::Bool(Some(b)) => Some(Value::Bool(*b)),
            Shape::Num { int, val: Some(v) } => {
                if *int && v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Some(Value::from(*v as i64))
                } else {
                    serde_json::Number::from_f64(*v).map(Value::Number)
                }
            }
            Shape::Str(Some(s)) => Some(Value::String(s.clone())),
            Shape::Arr(xs) => xs
                .iter()
                .map(Shape::known)
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            Shape::Obj(ms) => {
                let mut m = Map::new();
                for (k, v) in ms {
                    m.insert(k.clone(), v.known()?);
                }
                Some(Value::Object(m))
            }
            _ => None,
        }
    }

    /// What both shapes guarantee (the shape at a state with two incoming edges).
    pub fn join(a: &Shape, b: &Shape) -> Shape {
        match (a, b) {
            (Shape::Never, x) | (x, Shape::Never) => x.clone(),
            (Shape::Null, Shape::Null) => Shape::Null,
            (Shape::Bool(x), Shape::Bool(y)) => Shape::Bool(if x == y { *x } else { None }),
            (Shape::Num { int: i1, val: v1 }, Shape::Num { int: i2, val: v2 }) => Shape::Num {
                int: *i1 && *i2,
                val: if v1 == v2 { *v1 } else { None },
            },
            (Shape::Str(x), Shape::Str(y)) => Shape::Str(if x == y { x.clone() } else { None }),
            (Shape::Arr(xs), Shape::Arr(ys)) if xs.len() == ys.len() => {
                Shape::Arr(xs.iter().zip(ys).map(|(x, y)| Shape::join(x, y)).collect())
            }
            (Shape::Arr(_) | Shape::List(_), Shape::Arr(_) | Shape::List(_)) => {
                Shape::List(Box::new(Shape::join(&a.element(), &b.element())))
            }
            (Shape::Obj(xs), Shape::Obj(ys)) => Shape::Obj(
                xs.iter()
                    .filter_map(|(k, x)| {
                        ys.iter()
                            .find(|(k2, _)| k2 == k)
                            .map(|(_, y)| (k.clone(), Shape::join(x, y)))
                    })
                    .collect(),
            ),
            _ => Shape::Any,
        }
    }

    pub fn join_all<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> Shape {
        shapes
            .into_iter()
            .fold(Shape::Never, |acc, s| Shape::join(&acc, s))
    }

    /// The shape every element of an array shape has (`Never` for an empty array).
    pub fn element(&self) -> Shape {
        match self {
            Shape::Arr(xs) => Shape::join_all(xs),
            Shape::List(x) => (**x).clone(),
            _ => Shape::Any,
        }
    }

    /// Known array length.
    pub fn known_len(&self) -> Option<usize> {
        match self {
            Shape::Arr(xs) => Some(xs.len()),
            _ => None,
        }
    }

    /// The member `key` when certainly present.
    pub fn member(&self, key: &str) -> Option<&Shape> {
        match self {
            Shape::Obj(ms) => ms.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The node at `path`, when certainly present.
    pub fn get(&self, path: &[Seg]) -> Option<&Shape> {
        let mut cur = self;
        for seg in path {
            cur = match (seg, cur) {
                (Seg::Key(k), _) => cur.member(k)?,
                (Seg::Idx(i), Shape::Arr(xs)) => xs.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// ResultPath semantics: `self` with `value` placed at `path`, creating missing objects on
    /// the way. `None` when the path runs through something that is not an object (or an array
    /// index that does not exist), which is a runtime error.
    pub fn set(&self, path: &[Seg], value: Shape) -> Option<Shape> {
        let Some((first, rest)) = path.split_first() else {
            return Some(value);
        };
        match (first, self) {
            (Seg::Key(k), Shape::Obj(ms)) => {
                let mut ms = ms.clone();
                match ms.iter_mut().find(|(k2, _)| k2 == k) {
                    Some((_, v)) => *v = v.set(rest, value)?,
                    None => ms.push((k.clone(), Shape::Obj(vec![]).set(rest, value)?)),
                }
                Some(Shape::Obj(ms))
            }
            (Seg::Idx(i), Shape::Arr(xs)) if *i < xs.len() => {
                let mut xs = xs.clone();
                xs[*i] = xs[*i].set(rest, value)?;
                Some(Shape::Arr(xs))
            }
            _ => None,
        }
    }

    /// Every node reachable through certainly-present members and known indices, with its
    /// path, breadth-first, at most `limit` of them. The root (`[]`) comes first.
    pub fn nodes(&self, limit: usize) -> Vec<(Vec<Seg>, &Shape)> {
        let mut out: Vec<(Vec<Seg>, &Shape)> = vec![(vec![], self)];
        let mut i = 0;
        while i < out.len() && out.len() < limit {
            let (path, shape) = (out[i].0.clone(), out[i].1);
            match shape {
                Shape::Obj(ms) => {
                    for (k, v) in ms {
                        let mut p = path.clone();
                        p.push(Seg::Key(k.clone()));
                        out.push((p, v));
                    }
                }
                Shape::Arr(xs) => {
                    for (j, v) in xs.iter().enumerate() {
                        let mut p = path.clone();
                        p.push(Seg::Idx(j));
                        out.push((p, v));
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out.truncate(limit);
        out
    }

    /// A non-negative integer known to be at most `max`.
    pub fn small_uint(&self, max: u32) -> bool {
        matches!(self, Shape::Num { int: true, val: Some(v) } if *v >= 0.0 && *v <= f64::from(max))
    }

    /// A known string that is an RFC 3339 timestamp.
    pub fn is_timestamp(&self) -> bool {
        matches!(self, Shape::Str(Some(s)) if looks_like_timestamp(s))
    }

    /// A known timestamp before 2024: earlier than any execution's start, on AWS and in the
    /// reference interpreter's virtual clock (which starts at 2024-01-01T00:00:00Z), so a
    /// Wait on it ends at once and comparisons with the entry time have a fixed result.
    pub fn is_past_timestamp(&self) -> bool {
        matches!(self, Shape::Str(Some(s)) if looks_like_timestamp(s) && s.as_str() < "2024")
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` with fields in range (RFC 3339, as ASL requires).
pub fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        if b[r.clone()].iter().all(u8::is_ascii_digit) {
            s[r].parse().ok()
        } else {
            None
        }
    };
    let (Some(_), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    let seps = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &frac[digits..];
    }
    let zone = rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':'
            && rest[1..3].bytes().all(|c| c.is_ascii_digit())
            && rest[4..6].bytes().all(|c| c.is_ascii_digit()));
    seps && (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && sec < 61 && zone
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_keeps_common_members() {
        let a = Shape::of(&json!({"a": 1, "b": "x"}));
        let b = Shape::of(&json!({"a": 2, "c": true}));
        assert_eq!(
            Shape::join(&a, &b),
            Shape::Obj(vec![("a".into(), Shape::any_int())])
        );
    }

    #[test]
    fn timestamps() {
        assert!(looks_like_timestamp("2024-01-01T00:00:00Z"));
        assert!(looks_like_timestamp("2016-12-05T21:29:29.000000Z"));
        assert!(looks_like_timestamp("2012-10-09T19:00:55+01:00"));
        for bad in [
            "2024-13-01T00:00:00Z",
            "2016-12-05 21:29:29",
            "2024-01-01T00:00:00",
            "05-12-2016T21:29:29Z",
        ] {
            assert!(!looks_like_timestamp(bad), "{bad}");
        }
    }

    #[test]
    fn set_creates_and_fails() {
        let s = Shape::of(&json!({"m": {"d": [1, 2]}, "s": "x"}));
        let p = vec![
            Seg::Key("m".into()),
            Seg::Key("x".into()),
            Seg::Key("y".into()),
        ];
        let out = s.set(&p, Shape::int(6)).unwrap();
        assert_eq!(
            out.known().unwrap(),
            json!({"m": {"d": [1, 2], "x": {"y": 6}}, "s": "x"})
        );
        assert!(s
            .set(&[Seg::Key("s".into()), Seg::Key("z".into())], Shape::Null)
            .is_none());
    }
}
