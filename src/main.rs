//! The `aslcheck` command line. Each subcommand lives in `aslcheck::cli`.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use aslcheck::backend::spec::BackendArgs;
use aslcheck::cli::{self, Exit};
use clap::{Parser, Subcommand};

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
    Validate {
        /// Definition files.
        #[arg(required = true)]
        definitions: Vec<PathBuf>,
    },
    /// Run one execution on the reference interpreter and print its result as JSON.
    Run {
        /// Definition file (JSON or YAML).
        definition: PathBuf,
        /// Execution input file, or - for stdin [default: {}].
        #[arg(long)]
        input: Option<String>,
        /// Include the execution history (AWS event shape).
        #[arg(long)]
        history: bool,
        /// Seed for execution names, tokens, UUIDs, random numbers and jitter.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Wait for real in Wait states and retry intervals instead of using virtual time.
        #[arg(long)]
        real_time: bool,
        /// Virtual start time (RFC 3339) [default: 2024-01-01T00:00:00Z; the wall clock with --real-time].
        #[arg(long)]
        start_time: Option<String>,
        /// Execution name [default: a UUID drawn from the seed].
        #[arg(long)]
        name: Option<String>,
        /// Scripted answers for .waitForTaskToken tasks (see docs/callbacks.md).
        #[arg(long)]
        callbacks: Option<PathBuf>,
        /// A Step Functions Local MockConfigFile.
        #[arg(long, requires = "test_case")]
        mock_config: Option<PathBuf>,
        /// The mock test case to use.
        #[arg(long, requires = "mock_config")]
        test_case: Option<String>,
        /// The state machine name (selects it in the mock file; default: the file name).
        #[arg(long)]
        state_machine: Option<String>,
    },
    /// The main job: replay the corpus (and N generated cases) on a backend; agreement per area and feature.
    Conformance {
        #[command(flatten)]
        backend_args: BackendArgs,
        /// The implementation to check.
        #[arg(long, default_value = "reference")]
        backend: String,
        /// Also run this many generated cases, compared with the reference.
        #[arg(long, default_value_t = 0)]
        generate: u64,
        /// Generator profile for --generate (a built-in name or a .toml file).
        #[arg(long, default_value = "all")]
        profile: String,
        /// First generator seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// The corpus directory [default: ./corpus].
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Also list skipped and known-failing cases.
        #[arg(long)]
        verbose: bool,
    },
    /// Replay corpus cases (files or directories) on a backend and explain every non-pass.
    Replay {
        #[command(flatten)]
        backend_args: BackendArgs,
        paths: Vec<PathBuf>,
        #[arg(long, default_value = "reference")]
        backend: String,
    },
    /// Generate random valid cases: one file per case plus a manifest; --stats prints coverage.
    Generate {
        #[arg(long, default_value = "all")]
        profile: String,
        #[arg(long, default_value_t = 10)]
        count: u64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        stats: bool,
    },
    /// Run the same cases on two implementations, report agreement per area/profile, and shrink
    /// every divergence into a pending corpus case (docs/differential.md).
    Diff {
        #[command(flatten)]
        backend_args: BackendArgs,
        /// The two implementations: --backend A --backend B (A is the side B is judged against).
        #[arg(long = "backend", required = true, num_args = 1)]
        backends: Vec<String>,
        /// Case files or directories (corpus format, or files from `aslcheck generate --out`).
        cases: Vec<PathBuf>,
        /// Also run this many generated cases.
        #[arg(long, default_value_t = 0)]
        generate: u64,
        /// Generator profile for --generate (a built-in name or a .toml file).
        #[arg(long, default_value = "all")]
        profile: String,
        /// First generator seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// The corpus directory (feature vocabulary, default pending dir) [default: ./corpus].
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Where minimised divergences are written [default: <corpus>/pending].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Runs (on both backends) each shrink may make.
        #[arg(long, default_value_t = 2000)]
        budget: usize,
        /// Ask both backends for the execution history and compare it too.
        #[arg(long)]
        history: bool,
        /// Also list inconclusive cases.
        #[arg(long)]
        verbose: bool,
    },
    /// Minimise a case on which two implementations disagree; write it to corpus/pending/.
    Shrink {
        #[command(flatten)]
        backend_args: BackendArgs,
        /// The case file.
        case: PathBuf,
        /// The two implementations: --backend A --backend B.
        #[arg(long = "backend", required = true, num_args = 1)]
        backends: Vec<String>,
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Where the minimised case is written [default: <corpus>/pending].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Runs (on both backends) the shrink may make.
        #[arg(long, default_value_t = 2000)]
        budget: usize,
        #[arg(long)]
        history: bool,
    },
    /// Fill the expected result and provenance of case files from a backend (atomic writes).
    Record {
        #[command(flatten)]
        backend_args: BackendArgs,
        /// The backend to record from (AWS: sfn-api).
        #[arg(long)]
        backend: String,
        /// Case files or directories.
        #[arg(required = true)]
        cases: Vec<PathBuf>,
        /// Overwrite existing expected results; allow non-AWS recordings into cases/.
        #[arg(long)]
        bless: bool,
    },
    /// Run an execution many times in-process and print executions per second.
    Bench {
        definition: PathBuf,
        #[arg(long)]
        input: Option<String>,
        #[arg(long, default_value_t = 10_000)]
        iterations: u64,
        /// Repeat the measurement this many times and also print the best and the median round
        /// (on a shared machine single rounds vary a lot).
        #[arg(long, default_value_t = 1)]
        rounds: u32,
    },
}

fn main() -> ExitCode {
    // Usage errors exit 1: exit code 2 is reserved for invalid definitions and inputs.
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let exit = match cli.command {
        Command::Validate { definitions } => cli::validate::main(&definitions),
        Command::Run {
            definition,
            input,
            history,
            seed,
            real_time,
            start_time,
            name,
            callbacks,
            mock_config,
            test_case,
            state_machine,
        } => cli::run::main(cli::run::Args {
            definition,
            input,
            history,
            seed,
            real_time,
            start_time,
            name,
            callbacks,
            mock_config,
            test_case,
            state_machine,
        }),
        Command::Conformance {
            backend_args,
            backend,
            generate,
            profile,
            seed,
            corpus,
            verbose,
        } => {
            cli::set_backend_options(backend_args.options(0));
            cli::conformance::main(cli::conformance::Args {
                backend,
                generate,
                profile,
                seed,
                corpus,
                verbose,
            })
        }
        Command::Replay {
            backend_args,
            paths,
            backend,
        } => {
            cli::set_backend_options(backend_args.options(0));
            cli::replay::main(paths, &backend)
        }
        Command::Generate {
            profile,
            count,
            seed,
            out,
            stats,
        } => cli::generate::main(cli::generate::Args {
            profile,
            count,
            seed,
            out,
            stats,
        }),
        Command::Diff {
            backend_args,
            backends,
            cases,
            generate,
            profile,
            seed,
            corpus,
            out,
            budget,
            history,
            verbose,
        } => {
            cli::set_backend_options(backend_args.options(0));
            cli::diff::main(cli::diff::Args {
                backends,
                cases,
                generate,
                profile,
                seed,
                corpus,
                out,
                budget,
                history,
                verbose,
            })
        }
        Command::Shrink {
            backend_args,
            case,
            backends,
            corpus,
            out,
            budget,
            history,
        } => {
            cli::set_backend_options(backend_args.options(0));
            cli::shrink::main(cli::shrink::Args {
                case,
                backends,
                corpus,
                out,
                budget,
                history,
            })
        }
        Command::Record {
            backend_args,
            backend,
            cases,
            bless,
        } => {
            // `--region` (of the backend flags) also names the region in the provenance.
            let region = backend_args.region.clone();
            cli::set_backend_options(backend_args.options(0));
            cli::record::main(cli::record::Args {
                backend,
                cases,
                bless,
                region,
            })
        }
        Command::Bench {
            definition,
            input,
            iterations,
            rounds,
        } => cli::bench::main(definition, input, iterations, rounds),
    };
    match exit {
        Exit::Ok => ExitCode::SUCCESS,
        Exit::Other => ExitCode::from(1),
        Exit::Invalid => ExitCode::from(2),
    }
}

// The interpreter allocates many small JSON values; mimalloc handles that pattern well.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
