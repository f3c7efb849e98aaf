//! Accesses to the tape and the runtime context, pointer updates, and shim
//! calls: the translator's side of the [`Cursor`](super::cursor::Cursor).

use super::Translator;
use crate::runtime::shims::Runtime;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AliasRegionData, FuncRef, InstBuilder, MemFlagsData, Value};

/// The alias region id of the runtime context's fields.
const CONTEXT_REGION: u32 = 1;

impl<'p> Translator<'_, 'p, '_> {
    /// Loads `p[offset]`.
    pub(super) fn load(&mut self, offset: i32) -> Value {
        if let Some(var) = self.cursor.promoted(offset) {
            return self.b.use_var(var);
        }
        if let Some(v) = self.cursor.known(&mut self.b, offset) {
            return v;
        }
        // Every access sits behind a guard that proved it on the tape, so
        // the flags are `trusted` (cannot trap, aligned).
        let (addr, imm) = self.cursor.address(&mut self.b, offset);
        let v = self
            .b
            .ins()
            .load(self.cell, MemFlagsData::trusted(), addr, imm);
        self.cursor.remember(offset, v);
        v
    }

    /// Stores `p[offset] = v`.
    pub(super) fn store(&mut self, offset: i32, v: Value) {
        if let Some(var) = self.cursor.promoted(offset) {
            return self.b.def_var(var, v);
        }
        self.cursor.remember(offset, v);
        let (addr, imm) = self.cursor.address(&mut self.b, offset);
        self.b.ins().store(MemFlagsData::trusted(), v, addr, imm);
    }

    /// Loads the cell at index `p + offset`: `tape + (p << shift)` and a
    /// displacement, folded into one operand when it fits.
    pub(super) fn load_at_index(&mut self, p: Value, offset: i64) -> Value {
        let base = self.cursor.cell_address(&mut self.b, p);
        let (base, imm) = match i32::try_from(offset << self.shift) {
            Ok(imm) => (base, imm),
            Err(_) => (self.b.ins().iadd_imm_s(base, offset << self.shift), 0),
        };
        self.b
            .ins()
            .load(self.cell, MemFlagsData::trusted(), base, imm)
    }

    /// The pointer (a cell index) with all moves applied.
    pub(super) fn ptr_value(&mut self) -> Value {
        self.cursor.ptr_value(&mut self.b)
    }

    /// Applies pending moves to the pointer Variables (see
    /// [`Cursor::flush_moves`](super::cursor::Cursor::flush_moves)).
    pub(super) fn flush_moves(&mut self) {
        self.cursor.flush_moves(&mut self.b);
    }

    /// Sets the pointer to cell index `p`, and the address with it.
    pub(super) fn set_ptr(&mut self, p: Value) {
        self.cursor.set_ptr(&mut self.b, p);
    }

    /// Sets the pointer to a shim's or callee's result, leaving for the
    /// failure exit if it is negative.
    pub(super) fn set_ptr_checked(&mut self, r: Value) {
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        self.fail_if_nonzero(negative);
        self.set_ptr(r);
    }

    /// Calls a shim of a hot path directly (see `ShimIds`); its result.
    pub(super) fn call_direct(&mut self, shim: FuncRef, args: &[Value]) -> Value {
        self.cursor.called();
        let call = self.b.ins().call(shim, args);
        self.b.inst_results(call)[0]
    }

    /// Calls a cold-path shim through its preserving stub and reads its
    /// result from the runtime context.
    pub(super) fn call_shim(&mut self, shim: FuncRef, args: &[Value]) -> Value {
        self.cursor.called();
        self.b.ins().call(shim, args);
        let flags = self.context_flags();
        self.b
            .ins()
            .load(types::I64, flags, self.rt, Runtime::RESULT_OFFSET)
    }

    /// The flags of an access to the runtime context: its own alias region.
    pub(super) fn context_flags(&mut self) -> MemFlagsData {
        let mut flags = MemFlagsData::trusted();
        let region = self.b.func.dfg.alias_regions.insert(AliasRegionData {
            user_id: CONTEXT_REGION,
            description: "runtime context".into(),
        });
        flags.set_alias_region(Some(region));
        flags
    }
}
