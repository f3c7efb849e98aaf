//! Which functions a program becomes: a body too big for one Cranelift
//! function is cut at control ops into outlined functions, each taking and
//! returning the pointer, so compile time stays about linear in the size of
//! the program.

use super::Translator;
use crate::jit::shape::{Shapes, Sizes, MAX_FUNCTION_OPS};
use crate::jit::CodeConfig;
use cranelift_codegen::ir::InstBuilder;
use cranelift_module::FuncId;
use ir_passes::guard::{segments, Segment};
use ir_passes::ir::{Node, Program};
use ir_passes::span::Span;

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
/// the function size limit (besides its ops): limits the nesting depth of big
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
    pub(super) config: CodeConfig,
    /// Op counts of bodies, by which big ones are split.
    pub(super) sizes: Sizes,
    /// How many ops one function holds at most ([`function_ops`]).
    pub(super) max_ops: usize,
}

/// The fewest ops a function is cut down to: below this, the cost of each
/// function and of the calls between them takes over.
pub const MIN_FUNCTION_OPS: usize = 500;

/// How many ops one generated function of a program of `ops` ops holds at
/// most: [`MAX_FUNCTION_OPS`] for big programs, which become many functions
/// anyway, but a quarter of the program, down to [`MIN_FUNCTION_OPS`], for
/// smaller ones, so that a program like mandelbrot (1,723 ops, one
/// function at 2,000) becomes several functions that compile on different
/// threads. Measured (callgrind, one thread): mandelbrot compiles in 196 M
/// instructions in ten functions at 500 against 227 M in one, its code runs
/// 0.5% more instructions; on two threads under load its compile took half
/// the wall time. hanoi (nine functions at 2,000) gained nothing from
/// smaller ones, and lostkingdom's compile took 8% more CPU time at 1,000.
/// A function of the program alone, so the code is the same on every
/// machine.
pub fn function_ops(ops: usize) -> usize {
    (ops / 4).clamp(MIN_FUNCTION_OPS, MAX_FUNCTION_OPS)
}

impl<'p> Tables<'p> {
    /// The tables at the start of a program's translation: one pending unit,
    /// the whole top level as the function `entry`.
    pub fn new(program: &'p Program, entry: FuncId, config: CodeConfig) -> Tables<'p> {
        let mut sizes = Sizes::default();
        let max_ops = function_ops(sizes.body(&program.body));
        Tables {
            spans: Vec::new(),
            pending: vec![Unit {
                id: entry,
                body: &program.body,
                work: Work::Whole(program.range()),
                guarded: true,
            }],
            shapes: Shapes::default(),
            config,
            sizes,
            max_ops,
        }
    }
}

impl<'p> Translator<'_, 'p, '_> {
    /// Translates consecutive segments of `body` and the control ops after
    /// them; `guarded` is false when a hoisted guard covers the segments.
    pub(super) fn chunk(&mut self, body: &'p [Node], segs: &[Segment], guarded: bool) {
        for (k, seg) in segs.iter().enumerate() {
            self.segment(body, segs, k, guarded);
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
    /// holds the limit's ops: then the next body is outlined whole
    /// (a deep nest becomes a chain of functions, not one huge one). A
    /// segment too long by itself keeps its guard here and runs its ops in
    /// outlined pieces.
    pub(super) fn body(&mut self, body: &'p [Node], range: Span, guarded: bool) {
        let max = self.tables.max_ops;
        let big = self.tables.sizes.body(body) > max;
        if big && self.emitted >= max {
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
            let control_size = control.map_or(0, |n| self.tables.sizes.node(n));
            let piece = seg.ops.len() + control_size;
            if piece > max {
                self.outline(body, Work::Segments(std::mem::take(&mut group)), guarded);
                size = 0;
                if seg.ops.len() <= max {
                    self.chunk(body, &[seg], guarded);
                    continue;
                }
                self.long_segment(body, &seg, guarded);
                match control {
                    Some(node) if control_size > max => self.control(node),
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
            if size + piece > max {
                self.outline(body, Work::Segments(std::mem::take(&mut group)), guarded);
                size = 0;
            }
            size += piece;
            group.push(seg);
        }
        self.outline(body, Work::Segments(group), guarded);
    }

    /// A segment with more ops than one function should hold: its guard
    /// here, its ops in outlined pieces of at most the limit.
    pub(super) fn long_segment(&mut self, body: &'p [Node], seg: &Segment, guarded: bool) {
        let ops = seg.ops.clone();
        let max = self.tables.max_ops;
        let pieces = |t: &mut Self| {
            for start in ops.clone().step_by(max) {
                let end = (start + max).min(ops.end);
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
    pub(super) fn outline(&mut self, body: &'p [Node], work: Work, guarded: bool) {
        if matches!(&work, Work::Segments(segs) if segs.is_empty()) {
            return;
        }
        self.emitted += 1;
        self.cursor.outlined();
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
        // The callee counts fuel on from where we are.
        self.store_fuel();
        let p = self.ptr_value();
        let call = self.b.ins().call(callee, &[self.rt, self.tape, p]);
        let r = self.b.inst_results(call)[0];
        self.load_fuel();
        self.set_ptr_checked(r);
    }
}
