//! The interpreter tier's logical bytecode: the IR lowered to a flat list of
//! instructions, one per IR op plus segment guards and loop jumps, with
//! precomputed jump targets. It is what `--count-ops` counts and `inspect
//! --profile` reports; plain runs execute its fast encoding
//! ([`crate::interp`]), made from it once at compile time.

use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::guard::{inner_span, scan_window, segments_into, Segment};
use crate::interp::hooks::{LoopHooks, NoHooks};
use crate::interp::lower::{lower, NONE};
use crate::interp::op::Code;
use crate::interp::{count, threaded};
use crate::io::Io;
use crate::ir::{Node, Op, Program, Value};
use crate::reference::Machine;
use crate::source::Source;
use crate::span::Span;
use std::sync::Arc;

/// One bytecode instruction. Offsets are relative to the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// `p[off] += delta`.
    Add { off: i32, delta: Value },
    /// `p[off] = value`.
    Set { off: i32, value: Value },
    /// `p[dst] += p[src] * factor`.
    MulAdd { src: i32, dst: i32, factor: Value },
    /// `p += delta`.
    Move { delta: i32 },
    /// Output `p[off]`.
    Out { off: i32 },
    /// Input into `p[off]`.
    In { off: i32 },
    /// Check `p+lo ..= p+hi` is on the tape; if not, run `gaps[gap]` with the
    /// reference interpreter and continue at its `resume` index.
    Guard { lo: i32, hi: i32, gap: u32 },
    /// Jump to `target` if `p[0] == 0` (loop and if entry).
    JumpIfZero { target: u32 },
    /// Jump to `target` if `p[0] != 0` (loop back edge).
    JumpIfNonZero { target: u32 },
    /// `while p[0] != 0 { p += stride }`; on reaching a tape end, the scan's
    /// source (`spans[pc]`) runs on the reference interpreter for an exact error.
    Scan {
        /// Distance per step.
        stride: i32,
        /// Lowest offset one step's source may visit (the guard for a step).
        lo: i32,
        /// Highest offset one step's source may visit.
        hi: i32,
    },
}

/// A guard's fallback: the source to run and where to continue afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The source text of the segment.
    pub span: Span,
    /// The instruction index just past the segment.
    pub resume: u32,
}

/// A compiled program.
pub struct Bytecode {
    /// The instructions; execution ends when `pc` runs past the last one.
    pub instrs: Vec<Instr>,
    /// The source span of every instruction (a loop's jumps carry the loop's).
    pub spans: Vec<Span>,
    /// Guard fallbacks, indexed by `Instr::Guard::gap`.
    pub gaps: Vec<Gap>,
    loops: Vec<LoopInfo>,
    code: Option<Code>,
    source: Arc<Source>,
}

/// One loop of the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopInfo {
    /// Index of its `JumpIfZero` head in [`Bytecode::instrs`].
    pub head: u32,
    /// Index of its `JumpIfNonZero` back edge.
    pub tail: u32,
    /// Its source, brackets included.
    pub span: Span,
}

impl Bytecode {
    /// Lowers a program.
    pub fn compile(program: &Program) -> Bytecode {
        let mut bc = Bytecode {
            instrs: Vec::new(),
            spans: Vec::new(),
            gaps: Vec::new(),
            loops: Vec::new(),
            code: None,
            source: Arc::clone(&program.source),
        };
        bc.body(&program.body, program.source.full_span(), &mut Vec::new());
        // `control` listed the loops as it emitted their heads.
        let mut slots = vec![NONE; bc.instrs.len()];
        for (slot, l) in bc.loops.iter().enumerate() {
            slots[l.tail as usize] = slot as u32;
        }
        let code = lower(&bc.instrs, &bc.spans, &bc.gaps, &slots);
        debug_assert!(code.is_ok(), "{:?}", code.err());
        bc.code = code.ok();
        bc
    }

    fn push(&mut self, instr: Instr, span: Span) -> usize {
        self.instrs.push(instr);
        self.spans.push(span);
        self.instrs.len() - 1
    }

    /// Lowers a body. `segs` is scratch space shared by every body of the
    /// walk: this body's segments go on its end and come off when done.
    fn body(&mut self, body: &[Node], range: Span, segs: &mut Vec<Segment>) {
        let base = segs.len();
        segments_into(body, range, &self.source, segs);
        let count = segs.len() - base;
        for k in 0..count {
            let seg = segs[base + k].clone();
            let guard = seg.needs_guard().then(|| {
                let gap = self.gaps.len() as u32;
                self.gaps.push(Gap {
                    span: seg.gap,
                    resume: 0,
                });
                let (lo, hi) = (seg.lo, seg.hi);
                self.push(Instr::Guard { lo, hi, gap }, seg.gap);
                gap as usize
            });
            for node in &body[seg.ops.clone()] {
                self.straight(node);
            }
            if let Some(gap) = guard {
                self.gaps[gap].resume = self.instrs.len() as u32;
            }
            if k + 1 < count {
                self.control(&body[seg.ops.end], segs);
            }
        }
        segs.truncate(base);
    }

    fn straight(&mut self, node: &Node) {
        let instr = match node.op {
            Op::Add { offset, delta } => Instr::Add { off: offset, delta },
            Op::Set { offset, value } => Instr::Set { off: offset, value },
            Op::MulAdd { src, dst, factor } => Instr::MulAdd { src, dst, factor },
            Op::Move { delta } => Instr::Move { delta },
            Op::Output { offset } => Instr::Out { off: offset },
            Op::Input { offset } => Instr::In { off: offset },
            _ => unreachable!("control op in a segment"),
        };
        self.push(instr, node.span);
    }

    fn control(&mut self, node: &Node, segs: &mut Vec<Segment>) {
        match &node.op {
            Op::Scan { stride } => {
                let (lo, hi) = scan_window(&self.source, node.span, *stride);
                self.push(
                    Instr::Scan {
                        stride: *stride,
                        lo,
                        hi,
                    },
                    node.span,
                );
            }
            Op::Loop { body } => {
                let head = self.push(Instr::JumpIfZero { target: 0 }, node.span);
                // Listed here, before the body's loops: in the order of heads.
                let slot = self.loops.len();
                self.loops.push(LoopInfo {
                    head: head as u32,
                    tail: 0,
                    span: node.span,
                });
                self.body(body, inner_span(node.span), segs);
                let target = head as u32 + 1;
                let tail = self.push(Instr::JumpIfNonZero { target }, node.span);
                self.instrs[head] = Instr::JumpIfZero {
                    target: tail as u32 + 1,
                };
                self.loops[slot].tail = tail as u32;
            }
            Op::If { body } => {
                let head = self.push(Instr::JumpIfZero { target: 0 }, node.span);
                self.body(body, inner_span(node.span), segs);
                let target = self.instrs.len() as u32;
                self.instrs[head] = Instr::JumpIfZero { target };
            }
            _ => unreachable!("straight-line op as control op"),
        }
    }

    /// Runs the program on a machine. With `profile`, `profile[pc]` counts how
    /// often each instruction ran (it must have one slot per instruction);
    /// that run takes the checked, counting interpreter. Without, the fast
    /// encoding runs (see [`crate::interp`]).
    pub fn run<C: CellType>(
        &self,
        m: &mut Machine<'_, C>,
        io: &mut Io<'_>,
        budget: &mut Budget,
        profile: Option<&mut [u64]>,
    ) -> Result<(), RunError> {
        match profile {
            Some(counts) => {
                assert_eq!(counts.len(), self.instrs.len());
                count::exec::<C, true>(self, m, io, budget, counts)
            }
            None => self.run_with_hooks(m, io, budget, &mut NoHooks),
        }
    }

    /// Runs the program on the fast encoding, calling `hooks` at hot loop
    /// heads (tiered execution; see [`crate::interp::hooks`]).
    pub fn run_with_hooks<C: CellType, H: LoopHooks<C>>(
        &self,
        m: &mut Machine<'_, C>,
        io: &mut Io<'_>,
        budget: &mut Budget,
        hooks: &mut H,
    ) -> Result<(), RunError> {
        if let Some(code) = &self.code {
            if m.ptr < m.tape.len() {
                if let Some(r) = threaded::exec(code, &self.source, m, io, budget, hooks) {
                    return r;
                }
            }
        }
        // Windows that did not verify, a pointer off the tape, or jumps too
        // far for the threaded code: the checked interpreter (which gives
        // no loop a way out).
        count::exec::<C, false>(self, m, io, budget, &mut [])
    }

    /// The program's loops in the order of their heads; a loop's index here
    /// is its slot in [`LoopHooks`] calls.
    pub fn loops(&self) -> &[LoopInfo] {
        &self.loops
    }

    /// The program's source.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Whether runs without a profile use the fast encoding (false only if
    /// a segment window did not verify, which means a bug in a pass).
    pub fn is_fast(&self) -> bool {
        self.code.is_some()
    }

    /// The fast encoding, for inspection and tests.
    pub fn fast_code(&self) -> Option<&Code> {
        self.code.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Side;
    use crate::io::EofMode;
    use crate::ir::CellWidth;
    use crate::parse::parse;

    fn run_program(p: &Program, cells: usize) -> (Vec<u8>, usize, Result<(), RunError>) {
        let bc = Bytecode::compile(p);
        let mut tape = vec![0u8; cells];
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let (mut inp, mut out) = (&b""[..], Vec::new());
        let mut io = Io::new(&mut inp, &mut out, EofMode::Unchanged, CellWidth::U8);
        let r = bc.run(&mut m, &mut io, &mut Budget::new(1 << 24, None), None);
        io.flush().unwrap();
        let ptr = m.ptr;
        drop(io);
        (out, ptr, r)
    }

    #[test]
    fn loops_jump_to_precomputed_targets() {
        let p = parse("t", b"++[>+++<-]>.", CellWidth::U8).unwrap();
        let bc = Bytecode::compile(&p);
        assert_eq!(bc.instrs[2], Instr::JumpIfZero { target: 11 });
        assert_eq!(run_program(&p, 8).0, [6]);
    }

    /// A hand-optimized program whose one move jumps four cells: the guard
    /// fails near the right end, and the fallback names the exact `>`.
    #[test]
    fn a_failed_guard_reports_the_exact_command() {
        let mut p = parse("t", b"+.>>>>", CellWidth::U8).unwrap();
        let span = Span::new(2, 6);
        p.body.truncate(2);
        p.body.push(Node::new(Op::Move { delta: 4 }, span));
        let (out, _, r) = run_program(&p, 3);
        assert_eq!(out, [1]);
        assert_eq!(
            r,
            Err(RunError::OffTape {
                pos: 4,
                side: Side::Right
            })
        );
        let (_, ptr, r) = run_program(&p, 5);
        assert_eq!((ptr, r), (4, Ok(())));
    }

    /// A guard that is only conservative (the folded loop never runs) falls
    /// back to the source, which finishes normally, and execution continues.
    #[test]
    fn a_conservative_guard_falls_back_and_continues() {
        let mut p = parse("t", b"[>>>>+<<<<-]+.", CellWidth::U8).unwrap();
        // Stand-in for mul_loops: the loop became ops in the same segment.
        let loop_span = p.body[0].span;
        p.body[0] = Node::new(
            Op::MulAdd {
                src: 0,
                dst: 4,
                factor: 1,
            },
            loop_span,
        );
        p.body.insert(
            1,
            Node::new(
                Op::Set {
                    offset: 0,
                    value: 0,
                },
                loop_span,
            ),
        );
        let (out, ptr, r) = run_program(&p, 2);
        assert_eq!((out, ptr, r), (vec![1], 0, Ok(())));
    }

    #[test]
    fn a_scan_that_runs_off_the_tape_names_the_move() {
        let mut p = parse("t", b"+>+>+<<[>>>]", CellWidth::U8).unwrap();
        let span = p.body.last().unwrap().span;
        *p.body.last_mut().unwrap() = Node::new(Op::Scan { stride: 3 }, span);
        // On 5 cells the scan stops at cell 3; on 3 cells its third `>` fails.
        assert_eq!(run_program(&p, 5).1, 3);
        let (_, _, r) = run_program(&p, 3);
        assert_eq!(
            r,
            Err(RunError::OffTape {
                pos: 10,
                side: Side::Right
            })
        );
    }

    #[test]
    fn profile_counts_every_instruction() {
        let p = parse("t", b"+++[-]", CellWidth::U8).unwrap();
        let bc = Bytecode::compile(&p);
        let mut counts = vec![0; bc.instrs.len()];
        let mut tape = [0u8; 4];
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let (mut inp, mut out) = (&b""[..], Vec::new());
        let mut io = Io::new(&mut inp, &mut out, EofMode::Unchanged, CellWidth::U8);
        bc.run(&mut m, &mut io, &mut Budget::unlimited(), Some(&mut counts))
            .unwrap();
        assert_eq!(counts, [1, 1, 1, 1, 3, 3]);
    }
}
