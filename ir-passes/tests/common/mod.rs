//! Test support: running a program on the reference interpreter and on the
//! bytecode tier with the same input, and a generator of random BF programs.

#![allow(dead_code)] // Each test binary uses a different part of this.

use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::cell::CellType;
use ir_passes::error::RunError;
use ir_passes::io::{EofMode, Io};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::reference::{self, Machine};
use proptest::prelude::*;

/// Everything a run leaves behind that a pass must not change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// How the run ended.
    pub result: Result<(), RunError>,
    /// The bytes written.
    pub output: Vec<u8>,
    /// The pointer at the end (only meaningful when the run succeeded: on an
    /// error the engines need not agree on it).
    pub ptr: usize,
    /// The tape cells, widened.
    pub tape: Vec<u32>,
}

/// The conditions of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Bytes available to `,`.
    pub input: Vec<u8>,
    /// What `,` does at end of input.
    pub eof: EofMode,
    /// Number of cells.
    pub tape_len: usize,
    /// Loop back edges allowed (rounded up to the budget's check interval).
    pub steps: u64,
}

impl Setup {
    /// A small tape, so programs often run off it.
    pub fn small(input: Vec<u8>, eof: EofMode) -> Setup {
        Setup {
            input,
            eof,
            tape_len: 64,
            steps: 1,
        }
    }
}

/// Parses a generated program (always well formed).
pub fn program(text: &str, cell: CellWidth) -> Program {
    parse("prop.b", text.as_bytes(), cell).expect("generated programs are well formed")
}

/// Runs the program's source on the reference interpreter.
pub fn reference(program: &Program, setup: &Setup) -> Run {
    run_on(Engine::Reference(program), program.cell, setup)
}

/// Runs a program on the bytecode tier.
pub fn bytecode(program: &Program, setup: &Setup) -> Run {
    let code = Bytecode::compile(program);
    run_on(Engine::Bytecode(&code), program.cell, setup)
}

/// Which engine a run uses.
#[derive(Clone, Copy)]
enum Engine<'a> {
    Reference(&'a Program),
    Bytecode(&'a Bytecode),
}

fn run_on(engine: Engine<'_>, cell: CellWidth, setup: &Setup) -> Run {
    match cell {
        CellWidth::U8 => run_cells::<u8>(engine, cell, setup),
        CellWidth::U16 => run_cells::<u16>(engine, cell, setup),
        CellWidth::U32 => run_cells::<u32>(engine, cell, setup),
    }
}

fn run_cells<C: CellType>(engine: Engine<'_>, cell: CellWidth, setup: &Setup) -> Run {
    let mut tape = vec![C::default(); setup.tape_len];
    let mut m = Machine {
        tape: &mut tape,
        ptr: 0,
    };
    let mut input = &setup.input[..];
    let mut output = Vec::new();
    let mut io = Io::new(&mut input, &mut output, setup.eof, cell);
    let mut budget = Budget::new(setup.steps, None);
    let mut result = match engine {
        Engine::Reference(p) => reference::run(&p.source, &mut m, &mut io, &mut budget),
        Engine::Bytecode(code) => code.run(&mut m, &mut io, &mut budget, None),
    };
    let ptr = m.ptr;
    if let Err(e) = io.flush() {
        result = result.and(Err(e));
    }
    drop(io);
    Run {
        result,
        output,
        ptr,
        tape: tape.iter().map(|c| c.value()).collect(),
    }
}

/// Checks that `optimized` behaves exactly as `original`'s source does.
/// Returns false (and checks nothing) when the step limit leaves the question
/// open: passes may change how many back edges a program takes, so a run that
/// hits it is only compared when the other one also ends within a far larger
/// budget.
pub fn same_behaviour(
    original: &Program,
    optimized: &Program,
    setup: &Setup,
) -> Result<bool, String> {
    let mut want = reference(original, setup);
    let got = bytecode(optimized, setup);
    if got.result == Err(RunError::StepLimit) {
        return Ok(false);
    }
    if want.result == Err(RunError::StepLimit) {
        // The optimized program ended. If the source provably never does, the
        // pass made an endless loop end (an even-step clear loop, say).
        // Otherwise the pass may just have saved many steps: compare with a
        // longer run when the source ends within one.
        match runs_forever(original, setup, LONG_RUN) {
            Some(true) => {
                return Err(format!(
                    "source: {}\nruns forever, but the optimized program ended: {:?}",
                    String::from_utf8_lossy(original.source.text()),
                    got.result
                ))
            }
            Some(false) => {
                // The budget only counts in steps of its check interval:
                // leave room above the back edges just counted.
                let longer = Setup {
                    steps: 2 * LONG_RUN,
                    ..setup.clone()
                };
                want = reference(original, &longer);
            }
            None => return Ok(false),
        }
    }
    let same = want.result == got.result
        && want.output == got.output
        && want.tape == got.tape
        && (want.result.is_err() || want.ptr == got.ptr);
    if same {
        Ok(true)
    } else {
        Err(format!(
            "source: {}\nreference: {:?} ptr {} out {:?}\noptimized: {:?} ptr {} out {:?}\ntapes differ: {}\nIR:\n{}",
            String::from_utf8_lossy(original.source.text()),
            want.result,
            want.ptr,
            want.output,
            got.result,
            got.ptr,
            got.output,
            want.tape != got.tape,
            ir_passes::print::print(optimized)
        ))
    }
}

/// Loop back edges a source gets to show that it ends (or never does) when
/// its optimized version ended and it did not within the normal budget.
const LONG_RUN: u64 = 1 << 18;

/// Whether the source never ends: `Some(true)` when its machine state (pc,
/// pointer, input position, tape) repeats at a loop back edge, `Some(false)`
/// when it ends (normally or with an error) within `limit` back edges, `None`
/// when neither is known by then. Brent's cycle detection: the state is
/// saved at every power-of-two count of back edges and compared at each.
pub fn runs_forever(program: &Program, setup: &Setup, limit: u64) -> Option<bool> {
    let text = program.source.text();
    let mask = program.cell.max();
    let mut jump = vec![0usize; text.len()];
    let mut open = Vec::new();
    for (i, &b) in text.iter().enumerate() {
        if b == b'[' {
            open.push(i);
        } else if b == b']' {
            let j = open.pop()?;
            (jump[i], jump[j]) = (j, i);
        }
    }
    let mut tape = vec![0u32; setup.tape_len];
    let (mut pc, mut ptr, mut read) = (0usize, 0usize, 0usize);
    let mut saved: (usize, usize, usize, Vec<u32>) = (usize::MAX, 0, 0, Vec::new());
    let mut edges = 0u64;
    while pc < text.len() {
        match text[pc] {
            b'+' => tape[ptr] = tape[ptr].wrapping_add(1) & mask,
            b'-' => tape[ptr] = tape[ptr].wrapping_sub(1) & mask,
            b'>' if ptr + 1 == tape.len() => return Some(false),
            b'>' => ptr += 1,
            b'<' if ptr == 0 => return Some(false),
            b'<' => ptr -= 1,
            b',' => {
                tape[ptr] = match setup.input.get(read) {
                    Some(&b) => b as u32,
                    None => match setup.eof {
                        EofMode::Unchanged => tape[ptr],
                        EofMode::Zero => 0,
                        EofMode::Max => mask,
                    },
                };
                read = (read + 1).min(setup.input.len());
            }
            b'[' if tape[ptr] == 0 => pc = jump[pc],
            b']' if tape[ptr] != 0 => {
                if (pc, ptr, read) == (saved.0, saved.1, saved.2) && tape == saved.3 {
                    return Some(true);
                }
                edges += 1;
                if edges > limit {
                    return None;
                }
                if edges.is_power_of_two() {
                    saved = (pc, ptr, read, tape.clone());
                }
                pc = jump[pc];
            }
            _ => {}
        }
        pc += 1;
    }
    Some(false)
}

/// Random BF programs, biased toward what the passes rewrite: runs, clear
/// loops of odd and even steps, scans, multiply loops (sound and not),
/// nested and balanced loops, I/O, and moves that leave the tape.
pub fn bf_program() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => (prop::sample::select(vec!['+', '-', '>', '<']), 1usize..5)
            .prop_map(|(c, n)| c.to_string().repeat(n)),
        1 => Just(".".to_string()),
        1 => Just(",".to_string()),
        2 => prop::sample::select(vec!["[-]", "[+]", "[--]", "[---]", "[-<>]", "[++]"])
            .prop_map(str::to_string),
        2 => prop::sample::select(vec!["[>]", "[<]", "[>>]", "[<<<]", "[<>]", "[>+-]"])
            .prop_map(str::to_string),
        3 => multiply_loop(),
        2 => delay_loop(),
        1 => copy_idiom(),
    ];
    // Loops get a few `+` (or a `,`) in front most of the time: on the zero
    // tape a program starts with, a bare loop would hardly ever run.
    let prime = prop::sample::select(vec!["", "", "+", "++", "+++", "-", ",", ">+<+"]);
    let leaf = (prime.clone(), leaf).prop_map(|(p, l)| format!("{p}{l}"));
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            3 => prop::collection::vec(inner.clone(), 1..6).prop_map(|v| v.concat()),
            2 => (prime.clone(), prop::collection::vec(inner.clone(), 0..5))
                .prop_map(|(p, v)| format!("{p}[{}]", v.concat())),
            // A balanced loop: the body returns to where it started.
            2 => (prime.clone(), prop::collection::vec(inner, 0..4), -3i32..4).prop_map(|(p, v, k)| {
                let (there, back) = moves(k);
                format!("{p}[{there}{}{back}-]", v.concat())
            }),
        ]
    })
}

/// A whole test program: a few steps right first (or not, or nearly to the
/// right end of the 64-cell test tape), then a body.
pub fn bf_test_program() -> impl Strategy<Value = String> {
    let start = prop_oneof![4 => 0usize..6, 1 => 56usize..64];
    (start, prop::collection::vec(bf_program(), 1..5))
        .prop_map(|(right, body)| format!("{}{}", ">".repeat(right), body.concat()))
}

/// `k` cells right (or left) and back again.
fn moves(k: i32) -> (String, String) {
    let n = k.unsigned_abs() as usize;
    if k >= 0 {
        (">".repeat(n), "<".repeat(n))
    } else {
        ("<".repeat(n), ">".repeat(n))
    }
}

/// Multiply-shaped loops: a counter step (odd, even, either sign) and adds
/// to other cells, some of them cleared first (which makes a set loop, or
/// with a moving clear, almost one), usually balanced, sometimes not.
fn multiply_loop() -> impl Strategy<Value = String> {
    let step = prop::sample::select(vec![-1i32, -1, 1, -3, 3, 5, -2, 2]);
    let clear = prop::sample::select(vec!["", "", "", "[-]", "[+]", "[-<<>>]", "[->+-<]"]);
    let target = (-3i32..4, -3i32..4, clear);
    (
        step,
        prop::collection::vec(target, 0..4),
        any::<bool>(),
        prop::sample::select(vec!["", "", "", "", ">", "<", ".", "[-]"]),
    )
        .prop_map(|(step, targets, step_first, extra)| {
            let counter = if step > 0 { "+" } else { "-" }.repeat(step.unsigned_abs() as usize);
            let mut body = String::new();
            if step_first {
                body.push_str(&counter);
            }
            for (k, d, clear) in targets {
                let (there, back) = moves(k);
                let add = if d > 0 { "+" } else { "-" }.repeat(d.unsigned_abs() as usize);
                body.push_str(&format!("{there}{clear}{add}{back}"));
            }
            if !step_first {
                body.push_str(&counter);
            }
            body.push_str(extra);
            format!("[{body}]")
        })
}

/// Copies through a temporary and back (`[->+>+<<]>>[-<<+>>]<<`), with the
/// target or the temporary cleared first or not, on their own or as the body
/// of a counter loop that copies its own counter each run (`[->[-]<` copy
/// `]`, the shape `linear_fold` and `set_loops` reduce together).
fn copy_idiom() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![-2i32, -1, 1, 2, 3]),
        prop::sample::select(vec![-2i32, -1, 1, 2, 3]),
        prop::sample::select(vec!["+", "+", "++", "-"]),
        prop::sample::select(vec!["+", "+", "-"]),
        (any::<bool>(), any::<bool>()),
        prop::sample::select(vec!["", "", "", "-", "-", "+"]),
    )
        .prop_map(|(dst, tmp, factor, back_factor, (clear_dst, clear_tmp), counter)| {
            let tmp = if tmp == dst { dst + 1 } else { tmp };
            let (to_dst, from_dst) = moves(dst);
            let (to_tmp, from_tmp) = moves(tmp);
            let clear = |yes: bool, there: &str, back: &str| {
                if yes {
                    format!("{there}[-]{back}")
                } else {
                    String::new()
                }
            };
            let copy = format!(
                "{}{}[-{to_dst}{factor}{from_dst}{to_tmp}+{from_tmp}]{to_tmp}[-{from_tmp}{back_factor}{to_tmp}]{from_tmp}",
                clear(clear_dst, &to_dst, &from_dst),
                clear(clear_tmp, &to_tmp, &from_tmp),
            );
            if counter.is_empty() {
                copy
            } else {
                format!("[{counter}{copy}]")
            }
        })
}

/// Nested delay loops (`[>[-]+++[>[-]<-]<-]`): an outer counter loop whose
/// inner loop runs for certain (its counter was just set) or may not (only
/// added to), clearing a cell near it, sometimes with a detour to the left
/// inside the clear that the outer body's moves never make.
fn delay_loop() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["[-]+", "[-]++", "[-]+++", "+", "++"]),
        -2i32..3,
        prop::sample::select(vec!["", "", "<<>>", "<>", ">>><<<"]),
        prop::sample::select(vec!["-", "-", "+", "---", "--"]),
    )
        .prop_map(|(prime, k, detour, step)| {
            let (there, back) = moves(k);
            format!("[>{prime}[{there}[-{detour}]{back}-]<{step}]")
        })
}

/// Any of the three cell widths.
pub fn cell_width() -> impl Strategy<Value = CellWidth> {
    prop::sample::select(vec![CellWidth::U8, CellWidth::U16, CellWidth::U32])
}

/// Any end-of-input convention.
pub fn eof_mode() -> impl Strategy<Value = EofMode> {
    prop::sample::select(vec![EofMode::Unchanged, EofMode::Zero, EofMode::Max])
}
