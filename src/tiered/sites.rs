//! The loops of the interpreted program as tiered execution knows them: one
//! [`Site`] per slot of the interpreter's hooks (its loops in program order,
//! `Bytecode::loops`) with the enclosing loop, read off the interpreter's
//! own loop table, and the way to a loop's node when the compile thread
//! cuts it out as a fragment (by its span, from the top level down).
//! Nothing here walks the whole program: start-up on a 2 MB program pays
//! one pass over its 21,000 loops.

use ir_passes::bytecode::LoopInfo;
use ir_passes::ir::{Node, Op, Program};
use ir_passes::span::Span;

/// One loop of the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Its source, brackets included (the interpreter's `LoopInfo::span`).
    pub span: Span,
    /// The slot of the innermost loop around it (`if`s do not count).
    pub parent: Option<u32>,
}

/// The sites of the interpreter's loops (in the order of their heads,
/// which is pre-order): each one's parent is the innermost earlier loop
/// whose span holds it.
pub fn sites(loops: &[LoopInfo]) -> Vec<Site> {
    let mut out = Vec::with_capacity(loops.len());
    // The loops around the current one, innermost last.
    let mut open: Vec<u32> = Vec::new();
    for (slot, l) in loops.iter().enumerate() {
        while let Some(&p) = open.last() {
            let outer: Span = loops[p as usize].span;
            if outer.start <= l.span.start && l.span.end <= outer.end {
                break;
            }
            open.pop();
        }
        out.push(Site {
            span: l.span,
            parent: open.last().copied(),
        });
        open.push(slot as u32);
    }
    out
}

/// The loop node whose span is `span`, found by walking down from the top
/// level: at each level a binary search for the node whose span holds it
/// (the nodes of a body are in source order and do not overlap), as deep
/// as the loop is nested. `None` if there is no such loop (which would be
/// a bug: the caller then leaves the loop to the interpreter).
pub fn locate(program: &Program, span: Span) -> Option<&Node> {
    let mut body: &[Node] = &program.body;
    loop {
        let i = body.partition_point(|n| n.span.end <= span.start);
        let node = body.get(i)?;
        if !(node.span.start <= span.start && span.end <= node.span.end) {
            return None;
        }
        match &node.op {
            Op::Loop { .. } if node.span == span => return Some(node),
            Op::Loop { body: inner } | Op::If { body: inner } => body = inner,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir_passes::bytecode::Bytecode;
    use ir_passes::ir::CellWidth;
    use ir_passes::parse::parse;
    use ir_passes::pipeline::Pipeline;

    /// Every loop of the interpreter's table is found in the IR, through
    /// `if`s too (-O2 makes them), and nesting follows the spans.
    #[test]
    fn sites_match_the_interpreters_slots() {
        let text = b"+[>[-]<[->+<]>[<+>-]<-]>++[<[>]+[-<+>]>-]";
        for level in 0..3 {
            let p = parse("t", text, CellWidth::U8).unwrap();
            let p = Pipeline::level(level).run(p, false).program;
            let bc = Bytecode::compile(&p);
            let sites = sites(bc.loops());
            assert_eq!(sites.len(), bc.loops().len());
            for site in &sites {
                let node = locate(&p, site.span).expect("every loop is found");
                assert_eq!(node.span, site.span);
                assert!(matches!(node.op, Op::Loop { .. }));
                if let Some(parent) = site.parent {
                    let outer = sites[parent as usize].span;
                    assert!(outer.start < site.span.start && site.span.end < outer.end);
                }
            }
        }
    }

    #[test]
    fn nesting_is_recorded() {
        let p = parse("t", b"[[.][.[.]]][.]", CellWidth::U8).unwrap();
        let bc = Bytecode::compile(&p);
        let parents: Vec<Option<u32>> = sites(bc.loops()).iter().map(|s| s.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(0), Some(2), None]);
    }

    /// A span that is not a loop's finds nothing.
    #[test]
    fn only_loops_are_located() {
        let p = parse("t", b"+[-[+]]", CellWidth::U8).unwrap();
        assert!(locate(&p, Span::new(3, 6)).is_some());
        assert!(locate(&p, Span::new(2, 3)).is_none());
        assert!(locate(&p, Span::new(3, 5)).is_none());
        assert!(locate(&p, Span::new(0, 1)).is_none());
    }
}
