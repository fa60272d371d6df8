//! Syntax checks the validator needs for strings inside a definition: paths, reference paths,
//! intrinsic calls and timestamps. They use the same parsers the interpreter runs.

use std::fmt;

use crate::data::path::{Path, PathSyntaxError};
use crate::data::{timestamp, PathRef};
use crate::intrinsics;

/// Why a string is not the path or intrinsic call its field needs. `Display` is the parser's
/// explanation, which the validator puts into its diagnostic (e.g. after
/// `Value is not a Reference Path: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// Not a Path at all: the path parser's error.
    Path(PathSyntaxError),
    /// A Path, but with steps a Reference Path may not have (ASL spec "Reference Paths"); the
    /// text as written.
    NotReference(String),
    /// Not an intrinsic function call.
    Intrinsic(intrinsics::SyntaxError),
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxError::Path(e) => write!(f, "{e}"),
            SyntaxError::NotReference(text) => write!(
                f,
                "'{text}' is not a reference path: only .name, ['name'] and [n] steps are allowed"
            ),
            SyntaxError::Intrinsic(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SyntaxError {}

/// A Path field value (`$…`, or a `$$…` context path).
pub fn check_path(text: &str) -> Result<(), SyntaxError> {
    PathRef::compile(text)
        .map(|_| ())
        .map_err(SyntaxError::Path)
}

/// A Reference Path: only `.name`, `['name']` and `[n]` steps (ASL spec "Reference Paths").
pub fn check_reference_path(text: &str) -> Result<(), SyntaxError> {
    let inner = match (text.strip_prefix("$$"), crate::data::variable_root(text)) {
        (Some(rest), _) => format!("${rest}"),
        (None, Some((_, rest))) => format!("${rest}"),
        (None, None) => text.to_string(),
    };
    let p = Path::parse(&inner).map_err(SyntaxError::Path)?;
    if p.is_reference() {
        Ok(())
    } else {
        Err(SyntaxError::NotReference(text.to_string()))
    }
}

/// An intrinsic function call, parsed exactly as it will run.
pub fn check_intrinsic(text: &str) -> Result<(), SyntaxError> {
    intrinsics::parse(text, &mut |p| PathRef::compile(p).map_err(|e| e.message))
        .map(|_| ())
        .map_err(SyntaxError::Intrinsic)
}

/// An RFC 3339 timestamp as AWS accepts it.
pub fn check_timestamp(text: &str) -> bool {
    timestamp::is_timestamp(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem() {
        assert_eq!(check_path("$.a"), Ok(()));
        assert!(matches!(check_path("a"), Err(SyntaxError::Path(_))));
        assert_eq!(check_reference_path("$$.Execution.Id"), Ok(()));
        let e = check_reference_path("$.a[*]").unwrap_err();
        assert_eq!(e, SyntaxError::NotReference("$.a[*]".into()));
        assert_eq!(
            e.to_string(),
            "'$.a[*]' is not a reference path: only .name, ['name'] and [n] steps are allowed"
        );
        assert_eq!(check_intrinsic("States.UUID()"), Ok(()));
        let e = check_intrinsic("States.Nope(").unwrap_err();
        let SyntaxError::Intrinsic(inner) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(e.to_string(), inner.message);
    }
}
