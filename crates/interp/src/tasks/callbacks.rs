//! Task tokens and callbacks (`.waitForTaskToken`; docs/semantics/task.md §10.6;
//! <https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token>).
//!
//! A waiting task asks the run's [`Callbacks`] what will happen to its token: the replies say
//! after how many seconds of (virtual) time a `SendTaskSuccess`, `SendTaskFailure` or
//! `SendTaskHeartbeat` arrives. The CLI's `--callbacks FILE` is a [`Script`]; library users
//! implement the trait. A responder may also block until the calls really arrive (as
//! `aslcheck serve` does with the API's SendTask* calls) and report the time they took.

use serde_json::Value;

use crate::engine::history::History;

/// A task waiting for its token.
#[derive(Debug, Clone)]
pub struct Waiting<'a> {
    pub state: &'a str,
    pub token: &'a str,
    /// The request the task sent (its effective Parameters).
    pub request: &'a Value,
    /// How many times this state has waited before in this execution (0 on the first wait).
    pub visit: u32,
    /// How long the wait can last, in milliseconds: until the task's timeout (`TimeoutSeconds`,
    /// or AWS's default) or the execution's, whichever comes first.
    pub timeout_ms: i64,
    /// The heartbeat interval (`HeartbeatSeconds`), in milliseconds, if the task has one.
    pub heartbeat_ms: Option<i64>,
    /// The execution's events so far (for a responder that shows them while the task waits,
    /// as `aslcheck serve` does: [`History::snapshot`]).
    pub history: &'a History,
    /// The activity ARN when this is an activity task waiting for a worker
    /// ([`Callbacks::runs_activities`]).
    pub activity: Option<&'a str>,
}

/// What arrives for a token.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Success(Value),
    Failure {
        error: Option<String>,
        cause: Option<String>,
    },
    Heartbeat,
    /// A worker took an activity task (`GetActivityTask`): `ActivityStarted` with its name.
    Started {
        worker: Option<String>,
    },
}

/// One API call that will arrive, `after_ms` after the task started waiting.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub after_ms: i64,
    /// The token it names; `None` means the waiting task's own token.
    pub token: Option<String>,
    pub action: Action,
}

/// Answers waiting tasks.
pub trait Callbacks: Send {
    fn replies(&mut self, waiting: &Waiting<'_>) -> Vec<Reply>;

    /// Whether activity tasks wait here for a worker ([`Waiting::activity`]) instead of running
    /// as the task resources say.
    fn runs_activities(&self) -> bool {
        false
    }
}

/// No callbacks ever arrive: waiting tasks run into their timeout.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Callbacks for Silent {
    fn replies(&mut self, _: &Waiting<'_>) -> Vec<Reply> {
        Vec::new()
    }
}

/// A scripted responder (`--callbacks FILE`):
/// ```json
/// {"Callbacks": [
///   {"State": "WaitForApproval", "Visit": 0, "AfterSeconds": 3600, "Heartbeat": true},
///   {"State": "WaitForApproval", "AfterSeconds": 7200, "Success": {"approved": true}},
///   {"State": "Other", "AfterSeconds": 60, "Failure": {"Error": "Rejected", "Cause": "no"}},
///   {"State": "Other", "AfterSeconds": 90, "Token": "not-a-real-token", "Success": {}}
/// ]}
/// ```
/// `Visit` (optional) limits an entry to the n-th wait of that state; `Token` (optional) sends
/// the call with that token instead of the waiting task's own.
#[derive(Debug, Clone, Default)]
pub struct Script {
    entries: Vec<Entry>,
    used: Vec<bool>,
}

#[derive(Debug, Clone)]
struct Entry {
    state: String,
    visit: Option<u32>,
    reply: Reply,
}

impl Script {
    /// Parses a script; errors name the JSON Pointer of the bad entry.
    pub fn parse(v: &Value) -> Result<Script, String> {
        let list = v
            .get("Callbacks")
            .and_then(Value::as_array)
            .ok_or("callbacks: /Callbacks must be an array")?;
        let mut entries = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let at = format!("callbacks: /Callbacks/{i}");
            let state = e
                .get("State")
                .and_then(Value::as_str)
                .ok_or(format!("{at}/State: expected the name of a Task state"))?;
            let after = match e.get("AfterSeconds") {
                None => 0.0,
                Some(v) => v
                    .as_f64()
                    .filter(|s| *s >= 0.0 && s.is_finite())
                    .ok_or(format!(
                        "{at}/AfterSeconds: expected a non-negative number of seconds"
                    ))?,
            };
            let visit = match e.get("Visit") {
                None => None,
                Some(v) => Some(
                    v.as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or(format!("{at}/Visit: expected a non-negative integer"))?,
                ),
            };
            let token = match e.get("Token") {
                None => None,
                Some(Value::String(t)) => Some(t.clone()),
                Some(_) => return Err(format!("{at}/Token: expected a string")),
            };
            let action = match (e.get("Success"), e.get("Failure"), e.get("Heartbeat")) {
                (Some(out), None, None) => Action::Success(out.clone()),
                (None, Some(f), None) => {
                    let s = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
                    Action::Failure {
                        error: s("Error"),
                        cause: s("Cause"),
                    }
                }
                (None, None, Some(Value::Bool(true))) => Action::Heartbeat,
                _ => return Err(format!("{at}: expected exactly one of \"Success\": <output>, \"Failure\": {{\"Error\", \"Cause\"}}, \"Heartbeat\": true")),
            };
            entries.push(Entry {
                state: state.to_string(),
                visit,
                reply: Reply {
                    after_ms: (after * 1000.0).min(4e13).round() as i64,
                    token,
                    action,
                },
            });
        }
        let used = vec![false; entries.len()];
        Ok(Script { entries, used })
    }

    /// Entries that never matched a waiting task (to warn the user).
    pub fn unused(&self) -> Vec<String> {
        self.entries
            .iter()
            .zip(&self.used)
            .enumerate()
            .filter(|(_, (_, u))| !**u)
            .map(|(i, (e, _))| format!("/Callbacks/{i} (state '{}') was never used: no task in that state waited for a token", e.state))
            .collect()
    }
}

impl Callbacks for Script {
    fn replies(&mut self, w: &Waiting<'_>) -> Vec<Reply> {
        let mut out = Vec::new();
        for (e, used) in self.entries.iter().zip(self.used.iter_mut()) {
            if e.state == w.state && e.visit.is_none_or(|v| v == w.visit) {
                *used = true;
                out.push(e.reply.clone());
            }
        }
        out
    }
}
