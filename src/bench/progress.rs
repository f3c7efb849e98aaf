//! Progress on stderr. On a terminal: a live bar (indicatif) that counts
//! runs, shows the elapsed time and an estimate of what is left, and ticks
//! on its own during a long run, with a line printed above it for every
//! finished measurement. Elsewhere (a log, a pipe) only those lines, so logs
//! stay readable; `--quiet` silences both.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::Cell;
use std::io::IsTerminal;
use std::time::Duration;

/// How often the bar redraws itself while a run goes on.
const TICK: Duration = Duration::from_millis(200);

/// Progress over a known number of measurements of a known number of runs.
pub struct Progress {
    /// The bar; hidden when stderr is not a terminal or progress is off.
    bar: ProgressBar,
    /// Whether to print a line per finished measurement.
    lines: bool,
    /// Runs per measurement (warm-up and timed).
    per: u64,
    /// Measurements in all and finished.
    total: usize,
    done: Cell<usize>,
    /// The measurement under way (`bench/mandelbrot opt`).
    current: std::cell::RefCell<String>,
}

impl Progress {
    /// Progress over `total` measurements of `per` runs each; silent unless
    /// `enabled`, and without the bar unless stderr is a terminal.
    pub fn new(total: usize, per: u32, enabled: bool) -> Progress {
        let per = u64::from(per.max(1));
        let live = enabled && std::io::stderr().is_terminal();
        let bar = if live {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64 * per),
                ProgressDrawTarget::stderr(),
            );
            // The template is a constant; were it ever invalid, the default
            // style is still a working bar.
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs, ~{eta} left  {msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(TICK);
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            lines: enabled,
            per,
            total,
            done: Cell::new(0),
            current: Default::default(),
        }
    }

    /// Starts the next measurement.
    pub fn begin(&self, what: String) {
        self.bar.set_message(format!("{what}: starting"));
        *self.current.borrow_mut() = what;
    }

    /// Shows that run `i` (counting warm-up runs first) starts; the runs
    /// before it are done.
    pub fn step(&self, warm: bool, i: u32, warmup: u32, runs: u32) {
        let detail = if warm {
            format!("warm-up {}/{warmup}", i + 1)
        } else {
            format!("run {}/{runs}", i + 1 - warmup)
        };
        self.bar
            .set_position(self.done.get() as u64 * self.per + u64::from(i));
        self.bar
            .set_message(format!("{}: {detail}", self.current.borrow()));
    }

    /// Shows a step of the measurement that is not a run (a build).
    pub fn note(&self, detail: &str) {
        self.bar
            .set_message(format!("{}: {detail}", self.current.borrow()));
    }

    /// Ends the current measurement with a one-line summary.
    pub fn finish(&self, summary: &str) {
        let done = self.done.get() + 1;
        self.done.set(done);
        self.bar.set_position(done as u64 * self.per);
        if self.lines {
            let line = format!(
                "[{done}/{}] {}: {summary}",
                self.total,
                self.current.borrow()
            );
            if self.bar.is_hidden() {
                eprintln!("{line}");
            } else {
                self.bar.println(line);
            }
        }
    }

    /// Removes the bar, leaving the finished lines.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
