//! The runtime's tracing: one span per call with the operation, method, path, status, attempt
//! and elapsed time. A test binary of its own, so that its global subscriber sees every
//! callsite (thread-local subscribers race with other tests registering callsites).

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, http::StatusCode, response::IntoResponse, routing::get};
use cloud_sdk_runtime::{NoAuth, RetryPolicy, Runtime};

async fn start() -> SocketAddr {
    let calls = Arc::new(Mutex::new(0u32));
    let app = Router::new().route(
        "/v1.0/{project}/clusters/{cluster}/vpcepservice/connections",
        get(move || {
            let calls = calls.clone();
            async move {
                let n = {
                    let mut c = calls.lock().expect("lock");
                    *c += 1;
                    *c
                };
                // The first call is refused as busy, so the span shows a second attempt.
                if n == 1 {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        r#"{"error_code":"CSS.0503","error_msg":"busy"}"#,
                    )
                        .into_response()
                } else {
                    axum::Json(serde_json::json!({ "connections": [], "total_count": 0 }))
                        .into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Collects span fields and events as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter(self.0.clone())
    }
}

struct CaptureWriter(Arc<Mutex<Vec<String>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(String::from_utf8_lossy(buf).into_owned());
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn one_span_per_call_with_operation_status_and_attempts() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this binary");
    let addr = start().await;
    let policy = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    };
    let client = huaweicloud_css::Client::new(
        &format!("http://{addr}"),
        Runtime::builder(NoAuth).retry(policy).build().unwrap(),
    );
    client
        .show_vpcep_connection()
        .project_id("proj-1")
        .cluster_id("c")
        .call()
        .await
        .expect("ok");
    let text = capture.0.lock().unwrap().join("");
    let close = text
        .lines()
        .find(|l| l.contains("close"))
        .unwrap_or_default();
    for want in [
        "cloud_call",
        "operation=\"show_vpcep_connection\"",
        "method=GET",
        "path=\"/v1.0/proj-1/clusters/c/vpcepservice/connections\"",
        "status=200",
        "attempt=2",
        "elapsed_ms=",
    ] {
        assert!(
            close.contains(want),
            "{want} missing from the span: {close}\nall output:\n{text}"
        );
    }
}
