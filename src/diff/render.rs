//! Render differences for people: the list of mismatches (JSON Pointers) and a unified diff of
//! the expected and observed results (via `similar`), coloured only when asked to — callers pass
//! [`use_colour`] for a terminal.
//!
//! Both sides are normalised with one [`Normaliser`] before diffing so that a UUID or timestamp
//! does not produce noise, and parts of the expected value that matched a pattern are replaced
//! by what was observed ([`compare::instantiate`]), so the diff shows only real differences.

use std::io::IsTerminal;

use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

use super::compare::{self, diagnostic_expectation_json, diagnostic_json, Fit, Mismatch};
use super::normalise::Normaliser;
use crate::backend::Observation;
use crate::corpus::case::{
    ExecutionExpectation, Expected, HistoryConstraint, ValidationExpectation,
};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// `--color auto|always|never`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

/// Whether to colour what goes to standard output (where diffs are printed): `--color always`
/// or `never` as given; `auto` colours when standard output is a terminal and `NO_COLOR` is
/// not set (<https://no-color.org>). A diff redirected to a file carries no escape codes.
pub fn use_colour(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    }
}

/// Lines of one diff printed before the rest is cut with a note ([`cut`]); reports keep whole
/// diffs.
pub const MAX_DIFF_LINES: usize = 400;

/// A unified diff of two texts (`--- expected` / `+++ observed`), empty when they are equal.
pub fn unified(expected: &str, observed: &str, colour: bool) -> String {
    if expected == observed {
        return String::new();
    }
    let diff = TextDiff::from_lines(expected, observed);
    let mut out = String::new();
    out.push_str("--- expected\n+++ observed\n");
    for group in diff.grouped_ops(3) {
        let (first, last) = match (group.first(), group.last()) {
            (Some(f), Some(l)) => (f, l),
            _ => continue,
        };
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        let header = format!(
            "@@ -{},{} +{},{} @@\n",
            old.start + 1,
            old.len(),
            new.start + 1,
            new.len()
        );
        if colour {
            out.push_str(CYAN);
            out.push_str(&header);
            out.push_str(RESET);
        } else {
            out.push_str(&header);
        }
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, col) = match change.tag() {
                    ChangeTag::Delete => ('-', RED),
                    ChangeTag::Insert => ('+', GREEN),
                    ChangeTag::Equal => (' ', ""),
                };
                let line = change.value();
                if colour && !col.is_empty() {
                    out.push_str(col);
                }
                out.push(sign);
                out.push_str(line.strip_suffix('\n').unwrap_or(line));
                if colour && !col.is_empty() {
                    out.push_str(RESET);
                }
                out.push('\n');
            }
        }
    }
    out
}

/// `text` cut to `max` characters, with `…` where it was cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// `text` cut after `max` lines, with a note of how many were left out.
pub fn cut(text: String, max: usize) -> String {
    let total = text.lines().count();
    if total <= max {
        return text;
    }
    let mut out: String = text.lines().take(max).flat_map(|l| [l, "\n"]).collect();
    out.push_str(&format!(
        "… {} more lines of this diff left out (--report DIR keeps whole diffs in results.jsonl)\n",
        total - max
    ));
    out
}

pub use crate::corpus::write::pretty;

/// The mismatches on one line, `; ` between them (reports, summaries).
pub fn mismatch_line(mismatches: &[Mismatch]) -> String {
    mismatches
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The mismatches, one a line.
pub fn mismatch_list(mismatches: &[Mismatch]) -> String {
    let mut out = String::new();
    for m in mismatches {
        out.push_str("  ");
        out.push_str(&m.to_string());
        out.push('\n');
    }
    out
}

/// A report of a failed comparison: the mismatches and a diff of the closest alternative.
pub fn report(
    expected: &Expected,
    observation: &Observation,
    mismatches: &[Mismatch],
    colour: bool,
) -> String {
    let mut out = String::from("mismatches:\n");
    out.push_str(&mismatch_list(mismatches));
    let (index, alternatives) = match compare::closest(expected, observation) {
        Ok((i, _)) => (
            i,
            match expected {
                Expected::Execution(a) => a.len(),
                Expected::Validation(a) => a.len(),
            },
        ),
        Err(_) => return out,
    };
    let (exp_view, obs_view) = match (expected, observation) {
        (Expected::Execution(alts), Observation::Execution { .. }) => {
            execution_views(&alts[index], observation)
        }
        (Expected::Validation(alts), Observation::Validation { valid, diagnostics }) => {
            validation_views(&alts[index], *valid, diagnostics)
        }
        _ => return out,
    };
    let mut n = Normaliser::new();
    let exp_text = pretty(&n.value(&exp_view));
    let obs_text = pretty(&n.value(&obs_view));
    if alternatives > 1 {
        out.push_str(&format!(
            "closest alternative: any_of/{index} (of {alternatives})\n"
        ));
    }
    out.push_str(&unified(&exp_text, &obs_text, colour));
    out
}

fn execution_views(e: &ExecutionExpectation, observation: &Observation) -> (Value, Value) {
    let Observation::Execution {
        status,
        output,
        error,
        cause,
        history,
    } = observation
    else {
        return (Value::Null, Value::Null);
    };
    let mut exp = Map::new();
    let mut obs = Map::new();
    exp.insert("status".into(), Value::String(e.status.clone()));
    obs.insert("status".into(), Value::String(status.clone()));
    let fields = [
        ("output", &e.output, output.clone()),
        ("error", &e.error, error.clone().map(Value::String)),
        ("cause", &e.cause, cause.clone().map(Value::String)),
    ];
    for (name, x, actual) in fields {
        let actual = actual.unwrap_or(Value::Null);
        // Show a field when the case checks it or the backend produced it.
        if let Some(x) = x {
            exp.insert(
                name.into(),
                compare::instantiate(x, Some(&actual), Fit::Exact),
            );
        } else if actual.is_null() {
            continue;
        }
        obs.insert(name.into(), actual);
    }
    let types: Option<&Vec<String>> = e.history.iter().find_map(|c| match c {
        HistoryConstraint::Types(t) => Some(t),
        HistoryConstraint::Events(_) | HistoryConstraint::Counts(_) => None,
    });
    if let Some(t) = types {
        exp.insert("history types".into(), Value::from(t.clone()));
        let observed: Vec<Value> = history
            .iter()
            .flatten()
            .map(|ev| ev.get("type").cloned().unwrap_or(Value::Null))
            .collect();
        obs.insert("history types".into(), Value::Array(observed));
    }
    (Value::Object(exp), Value::Object(obs))
}

fn validation_views(
    e: &ValidationExpectation,
    valid: bool,
    diagnostics: &[crate::backend::Diagnostic],
) -> (Value, Value) {
    let exp = serde_json::json!({
        "valid": e.valid,
        "diagnostics": e.diagnostics.iter().map(diagnostic_expectation_json).collect::<Vec<_>>(),
    });
    let obs = serde_json::json!({
        "valid": valid,
        "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
    (exp, obs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clip_cuts_on_characters() {
        use super::clip;
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("ééé", 2), "éé…");
        assert_eq!(clip("", 0), "");
    }

    #[test]
    fn long_diffs_are_cut_with_a_note() {
        let text: String = (0..10).map(|i| format!("line {i}\n")).collect();
        assert_eq!(cut(text.clone(), 10), text);
        let c = cut(text, 4);
        assert_eq!(c.lines().count(), 5);
        assert!(c.ends_with("… 6 more lines of this diff left out (--report DIR keeps whole diffs in results.jsonl)\n"), "{c}");
    }

    #[test]
    fn colour_choices() {
        assert!(use_colour(ColorChoice::Always));
        assert!(!use_colour(ColorChoice::Never));
    }

    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\n", "a\n", false), "");
    }

    #[test]
    fn plain_unified_diff() {
        let d = unified("a\nb\nc\n", "a\nx\nc\n", false);
        assert_eq!(
            d,
            "--- expected\n+++ observed\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n"
        );
        assert!(!d.contains('\x1b'));
        assert!(unified("a\n", "b\n", true).contains(RED));
    }
}
