//! `aslcheck serve`: the Step Functions API (AWS JSON 1.0, `X-Amz-Target:
//! AWSStepFunctions.<Action>`) on the reference interpreter, for clients that test workflows
//! through the API (boto3, the AWS SDKs and CLI); docs/serve.md.
//!
//! - [`api`]: the actions, as pure request → reply functions over the [`store`];
//! - [`store`]: machines and executions, with a retention bound on finished executions;
//! - [`persist`]: the `--state-dir` folder that keeps them across restarts;
//! - [`test_state`]: TestState, one state run on its own;
//! - [`tokens`]: task tokens between waiting executions and SendTask* calls;
//! - [`error`]: AWS's error shape;
//! - `http`: hyper on tokio, keep-alive, a request size limit, graceful shutdown;
//! - [`load`]: a load driver for any endpoint of the API (`aslcheck bench-api`).

pub mod api;
pub mod error;
#[cfg(feature = "serve")]
mod http;
pub mod load;
pub mod persist;
pub mod store;
pub mod test_state;
pub mod tokens;

pub use api::{Api, Config, Reply, Time};

/// Where and how the server listens.
#[derive(Debug, Clone)]
pub struct Listen {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    /// Refuse requests without a Signature Version 4 `Authorization` header
    /// (`http::check_signature`).
    pub require_auth: bool,
    /// Keep machines, activities and ended executions here across restarts ([`persist`]).
    pub state_dir: Option<std::path::PathBuf>,
}

/// Reads the state folder if there is one, binds `host:port`, calls `ready` with the bound
/// address, and serves until SIGINT or SIGTERM; then writes the state folder a last time.
#[cfg(feature = "serve")]
pub fn run(
    listen: &Listen,
    cfg: Config,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), String> {
    use std::sync::Arc;
    let api = Arc::new(Api::new(cfg));
    let saver = match &listen.state_dir {
        None => None,
        Some(dir) => {
            let (state, saved) = persist::StateDir::open(dir, &Api::compile)?;
            api.restore(saved);
            Some(persist::Saver::start(api.clone(), state))
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    let (host, port) = (listen.host.as_str(), listen.port);
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((host, port))
            .await
            .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        ready(addr);
        http::serve(listener, api.clone(), listen.require_auth)
            .await
            .map_err(|e| format!("the server stopped: {e}"))
    });
    let saved = saver.map_or(Ok(()), persist::Saver::finish);
    served.and(saved)
}
