//! `aslcheck bench DEF [--input FILE] [--iterations N] [--rounds R] [--resources DIR]`: runs the execution N times
//! in-process, without history, and prints executions per second; with R rounds, each round's
//! rate and then the best and the median.

use std::path::PathBuf;
use std::time::Instant;

use super::{error, report_input_error, report_load_error, Exit};
use crate::engine::{self, RunOptions};
use crate::harness::input::{read_definition, read_input};
use crate::tasks::Registry;
use crate::world::SharedWorld;

/// Run an execution many times in-process and print executions per second.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Definition file (JSON or YAML), or - for stdin (JSON).
    pub definition: PathBuf,
    /// Execution input: a file, file://FILE, - for stdin, or JSON text starting with {, [ or "
    /// [default: {}].
    #[arg(long)]
    pub input: Option<String>,
    /// Executions per round.
    #[arg(long, default_value_t = 10_000)]
    pub iterations: u64,
    /// Repeat the measurement this many times and also print the best and the median round
    /// (on a shared machine single rounds vary a lot).
    #[arg(long, default_value_t = 1)]
    pub rounds: u32,
    /// The simulated AWS resources every execution starts with (docs/resources.md); each
    /// execution gets a fresh copy.
    #[arg(long, value_name = "DIR")]
    pub resources: Option<PathBuf>,
}

pub fn main(args: Args) -> Exit {
    let Args {
        definition,
        input,
        iterations,
        rounds,
        resources,
    } = args;
    if definition.as_os_str() == "-" && input.as_deref() == Some("-") {
        error("the definition and the input cannot both come from stdin (-)");
        return Exit::Other;
    }
    let def = match read_definition(&definition) {
        Ok(d) => d,
        Err(e) => return report_load_error(&definition, e),
    };
    let input = match read_input(input.as_deref()) {
        Ok(v) => v,
        Err(e) => return report_input_error(e),
    };
    let world = match super::load_world(resources.as_deref()) {
        Ok(w) => w,
        Err(exit) => return exit,
    };
    let options_for = |seed: u64| RunOptions {
        seed,
        resources: Box::new(Registry {
            world: SharedWorld::new(world.clone()),
            ..Registry::default()
        }),
        ..RunOptions::default()
    };
    let iterations = iterations.max(1);
    // One run first, so a definition that fails says so before it is timed.
    let first = engine::run(&def.machine, &input, options_for(0));
    let mut rates = Vec::new();
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        for i in 0..iterations {
            let options = options_for(i);
            std::hint::black_box(engine::run(&def.machine, &input, options));
        }
        let secs = started.elapsed().as_secs_f64();
        let rate = iterations as f64 / secs.max(1e-9);
        println!(
            "{}: {iterations} executions in {secs:.3} s: {rate:.0} executions/s (status {})",
            definition.display(),
            first.status.as_str()
        );
        rates.push(rate);
    }
    if rates.len() > 1 {
        rates.sort_by(f64::total_cmp);
        let best = rates[rates.len() - 1];
        let median = rates[rates.len() / 2];
        println!(
            "{}: {} rounds: best {best:.0} executions/s, median {median:.0} executions/s",
            definition.display(),
            rates.len()
        );
    }
    Exit::Ok
}
