//! `aslcheck record --backend B [--bless] [--region R] CASES…`: fills the expected result of
//! case files from what a backend observes, with provenance `{"kind": "recorded", "region",
//! "date", "tool"}` (`tool` names the aslcheck version and the backend).
//!
//! Rules:
//! - an existing expected result is never overwritten without `--bless`;
//! - the corpus takes expected results only from AWS (docs, recorded AWS runs, the semantics
//!   digest), never from an interpreter: recording from a backend other than `sfn-api` into a
//!   `cases/` directory is refused unless `--bless` (use it for scratch corpora and tests);
//! - every write is atomic: a hidden temporary file in the same directory, flushed, then renamed
//!   over the case, so a killed run leaves each case file with its old or its new content, never
//!   a prefix; temporary files are hidden and do not end in `.json`, so the corpus loader never
//!   takes one for a case, and the next run removes those left by killed runs.
//!
//! Exit codes: 0 every case recorded (or kept); 1 refusals or backend trouble; 2 invalid case
//! files.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::diff::case_files;
use super::shrink::literal;
use super::{make_backend, Exit};
use crate::backend::reference::observation_json;
use crate::backend::{Backend, Mode, Observation, Request};
use crate::corpus::load::{cases_root_of, parse_strict};
use crate::diff::render::pretty;

pub struct Args {
    pub backend: String,
    pub cases: Vec<PathBuf>,
    /// Overwrite existing expected results, and allow non-AWS recordings into `cases/`.
    pub bless: bool,
    /// The AWS region for the provenance [default for sfn-api: $AWS_REGION, $AWS_DEFAULT_REGION].
    pub region: Option<String>,
}

/// The backend whose recordings are AWS evidence.
const AWS_BACKEND: &str = "sfn-api";

/// What happened to one case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Written,
    /// It has an expected result and `--bless` was not given.
    Kept,
    /// A non-AWS recording into `cases/` without `--bless`.
    Refused,
    /// The backend gave no result to record (skipped, indeterminate, errored).
    NoResult(String),
    /// The file is not a case.
    Invalid(String),
    /// Writing failed.
    Failed(String),
}

pub fn main(args: Args) -> Exit {
    let mut backend = match make_backend(&args.backend) {
        Ok(b) => b,
        Err(m) => {
            eprintln!("{m}");
            return Exit::Other;
        }
    };
    let is_aws = backend.name() == AWS_BACKEND;
    let region = match (&args.region, is_aws) {
        (Some(r), _) => r.clone(),
        (None, true) => {
            match std::env::var("AWS_REGION").or_else(|_| std::env::var("AWS_DEFAULT_REGION")) {
                Ok(r) if !r.is_empty() => r,
                _ => {
                    eprintln!("record --backend {AWS_BACKEND}: give --region (or set AWS_REGION) so the provenance names the region the result was recorded in");
                    return Exit::Other;
                }
            }
        }
        // The provenance format requires a region; `local` says the result is not from AWS.
        (None, false) => "local".into(),
    };
    let provenance = json!({
        "kind": "recorded",
        "region": region,
        "date": chrono::Utc::now().format("%Y-%m-%d").to_string(),
        "tool": format!("aslcheck {} record --backend {}", env!("CARGO_PKG_VERSION"), backend.name()),
    });
    let (files, errors) = case_files(&args.cases);
    let mut invalid = errors.len();
    for e in &errors {
        eprintln!("{e}");
    }
    let (mut written, mut kept, mut refused, mut trouble) = (0usize, 0usize, 0usize, 0usize);
    let mut cleaned = std::collections::BTreeSet::new();
    for file in &files {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        if cleaned.insert(dir.clone()) {
            remove_stale_temporaries(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &dir
            });
        }
        let outcome = record_one(file, backend.as_mut(), &provenance, is_aws, args.bless);
        match &outcome {
            Recorded::Written => {
                written += 1;
                println!("{}: recorded", file.display());
            }
            Recorded::Kept => {
                kept += 1;
                println!(
                    "{}: kept (it has an expected result; --bless overwrites it)",
                    file.display()
                );
            }
            Recorded::Refused => {
                refused += 1;
                println!("{}: refused", file.display());
            }
            Recorded::NoResult(m) => {
                trouble += 1;
                println!("{}: nothing recorded: {m}", file.display());
            }
            Recorded::Invalid(m) => {
                invalid += 1;
                eprintln!("{}: {m}", file.display());
            }
            Recorded::Failed(m) => {
                trouble += 1;
                eprintln!("{m}");
            }
        }
    }
    if refused > 0 {
        println!(
            "refused {refused} case(s) under cases/: results recorded from {} are not evidence of what AWS does. The corpus takes expected results only from AWS documentation, recorded AWS runs ({AWS_BACKEND}) or the rule notes in docs/semantics/, never from an interpreter. Record into a scratch directory, or pass --bless if you know what you are doing.",
            backend.name()
        );
    }
    println!("{written} recorded, {kept} kept, {refused} refused, {trouble} without a result, {invalid} invalid");
    if invalid > 0 {
        Exit::Invalid
    } else if refused > 0 || trouble > 0 {
        Exit::Other
    } else {
        Exit::Ok
    }
}

fn record_one(
    file: &Path,
    backend: &mut dyn Backend,
    provenance: &Value,
    is_aws: bool,
    bless: bool,
) -> Recorded {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return Recorded::Invalid(format!("cannot read: {e}")),
    };
    let mut case = match parse_strict(&text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Recorded::Invalid("a case file holds a JSON object".into()),
        Err(m) => return Recorded::Invalid(m),
    };
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    if !is_aws && !bless && cases_root_of(&absolute).is_some() {
        return Recorded::Refused;
    }
    if case.contains_key("expected") && !bless {
        return Recorded::Kept;
    }
    let Some(definition) = case.get("definition").filter(|d| d.is_object()) else {
        return Recorded::Invalid("at /definition: a definition object is required".into());
    };
    let mode = match case.get("mode") {
        None => Mode::Execution,
        Some(m) => match m.as_str().and_then(Mode::parse) {
            Some(m) => m,
            None => {
                return Recorded::Invalid(
                    "at /mode: mode must be one of execution, test_state, validate".into(),
                )
            }
        },
    };
    let empty = json!({});
    let request = Request {
        mode,
        definition,
        input: case.get("input").unwrap_or(&empty),
        environment: case.get("environment").unwrap_or(&empty),
        history: false,
    };
    let caps = backend.capabilities();
    let observation = if caps.modes.contains(&mode) {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backend.run(&request))) {
            Ok(o) => o,
            Err(_) => Observation::Errored(format!("{} panicked", backend.name())),
        }
    } else {
        Observation::Skipped(format!(
            "{} does not support mode {}",
            backend.name(),
            mode.as_str()
        ))
    };
    let mut expected = match &observation {
        Observation::Execution { .. } | Observation::Validation { .. } => {
            observation_json(&observation)
        }
        Observation::Skipped(m) => return Recorded::NoResult(format!("skipped: {m}")),
        Observation::Indeterminate(m) => return Recorded::NoResult(format!("indeterminate: {m}")),
        Observation::Errored(m) => return Recorded::NoResult(format!("errored: {m}")),
    };
    if let Some(o) = expected.as_object_mut() {
        o.remove("history");
    }
    case.insert("provenance".into(), provenance.clone());
    if !case.contains_key("mode") {
        case.insert("mode".into(), json!(mode.as_str()));
    }
    case.insert("expected".into(), literal(&expected));
    match write_atomic(file, &pretty(&Value::Object(case))) {
        Ok(()) => Recorded::Written,
        Err(m) => Recorded::Failed(m),
    }
}

/// The marker in the names of temporary files: `.<file name>.aslcheck-tmp-<pid>`.
const TMP_MARKER: &str = ".aslcheck-tmp-";

/// Writes `text` to `file` atomically: into a hidden temporary file in the same directory,
/// flushed to disk, then renamed over `file`. Readers, and runs killed at any moment, see the
/// old content or the new one, never a prefix.
pub fn write_atomic(file: &Path, text: &str) -> Result<(), String> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{}: not a file name", file.display()))?;
    let tmp = dir.join(format!(".{name}{TMP_MARKER}{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write_slowly(&mut f, text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, file)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", file.display())
    })
}

/// Testing aid: with `ASLCHECK_SLOW_WRITES_MS=<ms>`, writes go in 32 KiB chunks with a pause
/// of that many milliseconds after each, so a test that kills the process at random moments
/// mostly hits it in the middle of a write (`tests/record.rs`). Unset, the text is written at
/// once.
pub const SLOW_WRITES: &str = "ASLCHECK_SLOW_WRITES_MS";

fn write_slowly(f: &mut std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    let pause = std::env::var(SLOW_WRITES)
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    match pause {
        None | Some(0) => f.write_all(bytes),
        Some(ms) => {
            for chunk in bytes.chunks(32 * 1024) {
                f.write_all(chunk)?;
                f.flush()?;
                std::thread::sleep(std::time::Duration::from_millis(ms));
            }
            Ok(())
        }
    }
}

/// Removes the temporary files (`.<name>.aslcheck-tmp-<pid>`) in `dir` whose process no longer
/// runs: those of killed runs. Linux only; elsewhere they stay (hidden, so nothing takes them
/// for cases).
pub fn remove_stale_temporaries(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str().filter(|n| n.starts_with('.')) else {
            continue;
        };
        let Some(pid) = name.rsplit_once(TMP_MARKER).map(|(_, pid)| pid) else {
            continue;
        };
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| p == std::process::id() || Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
