//! The parser: path text to [`Path`], including filter expressions, their
//! literals (JSON, `/regex/flags`, numbers) and the nesting limit.

use regex::Regex;
use serde_json::{Map, Number, Value};

use super::ast::{Decimal, Expr, Literal, Op, Operand, Path, PathSyntaxError, Pattern, Root, Step};
use super::MAX_NESTING;

fn syntax<T>(message: impl Into<String>) -> Result<T, PathSyntaxError> {
    Err(PathSyntaxError {
        message: message.into(),
    })
}

pub(super) fn parse_path(
    text: &str,
    in_filter: bool,
    depth: usize,
) -> Result<Path, PathSyntaxError> {
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

#[cfg(test)]
mod tests {
    use crate::data::path::testing::*;
    use serde_json::json;

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
}
