//! Snapshots of the printed IR of small programs after every pass of `-O2`,
//! so a change in what a pass does shows up as a reviewable diff. Update with
//! `cargo insta review` (or `INSTA_UPDATE=always`) after checking by eye that
//! every step is still correct.

use ir_passes::ir::CellWidth;
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::print::print;
use std::fmt::Write;

/// The program, then the IR after each pass of `-O2` that changed it.
fn passes_of(bf: &str) -> String {
    let program = parse("snapshot.b", bf.as_bytes(), CellWidth::U8).unwrap();
    let mut out = format!("BF: {bf}\n\n== parsed ==\n{}", print(&program));
    let optimized = Pipeline::level(2).run(program, true);
    for snap in &optimized.snapshots {
        let _ = write!(out, "\n== {} (round {})", snap.pass, snap.round);
        if snap.changed {
            let ir = print(snap.program.as_ref().unwrap());
            let _ = write!(
                out,
                ": {} -> {} ops ==\n{ir}",
                snap.ops_before, snap.ops_after
            );
        } else {
            out.push_str(": unchanged ==\n");
        }
    }
    out
}

#[test]
fn copy_and_multiply_loops() {
    insta::assert_snapshot!(passes_of("++++[->+>++<<]>[-<+>]<."));
}

#[test]
fn clears_and_sets() {
    insta::assert_snapshot!(passes_of(",>+++[-]++>--[+]-<<[-].[--]"));
}

#[test]
fn scans() {
    insta::assert_snapshot!(passes_of("+>+>+>+[<]>[>>]<<<."));
}

#[test]
fn known_values_and_ifs() {
    insta::assert_snapshot!(passes_of("++++[->++<]>[<+>[-]]<.,[>+<[-]]"));
}

#[test]
fn nested_loops() {
    insta::assert_snapshot!(passes_of("++[>+++[>++<-]<-]>>.,[>,[-<+>]<.]"));
}

#[test]
fn unsound_rewrites_are_not_made() {
    // Even-step clear, unbalanced and I/O loops, an even-step multiply.
    insta::assert_snapshot!(passes_of(",[--],[->+],[-.],[-->+<]"));
}

#[test]
fn loops_that_set_cells() {
    insta::assert_snapshot!(passes_of(",[>[-]+++++[-]>++<<-]>>.,[>[-]<--]"));
}
