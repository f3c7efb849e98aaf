//! The benchmark suite behind `bfjit bench`: find programs with expected
//! output, run each on every selected tier (and optionally a C yardstick),
//! check the output, time every phase, and report the results.
//!
//! - `discovery.rs`: which programs, with which input and expected output.
//! - `contender.rs`: what is measured (`interp:O0`, `opt`, the C yardstick,
//!   `bfjit build`'s executable, other implementations given as commands).
//! - `runner.rs`: one in-process measurement of the four phases; the only
//!   file that calls the run harness (`tier::compile`, `Compiled::run`).
//! - `process.rs`: contenders run as processes, built once per program.
//! - `external.rs`: other implementations' commands (`--contender`).
//! - `clock.rs`: wall or CPU time.
//! - `check.rs`: comparing output with the expected output.
//! - `child.rs`: child processes with a timeout (the C compiler and binary).
//! - `memory.rs`: peak memory growth of a run, from the high-water mark.
//! - `c_baseline.rs`: the emitted C compiled with the system C compiler.
//! - `exe.rs`: `bfjit build`'s executable as a contender (`exe`).
//! - `compare.rs`: saved runs and the change against an earlier run.
//! - `suite.rs`: the loop over programs and contenders that builds a report.
//! - `stats.rs`: median, mean, standard deviation, every sample.
//! - `machine.rs`, `progress.rs`: the machine, the progress bar.
//! - `report/`: the report data and its renderings (table, markdown, JSON, SVG).

pub mod c_baseline;
pub mod check;
pub mod child;
pub mod clock;
pub mod compare;
pub mod contender;
pub mod discovery;
pub mod exe;
pub mod external;
pub mod machine;
pub mod memory;
pub mod process;
pub mod progress;
pub mod report;
pub mod runner;
pub mod stats;
pub mod suite;

pub use contender::{Contender, TierSpec};
pub use discovery::{discover, Case};
pub use report::{Report, Status};
pub use suite::{run_suite, SuiteConfig};
