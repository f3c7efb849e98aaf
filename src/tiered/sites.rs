//! The loops of the interpreted program as tiered execution knows them: one
//! [`Site`] per slot of the interpreter's hooks (its loops in program order,
//! `Bytecode::loops`), with the enclosing loop and the way down to the node,
//! so the compile thread can cut out a loop as a fragment without the
//! interpreter copying anything.

use ir_passes::ir::{Node, Op, Program};
use ir_passes::span::Span;

/// One loop of the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Its source, brackets included (the interpreter's `LoopInfo::span`).
    pub span: Span,
    /// The slot of the innermost loop around it (`if`s do not count).
    pub parent: Option<u32>,
    /// Indices from the body of `parent` (or the top level) down to the
    /// loop: through the `if`s between, the last one the loop's own.
    path: Vec<u32>,
}

/// Every `Loop` node of `program` in pre-order, which is the order of the
/// interpreter's loop heads. An explicit stack: programs nest 100,000 deep.
pub fn sites(program: &Program) -> Vec<Site> {
    struct Frame<'a> {
        body: &'a [Node],
        next: usize,
        parent: Option<u32>,
        via: Vec<u32>,
    }
    let mut out = Vec::new();
    let mut stack = vec![Frame {
        body: &program.body,
        next: 0,
        parent: None,
        via: Vec::new(),
    }];
    while let Some(top) = stack.last_mut() {
        let Some(node) = top.body.get(top.next) else {
            stack.pop();
            continue;
        };
        let i = top.next as u32;
        top.next += 1;
        match &node.op {
            Op::Loop { body } => {
                let mut path = top.via.clone();
                path.push(i);
                let slot = out.len() as u32;
                out.push(Site {
                    span: node.span,
                    parent: top.parent,
                    path,
                });
                stack.push(Frame {
                    body,
                    next: 0,
                    parent: Some(slot),
                    via: Vec::new(),
                });
            }
            Op::If { body } => {
                let mut via = top.via.clone();
                via.push(i);
                let parent = top.parent;
                stack.push(Frame {
                    body,
                    next: 0,
                    parent,
                    via,
                });
            }
            _ => {}
        }
    }
    out
}

/// The loop node of `slot`, found by walking down from the top level
/// through its enclosing loops (as deep as it is nested, not the program's
/// size).
pub fn locate<'p>(program: &'p Program, sites: &[Site], slot: u32) -> &'p Node {
    let mut chain = vec![slot];
    while let Some(parent) = sites[*chain.last().unwrap() as usize].parent {
        chain.push(parent);
    }
    let mut body: &[Node] = &program.body;
    let mut node = None;
    for &s in chain.iter().rev() {
        let path = &sites[s as usize].path;
        for &i in path {
            let n = &body[i as usize];
            node = Some(n);
            body = n.op.body().unwrap_or(&[]);
        }
    }
    let node = node.expect("a loop has a path");
    debug_assert_eq!(node.span, sites[slot as usize].span);
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir_passes::bytecode::Bytecode;
    use ir_passes::ir::CellWidth;
    use ir_passes::parse::parse;
    use ir_passes::pipeline::Pipeline;

    /// Slots, spans and nesting agree with the interpreter's loop table,
    /// through `if`s too (-O2 makes them).
    #[test]
    fn sites_match_the_interpreters_slots() {
        let text = b"+[>[-]<[->+<]>[<+>-]<-]>++[<[>]+[-<+>]>-]";
        for level in 0..3 {
            let p = parse("t", text, CellWidth::U8).unwrap();
            let p = Pipeline::level(level).run(p, false).program;
            let sites = sites(&p);
            let bc = Bytecode::compile(&p);
            let spans: Vec<Span> = bc.loops().iter().map(|l| l.span).collect();
            assert_eq!(sites.iter().map(|s| s.span).collect::<Vec<_>>(), spans);
            for (slot, site) in sites.iter().enumerate() {
                let node = locate(&p, &sites, slot as u32);
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
        let p = parse("t", b"[[.][.[.]]]", CellWidth::U8).unwrap();
        let parents: Vec<Option<u32>> = sites(&p).iter().map(|s| s.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(0), Some(2)]);
    }
}
