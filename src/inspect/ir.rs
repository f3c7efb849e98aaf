//! The IR view: the program the tier compiles, one op a line, each with the
//! source line:column it came from (and, with `--source`, the source text).

use super::options::Options;
use ir_passes::ir::{Node, Program};
use ir_passes::print::{op_text, print_with, source_excerpt, PrintOptions};
use ir_passes::span::{LineCol, Span};
use serde::Serialize;

/// The IR view.
#[derive(Serialize)]
pub struct IrView {
    /// Ops, nested ones included.
    pub ops: usize,
    /// The annotated listing.
    pub text: String,
    /// Every op in listing order, for tools (JSON only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<IrLine>,
    /// The IR tree itself (JSON only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<Node>,
}

/// One op of the listing.
#[derive(Serialize)]
pub struct IrLine {
    /// Loop nesting depth.
    pub depth: usize,
    /// The op kind (`add`, `loop`, ...).
    pub kind: &'static str,
    /// The op as the listing prints it.
    pub text: String,
    /// Where its source starts.
    pub at: LineCol,
    /// Its source bytes.
    pub span: Span,
    /// Its BF commands (shortened when long).
    pub source: String,
}

/// Builds the view.
pub fn build(program: &Program, options: &Options) -> IrView {
    let print = PrintOptions {
        spans: true,
        source: options.source,
    };
    IrView {
        ops: program.op_count(),
        text: print_with(program, print),
        lines: if options.json {
            lines(program)
        } else {
            Vec::new()
        },
        body: if options.json {
            program.body.clone()
        } else {
            Vec::new()
        },
    }
}

/// The listing as data; depth comes from a walk that tracks open bodies.
fn lines(program: &Program) -> Vec<IrLine> {
    let mut out = Vec::new();
    // (node, depth) in pre-order, with an explicit stack as the printer does.
    let mut stack: Vec<(std::slice::Iter<'_, Node>, usize)> = vec![(program.body.iter(), 0)];
    while let Some((iter, depth)) = stack.last_mut() {
        let depth = *depth;
        let Some(node) = iter.next() else {
            stack.pop();
            continue;
        };
        out.push(IrLine {
            depth,
            kind: node.op.kind(),
            text: op_text(&node.op, program.cell),
            at: program.source.line_col(node.span.start),
            span: node.span,
            source: source_excerpt(program.source.slice(node.span)),
        });
        if let Some(inner) = node.op.body() {
            stack.push((inner.iter(), depth + 1));
        }
    }
    out
}

impl IrView {
    /// The view as text.
    pub fn text(&self) -> String {
        format!("== ir: {} ops\n{}", self.ops, self.text)
    }
}
