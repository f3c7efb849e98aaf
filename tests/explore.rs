//! `bfjit explore`: the page's contract (self-contained, schema, errors,
//! big programs cut to size) and, in headless Chromium, what a user sees
//! after real mouse events: every pass listed, a selected pass showing the
//! IR `inspect` prints for it, pointing at source lighting up every panel,
//! and no console errors. Screenshots go to `target/explore-screenshots/`
//! (and to `docs/images/` with `BFJIT_UPDATE_DOCS=1`).
//!
//! Without Chromium the browser tests say so and pass, unless
//! `BFJIT_REQUIRE_CHROMIUM=1` (set by `.ci/run` once it has installed it).

#[path = "explore/cdp.rs"]
mod cdp;
mod common;

use cdp::{find_chromium, Browser};
use ir_passes::test_support::corpus;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

fn bfjit(args: &[&str]) -> Output {
    common::bin::command()
        .args(args)
        .output()
        .expect("bfjit runs")
}

/// Writes the page for `program` into `dir` and returns its path.
fn explore(program: &Path, dir: &Path, extra: &[&str]) -> PathBuf {
    let page = dir.join("page.html");
    let mut args = vec![
        "explore",
        program.to_str().expect("utf-8 path"),
        "-o",
        page.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    let out = bfjit(&args);
    assert!(
        out.status.success(),
        "bfjit explore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    page
}

/// The page's data, as the page's script reads it.
fn page_data(page: &Path) -> Value {
    let html = std::fs::read_to_string(page).expect("page written");
    let start = html.find("id=\"data\">").expect("data element") + 10;
    let end = start + html[start..].find("</script>").expect("data ends");
    serde_json::from_str(&html[start..end].replace("<\\/", "</")).expect("data is JSON")
}

/// `bfjit inspect --emit passes` as JSON: the independent account of what
/// every pass left.
fn inspect_passes(program: &Path) -> Value {
    let out = bfjit(&[
        "inspect",
        program.to_str().expect("utf-8 path"),
        "--emit",
        "passes",
        "--no-times",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("inspect JSON")
}

fn small_program() -> PathBuf {
    corpus::repo_root().join("bf-programs/nested.b")
}

#[test]
fn the_page_is_self_contained_and_names_its_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = explore(&small_program(), dir.path(), &[]);
    let html = std::fs::read_to_string(&page).expect("page written");
    for outside in [
        "<script src",
        "<link",
        "src=\"",
        "href=\"",
        "@import",
        "url(http",
    ] {
        assert!(
            !html.contains(outside),
            "the page refers outside itself: {outside}"
        );
    }
    let data = page_data(&page);
    assert_eq!(data["schema"], "bfjit-explore/1");
    let tiers: Vec<&str> = data["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .map(|t| t["tier"].as_str().expect("tier name"))
        .collect();
    assert_eq!(tiers, ["simple", "opt"]);
    assert_eq!(
        data["tiered"]["available"], false,
        "no tiered execution yet"
    );
}

#[test]
fn the_profile_reads_its_input_from_the_input_option() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = corpus::repo_root().join("bf-programs/reverse.b");
    let input = dir.path().join("in.txt");
    // `>,[>,]<[.<]`: the first loop runs once per input byte.
    std::fs::write(&input, b"abcdefghij").expect("input written");
    let page = explore(
        &program,
        dir.path(),
        &["--input", input.to_str().expect("path")],
    );
    let data = page_data(&page);
    let iterations: Vec<u64> = data["heat"]["loops"]
        .as_array()
        .expect("loops")
        .iter()
        .map(|l| l["iterations"].as_u64().expect("count"))
        .collect();
    assert!(iterations.contains(&10), "{iterations:?}");
    assert_eq!(data["heat"]["outcome"], "finished");
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = bfjit(&["explore", "/nonexistent/x.b", "-o", "/tmp/never.html"]);
    assert_eq!(missing.status.code(), Some(1));
    let unmatched = dir.path().join("bad.b");
    std::fs::write(&unmatched, "+[").expect("written");
    let out = bfjit(&["explore", unmatched.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1:2"));
    let unwritable = bfjit(&[
        "explore",
        small_program().to_str().expect("path"),
        "-o",
        "/nonexistent/dir/page.html",
    ]);
    assert_eq!(unwritable.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("cannot write"));
    for out in [missing, unwritable] {
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

/// lostkingdom (2 MB of source): the page is made, with its heavy views cut
/// and saying so. Slow in debug builds; CI runs it in release.
#[test]
#[ignore]
fn a_huge_program_gets_a_cut_page_that_says_so() {
    let Some(corpus) = corpus::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let input = corpus.join("large/lostkingdom.in");
    let input = input.to_str().expect("utf-8 path");
    let page = explore(
        &corpus.join("large/lostkingdom.b"),
        dir.path(),
        &["--input", input],
    );
    let data = page_data(&page);
    let notes = data["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap_or("").contains("cut")),
        "{notes:?}"
    );
    let size = std::fs::metadata(&page).expect("page").len();
    eprintln!("lostkingdom page: {size} bytes");
    let Some(mut b) = browser() else {
        return;
    };
    let ready_ms = open(&mut b, &page);
    eprintln!("lostkingdom: page drawn {ready_ms} ms after navigation started");
    assert!(
        count(&mut b, "#notes .note") > 0,
        "the cuts are said on the page"
    );
    let errors = b.errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

// ---- In the browser.

/// Starts Chromium, or explains why the test cannot run.
fn browser() -> Option<Browser> {
    let required = std::env::var_os("BFJIT_REQUIRE_CHROMIUM").is_some_and(|v| v == "1");
    let Some(chromium) = find_chromium() else {
        assert!(
            !required,
            "BFJIT_REQUIRE_CHROMIUM=1 but no Chromium found (install Debian's `chromium` or set BFJIT_CHROMIUM)"
        );
        eprintln!(
            "SKIPPED browser test: no Chromium on the PATH (apt-get install chromium, or set BFJIT_CHROMIUM)"
        );
        return None;
    };
    match Browser::launch(&chromium, 1600, 1000) {
        Ok(b) => Some(b),
        Err(e) if !required => {
            eprintln!("SKIPPED browser test: Chromium would not start: {e}");
            None
        }
        Err(e) => panic!("Chromium would not start: {e}"),
    }
}

/// Opens a page and waits until its script has drawn every panel.
fn open(b: &mut Browser, page: &Path) -> u64 {
    let url = format!("file://{}", page.display());
    b.navigate(&url).expect("navigates");
    b.wait_for(
        "document.body.dataset.ready === '1'",
        Duration::from_secs(60),
    )
    .expect("the page draws");
    b.eval("+document.body.dataset.readyMs")
        .expect("ready time")
        .as_f64()
        .unwrap_or(0.0) as u64
}

fn count(b: &mut Browser, selector: &str) -> u64 {
    b.eval(&format!("document.querySelectorAll({selector:?}).length"))
        .expect("count")
        .as_u64()
        .expect("a number")
}

/// The centre of the first element matching `selector`, scrolled into view.
fn centre(b: &mut Browser, selector: &str) -> (f64, f64) {
    let js = format!(
        "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect(); return [r.x + Math.min(r.width / 2, 40), r.y + r.height / 2]; }})()"
    );
    let v = b.eval(&js).expect("element exists");
    (v[0].as_f64().expect("x"), v[1].as_f64().expect("y"))
}

/// Screen position of the source character at byte `byte`, scrolled into
/// view in the source panel (lines are long: horizontally too), and its line.
fn source_char(b: &mut Browser, byte: u64) -> (f64, f64, u64) {
    let js = format!(
        "(() => {{ const src = JSON.parse(document.getElementById('data').textContent).source;
            const before = src.slice(0, {byte}); const line = before.split('\\n').length - 1;
            const col = before.length - before.lastIndexOf('\\n') - 1;
            const box = document.getElementById('source');
            const row = box.querySelector('.ln[data-i=\"' + line + '\"]');
            row.scrollIntoView({{block: 'center'}});
            const t = row.lastChild.firstChild; const r = document.createRange();
            r.setStart(t, col); r.setEnd(t, col + 1);
            const outer = box.getBoundingClientRect();
            box.scrollLeft += r.getBoundingClientRect().x - outer.x - outer.width / 2;
            const c = r.getBoundingClientRect(); const x = c.x + c.width / 2, y = c.y + c.height / 2;
            const hit = document.elementFromPoint(x, y);
            return [x, y, line, box.contains(hit) && hit.closest('.ln') === row,
                    [hit && hit.outerHTML.slice(0, 80), outer.x, outer.width, box.scrollLeft, box.scrollWidth]]; }})()"
    );
    let v = b.eval(&js).expect("source character");
    assert_eq!(
        v[3], true,
        "the character is visible in the source panel: {}",
        v[4]
    );
    (
        v[0].as_f64().expect("x"),
        v[1].as_f64().expect("y"),
        v[2].as_u64().expect("line"),
    )
}

fn texts(b: &mut Browser, selector: &str) -> Vec<String> {
    let js = format!(
        "[...document.querySelectorAll({selector:?})].map(e => {{ const c = e.cloneNode(true);
            c.querySelectorAll('.g, .dim').forEach(x => x.remove()); return c.textContent; }})"
    );
    b.eval(&js)
        .expect("texts")
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect()
}

fn save_screenshot(b: &mut Browser, name: &str) {
    let png = b.screenshot().expect("screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let dir = corpus::repo_root().join("target/explore-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), &png).expect("screenshot written");
    let update = std::env::var_os("BFJIT_UPDATE_DOCS").is_some_and(|v| v == "1");
    if update && name.starts_with("mandelbrot") {
        let docs = corpus::repo_root().join("docs/images");
        std::fs::create_dir_all(&docs).expect("docs/images");
        std::fs::write(docs.join(format!("explore-{name}.png")), &png)
            .expect("docs screenshot written");
    }
}

/// The interactions every page must survive, checked against `inspect`.
fn exercise(b: &mut Browser, program: &Path, page: &Path, name: &str) {
    let ready_ms = open(b, page);
    eprintln!("{name}: page drawn {ready_ms} ms after navigation started");
    let data = page_data(page);
    let passes = inspect_passes(program);
    let steps = passes["passes"]["steps"].as_array().expect("steps");

    // Every pass run is listed, after the parsed program.
    assert_eq!(count(b, "#passes li.pass"), steps.len() as u64 + 1);
    let names = texts(b, "#passes li.pass span:first-child");
    for (k, s) in steps.iter().enumerate() {
        let want = format!("{} ·{}", s["pass"].as_str().expect("name"), s["round"]);
        assert_eq!(names[k + 1], want);
    }
    save_screenshot(b, &format!("{name}-overview"));

    // Selecting a pass that changed something shows the IR inspect prints
    // after it.
    let k = steps
        .iter()
        .position(|s| s["changed"] == true)
        .expect("some pass changes the program");
    let (x, y) = centre(b, &format!("#passes li[data-i=\"{k}\"]"));
    b.click(x, y).expect("click");
    assert_eq!(count(b, &format!("#passes li.on[data-i=\"{k}\"]")), 1);
    let shown = texts(b, "#ir .ln").join("\n") + "\n";
    assert_eq!(shown, steps[k]["ir"].as_str().expect("IR after the pass"));
    // Its diff marks lines added and removed.
    let (x, y) = centre(b, "#ir-mode button[data-mode=\"diff\"]");
    b.click(x, y).expect("click");
    assert!(count(b, "#ir .ln.add") + count(b, "#ir .ln.del") > 0);
    let (x, y) = centre(b, "#ir-mode button[data-mode=\"after\"]");
    b.click(x, y).expect("click");
    let last = steps.len() - 1;
    let (x, y) = centre(b, &format!("#passes li[data-i=\"{last}\"]"));
    b.click(x, y).expect("click");

    // Pointing at a command of the hottest loop's body lights up its op in
    // the IR, its CLIF and its machine code.
    let hottest = &data["heat"]["loops"][0];
    let start = hottest["start"].as_u64().expect("loop start");
    let byte = (start + 1..hottest["end"].as_u64().expect("end"))
        .find(|&i| {
            b"+-<>".contains(&data["source"].as_str().expect("source").as_bytes()[i as usize])
        })
        .expect("the loop has a body");
    let (x, y, line) = source_char(b, byte);
    b.mouse_move(x, y).expect("hover");
    let marked_row = format!("#source .ln[data-i=\"{line}\"] mark");
    assert!(count(b, &marked_row) > 0, "the pointed-at source is marked");
    for panel in ["#ir", "#clif", "#asm"] {
        assert!(
            count(b, &format!("{panel} .hl")) > 0,
            "nothing lit in {panel}"
        );
    }
    // All machine code lit comes from one op: one source position.
    let mut positions = texts_of_gutters(b, "#asm .hl");
    positions.dedup();
    assert_eq!(positions.len(), 1, "{positions:?}");
    // ... and it is the op lit in the final IR (the last pass is selected).
    let ir_note = b
        .eval("document.querySelector('#ir .hl .dim').textContent")
        .expect("the lit IR line has a position");
    assert_eq!(
        ir_note
            .as_str()
            .map(|n| n.trim_start_matches([' ', ';']).trim()),
        Some(positions[0].as_str())
    );
    // A click pins the same highlight and scrolls every panel to it.
    b.click(x, y).expect("click");
    for panel in ["#ir", "#clif", "#asm"] {
        assert!(
            count(b, &format!("{panel} .hl")) > 0,
            "nothing lit in {panel} after a click"
        );
    }
    save_screenshot(b, &format!("{name}-source-linked"));
    // The simple tier's code links the same way, through the parsed program.
    let (tx, ty) = centre(b, "#tier-tabs button:first-child");
    b.click(tx, ty).expect("click");
    assert_eq!(
        b.eval("document.querySelector('#tier-tabs button.on').textContent")
            .expect("tab"),
        "simple"
    );
    let (x, y, _) = source_char(b, byte);
    b.mouse_move(x, y).expect("hover");
    for panel in ["#clif", "#asm"] {
        assert!(
            count(b, &format!("{panel} .hl")) > 0,
            "nothing lit in the simple tier's {panel}"
        );
    }
    let (tx, ty) = centre(b, "#tier-tabs button:last-child");
    b.click(tx, ty).expect("click");

    // Pointing at a machine instruction marks the source of its op.
    b.mouse_move(5.0, 5.0).expect("away");
    let line = b
        .eval("[...document.querySelectorAll('#asm .ln')].find(e => e.querySelector('.g').textContent !== '').dataset.i")
        .expect("an instruction with a source position");
    let selector = format!("#asm .ln[data-i=\"{}\"]", line.as_str().expect("index"));
    let (x, y) = centre(b, &selector);
    b.mouse_move(x, y).expect("hover");
    let marked = b
        .eval("[...document.querySelectorAll('#source mark')].map(m => m.textContent).join('')")
        .expect("marks");
    let marked = marked.as_str().unwrap_or("");
    assert!(
        marked.chars().any(|c| "+-<>.,[]".contains(c)),
        "no source command marked: {marked:?}"
    );
    assert!(count(b, "#ir .hl") > 0, "its op is lit in the IR");

    // A hot loop's control-flow graph.
    if count(b, "#loops tr[data-start]") > 0 {
        let (x, y) = centre(b, "#loops tr[data-start]");
        b.click(x, y).expect("click");
        assert!(
            count(b, "#cfg svg g.hl") > 0,
            "the loop's blocks are drawn and lit"
        );
        save_screenshot(b, &format!("{name}-loop"));
    }
    let tiered = b
        .eval("document.getElementById('tiered').textContent")
        .expect("text");
    assert!(tiered
        .as_str()
        .unwrap_or("")
        .contains("no tiered execution"));
    let errors = b.errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

fn texts_of_gutters(b: &mut Browser, selector: &str) -> Vec<String> {
    b.eval(&format!(
        "[...document.querySelectorAll({selector:?})].map(e => e.querySelector('.g').textContent)"
    ))
    .expect("gutters")
    .as_array()
    .expect("array")
    .iter()
    .map(|v| v.as_str().unwrap_or("").to_string())
    .collect()
}

#[test]
fn a_small_programs_page_works_in_chromium() {
    let Some(mut b) = browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let program = small_program();
    let page = explore(&program, dir.path(), &[]);
    exercise(&mut b, &program, &page, "nested");
}

#[test]
fn pages_of_programs_with_nothing_to_show_draw_without_errors() {
    let Some(mut b) = browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.b");
    std::fs::write(&empty, "only a comment, no commands\n").expect("written");
    for extra in [&[][..], &["-O0"][..]] {
        let page = explore(&empty, dir.path(), extra);
        open(&mut b, &page);
        assert!(
            count(&mut b, "#passes li.pass") >= 1,
            "at least the parsed program"
        );
    }
    let errors = b.errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn mandelbrots_page_is_small_and_works_in_chromium() {
    let Some(corpus) = corpus::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let program = corpus.join("bench/mandelbrot.b");
    let page = explore(&program, dir.path(), &[]);
    let size = std::fs::metadata(&page).expect("page").len();
    assert!(size < 5_000_000, "mandelbrot's page is {size} bytes");
    let Some(mut b) = browser() else {
        return;
    };
    exercise(&mut b, &program, &page, "mandelbrot");
}
