//! `summary.md`: the summary's tables in Markdown (for a pull request comment or a job summary).

use std::fmt::Write;

use super::summary::{Cell, Change, Row, Summary};

/// `ok/total`, with the bad and no-verdict counts when there are any.
pub fn cell_text(c: &Cell) -> String {
    if c.total == 0 {
        return "–".to_string();
    }
    let mut t = format!("{}/{}", c.ok, c.total);
    if c.bad > 0 {
        let _ = write!(t, ", {} bad", c.bad);
    }
    if c.none > 0 {
        let _ = write!(t, ", {} no verdict", c.none);
    }
    t
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, title: &str, implementations: &[String], rows: &[Row]) {
    let _ = writeln!(out, "| {title} | {} |", implementations.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(implementations.len()));
    for r in rows {
        let cells: Vec<String> = r.cells.iter().map(cell_text).collect();
        let _ = writeln!(out, "| {} | {} |", escape(&r.name), cells.join(" | "));
    }
    out.push('\n');
}

fn changes(out: &mut String, title: &str, list: &[Change]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title}** ({})\n", list.len());
    for c in list {
        let _ = writeln!(
            out,
            "- `{}` on {}: {} → {}",
            c.case,
            c.implementation,
            c.before.as_deref().unwrap_or("—"),
            c.after.as_deref().unwrap_or("—")
        );
    }
    out.push('\n');
}

/// The Markdown page of a summary.
pub fn markdown(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# aslcheck report\n");
    let _ = writeln!(out, "`{}`\n", s.command);
    let totals: Vec<String> = s
        .implementations
        .iter()
        .zip(&s.totals)
        .map(|(i, c)| format!("**{i}**: {}", cell_text(c)))
        .collect();
    let _ = writeln!(out, "{}\n", totals.join("; "));
    let _ = writeln!(out, "## Features\n");
    table(&mut out, "feature", &s.implementations, &s.features);
    let _ = writeln!(out, "## Areas\n");
    table(&mut out, "area", &s.implementations, &s.areas);
    if !s.clusters.is_empty() {
        let _ = writeln!(out, "## Clusters\n");
        let _ = writeln!(out, "| # | divergences | what happens | exemplar |");
        let _ = writeln!(out, "|---|---|---|---|");
        for (i, c) in s.clusters.iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} ({} states){} |",
                i + 1,
                c.count,
                escape(&c.signature),
                c.exemplar
                    .as_deref()
                    .map_or("—".to_string(), |e| format!("`{e}`")),
                c.exemplar_states,
                if c.known { ", known" } else { "" }
            );
        }
        out.push('\n');
    }
    if let Some(c) = &s.changes {
        let _ = writeln!(out, "## Changes since `{}`\n", c.previous);
        changes(&mut out, "Fixed", &c.fixed);
        changes(&mut out, "Broken", &c.broken);
        changes(&mut out, "New", &c.new);
        changes(&mut out, "Gone", &c.gone);
    }
    if !s.failures.is_empty() {
        let _ = writeln!(out, "## Bad results ({})\n", s.failures.len());
        for f in &s.failures {
            let _ = writeln!(
                out,
                "- `{}` on {}: {} — {}",
                f.case,
                f.implementation,
                f.verdict,
                escape(&f.detail)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::summary::summary;
    use super::super::tests::{cluster, record};
    use super::super::Report;
    use super::*;

    #[test]
    fn the_page_has_the_matrix_and_the_clusters() {
        let report = Report {
            command: "aslcheck diff".into(),
            records: vec![
                record("paths/a", "InputPath", "x", "pass"),
                record("paths/b", "InputPath", "x", "fail"),
            ],
            clusters: vec![cluster("00aa", 1, 2)],
        };
        let md = markdown(&summary(&report, None));
        assert!(md.contains("| feature | x |"), "{md}");
        assert!(md.contains("| InputPath | 1/2, 1 bad |"), "{md}");
        assert!(
            md.contains("| 1 | 1 | signature 00aa | `corpus/pending/00aa.json` (2 states) |"),
            "{md}"
        );
        assert!(md.contains("## Bad results (1)"), "{md}");
    }
}
