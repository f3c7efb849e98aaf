//! What generated code and the tiers share at run time: the tape, the
//! extern "C" shims that JIT-compiled code calls, and the layout contract
//! (`layout.rs`) between generated code and the runtimes that host it (the
//! shims here, and the C runtime of `bfjit build` in `c/exe.c`).

pub mod layout;
pub mod shims;
pub mod tape;
