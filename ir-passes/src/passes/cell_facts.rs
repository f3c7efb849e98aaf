//! The table of cell facts `known_values` keeps while it walks a body: for
//! each listed cell, a known value (`Some`) or "unknown" (`None`).
//!
//! Reads and writes of it are most of that pass's work, so it is a dense
//! window of slots indexed by cell position (a lookup is an index, a copy
//! of a range is a slice copy, nothing is hashed) while the listed cells are
//! close together, which they are in nearly every body. A table whose cells
//! spread out far (a window much larger than what it lists) turns into a
//! hash map, so memory stays proportional to what is listed.

use crate::ir::Value;
use crate::passes::util::FastMap;

/// Cell facts by position; see the module documentation.
#[derive(Clone, Debug)]
pub(crate) enum CellFacts {
    /// Slot `i` is cell `base + i`; `None` slots are not listed.
    Dense {
        /// The position of the first slot.
        base: i64,
        /// The slots.
        slots: Vec<Option<Option<Value>>>,
        /// How many slots are listed.
        listed: usize,
    },
    /// Cells far apart.
    Sparse(FastMap<i64, Option<Value>>),
}

/// A dense window may hold this many unlisted slots per listed one (plus
/// [`SLACK`]) before it turns into a map.
const SPREAD: usize = 4;

/// See [`SPREAD`].
const SLACK: usize = 256;

/// The widest window a dense table listing `listed` cells may have.
fn limit(listed: usize) -> usize {
    SPREAD * (listed + 1) + SLACK
}

impl Default for CellFacts {
    fn default() -> CellFacts {
        CellFacts::Dense {
            base: 0,
            slots: Vec::new(),
            listed: 0,
        }
    }
}

impl CellFacts {
    /// What is listed for cell `at`: `None` if nothing.
    pub(crate) fn get(&self, at: i64) -> Option<Option<Value>> {
        match self {
            CellFacts::Dense { base, slots, .. } => {
                let i = at.checked_sub(*base)?;
                let i = usize::try_from(i).ok()?;
                slots.get(i).copied().flatten()
            }
            CellFacts::Sparse(map) => map.get(&at).copied(),
        }
    }

    /// How many cells are listed.
    pub(crate) fn len(&self) -> usize {
        match self {
            CellFacts::Dense { listed, .. } => *listed,
            CellFacts::Sparse(map) => map.len(),
        }
    }

    /// Lists cell `at` with `value` (replacing what was listed).
    pub(crate) fn insert(&mut self, at: i64, value: Option<Value>) {
        // Most writes go to a cell inside the window.
        if let CellFacts::Dense {
            base,
            slots,
            listed,
        } = self
        {
            let i = at.wrapping_sub(*base) as u64;
            if let Some(slot) = slots.get_mut(i as usize).filter(|_| i <= usize::MAX as u64) {
                *listed += usize::from(slot.is_none());
                *slot = Some(value);
                return;
            }
        }
        if let CellFacts::Dense {
            base,
            slots,
            listed,
        } = self
        {
            let hi = *base + slots.len() as i64 - 1;
            let span = (at.max(hi) as i128 - at.min(*base) as i128) as u128 + 1;
            if !slots.is_empty() && span > limit(*listed) as u128 {
                let mut map = FastMap::default();
                map.reserve(*listed + 1);
                let base = *base;
                map.extend(
                    slots
                        .iter()
                        .enumerate()
                        .filter_map(|(i, slot)| slot.map(|v| (base + i as i64, v))),
                );
                *self = CellFacts::Sparse(map);
            }
        }
        match self {
            CellFacts::Dense {
                base,
                slots,
                listed,
            } => {
                if slots.is_empty() {
                    *base = at;
                }
                if at < *base {
                    // Room on the left for half as many again, so that
                    // writes walking left cost amortized constant time.
                    let need = (*base - at) as usize;
                    let room = limit(*listed).saturating_sub(slots.len() + need);
                    let grow = need + (slots.len() / 2).min(room);
                    slots.splice(0..0, std::iter::repeat_n(None, grow));
                    *base -= grow as i64;
                }
                let i = (at - *base) as usize;
                if i >= slots.len() {
                    slots.resize(i + 1, None);
                }
                if slots[i].is_none() {
                    *listed += 1;
                }
                slots[i] = Some(value);
            }
            CellFacts::Sparse(map) => {
                map.insert(at, value);
            }
        }
    }

    /// The listed cells and their facts (dense tables: by position).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, Option<Value>)> + '_ {
        let (base, slots, map) = match self {
            CellFacts::Dense { base, slots, .. } => (*base, &slots[..], None),
            CellFacts::Sparse(map) => (0, &[][..], Some(map)),
        };
        let dense = slots
            .iter()
            .enumerate()
            .filter_map(move |(i, slot)| slot.map(|v| (base + i as i64, v)));
        let sparse = map
            .into_iter()
            .flat_map(|m| m.iter().map(|(&at, &v)| (at, v)));
        dense.chain(sparse)
    }

    /// Applies `f` to the fact of every listed cell, in place.
    pub(crate) fn update(&mut self, mut f: impl FnMut(i64, Option<Value>) -> Option<Value>) {
        match self {
            CellFacts::Dense { base, slots, .. } => {
                for (i, slot) in slots.iter_mut().enumerate() {
                    if let Some(v) = slot {
                        *v = f(*base + i as i64, *v);
                    }
                }
            }
            CellFacts::Sparse(map) => {
                for (&at, v) in map.iter_mut() {
                    *v = f(at, *v);
                }
            }
        }
    }

    /// The listed cells in `lo ..= hi`, moved by `-shift`.
    pub(crate) fn range(&self, lo: i64, hi: i64, shift: i64) -> CellFacts {
        match self {
            CellFacts::Dense { base, slots, .. } => {
                let start = lo.max(*base);
                let end = hi.min(*base + slots.len() as i64 - 1);
                if start > end {
                    return CellFacts::default();
                }
                let part = &slots[(start - base) as usize..=(end - base) as usize];
                CellFacts::Dense {
                    base: start - shift,
                    slots: part.to_vec(),
                    listed: part.iter().filter(|s| s.is_some()).count(),
                }
            }
            CellFacts::Sparse(map) => {
                // Whichever is fewer: the cells of the range, or the listed.
                let width = (hi as i128 - lo as i128 + 1) as u128;
                let room = width.min(map.len() as u128) as usize;
                let mut out = FastMap::with_capacity_and_hasher(room, Default::default());
                if width < map.len() as u128 {
                    for at in lo..=hi {
                        if let Some(&v) = map.get(&at) {
                            out.insert(at - shift, v);
                        }
                    }
                } else {
                    for (&at, &v) in map {
                        if (lo..=hi).contains(&at) {
                            out.insert(at - shift, v);
                        }
                    }
                }
                CellFacts::Sparse(out)
            }
        }
    }
}

/// Equal when the same cells are listed with the same facts, however they
/// are stored.
impl PartialEq for CellFacts {
    fn eq(&self, other: &CellFacts) -> bool {
        self.len() == other.len() && self.iter().all(|(at, v)| other.get(at) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_tables_grow_both_ways_and_list_what_was_written() {
        let mut t = CellFacts::default();
        for at in [5, 3, 9, -20, 5] {
            t.insert(at, Some(at as Value));
        }
        t.insert(3, None);
        assert!(matches!(t, CellFacts::Dense { .. }));
        assert_eq!(t.len(), 4);
        assert_eq!(t.get(3), Some(None));
        assert_eq!(t.get(5), Some(Some(5)));
        assert_eq!(t.get(4), None);
        assert_eq!(t.get(i64::MIN), None);
        let listed: Vec<_> = t.iter().collect();
        assert_eq!(
            listed,
            [
                (-20, Some(-20i64 as Value)),
                (3, None),
                (5, Some(5)),
                (9, Some(9))
            ]
        );
        let part = t.range(3, 9, 3);
        assert_eq!(
            part.iter().collect::<Vec<_>>(),
            [(0, None), (2, Some(5)), (6, Some(9))]
        );
    }

    #[test]
    fn far_apart_cells_make_a_map_that_compares_equal() {
        let mut dense = CellFacts::default();
        let mut sparse = CellFacts::default();
        sparse.insert(1_000_000, Some(1));
        sparse.insert(0, Some(2));
        assert!(matches!(sparse, CellFacts::Sparse(_)));
        dense.insert(0, Some(2));
        assert_ne!(dense, sparse);
        let mut far = sparse.range(-5, 5, 0);
        assert_eq!(far, dense);
        far.insert(7, None);
        assert_ne!(far, dense);
        let mut updated = sparse.clone();
        updated.update(|at, v| if at == 0 { None } else { v });
        assert_eq!(updated.get(0), Some(None));
        assert_eq!(updated.get(1_000_000), Some(Some(1)));
    }
}
