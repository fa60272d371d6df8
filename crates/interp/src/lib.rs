//! aslcheck-interp: a reference interpreter for the Amazon States Language that behaves as AWS
//! Step Functions does — outputs, errors, causes and execution history — on virtual time.
//!
//! The module tree follows the ASL specification (`docs/spec-map.md` maps each section to its
//! files):
//! - [`asl`]: definitions — loading, validation, the typed model;
//! - [`data`]: JSONPath data flow — paths, payload templates, ResultPath, the context object;
//! - [`intrinsics`]: intrinsic functions (parser, one file per family);
//! - [`states`]: one module per state type, plus Retry/Catch;
//! - [`errors`]: error names and the failure value;
//! - [`engine`]: the execution loop, virtual time and history;
//! - [`tasks`]: what Task resources do (fixtures, mocks, callbacks, service integrations);
//! - [`world`]: the simulated AWS resources a run reads and changes.
//!
//! Everything nondeterministic enters through [`engine::RunOptions`].
#![forbid(unsafe_code)]

pub mod asl;
pub mod data;
pub mod engine;
pub mod errors;
pub mod intrinsics;
pub mod states;
pub mod tasks;
pub mod world;
