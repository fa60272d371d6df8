//! The fuzz crate (`fuzz/`, its own workspace) keeps its own `Cargo.lock`, which CI fetches with
//! `--locked` (`scripts/setup.sh`): a dependency added to the main workspace must be recorded
//! there too, or CI stops before any test runs. This test fails at once, with the fix.

use std::path::Path;
use std::process::Command;

#[test]
fn the_fuzz_lock_file_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--locked",
            "--offline",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root.join("fuzz/Cargo.toml"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "fuzz/Cargo.lock is out of date: run `cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 >/dev/null` and commit fuzz/Cargo.lock\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
