//! The HTTP side of `serve`: HTTP/1.1 with keep-alive on hyper and tokio. Every request is a
//! `POST` whose `X-Amz-Target` names the action (AWS JSON 1.0); the body is read up to a limit
//! and handed to [`Api::call`] on a blocking thread, so a long execution never stalls the
//! connections of other clients.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;

use super::api::{Api, Reply};

/// The largest request body accepted: a definition (1 MB of text) with its JSON escaping.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Accepts connections on `listener` until SIGINT or SIGTERM, then lets open requests end.
pub async fn serve(listener: tokio::net::TcpListener, api: Arc<Api>) -> std::io::Result<()> {
    let mut connections = tokio::task::JoinSet::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer): (tokio::net::TcpStream, SocketAddr) = match accepted {
                    Ok(a) => a,
                    // Out of file descriptors and the like: keep serving the others.
                    Err(_) => continue,
                };
                let _ = stream.set_nodelay(true);
                let api = api.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(api.clone(), req));
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    // Requests already being answered finish; idle keep-alive connections are dropped.
    let grace = tokio::time::sleep(std::time::Duration::from_secs(5));
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = connections.join_next() => if next.is_none() { break },
            () = &mut grace => break,
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn handle(
    api: Arc<Api>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let reply = if req.method() != hyper::Method::POST {
        Reply {
            status: 405,
            body: json!({"__type": "UnknownOperationException",
                         "message": "The Step Functions API takes POST requests"}),
        }
    } else {
        match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
            .collect()
            .await
        {
            Ok(body) => {
                let body = body.to_bytes();
                tokio::task::spawn_blocking(move || api.call(target.as_deref(), &body))
                    .await
                    .unwrap_or_else(|_| Reply {
                        status: 500,
                        body: json!({"__type": "InternalFailure",
                                     "message": "The request could not be answered"}),
                    })
            }
            Err(e) => {
                let too_big = e
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some();
                Reply {
                    status: if too_big { 413 } else { 400 },
                    body: json!({"__type": if too_big { "ValidationException" } else { "SerializationException" },
                    "message": if too_big {
                        format!("The request is larger than {MAX_REQUEST_BYTES} bytes")
                    } else {
                        format!("The request body could not be read: {e}")
                    }}),
                }
            }
        }
    };
    let body = serde_json::to_vec(&reply.body).unwrap_or_default();
    let response = Response::builder()
        .status(reply.status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-requestid", request_id())
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    Ok(response)
}

fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("aslcheck-{n:016x}")
}
