//! The conformance corpus: one case per JSON file under `corpus/cases/<area>/…`, a strict
//! loader, expected failures per implementation, and writing case files.
//!
//! - [`case`]: the case format (`corpus/schema/case.schema.json`);
//! - [`pattern`]: expected values with declared nondeterminism (`$uuid`, `$regex`, …);
//! - [`load`]: strict loading (unknown members, duplicate names or ids, id ≠ path → error with
//!   file and JSON Pointer);
//! - [`files`]: finding case files in directories;
//! - [`runnable`]: cases as the harness runs them (corpus files, generated cases);
//! - [`expectations`]: `corpus/expectations/<impl>.toml`, known failures with reasons;
//! - [`write`]: atomic writes of case files;
//! - [`pending`]: the pending cases a differential run writes.
//!
//! Running and judging cases is the harness's job (`crate::harness::replay`).
//! `corpus/README.md` documents the format for people who add cases.

pub mod case;
pub mod expectations;
pub mod files;
pub mod load;
pub mod pattern;
pub mod pending;
pub mod runnable;
pub mod write;

use std::path::{Path, PathBuf};

pub use case::{Case, Expected, Provenance};
pub use expectations::Expectations;
pub use load::{Corpus, LoadError};
pub use runnable::{Origin, Runnable};

/// The corpus directory: `arg` (`--corpus`), else `./corpus`, else the one this binary was
/// built from.
pub fn default_dir(arg: Option<&Path>) -> PathBuf {
    if let Some(p) = arg {
        return p.to_path_buf();
    }
    let here = PathBuf::from("corpus");
    if here.join("cases").is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}
