//! `aslcheck serve [--host H] [--port P] [--time virtual|real] [--resources DIR] [--require-auth]
//! [--state-dir DIR]`: the Step
//! Functions API on the reference interpreter (docs/serve.md). Prints
//! `listening on http://HOST:PORT` on stdout once it accepts connections.

use std::io::Write;
use std::path::PathBuf;

use super::{error, Exit};
use crate::serve::{Config, Time};

/// How executions spend time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeArg {
    /// Waits advance a virtual clock: executions end at once, their history shows the time.
    Virtual,
    /// Waits take real time.
    Real,
}

/// Serve the Step Functions API on the reference interpreter.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (printed on stdout).
    #[arg(long, default_value_t = 8083)]
    pub port: u16,
    #[arg(long, value_enum, default_value_t = TimeArg::Virtual)]
    pub time: TimeArg,
    /// The simulated AWS resources executions read and change (docs/resources.md), shared by
    /// every execution of the server.
    #[arg(long, value_name = "DIR")]
    pub resources: Option<PathBuf>,
    /// A Step Functions Local MockConfigFile [default: $SFN_MOCK_CONFIG]; a state machine ARN
    /// ending in `#TestCase` runs with that test case's mocked responses.
    #[arg(long, value_name = "FILE")]
    pub mock_config: Option<PathBuf>,
    /// Region and account of the ARNs.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    #[arg(long, default_value = "123456789012")]
    pub account: String,
    /// Finished executions kept in memory; the oldest are forgotten first.
    #[arg(long, default_value_t = 10_000)]
    pub retention: usize,
    /// Refuse requests without a Signature Version 4 Authorization header (the signature is
    /// not checked). By default any request is accepted, signed or not.
    #[arg(long)]
    pub require_auth: bool,
    /// Keep state machines, activities and ended executions in DIR across restarts (one
    /// JSON file each, written atomically); running executions are not kept.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

pub fn main(args: Args) -> Exit {
    let world = match super::load_world(args.resources.as_deref()) {
        Ok(w) => w,
        Err(exit) => return exit,
    };
    let mock_file = args
        .mock_config
        .clone()
        .or_else(|| std::env::var_os("SFN_MOCK_CONFIG").map(PathBuf::from));
    let mock_config = match &mock_file {
        None => None,
        Some(f) => match std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(v) => Some(v),
            Err(e) => {
                error(format_args!("mock config {}: {e}", f.display()));
                return Exit::Invalid;
            }
        },
    };
    let cfg = Config {
        region: args.region,
        account: args.account,
        time: match args.time {
            TimeArg::Virtual => Time::Virtual,
            TimeArg::Real => Time::Real,
        },
        world,
        mock_config,
        retention: args.retention,
        seed: 0,
    };
    let ready = |addr: std::net::SocketAddr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    };
    let listen = crate::serve::Listen {
        host: args.host,
        port: args.port,
        require_auth: args.require_auth,
        state_dir: args.state_dir,
    };
    match crate::serve::run(&listen, cfg, ready) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            error(e);
            Exit::Other
        }
    }
}
