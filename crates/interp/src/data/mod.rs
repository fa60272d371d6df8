//! JSONPath data flow (ASL spec "Input and Output Processing"; docs/semantics/data-flow.md §2 and context-object.md §3).
//!
//! - [`path`]: the JSONPath dialect (Jayway) AWS evaluates, including reference paths and
//!   ResultPath writes;
//! - [`template`]: payload templates (`Parameters`, `ResultSelector`, `ItemSelector`) with `.$` keys;
//! - [`context`]: the context object (`$$`);
//! - [`jsonata`]: fields of JSONata states (`{% %}` expressions, `$states`);
//! - [`flow`]: the InputPath → … → OutputPath pipeline steps shared by all states;
//! - [`size`]: the size of a value as the payload limits count it;
//! - [`timestamp`]: timestamps as AWS parses and prints them.

pub mod context;
pub mod flow;
pub mod jsonata;
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
    /// A workflow variable: `$name` followed by the path into its value, compiled as `$…`
    /// (docs/semantics/variables.md, "Reading variables").
    Variable {
        name: String,
        path: Path,
        text: String,
    },
}

/// Splits `$name…` into the variable's name and the rest of the path, when `text` starts with a
/// variable reference (a `$` followed by an identifier character; `$$` and `$.`/`$[` are not).
pub fn variable_root(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('$')?;
    let first = rest.chars().next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let end = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    Some((&rest[..end], &rest[end..]))
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
        } else if let Some((name, rest)) = variable_root(text) {
            let path = Path::parse(&format!("${rest}"))?;
            Ok(PathRef::Variable {
                name: name.to_string(),
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
            PathRef::Context { text, .. } | PathRef::Variable { text, .. } => text,
        }
    }
}

impl PathRef {
    /// Evaluates the path on the state data, the context object or a variable.
    pub fn select<'a>(
        &self,
        input: &'a Value,
        context: &'a Context<'a>,
    ) -> Result<Cow<'a, Value>, PathError> {
        match self {
            PathRef::Input(p) => p.select(input),
            PathRef::Context { path, .. } => context.select(path),
            PathRef::Variable { name, path, .. } => match context.execution.variable(name) {
                Some(value) => path.select(value),
                None => Err(PathError {
                    message: format!("The variable '${name}' is not defined"),
                }),
            },
        }
    }
}
