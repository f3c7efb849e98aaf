//! Helpers the test suites of both crates share (behind the `test-support`
//! feature, which only dev-dependencies enable): where the BF corpus is and
//! what its manifest says, runs on the reference interpreter and the
//! bytecode tier, and the random-program generators of the property tests.

pub mod corpus;
pub mod generate;
pub mod oracle;
pub mod run;
