//! Client overhead: calls per second of the generated client (`call()`: runtime, hooks,
//! retries armed, time limits, tracing span) against raw reqwest sending the same request to
//! the same loopback server in the same run, as ratios: one task calling in sequence, and 16
//! tasks at once, against a server that takes 5 ms per request (as an API does, and more) and
//! one that answers at once (where only the client's own work shows).
//!
//! Run: `cargo bench -p integration-tests --bench client_overhead` (budgets: at least 0.98 of
//! raw reqwest against the 5 ms server; at least 0.85 against the server that answers at once,
//! for information). With `BENCH_SMOKE=1` (as CI runs it, also under `cargo test --benches`)
//! each scenario runs for a moment and the budgets are not judged: the figures are printed, and
//! what is checked is that every caller still gets its answer.
//!
//! The server runs on a thread of its own and the callers on another, as when they are
//! different machines: scheduling noise between them stays out of the ratios.

use integration_tests::bench::smoke;
use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{Router, routing::get};
use cloud_sdk_runtime::{NoAuth, Runtime};

const EXAMPLE: &str = r#"{"connections":[{"id":"54b7f739-31a1-40d0-862b-ac85b83ab2da","status":"accepted","maxSession":"3000","specificationName":"default","vpcepIp":"192.168.0.122","created_at":"2024-06-11T09:36:24Z","domain_id":"db9b76a0d9ae431f8e85e89da2ca867c"}],"vpcepUpdateSwitch":false,"total_count":1,"vpcServiceName":"cn-north-4.css-op-no-delete.cf072729","permissions":[]}"#;
const PATH: &str = "/v1.0/{project}/clusters/{cluster}/vpcepservice/connections";

/// The two ways of making the call, against one server.
struct Callers {
    http: reqwest::Client,
    url: String,
    client: huaweicloud_css::Client,
}

impl Callers {
    async fn raw(self: Arc<Self>) {
        let r = self
            .http
            .get(&self.url)
            .header("accept", "application/json")
            .send()
            .await
            .expect("raw call");
        let _: huaweicloud_css::types::ShowVpcepConnectionResponse =
            r.json().await.expect("raw body");
    }

    async fn generated(self: Arc<Self>) {
        self.client
            .show_vpcep_connection()
            .project_id("p")
            .cluster_id("c")
            .limit(10u32)
            .offset(0)
            .call()
            .await
            .expect("call");
    }
}

/// Runs `tasks` tasks of `calls` calls each of `call`; returns how long they took.
async fn timed<F, Fut>(callers: &Arc<Callers>, tasks: usize, calls: usize, call: F) -> Duration
where
    F: Fn(Arc<Callers>) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let callers = callers.clone();
            tokio::spawn(async move {
                for _ in 0..calls {
                    call(callers.clone()).await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.expect("task");
    }
    started.elapsed()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Rounds of `tasks` × `calls` calls, raw then generated (the order alternating), until
/// `window` has passed (at least one round); prints the rates and returns the median of the
/// rounds' ratios generated/raw.
async fn scenario(
    callers: &Arc<Callers>,
    label: &str,
    tasks: usize,
    calls: usize,
    window: Duration,
) -> f64 {
    let (mut raw_total, mut generated_total) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::new();
    while raw_total + generated_total < window * 2 || ratios.is_empty() {
        let (raw, generated) = if ratios.len() % 2 == 0 {
            let raw = timed(callers, tasks, calls, Callers::raw).await;
            (raw, timed(callers, tasks, calls, Callers::generated).await)
        } else {
            let generated = timed(callers, tasks, calls, Callers::generated).await;
            (timed(callers, tasks, calls, Callers::raw).await, generated)
        };
        raw_total += raw;
        generated_total += generated;
        // Same number of calls each: the ratio of rates is the inverse ratio of times.
        ratios.push(raw.as_secs_f64() / generated.as_secs_f64());
    }
    let rounds = ratios.len();
    let total = (rounds * tasks * calls) as f64;
    let (low, high) = ratios
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, h), r| (l.min(*r), h.max(*r)));
    let ratio = median(&mut ratios);
    println!(
        "  {label:<34} raw {:>7.0} calls/s, generated {:>7.0} calls/s; ratio {ratio:.3} \
         [{low:.3}-{high:.3}] ({rounds} rounds of {tasks} x {calls})",
        total / raw_total.as_secs_f64(),
        total / generated_total.as_secs_f64(),
    );
    ratio
}

fn main() {
    let smoke = smoke();
    if !integration_tests::bench::should_run("client_overhead") {
        return;
    }
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new()
        .route(
            &format!("/at-once{PATH}"),
            get(|| async { ([("content-type", "application/json")], EXAMPLE) }),
        )
        .route(
            &format!("/5ms{PATH}"),
            get(|| async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                ([("content-type", "application/json")], EXAMPLE)
            }),
        );
    server.spawn(async move { axum::serve(listener, app).await });

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    client.block_on(async {
        let callers = |stem: &str| {
            let base = format!("http://{addr}/{stem}");
            Arc::new(Callers {
                http: reqwest::Client::new(),
                url: format!("{base}/v1.0/p/clusters/c/vpcepservice/connections?limit=10&offset=0"),
                client: huaweicloud_css::Client::new(
                    &base,
                    Runtime::builder(NoAuth).build().expect("runtime"),
                ),
            })
        };
        let (slow, fast) = (callers("5ms"), callers("at-once"));
        // Warm up connections and code paths.
        for c in [&slow, &fast] {
            timed(c, 16, 4, Callers::raw).await;
            timed(c, 16, 4, Callers::generated).await;
        }
        let window = if smoke {
            Duration::from_millis(50)
        } else {
            Duration::from_secs(3)
        };
        let size = |full: usize, small: usize| if smoke { small } else { full };
        println!("client overhead (GET ShowVpcepConnection, loopback, no authentication)");
        let budgets = [
            (
                "server takes 5 ms, sequential",
                scenario(
                    &slow,
                    "server takes 5 ms, sequential",
                    1,
                    size(40, 4),
                    window,
                )
                .await,
                0.98,
            ),
            (
                "server takes 5 ms, 16 tasks",
                scenario(
                    &slow,
                    "server takes 5 ms, 16 tasks",
                    16,
                    size(30, 2),
                    window,
                )
                .await,
                0.98,
            ),
            (
                "server answers at once, sequential (information)",
                scenario(
                    &fast,
                    "server answers at once, sequential",
                    1,
                    size(200, 20),
                    window,
                )
                .await,
                0.85,
            ),
            (
                "server answers at once, 16 tasks (information)",
                scenario(
                    &fast,
                    "server answers at once, 16 tasks",
                    16,
                    size(25, 4),
                    window,
                )
                .await,
                0.85,
            ),
        ];
        println!("budgets (generated client / raw reqwest, median of the rounds):");
        for (label, ratio, budget) in budgets {
            println!(
                "  {label}: {ratio:.3} (at least {budget}): {}",
                if smoke {
                    "not judged (smoke run)"
                } else if ratio >= budget {
                    "met"
                } else {
                    "NOT met"
                }
            );
        }
    });
}
