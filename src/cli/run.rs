//! `aslcheck run DEF [--input FILE|-] [--history] [--seed N] [--real-time] [--start-time T]
//! [--resources DIR] [--resources-out DIR]`.
//!
//! Prints exactly one JSON object on stdout:
//! `{"status", "output", "error", "cause"}`, plus `"history"` with `--history`; pretty while its
//! pretty text is at most 1 MiB, compact beyond that or with `--compact`
//! ([`crate::harness::output`]).

use std::path::PathBuf;

use super::{error, report_input_error, report_load_error, Exit};
use crate::data::timestamp;
use crate::engine::{self, RunOptions};
use crate::harness::input::{check_execution_name, read_definition, read_input};
use crate::harness::output::{print_json, Layout};
use crate::harness::with_big_stack;
use crate::tasks::callbacks::{Callbacks, Reply, Script, Silent, Waiting};
use crate::tasks::mock::TestCase;
use crate::tasks::Registry;
use crate::world::{check_output_dir, SharedWorld, World};

/// Lets the CLI read which script entries were used after the run.
struct SharedScript(std::sync::Arc<std::sync::Mutex<Script>>);

impl Callbacks for SharedScript {
    fn replies(&mut self, w: &Waiting<'_>) -> Vec<Reply> {
        match self.0.lock() {
            Ok(mut s) => s.replies(w),
            Err(_) => Vec::new(),
        }
    }
}

/// Reads a JSON file the run needs (`--mock-config`, `--callbacks`): a file that cannot be read
/// is exit code 1, one that is not JSON exit code 2.
fn read_json(file: &std::path::Path) -> Result<serde_json::Value, (String, Exit)> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| (format!("cannot read {}: {e}", file.display()), Exit::Other))?;
    serde_json::from_str(&text).map_err(|e| {
        (
            format!(
                "{}: not valid JSON: {e} (line {}, column {})",
                file.display(),
                e.line(),
                e.column()
            ),
            Exit::Invalid,
        )
    })
}

/// Run one execution on the reference interpreter and print its result as JSON.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Definition file (JSON or YAML), or - for stdin (JSON).
    pub definition: PathBuf,
    /// Execution input: a file, file://FILE, - for stdin, or JSON text starting with {, [ or "
    /// [default: {}].
    #[arg(long)]
    pub input: Option<String>,
    /// Include the execution history (AWS event shape).
    #[arg(long)]
    pub history: bool,
    /// Seed for execution names, tokens, UUIDs, random numbers and jitter.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Wait for real in Wait states and retry intervals instead of using virtual time.
    #[arg(long)]
    pub real_time: bool,
    /// Virtual start time (RFC 3339) [default: 2024-01-01T00:00:00Z; the wall clock with --real-time].
    #[arg(long)]
    pub start_time: Option<String>,
    /// Execution name, 1-80 characters as AWS allows them [default: a UUID drawn from the seed].
    #[arg(long)]
    pub name: Option<String>,
    /// Scripted answers for .waitForTaskToken tasks (see docs/callbacks.md).
    #[arg(long)]
    pub callbacks: Option<PathBuf>,
    /// A Step Functions Local MockConfigFile.
    #[arg(long, requires = "test_case")]
    pub mock_config: Option<PathBuf>,
    /// The mock test case to use.
    #[arg(long, requires = "mock_config")]
    pub test_case: Option<String>,
    /// The state machine name (selects it in the mock file; default: the file name).
    #[arg(long)]
    pub state_machine: Option<String>,
    /// Run as an execution of this workflow type (EXPRESS changes the execution ARN and the
    /// context object).
    #[arg(long, value_enum, default_value_t = RunWorkflow::Standard)]
    pub workflow_type: RunWorkflow,
    /// Print the result on one line [default: pretty unless the pretty text passes 1 MiB].
    #[arg(long)]
    pub compact: bool,
    /// The simulated AWS resources the run starts with: a folder in the layout of
    /// docs/resources.md (S3 objects, DynamoDB tables, child state machines, ECS task
    /// definitions); never modified [default: an empty world].
    #[arg(long, value_name = "DIR")]
    pub resources: Option<PathBuf>,
    /// Write the resources as the execution left them, plus the messages it sent, into this new
    /// or empty folder.
    #[arg(long, value_name = "DIR")]
    pub resources_out: Option<PathBuf>,
}

/// `--workflow-type` of `aslcheck run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RunWorkflow {
    Standard,
    Express,
}

pub fn main(args: Args) -> Exit {
    if args.definition.as_os_str() == "-" && args.input.as_deref() == Some("-") {
        error("the definition and the input cannot both come from stdin (-)");
        return Exit::Other;
    }
    let def = match read_definition(&args.definition) {
        Ok(d) => d,
        Err(e) => return report_load_error(&args.definition, e),
    };
    if let Some(name) = &args.name {
        if let Err(e) = check_execution_name(name) {
            return report_input_error(e);
        }
    }
    let input = match read_input(args.input.as_deref()) {
        Ok(v) => v,
        Err(e) => return report_input_error(e),
    };
    let start_time = match &args.start_time {
        None => None,
        Some(t) => {
            match timestamp::parse_millis(t) {
                Some(ms) => Some(ms),
                None => {
                    error(format_args!("--start-time: '{t}' is not an RFC 3339 timestamp such as 2024-01-01T00:00:00Z"));
                    return Exit::Other;
                }
            }
        }
    };
    let sm_name = args
        .state_machine
        .clone()
        .unwrap_or_else(|| state_machine_name(&args.definition));
    let mut registry = Registry::default();
    if let Some(out) = &args.resources_out {
        // Refused before the run, so that no result is computed and then lost.
        if let Err(e) = check_output_dir(out) {
            error(e);
            return Exit::Other;
        }
    }
    if let Some(dir) = &args.resources {
        if !dir.is_dir() {
            error(format_args!(
                "--resources: {} is not a folder (docs/resources.md gives the layout)",
                dir.display()
            ));
            return Exit::Other;
        }
        match World::load_dir(dir) {
            Ok(w) => registry.world = SharedWorld::new(w),
            Err(e) => {
                error(format_args!("--resources: {e}"));
                return Exit::Invalid;
            }
        }
    }
    let world = registry.world.clone();
    match (&args.mock_config, &args.test_case) {
        (Some(file), Some(case)) => {
            let config = match read_json(file) {
                Ok(v) => v,
                Err((m, exit)) => {
                    error(&m);
                    return exit;
                }
            };
            let names = crate::asl::state_names(&def.json);
            match TestCase::load(&config, args.state_machine.as_deref(), case, &names) {
                Ok(tc) => registry.mocks = Some(tc),
                Err(e) => {
                    error(format_args!("{}: {e}", file.display()));
                    return Exit::Invalid;
                }
            }
        }
        (None, None) => {}
        _ => {
            error("--mock-config and --test-case go together: give both or neither");
            return Exit::Other;
        }
    }
    let script = match &args.callbacks {
        None => None,
        Some(file) => match read_json(file).and_then(|v| {
            Script::parse(&v).map_err(|m| (format!("{}: {m}", file.display()), Exit::Invalid))
        }) {
            Ok(s) => Some(s),
            Err((m, exit)) => {
                error(&m);
                return exit;
            }
        },
    };
    let shared = script.map(|s| std::sync::Arc::new(std::sync::Mutex::new(s)));
    let callbacks: Box<dyn Callbacks> = match &shared {
        Some(s) => Box::new(SharedScript(s.clone())),
        None => Box::new(Silent),
    };
    let options = RunOptions {
        resources: Box::new(registry),
        callbacks,
        seed: args.seed,
        history: args.history,
        real_time: args.real_time,
        start_time,
        state_machine_name: sm_name.into(),
        execution_name: args.name,
        express: args.workflow_type == RunWorkflow::Express,
        ..RunOptions::default()
    };
    let machine = def.machine;
    let layout = if args.compact {
        Layout::Compact
    } else {
        Layout::Auto
    };
    // Printed (and dropped) on the interpreter's stack too: the data can be nested deeply.
    let printed = with_big_stack(move || {
        let outcome = engine::run(&machine, &input, options);
        for note in &outcome.notes {
            eprintln!("note: {note}");
        }
        print_json(&outcome, layout)
    });
    if let Some(s) = shared {
        if let Ok(s) = s.lock() {
            for u in s.unused() {
                eprintln!("note: callbacks: {u}");
            }
        }
    }
    if let (Some(out), Ok(Ok(()))) = (&args.resources_out, &printed) {
        if let Err(e) = world.snapshot().save_dir(out) {
            error(format_args!("--resources-out: {e}"));
            return Exit::Other;
        }
    }
    match printed {
        Ok(Ok(())) => Exit::Ok,
        Ok(Err(e)) => {
            error(format_args!("cannot print the result: {e}"));
            Exit::Other
        }
        Err(m) => {
            error(&m);
            Exit::Other
        }
    }
}

/// A state machine name from the file name, limited to the characters AWS allows (§1.2).
pub fn state_machine_name(path: &std::path::Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let name: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(80)
        .collect();
    if name.is_empty() {
        "aslcheck".into()
    } else {
        name
    }
}
