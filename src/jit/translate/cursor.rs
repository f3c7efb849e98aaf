//! What the translator knows of the tape pointer at the point it is emitting:
//! the pointer and address Variables, the moves not yet applied to them, the
//! known values of cells near it, the window an enclosing hoisted guard proved, and
//! the cells of a promoted loop. All of it is cached state that some event
//! (a merge, a call, a pointer update, the end of a region) invalidates;
//! this file is the only place it is reset. A block switch goes through
//! [`Cursor::switch_to`], whose [`Entry`] says what survives it.

use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_frontend::{FunctionBuilder, Variable};
use std::collections::BTreeMap;

/// The translator's cached state of the pointer and the cells around it.
pub(super) struct Cursor {
    /// The pointer, a cell index: what guards compare (with immediates).
    ptr: Variable,
    /// The current cell's address, `tape + (ptr << shift)`, kept beside the
    /// index and moved with it: loads and stores use it as their only base
    /// register (indexed stores cost more micro-ops on x86; factor ran 20%
    /// slower with `[tape + ptr]` operands).
    addr: Variable,
    /// The tape's address parameter.
    tape: Value,
    /// log2 of the cell size in bytes.
    shift: i64,
    /// Whether cell values are remembered at all: the simple
    /// tier stays a template JIT, where every load is emitted.
    remember: bool,
    /// Cells moved since the Variables were last updated (see
    /// [`Cursor::flush_moves`]).
    pending: i64,
    /// The values of cells, by offset from the pointer Variable, when the
    /// code since they were loaded or stored cannot have changed them: a
    /// rotated loop's test value, reused by its body (dbfi's `[+<<]` and
    /// `[->>]` then load their cell once per iteration, as `cc` makes
    /// them), and cells an `if`'s test or its parent's ops just wrote
    /// (factor's decimal-carry chains of `if`s test and step the same two
    /// cells at every level; Cranelift's own load forwarding does not see
    /// through the pointer update each branch makes). Kept along
    /// single-predecessor edges, cleared at merges, calls and pointer
    /// assignments; moves shift the offsets.
    cells: Vec<(i64, Known)>,
    /// Inside a loop or if whose hoisted guard proved cells on the tape.
    proven: Option<Proven>,
    /// Inside a loop whose cells live in Variables (see `promoted_loop`).
    promoted: Option<Promotion>,
}

/// How many cell values [`Cursor::cells`] holds at most.
const MAX_KNOWN_CELLS: usize = 16;

/// How the builder comes to a block, which decides what stays known there.
#[derive(Clone, Copy)]
pub(super) enum Entry {
    /// The continuation of the path just emitted: its only predecessor is
    /// the branch just emitted, so everything known stays.
    Continue,
    /// A point other paths may reach (or the function's start): nothing is
    /// known of the cells there.
    Merge,
    /// A merge all of whose predecessors tested the current cell, leaving
    /// its value in this Variable (a rotated loop's body, entered from its
    /// top and bottom tests). Read only on use, so a body that does not
    /// need it gets no extra block parameter.
    Tested(Variable),
}

/// What is known of a cell's value (see [`Cursor::cells`]).
#[derive(Clone, Copy)]
enum Known {
    /// This value.
    Value(Value),
    /// The value of this Variable (see [`Entry::Tested`]).
    Tested(Variable),
}

/// Cells an enclosing hoisted guard proved on the tape, for all iterations:
/// `lo ..= hi` relative to the pointer at that guard, and where the pointer
/// is now relative to it (static bodies move it, but back by their end).
#[derive(Clone, Copy)]
pub(super) struct Proven {
    /// Lowest proven cell, relative to the pointer at the guard.
    lo: i64,
    /// Highest proven cell, relative to the pointer at the guard.
    hi: i64,
    /// The pointer's offset from where it was at the guard.
    at: i64,
}

/// The cells of a promoted loop: one Variable per cell offset from the
/// loop's entry pointer, and where the pointer is now relative to it.
pub(super) struct Promotion {
    /// Cell offset (from the loop entry) → its Variable.
    cells: BTreeMap<i64, Variable>,
    /// The pointer's offset from the loop entry.
    at: i64,
}

impl Promotion {
    /// Each promoted cell's Variable, with the cell's offset from the pointer.
    pub(super) fn cells(&self) -> impl Iterator<Item = (i32, Variable)> + '_ {
        self.cells
            .iter()
            .map(|(&off, &var)| ((off - self.at) as i32, var))
    }
}

impl Cursor {
    /// The state at a function's start: its pointer and address Variables
    /// declared, nothing known. `remember`: whether cell values
    /// may be reused (the opt tier).
    pub(super) fn new(
        b: &mut FunctionBuilder<'_>,
        tape: Value,
        shift: i64,
        remember: bool,
    ) -> Cursor {
        Cursor {
            ptr: b.declare_var(types::I64),
            addr: b.declare_var(types::I64),
            tape,
            shift,
            remember,
            pending: 0,
            cells: Vec::new(),
            proven: None,
            promoted: None,
        }
    }

    /// Continues emitting in `block`, keeping what `entry` allows. Every
    /// branch applies the moves first, so none are pending here.
    pub(super) fn switch_to(&mut self, b: &mut FunctionBuilder<'_>, block: Block, entry: Entry) {
        debug_assert_eq!(self.pending, 0, "a block switch with moves pending");
        match entry {
            Entry::Continue => {}
            Entry::Merge => self.cells.clear(),
            Entry::Tested(var) => self.cells = vec![(0, Known::Tested(var))],
        }
        b.switch_to_block(block);
    }

    /// Sets the pointer to cell index `p`, and the address with it.
    pub(super) fn set_ptr(&mut self, b: &mut FunctionBuilder<'_>, p: Value) {
        debug_assert_eq!(self.pending, 0, "a new pointer with moves pending");
        self.cells.clear();
        b.def_var(self.ptr, p);
        let addr = self.cell_address(b, p);
        b.def_var(self.addr, addr);
    }

    /// Sets only the index Variable, as an inline scan's steps do; the
    /// address is recomputed by [`Cursor::sync_address`] where they end.
    pub(super) fn step_index(&mut self, b: &mut FunctionBuilder<'_>, p: Value) {
        self.cells.clear();
        b.def_var(self.ptr, p);
    }

    /// Brings the address Variable up to the index after [`Cursor::step_index`].
    pub(super) fn sync_address(&mut self, b: &mut FunctionBuilder<'_>) {
        let p = b.use_var(self.ptr);
        self.set_ptr(b, p);
    }

    /// The address of the cell at index `p`, `tape + (p << shift)`.
    pub(super) fn cell_address(&self, b: &mut FunctionBuilder<'_>, p: Value) -> Value {
        let scaled = if self.shift > 0 {
            b.ins().ishl_imm_u(p, self.shift)
        } else {
            p
        };
        b.ins().iadd(self.tape, scaled)
    }

    /// `p += delta`, recorded only: accesses fold it into their
    /// displacements until [`Cursor::flush_moves`].
    pub(super) fn move_by(&mut self, delta: i32) {
        if let Some(p) = &mut self.promoted {
            p.at += delta as i64;
        }
        if let Some(w) = &mut self.proven {
            w.at += delta as i64;
        }
        self.pending += delta as i64;
    }

    /// Applies the moves made since the last block boundary to the pointer
    /// and address Variables. Until then accesses fold them into their
    /// displacements: a loop's bottom test then loads through the pointer
    /// the body started with, and the moved pointer is computed after the
    /// load, in place (with the move first, Cranelift folded it into the
    /// load's address anyway, kept both pointers live and needed a copy on
    /// the back edge: dbfi's `[+<<]` took a second jump per iteration).
    /// Called before every branch and every other use of the Variables.
    pub(super) fn flush_moves(&mut self, b: &mut FunctionBuilder<'_>) {
        if self.pending == 0 {
            return;
        }
        let delta = std::mem::take(&mut self.pending);
        // The cells stay where they are; their offsets from the moved
        // pointer change.
        for (offset, _) in &mut self.cells {
            *offset -= delta;
        }
        let p = b.use_var(self.ptr);
        let moved = b.ins().iadd_imm_s(p, delta);
        b.def_var(self.ptr, moved);
        let a = b.use_var(self.addr);
        let moved = b.ins().iadd_imm_s(a, delta << self.shift);
        b.def_var(self.addr, moved);
    }

    /// The pointer (a cell index) with all moves applied.
    pub(super) fn ptr_value(&mut self, b: &mut FunctionBuilder<'_>) -> Value {
        self.flush_moves(b);
        b.use_var(self.ptr)
    }

    /// The address of `p[offset]` as a base and an immediate displacement.
    pub(super) fn address(&mut self, b: &mut FunctionBuilder<'_>, offset: i32) -> (Value, i32) {
        let addr = b.use_var(self.addr);
        let bytes = (offset as i64 + self.pending) << self.shift;
        match i32::try_from(bytes) {
            Ok(imm) => (addr, imm),
            Err(_) => (b.ins().iadd_imm_s(addr, bytes), 0),
        }
    }

    /// The key of `p[offset]` in [`Cursor::cells`], when values are
    /// remembered at all.
    fn key(&self, offset: i32) -> Option<i64> {
        self.remember.then_some(offset as i64 + self.pending)
    }

    /// The value of `p[offset]`, if it is known without a load.
    pub(super) fn known(&mut self, b: &mut FunctionBuilder<'_>, offset: i32) -> Option<Value> {
        let key = self.key(offset)?;
        let entry = self.cells.iter_mut().find(|(k, _)| *k == key)?;
        match entry.1 {
            Known::Value(v) => Some(v),
            Known::Tested(var) => {
                let v = b.use_var(var);
                entry.1 = Known::Value(v);
                Some(v)
            }
        }
    }

    /// Records that `p[offset]` was just loaded or stored as `v`.
    pub(super) fn remember(&mut self, offset: i32, v: Value) {
        let Some(key) = self.key(offset) else { return };
        self.cells.retain(|(k, _)| *k != key);
        if self.cells.len() == MAX_KNOWN_CELLS {
            // Short straight runs are what this is for.
            self.cells.remove(0);
        }
        self.cells.push((key, Known::Value(v)));
    }

    /// `p[offset]` is about to change without a store here (a store left to
    /// a later op): what was known of it no longer holds.
    pub(super) fn forget(&mut self, offset: i32) {
        if let Some(key) = self.key(offset) {
            self.cells.retain(|(k, _)| *k != key);
        }
    }

    /// A call was emitted: it may have written any cell.
    pub(super) fn called(&mut self) {
        self.cells.clear();
    }

    /// A call to an outlined function is about to be emitted: it may write
    /// any cell, and it may move the pointer without [`Cursor::move_by`]
    /// here, so offsets into an enclosing hoisted guard's proof are unknown
    /// from now on (later nested loops keep their own guards).
    pub(super) fn outlined(&mut self) {
        self.proven = None;
        self.cells.clear();
    }

    /// Whether an enclosing hoisted guard proved every cell of
    /// `p+lo ..= p+hi` on the tape.
    pub(super) fn proves(&self, lo: i64, hi: i64) -> bool {
        self.proven
            .is_some_and(|w| w.lo <= w.at + lo && w.at + hi <= w.hi)
    }

    /// Enters the region a hoisted guard of `p+lo ..= p+hi` covers; the
    /// enclosing proof, for [`Cursor::end_proof`].
    pub(super) fn prove(&mut self, lo: i64, hi: i64) -> Option<Proven> {
        self.proven.replace(Proven { lo, hi, at: 0 })
    }

    /// Leaves a region [`Cursor::prove`] entered.
    pub(super) fn end_proof(&mut self, outer: Option<Proven>) {
        self.proven = outer;
    }

    /// Enters a promoted loop whose cells, by offset from the pointer now,
    /// live in these Variables.
    pub(super) fn promote(&mut self, cells: BTreeMap<i64, Variable>) {
        self.promoted = Some(Promotion { cells, at: 0 });
    }

    /// The Variable holding `p[offset]`, inside a promoted loop.
    pub(super) fn promoted(&self, offset: i32) -> Option<Variable> {
        let p = self.promoted.as_ref()?;
        Some(p.cells[&(p.at + offset as i64)])
    }

    /// Suspends the promotion, so that accesses go to memory (to write the
    /// Variables back); [`Cursor::resume_promotion`] ends the suspension.
    pub(super) fn suspend_promotion(&mut self) -> Option<Promotion> {
        self.promoted.take()
    }

    /// Resumes a promotion [`Cursor::suspend_promotion`] suspended.
    pub(super) fn resume_promotion(&mut self, promotion: Promotion) {
        self.promoted = Some(promotion);
    }

    /// Leaves a promoted loop (its cells written back).
    pub(super) fn end_promotion(&mut self) {
        self.promoted = None;
    }
}
