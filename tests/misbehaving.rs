//! Implementations and endpoints that misbehave end a run in bounded time, with the reason in
//! one line and exit code 1, and leave nothing in `corpus/pending/` (docs/protocol.md, "When
//! things go wrong"; README, exit codes):
//!
//! - adapters written by the tests (Python): one that writes an endless line in answer to `run`,
//!   one that hangs on `run` (in a shell script, so the hung process is a child of the adapter),
//!   one that crashes on its second case, and `external:cat /dev/zero`;
//! - `sfn-api` with an endpoint nobody listens on, a malformed endpoint, and a missing profile.
//!
//! Each command runs under a watchdog of [`WATCHDOG`]: a run that does not end in that time is
//! killed and the test fails (a hang becomes a failure; no timing is asserted).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// Far longer than any of these runs needs (they take a few seconds).
const WATCHDOG: Duration = Duration::from_secs(180);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory per test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "aslcheck-misbehaving-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `aslcheck ARGS` (with `env`), killing it and failing the test if it outlives the
/// watchdog.
fn aslcheck(args: &[&str], env: &[(&str, &Path)]) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aslcheck"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("aslcheck starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "aslcheck {args:?} did not end within {} s",
                WATCHDOG.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ran {
        code: status.code(),
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    }
}

/// A corpus with three cases, each a Pass state whose output is its input, so an adapter that
/// echoes the input passes them.
fn corpus(dir: &Path) -> PathBuf {
    let c = dir.join("corpus");
    std::fs::create_dir_all(c.join("schema")).expect("schema dir");
    std::fs::copy(
        root().join("corpus/schema/features.txt"),
        c.join("schema/features.txt"),
    )
    .expect("features.txt");
    let cases = c.join("cases/echo");
    std::fs::create_dir_all(&cases).expect("cases dir");
    for n in 1..=3 {
        let case = json!({
            "id": format!("echo/pass-{n}"),
            "description": "A Pass state passes its input through.",
            "features": ["Pass"],
            "provenance": {"kind": "semantics", "section": "§2.2", "evidence": "[S] Pass passes its input to its output"},
            "mode": "execution",
            "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "input": {"n": n},
            "expected": {"status": "SUCCEEDED", "output": {"n": n}}
        });
        std::fs::write(
            cases.join(format!("pass-{n}.json")),
            serde_json::to_string_pretty(&case).expect("json"),
        )
        .expect("write case");
    }
    c
}

/// The test adapter: answers `start`, then on `run` behaves as `mode` says: `endless` writes
/// one line without end, `hang` never answers, `crash` exits on its second case; otherwise (and
/// before that) it answers with the input as the output.
const ADAPTER: &str = r#"
import json, os, sys, time
mode = sys.argv[1]
runs = 0
for line in sys.stdin:
    r = json.loads(line)
    if r["cmd"] == "start":
        print(json.dumps({"version": 1, "implementation": {"name": "misbehaving-" + mode},
                          "capabilities": {"modes": ["execution"]}}), flush=True)
        continue
    if r["cmd"] == "stop":
        break
    runs += 1
    if mode == "endless":
        chunk = "x" * 65536
        while True:
            sys.stdout.write(chunk)
    if mode == "hang":
        time.sleep(3600)
    if mode == "crash" and runs == 2:
        sys.stderr.write("misbehaving: crashing on purpose\n")
        sys.stderr.flush()
        os._exit(3)
    print(json.dumps({"seq": r["seq"], "result": {"status": "SUCCEEDED", "output": r["case"]["input"]}}), flush=True)
"#;

/// Writes the adapter into `dir` and returns the `--backend` value that starts it in `mode`.
/// `hang` runs through a shell script, so the process that hangs is the adapter's child.
fn adapter(dir: &Path, mode: &str) -> Option<String> {
    match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => {
            if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
                eprintln!("skipped: python3 is not on PATH; ASLCHECK_SKIP_PEERS=1");
                return None;
            }
            panic!(
                "python3 is not on PATH; set ASLCHECK_SKIP_PEERS=1 to skip the tests that need it"
            );
        }
    }
    let script = dir.join("adapter.py");
    std::fs::write(&script, ADAPTER).expect("write the adapter");
    if mode == "hang" {
        let sh = dir.join("adapter.sh");
        std::fs::write(
            &sh,
            format!("#!/bin/sh\npython3 '{}' hang\n", script.display()),
        )
        .expect("write the shell script");
        return Some(format!("external:sh '{}'", sh.display()));
    }
    Some(format!("external:python3 '{}' {mode}", script.display()))
}

/// The files under `dir` (none when it does not exist).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Runs conformance, replay and diff with `backend` on the three-case corpus and checks each:
/// exit 1, an `error:` line holding every one of `expect`, and no pending case written.
fn every_command_fails_honestly(name: &str, backend: &str, expect: &[&str]) {
    let d = scratch(name);
    let c = corpus(&d);
    let cases = c.join("cases");
    let pending = c.join("pending");
    let (c, cases, pending_s) = (
        c.to_str().expect("utf-8"),
        cases.to_str().expect("utf-8"),
        pending.to_str().expect("utf-8"),
    );
    let limits = ["--case-timeout", "2", "--startup-timeout", "10"];
    let runs: [Vec<&str>; 3] = [
        [
            &["conformance", "--backend", backend, "--corpus", c][..],
            &limits,
        ]
        .concat(),
        [&["replay", "--backend", backend, cases][..], &limits].concat(),
        [
            &[
                "diff",
                "--backend",
                "reference",
                "--backend",
                backend,
                "--corpus",
                c,
                "--out",
                pending_s,
                cases,
            ][..],
            &limits,
        ]
        .concat(),
    ];
    for args in runs {
        let r = aslcheck(&args, &[]);
        assert_eq!(
            r.code,
            Some(1),
            "{args:?}\nstdout: {}\nstderr: {}",
            r.stdout,
            r.stderr
        );
        let line = r
            .stderr
            .lines()
            .find(|l| l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{args:?}: no error line in stderr: {}", r.stderr));
        for e in expect {
            assert!(line.contains(e), "{args:?}: {e:?} not in {line:?}");
        }
        assert!(
            !r.stdout.contains("no unexpected results"),
            "{args:?}: {}",
            r.stdout
        );
        assert_eq!(files_under(&pending), Vec::<PathBuf>::new(), "{args:?}");
    }
}

#[test]
fn an_adapter_that_writes_an_endless_line() {
    let d = scratch("endless-adapter");
    let Some(backend) = adapter(&d, "endless") else {
        return;
    };
    every_command_fails_honestly(
        "endless",
        &backend,
        &[
            "none of the 3 cases produced a verdict (3 indeterminate)",
            "misbehaving-endless",
            "longer than the protocol's limit",
        ],
    );
}

#[test]
fn an_adapter_that_hangs_on_run() {
    let d = scratch("hang-adapter");
    let Some(backend) = adapter(&d, "hang") else {
        return;
    };
    every_command_fails_honestly(
        "hang",
        &backend,
        &[
            "none of the 3 cases produced a verdict (3 indeterminate)",
            "misbehaving-hang",
            "no answer within the case timeout (2 s",
        ],
    );
}

#[test]
fn cat_dev_zero_as_an_adapter() {
    every_command_fails_honestly(
        "zero",
        "external:cat /dev/zero",
        &[
            "`cat /dev/zero` failed to start",
            "longer than the protocol's limit",
        ],
    );
}

#[test]
fn an_adapter_that_crashes_mid_run() {
    let d = scratch("crash-adapter");
    let Some(backend) = adapter(&d, "crash") else {
        return;
    };
    // Case 2 crashes the adapter; it is restarted and case 3 passes.
    every_command_fails_honestly(
        "crash",
        &backend,
        &[
            "1 of 3 cases indeterminate (--max-indeterminate allows 0)",
            "misbehaving-crash: broke on the case: it exited",
        ],
    );
    // Allowing one indeterminate case, the run passes: the other two cases passed.
    let c = corpus(&d);
    let r = aslcheck(
        &[
            "conformance",
            "--backend",
            &backend,
            "--corpus",
            c.to_str().expect("utf-8"),
            "--max-indeterminate",
            "1",
        ],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("2 pass") && r.stdout.contains("1 indeterminate"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("no unexpected results"), "{}", r.stdout);
    // As a share of the cases: a third is one case.
    for (share, code) in [("34%", 0), ("0.3", 1)] {
        let r = aslcheck(
            &[
                "replay",
                "--backend",
                &backend,
                c.join("cases").to_str().expect("utf-8"),
                "--max-indeterminate",
                share,
            ],
            &[],
        );
        assert_eq!(r.code, Some(code), "{share}: {}\n{}", r.stdout, r.stderr);
    }
}

/// A local port nobody listens on: one just bound and released.
#[cfg(feature = "aws")]
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("address").port()
}

/// The one `error:` line of a run that must fail before any case (exit 1, nothing on stdout).
#[cfg(feature = "aws")]
fn fails_at_once(args: &[&str], env: &[(&str, &Path)], expect: &[&str]) {
    // A folder per call: the tests that use this run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = scratch(&format!("endpoint-{k}"));
    let c = corpus(&d);
    let args = [
        &["conformance", "--backend", "sfn-api", "--corpus"][..],
        &[c.to_str().expect("utf-8")],
        args,
    ]
    .concat();
    let r = aslcheck(&args, env);
    assert_eq!(r.code, Some(1), "{args:?}\n{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: {}", r.stderr);
    assert!(lines[0].starts_with("error: sfn-api: "), "{}", lines[0]);
    for e in expect {
        assert!(
            lines[0].contains(e),
            "{args:?}: {e:?} not in {:?}",
            lines[0]
        );
    }
    assert!(!r.stdout.contains("no unexpected results"), "{}", r.stdout);
    assert_eq!(files_under(&c.join("pending")), Vec::<PathBuf>::new());
}

#[cfg(feature = "aws")]
#[test]
fn an_endpoint_nobody_listens_on() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    fails_at_once(
        &["--endpoint", &url],
        &[],
        &[
            &format!("cannot reach the endpoint {url}"),
            "Connection refused",
        ],
    );
}

#[cfg(feature = "aws")]
#[test]
fn a_malformed_endpoint() {
    for (url, why) in [
        ("localhost:4566", "no http:// or https://"),
        ("http://", "no host"),
        ("http://127.0.0.1:70000", "port"),
    ] {
        fails_at_once(&["--endpoint", url], &[], &["is not a URL", why]);
    }
}

#[cfg(feature = "aws")]
#[test]
fn a_missing_profile() {
    let d = scratch("profiles");
    let config = d.join("config");
    let credentials = d.join("credentials");
    std::fs::write(&config, "[profile other]\nregion = us-east-1\n").expect("config");
    std::fs::write(
        &credentials,
        "[other]\naws_access_key_id = x\naws_secret_access_key = y\n",
    )
    .expect("credentials");
    let env = [
        ("AWS_CONFIG_FILE", config.as_path()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.as_path()),
    ];
    let url = format!("http://127.0.0.1:{}", closed_port());
    fails_at_once(
        &["--endpoint", &url, "--aws-profile", "nightly"],
        &env,
        &["the AWS profile \"nightly\" is in neither", "config"],
    );
    // A profile that is there (with its keys) gets as far as the endpoint.
    fails_at_once(
        &["--endpoint", &url, "--aws-profile", "other"],
        &env,
        &["cannot reach the endpoint"],
    );
}
