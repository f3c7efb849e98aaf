//! The few source lines a diagnostic shows, cut to a window around its labels
//! and made safe to print, presented to codespan-reporting as its `Files`.
//!
//! BF programs are often one enormous line (a minified 10 MB program), may
//! hold any bytes in their comments (invalid UTF-8, terminal escapes), and
//! codespan prints whole lines of valid UTF-8. So the renderer is handed a
//! synthetic text: one line per window of a labelled line, at most
//! [`CONTEXT`] characters either side of the labels, with `…` where a line
//! was cut and `?` for every byte that is not printable. Line and column
//! numbers are mapped back to the real source, so headers and gutters name
//! real positions.

use codespan_reporting::files::{Error, Files};
use ir_passes::span::Span;
use std::ops::Range;

/// Bytes of context kept either side of a label on its line.
const CONTEXT: u32 = 40;

/// Labels longer than this many bytes are shown by their start only.
const LONGEST_LABEL: u32 = 60;

/// Windows on the same line closer than this are shown as one.
const JOIN_GAP: u32 = 8;

/// Marks a line cut short.
const CUT: &str = "…";

/// One shown window of a real line.
struct Window {
    /// Its range in the synthetic text (without the trailing newline).
    shown: Range<usize>,
    /// The real byte offset that `shown.start + prefix` corresponds to.
    real_start: u32,
    /// Bytes of `…` before the real text begins (0 if the line was not cut).
    prefix: usize,
    /// Real 1-based line number.
    line: u32,
    /// Real 1-based column of `real_start`.
    col: u32,
}

/// The synthetic text a diagnostic is rendered from.
pub struct Excerpt<'a> {
    name: &'a str,
    text: String,
    /// Synthetic lines in order: windows of real lines, and blank lines that
    /// make codespan draw a break between lines that are not adjacent.
    lines: Vec<Option<Window>>,
}

impl<'a> Excerpt<'a> {
    /// An excerpt of `source` (named `name`) showing the given spans. A span
    /// is cut at the end of the line it starts on.
    pub fn new(name: &'a str, source: &[u8], spans: &[Span]) -> Excerpt<'a> {
        let mut windows: Vec<(u32, Range<u32>)> = spans
            .iter()
            .map(|&span| {
                let line = line_range(source, span.start);
                let end = span
                    .end
                    .min(span.start + LONGEST_LABEL)
                    .clamp(span.start, line.end);
                let start = char_floor(source, span.start.saturating_sub(CONTEXT).max(line.start));
                let stop = char_ceil(source, (end + CONTEXT).min(line.end));
                (line.start, start..stop)
            })
            .collect();
        windows.sort_by_key(|(_, w)| (w.start, w.end));
        let mut merged: Vec<(u32, Range<u32>)> = Vec::new();
        for (line, w) in windows {
            match merged.last_mut() {
                Some((l, last)) if *l == line && w.start <= last.end + JOIN_GAP => {
                    last.end = last.end.max(w.end);
                }
                _ => merged.push((line, w)),
            }
        }
        let mut excerpt = Excerpt {
            name,
            text: String::new(),
            lines: Vec::new(),
        };
        let mut previous_line: Option<u32> = None;
        for (line_start, w) in merged {
            let (line, _) = line_col(source, line_start);
            if let Some(p) = previous_line {
                if line > p + 1 {
                    // Two blank synthetic lines: codespan draws a break.
                    excerpt.push_blank();
                    excerpt.push_blank();
                }
            }
            previous_line = Some(line);
            excerpt.push_window(source, line, w);
        }
        excerpt
    }

    fn push_blank(&mut self) {
        self.text.push('\n');
        self.lines.push(None);
    }

    fn push_window(&mut self, source: &[u8], line: u32, w: Range<u32>) {
        let real = line_range(source, w.start);
        let start = self.text.len();
        if w.start > real.start {
            self.text.push_str(CUT);
        }
        let prefix = self.text.len() - start;
        push_printable(&mut self.text, &source[w.start as usize..w.end as usize]);
        if w.end < real.end {
            self.text.push_str(CUT);
        }
        let (_, col) = line_col(source, w.start);
        self.lines.push(Some(Window {
            shown: start..self.text.len(),
            real_start: w.start,
            prefix,
            line,
            col,
        }));
        self.text.push('\n');
    }

    /// The synthetic range standing for a real span (cut at the end of its
    /// window), for a codespan label.
    pub fn range(&self, span: Span) -> Range<usize> {
        for w in self.lines.iter().flatten() {
            let real_len = (w.shown.end - w.shown.start - w.prefix) as u32;
            let real_end = w.real_start + real_len;
            if span.start >= w.real_start && span.start <= real_end {
                let base = w.shown.start + w.prefix;
                let start = base + (span.start - w.real_start) as usize;
                let end = base + (span.end.min(real_end) - w.real_start) as usize;
                return start..end.max(start);
            }
        }
        0..0
    }
}

/// Appends `bytes`, one byte for one byte: valid printable UTF-8 as it is,
/// anything else (control bytes, escapes, invalid UTF-8) as `?`, so offsets
/// stay aligned with the source and nothing reaches the terminal raw.
fn push_printable(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\t' || !c.is_control() {
                out.push(c);
            } else {
                out.extend(std::iter::repeat_n('?', c.len_utf8()));
            }
        }
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
}

/// The range of the line holding `pos`, without its `\n` (or `\r\n`).
fn line_range(source: &[u8], pos: u32) -> Range<u32> {
    let pos = (pos as usize).min(source.len());
    let start = memchr::memrchr(b'\n', &source[..pos]).map_or(0, |i| i + 1);
    let mut end = memchr::memchr(b'\n', &source[pos..]).map_or(source.len(), |i| pos + i);
    if end > start && source[end - 1] == b'\r' {
        end -= 1;
    }
    start as u32..end as u32
}

/// Real 1-based line and column of `pos`; columns count characters, as
/// `ir_passes::source::Source::line_col` does. (memchr keeps this fast
/// enough to call per label, even on a 10 MB program.)
fn line_col(source: &[u8], pos: u32) -> (u32, u32) {
    let pos = (pos as usize).min(source.len());
    let before = &source[..pos];
    let line = 1 + memchr::memchr_iter(b'\n', before).count() as u32;
    let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = 1 + before[start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count() as u32;
    (line, col)
}

/// `pos`, moved left to the start of the UTF-8 character it is inside.
fn char_floor(source: &[u8], mut pos: u32) -> u32 {
    while pos > 0
        && source
            .get(pos as usize)
            .is_some_and(|&b| (b & 0xC0) == 0x80)
    {
        pos -= 1;
    }
    pos
}

/// `pos`, moved right past the UTF-8 character it is inside.
fn char_ceil(source: &[u8], mut pos: u32) -> u32 {
    while source
        .get(pos as usize)
        .is_some_and(|&b| (b & 0xC0) == 0x80)
    {
        pos += 1;
    }
    pos
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, Error> {
        let newlines = self.text.as_bytes()[..byte_index.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Ok(newlines.min(self.lines.len().saturating_sub(1)))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, Error> {
        Ok(match self.lines.get(line_index) {
            Some(Some(w)) => w.line as usize,
            // A blank separator: any number does, codespan does not show it.
            _ => line_index + 1,
        })
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        let Some(Some(w)) = self.lines.get(line_index) else {
            return Ok(1);
        };
        let base = w.shown.start + w.prefix;
        let in_window = byte_index.clamp(base, w.shown.end);
        let chars = self.text[base..in_window].chars().count();
        Ok(w.col as usize + chars)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        let mut start = 0;
        for (i, line) in self.text.split_inclusive('\n').enumerate() {
            if i == line_index {
                return Ok(start..start + line.len());
            }
            start += line.len();
        }
        // An empty excerpt (no labels): one empty line.
        Ok(start..start)
    }
}
