//! The compiled form of a path: the public [`Path`] type and its errors, the
//! steps and filter expressions it is made of, and Jayway's normalised
//! rendering of those steps (used by [`Path::canonical`] and in messages).

use regex::Regex;
use serde_json::Value;
use std::fmt;

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// A compiled JSONPath (Jayway dialect as used by AWS Step Functions). The text starts with `$`.
/// The caller strips the leading `$` of a context path (`$$.Execution.Id` is compiled as `$.Execution.Id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub(super) text: Box<str>,
    pub(super) root: Root,
    pub(super) steps: Vec<Step>,
    pub(super) definite: bool,
    pub(super) reference: bool,
    /// Definite and made only of single names and single indexes: the
    /// allocation-free fast path applies.
    pub(super) simple: bool,
    /// Index of the first step that is not definite (`steps.len()` if none).
    /// A step's "upstream" is definite when its index is `<=` this.
    pub(super) first_indefinite: usize,
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
pub(super) enum Root {
    /// `$`: the document.
    Document,
    /// `@`: the current item of a filter (only inside filters).
    Current,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
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
pub(super) enum Expr {
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
pub(super) enum Operand {
    /// `negated` records a leading `!`; like Jayway it only matters for an
    /// existence test (`!@.x == 1` compares as `@.x == 1`).
    Path {
        path: Box<Path>,
        negated: bool,
    },
    Lit(Literal),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal {
    Null,
    Bool(bool),
    Num(Decimal),
    Str(String),
    Json(Box<Value>),
    Pattern(Box<Pattern>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
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
pub(super) struct Pattern {
    pub(super) source: String,
    pub(super) flags: String,
    pub(super) re: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.flags == other.flags
    }
}

/// An exact decimal number (Java `BigDecimal`): value = ±digits × 10^-scale.
/// Jayway turns every number in a filter into a `BigDecimal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decimal {
    pub(super) negative: bool,
    /// ASCII digits without leading zeros; "0" for zero.
    pub(super) digits: String,
    pub(super) scale: i64,
}

// ---------------------------------------------------------------------------
// Construction helpers
// ---------------------------------------------------------------------------

impl Path {
    pub(super) fn from_parts(text: &str, root: Root, steps: Vec<Step>) -> Path {
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

    pub(super) fn root_char(&self) -> char {
        match self.root {
            Root::Document => '$',
            Root::Current => '@',
        }
    }

    /// Jayway's `toString()` of the token at `from` and all tokens after it.
    pub(super) fn fragments_from(&self, from: usize) -> String {
        let mut out = String::new();
        for step in self.steps.iter().skip(from) {
            write_fragment(step, &mut out);
        }
        out
    }
}

/// Jayway's `getPathFragment()`.
pub(super) fn write_fragment(step: &Step, out: &mut String) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::path::testing::*;
    use serde_json::json;
    use std::borrow::Cow;

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
}
