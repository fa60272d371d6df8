//! `aslcheck bench-api --endpoint URL [--workload W]… [--clients N]… [--seconds S]`: drives
//! a Step Functions API endpoint (`aslcheck serve`, moto, LocalStack) with the workloads of
//! [`crate::serve::load`] and prints executions per second for each workload and client count.

use super::{error, Exit};
use crate::serve::load::{self, Conn, WORKLOADS};

/// Drive a Step Functions API endpoint and print executions per second.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The endpoint, e.g. http://127.0.0.1:8083 (plain HTTP).
    #[arg(long, visible_alias = "endpoint-url")]
    pub endpoint: String,
    /// Workloads to run (sync-pass10, pass10, map100) [default: all].
    #[arg(long)]
    pub workload: Vec<String>,
    /// Concurrent clients, each on one keep-alive connection [default: 1 and 16].
    #[arg(long)]
    pub clients: Vec<usize>,
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// A label for the endpoint in the output [default: the endpoint].
    #[arg(long)]
    pub label: Option<String>,
}

pub fn main(args: Args) -> Exit {
    let Some(addr) = args
        .endpoint
        .strip_prefix("http://")
        .map(|a| a.trim_end_matches('/').to_string())
    else {
        error(format_args!(
            "--endpoint: expected http://HOST:PORT, got {:?}",
            args.endpoint
        ));
        return Exit::Other;
    };
    let workloads: Vec<String> = if args.workload.is_empty() {
        WORKLOADS.iter().map(|w| w.to_string()).collect()
    } else {
        args.workload.clone()
    };
    let clients = if args.clients.is_empty() {
        vec![1, 16]
    } else {
        args.clients.clone()
    };
    let label = args.label.clone().unwrap_or_else(|| args.endpoint.clone());
    let tag = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    let mut conn = Conn::new(&addr);
    let mut failed = false;
    for w in &workloads {
        let (arn, input) = match load::prepare(&mut conn, w, &tag) {
            Ok(p) => p,
            Err(e) => {
                error(format_args!("{label}: {w}: {e}"));
                failed = true;
                continue;
            }
        };
        for &n in &clients {
            let run = format!("{tag}-{n}");
            let m = load::measure(&addr, &run, w, &arn, &input, n, args.seconds);
            println!(
                "{label}: {w}, {n} client(s): {} executions in {:.1} s: {:.0} executions/s{}",
                m.executions,
                m.seconds,
                m.rate(),
                match &m.first_failure {
                    Some(f) => format!(" ({} failed; first: {f})", m.failures),
                    None => String::new(),
                }
            );
            failed |= m.executions == 0;
        }
        let _ = conn.call(
            "DeleteStateMachine",
            &serde_json::json!({ "stateMachineArn": arn }),
        );
    }
    if failed {
        Exit::Other
    } else {
        Exit::Ok
    }
}
