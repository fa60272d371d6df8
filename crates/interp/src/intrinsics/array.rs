//! Array intrinsics: `States.Array`, `States.ArrayPartition`, `States.ArrayContains`,
//! `States.ArrayRange`, `States.ArrayGetItem`, `States.ArrayLength`, `States.ArrayUnique`.
//!
//! DG, "Intrinsics for arrays":
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-arrays>
//!
//! * `States.Array(v…)` — the arguments as an array (evaluated in `super::eval`).
//! * `States.ArrayPartition(array, size)` — chunks of `size` (a positive integer), the last one
//!   possibly shorter; `[]` gives `[]`.
//! * `States.ArrayContains(array, value)` — deep equality with any element.
//! * `States.ArrayRange(first, last, step)` — `first, first+step, …` while not past `last`
//!   (inclusive); step must be non-zero; at most 1000 elements.
//! * `States.ArrayGetItem(array, index)` — zero-based element.
//! * `States.ArrayLength(array)` — number of elements.
//! * `States.ArrayUnique(array)` — duplicates removed.
//!
//! Integer arguments that are not integers are rounded with Java `Math.round` (see
//! `super::integer_arg`).

use std::collections::HashSet;

use serde_json::Value;

use super::{
    arg_error, arity_error, failure, integer_arg, EvalError, Function, MAX_ARRAY_RANGE_ELEMENTS,
};

fn array_arg(function: Function, index: usize, value: &Value) -> Result<&Vec<Value>, EvalError> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(arg_error(function, index, "an array")),
    }
}

pub(super) fn array_partition(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::ArrayPartition;
    let [array, size] = args else {
        return Err(arity_error(F, args.len()));
    };
    let items = array_arg(F, 0, array)?;
    const REQ: &str = "a positive integer";
    let size = integer_arg(F, 1, size, REQ)?;
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| arg_error(F, 1, REQ))?;
    Ok(Value::Array(
        items
            .chunks(size)
            .map(|chunk| Value::Array(chunk.to_vec()))
            .collect(),
    ))
}

pub(super) fn array_contains(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::ArrayContains;
    let [array, needle] = args else {
        return Err(arity_error(F, args.len()));
    };
    let items = array_arg(F, 0, array)?;
    // UNVERIFIED: numbers compare as serde_json does (1 and 1.0 are different values).
    Ok(Value::Bool(items.iter().any(|item| item == needle)))
}

pub(super) fn array_range(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::ArrayRange;
    let [first, last, step] = args else {
        return Err(arity_error(F, args.len()));
    };
    const REQ: &str = "an integer";
    let first = integer_arg(F, 0, first, REQ)?;
    let last = integer_arg(F, 1, last, REQ)?;
    let step = integer_arg(F, 2, step, "a non-zero integer")?;
    if step == 0 {
        return Err(arg_error(F, 2, "a non-zero integer"));
    }
    let (first, last, step) = (i128::from(first), i128::from(last), i128::from(step));
    // UNVERIFIED: a step that moves away from `last` (e.g. (5, 1, 1)) gives [] rather than an
    // error.
    let count: i128 = if (step > 0 && first > last) || (step < 0 && first < last) {
        0
    } else {
        (last - first) / step + 1
    };
    if count > MAX_ARRAY_RANGE_ELEMENTS as i128 {
        return Err(failure(format!(
            "States.ArrayRange can produce at most {MAX_ARRAY_RANGE_ELEMENTS} elements, but the arguments would produce {count}"
        )));
    }
    let mut out = Vec::new();
    let mut i: i128 = 0;
    while i < count {
        let v = first + i * step;
        // Every element lies between `first` and `last`, both i64, so this always succeeds.
        if let Ok(v) = i64::try_from(v) {
            out.push(Value::from(v));
        }
        i += 1;
    }
    Ok(Value::Array(out))
}

pub(super) fn array_get_item(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::ArrayGetItem;
    let [array, index] = args else {
        return Err(arity_error(F, args.len()));
    };
    let items = array_arg(F, 0, array)?;
    // UNVERIFIED: a non-integer index is rounded like other integer arguments.
    let index = integer_arg(F, 1, index, "a non-negative integer")?;
    let Ok(position) = usize::try_from(index) else {
        return Err(arg_error(F, 1, "a non-negative integer"));
    };
    // UNVERIFIED: an index past the end is an error (AWS behaviour not recorded).
    items.get(position).cloned().ok_or_else(|| {
        failure(format!(
            "The index {index} in States.ArrayGetItem is out of bounds for an array of length {}",
            items.len()
        ))
    })
}

pub(super) fn array_length(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::ArrayLength;
    let [array] = args else {
        return Err(arity_error(F, args.len()));
    };
    let items = array_arg(F, 0, array)?;
    Ok(Value::from(items.len()))
}

pub(super) fn array_unique(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::ArrayUnique;
    let [array] = args else {
        return Err(arity_error(F, args.len()));
    };
    let items = array_arg(F, 0, array)?;
    // UNVERIFIED: the first occurrence of each value is kept, in input order.
    // Values are bucketed by a canonical text (object keys sorted) that is equal exactly when
    // the values are equal under serde_json's `==`, so this is linear rather than quadratic.
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for item in items {
        if seen.insert(canonical_key(item)) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

/// Canonical JSON-like text of a value: object keys sorted, `-0.0` written as `0.0`.
/// Two values get the same key exactly when they are `==`. Iterative (no recursion).
fn canonical_key(value: &Value) -> String {
    enum Item<'a> {
        Value(&'a Value),
        Text(&'static str),
        Key(&'a str),
    }
    let mut out = String::new();
    let mut stack = vec![Item::Value(value)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(t) => out.push_str(t),
            Item::Key(k) => {
                push_json_string(&mut out, k);
                out.push(':');
            }
            Item::Value(v) => match v {
                Value::Null => out.push('n'),
                Value::Bool(true) => out.push('t'),
                Value::Bool(false) => out.push('f'),
                Value::Number(n) => {
                    // Integers and floats are distinct under `==`; keep them apart with a tag.
                    if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                        out.push('d');
                        if f == 0.0 {
                            out.push_str("0.0");
                        } else {
                            out.push_str(&n.to_string());
                        }
                    } else {
                        out.push('i');
                        out.push_str(&n.to_string());
                    }
                }
                Value::String(s) => push_json_string(&mut out, s),
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Item::Text("]"));
                    for (i, x) in items.iter().enumerate().rev() {
                        stack.push(Item::Value(x));
                        if i > 0 {
                            stack.push(Item::Text(","));
                        }
                    }
                }
                Value::Object(map) => {
                    out.push('{');
                    stack.push(Item::Text("}"));
                    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    for (i, (k, x)) in entries.into_iter().enumerate().rev() {
                        stack.push(Item::Value(x));
                        stack.push(Item::Key(k));
                        if i > 0 {
                            stack.push(Item::Text(","));
                        }
                    }
                }
            },
        }
    }
    out
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use super::*;
    use serde_json::json;

    const NINE: &str = r#"{"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}"#;

    #[test]
    fn array_dg_example_and_observed() {
        check_ok(&[
            // DG, States.Array.
            ("States.Array($.Id)", r#"{"Id": 123456}"#, "[123456]"),
            // docs/semantics/intrinsics.md §4.2.
            ("States.Array()", "", "[]"),
            // Edge cases: every kind of argument, nested calls, unicode.
            (
                "States.Array('a', 1, -2.5, true, false, null, $.o, States.Array(), '𝄞')",
                r#"{"o": {"k": [1]}}"#,
                r#"["a", 1, -2.5, true, false, null, {"k": [1]}, [], "𝄞"]"#,
            ),
            ("States.Array(States.Array(States.Array(1)))", "", "[[[1]]]"),
            ("States.Array($)", r#"{"a": 1}"#, r#"[{"a": 1}]"#),
        ]);
    }

    #[test]
    fn array_partition_table() {
        check_ok(&[
            // DG, States.ArrayPartition.
            (
                "States.ArrayPartition($.inputArray, 4)",
                NINE,
                "[[1,2,3,4],[5,6,7,8],[9]]",
            ),
            // docs/semantics/intrinsics.md §4.2.
            ("States.ArrayPartition($.a, 2)", r#"{"a": []}"#, "[]"),
            (
                "States.ArrayPartition($.a, 2)",
                r#"{"a": [0, 1, 2]}"#,
                "[[0, 1], [2]]",
            ),
            // Edges.
            (
                "States.ArrayPartition($.inputArray, 1)",
                NINE,
                "[[1],[2],[3],[4],[5],[6],[7],[8],[9]]",
            ),
            (
                "States.ArrayPartition($.inputArray, 9)",
                NINE,
                "[[1,2,3,4,5,6,7,8,9]]",
            ),
            (
                "States.ArrayPartition($.inputArray, 100)",
                NINE,
                "[[1,2,3,4,5,6,7,8,9]]",
            ),
            (
                "States.ArrayPartition($.inputArray, 9223372036854775807)",
                NINE,
                "[[1,2,3,4,5,6,7,8,9]]",
            ),
            (
                "States.ArrayPartition($.inputArray, 3.5)",
                NINE,
                "[[1,2,3,4],[5,6,7,8],[9]]",
            ),
            (
                "States.ArrayPartition($.inputArray, 4.49)",
                NINE,
                "[[1,2,3,4],[5,6,7,8],[9]]",
            ),
            (
                "States.ArrayPartition($.inputArray, 0.5)",
                NINE,
                "[[1],[2],[3],[4],[5],[6],[7],[8],[9]]",
            ),
            (
                "States.ArrayPartition(States.Array('a', null, '𝄞'), 2)",
                "",
                r#"[["a", null], ["𝄞"]]"#,
            ),
        ]);
        check_err(&[
            (
                "States.ArrayPartition($.inputArray, 0)",
                NINE,
                "The second argument of States.ArrayPartition must be a positive integer",
            ),
            (
                "States.ArrayPartition($.inputArray, -1)",
                NINE,
                "must be a positive integer",
            ),
            (
                "States.ArrayPartition($.inputArray, 0.49)",
                NINE,
                "must be a positive integer",
            ),
            (
                "States.ArrayPartition($.inputArray, '2')",
                NINE,
                "must be a positive integer",
            ),
            (
                "States.ArrayPartition($.inputArray, 1e300)",
                NINE,
                "must be a positive integer",
            ),
            (
                "States.ArrayPartition('abc', 2)",
                NINE,
                "The first argument of States.ArrayPartition must be an array",
            ),
            (
                "States.ArrayPartition($, 2)",
                NINE,
                "The first argument of States.ArrayPartition must be an array",
            ),
        ]);
    }

    #[test]
    fn array_contains_table() {
        check_ok(&[
            // DG, States.ArrayContains.
            (
                "States.ArrayContains($.inputArray, $.lookingFor)",
                r#"{"inputArray": [1,2,3,4,5,6,7,8,9], "lookingFor": 5}"#,
                "true",
            ),
            // docs/semantics/intrinsics.md §4.2.
            (
                "States.ArrayContains($.a, $.v)",
                r#"{"a": [], "v": null}"#,
                "false",
            ),
            (
                "States.ArrayContains($.a, $.v)",
                r#"{"a": [[1,2,3], 2], "v": [1,2,3]}"#,
                "true",
            ),
            (
                "States.ArrayContains($.a, $.v)",
                r#"{"a": [{"1": 2, "2": []}], "v": {"1": 2, "2": []}}"#,
                "true",
            ),
            (
                "States.ArrayContains($.a, $.v)",
                r#"{"a": [true, false], "v": false}"#,
                "true",
            ),
            // Edges.
            (
                "States.ArrayContains($.a, $.v)",
                r#"{"a": [{"x": 1, "y": 2}], "v": {"y": 2, "x": 1}}"#,
                "true",
            ),
            (
                "States.ArrayContains($.a, $.v)",
                r#"{"a": [[1, 2]], "v": [2, 1]}"#,
                "false",
            ),
            (
                "States.ArrayContains($.a, null)",
                r#"{"a": [1, null]}"#,
                "true",
            ),
            ("States.ArrayContains($.a, '1')", r#"{"a": [1]}"#, "false"),
            (
                "States.ArrayContains($.a, 10)",
                NINE.replace("inputArray", "a").as_str(),
                "false",
            ),
            ("States.ArrayContains(States.Array('𝄞'), '𝄞')", "", "true"),
            (
                "States.ArrayContains($.a, -9223372036854775808)",
                r#"{"a": [-9223372036854775808]}"#,
                "true",
            ),
        ]);
        check_err(&[
            (
                "States.ArrayContains($.s, 1)",
                r#"{"s": "abc"}"#,
                "The first argument of States.ArrayContains must be an array",
            ),
            (
                "States.ArrayContains($.s, 1)",
                r#"{"s": {"a": 1}}"#,
                "The first argument of States.ArrayContains must be an array",
            ),
        ]);
    }

    #[test]
    fn array_range_table() {
        check_ok(&[
            // DG, States.ArrayRange.
            ("States.ArrayRange(1, 9, 2)", "", "[1,3,5,7,9]"),
            // docs/semantics/intrinsics.md §4.2.
            ("States.ArrayRange(0, 9, 3)", "", "[0,3,6,9]"),
            ("States.ArrayRange(0, 10, 3)", "", "[0,3,6,9]"),
            ("States.ArrayRange(1, 9, 9)", "", "[1]"),
            // Negative steps, single element, empty, rounding, paths.
            ("States.ArrayRange(9, 0, -3)", "", "[9,6,3,0]"),
            ("States.ArrayRange(0, -10, -4)", "", "[0,-4,-8]"),
            ("States.ArrayRange(-3, 3, 3)", "", "[-3,0,3]"),
            ("States.ArrayRange(5, 5, 1)", "", "[5]"),
            ("States.ArrayRange(5, 5, -1)", "", "[5]"),
            ("States.ArrayRange(5, 1, 1)", "", "[]"),
            ("States.ArrayRange(1, 5, -1)", "", "[]"),
            ("States.ArrayRange(0.5, 2.5, 1.4)", "", "[1,2,3]"),
            ("States.ArrayRange(0.5, 3.5, 1)", "", "[1,2,3,4]"),
            ("States.ArrayRange(-0.5, 1, 0.5)", "", "[0,1]"),
            (
                "States.ArrayRange($.a, $.b, $.c)",
                r#"{"a": 1, "b": 3, "c": 1}"#,
                "[1,2,3]",
            ),
            (
                "States.ArrayRange(9223372036854775806, 9223372036854775807, 1)",
                "",
                "[9223372036854775806, 9223372036854775807]",
            ),
            (
                "States.ArrayRange(-9223372036854775808, 9223372036854775807, 9223372036854775807)",
                "",
                "[-9223372036854775808, -1, 9223372036854775806]",
            ),
            ("States.ArrayRange(0, 1, 9223372036854775807)", "", "[0]"),
        ]);
        // Exactly 1000 elements is allowed.
        let v = run("States.ArrayRange(1, 1000, 1)", "").unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(1000));
        let v = run("States.ArrayRange(0, -999, -1)", "").unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(1000));
        check_err(&[
            (
                "States.ArrayRange(1, 1001, 1)",
                "",
                "at most 1000 elements, but the arguments would produce 1001",
            ),
            (
                "States.ArrayRange(0, -1000, -1)",
                "",
                "at most 1000 elements",
            ),
            (
                "States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)",
                "",
                "at most 1000 elements",
            ),
            (
                "States.ArrayRange(1, 9, 0)",
                "",
                "The third argument of States.ArrayRange must be a non-zero integer",
            ),
            (
                "States.ArrayRange(1, 9, 0.4)",
                "",
                "The third argument of States.ArrayRange must be a non-zero integer",
            ),
            (
                "States.ArrayRange(1, 9, -0.5)",
                "",
                "must be a non-zero integer",
            ),
            (
                "States.ArrayRange('1', 9, 1)",
                "",
                "The first argument of States.ArrayRange must be an integer",
            ),
            (
                "States.ArrayRange(1, null, 1)",
                "",
                "The second argument of States.ArrayRange must be an integer",
            ),
            (
                "States.ArrayRange(1, 9, true)",
                "",
                "The third argument of States.ArrayRange must be a non-zero integer",
            ),
            (
                "States.ArrayRange(1, 1e300, 1)",
                "",
                "The second argument of States.ArrayRange must be an integer",
            ),
            (
                "States.ArrayRange(18446744073709551615, 1, 1)",
                "",
                "The first argument of States.ArrayRange must be an integer",
            ),
        ]);
    }

    #[test]
    fn array_get_item_table() {
        check_ok(&[
            // DG, States.ArrayGetItem; also docs/semantics/intrinsics.md §4.2.
            (
                "States.ArrayGetItem($.inputArray, $.index)",
                r#"{"inputArray": [1,2,3,4,5,6,7,8,9], "index": 5}"#,
                "6",
            ),
            // Edges.
            ("States.ArrayGetItem($.inputArray, 0)", NINE, "1"),
            ("States.ArrayGetItem($.inputArray, 8)", NINE, "9"),
            ("States.ArrayGetItem($.inputArray, 7.5)", NINE, "9"),
            ("States.ArrayGetItem($.inputArray, -0.5)", NINE, "1"),
            (
                "States.ArrayGetItem($.a, 1)",
                r#"{"a": [{"k": 1}, [2], "𝄞"]}"#,
                "[2]",
            ),
            (
                "States.ArrayGetItem(States.StringSplit('a,b,c', ','), 2)",
                "",
                r#""c""#,
            ),
        ]);
        check_err(&[
            (
                "States.ArrayGetItem($.inputArray, 9)",
                NINE,
                "The index 9 in States.ArrayGetItem is out of bounds for an array of length 9",
            ),
            (
                "States.ArrayGetItem($.inputArray, 8.5)",
                NINE,
                "The index 9 in States.ArrayGetItem is out of bounds",
            ),
            (
                "States.ArrayGetItem($.a, 0)",
                r#"{"a": []}"#,
                "out of bounds for an array of length 0",
            ),
            (
                "States.ArrayGetItem($.inputArray, 9223372036854775807)",
                NINE,
                "out of bounds",
            ),
            (
                "States.ArrayGetItem($.inputArray, -1)",
                NINE,
                "The second argument of States.ArrayGetItem must be a non-negative integer",
            ),
            (
                "States.ArrayGetItem($.inputArray, '1')",
                NINE,
                "The second argument of States.ArrayGetItem must be a non-negative integer",
            ),
            (
                "States.ArrayGetItem($.inputArray, 1e20)",
                NINE,
                "must be a non-negative integer",
            ),
            (
                "States.ArrayGetItem('abc', 0)",
                NINE,
                "The first argument of States.ArrayGetItem must be an array",
            ),
        ]);
    }

    #[test]
    fn array_length_table() {
        check_ok(&[
            // DG, States.ArrayLength.
            ("States.ArrayLength($.inputArray)", NINE, "9"),
            // Edges.
            ("States.ArrayLength($.a)", r#"{"a": []}"#, "0"),
            (
                "States.ArrayLength($.a)",
                r#"{"a": [[1, 2], {"b": 3}, null]}"#,
                "3",
            ),
            ("States.ArrayLength(States.Array())", "", "0"),
            (
                "States.ArrayLength(States.ArrayRange(1, 1000, 1))",
                "",
                "1000",
            ),
        ]);
        check_err(&[
            (
                "States.ArrayLength($.s)",
                r#"{"s": "abc"}"#,
                "The first argument of States.ArrayLength must be an array",
            ),
            (
                "States.ArrayLength($.s)",
                r#"{"s": {"length": 3}}"#,
                "The first argument of States.ArrayLength must be an array",
            ),
            (
                "States.ArrayLength(null)",
                "",
                "The first argument of States.ArrayLength must be an array",
            ),
            ("States.ArrayLength(3)", "", "must be an array"),
        ]);
    }

    #[test]
    fn array_unique_table() {
        check_ok(&[
            // DG, States.ArrayUnique.
            (
                "States.ArrayUnique($.inputArray)",
                r#"{"inputArray": [1,2,3,3,3,3,3,3,4]}"#,
                "[1,2,3,4]",
            ),
            // Edges: empty, order of first occurrences, deep equality, key order, number kinds.
            ("States.ArrayUnique($.a)", r#"{"a": []}"#, "[]"),
            (
                "States.ArrayUnique($.a)",
                r#"{"a": [3, 1, 3, 2, 1]}"#,
                "[3, 1, 2]",
            ),
            (
                "States.ArrayUnique($.a)",
                r#"{"a": [{"x": 1, "y": [2]}, {"y": [2], "x": 1}, {"x": 1}]}"#,
                r#"[{"x": 1, "y": [2]}, {"x": 1}]"#,
            ),
            (
                "States.ArrayUnique($.a)",
                r#"{"a": [null, null, "null", [], [], {}, {}, "", ""]}"#,
                r#"[null, "null", [], {}, ""]"#,
            ),
            (
                "States.ArrayUnique($.a)",
                r#"{"a": [1, 1.0, 1, 1.0, true, "1"]}"#,
                r#"[1, 1.0, true, "1"]"#,
            ),
            (
                "States.ArrayUnique($.a)",
                r#"{"a": [0.0, -0.0, 0]}"#,
                "[0.0, 0]",
            ),
            (
                "States.ArrayUnique($.a)",
                r#"{"a": ["𝄞", "𝄞", "a\"b", "a\"b", "a\\\"b"]}"#,
                r#"["𝄞", "a\"b", "a\\\"b"]"#,
            ),
        ]);
        check_err(&[(
            "States.ArrayUnique($.s)",
            r#"{"s": "aab"}"#,
            "The first argument of States.ArrayUnique must be an array",
        )]);
    }

    #[test]
    fn canonical_keys_agree_with_equality() {
        let values = [
            json!(null),
            json!(1),
            json!(1.0),
            json!(-0.0),
            json!(0.0),
            json!(0),
            json!("1"),
            json!([1, 2]),
            json!([2, 1]),
            json!({"a": 1, "b": 2}),
            json!({"b": 2, "a": 1}),
            json!({"a\":1,\"b": 2}),
            json!({"a": "1,\"b\":2"}),
        ];
        for a in &values {
            for b in &values {
                assert_eq!(a == b, canonical_key(a) == canonical_key(b), "{a} vs {b}");
            }
        }
    }
}
