//! The textual IR: one op a line, loop bodies indented, offsets as `p[+3]`.
//! It is stable (snapshot tests and `inspect --diff` depend on it) and, with
//! [`PrintOptions::spans`], ties every line to its source position.

use crate::ir::{CellWidth, Node, Op, Program, Value};
use std::fmt::Write;

/// What to annotate each line with.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrintOptions {
    /// Append `; line:col` of the op's source.
    pub spans: bool,
    /// Append the op's source text too (shortened when long).
    pub source: bool,
}

/// Column at which annotations start, so they line up.
const NOTE_COLUMN: usize = 40;

/// Prints a program with no annotations.
pub fn print(program: &Program) -> String {
    print_with(program, PrintOptions::default())
}

/// Prints a program.
///
/// ```
/// use ir_passes::{parse::parse, ir::CellWidth, print::print};
/// let p = parse("t", b"+[->+<]", CellWidth::U8).unwrap();
/// assert_eq!(print(&p), "add p[0], 1\nloop {\n  add p[0], -1\n  move +1\n  add p[0], 1\n  move -1\n}\n");
/// ```
pub fn print_with(program: &Program, options: PrintOptions) -> String {
    let mut out = String::new();
    // An explicit stack of (body, next index) keeps deep nesting off the call stack.
    let mut stack: Vec<(&[Node], usize)> = vec![(&program.body, 0)];
    while let Some((body, i)) = stack.pop() {
        let depth = stack.len();
        let Some(node) = body.get(i) else {
            if depth > 0 {
                line(&mut out, depth - 1, "}", None, program, options);
            }
            continue;
        };
        stack.push((body, i + 1));
        let text = op_text(&node.op, program.cell);
        line(&mut out, depth, &text, Some(node), program, options);
        if let Some(inner) = node.op.body() {
            stack.push((inner, 0));
        }
    }
    out
}

fn line(
    out: &mut String,
    depth: usize,
    text: &str,
    node: Option<&Node>,
    p: &Program,
    o: PrintOptions,
) {
    let start = out.len();
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(text);
    if let (Some(node), true) = (node, o.spans || o.source) {
        let width = out.len() - start;
        out.push_str(&" ".repeat(NOTE_COLUMN.saturating_sub(width).max(1)));
        let _ = write!(out, "; {}", p.source.line_col(node.span.start));
        if o.source {
            let _ = write!(out, "  {}", source_excerpt(p.source.slice(node.span)));
        }
    }
    out.push('\n');
}

/// The BF commands of a span, without comments, shortened to fit one line.
pub fn source_excerpt(text: &[u8]) -> String {
    const MAX: usize = 32;
    let commands: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| b"+-<>.,[]".contains(b))
        .collect();
    if commands.len() <= MAX {
        String::from_utf8_lossy(&commands).into_owned()
    } else {
        format!(
            "{}…{}",
            String::from_utf8_lossy(&commands[..MAX / 2]),
            String::from_utf8_lossy(&commands[commands.len() - MAX / 2..])
        )
    }
}

/// The text of one op (without its body).
pub fn op_text(op: &Op, cell: CellWidth) -> String {
    match *op {
        Op::Add { offset, delta } => format!("add {}, {}", cell_ref(offset), signed(delta, cell)),
        Op::Move { delta } => format!("move {delta:+}"),
        Op::Output { offset } => format!("out {}", cell_ref(offset)),
        Op::Input { offset } => format!("in {}", cell_ref(offset)),
        Op::Loop { .. } => "loop {".to_string(),
        Op::Set { offset, value } => format!("set {}, {}", cell_ref(offset), signed(value, cell)),
        Op::MulAdd { src, dst, factor } => format!(
            "muladd {}, {} * {}",
            cell_ref(dst),
            cell_ref(src),
            signed(factor, cell)
        ),
        Op::Scan { stride } => format!("scan {stride:+}"),
        Op::If { .. } => "if {".to_string(),
    }
}

/// `p[0]`, `p[+2]`, `p[-1]`.
pub fn cell_ref(offset: i32) -> String {
    if offset == 0 {
        "p[0]".to_string()
    } else {
        format!("p[{offset:+}]")
    }
}

/// A cell constant shown as the signed number nearest zero (`255` → `-1` for
/// 8-bit cells), which reads the way the source was written.
pub fn signed(v: Value, cell: CellWidth) -> i64 {
    let v = cell.wrap(v) as i64;
    let modulus = cell.max() as i64 + 1;
    if v > modulus / 2 {
        v - modulus
    } else {
        v
    }
}
