//! aslcheck: a reference interpreter for the Amazon States Language that behaves as AWS Step
//! Functions does, and the harness that compares other implementations with it.
//!
//! The module tree follows the ASL specification:
//! - [`asl`]: definitions — loading, validation, the typed model;
//! - [`data`]: JSONPath data flow — paths, payload templates, the context object;
//! - [`intrinsics`]: intrinsic functions;
//! - [`states`]: one module per state type, plus Retry/Catch;
//! - [`errors`]: error names and the failure value;
//! - [`engine`]: the execution loop, virtual time and history;
//! - [`tasks`]: what Task resources do;
//! - [`cli`]: the subcommands of the `aslcheck` binary.
#![forbid(unsafe_code)]

pub mod backend;
pub mod cli;
pub mod corpus;
pub mod diff;

pub use aslcheck_interp::{asl, data, engine, errors, intrinsics, states, tasks};
