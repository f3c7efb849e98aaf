//! Source bytes → [`Program`]: one IR node per command, every other byte a
//! comment. Nesting is tracked with an explicit stack, so depth costs heap, not
//! call stack.
//!
//! One pass over the text does all of it: runs of one command are found a
//! word at a time, comments are skipped a byte at a time with only the line
//! starts noted (the source's line table comes out of the same pass), and
//! the bodies of all open loops share one stack of nodes, so a closed
//! loop's body is cut off it at its exact size (no per-loop growing and
//! shrinking). A 2 MB program of long runs parses in a few instructions per
//! byte.

use crate::diagnostic::{ParseError, Unmatched};
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
    parse_text(name, text.to_vec(), cell, false).map_err(|(e, _)| e)
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
    parse_text(name, text.to_vec(), cell, true).map_err(|(e, _)| e)
}

/// [`parse_folded`] (`folded`) or [`parse`] of a text the caller hands
/// over: the program's source keeps it instead of a copy (2 MB for a 2 MB
/// program). A malformed text comes back with its error, for the report.
pub fn parse_text(
    name: &str,
    text: Vec<u8>,
    cell: CellWidth,
    folded: bool,
) -> Result<Program, (ParseError, Vec<u8>)> {
    // The nodes of every open body, outermost first: the innermost body is
    // `nodes[floor..]`.
    let mut nodes: Vec<Node> = Vec::new();
    let mut floor = 0;
    // Each open loop: the position of its `[`, the index of its entry in
    // `partners`, and the floor of the body around it.
    let mut open: Vec<(u32, usize, usize)> = Vec::new();
    // In text order, so already sorted for `Source::new`: an `[`'s entry is
    // pushed when it is read and its partner filled in at its `]`.
    let mut partners: Vec<(u32, u32)> = Vec::new();
    let mut line_starts = vec![0];
    // The last loop closed at the top level, for an unmatched `]`'s report.
    let mut previous: Option<Span> = None;
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        let pos = i as u32;
        match b {
            b'+' | b'-' | b'>' | b'<' if folded => {
                // A run of one command folds in one step (2 MB programs are
                // mostly such runs): what pushing its commands one by one gives.
                let end = run_end(&text, i);
                let count = (end - i) as u32;
                push_run(&mut nodes, floor, unit(b, cell), pos, count, cell);
                i = end;
                continue;
            }
            b'+' | b'-' | b'>' | b'<' => nodes.push(Node::new(unit(b, cell), Span::at(pos))),
            b'.' => nodes.push(Node::new(Op::Output { offset: 0 }, Span::at(pos))),
            b',' => nodes.push(Node::new(Op::Input { offset: 0 }, Span::at(pos))),
            b'[' => {
                open.push((pos, partners.len(), floor));
                partners.push((pos, u32::MAX));
                floor = nodes.len();
            }
            b']' => {
                let Some((start, entry, outer)) = open.pop() else {
                    let error = error(&text, pos, Unmatched::Close { previous });
                    return Err((error, text));
                };
                if open.is_empty() {
                    previous = Some(Span::new(start, pos + 1));
                }
                partners[entry].1 = pos;
                partners.push((pos, start));
                let inner = cut_body(&mut nodes, floor);
                floor = outer;
                nodes.push(Node::new(
                    Op::Loop { body: inner.into() },
                    Span::new(start, pos + 1),
                ));
            }
            _ => {
                i = skip_comment(&text, i, &mut line_starts);
                continue;
            }
        }
        i += 1;
    }
    if let Some(&(start, _, _)) = open.last() {
        let kind = Unmatched::Open {
            still_open: open.len(),
            end: text.len() as u32,
        };
        return Err((error(&text, start, kind), text));
    }
    nodes.shrink_to_fit();
    let source = Source::with_lines(name.to_string(), text, line_starts, partners);
    Ok(Program {
        body: nodes,
        cell,
        source: Arc::new(source),
        entry: crate::ir::Entry::Start,
    })
}

/// Whether a byte is one of the eight commands.
const COMMANDS: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    while k < 8 {
        table[b"+-<>.,[]"[k] as usize] = true;
        k += 1;
    }
    table
};

/// The end of the comment starting at `i` (the next command, or the end of
/// the text), noting the start of every line it ends.
fn skip_comment(text: &[u8], mut i: usize, line_starts: &mut Vec<u32>) -> usize {
    while let Some(&c) = text.get(i) {
        if COMMANDS[c as usize] {
            break;
        }
        i += 1;
        if c == b'\n' {
            line_starts.push(i as u32);
        }
    }
    i
}

/// The end of the run of `text[i]` starting at `i`: eight bytes compared
/// at a time, then the rest one by one. (The segment guards' scan of the
/// source uses it too.)
pub(crate) fn run_end(text: &[u8], i: usize) -> usize {
    let b = text[i];
    let splat = u64::from_ne_bytes([b; 8]);
    let mut j = i + 1;
    while let Some(word) = text.get(j..j + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        // Little-endian: the lowest set byte of the difference is the
        // first byte that differs.
        let diff = u64::from_le_bytes(word) ^ splat;
        if diff != 0 {
            return j + (diff.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while text.get(j) == Some(&b) {
        j += 1;
    }
    j
}

/// Takes the innermost body, `nodes[floor..]`, off the stack of open
/// bodies as a vector of its own. A body that is most of the stack (a
/// program-long main loop) keeps the stack's memory (its nodes move down,
/// the few below it move out), so its pages are not touched twice.
fn cut_body(nodes: &mut Vec<Node>, floor: usize) -> Vec<Node> {
    if floor >= nodes.len() - floor {
        return nodes.split_off(floor);
    }
    let mut body = std::mem::take(nodes);
    *nodes = body.drain(..floor).collect();
    body.shrink_to_fit();
    body
}

/// The one-command op of `+`, `-`, `>` or `<`.
fn unit(b: u8, cell: CellWidth) -> Op {
    match b {
        b'+' => Op::Add {
            offset: 0,
            delta: 1,
        },
        b'-' => Op::Add {
            offset: 0,
            delta: cell.max(),
        },
        b'>' => Op::Move { delta: 1 },
        _ => Op::Move { delta: -1 },
    }
}

/// Appends `count` commands `unit` at `start..start + count` to a folded
/// body, `out[floor..]`: exactly what folding each, one by one, gives (the
/// last node absorbs as many as it can before it cancels out or would
/// overflow, and the rest starts afresh), in a few steps per run.
fn push_run(out: &mut Vec<Node>, floor: usize, unit: Op, start: u32, count: u32, cell: CellWidth) {
    let (mut pos, mut left) = (start, count);
    while left > 0 {
        let last = match out.len() > floor {
            true => out.last_mut(),
            false => None,
        };
        // How many of the remaining commands the last node takes in, and
        // whether it cancels out after the last of them.
        let taken = match (last, &unit) {
            (
                Some(last),
                Op::Add {
                    offset: 0,
                    delta: u,
                },
            ) => match &mut last.op {
                Op::Add { offset: 0, delta } => {
                    // Commands until the sum wraps to zero: the node goes.
                    let modulus = u64::from(cell.max()) + 1;
                    let to_zero = match *u {
                        1 => modulus - u64::from(*delta),
                        _ => u64::from(*delta),
                    };
                    let n = u64::from(left).min(to_zero.max(1)) as u32;
                    *delta = cell.wrap(delta.wrapping_add(u.wrapping_mul(n)));
                    Some((n, *delta == 0))
                }
                _ => None,
            },
            (Some(last), Op::Move { delta: u }) => match &mut last.op {
                Op::Move { delta } => {
                    let d = i64::from(*delta);
                    let u = i64::from(*u);
                    // Up to zero when the run goes back, else up to the
                    // largest offset `checked_add` still takes.
                    let room = match (d * u < 0, u > 0) {
                        (true, _) => d.abs(),
                        (false, true) => i64::from(i32::MAX) - d,
                        (false, false) => d - i64::from(i32::MIN),
                    };
                    let n = i64::from(left).min(room) as u32;
                    *delta = (d + u * i64::from(n)) as i32;
                    (n > 0).then_some((n, *delta == 0))
                }
                _ => None,
            },
            _ => None,
        };
        match taken {
            Some((n, cancelled)) => {
                let last = out.len() - 1;
                out[last].span = out[last].span.to(Span::at(pos + n - 1));
                if cancelled {
                    out.pop();
                }
                pos += n;
                left -= n;
            }
            None => {
                out.push(Node::new(unit.clone(), Span::at(pos)));
                pos += 1;
                left -= 1;
            }
        }
    }
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

    /// Long runs fold in one step (`push_run`); they must give what folding
    /// one command at a time gives, where a sum wraps to zero (the node
    /// goes) and past it, for every cell width.
    #[test]
    fn long_runs_fold_as_one_command_at_a_time() {
        use crate::passes::fold_runs::fold_runs;
        let r = |c: &str, n: usize| c.repeat(n);
        let texts = [
            r("+", 255),
            r("+", 256),
            r("+", 257) + &r("-", 3),
            r("-", 256) + "+",
            "+++".to_string() + &r("-", 3) + &r("-", 600),
            r("+", 65_535) + &r("+", 2),
            r("-", 65_536) + ">" + &r("+", 70_000),
            r(">", 300) + &r("<", 300) + "+",
            r(">", 5) + "x\n" + &r("<", 7) + &r(">", 2) + "+",
            "+>".to_string() + &r("<", 1) + "+[" + &r("<", 3) + "]" + &r(">", 4),
            r("+", 10) + "." + &r("-", 10),
        ];
        for cell in [CellWidth::U8, CellWidth::U16, CellWidth::U32] {
            for text in &texts {
                let folded = parse_folded("t", text.as_bytes(), cell).unwrap();
                let parsed = parse("t", text.as_bytes(), cell).unwrap();
                let expected = fold_runs(parsed);
                assert_eq!(folded.body, expected.body, "{cell:?}: {text:.40}");
            }
        }
    }

    /// The line table the parser notes while skipping comments is the one
    /// a scan of the whole text finds, and so is the bracket table; runs
    /// end where the text changes, word-sized steps or not.
    #[test]
    fn one_pass_finds_what_separate_scans_find() {
        use proptest::prelude::*;
        let texts = "[-+<>\\[\\].,x\n\r]{0,80}";
        proptest!(|(text in texts)| {
            let text = balance(&text);
            for folded in [false, true] {
                let p = parse_text("t", text.clone().into_bytes(), CellWidth::U8, folded)
                    .unwrap();
                let source = Source::new(String::new(), text.clone().into_bytes(), Vec::new());
                prop_assert_eq!(p.source.line_starts(), source.line_starts());
            }
            let bytes = text.as_bytes();
            for i in 0..bytes.len() {
                let slow = i + bytes[i..].iter().take_while(|&&c| c == bytes[i]).count();
                prop_assert_eq!(run_end(bytes, i), slow);
            }
        });
    }

    /// `text` with unmatched brackets dropped.
    fn balance(text: &str) -> String {
        let mut depth = 0usize;
        let mut out: String = text
            .chars()
            .filter(|&c| match c {
                '[' => {
                    depth += 1;
                    true
                }
                ']' if depth == 0 => false,
                ']' => {
                    depth -= 1;
                    true
                }
                _ => true,
            })
            .collect();
        out.extend(std::iter::repeat_n(']', depth));
        out
    }

    /// A loop's body is cut off the shared stack whether it is most of it
    /// (moved down in place) or not (copied out): both at every size.
    #[test]
    fn bodies_are_cut_off_the_stack_of_open_bodies() {
        for (before, inside) in [(0, 0), (0, 5), (5, 0), (3, 4), (4, 3), (1, 100), (100, 1)] {
            let text = format!("{}[{}]+", ".".repeat(before), ".,".repeat(inside));
            let p = parse8(text.as_bytes()).unwrap();
            assert_eq!(p.body.len(), before + 2);
            let Op::Loop { body } = &p.body[before].op else {
                panic!("a loop at {before}");
            };
            assert_eq!(body.len(), 2 * inside);
            let spans: Vec<u32> = body.iter().map(|n| n.span.start).collect();
            let expected: Vec<u32> = (0..2 * inside as u32)
                .map(|k| before as u32 + 1 + k)
                .collect();
            assert_eq!(spans, expected);
        }
    }

    /// The bracket table comes out of the parser in text order.
    #[test]
    fn partners_are_matched() {
        let p = parse8(b"[[]x[[]]]").unwrap();
        let pairs = [(0, 8), (1, 2), (4, 7), (5, 6)];
        for (a, b) in pairs {
            assert_eq!(p.source.partner(a), b);
            assert_eq!(p.source.partner(b), a);
        }
    }
}
