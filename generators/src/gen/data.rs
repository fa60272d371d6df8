//! JSON data: the execution input, literals, and pools of edge-case scalars.
//!
//! Keys come from a small vocabulary so that paths, templates and data meet often. No data key
//! is ever `absent…`: paths through such names are the generator's deliberately missing paths.

use serde_json::{Map, Value};

use super::Gen;

/// Member names of generated data. Two need bracket notation.
pub const KEYS: &[&str] = &[
    "a", "b", "c", "n", "count", "name", "flag", "items", "list", "nested", "obj", "ts", "msg",
    "data", "id", "tags", "price", "qty", "encoded", "json", "when", "wait", "my key", "x-y",
];

/// Top-level names for ResultPath targets that are new to the data.
pub const FRESH_KEYS: &[&str] = &["result", "out", "res", "info", "saved", "r1", "r2", "r3"];

/// A missing member (never generated as a key).
pub const ABSENT: &str = "absent";

/// Strings with edge cases for Format, StringSplit, comparisons, escaping.
pub const STRINGS: &[&str] = &[
    "hello",
    "",
    " ",
    "abc",
    "Hello World",
    "it's",
    "a,b,,c",
    "x;y;z",
    "{}",
    "{braces}",
    "*",
    "a*b",
    "back\\slash",
    "é✓ü",
    "line\nbreak",
    "tab\tsep",
    "UPPER",
    "123",
    "true",
    "null",
    "A",
    "AB",
    "A ",
    "$.a",
];

/// Timestamps before 2024 (see `Shape::is_past_timestamp`), AWS-verified forms.
pub const PAST_TIMESTAMPS: &[&str] = &[
    "2023-06-15T12:30:45.123Z",
    "2016-12-05T21:29:29.000000Z",
    "2020-01-01T00:00:00.5Z",
    "2012-10-09T19:00:55Z",
];

/// RFC 3339 timestamps (AWS-verified forms: `Z`, fractions).
pub const TIMESTAMPS: &[&str] = &[
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:10Z",
    "2023-06-15T12:30:45.123Z",
    "2024-02-29T23:59:59Z",
    "2016-12-05T21:29:29.000000Z",
    "2020-01-01T00:00:00.5Z",
];

/// Strings that are not valid ASL timestamps (comparisons are false; TimestampPath fails).
pub const BAD_TIMESTAMPS: &[&str] = &[
    "2016-12-05 21:29:29",
    "2024-01-01T00:00:00",
    "2024-13-01T00:00:00Z",
    "05-12-2016T21:29:29Z",
];

/// Strings holding JSON text (StringToJson; `""` and `" "` become null on AWS).
pub const JSON_TEXTS: &[&str] = &[
    "{\"k\":1,\"l\":[true,null]}",
    "[1,2,\"x\"]",
    "\"quoted\"",
    "42",
    "1.5",
    "true",
    "null",
    "{}",
];

/// Error names for Fail states and failing fixtures (never `States.…`).
pub const ERROR_NAMES: &[&str] = &[
    "CustomError",
    "Err.Validation",
    "BadInput",
    "Timeoutish",
    "E1",
    "ünïcödé.Error",
];

pub const CAUSES: &[&str] = &[
    "something broke",
    "",
    "cause with \"quotes\" and {braces}",
    "é✓",
];

/// Numbers with edge cases (rounding halves, int32 bounds, negative, float forms).
pub const NUMBERS: &[f64] = &[
    0.0, 1.0, 2.0, 3.0, -1.0, 5.0, 10.0, 42.0, 100.0, -7.0, 1.5, 2.5, -2.5, 0.5, 1.49, 3.25,
];

/// Standard base64 of UTF-8 text.
pub fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = match chunk.len() {
            1 => u32::from(chunk[0]) << 16,
            2 => (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8),
            _ => (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]),
        };
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A JSON number from an f64 (integral values become integers).
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// The kinds of top-level input members, simplest first.
#[derive(Clone, Copy)]
enum Field {
    Int,
    Str,
    Bool,
    Null,
    Num,
    Seconds,
    Timestamp,
    Encoded,
    JsonText,
    Ints,
    Strings,
    Objects,
    Object,
}

const FIELDS: [Field; 13] = [
    Field::Int,
    Field::Str,
    Field::Bool,
    Field::Null,
    Field::Num,
    Field::Seconds,
    Field::Timestamp,
    Field::Encoded,
    Field::JsonText,
    Field::Ints,
    Field::Strings,
    Field::Objects,
    Field::Object,
];

const FIELD_WEIGHTS: [u32; 13] = [4, 4, 2, 1, 2, 2, 3, 1, 1, 3, 2, 4, 3];

impl Gen {
    /// The execution input: an object with a mix of every kind of member.
    pub fn input(&mut self) -> Value {
        let width = self.cfg.max_payload_width;
        let mut keys: Vec<&str> = KEYS.to_vec();
        let mut m = Map::new();
        let mut have = 0;
        while self.t.more(have, 1, width + 3, 0.8) {
            let key = keys.remove(self.t.below(keys.len()));
            let kind = FIELDS[self.t.weighted(&FIELD_WEIGHTS)];
            let v = self.field(kind, 1);
            m.insert(key.to_string(), v);
            have += 1;
            self.t.end();
            if keys.is_empty() {
                break;
            }
        }
        Value::Object(m)
    }

    fn field(&mut self, kind: Field, depth: usize) -> Value {
        match kind {
            Field::Int => number(self.t.range(-3, 20) as f64),
            Field::Str => Value::String(self.t.pick(STRINGS).to_string()),
            Field::Bool => Value::Bool(self.t.flag(0.5)),
            Field::Null => Value::Null,
            Field::Num => number(*self.t.pick(NUMBERS)),
            Field::Seconds => number(self.t.range(0, i64::from(self.cfg.max_wait_seconds)) as f64),
            Field::Timestamp => {
                if self.t.flag(0.15) {
                    Value::String(self.t.pick(BAD_TIMESTAMPS).to_string())
                } else {
                    Value::String(self.t.pick(TIMESTAMPS).to_string())
                }
            }
            Field::Encoded => Value::String(base64(self.t.pick::<&str>(STRINGS))),
            Field::JsonText => Value::String(self.t.pick(JSON_TEXTS).to_string()),
            Field::Ints => {
                let n = self.t.count(0, self.cfg.max_map_items);
                (0..n).map(|_| number(self.t.range(-2, 9) as f64)).collect()
            }
            Field::Strings => {
                let n = self.t.count(0, self.cfg.max_map_items);
                (0..n)
                    .map(|_| Value::String(self.t.pick(STRINGS).to_string()))
                    .collect()
            }
            Field::Objects => {
                // Elements share their member names and types, as records do.
                let n = self.t.count(0, self.cfg.max_map_items);
                let mut keys: Vec<&str> = KEYS.to_vec();
                let mut layout = vec![];
                for _ in 0..self.t.count(1, 3) {
                    let key = keys.remove(self.t.below(keys.len()));
                    let kind = *self.t.pick(&[
                        Field::Int,
                        Field::Str,
                        Field::Bool,
                        Field::Num,
                        Field::Timestamp,
                    ]);
                    layout.push((key, kind));
                }
                (0..n)
                    .map(|_| {
                        let mut m = Map::new();
                        for &(k, kind) in &layout {
                            m.insert(k.to_string(), self.field(kind, depth + 1));
                        }
                        Value::Object(m)
                    })
                    .collect()
            }
            Field::Object => {
                if depth >= self.cfg.max_payload_depth {
                    return Value::Object(Map::new());
                }
                let mut keys: Vec<&str> = KEYS.to_vec();
                let mut m = Map::new();
                let mut have = 0;
                while self.t.more(have, 0, self.cfg.max_payload_width, 0.7) {
                    let key = keys.remove(self.t.below(keys.len()));
                    let kind = FIELDS[self.t.weighted(&FIELD_WEIGHTS)];
                    let v = self.field(kind, depth + 1);
                    m.insert(key.to_string(), v);
                    have += 1;
                    self.t.end();
                }
                Value::Object(m)
            }
        }
    }

    /// A literal JSON value (Pass `Result`, template literals).
    pub fn literal(&mut self, depth: usize) -> Value {
        let kinds = [
            Field::Int,
            Field::Str,
            Field::Bool,
            Field::Null,
            Field::Num,
            Field::Timestamp,
            Field::Ints,
            Field::Object,
        ];
        let weights = [4, 4, 1, 1, 2, 1, 1, if depth < 2 { 2 } else { 0 }];
        let kind = kinds[self.t.weighted(&weights)];
        self.field(kind, depth + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64("Data to encode"), "RGF0YSB0byBlbmNvZGU=");
        assert_eq!(base64(""), "");
        assert_eq!(base64("ab"), "YWI=");
        assert_eq!(base64("abc"), "YWJj");
    }
}
