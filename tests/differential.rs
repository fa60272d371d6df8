//! `aslcheck diff` and `aslcheck shrink` as a user runs them: the reference agrees with itself;
//! a deliberately faulty reference (`reference+fault=resultpath`: ResultPath one level up) is
//! caught, and every divergence is shrunk into a small, valid, loadable pending case.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aslcheck::asl::validate::validate;
use aslcheck::backend::reference::Reference;
use aslcheck::backend::{Backend, Mode, Request};
use aslcheck::corpus::load::{case_from_value, load_features};
use aslcheck::corpus::Provenance;
use aslcheck::diff::agreement::{compare, Agreement};
use aslcheck::diff::shrink::state_count;
use aslcheck::engine::Fault;
use aslcheck_generators::{generate, Profile};
use serde_json::Value;

const FAULTY: &str = "reference+fault=resultpath";

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
    let d = std::env::temp_dir().join(format!(
        "aslcheck-differential-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a scratch directory");
    d
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Every `*.json` file under `dir`.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(json_files(&p));
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Checks a pending case: the corpus loader accepts it, it is tagged and minimised, its
/// definition is valid and has at most `max_states` states; returns it.
fn check_pending(file: &Path, max_states: usize) -> Value {
    let features =
        load_features(&corpus().join("schema").join("features.txt")).expect("the feature list");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("readable"))
        .expect("complete JSON");
    let id = v["id"].as_str().expect("an id").to_string();
    assert!(
        file.ends_with(format!("{id}.json")),
        "{} does not match its id {id}",
        file.display()
    );
    let case = case_from_value(&v, Some(&id), &features)
        .unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
    assert!(case.has_tag("pending"));
    assert!(
        matches!(case.provenance, Provenance::Minimised { .. }),
        "{:?}",
        case.provenance
    );
    assert!(
        case.description.contains("Reproduce: "),
        "{}",
        case.description
    );
    assert!(
        validate(&case.definition).is_empty(),
        "invalid: {}",
        case.definition
    );
    let n = state_count(&case.definition);
    assert!(
        n <= max_states,
        "{} has {n} states: {}",
        file.display(),
        case.definition
    );
    v
}

#[test]
fn the_reference_agrees_with_itself_on_1000_generated_cases() {
    let out = scratch("self");
    let o = aslcheck(&[
        "diff",
        "--backend",
        "reference",
        "--backend",
        "reference",
        "--generate",
        "1000",
        "--out",
        out.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("1000 cases on reference and reference:"), "{t}");
    assert!(t.contains(" 0 diverge"), "{t}");
    assert!(!t.contains("DIVERGENCE"), "{t}");
    assert!(json_files(&out).is_empty());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn diff_finds_the_faulty_resultpath_and_writes_one_case_per_cluster() {
    let out = scratch("fault");
    let args = [
        "diff",
        "--backend",
        "reference",
        "--backend",
        FAULTY,
        "--generate",
        "40",
        "--profile",
        "paths",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = aslcheck(&args);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    // "40 cases on reference and reference+fault=…: A agree, D diverge in K clusters, …"
    let summary = t
        .lines()
        .find(|l| l.starts_with("40 cases on "))
        .unwrap_or_else(|| panic!("{t}"));
    let number_before = |word: &str| -> usize {
        let at = summary.find(word).unwrap_or_else(|| panic!("{summary}"));
        summary[..at]
            .split_whitespace()
            .last()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{summary}"))
    };
    let divergences = number_before(" diverge");
    let clusters = number_before(" clusters");
    assert!(divergences >= 5, "{t}");
    assert!(clusters >= 1 && clusters < divergences, "{t}");
    assert_eq!(
        t.matches("\nCLUSTER ").count() + usize::from(t.starts_with("CLUSTER ")),
        clusters,
        "{t}"
    );
    assert!(
        !t.contains("DIVERGENCE"),
        "divergences are printed only with --verbose: {t}"
    );
    assert!(t.contains("profile"), "per-profile agreement: {t}");
    // One pending case per cluster, each small, valid, loadable and tagged with its cluster.
    let files = json_files(&out);
    assert_eq!(files.len(), clusters, "{t}");
    for f in &files {
        let v = check_pending(f, 3);
        assert_eq!(v["provenance"]["kind"], "minimised");
        assert!(v["provenance"]["from"]
            .as_str()
            .unwrap()
            .contains("profile paths"));
        let tags = v["tags"].as_array().expect("tags");
        assert!(
            tags.iter()
                .any(|t| t.as_str().is_some_and(|t| t.starts_with("cluster:"))),
            "{v}"
        );
    }
    // The printed command reproduces the first one and recognises its cluster.
    let first = &files[0];
    let o = aslcheck(&[
        "diff",
        "--backend",
        "reference",
        "--backend",
        FAULTY,
        "--out",
        out.to_str().unwrap(),
        first.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("known cluster: its pending case is"), "{t}");
    assert_eq!(json_files(&out).len(), files.len());
    // A rerun of the whole run finds only known clusters and writes nothing new.
    let o = aslcheck(&args);
    let t = text(&o);
    assert_eq!(t.matches("known cluster: ").count(), clusters, "{t}");
    assert_eq!(json_files(&out).len(), files.len());
    let _ = std::fs::remove_dir_all(&out);
}

/// The generated `paths` case with the most states on which the faulty reference diverges.
fn a_big_divergent_case() -> aslcheck_generators::Case {
    let profile = Profile::load("paths").expect("the paths profile");
    let mut good = Reference::default();
    let mut bad = Reference {
        fault: Some(Fault::ResultPathOneLevelUp),
        ..Reference::default()
    };
    let mut best: Option<aslcheck_generators::Case> = None;
    for seed in 0..60 {
        let case = generate(&profile, seed);
        let r = Request {
            mode: Mode::Execution,
            definition: &case.definition,
            input: &case.input,
            environment: &case.environment,
            history: false,
        };
        if matches!(compare(&good.run(&r), &bad.run(&r)), Agreement::Disagree(_))
            && best
                .as_ref()
                .is_none_or(|b| b.state_count() < case.state_count())
        {
            best = Some(case);
        }
    }
    best.expect("the fault shows on some generated case")
}

#[test]
fn shrink_reduces_a_divergence_to_at_most_three_states() {
    let dir = scratch("shrink");
    let case = a_big_divergent_case();
    assert!(case.state_count() > 3, "{}", case.definition);
    let file = dir.join("case.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&case.to_json()).unwrap(),
    )
    .unwrap();
    let out = dir.join("pending");
    let o = aslcheck(&[
        "shrink",
        file.to_str().unwrap(),
        "--backend",
        "reference",
        "--backend",
        FAULTY,
        "--out",
        out.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("reproduce: ASLCHECK_ENABLE_FAULTS=1 aslcheck diff"),
        "{t}"
    );
    let files = json_files(&out);
    assert_eq!(files.len(), 1, "{t}");
    let v = check_pending(&files[0], 3);
    assert_eq!(v["id"], format!("paths/paths-{}", case.seed));
    // Shrinking is deterministic: a second run finds the same case.
    let o = aslcheck(&[
        "shrink",
        file.to_str().unwrap(),
        "--backend",
        "reference",
        "--backend",
        FAULTY,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(text(&o).contains("(already there)"), "{}", text(&o));
    // Shrinking a case the backends agree on does nothing.
    let o = aslcheck(&[
        "shrink",
        file.to_str().unwrap(),
        "--backend",
        "reference",
        "--backend",
        "reference",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json_files(&out).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_faulty_backend_needs_the_environment_variable() {
    let o = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .args([
            "diff",
            "--backend",
            "reference",
            "--backend",
            FAULTY,
            "--generate",
            "1",
        ])
        .env_remove("ASLCHECK_ENABLE_FAULTS")
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("ASLCHECK_ENABLE_FAULTS=1"), "{t}");
}

#[test]
fn diff_reports_agreement_per_area_on_corpus_cases() {
    let out = scratch("areas");
    let cases = corpus().join("cases").join("paths");
    let o = aslcheck(&[
        "diff",
        "--backend",
        "reference",
        "--backend",
        "reference",
        "--out",
        out.to_str().unwrap(),
        cases.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.lines().any(|l| l.starts_with("area ")), "{t}");
    assert!(t.lines().any(|l| l.starts_with("paths ")), "{t}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn invalid_case_files_exit_2_and_two_backends_are_required() {
    let dir = scratch("invalid");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"id\": \"paths/bad\"").unwrap();
    let o = aslcheck(&[
        "diff",
        "--backend",
        "reference",
        "--backend",
        "reference",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = aslcheck(&[
        "shrink",
        bad.to_str().unwrap(),
        "--backend",
        "reference",
        "--backend",
        "reference",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = aslcheck(&["diff", "--backend", "reference", "--generate", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
