//! The interpreter tier's engine: the logical bytecode
//! ([`crate::bytecode::Bytecode`]) lowered to a dense, fused encoding
//! (`op`, `lower`) and run by a dispatch loop without counters or tape bounds
//! checks beyond the segment guards (`dispatch`); a checked, counting
//! interpreter over the logical bytecode for profiles (`count`); and the
//! loop-head hooks tiered execution uses (`hooks`). docs/interpreter.md has
//! the design and the measurements.

pub mod count;
pub mod dispatch;
pub mod hooks;
pub mod lower;
pub mod op;
pub mod threaded;
