//! What Digest authentication costs the OceanBase Cloud client, against the loopback Digest
//! server: wire requests per call (sequential, and 16 concurrent tasks) and calls per second
//! relative to an unauthenticated raw reqwest client hitting the same server in the same run.
//!
//! `cargo bench -p integration-tests --bench digest` (about 10 s; targets: at most 1.001 and
//! 1.01 requests per call, at least 0.95 of the unauthenticated throughput). It also prints the
//! throughput against the same generated client without authentication, which separates what
//! Digest costs from what the generated client itself costs, and the client's CPU time per
//! signature. Figures on loopback are noisy when other work shares the machine.

use std::{
    error::Error,
    sync::Arc,
    time::{Duration, Instant},
};

use cloud_auth::{
    Runtime,
    oceanbase::{self, Credentials},
};
use integration_tests::digest_server::{Config, DigestServer, NcCheck};
use oceanbase_cloud::Client;

const AK: &str = "AKID-bench";
const SK: &str = "SK-bench";
const SEQUENTIAL_CALLS: usize = 4_000;
const TASKS: usize = 16;
const CALLS_PER_TASK: usize = 1_200;
const ROUNDS: usize = 5;
const PATH: &str = "/api/v2/instances/ob317v4uif/tenants/t33h8y08k/privatelink/connection";
const BODY: &str = r#"{"addressId":"obe-4tw51gp7","endpointId":"t33h8y08k-ep"}"#;

/// One way of making the call.
#[derive(Clone)]
enum Caller {
    /// Plain reqwest, no authentication, on the server's open prefix.
    Raw { http: reqwest::Client, url: String },
    /// The generated client.
    Generated(Arc<Client>),
}

impl Caller {
    async fn call(&self) -> Result<(), String> {
        match self {
            Caller::Raw { http, url } => {
                let response = http
                    .post(format!("{url}?requestId={}", uuid::Uuid::new_v4()))
                    .header("X-Ob-Project-Id", "project-1")
                    .header("Content-Type", "application/json")
                    .body(BODY)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                if status != 200 {
                    return Err(format!("raw call: HTTP {status}"));
                }
                // The same work a caller of raw reqwest does: read the reply.
                let _: oceanbase_cloud::types::Envelope =
                    response.json().await.map_err(|e| e.to_string())?;
                Ok(())
            }
            Caller::Generated(client) => client
                .connect_privatelink_service()
                .instance_id("ob317v4uif")
                .tenant_id("t33h8y08k")
                .body(integration_tests::examples::connect_body())
                .send()
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}

/// Calls per second and wire requests per call of one run.
struct Run {
    calls_per_second: f64,
    requests_per_call: f64,
}

/// Runs `tasks` tasks of `calls_per_task` calls each with `caller` (fresh: its first call
/// fetches the challenge, and that request counts).
async fn measure(
    server: &DigestServer,
    tasks: usize,
    calls_per_task: usize,
    caller: Caller,
) -> Result<Run, String> {
    server.reset();
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let caller = caller.clone();
            tokio::spawn(async move {
                for _ in 0..calls_per_task {
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
    let calls = (tasks * calls_per_task) as f64;
    Ok(Run {
        calls_per_second: calls / elapsed.as_secs_f64(),
        requests_per_call: server.stats().requests as f64 / calls,
    })
}

/// Every caller gets the same HTTP client configuration (the one the generated clients get
/// from `from_env`: timeouts, rustls), so that only the SDK's own work differs.
fn http_client() -> reqwest::Client {
    cloud_auth::default_http_client().unwrap_or_default()
}

fn digest_client(server: &DigestServer) -> Result<Caller, String> {
    let runtime = oceanbase::runtime_builder(Credentials::new(AK, SK))
        .allow_insecure_http(true)
        .default_header(oceanbase::PROJECT_ID_HEADER, "project-1")
        .map_err(|e| e.to_string())?
        .build();
    Ok(Caller::Generated(Arc::new(Client::new_with_client(
        &server.base_url(),
        http_client(),
        runtime,
    ))))
}

/// The Digest client aimed at the server's open prefix, with its challenge already cached.
async fn unverified_digest_client(server: &DigestServer) -> Result<Caller, String> {
    let runtime = oceanbase::runtime_builder(Credentials::new(AK, SK))
        .allow_insecure_http(true)
        .default_header(oceanbase::PROJECT_ID_HEADER, "project-1")
        .map_err(|e| e.to_string())?
        .build();
    let http = http_client();
    // One verified call on the same origin caches the challenge in the shared runtime.
    Caller::Generated(Arc::new(Client::new_with_client(
        &server.base_url(),
        http.clone(),
        runtime.clone(),
    )))
    .call()
    .await?;
    Ok(Caller::Generated(Arc::new(Client::new_with_client(
        &format!("{}/open", server.base_url()),
        http,
        runtime,
    ))))
}

fn open_generated_client(server: &DigestServer) -> Caller {
    let runtime = Runtime::builder(cloud_auth::NoAuth)
        .default_query_uuid(oceanbase::REQUEST_ID_QUERY)
        .build();
    Caller::Generated(Arc::new(Client::new_with_client(
        &format!("{}/open", server.base_url()),
        http_client(),
        runtime,
    )))
}

fn raw_client(server: &DigestServer) -> Caller {
    Caller::Raw {
        http: http_client(),
        url: format!("{}/open{PATH}", server.base_url()),
    }
}

/// Best of `ROUNDS` interleaved runs for each caller, so that noise hits all alike.
async fn compare(server: &DigestServer, tasks: usize, calls: usize) -> Result<[Run; 3], String> {
    let mut best: [Option<Run>; 3] = [None, None, None];
    for _ in 0..ROUNDS {
        let runs = [
            measure(server, tasks, calls, raw_client(server)).await?,
            measure(server, tasks, calls, open_generated_client(server)).await?,
            measure(server, tasks, calls, digest_client(server)?).await?,
        ];
        for (slot, run) in best.iter_mut().zip(runs) {
            if slot
                .as_ref()
                .is_none_or(|b| run.calls_per_second > b.calls_per_second)
            {
                *slot = Some(run);
            }
        }
    }
    let [Some(a), Some(b), Some(c)] = best else {
        return Err("no run".into());
    };
    Ok([a, b, c])
}

async fn bench(server: &DigestServer, strict: &DigestServer) -> Result<(), Box<dyn Error>> {
    // Warm-up: connections, allocator, lazy statics.
    measure(server, 4, 100, raw_client(server)).await?;
    measure(server, 4, 100, digest_client(server)?).await?;

    println!(
        "Digest (MD5, qop=auth) through the generated OceanBase client, loopback server, best of {ROUNDS} rounds"
    );
    println!(
        "{:<36} {:>12} {:>14} {:>12}",
        "", "calls/s", "requests/call", "vs raw"
    );
    for (label, tasks, calls) in [
        ("sequential", 1, SEQUENTIAL_CALLS),
        ("16 concurrent tasks", TASKS, CALLS_PER_TASK),
    ] {
        let [raw, open, digest] = compare(server, tasks, calls).await?;
        println!("{label}:");
        for (name, run) in [
            ("  raw reqwest, no auth", &raw),
            ("  generated client, no auth", &open),
            ("  generated client, Digest", &digest),
        ] {
            println!(
                "{name:<36} {:>12.0} {:>14.4} {:>11.3}x",
                run.calls_per_second,
                run.requests_per_call,
                run.calls_per_second / raw.calls_per_second
            );
        }
        println!(
            "  Digest vs the same client without auth: {:.3}x",
            digest.calls_per_second / open.calls_per_second
        );
    }

    // The client's share: the same Digest client signing preemptively (its challenge cached
    // by one verified call first), against a path the server answers without verifying.
    for (label, tasks, calls) in [
        ("sequential", 1, SEQUENTIAL_CALLS),
        ("16 concurrent tasks", TASKS, CALLS_PER_TASK),
    ] {
        // Best of each, as above; not the best ratio, which would favour a lucky round.
        let mut best = (0.0f64, 0.0f64);
        for _ in 0..ROUNDS {
            let open = measure(server, tasks, calls, open_generated_client(server)).await?;
            let signing = measure(
                server,
                tasks,
                calls,
                unverified_digest_client(server).await?,
            )
            .await?;
            best = (
                best.0.max(signing.calls_per_second),
                best.1.max(open.calls_per_second),
            );
        }
        println!(
            "client share, {label}: Digest-signing client vs no-auth client, server not verifying: {:.3}x",
            best.0 / best.1
        );
    }

    // What signing alone costs the client, without any I/O.
    let challenges = cloud_auth::digest::parse_challenges(
        r#"Digest realm="r", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", qop="auth", algorithm=MD5, opaque="FQhe""#,
    )?;
    let challenge = cloud_auth::digest::DigestChallenge::select(&challenges, true)?;
    let credentials = cloud_auth::digest::Credentials::new(AK, SK);
    let uri = format!("{PATH}?requestId=5c1e1b4e-8f0f-4a43-9a4c-6f0b3f1a4b1e");
    let parts = cloud_auth::digest::RequestParts {
        method: "POST",
        uri: &uri,
        body: Some(BODY.as_bytes()),
    };
    let signatures = 200_000u32;
    let started = Instant::now();
    for nc in 1..=signatures {
        let cnonce = cloud_auth::digest::CnonceSource::cnonce(&cloud_auth::digest::RandomCnonce);
        std::hint::black_box(cloud_auth::digest::authorize(
            &challenge,
            &credentials,
            &parts,
            nc,
            &cnonce,
        )?);
    }
    println!(
        "client CPU per Digest signature (cnonce, three MD5, header text): {:.2} µs",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(signatures)
    );

    // A server that also wants nonce counts in increasing order.
    let run = measure(strict, TASKS, CALLS_PER_TASK, digest_client(strict)?).await?;
    println!(
        "16 concurrent tasks, server requiring increasing nonce counts: {:.4} requests/call ({} extra requests for {} calls)",
        run.requests_per_call,
        (run.requests_per_call * (TASKS * CALLS_PER_TASK) as f64).round() as usize
            - TASKS * CALLS_PER_TASK,
        TASKS * CALLS_PER_TASK
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to run quickly.
    if !std::env::args().any(|a| a == "--bench") {
        println!("digest benchmark: run with `cargo bench -p integration-tests --bench digest`");
        return Ok(());
    }
    // The server gets a thread of its own and the client another (the machine has two cores),
    // as when they are different machines: scheduling noise between them stays out.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let config = Config {
        open_prefix: Some("/open/".into()),
        record: false,
        ..Config::new(AK, SK)
    };
    let server = server_runtime.block_on(DigestServer::start(config.clone()))?;
    let strict = server_runtime.block_on(DigestServer::start(Config {
        nc_check: NcCheck::Increasing,
        ..config
    }))?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(bench(&server, &strict))
}
