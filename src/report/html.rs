//! `index.html`: one static page (inline style, no script, no external resource) to open from
//! disk: totals, the feature × implementation and area × implementation matrices with per-cell
//! counts, the clusters with their exemplars' diffs, the run-to-run changes and the bad results.
//!
//! The matrix is a `<table id="matrix">` whose cells carry `data-feature`,
//! `data-implementation`, `data-ok`, `data-bad`, `data-none` and `data-total`, so a test (or a
//! script) can read it back from the rendered page.

use std::fmt::Write;

use super::markdown::cell_text;
use super::summary::{Cell, Change, Row, Summary};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}\
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}\
td.ok{background:#e6f4ea}td.bad{background:#fce8e6}td.none{background:#fef7e0}td.empty{color:#999}\
pre{background:#f8f8f8;padding:.5em;overflow:auto;max-height:30em}\
code{font-size:90%}";

fn class(c: &Cell) -> &'static str {
    match c {
        c if c.total == 0 => "empty",
        c if c.bad > 0 => "bad",
        c if c.none > 0 => "none",
        _ => "ok",
    }
}

fn matrix(out: &mut String, id: &str, title: &str, implementations: &[String], rows: &[Row]) {
    let _ = write!(out, "<table id=\"{id}\"><thead><tr><th>{title}</th>");
    for i in implementations {
        let _ = write!(out, "<th>{}</th>", escape(i));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        let _ = write!(out, "<tr><th>{}</th>", escape(&r.name));
        for (i, c) in implementations.iter().zip(&r.cells) {
            let _ = write!(
                out,
                "<td class=\"{}\" data-{title}=\"{}\" data-implementation=\"{}\" data-ok=\"{}\" data-bad=\"{}\" data-none=\"{}\" data-total=\"{}\">{}</td>",
                class(c),
                escape(&r.name),
                escape(i),
                c.ok,
                c.bad,
                c.none,
                c.total,
                escape(&cell_text(c))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn changes(out: &mut String, id: &str, title: &str, list: &[Change]) {
    let _ = write!(out, "<h3 id=\"{id}\">{title} ({})</h3>", list.len());
    if list.is_empty() {
        return;
    }
    out.push_str("<ul>");
    for c in list {
        let _ = write!(
            out,
            "<li><code>{}</code> on {}: {} → {}</li>",
            escape(&c.case),
            escape(&c.implementation),
            escape(c.before.as_deref().unwrap_or("—")),
            escape(c.after.as_deref().unwrap_or("—"))
        );
    }
    out.push_str("</ul>\n");
}

/// The page of a summary.
pub fn html(s: &Summary) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>aslcheck report</title><style>{STYLE}</style></head><body>\n<h1>aslcheck report</h1>\n<p><code id=\"command\">{}</code></p>\n",
        escape(&s.command)
    );
    out.push_str("<table id=\"totals\"><thead><tr><th>implementation</th><th>good</th><th>bad</th><th>no verdict</th><th>total</th></tr></thead><tbody>");
    for (i, c) in s.implementations.iter().zip(&s.totals) {
        let _ = write!(
            out,
            "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(i),
            c.ok,
            c.bad,
            c.none,
            c.total
        );
    }
    out.push_str("</tbody></table>\n<h2>Features</h2>\n");
    matrix(
        &mut out,
        "matrix",
        "feature",
        &s.implementations,
        &s.features,
    );
    out.push_str("<h2>Areas</h2>\n");
    matrix(&mut out, "areas", "area", &s.implementations, &s.areas);
    if !s.clusters.is_empty() {
        let _ = writeln!(out, "<h2>Clusters ({})</h2>", s.clusters.len());
        for (n, c) in s.clusters.iter().enumerate() {
            let _ = write!(
                out,
                "<section class=\"cluster\" id=\"cluster-{}\"><h3>{}. {} ({} divergence{})</h3>",
                escape(&c.id),
                n + 1,
                escape(&c.signature),
                c.count,
                if c.count == 1 { "" } else { "s" }
            );
            let _ = write!(
                out,
                "<p>Exemplar: {} ({} states){}; features: {}</p>",
                c.exemplar
                    .as_deref()
                    .map_or("—".to_string(), |e| format!("<code>{}</code>", escape(e))),
                c.exemplar_states,
                if c.known { ", a known cluster" } else { "" },
                escape(&c.features.join(", "))
            );
            if let Some(r) = &c.reproduce {
                let _ = write!(out, "<p>Reproduce: <code>{}</code></p>", escape(r));
            }
            let _ = write!(out, "<pre>{}</pre>", escape(&c.diff));
            let _ = writeln!(
                out,
                "<p>Members: {}</p></section>",
                escape(&c.members.join(", "))
            );
        }
    }
    if let Some(c) = &s.changes {
        let _ = writeln!(
            out,
            "<h2 id=\"changes\">Changes since <code>{}</code></h2>",
            escape(&c.previous)
        );
        changes(&mut out, "fixed", "Fixed", &c.fixed);
        changes(&mut out, "broken", "Broken", &c.broken);
        changes(&mut out, "new", "New", &c.new);
        changes(&mut out, "gone", "Gone", &c.gone);
    }
    if !s.failures.is_empty() {
        let _ = write!(
            out,
            "<h2>Bad results ({})</h2><table id=\"failures\"><thead><tr><th>case</th><th>implementation</th><th>verdict</th><th>detail</th></tr></thead><tbody>",
            s.failures.len()
        );
        for f in &s.failures {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.case),
                escape(&f.implementation),
                escape(&f.verdict),
                escape(&f.detail)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::summary::summary;
    use super::super::tests::{cluster, record};
    use super::super::Report;
    use super::*;

    #[test]
    fn the_page_is_self_contained_and_escapes_everything() {
        let report = Report {
            command: "aslcheck <run>".into(),
            records: vec![
                record("paths/a", "InputPath", "x<y>", "pass"),
                record("paths/b", "InputPath", "x<y>", "fail"),
            ],
            clusters: vec![cluster("00aa", 1, 2)],
        };
        let page = html(&summary(&report, Some(&report)));
        assert!(page.contains("aslcheck &lt;run&gt;"), "{page}");
        assert!(page.contains("data-feature=\"InputPath\" data-implementation=\"x&lt;y&gt;\" data-ok=\"1\" data-bad=\"1\""), "{page}");
        assert!(page.contains("id=\"cluster-00aa\""), "{page}");
        assert!(page.contains("<h3 id=\"fixed\">Fixed (0)</h3>"), "{page}");
        assert!(!page.contains("<script"), "{page}");
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{page}"
        );
    }
}
