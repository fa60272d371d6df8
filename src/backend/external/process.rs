//! A running adapter process: its stdin, its stdout as lines on a channel, the tail of its
//! stderr.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::launch::{describe, Launch};

/// A running adapter process.
pub(super) struct Process {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

const STDERR_LINES: usize = 20;

impl Process {
    pub(super) fn spawn(launch: &Launch) -> Result<Process, String> {
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

    pub(super) fn send(&mut self, request: &Value) -> std::io::Result<()> {
        let mut line = request.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes())?;
        self.stdin.flush()
    }

    /// The next line, or why there is none.
    pub(super) fn receive(&mut self, timeout: Duration) -> Result<String, Broken> {
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

    pub(super) fn stderr_tail(&self) -> String {
        match self.stderr.lock() {
            Ok(t) if !t.is_empty() => format!(
                "; its last stderr lines:\n{}",
                t.iter().cloned().collect::<Vec<_>>().join("\n")
            ),
            _ => String::new(),
        }
    }

    pub(super) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the adapter to stop, then kills it if it does not within a second.
    pub(super) fn stop(mut self) {
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

pub(super) enum Broken {
    Crashed(String),
    Timeout,
}
