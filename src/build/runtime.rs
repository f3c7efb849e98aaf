//! The C runtime of executables (`src/runtime/c/exe.c`), compiled by
//! `build.rs` and embedded here, so `bfjit build` needs nothing beside the
//! bfjit binary but a C compiler to link with, under `cargo run`, `cargo
//! test` or an installed binary alike.

/// The runtime as a static library (`ar` archive), or `None` when the bfjit
/// binary was built without a C compiler.
pub fn archive() -> Option<&'static [u8]> {
    static ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libbfjit_exe_runtime.a"));
    match cfg!(bfjit_no_exe_runtime) || ARCHIVE.is_empty() {
        true => None,
        false => Some(ARCHIVE),
    }
}

/// The archive's file name, as the linker is given it.
pub const ARCHIVE_NAME: &str = "libbfjit_exe_runtime.a";
