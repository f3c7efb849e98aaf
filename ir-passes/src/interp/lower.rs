//! Logical bytecode → fast encoding: fuses the common shapes and verifies
//! that every tape access stays inside its segment's guarded window.
//!
//! The verification is what the dispatch loop's unchecked tape indexing rests
//! on, so it is done here, on the ops actually emitted, rather than trusted
//! from the passes: walking each segment from its guard, every cell an op
//! touches and every pointer position must lie in the window the guard
//! checks (widened to include offset 0, where the pointer already is, which
//! costs no precision). A segment without a guard gets the window `0 ..= 0`.
//! If anything falls outside, lowering gives up and the run uses the checked
//! interpreter, so a bug in a pass can make a run slow, never unsound.

use super::op::{Code, FastGap, Op, ScanInfo};
use crate::bytecode::{Gap, Instr};
use crate::span::Span;

/// Lowers the logical bytecode. `slots[i]` is the loop slot of the back edge
/// at index `i` (ignored elsewhere). An error names
/// the first instruction that does not verify.
pub fn lower(
    instrs: &[Instr],
    spans: &[Span],
    gaps: &[Gap],
    slots: &[u32],
) -> Result<Code, String> {
    let n = instrs.len();
    let mut l = Lowering {
        code: Code::default(),
        start: vec![NONE; n + 1],
        fixups: Vec::new(),
    };
    // Jump targets: joins (an `if` ends with no instruction of its own), so
    // the window resets there and no fusion may swallow one.
    let mut joins = vec![false; n + 1];
    for instr in instrs {
        if let Instr::JumpIfZero { target } | Instr::JumpIfNonZero { target } = *instr {
            joins[target as usize] = true;
        }
    }
    let (mut lo, mut hi, mut at) = (0i64, 0i64, 0i64);
    let mut i = 0;
    while i < n {
        if joins[i] {
            if !(lo..=hi).contains(&at) {
                return Err(outside(i, at, lo, hi));
            }
            (lo, hi, at) = (0, 0, 0);
        }
        // Whether the next instruction may be fused into this one's op.
        let fusable = !joins[i + 1];
        l.start[i] = l.code.ops.len() as u32;
        let next = instrs.get(i + 1).copied();
        let in_window = |x: i64| lo <= x && x <= hi;
        let mut width = 1;
        match instrs[i] {
            Instr::Guard {
                lo: glo,
                hi: ghi,
                gap,
            } => {
                if at != 0 {
                    return Err(format!("guard at {i} inside a segment"));
                }
                (lo, hi) = ((glo as i64).min(0), (ghi as i64).max(0));
                let resume = gaps[gap as usize].resume as usize;
                match next {
                    // A one-move segment: p and p+d on the tape cover it.
                    Some(Instr::Move { delta })
                        if fusable
                            && resume == i + 2
                            && lo >= (delta as i64).min(0)
                            && hi <= (delta as i64).max(0) =>
                    {
                        l.code.ops.push(Op::GuardMove { d: delta, gap });
                        at = delta as i64;
                        width = 2;
                    }
                    _ => l.code.ops.push(Op::Guard {
                        nlo: (-lo) as u32,
                        w: (hi - lo) as u32,
                        gap,
                    }),
                }
            }
            Instr::Add { off, delta } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                match (next, instrs.get(i + 2)) {
                    (Some(Instr::Move { delta: d }), after)
                        if !matches!(
                            after,
                            Some(Instr::JumpIfZero { .. } | Instr::JumpIfNonZero { .. })
                        ) && fusable =>
                    {
                        at += d as i64;
                        if !in_window(at) {
                            return Err(outside(i, at, lo, hi));
                        }
                        l.code.ops.push(Op::AddMove { off, v: delta, d });
                        width = 2;
                    }
                    _ => l.code.ops.push(Op::Add { off, v: delta }),
                }
            }
            Instr::Set { off, value } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                l.code.ops.push(Op::Set { off, v: value });
            }
            Instr::MulAdd { src, dst, factor } => {
                if !in_window(at + src as i64) || !in_window(at + dst as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                match next {
                    Some(Instr::Set { off, value: 0 }) if off == src && fusable => {
                        l.code.ops.push(Op::Transfer {
                            src,
                            dst,
                            f: factor,
                        });
                        width = 2;
                    }
                    _ => l.code.ops.push(Op::MulAdd {
                        src,
                        dst,
                        f: factor,
                    }),
                }
            }
            Instr::Move { delta } => {
                at += delta as i64;
                if !in_window(at) {
                    return Err(outside(i, at, lo, hi));
                }
                match next.filter(|_| fusable) {
                    Some(Instr::JumpIfZero { target }) => {
                        l.jump(
                            Op::MoveJz {
                                d: delta,
                                target: 0,
                            },
                            target,
                        );
                        (lo, hi, at) = (0, 0, 0);
                        width = 2;
                    }
                    Some(Instr::JumpIfNonZero { target }) => {
                        let slot = slots[i + 1];
                        l.jump(
                            Op::MoveJnz {
                                d: delta,
                                target: 0,
                                slot,
                            },
                            target,
                        );
                        (lo, hi, at) = (0, 0, 0);
                        width = 2;
                    }
                    _ => l.code.ops.push(Op::Move { d: delta }),
                }
            }
            Instr::Out { off } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                l.code.ops.push(Op::Out { off });
            }
            Instr::In { off } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                l.code.ops.push(Op::In { off });
            }
            Instr::JumpIfZero { target } => {
                if !in_window(at) {
                    return Err(outside(i, at, lo, hi));
                }
                l.jump(Op::Jz { target: 0 }, target);
                (lo, hi, at) = (0, 0, 0);
            }
            Instr::JumpIfNonZero { target } => {
                if !in_window(at) {
                    return Err(outside(i, at, lo, hi));
                }
                l.jump(
                    Op::Jnz {
                        target: 0,
                        slot: slots[i],
                    },
                    target,
                );
                (lo, hi, at) = (0, 0, 0);
            }
            Instr::Scan {
                stride,
                lo: slo,
                hi: shi,
            } => {
                if !in_window(at) || slo > stride.min(0) || shi < stride.max(0) {
                    return Err(outside(i, at, lo, hi));
                }
                let scan = l.code.scans.len() as u32;
                l.code.scans.push(ScanInfo {
                    stride,
                    lo: slo,
                    hi: shi,
                    span: spans[i],
                });
                l.code.ops.push(Op::Scan { scan });
                (lo, hi, at) = (0, 0, 0);
            }
        }
        i += width;
    }
    if !(lo..=hi).contains(&at) {
        return Err(outside(i, at, lo, hi));
    }
    l.start[n] = l.code.ops.len() as u32;
    l.code.ops.push(Op::Halt);
    // Guards may resume at a jump fused with the move before it: give them
    // an out-of-line copy of the jump, then a way back.
    for g in gaps {
        let r = g.resume as usize;
        if l.start[r] != NONE {
            continue;
        }
        l.start[r] = l.code.ops.len() as u32;
        match instrs[r] {
            Instr::JumpIfZero { target } => l.jump(Op::Jz { target: 0 }, target),
            Instr::JumpIfNonZero { target } => l.jump(
                Op::Jnz {
                    target: 0,
                    slot: slots[r],
                },
                target,
            ),
            _ => return Err(format!("resume {r} inside a fused op")),
        }
        l.jump(Op::Goto { target: 0 }, r as u32 + 1);
    }
    let Lowering {
        mut code,
        start,
        fixups,
    } = l;
    for (at, target) in fixups {
        let t = start[target as usize];
        if t == NONE {
            return Err(format!("jump target {target} is no op"));
        }
        match &mut code.ops[at] {
            Op::Jz { target } | Op::Jnz { target, .. } | Op::Goto { target } => *target = t,
            Op::MoveJz { target, .. } | Op::MoveJnz { target, .. } => *target = t,
            _ => unreachable!("fixup of a non-jump"),
        }
    }
    for g in gaps {
        let resume = start[g.resume as usize];
        if resume == NONE {
            return Err(format!("resume {} is no op", g.resume));
        }
        code.gaps.push(FastGap {
            span: g.span,
            resume,
        });
    }
    code.loops = slots.iter().filter(|&&s| s != NONE).count() as u32;
    Ok(code)
}

fn outside(i: usize, at: i64, lo: i64, hi: i64) -> String {
    format!("instruction {i} reaches outside its window {lo}..={hi} (pointer at {at})")
}

/// Marks "no op starts here" / "no loop".
pub const NONE: u32 = u32::MAX;

struct Lowering {
    code: Code,
    /// The fast op each logical index starts, or `NONE` inside a fused op.
    start: Vec<u32>,
    /// Jumps to patch: (fast op index, logical target).
    fixups: Vec<(usize, u32)>,
}

impl Lowering {
    fn jump(&mut self, op: Op, logical_target: u32) {
        self.fixups.push((self.code.ops.len(), logical_target));
        self.code.ops.push(op);
    }
}
