//! A diagnostic as plain data, and its one rendering.

use super::color::Style;
use super::excerpt::Excerpt;
use codespan_reporting::diagnostic::{Diagnostic, Label as CsLabel};
use codespan_reporting::term::termcolor::{Buffer, WriteColor};
use codespan_reporting::term::{self, Chars, Config};
use ir_passes::span::Span;

/// How bad it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The command fails.
    Error,
    /// The command goes on.
    Warning,
}

/// A source span with what to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The bytes pointed at (cut at the end of their first line).
    pub span: Span,
    /// The text beside the caret.
    pub message: String,
    /// The primary label (`^`) is what the report is about; secondary ones
    /// (`-`) give context.
    pub primary: bool,
}

/// An error or warning: a message, labels in the source, and notes
/// (`help: …` lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Error or warning.
    pub severity: Severity,
    /// A short code naming the kind of report (a warning's name for `-W`),
    /// shown in brackets after the severity.
    pub code: Option<&'static str>,
    /// The headline.
    pub message: String,
    /// Places in the source, primary first.
    pub labels: Vec<Label>,
    /// Lines after the source (`note: …`, `help: …`).
    pub notes: Vec<String>,
}

impl Report {
    /// An error with only a message.
    pub fn error(message: impl Into<String>) -> Report {
        Report {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A warning with only a message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Report {
        Report {
            severity: Severity::Warning,
            code: Some(code),
            ..Report::error(message)
        }
    }

    /// Adds the primary label.
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Report {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label.
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Report {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Adds a `help: …` line.
    pub fn help(mut self, text: impl std::fmt::Display) -> Report {
        self.notes.push(format!("help: {text}"));
        self
    }

    /// Adds a `note: …` line.
    pub fn note(mut self, text: impl std::fmt::Display) -> Report {
        self.notes.push(format!("note: {text}"));
        self
    }

    /// The report as text for a program `text` loaded under `name`, with
    /// or without colour. This is the one place reports are drawn.
    pub fn render(&self, name: &str, text: &[u8], style: Style) -> Vec<u8> {
        let spans: Vec<Span> = self.labels.iter().map(|l| l.span).collect();
        let excerpt = Excerpt::new(name, text, &spans);
        let labels = self
            .labels
            .iter()
            .map(|l| {
                let range = excerpt.range(l.span);
                let label = match l.primary {
                    true => CsLabel::primary((), range),
                    false => CsLabel::secondary((), range),
                };
                label.with_message(&l.message)
            })
            .collect();
        let diagnostic = match self.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
        }
        .with_message(&self.message)
        .with_labels(labels)
        .with_notes(self.notes.clone());
        let diagnostic = match self.code {
            Some(code) => diagnostic.with_code(code),
            None => diagnostic,
        };
        let config = Config {
            chars: Chars::ascii(),
            ..Config::default()
        };
        let mut buffer = match style {
            Style::Color => Buffer::ansi(),
            Style::Plain => Buffer::no_color(),
        };
        if term::emit_to_write_style(&mut buffer, &config, &excerpt, &diagnostic).is_err() {
            // The excerpt answers every query, so this is a bug; the message
            // alone still says what happened.
            let _ = buffer.reset();
            return format!("error: {}\n", self.message).into_bytes();
        }
        buffer.into_inner()
    }
}
