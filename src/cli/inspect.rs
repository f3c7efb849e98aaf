//! `bfjit inspect` (to be written: issue 6).

use clap::Args;
use std::path::PathBuf;

/// `bfjit inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The BF program.
    pub file: PathBuf,
}

/// Runs `bfjit inspect` and returns the exit status.
pub fn run(_args: &InspectArgs) -> u8 {
    super::error("inspect is not yet implemented");
    super::EXIT_USAGE
}
