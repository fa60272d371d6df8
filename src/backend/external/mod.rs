//! The `external` backend: any implementation, in any language, behind a small adapter that
//! speaks JSON lines over stdin/stdout (`docs/protocol.md`, schema `docs/protocol.schema.json`;
//! after Bowtie's harness protocol).
//!
//! The runner writes one request per line — `start`, then `run` per case, then `stop` — and
//! the adapter answers `start` and each `run` with one line. The adapter returns raw
//! observations (`result`), or says it cannot run the case (`skipped`) or that the
//! implementation failed on it (`errored`); it never judges.
//!
//! An adapter that exits, writes something that is not a reply (a line that is not JSON, or one
//! longer than [`MAX_LINE_BYTES`]), does not take the request or does not answer within the case
//! timeout has broken on that case. That is trouble with the adapter, not an observation of the
//! implementation: the case is [`Observation::Indeterminate`] (never a divergence, never shrunk),
//! and the adapter is killed and started again for the next case. After
//! [`ExternalOptions::max_broken_in_a_row`] such cases in a row, or
//! [`ExternalOptions::max_restarts`] failed restarts, every further case is indeterminate at once,
//! so a hanging adapter costs a few timeouts, not one per case.
//!
//! - [`launch`]: how an adapter is started;
//! - [`process`]: the running adapter process and its pipes;
//! - [`protocol`]: parsing its answers.

mod launch;
mod process;
mod protocol;

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Backend, Capabilities, Observation, Request};
use launch::describe;
pub use launch::{Launch, COMMAND_FILE};
use process::{Broken, Process};
pub use protocol::{
    parse_reply, parse_start, read_line, Implementation, LineRead, MAX_LINE_BYTES, PROTOCOL_VERSION,
};

/// Limits for talking to an adapter.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// How long one case may take (from writing `run` to reading its reply).
    pub case_timeout: Duration,
    /// How long the adapter may take to start and answer `start` (also on each restart).
    pub start_timeout: Duration,
    /// Consecutive failed restarts after which every further case is indeterminate at once.
    pub max_restarts: u32,
    /// Consecutive cases the adapter broke on (crashed, hung, broke the protocol) after which
    /// every further case is indeterminate at once.
    pub max_broken_in_a_row: u32,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            case_timeout: Duration::from_secs(120),
            start_timeout: Duration::from_secs(30),
            max_restarts: 3,
            max_broken_in_a_row: 5,
        }
    }
}

/// The `external` backend. See the module documentation.
pub struct External {
    launch: Launch,
    options: ExternalOptions,
    implementation: Implementation,
    name: String,
    process: Option<Process>,
    seq: u64,
    failed_restarts: u32,
    broken_in_a_row: u32,
}

impl External {
    /// Starts the adapter and performs the `start` handshake.
    pub fn start(target: &str, options: &ExternalOptions) -> Result<External, String> {
        let launch = Launch::resolve(target)?;
        let (process, implementation) = handshake(&launch, options)?;
        Ok(External {
            name: implementation.name.clone(),
            launch,
            options: options.clone(),
            implementation,
            process: Some(process),
            seq: 0,
            failed_restarts: 0,
            broken_in_a_row: 0,
        })
    }

    fn ensure_running(&mut self) -> Result<(), String> {
        if self.process.is_some() {
            return Ok(());
        }
        if self.failed_restarts >= self.options.max_restarts {
            return Err(format!(
                "{} could not be restarted {} times in a row; not trying again",
                self.name, self.failed_restarts
            ));
        }
        if self.broken_in_a_row >= self.options.max_broken_in_a_row {
            return Err(format!(
                "{} broke on {} cases in a row; not running it again",
                self.name, self.broken_in_a_row
            ));
        }
        match handshake(&self.launch, &self.options) {
            Ok((p, _)) => {
                self.process = Some(p);
                self.failed_restarts = 0;
                Ok(())
            }
            Err(e) => {
                self.failed_restarts += 1;
                Err(format!("restarting {} failed: {e}", self.name))
            }
        }
    }

    /// Kills the adapter (it is restarted for the next case) and reports the case as
    /// indeterminate.
    fn broke(&mut self, what: String) -> Observation {
        self.broken_in_a_row += 1;
        let tail = self
            .process
            .as_ref()
            .map(Process::stderr_tail)
            .unwrap_or_default();
        if let Some(p) = self.process.take() {
            p.kill();
        }
        Observation::Indeterminate(format!(
            "{}: {what}; the adapter was stopped (restarted for the next case){tail}",
            self.name
        ))
    }
}

impl Drop for External {
    fn drop(&mut self) {
        if let Some(p) = self.process.take() {
            p.stop();
        }
    }
}

fn handshake(
    launch: &Launch,
    options: &ExternalOptions,
) -> Result<(Process, Implementation), String> {
    let deadline = Instant::now() + options.start_timeout;
    let mut p = Process::spawn(launch)?;
    let fail = |p: Process, m: String| {
        let tail = p.stderr_tail();
        p.kill();
        Err(format!("{} {m}{tail}", describe(launch)))
    };
    let timed_out = || {
        format!(
            "did not answer start within the start-up timeout ({}; --startup-timeout)",
            seconds(options.start_timeout)
        )
    };
    match p.send(
        &json!({"cmd": "start", "version": PROTOCOL_VERSION}),
        deadline,
    ) {
        Ok(()) => {}
        Err(Broken::Timeout) => return fail(p, timed_out()),
        Err(Broken::Crashed(m)) => return fail(p, format!("did not take the start request: {m}")),
    }
    let line = match p.receive(deadline) {
        Ok(l) => l,
        Err(Broken::Timeout) => return fail(p, timed_out()),
        Err(Broken::Crashed(m)) => return fail(p, format!("failed to start: {m}")),
    };
    match parse_start(&line) {
        Ok(i) => Ok((p, i)),
        Err(m) => fail(p, format!("answered start wrongly: {m}")),
    }
}

impl Backend for External {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        self.implementation.capabilities.clone()
    }

    fn run(&mut self, request: &Request<'_>) -> Observation {
        if let Err(e) = self.ensure_running() {
            return Observation::Indeterminate(e);
        }
        self.seq += 1;
        let seq = self.seq;
        let message = json!({
            "cmd": "run",
            "seq": seq,
            "case": {
                "mode": request.mode.as_str(),
                "definition": request.definition,
                "input": request.input,
                "environment": request.environment,
                "history": request.history,
            }
        });
        let timeout = self.options.case_timeout;
        let deadline = Instant::now() + timeout;
        let Some(p) = self.process.as_mut() else {
            return Observation::Indeterminate("the adapter is not running".into());
        };
        let timed_out = || {
            format!(
                "no answer within the case timeout ({}; --case-timeout)",
                seconds(timeout)
            )
        };
        match p.send(&message, deadline) {
            Ok(()) => {}
            Err(Broken::Timeout) => return self.broke(timed_out()),
            Err(Broken::Crashed(m)) => {
                return self.broke(format!("did not take the run request: {m}"))
            }
        }
        let line = match p.receive(deadline) {
            Ok(l) => l,
            Err(Broken::Timeout) => return self.broke(timed_out()),
            Err(Broken::Crashed(m)) => return self.broke(format!("broke on the case: {m}")),
        };
        match parse_reply(&line, seq, request.mode) {
            Ok(o) => {
                self.broken_in_a_row = 0;
                o
            }
            Err(m) => self.broke(format!("broke the protocol: {m}")),
        }
    }
}

/// A timeout for messages: `2 s`, `0.5 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::launch::split_words;
    use super::*;
    use crate::backend::Mode;

    #[test]
    fn commands_split_into_words() {
        assert_eq!(
            split_words("node adapter.js").unwrap(),
            vec!["node", "adapter.js"]
        );
        assert_eq!(
            split_words(r#"python3 -c 'print("a b")' "x y""#).unwrap(),
            vec!["python3", "-c", r#"print("a b")"#, "x y"]
        );
        assert_eq!(split_words("a ''").unwrap(), vec!["a", ""]);
        assert!(split_words("a 'b").is_err());
    }

    #[test]
    fn start_replies() {
        let ok = parse_start(r#"{"version":1,"implementation":{"name":"x","version":"1.0"},"capabilities":{"modes":["execution"],"history":true}}"#).unwrap();
        assert_eq!(ok.name, "x");
        assert_eq!(ok.capabilities.modes, vec![Mode::Execution]);
        assert!(ok.capabilities.history);
        assert!(parse_start(
            r#"{"version":2,"implementation":{"name":"x"},"capabilities":{"modes":[]}}"#
        )
        .is_err());
        assert!(parse_start(
            r#"{"version":1,"implementation":{"name":"x"},"capabilities":{"modes":["fly"]}}"#
        )
        .is_err());
        assert!(parse_start("hello").is_err());
    }

    #[test]
    fn run_replies() {
        let r = parse_reply(
            r#"{"seq":3,"result":{"status":"FAILED","error":"E","cause":null,"output":null}}"#,
            3,
            Mode::Execution,
        )
        .unwrap();
        assert_eq!(
            r,
            Observation::Execution {
                status: "FAILED".into(),
                output: None,
                error: Some("E".into()),
                cause: None,
                history: None
            }
        );
        assert_eq!(
            parse_reply(
                r#"{"seq":1,"skipped":{"message":"no"}}"#,
                1,
                Mode::Execution
            )
            .unwrap(),
            Observation::Skipped("no".into())
        );
        assert!(matches!(
            parse_reply(r#"{"seq":1,"errored":{"message":"boom","context":{"x":1}}}"#, 1, Mode::Validate).unwrap(),
            Observation::Errored(m) if m.contains("boom") && m.contains("\"x\"")
        ));
        let v = parse_reply(
            r#"{"seq":1,"result":{"valid":false,"diagnostics":[{"code":"C","message":"m"}]}}"#,
            1,
            Mode::Validate,
        )
        .unwrap();
        assert!(
            matches!(v, Observation::Validation { valid: false, ref diagnostics } if diagnostics[0].code == "C")
        );
        assert!(parse_reply(
            r#"{"seq":2,"skipped":{"message":"no"}}"#,
            1,
            Mode::Execution
        )
        .is_err());
        assert!(parse_reply(r#"{"seq":1,"result":{"status":1}}"#, 1, Mode::Execution).is_err());
        assert!(parse_reply("oops", 1, Mode::Execution).is_err());
    }
}
