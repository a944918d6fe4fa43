//! Waiting for a state through a generated client, against a loopback server whose answer walks
//! through states as a VPC endpoint connection does: `creating`, `pendingAcceptance`, then
//! `accepted` (or `failed`).

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Router, body::Body, extract::State, http::Response};
use cloud_sdk_runtime::{ApiError, NoAuth, Output, Runtime, WaitError, wait_for};
use huaweicloud_css::types::ShowVpcepConnectionResponse;

/// The states the server answers in turn, the last one from then on, and the reads so far.
struct Walk {
    states: Vec<&'static str>,
    reads: AtomicUsize,
}

async fn answer(State(walk): State<Arc<Walk>>) -> Response<Body> {
    let n = walk.reads.fetch_add(1, Ordering::SeqCst);
    let status = walk.states[n.min(walk.states.len() - 1)];
    let body = serde_json::json!({
        "connections": [{"id": "54b7f739-31a1-40d0-862b-ac85b83ab2da", "status": status,
                         "maxSession": "3000", "specificationName": "default",
                         "created_at": "2024-06-11T09:36:24Z"}],
        "total_count": 1,
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn serve(states: &[&'static str]) -> (SocketAddr, Arc<Walk>) {
    let walk = Arc::new(Walk {
        states: states.to_vec(),
        reads: AtomicUsize::new(0),
    });
    let app = Router::new().fallback(answer).with_state(walk.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, walk)
}

fn client(addr: SocketAddr) -> huaweicloud_css::Client {
    let runtime = Runtime::builder(NoAuth).build().unwrap();
    huaweicloud_css::Client::new(&format!("http://{addr}"), runtime)
}

type Page = Output<ShowVpcepConnectionResponse>;

/// The first connection's status, as the service wrote it.
fn status(page: &Page) -> Option<&str> {
    page.connections
        .first()
        .and_then(|c| c.status.as_ref())
        .map(|s| s.as_str())
}

/// Waits (with short pauses: the server answers at once) for `accepted`, stopping on `failed`.
async fn wait_for_accepted(
    css: &huaweicloud_css::Client,
    timeout: Duration,
) -> Result<Page, WaitError<Page, huaweicloud_css::ApiError>> {
    wait_for(
        || {
            css.show_vpcep_connection()
                .project_id("p")
                .cluster_id("c")
                .call()
        },
        |page: &Page| status(page) == Some("accepted"),
    )
    .fail_on(|page| status(page) == Some("failed"))
    .retry_errors(ApiError::is_transient)
    .pauses(Duration::from_millis(5), Duration::from_millis(20))
    .timeout(timeout)
    .run()
    .await
}

#[tokio::test]
async fn a_wait_reaches_accepted_through_three_states() {
    let (addr, walk) = serve(&["creating", "pendingAcceptance", "accepted"]).await;
    let page = wait_for_accepted(&client(addr), Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(status(&page), Some("accepted"));
    assert_eq!(walk.reads.load(Ordering::SeqCst), 3, "one read per state");
}

#[tokio::test]
async fn a_wait_stops_early_on_failed() {
    let (addr, walk) = serve(&["creating", "failed", "accepted"]).await;
    let e = wait_for_accepted(&client(addr), Duration::from_secs(30))
        .await
        .unwrap_err();
    let WaitError::Terminal { value, reads } = &e else {
        panic!("a terminal state expected: {e}")
    };
    assert_eq!(status(value), Some("failed"));
    assert_eq!(*reads, 2);
    assert_eq!(walk.reads.load(Ordering::SeqCst), 2, "no read after it");
    assert!(e.to_string().contains("terminal state"), "{e}");
}

#[tokio::test]
async fn a_wait_times_out_with_the_last_value() {
    let (addr, walk) = serve(&["creating", "pendingAcceptance"]).await;
    let e = wait_for_accepted(&client(addr), Duration::from_millis(300))
        .await
        .unwrap_err();
    let reads = walk.reads.load(Ordering::SeqCst);
    assert!(reads >= 3, "{reads} reads");
    let text = e.to_string();
    let WaitError::TimedOut {
        last,
        last_error,
        reads: counted,
        waited,
    } = e
    else {
        panic!("a timeout expected: {text}")
    };
    assert_eq!(last.as_ref().and_then(status), Some("pendingAcceptance"));
    assert!(last_error.is_none());
    assert_eq!(counted as usize, reads);
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(text.contains("not reached"), "{text}");
}

#[tokio::test]
async fn a_failed_read_ends_the_wait_unless_it_is_transient() {
    // Nothing listens: every read fails to connect, which is transient, so the wait rides it
    // out until its deadline and reports the last error.
    let addr = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let css = huaweicloud_css::Client::new(
        &format!("http://{addr}"),
        Runtime::builder(NoAuth)
            .retry(cloud_sdk_runtime::RetryPolicy::off())
            .build()
            .unwrap(),
    );
    let e = wait_for_accepted(&css, Duration::from_millis(100))
        .await
        .unwrap_err();
    let WaitError::TimedOut {
        last, last_error, ..
    } = &e
    else {
        panic!("a timeout expected: {e}")
    };
    assert!(last.is_none());
    assert_eq!(
        last_error.as_ref().map(ApiError::kind),
        Some(cloud_sdk_runtime::ErrorKind::Connect)
    );
    // Without `retry_errors`, the first failure ends the wait.
    let e = wait_for(
        || {
            css.show_vpcep_connection()
                .project_id("p")
                .cluster_id("c")
                .call()
        },
        |page: &Page| status(page) == Some("accepted"),
    )
    .run()
    .await
    .unwrap_err();
    assert!(matches!(e, WaitError::Call(_)), "{e}");
    assert!(
        std::error::Error::source(&e).is_some(),
        "the read's error is the source"
    );
}
