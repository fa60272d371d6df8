//! JSONPath as AWS Step Functions evaluates it (the Jayway JsonPath dialect).
//!
//! In the Amazon States Language a *path* is a string that starts with `$` and
//! picks nodes out of the state's JSON data; a *reference path* is the subset
//! that can only name a single node (`.name`, `['name']`, `[n]`), see
//! <https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html>
//! and docs/semantics/data-flow.md §2.3/§2.5. AWS evaluates these with the Jayway
//! JsonPath library, so this module follows Jayway's grammar, its result shape
//! and its runtime error texts, which AWS copies into `States.Runtime` causes
//! (`Invalid path '$.x' : No results for path: $['x']`).
//!
//! What is implemented:
//!
//! * Syntax: `$`, `.name`, `['name']` / `["name"]` (escapes `\'` `\"` `\\`
//!   `\n` `\t` `\uXXXX` ...), `['a','b']`, `[n]`, `[-n]`, `[n,m]`, `[*]`,
//!   `.*`, `..name`, `..*`, `..[..]`, slices `[a:b]` `[:b]` `[a:]` `[-3:]`,
//!   and filters `[?(<expr>)]`. Filter expressions support `@`/`$` relative
//!   paths, literals (numbers, `'str'`, `"str"`, `true`, `false`, `null`, JSON
//!   arrays/objects, `/regex/flags`), the operators `==` `!=` `===` `!==` `<`
//!   `<=` `>` `>=` `=~` `in` `nin` `subsetof` `anyof` `noneof` `contains`
//!   `size` `empty`, the connectives `&&` `||` `!`, parentheses and existence
//!   tests (`[?(@.x)]`, `[?(!@.x)]`). Path functions (`length()` ...) are not
//!   supported and are rejected as syntax errors.
//! * Result shape: a *definite* path (Jayway's definition: only single names,
//!   single indexes — negative ones too — and a multi-name bracket as the last
//!   step) yields one node or an error; any other path yields a JSON array of
//!   all matches in document order.
//! * Runtime errors exactly where Jayway raises them with its default options:
//!   while the part of the path evaluated so far is still definite (a missing
//!   intermediate property, a property step on a non-object, an index step on
//!   a non-array, a filter on a scalar), plus Jayway's rule that a wildcard
//!   which is not the last step fails on a scalar unless an enclosing array
//!   wildcard swallows the failure. Note that this means an *indefinite* path
//!   such as `$.items[*].id` fails with `Missing property in path $['items']`
//!   when `items` is absent, exactly like Jayway.
//! * ResultPath writes ([`Path::set`]) for reference paths.
//!
//! Deliberate differences from Jayway (it is laxer; none of these texts is
//! known to be accepted by AWS): text after `]` or after a `.*` wildcard
//! other than `.`/`[` (`$['a']b`, `$.*a`) is rejected instead of being read
//! as another property; one bracket may not mix `'` and `"`; leading
//! whitespace is rejected (trailing whitespace is ignored); inside a filter a
//! path also ends at `&` or `|`, and a word operator (`in`, `size` ...) needs
//! no following space; the filter operators `all`, `type` and `matches` and
//! path functions are unsupported; regular expressions use Rust `regex`
//! syntax (no look-around or back-references); Java's `Double.toString` is
//! rendered with the shortest round-trip digits.
//!
//! UNVERIFIED against AWS (taken from Jayway's source with default options
//! and the Jackson provider): the texts of every runtime error other than
//! `No results for path` and `Missing property in path` (docs/semantics/data-flow.md §2.5),
//! and the Java class names in them.
//!
//! Evaluation uses an explicit work stack, so `..` and filters work on
//! arbitrarily deep documents without recursion; filter nesting in the path
//! text is limited to [`MAX_NESTING`]. Results are copied out of the document
//! with `Value::clone`, which (like dropping a `Value`) is recursive in
//! serde_json itself.

#![forbid(unsafe_code)]

mod ast;
mod eval;
mod filter;
mod java;
mod parse;

pub use ast::{Path, PathError, PathSyntaxError};

use serde_json::{Map, Value};
use std::borrow::Cow;

use ast::{write_fragment, Step};
use eval::{expected_object_message, member_mut, resolve_index, Evaluator, Hit};
use java::java_class;
use parse::parse_path;

/// Deepest nesting of filters, parentheses, `!` and JSON literals accepted in
/// a path text; deeper texts are rejected with a [`PathSyntaxError`].
pub const MAX_NESTING: usize = 64;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

impl Path {
    /// Compiles a path text. It must start with `$`; trailing whitespace is
    /// ignored (Jayway trims the text).
    pub fn parse(text: &str) -> Result<Path, PathSyntaxError> {
        parse_path(text, false, 0)
    }

    /// The original text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True for `$` alone.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// Jayway's definiteness: no `..`, `*`, index unions, slices or filters; a
    /// multi-name bracket counts as definite only as the last step (Jayway then
    /// merges the named members into one object).
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    /// An ASL reference path: only `.name`, `['name']` and `[n]` with `n >= 0`.
    pub fn is_reference(&self) -> bool {
        self.reference
    }

    /// Jayway's normalised form, e.g. `$['a'][0]['b']`, `$..['b']`, `$[*]`, `$[?]`.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 8);
        out.push(self.root_char());
        for step in &self.steps {
            write_fragment(step, &mut out);
        }
        out
    }

    /// Definite path: the single node (borrowed) or PathError with Jayway's message.
    /// Indefinite path: Ok(Cow::Owned(Value::Array(all matches in document order))) — an empty array when nothing matches.
    pub fn select<'a>(&self, root: &'a Value) -> Result<Cow<'a, Value>, PathError> {
        let fast = if self.simple {
            self.walk_simple(root)
        } else {
            None
        };
        if let Some(node) = fast {
            return Ok(Cow::Borrowed(node));
        }
        let hits = self.evaluate(root)?;
        if self.definite {
            match hits.into_iter().next() {
                Some(Hit::Ref(node)) => Ok(Cow::Borrowed(node)),
                Some(Hit::Owned(node)) => Ok(Cow::Owned(node)),
                None => Err(PathError {
                    message: format!("No results for path: {}", self.canonical()),
                }),
            }
        } else {
            Ok(Cow::Owned(Value::Array(
                hits.into_iter().map(Hit::into_value).collect(),
            )))
        }
    }

    /// The member names of the leading single-name steps (`$.Map.Item.Value[0]` → Map, Item, Value).
    pub fn leading_names(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map_while(|s| match s {
            Step::Name { name, .. } => Some(&**name),
            _ => None,
        })
    }

    /// The path without its last step (`$.a.b` → `$.a`); `None` for `$`.
    pub fn parent(&self) -> Option<Path> {
        let mut p = self.clone();
        p.steps.pop()?;
        Path::parse(&p.canonical()).ok()
    }

    /// Number of steps after the root.
    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// The member name of the first step when it is a single name (`$.Execution.Id` → `Execution`).
    pub fn first_name(&self) -> Option<&str> {
        match self.steps.first() {
            Some(Step::Name { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// True when select would succeed AND (for definite paths) a node exists. Used by Choice `IsPresent`.
    pub fn exists(&self, root: &Value) -> bool {
        if self.simple {
            return self.walk_simple(root).is_some();
        }
        match Evaluator::new(self, root, false, false).run(root) {
            Ok(hits) => !self.definite || !hits.is_empty(),
            Err(_) => false,
        }
    }

    /// ResultPath semantics (reference paths only): write `value` at this path inside `target`.
    /// "$" replaces target entirely. "$.a.b" creates missing intermediate objects; an existing field is overwritten;
    /// "[n]" writes into an existing array element in range. Errors (PathError, with a clear message) when an intermediate
    /// node exists but is not an object (or not an array for an index step), or the index is out of range.
    /// Returns the value that was overwritten, if any.
    pub fn set(&self, target: &mut Value, value: Value) -> Result<Option<Value>, PathError> {
        if !self.reference {
            return Err(PathError {
                message: format!(
                    "The path '{}' is not a reference path: only '.name', \"['name']\" and '[n]' steps can be written to",
                    self.text
                ),
            });
        }
        let mut current = target;
        let last = self.steps.len().saturating_sub(1);
        // The path walked so far, for error messages only (built when one is needed).
        let trail = |upto: usize| {
            let mut t = String::from("$");
            for s in &self.steps[..upto] {
                write_fragment(s, &mut t);
            }
            t
        };
        let mut pending = Some(value);
        if self.steps.is_empty() {
            return Ok(Some(std::mem::replace(
                current,
                pending.take().unwrap_or(Value::Null),
            )));
        }
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Name { name, .. } => {
                    let map = match current {
                        Value::Object(map) => map,
                        other => {
                            let mut fragment = String::new();
                            write_fragment(step, &mut fragment);
                            return Err(PathError {
                                message: expected_object_message(&fragment, &trail(i), other),
                            });
                        }
                    };
                    if i == last {
                        let v = pending.take().unwrap_or(Value::Null);
                        // Overwrite in place when the member exists: no new key.
                        return Ok(match member_mut(map, name) {
                            Some(slot) => Some(std::mem::replace(slot, v)),
                            None => {
                                map.insert(name.to_string(), v);
                                None
                            }
                        });
                    }
                    current = map
                        .entry(name.to_string())
                        .or_insert_with(|| Value::Object(Map::new()));
                }
                Step::Index(k) => {
                    let array = match current {
                        Value::Array(array) => array,
                        other => {
                            return Err(PathError {
                                message: format!(
                                    "Expected to find an array with index [{k}] in path {} but found '{}'.",
                                    trail(i),
                                    java_class(other)
                                ),
                            })
                        }
                    };
                    let len = array.len();
                    let Some(slot) = resolve_index(*k, len).and_then(|i| array.get_mut(i)) else {
                        return Err(PathError {
                            message: format!(
                                "Index [{k}] is out of bounds for the array of length {len} in path {}",
                                trail(i)
                            ),
                        });
                    };
                    if i == last {
                        return Ok(Some(std::mem::replace(
                            slot,
                            pending.take().unwrap_or(Value::Null),
                        )));
                    }
                    current = slot;
                }
                _ => break,
            }
        }
        Err(PathError {
            message: format!("The path '{}' cannot be written to", self.text),
        })
    }
}

/// Helpers shared by the test modules of this folder.
#[cfg(test)]
mod testing {
    use super::Path;
    use serde_json::Value;

    pub(super) fn p(text: &str) -> Path {
        match Path::parse(text) {
            Ok(path) => path,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    pub(super) fn sel(text: &str, doc: &Value) -> Value {
        match p(text).select(doc) {
            Ok(v) => v.into_owned(),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    pub(super) fn err(text: &str, doc: &Value) -> String {
        match p(text).select(doc) {
            Ok(v) => panic!("{text}: expected an error, got {v}"),
            Err(e) => e.message,
        }
    }

    pub(super) fn syntax_err(text: &str) -> String {
        match Path::parse(text) {
            Ok(path) => panic!("{text}: expected a syntax error, got {path:?}"),
            Err(e) => e.message,
        }
    }

    pub(super) fn canon(text: &str) -> String {
        p(text).canonical()
    }

    /// Dismantles a deep value without recursion (serde_json's drop recurses).
    pub(super) fn drop_deep(value: Value) {
        let mut pending = vec![value];
        while let Some(v) = pending.pop() {
            match v {
                Value::Array(items) => pending.extend(items),
                Value::Object(map) => pending.extend(map.into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::path::testing::*;
    use serde_json::json;

    // -- AWS Developer Guide examples ------------------------------------
    // https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html

    fn aws_doc() -> Value {
        json!({
            "foo": 123,
            "bar": ["a", "b", "c"],
            "car": {"cdr": true},
            "jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}]
        })
    }

    #[test]
    fn aws_reference_path_examples() {
        let doc = aws_doc();
        assert_eq!(sel("$.foo", &doc), json!(123));
        assert_eq!(sel("$.bar", &doc), json!(["a", "b", "c"]));
        assert_eq!(sel("$.car.cdr", &doc), json!(true));
        assert_eq!(sel("$.jar[?(@.a >= 5)]", &doc), json!([{"a": 5}, {"a": 7}]));
    }

    #[test]
    fn aws_bracket_after_dot_example() {
        // "$.abc.['def ghi']" from the same page.
        let doc = json!({"abc": {"def ghi": 1}});
        assert_eq!(sel("$.abc.['def ghi']", &doc), json!(1));
        assert_eq!(canon("$.abc.['def ghi']"), "$['abc']['def ghi']");
    }

    #[test]
    fn spec_union_and_flatten_examples() {
        // docs/semantics/data-flow.md §2.3 / DG: indefinite results are arrays.
        assert_eq!(sel("$.a[0,1]", &json!({"a": [1, 2, 3]})), json!([1, 2]));
        let nested = json!([[1, 2], [3], []]);
        assert_eq!(sel("$[*][*]", &nested), json!([1, 2, 3]));
        let doc = json!({"a": {"b": 1}, "c": [{"b": 2}, {"d": {"b": 3}}]});
        assert_eq!(sel("$..b", &doc), json!([1, 2, 3]));
    }

    #[test]
    fn definite_select_borrows() {
        let doc = json!({"a": [{"b": "x"}]});
        let path = p("$.a[0].b");
        assert!(matches!(path.select(&doc), Ok(Cow::Borrowed(v)) if v == "x"));
        assert!(matches!(p("$.a[-1]").select(&doc), Ok(Cow::Borrowed(_))));
    }

    // -- exists -----------------------------------------------------------

    #[test]
    fn exists_follows_select() {
        let doc = json!({"a": {"b": null}, "l": [1]});
        assert!(p("$.a.b").exists(&doc));
        assert!(p("$.l[0]").exists(&doc));
        assert!(p("$").exists(&doc));
        assert!(!p("$.a.c").exists(&doc));
        assert!(!p("$.x.y").exists(&doc));
        assert!(!p("$.l[3]").exists(&doc));
        assert!(!p("$.a.b.c").exists(&doc));
        assert!(p("$['a','zz']").exists(&doc));
        assert!(p("$..zz").exists(&doc));
        assert!(!p("$.zz[*]").exists(&doc));
    }

    // -- set (ResultPath, docs/semantics/data-flow.md §2.2) -----------------------------

    fn set(path: &str, target: Value, value: Value) -> Result<Value, String> {
        let mut target = target;
        p(path)
            .set(&mut target, value)
            .map(|_| target)
            .map_err(|e| e.message)
    }

    #[test]
    fn set_result_path() {
        assert_eq!(
            set("$.r", json!({"a": 1}), json!(7)),
            Ok(json!({"a": 1, "r": 7}))
        );
        assert_eq!(
            set("$.m.d", json!({"m": {"d": [1, 2]}}), json!(6)),
            Ok(json!({"m": {"d": 6}}))
        );
        assert_eq!(
            set("$.m.x.y", json!({"m": {"d": [1, 2]}}), json!(6)),
            Ok(json!({"m": {"d": [1, 2], "x": {"y": 6}}}))
        );
        assert_eq!(set("$", json!({"a": 1}), json!([1])), Ok(json!([1])));
        assert_eq!(
            set("$.a[1]", json!({"a": [1, 2]}), json!("x")),
            Ok(json!({"a": [1, "x"]}))
        );
        assert_eq!(
            set("$.a[0].b", json!({"a": [{}]}), json!(1)),
            Ok(json!({"a": [{"b": 1}]}))
        );
        assert_eq!(set("$['x y']", json!({}), json!(1)), Ok(json!({"x y": 1})));
        // Key order: an overwritten key keeps its place.
        let out = set("$.a", json!({"a": 1, "b": 2}), json!(3)).unwrap_or_default();
        assert_eq!(
            out.as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["a".to_string(), "b".to_string()])
        );
    }

    #[test]
    fn set_errors() {
        assert_eq!(
            set("$.x", json!("foo"), json!(1)),
            Err("Expected to find an object with property ['x'] in path $ but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.".to_string())
        );
        assert!(set("$.a.b", json!({"a": 5}), json!(1))
            .is_err_and(|m| m.contains("in path $['a'] but found 'java.lang.Integer'")));
        assert!(set("$.a.b", json!({"a": null}), json!(1)).is_err());
        assert_eq!(
            set("$.a[2]", json!({"a": [1]}), json!(1)),
            Err("Index [2] is out of bounds for the array of length 1 in path $['a']".to_string())
        );
        assert_eq!(
            set("$.a[0]", json!({"a": {}}), json!(1)),
            Err("Expected to find an array with index [0] in path $['a'] but found 'java.util.LinkedHashMap'.".to_string())
        );
        assert!(set("$.a[*]", json!({"a": [1]}), json!(1))
            .is_err_and(|m| m.contains("not a reference path")));
        assert!(set("$.a[-1]", json!({"a": [1]}), json!(1)).is_err());
        assert!(set("$..a", json!({}), json!(1)).is_err());
    }

    #[test]
    fn random_strings_never_panic() {
        const ALPHABET: &[&str] = &[
            "$", "@", ".", "..", "[", "]", "'", "\"", "\\", "*", "?", "(", ")", ",", ":", "-", "0",
            "1", "9", "a", "b", "é", " ", "=", "==", "<", ">", "!", "~", "=~", "/", "&&", "||",
            "in", "true", "null", "{", "}", "[?(@.a", "$.a", "['b']", "[0]", "[-1:]", "..*",
        ];
        let doc =
            json!({"a": [1, {"b": [2, {"a": 3}]}, "x"], "b": {"a": null, "c": 1.5}, "é": [[]]});
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut parsed = 0;
        for _ in 0..5000 {
            let len = next() % 12;
            let mut text = String::from(if next() % 8 == 0 { "" } else { "$" });
            for _ in 0..len {
                let index = usize::try_from(next() % ALPHABET.len() as u64).unwrap_or(0);
                text.push_str(ALPHABET.get(index).copied().unwrap_or(""));
            }
            let Ok(path) = Path::parse(&text) else {
                continue;
            };
            parsed += 1;
            let selected = path.select(&doc);
            assert_eq!(path.exists(&doc), selected.is_ok(), "{text}");
            if let Ok(value) = &selected {
                assert!(path.is_definite() || value.is_array(), "{text}");
            }
            let canonical = path.canonical();
            if !canonical.contains("[?]") {
                let again = Path::parse(&canonical);
                assert!(
                    again.is_ok_and(|a| a.canonical() == canonical),
                    "{text} -> {canonical}"
                );
            }
            if path.is_reference() {
                let mut target = doc.clone();
                let _ = path.set(&mut target, json!(0));
            }
        }
        assert!(parsed > 100, "only {parsed} random paths parsed");
    }
}
