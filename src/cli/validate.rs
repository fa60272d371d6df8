//! `aslcheck validate DEF...`: validates definitions and prints every problem of every file.

use std::path::PathBuf;

use super::Exit;
use crate::asl::{load_definition, LoadError};

/// Validate definitions (JSON or YAML) and print every problem, AWS-style.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Definition files.
    #[arg(required = true)]
    pub definitions: Vec<PathBuf>,
}

pub fn main(args: Args) -> Exit {
    let mut exit = Exit::Ok;
    for file in &args.definitions {
        match load_definition(file) {
            Ok(_) => println!("{}: valid", file.display()),
            Err(LoadError::Io(m)) => {
                eprintln!("{m}");
                if exit == Exit::Ok {
                    exit = Exit::Other;
                }
            }
            Err(LoadError::Invalid(diags)) => {
                for d in &diags {
                    eprintln!("{}: {d}", file.display());
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
