//! The JSON-lines protocol (`docs/protocol.md`): reading the adapter's lines (each at most
//! [`MAX_LINE_BYTES`]), and the answers to `start` and `run`, parsed into what the adapter says
//! about itself and raw observations.

use std::io::{self, BufRead};

use serde_json::Value;

use crate::backend::{Capabilities, Diagnostic, Mode, Observation};

/// The protocol version this runner speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// The longest line an adapter may write (16 MiB, the newline not counted). A longer line is a
/// protocol error: the runner stops reading it there, so an adapter that writes without end
/// (`cat /dev/zero`) costs at most this much memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// How reading one line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// A whole line is in the buffer (without its `\n` or `\r\n`). A last line without a
    /// newline counts as a line.
    Line,
    /// The stream ended before any byte of a line.
    End,
    /// The line is longer than the limit; the buffer holds its first `max` bytes and the rest
    /// is left unread.
    TooLong,
}

/// Reads one line of at most `max` bytes into `buf` (cleared first), never holding more than
/// `max` bytes of it however long the line is.
pub fn read_line(reader: &mut impl BufRead, max: usize, buf: &mut Vec<u8>) -> io::Result<LineRead> {
    buf.clear();
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(if buf.is_empty() {
                LineRead::End
            } else {
                LineRead::Line
            });
        }
        let newline = chunk.iter().position(|&b| b == b'\n');
        let take = newline.unwrap_or(chunk.len());
        if buf.len() + take > max {
            let room = max - buf.len();
            buf.extend_from_slice(&chunk[..room]);
            reader.consume(room);
            return Ok(LineRead::TooLong);
        }
        buf.extend_from_slice(&chunk[..take]);
        match newline {
            Some(i) => {
                reader.consume(i + 1);
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                return Ok(LineRead::Line);
            }
            None => reader.consume(take),
        }
    }
}

/// What the adapter said about itself in answer to `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct Implementation {
    pub name: String,
    pub version: Option<String>,
    /// The whole `implementation` object (language, homepage, …).
    pub info: Value,
    pub capabilities: Capabilities,
}

/// Parses the answer to `start`.
pub fn parse_start(line: &str) -> Result<Implementation, String> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {}", clip(line)))?;
    let version = v.get("version").and_then(Value::as_u64);
    if version != Some(PROTOCOL_VERSION) {
        return Err(format!(
            "protocol version {}; this runner speaks {PROTOCOL_VERSION}",
            v.get("version")
                .map_or("missing".to_string(), Value::to_string)
        ));
    }
    let info = v
        .get("implementation")
        .filter(|i| i.is_object())
        .ok_or("no implementation object")?;
    let name = info
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("implementation.name must be a non-empty string")?;
    let caps = v
        .get("capabilities")
        .filter(|c| c.is_object())
        .ok_or("no capabilities object")?;
    let mut modes = Vec::new();
    for m in caps
        .get("modes")
        .and_then(Value::as_array)
        .ok_or("capabilities.modes must be an array")?
    {
        let s = m.as_str().ok_or("capabilities.modes holds strings")?;
        modes.push(
            Mode::parse(s).ok_or_else(|| format!("unknown mode {s:?} in capabilities.modes"))?,
        );
    }
    let history = caps
        .get("history")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let query_languages = caps
        .get("query_languages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_else(|| vec!["JSONPath".to_string()]);
    let flag = |name: &str| caps.get(name).and_then(Value::as_bool).unwrap_or(true);
    Ok(Implementation {
        name: name.to_string(),
        version: info
            .get("version")
            .and_then(Value::as_str)
            .map(String::from),
        info: info.clone(),
        capabilities: Capabilities {
            modes,
            history,
            query_languages,
            fixtures: flag("fixtures"),
            resources: flag("resources"),
            variables: flag("variables"),
            // Newer than the protocol's first version: an adapter says it has them.
            callbacks: caps
                .get("callbacks")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ecs: caps.get("ecs").and_then(Value::as_bool).unwrap_or(false),
        },
    })
}

fn clip(s: &str) -> String {
    if s.len() <= 200 {
        return s.to_string();
    }
    let mut end = 200;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Parses the answer to `run` number `seq` into an observation, or says what is wrong with it.
pub fn parse_reply(line: &str, seq: u64, mode: Mode) -> Result<Observation, String> {
    let v: Value = serde_json::from_str(line)
        .map_err(|e| format!("wrote something that is not JSON ({e}): {}", clip(line)))?;
    if v.get("seq").and_then(Value::as_u64) != Some(seq) {
        return Err(format!(
            "answered with seq {} instead of {seq}",
            v.get("seq").map_or("missing".to_string(), Value::to_string)
        ));
    }
    let message = |x: &Value| -> Result<String, String> {
        x.get("message")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| "a skipped or errored reply needs a string message".to_string())
    };
    if let Some(s) = v.get("skipped") {
        return Ok(Observation::Skipped(message(s)?));
    }
    if let Some(e) = v.get("errored") {
        let mut m = message(e)?;
        if let Some(c) = e.get("context").filter(|c| !c.is_null()) {
            m.push_str(&format!(" (context: {c})"));
        }
        return Ok(Observation::Errored(m));
    }
    let r = v
        .get("result")
        .filter(|r| r.is_object())
        .ok_or("the reply has none of result, skipped, errored")?;
    let opt_string = |k: &str| -> Result<Option<String>, String> {
        match r.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("result.{k} must be a string or null, not {other}")),
        }
    };
    match mode {
        Mode::Validate => {
            let valid = r
                .get("valid")
                .and_then(Value::as_bool)
                .ok_or("result.valid must be a boolean (mode validate)")?;
            let mut diagnostics = Vec::new();
            for d in r
                .get("diagnostics")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                diagnostics.push(Diagnostic {
                    code: d
                        .get("code")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    message: d
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    location: d.get("location").and_then(Value::as_str).map(String::from),
                });
            }
            Ok(Observation::Validation { valid, diagnostics })
        }
        Mode::Execution | Mode::TestState => {
            let status = r
                .get("status")
                .and_then(Value::as_str)
                .ok_or("result.status must be a string")?;
            let history = match r.get("history") {
                None | Some(Value::Null) => None,
                Some(Value::Array(a)) => Some(a.clone()),
                Some(_) => return Err("result.history must be an array".into()),
            };
            Ok(Observation::Execution {
                status: status.to_string(),
                output: r.get("output").cloned().filter(|o| !o.is_null()),
                error: opt_string("error")?,
                cause: opt_string("cause")?,
                history,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(LineRead, Vec<u8>)> {
        // A small buffer, so lines span several fills.
        let mut r = io::BufReader::with_capacity(3, input);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let how = read_line(&mut r, max, &mut buf).unwrap();
            out.push((how, buf.clone()));
            if how != LineRead::Line {
                return out;
            }
        }
    }

    #[test]
    fn lines_are_read_up_to_the_limit() {
        use LineRead::*;
        assert_eq!(
            lines(b"ab\r\ncdefg\n\nlast", 5),
            vec![
                (Line, b"ab".to_vec()),
                (Line, b"cdefg".to_vec()),
                (Line, b"".to_vec()),
                (Line, b"last".to_vec()),
                (End, b"".to_vec()),
            ]
        );
        // One byte over the limit: the reader stops at the limit.
        assert_eq!(
            lines(b"ok\nabcdef\nnever read\n", 5),
            vec![(Line, b"ok".to_vec()), (TooLong, b"abcde".to_vec())]
        );
        // An endless line costs at most the limit.
        let mut zeros = io::BufReader::new(io::repeat(0));
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut zeros, 1000, &mut buf).unwrap(), TooLong);
        assert_eq!(buf.len(), 1000);
        assert_eq!(lines(b"", 5), vec![(End, vec![])]);
    }
}
