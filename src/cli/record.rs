//! `aslcheck record --backend B [--bless] [--region R] CASES…`: fills the expected result of
//! case files from what a backend observes ([`crate::harness::record`]). The provenance says
//! where the result comes from:
//! - from AWS (`sfn-api` without `--endpoint`): `{"kind": "recorded", "region", "date", "tool"}`;
//! - from anything else (the reference, `external:…`, `sfn-api --endpoint URL` — an emulator):
//!   `{"kind": "observed", "implementation", "date", "tool"}`, `implementation` naming it.
//!
//! `tool` names the aslcheck version and the backend.
//!
//! Rules:
//! - an existing expected result is never overwritten without `--bless`;
//! - the corpus takes expected results only from AWS (docs, recorded AWS runs, the rule notes in
//!   docs/semantics/), never from an interpreter: recording from a backend other than `sfn-api`
//!   into a `cases/` directory is refused unless `--bless` (use it for scratch corpora and tests);
//! - every write is atomic ([`crate::corpus::write`]): a killed run leaves each case file with
//!   its old or its new content, never a prefix, and the next run removes the temporaries of
//!   killed runs.
//!
//! Exit codes: 0 every case recorded (or kept); 1 refusals or backend trouble; 2 invalid case
//! files.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{error, Exit};
use crate::corpus::files::{case_files, Walk};
use crate::corpus::write::remove_stale_temporaries;
use crate::harness::record::{record_file, Recorded, AWS_BACKEND};
use crate::harness::subject::BackendArgs;

/// Fill the expected result and provenance of case files from a backend (atomic writes).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub backend_args: BackendArgs,
    /// The backend to record from (AWS: sfn-api). `--region` also names the region in the
    /// provenance [default for sfn-api: $AWS_REGION, $AWS_DEFAULT_REGION].
    #[arg(long)]
    pub backend: String,
    /// Case files or directories.
    #[arg(required = true)]
    pub cases: Vec<PathBuf>,
    /// Overwrite existing expected results; allow non-AWS recordings into cases/.
    #[arg(long)]
    pub bless: bool,
}

pub fn main(args: Args) -> Exit {
    let mut backend = match args.backend_args.open(&args.backend) {
        Ok(b) => b,
        Err(e) => {
            error(&e);
            return Exit::Other;
        }
    };
    let endpoint = args.backend_args.endpoint.as_deref();
    let is_aws = backend.name() == AWS_BACKEND && endpoint.is_none();
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let tool = format!(
        "aslcheck {} record --backend {}",
        env!("CARGO_PKG_VERSION"),
        backend.name()
    );
    let provenance = if is_aws {
        let region = match &args.backend_args.region {
            Some(r) => r.clone(),
            None => {
                match std::env::var("AWS_REGION").or_else(|_| std::env::var("AWS_DEFAULT_REGION")) {
                    Ok(r) if !r.is_empty() => r,
                    _ => {
                        error(format_args!("record --backend {AWS_BACKEND}: give --region (or set AWS_REGION) so the provenance names the region the result was recorded in"));
                        return Exit::Other;
                    }
                }
            }
        };
        json!({"kind": "recorded", "region": region, "date": date, "tool": tool})
    } else {
        let implementation = match endpoint {
            Some(url) => format!("{} --endpoint {url}", backend.name()),
            None => backend.name().to_string(),
        };
        json!({"kind": "observed", "implementation": implementation, "date": date, "tool": tool})
    };
    let (files, errors) = case_files(&args.cases, Walk::Lenient);
    // A path that does not exist is a usage problem (exit code 1), not an invalid case.
    let missing = errors.iter().filter(|e| e.is_unreadable()).count();
    let mut invalid = errors.len() - missing;
    for e in &errors {
        error(e);
    }
    let (mut written, mut kept, mut refused, mut trouble) = (0usize, 0usize, 0usize, missing);
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
        let recorded = record_file(file, backend.as_mut(), &provenance, is_aws, args.bless);
        match &recorded {
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
                error(format_args!("{}: {m}", file.display()));
            }
            Recorded::Failed(m) => {
                trouble += 1;
                error(m);
            }
        }
    }
    if refused > 0 {
        println!(
            "refused {refused} case(s) under cases/: results recorded from {} are not evidence of what AWS does. The corpus takes expected results only from AWS documentation, recorded AWS runs ({AWS_BACKEND} without --endpoint) or the rule notes in docs/semantics/, never from an interpreter. Record into a scratch directory, or pass --bless if you know what you are doing.",
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
