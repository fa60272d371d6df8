//! Random, valid-by-construction Amazon States Language machines (JSONPath or JSONata) and their
//! inputs.
//!
//! ```
//! use aslcheck_generators::{generate, Profile};
//! let profile = Profile::builtin("paths").unwrap();
//! let case = generate(&profile, 42);
//! assert_eq!(case, generate(&profile, 42)); // a seed always makes the same case
//! println!("{}", case.to_json());
//! ```
//!
//! # What is generated
//!
//! A [`Case`] holds a definition, an execution input, and an `environment` describing what a
//! run needs (the fixture functions called, declared nondeterminism, the deliberate faults,
//! a wall-clock bound). Task states only call the fixture Lambda functions `aslcheck-echo`,
//! `aslcheck-fail`, `aslcheck-flaky` and `aslcheck-sleep` (by function ARN or through
//! `arn:aws:states:::lambda:invoke`), so every machine also runs on AWS.
//!
//! Definitions are valid by construction, never filtered: unique names, `Next` targets in the
//! same `States` object, every state reachable, a terminal state in every graph, `States.ALL`
//! alone and last, reference paths where required (docs/semantics/structure.md §1). The generator tracks the
//! shape of the data reaching each state (Csmith-style, [`shape`]), so paths, `ItemsPath`,
//! Choice variables and intrinsic arguments resolve — except where a deliberate fault is placed
//! (`Config::error_ratio`). Every loop is a counter loop, so machines terminate.
//!
//! # The knobs ([`Config`])
//!
//! | group | knobs | default |
//! |---|---|---|
//! | size | `max_states`, `max_depth` (Parallel/Map nesting), `max_branches`, `max_choice_rules`, `max_rule_depth`, `max_template_keys`, `max_template_depth`, `max_intrinsic_depth`, `max_intrinsic_calls`, `max_payload_depth`, `max_payload_width`, `max_map_items`, `max_retriers`, `max_catchers`, `max_loop_iterations` | 12, 3, 3, 3, 2, 4, 2, 2, 6, 3, 4, 4, 2, 2, 3 |
//! | time | `max_wait_seconds`, `max_sleep_seconds`, `max_retry_interval_seconds`, `max_retry_attempts` | 3, 2, 2, 3 |
//! | faults | `error_ratio`: chance per state of one deliberate runtime fault (missing path, intrinsic type error, invalid Wait path, ResultPath through a scalar, task timeout, Choice variable missing, ItemsPath not an array); Fail states and failing fixtures come from `states.fail` and `fixtures.fail`/`flaky` | 0.03 |
//! | language | `query_language`: `"JSONPath"` or `"JSONata"` (a top-level `QueryLanguage`; Output, Assign, Arguments, Condition, Items and `{% %}` expressions from a typed grammar that stays defined and deterministic, see `gen/jsonata.rs`) | `"JSONPath"` |
//! | variables | `odds.assign` (an `Assign` on a state, Choice rule or catcher that takes one), `odds.variable` (a read of a variable assigned on every path: JSONPath `.$` values, Choice `Variable`, InputPath, OutputPath; JSONata expressions); inner scopes assign only names of their own | 0, 0 (on in `all`, `swarm`, `jsonata`) |
//! | determinism | `deterministic`: only fixed-result uses of UUID/MathRandom, only fixed context fields in data, `MaxConcurrency: 1` for Maps whose iterations can fail, at most one failing Parallel branch | true |
//! | swarm | `swarm`: per case, switch each optional state kind, fixture, optional field, intrinsic and the fault ratio off with probability ½ (the variant used is in `Case::config`) | false |
//! | weights | `states.{pass,task,choice,wait,parallel,map,loop,succeed,fail}`, `fixtures.{echo,fail,flaky,sleep}` | see [`StateWeights`], [`FixtureWeights`] |
//! | odds | `odds.*`: per-opportunity probabilities of optional fields and variants (InputPath, Parameters, ResultSelector, ResultPath, OutputPath, `null` paths, context object, intrinsics, nested templates, indefinite paths, bracket notation, lambda:invoke, Retry, Catch, retrier fields, Choice Default, nested rules, `…Path` operators, type mismatches, ItemSelector, MaxConcurrency, legacy Map spelling, ProcessorConfig, Wait paths and timestamps, Fail paths, Task timeouts, comments, odd state names) | see [`Odds`] |
//! | intrinsics | `intrinsics`: the set of intrinsic functions that may appear | all 18 |
//! | services | `odds.service_task`: a JSONPath Task calls DynamoDB getItem/putItem/updateItem/deleteItem, S3 getObject, SQS sendMessage, SNS publish, EventBridge putEvents or startExecution.sync:2, or is a Distributed Map over S3 (weights `services.*`, see [`ServiceWeights`]) on resources the case brings in `environment.resources` (docs/resources.md) | 0 (1 in `services`) |
//! | invalid | `invalid`: every machine gets one deliberate definition error tagged with the code AWS reports at creation ([`mutate`]; `Case::mutation`); the case is judged by its validation verdict | false (true in `invalid`) |
//!
//! Profiles (`profiles/*.toml`, see [`Profile`]) are named configs: `all`, `paths`,
//! `intrinsics`, `choice`, `errors`, `map`, `parallel`, `swarm`, `jsonata`, `services` and
//! `invalid`. [`Config::fit`] leaves out what an implementation cannot run (fixture Lambdas,
//! simulated resources, JSONata).
//!
//! # Determinism and shrinking
//!
//! [`generate`] draws every decision from a ChaCha RNG seeded with the seed (proptest's
//! `TestRng`), so a seed reproduces its case on every platform. [`case_strategy`] is a proptest
//! strategy whose value tree shrinks by editing the recorded decisions (see `tree.rs`): smaller
//! cases are still valid, with fewer states, fewer fields and simpler values.
//!
//! An `invalid` case is the valid machine of its seed with the mutation applied after
//! generation; shrinking works on the valid machine and re-applies the mutation.
//!
//! This crate never depends on the interpreter: [`check::structural_errors`] re-checks the
//! structural rules on its own.

#![forbid(unsafe_code)]

mod case;
pub mod check;
mod config;
mod gen;
pub mod mutate;
mod profile;
pub mod shape;
mod stats;
mod tape;
mod tree;
pub mod walk;

pub use case::Case;
pub use config::{
    Config, FixtureWeights, Odds, QueryLanguage, ServiceWeights, StateWeights, ALL_INTRINSICS,
};
pub use gen::{fixture_arn, ACCOUNT, LAMBDA_INVOKE, REGION};
pub use mutate::{Kind as MutationKind, Mutation, KINDS as MUTATIONS};
pub use profile::{Profile, ProfileError};
pub use stats::{stats, Count, Stats};
pub use tree::{CaseStrategy, CaseTree};

/// The generator version recorded in every case.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every Choice operator of the JSONPath language (including `And`, `Or`, `Not`).
pub const CHOICE_OPERATORS: [&str; 42] = gen::states::choice::ALL_OPERATORS;

/// The fixture functions Task states may call.
pub const FIXTURES: [&str; 4] = ["echo", "fail", "flaky", "sleep"];

/// The case for `seed` under `profile` (deterministic: same profile and seed, same case).
pub fn generate(profile: &Profile, seed: u64) -> Case {
    tree::fresh_case(&profile.config, &profile.name, seed)
}

/// The case for `seed` under a bare config (profile name `custom`).
pub fn generate_with(config: &Config, seed: u64) -> Case {
    tree::fresh_case(config, "custom", seed)
}

/// A proptest strategy producing cases for `config`, for property tests:
///
/// ```no_run
/// use aslcheck_generators::{case_strategy, Profile};
/// use proptest::prelude::*;
/// proptest! {
///     #[test]
///     fn runs(case in case_strategy(Profile::builtin("all").unwrap().config)) {
///         prop_assert!(case.definition.get("StartAt").is_some());
///     }
/// }
/// ```
pub fn case_strategy(config: Config) -> CaseStrategy {
    CaseStrategy::new(config, "custom")
}

impl Profile {
    /// A proptest strategy for this profile (cases carry the profile's name).
    pub fn strategy(&self) -> CaseStrategy {
        CaseStrategy::new(self.config.clone(), &self.name)
    }
}
