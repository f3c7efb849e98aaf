//! Source bytes → [`Program`]: one IR node per command, every other byte a
//! comment. Nesting is tracked with an explicit stack, so depth costs heap, not
//! call stack.

use crate::diagnostic::{ParseError, Unmatched};
use crate::ir::{CellWidth, Node, Op, Program};
use crate::passes::fold_runs::push_folded;
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
    parse_with(name, text, cell, false)
}

/// Parses `text` with runs folded as it goes: exactly
/// `fold_runs(parse(name, text, cell)?)`, without ever holding one node per
/// command (a program of long runs needs a fraction of the memory and time).
/// Running programs uses it when the pipeline starts with `fold_runs`;
/// inspection keeps [`parse`], one node per command.
///
/// ```
/// use ir_passes::{ir::CellWidth, parse::{parse, parse_folded}, passes::fold_runs::fold_runs};
/// let text = b"+++[->>+<<]<>";
/// let folded = parse_folded("x.b", text, CellWidth::U8).unwrap();
/// assert_eq!(folded.body, fold_runs(parse("x.b", text, CellWidth::U8).unwrap()).body);
/// ```
pub fn parse_folded(name: &str, text: &[u8], cell: CellWidth) -> Result<Program, ParseError> {
    parse_with(name, text, cell, true)
}

fn parse_with(
    name: &str,
    text: &[u8],
    cell: CellWidth,
    folded: bool,
) -> Result<Program, ParseError> {
    // Each open loop: the position of its `[` and the body of the enclosing loop.
    let mut open: Vec<(u32, Vec<Node>)> = Vec::new();
    let mut body: Vec<Node> = Vec::new();
    let mut partners = Vec::new();
    // The last loop closed at the top level, for an unmatched `]`'s report.
    let mut previous: Option<Span> = None;
    for (i, &b) in text.iter().enumerate() {
        let pos = i as u32;
        if folded && continues_run(&mut body, b, pos, cell) {
            continue;
        }
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
                    return Err(error(text, pos, Unmatched::Close { previous }));
                };
                if open.is_empty() {
                    previous = Some(Span::new(start, pos + 1));
                }
                partners.push((start, pos));
                partners.push((pos, start));
                let mut inner = std::mem::replace(&mut body, outer);
                // Bodies grow by doubling: give back the slack of the
                // finished ones (up to half a big program's nodes).
                inner.shrink_to_fit();
                body.push(Node::new(
                    Op::Loop { body: inner.into() },
                    Span::new(start, pos + 1),
                ));
                continue;
            }
            _ => continue,
        };
        let node = Node::new(op, Span::at(pos));
        match folded {
            true => push_folded(&mut body, node, cell),
            false => body.push(node),
        }
    }
    body.shrink_to_fit();
    if let Some(&(start, _)) = open.last() {
        let kind = Unmatched::Open {
            still_open: open.len(),
            end: text.len() as u32,
        };
        return Err(error(text, start, kind));
    }
    let source = Source::new(name.to_string(), text.to_vec(), partners);
    Ok(Program {
        body,
        cell,
        source: Arc::new(source),
        entry: crate::ir::Entry::Start,
    })
}

/// The common case of [`push_folded`], without making a node: command `b`
/// at `pos` continues the run of the body's last node (a `+`/`-` after an
/// add, a `<`/`>` after a move), which takes it in, and goes if the run
/// cancels out. Whether it did; if not, the command is pushed as usual.
/// (Parsed adds are all at offset 0, as `push_folded` requires of a run.)
#[inline]
fn continues_run(body: &mut Vec<Node>, b: u8, pos: u32, cell: CellWidth) -> bool {
    let Some(last) = body.last_mut() else {
        return false;
    };
    let gone = match (&mut last.op, b) {
        (Op::Add { offset: 0, delta }, b'+' | b'-') => {
            let step = if b == b'+' { 1 } else { cell.max() };
            *delta = cell.wrap(delta.wrapping_add(step));
            *delta == 0
        }
        (Op::Move { delta }, b'>' | b'<') => {
            let Some(sum) = delta.checked_add(if b == b'>' { 1 } else { -1 }) else {
                return false;
            };
            *delta = sum;
            sum == 0
        }
        _ => return false,
    };
    last.span = last.span.to(Span::at(pos));
    if gone {
        body.pop();
    }
    true
}

fn error(text: &[u8], pos: u32, kind: Unmatched) -> ParseError {
    // Build a throwaway source just for the line table; errors are rare.
    let source = Source::new(String::new(), text.to_vec(), Vec::new());
    let message = match kind {
        Unmatched::Open { .. } => "unmatched '['",
        Unmatched::Close { .. } => "unmatched ']'",
    };
    ParseError {
        message: message.to_string(),
        pos,
        line_col: source.line_col(pos),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::print;

    fn parse8(text: &[u8]) -> Result<Program, ParseError> {
        parse("t.b", text, CellWidth::U8)
    }

    #[test]
    fn every_command_becomes_one_node_with_its_span() {
        let p = parse8(b"a+\n>b.").unwrap();
        let spans: Vec<Span> = p.body.iter().map(|n| n.span).collect();
        assert_eq!(spans, [Span::at(1), Span::at(3), Span::at(5)]);
        assert_eq!(p.source.line_col(5).to_string(), "2:3");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let p = parse8("é€+".as_bytes()).unwrap();
        assert_eq!(p.source.line_col(p.body[0].span.start).to_string(), "1:3");
    }

    #[test]
    fn minus_is_add_of_the_cell_maximum() {
        let p = parse("t", b"-", CellWidth::U16).unwrap();
        assert_eq!(
            p.body[0].op,
            Op::Add {
                offset: 0,
                delta: 0xFFFF
            }
        );
    }

    #[test]
    fn loops_span_their_brackets_and_nest() {
        let p = parse8(b"x[+[-]]").unwrap();
        assert_eq!(p.body[0].span, Span::new(1, 7));
        assert_eq!(
            print(&p),
            "loop {\n  add p[0], 1\n  loop {\n    add p[0], -1\n  }\n}\n"
        );
        assert_eq!(p.source.partner(1), 6);
        assert_eq!(p.source.partner(5), 3);
    }

    #[test]
    fn stray_close_bracket_is_reported_where_it_is() {
        let e = parse8(b"+[]\n ]").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.line_col.to_string()),
            ("unmatched ']'", "2:2".into())
        );
    }

    #[test]
    fn a_stray_close_bracket_names_the_last_top_level_loop() {
        let e = parse8(b"[[-]>]+]").unwrap_err();
        assert_eq!(
            e.kind,
            Unmatched::Close {
                previous: Some(Span::new(0, 6))
            }
        );
        let e = parse8(b"+]").unwrap_err();
        assert_eq!(e.kind, Unmatched::Close { previous: None });
    }

    #[test]
    fn an_unclosed_bracket_counts_the_open_ones() {
        let e = parse8(b"[[+]\n[").unwrap_err();
        assert_eq!(
            e.kind,
            Unmatched::Open {
                still_open: 2,
                end: 6
            }
        );
    }

    #[test]
    fn unclosed_bracket_is_reported_at_the_innermost_open_one() {
        let e = parse8(b"[\n[[]").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.line_col.to_string()),
            ("unmatched '['", "2:1".into())
        );
    }

    #[test]
    fn empty_and_comment_only_programs_are_empty() {
        assert!(parse8(b"").unwrap().body.is_empty());
        assert!(parse8(b"just words\n\x00\xff").unwrap().body.is_empty());
    }

    #[test]
    fn deep_nesting_parses_without_recursion() {
        // Dropping a 100,000-deep tree recurses, as does any pass over it, so
        // run on a big stack like the binary does; parsing itself does not.
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(|| {
                let depth = 100_000;
                let mut text = vec![b'['; depth];
                text.extend(std::iter::repeat_n(b']', depth));
                let p = parse8(&text).unwrap();
                assert_eq!(p.op_count(), depth);
                let mut text = vec![b'['; depth];
                text.extend(std::iter::repeat_n(b']', depth - 1));
                // The closes match the innermost opens, so the outermost is left over.
                assert_eq!(parse8(&text).unwrap_err().line_col.to_string(), "1:1");
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn multi_megabyte_programs_parse() {
        let text: Vec<u8> = b"+>-<.[-]".repeat(1 << 19);
        let p = parse8(&text).unwrap();
        assert_eq!(p.body.len(), 6 << 19);
    }
}
