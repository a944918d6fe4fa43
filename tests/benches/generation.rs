//! Generation cost: `cargo xtask generate --check` on the real specs, and on synthetic APIs of
//! 50, 200 and 500 endpoints written by this benchmark, to show how time grows.
//!
//! Run: `cargo bench -p integration-tests --bench generation` (budget: the check of 500
//! endpoints under 2 s). With `BENCH_SMOKE=1` (as CI runs it, also under `cargo test
//! --benches`) the synthetic APIs are small: the figures are printed, the budget is not judged,
//! and what is checked is that every step still runs.

use integration_tests::bench::smoke;
use std::{fs, path::Path, time::Instant};

use xtask::{Outcome, run, spec, workspace_root};

/// The allocator of the `cargo xtask` binary, so that the figures are those of the command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let smoke = smoke();
    if !integration_tests::bench::should_run("generation") {
        return;
    }
    let real = workspace_root();
    let apis = spec::load_all(&real).unwrap_or_else(|errors| {
        panic!(
            "the real specs do not load:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let endpoints: usize = apis.iter().map(|a| a.merged.operations().count()).sum();
    let (ms, outcome) = timed(|| run(&real, true));
    println!("generation (check mode: load, validate, merge, progenitor, prettyplease, compare)");
    let label = format!("real specs ({endpoints} endpoints, {} crates)", apis.len());
    println!(
        "  {label:<35} {ms:>8.1} ms  {:?}",
        outcome.map(|o| matches!(o, Outcome::UpToDate))
    );
    let sizes: &[usize] = if smoke { &[5, 20] } else { &[50, 200, 500] };
    let mut previous: Option<(usize, f64)> = None;
    for &n in sizes {
        let dir = tempfile::tempdir().expect("tmp");
        synthetic(dir.path(), n);
        // The first run writes generated/; the timed one is the check, as CI runs it.
        if let Err(failure) = run(dir.path(), false) {
            panic!("the synthetic specs of {n} endpoints do not generate: {failure}");
        }
        // The check's figure is the median of three runs: one run alone shows the machine's
        // other load as much as the generator.
        let mut runs: Vec<f64> = (0..3)
            .map(|_| {
                let (ms, outcome) = timed(|| run(dir.path(), true));
                assert!(
                    matches!(outcome, Ok(Outcome::UpToDate)),
                    "the synthetic output is not up to date right after writing it: {outcome:?}"
                );
                ms
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        let ms = runs[1];
        // Two of its parts on their own: loading (reading, validating, merging the documents)
        // and making the crate's code (progenitor, syn, the doc pass, prettyplease).
        let (load_ms, loaded) = timed(|| spec::load_all(dir.path()));
        let apis = loaded.unwrap_or_else(|e| panic!("the synthetic specs do not load: {e:?}"));
        let (code_ms, code) = timed(|| {
            apis.iter()
                .map(|api| xtask::codegen::generate_api(api, "", Default::default()))
                .collect::<Result<Vec<_>, _>>()
        });
        if let Err(e) = code {
            panic!("the synthetic specs do not generate: {e}");
        }
        let growth = previous
            .map(|(pn, pms)| {
                format!(
                    "  ×{:.2} time for ×{:.1} endpoints",
                    ms / pms,
                    n as f64 / pn as f64
                )
            })
            .unwrap_or_default();
        println!(
            "  synthetic, {n:>3} endpoints            {ms:>8.1} ms  {:>6.2} ms/endpoint{growth}",
            ms / n as f64
        );
        println!(
            "      of which, timed alone: load {load_ms:.1} ms, the crate's code {code_ms:.1} ms"
        );
        previous = Some((n, ms));
    }
    if let Some((n, ms)) = previous {
        println!(
            "budget: the check of {n} endpoints under {BUDGET_MS} ms: {ms:.0} ms: {}",
            if smoke {
                "not judged (smoke run)"
            } else if ms < BUDGET_MS {
                "met"
            } else {
                "NOT met"
            }
        );
    }
}

/// The time the check of the largest synthetic API (500 endpoints) should stay under.
const BUDGET_MS: f64 = 2000.0;

fn timed<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let out = f();
    (t.elapsed().as_secs_f64() * 1e3, out)
}

/// One API with `n` operation documents modelled on ShowVpcepConnection, each with its own
/// path, operationId and schemas, next to a copy of the vendors' settings its `api.toml` names.
fn synthetic(root: &Path, n: usize) {
    let api = root.join("specs/synthetic");
    fs::create_dir_all(&api).expect("mkdir");
    let vendors = root.join("specs").join(spec::VENDORS_DIR);
    fs::create_dir_all(&vendors).expect("mkdir");
    let real_vendors = workspace_root().join("specs").join(spec::VENDORS_DIR);
    for entry in fs::read_dir(&real_vendors).expect("specs/vendors") {
        let path = entry.expect("entry").path();
        if let Some(name) = path.file_name() {
            fs::copy(&path, vendors.join(name)).expect("copy vendor settings");
        }
    }
    let real = workspace_root().join("specs/huaweicloud-css");
    let config = fs::read_to_string(real.join("api.toml")).expect("api.toml");
    let config = config.replace("crate = \"huaweicloud-css\"", "crate = \"synthetic\"");
    let config = config
        .split("[[paginate]]")
        .next()
        .unwrap_or_default()
        .to_owned();
    fs::write(api.join("api.toml"), config).expect("write");
    fs::copy(real.join("_common.yaml"), api.join("_common.yaml")).expect("copy");
    let op = fs::read_to_string(real.join("ShowVpcepConnection.yaml")).expect("op");
    for i in 0..n {
        let text = op
            .replace(
                "/vpcepservice/connections",
                &format!("/vpcepservice/connections{i}"),
            )
            .replace(
                "show_vpcep_connection",
                &format!("show_vpcep_connection_{i}"),
            )
            .replace(
                "ShowVpcepConnectionResponse",
                &format!("ShowVpcepConnectionResponse{i}"),
            )
            .replace(
                "VpcepConnectionStatus",
                &format!("VpcepConnectionStatus{i}"),
            )
            .replace("VpcepConnection\n", &format!("VpcepConnection{i}\n"))
            .replace("VpcepConnection'", &format!("VpcepConnection{i}'"))
            .replace("VpcepConnection:", &format!("VpcepConnection{i}:"))
            .replace("VpcepPermissionType", &format!("VpcepPermissionType{i}"))
            .replace("VpcepPermission'", &format!("VpcepPermission{i}'"))
            .replace("VpcepPermission:", &format!("VpcepPermission{i}:"));
        let text = if i == 0 {
            text
        } else {
            text.replace(
                "    VpcepUpdateSwitch:\n",
                "    VpcepUpdateSwitchUnused{i}:\n",
            )
            .replace("{i}", &i.to_string())
        };
        fs::write(api.join(format!("Op{i:03}.yaml")), text).expect("write");
    }
}
