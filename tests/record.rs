//! `aslcheck record`: fills expected results and provenance; never overwrites without `--bless`;
//! refuses non-AWS recordings into `cases/`; and its writes are atomic — killing it at any
//! moment leaves every case file complete (old or new content), with no temporary file that the
//! corpus loader would take for a case.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use aslcheck::corpus::Corpus;
use serde_json::{json, Value};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aslcheck"));
    c.env("NO_COLOR", "1");
    c
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A scratch corpus: `schema/features.txt` from the real one, an empty `cases/`.
fn scratch_corpus(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aslcheck-record-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("schema")).unwrap();
    std::fs::create_dir_all(d.join("cases").join("paths")).unwrap();
    let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/schema/features.txt");
    std::fs::copy(features, d.join("schema/features.txt")).unwrap();
    d
}

fn case(id: &str, input: Value, expected: Option<Value>) -> Value {
    let mut c = json!({
        "id": id,
        "description": "A Pass state returns its input.",
        "features": ["Pass"],
        "provenance": {"kind": "aws-docs", "url": "https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html"},
        "mode": "execution",
        "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        "input": input
    });
    if let Some(e) = expected {
        c["expected"] = e;
    }
    c
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

/// A pid no process has (for the final check, after a run that was not killed).
const NO_PID: u32 = u32::MAX;

/// A cheap pseudo-random sequence (xorshift) seeded from the clock: each run kills at other
/// moments.
struct Rng(u64);
impl Rng {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}

#[test]
fn killing_record_never_leaves_a_truncated_case_file() {
    let corpus = scratch_corpus("kill");
    let dir = corpus.join("cases").join("paths");
    // ~120 KB of payload per case; the recorded file holds it twice (input and output).
    let blob: Vec<String> = (0..1200)
        .map(|i| format!("{i:04}-{}", "x".repeat(95)))
        .collect();
    let input = json!({ "blob": blob });
    let mut originals = Vec::new();
    for i in 0..40 {
        let id = format!("paths/big-{i:02}");
        let t = pretty(&case(
            &id,
            input.clone(),
            Some(json!({"status": "SUCCEEDED"})),
        ));
        let file = corpus.join("cases").join(format!("{id}.json"));
        std::fs::write(&file, &t).unwrap();
        originals.push((file, t));
    }
    // Slow writes (a testing aid of `record`) make most kills land in the middle of a write.
    let run = || {
        bin()
            .env("ASLCHECK_SLOW_WRITES_MS", "4")
            .args([
                "record",
                "--backend",
                "reference",
                "--bless",
                dir.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("record starts")
    };
    // How long a whole run takes here, to kill within it.
    let started = Instant::now();
    let status = run().wait().unwrap();
    assert!(status.success());
    let full = started.elapsed().as_millis().max(20) as u64;
    // Back to the old content, so kills can land between old and new.
    for (file, t) in &originals {
        std::fs::write(file, t).unwrap();
    }

    // Checks every case file; returns how many hold the recorded content, and whether the run
    // `pid` was killed in the middle of a write (it left its temporary file).
    let check = |round: usize, pid: u32| {
        let mut recorded = 0;
        let mut mid_write = false;
        for (file, old) in &originals {
            let now = std::fs::read_to_string(file)
                .unwrap_or_else(|e| panic!("round {round}: {} is gone: {e}", file.display()));
            if &now == old {
                continue;
            }
            let v: Value = serde_json::from_str(&now).unwrap_or_else(|e| {
                panic!(
                    "round {round}: {} is not complete JSON ({e}), {} bytes",
                    file.display(),
                    now.len()
                )
            });
            assert_eq!(
                v["provenance"]["kind"],
                "observed",
                "round {round}: {}",
                file.display()
            );
            assert_eq!(v["expected"]["output"], input, "round {round}");
            recorded += 1;
        }
        // Whatever else lies in the directory is a hidden temporary file of a killed run.
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if !name.ends_with(".json") {
                assert!(
                    name.starts_with('.') && name.contains(".aslcheck-tmp-"),
                    "round {round}: unexpected file {name}"
                );
                mid_write |= name.ends_with(&format!(".aslcheck-tmp-{pid}"));
            }
        }
        // The corpus loader takes exactly the 40 cases, none of the temporary files.
        let loaded = Corpus::load(&corpus).unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        assert_eq!(loaded.cases.len(), originals.len());
        (recorded, mid_write)
    };

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1));
    let mut mid_write_kills = 0;
    for round in 0..10 {
        let mut child = run();
        std::thread::sleep(Duration::from_millis(rng.next(full)));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        if check(round, child.id()).1 {
            mid_write_kills += 1;
        }
        if round % 2 == 1 {
            // Start again from the old content now and then.
            for (file, t) in &originals {
                std::fs::write(file, t).unwrap();
            }
        }
    }
    // A run to the end records everything and removes the temporary files of killed runs.
    let o = bin()
        .args([
            "record",
            "--backend",
            "reference",
            "--bless",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(check(99, NO_PID).0, originals.len());
    // The test tested something: some kills hit a write in progress.
    assert!(
        mid_write_kills > 0,
        "no kill landed in the middle of a write"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&corpus);
}

#[test]
fn record_fills_expected_and_provenance_in_a_scratch_directory() {
    let corpus = scratch_corpus("fill");
    let scratch = corpus.join("scratch").join("paths");
    std::fs::create_dir_all(&scratch).unwrap();
    let mut c = case("paths/echo", json!({"a": {"$x": 1}}), None);
    c.as_object_mut().unwrap().remove("provenance");
    let file = scratch.join("echo.json");
    std::fs::write(&file, pretty(&c)).unwrap();
    let o = bin()
        .args(["record", "--backend", "reference", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["expected"]["status"], "SUCCEEDED");
    // An observed object that reads like a pattern is kept literal.
    assert_eq!(
        v["expected"]["output"],
        json!({"a": {"$literal": {"$x": 1}}})
    );
    // Not AWS: the provenance says what was observed where, and is no AWS recording.
    assert_eq!(v["provenance"]["kind"], "observed");
    assert_eq!(v["provenance"]["implementation"], "reference");
    assert!(v["provenance"].get("region").is_none());
    assert!(v["provenance"]["tool"]
        .as_str()
        .unwrap()
        .contains("--backend reference"));
    // The result loads as a corpus case once moved into cases/.
    std::fs::rename(&file, corpus.join("cases/paths/echo.json")).unwrap();
    let loaded = Corpus::load(&corpus).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(loaded.cases.len(), 1);
    let _ = std::fs::remove_dir_all(&corpus);
}

#[test]
fn record_keeps_expected_results_without_bless() {
    let corpus = scratch_corpus("keep");
    let scratch = corpus.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let t = pretty(&case(
        "paths/kept",
        json!({"a": 1}),
        Some(json!({"status": "SUCCEEDED", "output": {"a": 2}})),
    ));
    let file = scratch.join("kept.json");
    std::fs::write(&file, &t).unwrap();
    let o = bin()
        .args(["record", "--backend", "reference", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("--bless"), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), t);
    let o = bin()
        .args([
            "record",
            "--backend",
            "reference",
            "--bless",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["expected"]["output"], json!({"a": 1}));
    let _ = std::fs::remove_dir_all(&corpus);
}

#[test]
fn record_refuses_the_reference_into_cases_without_bless() {
    let corpus = scratch_corpus("refuse");
    let t = pretty(&case("paths/new", json!({}), None));
    let file = corpus.join("cases/paths/new.json");
    std::fs::write(&file, &t).unwrap();
    let o = bin()
        .args(["record", "--backend", "reference", file.to_str().unwrap()])
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("not evidence of what AWS does"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), t);
    let _ = std::fs::remove_dir_all(&corpus);
}

#[test]
fn record_reports_invalid_case_files() {
    let corpus = scratch_corpus("invalid");
    let file = corpus.join("broken.json");
    std::fs::write(&file, "{\"id\": ").unwrap();
    let o = bin()
        .args(["record", "--backend", "reference", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{\"id\": ");
    let _ = std::fs::remove_dir_all(&corpus);
}
