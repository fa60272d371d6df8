//! The implementations under test: `--backend` names and the flags that configure them, turned
//! into [`Backend`]s, and rendered back into command-line words for reproduce commands.

use std::path::PathBuf;
use std::time::Duration;

use crate::backend::sfn_api::WorkflowType;
use crate::backend::spec::{from_spec, BackendOptions};
use crate::backend::{Backend, BackendError};

/// The command-line flags that configure backends (flatten into a subcommand's arguments with
/// `#[command(flatten)]`); `docs/backends.md` explains them.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct BackendArgs {
    /// sfn-api: AWS region [default: AWS_REGION or the profile's; us-east-1 with --endpoint].
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// sfn-api: named AWS profile (SSO and credential_process profiles work); `--profile` (the
    /// AWS CLI's spelling) is the same flag where `--profile` names no generator profile
    /// (`replay`, `shrink`, `record`).
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// sfn-api: send every call to this endpoint (moto, LocalStack, Step Functions Local);
    /// `--endpoint-url` (the AWS CLI's spelling) is the same flag.
    #[arg(long, value_name = "URL", visible_alias = "endpoint-url")]
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
    /// external: seconds the adapter may take to start and answer `start` [default: 30].
    #[arg(long, value_name = "SECONDS")]
    pub startup_timeout: Option<u64>,
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
        if let Some(s) = self.startup_timeout {
            o.external.start_timeout = Duration::from_secs(s);
        }
        o
    }

    /// The flags as command-line words (`--endpoint URL …`), in declaration order: what a
    /// reproduce command repeats so that it reaches the same implementations.
    pub fn to_argv(&self) -> Vec<String> {
        let mut words = Vec::new();
        let mut flag = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                words.push(format!("--{name}"));
                words.push(v);
            }
        };
        flag("region", self.region.clone());
        flag("aws-profile", self.aws_profile.clone());
        flag("endpoint", self.endpoint.clone());
        flag(
            "fixtures",
            self.fixtures.as_ref().map(|p| p.display().to_string()),
        );
        flag("role-arn", self.role_arn.clone());
        flag("workflow-type", self.workflow_type.clone());
        flag("concurrency", self.concurrency.map(|n| n.to_string()));
        flag("case-timeout", self.case_timeout.map(|n| n.to_string()));
        flag("max-executions", self.max_executions.map(|n| n.to_string()));
        flag(
            "startup-timeout",
            self.startup_timeout.map(|n| n.to_string()),
        );
        words
    }

    /// Opens the backend `spec` names (`reference`, `sfn-api`, `external:…`) with these flags.
    pub fn open(&self, spec: &str) -> Result<Box<dyn Backend>, BackendError> {
        from_spec(spec, &self.options(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        backend: BackendArgs,
    }

    #[test]
    fn flags() {
        let cli = Cli::parse_from([
            "x",
            "--endpoint",
            "http://127.0.0.1:1",
            "--workflow-type",
            "express",
            "--case-timeout",
            "9",
            "--startup-timeout",
            "5",
        ]);
        let o = cli.backend.options(3);
        assert_eq!(o.seed, 3);
        assert_eq!(o.sfn.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(o.sfn.workflow_type, WorkflowType::Express);
        assert_eq!(o.external.case_timeout, Duration::from_secs(9));
        assert_eq!(o.external.start_timeout, Duration::from_secs(5));
        assert!(o.sfn.cleanup_on_interrupt);
    }

    #[test]
    fn flags_render_back_to_the_words_that_parse_to_them() {
        let words = [
            "--region",
            "eu-west-1",
            "--aws-profile",
            "p",
            "--endpoint",
            "http://127.0.0.1:5000",
            "--fixtures",
            "f.json",
            "--role-arn",
            "arn:aws:iam::1:role/r",
            "--workflow-type",
            "standard",
            "--concurrency",
            "2",
            "--case-timeout",
            "7",
            "--max-executions",
            "9",
            "--startup-timeout",
            "4",
        ];
        let cli = Cli::parse_from(std::iter::once("x").chain(words));
        assert_eq!(cli.backend.to_argv(), words);
        let again = Cli::parse_from(std::iter::once("x".to_string()).chain(cli.backend.to_argv()));
        assert_eq!(again.backend, cli.backend);
        assert!(BackendArgs::default().to_argv().is_empty());
    }
}
