//! The typed definition model: a validated definition compiled into the structures the
//! interpreter runs (paths and templates parsed once, transitions resolved to indices).
//!
//! Field names and defaults follow the ASL specification (<https://states-language.net/spec.html>)
//! and the AWS behaviour in docs/semantics/ (structure.md §1 and the page of each state type; e.g. Retry defaults in errors.md §6.3).

use serde_json::{Map, Value};

use crate::data::flow::{IoPath, ResultPath};
use crate::data::jsonata::{expression_text, Payload};
use crate::data::template::Template;
use crate::data::timestamp;
use crate::data::PathRef;
use crate::intrinsics::{self, Call};

/// A whole state machine.
#[derive(Debug, Clone)]
pub struct Machine {
    pub comment: Option<String>,
    /// Top-level `TimeoutSeconds`: the execution times out after this many seconds.
    pub timeout_seconds: Option<u64>,
    pub graph: Graph,
}

/// One `StartAt` + `States` object: the top level, a Parallel branch or a Map processor.
#[derive(Debug, Clone)]
pub struct Graph {
    pub start: usize,
    pub states: Vec<State>,
}

impl Graph {
    /// The index of the state called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub name: String,
    /// The state's query language: its own `QueryLanguage`, else the machine's.
    pub language: QueryLanguage,
    pub input_path: IoPath,
    pub output_path: IoPath,
    /// `Assign` (docs/semantics/variables.md).
    pub assign: Option<Assign>,
    /// JSONata `Output` (docs/semantics/jsonata.md §11.4); `None` keeps the default output.
    pub output: Option<Payload>,
    pub next: Transition,
    pub body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Next(usize),
    End,
}

#[derive(Debug, Clone)]
pub enum Body {
    Pass(Pass),
    Succeed,
    Fail(Fail),
    Choice(Choice),
    Wait(Wait),
    Task(Box<Task>),
    Parallel(Box<Parallel>),
    Map(Box<MapState>),
}

impl Body {
    /// The state type as AWS names it in history events (`PassStateEntered`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::Pass(_) => "Pass",
            Body::Succeed => "Succeed",
            Body::Fail(_) => "Fail",
            Body::Choice(_) => "Choice",
            Body::Wait(_) => "Wait",
            Body::Task(_) => "Task",
            Body::Parallel(_) => "Parallel",
            Body::Map(_) => "Map",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pass {
    pub parameters: Option<Template>,
    /// `Result` is literal: `.$` keys inside it are not evaluated (§2.4).
    pub result: Option<Value>,
    pub result_path: ResultPath,
}

/// Fail `Error`/`Cause` and their `…Path` forms.
#[derive(Debug, Clone)]
pub enum FailField {
    Absent,
    Literal(String),
    Path(PathRef),
    Call(Call<PathRef>),
    /// A JSONata expression.
    Jsonata(Payload),
}

#[derive(Debug, Clone)]
pub struct Fail {
    pub error: FailField,
    pub cause: FailField,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub choices: Vec<Branch>,
    pub default: Option<usize>,
}

/// One entry of `Choices`: its rule, where it goes, and what it assigns when it matches.
#[derive(Debug, Clone)]
pub struct Branch {
    pub rule: Rule,
    pub next: usize,
    pub assign: Option<Assign>,
    /// JSONata `Output` of the rule, used instead of the state's when the rule matches.
    pub output: Option<Payload>,
}

/// `QueryLanguage` (docs/semantics/jsonata.md §11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    #[default]
    JsonPath,
    Jsonata,
}

/// `Assign`: in JSONPath a payload template whose keys are variable names, in JSONata an object
/// whose values may be expressions (docs/semantics/variables.md).
#[derive(Debug, Clone)]
pub enum Assign {
    Path(Template),
    Jsonata(Payload),
}

/// A Choice rule (ASL spec "Choice Rules").
#[derive(Debug, Clone)]
pub enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    /// JSONata `Condition`: an expression (or literal) that must produce a boolean.
    Condition(Payload),
    Test {
        variable: PathRef,
        op: Op,
        operand: Operand,
    },
}

/// The type a comparison operator works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpType {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

/// A data-test operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Compare(OpType, Ordering),
    StringMatches,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

/// The right-hand side of a data-test rule.
#[derive(Debug, Clone)]
pub enum Operand {
    Value(Value),
    /// `…Path` operators: the value is read from the data at run time.
    Path(PathRef),
}

impl Op {
    /// Parses an operator field name; the flag says whether it is a `…Path` variant.
    pub fn from_field(name: &str) -> Option<(Op, bool)> {
        let (base, is_path) = match name.strip_suffix("Path") {
            Some(b) if !b.is_empty() && name != "IsPresent" => (b, true),
            _ => (name, false),
        };
        let op = match base {
            "StringMatches" => Op::StringMatches,
            "IsNull" => Op::IsNull,
            "IsPresent" => Op::IsPresent,
            "IsNumeric" => Op::IsNumeric,
            "IsString" => Op::IsString,
            "IsBoolean" => Op::IsBoolean,
            "IsTimestamp" => Op::IsTimestamp,
            _ => {
                let (ty, rest) = [
                    ("String", OpType::String),
                    ("Numeric", OpType::Numeric),
                    ("Boolean", OpType::Boolean),
                    ("Timestamp", OpType::Timestamp),
                ]
                .iter()
                .find_map(|(p, t)| base.strip_prefix(p).map(|r| (*t, r)))?;
                let ord = match rest {
                    "Equals" => Ordering::Equals,
                    "LessThan" => Ordering::LessThan,
                    "GreaterThan" => Ordering::GreaterThan,
                    "LessThanEquals" => Ordering::LessThanEquals,
                    "GreaterThanEquals" => Ordering::GreaterThanEquals,
                    _ => return None,
                };
                if ty == OpType::Boolean && ord != Ordering::Equals {
                    return None;
                }
                Op::Compare(ty, ord)
            }
        };
        // Only comparisons have `…Path` variants.
        if is_path && !matches!(op, Op::Compare(..)) {
            return None;
        }
        Some((op, is_path))
    }
}

#[derive(Debug, Clone)]
pub enum Wait {
    Seconds(u64),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    SecondsPath(PathRef),
    TimestampPath(PathRef),
    /// JSONata `Seconds` / `Timestamp` expressions.
    SecondsExpr(Payload),
    TimestampExpr(Payload),
}

/// The fields Task, Parallel and Map share: Parameters, ResultSelector, ResultPath, Retry, Catch.
#[derive(Debug, Clone, Default)]
pub struct Handling {
    /// JSONata `Arguments` (Task, Parallel).
    pub arguments: Option<Payload>,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    None,
    Full,
}

/// A retrier with AWS's defaults (§6.3): IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0.
#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter: Jitter,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: usize,
    pub result_path: ResultPath,
    /// Replaces the state's own `Assign` when this catcher fires; `$` is the Error Output.
    pub assign: Option<Assign>,
    /// JSONata `Output` of the catcher (default: the Error Output).
    pub output: Option<Payload>,
}

/// A number field or its `…Path` form.
#[derive(Debug, Clone)]
pub enum Amount {
    Fixed(u64),
    Path(PathRef),
    /// A JSONata expression.
    Jsonata(Payload),
}

#[derive(Debug, Clone)]
pub struct Task {
    pub resource: String,
    pub timeout: Option<Amount>,
    pub heartbeat: Option<Amount>,
    pub handling: Handling,
}

#[derive(Debug, Clone)]
pub struct Parallel {
    pub branches: Vec<Graph>,
    pub handling: Handling,
}

#[derive(Debug, Clone)]
pub struct MapState {
    /// `ItemsPath` (reference path); `None` means `$`.
    pub items_path: Option<PathRef>,
    /// `ItemSelector`, or the deprecated Map `Parameters`.
    pub item_selector: Option<Template>,
    /// JSONata `Items` (default: the state input).
    pub items: Option<Payload>,
    /// JSONata `ItemSelector`.
    pub item_selector_jsonata: Option<Payload>,
    pub processor: Graph,
    /// `MaxConcurrency` (0 = no limit) or `MaxConcurrencyPath`.
    pub max_concurrency: Amount,
    /// `ToleratedFailurePercentagePath` and `ToleratedFailureCountPath`: their values are
    /// checked when the Map starts (docs/semantics/map.md §7.6); the thresholds themselves are
    /// not applied.
    pub tolerated_failure_percentage_path: Option<PathRef>,
    pub tolerated_failure_count_path: Option<PathRef>,
    /// `ProcessorConfig.Mode: DISTRIBUTED`: items run as child executions of a Map Run.
    pub distributed: Option<Box<Distributed>>,
    pub handling: Handling,
}

/// What a Distributed Map adds (docs/semantics/map.md §7.9).
#[derive(Debug, Clone)]
pub struct Distributed {
    /// `ProcessorConfig.ExecutionType: EXPRESS`.
    pub express: bool,
    pub label: Option<String>,
    pub reader: Option<ItemReader>,
    pub batcher: Option<ItemBatcher>,
    pub writer: Option<ResultWriter>,
    /// `ToleratedFailureCount` / `ToleratedFailurePercentage` literals (the `…Path` forms are
    /// on [`MapState`]).
    pub tolerated_count: Option<u64>,
    pub tolerated_percentage: Option<f64>,
    /// JSONata `ToleratedFailureCount` / `ToleratedFailurePercentage` expressions.
    pub tolerated_count_expr: Option<Payload>,
    pub tolerated_percentage_expr: Option<Payload>,
}

/// A field that is a payload template in a JSONPath state (`Parameters`, `BatchInput`) and a
/// JSONata payload in a JSONata state (`Arguments`, `BatchInput`).
#[derive(Debug, Clone)]
pub enum Arguments {
    Template(Template),
    Jsonata(Payload),
}

/// `ItemReader`: where a Distributed Map reads its items.
#[derive(Debug, Clone)]
pub struct ItemReader {
    pub resource: String,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): Bucket, Key or Prefix.
    pub parameters: Option<Arguments>,
    /// `ReaderConfig.InputType` (`JSON`, `JSONL`, `CSV`, `MANIFEST`); `None` with
    /// `listObjectsV2`.
    pub input_type: Option<String>,
    pub csv_header_location: Option<String>,
    pub csv_headers: Vec<String>,
    pub csv_delimiter: char,
    pub max_items: Option<Amount>,
    /// `ReaderConfig.ItemsPointer`: a JSON Pointer to the array inside a JSON object.
    pub items_pointer: Option<String>,
    /// `ReaderConfig.Transformation` (`NONE` default, `LOAD_AND_FLATTEN`: a listing's objects
    /// are read and their records are the items).
    pub transformation: String,
}

/// `ItemBatcher`: items grouped into batches, each one child's input.
#[derive(Debug, Clone)]
pub struct ItemBatcher {
    pub max_items: Option<Amount>,
    pub max_bytes: Option<Amount>,
    pub batch_input: Option<Arguments>,
}

/// `ResultWriter`: results exported to S3.
#[derive(Debug, Clone)]
pub struct ResultWriter {
    /// A `Resource` is given: the results are exported to S3 (without one, `WriterConfig`
    /// only shapes the state's output).
    pub export: bool,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): Bucket and Prefix.
    pub parameters: Option<Arguments>,
    /// `WriterConfig.OutputType` (`JSON` default, `JSONL`).
    pub output_type: String,
    /// `WriterConfig.Transformation` (`NONE` default, `COMPACT`, `FLATTEN`).
    pub transformation: String,
}

/// A problem found while compiling; `pointer` is a JSON Pointer into the definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub pointer: String,
    pub message: String,
}

type Result<T> = std::result::Result<T, CompileError>;

fn err<T>(pointer: &str, message: impl Into<String>) -> Result<T> {
    Err(CompileError {
        pointer: pointer.to_string(),
        message: message.into(),
    })
}

/// Escapes a key for a JSON Pointer (RFC 6901).
pub fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Machine {
    /// Compiles a definition that passed validation. Any remaining problem is reported rather than
    /// panicking, so an unvalidated definition is safe to pass too.
    pub fn compile(def: &Value) -> Result<Machine> {
        let obj = def.as_object().ok_or_else(|| CompileError {
            pointer: "/".into(),
            message: "Definition must be a valid JSON object".into(),
        })?;
        let language = match obj.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::Jsonata,
            _ => QueryLanguage::JsonPath,
        };
        let graph = compile_graph(obj, "", language)?;
        let timeout_seconds = match obj.get("TimeoutSeconds") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| CompileError {
                pointer: "/TimeoutSeconds".into(),
                message: "expected a non-negative integer".into(),
            })?),
        };
        Ok(Machine {
            comment: obj
                .get("Comment")
                .and_then(Value::as_str)
                .map(str::to_string),
            timeout_seconds,
            graph,
        })
    }
}

/// `language`: the machine's query language, the default of every state at any depth (the states
/// of a Map or Parallel default to the machine's language, not to that of the Map or Parallel).
fn compile_graph(obj: &Map<String, Value>, base: &str, language: QueryLanguage) -> Result<Graph> {
    let states = match obj.get("States") {
        Some(Value::Object(s)) => s,
        _ => return err(&format!("{base}/States"), "expected an object of states"),
    };
    let names: Vec<&String> = states.keys().collect();
    let index = |name: &str, pointer: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n.as_str() == name)
            .ok_or_else(|| CompileError {
                pointer: pointer.to_string(),
                message: format!("Missing 'Next' target: {name}"),
            })
    };
    let start_name = obj.get("StartAt").and_then(Value::as_str).unwrap_or("");
    let start = index(start_name, &format!("{base}/StartAt"))?;
    let mut compiled = Vec::with_capacity(states.len());
    for (name, value) in states {
        let at = format!("{base}/States/{}", pointer_escape(name));
        compiled.push(compile_state(name, value, &at, &index, language)?);
    }
    Ok(Graph {
        start,
        states: compiled,
    })
}

fn compile_state(
    name: &str,
    value: &Value,
    at: &str,
    index: &dyn Fn(&str, &str) -> Result<usize>,
    machine_language: QueryLanguage,
) -> Result<State> {
    let s = match value.as_object() {
        Some(s) => s,
        None => return err(at, "a state must be an object"),
    };
    let language = match s.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => QueryLanguage::Jsonata,
        Some("JSONPath") => QueryLanguage::JsonPath,
        _ => machine_language,
    };
    let jsonata = language == QueryLanguage::Jsonata;
    let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
    let field = |f: &str| format!("{at}/{f}");
    let io = |f: &str| IoPath::compile(s.get(f)).or_else(|m| err(&field(f), m));
    let next = match s.get("Next").and_then(Value::as_str) {
        Some(n) => Transition::Next(index(n, &field("Next"))?),
        None => Transition::End,
    };
    let body = match ty {
        "Pass" if jsonata => Body::Pass(Pass {
            parameters: None,
            result: None,
            result_path: ResultPath::Replace,
        }),
        "Pass" => Body::Pass(Pass {
            parameters: template(s, "Parameters", at)?,
            result: s.get("Result").cloned(),
            result_path: result_path(s.get("ResultPath"), &field("ResultPath"))?,
        }),
        "Succeed" => Body::Succeed,
        "Fail" => Body::Fail(Fail {
            error: fail_field(s, "Error", at, jsonata)?,
            cause: fail_field(s, "Cause", at, jsonata)?,
        }),
        "Choice" => Body::Choice(compile_choice(s, at, index, jsonata)?),
        "Wait" => Body::Wait(compile_wait(s, at, jsonata)?),
        "Task" => Body::Task(Box::new(Task {
            resource: s
                .get("Resource")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            timeout: amount(s, "TimeoutSeconds", at, jsonata)?,
            heartbeat: amount(s, "HeartbeatSeconds", at, jsonata)?,
            handling: handling(s, at, index, jsonata)?,
        })),
        "Parallel" => {
            let branches = match s.get("Branches") {
                Some(Value::Array(b)) => b
                    .iter()
                    .enumerate()
                    .map(|(i, b)| match b.as_object() {
                        Some(o) => compile_graph(o, &format!("{at}/Branches/{i}"), machine_language),
                        None => err(&format!("{at}/Branches/{i}"), "a branch must be an object"),
                    })
                    .collect::<Result<Vec<_>>>()?,
                _ => return err(&field("Branches"), "expected a non-empty array"),
            };
            Body::Parallel(Box::new(Parallel {
                branches,
                handling: handling(s, at, index, jsonata)?,
            }))
        }
        "Map" => Body::Map(Box::new(compile_map(s, at, index, language, machine_language)?)),
        other => {
            return err(
                &field("Type"),
                format!("The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] (found '{other}')"),
            )
        }
    };
    let (input_path, output_path) = if jsonata {
        let identity = || IoPath::compile(None).or_else(|m| err(at, m));
        (identity(), identity())
    } else {
        (io("InputPath"), io("OutputPath"))
    };
    Ok(State {
        name: name.to_string(),
        language,
        input_path: input_path?,
        output_path: output_path?,
        assign: assign(s, at, jsonata)?,
        output: if jsonata {
            payload(s, "Output", at)?
        } else {
            None
        },
        next,
        body,
    })
}

fn template(s: &Map<String, Value>, f: &str, at: &str) -> Result<Option<Template>> {
    match s.get(f) {
        None => Ok(None),
        Some(v) => Template::compile(v)
            .map(Some)
            .or_else(|m| err(&format!("{at}/{f}"), m)),
    }
}

/// A JSONata field (`{% %}` expressions at any depth).
fn payload(s: &Map<String, Value>, f: &str, at: &str) -> Result<Option<Payload>> {
    match s.get(f) {
        None => Ok(None),
        Some(v) => Payload::compile(v).map(Some).map_err(|e| CompileError {
            pointer: format!("{at}/{f}{}", e.pointer),
            message: e.message,
        }),
    }
}

fn assign(s: &Map<String, Value>, at: &str, jsonata: bool) -> Result<Option<Assign>> {
    Ok(if jsonata {
        payload(s, "Assign", at)?.map(Assign::Jsonata)
    } else {
        template(s, "Assign", at)?.map(Assign::Path)
    })
}

fn result_path(v: Option<&Value>, pointer: &str) -> Result<ResultPath> {
    ResultPath::compile(v).or_else(|m| err(pointer, m))
}

fn path_ref(v: &Value, pointer: &str) -> Result<PathRef> {
    match v.as_str() {
        Some(s) => PathRef::compile(s).or_else(|e| err(pointer, e.message)),
        None => err(pointer, "expected a path string"),
    }
}

fn fail_field(s: &Map<String, Value>, f: &str, at: &str, jsonata: bool) -> Result<FailField> {
    if jsonata {
        if let Some(p) = payload(s, f, at)? {
            return Ok(match p {
                Payload::Literal(Value::String(t)) => FailField::Literal(t),
                other => FailField::Jsonata(other),
            });
        }
    }
    if let Some(v) = s.get(f) {
        return match v.as_str() {
            Some(t) => Ok(FailField::Literal(t.to_string())),
            None => err(&format!("{at}/{f}"), "expected a string"),
        };
    }
    let pf = format!("{f}Path");
    match s.get(&pf) {
        None => Ok(FailField::Absent),
        Some(v) => {
            let pointer = format!("{at}/{pf}");
            let text = v.as_str().ok_or_else(|| CompileError {
                pointer: pointer.clone(),
                message: "expected a reference path or an intrinsic function call".into(),
            })?;
            if text.starts_with('$') {
                path_ref(v, &pointer).map(FailField::Path)
            } else {
                intrinsics::parse(text, &mut |p| PathRef::compile(p).map_err(|e| e.message))
                    .map(FailField::Call)
                    .or_else(|e| err(&pointer, e.message))
            }
        }
    }
}

fn amount(s: &Map<String, Value>, f: &str, at: &str, jsonata: bool) -> Result<Option<Amount>> {
    if let Some(text) = s.get(f).and_then(Value::as_str) {
        if jsonata && expression_text(text).is_some() {
            return Ok(payload(s, f, at)?.map(Amount::Jsonata));
        }
    }
    if let Some(v) = s.get(f) {
        return match v.as_u64() {
            Some(n) => Ok(Some(Amount::Fixed(n))),
            None => err(&format!("{at}/{f}"), "expected a non-negative integer"),
        };
    }
    let pf = format!("{f}Path");
    match s.get(&pf) {
        None => Ok(None),
        Some(v) => path_ref(v, &format!("{at}/{pf}")).map(|p| Some(Amount::Path(p))),
    }
}

fn compile_wait(s: &Map<String, Value>, at: &str, jsonata: bool) -> Result<Wait> {
    for (f, expr) in [("Seconds", true), ("Timestamp", false)] {
        if let Some(text) = s.get(f).and_then(Value::as_str) {
            if jsonata && expression_text(text).is_some() {
                let p = payload(s, f, at)?.unwrap_or(Payload::Literal(Value::Null));
                return Ok(if expr {
                    Wait::SecondsExpr(p)
                } else {
                    Wait::TimestampExpr(p)
                });
            }
        }
    }
    if let Some(v) = s.get("Seconds") {
        return v.as_u64().map(Wait::Seconds).ok_or_else(|| CompileError {
            pointer: format!("{at}/Seconds"),
            message: "expected a non-negative integer".into(),
        });
    }
    if let Some(v) = s.get("Timestamp") {
        return v
            .as_str()
            .and_then(timestamp::parse_millis)
            .map(Wait::Timestamp)
            .ok_or_else(|| CompileError {
                pointer: format!("{at}/Timestamp"),
                message: "String does not match RFC3339 timestamp".into(),
            });
    }
    if let Some(v) = s.get("SecondsPath") {
        return path_ref(v, &format!("{at}/SecondsPath")).map(Wait::SecondsPath);
    }
    if let Some(v) = s.get("TimestampPath") {
        return path_ref(v, &format!("{at}/TimestampPath")).map(Wait::TimestampPath);
    }
    err(
        at,
        "A Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
    )
}

fn handling(
    s: &Map<String, Value>,
    at: &str,
    index: &dyn Fn(&str, &str) -> Result<usize>,
    jsonata: bool,
) -> Result<Handling> {
    let mut retry = Vec::new();
    if let Some(Value::Array(rs)) = s.get("Retry") {
        for (i, r) in rs.iter().enumerate() {
            let p = format!("{at}/Retry/{i}");
            let num = |f: &str| r.get(f).and_then(Value::as_u64);
            retry.push(Retrier {
                error_equals: error_equals(r, &p)?,
                interval_seconds: num("IntervalSeconds").unwrap_or(1),
                max_attempts: num("MaxAttempts").unwrap_or(3),
                backoff_rate: r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
                max_delay_seconds: num("MaxDelaySeconds"),
                jitter: match r.get("JitterStrategy").and_then(Value::as_str) {
                    Some("FULL") => Jitter::Full,
                    _ => Jitter::None,
                },
            });
        }
    }
    let mut catch = Vec::new();
    if let Some(Value::Array(cs)) = s.get("Catch") {
        for (i, c) in cs.iter().enumerate() {
            let p = format!("{at}/Catch/{i}");
            let next = c.get("Next").and_then(Value::as_str).unwrap_or("");
            catch.push(Catcher {
                error_equals: error_equals(c, &p)?,
                next: index(next, &format!("{p}/Next"))?,
                result_path: result_path(c.get("ResultPath"), &format!("{p}/ResultPath"))?,
                assign: c.as_object().map_or(Ok(None), |c| assign(c, &p, jsonata))?,
                output: match c.as_object() {
                    Some(c) if jsonata => payload(c, "Output", &p)?,
                    _ => None,
                },
            });
        }
    }
    Ok(Handling {
        arguments: if jsonata {
            payload(s, "Arguments", at)?
        } else {
            None
        },
        parameters: template(s, "Parameters", at)?,
        result_selector: template(s, "ResultSelector", at)?,
        result_path: result_path(s.get("ResultPath"), &format!("{at}/ResultPath"))?,
        retry,
        catch,
    })
}

fn error_equals(v: &Value, at: &str) -> Result<Vec<String>> {
    match v.get("ErrorEquals").and_then(Value::as_array) {
        Some(a) => Ok(a
            .iter()
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect()),
        None => err(
            &format!("{at}/ErrorEquals"),
            "expected an array of error names",
        ),
    }
}

fn compile_map(
    s: &Map<String, Value>,
    at: &str,
    index: &dyn Fn(&str, &str) -> Result<usize>,
    language: QueryLanguage,
    machine_language: QueryLanguage,
) -> Result<MapState> {
    let jsonata = language == QueryLanguage::Jsonata;
    let (proc_field, proc) = match (s.get("ItemProcessor"), s.get("Iterator")) {
        (Some(Value::Object(p)), _) => ("ItemProcessor", p),
        (None, Some(Value::Object(p))) => ("Iterator", p),
        _ => {
            return err(
                at,
                "A Map state needs an ItemProcessor (or Iterator) object",
            )
        }
    };
    let processor = compile_graph(proc, &format!("{at}/{proc_field}"), machine_language)?;
    let items_path = match s.get("ItemsPath") {
        None => None,
        Some(Value::String(t)) if t == "$" => None,
        Some(v) => Some(path_ref(v, &format!("{at}/ItemsPath"))?),
    };
    let item_selector = match template(s, "ItemSelector", at)? {
        Some(t) => Some(t),
        None => template(s, "Parameters", at)?,
    };
    let max_concurrency = amount(s, "MaxConcurrency", at, jsonata)?.unwrap_or(Amount::Fixed(0));
    let optional_path = |f: &str| match s.get(f) {
        None => Ok(None),
        Some(v) => path_ref(v, &format!("{at}/{f}")).map(Some),
    };
    let tolerated_failure_percentage_path = optional_path("ToleratedFailurePercentagePath")?;
    let tolerated_failure_count_path = optional_path("ToleratedFailureCountPath")?;
    let mut handling = handling(s, at, index, jsonata)?;
    // Map `Parameters` is the deprecated spelling of ItemSelector, not a task payload.
    handling.parameters = None;
    let (items, item_selector_jsonata) = if jsonata {
        (payload(s, "Items", at)?, payload(s, "ItemSelector", at)?)
    } else {
        (None, None)
    };
    let item_selector = if jsonata { None } else { item_selector };
    let distributed = compile_distributed(s, proc, at, jsonata)?.map(Box::new);
    Ok(MapState {
        items_path,
        item_selector,
        items,
        item_selector_jsonata,
        processor,
        max_concurrency,
        tolerated_failure_percentage_path,
        tolerated_failure_count_path,
        distributed,
        handling,
    })
}

/// The Distributed Map fields, when `ProcessorConfig.Mode` is `DISTRIBUTED`.
fn compile_distributed(
    s: &Map<String, Value>,
    proc: &Map<String, Value>,
    at: &str,
    jsonata: bool,
) -> Result<Option<Distributed>> {
    let config = proc.get("ProcessorConfig").and_then(Value::as_object);
    let mode = config.and_then(|c| c.get("Mode")).and_then(Value::as_str);
    if mode != Some("DISTRIBUTED") {
        return Ok(None);
    }
    // A JSONata `{% %}` string in a numeric field.
    let expression = |f: &str| -> Result<Option<Payload>> {
        match s.get(f).and_then(Value::as_str) {
            Some(t) if jsonata && expression_text(t).is_some() => payload(s, f, at),
            _ => Ok(None),
        }
    };
    let express = config
        .and_then(|c| c.get("ExecutionType"))
        .and_then(Value::as_str)
        == Some("EXPRESS");
    let object = |f: &str| s.get(f).and_then(Value::as_object);
    // `Parameters` in JSONPath, `Arguments` in JSONata; `BatchInput` in both.
    let arguments = |o: &Map<String, Value>, f: &str, at: &str| -> Result<Option<Arguments>> {
        Ok(if jsonata {
            payload(o, if f == "Parameters" { "Arguments" } else { f }, at)?.map(Arguments::Jsonata)
        } else {
            template(o, f, at)?.map(Arguments::Template)
        })
    };
    let reader = match object("ItemReader") {
        None => None,
        Some(r) => {
            let rat = format!("{at}/ItemReader");
            let config = r.get("ReaderConfig").and_then(Value::as_object);
            let empty = Map::new();
            let c = config.unwrap_or(&empty);
            let text = |f: &str| c.get(f).and_then(Value::as_str).map(str::to_string);
            Some(ItemReader {
                resource: r
                    .get("Resource")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                parameters: arguments(r, "Parameters", &rat)?,
                input_type: text("InputType"),
                csv_header_location: text("CSVHeaderLocation"),
                csv_headers: c
                    .get("CSVHeaders")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|h| h.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                csv_delimiter: match text("CSVDelimiter").as_deref() {
                    Some("PIPE") => '|',
                    Some("SEMICOLON") => ';',
                    Some("SPACE") => ' ',
                    Some("TAB") => '\t',
                    _ => ',',
                },
                max_items: amount(c, "MaxItems", &format!("{rat}/ReaderConfig"), jsonata)?,
                items_pointer: text("ItemsPointer"),
                transformation: text("Transformation").unwrap_or_else(|| "NONE".into()),
            })
        }
    };
    let batcher = match object("ItemBatcher") {
        None => None,
        Some(b) => {
            let bat = format!("{at}/ItemBatcher");
            Some(ItemBatcher {
                max_items: amount(b, "MaxItemsPerBatch", &bat, jsonata)?,
                max_bytes: amount(b, "MaxInputBytesPerBatch", &bat, jsonata)?,
                batch_input: arguments(b, "BatchInput", &bat)?,
            })
        }
    };
    let writer = match object("ResultWriter") {
        None => None,
        Some(w) => {
            let wat = format!("{at}/ResultWriter");
            let config = w.get("WriterConfig");
            let text = |f: &str, d: &str| {
                config
                    .and_then(|c| c.get(f))
                    .and_then(Value::as_str)
                    .unwrap_or(d)
                    .to_string()
            };
            Some(ResultWriter {
                export: w.contains_key("Resource"),
                parameters: arguments(w, "Parameters", &wat)?,
                output_type: text("OutputType", "JSON"),
                transformation: text("Transformation", "NONE"),
            })
        }
    };
    Ok(Some(Distributed {
        express,
        label: s.get("Label").and_then(Value::as_str).map(str::to_string),
        reader,
        batcher,
        writer,
        tolerated_count: s.get("ToleratedFailureCount").and_then(Value::as_u64),
        tolerated_percentage: s.get("ToleratedFailurePercentage").and_then(Value::as_f64),
        tolerated_count_expr: expression("ToleratedFailureCount")?,
        tolerated_percentage_expr: expression("ToleratedFailurePercentage")?,
    }))
}

fn compile_choice(
    s: &Map<String, Value>,
    at: &str,
    index: &dyn Fn(&str, &str) -> Result<usize>,
    jsonata: bool,
) -> Result<Choice> {
    let rules = match s.get("Choices") {
        Some(Value::Array(r)) => r,
        _ => {
            return err(
                &format!("{at}/Choices"),
                "expected a non-empty array of rules",
            )
        }
    };
    let mut choices = Vec::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        let p = format!("{at}/Choices/{i}");
        let next = r.get("Next").and_then(Value::as_str).unwrap_or("");
        let obj = r.as_object();
        let rule = match obj {
            Some(o) if jsonata => Rule::Condition(
                payload(o, "Condition", &p)?.unwrap_or(Payload::Literal(Value::Null)),
            ),
            _ => compile_rule(r, &p, 0)?,
        };
        choices.push(Branch {
            rule,
            next: index(next, &format!("{p}/Next"))?,
            assign: obj.map_or(Ok(None), |r| assign(r, &p, jsonata))?,
            output: match obj {
                Some(o) if jsonata => payload(o, "Output", &p)?,
                _ => None,
            },
        });
    }
    let default = match s.get("Default").and_then(Value::as_str) {
        Some(d) => Some(index(d, &format!("{at}/Default"))?),
        None => None,
    };
    Ok(Choice { choices, default })
}

/// Nesting of And/Or/Not deeper than this is refused instead of risking the stack.
pub const MAX_RULE_DEPTH: usize = 100;

fn compile_rule(r: &Value, at: &str, depth: usize) -> Result<Rule> {
    if depth > MAX_RULE_DEPTH {
        return err(
            at,
            format!("Choice rules nest deeper than {MAX_RULE_DEPTH} levels"),
        );
    }
    let obj = match r.as_object() {
        Some(o) => o,
        None => return err(at, "a Choice rule must be an object"),
    };
    for (combinator, is_and) in [("And", true), ("Or", false)] {
        if let Some(v) = obj.get(combinator) {
            let list = v.as_array().ok_or_else(|| CompileError {
                pointer: format!("{at}/{combinator}"),
                message: "expected a non-empty array of rules".into(),
            })?;
            let rules = list
                .iter()
                .enumerate()
                .map(|(i, x)| compile_rule(x, &format!("{at}/{combinator}/{i}"), depth + 1))
                .collect::<Result<Vec<_>>>()?;
            return Ok(if is_and {
                Rule::And(rules)
            } else {
                Rule::Or(rules)
            });
        }
    }
    if let Some(v) = obj.get("Not") {
        return Ok(Rule::Not(Box::new(compile_rule(
            v,
            &format!("{at}/Not"),
            depth + 1,
        )?)));
    }
    let variable = match obj.get("Variable") {
        Some(v) => path_ref(v, &format!("{at}/Variable"))?,
        None => return err(at, "A data-test rule needs a 'Variable'"),
    };
    for (key, value) in obj {
        if let Some((op, is_path)) = Op::from_field(key) {
            let pointer = format!("{at}/{key}");
            let operand = if is_path {
                Operand::Path(path_ref(value, &pointer)?)
            } else {
                Operand::Value(value.clone())
            };
            return Ok(Rule::Test {
                variable,
                op,
                operand,
            });
        }
    }
    err(at, "A data-test rule needs exactly one comparison operator")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        assert_eq!(
            Op::from_field("NumericLessThanEqualsPath"),
            Some((Op::Compare(OpType::Numeric, Ordering::LessThanEquals), true))
        );
        assert_eq!(Op::from_field("IsPresent"), Some((Op::IsPresent, false)));
        assert_eq!(
            Op::from_field("StringMatches"),
            Some((Op::StringMatches, false))
        );
        assert_eq!(Op::from_field("StringMatchesPath"), None);
        assert_eq!(Op::from_field("BooleanLessThan"), None);
        assert_eq!(
            Op::from_field("BooleanEqualsPath"),
            Some((Op::Compare(OpType::Boolean, Ordering::Equals), true))
        );
        assert_eq!(Op::from_field("Variable"), None);
        assert_eq!(Op::from_field("Next"), None);
    }
}
