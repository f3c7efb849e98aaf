//! The optimization passes, one file each. Every pass keeps the program's
//! meaning, including where and how it fails; see each file for a
//! before/after example. Each is a `Program -> Program` function named after
//! it, and an in-place `run(&mut Program) -> bool` that says whether it
//! changed anything (exactly: `true` if and only if the program differs), which
//! is what the pipeline calls.

use crate::ir::Program;

mod cell_facts;
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
    /// The pass itself, in place: whether it changed the program.
    pub run: fn(&mut Program) -> bool,
}

impl PassInfo {
    /// Runs the pass on a program by value.
    pub fn apply(&self, mut program: Program) -> Program {
        (self.run)(&mut program);
        program
    }
}

/// The bit each pass marks loop bodies with ([`crate::ir::Body`]) once it
/// knows it leaves them as they are: its index in [`PASSES`].
pub(crate) mod mark {
    pub const FOLD_RUNS: u16 = 1 << 0;
    pub const CLEAR_LOOPS: u16 = 1 << 1;
    pub const SCAN_LOOPS: u16 = 1 << 2;
    pub const MUL_LOOPS: u16 = 1 << 3;
    pub const SET_LOOPS: u16 = 1 << 4;
    pub const OFFSETS: u16 = 1 << 5;
    pub const SET_FOLD: u16 = 1 << 6;
    pub const LINEAR_FOLD: u16 = 1 << 7;
    pub const DEAD_CODE: u16 = 1 << 8;
    /// Not "changes nothing here": `known_values` is not local. Its bit
    /// says that the body's memo ([`crate::ir::Body::memo`]) holds.
    pub const KNOWN_VALUES: u16 = 1 << 9;
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
        run: fold_runs::run,
    },
    PassInfo {
        name: "clear_loops",
        summary: "[-], [+] and other odd-step clear loops become set 0",
        level: 1,
        run: clear_loops::run,
    },
    PassInfo {
        name: "scan_loops",
        summary: "[>], [<<] and other move-only loops become scans",
        level: 1,
        run: scan_loops::run,
    },
    PassInfo {
        name: "mul_loops",
        summary: "balanced odd-step counter loops become multiply-adds and a clear",
        level: 1,
        run: mul_loops::run,
    },
    PassInfo {
        name: "set_loops",
        summary: "counter loops that also set cells become an if holding the whole loop",
        level: 2,
        run: set_loops::run,
    },
    PassInfo {
        name: "offsets",
        summary: "sink moves to the end of each segment; ops address p[+k]",
        level: 1,
        run: offsets::run,
    },
    PassInfo {
        name: "set_fold",
        summary: "combine adds and sets to the same cell within a segment",
        level: 1,
        run: set_fold::run,
    },
    PassInfo {
        name: "linear_fold",
        summary: "write each cell's final linear function of a stretch's inputs once",
        level: 2,
        run: linear_fold::run,
    },
    PassInfo {
        name: "dead_code",
        summary: "remove loops on cells known to be zero",
        level: 1,
        run: dead_code::run,
    },
    PassInfo {
        name: "known_values",
        summary: "fold known cell values; drop dead loops; at-most-once loops become ifs",
        level: 2,
        run: known_values::run,
    },
];
