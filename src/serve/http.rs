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
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Arc<Api>,
    require_auth: bool,
) -> std::io::Result<()> {
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
                    let service = service_fn(move |req| handle(api.clone(), req, require_auth));
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
    require_auth: bool,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let unsigned = if require_auth {
        check_signature(
            req.headers()
                .get(hyper::header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap_or("")),
        )
        .err()
    } else {
        None
    };
    let reply = if let Some(refused) = unsigned {
        refused
    } else if req.method() != hyper::Method::POST {
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

/// With `--require-auth`, a request must carry a Signature Version 4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/states/aws4_request, SignedHeaders=…,
/// Signature=…` (<https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>).
/// The signature itself is not checked: there are no secret keys to check it against. The
/// errors are the common ones of the API reference
/// (<https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html>):
/// `MissingAuthenticationToken` (403) with no header, `IncompleteSignature` (400) with one of
/// another shape.
pub fn check_signature(authorization: Option<&str>) -> Result<(), Reply> {
    let refuse = |status: u16, kind: &str, message: String| {
        Err(Reply {
            status,
            body: json!({"__type": kind, "message": message}),
        })
    };
    let Some(header) = authorization else {
        return refuse(
            403,
            "MissingAuthenticationToken",
            "Missing Authentication Token: the request has no Authorization header \
             (serve runs with --require-auth)"
                .into(),
        );
    };
    let Some(fields) = header.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return refuse(
            400,
            "IncompleteSignature",
            "The Authorization header must begin with AWS4-HMAC-SHA256 (Signature Version 4)"
                .into(),
        );
    };
    let mut credential = None;
    let mut signed = false;
    let mut signature = false;
    for field in fields.split(',').map(str::trim) {
        if let Some(v) = field.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = field.strip_prefix("SignedHeaders=") {
            signed = !v.is_empty();
        } else if let Some(v) = field.strip_prefix("Signature=") {
            signature = v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit());
        }
    }
    let scope: Vec<&str> = credential.unwrap_or("").split('/').collect();
    let credential_ok = scope.len() == 5
        && !scope[0].is_empty()
        && scope[1].len() == 8
        && scope[1].bytes().all(|b| b.is_ascii_digit())
        && !scope[2].is_empty()
        && scope[4] == "aws4_request";
    let missing: Vec<&str> = [
        (!credential_ok).then_some("Credential=KEY/YYYYMMDD/REGION/SERVICE/aws4_request"),
        (!signed).then_some("SignedHeaders"),
        (!signature).then_some("Signature (64 hex digits)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        refuse(
            400,
            "IncompleteSignature",
            format!(
                "The Authorization header lacks a well-formed {}",
                missing.join(", ")
            ),
        )
    }
}

fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("aslcheck-{n:016x}")
}

#[cfg(test)]
mod tests {
    use super::check_signature;

    const SIGNED: &str = "AWS4-HMAC-SHA256 \
        Credential=AKIDEXAMPLE/20261207/us-east-1/states/aws4_request, \
        SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
        Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    #[test]
    fn a_signed_request_passes_and_others_get_the_common_errors() {
        assert!(check_signature(Some(SIGNED)).is_ok());
        let none = check_signature(None).unwrap_err();
        assert_eq!(
            (none.status, &none.body["__type"]),
            (403, &serde_json::json!("MissingAuthenticationToken"))
        );
        let basic = check_signature(Some("Basic dXNlcjpwYXNz")).unwrap_err();
        assert_eq!(basic.status, 400);
        assert_eq!(basic.body["__type"], "IncompleteSignature");
        let unsigned = SIGNED.replace("Signature=5d67", "Signature=zz67");
        let e = check_signature(Some(&unsigned)).unwrap_err();
        assert!(
            e.body["message"].as_str().unwrap().contains("Signature"),
            "{e:?}"
        );
        let no_scope = SIGNED.replace("/20261207/us-east-1/states/aws4_request", "");
        let e = check_signature(Some(&no_scope)).unwrap_err();
        assert!(
            e.body["message"].as_str().unwrap().contains("Credential="),
            "{e:?}"
        );
    }
}
