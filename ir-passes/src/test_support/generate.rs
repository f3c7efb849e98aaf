//! Random BF programs for the property tests, biased toward what the passes
//! rewrite and toward the tape's ends, where guards fail.

use crate::io::EofMode;
use crate::ir::CellWidth;
use proptest::prelude::*;

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

/// A few [`bf_program`]s in a row.
pub fn bf_body() -> impl Strategy<Value = String> {
    prop::collection::vec(bf_program(), 1..5).prop_map(|parts| parts.concat())
}

/// A whole test program: a few steps right first (or not, or nearly to the
/// right end of the 64-cell test tape), then a body.
pub fn bf_test_program() -> impl Strategy<Value = String> {
    let start = prop_oneof![4 => 0usize..6, 1 => 56usize..64];
    (start, bf_body()).prop_map(|(right, body)| format!("{}{body}", ">".repeat(right)))
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

/// `cases` per property, unless `PROPTEST_CASES` asks for another number
/// (for a longer hunt than CI affords); failures are not persisted.
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A random BF program for tiered execution: the shapes optimizers rewrite,
/// with loops that iterate (so they get hot) and moves that leave small tapes.
pub fn bf_hot_program() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => "[-+<>]{1,6}",
        1 => Just(".".to_string()),
        1 => Just(",".to_string()),
        1 => Just("[-]".to_string()),
        1 => "\\[(>|<|>>|<<|>>>)\\]",
        1 => "\\[-(>+<|>>+<<|<+>|>\\+\\+<|>+>+++<<)\\]",
        1 => "\\[--?(>---<|<+++>)\\]",
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..6).prop_map(|v| v.concat()),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| format!("[{}]", v.concat())),
            // A counted loop: runs a few times whatever its body does to
            // other cells, so its heat reaches the thresholds.
            (1usize..5, prop::collection::vec(inner, 1..3)).prop_map(|(n, v)| format!(
                "{}[>{}<-]",
                "+".repeat(n),
                v.concat()
            )),
        ]
    })
}
