//! The benchmark suite behind `bfjit bench`: find programs with expected
//! output, run each on every selected tier (and optionally a C yardstick),
//! check the output, time every phase, and report the results.
//!
//! - `discovery.rs`: which programs, with which input and expected output.
//! - `contender.rs`: what is measured (`interp:O0`, `opt`, the C yardstick).
//! - `runner.rs`: one in-process measurement of the four phases.
//! - `clock.rs`: wall or CPU time.
//! - `check.rs`: comparing output with the expected output.
//! - `child.rs`: child processes with a timeout (the C compiler and binary).
//! - `memory.rs`: peak memory growth of a run, from the high-water mark.
//! - `c_baseline.rs`: the emitted C compiled with the system C compiler.
//! - `suite.rs`: the loop over programs and contenders that builds a report.
//! - `stats.rs`, `machine.rs`, `progress.rs`: medians, the machine, stderr.
//! - `report/`: the report data and its renderings (table, markdown, JSON, SVG).

pub mod c_baseline;
pub mod check;
pub mod child;
pub mod clock;
pub mod contender;
pub mod discovery;
pub mod machine;
pub mod memory;
pub mod progress;
pub mod report;
pub mod runner;
pub mod stats;
pub mod suite;

pub use contender::{Contender, TierSpec};
pub use discovery::{discover, Case};
pub use report::{Report, Status};
pub use suite::{run_suite, SuiteConfig};
