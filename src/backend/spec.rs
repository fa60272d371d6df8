//! Choosing a backend by name on the command line: `reference`, `sfn-api`, `external:<dir or
//! command>` (`docs/backends.md`).

use super::external::{External, ExternalOptions};
use super::reference::Reference;
use super::sfn_api::SfnOptions;
use super::{Backend, BackendError};
use crate::engine::Fault;

/// Everything any backend can be configured with; each backend reads its own part.
#[derive(Debug, Clone, Default)]
pub struct BackendOptions {
    /// Seed of the reference interpreter's random source.
    pub seed: u64,
    /// `sfn-api`: region, profile, endpoint, fixtures, limits.
    pub sfn: SfnOptions,
    /// `external:…`: timeouts.
    pub external: ExternalOptions,
}

/// The spellings [`from_spec`] accepts, for error messages and `--help`.
pub const SPECS: &str =
    "reference, sfn-api, external:<adapter dir or command>; any but external: may end in @NAME";

/// Creates the backend a spec names:
/// - `reference`: the embedded interpreter;
/// - `sfn-api`: the Step Functions API (AWS, or `options.sfn.endpoint`);
/// - `external:<dir>`: the adapter whose directory holds a `command` file (e.g.
///   `external:adapters/aws-local-stepfunctions`);
/// - `external:<command line>`: an adapter started with that command.
/// - `reference+fault=resultpath`: a testing aid, the reference interpreter with one deliberate
///   departure from AWS ([`Fault::ResultPathOneLevelUp`]: `ResultPath` writes one level too
///   high), used to check that `diff` finds and `shrink` minimises a known divergence. It is
///   accepted only when `ASLCHECK_ENABLE_FAULTS=1` is set, so it can never be picked by accident.
///
/// `sfn-api@NAME` (any spec but `external:…` followed by `@NAME`) names the backend `NAME` in
/// reports and picks `corpus/expectations/NAME.toml`: `sfn-api@moto --endpoint …` is moto.
pub fn from_spec(spec: &str, options: &BackendOptions) -> Result<Box<dyn Backend>, BackendError> {
    if !spec.starts_with("external:") {
        if let Some((base, name)) = spec.split_once('@') {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !valid {
                return Err(BackendError::Unknown(spec.to_string()));
            }
            let inner = from_spec(base, options)?;
            return Ok(Box::new(Named {
                inner,
                name: name.to_string(),
            }));
        }
    }
    match spec {
        "reference" => Ok(Box::new(Reference {
            seed: options.seed,
            ..Reference::default()
        })),
        "reference+fault=resultpath" => {
            if std::env::var(ENABLE_FAULTS).is_ok_and(|v| v == "1") {
                Ok(Box::new(Reference {
                    seed: options.seed,
                    fault: Some(Fault::ResultPathOneLevelUp),
                }))
            } else {
                Err(BackendError::FaultsLocked {
                    spec: spec.to_string(),
                    variable: ENABLE_FAULTS,
                })
            }
        }
        #[cfg(feature = "aws")]
        "sfn-api" => Ok(Box::new(
            super::sfn_api::SfnApi::new(&options.sfn).map_err(BackendError::Setup)?,
        )),
        #[cfg(not(feature = "aws"))]
        "sfn-api" => Err(BackendError::NoAws),
        s => match s.strip_prefix("external:") {
            Some(target) if !target.trim().is_empty() => Ok(Box::new(
                External::start(target.trim(), &options.external).map_err(BackendError::Setup)?,
            )),
            Some(_) => Err(BackendError::NoExternalTarget),
            None => Err(BackendError::Unknown(spec.to_string())),
        },
    }
}

/// A backend under another name (`sfn-api@moto`).
struct Named {
    inner: Box<dyn Backend>,
    name: String,
}

impl Backend for Named {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> super::Capabilities {
        self.inner.capabilities()
    }

    fn run(&mut self, request: &super::Request<'_>) -> super::Observation {
        self.inner.run(request)
    }

    fn run_batch(&mut self, requests: &[super::Request<'_>]) -> Vec<super::Observation> {
        self.inner.run_batch(requests)
    }
}

/// The environment variable that unlocks deliberately faulty backends (a testing aid).
pub const ENABLE_FAULTS: &str = "ASLCHECK_ENABLE_FAULTS";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        let o = BackendOptions::default();
        assert_eq!(
            from_spec("reference", &o)
                .map(|b| b.name().to_string())
                .ok()
                .as_deref(),
            Some("reference")
        );
        assert!(from_spec("nope", &o)
            .err()
            .is_some_and(|e| e.to_string().contains("unknown backend")));
        assert!(from_spec("external:", &o).is_err());
        assert_eq!(
            from_spec("reference@mine", &o)
                .map(|b| b.name().to_string())
                .ok()
                .as_deref(),
            Some("mine")
        );
        assert!(from_spec("reference@", &o).is_err());
        assert!(from_spec("reference@a b", &o).is_err());
        assert!(from_spec("external:/definitely/not/here-aslcheck", &o).is_err());
    }
}
