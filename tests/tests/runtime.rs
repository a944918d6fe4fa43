//! The client runtime through the generated clients, against a loopback server: paging,
//! retries only where safe, time limits, `User-Agent`, and one tracing span per call.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use cloud_sdk_runtime::{NoAuth, RetryPolicy, Runtime};
use futures::TryStreamExt;
use serde_json::json;

/// What the test server saw and how it should answer.
#[derive(Default)]
struct Server {
    requests: AtomicUsize,
    /// Answer 503 to this many requests first.
    fail_first: AtomicUsize,
    /// `Retry-After` to send with each 503.
    retry_after: Option<&'static str>,
    /// Wait this long before answering.
    delay: Option<Duration>,
    /// (offset, limit) of each page request.
    pages: Mutex<Vec<(Option<u64>, Option<u64>)>>,
    user_agents: Mutex<Vec<String>>,
    /// Connections the cluster has.
    total: usize,
    /// Answer every page in full and send no `total_count`, however far the offset goes (a
    /// hostile or broken server).
    endless: bool,
    /// Send no `total_count`.
    no_total: bool,
}

async fn start(server: Server) -> (SocketAddr, Arc<Server>) {
    let state = Arc::new(server);
    let app = Router::new()
        .route(
            "/v1.0/{project}/clusters/{cluster}/vpcepservice/connections",
            get(connections),
        )
        .route(
            "/v3/{project}/instances/{instance}/create-connection",
            post(create_connection),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, state)
}

/// Counts the request; answers 503 while failures remain. `None` means go on.
async fn common(state: &Server, headers: &HeaderMap) -> Option<Response> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    if let Some(ua) = headers.get("user-agent").and_then(|v| v.to_str().ok()) {
        state.user_agents.lock().expect("lock").push(ua.to_owned());
    }
    if let Some(d) = state.delay {
        tokio::time::sleep(d).await;
    }
    let failing = state.fail_first.load(Ordering::SeqCst);
    if failing > 0 {
        state.fail_first.store(failing - 1, Ordering::SeqCst);
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            [("x-request-id", "req-503")],
            r#"{"error_code":"CSS.0503","error_msg":"busy"}"#,
        )
            .into_response();
        if let Some(after) = state.retry_after {
            response
                .headers_mut()
                .insert("retry-after", after.parse().expect("header value"));
        }
        return Some(response);
    }
    None
}

async fn connections(
    State(state): State<Arc<Server>>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(r) = common(&state, &headers).await {
        return r;
    }
    let offset = q.get("offset").and_then(|v| v.parse::<u64>().ok());
    let limit = q.get("limit").and_then(|v| v.parse::<u64>().ok());
    state.pages.lock().expect("lock").push((offset, limit));
    let start = offset.unwrap_or(0) as usize;
    let mut end = start + limit.unwrap_or(10) as usize;
    if !state.endless {
        end = end.min(state.total);
    }
    let items: Vec<_> = (start..end.max(start))
        .map(|i| json!({ "id": format!("conn-{i:03}"), "status": if i % 7 == 6 { "pendingAcceptance" } else { "accepted" } }))
        .collect();
    let mut body =
        json!({ "connections": items, "total_count": state.total, "vpcepUpdateSwitch": "true" });
    if state.endless || state.no_total {
        body.as_object_mut().map(|o| o.remove("total_count"));
    }
    axum::Json(body).into_response()
}

async fn create_connection(State(state): State<Arc<Server>>, headers: HeaderMap) -> Response {
    if let Some(r) = common(&state, &headers).await {
        return r;
    }
    axum::Json(json!({ "connection_id": "99af0766-c3f4-4e4e-a95e-14a1b070188e" })).into_response()
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
    }
}

fn css(addr: SocketAddr, policy: RetryPolicy) -> huaweicloud_css::Client {
    huaweicloud_css::Client::new(
        &format!("http://{addr}"),
        Runtime::builder(NoAuth).retry(policy).build().unwrap(),
    )
}

fn das(addr: SocketAddr, policy: RetryPolicy) -> huaweicloud_das::Client {
    huaweicloud_das::Client::new(
        &format!("http://{addr}"),
        Runtime::builder(NoAuth).retry(policy).build().unwrap(),
    )
}

fn das_body() -> huaweicloud_das::types::CreateInstanceConnectionBody {
    integration_tests::examples::das_body("Gauss_2345")
}

#[tokio::test]
async fn css_stream_reads_every_page_until_total_count() {
    let (addr, state) = start(Server {
        total: 25,
        ..Server::default()
    })
    .await;
    let client = css(addr, RetryPolicy::off());
    let all: Vec<_> = client
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .stream_connections(10)
        .try_collect()
        .await
        .expect("all pages");
    let ids: Vec<String> = all
        .iter()
        .map(|c| c.id.clone().unwrap_or_default())
        .collect();
    let want: Vec<String> = (0..25).map(|i| format!("conn-{i:03}")).collect();
    assert_eq!(ids, want);
    assert_eq!(
        *state.pages.lock().unwrap(),
        vec![
            (Some(0), Some(10)),
            (Some(10), Some(10)),
            (Some(20), Some(10))
        ]
    );
    // A value the docs do not list arrives as `Other`, not as an error.
    assert_eq!(
        all[6].status,
        Some(huaweicloud_css::types::VpcepConnectionStatus::Other(
            "pendingAcceptance".into()
        ))
    );
}

#[tokio::test]
async fn css_stream_stops_on_an_empty_page() {
    // A server whose total_count overstates what it has must not make the stream loop.
    let (addr, state) = start(Server {
        total: 0,
        ..Server::default()
    })
    .await;
    let client = css(addr, RetryPolicy::off());
    let all: Vec<_> = client
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .stream_connections(5)
        .try_collect()
        .await
        .expect("ok");
    assert!(all.is_empty());
    assert_eq!(state.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn css_stream_stops_on_a_short_page_without_a_total() {
    // No total_count: the page shorter than page_size is the last; no request for an empty one.
    let (addr, state) = start(Server {
        total: 25,
        no_total: true,
        ..Server::default()
    })
    .await;
    let all: Vec<_> = css(addr, RetryPolicy::off())
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .stream_connections(10)
        .try_collect()
        .await
        .expect("all pages");
    assert_eq!(all.len(), 25);
    assert_eq!(
        *state.pages.lock().unwrap(),
        vec![
            (Some(0), Some(10)),
            (Some(10), Some(10)),
            (Some(20), Some(10))
        ]
    );
}

#[tokio::test]
async fn css_stream_never_asks_past_the_documented_maximum_offset() {
    // A server that always answers full pages and never a total: the stream ends after the
    // page at offset 1000 (the page documents offsets 0 to 1000) instead of growing forever.
    let (addr, state) = start(Server {
        endless: true,
        ..Server::default()
    })
    .await;
    let all: Vec<_> = css(addr, RetryPolicy::off())
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .stream_connections(100)
        .try_collect()
        .await
        .expect("bounded");
    let pages = state.pages.lock().unwrap().clone();
    assert_eq!(pages.len(), 11, "{pages:?}");
    assert!(
        pages.iter().all(|(offset, _)| offset.unwrap_or(0) <= 1000),
        "{pages:?}"
    );
    assert_eq!(all.len(), 1100);
}

#[tokio::test]
async fn get_is_retried_on_503_until_it_succeeds() {
    let (addr, state) = start(Server {
        total: 3,
        fail_first: AtomicUsize::new(2),
        ..Server::default()
    })
    .await;
    let page = css(addr, fast_retries(3))
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect("third attempt succeeds");
    assert_eq!(page.connections.len(), 3);
    assert_eq!(state.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn get_retries_stop_at_max_attempts_with_the_typed_error() {
    let (addr, state) = start(Server {
        fail_first: AtomicUsize::new(100),
        retry_after: Some("0"),
        ..Server::default()
    })
    .await;
    let err = css(addr, fast_retries(4))
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect_err("always busy");
    assert_eq!(state.requests.load(Ordering::SeqCst), 4);
    assert_eq!(err.kind(), cloud_sdk_runtime::ErrorKind::Service, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.request_id(), Some("req-503"));
    assert_eq!(err.code(), Some("CSS.0503"));
}

/// `Retry-After` is the least the server asks the client to wait: the jitter that spreads
/// retries may lengthen the wait, never shorten it below what the server named.
#[tokio::test]
async fn a_retry_waits_at_least_as_long_as_retry_after_asks() {
    let (addr, state) = start(Server {
        total: 1,
        fail_first: AtomicUsize::new(1),
        retry_after: Some("1"),
        ..Server::default()
    })
    .await;
    let policy = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(5),
    };
    let started = std::time::Instant::now();
    css(addr, policy)
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect("the second attempt succeeds");
    assert_eq!(state.requests.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retries_can_be_switched_off_per_client() {
    let (addr, state) = start(Server {
        fail_first: AtomicUsize::new(100),
        ..Server::default()
    })
    .await;
    let client = css(addr, fast_retries(5)).with_retry(RetryPolicy::off());
    client
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect_err("busy");
    assert_eq!(state.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn post_is_sent_exactly_once_on_503() {
    let (addr, state) = start(Server {
        fail_first: AtomicUsize::new(1),
        ..Server::default()
    })
    .await;
    let err = das(addr, fast_retries(5))
        .create_instance_connection()
        .project_id("p")
        .instance_id("i")
        .body(das_body())
        .call()
        .await
        .expect_err("a POST that may have reached the server is not sent again");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(state.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn post_is_retried_when_the_connection_was_refused() {
    // Nothing listens on the port: the request never left, so sending it again is safe. The
    // client's own error says how many attempts there were only through timing, so check that
    // a refused connection is reported as a communication error, after the retries.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = das(addr, fast_retries(3))
        .create_instance_connection()
        .project_id("p")
        .instance_id("i")
        .body(das_body())
        .call()
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), cloud_sdk_runtime::ErrorKind::Connect, "{err:?}");
}

#[tokio::test]
async fn a_call_over_its_time_limit_fails_naming_the_operation() {
    let (addr, state) = start(Server {
        delay: Some(Duration::from_secs(5)),
        ..Server::default()
    })
    .await;
    let client = css(addr, RetryPolicy::off()).with_timeout(Duration::from_millis(100));
    let err = client
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect_err("too slow");
    assert_eq!(err.kind(), cloud_sdk_runtime::ErrorKind::TimedOut);
    let text = err.to_string();
    assert!(
        text.starts_with("ShowVpcepConnection: ") && text.contains("time limit"),
        "{text}"
    );
    assert_eq!(text.matches("ShowVpcepConnection").count(), 1, "{text}");
    assert_eq!(state.requests.load(Ordering::SeqCst), 1);
}

/// `<crate>/<version>` of the client generated from `specs/<api>`, its version as `api.toml`
/// says (the one place it is written).
fn client_user_agent(api: &str) -> String {
    let apis = xtask::spec::load_all(&xtask::workspace_root()).expect("specs load");
    let config = &apis
        .iter()
        .find(|a| a.name == api)
        .expect("the API is in specs/")
        .config;
    format!("{}/{}", config.crate_name, config.version)
}

#[tokio::test]
async fn every_request_names_the_client_in_user_agent() {
    let (addr, state) = start(Server {
        total: 1,
        ..Server::default()
    })
    .await;
    css(addr, RetryPolicy::off())
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect("ok");
    das(addr, RetryPolicy::off())
        .create_instance_connection()
        .project_id("p")
        .instance_id("i")
        .body(das_body())
        .call()
        .await
        .expect("ok");
    let agents = state.user_agents.lock().unwrap().clone();
    assert_eq!(
        agents,
        vec![
            client_user_agent("huaweicloud-css"),
            client_user_agent("huaweicloud-das")
        ]
    );
}

/// The version of a generated crate, as its `api.toml` gives it (the one place it is written).
#[tokio::test]
async fn the_app_name_follows_the_client_in_the_user_agent() {
    let (addr, state) = start(Server {
        total: 1,
        ..Server::default()
    })
    .await;
    let runtime = Runtime::builder(NoAuth)
        .app_name("my-app/2.1")
        .unwrap()
        .build()
        .unwrap();
    huaweicloud_css::Client::new(&format!("http://{addr}"), runtime)
        .show_vpcep_connection()
        .project_id("p")
        .cluster_id("c")
        .call()
        .await
        .expect("ok");
    assert_eq!(
        *state.user_agents.lock().unwrap(),
        vec![format!(
            "{} my-app/2.1",
            client_user_agent("huaweicloud-css")
        )]
    );
    // A value that could break the header (or smuggle another) is refused when building.
    for bad in ["", "my app", "a\r\nx-evil: 1", &"x".repeat(65)] {
        assert!(Runtime::builder(NoAuth).app_name(bad).is_err(), "{bad:?}");
    }
}

/// A gateway's 502, 503 or 504 often carries an HTML page or no body at all, not the vendor's
/// JSON: the call still failed on a status that may pass, and `is_transient` says so, so that
/// a wait with `retry_errors(ApiError::is_transient)` rides it out.
#[tokio::test]
async fn a_gateway_busy_page_that_is_not_json_is_transient() {
    use integration_tests::raw_server::{Body, RawServer, Reply};
    for (status, content_type, body) in [
        (
            503,
            "text/html",
            &b"<html><h1>503 Service Unavailable</h1></html>"[..],
        ),
        (502, "text/html", &b"<html>Bad Gateway</html>"[..]),
        (504, "text/plain", &b""[..]),
    ] {
        let server = RawServer::start(move |_, _| Reply::Answer {
            delay: Duration::ZERO,
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Body::Full(body.to_vec()),
        })
        .await
        .unwrap();
        let client = huaweicloud_css::Client::new(
            &server.base_url(),
            Runtime::builder(NoAuth)
                .retry(RetryPolicy::off())
                .build()
                .unwrap(),
        );
        let e = client
            .show_vpcep_connection()
            .project_id("p")
            .cluster_id("c")
            .call()
            .await
            .expect_err("the gateway is busy");
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e}");
        assert!(e.is_transient(), "{status}: {:?}: {e}", e.kind());
    }
}
