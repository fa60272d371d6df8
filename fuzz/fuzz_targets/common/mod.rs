//! What the targets share: splitting an input into a text and the JSON document it runs on.

#![allow(dead_code)]

use serde_json::{json, Value};

/// The document a target evaluates against when its input carries none.
pub fn default_document() -> Value {
    json!({
        "a": {"b": [1, 2.5, "three", null, true, {"c": "d"}]},
        "items": [{"id": 1, "name": "x", "tags": ["p", "q"]}, {"id": 2, "name": "y", "tags": []}],
        "s": "text with {} braces",
        "n": -7,
        "big": 12345678901234567890u64,
        "empty": {},
        "list": []
    })
}

/// Splits `text\njson` into the text and the document (the default one when the rest is
/// missing or is not JSON).
pub fn text_and_document(data: &[u8]) -> Option<(&str, Value)> {
    let all = std::str::from_utf8(data).ok()?;
    Some(match all.split_once('\n') {
        Some((text, rest)) => (
            text,
            serde_json::from_str(rest).unwrap_or_else(|_| default_document()),
        ),
        None => (all, default_document()),
    })
}

/// A JSON value survives being printed and parsed again (the numbers the engine produced are
/// ones JSON can carry).
pub fn assert_json_round_trip(v: &Value, what: &str) {
    let text = serde_json::to_string(v).expect("a serde_json Value always prints");
    let back: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what} printed as {text:?}, which does not parse: {e}"));
    assert_eq!(&back, v, "{what} changed when printed and parsed again");
}

/// A fixed random stream for the targets that need one (UUID, MathRandom).
pub struct Counter(pub u64);

impl rand::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
