//! The optimization passes, one file each. Every pass is a pure
//! `Program -> Program` that keeps the program's meaning, including where and
//! how it fails; see each file for a before/after example.

use crate::ir::Program;

/// A pass as the pipeline knows it.
#[derive(Clone, Copy, Debug)]
pub struct PassInfo {
    /// The name used by `--passes`, `--no-pass` and the inspection views.
    pub name: &'static str,
    /// One line on what the pass does.
    pub summary: &'static str,
    /// The lowest `-O` level that runs it.
    pub level: u8,
    /// The pass itself.
    pub run: fn(Program) -> Program,
}

/// Every pass, in pipeline order.
pub const PASSES: &[PassInfo] = &[];
