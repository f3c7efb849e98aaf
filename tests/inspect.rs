//! `bfjit inspect` and `bfjit run --count-ops`, through the binary: insta
//! snapshots pin every view on small programs (times left out with
//! `--no-times`), hand-derived counts check the profile, and every view must
//! work on every corpus program.

mod common;

use common::bin::{self, program_file};
use ir_passes::test_support::corpus::{b_files, corpus};
use std::path::{Path, PathBuf};

/// What a run of the binary gave.
struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `bfjit ARGS...` with `stdin` as its input.
fn bfjit(args: &[&str], stdin: &[u8]) -> Output {
    let out = bin::bfjit(args, stdin);
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes `text` as a program file in a fresh folder (kept alive by the
/// returned guard).
fn program(text: &str) -> (tempfile::TempDir, PathBuf) {
    program_file(text.as_bytes())
}

/// `bfjit inspect PROGRAM ARGS...`, which must succeed; its stdout.
fn inspect(text: &str, args: &[&str]) -> String {
    let (_dir, path) = program(text);
    let mut all = vec!["inspect", path.to_str().expect("utf-8 temp path")];
    all.extend_from_slice(args);
    let out = bfjit(&all, b"");
    assert_eq!(out.code, 0, "bfjit {all:?} failed: {}", out.stderr);
    out.stdout
        .replace(path.to_str().unwrap_or_default(), "[PROGRAM]")
}

const MOVE_LOOP: &str = "++[->+<]>.";

#[test]
fn passes_view_shows_the_ir_after_every_pass() {
    let out = inspect(MOVE_LOOP, &["--emit", "passes", "-O1", "--no-times"]);
    insta::assert_snapshot!("passes_o1", out);
}

#[test]
fn passes_view_diffs_what_each_pass_changed() {
    let out = inspect(MOVE_LOOP, &["--emit", "passes", "--diff", "--no-times"]);
    insta::assert_snapshot!("passes_diff_o2", out);
}

#[test]
fn one_pass_in_isolation_with_source_annotations() {
    let out = inspect(
        MOVE_LOOP,
        &[
            "--emit",
            "passes",
            "--passes",
            "mul_loops",
            "--diff",
            "--source",
            "--no-times",
        ],
    );
    insta::assert_snapshot!("passes_mul_loops_only", out);
}

#[test]
fn passes_view_shows_times_unless_told_not_to() {
    let out = inspect(MOVE_LOOP, &["--emit", "passes", "-O1"]);
    assert!(out.contains(" ms\n"), "{out}");
    let out = inspect(MOVE_LOOP, &["--emit", "passes", "-O1", "--no-times"]);
    assert!(!out.contains(" ms"), "{out}");
}

#[test]
fn ir_view_ties_ops_to_source_positions() {
    let text = "copy a cell:\n,[->+>+<<]\nrestore it: >>[-<<+>>]\n<<.\n";
    let out = inspect(text, &["--emit", "ir", "--source"]);
    insta::assert_snapshot!("ir_source", out);
    let out = inspect(text, &["--emit", "ir", "-O0"]);
    insta::assert_snapshot!("ir_o0", out);
}

#[test]
fn stats_view_counts_op_kinds_per_pass() {
    let out = inspect("+++[>+++[>++<-]<-]>>[-]>,[.,]", &["--emit", "stats"]);
    insta::assert_snapshot!("stats", out);
}

#[test]
fn clif_view_shows_cranelift_ir_before_and_after_optimization() {
    insta::assert_snapshot!(
        "clif_simple",
        inspect("+.", &["--emit", "clif", "--tier", "simple"])
    );
    insta::assert_snapshot!("clif_opt", inspect(MOVE_LOOP, &["--emit", "clif", "-O1"]));
}

#[test]
fn asm_view_disassembles_the_machine_code() {
    insta::assert_snapshot!(
        "asm_simple",
        inspect("+.", &["--emit", "asm", "--tier", "simple"])
    );
    insta::assert_snapshot!("asm_opt", inspect(MOVE_LOOP, &["--emit", "asm", "-O1"]));
}

#[test]
fn asm_view_names_the_shims_it_calls() {
    let out = inspect(",.", &["--emit", "asm"]);
    assert!(out.contains("; → bfjit_get"), "{out}");
    assert!(out.contains("; → bfjit_put"), "{out}");
    assert!(!out.contains("(bad)"), "undecodable bytes:\n{out}");
}

#[test]
fn c_view_is_the_c_translation_of_the_final_ir() {
    // Pinned against the emitter itself rather than a snapshot: the C text
    // belongs to `emit_c`, whose own tests cover it.
    let (_dir, path) = program(MOVE_LOOP);
    let name = path.to_str().expect("utf-8 temp path");
    let out = bfjit(&["inspect", name, "--emit", "c"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let parsed =
        ir_passes::parse::parse(name, MOVE_LOOP.as_bytes(), Default::default()).expect("parses");
    let program = ir_passes::pipeline::Pipeline::level(2)
        .run(parsed, false)
        .program;
    let out = out.stdout;
    assert_eq!(
        out,
        format!("/* == c */\n{}", bfjit::emit_c::emit_c(&program))
    );
}

#[test]
fn several_views_print_in_the_order_asked() {
    let out = inspect(MOVE_LOOP, &["--emit", "stats,ir", "--no-times"]);
    let stats = out.find("== stats").expect("stats view");
    let ir = out.find("== ir").expect("ir view");
    assert!(stats < ir, "{out}");
}

/// Outer loop: 2 iterations; inner loop: entered twice, 3 iterations each.
const NESTED: &str = "++[>+++[>++<-]<-]>>.";

#[test]
fn profile_counts_loop_iterations() {
    let (_dir, path) = program(NESTED);
    let path = path.to_str().expect("utf-8 path");
    let args = [
        "inspect",
        path,
        "--emit",
        "ir",
        "-O0",
        "--profile",
        "--format",
        "json",
    ];
    let out = bfjit(&args, b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    let hottest = json["profile"]["hottest"].as_array().expect("loops listed");
    let by_col = |col: u64| {
        hottest
            .iter()
            .find(|l| l["at"]["col"] == col)
            .unwrap_or_else(|| panic!("loop at column {col} in {hottest:?}"))
    };
    let (outer, inner) = (by_col(3), by_col(8));
    assert_eq!(
        (outer["entries"].as_u64(), outer["iterations"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (inner["entries"].as_u64(), inner["iterations"].as_u64()),
        (Some(2), Some(6))
    );
    // The inner loop's instructions are part of the outer loop's total.
    assert!(outer["ops"].as_u64() > inner["ops"].as_u64());
    assert_eq!(
        outer["self_ops"].as_u64().unwrap() + inner["ops"].as_u64().unwrap(),
        outer["ops"].as_u64().unwrap()
    );
    let text = inspect(NESTED, &["--emit", "stats", "-O0", "--profile"]);
    insta::assert_snapshot!("profile", text);
}

#[test]
fn profile_discards_program_output_unless_asked() {
    let (dir, path) = program("++++++++[>++++++++<-]>+.");
    let path = path.to_str().expect("utf-8 path");
    let out = bfjit(&["inspect", path, "--profile"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains('A'), "{}", out.stdout);
    let file = dir.path().join("out.txt");
    let file = file.to_str().expect("utf-8 path");
    let out = bfjit(
        &["inspect", path, "--profile", "--program-output", file],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read(file).expect("output written"), b"A");
}

#[test]
fn profile_reports_a_run_that_leaves_the_tape() {
    let text = inspect("+[<]", &["--emit", "stats", "--profile"]);
    assert!(text.contains("pointer moved off the tape"), "{text}");
}

#[test]
fn json_carries_the_same_data() {
    let out = inspect(
        "+[-]>,.",
        &[
            "--emit",
            "ir,passes,stats",
            "--format",
            "json",
            "--no-times",
            "-O1",
        ],
    );
    insta::assert_snapshot!("json", out);
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        json["ops_final"],
        json["ir"]["lines"].as_array().map_or(0, Vec::len)
    );
    assert!(json["passes"]["steps"][0]["time_ms"].is_null());
    assert_eq!(json["schema"], "bfjit-inspect/1");
}

#[test]
fn colour_follows_color_and_no_color() {
    let (_dir, path) = program(MOVE_LOOP);
    let path = path.to_str().expect("utf-8 temp path");
    let run = |extra: &[&str], no_color: Option<&str>| {
        let mut cmd = bin::command();
        cmd.args(["inspect", path, "--emit", "passes", "--diff", "--no-times"]);
        cmd.args(extra);
        cmd.env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().expect("bfjit runs");
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // Not a terminal: `auto` is plain.
    let plain = run(&[], None);
    assert!(!plain.contains('\x1b'));
    let always = run(&["--color", "always"], Some("1"));
    assert!(always.contains("\x1b[32m+"), "added lines green: {always}");
    assert!(always.contains("\x1b[31m-"), "removed lines red: {always}");
    assert_eq!(run(&["--color", "never"], None), plain);
    // Colour changes nothing but the escapes.
    let mut stripped = String::new();
    let mut in_escape = false;
    for c in always.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (false, c) => stripped.push(c),
            _ => {}
        }
    }
    assert_eq!(stripped, plain);
    let json = run(&["--color", "always", "--format", "json"], None);
    assert!(!json.contains('\x1b'), "JSON is never coloured");
}

#[test]
fn json_of_native_views_parses() {
    let out = inspect(MOVE_LOOP, &["--emit", "clif,asm", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert!(json["clif"]["functions"][0]["after"]
        .as_str()
        .is_some_and(|s| s.contains("function")));
    assert!(json["asm"]["functions"][0]["bytes"]
        .as_u64()
        .is_some_and(|n| n > 0));
}

#[test]
fn usage_errors_and_malformed_programs() {
    let (_dir, path) = program(MOVE_LOOP);
    let path = path.to_str().expect("utf-8 path");
    let out = bfjit(&["inspect", path, "--emit", "asm", "--tier", "interp"], b"");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("interp tier makes no machine code"),
        "{}",
        out.stderr
    );
    let out = bfjit(&["inspect", path, "--passes", "nonsense"], b"");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("unknown pass"), "{}", out.stderr);
    let out = bfjit(&["inspect", path, "--emit", "bogus"], b"");
    assert_eq!(out.code, 1);
    let (_dir2, bad) = program("+[");
    let out = bfjit(&["inspect", bad.to_str().expect("utf-8 path")], b"");
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn count_ops_counts_interpreter_instructions() {
    // Counted by hand from the bytecode at -O0: `+++.` is three adds and an
    // output, with no guard (nothing moves); `+++[-]` is three adds, the
    // loop's entry test, then three times the body's add and the back-edge
    // test: 3 + 1 + 3 * 2.
    for (text, want) in [("+++.", 4), ("+++[-]", 10)] {
        let (_dir, path) = program(text);
        let path = path.to_str().expect("utf-8 path");
        let out = bfjit(
            &["run", "--tier", "interp", "-O0", "--count-ops", path],
            b"",
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stderr.contains(&format!("executed ops: {want} ")),
            "{text}: {}",
            out.stderr
        );
    }
    let (_dir, path) = program("+++.");
    let path = path.to_str().expect("utf-8 path");
    let out = bfjit(&["run", "--tier", "opt", "--count-ops", path], b"");
    assert_eq!(out.code, 1, "{}", out.stderr);
}

/// Programs over this size are checked on the opt tier only: translating
/// them op by op for the simple tier takes long in a debug build.
const SIMPLE_TIER_LIMIT: u64 = 100_000;

#[test]
fn every_view_works_on_every_corpus_program() {
    let Some(corpus) = corpus() else { return };
    let mut checked = 0;
    for folder in ["bench", "conformance", "errors", "large"] {
        for file in b_files(&corpus.join(folder)) {
            check_corpus_program(&file);
            checked += 1;
        }
    }
    assert!(checked > 0, "the corpus has no programs");
}

fn check_corpus_program(file: &Path) {
    let path = file.to_str().expect("utf-8 corpus path");
    let size = std::fs::metadata(file).map_or(0, |m| m.len());
    let tiers: &[&str] = if size <= SIMPLE_TIER_LIMIT {
        &["opt", "simple"]
    } else {
        &["opt"]
    };
    for tier in tiers {
        let args = [
            "inspect",
            path,
            "--tier",
            tier,
            "--emit",
            "passes,ir,clif,asm,stats,c",
            "--diff",
        ];
        let out = bfjit(&args, b"");
        if out.code == 2 {
            // A malformed program: the error names a position, as for `run`.
            assert!(out.stderr.contains(path), "{path}: {}", out.stderr);
            return;
        }
        assert_eq!(out.code, 0, "{path} --tier {tier}: {}", out.stderr);
        for heading in [
            "== passes",
            "== ir",
            "== clif",
            "== asm",
            "== stats",
            "== c",
        ] {
            assert!(out.stdout.contains(heading), "{path}: no {heading}");
        }
    }
}

/// `bfjit inspect ARGS...` with `BFJIT_CODEGEN_THREADS` set; its stdout.
fn inspect_on_threads(path: &Path, args: &[&str], threads: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bfjit"))
        .arg("inspect")
        .arg(path)
        .args(args)
        .env("BFJIT_CODEGEN_THREADS", threads)
        .output()
        .expect("run bfjit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A program of many loops, big enough to become several functions.
fn many_loops() -> String {
    (0..300)
        .map(|i| format!("+[>{}.<-]>", "+>-<.".repeat(10 + i % 7)))
        .collect()
}

#[test]
fn codegen_view_times_every_step_of_the_compile_asm_shows() {
    let (_dir, path) = program(&many_loops());
    let asm = inspect_on_threads(&path, &["--emit", "asm"], "1");
    // `== asm: opt tier, N functions, B bytes, ...`
    let head: Vec<&str> = asm.lines().next().unwrap().split(", ").collect();
    let functions = head[1].trim_end_matches(" functions");
    let bytes = head[2].trim_end_matches(" bytes");
    assert!(functions.parse::<usize>().unwrap() > 2, "{}", head[1]);
    for threads in ["1", "2"] {
        let text = inspect_on_threads(&path, &["--emit", "codegen"], threads);
        let want = format!(
            "== codegen: {functions} function(s), {bytes} bytes of code, {threads} thread(s)"
        );
        assert!(text.starts_with(&want), "{want}\n{text}");
        for step in [
            "translation",
            "Register allocation",
            "finalization",
            "wall time",
        ] {
            assert!(text.contains(step), "no {step}:\n{text}");
        }
        // The same code whatever the threads.
        assert_eq!(inspect_on_threads(&path, &["--emit", "asm"], threads), asm);
    }
    let quiet = inspect_on_threads(&path, &["--emit", "codegen", "--no-times"], "2");
    assert!(!quiet.contains("wall time"), "{quiet}");
    let json = inspect_on_threads(&path, &["--emit", "codegen", "--format", "json"], "2");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let steps = v["codegen"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["cranelift"] == true), "{json}");
    let out = bfjit(
        &[
            "inspect",
            path.to_str().unwrap(),
            "--emit",
            "codegen",
            "--tier",
            "interp",
        ],
        b"",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
}
