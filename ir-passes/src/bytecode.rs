//! The interpreter tier: the IR lowered to a flat bytecode with precomputed
//! jump targets and segment guards, run by a tight dispatch loop.

use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::guard::{inner_span, scan_window, segments};
use crate::io::Io;
use crate::ir::{Node, Op, Program, Value};
use crate::reference::{run_range, Machine};
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
    source: Arc<Source>,
}

impl Bytecode {
    /// Lowers a program.
    pub fn compile(program: &Program) -> Bytecode {
        let mut bc = Bytecode {
            instrs: Vec::new(),
            spans: Vec::new(),
            gaps: Vec::new(),
            source: Arc::clone(&program.source),
        };
        bc.body(&program.body, program.source.full_span());
        bc
    }

    fn push(&mut self, instr: Instr, span: Span) -> usize {
        self.instrs.push(instr);
        self.spans.push(span);
        self.instrs.len() - 1
    }

    fn body(&mut self, body: &[Node], range: Span) {
        let segs = segments(body, range, &self.source);
        for (k, seg) in segs.iter().enumerate() {
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
            if k + 1 < segs.len() {
                self.control(&body[seg.ops.end]);
            }
        }
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

    fn control(&mut self, node: &Node) {
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
                self.body(body, inner_span(node.span));
                let target = head as u32 + 1;
                let tail = self.push(Instr::JumpIfNonZero { target }, node.span);
                self.instrs[head] = Instr::JumpIfZero {
                    target: tail as u32 + 1,
                };
            }
            Op::If { body } => {
                let head = self.push(Instr::JumpIfZero { target: 0 }, node.span);
                self.body(body, inner_span(node.span));
                let target = self.instrs.len() as u32;
                self.instrs[head] = Instr::JumpIfZero { target };
            }
            _ => unreachable!("straight-line op as control op"),
        }
    }

    /// Runs the program on a machine. With `profile`, `profile[pc]` counts how
    /// often each instruction ran (it must have one slot per instruction).
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
                self.exec::<C, true>(m, io, budget, counts)
            }
            None => self.exec::<C, false>(m, io, budget, &mut []),
        }
    }

    #[inline(always)]
    fn exec<C: CellType, const PROFILE: bool>(
        &self,
        m: &mut Machine<'_, C>,
        io: &mut Io<'_>,
        budget: &mut Budget,
        counts: &mut [u64],
    ) -> Result<(), RunError> {
        let instrs = &self.instrs[..];
        let tape = &mut *m.tape;
        let mut ptr = m.ptr;
        let mut pc = 0usize;
        // Guards make every offset below land on the tape; indexing stays
        // checked anyway so a bug in a pass is a panic, never memory corruption.
        let at = |ptr: usize, off: i32| ptr.wrapping_add_signed(off as isize);
        let result = loop {
            let Some(&instr) = instrs.get(pc) else {
                break Ok(());
            };
            if PROFILE {
                counts[pc] += 1;
            }
            pc += 1;
            match instr {
                Instr::Add { off, delta } => {
                    let c = &mut tape[at(ptr, off)];
                    *c = C::from_value(c.value().wrapping_add(delta));
                }
                Instr::Set { off, value } => tape[at(ptr, off)] = C::from_value(value),
                Instr::MulAdd { src, dst, factor } => {
                    let v = tape[at(ptr, src)].value().wrapping_mul(factor);
                    let c = &mut tape[at(ptr, dst)];
                    *c = C::from_value(c.value().wrapping_add(v));
                }
                Instr::Move { delta } => ptr = at(ptr, delta),
                Instr::Out { off } => {
                    if let Err(e) = io.put(tape[at(ptr, off)].value()) {
                        break Err(e);
                    }
                }
                Instr::In { off } => {
                    let c = &mut tape[at(ptr, off)];
                    match io.input(c.value()) {
                        Ok(v) => *c = C::from_value(v),
                        Err(e) => break Err(e),
                    }
                }
                Instr::Guard { lo, hi, gap } => {
                    let p = ptr as i64;
                    if p + (lo as i64) < 0 || p + (hi as i64) >= tape.len() as i64 {
                        let gap = self.gaps[gap as usize];
                        let mut fallback = Machine {
                            tape: &mut *tape,
                            ptr,
                        };
                        let r = run_range(&self.source, gap.span, &mut fallback, io, budget);
                        // On error too, so the pointer reported is the reference's.
                        ptr = fallback.ptr;
                        if let Err(e) = r {
                            break Err(e);
                        }
                        pc = gap.resume as usize;
                    }
                }
                Instr::JumpIfZero { target } => {
                    if tape[ptr] == C::default() {
                        pc = target as usize;
                    }
                }
                Instr::JumpIfNonZero { target } => {
                    if tape[ptr] != C::default() {
                        if let Err(e) = budget.tick() {
                            break Err(e);
                        }
                        pc = target as usize;
                    }
                }
                Instr::Scan { stride, lo, hi } => {
                    let step = (stride, lo, hi);
                    if let Err(e) = self.scan(tape, &mut ptr, step, pc - 1, io, budget) {
                        break Err(e);
                    }
                }
            }
        };
        m.ptr = ptr;
        result
    }

    fn scan<C: CellType>(
        &self,
        tape: &mut [C],
        ptr: &mut usize,
        (stride, lo, hi): (i32, i32, i32),
        pc: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> Result<(), RunError> {
        let len = tape.len() as i64;
        let mut p = *ptr as i64;
        while tape[p as usize] != C::default() {
            if p + (lo as i64) < 0 || p + (hi as i64) >= len {
                // Let the source say exactly which `>`/`<` leaves the tape.
                let mut m = Machine {
                    tape,
                    ptr: p as usize,
                };
                let r = run_range(&self.source, self.spans[pc], &mut m, io, budget);
                *ptr = m.ptr;
                return r;
            }
            p += stride as i64;
        }
        *ptr = p as usize;
        Ok(())
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
