//! `cargo xtask <command>`: see `cargo xtask help`.

use std::{path::Path, process::ExitCode};

use xtask::{Outcome, docs::run as docs, run, stale_message, workspace_root};

/// `generate` allocates and frees millions of small syntax nodes; see the workspace manifest.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  generate           generate generated/<api>/ from specs/<api>/, and keep each client's entry
                     in Cargo.toml and Cargo.lock at api.toml's version (writes only what
                     changed)
  generate --check   change nothing; exit 1 if any generated file (or one of those entries) is
                     stale, missing or extra
  api-diff [--base REV] [--format text|markdown] [--changelog [--check]] [--record]
                     classify every API change since each crate's release record
                     (specs/<api>/release.json; with --base, since the specs at git
                     revision REV) for the wire and for Rust semver; exit 1 when a crate's
                     version in api.toml is not bumped enough.
                     --changelog          write the entry of api.toml's version in
                                          specs/<api>/CHANGELOG.md
                     --changelog --check  also exit 1 when that entry is missing or stale
                     --record [<api>]     at release: write the release records (of every
                                          crate, or of specs/<api> only)
  docs check         compare every spec with its vendor page (specs/<api>/pages/) and print,
                     per operation, how many facts the page confirms and how many rest on
                     each other source (x-source, a key of the operation's `sources` in
                     pages.toml); exit 0 when they agree, 1 on drift, 2 when a page cannot be
                     read, an operation has no entry, a URL is a placeholder, an x-source names
                     no source, or a capture stops short and pages.toml does not record it as
                     `partial`
  docs check --page FILE <api>/<Operation>
                     compare one spec with a page file (a page just saved from the browser)
  docs diff OLD NEW  what changed between two captures of one page
  docs show FILE     the documented operation read from a page, as JSON
  docs scaffold FILE [--url URL]
                     print a draft OpenAPI document for the page's endpoint
  docs fetch [<api>/<Operation>] [--base URL]
                     download the pages from their URLs; write and list only those that changed
                     (--base replaces the URLs' scheme and host, for a mirror)
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The commands read and write the checkout they run in (found at run time); without one,
    // say so instead of failing later on a missing file.
    if !matches!(args.as_slice(), ["help" | "--help" | "-h"] | [])
        && let Err(e) = xtask::try_workspace_root()
    {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    match args.as_slice() {
        ["generate"] => generate(false),
        ["generate", "--check"] => generate(true),
        ["api-diff", rest @ ..] => api_diff(rest),
        ["docs", "check"] => report(
            docs::check_all(&workspace_root()),
            "the specs agree with their pages",
        ),
        ["docs", "check", "--page", file, target] => report(
            docs::check_file(&workspace_root(), Path::new(file), target),
            "the spec agrees with the page",
        ),
        ["docs", "diff", old, new] => report(
            docs::diff(&workspace_root(), Path::new(old), Path::new(new)),
            "the two captures document the same operation",
        ),
        ["docs", "show", file] => show(file),
        ["docs", "fetch", rest @ ..] => fetch(rest),
        ["docs", "scaffold", file] => scaffold(file, None),
        ["docs", "scaffold", file, "--url", url] => scaffold(file, Some(url)),
        ["help"] | ["--help"] | ["-h"] | [] => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        other => {
            eprint!("unknown arguments: {}\n\n{HELP}", other.join(" "));
            ExitCode::from(2)
        }
    }
}

fn generate(check: bool) -> ExitCode {
    let root = workspace_root();
    match run(&root, check) {
        Ok(Outcome::UpToDate) => {
            println!("generated/ is up to date");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Changed(drift)) if check => {
            eprint!("{}", stale_message(&drift));
            ExitCode::FAILURE
        }
        Ok(Outcome::Changed(drift)) => {
            for d in drift {
                match d {
                    xtask::Drift::Missing(p) => println!("created {p}"),
                    xtask::Drift::Stale(p) => println!("updated {p}"),
                    xtask::Drift::Extra(p) => println!("removed {p}"),
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprint!("{failure}");
            ExitCode::FAILURE
        }
    }
}

fn api_diff(args: &[&str]) -> ExitCode {
    use xtask::api_diff::release::{self, Base};
    let usage = |msg: &str| {
        eprint!("{msg}\n\n{HELP}");
        ExitCode::from(2)
    };
    let (mut base, mut markdown, mut changelog, mut check) = (Base::Records, false, false, false);
    // `--record` alone records every crate; `--record <api>` that one only.
    let mut record: Option<Option<&str>> = None;
    let mut args = args.iter().peekable();
    while let Some(arg) = args.next() {
        match *arg {
            "--base" => match args.next() {
                Some(rev) => base = Base::Git((*rev).to_owned()),
                None => return usage("--base needs a git revision"),
            },
            "--format" => match args.next() {
                Some(&"markdown") => markdown = true,
                Some(&"text") => markdown = false,
                _ => return usage("--format takes text or markdown"),
            },
            "--changelog" => changelog = true,
            "--check" => check = true,
            "--record" => {
                record = Some(args.next_if(|a| !a.starts_with("--")).copied());
            }
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    if check && !changelog {
        return usage("--check goes with --changelog");
    }
    let root = workspace_root();
    if let Some(only) = record {
        return match release::record(&root, only) {
            Ok(written) if written.is_empty() => {
                println!("every release record is up to date");
                ExitCode::SUCCESS
            }
            Ok(written) => {
                for f in written {
                    println!("recorded {f}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot record the release:\n{e}");
                ExitCode::FAILURE
            }
        };
    }
    let reports = match release::reports(&root, &base) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if markdown {
        print!("{}", release::render_markdown(&reports));
    } else {
        print!("{}", release::render_text(&reports));
    }
    let mut failed = false;
    for problem in reports.iter().filter_map(|r| r.problem()) {
        eprintln!("error: {problem}");
        failed = true;
    }
    if changelog && matches!(base, Base::Records) {
        if check {
            for problem in release::check_changelogs(&root, &reports) {
                eprintln!("error: {problem}");
                failed = true;
            }
        } else {
            match release::write_changelogs(&root, &reports) {
                Ok(written) => {
                    for f in written {
                        println!("updated {f}");
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
        }
    } else if changelog {
        eprintln!("note: --changelog works against the release records, not --base");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn report(report: docs::Report, agree: &str) -> ExitCode {
    for line in &report.summary {
        println!("{line}");
    }
    for line in &report.findings {
        println!("{line}");
    }
    for line in &report.errors {
        eprintln!("error: {line}");
    }
    match report.exit_code() {
        0 => {
            println!("{agree}");
            ExitCode::SUCCESS
        }
        code => ExitCode::from(code),
    }
}

fn show(file: &str) -> ExitCode {
    let page = docs::read_page(Path::new(file)).map_err(|e| e.to_string());
    match page.and_then(|page| serde_json::to_string_pretty(&page).map_err(|e| e.to_string())) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn scaffold(file: &str, url: Option<&str>) -> ExitCode {
    match docs::scaffold_file(&workspace_root(), Path::new(file), url) {
        Ok(yaml) => {
            print!("{yaml}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn fetch(args: &[&str]) -> ExitCode {
    let (mut only, mut base) = (None, None);
    let mut i = 0;
    while i < args.len() {
        match (args[i], args.get(i + 1)) {
            ("--base", Some(url)) => {
                base = Some(*url);
                i += 1;
            }
            (target, _) if !target.starts_with('-') && only.is_none() => only = Some(target),
            (other, _) => {
                eprint!("unknown argument to docs fetch: {other}\n\n{HELP}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let today = xtask::docs::fetch::date_of(now);
    let report = xtask::docs::fetch::fetch(&workspace_root(), only, base, &today);
    for line in &report.findings {
        println!("{line}");
    }
    for line in &report.errors {
        eprintln!("error: {line}");
    }
    if !report.errors.is_empty() {
        ExitCode::from(2)
    } else {
        if report.findings.is_empty() {
            println!("no page changed");
        }
        ExitCode::SUCCESS
    }
}
