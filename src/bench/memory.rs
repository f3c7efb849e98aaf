//! Peak memory of one measurement, in-process: the growth of the resident
//! set during the run, from Linux's high-water mark.
//!
//! Why this way: `getrusage(RUSAGE_SELF).ru_maxrss` is process-wide and only
//! ever grows, so it would report the largest program measured so far; and a
//! child's `ru_maxrss` from `wait4` is no better, since Linux folds the
//! parent's peak into it when the child calls `exec`. Instead, before each
//! run the process's high-water mark is reset (`echo 5 >
//! /proc/self/clear_refs`) and the resident size noted; after the run,
//! `VmHWM` minus that size is what parsing, the IR, the passes, the code, the
//! tape and the captured output added at their peak. Freed heap memory is
//! handed back first (`malloc_trim`), or the allocator would reuse pages
//! earlier runs left resident and the growth would read zero. The C yardstick
//! reports the same difference from inside its own process (`c_baseline.rs`).

use std::fs;

/// A started measurement of peak growth.
pub struct PeakProbe {
    /// Resident bytes when the probe started.
    start_rss: u64,
}

impl PeakProbe {
    /// Resets the high-water mark; `None` where that is impossible (not
    /// Linux, or `/proc` not writable), and then no memory is reported.
    pub fn start() -> Option<PeakProbe> {
        release_free_heap();
        fs::write("/proc/self/clear_refs", "5").ok()?;
        let start_rss = status_kib("VmRSS:")? * 1024;
        Some(PeakProbe { start_rss })
    }

    /// The peak growth in bytes since [`PeakProbe::start`].
    pub fn finish(self) -> Option<u64> {
        let hwm = status_kib("VmHWM:")? * 1024;
        Some(hwm.saturating_sub(self.start_rss))
    }
}

/// Hands memory that earlier runs freed back to the system, so that this
/// run's allocations count even where the allocator would otherwise reuse
/// pages that are still resident (which would report a growth of zero).
fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of glibc's heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Whether this system supports the probe.
pub fn available() -> bool {
    PeakProbe::start().is_some()
}

/// A `kB` field of `/proc/self/status`.
fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// C code for the yardstick that measures the same thing from inside the C
/// program: a constructor notes `VmRSS` before `main`, a destructor (run by
/// `exit` and by returning from `main`) prints `VmHWM` minus it to stderr
/// on a line starting with [`C_PROBE_TAG`].
pub const C_PROBE: &str = r#"/* bfjit bench: peak memory growth of this process, reported at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static long bfjit_probe_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0) { v = atol(line + strlen(field)); break; }
    fclose(f);
    return v;
}
static long bfjit_probe_start;
__attribute__((constructor)) static void bfjit_probe_begin(void) {
    bfjit_probe_start = bfjit_probe_kib("VmRSS:");
}
__attribute__((destructor)) static void bfjit_probe_end(void) {
    long hwm = bfjit_probe_kib("VmHWM:");
    if (hwm >= 0 && bfjit_probe_start >= 0)
        fprintf(stderr, "bfjit-bench-peak-kib: %ld\n", hwm - bfjit_probe_start);
}
"#;

/// The tag of the line [`C_PROBE`] prints.
pub const C_PROBE_TAG: &str = "bfjit-bench-peak-kib:";

/// The growth the C probe reported in `stderr`, in bytes.
pub fn parse_c_probe(stderr: &str) -> Option<u64> {
    let line = stderr.lines().find(|l| l.starts_with(C_PROBE_TAG))?;
    let kib: i64 = line[C_PROBE_TAG.len()..].trim().parse().ok()?;
    Some(kib.max(0) as u64 * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_sees_a_big_allocation_and_reads_the_c_line() {
        if let Some(probe) = PeakProbe::start() {
            let v = vec![1u8; 64 << 20];
            std::hint::black_box(&v);
            drop(v);
            let grown = probe.finish().unwrap();
            assert!(grown >= 60 << 20, "{grown}");
        }
        assert_eq!(
            parse_c_probe("x\nbfjit-bench-peak-kib: 12\n"),
            Some(12 * 1024)
        );
        assert_eq!(parse_c_probe("nothing"), None);
    }
}
