//! The harness: what every command does with cases and implementations, as a library. The
//! `aslcheck` binary's subcommands (`crate::cli`) only compose these calls and print.
//!
//! - [`subject`]: the implementations under test — `--backend` names and their flags;
//! - [`observe`]: running one case (or a batch) on one implementation — the one observe path;
//! - [`replay`]: corpus cases judged against their expected results, verdicts and summaries;
//! - [`capable`]: generator configs fitted to what the backends can run;
//! - [`differential`]: the same cases on two implementations, agreement tallies;
//! - [`laws`]: what one implementation must keep on any case (determinism, a terminal answer,
//!   a well-formed history);
//! - [`minimise`]: a divergence shrunk and written as a pending corpus case;
//! - [`triage`]: divergences grouped into clusters, one per defect;
//! - [`inconclusive`]: when cases without a verdict fail the run (`--max-indeterminate`);
//! - [`record`]: expected results filled from a backend;
//! - [`input`]: execution inputs from files or stdin;
//! - [`output`]: results printed as JSON, pretty while small and compact beyond a size;
//! - [`progress`]: progress of long runs;
//! - [`shard`]: `--shard K/N`, one machine's share of a run;
//! - [`reporting`]: a run's results as report records ([`crate::report`]).
//!
//! Layers: the harness uses `corpus` (case files), `diff` (normalise → compare → render, the
//! shrinker) and `backend`; none of those uses the harness.

pub mod capable;
pub mod differential;
pub mod eval;
pub mod inconclusive;
pub mod input;
pub mod laws;
pub mod minimise;
pub mod observe;
pub mod output;
pub mod progress;
pub mod record;
pub mod replay;
pub mod reporting;
pub mod shard;
pub mod subject;
pub mod triage;

/// The interpreter thread could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadError {
    Spawn(String),
    Panicked,
}

impl std::fmt::Display for ThreadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThreadError::Spawn(e) => write!(f, "cannot start the interpreter thread: {e}"),
            ThreadError::Panicked => f.write_str("the interpreter thread panicked"),
        }
    }
}

impl std::error::Error for ThreadError {}

/// Runs `f` on a thread with a large stack: deeply nested data built by a machine (ResultPath in
/// a loop) must not overflow the stack when it is copied, compared or dropped.
pub fn with_big_stack<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ThreadError> {
    std::thread::Builder::new()
        .name("aslcheck-interpreter".into())
        .stack_size(512 * 1024 * 1024)
        .spawn(f)
        .map_err(|e| ThreadError::Spawn(e.to_string()))?
        .join()
        .map_err(|_| ThreadError::Panicked)
}
