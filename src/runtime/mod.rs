//! What generated code and the tiers share at run time: the tape and the
//! extern "C" shims that JIT-compiled code calls.

pub mod shims;
pub mod tape;
