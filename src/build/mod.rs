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

use crate::harness::Target;
use ir_passes::ir::Program;
use std::path::Path;

/// Builds the executable `out` from `program` (already through its
/// pipeline) for `target`'s tape size and EOF rule: the object file, then
/// the link. This is the whole of `bfjit build` after loading, for callers
/// such as a benchmark's `exe` contender (whose compile phase it is).
pub fn executable(
    program: &Program,
    target: &Target,
    info: &BuildInfo,
    out: &Path,
) -> Result<(), String> {
    let object = object::object(program, target, info)?;
    link::link(&object, out)
}
