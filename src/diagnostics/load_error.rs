//! Reports for programs that cannot be loaded: unreadable, or malformed
//! (an unmatched bracket, shown with its other end where that helps).

use super::report::Report;
use crate::load::LoadError;
use ir_passes::diagnostic::{ParseError, Unmatched};
use ir_passes::span::Span;

/// The report for a load error, with the name and text to render it
/// against (empty for a read error, which points at no source).
pub fn load_error(error: &LoadError) -> (Report, &str, &[u8]) {
    match error {
        LoadError::Io(message) => (Report::error(message.clone()), "", b""),
        LoadError::Parse { name, text, error } => (parse_error(error), name, text),
    }
}

fn parse_error(error: &ParseError) -> Report {
    let at = Span::at(error.pos);
    match error.kind {
        Unmatched::Open { still_open, end } => {
            let report = Report::error(&error.message)
                .primary(at, "this '[' is never closed")
                .secondary(Span::new(end, end), "the program ends here");
            let report = match still_open {
                1 => report,
                n => report.note(format!(
                    "{n} loops are still open at the end; this is the innermost"
                )),
            };
            report.help("add the missing ']', or remove this '['")
        }
        Unmatched::Close { previous } => {
            let report = Report::error(&error.message).primary(at, "no '[' is open here");
            match previous {
                Some(loop_span) => report
                    .secondary(
                        Span::at(loop_span.start),
                        "the last top-level loop starts here",
                    )
                    .secondary(
                        Span::at(loop_span.end - 1),
                        "and ends here, leaving no loop open",
                    )
                    .help("a '[' is missing before this ']', or this ']' is one too many"),
                None => report.help("no '[' comes before it: remove this ']'"),
            }
        }
    }
}
