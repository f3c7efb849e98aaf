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
    /// the reference interpreter and continue at its resume index. (The
    /// threaded run resolves the window against its tape when it copies
    /// the ops.)
    Guard { nlo: u32, w: u32, gap: u32 },
    /// A segment that is one move: `p += d` if `p+d` is on the tape (the
    /// source's own excursion lies between `p` and `p+d`, so one compare
    /// is the whole guard); else `gaps[gap]` runs on the reference.
    GuardMove { d: i32, gap: u32 },
    /// Jump to `target` if `p[0] == 0` (loop and if entry).
    Jz { target: u32 },
    /// `p += d`, then jump to `target` if `p[0] == 0`.
    MoveJz { d: i32, target: u32 },
    /// `GuardMove`, then `Jz`.
    GuardMoveJz { d: i32, target: u32, gap: u32 },
    /// The head of a loop whose body is `Guard`, one `Transfer` or `Add`,
    /// `MoveJnzG` (a walk along the tape): jumps to `target` if `p[0] == 0`,
    /// else runs whole iterations in one tight loop with no dispatch, and
    /// leaves to the body's own ops (which follow) when the guard fails or a
    /// hook is due.
    Walk { target: u32 },
    /// A loop's back edge: jump to `target` if `p[0] != 0`.
    Jnz { target: u32 },
    /// `p += d`, then a back edge.
    MoveJnz { d: i32, target: u32 },
    /// `GuardMove`, then a back edge.
    GuardMoveJnz { d: i32, target: u32, gap: u32 },
    /// `Jnz` whose target is a `Guard`, checked here: the jump lands past
    /// it when it passes (one dispatch less per iteration), on it if not.
    JnzG { target: u32 },
    /// `MoveJnz` whose target is a `Guard`, checked here.
    MoveJnzG { d: i32, target: u32 },
    /// `GuardMoveJnz` whose target is a `Guard`, checked here.
    GuardMoveJnzG { d: i32, target: u32, gap: u32 },
    /// `while p[0] != 0 { p += stride }`, each step checked against the
    /// window `-nlo ..= -nlo+w` of one step's source (as `Guard` encodes
    /// it); the scan's source is in `Code::scans`.
    Scan { stride: i32, nlo: u32, w: u32 },
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

/// A program in the fast encoding.
#[derive(Clone, Debug, Default)]
pub struct Code {
    /// The ops; the last reachable one is [`Op::Halt`], stubs follow it.
    pub ops: Vec<Op>,
    /// Guard fallbacks, indexed by `Op::Guard::gap` `Op::GuardMove*::gap`.
    pub gaps: Vec<FastGap>,
    /// The source of each `Scan` op, as (op index, span) in op order, run
    /// on the reference interpreter when a step would leave the tape. Kept
    /// apart from the ops (rather than a span per op) so that lowering pays
    /// only for the scans.
    pub scans: Vec<(u32, Span)>,
    /// The loop slot of each back edge that has one, as (op index, slot) in
    /// op order (sparse, as `scans`).
    pub slots: Vec<(u32, u32)>,
    /// For each op, the logical instruction it starts with (an index into
    /// [`crate::bytecode::Bytecode::instrs`]): how profiles map back.
    pub origin: Vec<u32>,
}

impl Code {
    /// The source of the `Scan` at op `at` (an empty span if it is none).
    pub fn scan_span(&self, at: usize) -> Span {
        match self.scans.binary_search_by_key(&(at as u32), |&(k, _)| k) {
            Ok(i) => self.scans[i].1,
            Err(_) => Span::new(0, 0),
        }
    }

    /// The loop slot of the back edge at op `at` (`NONE` if it has none).
    pub fn slot(&self, at: usize) -> u32 {
        match self.slots.binary_search_by_key(&(at as u32), |&(k, _)| k) {
            Ok(i) => self.slots[i].1,
            Err(_) => super::lower::NONE,
        }
    }

    /// How many loop slots the back edges name (the highest plus one).
    pub fn loops(&self) -> usize {
        self.slots
            .iter()
            .map(|&(_, s)| s as usize + 1)
            .max()
            .unwrap_or(0)
    }
}

const _: () = assert!(std::mem::size_of::<Op>() == 16);
