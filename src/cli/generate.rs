//! `aslcheck generate --profile P --count N --seed S [--out DIR] [--stats]`: writes one case per
//! file plus `manifest.json` (generator version, profile, config, seeds), so any case can be
//! regenerated; `--stats` prints feature coverage.
//!
//! Files already in `--out` are never overwritten without `--force`: the command checks every
//! file it would write first and, if one exists, names it and writes nothing (exit code 1).
//! A `--profile` that names neither a built-in profile nor a file is a usage error (1); a
//! profile file that is not a valid profile is an invalid input (2).

use std::path::PathBuf;

use aslcheck_generators::{generate, stats, Profile, VERSION};
use serde_json::json;

use super::{error, profile_exit, Exit};
use crate::corpus::write::{pretty, write_atomic};

/// Generate random valid cases: one file per case plus a manifest; --stats prints coverage.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Generator profile (a built-in name or a .toml file).
    #[arg(long, default_value = "all")]
    pub profile: String,
    /// How many cases.
    #[arg(long, default_value_t = 10)]
    pub count: u64,
    /// The first case's seed (the others follow it).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write one file per case and manifest.json here (default: print the cases as JSON lines).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print feature coverage of the generated cases.
    #[arg(long)]
    pub stats: bool,
    /// Overwrite files that exist in --out.
    #[arg(long, requires = "out")]
    pub force: bool,
}

pub fn main(args: Args) -> Exit {
    let profile = match Profile::load(&args.profile) {
        Ok(p) => p,
        Err(e) => {
            error(format_args!("--profile {}: {e}", args.profile));
            return profile_exit(&e);
        }
    };
    let cases: Vec<_> = (0..args.count)
        .map(|i| generate(&profile, args.seed.wrapping_add(i)))
        .collect();
    if let Some(dir) = &args.out {
        if !args.force {
            let names = cases
                .iter()
                .map(|c| format!("{}.json", c.id()))
                .chain(std::iter::once("manifest.json".to_string()));
            for name in names {
                let file = dir.join(name);
                if file.exists() {
                    error(format_args!(
                        "{} exists; generate does not overwrite files (nothing was written; --force overwrites)",
                        file.display()
                    ));
                    return Exit::Other;
                }
            }
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            error(format_args!("cannot create {}: {e}", dir.display()));
            return Exit::Other;
        }
        for c in &cases {
            let file = dir.join(format!("{}.json", c.id()));
            if let Err(e) = write_atomic(&file, &pretty(&c.to_json())) {
                error(&e);
                return Exit::Other;
            }
        }
        let manifest = json!({
            "generator": "aslcheck-generators",
            "generator_version": VERSION,
            "profile": profile.name,
            "config": serde_json::to_value(&profile.config).unwrap_or_default(),
            "first_seed": args.seed,
            "count": args.count,
            "cases": cases.iter().map(|c| c.id()).collect::<Vec<_>>(),
            "regenerate": format!("aslcheck generate --profile {} --count {} --seed {} --out {}", args.profile, args.count, args.seed, dir.display()),
        });
        if let Err(e) = write_atomic(&dir.join("manifest.json"), &pretty(&manifest)) {
            error(&e);
            return Exit::Other;
        }
        println!(
            "wrote {} cases and manifest.json to {}",
            cases.len(),
            dir.display()
        );
    }
    if args.stats {
        print!("{}", stats(&cases));
    }
    if args.out.is_none() && !args.stats {
        for c in &cases {
            println!(
                "{}",
                serde_json::to_string(&c.to_json()).unwrap_or_default()
            );
        }
    }
    Exit::Ok
}
