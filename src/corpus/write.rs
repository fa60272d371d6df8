//! Writing case files: pretty JSON, written atomically.
//!
//! Every write goes into a hidden temporary file in the same directory, is flushed to disk, then
//! renamed over the case, so a killed run leaves each case file with its old or its new content,
//! never a prefix. Temporary files are hidden and do not end in `.json`, so the corpus loader
//! never takes one for a case, and [`remove_stale_temporaries`] removes those of killed runs.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// `v` as pretty JSON (two-space indentation) with a trailing newline: the case file format.
pub fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A file could not be written.
#[derive(Debug)]
pub struct WriteError {
    pub file: PathBuf,
    pub source: std::io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.file.display(), self.source)
    }
}

impl std::error::Error for WriteError {}

/// The marker in the names of temporary files: `.<file name>.aslcheck-tmp-<pid>`.
const TMP_MARKER: &str = ".aslcheck-tmp-";

/// Writes `text` to `file` atomically: into a hidden temporary file in the same directory,
/// flushed to disk, then renamed over `file`. Readers, and runs killed at any moment, see the
/// old content or the new one, never a prefix.
pub fn write_atomic(file: &Path, text: &str) -> Result<(), WriteError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
        return Err(WriteError {
            file: file.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        });
    };
    let tmp = dir.join(format!(".{name}{TMP_MARKER}{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write_slowly(&mut f, text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, file)
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        WriteError {
            file: file.to_path_buf(),
            source,
        }
    })
}

/// Creates `dir` (and its parents) if needed.
pub fn create_dir(dir: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| WriteError {
        file: dir.to_path_buf(),
        source,
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
