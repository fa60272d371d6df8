//! Loading a definition: JSON or YAML text → JSON value → validation → compiled [`Machine`].
//!
//! YAML is accepted because SAM, CDK and Serverless users keep definitions in YAML. Errors name
//! the file and what was wrong; validation problems carry AWS's codes and JSON Pointer locations.

use std::fmt;
use std::path::Path as FsPath;

use serde_json::Value;

use super::depth::{value_depth, yaml_flow_too_deep, MAX_NESTING};
use super::model::Machine;
use super::validate::{validate, Code, Diagnostic};

/// AWS's limit on definition text: 1,048,576 characters (docs/semantics/structure.md §1.1).
pub const MAX_DEFINITION_CHARS: usize = 1_048_576;

/// A loaded, valid definition.
#[derive(Debug, Clone)]
pub struct Definition {
    pub json: Value,
    pub machine: Machine,
}

/// Why a definition could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file could not be read.
    Io(String),
    /// The definition is invalid: one or more diagnostics.
    Invalid(Vec<Diagnostic>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(m) => f.write_str(m),
            LoadError::Invalid(d) => {
                for (i, d) in d.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
        }
    }
}

/// The text format of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// `.yaml`/`.yml` files are YAML; everything else is JSON.
    pub fn of(path: &FsPath) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => {
                Format::Yaml
            }
            _ => Format::Json,
        }
    }
}

fn diag(code: Code, message: impl Into<String>, location: Option<&str>) -> Diagnostic {
    Diagnostic {
        code,
        message: message.into(),
        location: location.map(str::to_string),
    }
}

/// The diagnostic for a definition nested deeper than [`MAX_NESTING`] (a bound of this tool,
/// not an AWS rule: [`super::depth`]).
fn too_deep(format: Format, at: Option<(usize, usize)>) -> Diagnostic {
    let what = match format {
        Format::Json => "JSON",
        Format::Yaml => "YAML",
    };
    diag(
        Code::InvalidJsonDescription,
        format!(
            "The definition ({what}) is nested more than {MAX_NESTING} levels deep; aslcheck refuses deeper documents to bound its parser (AWS documents no such limit)"
        ),
        at.map(|(line, column)| format!("line {line}, column {column}"))
            .as_deref(),
    )
}

/// Parses definition text into JSON without validating it.
pub fn parse_text(text: &str, format: Format) -> Result<Value, Diagnostic> {
    if text.chars().count() > MAX_DEFINITION_CHARS {
        return Err(diag(
            Code::SchemaValidationFailed,
            format!("The definition is longer than {MAX_DEFINITION_CHARS} characters"),
            None,
        ));
    }
    if text.trim().is_empty() {
        return Err(diag(
            Code::SchemaValidationFailed,
            "Definition must be a valid JSON object",
            None,
        ));
    }
    // The YAML parser takes time quadratic in the depth of flow collections before its own
    // recursion limit applies: deeper documents are refused before it runs.
    if format == Format::Yaml {
        if let Some((line, column)) = yaml_flow_too_deep(text, MAX_NESTING) {
            return Err(too_deep(format, Some((line, column))));
        }
    }
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| {
            if e.to_string().starts_with("recursion limit exceeded") {
                return too_deep(format, Some((e.line(), e.column())));
            }
            diag(
                Code::InvalidJsonDescription,
                format!("The definition is not valid JSON: {e}"),
                Some(&format!("line {}, column {}", e.line(), e.column())),
            )
        }),
        Format::Yaml => {
            let v = serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
            if let (true, Some(l)) = (
                e.to_string().starts_with("recursion limit exceeded"),
                e.location(),
            ) {
                return too_deep(format, Some((l.line(), l.column())));
            }
            let at = e
                .location()
                .map(|l| format!("line {}, column {}", l.line(), l.column()));
            diag(
                Code::InvalidJsonDescription,
                format!("The definition is not valid YAML (or uses YAML that has no JSON equivalent): {e}"),
                at.as_deref(),
            )
        })?;
            // Block collections: the parser accepts one level more than JSON does.
            if value_depth(&v) > MAX_NESTING {
                return Err(too_deep(format, None));
            }
            Ok(v)
        }
    }
}

/// Validates and compiles a parsed definition.
pub fn parse_definition(json: Value) -> Result<Definition, LoadError> {
    let diags = validate(&json);
    if !diags.is_empty() {
        return Err(LoadError::Invalid(diags));
    }
    match Machine::compile(&json) {
        Ok(machine) => Ok(Definition { json, machine }),
        Err(e) => Err(LoadError::Invalid(vec![diag(
            Code::SchemaValidationFailed,
            e.message,
            Some(&e.pointer),
        )])),
    }
}

/// Reads, parses, validates and compiles a definition file.
pub fn load_definition(path: &FsPath) -> Result<Definition, LoadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::Io(format!("cannot read {}: {e}", path.display())))?;
    let json = parse_text(&text, Format::of(path)).map_err(|d| LoadError::Invalid(vec![d]))?;
    parse_definition(json)
}
