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

impl Source {
    /// Builds a source whose bracket partners the parser has already matched.
    pub(crate) fn new(name: String, text: Vec<u8>, mut partners: Vec<(u32, u32)>) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        partners.sort_unstable();
        Source {
            name,
            text,
            line_starts,
            partners,
        }
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
