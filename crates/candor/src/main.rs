//! The `candor` binary: parses arguments, calls library code, maps failures to exit codes.
//!
//! Exit codes: 0 success; 1 the job ran and found a problem (e.g. `check` verdict fail);
//! 2 bad input or usage (a file, key or value the user can fix); 3 internal error.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod cmd;
mod exit;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let result = cmd::dispatch(cli.command);
    std::process::exit(exit::report(result));
}
