//! The optimization passes, one file each. Every pass is a pure
//! `Program -> Program` that keeps the program's meaning, including where and
//! how it fails; see each file for a before/after example.

use crate::ir::Program;

pub mod clear_loops;
pub mod dead_code;
pub mod fold_runs;
pub mod known_values;
pub mod linear_fold;
pub mod mul_loops;
pub mod offsets;
pub mod scan_loops;
pub mod set_fold;
pub mod set_loops;
mod util;

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

/// Every pass, in pipeline order. The loop rewrites come first, while loop
/// bodies still read like their source; `offsets` then sinks the moves of
/// the straight-line code they leave, which lets `set_fold` combine writes
/// across the whole segment.
pub const PASSES: &[PassInfo] = &[
    PassInfo {
        name: "fold_runs",
        summary: "fold runs of +- and <> into single adds and moves",
        level: 1,
        run: fold_runs::fold_runs,
    },
    PassInfo {
        name: "clear_loops",
        summary: "[-], [+] and other odd-step clear loops become set 0",
        level: 1,
        run: clear_loops::clear_loops,
    },
    PassInfo {
        name: "scan_loops",
        summary: "[>], [<<] and other move-only loops become scans",
        level: 1,
        run: scan_loops::scan_loops,
    },
    PassInfo {
        name: "mul_loops",
        summary: "balanced odd-step counter loops become multiply-adds and a clear",
        level: 1,
        run: mul_loops::mul_loops,
    },
    PassInfo {
        name: "set_loops",
        summary: "counter loops that also set cells become an if holding the whole loop",
        level: 2,
        run: set_loops::set_loops,
    },
    PassInfo {
        name: "offsets",
        summary: "sink moves to the end of each segment; ops address p[+k]",
        level: 1,
        run: offsets::offsets,
    },
    PassInfo {
        name: "set_fold",
        summary: "combine adds and sets to the same cell within a segment",
        level: 1,
        run: set_fold::set_fold,
    },
    PassInfo {
        name: "linear_fold",
        summary: "write each cell's final linear function of a stretch's inputs once",
        level: 2,
        run: linear_fold::linear_fold,
    },
    PassInfo {
        name: "dead_code",
        summary: "remove loops on cells known to be zero",
        level: 1,
        run: dead_code::dead_code,
    },
    PassInfo {
        name: "known_values",
        summary: "fold known cell values; drop dead loops; at-most-once loops become ifs",
        level: 2,
        run: known_values::known_values,
    },
];
