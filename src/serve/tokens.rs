//! Task tokens between waiting executions and the API's SendTaskSuccess, SendTaskFailure and
//! SendTaskHeartbeat (docs/semantics/task.md §10.6; docs/serve.md, "Callbacks").
//!
//! An execution whose task waits for its token blocks in [`Live::replies`] on its own thread
//! until a call for the token arrives, the task's timeout or heartbeat interval passes on the
//! wall clock, or the execution is stopped. Before it blocks it publishes the events so far,
//! so that a client reads the token from `GetExecutionHistory` (the `TaskScheduled` event's
//! parameters), as it would from a message the task sent.
//!
//! An activity task waits the same way, first in its activity's queue: a worker's
//! `GetActivityTask` takes it (the task's `ActivityStarted`), gets its token and input, and
//! answers with the same SendTask* calls.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::engine::history::ExecutionHistory;
use crate::tasks::callbacks::{Action, Callbacks, Reply, Waiting};

/// Tokens that closed are remembered (for `TaskTimedOut`) up to this many.
const CLOSED_KEPT: usize = 100_000;

/// Where a token stands, for the API's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// Its task waits: the call is delivered.
    Open,
    /// Its task ended (answered, timed out, or its execution stopped).
    Closed,
    /// Never issued here.
    Unknown,
}

#[derive(Default)]
struct State {
    /// Open tokens and the calls that arrived for each, with when they arrived.
    open: HashMap<String, Vec<(Instant, Action)>>,
    closed: HashSet<String>,
    closed_order: VecDeque<String>,
    /// Executions stopped while they may be waiting.
    stopped: HashSet<String>,
    /// Activity tasks no worker has taken yet, per activity ARN: token and input.
    queued: HashMap<String, VecDeque<(String, String)>>,
}

/// An activity task a worker took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub token: String,
    /// The task's input, as JSON text.
    pub input: String,
}

/// The tokens of every execution of one server.
#[derive(Default)]
pub struct Hub {
    state: Mutex<State>,
    arrived: Condvar,
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Delivers a SendTask* call to the task waiting for `token`.
    pub fn send(&self, token: &str, action: Action) -> TokenState {
        let mut s = self.lock();
        if let Some(calls) = s.open.get_mut(token) {
            calls.push((Instant::now(), action));
            self.arrived.notify_all();
            return TokenState::Open;
        }
        if s.closed.contains(token) {
            TokenState::Closed
        } else {
            TokenState::Unknown
        }
    }

    /// Wakes the waits of a stopped execution.
    pub fn stop(&self, execution_arn: &str) {
        self.lock().stopped.insert(execution_arn.to_string());
        self.arrived.notify_all();
    }

    /// Takes the oldest task queued for `activity` (`GetActivityTask`), waiting up to `poll`
    /// for one.
    pub fn take(&self, activity: &str, worker: Option<&str>, poll: Duration) -> Option<Taken> {
        let until = Instant::now() + poll;
        let mut s = self.lock();
        loop {
            while let Some((token, input)) =
                s.queued.get_mut(activity).and_then(VecDeque::pop_front)
            {
                if let Some(calls) = s.open.get_mut(&token) {
                    calls.push((
                        Instant::now(),
                        Action::Started {
                            worker: worker.map(String::from),
                        },
                    ));
                    self.arrived.notify_all();
                    return Some(Taken { token, input });
                }
            }
            let now = Instant::now();
            if now >= until {
                return None;
            }
            s = self
                .arrived
                .wait_timeout(s, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Forgets a stopped execution once it has ended (and before a redrive runs it again).
    pub fn ended(&self, execution_arn: &str) {
        self.lock().stopped.remove(execution_arn);
    }

    fn open(&self, token: &str) {
        self.lock().open.insert(token.to_string(), Vec::new());
    }

    fn close(s: &mut State, token: &str) {
        s.open.remove(token);
        for q in s.queued.values_mut() {
            q.retain(|(t, _)| t != token);
        }
        s.queued.retain(|_, q| !q.is_empty());
        if s.closed.insert(token.to_string()) {
            s.closed_order.push_back(token.to_string());
            if s.closed_order.len() > CLOSED_KEPT {
                if let Some(old) = s.closed_order.pop_front() {
                    s.closed.remove(&old);
                }
            }
        }
    }
}

/// The responder of one execution: waits for the API's calls on the wall clock.
pub struct Live {
    pub hub: Arc<Hub>,
    pub execution_arn: String,
    /// Shows the events so far while the task waits.
    pub publish: Box<dyn Fn(ExecutionHistory) + Send>,
    /// Told once the execution first waits, so that StartExecution can answer.
    pub parked: Option<mpsc::Sender<()>>,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.hub.ended(&self.execution_arn);
    }
}

impl Callbacks for Live {
    fn runs_activities(&self) -> bool {
        true
    }

    fn replies(&mut self, w: &Waiting<'_>) -> Vec<Reply> {
        let start = Instant::now();
        self.hub.open(w.token);
        if let Some(activity) = w.activity {
            let mut s = self.hub.lock();
            s.queued
                .entry(activity.to_string())
                .or_default()
                .push_back((w.token.to_string(), w.request.to_string()));
            self.hub.arrived.notify_all();
        }
        (self.publish)(w.history.snapshot());
        if let Some(tx) = self.parked.take() {
            let _ = tx.send(());
        }
        let ms = |d: Duration| d.as_millis().min(i64::MAX as u128) as i64;
        let mut s = self.hub.lock();
        let mut replies = Vec::new();
        let mut heartbeat_deadline = w.heartbeat_ms.unwrap_or(i64::MAX);
        loop {
            if s.stopped.contains(&self.execution_arn) {
                // The execution's outcome is already decided (ABORTED): end the wait at once.
                replies.push(Reply {
                    after_ms: ms(start.elapsed()),
                    token: None,
                    action: Action::Failure {
                        error: Some("States.Runtime".into()),
                        cause: Some("The execution was stopped.".into()),
                    },
                });
                break;
            }
            let calls = s
                .open
                .get_mut(w.token)
                .map(std::mem::take)
                .unwrap_or_default();
            let mut done = false;
            for (at, action) in calls {
                let after_ms = ms(at.duration_since(start));
                match action {
                    // A worker's taking the task restarts the heartbeat clock too.
                    Action::Heartbeat | Action::Started { .. } => {
                        if let Some(h) = w.heartbeat_ms {
                            heartbeat_deadline = after_ms.saturating_add(h);
                        }
                    }
                    _ => done = true,
                }
                replies.push(Reply {
                    after_ms,
                    token: None,
                    action,
                });
                if done {
                    break;
                }
            }
            let deadline = w.timeout_ms.min(heartbeat_deadline);
            let now = ms(start.elapsed());
            if done || now >= deadline {
                break;
            }
            // Woken by every call; re-armed at least hourly so no duration overflows a clock.
            let wait = Duration::from_millis((deadline - now).min(3_600_000) as u64);
            s = self
                .hub
                .arrived
                .wait_timeout(s, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Hub::close(&mut s, w.token);
        replies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::history::History;
    use serde_json::json;

    fn waiting<'a>(token: &'a str, history: &'a History, timeout_ms: i64) -> Waiting<'a> {
        static REQUEST: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
        Waiting {
            state: "Wait",
            token,
            request: REQUEST.get_or_init(|| json!({})),
            visit: 0,
            timeout_ms,
            heartbeat_ms: None,
            history,
            activity: None,
        }
    }

    fn live(hub: &Arc<Hub>, tx: mpsc::Sender<()>) -> Live {
        Live {
            hub: hub.clone(),
            execution_arn: "arn:e".into(),
            publish: Box::new(|_| {}),
            parked: Some(tx),
        }
    }

    #[test]
    fn a_call_wakes_the_wait_and_the_token_closes() {
        let hub = Arc::new(Hub::default());
        let (tx, rx) = mpsc::channel();
        let mut l = live(&hub, tx);
        let sender = {
            let hub = hub.clone();
            std::thread::spawn(move || {
                rx.recv().unwrap();
                assert_eq!(hub.send("tok", Action::Heartbeat), TokenState::Open);
                hub.send("tok", Action::Success(json!({"ok": true})))
            })
        };
        let history = History::new(true);
        let replies = l.replies(&waiting("tok", &history, 60_000));
        assert_eq!(sender.join().unwrap(), TokenState::Open);
        let actions: Vec<_> = replies.into_iter().map(|r| r.action).collect();
        assert_eq!(
            actions,
            vec![Action::Heartbeat, Action::Success(json!({"ok": true}))]
        );
        assert_eq!(hub.send("tok", Action::Heartbeat), TokenState::Closed);
        assert_eq!(hub.send("other", Action::Heartbeat), TokenState::Unknown);
    }

    #[test]
    fn the_timeout_ends_an_unanswered_wait() {
        let hub = Arc::new(Hub::default());
        let (tx, _rx) = mpsc::channel();
        let history = History::new(true);
        let replies = live(&hub, tx).replies(&waiting("tok", &history, 30));
        assert!(replies.is_empty(), "{replies:?}");
        assert_eq!(hub.send("tok", Action::Heartbeat), TokenState::Closed);
    }

    #[test]
    fn a_worker_takes_a_queued_activity_task_and_answers_it() {
        let hub = Arc::new(Hub::default());
        let (tx, _rx) = mpsc::channel();
        let worker = {
            let hub = hub.clone();
            std::thread::spawn(move || {
                let taken = hub
                    .take("arn:activity", Some("w1"), Duration::from_secs(10))
                    .expect("a queued task");
                hub.send(&taken.token, Action::Success(json!(1)));
                taken
            })
        };
        let history = History::new(true);
        let request = json!({"doc": "d1"});
        let w = Waiting {
            activity: Some("arn:activity"),
            request: &request,
            ..waiting("tok", &history, 60_000)
        };
        let replies = live(&hub, tx).replies(&w);
        let taken = worker.join().unwrap();
        assert_eq!(
            taken,
            Taken {
                token: "tok".into(),
                input: r#"{"doc":"d1"}"#.into()
            }
        );
        let actions: Vec<_> = replies.into_iter().map(|r| r.action).collect();
        assert_eq!(
            actions,
            vec![
                Action::Started {
                    worker: Some("w1".into())
                },
                Action::Success(json!(1))
            ]
        );
        // Nothing is left to take once the task has ended.
        assert_eq!(hub.take("arn:activity", None, Duration::ZERO), None);
    }

    #[test]
    fn a_stop_ends_the_wait_at_once() {
        let hub = Arc::new(Hub::default());
        let (tx, rx) = mpsc::channel();
        let stopper = {
            let hub = hub.clone();
            std::thread::spawn(move || {
                rx.recv().unwrap();
                hub.stop("arn:e");
            })
        };
        let history = History::new(true);
        let replies = live(&hub, tx).replies(&waiting("tok", &history, i64::MAX / 2));
        stopper.join().unwrap();
        assert!(matches!(replies[0].action, Action::Failure { .. }));
    }
}
