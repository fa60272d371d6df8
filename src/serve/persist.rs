//! `serve --state-dir DIR`: state machines, activities and finished executions kept on disk
//! across restarts.
//!
//! One JSON file per object, named by a hash of its ARN:
//!
//! ```text
//! DIR/machines/<hash>.json     {"format": 1, "stateMachineArn", "name", "definition", …}
//! DIR/activities/<hash>.json   {"format": 1, "activityArn", "name", "creationDate", "tags"}
//! DIR/executions/<hash>.json   {"format": 1, "executionArn", …, "events": [...]}
//! ```
//!
//! Every write goes to a temporary file in the same folder, is flushed to disk, and is then
//! renamed over the old one, so a crash leaves either the old file or the new one, never half
//! of one. [`StateDir::sync`] compares the store with what is on disk and writes only what
//! changed (a machine's revision or tags, an activity's tags, an execution once it has ended)
//! and removes what the store forgot (deleted machines and activities, executions evicted by
//! the retention). Running executions are not kept: after a restart they are gone, as the
//! process that ran them is.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::api::Api;
use super::store::{fnv, waits_for_callers, Activity, Execution, Kind, Machine, Redrives, Store};
use crate::asl::Definition;
use crate::engine::ResumePoint;
use crate::states::distributed::{MapRun, MapRunCounts};

const FORMAT: u64 = 1;
const FOLDERS: [&str; 3] = ["machines", "activities", "executions"];

/// What a state folder held.
#[derive(Debug, Default)]
pub struct Saved {
    /// In creation order.
    pub machines: Vec<Machine>,
    pub activities: Vec<Activity>,
    /// Oldest first.
    pub executions: Vec<Execution>,
}

/// A state folder and what this process last wrote to it.
#[derive(Debug)]
pub struct StateDir {
    root: PathBuf,
    /// Relative path → fingerprint of the content written there.
    on_disk: HashMap<PathBuf, u64>,
}

fn bad(path: &Path, pointer: &str, expected: &str) -> String {
    format!("{}: {pointer}: expected {expected}", path.display())
}

impl StateDir {
    /// Opens (creating it if need be) `root` and reads what it holds, compiling each machine's
    /// definition with `compile`. A file that cannot be read back is an error naming the file
    /// and the member: the server does not start over a folder it would otherwise overwrite.
    pub fn open(
        root: &Path,
        compile: &dyn Fn(&str) -> Result<Definition, String>,
    ) -> Result<(StateDir, Saved), String> {
        let mut saved = Saved::default();
        let mut on_disk = HashMap::new();
        for folder in FOLDERS {
            let dir = root.join(folder);
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let mut files: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for path in files {
                let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if file_name.ends_with(".tmp") {
                    // A write that a crash interrupted: the file it was replacing is intact.
                    let _ = std::fs::remove_file(&path);
                    continue;
                }
                if !file_name.ends_with(".json") {
                    continue;
                }
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let value: Value = serde_json::from_str(&text)
                    .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
                let Value::Object(o) = value else {
                    return Err(bad(&path, "(root)", "an object"));
                };
                if o.get("format").and_then(Value::as_u64) != Some(FORMAT) {
                    return Err(bad(&path, "/format", &format!("{FORMAT}")));
                }
                let fingerprint = match folder {
                    "machines" => {
                        let m = read_machine(&path, &o, compile)?;
                        let f = machine_fingerprint(m.revision, &m.tags);
                        saved.machines.push(m);
                        f
                    }
                    "activities" => {
                        let a = read_activity(&path, &o)?;
                        let f = tags_fingerprint(&a.tags);
                        saved.activities.push(a);
                        f
                    }
                    _ => {
                        let e = read_execution(&path, &o)?;
                        let f = execution_fingerprint(&e);
                        saved.executions.push(e);
                        f
                    }
                };
                on_disk.insert(PathBuf::from(folder).join(file_name), fingerprint);
            }
        }
        saved
            .machines
            .sort_by(|a, b| a.created.total_cmp(&b.created).then(a.arn.cmp(&b.arn)));
        saved
            .executions
            .sort_by(|a, b| a.start.total_cmp(&b.start).then(a.arn.cmp(&b.arn)));
        Ok((
            StateDir {
                root: root.to_path_buf(),
                on_disk,
            },
            saved,
        ))
    }

    /// Brings the folder in line with `store`: the number of files written and removed. Call
    /// it with the store's lock held only for [`Changes::of`]; the writing needs no lock.
    pub fn sync(&mut self, changes: Changes) -> std::io::Result<usize> {
        let mut done = 0;
        for (rel, fingerprint, body) in changes.write {
            write_atomically(&self.root.join(&rel), &body)?;
            self.on_disk.insert(rel, fingerprint);
            done += 1;
        }
        for rel in changes.remove {
            match std::fs::remove_file(self.root.join(&rel)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            self.on_disk.remove(&rel);
            done += 1;
        }
        Ok(done)
    }

    /// What differs between `store` and the folder (cheap: bodies are built only for what
    /// changed).
    pub fn changes(&self, store: &Store) -> Changes {
        let mut wanted: HashSet<PathBuf> = HashSet::new();
        let mut write = Vec::new();
        let mut want = |rel: PathBuf, fingerprint: u64, body: &dyn Fn() -> Value| {
            if self.on_disk.get(&rel) != Some(&fingerprint) {
                write.push((rel.clone(), fingerprint, body()));
            }
            wanted.insert(rel);
        };
        for m in store.machines.values() {
            want(
                file("machines", &m.arn),
                machine_fingerprint(m.revision, &m.tags),
                &|| {
                    json!({
                        "format": FORMAT,
                        "stateMachineArn": m.arn,
                        "name": m.name,
                        "definition": m.text,
                        "roleArn": m.role_arn,
                        "type": m.kind.as_str(),
                        "creationDate": m.created,
                        "tags": m.tags,
                        "loggingConfiguration": m.logging,
                        "tracingConfiguration": m.tracing,
                        "revision": m.revision,
                    })
                },
            );
        }
        for a in store.activities.values() {
            want(
                file("activities", &a.arn),
                tags_fingerprint(&a.tags),
                &|| {
                    json!({
                        "format": FORMAT,
                        "activityArn": a.arn,
                        "name": a.name,
                        "creationDate": a.created,
                        "tags": a.tags,
                    })
                },
            );
        }
        for e in store.executions.values() {
            if e.status == "RUNNING" {
                continue;
            }
            want(
                file("executions", &e.arn),
                execution_fingerprint(e),
                &|| {
                    json!({
                        "format": FORMAT,
                        "executionArn": e.arn,
                        "stateMachineArn": e.machine_arn,
                        "name": e.name,
                        "input": e.input,
                        "status": e.status,
                        "startDate": e.start,
                        "stopDate": e.stop,
                        "output": e.output,
                        "error": e.error,
                        "cause": e.cause,
                        "events": *e.history,
                        "mapRuns": e.map_runs.iter().map(map_run_json).collect::<Vec<_>>(),
                        "redriveCount": e.redrive.count,
                        "redriveDate": e.redrive.date,
                        "redriveTokens": e.redrive.tokens,
                        "testCase": e.redrive.test_case,
                        "resume": e.redrive.resume.as_ref().map(ResumePoint::to_json),
                    })
                },
            );
        }
        // An execution being redriven keeps the file of how it ended before, until it ends again.
        for e in store.executions.values() {
            let rel = file("executions", &e.arn);
            if e.status == "RUNNING" && e.redrive.count > 0 && self.on_disk.contains_key(&rel) {
                wanted.insert(rel);
            }
        }
        let remove = self
            .on_disk
            .keys()
            .filter(|rel| !wanted.contains(*rel))
            .cloned()
            .collect();
        Changes { write, remove }
    }
}

/// Keeps a state folder in line with a running server: every half second, and once more when
/// [`Saver::finish`] is called at shutdown.
pub struct Saver {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<Result<(), String>>,
}

impl Saver {
    pub fn start(api: Arc<Api>, mut state: StateDir) -> Saver {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let mut last_error = String::new();
            loop {
                let finishing = !matches!(
                    stopped.recv_timeout(std::time::Duration::from_millis(500)),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                );
                let changes = api.changes_for(&state);
                let result = if changes.is_empty() {
                    Ok(0)
                } else {
                    state.sync(changes)
                };
                match result {
                    Ok(_) => last_error.clear(),
                    Err(e) => {
                        let e = format!(
                            "cannot write the state folder {}: {e}",
                            state.root.display()
                        );
                        if finishing {
                            return Err(e);
                        }
                        // Said once per distinct failure; the next tick tries again.
                        if e != last_error {
                            eprintln!("aslcheck: warning: {e}");
                            last_error = e;
                        }
                    }
                }
                if finishing {
                    return Ok(());
                }
            }
        });
        Saver { stop, thread }
    }

    /// Writes what is left and stops.
    pub fn finish(self) -> Result<(), String> {
        let _ = self.stop.send(());
        self.thread
            .join()
            .unwrap_or_else(|_| Err("the state folder's writer stopped unexpectedly".into()))
    }
}

/// Files to write (relative path, fingerprint, content) and to remove.
#[derive(Debug, Default)]
pub struct Changes {
    write: Vec<(PathBuf, u64, Value)>,
    remove: Vec<PathBuf>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.write.is_empty() && self.remove.is_empty()
    }
}

fn file(folder: &str, arn: &str) -> PathBuf {
    PathBuf::from(folder).join(format!("{:016x}.json", fnv(arn)))
}

fn tags_fingerprint(tags: &BTreeMap<String, String>) -> u64 {
    fnv(&serde_json::to_string(tags).unwrap_or_default())
}

fn machine_fingerprint(revision: u64, tags: &BTreeMap<String, String>) -> u64 {
    tags_fingerprint(tags) ^ revision.wrapping_mul(0x9e3779b97f4a7c15)
}

/// Writes `body` to `path` through a temporary file that is flushed and renamed.
fn write_atomically(path: &Path, body: &Value) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        serde_json::to_writer(&mut f, body)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

fn string(path: &Path, o: &Map<String, Value>, key: &str) -> Result<String, String> {
    o.get(key)
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| bad(path, &format!("/{key}"), "a string"))
}

fn optional_string(
    path: &Path,
    o: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(path, &format!("/{key}"), "a string or null")),
    }
}

fn number(path: &Path, o: &Map<String, Value>, key: &str) -> Result<f64, String> {
    o.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| bad(path, &format!("/{key}"), "a number"))
}

fn tags(path: &Path, o: &Map<String, Value>) -> Result<BTreeMap<String, String>, String> {
    let Some(Value::Object(t)) = o.get("tags") else {
        return Err(bad(path, "/tags", "an object"));
    };
    t.iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|v| (k.clone(), v.to_string()))
                .ok_or_else(|| bad(path, &format!("/tags/{}", pointer_escape(k)), "a string"))
        })
        .collect()
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn read_machine(
    path: &Path,
    o: &Map<String, Value>,
    compile: &dyn Fn(&str) -> Result<Definition, String>,
) -> Result<Machine, String> {
    let text = string(path, o, "definition")?;
    let definition = compile(&text).map_err(|e| format!("{}: /definition: {e}", path.display()))?;
    Ok(Machine {
        arn: string(path, o, "stateMachineArn")?,
        name: string(path, o, "name")?,
        waits: waits_for_callers(&text),
        definition: Arc::new(definition),
        text,
        role_arn: string(path, o, "roleArn")?,
        kind: match o.get("type").and_then(Value::as_str) {
            Some("STANDARD") => Kind::Standard,
            Some("EXPRESS") => Kind::Express,
            _ => return Err(bad(path, "/type", "\"STANDARD\" or \"EXPRESS\"")),
        },
        created: number(path, o, "creationDate")?,
        tags: tags(path, o)?,
        logging: o
            .get("loggingConfiguration")
            .cloned()
            .unwrap_or(Value::Null),
        tracing: o
            .get("tracingConfiguration")
            .cloned()
            .unwrap_or(Value::Null),
        revision: o
            .get("revision")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(path, "/revision", "a whole number"))?,
    })
}

fn read_activity(path: &Path, o: &Map<String, Value>) -> Result<Activity, String> {
    Ok(Activity {
        arn: string(path, o, "activityArn")?,
        name: string(path, o, "name")?,
        created: number(path, o, "creationDate")?,
        tags: tags(path, o)?,
    })
}

/// The statuses an ended execution can have (DescribeExecution's `status`).
const ENDED: [&str; 5] = [
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "ABORTED",
    "PENDING_REDRIVE",
];

fn read_execution(path: &Path, o: &Map<String, Value>) -> Result<Execution, String> {
    let status = o.get("status").and_then(Value::as_str).unwrap_or("");
    let Some(status) = ENDED.iter().copied().find(|s| *s == status) else {
        return Err(bad(
            path,
            "/status",
            &format!("one of {}", ENDED.join(", ")),
        ));
    };
    let Some(Value::Array(events)) = o.get("events") else {
        return Err(bad(path, "/events", "an array"));
    };
    Ok(Execution {
        arn: string(path, o, "executionArn")?,
        machine_arn: string(path, o, "stateMachineArn")?,
        name: string(path, o, "name")?,
        input: string(path, o, "input")?,
        status,
        start: number(path, o, "startDate")?,
        stop: match o.get("stopDate") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_f64()
                    .ok_or_else(|| bad(path, "/stopDate", "a number or null"))?,
            ),
        },
        output: optional_string(path, o, "output")?,
        error: optional_string(path, o, "error")?,
        cause: optional_string(path, o, "cause")?,
        history: Arc::new(events.clone()),
        map_runs: match o.get("mapRuns") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(runs)) => runs
                .iter()
                .enumerate()
                .map(|(i, r)| read_map_run(path, i, r))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(bad(path, "/mapRuns", "an array")),
        },
        redrive: read_redrives(path, o)?,
    })
}

/// What can change in an ended execution: a redrive, where an aborted one stopped (known once
/// its thread ends), and UpdateMapRun's settings.
fn execution_fingerprint(e: &Execution) -> u64 {
    let mut text = format!(
        "{}:{}:{}",
        e.redrive.count,
        e.status,
        e.redrive.resume.is_some()
    );
    for m in &e.map_runs {
        text.push_str(&format!(
            ";{},{},{}",
            m.max_concurrency, m.tolerated_count, m.tolerated_percentage
        ));
    }
    fnv(&text)
}

fn read_redrives(path: &Path, o: &Map<String, Value>) -> Result<Redrives, String> {
    let count = match o.get("redriveCount") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad(path, "/redriveCount", "a non-negative integer"))?,
    };
    let date = match o.get("redriveDate") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .ok_or_else(|| bad(path, "/redriveDate", "a number or null"))?,
        ),
    };
    let tokens = match o.get("redriveTokens") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, t)| match t.as_array().map(Vec::as_slice) {
                Some([Value::String(k), d]) if d.is_number() => {
                    Ok((k.clone(), d.as_f64().unwrap_or(0.0)))
                }
                _ => Err(bad(
                    path,
                    &format!("/redriveTokens/{i}"),
                    "a [token, date] pair",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad(path, "/redriveTokens", "an array")),
    };
    let resume = match o.get("resume") {
        None | Some(Value::Null) => None,
        Some(v) => Some(ResumePoint::from_json(v).map_err(|e| {
            let (pointer, expected) = e
                .split_once(": expected ")
                .unwrap_or((&e, "a resume point"));
            bad(path, &format!("/resume{pointer}"), expected)
        })?),
    };
    Ok(Redrives {
        count,
        date,
        resume,
        tokens,
        definition: None,
        test_case: optional_string(path, o, "testCase")?,
    })
}

fn counts_json(c: &MapRunCounts) -> Value {
    json!({"total": c.total, "succeeded": c.succeeded, "failed": c.failed,
           "timedOut": c.timed_out, "aborted": c.aborted, "resultsWritten": c.results_written})
}

fn map_run_json(m: &MapRun) -> Value {
    json!({
        "mapRunArn": m.arn, "start": m.start, "stop": m.stop, "status": m.status,
        "maxConcurrency": m.max_concurrency,
        "toleratedFailurePercentage": m.tolerated_percentage,
        "toleratedFailureCount": m.tolerated_count,
        "itemCounts": counts_json(&m.items), "executionCounts": counts_json(&m.executions),
    })
}

fn read_map_run(path: &Path, i: usize, v: &Value) -> Result<MapRun, String> {
    let at = |member: &str| format!("/mapRuns/{i}/{member}");
    let Value::Object(o) = v else {
        return Err(bad(path, &format!("/mapRuns/{i}"), "an object"));
    };
    let whole = |o: &Map<String, Value>, key: &str, pointer: String| {
        o.get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(path, &pointer, "a whole number"))
    };
    let counts = |key: &str| -> Result<MapRunCounts, String> {
        let Some(Value::Object(c)) = o.get(key) else {
            return Err(bad(path, &at(key), "an object"));
        };
        let n = |k: &str| whole(c, k, format!("{}/{k}", at(key)));
        Ok(MapRunCounts {
            total: n("total")?,
            succeeded: n("succeeded")?,
            failed: n("failed")?,
            timed_out: n("timedOut")?,
            aborted: n("aborted")?,
            results_written: n("resultsWritten")?,
        })
    };
    Ok(MapRun {
        arn: o
            .get("mapRunArn")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(path, &at("mapRunArn"), "a string"))?
            .to_string(),
        start: o
            .get("start")
            .and_then(Value::as_i64)
            .ok_or_else(|| bad(path, &at("start"), "a whole number"))?,
        stop: o
            .get("stop")
            .and_then(Value::as_i64)
            .ok_or_else(|| bad(path, &at("stop"), "a whole number"))?,
        status: match o.get("status").and_then(Value::as_str) {
            Some("SUCCEEDED") => "SUCCEEDED",
            Some("FAILED") => "FAILED",
            _ => return Err(bad(path, &at("status"), "\"SUCCEEDED\" or \"FAILED\"")),
        },
        max_concurrency: whole(o, "maxConcurrency", at("maxConcurrency"))?,
        tolerated_percentage: o
            .get("toleratedFailurePercentage")
            .and_then(Value::as_f64)
            .ok_or_else(|| bad(path, &at("toleratedFailurePercentage"), "a number"))?,
        tolerated_count: whole(o, "toleratedFailureCount", at("toleratedFailureCount"))?,
        items: counts("itemCounts")?,
        executions: counts("executionCounts")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_machines(_: &str) -> Result<Definition, String> {
        Err("no machine expected".into())
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aslcheck-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn execution(n: usize, status: &'static str) -> Execution {
        Execution {
            status,
            stop: (status != "RUNNING").then_some(n as f64 + 1.0),
            output: Some("{\"n\":1}".into()),
            history: Arc::new(vec![json!({"id": 1, "type": "ExecutionStarted"})]),
            ..Execution::running(
                &format!("arn:aws:states:us-east-1:123456789012:execution:m:e{n}"),
                "arn:aws:states:us-east-1:123456789012:stateMachine:m",
                &format!("e{n}"),
                "{}",
                n as f64,
            )
        }
    }

    #[test]
    fn finished_executions_and_activities_come_back_and_forgotten_ones_go() {
        let dir = scratch("roundtrip");
        let (mut state, saved) = StateDir::open(&dir, &no_machines).unwrap();
        assert!(saved.executions.is_empty());
        let mut store = Store::new(10);
        store.insert_execution(execution(1, "SUCCEEDED"));
        store.insert_execution(execution(2, "RUNNING"));
        store.activities.insert(
            "arn:a".into(),
            Activity {
                arn: "arn:a".into(),
                name: "a".into(),
                created: 5.0,
                tags: BTreeMap::from([("k".into(), "v".into())]),
            },
        );
        let changes = state.changes(&store);
        assert_eq!(
            state.sync(changes).unwrap(),
            2,
            "the running one is not written"
        );
        assert!(state.changes(&store).is_empty(), "nothing changed since");

        let (_, saved) = StateDir::open(&dir, &no_machines).unwrap();
        assert_eq!(saved.executions.len(), 1);
        let e = &saved.executions[0];
        assert_eq!(
            (e.name.as_str(), e.status, e.stop),
            ("e1", "SUCCEEDED", Some(2.0))
        );
        assert_eq!(e.output.as_deref(), Some("{\"n\":1}"));
        assert_eq!(e.history[0]["type"], "ExecutionStarted");
        assert_eq!(saved.activities[0].tags["k"], "v");

        store.activities.clear();
        let changes = state.changes(&store);
        assert_eq!(state.sync(changes).unwrap(), 1);
        let (_, saved) = StateDir::open(&dir, &no_machines).unwrap();
        assert!(saved.activities.is_empty());

        // A failed execution keeps where it stopped; while it is redriven its file stays as it
        // was, and once the redrive ends the file is written again.
        let mut failed = execution(3, "FAILED");
        failed.redrive.resume = Some(ResumePoint {
            state: "S".into(),
            input: json!({"a": [1]}),
            variables: Map::from_iter([("v".to_string(), json!(2))]),
            kept: vec![Some(json!("x")), None],
        });
        failed.redrive.tokens = vec![("t".into(), 9.5)];
        store.insert_execution(failed.clone());
        let changes = state.changes(&store);
        assert_eq!(state.sync(changes).unwrap(), 1);
        let mut running = failed.clone();
        running.status = "RUNNING";
        running.redrive.count = 1;
        store.insert_execution(running);
        assert!(
            state.changes(&store).is_empty(),
            "the redriven one keeps its file"
        );
        let mut done = failed;
        done.status = "SUCCEEDED";
        done.redrive.count = 1;
        done.redrive.date = Some(7.0);
        done.redrive.resume = None;
        store.insert_execution(done);
        let changes = state.changes(&store);
        assert_eq!(state.sync(changes).unwrap(), 1);
        let (_, saved) = StateDir::open(&dir, &no_machines).unwrap();
        let e = saved.executions.iter().find(|e| e.name == "e3").unwrap();
        assert_eq!(
            (e.status, e.redrive.count, e.redrive.date, &e.redrive.tokens),
            ("SUCCEEDED", 1, Some(7.0), &vec![("t".to_string(), 9.5)])
        );
        assert!(e.redrive.resume.is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_resume_point_comes_back_from_its_file() {
        let dir = scratch("resume");
        let (mut state, _) = StateDir::open(&dir, &no_machines).unwrap();
        let mut store = Store::new(10);
        let point = ResumePoint {
            state: "S".into(),
            input: json!({"a": [1]}),
            variables: Map::from_iter([("v".to_string(), json!(2))]),
            kept: vec![Some(json!("x")), None],
        };
        let mut failed = execution(4, "FAILED");
        failed.redrive.resume = Some(point.clone());
        store.insert_execution(failed);
        let changes = state.changes(&store);
        state.sync(changes).unwrap();
        let (_, saved) = StateDir::open(&dir, &no_machines).unwrap();
        assert_eq!(saved.executions[0].redrive.resume.as_ref(), Some(&point));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_file_is_named_with_its_member_and_a_torn_write_is_dropped() {
        let dir = scratch("damaged");
        let (_, _) = StateDir::open(&dir, &no_machines).unwrap();
        std::fs::write(dir.join("executions/0.json.tmp"), "{\"form").unwrap();
        let (_, saved) = StateDir::open(&dir, &no_machines).unwrap();
        assert!(saved.executions.is_empty());
        assert!(!dir.join("executions/0.json.tmp").exists());

        let broken = dir.join("executions/1.json");
        std::fs::write(&broken, r#"{"format": 1, "status": "DONE"}"#).unwrap();
        let e = StateDir::open(&dir, &no_machines).unwrap_err();
        assert!(
            e.contains("1.json: /status: expected one of SUCCEEDED"),
            "{e}"
        );
        std::fs::write(&broken, r#"{"format": 2}"#).unwrap();
        let e = StateDir::open(&dir, &no_machines).unwrap_err();
        assert!(e.contains("/format: expected 1"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
