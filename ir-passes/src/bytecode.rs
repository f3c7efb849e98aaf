//! The interpreter tier: the IR lowered to a flat bytecode with precomputed
//! jump targets and segment guards, run by a tight dispatch loop.

use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::guard::{inner_span, segments, source_excursion};
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
                let (lo, hi) = source_excursion(self.source.slice(inner_span(node.span)));
                let (lo, hi) = (lo.min(*stride as i64), hi.max(*stride as i64));
                let (lo, hi) = (lo as i32, hi as i32);
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
                        if let Err(e) = run_range(&self.source, gap.span, &mut fallback, io, budget)
                        {
                            break Err(e);
                        }
                        ptr = fallback.ptr;
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
