//! IR → CLIF for one generated function: one method per construct.
//!
//! The tape pointer is a cell index in an SSA [`Variable`], and the current
//! cell's address, `tape + (ptr << shift)`, another one moved with it, so
//! `p[offset]` is one load or store at an immediate displacement. The
//! tape's length is a constant of the code ([`CodeConfig`]), so a guard is
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
//! measures the IR passes and Cranelift's optimizer, not two bounds-check
//! schemes.
//!
//! With [`Limits::Enforced`], back edges count down a fuel counter (another
//! Variable) and call the `budget` shim every [`Budget::interval`] of them;
//! with [`Limits::Unlimited`] they are plain jumps (the count costs about a
//! tenth of the run time of loop-heavy programs).

use super::config::{CodeConfig, JitMode, Limits};
use super::module::{cell_type, import_shims, Jit, ShimRefs};
use super::shape::{Shapes, MAX_FUNCTION_OPS};
use crate::runtime::shims::Runtime;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AliasRegionData, Block, BlockCall, FuncRef, InstBuilder, JumpTableData, MemFlagsData,
    SourceLoc, Type, Value,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_module::{FuncId, Module};
use ir_passes::budget::Budget;
use ir_passes::guard::{inner_span, is_exact, segments, source_excursion, Segment};
use ir_passes::ir::{Node, Op, Program};
use ir_passes::span::Span;
use std::collections::{BTreeMap, HashMap};

/// How many steps of an inline scan run behind one bounds compare (see
/// `Translator::scan_steps`).
const SCAN_UNROLL: i32 = 4;

/// The alias region id of the runtime context's fields.
const CONTEXT_REGION: u32 = 1;

/// A piece of the program that becomes one generated function.
pub struct Unit<'p> {
    /// The declared function.
    pub id: FuncId,
    /// The body the work indexes into.
    pub body: &'p [Node],
    /// Which part of `body` the function runs.
    pub work: Work,
    /// False for the segments of a loop whose entry guard covers them.
    pub guarded: bool,
}

/// What a big body entered without outlining counts towards
/// [`MAX_FUNCTION_OPS`] (besides its ops): limits the nesting depth of big
/// bodies in one function to about a hundred.
const NEST_WEIGHT: usize = 20;

/// What a [`Unit`] runs of its body.
pub enum Work {
    /// The whole body, whose source range this is (it may be split further).
    Whole(Span),
    /// Consecutive segments as `guard::segments` made them, each followed by
    /// the control op after it (if any).
    Segments(Vec<Segment>),
    /// The body is a run of straight-line ops, part of a segment too long
    /// for one function; the caller checked the segment's guard.
    Straight,
}

/// What translation accumulates across the functions of one program.
pub struct Tables<'p> {
    /// Source ranges the fallback shim may run, by index.
    pub spans: Vec<Span>,
    /// Functions declared (outlined pieces of huge bodies) but not yet built.
    pub pending: Vec<Unit<'p>>,
    /// Which loops get one hoisted guard (opt tier).
    pub shapes: Shapes,
    /// What the code is specialized for.
    config: CodeConfig,
    /// Memoized op counts of `Loop`/`If` nodes (nested ops included), so
    /// asking at every level of a deep nest stays linear.
    sizes: HashMap<*const Node, usize>,
}

impl<'p> Tables<'p> {
    /// The tables at the start of a program's translation: one pending unit,
    /// the whole top level as the function `entry`.
    pub fn new(program: &'p Program, entry: FuncId, config: CodeConfig) -> Tables<'p> {
        Tables {
            spans: Vec::new(),
            pending: vec![Unit {
                id: entry,
                body: &program.body,
                work: Work::Whole(program.source.full_span()),
                guarded: true,
            }],
            shapes: Shapes::default(),
            config,
            sizes: HashMap::new(),
        }
    }

    /// The number of ops in `body`, nested ones included.
    fn size(&mut self, body: &[Node]) -> usize {
        body.iter().map(|n| self.node_size(n)).sum()
    }

    /// The number of ops of one node, its nested ones included.
    fn node_size(&mut self, node: &Node) -> usize {
        let Some(body) = node.op.body() else {
            return 1;
        };
        let key = node as *const Node;
        if let Some(&size) = self.sizes.get(&key) {
            return size;
        }
        let size = 1 + self.size(body);
        self.sizes.insert(key, size);
        size
    }
}

/// Builds one generated function from a [`Unit`] into `jit.ctx`.
pub fn translate<'p>(
    jit: &mut Jit,
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
    b.switch_to_block(entry);
    // The entry block has no predecessors.
    b.seal_block(entry);
    let &[rt, tape, start] = b.block_params(entry) else {
        unreachable!("the signature has three parameters")
    };
    let ptr = b.declare_var(types::I64);
    let addr = b.declare_var(types::I64);
    let fuel = match tables.config.limits {
        Limits::Enforced => Some(b.declare_var(types::I32)),
        Limits::Unlimited => None,
    };
    let fail = b.create_block();
    b.set_cold_block(fail);
    let cell = cell_type(program.cell);
    let spans_before = tables.spans.len();
    let mut t = Translator {
        b,
        module: &mut jit.module,
        mode,
        program,
        cell,
        shift: cell.bytes().trailing_zeros() as i64,
        shims,
        rt,
        tape,
        len: tables.config.tape_size as i64,
        ptr,
        addr,
        fuel,
        fail,
        tables,
        promoted: None,
        pending: 0,
        cell0: None,
        proven: None,
        resumes: Vec::new(),
        spans_before,
        emitted: 0,
    };
    t.set_ptr(start);
    t.load_fuel();
    match &unit.work {
        Work::Whole(range) => t.body(unit.body, *range, unit.guarded),
        Work::Segments(segs) => t.chunk(unit.body, segs, unit.guarded),
        Work::Straight => unit.body.iter().for_each(|n| t.straight(n)),
    }
    t.store_fuel();
    let p = t.ptr_value();
    t.b.ins().return_(&[p]);
    t.fallback_dispatch();
    t.b.switch_to_block(fail);
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
    module: &'a mut cranelift_jit::JITModule,
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
    /// The pointer, a cell index: what guards compare (with immediates).
    ptr: Variable,
    /// The current cell's address, `tape + (ptr << shift)`, kept beside the
    /// index and moved with it: loads and stores use it as their only base
    /// register (indexed stores cost more micro-ops on x86; factor ran 20%
    /// slower with `[tape + ptr]` operands).
    addr: Variable,
    /// Back edges left before the next budget check (none when the run's
    /// limits are not enforced).
    fuel: Option<Variable>,
    /// The block that returns -1 (a shim stored an error).
    fail: Block,
    /// Program-wide tables.
    tables: &'t mut Tables<'p>,
    /// Inside a loop whose cells live in Variables (see `promoted_loop`).
    promoted: Option<Promotion>,
    /// Cells moved since the Variables were last updated (see
    /// `flush_moves`).
    pending: i64,
    /// The value of the cell at the pointer Variable, when the code since
    /// it was loaded or stored cannot have changed it: a rotated loop's
    /// test value, reused by its body (dbfi's `[+<<]` and `[->>]` then load
    /// their cell once per iteration, as `cc` makes them). Cleared at
    /// merges, calls and pointer updates.
    cell0: Option<Known>,
    /// Inside a loop or if whose hoisted guard proved cells on the tape.
    proven: Option<Proven>,
    /// Each guard's fallback: the block that sends it to the shared
    /// dispatch (see `fallback_dispatch`), the index of the source span it
    /// runs, and where it resumes (`None` for exact guards, whose fallback
    /// always ends in an error).
    resumes: Vec<(Block, u32, Option<Block>)>,
    /// How many fallback spans earlier functions registered: this
    /// function's guards are numbered from there.
    spans_before: usize,
    /// Ops (and calls to outlined functions) emitted into this function so
    /// far: bounds the function's size when nesting keeps every body big.
    emitted: usize,
}

/// What is known of the current cell's value (see `Translator::cell0`).
#[derive(Clone, Copy)]
enum Known {
    /// This value.
    Value(Value),
    /// The value of this Variable, which both tests of a rotated loop
    /// define; read only on use, so a loop whose body does not need it gets
    /// no extra block parameter.
    Tested(Variable),
}

/// Cells an enclosing hoisted guard proved on the tape, for all iterations:
/// `lo ..= hi` relative to the pointer at that guard, and where the pointer
/// is now relative to it (static bodies move it, but back by their end).
#[derive(Clone, Copy)]
struct Proven {
    /// Lowest proven cell, relative to the pointer at the guard.
    lo: i64,
    /// Highest proven cell, relative to the pointer at the guard.
    hi: i64,
    /// The pointer's offset from where it was at the guard.
    at: i64,
}

/// The cells of a promoted loop: one Variable per cell offset from the
/// loop's entry pointer, and where the pointer is now relative to it.
struct Promotion {
    /// Cell offset (from the loop entry) → its Variable.
    cells: BTreeMap<i64, Variable>,
    /// The pointer's offset from the loop entry.
    at: i64,
}

impl<'p> Translator<'_, 'p, '_> {
    /// Translates consecutive segments of `body` and the control ops after
    /// them; `guarded` is false when a hoisted guard covers the segments.
    fn chunk(&mut self, body: &'p [Node], segs: &[Segment], guarded: bool) {
        for seg in segs {
            self.segment(body, seg, guarded);
            if seg.ops.end < body.len() {
                self.control(&body[seg.ops.end]);
            }
        }
    }

    /// Translates a body whose source is `range`. A body too big for one
    /// Cranelift function (compile time and memory grow faster than linearly
    /// with function size) is cut into pieces at control ops, each piece
    /// outlined into its own function; a single control op too big by itself
    /// stays here, and its own body gets cut in turn, until this function
    /// holds [`MAX_FUNCTION_OPS`] ops: then the next body is outlined whole
    /// (a deep nest becomes a chain of functions, not one huge one). A
    /// segment too long by itself keeps its guard here and runs its ops in
    /// outlined pieces.
    fn body(&mut self, body: &'p [Node], range: Span, guarded: bool) {
        let big = self.tables.size(body) > MAX_FUNCTION_OPS;
        if big && self.emitted >= MAX_FUNCTION_OPS {
            return self.outline(body, Work::Whole(range), guarded);
        }
        let segs = segments(body, range, &self.program.source);
        if !big {
            return self.chunk(body, &segs, guarded);
        }
        // Each loop level costs register allocation more than an op does
        // (values live across every level), so a nest of big bodies fills
        // the function sooner.
        self.emitted += NEST_WEIGHT;
        let mut group: Vec<Segment> = Vec::new();
        let mut size = 0;
        for seg in segs {
            let control = body.get(seg.ops.end);
            let control_size = control.map_or(0, |n| self.tables.node_size(n));
            let piece = seg.ops.len() + control_size;
            if piece > MAX_FUNCTION_OPS {
                self.outline(body, Work::Segments(std::mem::take(&mut group)), guarded);
                size = 0;
                if seg.ops.len() <= MAX_FUNCTION_OPS {
                    self.chunk(body, &[seg], guarded);
                    continue;
                }
                self.long_segment(body, &seg, guarded);
                match control {
                    Some(node) if control_size > MAX_FUNCTION_OPS => self.control(node),
                    Some(node) => {
                        // The control op alone, as a segment without ops.
                        let at = seg.ops.end;
                        let start = Span::new(node.span.start, node.span.start);
                        group.push(Segment {
                            ops: at..at,
                            gap: start,
                            lo: 0,
                            hi: 0,
                            exact: true,
                        });
                        size = control_size;
                    }
                    None => {}
                }
                continue;
            }
            if size + piece > MAX_FUNCTION_OPS {
                self.outline(body, Work::Segments(std::mem::take(&mut group)), guarded);
                size = 0;
            }
            size += piece;
            group.push(seg);
        }
        self.outline(body, Work::Segments(group), guarded);
    }

    /// A segment with more ops than one function should hold: its guard
    /// here, its ops in outlined pieces of at most [`MAX_FUNCTION_OPS`].
    fn long_segment(&mut self, body: &'p [Node], seg: &Segment, guarded: bool) {
        let ops = seg.ops.clone();
        let pieces = |t: &mut Self| {
            for start in ops.clone().step_by(MAX_FUNCTION_OPS) {
                let end = (start + MAX_FUNCTION_OPS).min(ops.end);
                t.outline(&body[start..end], Work::Straight, false);
            }
        };
        if guarded && seg.needs_guard() {
            self.guarded(seg.lo, seg.hi, seg.gap, seg.exact, pieces);
        } else {
            pieces(self);
        }
    }

    /// Emits a call to a new function that will run `work` of `body`.
    fn outline(&mut self, body: &'p [Node], work: Work, guarded: bool) {
        if matches!(&work, Work::Segments(segs) if segs.is_empty()) {
            return;
        }
        self.emitted += 1;
        // The outlined work may move the pointer without `move_by` here, so
        // offsets into an enclosing hoisted guard's proof are unknown from
        // now on: later nested loops keep their own guards.
        self.proven = None;
        let id = self
            .module
            .declare_anonymous_function(&self.b.func.signature)
            .expect("an anonymous function with the shared signature can always be declared");
        let callee = self.module.declare_func_in_func(id, self.b.func);
        self.tables.pending.push(Unit {
            id,
            body,
            work,
            guarded,
        });
        self.cell0 = None;
        // The callee counts fuel on from where we are.
        self.store_fuel();
        let p = self.ptr_value();
        let call = self.b.ins().call(callee, &[self.rt, self.tape, p]);
        let r = self.b.inst_results(call)[0];
        self.load_fuel();
        self.set_ptr_checked(r);
    }

    /// Translates a segment, behind its guard when it needs one.
    fn segment(&mut self, body: &'p [Node], seg: &Segment, guarded: bool) {
        let ops = &body[seg.ops.clone()];
        if guarded && seg.needs_guard() {
            self.guarded(seg.lo, seg.hi, seg.gap, seg.exact, |t| {
                ops.iter().for_each(|n| t.straight(n))
            });
        } else {
            ops.iter().for_each(|n| self.straight(n));
        }
    }

    /// Emits the check that `p+lo ..= p+hi` is on the tape, with a cold path
    /// that runs the source `span` on the reference interpreter and then
    /// continues at `resume` — or, for an exact guard (`None`: the source
    /// certainly leaves the tape), only reports the error. Leaves the builder
    /// in the block where the check passed.
    fn check_or_fall_back(&mut self, lo: i32, hi: i32, span: Span, resume: Option<Block>) {
        let ok = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let p = self.ptr_value();
        self.branch_if_off_tape(p, lo, hi, slow, ok);
        // The check's branch is the only predecessor of `ok`; `slow` gets
        // its jump to the dispatch at the end of the function.
        self.b.seal_block(ok);
        self.b.seal_block(slow);
        let index = self.span_index(span);
        self.resumes.push((slow, index, resume));
        // A continuation of the same path: what is known of the cell stays.
        self.b.switch_to_block(ok);
    }

    /// The one fallback path of the function, shared by all its guards (a
    /// call and a merge per guard were about 40% of mandelbrot's compile
    /// time): each failing guard jumps here with its number; the fallback
    /// shim runs that guard's source, then a branch table resumes after
    /// the guard. Exact guards have no way back (their entry leads to the
    /// failure exit, which a fallback that did not fail reaches as an
    /// internal error), so their code needs no merge after the guard.
    /// Resume blocks stay unsealed until this is emitted.
    fn fallback_dispatch(&mut self) {
        if self.resumes.is_empty() {
            return;
        }
        let dispatch = self.b.create_block();
        self.b.set_cold_block(dispatch);
        let first = self.spans_before as i64;
        let mut table = vec![None; self.tables.spans.len() - self.spans_before];
        let flags = self.context_flags();
        for &(slow, index, resume) in &std::mem::take(&mut self.resumes) {
            self.enter(slow);
            // Attributed to the guard, like its check.
            let start = self.tables.spans[index as usize].start;
            self.b.set_srcloc(SourceLoc::new(start));
            // Through the context rather than as arguments of the dispatch
            // block: hundreds of edges bringing values into one block cost
            // the register allocator 1.7 of its 10 ms on mandelbrot.
            let n = self.b.ins().iconst(types::I32, index as i64 - first);
            self.b.ins().store(flags, n, self.rt, Runtime::GUARD_OFFSET);
            let p = self.ptr_value();
            self.b
                .ins()
                .store(flags, p, self.rt, Runtime::GUARD_PTR_OFFSET);
            self.jump(dispatch);
            table[(index as i64 - first) as usize] = resume;
        }
        self.b.seal_block(dispatch);
        self.enter(dispatch);
        self.b.set_srcloc(SourceLoc::default());
        let number = self
            .b
            .ins()
            .load(types::I32, flags, self.rt, Runtime::GUARD_OFFSET);
        let p = self
            .b
            .ins()
            .load(types::I64, flags, self.rt, Runtime::GUARD_PTR_OFFSET);
        let span = self.b.ins().iadd_imm_s(number, first);
        let r = self.call_shim(self.shims.fallback, &[self.rt, span, p]);
        if table.iter().all(Option::is_none) {
            // Only exact guards: every fallback ends in an error.
            self.jump(self.fail);
            return;
        }
        let resume = self.b.create_block();
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        self.brif(failed, self.fail, resume);
        self.b.seal_block(resume);
        self.enter(resume);
        self.set_ptr(r);
        let calls: Vec<BlockCall> = table
            .iter()
            .map(|t| {
                let target = t.unwrap_or(self.fail);
                self.b.func.dfg.block_call(target, &[])
            })
            .collect();
        let default = self.b.func.dfg.block_call(self.fail, &[]);
        let jt = self
            .b
            .create_jump_table(JumpTableData::new(default, &calls));
        self.b.ins().br_table(number, jt);
    }

    /// Emits `inner` behind a guard that `p+lo ..= p+hi` is on the tape; if
    /// it is not, the source range `span` (equivalent to `inner`) runs on the
    /// reference interpreter instead. `exact`: the source visits every cell
    /// of the window for certain, so a failing guard is always an error.
    fn guarded(
        &mut self,
        lo: i32,
        hi: i32,
        span: Span,
        exact: bool,
        inner: impl FnOnce(&mut Self),
    ) {
        // The guard's code is attributed to the start of the source it checks.
        self.b.set_srcloc(SourceLoc::new(span.start));
        if lo >= 0 && hi <= 0 {
            // Only the current cell, which is always on the tape.
            return inner(self);
        }
        if exact {
            self.check_or_fall_back(lo, hi, span, None);
            return inner(self);
        }
        let after = self.b.create_block();
        self.check_or_fall_back(lo, hi, span, Some(after));
        inner(self);
        self.jump(after);
        // Sealed at the end: the fallback dispatch also leads here.
        self.enter(after);
    }

    /// Branches to `off` when some cell of `p+lo ..= p+hi` is off the tape
    /// (`lo <= 0 <= hi`), else to `on`: one compare with an immediate, since
    /// the length is a constant. One side: `p < -lo`, or `p >= len - hi`.
    /// Both: `p + lo`, as unsigned (a negative one wraps to a huge value),
    /// above `len - 1 - (hi - lo)`.
    fn branch_if_off_tape(&mut self, p: Value, lo: i32, hi: i32, off: Block, on: Block) {
        // The compares below rely on it: every window holds the current cell.
        debug_assert!(lo <= 0 && 0 <= hi, "guard window [{lo}, {hi}]");
        let (lo, hi) = (lo as i64, hi as i64);
        if hi - lo >= self.len {
            // Wider than the tape: no pointer passes.
            self.jump(off);
            return;
        }
        let outside = match (lo < 0, hi > 0) {
            (true, false) => self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, p, -lo),
            (false, true) => {
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, p, self.len - hi)
            }
            _ => {
                let first = self.b.ins().iadd_imm_s(p, lo);
                let last_start = self.len - 1 - (hi - lo);
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThan, first, last_start)
            }
        };
        self.brif(outside, off, on);
    }

    /// The flags of an access to the runtime context: its own alias region.
    fn context_flags(&mut self) -> MemFlagsData {
        let mut flags = MemFlagsData::trusted();
        let region = self.b.func.dfg.alias_regions.insert(AliasRegionData {
            user_id: CONTEXT_REGION,
            description: "runtime context".into(),
        });
        flags.set_alias_region(Some(region));
        flags
    }

    /// A straight-line op.
    fn straight(&mut self, node: &Node) {
        // Source locations let `inspect --emit asm` group code by IR op.
        self.b.set_srcloc(SourceLoc::new(node.span.start));
        self.emitted += 1;
        match node.op {
            Op::Add { offset, delta } => self.add(offset, delta),
            Op::Set { offset, value } => self.set(offset, value),
            Op::MulAdd { src, dst, factor } => self.mul_add(src, dst, factor),
            Op::Move { delta } => self.move_by(delta),
            Op::Output { offset } => self.output(offset),
            Op::Input { offset } => self.input(offset),
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => {
                unreachable!("control op inside a segment")
            }
        }
    }

    /// `p[offset] += delta`.
    fn add(&mut self, offset: i32, delta: u32) {
        let v = self.load(offset);
        let d = self.cell_const(delta);
        let sum = self.b.ins().iadd(v, d);
        self.store(offset, sum);
    }

    /// `p[offset] = value`.
    fn set(&mut self, offset: i32, value: u32) {
        let v = self.cell_const(value);
        self.store(offset, v);
    }

    /// `p[dst] += p[src] * factor`.
    fn mul_add(&mut self, src: i32, dst: i32, factor: u32) {
        let s = self.load(src);
        let d = self.load(dst);
        let factor = self.program.cell.wrap(factor);
        let sum = if factor == 1 {
            self.b.ins().iadd(d, s)
        } else if factor == self.program.cell.wrap(u32::MAX) {
            self.b.ins().isub(d, s)
        } else if factor.is_power_of_two() {
            let product = self.b.ins().ishl_imm_u(s, factor.trailing_zeros() as i64);
            self.b.ins().iadd(d, product)
        } else {
            let f = self.cell_const(factor);
            let product = self.b.ins().imul(s, f);
            self.b.ins().iadd(d, product)
        };
        self.store(dst, sum);
    }

    /// `p += delta`.
    fn move_by(&mut self, delta: i32) {
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
    fn flush_moves(&mut self) {
        if self.pending == 0 {
            return;
        }
        let delta = std::mem::take(&mut self.pending);
        self.cell0 = None;
        let p = self.b.use_var(self.ptr);
        let moved = self.b.ins().iadd_imm_s(p, delta);
        self.b.def_var(self.ptr, moved);
        let a = self.b.use_var(self.addr);
        let moved = self.b.ins().iadd_imm_s(a, delta << self.shift);
        self.b.def_var(self.addr, moved);
    }

    /// The pointer (a cell index) with all moves applied.
    fn ptr_value(&mut self) -> Value {
        self.flush_moves();
        self.b.use_var(self.ptr)
    }

    /// Continues in `block`, a point other paths may reach: nothing is
    /// known of the current cell there.
    fn enter(&mut self, block: Block) {
        self.cell0 = None;
        self.b.switch_to_block(block);
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

    /// Output `p[offset]` through the `put` shim.
    fn output(&mut self, offset: i32) {
        let v = self.load(offset);
        let v = self.widen(v);
        let status = self.call_direct(self.shims.put, &[self.rt, v]);
        self.fail_if_nonzero(status);
    }

    /// Input into `p[offset]` through the `get` shim.
    fn input(&mut self, offset: i32) {
        let old = self.load(offset);
        let old = self.widen(old);
        let r = self.call_direct(self.shims.get, &[self.rt, old]);
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        self.fail_if_nonzero(negative);
        let v = self.b.ins().ireduce(self.cell, r);
        self.store(offset, v);
    }

    /// A control op.
    fn control(&mut self, node: &'p Node) {
        self.b.set_srcloc(SourceLoc::new(node.span.start));
        self.emitted += 1;
        match &node.op {
            Op::Loop { body } | Op::If { body } => {
                // Also inside a loop with a hoisted guard: that guard covers
                // only the loop's own segments.
                let hoisted = match self.mode {
                    JitMode::Opt => self.tables.shapes.hoisted_guard(node, &self.program.source),
                    _ => None,
                };
                match hoisted {
                    Some((lo, hi)) => self.hoisted(node, body, lo, hi),
                    None => self.block(node, body, true, false),
                }
            }
            Op::Scan { stride } => self.scan(node.span, *stride),
            _ => unreachable!("straight-line op as a control op"),
        }
    }

    /// A loop (or if) of static shape: when it is about to run (`p[0] != 0`;
    /// a loop that does not run touches nothing), one guard covers all its
    /// iterations, and its insides run unguarded. When the guard fails, the
    /// whole loop's source runs on the reference interpreter.
    fn hoisted(&mut self, node: &'p Node, body: &'p [Node], lo: i32, hi: i32) {
        let run = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.load(0);
        self.brif(c, run, exit);
        // Entered only from the test.
        self.b.seal_block(run);
        self.enter(run);
        let leaf_loop =
            matches!(node.op, Op::Loop { .. }) && body.iter().all(|n| !n.op.is_control());
        let inside = |t: &mut Self| match leaf_loop {
            true => t.promoted_loop(body),
            false => t.block(node, body, false, true),
        };
        let (lo, hi) = (lo as i64, hi as i64);
        let covered = self
            .proven
            .is_some_and(|w| w.lo <= w.at + lo && w.at + hi <= w.hi);
        if covered {
            // An enclosing hoisted guard already proved every cell this one
            // would check (nested ifs of a static loop, typically).
            inside(self);
        } else {
            let outer = self.proven;
            // The body runs at least once from here (`p[0] != 0`).
            let text = self.program.source.slice(inner_span(node.span));
            let exact = is_exact(text, lo as i32, hi as i32);
            self.guarded(lo as i32, hi as i32, node.span, exact, |t| {
                t.proven = Some(Proven { lo, hi, at: 0 });
                inside(t);
            });
            self.proven = outer;
        }
        self.jump(exit);
        // From the test and the end of the guarded region.
        self.b.seal_block(exit);
        self.enter(exit);
    }

    /// A guarded, static loop without nested control ops, entered with
    /// `p[0] != 0`: every cell it touches is at a fixed offset from its entry
    /// pointer for its whole run, so each lives in a Variable (a register)
    /// from entry to exit instead of going through memory every iteration.
    /// Cranelift keeps tape values in registers only within a block; this
    /// removes the store-to-load chain through memory that otherwise links
    /// one iteration to the next.
    fn promoted_loop(&mut self, body: &'p [Node]) {
        let mut cells = BTreeMap::new();
        let mut at = 0i64;
        let mut touch = |off: i64| {
            cells.entry(off).or_insert(());
        };
        touch(0);
        for node in body {
            match node.op {
                Op::Add { offset, .. }
                | Op::Set { offset, .. }
                | Op::Output { offset }
                | Op::Input { offset } => touch(at + offset as i64),
                Op::MulAdd { src, dst, .. } => {
                    touch(at + src as i64);
                    touch(at + dst as i64);
                }
                Op::Move { delta } => at += delta as i64,
                _ => unreachable!("control op in a leaf loop"),
            }
        }
        let cells: BTreeMap<i64, Variable> = cells
            .into_keys()
            .map(|off| {
                let var = self.b.declare_var(self.cell);
                let v = self.load(off as i32);
                self.b.def_var(var, v);
                (off, var)
            })
            .collect();
        self.promoted = Some(Promotion { cells, at: 0 });
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        self.jump(inside);
        self.enter(inside);
        body.iter().for_each(|n| self.straight(n));
        let c = self.load(0);
        self.bottom_test(c, inside, exit);
        // From the entry jump and the back edge(s); the exit from the test.
        self.b.seal_block(inside);
        self.b.seal_block(exit);
        self.enter(exit);
        self.write_back();
        self.promoted = None;
    }

    /// Stores the Variables of a promoted loop to their cells.
    fn write_back(&mut self) {
        let Some(promotion) = self.promoted.take() else {
            return;
        };
        for (&off, &var) in &promotion.cells {
            let v = self.b.use_var(var);
            self.store((off - promotion.at) as i32, v);
        }
        self.promoted = Some(promotion);
    }

    /// A `Loop` or `If` node; `nonzero` when `p[0] != 0` is already known.
    fn block(&mut self, node: &'p Node, body: &'p [Node], guarded: bool, nonzero: bool) {
        let inner = inner_span(node.span);
        match (&node.op, self.mode) {
            (Op::If { .. }, _) if nonzero => self.body(body, inner, guarded),
            (Op::If { .. }, _) => self.if_(body, inner, guarded),
            (_, JitMode::Simple) => self.loop_top_tested(body, inner, guarded),
            (_, JitMode::Opt) => self.loop_rotated(body, inner, guarded, nonzero),
        }
    }

    /// `while p[0] != 0 { body }` as a template JIT emits it: the test at the
    /// head, an unconditional jump back.
    fn loop_top_tested(&mut self, body: &'p [Node], range: Span, guarded: bool) {
        let head = self.b.create_block();
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        self.jump(head);
        self.enter(head);
        let c = self.load(0);
        self.brif(c, inside, exit);
        // Entered only from the head's test.
        self.b.seal_block(inside);
        self.enter(inside);
        self.body(body, range, guarded);
        self.back_edge(head);
        // The head's predecessors are the entry jump and the back edge(s).
        self.b.seal_block(head);
        // The exit's only predecessor is the head's test.
        self.b.seal_block(exit);
        self.enter(exit);
    }

    /// `while p[0] != 0 { body }` rotated: one test before the loop, the
    /// repeated test at the bottom, so each iteration takes one branch.
    fn loop_rotated(&mut self, body: &'p [Node], range: Span, guarded: bool, nonzero: bool) {
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        let tested = self.b.declare_var(self.cell);
        let c = self.load(0);
        self.b.def_var(tested, c);
        if nonzero {
            self.jump(inside);
        } else {
            self.brif(c, inside, exit);
        }
        self.enter(inside);
        // Both tests loaded the cell the body starts on.
        self.cell0 = Some(Known::Tested(tested));
        self.body(body, range, guarded);
        let c = self.load(0);
        self.flush_moves();
        self.b.def_var(tested, c);
        self.bottom_test(c, inside, exit);
        // The body is entered from the top test (or jump) and the back
        // edge(s); the exit from the two tests (or the bottom one).
        self.b.seal_block(inside);
        self.b.seal_block(exit);
        self.enter(exit);
    }

    /// The test at the bottom of a rotated loop: back to `inside` while
    /// `p[0] != 0`, else to `exit`. Without budget checks the test branches
    /// back itself: through a separate latch block, Cranelift's optimizer
    /// recomputed the moved pointer there (it rematerializes additions of
    /// constants in each block that uses them), and the back edge became a
    /// second jump (al-count-3's `[-<<]` ran 18% slower).
    fn bottom_test(&mut self, c: Value, inside: Block, exit: Block) {
        if self.fuel.is_none() {
            self.brif(c, inside, exit);
            return;
        }
        let latch = self.b.create_block();
        self.brif(c, latch, exit);
        // Only the bottom test leads to the latch.
        self.b.seal_block(latch);
        self.enter(latch);
        self.back_edge(inside);
    }

    /// `if p[0] != 0 { body }`.
    fn if_(&mut self, body: &'p [Node], range: Span, guarded: bool) {
        let then = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.load(0);
        self.brif(c, then, exit);
        // Entered only from the test.
        self.b.seal_block(then);
        self.enter(then);
        self.body(body, range, guarded);
        self.jump(exit);
        // From the test and the end of the body.
        self.b.seal_block(exit);
        self.enter(exit);
    }

    /// A loop's back edge to `target`. With limits enforced, it counts one
    /// unit of fuel, and every [`Budget::interval`] back edges asks the
    /// budget shim whether to go on.
    fn back_edge(&mut self, target: Block) {
        let Some(fuel_var) = self.fuel else {
            self.jump(target);
            return;
        };
        let fuel = self.b.use_var(fuel_var);
        let fuel = self.b.ins().iadd_imm_s(fuel, -1);
        self.b.def_var(fuel_var, fuel);
        let check = self.b.create_block();
        self.b.set_cold_block(check);
        self.brif(fuel, target, check);
        // Only the branch just emitted reaches the check.
        self.b.seal_block(check);
        self.enter(check);
        // The tape is up to date whenever a shim runs.
        self.write_back();
        let status = self.call_shim(self.shims.budget, &[self.rt]);
        self.fail_if_nonzero(status);
        let full = self.b.ins().iconst(types::I32, Budget::interval() as i64);
        self.b.def_var(fuel_var, full);
        self.jump(target);
    }

    /// `while p[0] != 0 { p += stride }`, each step checked against the scan
    /// loop source's excursion (as the bytecode tier does); where a step
    /// could leave the tape, the scan loop's source runs on the reference
    /// interpreter from there. Stride ±1 on 8-bit cells uses memchr/memrchr
    /// in a shim; other scans are an inline loop.
    fn scan(&mut self, span: Span, stride: i32) {
        let text = self.program.source.slice(inner_span(span));
        let (lo, hi) = source_excursion(text);
        let lo = lo.min(stride as i64).max(i32::MIN as i64) as i32;
        let hi = hi.max(stride as i64).min(i32::MAX as i64) as i32;
        let step = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.load(0);
        self.brif(c, step, exit);
        self.enter(step);
        if self.cell == types::I8 && stride.abs() == 1 && self.mode == JitMode::Opt {
            // Reached only from the zero test.
            self.b.seal_block(step);
            let p = self.ptr_value();
            let index = self.span_index(span);
            let args =
                [stride, index as i32, lo, hi].map(|x| self.b.ins().iconst(types::I32, x as i64));
            let r = self.call_direct(
                self.shims.scan_u8,
                &[self.rt, p, args[0], args[1], args[2], args[3]],
            );
            self.set_ptr_checked(r);
            self.jump(exit);
            // Sealed at the end: the fallback dispatch may also lead here.
            self.enter(exit);
            return;
        }
        // The loads' displacements must fit, with room to spare.
        let span_bytes = (stride.unsigned_abs() as u64 * SCAN_UNROLL as u64) << self.shift;
        if self.mode == JitMode::Opt && span_bytes < 1 << 30 {
            // Four steps behind one compare while all stay on the tape;
            // single checked steps near the ends.
            let ahead = stride as i64 * (SCAN_UNROLL - 1) as i64;
            let clamp = |x: i64| x.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            let lo4 = clamp((lo as i64).min(lo as i64 + ahead));
            let hi4 = clamp((hi as i64).max(hi as i64 + ahead));
            let (unrolled, single) = (self.b.create_block(), self.b.create_block());
            let p = self.ptr_value();
            self.branch_if_off_tape(p, lo4, hi4, single, unrolled);
            // Only that guard leads to either.
            self.b.seal_block(unrolled);
            self.b.seal_block(single);
            self.b.switch_to_block(unrolled);
            self.scan_steps(stride, SCAN_UNROLL, step, exit);
            self.enter(single);
        }
        // A step is taken only on a nonzero cell, so its body runs.
        let resume = (!is_exact(text, lo, hi)).then_some(exit);
        self.check_or_fall_back(lo, hi, span, resume);
        self.scan_steps(stride, 1, step, exit);
        // From the first test and the loop tests.
        self.b.seal_block(step);
        // Sealed at the end: the fallback dispatch may also lead here.
        self.enter(exit);
        // Only the index stepped (see `scan_steps`).
        let p = self.b.use_var(self.ptr);
        self.set_ptr(p);
    }

    /// `count` steps of an inline scan, checked by the caller, each to
    /// `exit` if it lands on a zero cell, then back to `again`. Only the
    /// index Variable steps, once for all `count` steps, the loads going
    /// through `tape + index`; each early exit sets it on its own edge, and
    /// the caller recomputes the address at `exit`. dbfi, selfint and awib
    /// spend half their time or more in scans like `[>>]` and `[<<<]`,
    /// where `cc`'s loop takes five instructions a step; this takes six for
    /// one step, under four a step for four.
    fn scan_steps(&mut self, stride: i32, count: i32, again: Block, exit: Block) {
        let p = self.ptr_value();
        for n in 1..=count {
            let offset = stride as i64 * n as i64;
            let c = self.load_at_index(p, offset);
            // After the load, so that the old index dies here and the two
            // share a register (as in `flush_moves`).
            let moved = self.b.ins().iadd_imm_s(p, offset);
            if n == count {
                self.b.def_var(self.ptr, moved);
                self.b.ins().brif(c, again, &[], exit, &[]);
                return;
            }
            let next = self.b.create_block();
            let found = self.b.create_block();
            // Laid out at the end, so the steps fall through to each other.
            self.b.set_cold_block(found);
            self.b.ins().brif(c, next, &[], found, &[]);
            // Both are reached only from the branch just emitted.
            self.b.seal_block(next);
            self.b.seal_block(found);
            self.b.switch_to_block(found);
            self.b.def_var(self.ptr, moved);
            self.b.ins().jump(exit, &[]);
            self.b.switch_to_block(next);
        }
    }

    /// Loads the cell at index `p + offset`: `tape + (p << shift)` and a
    /// displacement, folded into one operand when it fits.
    fn load_at_index(&mut self, p: Value, offset: i64) -> Value {
        let base = self.cell_address(p);
        let (base, imm) = match i32::try_from(offset << self.shift) {
            Ok(imm) => (base, imm),
            Err(_) => (self.b.ins().iadd_imm_s(base, offset << self.shift), 0),
        };
        self.b
            .ins()
            .load(self.cell, MemFlagsData::trusted(), base, imm)
    }

    /// The address of the cell at index `p`, `tape + (p << shift)`.
    fn cell_address(&mut self, p: Value) -> Value {
        let scaled = if self.shift > 0 {
            self.b.ins().ishl_imm_u(p, self.shift)
        } else {
            p
        };
        self.b.ins().iadd(self.tape, scaled)
    }

    /// Calls a shim of a hot path directly (see `ShimIds`); its result.
    fn call_direct(&mut self, shim: FuncRef, args: &[Value]) -> Value {
        self.cell0 = None;
        let call = self.b.ins().call(shim, args);
        self.b.inst_results(call)[0]
    }

    /// Calls a cold-path shim through its preserving stub and reads its
    /// result from the runtime context.
    fn call_shim(&mut self, shim: FuncRef, args: &[Value]) -> Value {
        self.cell0 = None;
        self.b.ins().call(shim, args);
        let flags = self.context_flags();
        self.b
            .ins()
            .load(types::I64, flags, self.rt, Runtime::RESULT_OFFSET)
    }

    /// The index of `span` in the fallback table (the fallback shim's argument).
    fn span_index(&mut self, span: Span) -> u32 {
        self.tables.spans.push(span);
        (self.tables.spans.len() - 1) as u32
    }

    /// Loads `p[offset]`.
    fn load(&mut self, offset: i32) -> Value {
        if let Some(p) = &self.promoted {
            let var = p.cells[&(p.at + offset as i64)];
            return self.b.use_var(var);
        }
        // The simple tier stays a template JIT: every load is emitted.
        let at_pointer = offset as i64 + self.pending == 0 && self.mode == JitMode::Opt;
        match (at_pointer, self.cell0) {
            (true, Some(Known::Value(v))) => return v,
            (true, Some(Known::Tested(var))) => {
                let v = self.b.use_var(var);
                self.cell0 = Some(Known::Value(v));
                return v;
            }
            _ => {}
        }
        let (addr, imm) = self.address(offset);
        let v = self
            .b
            .ins()
            .load(self.cell, MemFlagsData::trusted(), addr, imm);
        if at_pointer {
            self.cell0 = Some(Known::Value(v));
        }
        v
    }

    /// Stores `p[offset] = v`.
    fn store(&mut self, offset: i32, v: Value) {
        if let Some(p) = &self.promoted {
            let var = p.cells[&(p.at + offset as i64)];
            return self.b.def_var(var, v);
        }
        if offset as i64 + self.pending == 0 && self.mode == JitMode::Opt {
            self.cell0 = Some(Known::Value(v));
        }
        let (addr, imm) = self.address(offset);
        self.b.ins().store(MemFlagsData::trusted(), v, addr, imm);
    }

    /// The address of `p[offset]` as a base and an immediate displacement.
    /// Every access sits behind a guard that proved it on the tape, so the
    /// flags are `trusted` (cannot trap, aligned).
    fn address(&mut self, offset: i32) -> (Value, i32) {
        let addr = self.b.use_var(self.addr);
        let bytes = (offset as i64 + self.pending) << self.shift;
        match i32::try_from(bytes) {
            Ok(imm) => (addr, imm),
            Err(_) => (self.b.ins().iadd_imm_s(addr, bytes), 0),
        }
    }

    /// A constant of the cell type (reduced to the cell width).
    fn cell_const(&mut self, v: u32) -> Value {
        let v = self.program.cell.wrap(v);
        self.b.ins().iconst(self.cell, v as i64)
    }

    /// A cell value zero-extended to i32, as the shims take it.
    fn widen(&mut self, v: Value) -> Value {
        if self.cell == types::I32 {
            v
        } else {
            self.b.ins().uextend(types::I32, v)
        }
    }

    /// Sets the pointer to a shim's or callee's result, leaving for the
    /// failure exit if it is negative.
    fn set_ptr_checked(&mut self, r: Value) {
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        self.fail_if_nonzero(negative);
        self.set_ptr(r);
    }

    /// Sets the pointer to cell index `p`, and the address with it.
    fn set_ptr(&mut self, p: Value) {
        debug_assert_eq!(self.pending, 0, "a new pointer with moves pending");
        self.cell0 = None;
        self.b.def_var(self.ptr, p);
        let addr = self.cell_address(p);
        self.b.def_var(self.addr, addr);
    }

    /// Leaves for the failure exit if `v` is nonzero; continues in a new block.
    fn fail_if_nonzero(&mut self, v: Value) {
        let ok = self.b.create_block();
        self.brif(v, self.fail, ok);
        // Its only predecessor is the branch just emitted; what is known
        // of the cell stays.
        self.b.seal_block(ok);
        self.b.switch_to_block(ok);
    }

    /// Reads the fuel counter from the runtime context into its Variable.
    fn load_fuel(&mut self) {
        let Some(fuel) = self.fuel else { return };
        let flags = self.context_flags();
        let f = self
            .b
            .ins()
            .load(types::I32, flags, self.rt, Runtime::FUEL_OFFSET);
        self.b.def_var(fuel, f);
    }

    /// Writes the fuel counter back to the runtime context.
    fn store_fuel(&mut self) {
        let Some(fuel) = self.fuel else { return };
        let f = self.b.use_var(fuel);
        let flags = self.context_flags();
        self.b.ins().store(flags, f, self.rt, Runtime::FUEL_OFFSET);
    }
}
