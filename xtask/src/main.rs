//! `cargo xtask <command>`: see `cargo xtask help`.

use std::process::ExitCode;

use xtask::{Outcome, run, stale_message, workspace_root};

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  generate           generate generated/<api>/ from specs/<api>/ (writes only what changed)
  generate --check   change nothing; exit 1 if any generated file is stale, missing or extra
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["generate"] => generate(false),
        ["generate", "--check"] => generate(true),
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
