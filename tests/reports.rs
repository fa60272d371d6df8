//! `--report DIR` on `replay`, `conformance` and `diff`: the five files, what they hold, the
//! run-to-run changes, `report merge`, and the page as a browser renders it (Debian's
//! `chromium`, installed by scripts/setup.sh).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const FAULTY: &str = "reference+fault=resultpath";
const FILES: [&str; 5] = [
    "results.jsonl",
    "summary.json",
    "junit.xml",
    "summary.md",
    "index.html",
];

fn aslcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .args(args)
        .env("ASLCHECK_ENABLE_FAULTS", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aslcheck-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a scratch directory");
    d
}

fn cases(area: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/cases")
        .join(area)
        .display()
        .to_string()
}

fn results(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("results.jsonl"))
        .expect("results.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// The value of attribute `name` in an XML/HTML start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[at..].find('"')?;
    Some(&tag[at..at + end])
}

/// The start tags `<name …>` of a document.
fn tags<'a>(doc: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

#[test]
fn replay_writes_all_five_files_and_the_junit_counts_add_up() {
    let dir = scratch("replay");
    let report = dir.join("report");
    let o = aslcheck(&[
        "replay",
        &cases("wait"),
        "--backend",
        FAULTY,
        "--report",
        report.to_str().unwrap(),
    ]);
    let t = text(&o);
    for f in FILES {
        assert!(report.join(f).is_file(), "{f}: {t}");
    }
    let records = results(&report);
    let n = std::fs::read_dir(cases("wait")).unwrap().count();
    assert_eq!(records.len(), n, "one record per case: {t}");
    for r in &records {
        for member in [
            "case",
            "area",
            "features",
            "implementation",
            "verdict",
            "observation",
        ] {
            assert!(r.get(member).is_some(), "{member}: {r}");
        }
        assert_eq!(r["implementation"], FAULTY);
        assert_eq!(r["against"], "expected");
    }
    let s = summary(&report);
    assert!(s["clusters"].as_array().is_some_and(Vec::is_empty), "{s}");
    assert_eq!(s["implementations"], serde_json::json!([FAULTY]));
    let total: u64 = s["totals"][0]["total"].as_u64().unwrap();
    assert_eq!(total as usize, n);

    // junit.xml: one suite, one testcase per case, the counts in the attributes match.
    let xml = std::fs::read_to_string(report.join("junit.xml")).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(xml.contains("<testsuites "), "{xml}");
    let suites = tags(&xml, "testsuite");
    assert_eq!(suites.len(), 1, "{xml}");
    let count = |name: &str| attribute(suites[0], name).and_then(|v| v.parse::<usize>().ok());
    assert_eq!(count("tests"), Some(n), "{xml}");
    let testcases = tags(&xml, "testcase");
    assert_eq!(testcases.len(), n);
    for c in &testcases {
        assert!(
            attribute(c, "name").is_some() && attribute(c, "classname") == Some("wait"),
            "{c}"
        );
    }
    // Known failures are bad results but junit lists them as skipped.
    let bad = records
        .iter()
        .filter(|r| r["ok"] == false && r["verdict"] != "expected-failure")
        .count();
    assert_eq!(
        count("failures").unwrap() + count("errors").unwrap(),
        bad,
        "{xml}"
    );
    assert_eq!(tags(&xml, "failure").len() + tags(&xml, "error").len(), bad);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_reports_its_clusters_and_a_rerun_lists_the_changes() {
    let dir = scratch("diff");
    let first = dir.join("first");
    let second = dir.join("second");
    let pending = dir.join("pending");
    let run = |report: &Path, n: &str, previous: Option<&Path>| {
        let mut args = vec![
            "diff",
            "--backend",
            "reference",
            "--backend",
            FAULTY,
            "--generate",
            n,
            "--profile",
            "paths",
            "--out",
            pending.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ];
        if let Some(p) = previous {
            args.push("--previous-report");
            args.push(p.to_str().unwrap());
        }
        aslcheck(&args)
    };
    let o = run(&first, "20", None);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let records = results(&first);
    assert_eq!(records.len(), 20);
    let diverging: Vec<&Value> = records
        .iter()
        .filter(|r| r["verdict"] == "diverge")
        .collect();
    assert!(!diverging.is_empty(), "{t}");
    let s = summary(&first);
    let clusters = s["clusters"].as_array().expect("a clusters array");
    assert!(!clusters.is_empty(), "{s}");
    let counted: u64 = clusters.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(counted as usize, diverging.len());
    for c in clusters {
        for member in ["id", "signature", "count", "exemplar", "members"] {
            assert!(!c[member].is_null(), "{member}: {c}");
        }
        let exemplar = c["exemplar"].as_str().unwrap();
        assert!(Path::new(exemplar).is_file(), "{exemplar}");
    }
    for r in &diverging {
        let id = r["cluster"]
            .as_str()
            .expect("a divergence names its cluster");
        assert!(clusters.iter().any(|c| c["id"] == id), "{r}");
        assert!(r["diff"].as_str().is_some_and(|d| d.contains("+++")), "{r}");
    }
    // Forty cases now: the first twenty as before, twenty new ones.
    let o = run(&second, "40", Some(&first));
    let t = text(&o);
    let s = summary(&second);
    let changes = &s["changes"];
    assert_eq!(
        changes["new"].as_array().map(Vec::len),
        Some(20),
        "{t}\n{changes}"
    );
    assert_eq!(
        changes["fixed"].as_array().map(Vec::len),
        Some(0),
        "{changes}"
    );
    assert_eq!(
        changes["broken"].as_array().map(Vec::len),
        Some(0),
        "{changes}"
    );
    assert_eq!(
        changes["gone"].as_array().map(Vec::len),
        Some(0),
        "{changes}"
    );
    // The other way round, the new twenty are gone.
    let third = dir.join("third");
    let _ = run(&third, "20", Some(&second));
    assert_eq!(
        summary(&third)["changes"]["gone"].as_array().map(Vec::len),
        Some(20)
    );
    // Two shards merge into one report holding both.
    let merged = dir.join("merged");
    let o = aslcheck(&[
        "report",
        "merge",
        merged.to_str().unwrap(),
        first.to_str().unwrap(),
        third.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(results(&merged).len(), 40);
    for f in FILES {
        assert!(merged.join(f).is_file(), "{f}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_previous_report_fails_before_the_run() {
    let dir = scratch("previous");
    let o = aslcheck(&[
        "replay",
        &cases("wait"),
        "--report",
        dir.join("r").to_str().unwrap(),
        "--previous-report",
        dir.join("nothing-here").to_str().unwrap(),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("error: --previous-report: "), "{t}");
    assert!(t.contains("results.jsonl"), "{t}");
    assert!(!dir.join("r").exists(), "{t}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The browser the page test renders with.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

#[test]
fn the_page_renders_the_matrix_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        if std::env::var_os("ASLCHECK_SKIP_BROWSER").is_some() {
            eprintln!("skipped: ASLCHECK_SKIP_BROWSER is set and chromium is not installed");
            return;
        }
        panic!("chromium is not installed: run scripts/setup.sh (Debian package chromium), or set ASLCHECK_SKIP_BROWSER=1");
    };
    let dir = scratch("browser");
    let report = dir.join("report");
    let o = aslcheck(&[
        "replay",
        &cases("wait"),
        &cases("choice"),
        "--backend",
        FAULTY,
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(report.join("index.html").is_file(), "{}", text(&o));
    let page = report.join("index.html").canonicalize().unwrap();
    let profile = dir.join("profile");
    let rendered = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        dom.contains("<table id=\"matrix\">"),
        "{dom}\n{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    // Every cell the browser shows matches summary.json's feature × implementation matrix.
    let s = summary(&report);
    let rows = s["features"].as_array().unwrap();
    let cells = tags(&dom, "td");
    let matrix: Vec<&&str> = cells
        .iter()
        .filter(|c| attribute(c, "data-feature").is_some())
        .collect();
    assert_eq!(
        matrix.len(),
        rows.len(),
        "one implementation, one cell per feature"
    );
    for row in rows {
        let name = row["name"].as_str().unwrap();
        let cell = matrix
            .iter()
            .find(|c| attribute(c, "data-feature") == Some(name))
            .unwrap_or_else(|| panic!("no cell for {name}"));
        for k in ["ok", "bad", "none", "total"] {
            assert_eq!(
                attribute(cell, &format!("data-{k}")),
                Some(row["cells"][0][k].to_string().as_str()),
                "{name} {k}: {cell}"
            );
        }
    }
    assert!(rows.iter().any(|r| r["name"] == "Wait.Seconds"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Copies `corpus/cases/<area>` and the feature list into a scratch corpus.
fn scratch_corpus(dir: &Path, area: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(corpus.join("schema")).unwrap();
    std::fs::create_dir_all(corpus.join("cases").join(area)).unwrap();
    std::fs::copy(
        root.join("schema/features.txt"),
        corpus.join("schema/features.txt"),
    )
    .unwrap();
    for e in std::fs::read_dir(root.join("cases").join(area)).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(
            &p,
            corpus.join("cases").join(area).join(p.file_name().unwrap()),
        )
        .unwrap();
    }
    corpus
}

#[test]
fn written_expectations_gate_the_next_run() {
    let dir = scratch("expectations");
    let corpus = scratch_corpus(&dir, "paths");
    let c = corpus.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["conformance", "--backend", FAULTY, "--corpus", c];
        args.extend_from_slice(extra);
        aslcheck(&args)
    };
    let o = run(&[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the faulty backend fails cases: {}",
        text(&o)
    );
    let o = run(&["--write-expectations"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let file = corpus.join("expectations/reference_fault_resultpath.toml");
    let written = std::fs::read_to_string(&file).expect("the expectations file");
    let entries: Vec<&str> = written.lines().filter(|l| l.starts_with('"')).collect();
    assert!(entries.len() >= 5, "{written}");
    assert!(entries.iter().all(|l| l.contains(" = ")), "{written}");
    // Today's state passes; a case that stops being listed fails the run again.
    assert_eq!(run(&[]).status.code(), Some(0));
    let fewer: String = written
        .lines()
        .filter(|l| *l != entries[0])
        .flat_map(|l| [l, "\n"])
        .collect();
    std::fs::write(&file, fewer).unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_published_matrix_is_a_report_of_every_implementation_that_installs_here() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/matrix");
    for f in FILES {
        assert!(
            dir.join(f).is_file(),
            "reports/matrix/{f}: run scripts/matrix.sh"
        );
    }
    let report = aslcheck::report::read(&dir).expect("reports/matrix reads back");
    let implementations = report.implementations();
    for name in ["reference", "aws-local-stepfunctions", "moto"] {
        assert!(
            implementations.iter().any(|i| i == name),
            "{implementations:?}"
        );
    }
    let s = summary(&dir);
    assert!(
        s["features"].as_array().is_some_and(|f| f.len() > 50),
        "the matrix has rows"
    );
    // The reference passes its own corpus and keeps the laws on the generated cases.
    let reference = implementations
        .iter()
        .position(|i| i == "reference")
        .unwrap();
    assert_eq!(s["totals"][reference]["bad"], 0, "{}", s["totals"]);
}
