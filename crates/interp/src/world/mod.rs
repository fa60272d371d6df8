//! The simulated AWS account a run works against: S3 objects, DynamoDB tables, child state
//! machines, ECS task definitions, and what the run sent to queues, topics and event buses
//! (docs/resources.md gives the layout and each integration's response shape).
//!
//! One [`World`] per execution, deterministic: nothing in it depends on the wall clock or on the
//! files' metadata. It is read from a folder ([`World::load_dir`]) or from a case environment's
//! `resources` member ([`World::from_json`]), shared by the execution and its children through a
//! [`SharedWorld`], and written back out with [`World::save_dir`] (atomically: a killed run
//! leaves either the whole folder or none of it).
//!
//! Loading never yields a silently empty world: every problem is a [`WorldError`] naming the file
//! and the JSON Pointer or line.

pub mod dynamodb;
pub mod ecs;
pub mod s3;
pub mod states;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value};

/// The world shared by an execution, its Map iterations and its child executions.
#[derive(Debug, Clone, Default)]
pub struct SharedWorld(Arc<Mutex<World>>);

impl SharedWorld {
    pub fn new(world: World) -> SharedWorld {
        SharedWorld(Arc::new(Mutex::new(world)))
    }

    /// The world, for one operation. Never hold it across a child execution.
    pub fn lock(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock cannot leave a half-applied operation that matters more
        // than the panic itself; keep going with the data as it is.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the world as it is now.
    pub fn snapshot(&self) -> World {
        self.lock().clone()
    }
}

/// Messages sent to one queue, topic or event bus, in the order they were sent.
pub type Sent = BTreeMap<String, Vec<Value>>;

/// Everything a run can read or change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct World {
    /// Buckets by name.
    pub s3: BTreeMap<String, s3::Bucket>,
    /// Tables by name.
    pub dynamodb: BTreeMap<String, dynamodb::Table>,
    /// Child state machines by name.
    pub states: BTreeMap<String, states::Child>,
    /// ECS task definitions by family name.
    pub ecs: BTreeMap<String, ecs::TaskDefinition>,
    /// SQS messages by queue name (the last segment of the queue URL).
    pub sqs: Sent,
    /// SNS messages by topic name (the last segment of the topic ARN).
    pub sns: Sent,
    /// EventBridge events by bus name (`default` when none is given).
    pub events: Sent,
}

/// A problem in a resources folder or a `resources` member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldError {
    /// The file (for a folder) or `resources` (for an environment member).
    pub file: PathBuf,
    /// Where in the file: a JSON Pointer (`/Items/3/id`) or `line N`.
    pub at: Option<String>,
    pub message: String,
}

impl WorldError {
    pub fn new(file: impl Into<PathBuf>, at: Option<String>, message: impl Into<String>) -> Self {
        WorldError {
            file: file.into(),
            at,
            message: message.into(),
        }
    }

    /// An error at a JSON Pointer.
    pub fn at_pointer(file: &Path, pointer: &str, message: impl Into<String>) -> Self {
        let at = if pointer.is_empty() {
            None
        } else {
            Some(pointer.to_string())
        };
        WorldError::new(file, at, message)
    }
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) if at.starts_with('/') => {
                write!(f, "{}: at {at}: {}", self.file.display(), self.message)
            }
            Some(at) => write!(f, "{}: {at}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for WorldError {}

/// The folders of a resources folder, in the order [`World::load_dir`] reads them.
pub const FOLDERS: [&str; 7] = ["s3", "dynamodb", "states", "ecs", "sqs", "sns", "events"];

impl World {
    /// Reads a resources folder (layout in docs/resources.md). Unknown top-level entries are an
    /// error, so that a misspelt folder never yields an empty world.
    pub fn load_dir(dir: &Path) -> Result<World, WorldError> {
        let entries = read_dir_sorted(dir)?;
        let mut world = World::default();
        for entry in entries {
            let name = file_name(&entry);
            if name.starts_with('.') {
                continue;
            }
            if !entry.is_dir() || !FOLDERS.contains(&name.as_str()) {
                return Err(WorldError::new(
                    &entry,
                    None,
                    format!(
                        "not part of the resources layout: expected only the folders {}",
                        FOLDERS.join(", ")
                    ),
                ));
            }
        }
        let s3 = dir.join("s3");
        if s3.is_dir() {
            for bucket in read_dir_sorted(&s3)? {
                if !bucket.is_dir() {
                    return Err(WorldError::new(
                        &bucket,
                        None,
                        "expected a folder per bucket under s3/, holding the bucket's objects",
                    ));
                }
                world
                    .s3
                    .insert(file_name(&bucket), s3::Bucket::load_dir(&bucket)?);
            }
        }
        let tables = dir.join("dynamodb");
        if tables.is_dir() {
            for file in read_dir_sorted(&tables)? {
                let name = file_name(&file);
                let Some(table) = name.strip_suffix(".json") else {
                    return Err(WorldError::new(
                        &file,
                        None,
                        "expected <table>.json files under dynamodb/",
                    ));
                };
                let value = read_json(&file)?;
                world.dynamodb.insert(
                    table.to_string(),
                    dynamodb::Table::from_json(&value, &file)?,
                );
            }
        }
        let machines = dir.join("states");
        if machines.is_dir() {
            world.states = states::load_dir(&machines)?;
        }
        let ecs = dir.join("ecs");
        if ecs.is_dir() {
            for file in read_dir_sorted(&ecs)? {
                let name = file_name(&file);
                let Some(family) = name.strip_suffix(".json") else {
                    return Err(WorldError::new(
                        &file,
                        None,
                        "expected <task-definition-family>.json files under ecs/",
                    ));
                };
                let value = read_json(&file)?;
                world.ecs.insert(
                    family.to_string(),
                    ecs::TaskDefinition::from_json(&value, &file)?,
                );
            }
        }
        for (folder, sent) in [
            ("sqs", &mut world.sqs),
            ("sns", &mut world.sns),
            ("events", &mut world.events),
        ] {
            let d = dir.join(folder);
            if d.is_dir() {
                *sent = load_sent(&d)?;
            }
        }
        Ok(world)
    }

    /// Reads a case environment's `resources` member: the same content as a folder, as JSON
    /// (docs/resources.md):
    /// `{"s3": {"<bucket>": {"<key>": "<text>" | {"base64": "…"}}}, "dynamodb": {"<table>":
    /// {"KeySchema": […], "Items": […]}}, "states": {"<name>": {"definition": {…}, "type":
    /// "STANDARD"|"EXPRESS"}}, "ecs": {"<family>": {…}}, "sqs"|"sns"|"events": {"<name>": […]}}`.
    /// `source` names where the member came from in errors.
    pub fn from_json(v: &Value, source: &Path) -> Result<World, WorldError> {
        let obj = v
            .as_object()
            .ok_or_else(|| WorldError::new(source, None, "expected an object"))?;
        let mut world = World::default();
        for (key, member) in obj {
            let pointer = format!("/{}", crate::asl::model::pointer_escape(key));
            if !FOLDERS.contains(&key.as_str()) {
                return Err(WorldError::at_pointer(
                    source,
                    &pointer,
                    format!("unknown member '{key}': expected {}", FOLDERS.join(", ")),
                ));
            }
            let entries = member.as_object().ok_or_else(|| {
                WorldError::at_pointer(source, &pointer, "expected an object keyed by name")
            })?;
            for (name, item) in entries {
                let p = format!("{pointer}/{}", crate::asl::model::pointer_escape(name));
                match key.as_str() {
                    "s3" => {
                        world
                            .s3
                            .insert(name.clone(), s3::Bucket::from_json(item, source, &p)?);
                    }
                    "dynamodb" => {
                        let table = dynamodb::Table::from_json(item, source)
                            .map_err(|e| prefix_pointer(e, &p))?;
                        world.dynamodb.insert(name.clone(), table);
                    }
                    "states" => {
                        world
                            .states
                            .insert(name.clone(), states::Child::from_json(item, source, &p)?);
                    }
                    "ecs" => {
                        let td = ecs::TaskDefinition::from_json(item, source)
                            .map_err(|e| prefix_pointer(e, &p))?;
                        world.ecs.insert(name.clone(), td);
                    }
                    "sqs" | "sns" | "events" => {
                        let list = item.as_array().ok_or_else(|| {
                            WorldError::at_pointer(source, &p, "expected an array of messages")
                        })?;
                        let sent = match key.as_str() {
                            "sqs" => &mut world.sqs,
                            "sns" => &mut world.sns,
                            _ => &mut world.events,
                        };
                        sent.insert(name.clone(), list.clone());
                    }
                    other => {
                        return Err(WorldError::at_pointer(
                            source,
                            &pointer,
                            format!("unknown member '{other}': expected {}", FOLDERS.join(", ")),
                        ))
                    }
                }
            }
        }
        Ok(world)
    }

    /// The world as a `resources` member ([`World::from_json`] reads it back).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if !self.s3.is_empty() {
            out.insert(
                "s3".into(),
                Value::Object(
                    self.s3
                        .iter()
                        .map(|(k, b)| (k.clone(), b.to_json()))
                        .collect(),
                ),
            );
        }
        if !self.dynamodb.is_empty() {
            out.insert(
                "dynamodb".into(),
                Value::Object(
                    self.dynamodb
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            );
        }
        if !self.states.is_empty() {
            out.insert(
                "states".into(),
                Value::Object(
                    self.states
                        .iter()
                        .map(|(k, c)| (k.clone(), c.to_json()))
                        .collect(),
                ),
            );
        }
        if !self.ecs.is_empty() {
            out.insert(
                "ecs".into(),
                Value::Object(
                    self.ecs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            );
        }
        for (key, sent) in [
            ("sqs", &self.sqs),
            ("sns", &self.sns),
            ("events", &self.events),
        ] {
            if !sent.is_empty() {
                out.insert(
                    key.into(),
                    Value::Object(
                        sent.iter()
                            .map(|(k, v)| (k.clone(), Value::Array(v.clone())))
                            .collect(),
                    ),
                );
            }
        }
        Value::Object(out)
    }

    /// Writes the world into `dir` in the layout [`World::load_dir`] reads, with the messages as
    /// `sqs/<queue>.jsonl`, `sns/<topic>.jsonl`, `events/<bus>.jsonl`. The folder is built
    /// beside `dir` and renamed into place, so a killed run leaves no half-written world; `dir`
    /// must not exist or be empty.
    pub fn save_dir(&self, dir: &Path) -> Result<(), WorldError> {
        check_output_dir(dir)?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let staging = parent.join(format!(".{}.tmp-{}", file_name(dir), std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        let written = self.write_tree(&staging);
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        if dir.exists() {
            std::fs::remove_dir(dir).map_err(|e| io_error(dir, e))?;
        }
        std::fs::rename(&staging, dir).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staging);
            io_error(dir, e)
        })
    }

    fn write_tree(&self, root: &Path) -> Result<(), WorldError> {
        create_dir(root)?;
        for (name, bucket) in &self.s3 {
            bucket.save_dir(&root.join("s3").join(name))?;
        }
        for (name, table) in &self.dynamodb {
            write_file(
                &root.join("dynamodb").join(format!("{name}.json")),
                &pretty(&table.to_json()),
            )?;
        }
        if !self.states.is_empty() {
            states::save_dir(&self.states, &root.join("states"))?;
        }
        for (name, td) in &self.ecs {
            write_file(
                &root.join("ecs").join(format!("{name}.json")),
                &pretty(&td.to_json()),
            )?;
        }
        for (folder, sent) in [
            ("sqs", &self.sqs),
            ("sns", &self.sns),
            ("events", &self.events),
        ] {
            for (name, messages) in sent {
                let mut text = String::new();
                for m in messages {
                    text.push_str(&serde_json::to_string(m).unwrap_or_default());
                    text.push('\n');
                }
                write_file(
                    &root.join(folder).join(format!("{name}.jsonl")),
                    text.as_bytes(),
                )?;
            }
        }
        Ok(())
    }

    /// Records a message sent to a queue, topic or bus.
    pub fn send(sent: &mut Sent, name: &str, message: Value) {
        sent.entry(name.to_string()).or_default().push(message);
    }
}

/// Refuses an output folder that holds anything, before a run starts, so that no result is lost
/// and no stale file is mistaken for the run's.
pub fn check_output_dir(dir: &Path) -> Result<(), WorldError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                Err(WorldError::new(
                    dir,
                    None,
                    "exists and is not empty: give a new or empty folder for --resources-out",
                ))
            } else {
                Ok(())
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(WorldError::new(dir, None, "exists and is not a folder"))
        }
        Err(e) => Err(io_error(dir, e)),
    }
}

fn prefix_pointer(mut e: WorldError, prefix: &str) -> WorldError {
    e.at = Some(match e.at {
        Some(at) if at.starts_with('/') => format!("{prefix}{at}"),
        Some(at) => format!("{prefix}: {at}"),
        None => prefix.to_string(),
    });
    e
}

/// Reads `<name>.jsonl` files: one message per line.
fn load_sent(dir: &Path) -> Result<Sent, WorldError> {
    let mut out = Sent::new();
    for file in read_dir_sorted(dir)? {
        let name = file_name(&file);
        let Some(stem) = name.strip_suffix(".jsonl") else {
            return Err(WorldError::new(&file, None, "expected <name>.jsonl files"));
        };
        let text = read_text(&file)?;
        let mut messages = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v = serde_json::from_str(line).map_err(|e| {
                WorldError::new(&file, Some(format!("line {}", i + 1)), e.to_string())
            })?;
            messages.push(v);
        }
        out.insert(stem.to_string(), messages);
    }
    Ok(out)
}

pub(crate) fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, WorldError> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| io_error(dir, e)))
        .collect::<Result<_, _>>()?;
    out.sort();
    Ok(out)
}

pub(crate) fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(crate) fn io_error(p: &Path, e: std::io::Error) -> WorldError {
    WorldError::new(p, None, e.to_string())
}

pub(crate) fn read_text(p: &Path) -> Result<String, WorldError> {
    let bytes = std::fs::read(p).map_err(|e| io_error(p, e))?;
    String::from_utf8(bytes).map_err(|e| {
        WorldError::new(
            p,
            None,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

pub(crate) fn read_json(p: &Path) -> Result<Value, WorldError> {
    let text = read_text(p)?;
    serde_json::from_str(&text).map_err(|e| {
        WorldError::new(
            p,
            Some(format!("line {} column {}", e.line(), e.column())),
            e.to_string(),
        )
    })
}

pub(crate) fn create_dir(p: &Path) -> Result<(), WorldError> {
    std::fs::create_dir_all(p).map_err(|e| io_error(p, e))
}

/// Writes a file inside the staging folder (creating its parents).
pub(crate) fn write_file(p: &Path, bytes: &[u8]) -> Result<(), WorldError> {
    if let Some(parent) = p.parent() {
        create_dir(parent)?;
    }
    std::fs::write(p, bytes).map_err(|e| io_error(p, e))
}

pub(crate) fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}
