//! The fast encoding: what the dispatch loop runs.
//!
//! Every op is 16 bytes (a tag and up to three 32-bit fields), jump targets
//! are indices into the same vector, and the shapes the -O2 passes leave most
//! often are fused into one op (see `lower.rs`). Nothing here is counted: the
//! executed-op counts of `--count-ops` come from the logical bytecode
//! ([`crate::bytecode::Instr`]), which the counting run executes instead.

use crate::ir::Value;
use crate::span::Span;

/// One op of the fast encoding. Offsets are relative to the pointer; every
/// cell an op touches lies in the window its segment's guard checked (the
/// lowering verifies it), which is what lets the dispatch loop index the
/// tape unchecked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `p[off] += v`.
    Add { off: i32, v: Value },
    /// `p[off] = v`.
    Set { off: i32, v: Value },
    /// `p[dst] += p[src] * f`.
    MulAdd { src: i32, dst: i32, f: Value },
    /// `p[dst] += p[src] * f; p[src] = 0`: a multiply loop's whole effect.
    Transfer { src: i32, dst: i32, f: Value },
    /// `p[off] += v; p += d`.
    AddMove { off: i32, v: Value, d: i32 },
    /// `p += d`.
    Move { d: i32 },
    /// Output `p[off]`.
    Out { off: i32 },
    /// Input into `p[off]`.
    In { off: i32 },
    /// Check `p-nlo ..= p-nlo+w` is on the tape; if not, run `gaps[gap]` on
    /// the reference interpreter and continue at its resume index.
    Guard { nlo: u32, w: u32, gap: u32 },
    /// A segment that is one move: `p += d` if `p+d` is on the tape (the
    /// source's own excursion lies between `p` and `p+d`, so one compare
    /// is the whole guard); else `gaps[gap]` runs on the reference.
    GuardMove { d: i32, gap: u32 },
    /// Jump to `target` if `p[0] == 0` (loop and if entry).
    Jz { target: u32 },
    /// `p += d`, then jump to `target` if `p[0] == 0`.
    MoveJz { d: i32, target: u32 },
    /// Back edge of loop `slot`: jump to `target` if `p[0] != 0`.
    Jnz { target: u32, slot: u32 },
    /// `p += d`, then the back edge of loop `slot`.
    MoveJnz { d: i32, target: u32, slot: u32 },
    /// `while p[0] != 0 { p += scans[scan].stride }`, each step checked.
    Scan { scan: u32 },
    /// Jump to `target` (ends the out-of-line stubs a guard resumes into).
    Goto { target: u32 },
    /// The end of the program.
    Halt,
}

/// A guard's fallback in the fast encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastGap {
    /// The source the reference interpreter runs.
    pub span: Span,
    /// The op to continue at when it finishes.
    pub resume: u32,
}

/// A scan's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanInfo {
    /// Cells per step.
    pub stride: i32,
    /// Lowest offset one step's source may visit.
    pub lo: i32,
    /// Highest offset one step's source may visit.
    pub hi: i32,
    /// The scan loop's source, run on the reference interpreter for the exact
    /// error when a step would leave the tape.
    pub span: Span,
}

/// A program in the fast encoding.
#[derive(Clone, Debug, Default)]
pub struct Code {
    /// The ops; the last reachable one is [`Op::Halt`], stubs follow it.
    pub ops: Vec<Op>,
    /// Guard fallbacks, indexed by `Op::Guard::gap` and `Op::GuardMove::gap`.
    pub gaps: Vec<FastGap>,
    /// Scans, indexed by `Op::Scan::scan`.
    pub scans: Vec<ScanInfo>,
    /// Number of loops (the slots of `Op::Jnz` and `Op::MoveJnz`).
    pub loops: u32,
}

const _: () = assert!(std::mem::size_of::<Op>() == 16);
