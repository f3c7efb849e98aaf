//! The program text, with what diagnostics and the fallback interpreter need to
//! find their way around it: line starts and the matching bracket of every bracket.

use crate::span::{LineCol, Span};

/// A BF program's text plus lookup tables built once by the parser.
#[derive(Debug)]
pub struct Source {
    name: String,
    text: Vec<u8>,
    /// Byte offset of the start of every line, ascending.
    line_starts: Vec<u32>,
    /// `(position of a bracket, position of its partner)`, sorted by the first
    /// field. Only brackets are listed, so a 10 MB file of comments costs nothing.
    partners: Vec<(u32, u32)>,
}

/// The offset of every line's start: 0 and each byte after a `\n`. Sixteen
/// bytes at a time into a bit mask (which compilers turn into a vector
/// compare), then the set bits: a 2 MB text takes about a millisecond.
pub(crate) fn line_starts(text: &[u8]) -> Vec<u32> {
    let mut starts = vec![0];
    let mut chunks = text.chunks_exact(16);
    let mut base = 0u32;
    for chunk in &mut chunks {
        let mut mask = 0u32;
        for (j, &b) in chunk.iter().enumerate() {
            mask |= u32::from(b == b'\n') << j;
        }
        while mask != 0 {
            starts.push(base + mask.trailing_zeros() + 1);
            mask &= mask - 1;
        }
        base += 16;
    }
    for (j, &b) in chunks.remainder().iter().enumerate() {
        if b == b'\n' {
            starts.push(base + j as u32 + 1);
        }
    }
    starts
}

impl Source {
    /// Builds a source whose bracket partners the parser has already matched.
    pub(crate) fn new(name: String, text: Vec<u8>, mut partners: Vec<(u32, u32)>) -> Source {
        let line_starts = line_starts(&text);
        // The parser lists them in text order: then this only checks.
        partners.sort_unstable();
        Source {
            name,
            text,
            line_starts,
            partners,
        }
    }

    /// A source whose line starts (as [`line_starts`] finds them) and
    /// bracket partners (sorted) the parser has already found in its one
    /// pass over the text.
    pub(crate) fn with_lines(
        name: String,
        text: Vec<u8>,
        line_starts: Vec<u32>,
        partners: Vec<(u32, u32)>,
    ) -> Source {
        debug_assert!(partners.is_sorted());
        Source {
            name,
            text,
            line_starts,
            partners,
        }
    }

    /// The start of every line, for tests of the parser's line table.
    #[cfg(test)]
    pub(crate) fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// The name the program was loaded under (usually its path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw program bytes.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// The bytes a span covers.
    pub fn slice(&self, span: Span) -> &[u8] {
        &self.text[span.start as usize..span.end as usize]
    }

    /// The whole text as one span.
    pub fn full_span(&self) -> Span {
        Span::new(0, self.text.len() as u32)
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, pos: u32) -> LineCol {
        let line = self.line_starts.partition_point(|&s| s <= pos) - 1;
        let start = self.line_starts[line] as usize;
        let end = (pos as usize).min(self.text.len());
        // Count characters, not bytes, so a UTF-8 comment does not shift columns.
        let col = self.text[start..end]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        LineCol {
            line: line as u32 + 1,
            col: col as u32 + 1,
        }
    }

    /// The position of the bracket matching the one at `pos`.
    ///
    /// # Panics
    /// If `pos` is not a bracket of this source; the parser guarantees every
    /// bracket has a partner, so this only fires on a caller's bug.
    pub fn partner(&self, pos: u32) -> u32 {
        let i = self
            .partners
            .binary_search_by_key(&pos, |&(p, _)| p)
            .expect("partner() asked about a byte that is not a bracket");
        self.partners[i].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunked scan finds every newline, in and after whole chunks.
    #[test]
    fn line_starts_follow_every_newline() {
        for len in [0usize, 1, 15, 16, 17, 40, 100] {
            for step in [1usize, 3, 7, 16, 33] {
                let text: Vec<u8> = (0..len)
                    .map(|i| if i % step == step - 1 { b'\n' } else { b'+' })
                    .collect();
                let expected: Vec<u32> = std::iter::once(0)
                    .chain((0..len).filter(|&i| text[i] == b'\n').map(|i| i as u32 + 1))
                    .collect();
                assert_eq!(line_starts(&text), expected, "len {len} step {step}");
            }
        }
    }
}
