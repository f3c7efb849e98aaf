//! Logical bytecode → fast encoding: fuses the common shapes and verifies
//! that every tape access stays inside its segment's guarded window.
//!
//! The verification is what the dispatch loop's unchecked tape indexing rests
//! on, so it is done here, on the ops actually emitted, rather than trusted
//! from the passes: walking each segment from its guard, every cell an op
//! touches and every pointer position must lie in the window the guard
//! checks (widened to include offset 0, where the pointer already is, which
//! costs no precision). A segment without a guard gets the window `0 ..= 0`,
//! and so does every jump target (an `if` ends with no instruction of its
//! own, so its end is a join). If anything falls outside, lowering gives up
//! and the run uses the checked interpreter: a bug in a pass can make a run
//! slow, never unsound.
//!
//! Fusions (never across a jump target):
//! - `MulAdd src→dst` + `Set src, 0` → `Transfer` (what a multiply loop
//!   becomes);
//! - `Add` + `Move` → `AddMove`, unless a jump follows (then the move fuses
//!   with the jump);
//! - `Guard` + `Move` when the move is the whole segment → `GuardMove`, one
//!   compare: the source's excursion lies between `p` and `p+d`;
//! - `Move` or `GuardMove` + `JumpIfZero`/`JumpIfNonZero` → `MoveJz`,
//!   `GuardMoveJz`, `MoveJnz`, `GuardMoveJnz`;
//! - a back edge whose target is a `Guard` checks that guard itself
//!   (`…JnzG`): a loop iteration saves a dispatch;
//! - a loop whose body is `Guard`, `Transfer` or `Add`, `MoveJnzG` gets a
//!   `Walk` head that runs its iterations without dispatching.
//!
//! A guard's fallback resumes at its segment's end, which may be a jump fused
//! with the move before it: such resume points get an out-of-line stub (the
//! jump alone, then a `Goto` back) after `Halt`.

use super::op::{Code, FastGap, Op};
use crate::bytecode::{Gap, Instr};
use crate::span::Span;

/// Marks "no op starts here" / "no loop".
pub const NONE: u32 = u32::MAX;

/// Lowers the logical bytecode. `slots[i]` is the loop slot of the back edge
/// at index `i` (`NONE` elsewhere). An error names the first instruction
/// that does not verify.
pub fn lower(
    instrs: &[Instr],
    spans: &[Span],
    gaps: &[Gap],
    slots: &[u32],
) -> Result<Code, String> {
    let n = instrs.len();
    // At most one op per instruction, `Halt`, and two per resume stub:
    // sized once, so a 2 MB program's lowering never grows a vector.
    let most = n + 1 + 2 * gaps.len();
    let mut code = Code::default();
    code.ops.reserve_exact(most);
    code.origin.reserve_exact(most);
    code.gaps.reserve_exact(gaps.len());
    let mut l = Lowering {
        code,
        start: vec![NONE; n + 1],
        fixups: Vec::with_capacity(n / 4),
    };
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
        // Instruction `i + k`, if it may be fused into the op starting at `i`.
        let fusable =
            |k: usize| (i + k < n && (1..=k).all(|j| !joins[i + j])).then(|| instrs[i + k]);
        let in_window = |x: i64| lo <= x && x <= hi;
        l.start[i] = l.code.ops.len() as u32;
        l.code.origin.push(i as u32);
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
                match fusable(1) {
                    Some(Instr::Move { delta: d })
                        if resume == i + 2
                            && lo >= (d as i64).min(0)
                            && hi <= (d as i64).max(0) =>
                    {
                        // What the one compare proves: p and p+d are on
                        // the tape, so is everything between.
                        (lo, hi, at) = ((d as i64).min(0), (d as i64).max(0), d as i64);
                        width = 2;
                        match fusable(2) {
                            Some(Instr::JumpIfZero { target }) => {
                                l.jump(Op::GuardMoveJz { d, target: 0, gap }, target, NONE);
                                width = 3;
                            }
                            Some(Instr::JumpIfNonZero { target }) => {
                                let op = Op::GuardMoveJnz { d, target: 0, gap };
                                l.jump(op, target, slots[i + 2]);
                                width = 3;
                            }
                            _ => l.push(Op::GuardMove { d, gap }),
                        }
                        if width == 3 {
                            (lo, hi, at) = (0, 0, 0);
                        }
                    }
                    _ => l.push(Op::Guard {
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
                let jump_next = matches!(
                    fusable(2),
                    Some(Instr::JumpIfZero { .. } | Instr::JumpIfNonZero { .. })
                );
                match fusable(1) {
                    Some(Instr::Move { delta: d }) if !jump_next => {
                        at += d as i64;
                        if !in_window(at) {
                            return Err(outside(i, at, lo, hi));
                        }
                        l.push(Op::AddMove { off, v: delta, d });
                        width = 2;
                    }
                    _ => l.push(Op::Add { off, v: delta }),
                }
            }
            Instr::Set { off, value } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                l.push(Op::Set { off, v: value });
            }
            Instr::MulAdd { src, dst, factor } => {
                if !in_window(at + src as i64) || !in_window(at + dst as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                match fusable(1) {
                    Some(Instr::Set { off, value: 0 }) if off == src => {
                        l.push(Op::Transfer {
                            src,
                            dst,
                            f: factor,
                        });
                        width = 2;
                    }
                    _ => l.push(Op::MulAdd {
                        src,
                        dst,
                        f: factor,
                    }),
                }
            }
            Instr::Move { delta: d } => {
                at += d as i64;
                if !in_window(at) {
                    return Err(outside(i, at, lo, hi));
                }
                match fusable(1) {
                    Some(Instr::JumpIfZero { target }) => {
                        l.jump(Op::MoveJz { d, target: 0 }, target, NONE);
                        (lo, hi, at) = (0, 0, 0);
                        width = 2;
                    }
                    Some(Instr::JumpIfNonZero { target }) => {
                        l.jump(Op::MoveJnz { d, target: 0 }, target, slots[i + 1]);
                        (lo, hi, at) = (0, 0, 0);
                        width = 2;
                    }
                    _ => l.push(Op::Move { d }),
                }
            }
            Instr::Out { off } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                l.push(Op::Out { off });
            }
            Instr::In { off } => {
                if !in_window(at + off as i64) {
                    return Err(outside(i, at, lo, hi));
                }
                l.push(Op::In { off });
            }
            Instr::JumpIfZero { target } => {
                if !in_window(at) {
                    return Err(outside(i, at, lo, hi));
                }
                l.jump(Op::Jz { target: 0 }, target, NONE);
                (lo, hi, at) = (0, 0, 0);
            }
            Instr::JumpIfNonZero { target } => {
                if !in_window(at) {
                    return Err(outside(i, at, lo, hi));
                }
                l.jump(Op::Jnz { target: 0 }, target, slots[i]);
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
                l.push(Op::Scan {
                    stride,
                    nlo: (-slo) as u32,
                    w: (shi - slo) as u32,
                });
                l.code.scans.push((l.code.ops.len() as u32 - 1, spans[i]));
                (lo, hi, at) = (0, 0, 0);
            }
        }
        i += width;
    }
    if !(lo..=hi).contains(&at) {
        return Err(outside(n, at, lo, hi));
    }
    l.start[n] = l.code.ops.len() as u32;
    l.code.origin.push(n as u32);
    l.push(Op::Halt);
    for g in gaps {
        let r = g.resume as usize;
        if l.start[r] != NONE {
            continue;
        }
        l.start[r] = l.code.ops.len() as u32;
        l.code.origin.push(r as u32);
        match instrs[r] {
            Instr::JumpIfZero { target } => l.jump(Op::Jz { target: 0 }, target, NONE),
            Instr::JumpIfNonZero { target } => l.jump(Op::Jnz { target: 0 }, target, slots[r]),
            _ => return Err(format!("resume {r} inside a fused op")),
        }
        l.code.origin.push(NONE);
        l.jump(Op::Goto { target: 0 }, r as u32 + 1, NONE);
    }
    let Lowering {
        mut code,
        start,
        fixups,
    } = l;
    for (at, logical) in fixups {
        let t = start[logical as usize];
        if t == NONE {
            return Err(format!("jump target {logical} is no op"));
        }
        let guarded = matches!(code.ops[t as usize], Op::Guard { .. });
        let op = &mut code.ops[at];
        *op = match *op {
            Op::Jz { .. } => Op::Jz { target: t },
            Op::MoveJz { d, .. } => Op::MoveJz { d, target: t },
            Op::GuardMoveJz { d, gap, .. } => Op::GuardMoveJz { d, target: t, gap },
            Op::Goto { .. } => Op::Goto { target: t },
            Op::Jnz { .. } if guarded => Op::JnzG { target: t },
            Op::Jnz { .. } => Op::Jnz { target: t },
            Op::MoveJnz { d, .. } if guarded => Op::MoveJnzG { d, target: t },
            Op::MoveJnz { d, .. } => Op::MoveJnz { d, target: t },
            Op::GuardMoveJnz { d, gap, .. } if guarded => Op::GuardMoveJnzG { d, target: t, gap },
            Op::GuardMoveJnz { d, gap, .. } => Op::GuardMoveJnz { d, target: t, gap },
            other => unreachable!("fixup of {other:?}"),
        };
    }
    // Walks: loop heads whose body is a guard, one data op and the back edge.
    for k in 0..code.ops.len().saturating_sub(4) {
        let Op::Jz { target } = code.ops[k] else {
            continue;
        };
        let walk = target as usize == k + 4
            && matches!(code.ops[k + 1], Op::Guard { .. })
            && matches!(code.ops[k + 2], Op::Transfer { .. } | Op::Add { .. })
            && matches!(code.ops[k + 3], Op::MoveJnzG { target, .. } if target as usize == k + 1);
        if walk {
            code.ops[k] = Op::Walk { target };
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
    debug_assert_eq!(code.origin.len(), code.ops.len());
    Ok(code)
}

fn outside(i: usize, at: i64, lo: i64, hi: i64) -> String {
    format!("instruction {i} reaches outside its window {lo}..={hi} (pointer at {at})")
}

struct Lowering {
    code: Code,
    /// The fast op each logical index starts, or `NONE` inside a fused op.
    start: Vec<u32>,
    /// Jumps to patch: (fast op index, logical target).
    fixups: Vec<(usize, u32)>,
}

impl Lowering {
    /// Appends an op (its `origin` is pushed by the caller).
    #[inline]
    fn push(&mut self, op: Op) {
        self.code.ops.push(op);
    }

    /// Appends a jump to a logical target, patched once every op exists;
    /// `slot` is the loop slot of a back edge (or `NONE`).
    #[inline]
    fn jump(&mut self, op: Op, logical_target: u32, slot: u32) {
        let at = self.code.ops.len();
        self.fixups.push((at, logical_target));
        if slot != NONE {
            self.code.slots.push((at as u32, slot));
        }
        self.push(op);
    }
}
