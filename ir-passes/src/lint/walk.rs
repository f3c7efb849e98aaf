//! The one walk over a parsed program that finds the source-order
//! warnings: unreachable and start loops, endless loops, and a first move
//! to the left.

use super::endless::is_endless;
use super::{Kind, Level, Lint};
use crate::ir::{CellWidth, Node, Op, Program};
use crate::source::Source;
use crate::span::Span;

/// Whether a loop is a clear's: its body is one `+` or `-` command. (The
/// body of a folded program may be one add of 1 with more commands in its
/// source, `[+-+]`, so the source decides.)
fn is_clear(body: &[Node], span: Span, source: &Source, cell: CellWidth) -> bool {
    let one_add = match body {
        [Node {
            op: Op::Add { offset: 0, delta },
            ..
        }] => *delta == 1 || *delta == cell.max(),
        _ => false,
    };
    one_add
        && commands(source.slice(crate::guard::inner_span(span)))
            .nth(1)
            .is_none()
}

/// The command bytes of a text, with their positions in it.
fn commands(text: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    text.iter()
        .enumerate()
        .filter(|&(_, b)| b"+-<>.,[]".contains(b))
        .map(|(i, &b)| (i, b))
}

/// Whether the source between two positions holds no command: in a folded
/// program (runs folded while parsing), commands that cancelled out leave no
/// node, but they are still there.
fn no_commands_between(source: &Source, from: u32, to: u32) -> bool {
    from >= to || commands(source.slice(Span::new(from, to))).next().is_none()
}

/// The level of a warning about a loop: code-only loops are almost
/// certainly a mistake; one holding comment text (anything but commands
/// and white space) is most likely deliberate prose, such as the classic
/// comment block in a loop that is never entered.
fn loop_level(source: &Source, span: Span) -> Level {
    let prose = source
        .slice(span)
        .iter()
        .any(|b| !b"+-<>.,[]".contains(b) && !b.is_ascii_whitespace());
    match prose {
        true => Level::All,
        false => Level::Default,
    }
}

/// The first move command of the walk: whether it was seen, and where the
/// source has been looked at for it (up to `cursor`). In a folded program
/// a move node may stand for several commands, and moves that cancelled
/// out left none, so the source between nodes is looked at too.
struct FirstMove {
    seen: bool,
    cursor: u32,
}

impl FirstMove {
    /// Looks at the source up to `to` (commands there ran but left no node);
    /// the first move command found is the program's first move.
    fn gap(&mut self, source: &Source, to: u32, lints: &mut Vec<Lint>) {
        if self.seen || to <= self.cursor {
            return;
        }
        let from = self.cursor;
        self.cursor = to;
        let text = source.slice(Span::new(from, to));
        if let Some((i, b)) = commands(text).find(|&(_, b)| b == b'<' || b == b'>') {
            self.found(from + i as u32, b, lints);
        }
    }

    /// The first move command is at `pos`.
    fn found(&mut self, pos: u32, command: u8, lints: &mut Vec<Lint>) {
        self.seen = true;
        if command == b'<' {
            // No move right can have run before the first move, so the
            // pointer is at cell 0 whenever this runs.
            lints.push(Lint {
                kind: Kind::LeftOfStart,
                level: Level::Default,
                span: Some(Span::at(pos)),
                related: None,
            });
        }
    }
}

/// Visits every command that can run, in source order, without recursion.
pub(super) fn walk(program: &Program) -> Vec<Lint> {
    let source = &*program.source;
    let mut lints = Vec::new();
    let range = program.range();
    let mut first_move = FirstMove {
        seen: false,
        cursor: range.start,
    };
    // Each open body, the index of its next node, and where its source ends.
    let mut stack: Vec<(&[Node], usize, u32)> = vec![(&program.body, 0, range.end)];
    while let Some(top) = stack.last_mut() {
        let (body, i, end) = (top.0, top.1, top.2);
        if i == body.len() {
            first_move.gap(source, end, &mut lints);
            stack.pop();
            continue;
        }
        top.1 += 1;
        let node = &body[i];
        let top_level = stack.len() == 1;
        first_move.gap(source, node.span.start, &mut lints);
        match &node.op {
            Op::Loop { body: inner } => {
                // The node before this one, if no command lies between them.
                let previous = match i.checked_sub(1).map(|j| &body[j]) {
                    Some(p) if no_commands_between(source, p.span.end, node.span.start) => {
                        Some(Some(p))
                    }
                    Some(_) => None,
                    None if top_level
                        && no_commands_between(source, range.start, node.span.start) =>
                    {
                        Some(None)
                    }
                    None => None,
                };
                let dead = match previous {
                    Some(Some(p))
                        if matches!(p.op, Op::Loop { .. })
                            && is_clear(inner, node.span, source, program.cell) =>
                    {
                        Some((Kind::RedundantClear, Level::All, Some(p.span)))
                    }
                    Some(Some(p)) if matches!(p.op, Op::Loop { .. }) => Some((
                        Kind::UnreachableLoop,
                        loop_level(source, node.span),
                        Some(p.span),
                    )),
                    Some(None) if top_level => Some((Kind::StartLoop, Level::All, None)),
                    _ => None,
                };
                if let Some((kind, level, related)) = dead {
                    // It never runs, so nothing inside it is looked at.
                    lints.push(Lint {
                        kind,
                        level,
                        span: Some(node.span),
                        related,
                    });
                    first_move.cursor = first_move.cursor.max(node.span.end);
                    continue;
                }
                if is_endless(inner, program.cell) {
                    lints.push(Lint {
                        kind: Kind::EndlessLoop,
                        level: loop_level(&program.source, node.span),
                        span: Some(node.span),
                        related: None,
                    });
                }
                first_move.cursor = first_move.cursor.max(node.span.start + 1);
                stack.push((inner, 0, node.span.end - 1));
            }
            // Its first command is the first byte of its span.
            Op::Move { .. } if !first_move.seen => {
                let pos = node.span.start;
                first_move.found(pos, source.text()[pos as usize], &mut lints);
            }
            // Other ops: the source they cover is looked at with the next
            // gap (an add's may hold moves that cancelled: `+<>+`).
            _ => {}
        }
    }
    lints
}

#[cfg(test)]
mod tests {
    use crate::ir::CellWidth;
    use crate::lint::{lint, Kind, Level, Lint};
    use crate::parse::parse;
    use crate::span::Span;

    fn lints(text: &str) -> Vec<Lint> {
        lint(&parse("t", text.as_bytes(), CellWidth::U8).unwrap())
    }

    fn kinds(text: &str) -> Vec<Kind> {
        lints(text).into_iter().map(|l| l.kind).collect()
    }

    #[test]
    fn a_loop_right_after_a_loop_is_unreachable() {
        let found = lints("+[-][.]");
        assert_eq!(
            found,
            [Lint {
                kind: Kind::UnreachableLoop,
                level: Level::Default,
                span: Some(Span::new(4, 7)),
                related: Some(Span::new(1, 4)),
            }]
        );
        // Comments between do not matter; nested too.
        assert_eq!(kinds("+[>[-] clear then [<]<-]"), [Kind::UnreachableLoop]);
        // Anything that can change the cell in between makes it reachable.
        assert_eq!(kinds("+[-]+[.-]"), []);
        assert_eq!(kinds("+[-],[.,]"), []);
        assert_eq!(kinds("+[-]>[<]"), []);
    }

    #[test]
    fn loops_holding_comment_text_are_warned_about_only_at_level_all() {
        let levels = |text: &str| -> Vec<(Kind, Level)> {
            lints(text).into_iter().map(|l| (l.kind, l.level)).collect()
        };
        assert_eq!(
            levels("+[-][a comment.]"),
            [(Kind::UnreachableLoop, Level::All)]
        );
        assert_eq!(
            levels("+[-][ . ]"),
            [(Kind::UnreachableLoop, Level::Default)]
        );
        assert_eq!(levels("+[sic]"), [(Kind::EndlessLoop, Level::All)]);
        assert_eq!(levels("+[ ]"), [(Kind::EndlessLoop, Level::Default)]);
    }

    #[test]
    fn a_clear_right_after_a_loop_is_redundant() {
        assert_eq!(kinds("+[>][-]"), [Kind::RedundantClear]);
        assert_eq!(kinds("+[>][+]"), [Kind::RedundantClear]);
        assert_eq!(kinds("+[>][--]"), [Kind::UnreachableLoop]);
        assert_eq!(kinds("+[>]<+[-]"), []);
    }

    #[test]
    fn a_loop_at_the_start_is_a_comment_loop_and_not_looked_into() {
        assert_eq!(kinds("[ comment with < and [] ]+."), [Kind::StartLoop]);
        assert_eq!(kinds("+[-]"), []);
        assert_eq!(kinds(">[-]"), []);
    }

    #[test]
    fn loops_that_cannot_end_are_endless() {
        assert_eq!(kinds("+[]"), [Kind::EndlessLoop]);
        assert_eq!(kinds("+[+-]"), [Kind::EndlessLoop]);
        assert_eq!(kinds("+[>+<]"), [Kind::EndlessLoop]);
        assert_eq!(kinds("+[-]"), []);
        assert_eq!(kinds("+[>+<-]"), []);
        assert_eq!(kinds("+[>]"), []);
    }

    #[test]
    fn a_first_move_to_the_left_leaves_the_tape() {
        let found = lints("+ <");
        assert_eq!(found[0].kind, Kind::LeftOfStart);
        assert_eq!(found[0].span, Some(Span::at(2)));
        assert_eq!(kinds("+[-<]"), [Kind::LeftOfStart]);
        assert_eq!(kinds("+><"), []);
        assert_eq!(kinds("+[->+<]"), []);
        // Only the first move counts: later ones may start further right.
        assert_eq!(kinds("+>[<]<"), []);
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(|| {
                let depth = 100_000;
                let text = format!("+{}<{}", "[".repeat(depth), "]".repeat(depth));
                assert_eq!(kinds(&text), [Kind::LeftOfStart]);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
