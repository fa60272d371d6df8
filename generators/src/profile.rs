//! Profiles: named configs for one feature area each, stored as `profiles/<name>.toml`.
//!
//! The built-in profiles are compiled into the crate (`include_str!`), so a binary finds them
//! from any working directory. A profile file has a `description`, and a `[config]` table with
//! any [`Config`] fields; absent fields keep [`Config::default`]. Unknown fields are rejected.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::config::Config;

/// The built-in profiles: (name, TOML text).
const BUILTIN: &[(&str, &str)] = &[
    ("all", include_str!("../profiles/all.toml")),
    ("paths", include_str!("../profiles/paths.toml")),
    ("intrinsics", include_str!("../profiles/intrinsics.toml")),
    ("choice", include_str!("../profiles/choice.toml")),
    ("errors", include_str!("../profiles/errors.toml")),
    ("map", include_str!("../profiles/map.toml")),
    ("parallel", include_str!("../profiles/parallel.toml")),
    ("swarm", include_str!("../profiles/swarm.toml")),
    ("jsonata", include_str!("../profiles/jsonata.toml")),
    ("services", include_str!("../profiles/services.toml")),
    ("invalid", include_str!("../profiles/invalid.toml")),
];

/// A named generator configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub config: Config,
}

/// Why a profile could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    /// Neither a built-in profile nor a readable file.
    NotFound { name: String, known: Vec<String> },
    /// The file exists but could not be read.
    Io { path: String, message: String },
    /// The TOML is malformed or has unknown/mistyped fields.
    Invalid { name: String, message: String },
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::NotFound { name, known } => write!(
                f,
                "no profile named '{name}' (built-in profiles: {}; or give the path of a .toml file)",
                known.join(", ")
            ),
            ProfileError::Io { path, message } => write!(f, "cannot read profile file {path}: {message}"),
            ProfileError::Invalid { name, message } => write!(f, "invalid profile '{name}': {message}"),
        }
    }
}

impl std::error::Error for ProfileError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    config: Config,
}

impl Profile {
    /// Names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Profile::parse(n, text),
            None => Err(ProfileError::NotFound {
                name: name.to_string(),
                known: Profile::builtin_names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            }),
        }
    }

    /// A built-in profile by name, or else a profile file at the path `name`.
    pub fn load(name: &str) -> Result<Profile, ProfileError> {
        if BUILTIN.iter().any(|(n, _)| *n == name) {
            return Profile::builtin(name);
        }
        let path = Path::new(name);
        if !path.is_file() {
            return Profile::builtin(name);
        }
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Io {
            path: name.to_string(),
            message: e.to_string(),
        })?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(name)
            .to_string();
        Profile::parse(&stem, &text)
    }

    /// Parses profile TOML text.
    pub fn parse(name: &str, text: &str) -> Result<Profile, ProfileError> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| {
            // One line: toml's own rendering quotes the source over several lines.
            let at = e.span().map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(" at line {line}, column {column}")
            });
            ProfileError::Invalid {
                name: name.to_string(),
                message: format!("{}{}", e.message().trim(), at.unwrap_or_default()),
            }
        })?;
        Ok(Profile {
            name: name.to_string(),
            description: file.description,
            config: file.config,
        })
    }

    /// A profile around an arbitrary config (named `custom`).
    pub fn custom(config: Config) -> Profile {
        Profile {
            name: "custom".to_string(),
            description: String::new(),
            config,
        }
    }
}
