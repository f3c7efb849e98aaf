//! bfjit's front and middle end: the parser, the IR and its printer, the
//! optimization passes and their pipeline, the reference interpreter and the
//! bytecode interpreter tier. It knows nothing of Cranelift.
//!
//! Data flows `parse` → [`ir::Program`] → [`pipeline::Pipeline`] → a tier
//! ([`bytecode`] here, the JIT tiers in the `bfjit` crate). See ARCHITECTURE.md.

pub mod budget;
pub mod bytecode;
pub mod cell;
pub mod diagnostic;
pub mod error;
pub mod guard;
pub mod interp;
pub mod io;
pub mod ir;
pub mod parse;
pub mod passes;
pub mod pipeline;
pub mod print;
pub mod reference;
pub mod source;
pub mod span;
pub mod validate;
