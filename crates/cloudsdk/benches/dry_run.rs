//! The wall time of `cloudsdk ... --dry-run` from process start to exit (the command table,
//! the clap tree, the settings and a signed request as curl), and the binary's size.
//! `BENCH_SMOKE=1` runs it a few times only, to check that it works (CI runs it so, beside
//! the other benchmarks). The goal is a dry run under 20 ms in a release build: `cargo bench`
//! builds one; `CLOUDSDK_BENCH_BIN=target/release/cloudsdk` measures a binary built apart
//! (`cargo build --release -p cloudsdk`) with the bench itself in any profile.

use std::{process::Command, time::Instant};

fn main() {
    let bin = std::env::var("CLOUDSDK_BENCH_BIN")
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_cloudsdk").to_owned());
    let smoke = std::env::var("BENCH_SMOKE").is_ok_and(|v| v == "1");
    let runs = if smoke { 3 } else { 50 };
    let api = &cloudsdk::catalog::APIS
        .iter()
        .find(|a| a.auth == cloudsdk::catalog::Auth::Huawei)
        .expect("a Huawei Cloud API in specs/");
    let op = &api.operations[0];
    let mut args = vec![api.name.to_owned(), op.name.to_owned(), "--dry-run".into()];
    for p in op.params.iter().filter(|p| p.required) {
        args.extend([format!("--{}", p.flag), "bench".into()]);
    }
    if op.body.is_some() {
        args.extend(["--body".into(), "-".into()]);
    }
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = Command::new(&bin)
            .args(&args)
            .env_clear()
            .env("HUAWEICLOUD_SDK_AK", "BENCHAK")
            .env("HUAWEICLOUD_SDK_SK", "bench-secret")
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
            .env("CLOUDSDK_CONFIG_DIR", std::env::temp_dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the binary runs");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write as _;
            let _ = stdin.write_all(b"{}");
        }
        let status = child.wait().expect("the binary exits");
        times.push(started.elapsed());
        assert!(status.success(), "{args:?} failed");
    }
    times.sort();
    let size = std::fs::metadata(&bin).map(|m| m.len()).unwrap_or(0);
    println!(
        "cloudsdk {} {} --dry-run, process start to exit: median {:.2?}, min {:.2?} over {runs} runs \
         (goal in a release build: under 20 ms); binary {bin}: {:.1} MiB",
        api.name,
        op.name,
        times[times.len() / 2],
        times[0],
        size as f64 / (1024.0 * 1024.0),
    );
}
