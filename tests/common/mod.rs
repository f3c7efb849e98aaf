//! Helpers of the bfjit crate's integration tests: the `bfjit` binary, the
//! tiers run in-process, and failure lists. Corpus lookup, reference runs and
//! random programs, which ir-passes' tests need too, are in
//! `ir_passes::test_support`.

#![allow(dead_code)] // each test binary uses its own subset

pub mod bin;
pub mod cli;
pub mod tiers;

/// Fails with every line of `failures`, if there are any.
pub fn assert_no_failures(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
