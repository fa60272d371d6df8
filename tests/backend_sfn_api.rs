//! The `sfn-api` backend end to end against real servers on 127.0.0.1:
//! - moto 5.2.5 (`.peers/moto`, installed by `scripts/setup-peers.sh`): create, execute,
//!   history, cleanup — and afterwards ListStateMachines shows nothing the run created;
//! - a proxy in front of moto that answers ThrottlingException or drops connections for chosen
//!   operations: the cases are indeterminate, not failures, and nothing leaks;
//! - leftovers of a crashed run are deleted by the next run; Ctrl-C deletes the run's machines;
//! - LocalStack 4.5.0 in host mode (StartSyncExecution, TestState, ValidateStateMachineDefinition)
//!   when `ASLCHECK_LOCALSTACK=1` (install: `ASLCHECK_LOCALSTACK=1 scripts/setup-peers.sh`).
//!
//! A missing moto fails these tests, unless `ASLCHECK_SKIP_PEERS=1`, which skips them with the
//! reason printed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aslcheck::backend::sfn_api::{SfnApi, SfnOptions};
use aslcheck::backend::{Backend, Mode, Observation, Request};
use serde_json::{json, Value};

// ------------------------------------------------------------------------------------------
// Peers

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The peer's executable, or `None` (after printing why) when skipping is allowed.
fn peer(relative: &str, what: &str) -> Option<PathBuf> {
    let bin = root().join(relative);
    if bin.exists() {
        return Some(bin);
    }
    let why = format!(
        "{what} is not installed at {} (run scripts/setup-peers.sh)",
        bin.display()
    );
    if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
        eprintln!("skipped: {why}; ASLCHECK_SKIP_PEERS=1");
        return None;
    }
    panic!("{why}; set ASLCHECK_SKIP_PEERS=1 to skip the tests that need it");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// A server process on 127.0.0.1, stopped by PID when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Option<Server> {
    let bin = peer(".peers/moto/bin/moto_server", "moto")?;
    for _ in 0..3 {
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let mut server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = server.child.try_wait() {
                break; // the port was taken after all: try another
            }
            // Without this, moto answers executions with canned results instead of running them
            // (moto's documented `execute_state_machine` switch).
            let config = json!({"stepfunctions": {"execute_state_machine": true}});
            if http(port, "POST", "/moto-api/config", &[], &config.to_string()).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = server.child.kill();
    }
    panic!("moto_server did not start on 127.0.0.1");
}

/// One HTTP/1.1 request with `Connection: close`; the response's status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_string()))
}

/// A Step Functions API call straight to the server (independent of the code under test).
fn sfn(port: u16, action: &str, body: Value) -> Value {
    let target = format!("AWSStepFunctions.{action}");
    let headers = [
        ("X-Amz-Target", target.as_str()),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Authorization", "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0"),
    ];
    let (status, text) =
        http(port, "POST", "/", &headers, &body.to_string()).expect("the server answers");
    assert!(status < 300, "{action}: HTTP {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn machine_names(port: u16) -> Vec<String> {
    sfn(port, "ListStateMachines", json!({}))["stateMachines"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn options(url: &str) -> SfnOptions {
    SfnOptions {
        endpoint: Some(url.to_string()),
        region: Some("us-east-1".into()),
        concurrency: 3,
        case_timeout: Duration::from_secs(60),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
        poll_interval: Duration::from_millis(50),
        ..SfnOptions::default()
    }
}

struct Case {
    mode: Mode,
    definition: Value,
    input: Value,
    environment: Value,
    history: bool,
}

fn case(definition: Value) -> Case {
    Case {
        mode: Mode::Execution,
        definition,
        input: json!({}),
        environment: json!({}),
        history: false,
    }
}

impl Case {
    fn request(&self) -> Request<'_> {
        Request {
            mode: self.mode,
            definition: &self.definition,
            input: &self.input,
            environment: &self.environment,
            history: self.history,
        }
    }
}

fn pass_chain() -> Value {
    json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "End": true}
    }})
}

fn event_types(history: &[Value]) -> Vec<&str> {
    history.iter().filter_map(|e| e["type"].as_str()).collect()
}

// ------------------------------------------------------------------------------------------
// moto

#[test]
fn executes_cases_on_moto_and_leaves_nothing_behind() {
    let Some(moto) = moto() else { return };
    let mut backend = SfnApi::new(&options(&moto.url())).expect("the backend starts");
    let run_id = backend.run_id().to_string();

    let mut with_history = case(pass_chain());
    with_history.input = json!({"x": "y"});
    with_history.history = true;
    let fail = case(
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "it broke"}}}),
    );
    let choice_wait = {
        let mut c = case(json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "W"}], "Default": "F"},
            "W": {"Type": "Wait", "Seconds": 1, "Next": "S"},
            "S": {"Type": "Succeed"},
            "F": {"Type": "Fail", "Error": "NoGo"}
        }}));
        c.input = json!({"go": true});
        c
    };
    let mut validate = case(pass_chain());
    validate.mode = Mode::Validate;
    let mut test_state = case(pass_chain());
    test_state.mode = Mode::TestState;
    let mut express = case(pass_chain());
    express.environment = json!({"workflow_type": "EXPRESS"});
    let fixture = case(json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:aslcheck-echo", "End": true
    }}}));
    let cases = [
        with_history,
        fail,
        choice_wait,
        validate,
        test_state,
        express,
        fixture,
    ];
    let requests: Vec<Request<'_>> = cases.iter().map(Case::request).collect();
    let results = backend.run_batch(&requests);

    match &results[0] {
        Observation::Execution {
            status,
            output,
            history: Some(h),
            ..
        } => {
            assert_eq!(status, "SUCCEEDED");
            assert_eq!(output.as_ref(), Some(&json!({"x": "y", "a": {"n": 1}})));
            assert_eq!(
                event_types(h),
                [
                    "ExecutionStarted",
                    "PassStateEntered",
                    "PassStateExited",
                    "PassStateEntered",
                    "PassStateExited",
                    "ExecutionSucceeded"
                ]
            );
            assert_eq!(h[0]["id"], 1);
            assert!(
                h[0]["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{}",
                h[0]
            );
            let input = h[0]["executionStartedEventDetails"]["input"]
                .as_str()
                .expect("input as a JSON string");
            assert_eq!(
                serde_json::from_str::<Value>(input).ok(),
                Some(json!({"x": "y"}))
            );
        }
        other => panic!("pass chain: {other:?}"),
    }
    match &results[1] {
        Observation::Execution {
            status,
            error,
            cause,
            history,
            ..
        } => {
            assert_eq!(status, "FAILED");
            assert_eq!(error.as_deref(), Some("Oops"));
            assert_eq!(cause.as_deref(), Some("it broke"));
            assert!(history.is_none(), "history was not asked for");
        }
        other => panic!("fail: {other:?}"),
    }
    assert!(
        matches!(&results[2], Observation::Execution { status, .. } if status == "SUCCEEDED"),
        "{:?}",
        results[2]
    );
    for (i, op) in [
        (3, "ValidateStateMachineDefinition"),
        (4, "TestState"),
        (5, "StartSyncExecution"),
    ] {
        assert!(
            matches!(&results[i], Observation::Skipped(r) if r.contains(op)),
            "moto lacks {op}: {:?}",
            results[i]
        );
    }
    assert!(
        matches!(&results[6], Observation::Skipped(r) if r.contains("--fixtures")),
        "{:?}",
        results[6]
    );

    // Unsupported operations are remembered: the next such case is skipped without a call.
    let again = backend.run(&cases[3].request());
    assert!(matches!(again, Observation::Skipped(_)), "{again:?}");

    // Each case deletes its machine when it is judged, and the end of the run finds nothing.
    let leftover: Vec<String> = machine_names(moto.port)
        .into_iter()
        .filter(|n| n.contains(&run_id))
        .collect();
    assert!(
        leftover.is_empty(),
        "machines left during the run: {leftover:?}"
    );
    drop(backend);
    assert!(
        machine_names(moto.port).is_empty(),
        "{:?}",
        machine_names(moto.port)
    );
}

/// A raw JSON-protocol call to another service of the server (`target` is the X-Amz-Target).
fn json_call(port: u16, target: &str, service: &str, body: Value) -> Value {
    let auth = format!("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
    let headers = [
        ("X-Amz-Target", target),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Authorization", auth.as_str()),
    ];
    let (status, text) =
        http(port, "POST", "/", &headers, &body.to_string()).expect("the server answers");
    assert!(status < 300, "{target}: HTTP {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[test]
fn a_cases_resources_are_created_for_it_and_removed() {
    let Some(moto) = moto() else { return };
    let mut backend = SfnApi::new(&options(&moto.url())).expect("the backend starts");
    let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
    let mut c = case(json!({"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": "Orders", "Key": {"id": {"S": "o-1"}}},
                "ResultSelector": {"Item.$": "$.Item"}, "ResultPath": "$.got", "Next": "Put"},
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "Orders", "Item": {"id": {"S": "o-2"}}},
                "ResultPath": null, "Next": "Send"},
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": "hi"},
                 "ResultSelector": {"md5.$": "$.MD5OfMessageBody"}, "ResultPath": "$.sent",
                 "End": true}
    }}));
    c.input = json!({"queue": queue});
    c.environment = json!({"resources": {
        "dynamodb": {"Orders": {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                "Items": [{"id": {"S": "o-1"}, "total": {"N": "12"}}]}},
        "s3": {"Data-Bucket": {"a/b.json": "[1, 2]"}}
    }});
    match backend.run(&c.request()) {
        Observation::Execution {
            status,
            output,
            error,
            cause,
            ..
        } => {
            assert_eq!(status, "SUCCEEDED", "{error:?} {cause:?}");
            let out = output.expect("an output");
            assert_eq!(
                out["got"]["Item"],
                json!({"id": {"S": "o-1"}, "total": {"N": "12"}})
            );
            // The run-scoped queue URL is mapped back to the one the case wrote.
            assert_eq!(out["queue"], queue);
            assert_eq!(out["sent"]["md5"], "49f68a5c8493ec2c0bf489821c21fc3b");
        }
        other => panic!("{other:?}"),
    }
    // The case's table, queue and bucket are gone once it is judged.
    let tables = json_call(
        moto.port,
        "DynamoDB_20120810.ListTables",
        "dynamodb",
        json!({}),
    );
    assert_eq!(tables["TableNames"], json!([]), "{tables}");
    let queues = json_call(moto.port, "AmazonSQS.ListQueues", "sqs", json!({}));
    assert!(
        queues.get("QueueUrls").is_none_or(|q| q == &json!([])),
        "{queues}"
    );
    let (_, buckets) = http(moto.port, "GET", "/", &[("Authorization", "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")], "").unwrap();
    assert!(!buckets.contains("aslcheck-"), "{buckets}");

    // Without resources, a Task on a service is not run (it would call a real one).
    let mut bare = case(c.definition.clone());
    bare.input = c.input.clone();
    assert!(
        matches!(backend.run(&bare.request()), Observation::Skipped(r) if r.contains("real service")),
    );
    drop(backend);
    assert!(machine_names(moto.port).is_empty());
}

#[test]
fn leftovers_of_a_crashed_run_are_deleted_and_others_kept() {
    let Some(moto) = moto() else { return };
    let def = pass_chain().to_string();
    let role = "arn:aws:iam::123456789012:role/x";
    for name in [
        "aslcheck-0badc0de-1",
        "aslcheck-0badc0de-2",
        "someone-elses-machine",
        "aslcheck-echo",
    ] {
        sfn(
            moto.port,
            "CreateStateMachine",
            json!({"name": name, "definition": def, "roleArn": role}),
        );
    }
    let mut o = options(&moto.url());
    o.leftover_age = Duration::ZERO;
    let backend = SfnApi::new(&o).expect("the backend starts");
    let mut names = machine_names(moto.port);
    names.sort();
    assert_eq!(names, ["aslcheck-echo", "someone-elses-machine"]);
    drop(backend);
}

// ------------------------------------------------------------------------------------------
// A misbehaving endpoint

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    Throttle,
    Drop,
}

/// A proxy to `upstream` that answers `ThrottlingException` to, or drops the connection of,
/// the operations in `faulty`; counts the requests it faulted.
struct Proxy {
    port: u16,
    faulted: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(upstream: u16, faulty: &'static [&'static str], fault: Fault) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let faulted = Arc::new(AtomicUsize::new(0));
        let counter = faulted.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, faulty, fault, &counter);
                });
            }
        });
        Proxy { port, faulted }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Serves requests on one connection until the client closes it.
fn serve(
    conn: TcpStream,
    upstream: u16,
    faulty: &[&str],
    fault: Fault,
    faulted: &AtomicUsize,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            head.push(line);
        }
        let header = |name: &str| {
            head.iter().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        };
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let target = header("x-amz-target").unwrap_or_default();
        let op = target.rsplit('.').next().unwrap_or("");
        if faulty.contains(&op) {
            faulted.fetch_add(1, Ordering::SeqCst);
            match fault {
                Fault::Drop => return Ok(()), // close without an answer
                Fault::Throttle => {
                    let b = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
                    write!(
                        out,
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\nContent-Length: {}\r\n\r\n{b}",
                        b.len()
                    )?;
                    continue;
                }
            }
        }
        // Forward to moto (one connection per request) and relay the answer.
        let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
        for l in &head {
            let lower = l.to_ascii_lowercase();
            if !lower.starts_with("connection:") && !lower.starts_with("keep-alive:") {
                up.write_all(l.as_bytes())?;
            }
        }
        up.write_all(b"Connection: close\r\n\r\n")?;
        up.write_all(&body)?;
        let mut raw = Vec::new();
        up.read_to_end(&mut raw)?;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len());
        let head_text = String::from_utf8_lossy(&raw[..split]).to_string();
        let payload = raw.get(split + 4..).unwrap_or(&[]);
        let mut lines = head_text.split("\r\n");
        let status = lines
            .next()
            .unwrap_or("HTTP/1.1 502 Bad Gateway")
            .replacen("HTTP/1.0", "HTTP/1.1", 1);
        let mut response = format!("{status}\r\n");
        for l in lines {
            let lower = l.to_ascii_lowercase();
            if !(lower.starts_with("connection:")
                || lower.starts_with("content-length:")
                || lower.starts_with("transfer-encoding:"))
            {
                response.push_str(l);
                response.push_str("\r\n");
            }
        }
        response.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
        out.write_all(response.as_bytes())?;
        out.write_all(payload)?;
    }
}

fn assert_indeterminate_and_clean(fault: Fault, faulty: &'static [&'static str], adaptive: bool) {
    let Some(moto) = moto() else { return };
    let proxy = Proxy::start(moto.port, faulty, fault);
    let mut o = options(&proxy.url());
    // The adaptive client-side rate limiter slows every later call after throttling (~40 s
    // here); one test keeps it, the others use standard retries.
    o.adaptive_retry = adaptive;
    let mut backend = SfnApi::new(&o).expect("the backend starts");
    let cases = [case(pass_chain()), case(pass_chain())];
    let requests: Vec<Request<'_>> = cases.iter().map(Case::request).collect();
    for o in backend.run_batch(&requests) {
        assert!(
            matches!(&o, Observation::Indeterminate(r) if faulty.iter().any(|op| r.contains(op))),
            "{faulty:?}: {o:?}"
        );
    }
    assert!(
        proxy.faulted.load(Ordering::SeqCst) >= 2,
        "the faulty operation was called"
    );
    drop(backend);
    assert!(
        machine_names(moto.port).is_empty(),
        "leaked: {:?}",
        machine_names(moto.port)
    );
}

#[test]
fn throttled_start_is_indeterminate_and_leaks_nothing() {
    assert_indeterminate_and_clean(Fault::Throttle, &["StartExecution"], true);
}

#[test]
fn dropped_connections_are_indeterminate_and_leak_nothing() {
    assert_indeterminate_and_clean(Fault::Drop, &["DescribeExecution"], false);
}

#[test]
fn throttled_creation_is_indeterminate() {
    assert_indeterminate_and_clean(Fault::Throttle, &["CreateStateMachine"], false);
}

// ------------------------------------------------------------------------------------------
// Ctrl-C

const CHILD_ENDPOINT: &str = "ASLCHECK_TEST_INTERRUPT_ENDPOINT";

/// Not a test on its own: the process `ctrl_c_deletes_the_runs_machines` starts and interrupts.
#[test]
fn interrupt_child() {
    let Ok(url) = std::env::var(CHILD_ENDPOINT) else {
        return;
    };
    let mut o = options(&url);
    o.cleanup_on_interrupt = true;
    o.case_timeout = Duration::from_secs(600);
    let mut backend = SfnApi::new(&o).expect("the backend starts");
    let long = case(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
    );
    let o = backend.run(&long.request());
    panic!("the case ended without an interrupt: {o:?}");
}

#[test]
#[cfg(unix)]
fn ctrl_c_deletes_the_runs_machines() {
    let Some(moto) = moto() else { return };
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Command::new(exe)
        .args([
            "interrupt_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENDPOINT, moto.url())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while machine_names(moto.port).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the child never created its machine"
        );
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "the child exited early"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Let the execution start, then interrupt.
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child did not exit after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert_eq!(exit.code(), Some(130), "{stderr}");
    assert!(
        machine_names(moto.port).is_empty(),
        "leaked: {:?}\n{stderr}",
        machine_names(moto.port)
    );
}

// ------------------------------------------------------------------------------------------
// LocalStack (optional)

fn localstack() -> Option<Server> {
    if std::env::var("ASLCHECK_LOCALSTACK").as_deref() != Ok("1") {
        eprintln!("skipped: set ASLCHECK_LOCALSTACK=1 (and install it: ASLCHECK_LOCALSTACK=1 scripts/setup-peers.sh)");
        return None;
    }
    let python = peer(".peers/localstack/bin/python", "LocalStack")?;
    let port = free_port();
    let child = Command::new(python)
        .args(["-m", "localstack.runtime.main"])
        .env("SERVICES", "stepfunctions")
        .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
        .env("GATEWAY_SERVER", "hypercorn")
        .env("SKIP_SSL_CERT_DOWNLOAD", "1")
        .env(
            "LOCALSTACK_VOLUME_DIR",
            std::env::temp_dir().join(format!("aslcheck-localstack-{port}")),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("LocalStack starts");
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if matches!(
            http(port, "GET", "/_localstack/health", &[], ""),
            Ok((200, _))
        ) {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("LocalStack did not start on 127.0.0.1:{port}");
}

#[test]
fn localstack_sync_executions_test_state_and_validation() {
    let Some(ls) = localstack() else { return };
    let mut backend = SfnApi::new(&options(&ls.url())).expect("the backend starts");

    let mut express = case(pass_chain());
    express.environment = json!({"workflow_type": "EXPRESS"});
    let o = backend.run(&express.request());
    assert!(
        matches!(&o, Observation::Execution { status, output: Some(out), .. } if status == "SUCCEEDED" && out["a"]["n"] == 1),
        "{o:?}"
    );

    let mut valid = case(pass_chain());
    valid.mode = Mode::Validate;
    assert_eq!(
        backend.run(&valid.request()),
        Observation::Validation {
            valid: true,
            diagnostics: vec![]
        }
    );
    // (LocalStack 4.5 accepts a Next that names no state; an unknown state type it refuses.)
    let mut invalid =
        case(json!({"StartAt": "A", "States": {"A": {"Type": "Bogus", "End": true}}}));
    invalid.mode = Mode::Validate;
    let o = backend.run(&invalid.request());
    assert!(
        matches!(&o, Observation::Validation { valid: false, diagnostics } if !diagnostics.is_empty()),
        "{o:?}"
    );

    // (LocalStack 4.5's TestState fails with InternalError on a state that has `Next`.)
    let mut ts = case(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.a", "End": true}}}),
    );
    ts.mode = Mode::TestState;
    ts.input = json!({"k": true});
    let o = backend.run(&ts.request());
    match &o {
        Observation::Execution {
            status,
            output,
            history: Some(h),
            ..
        } => {
            assert_eq!(status, "SUCCEEDED");
            assert_eq!(output.as_ref(), Some(&json!({"k": true, "a": {"n": 1}})));
            assert_eq!(h[0]["type"], "TestState");
            assert_eq!(h[0]["inspectionData"]["result"], r#"{"n": 1}"#, "{}", h[0]);
        }
        other => panic!("{other:?}"),
    }
    let mut mocked = case(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}),
    );
    mocked.mode = Mode::TestState;
    mocked.environment =
        json!({"test_state": {"mock": {"errorOutput": {"error": "Boom", "cause": "mocked"}}}});
    let o = backend.run(&mocked.request());
    eprintln!("TestState with a mock on LocalStack 4.5: {o:?}");
    drop(backend);
    assert!(machine_names(ls.port).is_empty());
}

// ------------------------------------------------------------------------------------------
// Generated cases fitted to what moto runs

/// moto cannot run the fixture Lambdas (it needs Docker for Lambda): `diff --generate` leaves
/// out what would call them, so almost no generated case is inconclusive (the issue's bar: under
/// 5%; before the fit, two thirds of `swarm` cases were skipped).
#[test]
fn generated_swarm_cases_against_moto_are_almost_never_inconclusive() {
    let Some(moto) = moto() else { return };
    let out = std::env::temp_dir().join(format!("aslcheck-moto-swarm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .args([
            "diff",
            "--backend",
            "reference",
            "--backend",
            "sfn-api",
            "--endpoint",
            &moto.url(),
            "--region",
            "us-east-1",
            "--generate",
            "40",
            "--profile",
            "swarm",
            "--out",
            out.to_str().unwrap(),
            "--max-indeterminate",
            "100%",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("NO_COLOR", "1")
        .output()
        .expect("aslcheck runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("note: generated cases leave out Task states (they would call fixture Lambdas): sfn-api cannot run them"),
        "{stderr}"
    );
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("40 cases on reference and sfn-api:"))
        .unwrap_or_else(|| panic!("{stdout}\n{stderr}"));
    let inconclusive: usize = summary
        .split(", ")
        .find_map(|part| {
            part.strip_suffix(" inconclusive")
                .or_else(|| part.split_once(" inconclusive (").map(|(n, _)| n))
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(
        inconclusive * 20 < 40,
        "{inconclusive} of 40 inconclusive: {summary}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
