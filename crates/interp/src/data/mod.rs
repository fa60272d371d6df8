//! JSONPath data flow (ASL spec "Input and Output Processing"; docs/semantics/data-flow.md §2 and context-object.md §3).
//!
//! - [`path`]: the JSONPath dialect (Jayway) AWS evaluates, including reference paths and
//!   ResultPath writes;
//! - [`template`]: payload templates (`Parameters`, `ResultSelector`, `ItemSelector`) with `.$` keys;
//! - [`context`]: the context object (`$$`);
//! - [`flow`]: the InputPath → … → OutputPath pipeline steps shared by all states;
//! - [`size`]: the size of a value as the payload limits count it;
//! - [`timestamp`]: timestamps as AWS parses and prints them.

pub mod context;
pub mod flow;
pub mod path;
pub mod size;
pub mod template;
pub mod timestamp;

use std::borrow::Cow;

use serde_json::Value;

use context::Context;
use path::{Path, PathError, PathSyntaxError};

/// A path in a field that may address the state data (`$…`) or the context object (`$$…`).
#[derive(Debug, Clone, PartialEq)]
pub enum PathRef {
    Input(Path),
    /// Compiled without the first `$`; `text` keeps the original.
    Context {
        path: Path,
        text: String,
    },
}

impl PathRef {
    /// Compiles a Path field value (`$.a`, `$$.Execution.Id`, `$$`).
    pub fn compile(text: &str) -> Result<PathRef, PathSyntaxError> {
        if let Some(rest) = text.strip_prefix("$$") {
            let inner = format!("${rest}");
            let path = Path::parse(&inner)?;
            Ok(PathRef::Context {
                path,
                text: text.to_string(),
            })
        } else {
            Path::parse(text).map(PathRef::Input)
        }
    }

    /// The path as written in the definition.
    pub fn text(&self) -> &str {
        match self {
            PathRef::Input(p) => p.text(),
            PathRef::Context { text, .. } => text,
        }
    }
}

impl PathRef {
    /// Evaluates the path on the state data or the context object.
    pub fn select<'a>(
        &self,
        input: &'a Value,
        context: &'a Context<'a>,
    ) -> Result<Cow<'a, Value>, PathError> {
        match self {
            PathRef::Input(p) => p.select(input),
            PathRef::Context { path, .. } => context.select(path),
        }
    }
}
