// The contract between generated code and the two runtimes that can host it:
// the byte offsets of the runtime-context fields generated code loads and
// stores, and the layout of the build-time data an executable carries.
//
// This file is plain `const` items with `//` comments only, because two
// compilations read it: the crate (as `crate::runtime::layout`), where
// `shims.rs` asserts at compile time that the Rust `Runtime` has these
// offsets, and `build.rs` (through `include!`), which passes them to the C
// runtime of `bfjit build` as `-D` macros that `runtime/c/exe.c` asserts with
// `_Static_assert`. A layout change that misses either side fails to build.

/// Offset of the fuel counter (u32): back edges left until the next budget
/// check.
pub const FUEL_OFFSET: i32 = 0;
/// Offset of the failing guard's number (u32).
pub const GUARD_OFFSET: i32 = 4;
/// Offset of the last cold-path shim's result (i64), written by the
/// preserving stubs.
pub const RESULT_OFFSET: i32 = 8;
/// Offset of the pointer a failing guard checked (i64).
pub const GUARD_PTR_OFFSET: i32 = 16;

/// `bfjit_config[CONFIG_TAPE_SIZE]` in an executable: the tape's cells.
pub const CONFIG_TAPE_SIZE: usize = 0;
/// `bfjit_config[CONFIG_CELL_BYTES]`: 1, 2 or 4.
pub const CONFIG_CELL_BYTES: usize = 1;
/// `bfjit_config[CONFIG_EOF]`: 0 leaves the cell, 1 stores 0, 2 stores the
/// cell's maximum.
pub const CONFIG_EOF: usize = 2;
/// `bfjit_config[CONFIG_SOURCE_LEN]`: bytes of `bfjit_source`.
pub const CONFIG_SOURCE_LEN: usize = 3;
/// `bfjit_config[CONFIG_SPANS]`: entries of `bfjit_spans` (u32 start, end
/// pairs).
pub const CONFIG_SPANS: usize = 4;
/// The number of u64 words of `bfjit_config`.
pub const CONFIG_WORDS: usize = 5;

/// The constants above that `runtime/c/exe.c` reads, by its macro names, in one list:
/// build.rs passes them as `-D` flags and the C yardstick (`emit_c`) writes
/// them as `#define`s, so the two cannot name different sets.
pub const C_MACROS: [(&str, usize); 9] = [
    ("BFJIT_FUEL_OFFSET", FUEL_OFFSET as usize),
    ("BFJIT_GUARD_OFFSET", GUARD_OFFSET as usize),
    ("BFJIT_RESULT_OFFSET", RESULT_OFFSET as usize),
    ("BFJIT_GUARD_PTR_OFFSET", GUARD_PTR_OFFSET as usize),
    ("BFJIT_CONFIG_TAPE_SIZE", CONFIG_TAPE_SIZE),
    ("BFJIT_CONFIG_CELL_BYTES", CONFIG_CELL_BYTES),
    ("BFJIT_CONFIG_EOF", CONFIG_EOF),
    ("BFJIT_CONFIG_SOURCE_LEN", CONFIG_SOURCE_LEN),
    ("BFJIT_CONFIG_SPANS", CONFIG_SPANS),
];
