//! Warnings (issue 20): each one with a program that has it and one that
//! does not, through `bfjit check`; `-W` levels; and `bfjit run` showing
//! them before the program's output.

mod common;

use common::cli as support;

/// The warning names `bfjit check -W all` reports for a program, in order,
/// after checking it parses (exit 0).
fn warnings(program: &str) -> Vec<String> {
    let out = support::bfjit(
        &["check", "-W", "all", "--color", "never", "-e", program],
        b"",
    );
    assert_eq!(out.code, 0, "{program}: {}", out.stderr);
    out.stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning["))
        .map(|l| l.split(']').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn unreachable_loop() {
    assert_eq!(warnings("+[-][.]"), ["unreachable-loop"]);
    assert_eq!(warnings("+[>+<-]>[<]"), Vec::<String>::new());
}

#[test]
fn redundant_clear() {
    assert_eq!(warnings("+[>][-]"), ["redundant-clear"]);
    assert_eq!(warnings("+[>]+[-]"), Vec::<String>::new());
}

#[test]
fn comment_blocks_show_only_with_w_all() {
    let program = "+[-][a comment: the loop is never entered]";
    assert_eq!(warnings(program), ["unreachable-loop"]);
    let out = support::bfjit(&["check", "-e", program], b"");
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

#[test]
fn start_loop() {
    assert_eq!(warnings("[a comment, with . and ,]+."), ["start-loop"]);
    assert_eq!(warnings("+[-]"), Vec::<String>::new());
}

#[test]
fn endless_loop() {
    assert_eq!(warnings("+[]"), ["endless-loop"]);
    assert_eq!(warnings("+[+-]"), ["endless-loop"]);
    assert_eq!(warnings("+[>+<]"), ["endless-loop"]);
    assert_eq!(warnings("+[>+<-]"), Vec::<String>::new());
}

#[test]
fn left_of_start() {
    assert_eq!(warnings("+<"), ["left-of-start"]);
    assert_eq!(warnings("+><"), Vec::<String>::new());
}

#[test]
fn round_cap_is_not_reported_when_o2_reaches_a_fixed_point() {
    // No real program is known to hit the cap, so the case that has the
    // warning is a unit test of `ir_passes::lint::round_cap`.
    assert_eq!(
        warnings("++[->+>+<<]>[-<+>]<[>>+<<-]"),
        Vec::<String>::new()
    );
}

#[test]
fn warning_levels() {
    let program = "[comment]+[]";
    let names = |level: &str| {
        let out = support::bfjit(&["check", "-W", level, "-e", program], b"");
        assert_eq!(out.code, 0);
        out.stderr.matches("warning[").count()
    };
    assert_eq!((names("none"), names("default"), names("all")), (0, 1, 2));
}

#[test]
fn check_exits_2_for_a_malformed_program_and_0_otherwise() {
    let out = support::bfjit(&["check", "-e", "+[]]"], b"");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unmatched ']'"), "{}", out.stderr);
    // Warnings do not fail the check, and nothing runs.
    let out = support::bfjit(&["check", "-e", "+[.]"], b"");
    assert_eq!((out.code, out.stdout.len()), (0, 0));
}

#[test]
fn run_shows_warnings_before_the_programs_output() {
    let (_, out) = support::shell(r#""$BFJIT" run --color never -e '+.<' 2>&1"#);
    let warning = out.find("warning[left-of-start]").expect("a warning");
    let output = out.find('\u{1}').expect("the program's output");
    assert!(warning < output, "{out:?}");
}

#[test]
fn every_warning_rendered() {
    let program = "[comment]+[-][.]+[+-]\n<";
    let out = support::bfjit(
        &["check", "-W", "all", "--color", "never", "-e", program],
        b"",
    );
    insta::assert_snapshot!("all_warnings", out.stderr);
}
