//! The `external` backend: any implementation, in any language, behind a small adapter that
//! speaks JSON lines over stdin/stdout (`docs/protocol.md`, schema `docs/protocol.schema.json`;
//! after Bowtie's harness protocol).
//!
//! The runner writes one request per line — `start`, then `run` per case, then `stop` — and
//! the adapter answers `start` and each `run` with one line. The adapter returns raw
//! observations (`result`), or says it cannot run the case (`skipped`) or that the
//! implementation failed on it (`errored`); it never judges.
//!
//! An adapter that exits, writes something that is not a reply, or does not answer within the
//! case timeout has broken on that case: the case is [`Observation::Errored`] and the adapter
//! is started again for the next case.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::{Backend, Capabilities, Diagnostic, Mode, Observation, Request};

/// The protocol version this runner speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// The file in an adapter directory that holds the command line to start it.
pub const COMMAND_FILE: &str = "command";

/// Limits for talking to an adapter.
#[derive(Debug, Clone)]
pub struct ExternalOptions {
    /// How long one case may take (from `run` to its reply).
    pub case_timeout: Duration,
    /// How long the adapter may take to answer `start`.
    pub start_timeout: Duration,
    /// Consecutive failed restarts after which every further case is errored at once.
    pub max_restarts: u32,
}

impl Default for ExternalOptions {
    fn default() -> Self {
        ExternalOptions {
            case_timeout: Duration::from_secs(120),
            start_timeout: Duration::from_secs(30),
            max_restarts: 3,
        }
    }
}

/// How to start an adapter: a program, its arguments and the directory to run it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub program: String,
    pub args: Vec<String>,
    pub dir: Option<PathBuf>,
}

impl Launch {
    /// `external:<target>`: a directory holding a `command` file (its first line that is not
    /// empty or a `#` comment is the command, run inside the directory), or else a command line.
    /// Words are split at whitespace; single or double quotes keep a word together.
    pub fn resolve(target: &str) -> Result<Launch, String> {
        let path = Path::new(target);
        let (line, dir) = if path.is_dir() {
            let file = path.join(COMMAND_FILE);
            let text = std::fs::read_to_string(&file).map_err(|e| {
                format!("external:{target}: the directory has no readable {COMMAND_FILE} file ({e}); put the command that starts the adapter in {}", file.display())
            })?;
            let line = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .ok_or_else(|| format!("external:{target}: {} is empty", file.display()))?
                .to_string();
            (line, Some(path.to_path_buf()))
        } else {
            (target.to_string(), None)
        };
        let mut words = split_words(&line).map_err(|e| format!("external:{target}: {e}"))?;
        if words.is_empty() {
            return Err(format!("external:{target}: no command"));
        }
        let program = words.remove(0);
        Ok(Launch {
            program,
            args: words,
            dir,
        })
    }
}

fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unbalanced quote in the command".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// What the adapter said about itself in answer to `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct Implementation {
    pub name: String,
    pub version: Option<String>,
    /// The whole `implementation` object (language, homepage, …).
    pub info: Value,
    pub capabilities: Capabilities,
}

/// A running adapter process.
struct Process {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

const STDERR_LINES: usize = 20;

impl Process {
    fn spawn(launch: &Launch) -> Result<Process, String> {
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(d) = &launch.dir {
            cmd.current_dir(d);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", describe(launch)))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err("the adapter's pipes could not be opened".into());
        };
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let keep = tail.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.by_ref().take(64 * 1024).read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if let Ok(mut t) = keep.lock() {
                            if t.len() == STDERR_LINES {
                                t.pop_front();
                            }
                            t.push_back(String::from_utf8_lossy(&buf).trim_end().to_string());
                        }
                    }
                }
            }
        });
        Ok(Process {
            child,
            stdin,
            lines,
            stderr: tail,
        })
    }

    fn send(&mut self, request: &Value) -> std::io::Result<()> {
        let mut line = request.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes())?;
        self.stdin.flush()
    }

    /// The next line, or why there is none.
    fn receive(&mut self, timeout: Duration) -> Result<String, Broken> {
        match self.lines.recv_timeout(timeout) {
            Ok(Ok(line)) => Ok(line),
            Ok(Err(e)) => Err(Broken::Crashed(format!("reading its output failed: {e}"))),
            Err(RecvTimeoutError::Timeout) => Err(Broken::Timeout),
            Err(RecvTimeoutError::Disconnected) => {
                // Give the process a moment to be reaped so the exit status can be reported.
                let mut status = None;
                for _ in 0..20 {
                    if let Ok(Some(s)) = self.child.try_wait() {
                        status = Some(s);
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(Broken::Crashed(match status {
                    Some(s) => format!("it exited ({s})"),
                    None => "it closed its output".to_string(),
                }))
            }
        }
    }

    fn stderr_tail(&self) -> String {
        match self.stderr.lock() {
            Ok(t) if !t.is_empty() => format!(
                "; its last stderr lines:\n{}",
                t.iter().cloned().collect::<Vec<_>>().join("\n")
            ),
            _ => String::new(),
        }
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the adapter to stop, then kills it if it does not within a second.
    fn stop(mut self) {
        let _ = self.send(&json!({"cmd": "stop"}));
        for _ in 0..40 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        self.kill();
    }
}

enum Broken {
    Crashed(String),
    Timeout,
}

fn describe(launch: &Launch) -> String {
    let mut s = launch.program.clone();
    for a in &launch.args {
        s.push(' ');
        s.push_str(a);
    }
    match &launch.dir {
        Some(d) => format!("`{s}` in {}", d.display()),
        None => format!("`{s}`"),
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

    /// Kills the adapter (it is restarted for the next case) and reports the case as errored.
    fn broke(&mut self, what: String) -> Observation {
        let tail = self
            .process
            .as_ref()
            .map(Process::stderr_tail)
            .unwrap_or_default();
        if let Some(p) = self.process.take() {
            p.kill();
        }
        Observation::Errored(format!("{}: {what}; it was restarted{tail}", self.name))
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
    let mut p = Process::spawn(launch)?;
    let fail = |p: Process, m: String| {
        let tail = p.stderr_tail();
        p.kill();
        Err(format!("{} {m}{tail}", describe(launch)))
    };
    if let Err(e) = p.send(&json!({"cmd": "start", "version": PROTOCOL_VERSION})) {
        return fail(p, format!("did not take the start request: {e}"));
    }
    let line = match p.receive(options.start_timeout) {
        Ok(l) => l,
        Err(Broken::Timeout) => {
            return fail(
                p,
                format!(
                    "did not answer start within {} s",
                    options.start_timeout.as_secs()
                ),
            )
        }
        Err(Broken::Crashed(m)) => return fail(p, format!("failed to start: {m}")),
    };
    match parse_start(&line) {
        Ok(i) => Ok((p, i)),
        Err(m) => fail(p, format!("answered start wrongly: {m}")),
    }
}

/// Parses the answer to `start`.
pub fn parse_start(line: &str) -> Result<Implementation, String> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {}", clip(line)))?;
    let version = v.get("version").and_then(Value::as_u64);
    if version != Some(PROTOCOL_VERSION) {
        return Err(format!(
            "protocol version {:?}; this runner speaks {PROTOCOL_VERSION}",
            v.get("version")
        ));
    }
    let info = v
        .get("implementation")
        .filter(|i| i.is_object())
        .ok_or("no implementation object")?;
    let name = info
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("implementation.name must be a non-empty string")?;
    let caps = v
        .get("capabilities")
        .filter(|c| c.is_object())
        .ok_or("no capabilities object")?;
    let mut modes = Vec::new();
    for m in caps
        .get("modes")
        .and_then(Value::as_array)
        .ok_or("capabilities.modes must be an array")?
    {
        let s = m.as_str().ok_or("capabilities.modes holds strings")?;
        modes.push(
            Mode::parse(s).ok_or_else(|| format!("unknown mode {s:?} in capabilities.modes"))?,
        );
    }
    let history = caps
        .get("history")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let query_languages = caps
        .get("query_languages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_else(|| vec!["JSONPath".to_string()]);
    Ok(Implementation {
        name: name.to_string(),
        version: info
            .get("version")
            .and_then(Value::as_str)
            .map(String::from),
        info: info.clone(),
        capabilities: Capabilities {
            modes,
            history,
            query_languages,
        },
    })
}

fn clip(s: &str) -> String {
    if s.len() <= 200 {
        return s.to_string();
    }
    let mut end = 200;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Parses the answer to `run` number `seq` into an observation, or says what is wrong with it.
pub fn parse_reply(line: &str, seq: u64, mode: Mode) -> Result<Observation, String> {
    let v: Value = serde_json::from_str(line)
        .map_err(|e| format!("wrote something that is not JSON ({e}): {}", clip(line)))?;
    if v.get("seq").and_then(Value::as_u64) != Some(seq) {
        return Err(format!(
            "answered with seq {:?} instead of {seq}",
            v.get("seq")
        ));
    }
    let message = |x: &Value| -> Result<String, String> {
        x.get("message")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| "a skipped or errored reply needs a string message".to_string())
    };
    if let Some(s) = v.get("skipped") {
        return Ok(Observation::Skipped(message(s)?));
    }
    if let Some(e) = v.get("errored") {
        let mut m = message(e)?;
        if let Some(c) = e.get("context").filter(|c| !c.is_null()) {
            m.push_str(&format!(" (context: {c})"));
        }
        return Ok(Observation::Errored(m));
    }
    let r = v
        .get("result")
        .filter(|r| r.is_object())
        .ok_or("the reply has none of result, skipped, errored")?;
    let opt_string = |k: &str| -> Result<Option<String>, String> {
        match r.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("result.{k} must be a string or null, not {other}")),
        }
    };
    match mode {
        Mode::Validate => {
            let valid = r
                .get("valid")
                .and_then(Value::as_bool)
                .ok_or("result.valid must be a boolean (mode validate)")?;
            let mut diagnostics = Vec::new();
            for d in r
                .get("diagnostics")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                diagnostics.push(Diagnostic {
                    code: d
                        .get("code")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    message: d
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    location: d.get("location").and_then(Value::as_str).map(String::from),
                });
            }
            Ok(Observation::Validation { valid, diagnostics })
        }
        Mode::Execution | Mode::TestState => {
            let status = r
                .get("status")
                .and_then(Value::as_str)
                .ok_or("result.status must be a string")?;
            let history = match r.get("history") {
                None | Some(Value::Null) => None,
                Some(Value::Array(a)) => Some(a.clone()),
                Some(_) => return Err("result.history must be an array".into()),
            };
            Ok(Observation::Execution {
                status: status.to_string(),
                output: r.get("output").cloned().filter(|o| !o.is_null()),
                error: opt_string("error")?,
                cause: opt_string("cause")?,
                history,
            })
        }
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
            return Observation::Errored(e);
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
        let Some(p) = self.process.as_mut() else {
            return Observation::Errored("the adapter is not running".into());
        };
        if let Err(e) = p.send(&message) {
            return self.broke(format!("the run request could not be written ({e})"));
        }
        let line = match p.receive(timeout) {
            Ok(l) => l,
            Err(Broken::Timeout) => {
                return self.broke(format!(
                    "no answer within the case timeout ({} s)",
                    timeout.as_secs()
                ))
            }
            Err(Broken::Crashed(m)) => return self.broke(format!("crashed: {m}")),
        };
        match parse_reply(&line, seq, request.mode) {
            Ok(o) => o,
            Err(m) => self.broke(format!("broke the protocol: {m}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
