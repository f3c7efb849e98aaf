//! The examples in the docs are the tools' real output, so they cannot
//! drift: every fenced block a docs page marks is compared with what the
//! command or pass it names produces today.
//!
//! Markers are HTML comments (invisible once rendered) on the line before a
//! fenced block:
//! - `<!-- program: NAME.b -->`: the block is a program the page's commands
//!   use under that name (a corpus path such as `bench/mandelbrot.b` needs no
//!   block);
//! - `<!-- output of: [echo TEXT |] bfjit ARGS... -->`: the block is that
//!   command's stdout, or an excerpt of it: runs of lines separated by `…`
//!   lines, each found whole and in order;
//! - `<!-- slow output of: ... -->`: the same, checked only with
//!   `--ignored` (release builds);
//! - `<!-- example of: PASS -->`: a `BF:` / `before:` / `after:` block, the IR
//!   the pass receives in the `-O2` pipeline, where it first changes the
//!   program, and the IR it returns (`(× n)`: the line n times).
//!
//! After a change in what a view or pass prints, regenerate the block by
//! running the command in its marker.

mod common;

use common::bin;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::print::print;
use ir_passes::test_support::corpus::{corpus, repo_root};
use std::collections::HashMap;
use std::path::PathBuf;

/// The marked fenced blocks of a page: (marker kind, marker argument, block).
fn marked_blocks(page: &str) -> Vec<(String, String, String)> {
    let lines: Vec<&str> = page.lines().collect();
    let mut blocks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(marker) = line
            .trim()
            .strip_prefix("<!--")
            .and_then(|m| m.strip_suffix("-->"))
        else {
            continue;
        };
        let Some((kind, arg)) = marker.split_once(':') else {
            continue;
        };
        let fence = lines.get(i + 1).map(|l| l.trim_start());
        assert!(
            fence.is_some_and(|f| f.starts_with("```")),
            "marker {marker:?} is not followed by a fenced block"
        );
        let body: Vec<&str> = lines[i + 2..]
            .iter()
            .take_while(|l| !l.trim_start().starts_with("```"))
            .copied()
            .collect();
        blocks.push((
            kind.trim().to_string(),
            arg.trim().to_string(),
            body.join("\n"),
        ));
    }
    blocks
}

/// A docs page's text.
fn page(name: &str) -> String {
    std::fs::read_to_string(repo_root().join(name)).expect("read docs page")
}

/// Checks that `excerpt` (runs of lines separated by `…` lines) stands in
/// `output`, each run whole and in order. Trailing blanks do not count.
fn check_excerpt(output: &str, excerpt: &str) -> Result<(), String> {
    let out: Vec<&str> = output.lines().map(str::trim_end).collect();
    let mut from = 0;
    let lines: Vec<&str> = excerpt.lines().map(str::trim_end).collect();
    for run in lines.split(|l| l.trim() == "…") {
        if run.is_empty() {
            continue;
        }
        let at = (from..=out.len().saturating_sub(run.len()))
            .find(|&i| out[i..i + run.len()] == *run)
            .ok_or_else(|| format!("not in the output (after line {from}):\n{}", run.join("\n")))?;
        from = at + run.len();
    }
    Ok(())
}

/// Runs the marked commands of a page (the slow ones or the others) and
/// compares each with its block.
fn check_page_outputs(name: &str, slow: bool) {
    let text = page(name);
    let blocks = marked_blocks(&text);
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut programs: HashMap<String, PathBuf> = HashMap::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (kind, arg, block) in &blocks {
        if kind == "program" {
            let path = tmp.path().join(arg);
            std::fs::write(&path, format!("{block}\n")).expect("write program");
            programs.insert(arg.clone(), path);
            continue;
        }
        if kind != if slow { "slow output of" } else { "output of" } {
            continue;
        }
        let (input, command) = match arg.split_once(" | ") {
            Some((echo, command)) => {
                let text = echo.strip_prefix("echo ").expect("`echo TEXT | bfjit ...`");
                (format!("{text}\n"), command)
            }
            None => (String::new(), arg.as_str()),
        };
        let mut args = Vec::new();
        for word in command.split_whitespace().skip(1) {
            let path = if let Some(path) = programs.get(word) {
                Some(path.clone())
            } else if word.ends_with(".b") {
                let Some(dir) = corpus() else { continue };
                Some(dir.join(word))
            } else {
                None
            };
            args.push(path.map_or(word.to_string(), |p| p.display().to_string()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = bin::bfjit(&args, input.as_bytes());
        let stdout = String::from_utf8_lossy(&out.stdout);
        checked += 1;
        if !out.status.success() {
            failures.push(format!("{arg}: {}", String::from_utf8_lossy(&out.stderr)));
        } else if let Err(e) = check_excerpt(&stdout, block) {
            failures.push(format!("{name}, `{arg}`: {e}\nfull output:\n{stdout}"));
        }
    }
    assert!(slow || checked > 0, "{name} marks no command output");
    common::assert_no_failures(failures);
}

/// Writes `program` as the examples do: one op a line, a line repeated `n`
/// times as `line (× n)`.
fn example_lines(program: &Program) -> Vec<String> {
    let printed = print(program);
    let mut lines: Vec<(String, usize)> = Vec::new();
    for line in printed.lines() {
        match lines.last_mut() {
            Some((last, n)) if last == line => *n += 1,
            _ => lines.push((line.to_string(), 1)),
        }
    }
    lines
        .into_iter()
        .map(|(line, n)| {
            if n == 1 {
                line
            } else {
                format!("{line} (× {n})")
            }
        })
        .collect()
}

/// The lines of one section of an example block (`before:`, `after:`), as
/// [`example_lines`] writes them. Every line of a block has a 9-column
/// label area (`before:  `, `after:   ` or blanks).
fn section(block: &str, label: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in block.lines() {
        let (head, op) = (line.get(..9).unwrap_or(line), line.get(9..).unwrap_or(""));
        inside = head.starts_with(label) || (inside && head.trim().is_empty());
        if inside {
            lines.push(match op.split_once("(×") {
                Some((op, n)) => format!("{} (×{}", op.trim_end(), n.trim_end()),
                None => op.trim_end().to_string(),
            });
        }
    }
    lines
}

/// Checks one `BF:` / `before:` / `after:` example of `pass`.
fn check_example(pass: &str, block: &str) -> Result<(), String> {
    let bf = block
        .lines()
        .find_map(|l| l.strip_prefix("BF:"))
        .ok_or("no `BF:` line")?
        .trim();
    let program = parse("example.b", bf.as_bytes(), CellWidth::U8).map_err(|e| e.to_string())?;
    let optimized = Pipeline::level(2).run(program.clone(), true);
    let mut before = program;
    for snap in optimized.snapshots {
        let after = snap.program.expect("snapshots keep the program");
        if snap.pass == pass && snap.changed {
            let (want_before, want_after) = (section(block, "before:"), section(block, "after:"));
            let (got_before, got_after) = (example_lines(&before), example_lines(&after));
            if (&want_before, &want_after) != (&got_before, &got_after) {
                return Err(format!(
                    "BF: {bf}\nbefore:\n{}\nafter:\n{}",
                    got_before.join("\n"),
                    got_after.join("\n")
                ));
            }
            return Ok(());
        }
        before = after;
    }
    Err(format!("{pass} changes nothing in {bf}"))
}

#[test]
fn inspect_page_shows_real_output() {
    check_page_outputs("docs/inspect.md", false);
}

#[test]
#[ignore = "runs mandelbrot on the counting interpreter; release builds"]
fn inspect_page_shows_real_output_of_long_runs() {
    check_page_outputs("docs/inspect.md", true);
}

#[test]
fn optimization_examples_are_what_the_passes_do() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (kind, pass, block) in marked_blocks(&page("docs/optimizations.md")) {
        if kind == "example of" {
            checked += 1;
            if let Err(e) = check_example(&pass, &block) {
                failures.push(format!("docs/optimizations.md, {pass}: {e}"));
            }
        }
    }
    assert!(checked >= 10, "only {checked} examples marked");
    common::assert_no_failures(failures);
}

/// The example in `known_values`' doc comment, written like the docs page's.
#[test]
fn known_values_doc_comment_is_what_the_pass_does() {
    let file = std::fs::read_to_string(repo_root().join("ir-passes/src/passes/known_values.rs"))
        .expect("read known_values.rs");
    let doc: Vec<&str> = file
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("///"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = doc
        .iter()
        .position(|l| l.starts_with("BF:"))
        .expect("an example");
    let block = doc[start..]
        .iter()
        .take_while(|l| !l.starts_with("```"))
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    check_example("known_values", &block).unwrap();
}
