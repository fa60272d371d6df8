//! Resources a run leaves: every state machine is `aslcheck-<run id>-<n>` (and tagged), deleted
//! when its case is judged, when the run ends, on Ctrl-C/SIGTERM, or — after a crash — by the
//! next run once it is older than [`super::SfnOptions::leftover_age`].

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_sfn::types::ExecutionStatus;
use aws_sdk_sfn::Client;

use super::client::{new_http_client, Held, Shared};
use super::service::{classify, Trouble};
use super::NAME_PREFIX;

/// A fresh run id: 8 hex digits (from the process's randomly keyed hasher, the time and pid).
pub(super) fn new_run_id() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

/// True for names this backend creates: `aslcheck-<8 hex>-<n>`.
fn is_run_resource(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(NAME_PREFIX) else {
        return false;
    };
    let Some((run, n)) = rest.split_once('-') else {
        return false;
    };
    run.len() == 8
        && run
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

// Cleanup

pub(super) async fn stop_execution(client: &Client, arn: &str) -> Result<(), Trouble> {
    client
        .stop_execution()
        .execution_arn(arn)
        .error("aslcheck.Cleanup")
        .cause("stopped by aslcheck")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| classify("StopExecution", false, &e))
}

pub(super) async fn delete_machine(client: &Client, arn: &str) -> Result<(), Trouble> {
    match client
        .delete_state_machine()
        .state_machine_arn(arn)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => match classify("DeleteStateMachine", false, &e) {
            // Already gone.
            Trouble::Api { code, .. } if code.contains("DoesNotExist") => Ok(()),
            t => Err(t),
        },
    }
}

/// All state machines: (name, ARN, creation time in epoch seconds).
pub(super) async fn list_machines(client: &Client) -> Result<Vec<(String, String, i64)>, Trouble> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_state_machines()
            .max_results(1000)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify("ListStateMachines", false, &e))?;
        for m in page.state_machines() {
            out.push((
                m.name().to_string(),
                m.state_machine_arn().to_string(),
                m.creation_date().secs(),
            ));
        }
        token = page.next_token().map(String::from);
        if token.is_none() {
            return Ok(out);
        }
    }
}

pub(super) async fn find_by_name(client: &Client, name: &str) -> Result<Option<String>, Trouble> {
    Ok(list_machines(client)
        .await?
        .into_iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, a, _)| a))
}

pub(super) async fn delete_by_name(client: &Client, name: &str) -> Result<(), Trouble> {
    if let Some(arn) = find_by_name(client, name).await? {
        stop_running(client, &arn).await;
        delete_machine(client, &arn).await?;
    }
    Ok(())
}

/// Stops the running executions of a state machine (best effort).
pub(super) async fn stop_running(client: &Client, machine_arn: &str) {
    let listed = client
        .list_executions()
        .state_machine_arn(machine_arn)
        .status_filter(ExecutionStatus::Running)
        .max_results(100)
        .send()
        .await;
    if let Ok(page) = listed {
        for x in page.executions() {
            let _ = stop_execution(client, x.execution_arn()).await;
        }
    }
}

/// Deletes `aslcheck-<8 hex>-<n>` machines of other runs created more than `age` ago.
pub(super) async fn remove_leftovers(
    client: &Client,
    run_id: &str,
    age: Duration,
) -> Result<usize, Trouble> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mine = format!("{NAME_PREFIX}{run_id}-");
    let mut n = 0;
    for (name, arn, created) in list_machines(client).await? {
        if is_run_resource(&name)
            && !name.starts_with(&mine)
            && now - created >= age.as_secs() as i64
        {
            stop_running(client, &arn).await;
            if delete_machine(client, &arn).await.is_ok() {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Stops and deletes all this run holds, then anything else with this run's prefix.
pub(super) async fn cleanup_run(client: &Client, sh: &Shared) -> Result<usize, Trouble> {
    let held: Vec<(String, Held)> = match sh.live.lock() {
        Ok(live) => live
            .machines
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut n = 0;
    let mut last_trouble = None;
    for (name, (arn, executions)) in &held {
        for x in executions {
            let _ = stop_execution(client, x).await;
        }
        let arn = match arn {
            Some(a) => Some(a.clone()),
            None => find_by_name(client, name).await.ok().flatten(),
        };
        match arn {
            Some(a) => match delete_machine(client, &a).await {
                Ok(()) => {
                    n += 1;
                    sh.untrack(name);
                }
                Err(t) => last_trouble = Some(t),
            },
            None => sh.untrack(name),
        }
    }
    if !held.is_empty() || sh.next.load(Ordering::SeqCst) > 0 {
        // Machines whose creation answer was lost are found by this run's prefix.
        let mine = format!("{NAME_PREFIX}{}-", sh.run_id);
        match list_machines(client).await {
            Ok(all) => {
                for (name, arn, _) in all
                    .into_iter()
                    .filter(|(name, _, _)| name.starts_with(&mine))
                {
                    stop_running(client, &arn).await;
                    match delete_machine(client, &arn).await {
                        Ok(()) => {
                            n += 1;
                            sh.untrack(&name);
                        }
                        Err(t) => last_trouble = Some(t),
                    }
                }
            }
            Err(t) => last_trouble = Some(t),
        }
    }
    match last_trouble {
        Some(t) => Err(t),
        None => Ok(n),
    }
}

/// On Ctrl-C or SIGTERM: refuse new work, delete this run's resources, exit 130 / 143. Runs on
/// its own thread with its own runtime and HTTP client, so it works whatever the main thread is
/// doing.
pub(super) fn install_interrupt_cleanup(sh: Arc<Shared>) {
    let spawned =
        std::thread::Builder::new()
            .name("aslcheck-sfn-cleanup".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                let once = Arc::new(tokio::sync::Mutex::new(false));
                let on_signal =
                    |code: i32, sh: Arc<Shared>, once: Arc<tokio::sync::Mutex<bool>>| async move {
                        let mut done = once.lock().await;
                        if *done {
                            return;
                        }
                        *done = true;
                        sh.interrupted.store(true, Ordering::SeqCst);
                        eprintln!(
                            "sfn-api: interrupted; deleting the state machines of run {}",
                            sh.run_id
                        );
                        let client = Client::from_conf(
                            sh.config
                                .to_builder()
                                .http_client(new_http_client())
                                .build(),
                        );
                        match cleanup_run(&client, &sh).await {
                            Ok(n) => eprintln!("sfn-api: deleted {n} state machine(s)"),
                            Err(t) => eprintln!(
                                "sfn-api: cleanup failed ({t}); the next run deletes the leftovers"
                            ),
                        }
                        std::process::exit(code);
                    };
                rt.block_on(async move {
                    let (sh2, once2) = (sh.clone(), once.clone());
                    tokio::spawn(async move {
                        if tokio::signal::ctrl_c().await.is_ok() {
                            on_signal(130, sh2, once2).await;
                        }
                    });
                    #[cfg(unix)]
                    {
                        use tokio::signal::unix::{signal, SignalKind};
                        if let Ok(mut term) = signal(SignalKind::terminate()) {
                            let (sh3, once3) = (sh.clone(), once.clone());
                            tokio::spawn(async move {
                                if term.recv().await.is_some() {
                                    on_signal(143, sh3, once3).await;
                                }
                            });
                        }
                    }
                    std::future::pending::<()>().await
                });
            });
    if let Err(e) = spawned {
        eprintln!("sfn-api: cannot watch for Ctrl-C ({e}); an interrupted run leaves state machines for the next run to delete");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_resource_names() {
        assert!(is_run_resource("aslcheck-0a1b2c3d-17"));
        assert!(!is_run_resource("aslcheck-echo"));
        assert!(!is_run_resource("aslcheck-0A1B2C3D-1"));
        assert!(!is_run_resource("aslcheck-0a1b2c3d-"));
        assert!(!is_run_resource("mine-0a1b2c3d-1"));
        let id = new_run_id();
        assert!(is_run_resource(&format!("{NAME_PREFIX}{id}-0")), "{id}");
    }
}
