//! Reports for the warnings of [`ir_passes::lint`].

use super::report::Report;
use ir_passes::lint::{Kind, Level, Lint};
use ir_passes::pipeline::MAX_ROUNDS;
use ir_passes::span::Span;

/// The report for a warning.
pub fn warning(lint: &Lint) -> Report {
    let name = lint.kind.name();
    let open = |span: Option<Span>| Span::at(span.map_or(0, |s| s.start));
    let close = |span: Option<Span>| Span::at(span.map_or(0, |s| s.end.saturating_sub(1)));
    let report = match lint.kind {
        Kind::UnreachableLoop => Report::warning(name, "this loop is never entered")
            .primary(open(lint.span), "the current cell is always zero here")
            .secondary(
                close(lint.related),
                "because this loop ends only when it is zero",
            )
            .help("remove the loop, or change the cell before it"),
        Kind::RedundantClear => Report::warning(name, "this clear does nothing")
            .primary(open(lint.span), "the current cell is already zero here")
            .secondary(
                close(lint.related),
                "because this loop ends only when it is zero",
            ),
        Kind::StartLoop => Report::warning(name, "this loop is never entered")
            .primary(open(lint.span), "every cell is zero at the start")
            .note("a loop at the start is the usual way to write a comment block"),
        Kind::EndlessLoop => Report::warning(name, "this loop never ends once entered")
            .primary(
                lint.span.unwrap_or_default(),
                "its body leaves the pointer and the current cell as they were",
            )
            .help("the run only stops at a --timeout or when the pointer leaves the tape"),
        Kind::LeftOfStart => Report::warning(name, "this '<' moves left of cell 0")
            .primary(
                lint.span.unwrap_or_default(),
                "no '>' runs before it, so the pointer is at cell 0",
            )
            .note("the run stops here with an error if this command is reached"),
        Kind::RoundCap => Report::warning(
            name,
            format!(
                "-O2 stopped after {MAX_ROUNDS} rounds of passes without reaching a fixed point"
            ),
        )
        .note("the optimized program is correct, but may be less optimized than it could be"),
    };
    let commented =
        matches!(lint.kind, Kind::UnreachableLoop | Kind::EndlessLoop) && lint.level == Level::All;
    match commented {
        true => report.note("it holds comment text, so it may be a deliberate comment block"),
        false => report,
    }
}
