//! Judging results, in three pure steps (STYLE "Shape we want"):
//!
//! - [`normalise`]: replace run-to-run values (ARNs, names, timestamps, tokens, request ids,
//!   UUIDs) with numbered placeholders that keep identity;
//! - [`compare`]: an observation against a case's expected result — JSON values, patterns,
//!   `any_of` — giving an [`compare::Judgement`] whose mismatches are JSON Pointers;
//! - [`render`]: mismatch lists and unified diffs (`similar`), coloured only on a terminal.
//!
//! [`agreement`] compares two observations of one case; [`signature`] says which defect a
//! divergence is (members, error names, masked causes); [`shrink`] minimises a case on which two
//! implementations disagree.

pub mod agreement;
pub mod compare;
pub mod normalise;
pub mod render;
pub mod shrink;
pub mod signature;

pub use compare::{judge, Judgement, Mismatch};
pub use normalise::Normaliser;
pub use signature::Signature;
