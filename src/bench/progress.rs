//! The progress display on stderr: a line per finished measurement, and on a
//! terminal a live status line for the one under way, since a full suite
//! can take many minutes.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Progress over a known number of measurements.
pub struct Progress {
    /// Whether to print anything.
    enabled: bool,
    /// Whether stderr is a terminal (live line rewritten with `\r`).
    live: bool,
    total: usize,
    done: usize,
    start: Instant,
    current: String,
}

impl Progress {
    /// Progress over `total` measurements; silent unless `enabled`.
    pub fn new(total: usize, enabled: bool) -> Progress {
        Progress {
            enabled,
            live: enabled && std::io::stderr().is_terminal(),
            total,
            done: 0,
            start: Instant::now(),
            current: String::new(),
        }
    }

    /// Starts the next measurement.
    pub fn begin(&mut self, what: String) {
        self.current = what;
        self.step("starting");
    }

    /// Shows what the current measurement is doing (terminals only).
    pub fn step(&mut self, detail: &str) {
        if self.live {
            let line = format!("{} {}: {detail}", self.counter(self.done + 1), self.current);
            eprint!("\r\x1b[K{line}");
            let _ = std::io::stderr().flush();
        }
    }

    /// Ends the current measurement with a one-line summary.
    pub fn finish(&mut self, summary: &str) {
        self.done += 1;
        if self.enabled {
            let clear = if self.live { "\r\x1b[K" } else { "" };
            eprintln!(
                "{clear}{} {}: {summary}",
                self.counter(self.done),
                self.current
            );
        }
    }

    fn counter(&self, n: usize) -> String {
        let s = self.start.elapsed().as_secs();
        format!("[{n}/{} {}:{:02}]", self.total, s / 60, s % 60)
    }
}
