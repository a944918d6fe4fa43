//! The `cloudsdk` binary: see the library crate.

fn main() -> std::process::ExitCode {
    cloudsdk::run(std::env::args_os().collect())
}
