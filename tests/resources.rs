//! The simulated AWS resources (docs/resources.md): `aslcheck run --resources DIR
//! --resources-out DIR2` reads a folder without changing it and writes the world back in the
//! same layout; a malformed folder or `environment.resources` member is an error that names the
//! file and the place in it, never an empty world.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

use aslcheck::tasks::Registry;
use aslcheck::world::World;
use serde_json::{json, Value};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aslcheck-resources-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Every file under `root` with its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Runs `aslcheck ARGS`, failing instead of hanging if it never ends.
fn aslcheck(args: Vec<String>) -> Output {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_aslcheck"))
            .args(&args)
            .output()
            .unwrap();
        let _ = tx.send(out);
    });
    rx.recv_timeout(Duration::from_secs(600))
        .expect("aslcheck ended within ten minutes")
}

fn args(list: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<String> {
    list.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect()
}

/// A world with one of everything.
fn sample(root: &Path) {
    write(root, "s3/bucket-a/data/items.json", br#"[{"id": 1}]"#);
    write(root, "s3/bucket-a/blob.bin", &[0, 159, 146, 150]);
    write(
        root,
        "dynamodb/Orders.json",
        br#"{"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
             "Items": [{"id": {"S": "o-1"}, "total": {"N": "12.5"}}]}"#,
    );
    write(
        root,
        "states/Child.asl.json",
        br#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
    );
    write(root, "states/Child.type", b"EXPRESS\n");
    write(
        root,
        "ecs/worker.json",
        br#"{"containers": [{"name": "app", "exitCode": 3}]}"#,
    );
}

#[test]
fn a_run_reads_the_folder_unchanged_and_writes_the_world_it_left() {
    let d = scratch("round-trip");
    let world = d.join("world");
    sample(&world);
    let before = tree(&world);
    let def = d.join("send.asl.json");
    std::fs::write(
        &def,
        json!({"StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                           "MessageBody": {"job": 7}},
            "End": true}}})
        .to_string(),
    )
    .unwrap();
    let out = d.join("after");
    let o = aslcheck(args(&[
        &"run",
        &def,
        &"--resources",
        &world,
        &"--resources-out",
        &out,
    ]));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let result: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(result["status"], "SUCCEEDED");

    assert_eq!(tree(&world), before, "--resources must not be modified");
    let loaded_in = World::load_dir(&world).unwrap();
    let loaded_out = World::load_dir(&out).unwrap();
    let mut expected = loaded_in.clone();
    expected.sqs = loaded_out.sqs.clone();
    assert_eq!(
        loaded_out, expected,
        "the world comes back as it went in, plus the message"
    );
    let jobs = &loaded_out.sqs["jobs"];
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["Body"], r#"{"job":7}"#);
    assert_eq!(loaded_in.ecs["worker"].containers[0].exit_code, 3);
    assert!(loaded_in.states["Child"].express);
    assert_eq!(
        loaded_in.s3["bucket-a"].objects["blob.bin"].body,
        [0, 159, 146, 150]
    );
    // Nothing is left beside the output folder.
    let siblings: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(siblings.is_empty(), "staging left behind: {siblings:?}");
}

#[test]
fn the_json_form_round_trips() {
    let d = scratch("json-form");
    sample(&d);
    let w = World::load_dir(&d).unwrap();
    let back = World::from_json(&w.to_json(), Path::new("x")).unwrap();
    assert_eq!(back, w);
    assert_eq!(
        w.to_json()["s3"]["bucket-a"]["blob.bin"],
        json!({"base64": "AJ+Slg=="})
    );
}

#[test]
fn a_malformed_folder_names_the_file_and_the_place() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("tables/x.json", b"{}", "not part of the resources layout"),
        ("s3/loose.txt", b"x", "expected a folder per bucket"),
        (
            "dynamodb/T.json",
            br#"{"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "Items": [{"id": {"Q": "1"}}]}"#,
            "at /Items/0/id: unknown type descriptor 'Q'",
        ),
        (
            "dynamodb/T.json",
            br#"{"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "Items": [{"id": "1"}]}"#,
            "at /Items/0/id: expected an attribute value in DynamoDB JSON",
        ),
        ("dynamodb/T.json", b"{\"KeySchema\": [", "line 1 column"),
        ("dynamodb/T.txt", b"{}", "expected <table>.json files"),
        ("states/Lone.type", b"EXPRESS", "no Lone.asl.json beside it"),
        ("states/C.asl.json", b"[", "C.asl.json"),
        ("ecs/f.json", br#"{"containers": [{"name": "a", "exitCode": "x"}]}"#, "at /containers/0"),
        ("sqs/q.jsonl", b"{}\n{oops\n", "line 2"),
        ("s3/b/rows.csv", b"a,b\n1,2\n1,2,3\n", "line 3: this row has 3 fields but the first row has 2"),
    ];
    for (i, (rel, bytes, expect)) in cases.iter().enumerate() {
        let d = scratch(&format!("bad-{i}"));
        write(&d, rel, bytes);
        let e = World::load_dir(&d).expect_err(rel).to_string();
        assert!(e.contains(expect), "{rel}: {e}");
        let file = Path::new(rel)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let first = rel.split('/').next().unwrap();
        assert!(e.contains(&file) || e.contains(first), "{rel}: {e}");
    }
}

#[test]
fn the_cli_refuses_a_bad_world_before_running() {
    let d = scratch("cli-bad");
    write(&d, "world/dynamodb/T.json", br#"{"KeySchema": []}"#);
    write(&d, "full/stale.txt", b"old");
    let def = d.join("p.json");
    std::fs::write(
        &def,
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
    )
    .unwrap();
    let o = aslcheck(args(&[&"run", &def, &"--resources", &d.join("world")]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: --resources: "), "{err}");
    assert!(err.contains("T.json: at /KeySchema"), "{err}");
    assert!(o.stdout.is_empty(), "nothing runs on a bad world");

    let o = aslcheck(args(&[&"run", &def, &"--resources-out", &d.join("full")]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is not empty"), "{err}");
    assert!(o.stdout.is_empty(), "the run is refused before it starts");
    assert_eq!(std::fs::read(d.join("full/stale.txt")).unwrap(), b"old");
}

#[test]
fn a_case_environment_carries_the_world() {
    let env = json!({"resources": {"s3": {"b": {"k": "v"}},
                                   "sqs": {"q": [{"Body": "earlier"}]}}});
    let r = Registry::from_environment(&env, &[]).unwrap();
    let w = r.world.snapshot();
    assert_eq!(w.s3["b"].objects["k"].body, b"v");
    assert_eq!(w.sqs["q"][0]["Body"], "earlier");

    for (bad, expect) in [
        (json!({"resources": {"s4": {}}}), "unknown member 's4'"),
        (json!({"resources": {"s3": {"b": {"k": 1}}}}), "at /s3/b/k"),
        (
            json!({"resources": {"dynamodb": {"T": {"KeySchema": [{"AttributeName": "id", "KeyType": "RANGE"}]}}}}),
            "at /dynamodb/T/KeySchema",
        ),
        (
            json!({"resources": {"states": {"C": {"type": "EXPRESS"}}}}),
            "at /states/C",
        ),
    ] {
        let e = Registry::from_environment(&bad, &[]).expect_err(&bad.to_string());
        assert!(e.contains(expect), "{bad}: {e}");
        assert!(e.starts_with("environment.resources"), "{e}");
    }
}

#[test]
fn a_result_writer_leaves_its_files_in_the_world() {
    let d = scratch("result-writer");
    write(&d, "world/s3/data/in.json", br#"[1, 2, 3]"#);
    let def = d.join("dmap.asl.json");
    std::fs::write(
        &def,
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "Fan",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                           "Parameters": {"Bucket": "data", "Key": "in.json"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "data", "Prefix": "out"}},
            "End": true}}})
        .to_string(),
    )
    .unwrap();
    let out = d.join("after");
    let o = aslcheck(args(&[
        &"run",
        &def,
        &"--resources",
        &d.join("world"),
        &"--resources-out",
        &out,
    ]));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let result: Value = serde_json::from_slice(&o.stdout).unwrap();
    let key = result["output"]["ResultWriterDetails"]["Key"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        key.starts_with("out/") && key.ends_with("/manifest.json"),
        "{key}"
    );
    assert!(result["output"]["MapRunArn"]
        .as_str()
        .unwrap()
        .contains("/Fan:"));
    let world = World::load_dir(&out).unwrap();
    let bucket = &world.s3["data"];
    let manifest: Value = serde_json::from_slice(&bucket.objects[&key].body).unwrap();
    let succeeded = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
        .as_str()
        .unwrap();
    let records: Value = serde_json::from_slice(&bucket.objects[succeeded].body).unwrap();
    let outputs: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Output"].as_str().unwrap())
        .collect();
    assert_eq!(outputs, ["1", "2", "3"]);
    assert_eq!(manifest["ResultFiles"]["FAILED"], json!([]));
}
