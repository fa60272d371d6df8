//! aslcheck: the harness that compares implementations of the Amazon States Language with the
//! reference interpreter (the `aslcheck-interp` crate, re-exported here) and with AWS.
//!
//! Layers, each using only those below it:
//! - [`cli`]: the subcommands of the `aslcheck` binary — one module each, composing library calls;
//! - [`harness`]: observing cases on implementations, replaying the corpus, differential runs,
//!   minimising divergences, recording expected results;
//! - [`report`]: report files (results.jsonl, summary.json, junit.xml, summary.md, index.html),
//!   rendered from a run's records by pure functions;
//! - [`serve`]: the Step Functions API on the reference interpreter (`aslcheck serve`);
//! - [`diff`]: normalise → compare → render, and the pure shrinker;
//! - [`corpus`]: the case format, strict loading, expectations, writing case files;
//! - [`backend`]: every implementation behind one trait (`reference`, `sfn-api`, `external:`);
//! - the interpreter ([`asl`], [`data`], [`intrinsics`], [`states`], [`errors`], [`engine`],
//!   [`tasks`]), from `aslcheck-interp`.
#![forbid(unsafe_code)]

pub mod backend;
pub mod cli;
pub mod corpus;
pub mod diff;
pub mod harness;
pub mod report;
pub mod serve;

pub use aslcheck_interp::{asl, data, engine, errors, intrinsics, states, tasks, world};
