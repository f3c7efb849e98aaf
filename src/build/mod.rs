//! `bfjit build`: a program as a standalone executable. The opt tier's code,
//! from the same translator (`crate::jit::define_program`), goes into an
//! object file through `cranelift-object` instead of JIT memory
//! ([`object::object`]); the system C compiler links it with the C runtime
//! compiled by `build.rs` from `src/runtime/c/exe.c` and embedded in bfjit
//! ([`runtime`]), which plays the part the Rust shims play for the JIT
//! ([`link::link`]). Conventions (tape size, EOF rule, cell width, passes)
//! are fixed at build time; [`info::BuildInfo`] says which.

pub mod info;
pub mod link;
pub mod object;
pub mod runtime;

pub use info::BuildInfo;
