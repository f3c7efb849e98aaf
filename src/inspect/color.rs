//! Colour for `inspect`'s text on a terminal: headings bold, diff lines
//! green and red, source positions and code offsets dimmed, CLIF block
//! headers and relocation targets picked out. It works on the finished
//! text line by line, so the views stay plain and their snapshots unchanged.

// Whether to colour is `diagnostics::ColorChoice`'s call (`--color`,
// `NO_COLOR`), shared with every subcommand.

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";

/// The text with ANSI colours.
pub fn colorize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        colorize_line(body, &mut out);
        out.push_str(newline);
    }
    out
}

fn paint(out: &mut String, color: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str(color);
    out.push_str(text);
    out.push_str(RESET);
}

fn colorize_line(line: &str, out: &mut String) {
    if line.starts_with("== ") {
        return paint(out, BOLD, line);
    }
    if line.starts_with("--- ") || line.starts_with("+++ ") {
        return paint(out, BOLD, line);
    }
    if line.starts_with("-- ") {
        return paint(out, &format!("{BOLD}{CYAN}"), line);
    }
    if line.starts_with("@@") {
        return paint(out, CYAN, line);
    }
    if line.starts_with('+') {
        return paint(out, GREEN, line);
    }
    if line.starts_with('-') {
        return paint(out, RED, line);
    }
    // CLIF: a source location `@hhhh` leads the line.
    if let Some(rest) = line.strip_prefix('@') {
        let n = rest.chars().take_while(char::is_ascii_hexdigit).count();
        paint(out, DIM, &line[..n + 1]);
        return colorize_line(&rest[n..], out);
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with("block") && trimmed.ends_with(':') {
        return paint(out, MAGENTA, line);
    }
    // Asm group headers and IR annotations: `; line:col ...`.
    if trimmed.starts_with("; ") {
        return paint(out, DIM, line);
    }
    // Asm instruction lines: `  0000  48 89 e5   mov ...  ; → target`.
    let (code, reloc) = match line.find("  ; → ") {
        Some(p) => (&line[..p], Some(&line[p..])),
        None => (line, None),
    };
    let (code, note) = match (reloc, code.find("; ")) {
        (None, Some(p)) if p > 0 => (&code[..p], Some(&code[p..])),
        _ => (code, None),
    };
    let is_asm = code.len() > 8
        && code.starts_with("  ")
        && code[2..6].chars().all(|c| c.is_ascii_hexdigit())
        && code[6..8] == *"  ";
    if is_asm {
        paint(out, DIM, &code[..8]);
        out.push_str(&code[8..]);
    } else {
        out.push_str(code);
    }
    if let Some(n) = note {
        paint(out, DIM, n);
    }
    if let Some(r) = reloc {
        paint(out, YELLOW, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_are_green_and_red_and_the_text_survives() {
        let text = "== passes\n--- before x\n+++ after x\n@@ -1 +1 @@\n-add p[0], 1\n+set p[0], 1\n loop {\n";
        let coloured = colorize(text);
        assert!(coloured.contains("\x1b[32m+set p[0], 1\x1b[0m"));
        assert!(coloured.contains("\x1b[31m-add p[0], 1\x1b[0m"));
        assert_eq!(strip(&coloured), text);
    }

    #[test]
    fn clif_locations_and_asm_offsets_are_dimmed() {
        let text = "@0012                               v4 = iconst.i64 1\n  0025  48 89 e5                 call rax  ; → bfjit_put\nset p[0], 1                  ; 1:1\n";
        let coloured = colorize(text);
        assert!(coloured.starts_with("\x1b[2m@0012\x1b[0m"));
        assert!(coloured.contains("\x1b[2m  0025  \x1b[0m48 89 e5"));
        assert!(coloured.contains("\x1b[33m  ; → bfjit_put\x1b[0m"));
        assert!(coloured.contains("\x1b[2m; 1:1\x1b[0m"));
        assert_eq!(strip(&coloured), text);
    }

    /// The text without escape sequences.
    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
