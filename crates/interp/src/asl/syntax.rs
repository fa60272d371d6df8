//! Syntax checks the validator needs for strings inside a definition: paths, reference paths,
//! intrinsic calls and timestamps. They use the same parsers the interpreter runs.

use crate::data::path::Path;
use crate::data::{timestamp, PathRef};
use crate::intrinsics;

/// A Path field value (`$…`, or a `$$…` context path).
pub fn check_path(text: &str) -> Result<(), String> {
    PathRef::compile(text).map(|_| ())
}

/// A Reference Path: only `.name`, `['name']` and `[n]` steps (ASL spec "Reference Paths").
pub fn check_reference_path(text: &str) -> Result<(), String> {
    let inner = match text.strip_prefix("$$") {
        Some(rest) => format!("${rest}"),
        None => text.to_string(),
    };
    let p = Path::parse(&inner).map_err(|e| e.message)?;
    if p.is_reference() {
        Ok(())
    } else {
        Err(format!(
            "'{text}' is not a reference path: only .name, ['name'] and [n] steps are allowed"
        ))
    }
}

/// An intrinsic function call, parsed exactly as it will run.
pub fn check_intrinsic(text: &str) -> Result<(), String> {
    intrinsics::parse(text, &mut |p| PathRef::compile(p))
        .map(|_| ())
        .map_err(|e| e.message)
}

/// An RFC 3339 timestamp as AWS accepts it.
pub fn check_timestamp(text: &str) -> bool {
    timestamp::is_timestamp(text)
}
