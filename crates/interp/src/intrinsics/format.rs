//! `States.Format(template, value…)` — generic intrinsic.
//!
//! DG, "Intrinsics for generic operations", States.Format:
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-generic>
//!
//! The template's `{}` placeholders are replaced, left to right, by the string form of the
//! remaining arguments; there must be exactly as many value arguments as placeholders.
//!
//! String form of a value (observed on AWS unless marked):
//! * string → its raw text (no quotes);
//! * `null` → `null`;
//! * number → its JSON text (`1`, `1.1`);
//! * object → Java map style, `{Arg1=1, Arg2=[]}`, keys and nested values rendered the same way
//!   (a `$$.StateMachine` argument gives `{Id=arn:…, Name=…}`);
//! * boolean → `true` / `false` (UNVERIFIED);
//! * array → Java list style, `[1, 2, a]` (UNVERIFIED).

use std::borrow::Cow;

use serde_json::Value;

use super::{arg_error, failure, Function, Template};

/// Evaluates `States.Format`. `template` is the parsed literal template when the first
/// argument was a quoted string; `args[0]` is the template's value either way.
pub(super) fn format(
    template: Option<&Template>,
    args: &[Value],
) -> Result<Value, super::EvalError> {
    let Some((first, values)) = args.split_first() else {
        return Err(super::arity_error(Function::Format, 0));
    };
    let segments: Cow<'_, [String]> = match template {
        Some(t) => Cow::Borrowed(t.segments.as_slice()),
        None => {
            let Value::String(s) = first else {
                return Err(arg_error(Function::Format, 0, "a string"));
            };
            // UNVERIFIED: a template that comes from a path (or a nested call) is used as is:
            // every "{}" is a placeholder and backslashes have no special meaning.
            Cow::Owned(s.split("{}").map(str::to_string).collect())
        }
    };
    let placeholders = segments.len().saturating_sub(1);
    if placeholders != values.len() {
        // UNVERIFIED: AWS may reject a literal template with the wrong number of arguments at
        // creation time; here the check is made at run time for every template.
        return Err(failure(format!(
            "The template of States.Format has {} placeholder(s) but {} value argument(s) were given",
            placeholders,
            values.len()
        )));
    }
    let mut out = String::new();
    let mut values = values.iter();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            if let Some(v) = values.next() {
                render(v, &mut out);
            }
        }
        out.push_str(segment);
    }
    Ok(Value::String(out))
}

/// Appends the `States.Format` string form of `value` (Java `toString` style). Iterative, so
/// arbitrarily deep values cannot overflow the stack.
pub(super) fn render(value: &Value, out: &mut String) {
    enum Item<'a> {
        Value(&'a Value),
        Text(&'static str),
        Key(&'a str),
    }
    let mut stack = vec![Item::Value(value)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(t) => out.push_str(t),
            Item::Key(k) => {
                out.push_str(k);
                out.push('=');
            }
            Item::Value(v) => match v {
                Value::Null => out.push_str("null"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                // UNVERIFIED: floats use serde_json's shortest text (1.0, 1e21), where Java
                // would print 1.0 and 1.0E21.
                Value::Number(n) => out.push_str(&n.to_string()),
                Value::String(s) => out.push_str(s),
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Item::Text("]"));
                    for (i, x) in items.iter().enumerate().rev() {
                        stack.push(Item::Value(x));
                        if i > 0 {
                            stack.push(Item::Text(", "));
                        }
                    }
                }
                Value::Object(map) => {
                    out.push('{');
                    stack.push(Item::Text("}"));
                    let entries: Vec<(&String, &Value)> = map.iter().collect();
                    for (i, (k, x)) in entries.into_iter().enumerate().rev() {
                        stack.push(Item::Value(x));
                        stack.push(Item::Key(k));
                        if i > 0 {
                            stack.push(Item::Text(", "));
                        }
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn dg_examples() {
        // DG, States.Format: both forms give "Hello, my name is Arnav.".
        let input = r#"{"name": "Arnav", "template": "Hello, my name is {}."}"#;
        check_ok(&[
            (
                "States.Format('Hello, my name is {}.', $.name)",
                input,
                r#""Hello, my name is Arnav.""#,
            ),
            (
                "States.Format($.template, $.name)",
                input,
                r#""Hello, my name is Arnav.""#,
            ),
        ]);
    }

    #[test]
    fn observed_renderings() {
        // docs/semantics/intrinsics.md §4.2, recorded on AWS: string raw, null, integer, float, object.
        let input = r#"{"s": "HelloWorld", "e": "", "sp": " ", "n": null, "i": 1, "f": 1.1,
                        "o": {"Arg1": 1, "Arg2": []},
                        "sm": {"Id": "arn:aws:states:us-east-1:111:stateMachine:m", "Name": "m"},
                        "Error": "error string", "Cause": "cause string"}"#;
        check_ok(&[
            ("States.Format('v={}', $.s)", input, r#""v=HelloWorld""#),
            ("States.Format('v={}', $.e)", input, r#""v=""#),
            ("States.Format('v={}', $.sp)", input, r#""v= ""#),
            ("States.Format('v={}', $.n)", input, r#""v=null""#),
            ("States.Format('v={}', $.i)", input, r#""v=1""#),
            ("States.Format('v={}', $.f)", input, r#""v=1.1""#),
            ("States.Format('v={}', $.o)", input, r#""v={Arg1=1, Arg2=[]}""#),
            (
                "States.Format('{}', $.sm)",
                input,
                r#""{Id=arn:aws:states:us-east-1:111:stateMachine:m, Name=m}""#,
            ),
            (
                "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
                input,
                r#""This is a custom error message for error string, caused by cause string.""#,
            ),
        ]);
    }

    #[test]
    fn other_values_and_literals() {
        let input = r#"{"t": true, "fa": false, "a": [1, "x", null, [2, 3], {"k": "v"}],
                        "nested": {"a": {"b": {"c": [true]}}, "e": {}}, "big": 12345678901234567890,
                        "neg": -5, "u": "日本 𝄞"}"#;
        check_ok(&[
            ("States.Format('{}', $.t)", input, r#""true""#),
            (
                "States.Format('{} {}', $.t, $.fa)",
                input,
                r#""true false""#,
            ),
            (
                "States.Format('{}', $.a)",
                input,
                r#""[1, x, null, [2, 3], {k=v}]""#,
            ),
            (
                "States.Format('{}', $.nested)",
                input,
                r#""{a={b={c=[true]}}, e={}}""#,
            ),
            (
                "States.Format('{}', $.big)",
                input,
                r#""12345678901234567890""#,
            ),
            ("States.Format('{}', $.neg)", input, r#""-5""#),
            ("States.Format('{}!', $.u)", input, r#""日本 𝄞!""#),
            (
                "States.Format('{}{}{}', 'a', 1, true)",
                input,
                r#""a1true""#,
            ),
            ("States.Format('{}', null)", input, r#""null""#),
            ("States.Format('{}', 2.50)", input, r#""2.5""#),
            ("States.Format('{}', -7)", input, r#""-7""#),
            (
                "States.Format('no placeholders')",
                input,
                r#""no placeholders""#,
            ),
            ("States.Format('')", input, r#""""#),
            ("States.Format('{}', '')", input, r#""""#),
            ("States.Format('{}{}', 'a', 'b')", input, r#""ab""#),
        ]);
        // Nested call results are formatted like any other value.
        assert_eq!(
            run("States.Format('{}', States.Array(1, 'two'))", input).unwrap(),
            json!("[1, two]")
        );
    }

    #[test]
    fn escapes_in_the_template() {
        let input = r#"{"firstName": "John", "lastName": "Doe", "t": "path \\{} {}"}"#;
        check_ok(&[
            // Escaped quote in the template (the JSON source writes \\').
            (
                r"States.Format('Welcome to {} {}\'s playlist.', $.firstName, $.lastName)",
                input,
                r#""Welcome to John Doe's playlist.""#,
            ),
            // Escaped braces are literal, not placeholders.
            (r"States.Format('\{\}')", input, r#""{}""#),
            (r"States.Format('\{}')", input, r#""{}""#),
            (r"States.Format('{\}')", input, r#""{}""#),
            (r"States.Format('\{{}\}', 'x')", input, r#""{x}""#),
            (r"States.Format('{{}}', 'x')", input, r#""{x}""#),
            (r"States.Format('a\\{}b', 'x')", input, r#""a\\xb""#),
            (r"States.Format('{ }')", input, r#""{ }""#),
            (r"States.Format('}{')", input, r#""}{""#),
            // A path template has no escape processing: both "{}" are placeholders.
            (r"States.Format($.t, 1, 2)", input, r#""path \\1 2""#),
            // Literal braces in argument strings are kept.
            (r"States.Format('{}', '\{\}')", input, r#""{}""#),
        ]);
    }

    #[test]
    fn errors() {
        let input = r#"{"n": 1, "s": "x", "t": "{} {}"}"#;
        check_err(&[
            (
                "States.Format('{}')",
                input,
                "has 1 placeholder(s) but 0 value argument(s)",
            ),
            (
                "States.Format('{}', 1, 2)",
                input,
                "has 1 placeholder(s) but 2 value argument(s)",
            ),
            (
                "States.Format('x', 1)",
                input,
                "has 0 placeholder(s) but 1 value argument(s)",
            ),
            (r"States.Format('\{}', 1)", input, "has 0 placeholder(s)"),
            ("States.Format($.t, 1)", input, "has 2 placeholder(s) but 1"),
            (
                "States.Format($.n)",
                input,
                "The first argument of States.Format must be a string",
            ),
            (
                "States.Format(1)",
                input,
                "The first argument of States.Format must be a string",
            ),
            ("States.Format(null, 1)", input, "must be a string"),
            ("States.Format(States.Array())", input, "must be a string"),
        ]);
    }

    #[test]
    fn deep_values_render_without_recursion() {
        let mut v = json!(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        let mut out = String::new();
        render(&v, &mut out);
        assert_eq!(out.len(), 200_001);
        // Dropping a deeply nested serde_json value recurses; leak it instead.
        std::mem::forget(v);
    }
}
