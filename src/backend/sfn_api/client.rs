//! The `sfn-api` client: the [`SfnApi`] backend on aws-sdk-sfn (see the parent module's docs).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_sfn::config::retry::RetryConfig;
use aws_sdk_sfn::config::timeout::TimeoutConfig;
use aws_sdk_sfn::config::{Credentials, Region, SharedHttpClient};
use aws_sdk_sfn::types::{
    ExecutionStatus, InspectionLevel, MockErrorOutput, MockInput, StateMachineType, Tag,
    TestStateConfiguration,
};
use aws_sdk_sfn::Client;
use serde_json::{json, Map, Value};

use super::{
    Fixtures, SfnOptions, WorkflowType, NAME_PREFIX, PLACEHOLDER_ACCOUNT, PLACEHOLDER_ROLE_ARN,
    RUN_TAG,
};
use crate::backend::{Backend, Capabilities, Diagnostic, Mode, Observation, Request};
use crate::data::timestamp::format_millis;

use super::cleanup::{
    cleanup_run, delete_by_name, delete_machine, find_by_name, install_interrupt_cleanup,
    new_run_id, remove_leftovers, stop_execution,
};
use super::fixtures::map_strings;
use super::service::{classify, Capture, NoHostPrefix, Trouble};

/// Credentials sent to an `--endpoint` when no profile or `AWS_ACCESS_KEY_ID` is given.
const ENDPOINT_ACCESS_KEY: &str = "aslcheck";

fn machine_type(w: WorkflowType) -> StateMachineType {
    match w {
        WorkflowType::Standard => StateMachineType::Standard,
        WorkflowType::Express => StateMachineType::Express,
    }
}

// ------------------------------------------------------------------------------------------
// The backend

/// What the run holds: state machines by name (ARN once known) and their open executions.
#[derive(Debug, Default)]
pub(super) struct Live {
    pub(super) machines: BTreeMap<String, Held>,
}

/// A state machine's ARN (once known) and the executions started on it.
pub(super) type Held = (Option<String>, Vec<String>);

pub(super) struct Shared {
    pub(super) client: Client,
    pub(super) config: aws_sdk_sfn::Config,
    /// The loaded configuration (credentials, region, endpoint) for the other services' clients.
    pub(super) sdk: aws_config::SdkConfig,
    pub(super) endpoint: bool,
    pub(super) run_id: String,
    pub(super) role_arn: String,
    pub(super) fixtures: Fixtures,
    pub(super) opts: SfnOptions,
    pub(super) next: AtomicU64,
    pub(super) started: AtomicU64,
    pub(super) interrupted: AtomicBool,
    /// The caller's account, from the first state machine ARN.
    pub(super) account: std::sync::OnceLock<String>,
    pub(super) live: Mutex<Live>,
    /// Operations the endpoint lacks → the reason.
    pub(super) unsupported: Mutex<HashMap<&'static str, String>>,
}

/// The `sfn-api` backend. See the module documentation.
pub struct SfnApi {
    name: String,
    runtime: tokio::runtime::Runtime,
    shared: Arc<Shared>,
}

/// One case, owned (cases run as concurrent tasks).
#[derive(Debug, Clone)]
struct Job {
    mode: Mode,
    definition: Value,
    input: Value,
    environment: Value,
    history: bool,
}

impl Job {
    fn of(r: &Request<'_>) -> Job {
        Job {
            mode: r.mode,
            definition: r.definition.clone(),
            input: r.input.clone(),
            environment: r.environment.clone(),
            history: r.history,
        }
    }
}

pub(super) fn new_http_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

async fn build_config(
    o: &SfnOptions,
) -> Result<(aws_sdk_sfn::Config, aws_config::SdkConfig), String> {
    let retry = if o.adaptive_retry {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    };
    let retry = retry
        .with_max_attempts(o.max_attempts.max(1))
        .with_initial_backoff(o.initial_backoff)
        .with_max_backoff(Duration::from_secs(20));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(70))
        .build();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(new_http_client())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(p) = &o.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &o.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &o.endpoint {
        loader = loader.endpoint_url(e);
        if o.profile.is_none() && std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            loader = loader.credentials_provider(Credentials::new(
                ENDPOINT_ACCESS_KEY,
                ENDPOINT_ACCESS_KEY,
                None,
                None,
                "aslcheck-endpoint",
            ));
        }
        if o.region.is_none()
            && std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            loader = loader.region(Region::new("us-east-1"));
        }
    }
    let sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err(
            "sfn-api: no AWS region: pass --region, set AWS_REGION, or use a profile that has one"
                .into(),
        );
    }
    let mut b = aws_sdk_sfn::config::Builder::from(&sdk);
    if o.endpoint.is_some() {
        b = b.interceptor(NoHostPrefix);
    }
    Ok((b.build(), sdk))
}

impl SfnApi {
    /// Connects (credentials are resolved lazily, on the first call), loads the fixtures file
    /// and deletes leftovers of crashed runs.
    pub fn new(opts: &SfnOptions) -> Result<SfnApi, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("sfn-api: cannot start the async runtime: {e}"))?;
        let fixtures = match &opts.fixtures {
            Some(p) => Fixtures::load(p)?,
            None => Fixtures::default(),
        };
        let role_arn = match (&opts.role_arn, &fixtures.role_arn, &opts.endpoint) {
            (Some(r), _, _) | (None, Some(r), _) => r.clone(),
            (None, None, Some(_)) => PLACEHOLDER_ROLE_ARN.to_string(),
            (None, None, None) => {
                return Err("sfn-api on AWS needs an execution role: pass --role-arn, or --fixtures with the outputs of aws/fixtures.yaml (docs/backends.md)".into())
            }
        };
        if let Some(e) = &opts.endpoint {
            super::check_endpoint(e)?;
        }
        if let Some(p) = &opts.profile {
            super::check_profile(p)?;
        }
        let (config, sdk) = runtime.block_on(build_config(opts))?;
        let shared = Arc::new(Shared {
            client: Client::from_conf(config.clone()),
            config,
            sdk,
            endpoint: opts.endpoint.is_some(),
            run_id: new_run_id(),
            role_arn,
            fixtures,
            opts: opts.clone(),
            next: AtomicU64::new(0),
            started: AtomicU64::new(0),
            interrupted: AtomicBool::new(false),
            account: std::sync::OnceLock::new(),
            live: Mutex::new(Live::default()),
            unsupported: Mutex::new(HashMap::new()),
        });
        let backend = SfnApi {
            name: "sfn-api".into(),
            runtime,
            shared,
        };
        let sh = backend.shared.clone();
        backend.runtime.block_on(probe(&sh))?;
        match backend
            .runtime
            .block_on(remove_leftovers(&sh.client, &sh.run_id, opts.leftover_age))
        {
            Ok(n) if n > 0 => {
                eprintln!("sfn-api: deleted {n} state machine(s) left by an earlier run")
            }
            Ok(_) => {}
            Err(
                Trouble::Infra(m)
                | Trouble::Internal(m)
                | Trouble::Unsupported(m)
                | Trouble::Broken(m),
            ) => {
                eprintln!("sfn-api: could not look for leftovers of earlier runs: {m}")
            }
            Err(Trouble::Api { code, message }) => {
                return Err(format!(
                    "sfn-api: ListStateMachines failed: {code}: {message}"
                ));
            }
        }
        if opts.cleanup_on_interrupt {
            install_interrupt_cleanup(backend.shared.clone());
        }
        Ok(backend)
    }

    /// This run's id (the `<run id>` of `aslcheck-<run id>-<n>`).
    pub fn run_id(&self) -> &str {
        &self.shared.run_id
    }

    /// Stops and deletes everything this run still holds, including state machines whose
    /// creation was not confirmed (found by name). Returns how many were deleted.
    pub fn cleanup(&mut self) -> Result<usize, String> {
        let sh = self.shared.clone();
        self.runtime
            .block_on(cleanup_run(&sh.client, &sh))
            .map_err(|t| t.to_string())
    }
}

/// One cheap call (ListStateMachines, one result, two attempts, short timeouts) before the run,
/// so an endpoint that cannot be reached, a malformed endpoint, missing or rejected credentials
/// end the run at once with the reason instead of making every case indeterminate.
async fn probe(sh: &Shared) -> Result<(), String> {
    let target = match &sh.opts.endpoint {
        Some(e) => format!("the endpoint {e}"),
        None => format!(
            "Step Functions in {}",
            sh.config.region().map(|r| r.as_ref()).unwrap_or("?")
        ),
    };
    let config = sh
        .config
        .to_builder()
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(20))
                .build(),
        )
        .build();
    let client = Client::from_conf(config);
    match client.list_state_machines().max_results(1).send().await {
        Ok(_) => Ok(()),
        Err(e) => match classify("ListStateMachines", sh.endpoint, &e) {
            Trouble::Unsupported(_) => Ok(()),
            Trouble::Infra(m) if m.contains("credentials") => Err(format!(
                "sfn-api: no usable AWS credentials for {target} (--aws-profile, AWS_PROFILE, AWS_ACCESS_KEY_ID): {m}"
            )),
            Trouble::Infra(m) | Trouble::Broken(m) => {
                Err(format!("sfn-api: cannot reach {target}: {m}"))
            }
            Trouble::Internal(m) => Err(format!("sfn-api: cannot call {target}: {m}")),
            Trouble::Api { code, message } => Err(format!(
                "sfn-api: {target} refused ListStateMachines (are the credentials right?): {code}: {message}"
            )),
        },
    }
}

impl Drop for SfnApi {
    fn drop(&mut self) {
        if let Err(e) = self.cleanup() {
            eprintln!("sfn-api: cleanup at the end of the run failed: {e}; the next run deletes the leftovers");
        }
    }
}

impl Backend for SfnApi {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        // Operations an endpoint lacks are discovered on first use and skipped from then on.
        Capabilities {
            modes: vec![Mode::Execution, Mode::TestState, Mode::Validate],
            history: true,
            query_languages: vec!["JSONPath".into(), "JSONata".into()],
            // Fixture Lambdas exist where a fixtures file names them (aws/fixtures.yaml).
            fixtures: !self.shared.fixtures.functions.is_empty(),
            resources: true,
            variables: true,
            // It sends no SendTask* calls and provisions no ECS cluster or task definition.
            callbacks: false,
            ecs: false,
        }
    }

    fn run(&mut self, request: &Request<'_>) -> Observation {
        let sh = self.shared.clone();
        let job = Job::of(request);
        self.runtime.block_on(run_job(sh, job))
    }

    fn run_batch(&mut self, requests: &[Request<'_>]) -> Vec<Observation> {
        let sh = self.shared.clone();
        let jobs: Vec<Job> = requests.iter().map(Job::of).collect();
        let limit = self.shared.opts.concurrency.max(1);
        self.runtime.block_on(async move {
            let permits = Arc::new(tokio::sync::Semaphore::new(limit));
            let mut set = tokio::task::JoinSet::new();
            for (i, job) in jobs.into_iter().enumerate() {
                let sh = sh.clone();
                let permits = permits.clone();
                set.spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    (i, run_job(sh, job).await)
                });
            }
            let mut out: Vec<Option<Observation>> = vec![None; requests.len()];
            while let Some(joined) = set.join_next().await {
                if let Ok((i, o)) = joined {
                    out[i] = Some(o);
                }
            }
            out.into_iter()
                .map(|o| {
                    o.unwrap_or_else(|| {
                        Observation::Errored("sfn-api: the case's task panicked".into())
                    })
                })
                .collect()
        })
    }
}

async fn run_job(sh: Arc<Shared>, job: Job) -> Observation {
    // (deployed fixture ARN, what the case wrote), to map back in the observation.
    let mut back = Vec::new();
    let observation = match job.mode {
        Mode::Execution => execution(&sh, &job, &mut back).await,
        Mode::TestState => test_state(&sh, &job, &mut back).await,
        Mode::Validate => validate(&sh, &job).await,
    };
    scrub(&sh, &back, observation)
}

impl Shared {
    pub(super) fn unsupported(&self, op: &'static str) -> Option<String> {
        self.unsupported.lock().ok()?.get(op).cloned()
    }

    /// Turns trouble into the observation it means, remembering unsupported operations.
    pub(super) fn observe(&self, op: &'static str, t: Trouble) -> Observation {
        match t {
            Trouble::Infra(m) => Observation::Indeterminate(m),
            Trouble::Unsupported(m) => {
                if let Ok(mut u) = self.unsupported.lock() {
                    u.insert(op, m.clone());
                }
                Observation::Skipped(m)
            }
            Trouble::Api { code, message } => {
                Observation::Errored(format!("{op} failed: {code}: {message}"))
            }
            // A request this side could not build says nothing about the implementation.
            Trouble::Internal(m) => Observation::Indeterminate(m),
            Trouble::Broken(m) => Observation::Errored(m),
        }
    }

    pub(super) fn track(&self, name: &str, arn: Option<&str>, execution: Option<&str>) {
        if let Ok(mut live) = self.live.lock() {
            let e = live.machines.entry(name.to_string()).or_default();
            if let Some(a) = arn {
                e.0 = Some(a.to_string());
            }
            if let Some(x) = execution {
                e.1.push(x.to_string());
            }
        }
    }

    pub(super) fn untrack(&self, name: &str) {
        if let Ok(mut live) = self.live.lock() {
            live.machines.remove(name);
        }
    }
}

/// The case's workflow type: `environment.workflow_type`, else the backend's.
fn workflow_type(sh: &Shared, job: &Job) -> Result<WorkflowType, String> {
    match job.environment.get("workflow_type") {
        None => Ok(sh.opts.workflow_type),
        Some(Value::String(s)) => WorkflowType::parse(s)
            .ok_or_else(|| format!("environment.workflow_type {s:?} is not STANDARD or EXPRESS")),
        Some(_) => Err("environment.workflow_type must be a string".into()),
    }
}

async fn execution(sh: &Shared, job: &Job, back: &mut Vec<(String, String)>) -> Observation {
    let wtype = match workflow_type(sh, job) {
        Ok(t) => t,
        Err(m) => return Observation::Errored(m),
    };
    if wtype == WorkflowType::Express && job.history {
        return Observation::Skipped(
            "EXPRESS executions have no GetExecutionHistory (docs/semantics/execution.md §13.3)"
                .into(),
        );
    }
    if let Some(bound) = job
        .environment
        .get("time_bound_seconds")
        .and_then(Value::as_f64)
    {
        if bound > sh.opts.case_timeout.as_secs_f64() {
            return Observation::Skipped(format!(
                "the case needs up to {bound} s of real time; the case timeout is {} s",
                sh.opts.case_timeout.as_secs()
            ));
        }
    }
    let mut definition = match sh.fixtures.prepare(&job.definition, &job.environment) {
        Ok(p) => {
            *back = p.back;
            p.definition
        }
        Err(reason) => return Observation::Skipped(reason),
    };
    let world = match job.environment.get("resources") {
        None => None,
        Some(r) => {
            match crate::world::World::from_json(r, std::path::Path::new("environment.resources")) {
                Ok(w) => Some(w),
                Err(e) => return Observation::Errored(e.to_string()),
            }
        }
    };
    let op = match wtype {
        WorkflowType::Standard => "StartExecution",
        WorkflowType::Express => "StartSyncExecution",
    };
    if let Some(reason) = sh.unsupported(op) {
        return Observation::Skipped(reason);
    }
    if let Some(max) = sh.opts.max_executions {
        if sh.started.fetch_add(1, Ordering::SeqCst) >= max {
            return Observation::Skipped(format!(
                "the execution budget of this run ({max}, --max-executions) is spent"
            ));
        }
    }
    if sh.interrupted.load(Ordering::SeqCst) {
        return Observation::Indeterminate("the run was interrupted".into());
    }
    let n = sh.next.fetch_add(1, Ordering::SeqCst);
    let name = format!("{NAME_PREFIX}{}-{n}", sh.run_id);
    let mut job = job.clone();
    let provisioned = match &world {
        None => None,
        Some(w) => match super::world::provision(sh, n, w, &definition, &job.input).await {
            Ok(p) => {
                definition = p.definition.clone();
                job.input = p.input.clone();
                back.extend(p.back.iter().cloned());
                Some(p)
            }
            Err(m) => return Observation::Indeterminate(m),
        },
    };
    let observation = create_and_run(sh, &name, &definition, &job, wtype).await;
    if let Some(p) = &provisioned {
        super::world::teardown(sh, p).await;
    }
    observation
}

/// CreateStateMachine, the run, DeleteStateMachine.
async fn create_and_run(
    sh: &Shared,
    name: &str,
    definition: &Value,
    job: &Job,
    wtype: WorkflowType,
) -> Observation {
    let name = name.to_string();
    sh.track(&name, None, None);
    let text = match serde_json::to_string(definition) {
        Ok(t) => t,
        Err(e) => return Observation::Errored(format!("cannot serialise the definition: {e}")),
    };
    let created = sh
        .client
        .create_state_machine()
        .name(&name)
        .definition(text)
        .role_arn(&sh.role_arn)
        .r#type(machine_type(wtype))
        .tags(Tag::builder().key(RUN_TAG).value(&sh.run_id).build())
        .send()
        .await;
    let arn = match created {
        Ok(out) => out.state_machine_arn().to_string(),
        Err(e) => {
            let t = classify("CreateStateMachine", sh.endpoint, &e);
            if let Trouble::Api { code, message } = &t {
                // AWS refuses invalid definitions here (docs/semantics/structure.md §1.5); nothing was created.
                sh.untrack(&name);
                return Observation::Errored(format!(
                    "CreateStateMachine refused the definition: {code}: {message}"
                ));
            }
            // The machine may exist even though the answer was lost: find it by name.
            let _ = delete_by_name(&sh.client, &name).await;
            if let Ok(None) = find_by_name(&sh.client, &name).await {
                sh.untrack(&name);
            }
            return sh.observe("CreateStateMachine", t);
        }
    };
    sh.track(&name, Some(&arn), None);
    if let Some(a) = account_of(&arn) {
        let _ = sh.account.set(a);
    }
    let observation = if sh.interrupted.load(Ordering::SeqCst) {
        Observation::Indeterminate("the run was interrupted".into())
    } else {
        match wtype {
            WorkflowType::Standard => run_standard(sh, &name, &arn, job).await,
            WorkflowType::Express => run_express(sh, &arn, job).await,
        }
    };
    if delete_machine(&sh.client, &arn).await.is_ok() {
        sh.untrack(&name);
    }
    observation
}

fn input_text(job: &Job) -> Result<String, String> {
    serde_json::to_string(&job.input).map_err(|e| format!("cannot serialise the input: {e}"))
}

fn parse_payload(s: Option<&str>) -> Option<Value> {
    s.map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())))
}

async fn run_express(sh: &Shared, arn: &str, job: &Job) -> Observation {
    let input = match input_text(job) {
        Ok(i) => i,
        Err(m) => return Observation::Errored(m),
    };
    match sh
        .client
        .start_sync_execution()
        .state_machine_arn(arn)
        .input(input)
        .send()
        .await
    {
        Ok(out) => Observation::Execution {
            status: out.status().as_str().to_string(),
            output: parse_payload(out.output()),
            error: out.error().map(String::from),
            cause: out.cause().map(String::from),
            history: None,
        },
        Err(e) => sh.observe(
            "StartSyncExecution",
            classify("StartSyncExecution", sh.endpoint, &e),
        ),
    }
}

async fn run_standard(sh: &Shared, name: &str, arn: &str, job: &Job) -> Observation {
    let input = match input_text(job) {
        Ok(i) => i,
        Err(m) => return Observation::Errored(m),
    };
    let deadline = Instant::now() + sh.opts.case_timeout;
    let started = match sh
        .client
        .start_execution()
        .state_machine_arn(arn)
        .input(input)
        .send()
        .await
    {
        Ok(out) => out.execution_arn().to_string(),
        Err(e) => {
            return sh.observe(
                "StartExecution",
                classify("StartExecution", sh.endpoint, &e),
            )
        }
    };
    sh.track(name, None, Some(&started));
    let mut wait = sh.opts.poll_interval;
    let described = loop {
        match sh
            .client
            .describe_execution()
            .execution_arn(&started)
            .send()
            .await
        {
            Ok(d)
                if !matches!(
                    d.status(),
                    ExecutionStatus::Running | ExecutionStatus::PendingRedrive
                ) =>
            {
                break d
            }
            Ok(_) => {}
            Err(e) => {
                let _ = stop_execution(&sh.client, &started).await;
                return sh.observe(
                    "DescribeExecution",
                    classify("DescribeExecution", sh.endpoint, &e),
                );
            }
        }
        if Instant::now() >= deadline || sh.interrupted.load(Ordering::SeqCst) {
            let _ = stop_execution(&sh.client, &started).await;
            return Observation::Indeterminate(format!(
                "the execution did not finish within the case timeout ({} s); it was stopped",
                sh.opts.case_timeout.as_secs()
            ));
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 3 / 2).min(Duration::from_secs(2));
    };
    let status = described.status().as_str().to_string();
    let mut error = described.error().map(String::from);
    let mut cause = described.cause().map(String::from);
    let failed = status != "SUCCEEDED";
    // Emulators may leave error/cause out of DescribeExecution; the history has them.
    let history = if job.history || (failed && error.is_none() && cause.is_none()) {
        match history(sh, &started).await {
            Ok(h) => Some(h),
            Err(t) => return sh.observe("GetExecutionHistory", t),
        }
    } else {
        None
    };
    if failed && error.is_none() && cause.is_none() {
        if let Some(details) = history.as_ref().and_then(|h| closing_details(h)) {
            error = details
                .get("error")
                .and_then(Value::as_str)
                .map(String::from);
            cause = details
                .get("cause")
                .and_then(Value::as_str)
                .map(String::from);
        }
    }
    Observation::Execution {
        status,
        output: parse_payload(described.output()),
        error,
        cause,
        history: if job.history { history } else { None },
    }
}

/// The details of the event that closed a failed execution.
fn closing_details(events: &[Value]) -> Option<&Map<String, Value>> {
    let last = events.iter().rev().find(|e| {
        matches!(
            e.get("type").and_then(Value::as_str),
            Some("ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted")
        )
    })?;
    last.as_object()?
        .iter()
        .find(|(k, _)| k.ends_with("EventDetails"))
        .and_then(|(_, v)| v.as_object())
}

/// All events of an execution, as the service sent them, with `timestamp` rendered as
/// RFC 3339 (the wire has epoch seconds) like the reference interpreter's history.
async fn history(sh: &Shared, execution_arn: &str) -> Result<Vec<Value>, Trouble> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let capture = Capture::default();
        let out = sh
            .client
            .get_execution_history()
            .execution_arn(execution_arn)
            .max_results(1000)
            .include_execution_data(true)
            .set_next_token(token.clone())
            .customize()
            .interceptor(capture.clone())
            .send()
            .await
            .map_err(|e| classify("GetExecutionHistory", sh.endpoint, &e))?;
        match capture
            .json()
            .and_then(|mut v| v.get_mut("events").map(Value::take))
        {
            Some(Value::Array(page)) => events.extend(page.into_iter().map(render_timestamp)),
            _ => {
                // No raw body (should not happen): keep what the typed answer has.
                for e in out.events() {
                    events.push(json!({
                        "timestamp": format_millis(e.timestamp().to_millis().unwrap_or(0)),
                        "type": e.r#type().as_str(),
                        "id": e.id(),
                        "previousEventId": e.previous_event_id(),
                    }));
                }
            }
        }
        token = out.next_token().map(String::from);
        if token.is_none() || events.len() > 30_000 {
            return Ok(events);
        }
    }
}

fn render_timestamp(mut event: Value) -> Value {
    if let Some(slot) = event.get_mut("timestamp") {
        if let Some(secs) = slot.as_f64() {
            *slot = Value::String(format_millis((secs * 1000.0).round() as i64));
        }
    }
    event
}

// ------------------------------------------------------------------------------------------
// TestState and ValidateStateMachineDefinition

/// The state to test: `environment.test_state.stateName`, else `StartAt`; found at the top level
/// or inside Parallel branches and Map processors.
fn find_state<'a>(machine: &'a Value, name: &str) -> Option<&'a Value> {
    crate::asl::walk::find(machine, name).map(|s| s.value)
}

fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn test_state(sh: &Shared, job: &Job, back: &mut Vec<(String, String)>) -> Observation {
    if let Some(reason) = sh.unsupported("TestState") {
        return Observation::Skipped(reason);
    }
    let empty = Value::Object(Map::new());
    let cfg = job.environment.get("test_state").unwrap_or(&empty);
    let name = cfg
        .get("stateName")
        .and_then(Value::as_str)
        .or_else(|| job.definition.get("StartAt").and_then(Value::as_str));
    // A mocked state calls nothing; otherwise its function is pointed at a deployed fixture.
    let definition = if cfg.get("mock").is_some() {
        job.definition.clone()
    } else {
        match sh.fixtures.prepare(&job.definition, &job.environment) {
            Ok(p) => {
                *back = p.back;
                p.definition
            }
            Err(reason) => return Observation::Skipped(reason),
        }
    };
    // The state alone (accepted by every TestState implementation), with the machine's
    // QueryLanguage carried over; a definition without `States` is taken as the state itself.
    let state = match (definition.get("States"), name) {
        (Some(_), Some(n)) => match find_state(&definition, n) {
            Some(s) => {
                let mut s = s.clone();
                if let (Some(q), Some(obj)) = (definition.get("QueryLanguage"), s.as_object_mut()) {
                    obj.entry("QueryLanguage").or_insert_with(|| q.clone());
                }
                s
            }
            None => {
                return Observation::Errored(format!(
                    "test_state: the definition has no state {n:?}"
                ))
            }
        },
        (Some(_), None) => {
            return Observation::Errored(
                "test_state: the definition has no StartAt and no stateName is given".into(),
            )
        }
        (None, _) => definition.clone(),
    };
    let level = cfg
        .get("inspectionLevel")
        .and_then(Value::as_str)
        .unwrap_or("DEBUG");
    let mut req = sh
        .client
        .test_state()
        .definition(state.to_string())
        .input(job.input.to_string())
        .inspection_level(InspectionLevel::from(level))
        .role_arn(
            cfg.get("roleArn")
                .and_then(Value::as_str)
                .unwrap_or(&sh.role_arn),
        );
    if let Some(b) = cfg.get("revealSecrets").and_then(Value::as_bool) {
        req = req.reveal_secrets(b);
    }
    if let Some(v) = cfg.get("variables") {
        req = req.variables(json_text(v));
    }
    if let Some(v) = cfg.get("context") {
        req = req.context(json_text(v));
    }
    if let Some(m) = cfg.get("mock") {
        let mut b = MockInput::builder();
        if let Some(r) = m.get("result") {
            b = b.result(json_text(r));
        }
        if let Some(e) = m.get("errorOutput") {
            let mut eb = MockErrorOutput::builder();
            if let Some(x) = e.get("error").and_then(Value::as_str) {
                eb = eb.error(x);
            }
            if let Some(x) = e.get("cause").and_then(Value::as_str) {
                eb = eb.cause(x);
            }
            b = b.error_output(eb.build());
        }
        if let Some(x) = m.get("fieldValidationMode").and_then(Value::as_str) {
            b = b.field_validation_mode(x.into());
        }
        req = req.mock(b.build());
    }
    if let Some(c) = cfg.get("stateConfiguration") {
        let int = |k: &str| {
            c.get(k)
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok())
        };
        let mut b = TestStateConfiguration::builder();
        if let Some(n) = int("retrierRetryCount") {
            b = b.retrier_retry_count(n);
        }
        if let Some(n) = int("mapIterationFailureCount") {
            b = b.map_iteration_failure_count(n);
        }
        if let Some(s) = c.get("errorCausedByState").and_then(Value::as_str) {
            b = b.error_caused_by_state(s);
        }
        if let Some(v) = c.get("mapItemReaderData") {
            b = b.map_item_reader_data(json_text(v));
        }
        req = req.state_configuration(b.build());
    }
    let capture = Capture::default();
    match req.customize().interceptor(capture.clone()).send().await {
        Ok(out) => {
            // Inspection data and the next state travel as one pseudo-event, so cases can put
            // `history` constraints on them: {"type": "TestState", "nextState", "inspectionData"}.
            let mut raw = capture
                .json()
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            for k in ["status", "output", "error", "cause"] {
                raw.remove(k);
            }
            let mut event = Map::new();
            event.insert("type".into(), Value::String("TestState".into()));
            event.extend(raw);
            Observation::Execution {
                status: out
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                output: parse_payload(out.output()),
                error: out.error().map(String::from),
                cause: out.cause().map(String::from),
                history: Some(vec![Value::Object(event)]),
            }
        }
        Err(e) => match classify("TestState", sh.endpoint, &e) {
            // An invalid state definition is refused by the API: the same as validation failing.
            Trouble::Api { code, message } if code == "InvalidDefinition" => Observation::Errored(
                format!("TestState refused the definition: {code}: {message}"),
            ),
            t => sh.observe("TestState", t),
        },
    }
}

async fn validate(sh: &Shared, job: &Job) -> Observation {
    if let Some(reason) = sh.unsupported("ValidateStateMachineDefinition") {
        return Observation::Skipped(reason);
    }
    let wtype = match workflow_type(sh, job) {
        Ok(t) => t,
        Err(m) => return Observation::Errored(m),
    };
    let text = json_text(&job.definition);
    let result = sh
        .client
        .validate_state_machine_definition()
        .definition(text)
        .r#type(machine_type(wtype))
        .send()
        .await;
    match result {
        Ok(out) => Observation::Validation {
            valid: out.result().as_str() == "OK",
            diagnostics: out
                .diagnostics()
                .iter()
                .map(|d| Diagnostic {
                    code: d.code().to_string(),
                    message: d.message().to_string(),
                    location: d.location().map(String::from),
                })
                .collect(),
        },
        Err(e) => sh.observe(
            "ValidateStateMachineDefinition",
            classify("ValidateStateMachineDefinition", sh.endpoint, &e),
        ),
    }
}

// ------------------------------------------------------------------------------------------
// Scrubbing

/// Replaces the caller's account id and the deployed fixture ARNs (see the module docs).
fn scrub(sh: &Shared, back: &[(String, String)], o: Observation) -> Observation {
    let account = sh
        .account
        .get()
        .cloned()
        .or_else(|| account_of(&sh.role_arn));
    // The caller's account (when it is not the placeholder's) as it appears in ARNs, and what
    // replaces it.
    let account = account
        .filter(|a| a != PLACEHOLDER_ACCOUNT)
        .map(|a| (format!(":{a}:"), format!(":{PLACEHOLDER_ACCOUNT}:")));
    if back.is_empty() && account.is_none() {
        return o;
    }
    let mut fix = |s: &str| -> Option<String> {
        let mut t = s.to_string();
        for (arn, placeholder) in back {
            if t.contains(arn.as_str()) {
                t = t.replace(arn.as_str(), placeholder);
            }
        }
        if let Some((needle, placeholder)) = &account {
            if t.contains(needle.as_str()) {
                t = t.replace(needle.as_str(), placeholder);
            }
        }
        (t != s).then_some(t)
    };
    match o {
        Observation::Execution {
            status,
            output,
            error,
            cause,
            history,
        } => Observation::Execution {
            status,
            output: output.map(|x| map_strings(&x, &mut fix)),
            error: error.map(|s| fix(&s).unwrap_or(s)),
            cause: cause.map(|s| fix(&s).unwrap_or(s)),
            history: history.map(|h| h.iter().map(|e| map_strings(e, &mut fix)).collect()),
        },
        Observation::Validation { valid, diagnostics } => Observation::Validation {
            valid,
            diagnostics: diagnostics
                .into_iter()
                .map(|d| Diagnostic {
                    message: fix(&d.message).unwrap_or(d.message),
                    location: d.location,
                    code: d.code,
                })
                .collect(),
        },
        Observation::Errored(m) => Observation::Errored(fix(&m).unwrap_or(m)),
        Observation::Skipped(m) => Observation::Skipped(fix(&m).unwrap_or(m)),
        Observation::Indeterminate(m) => Observation::Indeterminate(fix(&m).unwrap_or(m)),
    }
}

/// The account id of an ARN (`arn:aws:iam::<account>:role/x`).
fn account_of(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_states_are_found() {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}
        ], "End": true}}});
        assert_eq!(find_state(&def, "X").unwrap()["Type"], "Pass");
        assert!(find_state(&def, "Y").is_none());
    }

    #[test]
    fn accounts_of_arns() {
        assert_eq!(
            account_of("arn:aws:iam::111122223333:role/x").as_deref(),
            Some("111122223333")
        );
        assert_eq!(account_of("arn:aws:iam:::role/x"), None);
    }

    #[test]
    fn history_timestamps_are_rendered() {
        let e = render_timestamp(json!({"timestamp": 1704067200.5, "type": "ExecutionStarted"}));
        assert_eq!(e["timestamp"], "2024-01-01T00:00:00.5Z");
    }
}
