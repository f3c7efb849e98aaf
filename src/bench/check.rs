//! The output check: a run passes only if its stdout equals `NAME.out` byte
//! for byte; otherwise the message says where they first differ.

/// `None` when the output is the expected one, else a description of the
/// first difference.
pub fn compare(got: &[u8], expected: &[u8]) -> Option<String> {
    if got == expected {
        return None;
    }
    let at = got
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(expected.len()));
    Some(format!(
        "output differs from the expected output at byte {at} (got {} bytes, expected {}): {} vs {}",
        got.len(),
        expected.len(),
        excerpt(got, at),
        excerpt(expected, at),
    ))
}

/// A few bytes from `at`, escaped, so the message stays one short line.
fn excerpt(bytes: &[u8], at: usize) -> String {
    let end = (at + 12).min(bytes.len());
    let piece = bytes.get(at..end).unwrap_or_default();
    if piece.is_empty() {
        return "end of output".into();
    }
    format!("\"{}\"", piece.escape_ascii())
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn names_the_first_difference() {
        assert_eq!(compare(b"abc", b"abc"), None);
        let m = compare(b"abX\n", b"abc\n").unwrap();
        assert!(m.contains("at byte 2") && m.contains("\"X\\n\""), "{m}");
        let m = compare(b"ab", b"abc").unwrap();
        assert!(
            m.contains("at byte 2") && m.contains("end of output"),
            "{m}"
        );
    }
}
