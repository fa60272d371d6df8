//! How deeply a definition nests, found in one linear pass before it is parsed.
//!
//! AWS documents no nesting-depth limit for definitions or payloads (its documented limits are
//! sizes: 1,048,576 characters of definition, 256 KiB of state data —
//! <https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>). The bound here,
//! [`MAX_NESTING`], protects this process only: parsing is recursive, and the YAML parser's
//! scanner takes time quadratic in the depth of flow collections (`{a: {a: …}}` 100,000 levels
//! deep took over a minute to reject). It is the recursion limit the JSON parser (serde_json)
//! applies anyway; YAML is held to the same bound, so both formats refuse the same documents,
//! and this pass makes YAML refuse them at once.
//!
//! The pass follows YAML's lexical structure far enough to count flow collections (`[`, `{`)
//! exactly: it skips comments, quoted scalars, block scalars (`|`, `>`) and plain scalars,
//! including their continuation lines, and counts a bracket in block context only where a node
//! can start. Block collections are not counted here: they cost the parser no more than their
//! length, its recursion limit refuses them beyond 128 levels, and the loader measures the
//! parsed value against [`MAX_NESTING`].

/// The deepest nesting accepted in a definition or an execution input: 127 arrays or objects
/// inside one another, what serde_json's recursion limit accepts (serde_yaml_ng's accepts one
/// more; YAML is held to the same bound). Not an AWS rule (see the module docs).
pub const MAX_NESTING: usize = 127;

/// How many arrays or objects nest inside one another in `v` (0 for a scalar). Recursive:
/// for values that a parser has just built within [`MAX_NESTING`] or so.
pub fn value_depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(value_depth).max().unwrap_or(0),
        serde_json::Value::Object(m) => 1 + m.values().map(value_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Where flow collections in YAML `text` first nest deeper than `limit`: 1-based line and
/// column (in characters). `None` when they never do.
pub fn yaml_flow_too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        indents: Vec::new(),
    };
    s.run(limit).map(|i| s.location(i))
}

/// What the lines after the current one continue, if they are indented more than a column.
#[derive(Clone, Copy)]
enum Pending {
    None,
    /// A plain scalar that may go on over more-indented lines.
    Plain(isize),
    /// The content of a block scalar.
    Block(isize),
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    line: usize,
    line_start: usize,
    /// Columns of the open block collections (libyaml's indentation stack).
    indents: Vec<usize>,
}

fn blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0)
}

impl Scan<'_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn indent(&self) -> isize {
        self.indents.last().map_or(-1, |&c| c as isize)
    }

    fn roll(&mut self, col: usize) {
        if self.indent() < col as isize {
            self.indents.push(col);
        }
    }

    fn location(&self, i: usize) -> (usize, usize) {
        let col = self.b[self.line_start..i]
            .iter()
            .filter(|&&c| c & 0xC0 != 0x80)
            .count();
        (self.line, col + 1)
    }

    /// Consumes the newline at `self.i`.
    fn newline(&mut self) {
        self.i += 1;
        self.line += 1;
        self.line_start = self.i;
    }

    fn skip_to_eol(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    fn skip_word(&mut self) {
        while !blank(self.at(self.i)) {
            self.i += 1;
        }
    }

    /// Skips a quoted scalar starting at `self.i` (its closing quote included).
    fn quoted(&mut self) {
        let q = self.b[self.i];
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\n' => self.newline(),
                b'\\' if q == b'"' => {
                    self.i += 1;
                    if self.at(self.i) == b'\n' {
                        self.newline();
                    } else if self.i < self.b.len() {
                        self.i += 1;
                    }
                }
                b'\'' if q == b'\'' && self.at(self.i + 1) == b'\'' => self.i += 2,
                c if c == q => {
                    self.i += 1;
                    return;
                }
                _ => self.i += 1,
            }
        }
    }

    /// Scans a flow collection starting at `self.i` to its end; the offset of the bracket that
    /// nests deeper than `limit`, if one does.
    fn flow(&mut self, limit: usize) -> Option<usize> {
        let mut depth = 0usize;
        // The last character that is not white space: a quote starts a quoted scalar only where
        // a node can start, after `[`, `{`, `,`, `:` or `?`.
        let mut prev = b'[';
        while self.i < self.b.len() {
            let c = self.b[self.i];
            match c {
                b'[' | b'{' => {
                    depth += 1;
                    if depth > limit {
                        return Some(self.i);
                    }
                    self.i += 1;
                }
                b']' | b'}' => {
                    self.i += 1;
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return None;
                    }
                }
                b'"' | b'\'' if matches!(prev, b'[' | b'{' | b',' | b':' | b'?') => self.quoted(),
                b'#' if self.i == 0 || blank(self.b[self.i - 1]) => self.skip_to_eol(),
                b'\n' => {
                    self.newline();
                    continue;
                }
                _ => self.i += 1,
            }
            if !blank(c) {
                prev = c;
            }
        }
        None
    }

    fn run(&mut self, limit: usize) -> Option<usize> {
        let mut pending = Pending::None;
        while self.i < self.b.len() {
            let start = self.i;
            let mut ind = 0;
            while self.at(start + ind) == b' ' {
                ind += 1;
            }
            let first = self.at(start + ind);
            let empty = matches!(first, b'\n' | b'\r' | b'\t' | 0);
            let more = |t: isize| ind as isize > t;
            let skip = match pending {
                Pending::Block(t) => empty || more(t),
                Pending::Plain(t) => empty || (more(t) && first != b'#'),
                Pending::None => false,
            };
            if skip || empty || first == b'#' {
                if !skip {
                    pending = Pending::None;
                }
                self.skip_to_eol();
                if self.i < self.b.len() {
                    self.newline();
                }
                continue;
            }
            while self.indent() > ind as isize {
                self.indents.pop();
            }
            self.i = start + ind;
            pending = match self.line(limit) {
                Ok(p) => p,
                Err(at) => return Some(at),
            };
            if self.i < self.b.len() {
                self.newline();
            }
        }
        None
    }

    /// Scans the tokens of one line in block context, up to its newline (a flow collection or
    /// a quoted scalar may carry it over several lines).
    fn line(&mut self, limit: usize) -> Result<Pending, usize> {
        let mut node_start = true;
        let mut node_col = 0;
        loop {
            while matches!(self.at(self.i), b' ' | b'\t') {
                self.i += 1;
            }
            let c = self.at(self.i);
            if matches!(c, b'\n' | 0) {
                return Ok(Pending::None);
            }
            if c == b'#' {
                self.skip_to_eol();
                return Ok(Pending::None);
            }
            let col = self.i - self.line_start;
            if !node_start {
                // After a node: a `:` makes it a key, anything else ends the line's structure.
                if c == b':' && blank(self.at(self.i + 1)) {
                    self.roll(node_col);
                    self.i += 1;
                    node_start = true;
                } else {
                    self.skip_to_eol();
                    return Ok(Pending::None);
                }
                continue;
            }
            if col == 0 {
                let marker = &self.b[self.i..self.b.len().min(self.i + 3)];
                if (marker == b"---" || marker == b"...") && blank(self.at(self.i + 3)) {
                    self.indents.clear();
                    self.i += 3;
                    continue;
                }
                if c == b'%' {
                    self.skip_to_eol();
                    return Ok(Pending::None);
                }
            }
            match c {
                b'-' | b'?' if blank(self.at(self.i + 1)) => {
                    self.roll(col);
                    self.i += 1;
                }
                b':' if blank(self.at(self.i + 1)) => self.i += 1,
                b'!' | b'&' => self.skip_word(),
                b'*' => {
                    self.skip_word();
                    node_start = false;
                    node_col = col;
                }
                b'[' | b'{' => {
                    if let Some(at) = self.flow(limit) {
                        return Err(at);
                    }
                    node_start = false;
                    node_col = col;
                }
                b'|' | b'>' => {
                    self.skip_to_eol();
                    return Ok(Pending::Block(self.indent()));
                }
                b'"' | b'\'' => {
                    self.quoted();
                    node_start = false;
                    node_col = col;
                }
                _ => {
                    // A plain scalar: to `: ` (a key), ` #` (a comment) or the end of the line.
                    loop {
                        let c = self.at(self.i);
                        if matches!(c, b'\n' | 0) {
                            return Ok(Pending::Plain(self.indent()));
                        }
                        if c == b':' && blank(self.at(self.i + 1)) {
                            self.roll(col);
                            self.i += 1;
                            break;
                        }
                        if c == b'#' && blank(self.b[self.i - 1]) {
                            self.skip_to_eol();
                            return Ok(Pending::None);
                        }
                        self.i += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(text: &str, limit: usize) -> bool {
        yaml_flow_too_deep(text, limit).is_none()
    }

    #[test]
    fn flow_collections_are_counted() {
        assert!(depth_ok("a: [[1]]\n", 2));
        assert_eq!(yaml_flow_too_deep("a: [[[1]]]\n", 2), Some((1, 6)));
        assert_eq!(
            yaml_flow_too_deep("a:\n  - {b: [{c: 1}]}\n", 2),
            Some((2, 10))
        );
        let deep = format!("{}1{}", "{a: ".repeat(200), "}".repeat(200));
        assert_eq!(yaml_flow_too_deep(&deep, 128), Some((1, 4 * 128 + 1)));
    }

    #[test]
    fn brackets_inside_scalars_and_comments_are_not_counted() {
        let text = "\
Comment: see [[[the docs]]] # [[[[
Quoted: \"[[[[\"
Single: '[[[[ it''s [['
Block: |
  [[[[[[
  {{{{{{
Folded: >-
    [[[[
Plain: a long text
  [[[[ that goes on
  on the next lines [[[[
Flow: [\"[[[[\", '{{{{', x] # [[[[
Next: [1]
";
        assert!(depth_ok(text, 1), "{:?}", yaml_flow_too_deep(text, 1));
        assert_eq!(
            yaml_flow_too_deep(&format!("{text}Last: [[1]]\n"), 1),
            Some((14, 8))
        );
    }

    #[test]
    fn nested_block_collections_and_documents() {
        let text = "\
---
States:
  - - [x]
    - key: [[y]]
--- [[z]]
";
        assert!(depth_ok(text, 2));
        assert_eq!(yaml_flow_too_deep(text, 1), Some((4, 13)));
    }

    #[test]
    fn unterminated_or_empty_documents_end() {
        assert!(depth_ok("", 1));
        assert!(depth_ok("[[", 2));
        assert!(!depth_ok("[[[", 2));
        assert!(depth_ok("'unterminated [[[[", 1));
        assert!(depth_ok("a: \"x\\", 1));
    }
}
