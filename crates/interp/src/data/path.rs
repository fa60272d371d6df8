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

use regex::Regex;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Deepest nesting of filters, parentheses, `!` and JSON literals accepted in
/// a path text; deeper texts are rejected with a [`PathSyntaxError`].
pub const MAX_NESTING: usize = 64;

/// The JSON provider AWS is assumed to configure; it appears in one Jayway
/// message. UNVERIFIED against AWS: taken from Jayway's default Jackson setup.
const JSON_PROVIDER: &str = "com.jayway.jsonpath.spi.json.JacksonJsonProvider";

/// Marker for "no enclosing array wildcard catches failures".
const NO_CATCH: usize = usize::MAX;

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// A compiled JSONPath (Jayway dialect as used by AWS Step Functions). The text starts with `$`.
/// The caller strips the leading `$` of a context path (`$$.Execution.Id` is compiled as `$.Execution.Id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: Box<str>,
    root: Root,
    steps: Vec<Step>,
    definite: bool,
    reference: bool,
    /// Definite and made only of single names and single indexes: the
    /// allocation-free fast path applies.
    simple: bool,
    /// Index of the first step that is not definite (`steps.len()` if none).
    /// A step's "upstream" is definite when its index is `<=` this.
    first_indefinite: usize,
}

/// A path text that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSyntaxError {
    pub message: String,
}

/// Runtime failure, message is Jayway's text, e.g. "No results for path: $['a']['b']" or "Missing property in path $['a']".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub message: String,
}

impl fmt::Display for PathSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathSyntaxError {}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Path {
    type Err = PathSyntaxError;

    fn from_str(text: &str) -> Result<Path, PathSyntaxError> {
        Path::parse(text)
    }
}

// ---------------------------------------------------------------------------
// Compiled representation
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    /// `$`: the document.
    Document,
    /// `@`: the current item of a filter (only inside filters).
    Current,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// `.name`, `['name']`; `quote` is the delimiter used (`'` for dot notation),
    /// which Jayway keeps in its normalised form.
    Name { name: Box<str>, quote: char },
    /// `['a','b']` (two or more names).
    Names { names: Vec<Box<str>>, quote: char },
    /// `[n]`, negative counts from the end.
    Index(i32),
    /// `[n,m,...]`.
    Indexes(Vec<i32>),
    /// `[a:b]`, `[a:]`, `[:b]`; a third (step) part is ignored, as in Jayway.
    Slice { from: Option<i32>, to: Option<i32> },
    /// `.*`, `[*]`.
    Wildcard,
    /// `..`: deep scan; the following step is its target.
    Scan,
    /// `[?(...)]`.
    Filter(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Exists {
        path: Box<Path>,
        negated: bool,
    },
    Cmp {
        left: Operand,
        op: Op,
        right: Operand,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// `negated` records a leading `!`; like Jayway it only matters for an
    /// existence test (`!@.x == 1` compares as `@.x == 1`).
    Path {
        path: Box<Path>,
        negated: bool,
    },
    Lit(Literal),
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Null,
    Bool(bool),
    Num(Decimal),
    Str(String),
    Json(Box<Value>),
    Pattern(Box<Pattern>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    TsEq,
    TsNe,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Contains,
    Size,
    Empty,
}

/// A `/regex/flags` literal. Jayway uses `java.util.regex` with
/// `Matcher.matches()` (the whole input must match); Rust's `regex` syntax is
/// close but has no look-around or back-references, which are rejected.
#[derive(Debug, Clone)]
struct Pattern {
    source: String,
    flags: String,
    re: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.flags == other.flags
    }
}

/// An exact decimal number (Java `BigDecimal`): value = ±digits × 10^-scale.
/// Jayway turns every number in a filter into a `BigDecimal`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    /// ASCII digits without leading zeros; "0" for zero.
    digits: String,
    scale: i64,
}

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

// ---------------------------------------------------------------------------
// Construction helpers
// ---------------------------------------------------------------------------

impl Path {
    fn from_parts(text: &str, root: Root, steps: Vec<Step>) -> Path {
        let count = steps.len();
        let token_definite = |i: usize, step: &Step| match step {
            Step::Name { .. } | Step::Index(_) => true,
            Step::Names { .. } => i + 1 == count,
            _ => false,
        };
        let first_indefinite = steps
            .iter()
            .enumerate()
            .position(|(i, s)| !token_definite(i, s))
            .unwrap_or(count);
        let definite = first_indefinite == count;
        let simple = steps
            .iter()
            .all(|s| matches!(s, Step::Name { .. } | Step::Index(_)));
        let reference = root == Root::Document
            && steps.iter().all(|s| match s {
                Step::Name { .. } => true,
                Step::Index(k) => *k >= 0,
                _ => false,
            });
        Path {
            text: text.into(),
            root,
            steps,
            definite,
            reference,
            simple,
            first_indefinite,
        }
    }

    fn root_char(&self) -> char {
        match self.root {
            Root::Document => '$',
            Root::Current => '@',
        }
    }

    /// Fast path for definite paths of names and indexes: no allocation.
    fn walk_simple<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut node = root;
        for step in &self.steps {
            node = match step {
                Step::Name { name, .. } => member(node.as_object()?, name)?,
                Step::Index(k) => {
                    let array = node.as_array()?;
                    array.get(resolve_index(*k, array.len())?)?
                }
                _ => return None,
            };
        }
        Some(node)
    }

    /// Full evaluation; on failure the evaluation is repeated with path
    /// tracing switched on to build Jayway's message.
    fn evaluate<'a>(&self, root: &'a Value) -> Result<Vec<Hit<'a>>, PathError> {
        match Evaluator::new(self, root, false, false).run(root) {
            Ok(hits) => Ok(hits),
            Err(_) => match Evaluator::new(self, root, false, true).run(root) {
                Ok(hits) => Ok(hits),
                Err(fail) => Err(PathError {
                    message: fail.into_message(),
                }),
            },
        }
    }

    /// Jayway's `toString()` of the token at `from` and all tokens after it.
    fn fragments_from(&self, from: usize) -> String {
        let mut out = String::new();
        for step in self.steps.iter().skip(from) {
            write_fragment(step, &mut out);
        }
        out
    }
}

/// Objects up to this size are searched by comparing keys, which is cheaper than hashing them.
const SCAN_LIMIT: usize = 8;

/// A member of an object.
fn member<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        map.get(name)
    }
}

/// A member of an object, to overwrite.
fn member_mut<'a>(map: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter_mut()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    } else {
        map.get_mut(name)
    }
}

/// Jayway's `getPathFragment()`.
fn write_fragment(step: &Step, out: &mut String) {
    match step {
        Step::Name { name, quote } => {
            out.push('[');
            push_quoted(out, name, *quote);
            out.push(']');
        }
        Step::Names { names, quote } => {
            out.push('[');
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_quoted(out, name, *quote);
            }
            out.push(']');
        }
        Step::Index(k) => out.push_str(&format!("[{k}]")),
        Step::Indexes(ks) => {
            out.push('[');
            for (i, k) in ks.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&k.to_string());
            }
            out.push(']');
        }
        Step::Slice { from, to } => {
            out.push('[');
            if let Some(from) = from {
                out.push_str(&from.to_string());
            }
            out.push(':');
            if let Some(to) = to {
                out.push_str(&to.to_string());
            }
            out.push(']');
        }
        Step::Wildcard => out.push_str("[*]"),
        Step::Scan => out.push_str(".."),
        Step::Filter(_) => out.push_str("[?]"),
    }
}

/// Jayway escapes `\` and `'` (only) when it prints a property name.
fn push_quoted(out: &mut String, name: &str, quote: char) {
    out.push(quote);
    for c in name.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            other => out.push(other),
        }
    }
    out.push(quote);
}

/// Resolves a possibly negative index against an array length.
fn resolve_index(k: i32, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let k = i64::from(k);
    let effective = if k < 0 { len + k } else { k };
    if (0..len).contains(&effective) {
        usize::try_from(effective).ok()
    } else {
        None
    }
}

fn syntax<T>(message: impl Into<String>) -> Result<T, PathSyntaxError> {
    Err(PathSyntaxError {
        message: message.into(),
    })
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

fn parse_path(text: &str, in_filter: bool, depth: usize) -> Result<Path, PathSyntaxError> {
    if depth > MAX_NESTING {
        return syntax(format!(
            "Path is nested too deeply (more than {MAX_NESTING} levels)"
        ));
    }
    if text.is_empty() {
        return syntax("Path must not be empty");
    }
    // Jayway trims the text (Java `trim()`: every char <= U+0020).
    let body = text.trim_end_matches(|c: char| c <= ' ');
    let bytes = body.as_bytes();
    let root = match bytes.first() {
        Some(b'$') => Root::Document,
        Some(b'@') if in_filter => Root::Current,
        _ if in_filter => return syntax("Path must start with '$' or '@'"),
        _ => return syntax("Path must start with '$'"),
    };
    if bytes.len() > 1 && bytes.last() == Some(&b'.') {
        return syntax("Path must not end with a '.' or '..'");
    }
    if bytes.len() > 1 && !matches!(bytes.get(1), Some(b'.' | b'[')) {
        return syntax("Illegal character at position 1 expected '.' or '['");
    }
    let mut parser = Parser {
        s: body,
        b: bytes,
        pos: 1,
        depth,
    };
    let steps = parser.parse_steps()?;
    Ok(Path::from_parts(text, root, steps))
}

struct Parser<'s> {
    s: &'s str,
    b: &'s [u8],
    pos: usize,
    depth: usize,
}

fn is_relational_char(c: u8) -> bool {
    matches!(c, b'<' | b'>' | b'=' | b'~' | b'!')
}

impl<'s> Parser<'s> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, pos: usize) -> Option<u8> {
        self.b.get(pos).copied()
    }

    fn starts_with(&self, pattern: &[u8]) -> bool {
        self.b
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(pattern))
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn char_here(&self) -> String {
        self.s
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
            .map_or_else(|| "end of path".to_string(), |c| format!("'{c}'"))
    }

    fn enter(&mut self) -> Result<(), PathSyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return syntax(format!(
                "Path is nested too deeply (more than {MAX_NESTING} levels)"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), PathSyntaxError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            syntax(format!(
                "Expected {what} at position {} but found {}",
                self.pos,
                self.char_here()
            ))
        }
    }

    fn parse_steps(&mut self) -> Result<Vec<Step>, PathSyntaxError> {
        let mut steps = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                b'[' => steps.push(self.parse_bracket()?),
                b'.' => {
                    if self.peek_at(self.pos + 1) == Some(b'.') {
                        steps.push(Step::Scan);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                    }
                    match self.peek() {
                        None => return syntax("Path must not end with a '.' or '..'"),
                        Some(b'.') => {
                            return syntax(format!(
                                "Character '.' on position {} is not valid.",
                                self.pos
                            ))
                        }
                        Some(b'[') => steps.push(self.parse_bracket()?),
                        Some(b'*') => {
                            self.pos += 1;
                            steps.push(Step::Wildcard);
                        }
                        Some(_) => steps.push(self.parse_dot_name()?),
                    }
                }
                _ => {
                    return syntax(format!(
                        "Unexpected character {} at position {}: expected '.' or '['",
                        self.char_here(),
                        self.pos
                    ))
                }
            }
        }
        Ok(steps)
    }

    /// Dot-notation names end at `.` or `[` (Jayway); a space is an error and
    /// `(` would start a path function, which is not supported.
    fn parse_dot_name(&mut self) -> Result<Step, PathSyntaxError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            match c {
                b'.' | b'[' => break,
                b' ' => {
                    return syntax(format!(
                        "Use bracket notion ['my prop'] if your property contains blank characters. position: {}",
                        self.pos
                    ))
                }
                b'(' => {
                    return syntax(format!(
                        "Path functions such as '{}()' are not supported",
                        self.s.get(start..self.pos).unwrap_or_default()
                    ))
                }
                _ => self.pos += 1,
            }
        }
        let name = self.s.get(start..self.pos).unwrap_or_default();
        Ok(Step::Name {
            name: name.into(),
            quote: '\'',
        })
    }

    fn parse_bracket(&mut self) -> Result<Step, PathSyntaxError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        match self.peek() {
            None => syntax(format!("Unterminated '[' at position {open}")),
            Some(q @ (b'\'' | b'"')) => self.parse_names(q),
            Some(b'*') => {
                self.pos += 1;
                self.skip_ws();
                self.expect(b']', "']' after '*'")?;
                Ok(Step::Wildcard)
            }
            Some(b'?') => self.parse_filter(),
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b':' => self.parse_array(open),
            Some(_) => syntax(format!(
                "Could not parse token starting at position {open}. Expected ?, ', 0-9, * "
            )),
        }
    }

    fn parse_names(&mut self, quote: u8) -> Result<Step, PathSyntaxError> {
        let mut names: Vec<Box<str>> = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(c) if c == quote => self.pos += 1,
                Some(b'\'' | b'"') => {
                    return syntax(format!(
                    "Property names in one bracket must use the same quote character (position {})",
                    self.pos
                ))
                }
                _ => {
                    return syntax(format!(
                        "Expected a quoted property name at position {} but found {}",
                        self.pos,
                        self.char_here()
                    ))
                }
            }
            let name = self.read_quoted(
                char::from(quote),
                "Property has not been closed - missing closing",
            )?;
            names.push(name.into());
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                None => return syntax("Property has not been closed - missing closing ]"),
                Some(_) => {
                    return syntax(format!(
                        "Property must be separated by comma or Property must be terminated close square bracket at index {}",
                        self.pos
                    ))
                }
            }
        }
        let quote = char::from(quote);
        if names.len() == 1 {
            let name = names.pop().unwrap_or_default();
            Ok(Step::Name { name, quote })
        } else {
            Ok(Step::Names { names, quote })
        }
    }

    /// Reads the rest of a quoted string (the opening quote is consumed) and
    /// decodes escapes like Jayway's `Utils.unescape`.
    fn read_quoted(&mut self, quote: char, unterminated: &str) -> Result<String, PathSyntaxError> {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += i + 1;
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, escaped)) = chars.next() else {
                break;
            };
            match escaped {
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let high = read_hex4(&mut chars)?;
                    let code = if (0xD800..0xDC00).contains(&high) {
                        let backslash = chars.next().map(|(_, c)| c);
                        let u = chars.next().map(|(_, c)| c);
                        if backslash != Some('\\') || u != Some('u') {
                            return syntax("Invalid unicode escape: unpaired surrogate");
                        }
                        let low = read_hex4(&mut chars)?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return syntax("Invalid unicode escape: unpaired surrogate");
                        }
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        high
                    };
                    match char::from_u32(code) {
                        Some(c) => out.push(c),
                        None => return syntax("Invalid unicode escape"),
                    }
                }
                other => out.push(other),
            }
        }
        syntax(format!("{unterminated} {quote}"))
    }

    fn parse_array(&mut self, open: usize) -> Result<Step, PathSyntaxError> {
        let start = self.pos;
        let Some(offset) = self
            .b
            .get(start..)
            .and_then(|rest| rest.iter().position(|&c| c == b']'))
        else {
            return syntax(format!("Unterminated '[' at position {open}"));
        };
        let end = start + offset;
        let content = self.s.get(start..end).unwrap_or_default().trim();
        self.pos = end + 1;
        if !content
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b',' | b'-' | b':' | b' '))
        {
            return syntax(format!(
                "Failed to parse array index or slice '[{content}]'"
            ));
        }
        let parse_int = |part: &str| -> Result<i32, PathSyntaxError> {
            part.trim().parse::<i32>().or_else(|_| {
                syntax(format!(
                    "Failed to parse array index or slice '[{content}]': '{}' is not a 32-bit integer",
                    part.trim()
                ))
            })
        };
        if content.contains(':') {
            // Java `String.split(":")` drops trailing empty parts; a third
            // (step) part is ignored by Jayway.
            let mut parts: Vec<&str> = content.split(':').collect();
            while parts.last().is_some_and(|p| p.trim().is_empty()) {
                parts.pop();
            }
            let mut bounds = [None, None];
            for (i, part) in parts.iter().enumerate() {
                if part.trim().is_empty() {
                    continue;
                }
                let value = parse_int(part)?;
                if let Some(slot) = bounds.get_mut(i) {
                    *slot = Some(value);
                }
            }
            let [from, to] = bounds;
            if from.is_none() && to.is_none() {
                return syntax(format!("Failed to parse SliceOperation: {content}"));
            }
            Ok(Step::Slice { from, to })
        } else {
            let indexes = content
                .split(',')
                .map(parse_int)
                .collect::<Result<Vec<i32>, _>>()?;
            match indexes.as_slice() {
                [single] => Ok(Step::Index(*single)),
                _ => Ok(Step::Indexes(indexes)),
            }
        }
    }

    /// `[?( expr )]`, positioned at the `?`.
    fn parse_filter(&mut self) -> Result<Step, PathSyntaxError> {
        self.pos += 1;
        self.skip_ws();
        if self.peek() != Some(b'(') {
            return syntax("Filter must start with '[?(' and end with ')]'");
        }
        self.pos += 1;
        self.enter()?;
        let expr = self.parse_or()?;
        self.skip_ws();
        self.expect(b')', "')' closing the filter expression")?;
        self.skip_ws();
        self.expect(b']', "']' closing the filter")?;
        self.leave();
        Ok(Step::Filter(Box::new(expr)))
    }

    // LogicalOR = LogicalAND { '||' LogicalAND }   (Jayway's grammar)
    fn parse_or(&mut self) -> Result<Expr, PathSyntaxError> {
        let first = self.parse_and()?;
        let mut rest = Vec::new();
        loop {
            let save = self.pos;
            self.skip_ws();
            if self.starts_with(b"||") {
                self.pos += 2;
                rest.push(self.parse_and()?);
            } else {
                self.pos = save;
                break;
            }
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            rest.insert(0, first);
            Ok(Expr::Or(rest))
        }
    }

    // LogicalAND = Operand { '&&' Operand }
    fn parse_and(&mut self) -> Result<Expr, PathSyntaxError> {
        let first = self.parse_operand()?;
        let mut rest = Vec::new();
        loop {
            let save = self.pos;
            self.skip_ws();
            if self.starts_with(b"&&") {
                self.pos += 2;
                rest.push(self.parse_operand()?);
            } else {
                self.pos = save;
                break;
            }
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            rest.insert(0, first);
            Ok(Expr::And(rest))
        }
    }

    // Operand = Relational | '(' LogicalOR ')' | '!' Operand
    fn parse_operand(&mut self) -> Result<Expr, PathSyntaxError> {
        self.skip_ws();
        match self.peek() {
            Some(b'!') => {
                let save = self.pos;
                self.pos += 1;
                self.skip_ws();
                if matches!(self.peek(), Some(b'@' | b'$')) {
                    // `!@.x` is a negated existence test, read as a value.
                    self.pos = save;
                    return self.parse_relational();
                }
                self.enter()?;
                let inner = self.parse_operand()?;
                self.leave();
                Ok(Expr::Not(Box::new(inner)))
            }
            Some(b'(') => {
                self.pos += 1;
                self.enter()?;
                let inner = self.parse_or()?;
                self.skip_ws();
                self.expect(b')', "')'")?;
                self.leave();
                Ok(inner)
            }
            _ => self.parse_relational(),
        }
    }

    // Relational = Value [ Operator Value ]; without an operator the value
    // must be a path and is an existence test.
    fn parse_relational(&mut self) -> Result<Expr, PathSyntaxError> {
        let left = self.parse_value()?;
        let save = self.pos;
        self.skip_ws();
        match self.read_operator()? {
            Some(op) => {
                let right = self.parse_value()?;
                Ok(Expr::Cmp { left, op, right })
            }
            None => {
                self.pos = save;
                match left {
                    Operand::Path { path, negated } => Ok(Expr::Exists { path, negated }),
                    Operand::Lit(_) => syntax(format!(
                        "Expected a path or a comparison in filter at position {}",
                        self.pos
                    )),
                }
            }
        }
    }

    fn read_operator(&mut self) -> Result<Option<Op>, PathSyntaxError> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_relational_char(c) => {
                while self.peek().is_some_and(is_relational_char) {
                    self.pos += 1;
                }
                let text = self.s.get(start..self.pos).unwrap_or_default();
                let op = match text {
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "===" => Op::TsEq,
                    "!==" => Op::TsNe,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "=~" => Op::Match,
                    _ => return syntax(format!("Filter operator {text} is not supported!")),
                };
                Ok(Some(op))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.pos += 1;
                }
                let text = self.s.get(start..self.pos).unwrap_or_default();
                let op = match text.to_ascii_lowercase().as_str() {
                    "in" => Op::In,
                    "nin" => Op::Nin,
                    "subsetof" => Op::SubsetOf,
                    "anyof" => Op::AnyOf,
                    "noneof" => Op::NoneOf,
                    "contains" => Op::Contains,
                    "size" => Op::Size,
                    "empty" => Op::Empty,
                    _ => return syntax(format!("Filter operator {text} is not supported!")),
                };
                Ok(Some(op))
            }
            _ => Ok(None),
        }
    }

    fn parse_value(&mut self) -> Result<Operand, PathSyntaxError> {
        self.skip_ws();
        match self.peek() {
            Some(b'@' | b'$') => self.parse_filter_path(false),
            Some(b'!') => {
                self.pos += 1;
                self.skip_ws();
                if matches!(self.peek(), Some(b'@' | b'$')) {
                    self.parse_filter_path(true)
                } else {
                    syntax("Unexpected character: !")
                }
            }
            Some(q @ (b'\'' | b'"')) => {
                self.pos += 1;
                let text = self.read_quoted(
                    char::from(q),
                    "String literal does not have matching quotes. Expected",
                )?;
                Ok(Operand::Lit(Literal::Str(text)))
            }
            Some(b't' | b'f') => {
                if self.starts_with(b"true") {
                    self.pos += 4;
                    Ok(Operand::Lit(Literal::Bool(true)))
                } else if self.starts_with(b"false") {
                    self.pos += 5;
                    Ok(Operand::Lit(Literal::Bool(false)))
                } else {
                    syntax("Expected boolean literal")
                }
            }
            Some(b'n') => {
                if self.starts_with(b"null") {
                    self.pos += 4;
                    Ok(Operand::Lit(Literal::Null))
                } else {
                    syntax("Expected <null> value")
                }
            }
            Some(b'[' | b'{') => {
                let value = self.parse_json(0)?;
                Ok(Operand::Lit(Literal::Json(Box::new(value))))
            }
            Some(b'/') => self.parse_pattern(),
            Some(c) if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                let text = self.number_run();
                match Decimal::parse(text) {
                    Some(number) => Ok(Operand::Lit(Literal::Num(number))),
                    None => syntax(format!("Invalid number literal '{text}' in filter")),
                }
            }
            Some(_) => syntax(format!(
                "Unexpected character {} at position {} in filter",
                self.char_here(),
                self.pos
            )),
            None => syntax("Expected a value in filter expression"),
        }
    }

    fn number_run(&mut self) -> &'s str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or_default()
    }

    /// A path inside a filter extends (as in Jayway's `readPath`) to the next
    /// relational-operator character, whitespace or `)` outside brackets; this
    /// implementation also stops at `&` and `|`.
    fn parse_filter_path(&mut self, negated: bool) -> Result<Operand, PathSyntaxError> {
        let start = self.pos;
        self.pos += 1;
        while let Some(c) = self.peek() {
            match c {
                b'[' => self.pos = self.matching_bracket(self.pos)? + 1,
                b')' | b' ' | b'\t' | b'\n' | b'\r' | b'&' | b'|' => break,
                c if is_relational_char(c) => break,
                _ => self.pos += 1,
            }
        }
        let text = self.s.get(start..self.pos).unwrap_or_default();
        let path = parse_path(text, true, self.depth + 1)?;
        Ok(Operand::Path {
            path: Box::new(path),
            negated,
        })
    }

    fn matching_bracket(&self, open: usize) -> Result<usize, PathSyntaxError> {
        let mut depth = 0usize;
        let mut quote: Option<u8> = None;
        let mut i = open;
        while let Some(&c) = self.b.get(i) {
            if let Some(q) = quote {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            } else {
                match c {
                    b'\'' | b'"' => quote = Some(c),
                    b'[' => depth += 1,
                    b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return Ok(i);
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        syntax("Square brackets does not match in filter")
    }

    /// A JSON literal in a filter; like Jayway's permissive parser it also
    /// accepts single-quoted strings.
    fn parse_json(&mut self, depth: usize) -> Result<Value, PathSyntaxError> {
        if self.depth + depth > MAX_NESTING {
            return syntax(format!(
                "JSON literal is nested too deeply (more than {MAX_NESTING} levels)"
            ));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.parse_json(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return syntax("Expected ',' or ']' in JSON array literal"),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut map = Map::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                loop {
                    self.skip_ws();
                    let key = match self.peek() {
                        Some(q @ (b'\'' | b'"')) => {
                            self.pos += 1;
                            self.read_quoted(char::from(q), "Unterminated string in JSON literal:")?
                        }
                        _ => return syntax("Expected a quoted key in JSON object literal"),
                    };
                    self.skip_ws();
                    self.expect(b':', "':' in JSON object literal")?;
                    let value = self.parse_json(depth + 1)?;
                    map.insert(key, value);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::Object(map));
                        }
                        _ => return syntax("Expected ',' or '}' in JSON object literal"),
                    }
                }
            }
            Some(q @ (b'\'' | b'"')) => {
                self.pos += 1;
                let text =
                    self.read_quoted(char::from(q), "Unterminated string in JSON literal:")?;
                Ok(Value::String(text))
            }
            Some(b't' | b'f' | b'n') => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(value);
                    }
                }
                syntax("Invalid literal in JSON literal")
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let text = self.number_run();
                match text.parse::<Number>() {
                    Ok(number) => Ok(Value::Number(number)),
                    Err(_) => syntax(format!("Invalid number '{text}' in JSON literal")),
                }
            }
            _ => syntax(format!(
                "Unexpected character {} in JSON literal at position {}",
                self.char_here(),
                self.pos
            )),
        }
    }

    /// `/pattern/flags`, positioned at the first `/`.
    fn parse_pattern(&mut self) -> Result<Operand, PathSyntaxError> {
        self.pos += 1;
        let rest = self.s.get(self.pos..).unwrap_or_default();
        let mut source = String::new();
        let mut end = None;
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, '/')) => source.push('/'),
                    Some((_, other)) => {
                        source.push('\\');
                        source.push(other);
                    }
                    None => break,
                },
                '/' => {
                    end = Some(i);
                    break;
                }
                other => source.push(other),
            }
        }
        let Some(end) = end else {
            return syntax("Pattern not closed. Expected / in filter");
        };
        self.pos += end + 1;
        let flags_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        let flags = self.s.get(flags_start..self.pos).unwrap_or_default();
        let pattern = Pattern::new(source, flags)?;
        Ok(Operand::Lit(Literal::Pattern(Box::new(pattern))))
    }
}

fn read_hex4(chars: &mut std::str::CharIndices<'_>) -> Result<u32, PathSyntaxError> {
    let mut code = 0u32;
    for _ in 0..4 {
        let digit = chars.next().and_then(|(_, c)| c.to_digit(16)).map_or_else(
            || syntax("Invalid unicode escape: expected 4 hex digits"),
            Ok,
        )?;
        code = code * 16 + digit;
    }
    Ok(code)
}

impl Pattern {
    fn new(source: String, flags: &str) -> Result<Pattern, PathSyntaxError> {
        let mut inline = String::new();
        for flag in flags.chars() {
            match flag {
                // Java CASE_INSENSITIVE, MULTILINE, DOTALL, COMMENTS.
                'i' | 'm' | 's' | 'x' => {
                    if !inline.contains(flag) {
                        inline.push(flag);
                    }
                }
                // UNICODE_CASE, UNICODE_CHARACTER_CLASS, UNIX_LINES: Rust's
                // regex is Unicode-aware already.
                'u' | 'U' | 'd' => {}
                other => return syntax(format!("Unsupported regular expression flag '{other}'")),
            }
        }
        // `Matcher.matches()` semantics: the whole input must match.
        let newline = if inline.contains('x') { "\n" } else { "" };
        let full = if inline.is_empty() {
            format!(r"\A(?:{source})\z")
        } else {
            format!(r"(?{inline})\A(?:{source}{newline})\z")
        };
        match Regex::new(&full) {
            Ok(re) => Ok(Pattern {
                source,
                flags: flags.to_string(),
                re,
            }),
            Err(e) => syntax(format!("Invalid regular expression /{source}/: {e}")),
        }
    }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

enum Hit<'a> {
    Ref(&'a Value),
    Owned(Value),
}

impl Hit<'_> {
    fn into_value(self) -> Value {
        match self {
            Hit::Ref(value) => value.clone(),
            Hit::Owned(value) => value,
        }
    }
}

/// Jayway's two exception types: `PathNotFoundException` (caught by array
/// wildcards and turned into "undefined" inside filters) and
/// `InvalidPathException` (makes the whole filter false).
enum Fail {
    NotFound(String),
    Invalid(String),
}

impl Fail {
    fn into_message(self) -> String {
        match self {
            Fail::NotFound(m) | Fail::Invalid(m) => m,
        }
    }
}

enum Seg {
    Key(String),
    Index(i64),
}

#[derive(Clone, Copy)]
struct Work<'a> {
    node: &'a Value,
    /// Step to apply (for a walk: the target step of the `..`).
    step: usize,
    /// A `..` walk item instead of a step evaluation.
    walk: bool,
    /// Trace node (only meaningful while tracing).
    trace: usize,
    /// Stack height to unwind to when a `NotFound` failure is swallowed by the
    /// enclosing array wildcard, or `NO_CATCH`.
    catch: usize,
}

struct Evaluator<'p, 'a> {
    path: &'p Path,
    doc: &'a Value,
    /// Jayway's `REQUIRE_PROPERTIES` option (used for filter existence tests).
    require: bool,
    tracing: bool,
    trace: Vec<(usize, Seg)>,
}

impl<'p, 'a> Evaluator<'p, 'a> {
    fn new(path: &'p Path, doc: &'a Value, require: bool, tracing: bool) -> Self {
        Evaluator {
            path,
            doc,
            require,
            tracing,
            trace: vec![(0, Seg::Index(0))],
        }
    }

    fn run(&mut self, start: &'a Value) -> Result<Vec<Hit<'a>>, Fail> {
        let mut out = Vec::new();
        let mut stack = vec![Work {
            node: start,
            step: 0,
            walk: false,
            trace: 0,
            catch: NO_CATCH,
        }];
        while let Some(work) = stack.pop() {
            let result = if work.walk {
                self.walk(work, &mut stack);
                Ok(())
            } else {
                self.step(work, &mut stack, &mut out)
            };
            match result {
                Ok(()) => {}
                Err(Fail::NotFound(_)) if work.catch != NO_CATCH => stack.truncate(work.catch),
                Err(fail) => return Err(fail),
            }
        }
        Ok(out)
    }

    fn child(&mut self, parent: usize, seg: impl FnOnce() -> Seg) -> usize {
        if self.tracing {
            self.trace.push((parent, seg()));
            self.trace.len() - 1
        } else {
            0
        }
    }

    /// Jayway's `currentPath` of a node: raw names, indexes as iterated.
    fn current(&self, trace: usize) -> String {
        let mut segs = Vec::new();
        let mut i = trace;
        while i != 0 {
            let Some((parent, seg)) = self.trace.get(i) else {
                break;
            };
            segs.push(seg);
            i = *parent;
        }
        let mut out = String::new();
        out.push(self.path.root_char());
        for seg in segs.iter().rev() {
            match seg {
                Seg::Key(k) => {
                    out.push_str("['");
                    out.push_str(k);
                    out.push_str("']");
                }
                Seg::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }

    /// Builds a failure message only when tracing (messages can be costly).
    fn message(&self, build: impl FnOnce() -> String) -> String {
        if self.tracing {
            build()
        } else {
            String::new()
        }
    }

    fn step(
        &mut self,
        work: Work<'a>,
        stack: &mut Vec<Work<'a>>,
        out: &mut Vec<Hit<'a>>,
    ) -> Result<(), Fail> {
        let path = self.path;
        let i = work.step;
        let Some(step) = path.steps.get(i) else {
            out.push(Hit::Ref(work.node));
            return Ok(());
        };
        let leaf = i + 1 == path.steps.len();
        let upstream_definite = i <= path.first_indefinite;
        let node = work.node;
        let push = |stack: &mut Vec<Work<'a>>, node: &'a Value, trace: usize| {
            stack.push(Work {
                node,
                step: i + 1,
                walk: false,
                trace,
                catch: work.catch,
            });
        };
        match step {
            Step::Name { .. } | Step::Names { .. } if !node.is_object() => {
                if upstream_definite {
                    return Err(Fail::NotFound(self.message(|| {
                        let mut fragment = String::new();
                        write_fragment(step, &mut fragment);
                        expected_object_message(&fragment, &self.current(work.trace), node)
                    })));
                }
            }
            Step::Name { name, .. } => {
                let map = node.as_object();
                match map.and_then(|m| m.get(&**name)) {
                    Some(value) => {
                        let trace = self.child(work.trace, || Seg::Key(name.to_string()));
                        push(stack, value, trace);
                    }
                    None if leaf => {
                        if self.require {
                            return Err(Fail::NotFound(self.message(|| {
                                format!(
                                    "No results for path: {}['{name}']",
                                    self.current(work.trace)
                                )
                            })));
                        }
                    }
                    None => {
                        if upstream_definite || self.require {
                            return Err(Fail::NotFound(self.message(|| {
                                format!(
                                    "Missing property in path {}['{name}']",
                                    self.current(work.trace)
                                )
                            })));
                        }
                    }
                }
            }
            Step::Names { names, .. } => {
                let Some(map) = node.as_object() else {
                    return Ok(());
                };
                if leaf {
                    let mut merged = Map::new();
                    for name in names {
                        match map.get(&**name) {
                            Some(value) => {
                                merged.insert(name.to_string(), value.clone());
                            }
                            None if self.require => {
                                return Err(Fail::NotFound(self.message(|| {
                                    format!(
                                        "Missing property in path {}['{name}']",
                                        self.current(work.trace)
                                    )
                                })));
                            }
                            None => {}
                        }
                    }
                    out.push(Hit::Owned(Value::Object(merged)));
                } else {
                    for name in names.iter().rev() {
                        match map.get(&**name) {
                            Some(value) => {
                                let trace = self.child(work.trace, || Seg::Key(name.to_string()));
                                push(stack, value, trace);
                            }
                            None if self.require => {
                                return Err(Fail::NotFound(self.message(|| {
                                    format!(
                                        "Missing property in path {}['{name}']",
                                        self.current(work.trace)
                                    )
                                })));
                            }
                            None => {}
                        }
                    }
                }
            }
            Step::Index(k) => {
                if let Some(array) = self.array_operand(work, upstream_definite)? {
                    self.push_index(array, i64::from(*k), work, stack);
                }
            }
            Step::Indexes(ks) => {
                if let Some(array) = self.array_operand(work, upstream_definite)? {
                    for k in ks.iter().rev() {
                        self.push_index(array, i64::from(*k), work, stack);
                    }
                }
            }
            Step::Slice { from, to } => {
                if let Some(array) = self.array_operand(work, upstream_definite)? {
                    let range = slice_range(*from, *to, array.len());
                    for k in range.rev() {
                        self.push_index(array, k, work, stack);
                    }
                }
            }
            Step::Wildcard => match node {
                Value::Object(map) => {
                    for (key, value) in map.iter().rev() {
                        let trace = self.child(work.trace, || Seg::Key(key.clone()));
                        push(stack, value, trace);
                    }
                }
                Value::Array(array) => {
                    for (n, value) in array.iter().enumerate().rev() {
                        let trace = self.child(work.trace, || Seg::Index(n as i64));
                        // Jayway catches PathNotFoundException per element
                        // (unless REQUIRE_PROPERTIES is set).
                        let catch = if self.require {
                            work.catch
                        } else {
                            stack.len()
                        };
                        stack.push(Work {
                            node: value,
                            step: i + 1,
                            walk: false,
                            trace,
                            catch,
                        });
                    }
                }
                _ => {
                    if !leaf {
                        return Err(Fail::NotFound(self.message(|| {
                            format!(
                                "Expected to find an object or array in path {} but found '{}'. ",
                                self.current(work.trace),
                                java_class(node)
                            )
                        })));
                    }
                }
            },
            Step::Scan => stack.push(Work {
                walk: true,
                step: i + 1,
                ..work
            }),
            Step::Filter(expr) => match node {
                Value::Object(_) => {
                    if self.accept(expr, node) {
                        push(stack, node, work.trace);
                    }
                }
                Value::Array(array) => {
                    for (n, item) in array.iter().enumerate().rev() {
                        if self.accept(expr, item) {
                            let trace = self.child(work.trace, || Seg::Index(n as i64));
                            push(stack, item, trace);
                        }
                    }
                }
                _ => {
                    if upstream_definite {
                        return Err(Fail::Invalid(self.message(|| {
                            format!(
                                "Filter: {} can not be applied to primitives. Current context is: {}",
                                path.fragments_from(i),
                                java_display(node)
                            )
                        })));
                    }
                }
            },
        }
        Ok(())
    }

    /// Jayway's `checkArrayModel`.
    fn array_operand(
        &self,
        work: Work<'a>,
        upstream_definite: bool,
    ) -> Result<Option<&'a Vec<Value>>, Fail> {
        match work.node {
            Value::Array(array) => Ok(Some(array)),
            _ if !upstream_definite => Ok(None),
            Value::Null => {
                Err(Fail::NotFound(self.message(|| {
                    format!("The path {} is null", self.current(work.trace))
                })))
            }
            other => Err(Fail::NotFound(self.message(|| {
                format!(
                    "Filter: {} can only be applied to arrays. Current context is: {}",
                    self.path.fragments_from(work.step),
                    java_display(other)
                )
            }))),
        }
    }

    /// Jayway's `handleArrayIndex`: negative indexes count from the end; out
    /// of range selects nothing.
    fn push_index(
        &mut self,
        array: &'a [Value],
        k: i64,
        work: Work<'a>,
        stack: &mut Vec<Work<'a>>,
    ) {
        let len = i64::try_from(array.len()).unwrap_or(i64::MAX);
        let effective = if k < 0 { len + k } else { k };
        let Some(value) = usize::try_from(effective).ok().and_then(|e| array.get(e)) else {
            return;
        };
        let trace = self.child(work.trace, || Seg::Index(k));
        stack.push(Work {
            node: value,
            step: work.step + 1,
            walk: false,
            trace,
            catch: work.catch,
        });
    }

    /// One node of Jayway's `ScanPathToken.walk`: evaluate the target step
    /// here if the node qualifies, then walk the children (document order).
    fn walk(&mut self, work: Work<'a>, stack: &mut Vec<Work<'a>>) {
        let path = self.path;
        let target_index = work.step;
        let Some(target) = path.steps.get(target_index) else {
            return;
        };
        let target_leaf = target_index + 1 == path.steps.len();
        match work.node {
            Value::Object(map) => {
                for (key, value) in map.iter().rev() {
                    if value.is_object() || value.is_array() {
                        let trace = self.child(work.trace, || Seg::Key(key.clone()));
                        stack.push(Work {
                            node: value,
                            trace,
                            ..work
                        });
                    }
                }
                if self.scan_matches(target, target_leaf, work.node) {
                    stack.push(Work {
                        walk: false,
                        ..work
                    });
                }
            }
            Value::Array(array) => {
                for (n, value) in array.iter().enumerate().rev() {
                    if value.is_object() || value.is_array() {
                        let trace = self.child(work.trace, || Seg::Index(n as i64));
                        stack.push(Work {
                            node: value,
                            trace,
                            ..work
                        });
                    }
                }
                if self.scan_matches(target, target_leaf, work.node) {
                    if target_leaf {
                        stack.push(Work {
                            walk: false,
                            ..work
                        });
                    } else {
                        // Jayway quirk kept on purpose: for an array that
                        // matches a non-leaf target, the step *after* the
                        // target is applied to every element.
                        for (n, value) in array.iter().enumerate().rev() {
                            let trace = self.child(work.trace, || Seg::Index(n as i64));
                            stack.push(Work {
                                node: value,
                                step: target_index + 1,
                                walk: false,
                                trace,
                                catch: work.catch,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Jayway's scan predicates.
    fn scan_matches(&self, target: &Step, target_leaf: bool, node: &Value) -> bool {
        match target {
            Step::Name { name, .. } => node.as_object().is_some_and(|m| m.contains_key(&**name)),
            Step::Names { names, .. } => node
                .as_object()
                .is_some_and(|m| !target_leaf || names.iter().all(|n| m.contains_key(&**n))),
            Step::Index(_) | Step::Indexes(_) | Step::Slice { .. } => node.is_array(),
            Step::Wildcard => true,
            Step::Filter(expr) => self.accept(expr, node),
            Step::Scan => false,
        }
    }

    fn accept(&self, expr: &Expr, item: &Value) -> bool {
        eval_expr(expr, item, self.doc).unwrap_or(false)
    }
}

/// The indexes a slice visits, as Jayway's `ArrayPathToken.slice*` computes
/// them (before negative indexes are resolved by `handleArrayIndex`); indexes
/// that would resolve below zero are skipped up front.
fn slice_range(from: Option<i32>, to: Option<i32>, len: usize) -> std::ops::Range<i64> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let empty = 0..0;
    match (from, to) {
        (Some(from), None) => {
            let mut from = i64::from(from);
            if from < 0 {
                from += len;
            }
            let from = from.max(0);
            if len == 0 || from >= len {
                empty
            } else {
                from..len
            }
        }
        (Some(from), Some(to)) => {
            let from = i64::from(from);
            let to = i64::from(to).min(len);
            if from >= to || len == 0 {
                empty
            } else {
                from.max(-len)..to
            }
        }
        (None, Some(to)) => {
            if len == 0 {
                return empty;
            }
            let mut to = i64::from(to);
            if to < 0 {
                to += len;
            }
            0..to.min(len).max(0)
        }
        (None, None) => empty,
    }
}

fn expected_object_message(fragment: &str, current: &str, node: &Value) -> String {
    format!(
        "Expected to find an object with property {fragment} in path {current} but found '{}'. This is not a json object according to the JsonProvider: '{JSON_PROVIDER}'.",
        java_class(node)
    )
}

// ---------------------------------------------------------------------------
// Filter evaluation
// ---------------------------------------------------------------------------

/// A filter operand after evaluation (Jayway's `ValueNode`s).
enum Val<'x> {
    Undefined,
    Null,
    Bool(bool),
    Num(Cow<'x, Decimal>),
    Str(Cow<'x, str>),
    Json(Cow<'x, Value>),
    Pattern(&'x Pattern),
}

impl<'x> Val<'x> {
    fn from_ref(value: &'x Value) -> Val<'x> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(Cow::Owned(Decimal::from_number(n))),
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Val::Json(Cow::Borrowed(value)),
        }
    }

    fn from_owned(value: Value) -> Val<'x> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(Cow::Owned(Decimal::from_number(&n))),
            Value::String(s) => Val::Str(Cow::Owned(s)),
            other => Val::Json(Cow::Owned(other)),
        }
    }

    fn from_literal(literal: &'x Literal) -> Val<'x> {
        match literal {
            Literal::Null => Val::Null,
            Literal::Bool(b) => Val::Bool(*b),
            Literal::Num(d) => Val::Num(Cow::Borrowed(d)),
            Literal::Str(s) => Val::Str(Cow::Borrowed(s)),
            Literal::Json(v) => Val::Json(Cow::Borrowed(v)),
            Literal::Pattern(p) => Val::Pattern(p),
        }
    }
}

/// `Err(())` stands for Jayway's `InvalidPathException`, which makes the
/// whole filter reject the item.
fn eval_expr(expr: &Expr, item: &Value, doc: &Value) -> Result<bool, ()> {
    match expr {
        Expr::Or(parts) => {
            for part in parts {
                if eval_expr(part, item, doc)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::And(parts) => {
            for part in parts {
                if !eval_expr(part, item, doc)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Not(inner) => Ok(!eval_expr(inner, item, doc)?),
        Expr::Exists { path, negated } => {
            let start = if path.root == Root::Current {
                item
            } else {
                doc
            };
            let found = if path.simple {
                path.walk_simple(start).is_some()
            } else {
                // Jayway evaluates existence tests with REQUIRE_PROPERTIES.
                match Evaluator::new(path, doc, true, false).run(start) {
                    Ok(hits) => !path.definite || !hits.is_empty(),
                    Err(Fail::NotFound(_)) => false,
                    Err(Fail::Invalid(_)) => return Err(()),
                }
            };
            Ok(found != *negated)
        }
        Expr::Cmp { left, op, right } => {
            let l = operand(left, item, doc)?;
            let r = operand(right, item, doc)?;
            compare(*op, &l, &r)
        }
    }
}

fn operand<'x>(operand: &'x Operand, item: &'x Value, doc: &'x Value) -> Result<Val<'x>, ()> {
    match operand {
        Operand::Lit(literal) => Ok(Val::from_literal(literal)),
        Operand::Path { path, .. } => {
            let start = if path.root == Root::Current {
                item
            } else {
                doc
            };
            if path.simple {
                return Ok(path
                    .walk_simple(start)
                    .map_or(Val::Undefined, Val::from_ref));
            }
            match Evaluator::new(path, doc, false, false).run(start) {
                Ok(hits) if path.definite => Ok(match hits.into_iter().next() {
                    Some(Hit::Ref(value)) => Val::from_ref(value),
                    Some(Hit::Owned(value)) => Val::from_owned(value),
                    None => Val::Undefined,
                }),
                Ok(hits) => Ok(Val::Json(Cow::Owned(Value::Array(
                    hits.into_iter().map(Hit::into_value).collect(),
                )))),
                Err(Fail::NotFound(_)) => Ok(Val::Undefined),
                Err(Fail::Invalid(_)) => Err(()),
            }
        }
    }
}

/// Jayway's `ValueNode.equals` with `left` as the receiver: numbers compare
/// numerically, a number equals a string holding the same number (and a
/// string equals a number printed the same way), JSON compares structurally,
/// "undefined" equals nothing.
fn val_eq(left: &Val<'_>, right: &Val<'_>) -> bool {
    match (left, right) {
        (Val::Json(a), Val::Json(b)) => json_eq(a, b),
        (Val::Num(a), Val::Num(b)) => a.cmp_value(b) == Ordering::Equal,
        (Val::Num(a), Val::Str(b)) => {
            Decimal::parse(b).is_some_and(|b| a.cmp_value(&b) == Ordering::Equal)
        }
        (Val::Str(a), Val::Str(b)) => a == b,
        (Val::Str(a), Val::Num(b)) => **a == b.java_string(),
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Null, Val::Null) => true,
        (Val::Pattern(a), Val::Pattern(b)) => a == b,
        _ => false,
    }
}

fn same_kind(left: &Val<'_>, right: &Val<'_>) -> bool {
    std::mem::discriminant(left) == std::mem::discriminant(right)
}

/// Numbers numerically, strings like Java's `String.compareTo` (UTF-16 code
/// units); anything else is unordered (the comparison is false).
fn ordering(left: &Val<'_>, right: &Val<'_>) -> Option<Ordering> {
    match (left, right) {
        (Val::Num(a), Val::Num(b)) => Some(a.cmp_value(b)),
        (Val::Str(a), Val::Str(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        _ => None,
    }
}

/// Jayway's conversion of an operand to a value list: `Ok(None)` when it is
/// JSON but not an array (the operator is false), `Err` when it is not JSON.
fn value_list<'v>(val: &'v Val<'_>) -> Result<Option<&'v [Value]>, ()> {
    match val {
        Val::Json(json) => Ok(json.as_array().map(Vec::as_slice)),
        _ => Err(()),
    }
}

fn list_contains(list: &[Value], needle: &Val<'_>) -> bool {
    list.iter().any(|e| val_eq(needle, &Val::from_ref(e)))
}

fn compare(op: Op, l: &Val<'_>, r: &Val<'_>) -> Result<bool, ()> {
    Ok(match op {
        Op::Eq => val_eq(l, r),
        Op::Ne => !val_eq(l, r),
        Op::TsEq => same_kind(l, r) && val_eq(l, r),
        Op::TsNe => !(same_kind(l, r) && val_eq(l, r)),
        Op::Lt => ordering(l, r) == Some(Ordering::Less),
        Op::Le => matches!(ordering(l, r), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ordering(l, r) == Some(Ordering::Greater),
        Op::Ge => matches!(ordering(l, r), Some(Ordering::Greater | Ordering::Equal)),
        Op::Match => match (l, r) {
            (Val::Pattern(_), Val::Pattern(_)) => false,
            (Val::Pattern(p), other) | (other, Val::Pattern(p)) => {
                p.re.is_match(&regex_input(other))
            }
            _ => false,
        },
        Op::In | Op::Nin => {
            let found = match value_list(r)? {
                Some(list) => list_contains(list, l),
                None => false,
            };
            found == (op == Op::In)
        }
        Op::SubsetOf | Op::AnyOf | Op::NoneOf => {
            let (Some(right), Some(left)) = (value_list(r)?, value_list(l)?) else {
                return Ok(false);
            };
            match op {
                Op::SubsetOf => left.iter().all(|e| list_contains(right, &Val::from_ref(e))),
                Op::AnyOf => left.iter().any(|e| list_contains(right, &Val::from_ref(e))),
                _ => !left.iter().any(|e| list_contains(right, &Val::from_ref(e))),
            }
        }
        Op::Contains => match (l, r) {
            (Val::Str(a), Val::Str(b)) => a.contains(&**b),
            (Val::Json(json), _) => json
                .as_array()
                .is_some_and(|list| list.iter().any(|e| val_eq(r, &Val::from_ref(e)))),
            _ => false,
        },
        Op::Size => {
            let Val::Num(expected) = r else {
                return Ok(false);
            };
            let Some(expected) = expected.int_value() else {
                return Ok(false);
            };
            match l {
                Val::Str(s) => i64::try_from(s.encode_utf16().count()).ok() == Some(expected),
                Val::Json(json) => {
                    let len = json
                        .as_array()
                        .map_or(-1, |a| i64::try_from(a.len()).unwrap_or(i64::MAX));
                    len == expected
                }
                _ => false,
            }
        }
        Op::Empty => {
            let empty = match l {
                Val::Str(s) => s.is_empty(),
                Val::Json(json) => match &**json {
                    Value::Array(a) => a.is_empty(),
                    Value::Object(m) => m.is_empty(),
                    _ => true,
                },
                _ => return Ok(false),
            };
            let Val::Bool(expected) = r else {
                return Err(());
            };
            empty == *expected
        }
    })
}

/// Jayway feeds the regex the string itself, a number's `BigDecimal` text,
/// `true`/`false`, or "" for anything else (so a missing value is matched
/// against the empty string).
fn regex_input<'v>(val: &'v Val<'_>) -> Cow<'v, str> {
    match val {
        Val::Str(s) => Cow::Borrowed(&**s),
        Val::Num(d) => Cow::Owned(d.java_string()),
        Val::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        _ => Cow::Borrowed(""),
    }
}

/// Structural JSON equality without recursion (objects ignore key order,
/// numbers compare as serde_json numbers, like Java's `Map`/`List` equals).
fn json_eq(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((x, y)) = pending.pop() {
        match (x, y) {
            (Value::Array(p), Value::Array(q)) => {
                if p.len() != q.len() {
                    return false;
                }
                pending.extend(p.iter().zip(q.iter()));
            }
            (Value::Object(p), Value::Object(q)) => {
                if p.len() != q.len() {
                    return false;
                }
                for (key, value) in p {
                    match q.get(key) {
                        Some(other) => pending.push((value, other)),
                        None => return false,
                    }
                }
            }
            (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
                return false
            }
            _ => {
                if x != y {
                    return false;
                }
            }
        }
    }
    true
}

// ---------------------------------------------------------------------------
// Java renderings (used in Jayway's messages and number handling)
// ---------------------------------------------------------------------------

/// The Java class Jackson maps a JSON value to (`'null'` for null), as shown
/// in Jayway's "Expected to find an object ..." message.
fn java_class(value: &Value) -> &'static str {
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
fn java_display(value: &Value) -> String {
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
    fn parse(text: &str) -> Option<Decimal> {
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
    fn from_number(n: &Number) -> Decimal {
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
    fn cmp_value(&self, other: &Decimal) -> Ordering {
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
    fn java_string(&self) -> String {
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
    fn int_value(&self) -> Option<i64> {
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

    fn p(text: &str) -> Path {
        match Path::parse(text) {
            Ok(path) => path,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn sel(text: &str, doc: &Value) -> Value {
        match p(text).select(doc) {
            Ok(v) => v.into_owned(),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn err(text: &str, doc: &Value) -> String {
        match p(text).select(doc) {
            Ok(v) => panic!("{text}: expected an error, got {v}"),
            Err(e) => e.message,
        }
    }

    fn syntax_err(text: &str) -> String {
        match Path::parse(text) {
            Ok(path) => panic!("{text}: expected a syntax error, got {path:?}"),
            Err(e) => e.message,
        }
    }

    fn canon(text: &str) -> String {
        p(text).canonical()
    }

    /// Dismantles a deep value without recursion (serde_json's drop recurses).
    fn drop_deep(value: Value) {
        let mut pending = vec![value];
        while let Some(v) = pending.pop() {
            match v {
                Value::Array(items) => pending.extend(items),
                Value::Object(map) => pending.extend(map.into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }

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

    // -- syntax ---------------------------------------------------------

    #[test]
    fn root_and_flags() {
        let root = p("$");
        assert!(root.is_root() && root.is_definite() && root.is_reference());
        assert_eq!(root.canonical(), "$");
        assert_eq!(root.text(), "$");
        let doc = json!({"x": [1]});
        assert!(matches!(root.select(&doc), Ok(Cow::Borrowed(v)) if *v == doc));
        assert_eq!(sel("$", &json!("str")), json!("str"));
        assert_eq!(sel("$", &Value::Null), Value::Null);

        let cases: &[(&str, bool, bool)] = &[
            // text, definite, reference
            ("$.a", true, true),
            ("$['a']", true, true),
            ("$[\"a\"]", true, true),
            ("$.a[0].b", true, true),
            ("$.a[-1]", true, false),
            ("$['a','b']", true, false),
            ("$['a','b'].c", false, false),
            ("$.a[0,1]", false, false),
            ("$.a[1:2]", false, false),
            ("$.*", false, false),
            ("$[*]", false, false),
            ("$..a", false, false),
            ("$.a[?(@.b)]", false, false),
        ];
        for (text, definite, reference) in cases {
            let path = p(text);
            assert_eq!(path.is_definite(), *definite, "{text} definite");
            assert_eq!(path.is_reference(), *reference, "{text} reference");
            assert!(!path.is_root());
            assert_eq!(path.text(), *text);
            assert_eq!(path.to_string(), *text);
        }
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("$.a.b"), "$['a']['b']");
        assert_eq!(canon("$.a[0].b"), "$['a'][0]['b']");
        assert_eq!(canon("$[\"a\"]"), "$[\"a\"]");
        assert_eq!(canon("$['a', 'b']"), "$['a','b']");
        assert_eq!(canon("$[ 0 , 2 ]"), "$[0,2]");
        assert_eq!(canon("$[-1]"), "$[-1]");
        assert_eq!(canon("$[1:3]"), "$[1:3]");
        assert_eq!(canon("$[:3]"), "$[:3]");
        assert_eq!(canon("$[-3:]"), "$[-3:]");
        assert_eq!(canon("$.*"), "$[*]");
        assert_eq!(canon("$[ * ]"), "$[*]");
        assert_eq!(canon("$..b"), "$..['b']");
        assert_eq!(canon("$..*"), "$..[*]");
        assert_eq!(canon("$..[0]"), "$..[0]");
        assert_eq!(canon("$.a[?(@.b > 1)].c"), "$['a'][?]['c']");
        assert_eq!(canon("$['it\\'s']"), "$['it\\'s']");
        assert_eq!(canon("$['back\\\\slash']"), "$['back\\\\slash']");
        assert_eq!(canon("$.a "), "$['a']");
    }

    #[test]
    fn dot_names_follow_jayway() {
        let doc =
            json!({"a-b": 1, "$x": 2, "@y": 3, "café": 4, "ключ": {"z": 5}, "a*b": 6, "x]": 7});
        assert_eq!(sel("$.a-b", &doc), json!(1));
        assert_eq!(sel("$.$x", &doc), json!(2));
        assert_eq!(sel("$.@y", &doc), json!(3));
        assert_eq!(sel("$.café", &doc), json!(4));
        assert_eq!(sel("$.ключ.z", &doc), json!(5));
        assert_eq!(sel("$.a*b", &doc), json!(6));
        assert_eq!(sel("$.x]", &doc), json!(7));
    }

    #[test]
    fn bracket_names_and_escapes() {
        let doc = json!({"it's": 1, "say \"hi\"": 2, "back\\slash": 3, "a.b": 4, "": 5, "tab\there": 6, "é": 7});
        assert_eq!(sel("$['it\\'s']", &doc), json!(1));
        assert_eq!(sel("$[\"it's\"]", &doc), json!(1));
        assert_eq!(sel("$[\"say \\\"hi\\\"\"]", &doc), json!(2));
        assert_eq!(sel("$['back\\\\slash']", &doc), json!(3));
        assert_eq!(sel("$['a.b']", &doc), json!(4));
        assert_eq!(sel("$['']", &doc), json!(5));
        assert_eq!(sel("$['tab\\there']", &doc), json!(6));
        assert_eq!(sel("$['\\u00e9']", &doc), json!(7));
        assert_eq!(sel("$[ 'a.b' ]", &doc), json!(4));
    }

    #[test]
    fn syntax_errors() {
        let bad = [
            "",
            "a",
            " $.a",
            "$$",
            "$a",
            "$.",
            "$.a.",
            "$..",
            "$.a..",
            "$...a",
            "$.a b",
            "$[",
            "$['a'",
            "$['a]",
            "$['a' 'b']",
            "$['a',]",
            "$['a',\"b\"]",
            "$[a]",
            "$[0",
            "$[1:2:x]",
            "$[:]",
            "$[::2]",
            "$[x]",
            "$[0 1]",
            "$[99999999999]",
            "$[-]",
            "$[*",
            "$[* 1]",
            "$['a']b",
            "$.*a",
            "$.length()",
            "$[?(@.a)",
            "$[?(@.a]",
            "$[?@.a]",
            "$[?()]",
            "$[?(@.a ==)]",
            "$[?(@.a == 'x)]",
            "$[?(@.a foo 1)]",
            "$[?(@.a <> 1)]",
            "$[?(1)]",
            "$[?(@.a =~ /abc)]",
            "$[?(@.a =~ /(?<=a)b/)]",
            "$[?(@.a =~ /a/q)]",
            "$[?(@.a in [1,)]",
            "$[?(@.a == tru)]",
            "$[?(@.a == 1.2.3)]",
            "$[?(@.a[0 == 1)]",
            "$[?(!1)]",
            "@.a",
        ];
        for text in bad {
            let message = syntax_err(text);
            assert!(!message.is_empty(), "{text}");
        }
        assert_eq!(syntax_err(""), "Path must not be empty");
        assert_eq!(syntax_err("a.b"), "Path must start with '$'");
        assert_eq!(syntax_err("$.a."), "Path must not end with a '.' or '..'");
        assert_eq!(syntax_err("$.a.."), "Path must not end with a '.' or '..'");
        assert_eq!(
            syntax_err("$x"),
            "Illegal character at position 1 expected '.' or '['"
        );
        assert_eq!(
            syntax_err("$...a"),
            "Character '.' on position 3 is not valid."
        );
    }

    #[test]
    fn deep_filter_nesting_is_rejected_not_overflowing() {
        let text = format!("$[?({}@.a{})]", "(".repeat(500), ")".repeat(500));
        assert!(syntax_err(&text).contains("nested too deeply"));
        let text = format!("$[?({}@.a)]", "!".repeat(500));
        assert!(syntax_err(&text).contains("nested too deeply"));
        let mut text = "@.a".to_string();
        for _ in 0..200 {
            text = format!("@[?({text})]");
        }
        assert!(syntax_err(&format!("$[?({text})]")).contains("nested too deeply"));
        let text = format!("$[?(@.a in {}1{})]", "[".repeat(500), "]".repeat(500));
        assert!(syntax_err(&text).contains("nested too deeply"));
        // Moderate nesting is fine.
        let text = format!("$[?({}@.a{})]", "(".repeat(10), ")".repeat(10));
        assert_eq!(sel(&text, &json!([{"a": 1}, {}])), json!([{"a": 1}]));
    }

    // -- runtime errors (docs/semantics/data-flow.md §2.5) --------------------------------

    #[test]
    fn missing_leaf_is_no_results_for_whole_path() {
        assert_eq!(
            err("$.NoSuchInputPath", &json!({"a": 1})),
            "No results for path: $['NoSuchInputPath']"
        );
        assert_eq!(
            err("$.a.b", &json!({"a": {}})),
            "No results for path: $['a']['b']"
        );
        assert_eq!(
            err("$['a'][\"b\"]", &json!({"a": {}})),
            "No results for path: $['a'][\"b\"]"
        );
    }

    #[test]
    fn missing_intermediate_is_missing_property() {
        assert_eq!(
            err("$.no.such.result.path", &json!({})),
            "Missing property in path $['no']"
        );
        assert_eq!(
            err("$.a.no.c", &json!({"a": {}})),
            "Missing property in path $['a']['no']"
        );
        assert_eq!(
            err("$.a[0].missing.x", &json!({"a": [{}]})),
            "Missing property in path $['a'][0]['missing']"
        );
        // Jayway prints the raw name here (no escaping).
        assert_eq!(
            err("$['it\\'s'].x", &json!({})),
            "Missing property in path $['it's']"
        );
    }

    #[test]
    fn property_on_non_object() {
        let tail = "This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.";
        let cases = [
            (json!({"a": 5}), "java.lang.Integer"),
            (json!({"a": 5_000_000_000_i64}), "java.lang.Long"),
            (json!({"a": u64::MAX}), "java.math.BigInteger"),
            (json!({"a": 1.5}), "java.lang.Double"),
            (json!({"a": "s"}), "java.lang.String"),
            (json!({"a": true}), "java.lang.Boolean"),
            (json!({"a": [1]}), "java.util.ArrayList"),
            (json!({"a": null}), "null"),
        ];
        for (doc, class) in cases {
            assert_eq!(
                err("$.a.b", &doc),
                format!("Expected to find an object with property ['b'] in path $['a'] but found '{class}'. {tail}")
            );
        }
        assert_eq!(
            err("$.x", &json!([1])),
            format!("Expected to find an object with property ['x'] in path $ but found 'java.util.ArrayList'. {tail}")
        );
        assert_eq!(
            err("$.a['x','y']", &json!({"a": 1})),
            format!("Expected to find an object with property ['x','y'] in path $['a'] but found 'java.lang.Integer'. {tail}")
        );
    }

    #[test]
    fn index_errors() {
        let doc =
            json!({"a": [1, 2], "o": {"x": 1.5, "y": 1e10, "z": [true, null, "s"]}, "n": null});
        assert_eq!(err("$.a[5]", &doc), "No results for path: $['a'][5]");
        assert_eq!(err("$.a[-3]", &doc), "No results for path: $['a'][-3]");
        assert_eq!(err("$.a[5].b", &doc), "No results for path: $['a'][5]['b']");
        assert_eq!(
            err("$.o[0].b", &doc),
            "Filter: [0]['b'] can only be applied to arrays. Current context is: {x=1.5, y=1.0E10, z=[true, null, s]}"
        );
        assert_eq!(err("$.n[0]", &doc), "The path $['n'] is null");
        // Indefinite steps after a definite prefix fail the same way.
        assert_eq!(err("$.n[1:]", &doc), "The path $['n'] is null");
    }

    #[test]
    fn indefinite_paths_fail_only_in_their_definite_prefix() {
        let doc = json!({"items": [{"id": 1}, {"no": 2}, 3, {"id": 4}]});
        assert_eq!(sel("$.items[*].id", &doc), json!([1, 4]));
        assert_eq!(
            err("$.missing[*].id", &doc),
            "Missing property in path $['missing']"
        );
        assert_eq!(sel("$..nothing", &doc), json!([]));
        assert_eq!(sel("$.items[7:9]", &doc), json!([]));
        assert_eq!(sel("$.items[?(@.zzz)]", &doc), json!([]));
        assert_eq!(
            err("$.items[0].id[?(@.x)]", &doc),
            "Filter: [?] can not be applied to primitives. Current context is: 1"
        );
        // Jayway: a non-final wildcard on a scalar fails...
        assert_eq!(
            err("$.items[2][*].x", &doc),
            "Expected to find an object or array in path $['items'][2] but found 'java.lang.Integer'. "
        );
        assert_eq!(
            err("$.*[*].x", &json!({"a": 1})),
            "Expected to find an object or array in path $['a'] but found 'java.lang.Integer'. "
        );
        // ...unless an enclosing array wildcard swallows it.
        assert_eq!(
            sel("$[*][*].x", &json!([1, [{"x": 2}], {"k": {"x": 3}}])),
            json!([2, 3])
        );
        // A final wildcard on a scalar just selects nothing.
        assert_eq!(sel("$.items[0].id[*]", &doc), json!([]));
    }

    #[test]
    fn definite_select_borrows() {
        let doc = json!({"a": [{"b": "x"}]});
        let path = p("$.a[0].b");
        assert!(matches!(path.select(&doc), Ok(Cow::Borrowed(v)) if v == "x"));
        assert!(matches!(p("$.a[-1]").select(&doc), Ok(Cow::Borrowed(_))));
    }

    // -- selection ------------------------------------------------------

    #[test]
    fn indexes_unions_and_slices() {
        let doc = json!({"a": [0, 1, 2, 3, 4]});
        assert_eq!(sel("$.a[0]", &doc), json!(0));
        assert_eq!(sel("$.a[-1]", &doc), json!(4));
        assert_eq!(sel("$.a[-5]", &doc), json!(0));
        assert_eq!(sel("$.a[4,0,9,-1]", &doc), json!([4, 0, 4]));
        assert_eq!(sel("$.a[1:3]", &doc), json!([1, 2]));
        assert_eq!(sel("$.a[:2]", &doc), json!([0, 1]));
        assert_eq!(sel("$.a[3:]", &doc), json!([3, 4]));
        assert_eq!(sel("$.a[-2:]", &doc), json!([3, 4]));
        assert_eq!(sel("$.a[-9:]", &doc), json!([0, 1, 2, 3, 4]));
        assert_eq!(sel("$.a[:-2]", &doc), json!([0, 1, 2]));
        assert_eq!(sel("$.a[-3:-1]", &doc), json!([2, 3]));
        assert_eq!(sel("$.a[1:100]", &doc), json!([1, 2, 3, 4]));
        assert_eq!(sel("$.a[3:1]", &doc), json!([]));
        assert_eq!(
            sel("$.a[-2147483648:2]", &doc),
            json!([0, 1, 2, 3, 4, 0, 1])
        );
        // Jayway ignores a slice step.
        assert_eq!(sel("$.a[0:4:2]", &doc), json!([0, 1, 2, 3]));
        assert_eq!(sel("$.a[ 1 : 3 ]", &doc), json!([1, 2]));
        assert_eq!(sel("$[0:2]", &json!([])), json!([]));
    }

    #[test]
    fn wildcards() {
        let doc = json!({"a": {"x": 1, "y": [2, 3]}, "b": [{"c": 4}, {"c": 5}]});
        assert_eq!(
            sel("$.*", &doc),
            json!([{"x": 1, "y": [2, 3]}, [{"c": 4}, {"c": 5}]])
        );
        assert_eq!(sel("$.a.*", &doc), json!([1, [2, 3]]));
        assert_eq!(sel("$.a[*]", &doc), json!([1, [2, 3]]));
        assert_eq!(sel("$.b[*].c", &doc), json!([4, 5]));
        assert_eq!(sel("$.b.*.c", &doc), json!([4, 5]));
        assert_eq!(sel("$.a.x.*", &doc), json!([]));
        // ResultSelector flatten example: {"flat.$": "$[*][*]"}
        assert_eq!(sel("$[*][*]", &json!([[1], [2, 3]])), json!([1, 2, 3]));
    }

    #[test]
    fn multi_property_brackets() {
        let doc = json!({"a": 1, "b": null, "c": 3, "o": {"a": {"z": 1}, "b": {"z": 2}}});
        // As the last step Jayway merges the members into one object (definite).
        assert_eq!(sel("$['a','b','zz']", &doc), json!({"a": 1, "b": null}));
        assert!(matches!(p("$['a','c']").select(&doc), Ok(Cow::Owned(_))));
        // Elsewhere it iterates (indefinite).
        assert_eq!(sel("$.o['a','b','q'].z", &doc), json!([1, 2]));
        assert_eq!(
            sel("$[*]['a','b']", &json!([{"a": 1, "c": 2}, 3])),
            json!([{"a": 1}])
        );
    }

    #[test]
    fn deep_scan() {
        let doc = json!({
            "store": {
                "book": [
                    {"title": "A", "price": 8, "isbn": "1"},
                    {"title": "B", "price": 12}
                ],
                "bicycle": {"price": 20, "color": "red"}
            },
            "price": 1
        });
        assert_eq!(sel("$..price", &doc), json!([1, 8, 12, 20]));
        assert_eq!(sel("$.store..price", &doc), json!([8, 12, 20]));
        assert_eq!(sel("$..book[0].title", &doc), json!(["A"]));
        assert_eq!(sel("$..book[-1].title", &doc), json!(["B"]));
        assert_eq!(sel("$..[0].title", &doc), json!(["A", "B"]));
        assert_eq!(
            sel("$..['title','price']", &doc),
            json!([{"title": "A", "price": 8}, {"title": "B", "price": 12}])
        );
        assert_eq!(sel("$..book[?(@.isbn)].title", &doc), json!(["A"]));
        assert_eq!(sel("$..[?(@.price > 10)].title", &doc), json!(["B"]));
        assert_eq!(
            sel("$..*", &json!({"a": {"b": [1]}, "c": 2})),
            json!([{"b": [1]}, 2, [1], 1])
        );
        assert_eq!(
            sel("$..[0]", &json!({"a": [[1, 2], [3]]})),
            json!([[1, 2], 1, 3])
        );
        assert_eq!(sel("$..*", &json!(5)), json!([]));
    }

    #[test]
    fn deep_scan_on_10000_levels() {
        let mut doc = json!({"x": "leaf"});
        for i in 0..10_000 {
            // Not `json!`: it would serialize (recursively) the inner value.
            doc = if i % 2 == 0 {
                let mut map = Map::new();
                map.insert("n".to_string(), doc);
                Value::Object(map)
            } else {
                Value::Array(vec![doc])
            };
        }
        assert_eq!(sel("$..x", &doc), json!(["leaf"]));
        assert_eq!(sel("$..[?(@.x == 'leaf')].x", &doc), json!(["leaf"]));
        assert!(p("$..x").exists(&doc));
        assert!(!p("$..nothing[0]")
            .select(&doc)
            .is_ok_and(|v| v.as_array().is_some_and(|a| !a.is_empty())));
        assert_eq!(sel("$..*", &json!([])), json!([]));
        drop_deep(doc);
    }

    // -- filters ----------------------------------------------------------

    fn people() -> Value {
        json!([
            {"name": "ann", "age": 31, "tags": ["a", "b"], "ok": true, "nick": null},
            {"name": "bob", "age": 25.5, "tags": [], "ok": false},
            {"name": "Cy", "age": "40", "tags": ["b"]},
            7,
            "str"
        ])
    }

    fn names(text: &str) -> Value {
        let doc = people();
        let hits = sel(text, &doc);
        Value::Array(
            hits.as_array()
                .map(|a| {
                    a.iter()
                        .map(|h| h.get("name").cloned().unwrap_or_else(|| h.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    #[test]
    fn filter_comparisons() {
        assert_eq!(names("$[?(@.age > 30)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.age >= 25.5)]"), json!(["ann", "bob"]));
        assert_eq!(names("$[?(@.age < 30)]"), json!(["bob"]));
        assert_eq!(names("$[?(@.age <= 31)]"), json!(["ann", "bob"]));
        assert_eq!(names("$[?(@.age == 31.0)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.name == 'bob')]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name == \"bob\")]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name > 'b')]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name < 'a')]"), json!(["Cy"]));
        // Type mismatch for an ordering is false; Jayway's == compares a
        // number with a numeric string.
        assert_eq!(names("$[?(@.age > '30')]"), json!(["Cy"])); // "40" > "30"
        assert_eq!(names("$[?(@.name > 5)]"), json!([]));
        assert_eq!(names("$[?(@.age == '31')]"), json!(["ann"]));
        assert_eq!(names("$[?(@.age == 40)]"), json!(["Cy"])); // "40" == 40 in Jayway
        assert_eq!(names("$[?(@.age === 40)]"), json!([]));
        assert_eq!(names("$[?(@.age === '31')]"), json!([]));
        assert_eq!(names("$[?(@.ok == true)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.ok != true)]"), json!(["bob", "Cy", 7, "str"]));
        assert_eq!(names("$[?(@.nick == null)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.tags == ['b'])]"), json!(["Cy"]));
        // Missing values never compare equal.
        assert_eq!(names("$[?(@.missing == null)]"), json!([]));
        assert_eq!(names("$[?(@.missing < 1)]"), json!([]));
        // @ itself: scalar items.
        assert_eq!(names("$[?(@ == 7)]"), json!([7]));
        assert_eq!(names("$[?(@ == 'str')]"), json!(["str"]));
        // Literal on the left.
        assert_eq!(names("$[?(30 < @.age)]"), json!(["ann"]));
        // Whitespace and negative numbers.
        assert_eq!(names("$[ ?( @.age>-1 ) ]"), json!(["ann", "bob"]));
    }

    #[test]
    fn filter_logic_and_existence() {
        assert_eq!(names("$[?(@.age > 20 && @.ok == false)]"), json!(["bob"]));
        assert_eq!(
            names("$[?(@.name == 'Cy' || @.age > 30)]"),
            json!(["ann", "Cy"])
        );
        assert_eq!(
            names("$[?(@.name == 'Cy' || @.age > 30 && @.ok == false)]"),
            json!(["Cy"])
        );
        assert_eq!(
            names("$[?((@.name == 'Cy' || @.age > 30) && @.ok)]"),
            json!(["ann"])
        );
        assert_eq!(names("$[?(!(@.age > 30))]"), json!(["bob", "Cy", 7, "str"]));
        assert_eq!(names("$[?(@.nick)]"), json!(["ann"]));
        assert_eq!(names("$[?(!@.tags)]"), json!([7, "str"]));
        assert_eq!(names("$[?(@.tags[0])]"), json!(["ann", "Cy"]));
        assert_eq!(names("$[?(@['name'] == 'ann')]"), json!(["ann"]));
        assert_eq!(names("$[?(@.tags[1] == 'b')]"), json!(["ann"]));
        // Jayway ignores '!' before a path that is compared.
        assert_eq!(names("$[?(!@.age > 30)]"), json!(["ann"]));
    }

    #[test]
    fn filter_root_references() {
        let doc = json!({"limit": 10, "items": [{"v": 5}, {"v": 15}], "ids": [1, 3]});
        assert_eq!(sel("$.items[?(@.v > $.limit)]", &doc), json!([{"v": 15}]));
        assert_eq!(sel("$.items[?(@.v < $['limit'])].v", &doc), json!([5]));
        assert_eq!(sel("$.items[?($.limit)].v", &doc), json!([5, 15]));
        assert_eq!(sel("$.items[?(@.v in $.ids)]", &doc), json!([]));
    }

    #[test]
    fn filter_operators() {
        assert_eq!(names("$[?(@.name =~ /a.*/)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.name =~ /c.*/i)]"), json!(["Cy"]));
        assert_eq!(names("$[?(@.name =~ /n/)]"), json!([]));
        assert_eq!(names("$[?(@.age =~ /2.*/)]"), json!(["bob"]));
        assert_eq!(names("$[?(@.name in ['ann', 'Cy'])]"), json!(["ann", "Cy"]));
        assert_eq!(
            names("$[?(@.name nin ['ann', 'Cy'])]"),
            json!(["bob", 7, "str"])
        );
        assert_eq!(names("$[?(@.age in [31, 40])]"), json!(["ann", "Cy"]));
        assert_eq!(
            names("$[?(@.tags subsetof ['a', 'b', 'c'])]"),
            json!(["ann", "bob", "Cy"])
        );
        assert_eq!(names("$[?(@.tags subsetof ['b'])]"), json!(["bob", "Cy"]));
        assert_eq!(names("$[?(@.tags anyof ['a', 'x'])]"), json!(["ann"]));
        assert_eq!(names("$[?(@.tags noneof ['a'])]"), json!(["bob", "Cy"]));
        assert_eq!(names("$[?(@.tags contains 'b')]"), json!(["ann", "Cy"]));
        assert_eq!(names("$[?(@.name contains 'o')]"), json!(["bob"]));
        assert_eq!(names("$[?(@.tags size 2)]"), json!(["ann"]));
        assert_eq!(names("$[?(@.name size 2)]"), json!(["Cy"]));
        assert_eq!(names("$[?(@.tags empty true)]"), json!(["bob"]));
        assert_eq!(names("$[?(@.tags empty false)]"), json!(["ann", "Cy"]));
        assert_eq!(names("$[?(@.tags SIZE 1)]"), json!(["Cy"]));
        assert_eq!(names("$[?(@.obj == {'k': 1})]"), json!([]));
        let doc = json!([{"o": {"k": 1}}, {"o": {"k": 2}}]);
        assert_eq!(
            sel("$[?(@.o == {\"k\": 1})]", &doc),
            json!([{"o": {"k": 1}}])
        );
    }

    #[test]
    fn filter_on_object_tests_the_object() {
        let doc = json!({"o": {"a": 1}});
        assert_eq!(sel("$.o[?(@.a == 1)]", &doc), json!([{"a": 1}]));
        assert_eq!(sel("$.o[?(@.a == 2)]", &doc), json!([]));
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
