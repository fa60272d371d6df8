//! Printing a result as JSON: pretty (two-space indentation) while that stays small, compact
//! otherwise.
//!
//! Indentation grows with nesting: a value nested 20,000 levels deep is 100 KB of compact JSON
//! but 800 MB pretty-printed. A result is therefore pretty-printed only when its pretty text is
//! at most [`PRETTY_LIMIT`] bytes; a larger one is written compact, on one line, which is never
//! larger than the data itself. Either way the text is written as it is produced (the events of
//! a long history are rendered one at a time), never built whole first.

use std::io::{self, Write};

use serde::Serialize;

/// The largest pretty text printed: 1 MiB. Above it, results are printed compact.
pub const PRETTY_LIMIT: usize = 1 << 20;

/// How to lay out a printed result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Pretty when the pretty text is at most [`PRETTY_LIMIT`] bytes, compact otherwise.
    Auto,
    /// Always compact.
    Compact,
}

/// Collects up to a limit and fails past it, so that measuring stops early.
struct Capped {
    buf: Vec<u8>,
    limit: usize,
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > self.limit {
            return Err(io::Error::other("over the pretty-print limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The pretty text of `value` if it is at most `limit` bytes.
fn pretty_within<T: Serialize + ?Sized>(value: &T, limit: usize) -> Option<Vec<u8>> {
    let mut capped = Capped {
        buf: Vec::new(),
        limit,
    };
    serde_json::to_writer_pretty(&mut capped, value).ok()?;
    Some(capped.buf)
}

/// Writes `value` and a newline to `out` in `layout`; `limit` is the pretty-print limit.
pub fn write_json<T: Serialize + ?Sized>(
    out: &mut impl Write,
    value: &T,
    layout: Layout,
    limit: usize,
) -> io::Result<()> {
    let pretty = match layout {
        Layout::Auto => pretty_within(value, limit),
        Layout::Compact => None,
    };
    match pretty {
        Some(text) => out.write_all(&text)?,
        None => {
            let mut w = io::BufWriter::with_capacity(1 << 16, &mut *out);
            serde_json::to_writer(&mut w, value).map_err(io::Error::other)?;
            w.flush()?;
        }
    }
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes `value` to stdout in `layout` with the [`PRETTY_LIMIT`].
pub fn print_json<T: Serialize + ?Sized>(value: &T, layout: Layout) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    write_json(&mut out, value, layout, PRETTY_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn written(v: &Value, layout: Layout, limit: usize) -> String {
        let mut out = Vec::new();
        write_json(&mut out, v, layout, limit).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn nested(depth: usize) -> Value {
        let mut v = json!({});
        for _ in 0..depth {
            v = json!({ "a": v });
        }
        v
    }

    #[test]
    fn small_results_are_pretty_and_compact_on_request() {
        let v = json!({"status": "SUCCEEDED", "output": [1, 2]});
        assert_eq!(
            written(&v, Layout::Auto, PRETTY_LIMIT),
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
        );
        assert_eq!(
            written(&v, Layout::Compact, PRETTY_LIMIT),
            "{\"status\":\"SUCCEEDED\",\"output\":[1,2]}\n"
        );
    }

    #[test]
    fn a_result_whose_pretty_text_passes_the_limit_is_compact() {
        let v = nested(50);
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        let compact = serde_json::to_string(&v).unwrap();
        // Exactly at the limit: pretty; one byte less room: compact.
        assert_eq!(
            written(&v, Layout::Auto, pretty.len()),
            format!("{pretty}\n")
        );
        assert_eq!(
            written(&v, Layout::Auto, pretty.len() - 1),
            format!("{compact}\n")
        );
    }

    #[test]
    fn deep_nesting_prints_about_its_compact_size() {
        // 2,000 levels: about 8 MB pretty, 10 KB compact. Deep values are built, written and
        // dropped recursively, so on a large stack as the CLI does.
        let (text, compact) = crate::harness::with_big_stack(|| {
            let v = nested(2_000);
            let text = written(&v, Layout::Auto, PRETTY_LIMIT);
            (text, serde_json::to_string(&v).unwrap())
        })
        .unwrap();
        assert_eq!(text, format!("{compact}\n"));
    }
}
