//! A load driver for any Step Functions API endpoint (`aslcheck bench-api`): N clients, each on
//! one keep-alive HTTP/1.1 connection, run a workload for a while and count executions.
//! It speaks the AWS JSON 1.0 protocol directly (no SDK), so the client side costs little next
//! to the server; requests carry a SigV4-shaped `Authorization` header that emulators accept.
//!
//! Workloads (docs/serve.md#benchmark):
//! - `sync-pass10`: StartSyncExecution of an EXPRESS chain of 10 Pass states;
//! - `pass10`: the same chain as a STANDARD machine, StartExecution then DescribeExecution
//!   until it has ended (for endpoints without StartSyncExecution);
//! - `map100`: StartExecution of a STANDARD Map over 100 items, then DescribeExecution until it
//!   has ended.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The workloads, by name.
pub const WORKLOADS: [&str; 3] = ["sync-pass10", "pass10", "map100"];

/// One keep-alive connection to `host:port`.
pub struct Conn {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    pub fn new(addr: &str) -> Conn {
        Conn {
            addr: addr.to_string(),
            stream: None,
        }
    }

    /// One call; the HTTP status and the JSON body. Reconnects once when the server closed
    /// the connection in between.
    pub fn call(&mut self, action: &str, body: &Value) -> Result<(u16, Value), String> {
        match self.try_call(action, body) {
            Ok(r) => Ok(r),
            Err(_) => {
                self.stream = None;
                self.try_call(action, body)
            }
        }
    }

    fn try_call(&mut self, action: &str, body: &Value) -> Result<(u16, Value), String> {
        if self.stream.is_none() {
            let s = TcpStream::connect(&self.addr)
                .map_err(|e| format!("cannot connect to {}: {e}", self.addr))?;
            let _ = s.set_nodelay(true);
            let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
            self.stream = Some(BufReader::new(s));
        }
        let reader = self.stream.as_mut().ok_or("no connection")?;
        let text = body.to_string();
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AWSStepFunctions.{action}\r\nContent-Type: application/x-amz-json-1.0\r\nAuthorization: AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\n\r\n{text}",
            self.addr,
            text.len()
        );
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("not an HTTP answer: {line:?}"))?;
        let mut length = None;
        let mut close = false;
        loop {
            line.clear();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "content-length" {
                    length = v.parse::<usize>().ok();
                } else if k == "connection" && v.eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut body = Vec::new();
        match length {
            Some(n) => {
                body.resize(n, 0);
                reader.read_exact(&mut body).map_err(|e| e.to_string())?;
            }
            None => {
                reader.read_to_end(&mut body).map_err(|e| e.to_string())?;
                close = true;
            }
        }
        if close {
            self.stream = None;
        }
        let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Ok((status, v))
    }
}

/// Creates the workload's machine (under a name unique to this run); its ARN and the
/// execution input.
pub fn prepare(conn: &mut Conn, workload: &str, tag: &str) -> Result<(String, String), String> {
    let (definition, kind, input) = match workload {
        "sync-pass10" | "pass10" => {
            let mut states = serde_json::Map::new();
            for i in 0..10 {
                let mut s = json!({"Type": "Pass", "Parameters": {"step": i, "in.$": "$"}});
                if i == 9 {
                    s["End"] = json!(true);
                } else {
                    s["Next"] = json!(format!("P{}", i + 1));
                }
                states.insert(format!("P{i}"), s);
            }
            (
                json!({"StartAt": "P0", "States": states}),
                if workload == "pass10" {
                    "STANDARD"
                } else {
                    "EXPRESS"
                },
                json!({"order": 1}),
            )
        }
        "map100" => (
            json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
                    "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": true}}},
                "End": true}}}),
            "STANDARD",
            json!({"items": (0..100).map(|n| json!({"n": n})).collect::<Vec<_>>()}),
        ),
        other => {
            return Err(format!(
                "unknown workload {other:?} ({})",
                WORKLOADS.join(", ")
            ))
        }
    };
    let (status, body) = conn.call(
        "CreateStateMachine",
        &json!({"name": format!("bench-{workload}-{tag}"), "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/bench", "type": kind}),
    )?;
    match body.get("stateMachineArn").and_then(Value::as_str) {
        Some(arn) if status == 200 => Ok((arn.to_string(), input.to_string())),
        _ => Err(format!("CreateStateMachine: HTTP {status}: {body}")),
    }
}

/// One execution of the workload, named `name`; `Err` when the endpoint refused or the
/// execution did not succeed.
pub fn execute(
    conn: &mut Conn,
    workload: &str,
    arn: &str,
    input: &str,
    name: &str,
) -> Result<(), String> {
    let request = json!({"stateMachineArn": arn, "input": input, "name": name});
    if workload == "sync-pass10" {
        let (status, body) = conn.call("StartSyncExecution", &request)?;
        return match body.get("status").and_then(Value::as_str) {
            Some("SUCCEEDED") if status == 200 => Ok(()),
            _ => Err(format!("StartSyncExecution: HTTP {status}: {body}")),
        };
    }
    let (status, body) = conn.call("StartExecution", &request)?;
    let Some(exec) = body.get("executionArn").and_then(Value::as_str) else {
        return Err(format!("StartExecution: HTTP {status}: {body}"));
    };
    let exec = exec.to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, body) = conn.call("DescribeExecution", &json!({"executionArn": exec}))?;
        match body.get("status").and_then(Value::as_str) {
            Some("SUCCEEDED") => return Ok(()),
            Some("RUNNING") if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5))
            }
            _ => return Err(format!("DescribeExecution: HTTP {status}: {body}")),
        }
    }
}

/// What a measurement gave.
#[derive(Debug, Clone)]
pub struct Measured {
    pub executions: u64,
    pub failures: u64,
    pub seconds: f64,
    /// The first failure's message.
    pub first_failure: Option<String>,
}

impl Measured {
    pub fn rate(&self) -> f64 {
        self.executions as f64 / self.seconds.max(1e-9)
    }
}

/// `clients` threads, each on its own connection, run `workload` on `arn` for `seconds`;
/// executions are named after `tag`.
pub fn measure(
    addr: &str,
    tag: &str,
    workload: &str,
    arn: &str,
    input: &str,
    clients: usize,
    seconds: f64,
) -> Measured {
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let results: Vec<(u64, u64, Option<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients.max(1))
            .map(|client| {
                scope.spawn(move || {
                    let mut conn = Conn::new(addr);
                    let (mut ok, mut failed, mut first) = (0u64, 0u64, None);
                    let mut i = 0u64;
                    while Instant::now() < until {
                        // Names unique per run: some endpoints name unnamed executions alike.
                        i += 1;
                        let name = format!("{tag}-{client}-{i}");
                        match execute(&mut conn, workload, arn, input, &name) {
                            Ok(()) => ok += 1,
                            Err(e) => {
                                failed += 1;
                                first.get_or_insert(e);
                                if failed >= 20 && ok == 0 {
                                    break;
                                }
                            }
                        }
                    }
                    (ok, failed, first)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0, 0, Some("a client panicked".into()))))
            .collect()
    });
    Measured {
        executions: results.iter().map(|r| r.0).sum(),
        failures: results.iter().map(|r| r.1).sum(),
        seconds: started.elapsed().as_secs_f64(),
        first_failure: results.into_iter().find_map(|r| r.2),
    }
}
