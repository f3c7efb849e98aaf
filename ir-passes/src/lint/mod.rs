//! Warnings about what is almost certainly a bug in a BF program, found
//! without running it. Like the parser's errors they are plain data (a
//! kind and source spans); the CLI words and draws them. No I/O here.
//!
//! Every check reads the parsed (unoptimized) program, whose ops are the
//! source commands in source order, and walks it with an explicit stack,
//! like the parser, so deep nesting costs heap, not call stack. Code that can
//! never run (a loop right after a loop) is reported once and not looked
//! into.

mod endless;
mod walk;

use crate::ir::Program;
use crate::pipeline::Optimized;
use crate::span::Span;
use serde::Serialize;

/// Which `-W` level shows a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// Shown by default: almost certainly a bug.
    Default,
    /// Shown with `-W all`: often deliberate.
    All,
}

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// A loop right after another loop (`][`, or after a clear `[-]`): the
    /// current cell is zero there, so it is never entered. One holding
    /// comment text is a deliberate comment block: [`Level::All`].
    UnreachableLoop,
    /// A clear loop (`[-]`, `[+]`) right after another loop: it does
    /// nothing, the cell is already zero. Compilers to BF emit these, and
    /// they are harmless: [`Level::All`].
    RedundantClear,
    /// A loop at the very start of the program: every cell is zero, so it
    /// is never entered. The classic way to write a comment block, hence
    /// only at [`Level::All`].
    StartLoop,
    /// A loop that cannot end once entered: its body leaves the current
    /// cell as it was and the pointer where it was (`[]`, `[+-]`, `[>+<]`).
    /// One holding comment text (`[sic]` in prose) is [`Level::All`].
    EndlessLoop,
    /// The first move of the program is `<`: whenever it runs, the pointer
    /// leaves the tape at cell 0.
    LeftOfStart,
    /// The `-O2` pipeline stopped at its round cap before reaching a fixed
    /// point (see [`Optimized::capped`]).
    RoundCap,
}

impl Kind {
    /// The warning's name, as shown in brackets after `warning`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::UnreachableLoop => "unreachable-loop",
            Kind::RedundantClear => "redundant-clear",
            Kind::StartLoop => "start-loop",
            Kind::EndlessLoop => "endless-loop",
            Kind::LeftOfStart => "left-of-start",
            Kind::RoundCap => "round-cap",
        }
    }
}

/// One warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// What it is about.
    pub kind: Kind,
    /// The lowest `-W` level that shows it.
    pub level: Level,
    /// The code it is about: a loop's brackets, a `<`; `None` for warnings
    /// about the whole program ([`Kind::RoundCap`]).
    pub span: Option<Span>,
    /// Code that explains it: for [`Kind::UnreachableLoop`], the loop
    /// before, which leaves the current cell zero.
    pub related: Option<Span>,
}

/// The warnings about a parsed program, in source order.
pub fn lint(program: &Program) -> Vec<Lint> {
    walk::walk(program)
}

/// The warning for a pipeline run that stopped at its round cap, if it did.
pub fn round_cap(optimized: &Optimized) -> Option<Lint> {
    optimized.capped.then_some(Lint {
        kind: Kind::RoundCap,
        level: Level::Default,
        span: None,
        related: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::parse::parse;

    #[test]
    fn a_capped_pipeline_gets_a_warning_and_a_converged_one_does_not() {
        let program = parse("t", b"+", CellWidth::U8).unwrap();
        let mut optimized = Optimized {
            program,
            snapshots: Vec::new(),
            capped: true,
        };
        assert_eq!(round_cap(&optimized).map(|l| l.kind), Some(Kind::RoundCap));
        optimized.capped = false;
        assert_eq!(round_cap(&optimized), None);
    }
}
