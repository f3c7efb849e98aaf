//! The soundness oracle of the pass tests: an optimized program must behave
//! exactly as its source does on the reference interpreter, and a source
//! that provably never ends must not end once optimized.

use super::run::{bytecode, reference, Setup};
use crate::error::RunError;
use crate::io::EofMode;
use crate::ir::Program;

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
            crate::print::print(optimized)
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
