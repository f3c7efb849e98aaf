//! How errors look (issue 20): insta snapshots of every kind of diagnostic,
//! plain and coloured, long and hostile source lines, and when colour is
//! used (`--color`, a terminal, `NO_COLOR`).

mod common;

use common::cli as support;

use std::process::{Command, Stdio};

/// The stderr of `bfjit ARGS...`, which must exit with `code`.
fn stderr(args: &[&str], stdin: &[u8], code: i32) -> String {
    let out = support::bfjit(args, stdin);
    assert_eq!(out.code, code, "{args:?}: {}", out.stderr);
    out.stderr
}

/// The plain and the coloured rendering of the same diagnostic.
fn both(args: &[&str], code: i32) -> (String, String) {
    let plain = [args, &["--color", "never"]].concat();
    let color = [args, &["--color", "always"]].concat();
    (stderr(&plain, b"", code), stderr(&color, b"", code))
}

#[test]
fn an_unmatched_close_bracket_shows_the_loop_before_it() {
    let (plain, color) = both(&["run", "-e", "+[[-]>]+]"], 2);
    insta::assert_snapshot!("unmatched_close", plain);
    insta::assert_snapshot!("unmatched_close_color", color);
    // Lines far apart are shown with a break between them.
    let text = "+[-]\n.\n.\n.\n.\n ]";
    insta::assert_snapshot!(
        "unmatched_close_lines_apart",
        stderr(&["run", "-"], text.as_bytes(), 2)
    );
    // With no loop before it, there is nothing else to show.
    insta::assert_snapshot!(
        "unmatched_close_alone",
        stderr(&["run", "-e", "+]"], b"", 2)
    );
}

#[test]
fn an_unclosed_open_bracket_shows_where_the_program_ends() {
    let (plain, color) = both(&["run", "-e", "+[[-]", "-e", "[>+<"], 2);
    insta::assert_snapshot!("unclosed_open", plain);
    insta::assert_snapshot!("unclosed_open_color", color);
}

#[test]
fn leaving_the_tape_names_the_cell_and_the_tape_size() {
    let args = ["run", "--tier", "interp", "-W", "none", "-e", "+++[<]"];
    let (plain, color) = both(&args, 3);
    insta::assert_snapshot!("off_tape_left", plain);
    insta::assert_snapshot!("off_tape_left_color", color);
    let args = ["run", "--tier", "interp", "--tape-size", "8", "-e", "+[>+]"];
    insta::assert_snapshot!("off_tape_right", stderr(&args, b"", 3));
}

#[test]
fn a_timeout_says_how_to_raise_it() {
    let args = ["run", "-W", "none", "--timeout", "0.2", "-e", "+[]"];
    insta::assert_snapshot!("timeout", stderr(&args, b"", 4));
}

#[test]
fn a_read_error_is_one_line() {
    insta::assert_snapshot!("missing_file", stderr(&["run", "/no/such/prog.b"], b"", 1));
}

#[test]
fn long_lines_are_cut_around_the_error() {
    // A 20,000-byte line with the stray `]` in the middle.
    let half = "+-".repeat(5000);
    let text = format!("{half}]{half}");
    let out = stderr(&["run", "-"], text.as_bytes(), 2);
    assert!(out.len() < 1000, "{} bytes", out.len());
    insta::assert_snapshot!("long_line", out);
}

#[test]
fn unprintable_bytes_are_shown_as_question_marks() {
    // An escape sequence, a NUL, invalid UTF-8 and a multi-byte character
    // before the error: columns still count characters.
    let text = b"\x1bc\x00\xff\xfe \xc3\xa9 ]";
    let out = stderr(&["run", "-"], text, 2);
    assert!(!out.contains('\x1b'), "{out:?}");
    insta::assert_snapshot!("unprintable", out);
}

/// Runs `bfjit ARGS` under a pseudo-terminal with `NO_COLOR` set or not;
/// whether its output had colour escapes.
fn colored_on_a_terminal(args: &str, no_color: bool) -> bool {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_bfjit"));
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().expect("run script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unmatched"), "{text}");
    text.contains('\x1b')
}

#[test]
fn colour_only_on_a_terminal_unless_asked() {
    // Piped: plain unless --color always.
    assert!(!stderr(&["run", "-e", "]"], b"", 2).contains('\x1b'));
    assert!(stderr(&["run", "-e", "]", "--color", "always"], b"", 2).contains('\x1b'));
    if !support::have_script() {
        eprintln!("skipped the terminal cases: util-linux `script` is not installed");
        return;
    }
    assert!(colored_on_a_terminal("run -e ]", false));
    assert!(!colored_on_a_terminal("run -e ]", true));
    assert!(!colored_on_a_terminal("run -e ] --color never", false));
    assert!(colored_on_a_terminal("run -e ] --color always", true));
}

#[test]
fn an_internal_error_asks_for_a_report() {
    use bfjit::diagnostics::{internal_error, Style};
    let text = internal_error("the code generator failed").render("", b"", Style::Plain);
    insta::assert_snapshot!("internal", String::from_utf8_lossy(&text));
}
