//! The tape: zeroed cells allocated lazily by the OS, so a 1 GiB tape costs
//! nothing until it is touched.

use ir_passes::cell::CellType;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ptr::NonNull;

/// A tape of cells of type `C`, all zero.
pub struct Tape<C: CellType> {
    cells: NonNull<C>,
    len: usize,
}

impl<C: CellType> Tape<C> {
    /// Allocates a zeroed tape of `len` cells. Zeroed allocation (calloc)
    /// maps fresh pages that the kernel zero-fills on first touch, so cells
    /// the program never visits cost no memory; unlike `vec![0; n]`, a size
    /// the machine cannot provide is an error instead of an abort.
    pub fn new(len: usize) -> Result<Tape<C>, String> {
        let layout = Layout::array::<C>(len)
            .ok()
            .filter(|_| len > 0)
            .ok_or_else(|| format!("invalid tape size {len}"))?;
        // SAFETY: the layout has non-zero size (len > 0 and C is an integer).
        let raw = unsafe { alloc_zeroed(layout) } as *mut C;
        let cells =
            NonNull::new(raw).ok_or_else(|| format!("cannot allocate a tape of {len} cells"))?;
        Ok(Tape { cells, len })
    }

    /// The cells.
    pub fn cells(&mut self) -> &mut [C] {
        // SAFETY: `cells` points to `len` initialized (zeroed) integers that
        // this tape owns; integers are valid for every bit pattern.
        unsafe { std::slice::from_raw_parts_mut(self.cells.as_ptr(), self.len) }
    }
}

impl<C: CellType> Drop for Tape<C> {
    fn drop(&mut self) {
        let layout = Layout::array::<C>(self.len).expect("layout was valid at allocation");
        // SAFETY: allocated in `new` with this same layout.
        unsafe { dealloc(self.cells.as_ptr() as *mut u8, layout) }
    }
}
