//! The interpreter's side of tiered execution: heat at loop heads and a way
//! out into compiled code.
//!
//! Every loop has a slot (its index among the loop heads in program order,
//! [`crate::bytecode::Bytecode::loops`]). With hooks, every back edge a
//! loop takes counts down that loop's countdown (the unit of
//! [`LoopHooks::threshold`] and of `recheck_after` is one back edge of the
//! loop itself); when it reaches zero the interpreter
//! calls [`LoopHooks::at_head`] at the loop test with the pointer, tape, I/O
//! and budget, and the hook either lets the interpreter carry on (and says
//! when to ask again) or runs the loop to its exit itself, typically by
//! calling compiled code, and hands back the pointer there. BF's whole state
//! is the tape and the pointer, so leaving and re-entering needs nothing else.
//!
//! Without hooks ([`NoHooks`]) the counting code is not compiled in at all.

use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::Io;

/// What the interpreter does after calling [`LoopHooks::at_head`].
#[derive(Debug)]
pub enum HeadAction {
    /// Keep interpreting the loop; call the hook again after this many more
    /// of its back edges (0 is taken as 1).
    Interpret {
        /// Back edges until the next call for this loop.
        recheck_after: u32,
    },
    /// The hook ran the loop to its exit (the loop's cell is zero there);
    /// the interpreter continues after the loop with this pointer, or stops
    /// with the error. The pointer must be on the tape (checked).
    Ran(Result<usize, RunError>),
}

/// Callbacks from the interpreter at loop heads.
pub trait LoopHooks<C: CellType> {
    /// False only for [`NoHooks`]: the interpreter then carries no counters.
    const ENABLED: bool = true;

    /// Back edges of a loop (its own, over all its entries) before the
    /// first call of `at_head` for it; 0 is taken as 1.
    fn threshold(&self) -> u32;

    /// Called at the test of loop `slot` (its cell is non-zero, so the loop
    /// is about to run another iteration) once its countdown runs out;
    /// `back_edges` is how many back edges of the loop that countdown
    /// counted (the threshold, then each `recheck_after`), so a hook can add
    /// up a loop's heat.
    /// All output so far is in `io`, so output order is kept when compiled
    /// code writes through the same `Io`.
    fn at_head(
        &mut self,
        slot: u32,
        back_edges: u32,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> HeadAction;
}

/// [`LoopHooks::at_head`] as a trait object: the threaded handlers reach
/// the hooks through one pointer whatever their type (its constant keeps
/// `LoopHooks` itself from being one), and only out of line.
pub(super) trait AtHead<C> {
    /// [`LoopHooks::at_head`].
    fn at_head(
        &mut self,
        slot: u32,
        back_edges: u32,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> HeadAction;
}

impl<C: CellType, H: LoopHooks<C>> AtHead<C> for H {
    fn at_head(
        &mut self,
        slot: u32,
        back_edges: u32,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> HeadAction {
        LoopHooks::at_head(self, slot, back_edges, tape, ptr, io, budget)
    }
}

/// No tiering: the plain interpreter.
pub struct NoHooks;

impl<C: CellType> LoopHooks<C> for NoHooks {
    const ENABLED: bool = false;

    fn threshold(&self) -> u32 {
        u32::MAX
    }

    fn at_head(
        &mut self,
        _: u32,
        _: u32,
        _: &mut [C],
        _: usize,
        _: &mut Io<'_>,
        _: &mut Budget,
    ) -> HeadAction {
        HeadAction::Interpret {
            recheck_after: u32::MAX,
        }
    }
}
