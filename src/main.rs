//! The `aslcheck` command line: one clap-derived `Args` per subcommand (`aslcheck::cli`), nothing
//! else.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use aslcheck::cli::{self, Exit};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "aslcheck",
    version,
    about = "Conformance and differential testing for the Amazon States Language"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate definitions (JSON or YAML) and print every problem, AWS-style.
    Validate(cli::validate::Args),
    /// Run one execution on the reference interpreter and print its result as JSON.
    Run(cli::run::Args),
    /// The main job: replay the corpus (and N generated cases) on a backend; agreement per area and feature.
    Conformance(cli::conformance::Args),
    /// Replay corpus cases (files or directories) on a backend and explain every non-pass.
    Replay(cli::replay::Args),
    /// Generate random valid cases: one file per case plus a manifest; --stats prints coverage.
    Generate(cli::generate::Args),
    /// Run the same cases on two implementations, report agreement per area/profile, and shrink
    /// every divergence into a pending corpus case (docs/differential.md).
    Diff(cli::diff::Args),
    /// Minimise a case on which two implementations disagree; write it to corpus/pending/.
    Shrink(cli::shrink::Args),
    /// Fill the expected result and provenance of case files from a backend (atomic writes).
    Record(cli::record::Args),
    /// Run an execution many times in-process and print executions per second.
    Bench(cli::bench::Args),
    /// Drive a Step Functions API endpoint (serve, moto, LocalStack) and print executions per second.
    #[cfg(feature = "serve")]
    BenchApi(cli::bench_api::Args),
    /// Evaluate one JSONata expression, JSONPath path or intrinsic call and print the result as JSON.
    Eval(cli::eval::Args),
    /// Serve the Step Functions API (AWS JSON 1.0) on the reference interpreter (docs/serve.md).
    #[cfg(feature = "serve")]
    Serve(cli::serve::Args),
    /// Work with report directories (--report DIR): merge the reports of a sharded run.
    Report(cli::report::Args),
}

fn main() -> ExitCode {
    // Usage errors exit 1: exit code 2 is reserved for invalid definitions and inputs.
    let cli = match parse() {
        Ok(c) => c,
        Err(e) => {
            if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                // No command at all: a usage error like any other, then the list of commands.
                eprintln!("error: no command given\n");
                let _ = Cli::command().write_long_help(&mut std::io::stderr());
                return ExitCode::from(1);
            }
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let exit = match cli.command {
        Command::Validate(a) => cli::validate::main(a),
        Command::Run(a) => cli::run::main(a),
        Command::Conformance(a) => cli::conformance::main(a),
        Command::Replay(a) => cli::replay::main(a),
        Command::Generate(a) => cli::generate::main(a),
        Command::Diff(a) => cli::diff::main(a),
        Command::Shrink(a) => cli::shrink::main(a),
        Command::Record(a) => cli::record::main(a),
        Command::Bench(a) => cli::bench::main(a),
        #[cfg(feature = "serve")]
        Command::BenchApi(a) => cli::bench_api::main(a),
        Command::Eval(a) => cli::eval::main(a),
        Command::Report(a) => cli::report::main(a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => cli::serve::main(a),
    };
    match exit {
        Exit::Ok => ExitCode::SUCCESS,
        Exit::Other => ExitCode::from(1),
        Exit::Invalid => ExitCode::from(2),
    }
}

/// The AWS CLI spells the profile flag `--profile`; where `--profile` names no generator
/// profile (commands without `--generate`), it is accepted for `--aws-profile`.
const AWS_PROFILE_ALIAS: [&str; 3] = ["replay", "shrink", "record"];

fn parse() -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    for sub in AWS_PROFILE_ALIAS {
        command = command.mut_subcommand(sub, |c| {
            c.mut_arg("aws_profile", |a| a.visible_alias("profile"))
        });
    }
    let matches = command.try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

// The interpreter allocates many small JSON values; mimalloc handles that pattern well.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
