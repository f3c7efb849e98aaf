//! The run-time context JIT-compiled code receives and the extern "C" shims it
//! calls for everything that is not plain tape arithmetic: I/O, guard
//! fallbacks, fast scans and the budget check.
//!
//! Conventions shared with `src/jit`: a shim that can fail stores the error in
//! [`Runtime::error`] and returns a negative number (`-1`); generated code then
//! returns `-1` itself, all the way out to [`crate::jit::JitCode::run`], which
//! takes the error from the context. A shim never unwinds into generated code:
//! every body runs under `catch_unwind`, and a panic becomes an error.

use super::layout;
use ir_passes::budget::Budget;
use ir_passes::cell::CellType;
use ir_passes::error::RunError;
use ir_passes::io::Io;
use ir_passes::reference::{run_range, Machine};
use ir_passes::source::Source;
use ir_passes::span::Span;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What one run of generated code works with. Generated code only touches
/// the first four fields, at the offsets of [`super::layout`] (the C runtime
/// of `bfjit build` has the same header; see `runtime/c/exe.c`); the shims
/// use the rest.
#[repr(C)]
pub struct Runtime<'r, 'io> {
    /// Back edges left until the next [`Budget::check`]. Each generated
    /// function keeps the count in a register and stores it here before it
    /// calls another generated function or returns, so the count survives
    /// function boundaries.
    pub fuel: u32,
    /// Where a failing guard leaves its number for its function's shared
    /// fallback path (a value, not a block argument, on the way there).
    pub guard: u32,
    /// The last shim's return value, where its preserving stub (see
    /// `src/jit/module.rs`) leaves it for generated code.
    pub result: i64,
    /// Where a failing guard leaves the pointer it checked.
    pub guard_ptr: i64,
    /// The tape's first cell (its cell type is the shim's type parameter).
    tape: *mut u8,
    /// The number of cells.
    len: usize,
    /// The run's I/O; the EOF convention is applied there.
    io: &'r mut Io<'io>,
    /// The run's step and time allowance.
    budget: &'r mut Budget,
    /// The program text, for the precise fallbacks.
    source: &'r Source,
    /// The source ranges a fallback may be asked to run, indexed by the
    /// number generated code passes.
    spans: &'r [Span],
    /// Why the run stopped, once a shim has failed.
    pub error: Option<RunError>,
}

// The offsets generated code uses are those of the layout contract, which
// the C runtime asserts too.
const _: () = {
    type R = Runtime<'static, 'static>;
    assert!(std::mem::offset_of!(R, fuel) == layout::FUEL_OFFSET as usize);
    assert!(std::mem::offset_of!(R, guard) == layout::GUARD_OFFSET as usize);
    assert!(std::mem::offset_of!(R, result) == layout::RESULT_OFFSET as usize);
    assert!(std::mem::offset_of!(R, guard_ptr) == layout::GUARD_PTR_OFFSET as usize);
};

impl<'r, 'io> Runtime<'r, 'io> {
    /// Byte offset of [`Runtime::fuel`], which generated code loads and stores.
    pub const FUEL_OFFSET: i32 = layout::FUEL_OFFSET;
    /// Byte offset of [`Runtime::result`].
    pub const RESULT_OFFSET: i32 = layout::RESULT_OFFSET;
    /// Byte offset of [`Runtime::guard`].
    pub const GUARD_OFFSET: i32 = layout::GUARD_OFFSET;
    /// Byte offset of [`Runtime::guard_ptr`].
    pub const GUARD_PTR_OFFSET: i32 = layout::GUARD_PTR_OFFSET;

    /// A context for a run on `tape` (a pointer to `len` cells).
    ///
    /// # Safety
    /// `tape` must point to `len` cells of the type the generated code and the
    /// shims are instantiated for, valid for reads and writes, and not
    /// accessed through any other reference while the context is in use.
    pub unsafe fn new(
        tape: *mut u8,
        len: usize,
        io: &'r mut Io<'io>,
        budget: &'r mut Budget,
        source: &'r Source,
        spans: &'r [Span],
    ) -> Runtime<'r, 'io> {
        Runtime {
            fuel: Budget::interval(),
            tape,
            len,
            io,
            budget,
            source,
            spans,
            error: None,
            result: 0,
            guard: 0,
            guard_ptr: 0,
        }
    }

    /// The tape as a slice of `C`, borrowed from nothing in `self` so that
    /// the I/O and budget fields stay usable beside it.
    ///
    /// # Safety
    /// `C` must be the cell type the context was made for (see [`Runtime::new`]),
    /// and the caller must not let the slice outlive the shim call it was
    /// taken in, nor take a second one while it lives: generated code does not
    /// touch the tape while a shim runs, so this slice is then the only access.
    unsafe fn cells<'t, C: CellType>(&self) -> &'t mut [C] {
        // SAFETY: `new`'s contract: `tape` holds `len` cells of type `C`;
        // the caller keeps this the only access to them while it lives.
        unsafe { std::slice::from_raw_parts_mut(self.tape as *mut C, self.len) }
    }

    /// Runs the source range number `span` with the reference interpreter
    /// from cell `ptr`; returns the pointer it ends at.
    fn fallback<C: CellType>(&mut self, span: u32, ptr: usize) -> Result<usize, RunError> {
        let span = self.spans[span as usize];
        // SAFETY: `C` is the program's cell type (the only instantiation
        // `symbols::<C>` registers), and the slice lives only in `m`, for
        // this fallback, during which generated code waits.
        let tape = unsafe { self.cells::<C>() };
        let mut m = Machine { tape, ptr };
        run_range(self.source, span, &mut m, self.io, self.budget)?;
        Ok(m.ptr)
    }
}

/// Runs a shim body with the context, turning an error or a panic into the
/// stored error plus the `failed` return value.
fn shim<T>(
    rt: *mut Runtime<'_, '_>,
    failed: T,
    body: impl FnOnce(&mut Runtime<'_, '_>) -> Result<T, RunError>,
) -> T {
    // SAFETY: generated code passes the context pointer it was called with,
    // which `JitCode::run` made from a live `&mut Runtime` it does not touch
    // until the generated code returns.
    let rt = unsafe { &mut *rt };
    let result = catch_unwind(AssertUnwindSafe(|| body(&mut *rt)));
    match result {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => {
            rt.error = Some(e);
            failed
        }
        Err(_) => {
            rt.error = Some(RunError::Io(
                "internal error: a runtime shim panicked".into(),
            ));
            failed
        }
    }
}

/// `.`: queues the low byte of `value`. Returns 0, or -1 on error.
pub extern "C" fn put(rt: *mut Runtime<'_, '_>, value: u32) -> i32 {
    shim(rt, -1, |rt| rt.io.put(value).map(|()| 0))
}

/// `,`: the value to store into a cell that held `old` (the EOF convention
/// applies in [`Io::input`]), or -1 on error.
pub extern "C" fn get(rt: *mut Runtime<'_, '_>, old: u32) -> i64 {
    shim(rt, -1, |rt| rt.io.input(old).map(i64::from))
}

/// The slow half of the budget tick, called every [`Budget::interval`] back
/// edges. Returns 0, or -1 when the run must stop.
pub extern "C" fn budget(rt: *mut Runtime<'_, '_>) -> i32 {
    shim(rt, -1, |rt| rt.budget.check().map(|()| 0))
}

/// A guard failed: runs source range number `span` with the reference
/// interpreter from cell `ptr`. Returns the new pointer, or -1 on error (the
/// exact off-tape position among them).
pub extern "C" fn fallback<C: CellType>(rt: *mut Runtime<'_, '_>, span: u32, ptr: i64) -> i64 {
    shim(rt, -1, |rt| {
        rt.fallback::<C>(span, ptr as usize).map(|p| p as i64)
    })
}

/// `Scan` with stride ±1 on 8-bit cells: finds the next zero cell with
/// memchr/memrchr, but only among the cells where one step of the scan loop's
/// source (which may visit `p+lo ..= p+hi`) stays on the tape. If the zero is
/// not found there, the scan loop's source (range number `span`) runs from the
/// first cell outside that window, which either finds the zero or reports the
/// exact command that leaves the tape. Returns the new pointer or -1.
pub extern "C" fn scan_u8(
    rt: *mut Runtime<'_, '_>,
    ptr: i64,
    stride: i32,
    span: u32,
    lo: i32,
    hi: i32,
) -> i64 {
    shim(rt, -1, |rt| {
        let p = ptr as usize;
        let len = rt.len;
        // Cells `first ..= last` are those a step may start from.
        let first = (-(lo as i64)).max(0) as usize;
        let last = len as i64 - 1 - hi.max(0) as i64;
        // SAFETY: this shim is called only for 8-bit cells; the slice's
        // last use comes before the fallback below takes its own.
        let tape = unsafe { rt.cells::<u8>() };
        let resume = if (p as i64) > last || p < first {
            p
        } else if stride > 0 {
            match memchr::memchr(0, &tape[p..=last as usize]) {
                Some(i) => return Ok((p + i) as i64),
                None => last as usize + 1,
            }
        } else {
            match memchr::memrchr(0, &tape[first..=p]) {
                Some(i) => return Ok((first + i) as i64),
                // `first >= 1` here: a left scan has `lo <= -1`.
                None => first - 1,
            }
        };
        rt.fallback::<u8>(span, resume).map(|p| p as i64)
    })
}

/// The shims by the symbol names generated code imports them under, for a
/// program with cells of type `C`.
pub fn symbols<C: CellType>() -> [(&'static str, *const u8); 5] {
    [
        (names::PUT, put as *const u8),
        (names::GET, get as *const u8),
        (names::BUDGET, budget as *const u8),
        (names::FALLBACK, fallback::<C> as *const u8),
        (names::SCAN_U8, scan_u8 as *const u8),
    ]
}

/// The symbol names of the shims.
pub mod names {
    /// [`super::put`].
    pub const PUT: &str = "bfjit_put";
    /// [`super::get`].
    pub const GET: &str = "bfjit_get";
    /// [`super::budget`].
    pub const BUDGET: &str = "bfjit_budget";
    /// [`super::fallback`] for the program's cell type.
    pub const FALLBACK: &str = "bfjit_fallback";
    /// [`super::scan_u8`].
    pub const SCAN_U8: &str = "bfjit_scan_u8";
}
