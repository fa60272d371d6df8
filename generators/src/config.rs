//! The generator's knobs.
//!
//! [`Config`] plays the role of wasm-smith's `Config`: every limit and every feature switch the
//! generator honours lives here, with a documented default. A profile (`profiles/*.toml`) is just
//! a named `Config`; fields a profile leaves out keep the defaults below. With [`Config::swarm`]
//! set, each case first draws a *variant* of the config that switches whole features off (swarm
//! testing: Groce et al., "Swarm Testing", ISSTA 2012) — the variant actually used is recorded in
//! the [`Case`](crate::Case).
//!
//! Probabilities are per opportunity: `odds.retry = 0.3` means each Task/Parallel/Map gets a
//! `Retry` field with probability 0.3. Weights are relative and only compared with their siblings.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::tape::Tape;

/// Every knob of the generator. See the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    // ---------------------------------------------------------------- size
    /// Most states in one machine, counting every nested branch and processor (≥ 1).
    pub max_states: usize,
    /// Deepest nesting of Parallel branches / Map processors (0 = flat machines only).
    pub max_depth: usize,
    /// Most branches in one Parallel state (≥ 1).
    pub max_branches: usize,
    /// Most top-level rules in one Choice state (≥ 1).
    pub max_choice_rules: usize,
    /// Deepest nesting of `And`/`Or`/`Not` inside one Choice rule.
    pub max_rule_depth: usize,
    /// Most keys per object level of a payload template (Parameters, ResultSelector, ItemSelector).
    pub max_template_keys: usize,
    /// Deepest nesting of objects inside a payload template.
    pub max_template_depth: usize,
    /// Deepest nesting of intrinsic calls inside one intrinsic expression.
    pub max_intrinsic_depth: usize,
    /// Most intrinsic calls in one field (AWS allows 10).
    pub max_intrinsic_calls: usize,
    /// Deepest nesting of arrays/objects in generated JSON (execution input, literals).
    pub max_payload_depth: usize,
    /// Most members of a generated JSON object or array.
    pub max_payload_width: usize,
    /// Most elements of an array a Map state iterates.
    pub max_map_items: usize,
    /// Most retriers in one `Retry` array.
    pub max_retriers: usize,
    /// Most catchers in one `Catch` array.
    pub max_catchers: usize,
    /// Most iterations of a generated counter loop (every loop carries a counter; `ensure
    /// termination` in wasm-smith's words).
    pub max_loop_iterations: u32,
    // ---------------------------------------------------------------- time
    /// Largest Wait `Seconds` (and `SecondsPath` value). Real implementations really sleep.
    pub max_wait_seconds: u32,
    /// Largest `seconds` given to the `sleep` fixture.
    pub max_sleep_seconds: u32,
    /// Largest retrier `IntervalSeconds`.
    pub max_retry_interval_seconds: u32,
    /// Largest retrier `MaxAttempts`, and largest `failures` given to the `flaky` fixture.
    pub max_retry_attempts: u32,
    // ---------------------------------------------------------------- behaviour
    /// Probability that a state carries one deliberate runtime fault (a missing path, an
    /// intrinsic type error, an invalid Wait path, a task timeout, ...). Fail states and failing
    /// fixtures are controlled by `states.fail` and `fixtures.*`; `0.0` together with zero weights
    /// for those gives machines that never fail.
    pub error_ratio: f64,
    /// Keep every observable result deterministic (wasm-smith's `canonicalize_nans`): no bare
    /// `States.UUID`/`States.MathRandom` (they only appear inside wrappers with a fixed result),
    /// no nondeterministic context fields in data, failing Map iterations run with
    /// `MaxConcurrency: 1`, and at most one Parallel branch can fail. When `false` the case lists
    /// what may vary in `environment.nondeterministic`.
    pub deterministic: bool,
    /// Draw a per-case variant of this config that switches features off (swarm testing).
    pub swarm: bool,
    /// Turn every generated machine into an invalid one with one deliberate definition error,
    /// tagged with the diagnostic code AWS reports at creation ([`crate::mutate`]); such cases
    /// are judged by their validation verdict, not run.
    pub invalid: bool,
    /// The query language of generated machines: `"JSONPath"` (the default: InputPath,
    /// Parameters, ResultSelector, ResultPath, OutputPath, intrinsics) or `"JSONata"` (a
    /// top-level `QueryLanguage: "JSONata"`; every state uses Output, Assign, Arguments,
    /// Condition, Items and `{% %}` expressions, docs/semantics/jsonata.md §11). In JSONata
    /// machines `error_ratio` places expressions that return nothing
    /// (`States.QueryEvaluationError`) instead of the JSONPath faults, `odds.parameters` is the
    /// chance of `Arguments`, `odds.output_path` of `Output`, `odds.wait_path` and
    /// `odds.fail_path` of an expression in Wait `Seconds`/`Timestamp` and Fail `Error`/`Cause`
    /// (see `profiles/jsonata.toml`).
    pub query_language: QueryLanguage,
    /// Relative weights of the state kinds.
    pub states: StateWeights,
    /// Relative weights of the fixture functions used by Task states.
    pub fixtures: FixtureWeights,
    /// Relative weights of the service integrations of Task states that call a service
    /// (`odds.service_task`).
    pub services: ServiceWeights,
    /// Per-opportunity probabilities of optional fields and variants.
    pub odds: Odds,
    /// Intrinsic functions that may appear (full names, e.g. `States.Format`). Empty = none.
    pub intrinsics: BTreeSet<String>,
}

/// The query language of a generated machine (docs/semantics/jsonata.md §11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum QueryLanguage {
    #[default]
    #[serde(rename = "JSONPath")]
    JsonPath,
    #[serde(rename = "JSONata")]
    Jsonata,
}

/// Relative weights of state kinds. `loop` is a counter loop (Pass, body, Pass, Choice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StateWeights {
    pub pass: u32,
    pub task: u32,
    pub choice: u32,
    pub wait: u32,
    pub parallel: u32,
    pub map: u32,
    #[serde(rename = "loop")]
    pub loop_: u32,
    /// Succeed as a terminal state (end of a graph or target of a Choice rule / catcher).
    pub succeed: u32,
    /// Fail as a terminal state (same places as `succeed`).
    pub fail: u32,
}

/// Relative weights of the fixture functions (`aslcheck-<name>` Lambda functions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureWeights {
    pub echo: u32,
    pub fail: u32,
    pub flaky: u32,
    pub sleep: u32,
}

/// Relative weights of the service integrations a Task may call (the case brings the resources
/// in `environment.resources`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceWeights {
    pub dynamodb_get_item: u32,
    pub dynamodb_put_item: u32,
    pub sqs_send_message: u32,
    pub sns_publish: u32,
    /// A Distributed Map whose `ItemReader` reads a JSON, JSONL or CSV object from the case's
    /// S3 (maybe batched, with failing children under a tolerance, and a `ResultWriter` that
    /// exports to it or shapes the output).
    pub distributed_map: u32,
    /// EventBridge `putEvents` to the default bus.
    pub eventbridge_put_events: u32,
    /// Step Functions `startExecution.sync:2` of a child machine the case brings.
    pub start_execution_sync: u32,
    /// DynamoDB `updateItem` of the table's counter (`ReturnValues: UPDATED_NEW`).
    pub dynamodb_update_item: u32,
    /// DynamoDB `deleteItem` of the table's retired item.
    pub dynamodb_delete_item: u32,
    /// S3 `getObject` (AWS SDK integration) of a text object the case brings.
    pub s3_get_object: u32,
    /// SQS `sendMessage.waitForTaskToken`, answered by the case's callbacks script.
    pub sqs_wait_for_task_token: u32,
    /// ECS `runTask.sync` of a task whose container exits 0.
    pub ecs_run_task_sync: u32,
}

impl Default for ServiceWeights {
    fn default() -> Self {
        ServiceWeights {
            dynamodb_get_item: 1,
            dynamodb_put_item: 1,
            sqs_send_message: 1,
            sns_publish: 1,
            distributed_map: 1,
            eventbridge_put_events: 1,
            start_execution_sync: 1,
            dynamodb_update_item: 1,
            dynamodb_delete_item: 1,
            s3_get_object: 1,
            sqs_wait_for_task_token: 1,
            ecs_run_task_sync: 1,
        }
    }
}

/// Probabilities (0.0 ..= 1.0) of optional fields and variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Odds {
    /// A state gets an `InputPath`.
    pub input_path: f64,
    /// A Pass/Task/Parallel state gets `Parameters` (Pass: otherwise maybe `Result`).
    pub parameters: f64,
    /// A Pass state gets a literal `Result`.
    pub result: f64,
    /// A Task/Parallel/Map state gets a `ResultSelector`.
    pub result_selector: f64,
    /// A state gets a `ResultPath`.
    pub result_path: f64,
    /// A state gets an `OutputPath`.
    pub output_path: f64,
    /// An `InputPath`/`ResultPath`/`OutputPath` that is present is `null`.
    pub null_path: f64,
    /// A path reads the context object (`$$.…`).
    pub context_object: f64,
    /// A `.$` template value is an intrinsic call rather than a path.
    pub intrinsic: f64,
    /// A template value is itself a nested template object.
    pub nested_template: f64,
    /// A path uses indefinite operators (`[*]`, `..`, slices, unions, filters).
    pub indefinite_path: f64,
    /// A member name is written in bracket notation (`['name']`).
    pub bracket_notation: f64,
    /// A Task uses `arn:aws:states:::lambda:invoke` rather than the function ARN.
    pub lambda_invoke: f64,
    /// A (JSONPath) Task calls a service integration (DynamoDB, SQS, SNS) on the case's
    /// resources instead of a fixture function (`services` weighs them). 0 by default.
    pub service_task: f64,
    /// A Task/Parallel/Map gets `Retry`.
    pub retry: f64,
    /// A Task/Parallel/Map gets `Catch`.
    pub catch: f64,
    /// An optional retrier field (IntervalSeconds, MaxAttempts, ...) is present.
    pub retry_field: f64,
    /// A Choice state gets a `Default`.
    pub choice_default: f64,
    /// A Choice rule is a nested `And`/`Or`/`Not`.
    pub nested_rule: f64,
    /// A Choice comparison uses its `…Path` variant.
    pub path_operator: f64,
    /// A Choice comparison deliberately tests a value of another type (evaluates to false).
    pub type_mismatch: f64,
    /// A Map state gets an `ItemSelector`.
    pub item_selector: f64,
    /// A Map state gets `MaxConcurrency` (or `MaxConcurrencyPath`).
    pub max_concurrency: f64,
    /// A Map state uses the legacy `Iterator`/`Parameters` spelling.
    pub legacy_map: f64,
    /// A Map's `ItemProcessor` states its `ProcessorConfig` (`{"Mode": "INLINE"}`).
    pub processor_config: f64,
    /// A Wait reads its duration from the input (`SecondsPath`/`TimestampPath`).
    pub wait_path: f64,
    /// A Wait uses a timestamp rather than seconds.
    pub wait_timestamp: f64,
    /// A Fail state takes its error/cause from the input (`ErrorPath`/`CausePath`).
    pub fail_path: f64,
    /// A Task gets `TimeoutSeconds`.
    pub task_timeout: f64,
    /// A state gets a `Comment`.
    pub comment: f64,
    /// A state name uses unusual characters (spaces, Unicode, 80 characters).
    pub odd_names: f64,
    /// A state that may carry `Assign` (Pass, Task, Wait, Choice and each Choice rule,
    /// Parallel, Map, each catcher) gets one, setting one or two workflow variables
    /// (docs/semantics/variables.md §12): literals, paths and intrinsic calls in JSONPath,
    /// literals and expressions in JSONata. Inner scopes (Parallel branches, Map iterations)
    /// only assign names of their own, never one an outer scope assigns.
    pub assign: f64,
    /// A path or expression reads a workflow variable (`$name`, `$name.member`) assigned on
    /// every path to the state, where one is in scope: JSONPath `.$` template values, Choice
    /// `Variable`, InputPath and OutputPath; JSONata expressions. Only matters when `assign`
    /// is above 0.
    pub variable: f64,
}

/// All intrinsic functions of ASL (JSONPath), in the order of the AWS documentation.
pub const ALL_INTRINSICS: [&str; 18] = [
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            max_states: 12,
            max_depth: 3,
            max_branches: 3,
            max_choice_rules: 3,
            max_rule_depth: 2,
            max_template_keys: 4,
            max_template_depth: 2,
            max_intrinsic_depth: 2,
            max_intrinsic_calls: 6,
            max_payload_depth: 3,
            max_payload_width: 4,
            max_map_items: 4,
            max_retriers: 2,
            max_catchers: 2,
            max_loop_iterations: 3,
            max_wait_seconds: 3,
            max_sleep_seconds: 2,
            max_retry_interval_seconds: 2,
            max_retry_attempts: 3,
            error_ratio: 0.03,
            deterministic: true,
            swarm: false,
            invalid: false,
            query_language: QueryLanguage::JsonPath,
            states: StateWeights::default(),
            fixtures: FixtureWeights::default(),
            services: ServiceWeights::default(),
            odds: Odds::default(),
            intrinsics: ALL_INTRINSICS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Default for StateWeights {
    fn default() -> Self {
        StateWeights {
            pass: 6,
            task: 5,
            choice: 3,
            wait: 2,
            parallel: 2,
            map: 2,
            loop_: 1,
            succeed: 2,
            fail: 1,
        }
    }
}

impl Default for FixtureWeights {
    fn default() -> Self {
        FixtureWeights {
            echo: 6,
            fail: 1,
            flaky: 1,
            sleep: 1,
        }
    }
}

impl Default for Odds {
    fn default() -> Self {
        Odds {
            input_path: 0.2,
            parameters: 0.4,
            result: 0.2,
            result_selector: 0.2,
            result_path: 0.4,
            output_path: 0.2,
            null_path: 0.1,
            context_object: 0.1,
            intrinsic: 0.3,
            nested_template: 0.15,
            indefinite_path: 0.05,
            bracket_notation: 0.1,
            lambda_invoke: 0.3,
            service_task: 0.0,
            retry: 0.25,
            catch: 0.25,
            retry_field: 0.5,
            choice_default: 0.85,
            nested_rule: 0.25,
            path_operator: 0.15,
            type_mismatch: 0.1,
            item_selector: 0.4,
            max_concurrency: 0.4,
            legacy_map: 0.1,
            processor_config: 0.5,
            wait_path: 0.3,
            wait_timestamp: 0.3,
            fail_path: 0.3,
            task_timeout: 0.2,
            comment: 0.05,
            odd_names: 0.03,
            assign: 0.0,
            variable: 0.0,
        }
    }
}

impl Config {
    /// A copy with every limit forced into the range the generator can honour (at least one
    /// state, at least one rule, probabilities in `0..=1`, at least one usable state kind).
    pub fn normalized(&self) -> Config {
        let mut c = self.clone();
        c.max_states = c.max_states.clamp(1, 500);
        c.max_branches = c.max_branches.max(1);
        c.max_choice_rules = c.max_choice_rules.max(1);
        c.max_template_keys = c.max_template_keys.max(1);
        c.max_intrinsic_calls = c.max_intrinsic_calls.clamp(1, 10);
        c.max_payload_width = c.max_payload_width.max(1);
        c.max_retriers = c.max_retriers.max(1);
        c.max_catchers = c.max_catchers.max(1);
        c.max_loop_iterations = c.max_loop_iterations.max(1);
        c.max_retry_interval_seconds = c.max_retry_interval_seconds.max(1);
        c.max_retry_attempts = c.max_retry_attempts.max(1);
        c.error_ratio = clamp01(c.error_ratio);
        let o = &mut c.odds;
        for p in [
            &mut o.input_path,
            &mut o.parameters,
            &mut o.result,
            &mut o.result_selector,
            &mut o.result_path,
            &mut o.output_path,
            &mut o.null_path,
            &mut o.context_object,
            &mut o.intrinsic,
            &mut o.nested_template,
            &mut o.indefinite_path,
            &mut o.bracket_notation,
            &mut o.lambda_invoke,
            &mut o.service_task,
            &mut o.retry,
            &mut o.catch,
            &mut o.retry_field,
            &mut o.choice_default,
            &mut o.nested_rule,
            &mut o.path_operator,
            &mut o.type_mismatch,
            &mut o.item_selector,
            &mut o.max_concurrency,
            &mut o.legacy_map,
            &mut o.processor_config,
            &mut o.wait_path,
            &mut o.wait_timestamp,
            &mut o.fail_path,
            &mut o.task_timeout,
            &mut o.comment,
            &mut o.odd_names,
            &mut o.assign,
            &mut o.variable,
        ] {
            *p = clamp01(*p);
        }
        let s = &c.states;
        if s.pass + s.task + s.choice + s.wait + s.parallel + s.map + s.loop_ == 0 {
            c.states.pass = 1;
        }
        let f = &c.fixtures;
        if f.echo + f.fail + f.flaky + f.sleep == 0 {
            c.fixtures.echo = 1;
        }
        c.intrinsics
            .retain(|name| ALL_INTRINSICS.contains(&name.as_str()));
        c
    }

    /// This config without the integrations an implementation that runs services cannot run:
    /// without `callbacks` no `.waitForTaskToken` state (nothing would answer its token),
    /// without `ecs` no ECS task. Returns what was switched off, one line each.
    pub fn fit_services(&mut self, callbacks: bool, ecs: bool) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if !callbacks && self.services.sqs_wait_for_task_token > 0 {
            self.services.sqs_wait_for_task_token = 0;
            notes.push(".waitForTaskToken states answered by a callbacks script");
        }
        if !ecs && self.services.ecs_run_task_sync > 0 {
            self.services.ecs_run_task_sync = 0;
            notes.push("ECS runTask.sync on task-definition fixtures");
        }
        notes
    }

    /// This config without what an implementation cannot run, so the cases it gives are ones
    /// both sides of a comparison can judge: without `fixtures` no Task calls a fixture Lambda
    /// (JSONPath Tasks call a service instead when services are on and `resources` can be
    /// run, otherwise there are no Task states); without `resources` no Task calls a service;
    /// without `jsonata` machines are JSONPath; without `variables` no state assigns or reads a
    /// variable (and JSONata machines have no loops: their counters are variables). Returns
    /// what was switched off, one line each.
    pub fn fit(
        &mut self,
        fixtures: bool,
        resources: bool,
        jsonata: bool,
        variables: bool,
    ) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if !jsonata && self.query_language == QueryLanguage::Jsonata {
            self.query_language = QueryLanguage::JsonPath;
            notes.push("JSONata machines (JSONPath instead)");
        }
        if !variables && (self.odds.assign > 0.0 || self.odds.variable > 0.0) {
            self.odds.assign = 0.0;
            self.odds.variable = 0.0;
            notes.push("variables (Assign and reads of variables)");
        }
        if !variables && self.query_language == QueryLanguage::Jsonata && self.states.loop_ > 0 {
            // A JSONata counter loop keeps its counter in a variable.
            self.states.loop_ = 0;
            notes.push("loops (a JSONata loop counts in a variable)");
        }
        if !resources && self.odds.service_task > 0.0 {
            self.odds.service_task = 0.0;
            notes.push("service integrations on simulated resources");
        }
        if !fixtures && self.states.task > 0 {
            let s = &self.services;
            let services = s.dynamodb_get_item
                + s.dynamodb_put_item
                + s.sqs_send_message
                + s.sns_publish
                + s.distributed_map
                + s.eventbridge_put_events
                + s.start_execution_sync;
            if self.query_language == QueryLanguage::JsonPath
                && self.odds.service_task > 0.0
                && services > 0
            {
                self.odds.service_task = 1.0;
                notes.push("fixture Lambda calls (Tasks call services instead)");
            } else {
                self.states.task = 0;
                notes.push("Task states (they would call fixture Lambdas)");
            }
        }
        let st = &self.states;
        if st.pass + st.task + st.choice + st.wait + st.parallel + st.map + st.loop_ == 0 {
            self.states.pass = 1;
        }
        notes
    }

    /// Whether the intrinsic `name` (e.g. `States.Format`) may appear.
    pub fn intrinsic_enabled(&self, name: &str) -> bool {
        self.intrinsics.contains(name)
    }

    /// Draws the swarm variant of this config from the tape: every optional feature is kept
    /// with probability 1/2. Pass and Task are never switched off, so a machine can always be
    /// built; a zeroed draw switches everything optional off, which is also what shrinking
    /// aims for.
    pub(crate) fn swarm_variant(&self, t: &mut Tape) -> Config {
        let mut c = self.clone();
        t.begin();
        let keep = |t: &mut Tape| t.flag(0.5);
        {
            let s = &mut c.states;
            for w in [
                &mut s.choice,
                &mut s.wait,
                &mut s.parallel,
                &mut s.map,
                &mut s.loop_,
                &mut s.succeed,
                &mut s.fail,
            ] {
                if !keep(t) {
                    *w = 0;
                }
            }
        }
        {
            let f = &mut c.fixtures;
            for w in [&mut f.fail, &mut f.flaky, &mut f.sleep] {
                if !keep(t) {
                    *w = 0;
                }
            }
        }
        {
            let o = &mut c.odds;
            for p in [
                &mut o.input_path,
                &mut o.parameters,
                &mut o.result,
                &mut o.result_selector,
                &mut o.result_path,
                &mut o.output_path,
                &mut o.null_path,
                &mut o.context_object,
                &mut o.intrinsic,
                &mut o.nested_template,
                &mut o.indefinite_path,
                &mut o.bracket_notation,
                &mut o.lambda_invoke,
                &mut o.retry,
                &mut o.catch,
                &mut o.nested_rule,
                &mut o.path_operator,
                &mut o.type_mismatch,
                &mut o.item_selector,
                &mut o.max_concurrency,
                &mut o.legacy_map,
                &mut o.wait_path,
                &mut o.wait_timestamp,
                &mut o.fail_path,
                &mut o.task_timeout,
                &mut o.assign,
                &mut o.variable,
            ] {
                if !keep(t) {
                    *p = 0.0;
                }
            }
        }
        let names: Vec<String> = c.intrinsics.iter().cloned().collect();
        for name in names {
            if !keep(t) {
                c.intrinsics.remove(&name);
            }
        }
        if !keep(t) {
            c.error_ratio = 0.0;
        }
        // In deterministic mode UUID and MathRandom only appear inside fixed-result wrappers;
        // keep what those need.
        if c.deterministic {
            let has = |c: &Config, n: &str| c.intrinsics.contains(n);
            if has(&c, "States.UUID") && !has(&c, "States.StringSplit") {
                c.intrinsics.insert("States.StringSplit".to_string());
            }
            let pair_a = has(&c, "States.ArrayContains") && has(&c, "States.ArrayRange");
            let pair_b = has(&c, "States.ArrayLength") && has(&c, "States.Array");
            if has(&c, "States.MathRandom") && !pair_a && !pair_b {
                c.intrinsics.insert("States.ArrayLength".to_string());
                c.intrinsics.insert("States.Array".to_string());
            }
        }
        t.end();
        c.swarm = false;
        c
    }
}

fn clamp01(p: f64) -> f64 {
    if p.is_nan() {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    }
}
