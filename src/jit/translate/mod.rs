//! IR → CLIF for one generated function: one method per construct, in one
//! file per concern around [`Translator`] and its [`Cursor`]:
//!
//! - `cursor.rs`: the cached state of the pointer (its Variables, pending
//!   moves, known cell values, proven windows, promoted cells), the
//!   only place it is reset, and the one way to switch blocks.
//! - `split.rs`: which functions a program becomes (outlining big bodies).
//! - `guards.rs`: segment guards and the shared fallback path.
//! - `straight.rs`: straight-line ops.
//! - `loops.rs`: loops and ifs, hoisted guards, promoted loops, back edges.
//! - `scan.rs`: `Scan`, through memchr or inline steps.
//! - `memory.rs`: tape and context accesses, pointer updates, shim calls.
//!
//! The tape pointer is a cell index in an SSA [`Variable`], and the current
//! cell's address, `tape + (ptr << shift)`, another one moved with it, so
//! `p[offset]` is one load or store at an immediate displacement. The
//! tape's length is a constant of the code ([`CodeConfig`](crate::jit::CodeConfig)), so a guard is
//! one compare of the index with an immediate. Cold-path shims are called
//! through `preserve_all` stubs (see `module.rs`), so those calls clobber no
//! register and the tape base and pointer stay in registers across them.
//!
//! Tape safety is the segment-guard scheme of `ir_passes::guard`, exactly
//! as the bytecode tier uses it: a guard at a segment's entry checks
//! `0 <= p+lo && p+hi < len`; when it fails, the `fallback` shim (called
//! from one dispatch block per function) runs the segment's source with the
//! reference interpreter (exact error, or a normal finish) and the code
//! continues after the segment. The simple tier uses the
//! same guards rather than a check per `>`/`<`: they are exact by the same
//! fallback, and one mechanism for both tiers means the simple/opt comparison
//! measures the IR passes and the opt tier's translation, not two
//! bounds-check schemes.
//!
//! With [`Limits::Enforced`], back edges count down a fuel counter (another
//! Variable) and call the `budget` shim every
//! [`Budget::interval`](ir_passes::budget::Budget::interval) of them;
//! with [`Limits::Unlimited`] they are plain jumps (the count costs about a
//! tenth of the run time of loop-heavy programs).

mod cursor;
mod guards;
mod loops;
mod memory;
mod scan;
mod split;
mod straight;

pub use split::{Tables, Unit, Work};

use super::config::{JitMode, Limits};
use super::module::{cell_type, import_shims, Jit, ShimRefs};
use cranelift_codegen::ir::{types, Block, InstBuilder, Type, Value};
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_module::Module;
use cursor::{Cursor, Entry};
use ir_passes::ir::Program;
use ir_passes::span::Span;

/// Builds one generated function from a [`Unit`] into `jit.ctx`.
pub fn translate<'p, M: Module>(
    jit: &mut Jit<M>,
    mode: JitMode,
    program: &'p Program,
    unit: &Unit<'p>,
    tables: &mut Tables<'p>,
) {
    jit.ctx.func.signature = jit.signature.clone();
    let mut b = FunctionBuilder::new(&mut jit.ctx.func, &mut jit.builder_ctx);
    let shims = import_shims(&mut jit.module, &jit.shims, b.func);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let &[rt, tape, start] = b.block_params(entry) else {
        unreachable!("the signature has three parameters")
    };
    let shift = program.cell.bytes().trailing_zeros() as i64;
    let mut cursor = Cursor::new(&mut b, tape, shift, mode == JitMode::Opt);
    cursor.switch_to(&mut b, entry, Entry::Merge);
    // The entry block has no predecessors.
    b.seal_block(entry);
    let fuel = match tables.config.limits {
        Limits::Enforced => Some(b.declare_var(types::I32)),
        Limits::Unlimited => None,
    };
    let fail = b.create_block();
    b.set_cold_block(fail);
    let cell = cell_type(program.cell);
    let mut t = Translator {
        b,
        module: &mut jit.module,
        mode,
        program,
        cell,
        shift,
        shims,
        rt,
        tape,
        len: tables.config.tape_size as i64,
        cursor,
        fuel,
        fail,
        tables,
        resumes: Vec::new(),
        emitted: 0,
    };
    t.set_ptr(start);
    t.load_fuel();
    match &unit.work {
        Work::Whole(range) => t.body(unit.body, *range, unit.guarded),
        Work::Segments(segs) => t.chunk(unit.body, segs, unit.guarded),
        Work::Straight => t.straight_run(unit.body),
    }
    t.store_fuel();
    let p = t.ptr_value();
    t.b.ins().return_(&[p]);
    t.fallback_dispatch();
    t.switch_to(fail, Entry::Merge);
    // Every failing path has been emitted by now.
    t.b.seal_block(fail);
    let minus_one = t.b.ins().iconst(types::I64, -1);
    t.b.ins().return_(&[minus_one]);
    // Resume points of guard fallbacks are sealed only now: the dispatch
    // block's branch table is among their predecessors.
    t.b.seal_all_blocks();
    let config = t.module.target_config();
    t.b.finalize(config);
}

/// The state of one function's translation.
struct Translator<'a, 'p, 't> {
    /// The function being built.
    b: FunctionBuilder<'a>,
    /// For declaring outlined functions.
    module: &'a mut dyn Module,
    /// Which tier.
    mode: JitMode,
    /// The program (for its source and cell width).
    program: &'p Program,
    /// The cell's Cranelift type.
    cell: Type,
    /// log2 of the cell size in bytes.
    shift: i64,
    /// The shims, imported into this function.
    shims: ShimRefs,
    /// The runtime context parameter.
    rt: Value,
    /// The tape's address parameter.
    tape: Value,
    /// The tape's length in cells, a constant of the code.
    len: i64,
    /// The pointer and what is known around it.
    cursor: Cursor,
    /// Fuel: back edges left before the next budget check (none when the
    /// run's limits are not enforced).
    fuel: Option<Variable>,
    /// The block that returns -1 (a shim stored an error).
    fail: Block,
    /// Program-wide tables.
    tables: &'t mut Tables<'p>,
    /// Each guard's fallback: the block that sends it to the shared
    /// dispatch (see `fallback_dispatch`), the source span it runs, and
    /// where it resumes (`None` for exact guards, whose fallback always
    /// ends in an error). Their spans are numbered when the dispatch is
    /// emitted.
    resumes: Vec<(Block, Span, Option<Block>)>,
    /// Ops (and calls to outlined functions) emitted into this function so
    /// far: bounds the function's size when nesting keeps every body big.
    emitted: usize,
}

impl Translator<'_, '_, '_> {
    /// Continues in `block`, keeping what `entry` allows of what is known
    /// (see [`Cursor::switch_to`]).
    fn switch_to(&mut self, block: Block, entry: Entry) {
        self.cursor.switch_to(&mut self.b, block, entry);
    }

    /// `jump` to `target`, the moves applied first.
    fn jump(&mut self, target: Block) {
        self.flush_moves();
        self.b.ins().jump(target, &[]);
    }

    /// `brif`, the moves applied first.
    fn brif(&mut self, c: Value, then: Block, otherwise: Block) {
        self.flush_moves();
        self.b.ins().brif(c, then, &[], otherwise, &[]);
    }

    /// Leaves for the failure exit if `v` is nonzero; continues in a new block.
    fn fail_if_nonzero(&mut self, v: Value) {
        let ok = self.b.create_block();
        self.brif(v, self.fail, ok);
        // Its only predecessor is the branch just emitted; what is known
        // of the cell stays.
        self.b.seal_block(ok);
        self.switch_to(ok, Entry::Continue);
    }
}
