//! The interpreter tier's engine: the logical bytecode
//! ([`crate::bytecode::Bytecode`]) lowered to a dense, fused encoding
//! (`op`, `lower`) and run by threaded dispatch without counters or tape
//! bounds checks beyond the segment guards (`threaded`, with its
//! out-of-line paths in `cold`), plain or with the loop-head hooks tiered
//! execution uses (`hooks`, counted by `heat`); and a checked, counting
//! interpreter over the logical bytecode for profiles (`count`).
//! docs/interpreter.md has the design and the measurements.

pub mod cold;
pub mod count;
mod heat;
pub mod hooks;
pub mod lower;
pub mod op;
pub mod threaded;
