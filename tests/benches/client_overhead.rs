//! Client overhead: calls per second of the generated client (runtime, hooks, retries armed,
//! time limits, tracing span) against a raw reqwest call of the same request, same local
//! server, same run: one task calling in sequence, and 16 tasks calling at once.
//!
//! Run: `cargo bench -p integration-tests --bench client_overhead` (target: the generated client
//! at least 0.97 of raw reqwest's calls per second, median of the rounds, in both). With
//! `BENCH_SMOKE=1` (as CI runs it, also under `cargo test --benches`) each scenario runs for a
//! moment and the target is not judged: the figures are printed, and what is checked is that
//! every caller still gets its answer. For
//! information it also prints the ratio to reqwest with a timeout per request (the generated
//! client always has one, its call deadline, and raw reqwest without one does not pay for the
//! timer), and to reqwest sending the same request as the generated client with that timeout:
//! the same bytes on the wire (the generated client's `User-Agent` too, set on the reqwest
//! client as a user would) and the same protection, so that only the seam differs.
//!
//! The server runs on a thread of its own and the callers on another (the machine has two
//! cores), as when they are different machines: scheduling noise between them stays out, and
//! with 16 tasks the caller's thread is what limits the rate, so every instruction the client
//! spends per call shows.
//!
//! For instruction counts (`valgrind --tool=callgrind`), `CLIENT_OVERHEAD_ONLY=raw`,
//! `=timeout` (raw with the timeout), `=same` (the same request with the timeout) or
//! `=generated` (or `=call`: the same through `call()`, the typed-error API) with
//! `CLIENT_OVERHEAD_CALLS=N` makes N calls of that one kind after a short
//! warm-up and no timing (`CLIENT_OVERHEAD_TASKS=16`: from 16 tasks): the difference between
//! two values of N, divided, is the instructions per call, the server's included.

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{Router, routing::get};
use cloud_sdk_runtime::{NoAuth, Runtime};

const EXAMPLE: &str = r#"{"connections":[{"id":"54b7f739-31a1-40d0-862b-ac85b83ab2da","status":"accepted","maxSession":"3000","specificationName":"default","vpcepIp":"192.168.0.122","created_at":"2024-06-11T09:36:24Z","domain_id":"db9b76a0d9ae431f8e85e89da2ca867c"}],"vpcepUpdateSwitch":false,"total_count":1,"vpcServiceName":"cn-north-4.css-op-no-delete.cf072729","permissions":[]}"#;

/// The ways of making the call.
struct Callers {
    http: reqwest::Client,
    /// reqwest with a timeout per request: the one protection against a hanging server that
    /// the generated client always has (its call deadline rides on the same reqwest timer).
    http_limited: reqwest::Client,
    /// reqwest with that timeout and the generated client's `User-Agent`: the same request.
    http_same: reqwest::Client,
    url: String,
    client: huaweicloud_css::Client,
}

impl Callers {
    async fn raw(&self) {
        Self::raw_with(&self.http, &self.url).await
    }

    async fn raw_with(http: &reqwest::Client, url: &str) {
        let r = http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .expect("raw call");
        let _: huaweicloud_css::types::ShowVpcepConnectionResponse =
            r.json().await.expect("raw body");
    }

    /// The generated client's request, the same as the raw one.
    fn request(&self) -> huaweicloud_css::builder::ShowVpcepConnection<'_> {
        self.client
            .show_vpcep_connection()
            .project_id("p")
            .cluster_id("c")
            .limit(10u32)
            .offset(0)
    }

    /// The same call through `call()`, the typed-error API.
    async fn typed(&self) {
        self.request().call().await.expect("call");
    }

    async fn generated(&self) {
        self.request().send().await.expect("call");
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

async fn raw(c: Arc<Callers>) {
    c.raw().await
}

async fn raw_limited(c: Arc<Callers>) {
    Callers::raw_with(&c.http_limited, &c.url).await
}

async fn raw_same(c: Arc<Callers>) {
    Callers::raw_with(&c.http_same, &c.url).await
}

async fn typed(c: Arc<Callers>) {
    c.typed().await
}

async fn generated(c: Arc<Callers>) {
    c.generated().await
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The ways of calling a round compares; the generated client, last, is compared with each.
const KINDS: [&str; 4] = [
    "raw reqwest + serde",
    "  with a 30 s timeout",
    "  same request, timeout",
    "generated client",
];

/// Rounds of `tasks` × `calls` calls of each kind ([`KINDS`]), in rotating order, until
/// `window` has passed for each (at least one round); prints the rates and the median ratios. Returns the median
/// ratio generated/raw.
async fn scenario(
    callers: &Arc<Callers>,
    label: &str,
    tasks: usize,
    calls: usize,
    window: Duration,
) -> f64 {
    const N: usize = KINDS.len();
    let mut totals = [Duration::ZERO; N];
    // Per round, the time of the generated client's calls over each kind's.
    let mut ratios: [Vec<f64>; N] = Default::default();
    while totals.iter().sum::<Duration>() < window * N as u32 {
        let mut times = [Duration::ZERO; N];
        for step in 0..N {
            let which = (ratios[0].len() + step) % N;
            times[which] = match which {
                0 => timed(callers, tasks, calls, raw).await,
                1 => timed(callers, tasks, calls, raw_limited).await,
                2 => timed(callers, tasks, calls, raw_same).await,
                _ => timed(callers, tasks, calls, generated).await,
            };
        }
        for (total, time) in totals.iter_mut().zip(times) {
            *total += time;
        }
        // Same number of calls each: the ratio of rates is the inverse ratio of times.
        for (kind, time) in times.iter().enumerate() {
            ratios[kind].push(time.as_secs_f64() / times[N - 1].as_secs_f64());
        }
    }
    let rounds = ratios[0].len();
    let total = (rounds * tasks * calls) as f64;
    let rates = totals.map(|t| total / t.as_secs_f64());
    let medians: Vec<f64> = ratios.iter_mut().map(|r| median(r)).collect();
    let (low, high) = (ratios[0][0], ratios[0][rounds - 1]);
    println!("{label}: {tasks} task(s) x {calls} calls per round, {rounds} rounds");
    for (name, rate) in KINDS.iter().zip(rates) {
        println!(
            "  {name:<24} {rate:>9.0} calls/s  {:>7.1} µs/call",
            1e6 / rate
        );
    }
    println!(
        "  ratio generated/raw      {:>9.3} (all calls); per round: median {:.3} [{low:.3}-{high:.3}]",
        rates[N - 1] / rates[0],
        medians[0]
    );
    println!(
        "  ratio generated/raw with a timeout: median {:.3}; with the same request and \
         timeout: median {:.3} (for information: what only the seam costs)",
        medians[1], medians[2]
    );
    medians[0]
}

/// `BENCH_SMOKE` set (and not `0`): a short run that shows the benchmark works.
fn smoke() -> bool {
    std::env::var_os("BENCH_SMOKE").is_some_and(|v| !v.is_empty() && v != "0")
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to run quickly
    // (unless it is a smoke run).
    let only = std::env::var("CLIENT_OVERHEAD_ONLY").ok();
    let smoke = smoke();
    if !std::env::args().any(|a| a == "--bench") && only.is_none() && !smoke {
        println!(
            "client overhead: run with `cargo bench -p integration-tests --bench client_overhead`"
        );
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
    let app = Router::new().route(
        "/v1.0/{project}/clusters/{cluster}/vpcepservice/connections",
        get(|| async { ([("content-type", "application/json")], EXAMPLE) }),
    );
    server.spawn(async move { axum::serve(listener, app).await });

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    client.block_on(async {
        let base = format!("http://{addr}");
        let callers = Arc::new(Callers {
            http: reqwest::Client::new(),
            http_limited: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("reqwest client"),
            http_same: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                // What the generated client sends (`<crate>/<version>`; the version's digits
                // do not change what is measured).
                .user_agent("huaweicloud-css/0.1.0")
                .build()
                .expect("reqwest client"),
            url: format!("{base}/v1.0/p/clusters/c/vpcepservice/connections?limit=10&offset=0"),
            client: huaweicloud_css::Client::new(&base, Runtime::builder(NoAuth).build().unwrap()),
        });
        if let Some(only) = only {
            let calls: usize = std::env::var("CLIENT_OVERHEAD_CALLS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1_000);
            // `CLIENT_OVERHEAD_TASKS=16`: the calls shared out among that many tasks, as in
            // the concurrent scenario.
            let tasks: usize = std::env::var("CLIENT_OVERHEAD_TASKS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1)
                .max(1);
            let per_task = calls.div_ceil(tasks);
            let warm = 20usize.div_ceil(tasks);
            match only.as_str() {
                "raw" => timed(&callers, tasks, warm + per_task, raw).await,
                "timeout" => timed(&callers, tasks, warm + per_task, raw_limited).await,
                "same" => timed(&callers, tasks, warm + per_task, raw_same).await,
                "call" => timed(&callers, tasks, warm + per_task, typed).await,
                _ => timed(&callers, tasks, warm + per_task, generated).await,
            };
            println!(
                "{} {only} calls (and {} warm-up calls) made by {tasks} task(s)",
                tasks * per_task,
                tasks * warm
            );
            return;
        }
        // Warm up connections and code paths.
        timed(&callers, 16, 20, raw).await;
        timed(&callers, 16, 20, generated).await;
        timed(&callers, 16, 20, raw_limited).await;
        timed(&callers, 16, 20, raw_same).await;
        println!("client overhead (GET ShowVpcepConnection, loopback, no authentication)");
        // What every call in flight holds (and copies as it is made and awaited); at 16 tasks
        // it is part of what the caller's thread walks through per call.
        let call = callers.generated();
        let typed = callers.request().call();
        println!(
            "  one call's future: generated client {} bytes (`call()`: {} bytes), raw reqwest \
             {} bytes",
            std::mem::size_of_val(&call),
            std::mem::size_of_val(&typed),
            std::mem::size_of_val(&callers.raw())
        );
        drop((call, typed));
        let window = if smoke {
            Duration::from_millis(50)
        } else {
            Duration::from_secs(4)
        };
        let sequential = scenario(&callers, "sequential", 1, 200, window).await;
        let concurrent = scenario(&callers, "16 tasks", 16, 25, window).await;
        for (label, ratio) in [("sequential", sequential), ("16 tasks", concurrent)] {
            println!(
                "target: generated client at least 0.97 of raw reqwest (median), {label}: {ratio:.3}: {}",
                if smoke {
                    "not judged (smoke run)"
                } else if ratio >= 0.97 {
                    "met"
                } else {
                    "NOT met"
                }
            );
        }
    });
}
