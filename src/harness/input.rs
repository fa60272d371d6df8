//! What the commands read from the command line: execution inputs (a file, `-` for stdin, or
//! inline JSON, accepted as StartExecution accepts them: docs/semantics/execution.md §13.2 — any
//! JSON text; an empty string is refused; at most 256 KiB), definitions (a file or `-` for
//! stdin; text that is not UTF-8 is an invalid definition, not an unreadable file) and
//! execution names (checked as StartExecution checks them).
//!
//! `--input VALUE` is read by one rule, so that no value means two things:
//! - `-` is stdin;
//! - a value whose first character that is not white space is `{`, `[` or `"` is JSON text
//!   itself (`--input '{"a": 1}'`), as the AWS CLI's `--input` takes it;
//! - `file://PATH` is the file PATH (the AWS CLI's spelling);
//! - anything else is a file name. A scalar input (`42`, `true`) is given in a file or on stdin.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::asl::load::{parse_text, Format};
use crate::asl::validate::{forbidden_name_char, Code, Diagnostic};
use crate::asl::{parse_definition, Definition, LoadError};
use crate::engine::MAX_PAYLOAD_BYTES;

/// A problem with the execution input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// The input could not be read (exit code 1).
    Io(String),
    /// The input is not one AWS would accept (exit code 2).
    Invalid(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io(m) | InputError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for InputError {}

/// True when an `--input` value is JSON text itself rather than a file name (module docs).
pub fn is_inline_json(arg: &str) -> bool {
    arg.trim_start().starts_with(['{', '[', '"'])
}

/// Reads an execution input: a file, `-` for stdin, inline JSON (module docs), or `{}` when
/// none is given.
pub fn read_input(arg: Option<&str>) -> Result<Value, InputError> {
    let (text, name) = match arg {
        None => return Ok(Value::Object(Default::default())),
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| InputError::Io(format!("cannot read the input from stdin: {e}")))?;
            (s, "<stdin>".to_string())
        }
        Some(text) if is_inline_json(text) => (text.to_string(), "--input".to_string()),
        Some(arg) => {
            let path = arg.strip_prefix("file://").unwrap_or(arg);
            let bytes = std::fs::read(Path::new(path))
                .map_err(|e| InputError::Io(format!("cannot read the input {path}: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                InputError::Invalid(format!(
                    "{path}: INVALID_EXECUTION_INPUT: the input is not UTF-8 text at byte {}",
                    e.utf8_error().valid_up_to()
                ))
            })?;
            (text, path.to_string())
        }
    };
    parse_input(&text, &name)
}

/// Reads a definition file, or stdin for `-` (as JSON, or YAML when the file name ends in
/// `.yaml`/`.yml`), then validates and compiles it. A file that cannot be read is
/// [`LoadError::Io`]; text that is not UTF-8 is [`LoadError::Invalid`]
/// (`INVALID_JSON_DESCRIPTION`, with the byte offset): the file was read, its content is wrong.
pub fn read_definition(path: &Path) -> Result<Definition, LoadError> {
    let bytes = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| LoadError::Io(format!("cannot read the definition from stdin: {e}")))?;
        b
    } else {
        std::fs::read(path)
            .map_err(|e| LoadError::Io(format!("cannot read {}: {e}", path.display())))?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        LoadError::Invalid(vec![Diagnostic {
            code: Code::InvalidJsonDescription,
            message: "The definition is not UTF-8 text".into(),
            location: Some(format!("byte {}", e.utf8_error().valid_up_to())),
        }])
    })?;
    let json = parse_text(&text, Format::of(path)).map_err(|d| LoadError::Invalid(vec![d]))?;
    parse_definition(json)
}

/// AWS's longest execution name, in characters.
pub const MAX_EXECUTION_NAME_CHARS: usize = 80;

/// Checks an execution name as StartExecution does: 1–80 characters, none of them white space,
/// `< > { } [ ]`, `? *`, ``" # % \ ^ | ~ ` $ & , ; : /``, a control character (U+0000–U+001F,
/// U+007F–U+009F), U+FFFE, U+FFFF or U+10FFFF (docs/semantics/structure.md §1.2; the `name`
/// parameter of StartExecution, <https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html>,
/// whose rules the SDK references repeat, e.g.
/// <https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sfn/aws.sdk.kotlin.services.sfn.model/-start-execution-request/name.html>).
/// The error says what is wrong (an [`InputError::Invalid`]: AWS refuses the request with
/// `InvalidName`).
pub fn check_execution_name(name: &str) -> Result<(), InputError> {
    let n = name.chars().count();
    let problem = if n == 0 {
        Some("it is empty".to_string())
    } else if n > MAX_EXECUTION_NAME_CHARS {
        Some(format!(
            "it has {n} characters; AWS allows at most {MAX_EXECUTION_NAME_CHARS}"
        ))
    } else {
        name.chars()
            .find(|&c| forbidden_name_char(c) || c == '\u{10FFFF}')
            .map(|c| format!("it contains the forbidden character U+{:04X}", c as u32))
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(InputError::Invalid(format!(
            "--name: INVALID_NAME: Invalid Name: '{}': {p} (execution names are 1-80 characters without white space, < > {{ }} [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : / or control characters)",
            name.escape_default()
        ))),
    }
}

/// Parses execution input text as StartExecution does (docs/semantics/execution.md §13.2):
/// any JSON text; an empty string is refused; at most 256 KiB.
pub fn parse_input(text: &str, name: &str) -> Result<Value, InputError> {
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: the input is {} bytes; AWS accepts at most {MAX_PAYLOAD_BYTES} bytes (256 KiB) at /",
            text.len()
        )));
    }
    if text.trim().is_empty() {
        return Err(InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: Invalid State Machine Execution Input: 'Invalid execution input.' at /"
        )));
    }
    serde_json::from_str(text).map_err(|e| {
        // A bound of this tool, not an AWS rule (aslcheck_interp::asl::depth).
        let hint = if e.to_string().contains("recursion limit") {
            format!(
                " (inputs nested more than {} levels deep are refused)",
                crate::asl::depth::MAX_NESTING
            )
        } else {
            String::new()
        };
        InputError::Invalid(format!(
            "{name}: INVALID_EXECUTION_INPUT: Invalid State Machine Execution Input: '{e}'{hint} at line {}, column {}",
            e.line(),
            e.column()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_json_is_recognised_by_its_first_character() {
        assert!(is_inline_json("{}"));
        assert!(is_inline_json("  [1]"));
        assert!(is_inline_json("\"text\""));
        assert!(!is_inline_json("in.json"));
        assert!(!is_inline_json("42"));
        assert_eq!(
            read_input(Some(r#"{"a": [1]}"#)),
            Ok(serde_json::json!({"a": [1]}))
        );
        assert!(matches!(
            read_input(Some("{not json")),
            Err(InputError::Invalid(_))
        ));
        assert!(matches!(
            read_input(Some("file:///nonexistent/in.json")),
            Err(InputError::Io(_))
        ));
    }

    #[test]
    fn execution_names_follow_aws_rules() {
        assert!(check_execution_name("run-1_a.b").is_ok());
        assert!(check_execution_name(&"x".repeat(80)).is_ok());
        assert!(check_execution_name("é".repeat(80).as_str()).is_ok());
        for bad in [
            String::new(),
            "x".repeat(81),
            "a b".into(),
            "a\tb".into(),
            "a\u{7f}".into(),
            "a\u{85}".into(),
            "a\u{FFFE}".into(),
            "a\u{10FFFF}".into(),
        ] {
            assert!(check_execution_name(&bad).is_err(), "{bad:?}");
        }
        for c in "<>{}[]?*\"#%\\^|~`$&,;:/".chars() {
            assert!(
                check_execution_name(&format!("a{c}b")).is_err(),
                "{c} is forbidden"
            );
        }
        let Err(e) = check_execution_name("a b") else {
            panic!("a space is forbidden");
        };
        assert!(e.to_string().contains("U+0020"), "{e}");
    }
}
