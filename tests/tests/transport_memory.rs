//! Peak memory of a call against a body far larger than the client's limit stays near the
//! limit: the body is cut where it passes the limit, never buffered whole.
//!
//! A test binary of its own, with a single test: the process's resident set is the measure,
//! and other tests running in parallel threads would move it.
#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failure with a message.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use cloud_sdk_runtime::{ErrorKind, NoAuth, Runtime};
use integration_tests::raw_server::{Body, RawServer, Reply};

const MIB: u64 = 1024 * 1024;
const LIMIT: u64 = MIB;
/// What the resident set may grow by during one call: the limit plus the runtime's, the
/// server's and the allocator's working room, far below a body buffered whole.
const ALLOWED_GROWTH: u64 = 64 * MIB;

/// A field of `/proc/self/status` (`VmRSS`, `VmHWM`), in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib * 1024
}

/// Runs `call` and returns how far the resident set rose above where it stood before: the
/// larger of the kernel's high-water mark (reset first, where the kernel allows) and a 2 ms
/// sampling of `VmRSS`.
async fn rss_growth<F: std::future::Future>(call: F) -> (F::Output, u64) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_bytes("VmRSS");
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(status_bytes("VmRSS"), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let output = call.await;
    done.store(true, Ordering::SeqCst);
    sampler.join().unwrap();
    let mut top = peak.load(Ordering::SeqCst);
    if reset {
        top = top.max(status_bytes("VmHWM"));
    }
    (output, top.saturating_sub(before))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peak_memory_stays_near_the_limit() {
    // Far past the limit at loopback speed; bounded all the same, so that a regression that
    // buffers bodies whole fails this test instead of exhausting the machine's memory.
    let server = RawServer::start(|_, _| {
        Reply::streamed(
            200,
            Body::Chunked {
                chunk: 64 * 1024,
                every: Duration::ZERO,
                total: Some(256 * MIB),
            },
        )
    })
    .await
    .unwrap();
    let runtime = Runtime::builder(NoAuth)
        .max_response_bytes(LIMIT)
        .call_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let client = huaweicloud_css::Client::new(&server.base_url(), runtime);
    let call = || async {
        client
            .show_vpcep_connection()
            .project_id("p")
            .cluster_id("c")
            .call()
            .await
            .unwrap_err()
    };
    // One call first, so that the measured one does not count the client's first-use
    // allocations (connection pool, TLS-less connector, tracing callsites).
    assert_eq!(call().await.kind(), ErrorKind::ResponseTooLarge);
    let (e, growth) = rss_growth(call()).await;
    assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{e}");
    println!("resident set growth during the call: {} KiB", growth / 1024);
    assert!(
        growth < ALLOWED_GROWTH,
        "the resident set grew by {} MiB for a {} MiB limit",
        growth / MIB,
        LIMIT / MIB
    );
    // The limit, not the server, ended each body: the server had more to send, and the client
    // hung up on it.
    assert!(server.body_bytes_sent() > 2 * LIMIT);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while server.disconnects() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.disconnects(), 2);
}
