//! Small text helpers the views share.

/// A count with thousands separators, for the reader's eye.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let lead = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    let mut out = digits[..lead].to_string();
    for chunk in digits.as_bytes()[lead..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    out
}

/// ` (entry)` for the first of several functions, which the others are
/// outlined from.
pub fn entry_mark(index: usize, count: usize) -> &'static str {
    if index == 0 && count > 1 {
        " (entry)"
    } else {
        ""
    }
}
