//! The one walk over a parsed program that finds the source-order
//! warnings: unreachable and start loops, endless loops, and a first move
//! to the left.

use super::endless::is_endless;
use super::{Kind, Level, Lint};
use crate::ir::{CellWidth, Node, Op, Program};
use crate::source::Source;
use crate::span::Span;

/// Whether a loop body is a clear's: one `+` or `-`.
fn is_clear(body: &[Node], cell: CellWidth) -> bool {
    match body {
        [Node {
            op: Op::Add { offset: 0, delta },
            ..
        }] => *delta == 1 || *delta == cell.max(),
        _ => false,
    }
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

/// Visits every command that can run, in source order, without recursion.
pub(super) fn walk(program: &Program) -> Vec<Lint> {
    let mut lints = Vec::new();
    let mut first_move_seen = false;
    // Each open body and the index of its next node.
    let mut stack: Vec<(&[Node], usize)> = vec![(&program.body, 0)];
    while let Some(top) = stack.last_mut() {
        let (body, i) = (top.0, top.1);
        if i == body.len() {
            stack.pop();
            continue;
        }
        top.1 += 1;
        let node = &body[i];
        let top_level = stack.len() == 1;
        match &node.op {
            Op::Loop { body: inner } => {
                let previous = i.checked_sub(1).map(|j| &body[j]);
                let dead = match previous {
                    Some(p) if matches!(p.op, Op::Loop { .. }) && is_clear(inner, program.cell) => {
                        Some((Kind::RedundantClear, Level::All, Some(p.span)))
                    }
                    Some(p) if matches!(p.op, Op::Loop { .. }) => Some((
                        Kind::UnreachableLoop,
                        loop_level(&program.source, node.span),
                        Some(p.span),
                    )),
                    None if top_level => Some((Kind::StartLoop, Level::All, None)),
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
                stack.push((inner, 0));
            }
            Op::Move { delta } if !first_move_seen => {
                first_move_seen = true;
                if *delta < 0 {
                    // No move right can have run before the first move, so
                    // the pointer is at cell 0 whenever this runs.
                    lints.push(Lint {
                        kind: Kind::LeftOfStart,
                        level: Level::Default,
                        span: Some(node.span),
                        related: None,
                    });
                }
            }
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
