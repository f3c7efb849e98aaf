//! The tier log (`--log-tiers FILE`, or the `BFJIT_LOG_TIERS` environment
//! variable): one line per event of tiered execution, each stamped with the
//! milliseconds since the run started, in the spirit of PyPy's jit logs.
//! Both the interpreter and the compile thread write to it.

use std::fmt;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

/// The environment variable naming a tier log file when `--log-tiers` does
/// not.
pub const ENV_VAR: &str = "BFJIT_LOG_TIERS";

/// A shared, line-buffered event log.
pub struct TierLog {
    start: Instant,
    out: Mutex<Box<dyn Write + Send>>,
}

impl TierLog {
    /// A log writing to `out`; times count from now.
    pub fn new(out: Box<dyn Write + Send>) -> TierLog {
        TierLog {
            start: Instant::now(),
            out: Mutex::new(out),
        }
    }

    /// A log in a new file at `path`.
    pub fn create(path: &std::path::Path) -> Result<TierLog, String> {
        let file = std::fs::File::create(path)
            .map_err(|e| format!("cannot create the tier log {}: {e}", path.display()))?;
        Ok(TierLog::new(Box::new(std::io::LineWriter::new(file))))
    }

    /// Writes one event line. A log that cannot be written is not worth
    /// stopping the program for, so errors are ignored.
    pub fn event(&self, what: fmt::Arguments<'_>) {
        let ms = self.start.elapsed().as_secs_f64() * 1e3;
        if let Ok(mut out) = self.out.lock() {
            let _ = writeln!(out, "{ms:10.3} ms  {what}");
        }
    }

    /// Pushes buffered lines out.
    pub fn flush(&self) {
        if let Ok(mut out) = self.out.lock() {
            let _ = out.flush();
        }
    }
}

/// Writes an event if there is a log: `event!(log, "format", args…)`.
macro_rules! event {
    ($log:expr, $($arg:tt)*) => {
        if let Some(log) = $log {
            log.event(format_args!($($arg)*));
        }
    };
}
pub(crate) use event;
