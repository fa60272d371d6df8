//! `aslcheck serve`: the Step Functions API (AWS JSON 1.0, `X-Amz-Target:
//! AWSStepFunctions.<Action>`) on the reference interpreter, for clients that test workflows
//! through the API (boto3, the AWS SDKs and CLI); docs/serve.md.
//!
//! - [`api`]: the actions, as pure request → reply functions over the [`store`];
//! - [`store`]: machines and executions, with a retention bound on finished executions;
//! - [`tokens`]: task tokens between waiting executions and SendTask* calls;
//! - [`error`]: AWS's error shape;
//! - `http`: hyper on tokio, keep-alive, a request size limit, graceful shutdown;
//! - [`load`]: a load driver for any endpoint of the API (`aslcheck bench-api`).

pub mod api;
pub mod error;
#[cfg(feature = "serve")]
mod http;
pub mod load;
pub mod store;
pub mod tokens;

pub use api::{Api, Config, Reply, Time};

/// Binds `host:port` (port 0 picks a free one), calls `ready` with the bound address, and
/// serves until SIGINT or SIGTERM.
#[cfg(feature = "serve")]
pub fn run(
    host: &str,
    port: u16,
    cfg: Config,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((host, port))
            .await
            .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        ready(addr);
        http::serve(listener, std::sync::Arc::new(Api::new(cfg)))
            .await
            .map_err(|e| format!("the server stopped: {e}"))
    })
}
