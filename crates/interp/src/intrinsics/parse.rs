//! Definition-time grammar of intrinsic function calls.
//!
//! Sources: DG <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html>
//! (reserved characters, nesting limit) and the ASL spec, "Intrinsic Functions".
//!
//! ```text
//! call     := name ws* '(' ws* [ arg ( ws* ',' ws* arg )* ] ws* ')'
//! name     := [A-Za-z_] [A-Za-z0-9_.]*          (must be a known function, case-sensitive)
//! arg      := string | number | 'true' | 'false' | 'null' | path | call
//! string   := '\'' ( char other than '\'' or '\\' | '\\' ( '\'' | '{' | '}' | '\\' ) )* '\''
//! number   := '-'? digit+ ( '.' digit+ )? ( [eE] [+-]? digit+ )?   (JSON number rules)
//! path     := '$' …   up to the first ',' ')' or whitespace outside brackets, parentheses
//!                     and quotes; the text goes to the caller's path compiler unchanged
//! ws       := ' ' | '\t' | '\n' | '\r'
//! ```
//!
//! The whole text must be exactly one call, optionally followed by whitespace.

use serde_json::Value;

use super::{Arg, Call, Function, SyntaxError, Template, MAX_NESTING};

// UNVERIFIED: whitespace is allowed between any two tokens (including between a function name
// and its '(' and after the final ')'), but not before the function name. AWS's exact
// whitespace rules have not been recorded.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// True when the string looks like an intrinsic call (starts with a function-name-like token
/// followed by `(`) rather than a path.
pub fn looks_like_call(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(&b) if is_name_start(b) => {}
        _ => return false,
    }
    let rest = bytes
        .iter()
        .skip_while(|&&b| is_name_char(b))
        .skip_while(|&&b| is_ws(b));
    rest.take(1).any(|&b| b == b'(')
}

/// Parse at definition time. `compile_path` receives the text of each path argument (starting
/// with `$`, including `$$...` context paths unchanged) and returns the compiled path or an
/// error message. Unknown function names, wrong arity where it is fixed, bad syntax, illegal
/// escapes (backslash before anything other than `'` `{` `}` `\`), nesting deeper than
/// [`MAX_NESTING`] → [`SyntaxError`].
pub fn parse<P>(
    text: &str,
    compile_path: &mut dyn FnMut(&str) -> Result<P, String>,
) -> Result<Call<P>, SyntaxError> {
    let mut parser = Parser {
        src: text,
        bytes: text.as_bytes(),
        pos: 0,
        compile_path,
    };
    match parser.peek() {
        Some(b) if is_name_start(b) => {}
        Some(_) => {
            return Err(SyntaxError::new(
                "An intrinsic function call must start with a function name",
            ))
        }
        None => return Err(SyntaxError::new("Empty intrinsic function call")),
    }
    let start = parser.pos;
    let name = parser.name();
    let call = parser.call_after_name(name, start, 1)?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_at("Unexpected text after the end of the intrinsic function call"));
    }
    Ok(call)
}

struct Parser<'a, 'c, P> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    compile_path: &'c mut dyn FnMut(&str) -> Result<P, String>,
}

impl<'a, P> Parser<'a, '_, P> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    fn error_at(&self, what: &str) -> SyntaxError {
        SyntaxError::new(format!("{what} at position {}", self.pos))
    }

    /// Text between two byte positions; both are ASCII positions or the end, so this never
    /// fails in practice, but it is checked anyway.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, SyntaxError> {
        self.src
            .get(start..end)
            .ok_or_else(|| SyntaxError::new("Internal error: invalid text boundary"))
    }

    /// Reads `[A-Za-z0-9_.]*` starting at the current position (the caller has checked the
    /// first character).
    fn name(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn call_after_name(
        &mut self,
        name: &str,
        name_start: usize,
        depth: usize,
    ) -> Result<Call<P>, SyntaxError> {
        if depth > MAX_NESTING {
            return Err(SyntaxError::new(format!(
                "Intrinsic functions can be nested at most {MAX_NESTING} levels deep"
            )));
        }
        let Some(function) = Function::from_name(name) else {
            return Err(SyntaxError::new(format!(
                "Unknown intrinsic function '{name}' at position {name_start}"
            )));
        };
        self.skip_ws();
        if self.peek() != Some(b'(') {
            return Err(self.error_at(&format!("Expected '(' after '{name}'")));
        }
        self.pos += 1;
        self.skip_ws();
        let mut args = Vec::new();
        if self.peek() == Some(b')') {
            self.pos += 1;
        } else {
            loop {
                let arg = self.arg(function, args.len(), depth)?;
                args.push(arg);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                    }
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => return Err(self.error_at("Expected ',' or ')'")),
                    None => {
                        return Err(SyntaxError::new(format!(
                            "Missing ')' to close the call of {name}"
                        )))
                    }
                }
            }
        }
        if !function.accepts_arg_count(args.len()) {
            return Err(SyntaxError::new(format!(
                "{} takes {} but was given {}",
                function,
                function.arity_description(),
                args.len()
            )));
        }
        Ok(Call { function, args })
    }

    fn arg(
        &mut self,
        function: Function,
        index: usize,
        depth: usize,
    ) -> Result<Arg<P>, SyntaxError> {
        match self.peek() {
            Some(b'\'') => {
                let template = self.string()?;
                if function == Function::Format && index == 0 {
                    Ok(Arg::Template(template))
                } else {
                    Ok(Arg::Literal(Value::String(template.text())))
                }
            }
            Some(b'$') => self.path(),
            Some(b) if b == b'-' || b.is_ascii_digit() => self.number(),
            Some(b) if is_name_start(b) => {
                let start = self.pos;
                let name = self.name();
                let after_name = self.pos;
                self.skip_ws();
                if self.peek() == Some(b'(') {
                    return Ok(Arg::Call(Box::new(self.call_after_name(
                        name,
                        start,
                        depth.saturating_add(1),
                    )?)));
                }
                self.pos = after_name;
                match name {
                    "true" => Ok(Arg::Literal(Value::Bool(true))),
                    "false" => Ok(Arg::Literal(Value::Bool(false))),
                    "null" => Ok(Arg::Literal(Value::Null)),
                    _ => Err(SyntaxError::new(format!(
                        "Unexpected token '{name}' at position {start}"
                    ))),
                }
            }
            Some(b'\\') => Err(self.error_at("A backslash is only allowed inside a quoted string")),
            Some(_) => Err(self.error_at("Expected an argument")),
            None => Err(SyntaxError::new(
                "Unexpected end of the intrinsic function call",
            )),
        }
    }

    /// A quoted string. Returns it split at unescaped `{}` pairs (only `States.Format`'s
    /// template uses the split; other literals are rejoined).
    // UNVERIFIED: unescaped '{' and '}' are accepted anywhere in a string literal; only the exact
    // sequence "{}" with both braces unescaped is a placeholder, and a lone brace is literal.
    fn string(&mut self) -> Result<Template, SyntaxError> {
        let open = self.pos;
        self.pos += 1; // the opening quote
        let mut segments = Vec::new();
        let mut current = String::new();
        // The last character appended to `current` was an unescaped '{'.
        let mut open_brace = false;
        loop {
            // Copy the run of ordinary characters in one go.
            let run_start = self.pos;
            while self
                .peek()
                .is_some_and(|b| !matches!(b, b'\'' | b'\\' | b'{' | b'}'))
            {
                self.pos += 1;
            }
            if self.pos > run_start {
                current.push_str(self.slice(run_start, self.pos)?);
                open_brace = false;
            }
            match self.peek() {
                None => {
                    return Err(SyntaxError::new(format!(
                        "Unterminated string literal starting at position {open}"
                    )))
                }
                Some(b'\'') => {
                    self.pos += 1;
                    segments.push(current);
                    return Ok(Template { segments });
                }
                Some(b'\\') => {
                    let escaped = match self.bytes.get(self.pos + 1) {
                        Some(b'\'') => '\'',
                        Some(b'{') => '{',
                        Some(b'}') => '}',
                        Some(b'\\') => '\\',
                        Some(_) => {
                            return Err(self.error_at(
                                "Invalid escape sequence in string literal (only \\', \\{, \\} and \\\\ are allowed)",
                            ))
                        }
                        None => {
                            return Err(SyntaxError::new(format!(
                                "Unterminated string literal starting at position {open}"
                            )))
                        }
                    };
                    self.pos += 2;
                    current.push(escaped);
                    open_brace = false;
                }
                Some(b'{') => {
                    self.pos += 1;
                    current.push('{');
                    open_brace = true;
                }
                Some(_) => {
                    // '}'
                    self.pos += 1;
                    if open_brace {
                        current.pop();
                        segments.push(std::mem::take(&mut current));
                    } else {
                        current.push('}');
                    }
                    open_brace = false;
                }
            }
        }
    }

    // UNVERIFIED: numbers follow JSON number syntax (no leading '+', no leading zeros, no bare
    // '.5' or '5.'), exponents are accepted, and values too large for a double are rejected.
    fn number(&mut self) -> Result<Arg<P>, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return Err(self.error_at("Expected digits in number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.error_at("Expected digits after '.' in number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error_at("Expected digits in the exponent of a number"));
            }
        }
        match self.peek() {
            None | Some(b',' | b')') => {}
            Some(b) if is_ws(b) => {}
            Some(_) => return Err(self.error_at("Unexpected character after number")),
        }
        let text = self.slice(start, self.pos)?;
        match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Number(_)) => Ok(Arg::Literal(v)),
            _ => Err(SyntaxError::new(format!(
                "Invalid number '{text}' at position {start}"
            ))),
        }
    }

    /// A path: from `$` up to the first `,`, `)` or whitespace that is not inside brackets,
    /// parentheses or a quoted name. The caller's compiler validates the text.
    fn path(&mut self) -> Result<Arg<P>, SyntaxError> {
        let start = self.pos;
        // Expected closing characters of the open brackets / parentheses.
        let mut open: Vec<u8> = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b'\'' | b'"' => {
                    // A quoted member name such as $['a, b'] or a string in a filter.
                    self.pos += 1;
                    loop {
                        match self.peek() {
                            None => {
                                return Err(SyntaxError::new(format!(
                                "Unterminated quoted name in the path starting at position {start}"
                            )))
                            }
                            Some(b'\\') => self.pos += 2,
                            Some(q) if q == b => {
                                self.pos += 1;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                    continue;
                }
                b'[' => open.push(b']'),
                b'(' => open.push(b')'),
                b')' if open.is_empty() => break,
                b']' | b')' => match open.pop() {
                    Some(expected) if expected == b => {}
                    _ => return Err(self.error_at("Unbalanced brackets in path")),
                },
                b',' if open.is_empty() => break,
                _ if open.is_empty() && is_ws(b) => break,
                _ => {}
            }
            self.pos += 1;
        }
        if !open.is_empty() {
            return Err(SyntaxError::new(format!(
                "Unbalanced brackets in the path starting at position {start}"
            )));
        }
        // `pos` may have stepped past the end after a trailing backslash in a quoted name; the
        // loop above then saw None and returned an error, so `pos` is within bounds here.
        let text = self.slice(start, self.pos)?;
        match (self.compile_path)(text) {
            Ok(p) => Ok(Arg::Path(p)),
            Err(message) => Err(SyntaxError::new(format!(
                "Invalid path '{text}' in intrinsic function call: {message}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use super::*;
    use serde_json::json;

    fn lit(v: Value) -> Arg<String> {
        Arg::Literal(v)
    }

    fn path(p: &str) -> Arg<String> {
        Arg::Path(p.to_string())
    }

    #[test]
    fn looks_like_call_table() {
        let rows = [
            ("States.Format('x')", true),
            ("States.UUID()", true),
            ("States.UUID ()", true),
            ("Foo.Bar(", true),
            ("lower(1)", true),
            ("$.a", false),
            ("$$.Execution.Id", false),
            ("$var", false),
            ("", false),
            (" States.UUID()", false),
            ("States.UUID", false),
            ("States UUID()", false),
            ("1(", false),
            ("(States.UUID())", false),
        ];
        for (text, want) in rows {
            assert_eq!(looks_like_call(text), want, "{text:?}");
        }
    }

    #[test]
    fn parses_all_argument_kinds() {
        let c = parse_ok("States.Array('a', 1, -2.5, 1e3, true, false, null, $.x, $$.Execution.Id, $var.y, States.UUID())");
        assert_eq!(c.function, Function::Array);
        assert_eq!(
            c.args,
            vec![
                lit(json!("a")),
                lit(json!(1)),
                lit(json!(-2.5)),
                lit(json!(1000.0)),
                lit(json!(true)),
                lit(json!(false)),
                lit(json!(null)),
                path("$.x"),
                path("$$.Execution.Id"),
                path("$var.y"),
                Arg::Call(Box::new(Call {
                    function: Function::Uuid,
                    args: vec![]
                })),
            ]
        );
    }

    #[test]
    fn whitespace_between_tokens() {
        let a = parse_ok("States.Array(1,2,$.x)");
        let b = parse_ok("States.Array (  1 ,\t2\n, $.x  )  ");
        assert_eq!(a, b);
        assert_eq!(parse_ok("States.Array( )").args, vec![]);
        assert_eq!(parse_ok("States.Array()").args, vec![]);
    }

    #[test]
    fn string_escapes() {
        let rows = [
            (r"States.Array('it\'s')", "it's"),
            (r"States.Array('\{\}')", "{}"),
            (r"States.Array('a\\b')", r"a\b"),
            (r"States.Array('\\\\')", r"\\"),
            (r"States.Array('')", ""),
            (r"States.Array('{}')", "{}"),
            (r"States.Array('日本語 𝄞')", "日本語 𝄞"),
            (r"States.Array('a,b)c')", "a,b)c"),
            (r#"States.Array('"quoted"')"#, "\"quoted\""),
        ];
        for (text, want) in rows {
            assert_eq!(parse_ok(text).args, vec![lit(json!(want))], "{text}");
        }
    }

    #[test]
    fn format_template_keeps_placeholders_apart_from_escaped_braces() {
        let c = parse_ok(r"States.Format('a{}b\{}c{\}d{}', 1, 2)");
        assert_eq!(
            c.args.first(),
            Some(&Arg::Template(Template {
                segments: vec!["a".into(), "b{}c{}d".into(), "".into()]
            }))
        );
        let c = parse_ok(r"States.Format('{{}}')");
        assert_eq!(
            c.args.first(),
            Some(&Arg::Template(Template {
                segments: vec!["{".into(), "}".into()]
            }))
        );
        // Only Format's first argument is a template.
        let c = parse_ok(r"States.Format('{}', '{}')");
        assert_eq!(c.args.get(1), Some(&lit(json!("{}"))));
        // A path template stays a path.
        let c = parse_ok(r"States.Format($.t, 1)");
        assert_eq!(c.args.first(), Some(&path("$.t")));
    }

    #[test]
    fn numbers() {
        let rows = [
            ("0", json!(0)),
            ("-0", serde_json::from_str::<Value>("-0").unwrap()),
            ("42", json!(42)),
            ("-7", json!(-7)),
            ("1.5", json!(1.5)),
            ("-1.50", json!(-1.5)),
            ("2e2", json!(200.0)),
            ("2E-2", json!(0.02)),
            ("1.5e+1", json!(15.0)),
            ("9223372036854775807", json!(i64::MAX)),
            ("18446744073709551615", json!(u64::MAX)),
            ("99999999999999999999", json!(1e20)),
        ];
        for (text, want) in rows {
            let c = parse_ok(&format!("States.Array({text})"));
            assert_eq!(c.args, vec![lit(want)], "{text}");
        }
    }

    #[test]
    fn paths_with_brackets_quotes_and_filters() {
        let rows = [
            ("States.Array($)", "$"),
            ("States.Array($$)", "$$"),
            ("States.Array($.a[0])", "$.a[0]"),
            ("States.Array($['a, b'])", "$['a, b']"),
            ("States.Array($[\"x)\"])", "$[\"x)\"]"),
            ("States.Array($.a[?(@.b == 1)])", "$.a[?(@.b == 1)]"),
            ("States.Array($.a[(@.length-1)])", "$.a[(@.length-1)]"),
            ("States.Array($.a.b.c )", "$.a.b.c"),
        ];
        for (text, want) in rows {
            assert_eq!(parse_ok(text).args, vec![path(want)], "{text}");
        }
        let c = parse_ok("States.Array($.a, $['b,c'], $.d)");
        assert_eq!(c.args, vec![path("$.a"), path("$['b,c']"), path("$.d")]);
    }

    #[test]
    fn path_compiler_errors_become_syntax_errors() {
        let mut reject = |p: &str| -> Result<String, String> {
            if p.contains("bad") {
                Err("no good".to_string())
            } else {
                Ok(p.to_string())
            }
        };
        let err = parse("States.Array($.bad)", &mut reject).unwrap_err();
        assert!(err.message.contains("Invalid path '$.bad'"), "{err}");
        assert!(err.message.contains("no good"), "{err}");
        assert!(parse("States.Array($.ok)", &mut reject).is_ok());
    }

    #[test]
    fn nesting_limit() {
        fn nested(levels: usize) -> String {
            let mut s = String::from("States.Array()");
            for _ in 1..levels {
                s = format!("States.Array({s})");
            }
            s
        }
        assert!(try_parse(&nested(MAX_NESTING)).is_ok());
        let err = try_parse(&nested(MAX_NESTING + 1)).unwrap_err();
        assert!(err.message.contains("nested at most 10"), "{err}");
        // Deep garbage does not recurse without bound.
        let deep = "States.Array(".repeat(100_000);
        assert!(try_parse(&deep).is_err());
    }

    #[test]
    fn syntax_errors() {
        check_syntax_err(&[
            ("", "Empty"),
            ("$.a", "must start with a function name"),
            (" States.UUID()", "must start with a function name"),
            (
                "States.Unknown()",
                "Unknown intrinsic function 'States.Unknown'",
            ),
            (
                "States.format('x')",
                "Unknown intrinsic function 'States.format'",
            ),
            ("States.uuid()", "Unknown intrinsic function"),
            ("Format('x')", "Unknown intrinsic function"),
            ("States.UUID", "Expected '('"),
            ("States.UUID(", "Unexpected end"),
            ("States.Array(1", "Missing ')'"),
            ("States.Array(1 2)", "Expected ',' or ')'"),
            ("States.Array(1,)", "Expected an argument"),
            ("States.Array(,1)", "Expected an argument"),
            ("States.Array(1,,2)", "Expected an argument"),
            ("States.UUID() x", "Unexpected text after"),
            ("States.UUID()States.UUID()", "Unexpected text after"),
            ("States.Array('abc)", "Unterminated string literal"),
            ("States.Array('abc\\", "Unterminated string literal"),
            (r#"States.Array('say \"hi\"')"#, "Invalid escape sequence"),
            (r"States.Array('\n')", "Invalid escape sequence"),
            (r"States.Array('\u0041')", "Invalid escape sequence"),
            (r"States.Array('\ ')", "Invalid escape sequence"),
            (r"States.Array(\'a')", "backslash"),
            (r#"States.Array("double")"#, "Expected an argument"),
            ("States.Array(True)", "Unexpected token 'True'"),
            ("States.Array(NULL)", "Unexpected token 'NULL'"),
            ("States.Array(abc)", "Unexpected token 'abc'"),
            ("States.Array(+1)", "Expected an argument"),
            ("States.Array(.5)", "Expected an argument"),
            ("States.Array(5.)", "Expected digits after '.'"),
            ("States.Array(1e)", "exponent"),
            ("States.Array(-)", "Expected digits"),
            ("States.Array(01)", "Invalid number '01'"),
            ("States.Array(1e999)", "Invalid number"),
            ("States.Array(12abc)", "Unexpected character after number"),
            ("States.Array($.a[0)", "Unbalanced brackets"),
            ("States.Array($['a)", "Unterminated quoted name"),
            ("States.Array(x)", "Unexpected token 'x'"),
            (
                "States.StringSplit('a')",
                "States.StringSplit takes exactly 2 arguments but was given 1",
            ),
            (
                "States.UUID(1)",
                "States.UUID takes exactly 0 arguments but was given 1",
            ),
            (
                "States.Format()",
                "States.Format takes at least 1 argument but was given 0",
            ),
            (
                "States.MathRandom(1)",
                "States.MathRandom takes 2 to 3 arguments",
            ),
            (
                "States.MathRandom(1, 2, 3, 4)",
                "States.MathRandom takes 2 to 3 arguments",
            ),
            ("States.JsonMerge($.a, $.b)", "exactly 3 arguments"),
            ("States.ArrayRange(1, 2)", "exactly 3 arguments"),
            ("States.ArrayLength()", "exactly 1 argument"),
            (
                "States.Array(States.Nope())",
                "Unknown intrinsic function 'States.Nope'",
            ),
            (
                "States.Array(States.UUID(1))",
                "States.UUID takes exactly 0",
            ),
            // No indexing of call results.
            ("States.StringSplit('a,b', ',')[0]", "Unexpected text after"),
        ]);
    }

    #[test]
    fn arity_of_every_function_at_parse_time() {
        for f in Function::ALL {
            for n in 0..5usize {
                let args = vec!["1"; n].join(", ");
                let text = format!("{}({args})", f.name());
                assert_eq!(try_parse(&text).is_ok(), f.accepts_arg_count(n), "{text}");
            }
        }
    }

    #[test]
    fn unicode_around_syntax_does_not_panic() {
        for text in [
            "States.Array('é",
            "States.Array(é)",
            "States.Array($.é, 'ü')",
            "States.Array('𝄞'",
            "é(",
            "States.Array($['𝄞\\",
        ] {
            let _ = try_parse(text);
        }
        assert_eq!(
            parse_ok("States.Array($.é, 'ü')").args,
            vec![path("$.é"), lit(json!("ü"))]
        );
    }
}
