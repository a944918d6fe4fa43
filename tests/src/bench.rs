//! What every benchmark in `tests/benches` does first: decide whether it runs, and how long.

/// `BENCH_SMOKE` set (and not `0`): a short run that shows the benchmark works, printing its
/// figures without judging them.
pub fn smoke() -> bool {
    std::env::var_os("BENCH_SMOKE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether the benchmark `name` runs: `cargo bench` passes `--bench`, and a smoke run always
/// runs; `cargo test --benches` without `BENCH_SMOKE` passes nothing, and then the benchmark only
/// prints how to run it (so a plain test run stays quick).
pub fn should_run(name: &str) -> bool {
    if std::env::args().any(|a| a == "--bench") || smoke() {
        return true;
    }
    println!("{name} benchmark: run with `cargo bench -p integration-tests --bench {name}`");
    false
}
