//! Intrinsic functions of the Amazon States Language (JSONPath query language only).
//!
//! Reference: the AWS Step Functions Developer Guide page "Intrinsic functions for JSONPath
//! states in Step Functions",
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html>, and the
//! ASL specification, <https://states-language.net/spec.html#appendix-b>. Where the two
//! disagree the AWS behaviour wins. Points that no source settles are marked
//! `// UNVERIFIED:` at the place where the choice is made.
//!
//! # Life cycle
//!
//! * **Definition time** — [`looks_like_call`] tells a call apart from a path, and [`parse`]
//!   turns the text of a `….$` value (or of a Fail state's `ErrorPath` / `CausePath`) into a
//!   [`Call`]. Everything that AWS rejects at `CreateStateMachine` — unknown function names
//!   (names are case-sensitive: `States.format` is unknown), wrong argument counts, bad
//!   syntax, illegal escapes, nesting deeper than [`MAX_NESTING`] — is a [`SyntaxError`]; the
//!   caller reports it as `The value for the field '<key>.$' must be a valid JSONPath or a
//!   valid intrinsic function call`.
//! * **Run time** — [`eval`] evaluates a call against an [`Env`] (path resolution and the run's
//!   random source). Bad argument values raise an [`EvalError`] named
//!   [`INTRINSIC_FAILURE`] (`States.IntrinsicFailure`); errors from resolving paths pass
//!   through unchanged.
//!
//! # Syntax (see [`parse`])
//!
//! `Name(arg, arg, …)` where an argument is a `'single-quoted string'`, a number, `true`,
//! `false`, `null`, a path (`$…`, `$$…`, `$variable…`) or a nested call. Inside quoted strings
//! the only escapes are `\'`, `\{`, `\}` and `\\` (the text handed to [`parse`] has already
//! been JSON-decoded, so a definition writes them `\\'` etc.). Any other backslash is a
//! definition error.
//!
//! # Functions (DG page section in parentheses)
//!
//! | Function | Module | Result |
//! |---|---|---|
//! | `States.Format` (generic) | `format` | template with each `{}` replaced |
//! | `States.StringToJson`, `States.JsonToString`, `States.JsonMerge` (JSON data manipulation) | `json` | |
//! | `States.Array`, `States.ArrayPartition`, `States.ArrayContains`, `States.ArrayRange`, `States.ArrayGetItem`, `States.ArrayLength`, `States.ArrayUnique` (arrays) | `array` | |
//! | `States.Base64Encode`, `States.Base64Decode` (data encoding and decoding), `States.Hash` (hash calculation) | `encoding` | |
//! | `States.MathRandom`, `States.MathAdd` (math operations) | `math` | |
//! | `States.StringSplit` (string operation) | `string` | |
//! | `States.UUID` (unique identifier generation) | `uuid` | |
//!
//! # Robustness
//!
//! Nothing here panics on any text or value: no unchecked indexing, no unwrap on user data,
//! checked integer arithmetic. Parse and eval recursion is bounded by [`MAX_NESTING`]; the
//! Format renderer and the ArrayUnique key builder walk values iteratively. (serde_json's own
//! clone / `==` / serialisation recurse over a value's depth, which its parser caps at 128.)
//!
//! # Error causes
//!
//! Every bad-argument error has error name `States.IntrinsicFailure`; the cause names the
//! function and the argument, using one of these shapes:
//!
//! * `The <ordinal> argument of <function> must be <requirement>`, e.g.
//!   `The first argument of States.ArrayLength must be an array`;
//! * a specific sentence for limits and mismatches (ArrayRange size, Format placeholder count,
//!   ArrayGetItem index out of bounds, 10,000-character input limit, undecodable base64, …),
//!   always naming the function.
//!
//! UNVERIFIED: the error name and every cause text (the ASL spec names
//! `States.IntrinsicFailure`; AWS's actual texts have not been recorded).

use std::fmt;

use serde_json::Value;

mod array;
mod encoding;
mod format;
mod json;
mod math;
mod parse;
mod string;
mod uuid;

pub use encoding::HASH_ALGORITHMS;
pub use parse::{looks_like_call, parse};

/// The maximum nesting depth of intrinsic calls in one field; the outermost call is level 1.
///
/// The DG says "You can nest up to 10 intrinsic functions within a field".
// UNVERIFIED: whether AWS counts nesting depth (as here) or the total number of calls in the
// field (the DG's example, with depth 5, is described as "nine nested intrinsic functions").
pub const MAX_NESTING: usize = 10;

/// Error name of run-time intrinsic failures (ASL spec, "States.IntrinsicFailure").
// UNVERIFIED: AWS may report some of these as States.Runtime instead.
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";

/// Input limit (in characters) of `States.Base64Encode`, `States.Base64Decode` and
/// `States.Hash` (DG: "up to 10,000 characters").
pub const MAX_ENCODING_INPUT_CHARS: usize = 10_000;

/// Maximum number of elements `States.ArrayRange` may produce (DG: "up to 1000 elements").
pub const MAX_ARRAY_RANGE_ELEMENTS: usize = 1000;

/// A parsed intrinsic call, generic over the compiled path type `P` (the caller compiles
/// JSONPath arguments).
#[derive(Debug, Clone, PartialEq)]
pub struct Call<P> {
    pub function: Function,
    pub args: Vec<Arg<P>>,
}

/// The intrinsic functions AWS Step Functions supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    /// Every function, in declaration order.
    pub const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    /// The name as written in a definition, e.g. `"States.Format"`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    /// Looks a function up by its exact (case-sensitive) name.
    pub fn from_name(s: &str) -> Option<Function> {
        Function::ALL.iter().copied().find(|f| f.name() == s)
    }

    /// True for the functions whose result is always a string: Format, JsonToString,
    /// ArrayGetItem, Base64Encode, Base64Decode, Hash and UUID. These are the ones a Fail
    /// state's `ErrorPath` / `CausePath` accept (DG, Fail state page).
    pub fn returns_string(self) -> bool {
        matches!(
            self,
            Function::Format
                | Function::JsonToString
                | Function::ArrayGetItem
                | Function::Base64Encode
                | Function::Base64Decode
                | Function::Hash
                | Function::Uuid
        )
    }

    /// Accepted argument counts: `(minimum, maximum)`, `None` meaning unbounded.
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Format => (1, None),
            Function::Array => (0, None),
            Function::Uuid => (0, Some(0)),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, Some(1)),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, Some(2)),
            Function::ArrayRange | Function::JsonMerge => (3, Some(3)),
            Function::MathRandom => (2, Some(3)),
        }
    }

    /// Whether `n` arguments are acceptable.
    pub fn accepts_arg_count(self, n: usize) -> bool {
        let (min, max) = self.arity();
        n >= min && max.is_none_or(|m| n <= m)
    }

    /// Human-readable description of the arity, e.g. `"exactly 2 arguments"`.
    pub fn arity_description(self) -> String {
        fn plural(n: usize) -> &'static str {
            if n == 1 {
                "argument"
            } else {
                "arguments"
            }
        }
        match self.arity() {
            (min, None) => format!("at least {min} {}", plural(min)),
            (min, Some(max)) if min == max => format!("exactly {min} {}", plural(min)),
            (min, Some(max)) => format!("{min} to {max} arguments"),
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<P> {
    /// `'string'` (escapes already decoded), number, `true` / `false`, `null`.
    Literal(Value),
    /// A path (`$.x`, `$$.Execution.Id`, `$var.x`), compiled by the caller.
    Path(P),
    /// A nested intrinsic call.
    Call(Box<Call<P>>),
    /// The first argument of `States.Format` when it is a quoted string: the template split at
    /// its unescaped `{}` placeholders, so that escaped braces (`\{}`) stay literal text.
    Template(Template),
}

/// A literal `States.Format` template split at its placeholders.
///
/// `segments` always holds one more element than there are placeholders; the text between
/// placeholders has its escapes decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<String>,
}

impl Template {
    /// Number of `{}` placeholders.
    pub fn placeholders(&self) -> usize {
        self.segments.len().saturating_sub(1)
    }

    /// The decoded template text (placeholders written as `{}`).
    pub fn text(&self) -> String {
        self.segments.join("{}")
    }
}

/// A definition-time error: the text is not a valid intrinsic function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Error raised at run time: AWS error name + cause (the caller adds AWS's
/// "An error occurred while executing the state ..." prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub error: String,
    pub cause: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for EvalError {}

/// What evaluation needs from the interpreter.
pub trait Env<P> {
    /// Resolve a path argument (state input, context object or variable). Errors pass through
    /// unchanged.
    fn resolve(&mut self, path: &P) -> Result<Value, EvalError>;
    /// The run's seeded random source (UUID and unseeded MathRandom draw from it, so runs are
    /// reproducible).
    fn next_u64(&mut self) -> u64;
}

/// Evaluates a call: arguments left to right (nested calls first), then the function.
pub fn eval<P>(call: &Call<P>, env: &mut dyn Env<P>) -> Result<Value, EvalError> {
    eval_at(call, env, 1)
}

fn eval_at<P>(call: &Call<P>, env: &mut dyn Env<P>, depth: usize) -> Result<Value, EvalError> {
    let function = call.function;
    // A Call built by hand may bypass `parse`; keep recursion and arity bounded anyway.
    if depth > MAX_NESTING {
        return Err(failure(format!(
            "Intrinsic functions can be nested at most {MAX_NESTING} levels deep"
        )));
    }
    if !function.accepts_arg_count(call.args.len()) {
        return Err(failure(format!(
            "{} takes {} but was given {}",
            function,
            function.arity_description(),
            call.args.len()
        )));
    }
    let mut values = Vec::with_capacity(call.args.len());
    let mut template = None;
    for (index, arg) in call.args.iter().enumerate() {
        let value = match arg {
            Arg::Literal(v) => v.clone(),
            Arg::Path(p) => env.resolve(p)?,
            Arg::Call(inner) => eval_at(inner, &mut *env, depth.saturating_add(1))?,
            Arg::Template(t) => {
                if index == 0 && function == Function::Format {
                    template = Some(t);
                }
                Value::String(t.text())
            }
        };
        values.push(value);
    }
    let args = values.as_slice();
    match function {
        Function::Format => format::format(template, args),
        Function::StringToJson => json::string_to_json(args),
        Function::JsonToString => json::json_to_string(args),
        Function::JsonMerge => json::json_merge(args),
        Function::Array => Ok(Value::Array(values)),
        Function::ArrayPartition => array::array_partition(args),
        Function::ArrayContains => array::array_contains(args),
        Function::ArrayRange => array::array_range(args),
        Function::ArrayGetItem => array::array_get_item(args),
        Function::ArrayLength => array::array_length(args),
        Function::ArrayUnique => array::array_unique(args),
        Function::Base64Encode => encoding::base64_encode(args),
        Function::Base64Decode => encoding::base64_decode(args),
        Function::Hash => encoding::hash(args),
        Function::MathRandom => math::math_random(args, &mut || env.next_u64()),
        Function::MathAdd => math::math_add(args),
        Function::StringSplit => string::string_split(args),
        Function::Uuid => uuid::uuid(args, &mut || env.next_u64()),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the function modules.
// ---------------------------------------------------------------------------------------------

/// A `States.IntrinsicFailure` with the given cause.
pub(super) fn failure(cause: impl Into<String>) -> EvalError {
    EvalError {
        error: INTRINSIC_FAILURE.to_string(),
        cause: cause.into(),
    }
}

/// `The <ordinal> argument of <function> must be <requirement>`.
pub(super) fn arg_error(function: Function, index: usize, requirement: &str) -> EvalError {
    failure(format!(
        "The {} argument of {} must be {}",
        ordinal(index),
        function,
        requirement
    ))
}

/// Error for a call whose argument count does not match (only reachable for hand-built calls).
pub(super) fn arity_error(function: Function, given: usize) -> EvalError {
    failure(format!(
        "{} takes {} but was given {}",
        function,
        function.arity_description(),
        given
    ))
}

/// English ordinal of a zero-based argument index.
pub(super) fn ordinal(index: usize) -> String {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    match WORDS.get(index) {
        Some(w) => (*w).to_string(),
        None => format!("{}th", index.saturating_add(1)),
    }
}

/// Java `Math.round(double)`: the closest integer, ties toward positive infinity
/// (2.5 → 3, −2.5 → −2, −0.5 → 0). Exact for every finite double.
pub(super) fn java_round(x: f64) -> f64 {
    let floor = x.floor();
    // `x - floor` is exact for doubles, so this has no double-rounding problem.
    if x - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

/// An integer argument. Numbers that are not integers are rounded with Java `Math.round`
/// (the DG: "Step Functions will round it off to the nearest integer").
// UNVERIFIED: the rounding mode for every function other than MathAdd (observed); Java
// Math.round is used throughout for consistency.
pub(super) fn integer_arg(
    function: Function,
    index: usize,
    value: &Value,
    requirement: &str,
) -> Result<i64, EvalError> {
    let Value::Number(n) = value else {
        return Err(arg_error(function, index, requirement));
    };
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    let Some(f) = n.as_f64() else {
        return Err(arg_error(function, index, requirement));
    };
    let rounded = java_round(f);
    // 2^63 is exactly representable; every double strictly inside (-2^63, 2^63) fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if rounded.is_finite() && rounded > -LIMIT && rounded < LIMIT {
        Ok(rounded as i64)
    } else {
        Err(arg_error(function, index, requirement))
    }
}

/// An integer argument that must lie in the Java `int` range.
pub(super) fn int32_arg(function: Function, index: usize, value: &Value) -> Result<i64, EvalError> {
    const REQ: &str = "an integer between -2147483648 and 2147483647";
    let i = integer_arg(function, index, value, REQ)?;
    if i < i64::from(i32::MIN) || i > i64::from(i32::MAX) {
        return Err(arg_error(function, index, REQ));
    }
    Ok(i)
}

/// Length of a string in UTF-16 code units, the way Java's `String.length()` counts.
// UNVERIFIED: AWS's 10,000-"character" limits are assumed to count Java chars (UTF-16 code
// units), so "𝄞" counts as 2.
pub(super) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
pub(super) mod testenv {
    //! A tiny environment for unit tests: `P = String`, `$` is the whole input and `$.name`
    //! a top-level field.
    use super::{eval, parse, Call, Env, EvalError, SyntaxError};
    use serde_json::Value;

    pub struct TestEnv {
        pub input: Value,
        pub state: u64,
    }

    impl TestEnv {
        pub fn new(input: Value) -> TestEnv {
            TestEnv { input, state: 7 }
        }
    }

    impl Env<String> for TestEnv {
        fn resolve(&mut self, path: &String) -> Result<Value, EvalError> {
            if path == "$" {
                return Ok(self.input.clone());
            }
            let found = path
                .strip_prefix("$.")
                .and_then(|name| self.input.get(name))
                .cloned();
            found.ok_or_else(|| EvalError {
                error: "States.Runtime".to_string(),
                cause: format!("The JSONPath '{path}' could not be found in the input"),
            })
        }

        fn next_u64(&mut self) -> u64 {
            // splitmix64
            self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    pub fn compile(path: &str) -> Result<String, String> {
        if path.starts_with('$') {
            Ok(path.to_string())
        } else {
            Err(format!("not a path: {path}"))
        }
    }

    pub fn try_parse(text: &str) -> Result<Call<String>, SyntaxError> {
        parse(text, &mut compile)
    }

    pub fn parse_ok(text: &str) -> Call<String> {
        match try_parse(text) {
            Ok(c) => c,
            Err(e) => panic!("{text:?} should parse, got {e}"),
        }
    }

    /// Parses (must succeed) and evaluates `text` against `input` (JSON text; "" = `{}`).
    pub fn run(text: &str, input: &str) -> Result<Value, EvalError> {
        let input: Value = if input.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(input).expect("test input must be JSON")
        };
        let call = parse_ok(text);
        eval(&call, &mut TestEnv::new(input))
    }

    /// Rows of `(expression, input JSON, expected result JSON)`.
    pub fn check_ok(rows: &[(&str, &str, &str)]) {
        for (i, (expr, input, expected)) in rows.iter().enumerate() {
            let expected: Value = serde_json::from_str(expected).expect("expected must be JSON");
            match run(expr, input) {
                Ok(v) => assert_eq!(v, expected, "row {i}: {expr}"),
                Err(e) => panic!("row {i}: {expr} failed: {e}"),
            }
        }
    }

    /// Rows of `(expression, input JSON, expected substring of the cause)`; the error name
    /// must be States.IntrinsicFailure.
    pub fn check_err(rows: &[(&str, &str, &str)]) {
        for (i, (expr, input, cause)) in rows.iter().enumerate() {
            match run(expr, input) {
                Ok(v) => panic!("row {i}: {expr} should fail, got {v}"),
                Err(e) => {
                    assert_eq!(e.error, super::INTRINSIC_FAILURE, "row {i}: {expr}");
                    assert!(
                        e.cause.contains(cause),
                        "row {i}: {expr}: cause {:?} does not contain {:?}",
                        e.cause,
                        cause
                    );
                }
            }
        }
    }

    /// Texts that must be rejected at definition time, with a substring of the message.
    pub fn check_syntax_err(rows: &[(&str, &str)]) {
        for (i, (text, message)) in rows.iter().enumerate() {
            match try_parse(text) {
                Ok(c) => panic!("row {i}: {text:?} should not parse, got {c:?}"),
                Err(e) => assert!(
                    e.message.contains(message),
                    "row {i}: {text:?}: message {:?} does not contain {:?}",
                    e.message,
                    message
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testenv::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn names_round_trip() {
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(f));
            assert!(f.name().starts_with("States."));
            assert_eq!(f.to_string(), f.name());
        }
        assert_eq!(Function::from_name("States.format"), None);
        assert_eq!(Function::from_name("States.Uuid"), None);
        assert_eq!(Function::from_name("States.UUID"), Some(Function::Uuid));
        assert_eq!(Function::from_name(""), None);
    }

    #[test]
    fn string_returning_functions_match_the_fail_state_page() {
        let expected = [
            Function::Format,
            Function::JsonToString,
            Function::ArrayGetItem,
            Function::Base64Encode,
            Function::Base64Decode,
            Function::Hash,
            Function::Uuid,
        ];
        for f in Function::ALL {
            assert_eq!(f.returns_string(), expected.contains(&f), "{f}");
        }
    }

    #[test]
    fn arity_table() {
        assert!(Function::Array.accepts_arg_count(0));
        assert!(Function::Array.accepts_arg_count(100));
        assert!(!Function::Format.accepts_arg_count(0));
        assert!(Function::MathRandom.accepts_arg_count(2));
        assert!(Function::MathRandom.accepts_arg_count(3));
        assert!(!Function::MathRandom.accepts_arg_count(4));
        assert!(!Function::Uuid.accepts_arg_count(1));
        assert_eq!(Function::Hash.arity_description(), "exactly 2 arguments");
        assert_eq!(Function::Uuid.arity_description(), "exactly 0 arguments");
        assert_eq!(
            Function::ArrayLength.arity_description(),
            "exactly 1 argument"
        );
        assert_eq!(Function::MathRandom.arity_description(), "2 to 3 arguments");
        assert_eq!(Function::Format.arity_description(), "at least 1 argument");
    }

    #[test]
    fn java_round_matches_java() {
        let rows = [
            (2.5, 3.0),
            (-2.5, -2.0),
            (-0.5, 0.0),
            (0.49999999999999994, 0.0),
            (1.49, 1.0),
            (1.5, 2.0),
            (-1.5, -1.0),
            (-1.51, -2.0),
            (12.5, 13.0),
            (44.51, 45.0),
            (1e300, 1e300),
            (-3.0, -3.0),
        ];
        for (x, want) in rows {
            assert_eq!(java_round(x), want, "round({x})");
        }
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(0), "first");
        assert_eq!(ordinal(2), "third");
        assert_eq!(ordinal(10), "11th");
    }

    #[test]
    fn integer_arguments() {
        let f = Function::MathAdd;
        assert_eq!(integer_arg(f, 0, &json!(3), "x"), Ok(3));
        assert_eq!(integer_arg(f, 0, &json!(2.5), "x"), Ok(3));
        assert_eq!(integer_arg(f, 0, &json!(-2.5), "x"), Ok(-2));
        assert!(integer_arg(f, 0, &json!(u64::MAX), "x").is_err());
        assert!(integer_arg(f, 0, &json!(1e19), "x").is_err());
        assert!(integer_arg(f, 0, &json!("1"), "x").is_err());
        assert_eq!(int32_arg(f, 1, &json!(2147483647)), Ok(2147483647));
        assert!(int32_arg(f, 1, &json!(2147483648_i64)).is_err());
        assert_eq!(int32_arg(f, 1, &json!(-2147483648_i64)), Ok(-2147483648));
        assert_eq!(int32_arg(f, 1, &json!(-2147483648.5)), Ok(-2147483648));
        assert!(int32_arg(f, 1, &json!(-2147483648.6)).is_err());
    }

    #[test]
    fn utf16_lengths() {
        assert_eq!(utf16_len(""), 0);
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("𝄞"), 2);
    }

    #[test]
    fn path_errors_pass_through_unchanged() {
        let err = run("States.ArrayLength($.missing)", "{}").unwrap_err();
        assert_eq!(err.error, "States.Runtime");
        assert!(err.cause.contains("$.missing"));
        // ... including from nested calls.
        let err = run("States.Array(States.ArrayLength($.missing))", "{}").unwrap_err();
        assert_eq!(err.error, "States.Runtime");
    }

    #[test]
    fn hand_built_calls_are_checked() {
        let call: Call<String> = Call {
            function: Function::ArrayLength,
            args: vec![],
        };
        let err = eval(&call, &mut TestEnv::new(json!({}))).unwrap_err();
        assert_eq!(err.error, INTRINSIC_FAILURE);
        assert!(err
            .cause
            .contains("States.ArrayLength takes exactly 1 argument"));

        // Nesting deeper than the limit is refused rather than recursing without bound.
        let mut call: Call<String> = Call {
            function: Function::Array,
            args: vec![],
        };
        for _ in 0..MAX_NESTING {
            call = Call {
                function: Function::Array,
                args: vec![Arg::Call(Box::new(call))],
            };
        }
        let err = eval(&call, &mut TestEnv::new(json!({}))).unwrap_err();
        assert!(err.cause.contains("nested"));

        // A Template outside Format's first argument evaluates to its text.
        let call: Call<String> = Call {
            function: Function::Array,
            args: vec![Arg::Template(Template {
                segments: vec!["a".into(), "b".into()],
            })],
        };
        assert_eq!(
            eval(&call, &mut TestEnv::new(json!({}))).unwrap(),
            json!(["a{}b"])
        );
    }

    #[test]
    fn dg_nine_nested_example() {
        // DG page, "myArn" example: nine intrinsic calls in one field (nesting depth 5).
        let expr = "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))";
        let call = parse_ok(expr);
        assert_eq!(call.args.len(), 3);
        // As printed, the template has three placeholders but only two values, so evaluating
        // it fails the placeholder count check.
        let input = r#"{"ImageRecipe.Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my.recipe/1.0.0"}"#;
        let err = run(expr, input).unwrap_err();
        assert!(err.cause.contains("3 placeholder(s) but 2"), "{err}");
        // With two placeholders it evaluates (the test env reads "$.ImageRecipe.Arn" as the
        // top-level key "ImageRecipe.Arn").
        let fixed = expr.replacen("'{}.{}.{}'", "'{}.{}'", 1);
        assert_eq!(run(&fixed, input).unwrap(), json!("1.0"));
    }

    #[test]
    fn error_display() {
        let e = failure("x");
        assert_eq!(e.to_string(), "States.IntrinsicFailure: x");
        let s = SyntaxError::new("bad");
        assert_eq!(s.to_string(), "bad");
    }
}
