//! Client overhead: calls per second of the generated client (runtime, hooks, retries armed,
//! tracing span) against a raw reqwest call of the same request, same local server, same run.
//!
//! Run: `cargo bench -p integration-tests --bench client_overhead` (target: the generated client
//! at least 0.97 of raw reqwest's calls per second, median of the paired rounds).
//!
//! For instruction counts (`valgrind --tool=callgrind`), `CLIENT_OVERHEAD_ONLY=raw` or
//! `=generated` with `CLIENT_OVERHEAD_CALLS=N` makes N calls of that one kind after a short
//! warm-up and no timing: the difference between two values of N, divided, is the
//! instructions per call, the server's included.

use std::time::{Duration, Instant};

use axum::{Router, routing::get};
use cloud_sdk_runtime::{NoAuth, Runtime};

const EXAMPLE: &str = r#"{"connections":[{"id":"54b7f739-31a1-40d0-862b-ac85b83ab2da","status":"accepted","maxSession":"3000","specificationName":"default","vpcepIp":"192.168.0.122","created_at":"2024-06-11T09:36:24Z","domain_id":"db9b76a0d9ae431f8e85e89da2ca867c"}],"vpcepUpdateSwitch":false,"total_count":1,"vpcServiceName":"cn-north-4.css-op-no-delete.cf072729","permissions":[]}"#;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let app = Router::new().route(
            "/v1.0/{project}/clusters/{cluster}/vpcepservice/connections",
            get(|| async { ([("content-type", "application/json")], EXAMPLE) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let base = format!("http://{addr}");
        let http = reqwest::Client::new();
        let client = huaweicloud_css::Client::new(&base, Runtime::builder(NoAuth).build().unwrap());
        let url = format!("{base}/v1.0/p/clusters/c/vpcepservice/connections?limit=10&offset=0");

        let raw = || async {
            let r = http
                .get(&url)
                .header("accept", "application/json")
                .send()
                .await
                .expect("raw call");
            let _: huaweicloud_css::types::ShowVpcepConnectionResponse =
                r.json().await.expect("raw body");
        };
        let generated = || async {
            client
                .show_vpcep_connection()
                .project_id("p")
                .cluster_id("c")
                .limit(10u32)
                .offset(0)
                .send()
                .await
                .expect("call");
        };
        if let Ok(only) = std::env::var("CLIENT_OVERHEAD_ONLY") {
            let calls: u64 = std::env::var("CLIENT_OVERHEAD_CALLS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1_000);
            for _ in 0..(20 + calls) {
                match only.as_str() {
                    "raw" => raw().await,
                    _ => generated().await,
                }
            }
            println!("{calls} {only} calls (and 20 warm-up calls) made");
            return;
        }
        // Warm up connections and code paths.
        for _ in 0..200 {
            raw().await;
            generated().await;
        }
        let window = Duration::from_secs(3);
        // Alternate short rounds so that both see the same machine conditions.
        let (mut raw_calls, mut gen_calls, mut raw_time, mut gen_time) =
            (0u64, 0u64, Duration::ZERO, Duration::ZERO);
        let mut ratios = Vec::new();
        while raw_time + gen_time < 2 * window {
            let (raw_before, gen_before) = (raw_time, gen_time);
            let t = Instant::now();
            for _ in 0..500 {
                raw().await;
            }
            raw_time += t.elapsed();
            raw_calls += 500;
            let t = Instant::now();
            for _ in 0..500 {
                generated().await;
            }
            gen_time += t.elapsed();
            gen_calls += 500;
            // Same number of calls each: the ratio of rates is the inverse ratio of times.
            ratios.push(
                (raw_time - raw_before).as_secs_f64() / (gen_time - gen_before).as_secs_f64(),
            );
        }
        ratios.sort_by(f64::total_cmp);
        let median = match ratios.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => ratios[n / 2],
            n => (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0,
        };
        let (low, high) = (
            ratios.first().copied().unwrap_or(f64::NAN),
            ratios.last().copied().unwrap_or(f64::NAN),
        );
        let raw_rate = raw_calls as f64 / raw_time.as_secs_f64();
        let gen_rate = gen_calls as f64 / gen_time.as_secs_f64();
        println!(
            "client overhead (sequential GET ShowVpcepConnection, loopback, {gen_calls} calls each)"
        );
        println!(
            "  raw reqwest + serde     {raw_rate:>9.0} calls/s  {:>7.1} µs/call",
            1e6 / raw_rate
        );
        println!(
            "  generated client        {gen_rate:>9.0} calls/s  {:>7.1} µs/call",
            1e6 / gen_rate
        );
        println!(
            "  ratio generated/raw     {:>9.3} (all calls)",
            gen_rate / raw_rate
        );
        println!(
            "  per round of 500 calls: median {median:.3} [{low:.3}-{high:.3}] over {} rounds",
            ratios.len()
        );
        println!(
            "target: generated client at least 0.97 of raw reqwest (median): {}",
            if median >= 0.97 { "met" } else { "NOT met" }
        );
    });
}
