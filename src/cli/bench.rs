//! `bfjit bench` (to be written: issue 7).

use clap::Args;
use std::path::PathBuf;

/// `bfjit bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The BF program.
    pub file: PathBuf,
}

/// Runs `bfjit bench` and returns the exit status.
pub fn run(_args: &BenchArgs) -> u8 {
    super::error("bench is not yet implemented");
    super::EXIT_USAGE
}
