//! `States.StringSplit(string, delimiters)` — string operation.
//!
//! DG, "Intrinsic for String operation":
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-string-operation>
//!
//! Splits the first argument at every character that occurs in the second argument (the second
//! argument is a *set* of delimiter characters, not a separator string) and drops empty
//! tokens. Observed on AWS: `" , "` split by `","` → `[" ", " "]`; `",,,,"` → `[]`;
//! `"This.is+a,test=string"` split by `".+,="` → five words.

use serde_json::Value;

use super::{arg_error, arity_error, EvalError, Function};

pub(super) fn string_split(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::StringSplit;
    let [text, delimiters] = args else {
        return Err(arity_error(F, args.len()));
    };
    let Value::String(text) = text else {
        return Err(arg_error(F, 0, "a string"));
    };
    let Value::String(delimiters) = delimiters else {
        return Err(arg_error(F, 1, "a string"));
    };
    // UNVERIFIED: an empty delimiter string splits nothing (the whole string, if non-empty, is
    // the only token). Delimiters are Unicode characters (a surrogate-pair character such as
    // "𝄞" is one delimiter).
    let tokens = text
        .split(|c: char| delimiters.contains(c))
        .filter(|token| !token.is_empty())
        .map(|token| Value::String(token.to_string()))
        .collect();
    Ok(Value::Array(tokens))
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;

    #[test]
    fn dg_examples() {
        check_ok(&[
            // DG, States.StringSplit (two examples).
            (
                "States.StringSplit($.inputString, $.splitter)",
                r#"{"inputString": "1,2,3,4,5", "splitter": ","}"#,
                r#"["1","2","3","4","5"]"#,
            ),
            (
                "States.StringSplit($.inputString, $.splitter)",
                r#"{"inputString": "This.is+a,test=string", "splitter": ".+,="}"#,
                r#"["This","is","a","test","string"]"#,
            ),
        ]);
    }

    #[test]
    fn observed_and_edges() {
        check_ok(&[
            // docs/semantics/intrinsics.md §4.2, observed on AWS.
            (
                "States.StringSplit($.s, ',')",
                r#"{"s": " , "}"#,
                r#"[" ", " "]"#,
            ),
            ("States.StringSplit($.s, ',')", r#"{"s": ",,,,"}"#, "[]"),
            (
                "States.StringSplit($.s, $.d)",
                r#"{"s": "split on T and \nnew line", "d": "T\n"}"#,
                r#"["split on ", " and ", "new line"]"#,
            ),
            // Edges.
            ("States.StringSplit('', ',')", "", "[]"),
            ("States.StringSplit('abc', ',')", "", r#"["abc"]"#),
            ("States.StringSplit('abc', '')", "", r#"["abc"]"#),
            ("States.StringSplit('', '')", "", "[]"),
            ("States.StringSplit(',a,,b,', ',')", "", r#"["a", "b"]"#),
            ("States.StringSplit('a, b', ', ')", "", r#"["a", "b"]"#),
            (
                "States.StringSplit('aXbYc', 'YX')",
                "",
                r#"["a", "b", "c"]"#,
            ),
            (
                "States.StringSplit('a𝄞b𝄞𝄞c', '𝄞')",
                "",
                r#"["a", "b", "c"]"#,
            ),
            (
                "States.StringSplit('日本,語', ',')",
                "",
                r#"["日本", "語"]"#,
            ),
            (
                r"States.StringSplit('a\'b\\c', '\'\\')",
                "",
                r#"["a", "b", "c"]"#,
            ),
            (
                r"States.StringSplit('a{b}c', '\{\}')",
                "",
                r#"["a", "b", "c"]"#,
            ),
            (
                "States.StringSplit(States.Format('{}-{}', 1, 2), '-')",
                "",
                r#"["1", "2"]"#,
            ),
        ]);
        check_err(&[
            (
                "States.StringSplit($.s, ',')",
                r#"{"s": 1}"#,
                "The first argument of States.StringSplit must be a string",
            ),
            (
                "States.StringSplit($.s, ',')",
                r#"{"s": ["a,b"]}"#,
                "The first argument of States.StringSplit must be a string",
            ),
            (
                "States.StringSplit('a,b', 1)",
                "",
                "The second argument of States.StringSplit must be a string",
            ),
            (
                "States.StringSplit('a,b', null)",
                "",
                "The second argument of States.StringSplit must be a string",
            ),
        ]);
    }
}
