//! Generated machines also pass the independent validator asl-validator 4.0.0 (npm), installed by
//! `scripts/setup.sh` into `tools/asl-validator/`. Without Node or that install the test fails,
//! unless `ASLCHECK_SKIP_PEERS=1` says to skip it (and then says so).

#[path = "support/node.rs"]
mod node;

use std::path::PathBuf;

use aslcheck_generators::{generate, Profile};
use serde_json::Value;

const PROFILES: [&str; 10] = [
    "paths",
    "intrinsics",
    "choice",
    "errors",
    "map",
    "parallel",
    "all",
    "swarm",
    "jsonata",
    "services",
];

#[test]
fn generated_machines_pass_asl_validator() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/asl-validator");
    if !node::available(&dir, "asl-validator", "asl-validator") {
        return;
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
    let results = node::json_lines(&dir, "check.js", lines);
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
