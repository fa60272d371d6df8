//! `aslcheck validate DEF...`: validates definitions and prints every problem of every file.

use std::path::PathBuf;

use super::{error, Exit};
use crate::asl::LoadError;
use crate::harness::input::read_definition;

/// Validate definitions (JSON or YAML) and print every problem, AWS-style.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Definition files (- reads one from stdin).
    #[arg(required = true)]
    pub definitions: Vec<PathBuf>,
}

pub fn main(args: Args) -> Exit {
    let mut exit = Exit::Ok;
    for file in &args.definitions {
        match read_definition(file) {
            Ok(_) => println!("{}: valid", file.display()),
            Err(LoadError::Io(m)) => {
                error(&m);
                if exit == Exit::Ok {
                    exit = Exit::Other;
                }
            }
            Err(LoadError::Invalid(diags)) => {
                for d in &diags {
                    error(format_args!("{}: {d}", file.display()));
                }
                println!(
                    "{}: invalid ({} problem{})",
                    file.display(),
                    diags.len(),
                    if diags.len() == 1 { "" } else { "s" }
                );
                exit = Exit::Invalid;
            }
        }
    }
    exit
}
