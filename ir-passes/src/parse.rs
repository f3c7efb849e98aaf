//! Source bytes → [`Program`]: one IR node per command, every other byte a
//! comment. Nesting is tracked with an explicit stack, so depth costs heap, not
//! call stack.

use crate::diagnostic::ParseError;
use crate::ir::{CellWidth, Node, Op, Program};
use crate::source::Source;
use crate::span::Span;
use std::sync::Arc;

/// Parses `text` into an unoptimized program with the given cell width.
///
/// An unmatched `]` is reported at that bracket; an unclosed `[` at the
/// innermost one still open at the end of the text.
///
/// ```
/// use ir_passes::{parse::parse, ir::CellWidth};
/// let err = parse("x.b", b"+\n[[]", CellWidth::U8).unwrap_err();
/// assert_eq!(err.to_string(), "2:1: unmatched '['");
/// ```
pub fn parse(name: &str, text: &[u8], cell: CellWidth) -> Result<Program, ParseError> {
    // Each open loop: the position of its `[` and the body of the enclosing loop.
    let mut open: Vec<(u32, Vec<Node>)> = Vec::new();
    let mut body: Vec<Node> = Vec::new();
    let mut partners = Vec::new();
    for (i, &b) in text.iter().enumerate() {
        let pos = i as u32;
        let op = match b {
            b'+' => Op::Add {
                offset: 0,
                delta: 1,
            },
            b'-' => Op::Add {
                offset: 0,
                delta: cell.max(),
            },
            b'>' => Op::Move { delta: 1 },
            b'<' => Op::Move { delta: -1 },
            b'.' => Op::Output { offset: 0 },
            b',' => Op::Input { offset: 0 },
            b'[' => {
                open.push((pos, std::mem::take(&mut body)));
                continue;
            }
            b']' => {
                let Some((start, outer)) = open.pop() else {
                    return Err(error(text, pos, "unmatched ']'"));
                };
                partners.push((start, pos));
                partners.push((pos, start));
                let inner = std::mem::replace(&mut body, outer);
                body.push(Node::new(
                    Op::Loop { body: inner },
                    Span::new(start, pos + 1),
                ));
                continue;
            }
            _ => continue,
        };
        body.push(Node::new(op, Span::at(pos)));
    }
    if let Some(&(start, _)) = open.last() {
        return Err(error(text, start, "unmatched '['"));
    }
    let source = Source::new(name.to_string(), text.to_vec(), partners);
    Ok(Program {
        body,
        cell,
        source: Arc::new(source),
    })
}

fn error(text: &[u8], pos: u32, message: &str) -> ParseError {
    // Build a throwaway source just for the line table; errors are rare.
    let source = Source::new(String::new(), text.to_vec(), Vec::new());
    ParseError {
        message: message.to_string(),
        pos,
        line_col: source.line_col(pos),
    }
}
