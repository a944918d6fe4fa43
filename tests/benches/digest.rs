//! What Digest authentication costs the OceanBase Cloud client, against the loopback Digest
//! server taking 5 ms per request: calls per second of the generated client with Digest over
//! those of raw reqwest without authentication (same request, same server, same run), and wire
//! requests per call once the first call has fetched the challenge; sequential and 16 tasks.
//!
//! `cargo bench -p integration-tests --bench digest` (budgets: at least 0.97 of raw reqwest,
//! 1.000 requests per call after the first). With `BENCH_SMOKE=1` (as CI runs it, also under
//! `cargo test --benches`) every scenario runs a few calls and the budgets are not judged: the
//! figures are printed, and what is checked is that every call still succeeds.
//!
//! Every round makes each caller fresh (new client, no cached challenge), makes its first call,
//! then times the rest; raw and Digest alternate in order from round to round, and the figure
//! is the median of the rounds' paired ratios, so that a noisy machine does not decide it. The
//! server runs on a thread of its own and the callers on another.
//!
//! It also counts the requests against a server that wants nonce counts in increasing order:
//! the first challenge, then at most one more request per task while the client switches to
//! one nonce per request in flight.

use integration_tests::bench::smoke;
use std::{
    error::Error,
    sync::Arc,
    time::{Duration, Instant},
};

use cloud_sdk_runtime::oceanbase::{self, Credentials};
use integration_tests::digest_server::{Config, DigestServer, NcCheck};
use oceanbase_cloud::Client;
use reqwest::header::CONTENT_TYPE;

const AK: &str = "AKID-bench";
const SK: &str = "SK-bench";
const TASKS: usize = 16;
const PATH: &str = "/api/v2/instances/ob317v4uif/tenants/t33h8y08k/privatelink/connection";
const BODY: &str = r#"{"addressId":"obe-4tw51gp7","endpointId":"t33h8y08k-ep"}"#;

/// One way of making the call.
#[derive(Clone)]
enum Caller {
    /// Plain reqwest, no authentication, on the server's open prefix.
    Raw { http: reqwest::Client, url: String },
    /// The generated client with Digest.
    Digest(Arc<Client>),
}

impl Caller {
    fn new(server: &DigestServer, digest: bool) -> Result<Self, String> {
        let base = server.base_url();
        if !digest {
            return Ok(Caller::Raw {
                http: reqwest::Client::new(),
                url: format!("{base}/open{PATH}"),
            });
        }
        let runtime =
            oceanbase::runtime_builder(&Client::API, Credentials::new(AK, SK), "project-1")
                .map_err(|e| e.to_string())?
                .allow_insecure_http(true)
                .build()
                .map_err(|e| e.to_string())?;
        Ok(Caller::Digest(Arc::new(Client::new(&base, runtime))))
    }

    async fn call(&self) -> Result<(), String> {
        match self {
            Caller::Raw { http, url } => {
                let response = http
                    .post(format!("{url}?requestId={}", uuid::Uuid::new_v4()))
                    .header("X-Ob-Project-Id", "project-1")
                    .header(CONTENT_TYPE, "application/json")
                    .body(BODY)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if response.status() != 200 {
                    return Err(format!("HTTP {}", response.status()));
                }
                let _: oceanbase_cloud::types::Envelope =
                    response.json().await.map_err(|e| e.to_string())?;
                Ok(())
            }
            Caller::Digest(client) => client
                .connect_privatelink_service()
                .instance_id("ob317v4uif")
                .tenant_id("t33h8y08k")
                .body(integration_tests::examples::connect_body())
                .call()
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}

/// Calls per second and wire requests per call of one run.
#[derive(Clone, Copy)]
struct Run {
    calls_per_second: f64,
    requests_per_call: f64,
}

/// One call with `caller` (the Digest challenge fetched), then `tasks` tasks of `calls` calls
/// each, counted and timed.
async fn measure(
    server: &DigestServer,
    tasks: usize,
    calls: usize,
    caller: Caller,
) -> Result<Run, String> {
    caller.call().await?;
    server.reset();
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let caller = caller.clone();
            tokio::spawn(async move {
                for _ in 0..calls {
                    caller.call().await?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for h in handles {
        h.await.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed().max(Duration::from_micros(1));
    let total = (tasks * calls) as f64;
    Ok(Run {
        calls_per_second: total / elapsed.as_secs_f64(),
        requests_per_call: server.stats().requests as f64 / total,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// `rounds` paired rounds of raw and Digest against `server`; prints one line and returns the
/// median ratio Digest/raw and Digest's highest requests per call.
async fn scenario(
    server: &DigestServer,
    label: &str,
    tasks: usize,
    calls: usize,
    rounds: usize,
) -> Result<(f64, f64), String> {
    let (mut ratios, mut requests_per_call) = (Vec::new(), 0.0_f64);
    let (mut raw_rates, mut digest_rates) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let mut pair = [None, None];
        for step in 0..2 {
            let digest = (round + step) % 2 == 1;
            let run = measure(server, tasks, calls, Caller::new(server, digest)?).await?;
            pair[usize::from(digest)] = Some(run);
        }
        let [Some(raw), Some(digest)] = pair else {
            return Err("a round without both runs".to_owned());
        };
        ratios.push(digest.calls_per_second / raw.calls_per_second);
        requests_per_call = requests_per_call.max(digest.requests_per_call);
        raw_rates.push(raw.calls_per_second);
        digest_rates.push(digest.calls_per_second);
    }
    let ratio = median(ratios);
    println!(
        "  {label:<32} raw {:>6.0} calls/s, Digest {:>6.0} calls/s; ratio {ratio:.3}; Digest \
         {requests_per_call:.4} requests/call after the first ({rounds} rounds of {tasks} x {calls})",
        median(raw_rates),
        median(digest_rates),
    );
    Ok((ratio, requests_per_call))
}

fn verdict(met: bool) -> &'static str {
    if smoke() {
        "not judged (smoke run)"
    } else if met {
        "met"
    } else {
        "NOT met"
    }
}

/// `full` in a full run; `small` in a smoke run.
fn size(full: usize, small: usize) -> usize {
    if smoke() { small } else { full }
}

async fn bench(slow: &DigestServer, strict: &DigestServer) -> Result<(), Box<dyn Error>> {
    println!(
        "Digest (MD5, qop=auth) through the generated OceanBase client, loopback server taking 5 ms per request"
    );
    let outcomes = [
        (
            "sequential",
            scenario(slow, "sequential", 1, size(150, 5), size(7, 1)).await?,
        ),
        (
            "16 tasks",
            scenario(slow, "16 tasks", TASKS, size(40, 2), size(7, 1)).await?,
        ),
    ];
    println!("budgets (Digest client / raw reqwest without authentication, median of the rounds):");
    for (label, (ratio, requests_per_call)) in outcomes {
        println!(
            "  {label}: {ratio:.3} (at least 0.97): {}; {requests_per_call:.4} requests per call \
             after the first (1.000): {}",
            verdict(ratio >= 0.97),
            verdict(requests_per_call <= 1.0),
        );
    }

    // A server that also wants nonce counts in increasing order: the first challenge, as for
    // any client, then at most one more request per task while the client switches to one
    // nonce per request in flight.
    let (tasks, calls) = (TASKS, size(300, 10));
    let caller = Caller::new(strict, true)?;
    strict.reset();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let caller = caller.clone();
            tokio::spawn(async move {
                for _ in 0..calls {
                    caller.call().await?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for h in handles {
        h.await??;
    }
    let requests = strict.stats().requests as usize;
    let more = requests.saturating_sub(tasks * calls + 1);
    println!(
        "{tasks} tasks, server requiring increasing nonce counts: {requests} requests for {} \
         calls: the first challenge and {more} more (at most one per task, {tasks}): {}",
        tasks * calls,
        verdict(more <= tasks)
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    if !integration_tests::bench::should_run("digest") {
        return Ok(());
    }
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let config = Config {
        open_prefix: Some("/open/".into()),
        record: false,
        ..Config::new(AK, SK)
    };
    let slow = server_runtime.block_on(DigestServer::start(Config {
        service_time: Duration::from_millis(5),
        ..config.clone()
    }))?;
    let strict = server_runtime.block_on(DigestServer::start(Config {
        nc_check: NcCheck::Increasing,
        ..config
    }))?;
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    client_runtime.block_on(bench(&slow, &strict))
}
