//! `States.StringToJson`, `States.JsonToString`, `States.JsonMerge` — JSON data manipulation.
//!
//! DG, "Intrinsics for JSON data manipulation":
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate>
//!
//! * `States.StringToJson(s)` parses a JSON text. Observed on AWS: `""` and whitespace-only
//!   strings give `null` (no error).
//! * `States.JsonToString(v)` gives the compact JSON text of any value (no spaces; object keys
//!   in their stored order).
//! * `States.JsonMerge(a, b, false)` merges two objects shallowly; for a shared key the value
//!   of `b` wins and nested objects are replaced, not merged. AWS supports only `false` as the
//!   third argument.

use serde_json::Value;

use super::{arg_error, arity_error, failure, EvalError, Function};

pub(super) fn string_to_json(args: &[Value]) -> Result<Value, EvalError> {
    let [arg] = args else {
        return Err(arity_error(Function::StringToJson, args.len()));
    };
    let Value::String(s) = arg else {
        return Err(arg_error(Function::StringToJson, 0, "a string"));
    };
    // Observed: "" and " " give null. JSON whitespace only (space, tab, CR, LF) counts.
    if s.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Ok(Value::Null);
    }
    // UNVERIFIED: text after the first JSON value ("1 2") is rejected; a lenient Java parser
    // might ignore it.
    let text = integer_minus_zero_unsigned(s);
    serde_json::from_str(&text).map_err(|e| {
        failure(format!(
            "The first argument of States.StringToJson must be a valid JSON string: {e}"
        ))
    })
}

/// AWS parses the text with a Java JSON parser that reads a number without a fraction or an
/// exponent as an integer, so `-0` becomes the integer `0` (recorded AWS run
/// `test_string_to_json`, 2023: `"-0"` → `0`, `"1"` → `1`, `"1.1"` → `1.1`), whereas serde_json
/// reads `-0` as the float `-0.0`. The minus sign of each such literal outside strings is
/// replaced by a space, which keeps error positions; `-0.0` and `-0e1` stay floats.
fn integer_minus_zero_unsigned(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    // A `-` is a number's sign unless it follows the `e` of an exponent.
    let is_int_minus_zero = |i: usize| {
        b.get(i) == Some(&b'-')
            && !matches!(i.checked_sub(1).and_then(|p| b.get(p)), Some(b'e' | b'E'))
            && b.get(i + 1) == Some(&b'0')
            && !matches!(b.get(i + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
    };
    if !(0..b.len()).any(is_int_minus_zero) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = b.to_vec();
    let (mut in_string, mut escaped) = (false, false);
    for (i, &c) in b.iter().enumerate() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if is_int_minus_zero(i) {
            if let Some(slot) = out.get_mut(i) {
                *slot = b' ';
            }
        }
    }
    // Only an ASCII byte was replaced by another, so the text is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

pub(super) fn json_to_string(args: &[Value]) -> Result<Value, EvalError> {
    let [arg] = args else {
        return Err(arity_error(Function::JsonToString, args.len()));
    };
    // UNVERIFIED: the spec requires the argument to be a Path; any argument is accepted here.
    // Key order is the stored (input) order; floats print in serde_json's shortest form.
    serde_json::to_string(arg).map(Value::String).map_err(|e| {
        failure(format!(
            "States.JsonToString could not serialize its argument: {e}"
        ))
    })
}

pub(super) fn json_merge(args: &[Value]) -> Result<Value, EvalError> {
    let [a, b, deep] = args else {
        return Err(arity_error(Function::JsonMerge, args.len()));
    };
    let Value::Object(left) = a else {
        return Err(arg_error(Function::JsonMerge, 0, "a JSON object"));
    };
    let Value::Object(right) = b else {
        return Err(arg_error(Function::JsonMerge, 1, "a JSON object"));
    };
    match deep {
        Value::Bool(false) => {}
        // UNVERIFIED: AWS documents that only `false` is supported; `true` is treated as an
        // error rather than performing a deep merge.
        Value::Bool(true) => {
            return Err(failure(
                "The third argument of States.JsonMerge must be false: only shallow merging is supported",
            ))
        }
        _ => return Err(arg_error(Function::JsonMerge, 2, "the boolean false")),
    }
    // UNVERIFIED: key order of the result — keys of the first object in their order (a key
    // that the second object overrides keeps its position), then the second object's new keys.
    let mut merged = left.clone();
    for (k, v) in right {
        merged.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(merged))
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use serde_json::{json, Value};

    #[test]
    fn string_to_json_dg_example() {
        // DG, States.StringToJson.
        check_ok(&[(
            "States.StringToJson($.escapedJsonString)",
            r#"{"escapedJsonString": "{\"foo\": \"bar\"}"}"#,
            r#"{"foo": "bar"}"#,
        )]);
    }

    #[test]
    fn string_to_json_observed_and_edges() {
        // docs/semantics/intrinsics.md §4.2 observed values, then edge cases.
        let rows: &[(&str, Value)] = &[
            ("", Value::Null),
            (" ", Value::Null),
            ("\t\n  \r", Value::Null),
            ("null", Value::Null),
            ("1.1", json!(1.1)),
            ("true", json!(true)),
            ("\"HelloWorld\"", json!("HelloWorld")),
            ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
            (
                "{\"Arg1\": 1, \"Arg2\": []}",
                json!({"Arg1": 1, "Arg2": []}),
            ),
            ("  {\"a\" : [ ] }  ", json!({"a": []})),
            ("-12", json!(-12)),
            // An integer literal stays an integer: `-0` is the integer 0 (recorded), while
            // `-0.0` and exponent forms are floats; text inside strings is left alone.
            ("-0", json!(0)),
            (
                "[-0, -0.0, -0e0, 1.0, 1e2, 1e-0]",
                json!([0, -0.0, -0.0, 1.0, 100.0, 1.0]),
            ),
            (
                "{\"a\": \"-0\", \"b\\\"-0\": -0}",
                json!({"a": "-0", "b\"-0": 0}),
            ),
            (
                "123456789012345678901234567890",
                json!(1.2345678901234568e29),
            ),
            ("\"\\ud834\\udd1e\"", json!("𝄞")),
            ("\"𝄞 日本\"", json!("𝄞 日本")),
            ("[]", json!([])),
            ("{}", json!({})),
        ];
        for (text, want) in rows {
            let input = json!({ "s": text }).to_string();
            assert_eq!(
                run("States.StringToJson($.s)", &input).unwrap(),
                *want,
                "{text:?}"
            );
        }
        check_ok(&[
            ("States.StringToJson('[1,2]')", "", "[1, 2]"),
            (r"States.StringToJson('\{\}')", "", "{}"),
            (r#"States.StringToJson('{"a": 1}')"#, "", r#"{"a": 1}"#),
            (
                "States.StringToJson(States.JsonToString($.x))",
                r#"{"x": {"k": [1, null]}}"#,
                r#"{"k": [1, null]}"#,
            ),
        ]);
    }

    #[test]
    fn string_to_json_errors() {
        check_err(&[
            (
                "States.StringToJson($.s)",
                r#"{"s": "{"}"#,
                "must be a valid JSON string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": "abc"}"#,
                "must be a valid JSON string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": "1 2"}"#,
                "must be a valid JSON string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": "{'a': 1}"}"#,
                "must be a valid JSON string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": "\u00a0"}"#,
                "must be a valid JSON string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": 1}"#,
                "The first argument of States.StringToJson must be a string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": null}"#,
                "must be a string",
            ),
            (
                "States.StringToJson($.s)",
                r#"{"s": {"a": 1}}"#,
                "must be a string",
            ),
            ("States.StringToJson(1)", "", "must be a string"),
            // Nesting beyond serde_json's recursion limit is an error, not a crash.
            (
                "States.StringToJson($.s)",
                &json!({"s": "[".repeat(10_000)}).to_string(),
                "must be a valid JSON string",
            ),
        ]);
    }

    #[test]
    fn json_to_string_dg_example_and_observed() {
        // DG, States.JsonToString; then docs/semantics/intrinsics.md §4.2 observed values.
        check_ok(&[
            (
                "States.JsonToString($.unescapedJson)",
                r#"{"unescapedJson": {"foo": "bar"}}"#,
                r#""{\"foo\":\"bar\"}""#,
            ),
            (
                "States.JsonToString($.x)",
                r#"{"x": {"Arg1": 1, "Arg2": []}}"#,
                r#""{\"Arg1\":1,\"Arg2\":[]}""#,
            ),
            (
                "States.JsonToString($.x)",
                r#"{"x": [1, 2, "HelloWorld"]}"#,
                r#""[1,2,\"HelloWorld\"]""#,
            ),
            ("States.JsonToString($.x)", r#"{"x": null}"#, r#""null""#),
            ("States.JsonToString($.x)", r#"{"x": 1.1}"#, r#""1.1""#),
            ("States.JsonToString($.x)", r#"{"x": true}"#, r#""true""#),
            (
                "States.JsonToString($.x)",
                r#"{"x": "HelloWorld"}"#,
                r#""\"HelloWorld\"""#,
            ),
            // Edge cases.
            (
                "States.JsonToString($.x)",
                r#"{"x": {"b": 1, "a": 2}}"#,
                r#""{\"b\":1,\"a\":2}""#,
            ),
            ("States.JsonToString($.x)", r#"{"x": ""}"#, r#""\"\"""#),
            (
                "States.JsonToString($.x)",
                r#"{"x": "𝄞\n\"q\""}"#,
                r#""\"𝄞\\n\\\"q\\\"\"""#,
            ),
            (
                "States.JsonToString($.x)",
                r#"{"x": -9223372036854775808}"#,
                r#""-9223372036854775808""#,
            ),
            (
                "States.JsonToString($.x)",
                r#"{"x": 18446744073709551615}"#,
                r#""18446744073709551615""#,
            ),
            ("States.JsonToString($.x)", r#"{"x": []}"#, r#""[]""#),
            ("States.JsonToString($.x)", r#"{"x": {}}"#, r#""{}""#),
            (
                "States.JsonToString($)",
                r#"{"a": [1]}"#,
                r#""{\"a\":[1]}""#,
            ),
            (
                "States.JsonToString(States.Array(1, 'a'))",
                "",
                r#""[1,\"a\"]""#,
            ),
            ("States.JsonToString('text')", "", r#""\"text\"""#),
            ("States.JsonToString(3)", "", r#""3""#),
        ]);
    }

    #[test]
    fn json_merge_dg_example_and_observed() {
        // DG, States.JsonMerge.
        check_ok(&[(
            "States.JsonMerge($.json1, $.json2, false)",
            r#"{"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}"#,
            r#"{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}"#,
        )]);
        // docs/semantics/intrinsics.md §4.2 observed.
        check_ok(&[(
            "States.JsonMerge($.a, $.b, false)",
            r#"{"a": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}, "b": {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}}"#,
            r#"{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}"#,
        )]);
    }

    #[test]
    fn json_merge_edges() {
        check_ok(&[
            (
                "States.JsonMerge($.a, $.b, false)",
                r#"{"a": {}, "b": {}}"#,
                "{}",
            ),
            (
                "States.JsonMerge($.a, $.b, false)",
                r#"{"a": {"x": 1}, "b": {}}"#,
                r#"{"x": 1}"#,
            ),
            (
                "States.JsonMerge($.a, $.b, false)",
                r#"{"a": {}, "b": {"x": null}}"#,
                r#"{"x": null}"#,
            ),
            (
                "States.JsonMerge($.a, $.b, false)",
                r#"{"a": {"x": 1}, "b": {"x": null}}"#,
                r#"{"x": null}"#,
            ),
            (
                "States.JsonMerge($.a, $.a, false)",
                r#"{"a": {"x": [1]}}"#,
                r#"{"x": [1]}"#,
            ),
            (
                "States.JsonMerge(States.StringToJson('\\{\"k\":1\\}'), $.b, false)",
                r#"{"b": {"𝄞": 2}}"#,
                r#"{"k": 1, "𝄞": 2}"#,
            ),
        ]);
        // Key order: first object's keys, then new keys of the second.
        let v = run(
            "States.JsonMerge($.a, $.b, false)",
            r#"{"a": {"z": 1, "y": 2}, "b": {"x": 3, "z": 4}}"#,
        )
        .unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "y", "x"]);
        assert_eq!(v, json!({"z": 4, "y": 2, "x": 3}));
    }

    #[test]
    fn json_merge_errors() {
        let input = r#"{"o": {"a": 1}, "arr": [1], "s": "x", "n": null}"#;
        check_err(&[
            (
                "States.JsonMerge($.o, $.o, true)",
                input,
                "must be false: only shallow merging is supported",
            ),
            (
                "States.JsonMerge($.o, $.o, 'false')",
                input,
                "The third argument of States.JsonMerge must be the boolean false",
            ),
            (
                "States.JsonMerge($.o, $.o, 0)",
                input,
                "The third argument of States.JsonMerge must be the boolean false",
            ),
            ("States.JsonMerge($.o, $.o, null)", input, "third argument"),
            (
                "States.JsonMerge($.arr, $.o, false)",
                input,
                "The first argument of States.JsonMerge must be a JSON object",
            ),
            (
                "States.JsonMerge($.s, $.o, false)",
                input,
                "The first argument of States.JsonMerge must be a JSON object",
            ),
            (
                "States.JsonMerge($.o, $.n, false)",
                input,
                "The second argument of States.JsonMerge must be a JSON object",
            ),
            (
                "States.JsonMerge($.o, $.arr, false)",
                input,
                "The second argument of States.JsonMerge must be a JSON object",
            ),
        ]);
    }
}
