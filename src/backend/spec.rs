//! Choosing a backend by name on the command line: `reference`, `sfn-api`, `external:<dir or
//! command>` (`docs/backends.md`).

use std::path::PathBuf;
use std::time::Duration;

use super::external::{External, ExternalOptions};
use super::reference::Reference;
use super::sfn_api::{SfnOptions, WorkflowType};
use super::Backend;

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
pub const SPECS: &str = "reference, sfn-api, external:<adapter dir or command>";

/// Creates the backend a spec names:
/// - `reference`: the embedded interpreter;
/// - `sfn-api`: the Step Functions API (AWS, or `options.sfn.endpoint`);
/// - `external:<dir>`: the adapter whose directory holds a `command` file (e.g.
///   `external:adapters/aws-local-stepfunctions`);
/// - `external:<command line>`: an adapter started with that command.
pub fn from_spec(spec: &str, options: &BackendOptions) -> Result<Box<dyn Backend>, String> {
    match spec {
        "reference" => Ok(Box::new(Reference { seed: options.seed, ..Reference::default() })),
        #[cfg(feature = "aws")]
        "sfn-api" => Ok(Box::new(super::sfn_api::SfnApi::new(&options.sfn)?)),
        #[cfg(not(feature = "aws"))]
        "sfn-api" => Err("sfn-api: this aslcheck was built without the `aws` feature (the AWS SDK); rebuild with default features".into()),
        s => match s.strip_prefix("external:") {
            Some(target) if !target.trim().is_empty() => Ok(Box::new(External::start(target.trim(), &options.external)?)),
            Some(_) => Err("external: needs an adapter directory or a command, e.g. external:adapters/aws-local-stepfunctions".into()),
            None => Err(format!("unknown backend {spec:?}; use one of: {SPECS}")),
        },
    }
}

/// The command-line flags that configure backends (flatten into a subcommand with
/// `#[command(flatten)]`); `docs/backends.md` explains them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BackendArgs {
    /// sfn-api: AWS region [default: AWS_REGION or the profile's; us-east-1 with --endpoint].
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// sfn-api: named AWS profile (SSO and credential_process profiles work).
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// sfn-api: send every call to this endpoint (moto, LocalStack, Step Functions Local).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// sfn-api: the deployed fixture functions: the outputs of aws/fixtures.yaml (JSON).
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// sfn-api: execution role of the state machines [default: the fixtures' ExecutionRoleArn].
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// sfn-api: workflow type of execution cases (a case's environment may override it).
    #[arg(long, value_name = "TYPE", value_parser = ["standard", "express"])]
    pub workflow_type: Option<String>,
    /// sfn-api: cases in flight at once [default: 4].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// sfn-api, external: seconds one case may take before it is stopped [default: 300 / 120].
    #[arg(long, value_name = "SECONDS")]
    pub case_timeout: Option<u64>,
    /// sfn-api: at most this many executions in the run (a cost bound); later cases are skipped.
    #[arg(long, value_name = "N")]
    pub max_executions: Option<u64>,
}

impl BackendArgs {
    /// The options these flags give, for a command-line run: `sfn-api` cleans up on Ctrl-C.
    pub fn options(&self, seed: u64) -> BackendOptions {
        let mut o = BackendOptions {
            seed,
            ..BackendOptions::default()
        };
        let sfn = &mut o.sfn;
        sfn.region = self.region.clone();
        sfn.profile = self.aws_profile.clone();
        sfn.endpoint = self.endpoint.clone();
        sfn.fixtures = self.fixtures.clone();
        sfn.role_arn = self.role_arn.clone();
        if let Some(t) = self.workflow_type.as_deref().and_then(WorkflowType::parse) {
            sfn.workflow_type = t;
        }
        if let Some(n) = self.concurrency {
            sfn.concurrency = n.max(1);
        }
        if let Some(s) = self.case_timeout {
            sfn.case_timeout = Duration::from_secs(s);
            o.external.case_timeout = Duration::from_secs(s);
        }
        sfn.max_executions = self.max_executions;
        sfn.cleanup_on_interrupt = true;
        o
    }
}

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
            .is_some_and(|e| e.contains("unknown backend")));
        assert!(from_spec("external:", &o).is_err());
        assert!(from_spec("external:/definitely/not/here-aslcheck", &o).is_err());
    }

    #[test]
    fn flags() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            backend: BackendArgs,
        }
        let cli = Cli::parse_from([
            "x",
            "--endpoint",
            "http://127.0.0.1:1",
            "--workflow-type",
            "express",
            "--case-timeout",
            "9",
        ]);
        let o = cli.backend.options(3);
        assert_eq!(o.seed, 3);
        assert_eq!(o.sfn.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(o.sfn.workflow_type, WorkflowType::Express);
        assert_eq!(o.external.case_timeout, Duration::from_secs(9));
        assert!(o.sfn.cleanup_on_interrupt);
    }
}
