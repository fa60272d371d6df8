//! Runs one of the repository's Node scripts on JSON lines: the requests go to its stdin one a
//! line, and each line it prints is one JSON reply.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// `node <script>` in `dir` with `lines` on stdin; its replies, in order.
#[allow(dead_code)] // not every test that includes this module sends JSON lines
pub fn json_lines(dir: &Path, script: &str, lines: String) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{script} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Whether the npm `package` is installed in `dir` and Node runs. When not, the test fails
/// with what to do, unless `ASLCHECK_SKIP_PEERS=1`, which skips it (and says so): then `false`.
pub fn available(dir: &Path, package: &str, what: &str) -> bool {
    let installed = dir.join("node_modules").join(package).is_dir();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed && node {
        return true;
    }
    let why = format!(
        "{what} is not available (node: {node}, installed in {}: {installed}); run scripts/setup.sh",
        dir.display()
    );
    if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
        eprintln!("skipped: {why}");
        return false;
    }
    panic!("{why}");
}
