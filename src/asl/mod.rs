//! Definitions: loading JSON or YAML, validation with AWS-style diagnostics, and the typed model
//! (ASL spec "Structure of a State Machine"; ASL-SEMANTICS §1).

pub mod load;
pub mod model;
pub mod syntax;
pub mod validate;

pub use load::{load_definition, parse_definition, Definition, LoadError};
