//! A running adapter process: requests written to its stdin by a writer thread, its stdout read
//! as lines (each at most [`MAX_LINE_BYTES`]) by a reader thread, the tail of its stderr.
//!
//! Every exchange has a deadline: the caller waits on channels, never on a pipe, so an adapter
//! that stops reading its input or never ends a line costs at most the timeout, and the reader
//! holds at most one line of at most the limit (the channel to the caller has no buffer, so an
//! adapter that writes many lines is not read ahead of the caller).
//!
//! On Unix the adapter runs in a process group of its own, and killing it kills the group: a
//! shell script's children (a `sleep`, an interpreter it started) go with it instead of holding
//! its pipes open.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::launch::{describe, Launch};
use super::protocol::{read_line, LineRead, MAX_LINE_BYTES};

/// A running adapter process.
pub(super) struct Process {
    child: Child,
    /// Request lines for the writer thread; dropping it closes the adapter's stdin.
    requests: Option<Sender<Vec<u8>>>,
    /// The writer thread's answer for each request.
    written: Receiver<std::io::Result<()>>,
    lines: Receiver<Result<String, String>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

const STDERR_LINES: usize = 20;
/// Bytes kept of one stderr line.
const STDERR_LINE_BYTES: u64 = 64 * 1024;

/// Why an exchange with the adapter failed.
pub(super) enum Broken {
    /// It exited, closed its output, or wrote something that is not a line of the protocol.
    Crashed(String),
    /// The deadline passed.
    Timeout,
}

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
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", describe(launch)))?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the adapter's pipes could not be opened".into());
        };

        let (requests, to_write) = mpsc::channel::<Vec<u8>>();
        let (wrote, written) = mpsc::channel();
        std::thread::spawn(move || {
            for line in to_write {
                let r = stdin.write_all(&line).and_then(|()| stdin.flush());
                let failed = r.is_err();
                if wrote.send(r).is_err() || failed {
                    break;
                }
            }
        });

        let (tx, lines) = mpsc::sync_channel(0);
        std::thread::spawn(move || read_lines(stdout, MAX_LINE_BYTES, tx));

        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let keep = tail.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader
                    .by_ref()
                    .take(STDERR_LINE_BYTES)
                    .read_until(b'\n', &mut buf)
                {
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
            requests: Some(requests),
            written,
            lines,
            stderr: tail,
        })
    }

    /// Writes one request line, waiting for the adapter to take it until `deadline`.
    pub(super) fn send(&mut self, request: &Value, deadline: Instant) -> Result<(), Broken> {
        let mut line = request.to_string().into_bytes();
        line.push(b'\n');
        let Some(requests) = &self.requests else {
            return Err(Broken::Crashed("its input is closed".into()));
        };
        if requests.send(line).is_err() {
            return Err(Broken::Crashed(
                "it does not read its input any more".into(),
            ));
        }
        match self.written.recv_timeout(left(deadline)) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Broken::Crashed(format!(
                "the request could not be written to it ({e})"
            ))),
            Err(RecvTimeoutError::Timeout) => Err(Broken::Timeout),
            Err(RecvTimeoutError::Disconnected) => Err(Broken::Crashed(
                "it does not read its input any more".into(),
            )),
        }
    }

    /// The next line, or why there is none by `deadline`.
    pub(super) fn receive(&mut self, deadline: Instant) -> Result<String, Broken> {
        match self.lines.recv_timeout(left(deadline)) {
            Ok(Ok(line)) => Ok(line),
            Ok(Err(m)) => Err(Broken::Crashed(m)),
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

    /// The last lines the adapter wrote to stderr, on lines of their own after a heading (so
    /// the first line of a message holds only the reason), or nothing.
    pub(super) fn stderr_tail(&self) -> String {
        match self.stderr.lock() {
            Ok(t) if !t.is_empty() => format!(
                "\n  its last stderr lines:\n{}",
                t.iter()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            _ => String::new(),
        }
    }

    /// Kills the adapter (its whole process group on Unix) and reaps it.
    pub(super) fn kill(mut self) {
        self.requests = None;
        #[cfg(unix)]
        {
            // The group was created with the child's pid as its id (`process_group(0)`). A group
            // id is not given to a new process while the group has members, and the child has
            // been reaped at most moments ago (when it exited on its own), so this reaches the
            // adapter's processes only.
            let pid = rustix::process::Pid::from_child(&self.child);
            if !pid.is_init() {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the adapter to stop and closes its input, then kills it if it has not exited within
    /// a second.
    pub(super) fn stop(mut self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        let _ = self.send(&json!({"cmd": "stop"}), deadline);
        self.requests = None;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // Its children, if any, go too.
                self.kill();
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        self.kill();
    }
}

/// The time from now to `deadline` (zero once it has passed).
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// The reader thread: sends each line of `stdout`, or what is wrong with it, until the stream
/// ends, a line breaks the protocol, or the receiver is gone.
fn read_lines(stdout: impl Read, max: usize, tx: SyncSender<Result<String, String>>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut buf = Vec::new();
    loop {
        let item = match read_line(&mut reader, max, &mut buf) {
            Ok(LineRead::End) => return,
            Ok(LineRead::Line) => match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) => Ok(s),
                Err(_) => Err("it wrote a line that is not UTF-8".to_string()),
            },
            Ok(LineRead::TooLong) => Err(format!(
                "it wrote a line longer than the protocol's limit of {} bytes ({} MiB)",
                max,
                max / (1024 * 1024)
            )),
            Err(e) => Err(format!("reading its output failed: {e}")),
        };
        let stop = item.is_err();
        if tx.send(item).is_err() || stop {
            return;
        }
    }
}
