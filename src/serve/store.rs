//! What the server keeps: state machines and executions, with a bound on finished executions.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;

use crate::asl::Definition;

/// STANDARD or EXPRESS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Standard,
    Express,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Standard => "STANDARD",
            Kind::Express => "EXPRESS",
        }
    }
}

/// A state machine as CreateStateMachine left it.
#[derive(Debug, Clone)]
pub struct Machine {
    pub arn: String,
    pub name: String,
    /// The definition text as the client sent it (DescribeStateMachine returns it unchanged).
    pub text: String,
    pub definition: Arc<Definition>,
    pub role_arn: String,
    pub kind: Kind,
    /// Epoch seconds.
    pub created: f64,
    pub tags: BTreeMap<String, String>,
    pub logging: Value,
    pub tracing: Value,
    pub revision: u64,
    /// It has a task that waits for SendTask* calls or an activity worker.
    pub waits: bool,
}

/// An execution of a STANDARD machine (EXPRESS executions are not kept, as on AWS, where they
/// cannot be described).
#[derive(Debug, Clone)]
pub struct Execution {
    pub arn: String,
    pub machine_arn: String,
    pub name: String,
    pub input: String,
    pub status: &'static str,
    /// Epoch seconds.
    pub start: f64,
    pub stop: Option<f64>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Events in AWS's shape (timestamps as epoch seconds), once the execution has ended.
    pub history: Arc<Vec<Value>>,
    /// Its Distributed Maps' Map Runs (DescribeMapRun, ListMapRuns), once it has ended.
    pub map_runs: Vec<crate::states::distributed::MapRun>,
    /// What RedriveExecution needs and DescribeExecution shows.
    pub redrive: Redrives,
}

impl Execution {
    /// An execution that has just started: no outcome, no events yet.
    pub fn running(arn: &str, machine_arn: &str, name: &str, input: &str, start: f64) -> Execution {
        Execution {
            arn: arn.to_string(),
            machine_arn: machine_arn.to_string(),
            name: name.to_string(),
            input: input.to_string(),
            status: "RUNNING",
            start,
            stop: None,
            output: None,
            error: None,
            cause: None,
            history: Arc::new(Vec::new()),
            map_runs: Vec::new(),
            redrive: Redrives::default(),
        }
    }
}

/// An execution's redrives (API_RedriveExecution).
#[derive(Debug, Clone, Default)]
pub struct Redrives {
    /// How many times it has been redriven.
    pub count: u32,
    /// Epoch seconds of the last redrive.
    pub date: Option<f64>,
    /// Where it stopped, once it has ended without succeeding.
    pub resume: Option<crate::engine::ResumePoint>,
    /// The `clientToken`s of its redrives, with the redrive date each one answered.
    pub tokens: Vec<(String, f64)>,
    /// The definition it runs, which a redrive runs again even if the machine was updated
    /// since (not kept across a restart: a restored execution runs its machine's definition).
    pub definition: Option<Arc<Definition>>,
    /// The `#TestCase` it was started with, whose mocked responses a redrive uses again.
    pub test_case: Option<String>,
}

/// An activity (CreateActivity): workers poll it with GetActivityTask.
#[derive(Debug, Clone)]
pub struct Activity {
    pub arn: String,
    pub name: String,
    /// Epoch seconds.
    pub created: f64,
    pub tags: BTreeMap<String, String>,
}

/// The server's memory.
#[derive(Debug, Default)]
pub struct Store {
    /// By ARN, in creation order through `order`.
    pub machines: BTreeMap<String, Machine>,
    pub machine_order: Vec<String>,
    pub executions: BTreeMap<String, Execution>,
    /// Execution ARNs, oldest first (for ListExecutions and eviction).
    pub execution_order: VecDeque<String>,
    /// Finished executions kept at most (older ones are forgotten first).
    pub retention: usize,
    /// By ARN (ListActivities lists them in ARN order).
    pub activities: BTreeMap<String, Activity>,
}

impl Store {
    pub fn new(retention: usize) -> Store {
        Store {
            retention,
            ..Store::default()
        }
    }

    /// Keeps `e`; one with the same ARN (a redriven execution) is replaced where it is.
    pub fn insert_execution(&mut self, e: Execution) {
        if let Some(slot) = self.executions.get_mut(&e.arn) {
            *slot = e;
            return;
        }
        self.execution_order.push_back(e.arn.clone());
        self.executions.insert(e.arn.clone(), e);
        self.evict();
    }

    /// Forgets the oldest finished executions beyond the retention.
    fn evict(&mut self) {
        let mut excess = self.executions.len().saturating_sub(self.retention);
        let mut i = 0;
        while excess > 0 && i < self.execution_order.len() {
            let arn = &self.execution_order[i];
            let finished = self
                .executions
                .get(arn)
                .is_none_or(|e| e.status != "RUNNING");
            if finished {
                let arn = self.execution_order.remove(i).unwrap_or_default();
                if self.executions.remove(&arn).is_some() {
                    excess -= 1;
                }
            } else {
                i += 1;
            }
        }
    }

    pub fn remove_machine(&mut self, arn: &str) {
        if self.machines.remove(arn).is_some() {
            self.machine_order.retain(|a| a != arn);
        }
    }
}

/// Whether a definition has a task that waits for SendTask* calls or an activity worker (such
/// executions run on a thread of their own).
pub fn waits_for_callers(text: &str) -> bool {
    text.contains(".waitForTaskToken") || text.contains(":activity:")
}

/// A page token: the offset of the next item, bound to what is listed so that a token from
/// one listing is refused by another.
pub fn token(offset: usize, scope: &str) -> String {
    format!("{offset:x}.{:016x}", fnv(scope))
}

/// The offset a token names, `None` when it is not one of [`token`]'s for `scope`.
pub fn offset(token: &str, scope: &str) -> Option<usize> {
    let (o, s) = token.split_once('.')?;
    (u64::from_str_radix(s, 16).ok()? == fnv(scope))
        .then(|| usize::from_str_radix(o, 16).ok())
        .flatten()
}

/// FNV-1a: a stable 64-bit hash of `s` (tokens, revision ids).
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn execution(n: usize, status: &'static str) -> Execution {
        Execution {
            status,
            ..Execution::running(&format!("e{n}"), "m", &format!("e{n}"), "{}", 0.0)
        }
    }

    #[test]
    fn retention_forgets_the_oldest_finished_executions() {
        let mut s = Store::new(2);
        s.insert_execution(execution(0, "RUNNING"));
        s.insert_execution(execution(1, "SUCCEEDED"));
        s.insert_execution(execution(2, "FAILED"));
        s.insert_execution(execution(3, "SUCCEEDED"));
        let kept: Vec<&String> = s.executions.keys().collect();
        // The running one stays whatever its age; e1 and e2 went, oldest first.
        assert_eq!(kept, ["e0", "e3"]);
        assert_eq!(s.execution_order, ["e0", "e3"]);
    }

    #[test]
    fn tokens_belong_to_one_listing() {
        let t = token(200, "history:arn:a");
        assert_eq!(offset(&t, "history:arn:a"), Some(200));
        assert_eq!(offset(&t, "history:arn:b"), None);
        assert_eq!(offset("garbage", "history:arn:a"), None);
    }
}
