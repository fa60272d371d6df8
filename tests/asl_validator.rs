//! Generated machines also pass the independent validator asl-validator 4.0.0 (npm), installed by
//! `scripts/setup.sh` into `tools/asl-validator/`. Without Node or that install the test fails,
//! unless `ASLCHECK_SKIP_PEERS=1` says to skip it (and then says so).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use aslcheck_generators::{generate, Profile};
use serde_json::Value;

const PROFILES: [&str; 9] = [
    "paths",
    "intrinsics",
    "choice",
    "errors",
    "map",
    "parallel",
    "all",
    "swarm",
    "jsonata",
];

#[test]
fn generated_machines_pass_asl_validator() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/asl-validator");
    let installed = dir.join("node_modules/asl-validator").is_dir();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(installed && node) {
        let why = format!("asl-validator is not available (node: {node}, installed in {}: {installed}); run scripts/setup.sh", dir.display());
        if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
            eprintln!("skipped: {why}");
            return;
        }
        panic!("{why}");
    }
    let per_profile = 2000 / PROFILES.len() as u64 + 1;
    let mut lines = String::new();
    let mut ids = Vec::new();
    for name in PROFILES {
        let p = Profile::builtin(name).unwrap();
        for seed in 0..per_profile {
            let c = generate(&p, seed);
            lines.push_str(&serde_json::to_string(&c.definition).unwrap());
            lines.push('\n');
            ids.push(c.id());
        }
    }
    let mut child = Command::new("node")
        .arg("check.js")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    let results: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), ids.len(), "one verdict per machine");
    let invalid: Vec<String> = results
        .iter()
        .zip(&ids)
        .filter(|(r, _)| r["isValid"] != Value::Bool(true))
        .map(|(r, id)| format!("{id}: {}", r["errors"]))
        .collect();
    assert!(
        invalid.is_empty(),
        "{} of {} machines rejected by asl-validator:\n{}",
        invalid.len(),
        ids.len(),
        invalid
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
