//! The exit-code table of README.md ("Exit codes"), checked row by row against the binary.
//!
//! The table is read from README.md: every row must have a scenario here, every scenario must be
//! a row there, and each scenario must exit with the row's code — so the documentation and the
//! behaviour cannot drift apart. Each scenario also checks that whatever the command printed
//! on stderr as a problem starts with `error: ` (clap's usage errors included) and carries no
//! Rust `Debug` rendering.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Any one command gets this long before the test fails (a hang is a failure, not a wait).
const LIMIT: Duration = Duration::from_secs(300);

const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
const FAIL: &str = r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"c"}}}"#;
const INVALID: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}"#;
/// A Pass whose `ResultPath` is two levels deep: `reference+fault=resultpath` gets it wrong.
const DEEP_RESULT: &str =
    r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}}}"#;

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A scratch directory with the files the scenarios use.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("aslcheck-exit-codes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let s = Scratch { dir };
        s.write("pass.json", PASS.as_bytes());
        s.write("fail.json", FAIL.as_bytes());
        s.write("invalid.json", INVALID.as_bytes());
        s.write("notjson.json", br#"{"StartAt": "#);
        s.write(
            "notutf8.json",
            b"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Comment\":\"\xff\",\"End\":true}}}",
        );
        s.write("empty.json", b"");
        s.write("array.json", b"[1]");
        s.write("badprofile.toml", b"no_such_setting = 1\n");
        s.write("badworld/dynamodb/t.json", br#"{"KeySchema": []}"#);
        s.write("fullout/stale.txt", b"x");
        // Corpora: one whose case passes, one whose case does not, one with an invalid case.
        let good = s.case(
            "states/ok",
            PASS,
            r#"{"status": "SUCCEEDED", "output": {}}"#,
        );
        let wrong = s.case("states/wrong", PASS, r#"{"status": "FAILED"}"#);
        s.corpus("good", "states/ok.json", &good);
        s.corpus("wrong", "states/wrong.json", &wrong);
        s.corpus("broken", "states/broken.json", r#"{"id": "states/broken"}"#);
        s.write("loose/ok.json", good.as_bytes());
        s.write(
            "loose/deep.json",
            s.case("paths/deep", DEEP_RESULT, r#"{"status": "SUCCEEDED"}"#)
                .as_bytes(),
        );
        s.write("loose/broken.json", br#"{"id": 1}"#);
        s
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        let p = self.dir.join(name);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("a directory");
        std::fs::write(p, bytes).expect("writable");
    }

    fn case(&self, id: &str, definition: &str, expected: &str) -> String {
        format!(
            r#"{{"id": "{id}", "description": "x", "features": ["Pass"],
               "provenance": {{"kind": "minimised", "from": "tests/exit_codes.rs"}},
               "mode": "execution", "definition": {definition}, "input": {{}},
               "expected": {expected}}}"#
        )
    }

    fn corpus(&self, name: &str, case_path: &str, text: &str) {
        let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/schema/features.txt");
        self.write(
            &format!("{name}/schema/features.txt"),
            &std::fs::read(features).expect("the feature list"),
        );
        self.write(&format!("{name}/cases/{case_path}"), text.as_bytes());
    }

    /// Runs the binary with `args` (and `stdin` from that scratch file), under [`LIMIT`].
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Outcome {
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let out = self.dir.join(format!(".run-{k}.out"));
        let err = out.with_extension("err");
        let mut command = Command::new(env!("CARGO_BIN_EXE_aslcheck"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("ASLCHECK_ENABLE_FAULTS", "1")
            .env("NO_COLOR", "1")
            .stdout(File::create(&out).expect("an output file"))
            .stderr(File::create(&err).expect("an error file"))
            .stdin(match stdin {
                Some(f) => Stdio::from(File::open(self.dir.join(f)).expect("stdin file")),
                None => Stdio::null(),
            });
        let mut child = command.spawn().expect("the binary starts");
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("waitable") {
                break s;
            }
            if started.elapsed() > LIMIT {
                let _ = child.kill();
                panic!("aslcheck {args:?} did not end within {LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Outcome {
            code: status.code(),
            stdout: std::fs::read_to_string(&out).unwrap_or_default(),
            stderr: std::fs::read_to_string(&err).unwrap_or_default(),
        }
    }
}

type Scenario = fn(&Scratch) -> Outcome;

/// One scenario per row of the README table, keyed by (command, situation) as written there
/// (backticks dropped).
fn scenarios() -> Vec<(&'static str, &'static str, Scenario)> {
    vec![
        ("any", "--help or --version", |s| {
            let a = s.run(&["--help"], None);
            let b = s.run(&["--version"], None);
            let c = s.run(&["run", "--help"], None);
            assert!(a.stdout.contains("Usage") && b.stdout.contains("aslcheck"));
            // All three must agree for the row to hold.
            if a.code == b.code && b.code == c.code {
                a
            } else {
                Outcome { code: None, ..a }
            }
        }),
        (
            "any",
            "a usage error (unknown flag, missing argument, no command)",
            |s| {
                let codes: Vec<Option<i32>> = [
                    s.run(&["run", "pass.json", "--no-such-flag"], None),
                    s.run(&["run"], None),
                    s.run(&[], None),
                ]
                .iter()
                .map(|o| {
                    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
                    o.code
                })
                .collect();
                let o = s.run(&["validate"], None);
                if codes.iter().all(|c| *c == o.code) {
                    o
                } else {
                    Outcome { code: None, ..o }
                }
            },
        ),
        ("validate", "every definition is valid", |s| {
            s.run(&["validate", "pass.json", "fail.json"], None)
        }),
        ("validate", "a definition is invalid", |s| {
            s.run(&["validate", "pass.json", "invalid.json"], None)
        }),
        ("validate", "a definition is not JSON or YAML", |s| {
            s.run(&["validate", "notjson.json"], None)
        }),
        ("validate", "a definition is not UTF-8 text", |s| {
            s.run(&["validate", "notutf8.json"], None)
        }),
        ("validate", "a definition file does not exist", |s| {
            s.run(&["validate", "missing.json"], None)
        }),
        ("run", "the execution succeeds", |s| {
            s.run(&["run", "pass.json"], None)
        }),
        ("run", "the execution fails (FAILED)", |s| {
            let o = s.run(&["run", "fail.json"], None);
            assert!(o.stdout.contains("FAILED"), "{}", o.stdout);
            o
        }),
        ("run", "the definition comes from stdin (-)", |s| {
            let o = s.run(&["run", "-", "--input", "{\"x\": 1}"], Some("pass.json"));
            assert!(o.stdout.contains("SUCCEEDED"), "{}", o.stdout);
            o
        }),
        ("run", "the input is inline JSON", |s| {
            let o = s.run(&["run", "pass.json", "--input", " {\"inline\": [1]}"], None);
            assert!(o.stdout.contains("inline"), "{}", o.stdout);
            o
        }),
        ("run", "the definition is invalid", |s| {
            s.run(&["run", "invalid.json"], None)
        }),
        ("run", "the definition is not UTF-8 text", |s| {
            s.run(&["run", "notutf8.json"], None)
        }),
        ("run", "the definition file does not exist", |s| {
            s.run(&["run", "missing.json"], None)
        }),
        ("run", "the input is not JSON", |s| {
            s.run(&["run", "pass.json", "--input", "notjson.json"], None)
        }),
        ("run", "the input is empty", |s| {
            s.run(&["run", "pass.json", "--input", "empty.json"], None)
        }),
        ("run", "the input file does not exist", |s| {
            s.run(&["run", "pass.json", "--input", "missing.json"], None)
        }),
        ("run", "--name is not a valid execution name", |s| {
            let long = "x".repeat(81);
            let a = s.run(&["run", "pass.json", "--name", "a:b"], None);
            let b = s.run(&["run", "pass.json", "--name", &long], None);
            let ok = s.run(&["run", "pass.json", "--name", &"x".repeat(80)], None);
            assert_eq!(ok.code, Some(0), "{}", ok.stderr);
            if a.code == b.code {
                a
            } else {
                Outcome { code: None, ..a }
            }
        }),
        ("run", "the --mock-config file does not exist", |s| {
            s.run(
                &[
                    "run",
                    "pass.json",
                    "--mock-config",
                    "missing.json",
                    "--test-case",
                    "t",
                ],
                None,
            )
        }),
        ("run", "the --mock-config file is not JSON", |s| {
            s.run(
                &[
                    "run",
                    "pass.json",
                    "--mock-config",
                    "notjson.json",
                    "--test-case",
                    "t",
                ],
                None,
            )
        }),
        ("run", "the --callbacks file does not exist", |s| {
            s.run(&["run", "pass.json", "--callbacks", "missing.json"], None)
        }),
        ("run", "the --resources folder does not exist", |s| {
            s.run(&["run", "pass.json", "--resources", "missing-world"], None)
        }),
        ("run", "the --resources folder is malformed", |s| {
            s.run(&["run", "pass.json", "--resources", "badworld"], None)
        }),
        ("run", "the --resources-out folder is not empty", |s| {
            s.run(&["run", "pass.json", "--resources-out", "fullout"], None)
        }),
        ("run", "--start-time is not an RFC 3339 timestamp", |s| {
            s.run(&["run", "pass.json", "--start-time", "yesterday"], None)
        }),
        ("run", "the definition and the input both from stdin", |s| {
            s.run(&["run", "-", "--input", "-"], Some("pass.json"))
        }),
        ("bench", "the executions run", |s| {
            s.run(&["bench", "pass.json", "--iterations", "3"], None)
        }),
        ("bench", "the definition is invalid", |s| {
            s.run(&["bench", "invalid.json"], None)
        }),
        ("bench", "the definition file does not exist", |s| {
            s.run(&["bench", "missing.json"], None)
        }),
        ("eval", "a result, undefined or an evaluation error", |s| {
            let a = s.run(
                &[
                    "eval",
                    "--query-language",
                    "jsonpath",
                    "$.a",
                    "--input",
                    "{\"a\": 1}",
                ],
                None,
            );
            let b = s.run(&["eval", "--query-language", "jsonata", "$nothing"], None);
            let c = s.run(&["eval", "--query-language", "jsonpath", "$.nothing"], None);
            assert!(c.stdout.contains("States.Runtime"), "{}", c.stdout);
            if a.code == b.code && b.code == c.code {
                a
            } else {
                Outcome { code: None, ..a }
            }
        }),
        ("eval", "the expression does not parse", |s| {
            s.run(&["eval", "--query-language", "jsonata", "1 +"], None)
        }),
        ("eval", "the --bindings file is not a JSON object", |s| {
            s.run(
                &[
                    "eval",
                    "--query-language",
                    "jsonata",
                    "1",
                    "--bindings",
                    "array.json",
                ],
                None,
            )
        }),
        ("eval", "the --context file does not exist", |s| {
            s.run(
                &[
                    "eval",
                    "--query-language",
                    "jsonata",
                    "1",
                    "--context",
                    "missing.json",
                ],
                None,
            )
        }),
        ("conformance", "no unexpected results", |s| {
            s.run(&["conformance", "--corpus", "good"], None)
        }),
        ("conformance", "an unexpected result", |s| {
            s.run(&["conformance", "--corpus", "wrong"], None)
        }),
        ("conformance", "a case file is invalid", |s| {
            s.run(&["conformance", "--corpus", "broken"], None)
        }),
        ("conformance", "the backend is unknown", |s| {
            s.run(
                &["conformance", "--corpus", "good", "--backend", "nonesuch"],
                None,
            )
        }),
        ("conformance", "the generator profile does not exist", |s| {
            s.run(
                &[
                    "conformance",
                    "--corpus",
                    "good",
                    "--generate",
                    "1",
                    "--profile",
                    "nonesuch",
                ],
                None,
            )
        }),
        (
            "conformance",
            "the generator profile file is invalid",
            |s| {
                s.run(
                    &[
                        "conformance",
                        "--corpus",
                        "good",
                        "--generate",
                        "1",
                        "--profile",
                        "badprofile.toml",
                    ],
                    None,
                )
            },
        ),
        ("replay", "every case as expected", |s| {
            s.run(&["replay", "good/cases"], None)
        }),
        ("replay", "an unexpected result", |s| {
            s.run(&["replay", "wrong/cases"], None)
        }),
        ("replay", "a case file is invalid", |s| {
            s.run(&["replay", "broken/cases"], None)
        }),
        ("replay", "a case file does not exist", |s| {
            s.run(&["replay", "good/cases/states/missing.json"], None)
        }),
        ("generate", "the cases are written", |s| {
            s.run(&["generate", "--count", "2", "--out", "gen-fresh"], None)
        }),
        ("generate", "a file in --out exists", |s| {
            let first = s.run(&["generate", "--count", "2", "--out", "gen-again"], None);
            assert_eq!(first.code, Some(0), "{}", first.stderr);
            let o = s.run(&["generate", "--count", "3", "--out", "gen-again"], None);
            assert!(
                o.stderr.contains("gen-again/"),
                "names the file: {}",
                o.stderr
            );
            o
        }),
        ("generate", "a file in --out exists, with --force", |s| {
            let first = s.run(&["generate", "--count", "2", "--out", "gen-force"], None);
            assert_eq!(first.code, Some(0), "{}", first.stderr);
            s.run(
                &["generate", "--count", "2", "--out", "gen-force", "--force"],
                None,
            )
        }),
        ("generate", "the profile does not exist", |s| {
            s.run(&["generate", "--profile", "nonesuch"], None)
        }),
        ("generate", "the profile file is invalid", |s| {
            s.run(&["generate", "--profile", "badprofile.toml"], None)
        }),
        (
            "replay",
            "the --previous-report folder does not exist",
            |s| {
                s.run(
                    &[
                        "replay",
                        "good/cases",
                        "--report",
                        "report-a",
                        "--previous-report",
                        "no-such-report",
                    ],
                    None,
                )
            },
        ),
        (
            "replay",
            "the --previous-report results are malformed",
            |s| {
                s.write("bad-report/results.jsonl", b"{not json\n");
                s.write("bad-report/summary.json", b"{}");
                s.run(
                    &[
                        "replay",
                        "good/cases",
                        "--report",
                        "report-b",
                        "--previous-report",
                        "bad-report",
                    ],
                    None,
                )
            },
        ),
        ("report merge", "the reports are merged", |s| {
            let o = s.run(&["replay", "good/cases", "--report", "shard-1"], None);
            assert_eq!(o.code, Some(0), "{}", o.stderr);
            s.run(&["report", "merge", "merged", "shard-1", "shard-1"], None)
        }),
        ("report merge", "a report folder does not exist", |s| {
            s.run(&["report", "merge", "merged-2", "no-such-report"], None)
        }),
        ("report merge", "a report's results are malformed", |s| {
            s.write("bad-report-2/results.jsonl", b"[1]\n");
            s.write("bad-report-2/summary.json", b"{}");
            s.run(&["report", "merge", "merged-3", "bad-report-2"], None)
        }),
        ("diff", "the implementations agree", |s| {
            s.run(
                &[
                    "diff",
                    "--backend",
                    "reference",
                    "--backend",
                    "reference",
                    "--corpus",
                    "good",
                    "--out",
                    "pending",
                    "loose/ok.json",
                ],
                None,
            )
        }),
        ("diff", "a divergence", |s| {
            s.run(
                &[
                    "diff",
                    "--backend",
                    "reference",
                    "--backend",
                    "reference+fault=resultpath",
                    "--corpus",
                    "good",
                    "--out",
                    "pending",
                    "loose/deep.json",
                ],
                None,
            )
        }),
        ("diff", "a case file is invalid", |s| {
            s.run(
                &[
                    "diff",
                    "--backend",
                    "reference",
                    "--backend",
                    "reference",
                    "--corpus",
                    "good",
                    "--out",
                    "pending",
                    "loose/broken.json",
                ],
                None,
            )
        }),
        ("diff", "one --backend only", |s| {
            s.run(&["diff", "--backend", "reference", "--generate", "1"], None)
        }),
        ("shrink", "the implementations agree on the case", |s| {
            s.run(
                &[
                    "shrink",
                    "--backend",
                    "reference",
                    "--backend",
                    "reference",
                    "--corpus",
                    "good",
                    "--out",
                    "pending",
                    "loose/ok.json",
                ],
                None,
            )
        }),
        ("shrink", "the divergence is shrunk", |s| {
            let o = s.run(
                &[
                    "shrink",
                    "--backend",
                    "reference",
                    "--backend",
                    "reference+fault=resultpath",
                    "--corpus",
                    "good",
                    "--out",
                    "pending",
                    "loose/deep.json",
                ],
                None,
            );
            assert!(o.stdout.contains("pending case:"), "{}", o.stdout);
            o
        }),
        ("shrink", "the case file does not exist", |s| {
            s.run(
                &[
                    "shrink",
                    "--backend",
                    "reference",
                    "--backend",
                    "reference",
                    "--corpus",
                    "good",
                    "loose/missing.json",
                ],
                None,
            )
        }),
        ("record", "every case is recorded", |s| {
            let o = s.run(
                &[
                    "record",
                    "--backend",
                    "reference",
                    "--bless",
                    "loose/ok.json",
                ],
                None,
            );
            let text = std::fs::read_to_string(s.dir.join("loose/ok.json")).unwrap_or_default();
            assert!(
                text.contains("\"observed\""),
                "a non-AWS recording is observed: {text}"
            );
            o
        }),
        ("record", "a case file does not exist", |s| {
            s.run(
                &["record", "--backend", "reference", "loose/missing.json"],
                None,
            )
        }),
        ("record", "a case file is invalid", |s| {
            s.run(&["record", "--backend", "reference", "array.json"], None)
        }),
        (
            "record",
            "a non-AWS recording into cases/ without --bless",
            |s| {
                s.run(
                    &[
                        "record",
                        "--backend",
                        "reference",
                        "good/cases/states/ok.json",
                    ],
                    None,
                )
            },
        ),
    ]
}

/// The rows of README.md's exit-code table: (command, situation, code), backticks dropped.
fn readme_rows() -> Vec<(String, String, i32)> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split("\n### Exit codes\n")
        .nth(1)
        .expect("README.md has a section ### Exit codes");
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in section.lines() {
        if line.starts_with("| command | situation | exit |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().replace(['`', '*'], ""))
            .collect();
        assert_eq!(cells.len(), 3, "a row of three cells: {line}");
        let code = cells[2]
            .parse()
            .unwrap_or_else(|_| panic!("an exit code: {line}"));
        rows.push((cells[0].clone(), cells[1].clone(), code));
    }
    assert!(!rows.is_empty(), "the exit-code table has rows");
    rows
}

#[test]
fn every_row_of_the_readme_exit_code_table_holds() {
    let rows = readme_rows();
    let scenarios: BTreeMap<(String, String), Scenario> = scenarios()
        .into_iter()
        .map(|(c, s, f)| ((c.to_string(), s.to_string()), f))
        .collect();
    let documented: Vec<(String, String)> = rows
        .iter()
        .map(|(c, s, _)| (c.clone(), s.clone()))
        .collect();
    let undocumented: Vec<&(String, String)> = scenarios
        .keys()
        .filter(|k| !documented.contains(k))
        .collect();
    assert!(
        undocumented.is_empty(),
        "scenarios without a README row: {undocumented:?}"
    );
    let scratch = Scratch::new();
    let mut wrong = Vec::new();
    for (command, situation, code) in &rows {
        let Some(scenario) = scenarios.get(&(command.clone(), situation.clone())) else {
            wrong.push(format!(
                "{command} | {situation}: no scenario checks this row"
            ));
            continue;
        };
        let o = scenario(&scratch);
        if o.code != Some(*code) {
            wrong.push(format!(
                "{command} | {situation}: README says {code}, the command exited {:?}\nstderr:\n{}",
                o.code, o.stderr
            ));
        }
        for line in o.stderr.lines() {
            let problem = !line.starts_with("note: ")
                && !line.starts_with("sfn-api: ")
                && !line.starts_with(' ')
                && !line.is_empty()
                && !line.starts_with("Usage:")
                && !line.starts_with("For more information");
            if problem && !line.starts_with("error: ") {
                wrong.push(format!(
                    "{command} | {situation}: a stderr line without `error: `: {line}"
                ));
            }
            if line.contains("Some(") || line.contains(" { ") && line.contains(": \"") {
                wrong.push(format!(
                    "{command} | {situation}: a Debug rendering on stderr: {line}"
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch.dir);
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
