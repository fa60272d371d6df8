//! `aslcheck serve` through real clients, on 127.0.0.1:
//! - aws-sdk-sfn (Rust): create, start, describe, history with paging, StartSyncExecution, a
//!   MockConfigFile test case (`SFN_MOCK_CONFIG`, `#TestCase`), the typed errors; a callback
//!   task answered with SendTaskHeartbeat and SendTaskSuccess, the token read from the history;
//! - boto3 (the one moto's environment brings, `.peers/moto`): the same calls from Python;
//! - the corpus self-check: the `sfn-api` backend pointed at `serve` agrees with the expected
//!   result of every corpus case it can run;
//! - bad HTTP: oversized bodies, GET, garbage bytes, a client that hangs up mid-request.
//!
//! A missing moto environment fails the boto3 test unless `ASLCHECK_SKIP_PEERS=1`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::types::StateMachineType;
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `aslcheck serve --port 0` (plus `env`), stopped when dropped.
struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    fn start(env: &[(&str, &str)]) -> Serve {
        Serve::start_with(&[], env)
    }

    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aslcheck"));
        cmd.args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("aslcheck serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the listening line");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
        Serve { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(url: &str) -> aws_sdk_sfn::Client {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .http_client(http)
        // StartSyncExecution goes to `sync-<host>`, which 127.0.0.1 is not.
        .interceptor(aslcheck::backend::sfn_api::NoHostPrefix)
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

const ROLE: &str = "arn:aws:iam::123456789012:role/test";

#[test]
fn the_rust_sdk_runs_machines_through_serve() {
    let mock =
        std::env::temp_dir().join(format!("aslcheck-serve-mock-{}.json", std::process::id()));
    std::fs::write(
        &mock,
        json!({"StateMachines": {"Order": {"TestCases": {"Declined": {"Charge": "Declined"}}}},
               "MockedResponses": {"Declined": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "insufficient funds"}}}}})
        .to_string(),
    )
    .unwrap();
    let server = Serve::start(&[("SFN_MOCK_CONFIG", mock.to_str().unwrap())]);
    let sfn = client(&server.url());
    runtime().block_on(async {
        // A day of waiting ends at once; the history shows the day.
        let waiting = json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"got.$": "$.n"}, "End": true}}});
        let arn = create(&sfn, "Waiting", &waiting).await;
        assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:Waiting");
        let exec = sfn
            .start_execution()
            .state_machine_arn(&arn)
            .name("day")
            .input(r#"{"n": 7}"#)
            .send()
            .await
            .expect("StartExecution");
        let d = sfn
            .describe_execution()
            .execution_arn(exec.execution_arn())
            .send()
            .await
            .expect("DescribeExecution");
        assert_eq!(d.status().as_str(), "SUCCEEDED");
        assert_eq!(d.output(), Some(r#"{"got":7}"#));
        let took = d.stop_date().unwrap().secs() - d.start_date().secs();
        assert_eq!(took, 86400);
        // History in pages of two, every event once, ids in order.
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let page = sfn
                .get_execution_history()
                .execution_arn(exec.execution_arn())
                .max_results(2)
                .set_next_token(token)
                .send()
                .await
                .expect("GetExecutionHistory");
            ids.extend(page.events().iter().map(|e| e.id()));
            token = page.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
        assert!(ids.len() >= 6, "{ids:?}");
        // The same name again is refused with the typed error.
        let again = sfn
            .start_execution()
            .state_machine_arn(&arn)
            .name("day")
            .send()
            .await
            .expect_err("a closed execution's name is taken");
        assert!(again.into_service_error().is_execution_already_exists());
        let listed = sfn
            .list_executions()
            .state_machine_arn(&arn)
            .status_filter(aws_sdk_sfn::types::ExecutionStatus::Succeeded)
            .send()
            .await
            .expect("ListExecutions");
        assert_eq!(listed.executions().len(), 1);

        // EXPRESS, synchronously.
        let express = sfn
            .create_state_machine()
            .name("Quick")
            .r#type(StateMachineType::Express)
            .definition(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "hi", "End": true}}}).to_string())
            .role_arn(ROLE)
            .send()
            .await
            .expect("CreateStateMachine EXPRESS");
        let sync = sfn
            .start_sync_execution()
            .state_machine_arn(express.state_machine_arn())
            .send()
            .await
            .expect("StartSyncExecution");
        assert_eq!(sync.status().as_str(), "SUCCEEDED");
        assert_eq!(sync.output(), Some("\"hi\""));

        // A Step Functions Local test case: the mocked Task throws.
        let order = json!({"StartAt": "Charge", "States": {"Charge": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "End": true}}});
        let order_arn = create(&sfn, "Order", &order).await;
        let declined = sfn
            .start_execution()
            .state_machine_arn(format!("{order_arn}#Declined"))
            .send()
            .await
            .expect("StartExecution #Declined");
        let d = sfn
            .describe_execution()
            .execution_arn(declined.execution_arn())
            .send()
            .await
            .expect("DescribeExecution");
        assert_eq!(d.status().as_str(), "FAILED");
        assert_eq!(d.error(), Some("Card.Declined"));
        assert_eq!(d.cause(), Some("insufficient funds"));

        // Typed errors.
        let missing = sfn
            .describe_state_machine()
            .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:Nope")
            .send()
            .await
            .expect_err("no such machine");
        assert!(missing.into_service_error().is_state_machine_does_not_exist());
        let invalid = sfn
            .create_state_machine()
            .name("Broken")
            .definition(r#"{"StartAt": "X", "States": {"Y": {"Type": "Succeed"}}}"#)
            .role_arn(ROLE)
            .send()
            .await
            .expect_err("an invalid definition");
        let invalid = invalid.into_service_error();
        assert!(invalid.is_invalid_definition(), "{invalid:?}");
        assert!(
            format!("{invalid}").contains("MISSING_TRANSITION_TARGET"),
            "{invalid}"
        );
        let bad_arn = sfn
            .describe_execution()
            .execution_arn("not-an-arn")
            .send()
            .await
            .expect_err("a bad ARN");
        assert!(bad_arn.into_service_error().is_invalid_arn());
    });
    let _ = std::fs::remove_file(mock);
}

/// CreateStateMachine (STANDARD) of `definition`; its ARN.
async fn create(sfn: &aws_sdk_sfn::Client, name: &str, definition: &Value) -> String {
    sfn.create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine {name}: {e:?}"))
        .state_machine_arn()
        .to_string()
}

/// The token of the task that waits in `execution_arn`, from the TaskScheduled event the
/// history shows while the task waits (at `pointer` in the event's parameters).
async fn waiting_token(sfn: &aws_sdk_sfn::Client, execution_arn: &str, pointer: &str) -> String {
    for _ in 0..200 {
        let h = sfn
            .get_execution_history()
            .execution_arn(execution_arn)
            .send()
            .await
            .expect("GetExecutionHistory");
        let scheduled = h.events().iter().find_map(|e| {
            let d = e.task_scheduled_event_details()?;
            let p: Value = serde_json::from_str(d.parameters()).ok()?;
            p.pointer(pointer)?.as_str().map(String::from)
        });
        if let Some(token) = scheduled {
            return token;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no waiting task in {execution_arn}");
}

#[test]
fn the_rust_sdk_answers_a_waiting_task() {
    let server = Serve::start(&[]);
    let sfn = client(&server.url());
    runtime().block_on(async {
        let def = json!({"StartAt": "Wait", "States": {
            "Wait": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                     "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                                    "MessageBody": {"token.$": "$$.Task.Token"}},
                     "HeartbeatSeconds": 600, "TimeoutSeconds": 3600,
                     "ResultPath": "$.answer", "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"answer.$": "$.answer", "n.$": "$.n"}, "End": true}}});
        let arn = create(&sfn, "Callback", &def).await;
        let exec = sfn
            .start_execution()
            .state_machine_arn(&arn)
            .input(r#"{"n": 1}"#)
            .send()
            .await
            .expect("StartExecution")
            .execution_arn()
            .to_string();
        let d = sfn.describe_execution().execution_arn(&exec).send().await.unwrap();
        assert_eq!(d.status().as_str(), "RUNNING");
        let token = waiting_token(&sfn, &exec, "/MessageBody/token").await;
        sfn.send_task_heartbeat()
            .task_token(&token)
            .send()
            .await
            .expect("SendTaskHeartbeat");
        sfn.send_task_success()
            .task_token(&token)
            .output(r#"{"ok": true}"#)
            .send()
            .await
            .expect("SendTaskSuccess");
        let mut status = String::new();
        for _ in 0..500 {
            let d = sfn.describe_execution().execution_arn(&exec).send().await.unwrap();
            status = d.status().as_str().to_string();
            if status != "RUNNING" {
                let out: Value = serde_json::from_str(d.output().unwrap()).unwrap();
                assert_eq!(out, json!({"answer": {"ok": true}, "n": 1}));
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(status, "SUCCEEDED");
        let late = sfn
            .send_task_failure()
            .task_token(&token)
            .send()
            .await
            .expect_err("the task is closed");
        assert!(late.into_service_error().is_task_timed_out());
    });
}

#[test]
fn boto3_runs_machines_through_serve() {
    let python = root().join(".peers/moto/bin/python");
    if !python.exists() {
        let why = format!(
            "boto3 comes with moto's environment, which is not installed at {} (run scripts/setup-peers.sh)",
            python.display()
        );
        if std::env::var("ASLCHECK_SKIP_PEERS").as_deref() == Ok("1") {
            eprintln!("skipped: {why}; ASLCHECK_SKIP_PEERS=1");
            return;
        }
        panic!("{why}; set ASLCHECK_SKIP_PEERS=1 to skip the tests that need it");
    }
    let server = Serve::start(&[]);
    let out = Command::new(python)
        .arg(root().join("tests/data/serve/boto3_client.py"))
        .arg(server.url())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "boto3 client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("boto3 client: all checks passed"),
        "{stdout}"
    );
}

#[test]
fn the_sfn_api_backend_on_serve_agrees_with_the_corpus() {
    let server = Serve::start(&[]);
    let report = std::env::temp_dir().join(format!("aslcheck-serve-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&report);
    let out = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .current_dir(root())
        .args(["conformance", "--backend", "sfn-api", "--endpoint"])
        .arg(server.url())
        .args([
            "--concurrency",
            "4",
            "--max-indeterminate",
            "100%",
            "--report",
        ])
        .arg(&report)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .expect("conformance runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = std::fs::read_to_string(report.join("results.jsonl")).expect("results.jsonl");
    let mut passed = 0;
    for line in results.lines() {
        let r: Value = serde_json::from_str(line).expect("a result line");
        let verdict = r["verdict"].as_str().unwrap_or("");
        match verdict {
            "pass" => passed += 1,
            // serve speaks only the Step Functions API: cases whose S3 buckets or DynamoDB
            // tables the backend provisions first cannot be set up there.
            "indeterminate" => {
                let why = r["observation"]["indeterminate"].as_str().unwrap_or("");
                assert!(
                    why.contains("resources could not be created")
                        && (why.contains("CreateBucket") || why.contains("CreateTable")),
                    "{}: {why}",
                    r["case"]
                );
            }
            // What the Step Functions API cannot carry (fixture Lambdas that are not deployed,
            // per-case mocks, callbacks).
            "skip" | "skipped" => {}
            other => panic!("{}: {other}: {}", r["case"], r["detail"]),
        }
    }
    assert!(passed > 0, "no case passed:\n{stdout}");
    let _ = std::fs::remove_dir_all(&report);
}

/// One raw HTTP exchange; the status code (0 when the server closed without answering).
fn raw(port: u16, request: &[u8]) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = s.write_all(request);
    let mut text = Vec::new();
    let _ = s.read_to_end(&mut text);
    String::from_utf8_lossy(&text)
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn bad_http_gets_answers_and_the_server_stays_up() {
    let server = Serve::start(&[]);
    let p = server.port;
    let huge = 5 * 1024 * 1024;
    let mut big = format!("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: {huge}\r\nConnection: close\r\n\r\n").into_bytes();
    big.extend(std::iter::repeat_n(b' ', huge));
    assert_eq!(raw(p, &big), 413);
    assert_eq!(
        raw(p, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        405
    );
    assert_eq!(
        raw(p, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 3\r\nConnection: close\r\n\r\n\xff\xfe\x00"),
        400
    );
    // A client that promises a body and hangs up.
    {
        let mut s = TcpStream::connect(("127.0.0.1", p)).unwrap();
        let _ = s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.StartExecution\r\nContent-Length: 100\r\n\r\n{\"state");
    }
    assert_eq!(raw(p, b"\x16\x03\x01garbage\r\n\r\n"), 400);
    // Still answering.
    assert_eq!(
        raw(p, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"),
        200
    );
}

#[test]
fn require_auth_refuses_unsigned_requests_and_lets_the_sdk_in() {
    let server = Serve::start_with(&["--require-auth"], &[]);
    let list = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    assert_eq!(raw(server.port, list), 403);
    let basic = b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp4\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    assert_eq!(raw(server.port, basic), 400);
    // The SDK signs with Signature Version 4.
    let sfn = client(&server.url());
    let listed = runtime()
        .block_on(sfn.list_state_machines().send())
        .expect("a signed request is answered");
    assert!(listed.state_machines().is_empty());
    // Without the flag nothing is asked for.
    let open = Serve::start(&[]);
    assert_eq!(raw(open.port, list), 200);
}

/// SIGTERM, then the exit status.
fn terminate(mut server: Serve) -> std::process::ExitStatus {
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
    server.child.wait().expect("serve exits")
}

#[test]
fn a_state_dir_keeps_machines_activities_and_ended_executions_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("aslcheck-serve-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let args = ["--state-dir", dir.to_str().unwrap()];
    let definition = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"}, "End": true}}});
    let server = Serve::start_with(&args, &[]);
    let (machine, execution, activity) = runtime().block_on(async {
        let sfn = client(&server.url());
        let machine = create(&sfn, "Kept", &definition).await;
        let exec = sfn
            .start_execution()
            .state_machine_arn(&machine)
            .name("first")
            .input(r#"{"n": 21}"#)
            .send()
            .await
            .expect("StartExecution");
        let activity = sfn
            .create_activity()
            .name("Worker")
            .tags(
                aws_sdk_sfn::types::Tag::builder()
                    .key("team")
                    .value("a")
                    .build(),
            )
            .send()
            .await
            .expect("CreateActivity");
        (
            machine,
            exec.execution_arn().to_string(),
            activity.activity_arn().to_string(),
        )
    });
    assert!(
        terminate(server).success(),
        "serve stops cleanly on SIGTERM"
    );
    let files = |folder: &str| std::fs::read_dir(dir.join(folder)).map_or(0, |d| d.count());
    assert_eq!(
        (files("machines"), files("executions"), files("activities")),
        (1, 1, 1)
    );

    let server = Serve::start_with(&args, &[]);
    runtime().block_on(async {
        let sfn = client(&server.url());
        let d = sfn
            .describe_state_machine()
            .state_machine_arn(&machine)
            .send()
            .await
            .expect("the machine is back");
        assert_eq!(
            serde_json::from_str::<Value>(d.definition()).unwrap(),
            definition
        );
        let e = sfn
            .describe_execution()
            .execution_arn(&execution)
            .send()
            .await
            .expect("the execution is back");
        assert_eq!(
            (e.status().as_str(), e.output()),
            ("SUCCEEDED", Some(r#"{"twice":42}"#))
        );
        let h = sfn
            .get_execution_history()
            .execution_arn(&execution)
            .send()
            .await
            .expect("its history is back");
        let kinds: Vec<&str> = h.events().iter().map(|e| e.r#type().as_str()).collect();
        assert_eq!(kinds.first(), Some(&"ExecutionStarted"));
        assert_eq!(kinds.last(), Some(&"ExecutionSucceeded"));
        let tags = sfn
            .list_tags_for_resource()
            .resource_arn(&activity)
            .send()
            .await
            .expect("the activity is back");
        assert_eq!(tags.tags().len(), 1);
        // A machine deleted now is gone after the next restart too.
        sfn.delete_state_machine()
            .state_machine_arn(&machine)
            .send()
            .await
            .expect("DeleteStateMachine");
    });
    assert!(terminate(server).success());
    assert_eq!(files("machines"), 0);

    // A damaged file stops the server with its name and member, and the folder is left alone.
    let broken = dir.join("activities").join("broken.json");
    std::fs::write(&broken, r#"{"format": 1, "activityArn": 7}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
        .args(["serve", "--port", "0", "--state-dir", dir.to_str().unwrap()])
        .output()
        .expect("serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("broken.json: /activityArn: expected a string"),
        "{stderr}"
    );
    assert!(broken.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
