//! The steps of the JSONPath pipeline that every state shares (docs/semantics/data-flow.md §2.1–2.2):
//! InputPath, ResultPath and OutputPath, with AWS's defaults for absent and `null` values.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::context::Context;
use super::path::Path;
use super::template::compact;
use super::PathRef;
use crate::errors::Failure;

/// `InputPath` / `OutputPath`: absent means `$`, `null` means `{}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum IoPath {
    #[default]
    Whole,
    Null,
    Path(PathRef),
}

/// `ResultPath`: absent means `$` (the result replaces the input), `null` discards the result.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ResultPath {
    #[default]
    Replace,
    Discard,
    At(Path),
}

impl IoPath {
    /// Reads the field from a definition value (`None` when absent).
    pub fn compile(value: Option<&Value>) -> Result<IoPath, String> {
        match value {
            None => Ok(IoPath::Whole),
            Some(Value::Null) => Ok(IoPath::Null),
            Some(Value::String(s)) if s == "$" => Ok(IoPath::Whole),
            Some(Value::String(s)) => PathRef::compile(s).map(IoPath::Path).map_err(|e| e.message),
            Some(_) => Err("expected a path string or null".into()),
        }
    }

    /// Applies the path. A definite path that selects nothing is `States.Runtime` with AWS's cause
    /// `Invalid path '<path>' : <Jayway message>` (§2.5).
    pub fn apply<'v>(
        &self,
        value: &'v Value,
        context: &'v Context<'v>,
    ) -> Result<Cow<'v, Value>, Failure> {
        match self {
            IoPath::Whole => Ok(Cow::Borrowed(value)),
            IoPath::Null => Ok(Cow::Owned(Value::Object(Map::new()))),
            IoPath::Path(p) => p
                .select(value, context)
                .map_err(|e| invalid_path(p.text(), &e.message)),
        }
    }

    /// Whether the path selects from the context object (`$$…`) rather than the state's data.
    pub fn reads_context(&self) -> bool {
        matches!(self, IoPath::Path(PathRef::Context { .. }))
    }

    /// Like [`IoPath::apply`] but consumes the value (no copy for `$`).
    pub fn apply_owned(&self, value: Value, context: &Context<'_>) -> Result<Value, Failure> {
        match self {
            IoPath::Whole => Ok(value),
            IoPath::Null => Ok(Value::Object(Map::new())),
            IoPath::Path(p) => p
                .select(&value, context)
                .map(Cow::into_owned)
                .map_err(|e| invalid_path(p.text(), &e.message)),
        }
    }
}

fn invalid_path(text: &str, message: &str) -> Failure {
    Failure::runtime(format!("Invalid path '{text}' : {message}"))
}

impl ResultPath {
    pub fn compile(value: Option<&Value>) -> Result<ResultPath, String> {
        match value {
            None => Ok(ResultPath::Replace),
            Some(Value::Null) => Ok(ResultPath::Discard),
            Some(Value::String(s)) if s == "$" => Ok(ResultPath::Replace),
            Some(Value::String(s)) => {
                let p = Path::parse(s).map_err(|e| e.message)?;
                if p.is_reference() {
                    Ok(ResultPath::At(p))
                } else {
                    Err(format!("'{s}' is not a reference path"))
                }
            }
            Some(_) => Err("expected a reference path string or null".into()),
        }
    }

    /// Combines the state's raw input with its (selected) result. Also hands back the value that
    /// is no longer part of the output (the raw input, the discarded result, or the member the
    /// result overwrote), so that the caller can reuse it.
    pub fn apply_displacing(
        &self,
        raw_input: Value,
        result: Value,
    ) -> Result<(Value, Option<Value>), Failure> {
        match self {
            ResultPath::Replace => Ok((result, Some(raw_input))),
            ResultPath::Discard => Ok((raw_input, Some(result))),
            ResultPath::At(p) => {
                let mut target = raw_input;
                match p.set(&mut target, result) {
                    Ok(displaced) => Ok((target, displaced)),
                    // UNVERIFIED (docs/semantics/data-flow.md §2.5, appendix 5): the spec names
                    // States.ResultPathMatchFailure; AWS is assumed to use States.Runtime, as it
                    // does for every other path failure.
                    Err(e) => Err(Failure::runtime(format!(
                        "Unable to apply ResultPath '{}' to input '{}': {}",
                        p.text(),
                        compact(&target),
                        e.message
                    ))),
                }
            }
        }
    }
}
