//! `aslcheck report merge OUT DIR…`: the reports of the shards of one run (`--shard K/N` on
//! `conformance` and `diff`) merged into one report directory ([`crate::report::merge`]).
//! Exits 0 when the merged report was written, 1 when a report cannot be read or written, 2 when
//! a report's `results.jsonl` or `summary.json` is malformed.

use std::path::PathBuf;

use super::{error, Exit};
use crate::report;

/// Work with report directories (`--report DIR`).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Merge the reports of the shards of one run into one report directory.
    Merge {
        /// The merged report's directory.
        out: PathBuf,
        /// The shards' report directories.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
    },
}

pub fn main(args: Args) -> Exit {
    match args.command {
        Sub::Merge { out, reports } => {
            let mut read = Vec::with_capacity(reports.len());
            for dir in &reports {
                match report::read(dir) {
                    Ok(r) => read.push(r),
                    Err(e) => {
                        let exit = if e.is_invalid() {
                            Exit::Invalid
                        } else {
                            Exit::Other
                        };
                        error(e);
                        return exit;
                    }
                }
            }
            let merged = report::merge(&read);
            if let Err(e) = report::write(&out, &merged, None) {
                error(e);
                return Exit::Other;
            }
            println!(
                "merged {} reports ({} results, {} clusters) into {}",
                read.len(),
                merged.records.len(),
                merged.clusters.len(),
                out.display()
            );
            Exit::Ok
        }
    }
}
