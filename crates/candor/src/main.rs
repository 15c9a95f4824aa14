//! The `candor` binary: parses arguments, calls library code, maps failures to exit codes.
//!
//! Exit codes: 0 success; 1 the job ran and found a problem (e.g. `check` verdict fail);
//! 2 bad input or usage (a file, key or value the user can fix); 3 internal error.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod cmd;
mod exit;

use clap::Parser;

/// mimalloc: per-thread heaps. With glibc's allocator, a message built on one worker and
/// freed on another contended on arena locks; the engine spent about a third less CPU per
/// email with mimalloc (`cargo bench -p candor-engine --bench engine_100k`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = cli::Cli::parse();
    let result = cmd::dispatch(cli.command);
    std::process::exit(exit::report(result));
}
