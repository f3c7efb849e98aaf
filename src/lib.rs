//! bfjit: the Cranelift backend, the runtime, the execution tiers and the CLI.
//! The front and middle end (parser, IR, passes, interpreters) live in the
//! `ir-passes` crate; see ARCHITECTURE.md for the map.

pub mod bench;
pub mod build;
pub mod cli;
pub mod counting;
pub mod diagnostics;
pub mod emit_c;
pub mod exit_status;
pub mod explore;
pub mod harness;
pub mod inspect;
pub mod jit;
pub mod load;
pub mod runtime;
pub mod tier;
pub mod tiered;
