//! Cell types: the Rust integer behind each [`CellWidth`], so interpreters are
//! written once and instantiated per width.

use crate::ir::{CellWidth, Value};

/// An integer type that can be a tape cell.
pub trait CellType: Copy + Default + Eq + Send + Sync + std::fmt::Debug + 'static {
    /// The width this type implements.
    const WIDTH: CellWidth;
    /// Truncates an IR value to a cell.
    fn from_value(v: Value) -> Self;
    /// Widens a cell to an IR value.
    fn value(self) -> Value;
}

macro_rules! cell_type {
    ($t:ty, $w:expr) => {
        impl CellType for $t {
            const WIDTH: CellWidth = $w;
            #[inline(always)]
            fn from_value(v: Value) -> Self {
                v as $t
            }
            #[inline(always)]
            fn value(self) -> Value {
                self as Value
            }
        }
    };
}

cell_type!(u8, CellWidth::U8);
cell_type!(u16, CellWidth::U16);
cell_type!(u32, CellWidth::U32);
