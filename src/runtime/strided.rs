//! The search behind scans of 8-bit cells with a stride other than ±1
//! (`[>>]`, `[<<<<<<<<<]`): the first zero among every `stride`-th cell,
//! 64 cells a compare. dbfi, selfint and awib spend half their time or more
//! in such scans, mandelbrot has 124 of stride 9; a call here makes them
//! several times faster than a loop of single steps, and far cheaper to
//! compile than an unrolled inline loop.

/// Cells examined per block: the bits of one `u64` mask.
const BLOCK: usize = 64;

/// The first zero at `p`, `p + stride`, … among cells `..= last` (`p <=
/// last < tape.len()`, `stride >= 1`): `Ok(position)`, or `Err(position)`,
/// the first position past `last`, where the search stopped.
pub fn find_zero(tape: &[u8], p: usize, stride: usize, last: usize) -> Result<usize, usize> {
    let mut x = p;
    if let Some(positions) = positions(stride) {
        // Whole blocks whose positions all lie in the window.
        let advance = stride * (positions.count_ones() as usize);
        while x + BLOCK - 1 <= last {
            let hits = zeros(&tape[x..x + BLOCK]) & positions;
            if hits != 0 {
                return Ok(x + hits.trailing_zeros() as usize);
            }
            x += advance;
        }
    }
    while x <= last {
        if tape[x] == 0 {
            return Ok(x);
        }
        x += stride;
    }
    Err(x)
}

/// The same leftwards: the first zero at `p`, `p - stride`, … among cells
/// `first ..=` (`first <= p < tape.len()`); `Err` holds the first position
/// before `first`, as a signed number (it may be -1 only if `first` is 0,
/// which a left scan's window never is).
pub fn rfind_zero(tape: &[u8], p: usize, stride: usize, first: usize) -> Result<usize, i64> {
    let mut x = p as i64;
    let first = first as i64;
    if let Some(positions) = positions(stride) {
        // Mirrored: bit 63 is `x`, bit 63 - k·stride is `x - k·stride`
        // (the same doubling as in `positions`, downwards).
        let positions = {
            let (mut mask, mut width) = (1u64 << 63, stride);
            while width < BLOCK {
                mask |= mask >> width;
                width *= 2;
            }
            debug_assert_eq!(mask, positions.reverse_bits());
            mask
        };
        let advance = (stride * (positions.count_ones() as usize)) as i64;
        while x - (BLOCK as i64 - 1) >= first {
            let start = (x - (BLOCK as i64 - 1)) as usize;
            let hits = zeros(&tape[start..start + BLOCK]) & positions;
            if hits != 0 {
                return Ok(x as usize - hits.leading_zeros() as usize);
            }
            x -= advance;
        }
    }
    while x >= first {
        if tape[x as usize] == 0 {
            return Ok(x as usize);
        }
        x -= stride as i64;
    }
    Err(x)
}

/// The mask of the positions `0, stride, 2·stride, …` in a block, for the
/// strides a block holds at least two of.
fn positions(stride: usize) -> Option<u64> {
    if stride == 0 || stride >= BLOCK / 2 {
        return None;
    }
    // Doubling: a few shifts rather than a bit a position (it runs once a
    // call, and most scans are short).
    let (mut mask, mut width) = (1u64, stride);
    while width < BLOCK {
        mask |= mask << width;
        width *= 2;
    }
    Some(mask)
}

/// Bit `i` set where `block[i]` is zero (`block.len() == 64`).
#[cfg(target_arch = "x86_64")]
fn zeros(block: &[u8]) -> u64 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_setzero_si128,
    };
    assert_eq!(block.len(), BLOCK);
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of x86-64; `chunk` holds 16 readable bytes
        // and `loadu` has no alignment requirement.
        let bits = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) as u16
        };
        mask |= (bits as u64) << (16 * i);
    }
    mask
}

/// Bit `i` set where `block[i]` is zero (`block.len() == 64`).
#[cfg(not(target_arch = "x86_64"))]
fn zeros(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (i, &c)| m | ((c == 0) as u64) << i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The searches as plain loops.
    fn naive_right(tape: &[u8], p: usize, s: usize, last: usize) -> Result<usize, usize> {
        let mut x = p;
        while x <= last {
            if tape[x] == 0 {
                return Ok(x);
            }
            x += s;
        }
        Err(x)
    }

    fn naive_left(tape: &[u8], p: usize, s: usize, first: usize) -> Result<usize, i64> {
        let mut x = p as i64;
        while x >= first as i64 {
            if tape[x as usize] == 0 {
                return Ok(x as usize);
            }
            x -= s as i64;
        }
        Err(x)
    }

    /// Every stride up to past a block, every start, window end and single
    /// zero position (or none) on a 300-cell tape, against the plain loops.
    #[test]
    fn agrees_with_single_steps() {
        let n = 300;
        for stride in 1..=70 {
            for zero in [None, Some(0), Some(7), Some(64), Some(150), Some(299)] {
                let mut tape = vec![1u8; n];
                if let Some(z) = zero {
                    tape[z] = 0;
                }
                for p in (0..n).step_by(7) {
                    for end in [p, p + 1, p + 63, p + 64, p + 200, n - 1] {
                        let end = end.min(n - 1);
                        assert_eq!(
                            find_zero(&tape, p, stride, end),
                            naive_right(&tape, p, stride, end),
                            "right: stride {stride}, zero {zero:?}, p {p}, last {end}"
                        );
                        let first = p.saturating_sub(end - p);
                        assert_eq!(
                            rfind_zero(&tape, p, stride, first),
                            naive_left(&tape, p, stride, first),
                            "left: stride {stride}, zero {zero:?}, p {p}, first {first}"
                        );
                    }
                }
            }
        }
    }

    /// Zeros off the stride's positions are skipped, the nearest of several
    /// on them found.
    #[test]
    fn only_positions_on_the_stride_count() {
        let mut tape = vec![1u8; 200];
        tape[101] = 0;
        tape[130] = 0;
        tape[190] = 0;
        assert_eq!(find_zero(&tape, 0, 2, 199), Ok(130));
        assert_eq!(find_zero(&tape, 1, 2, 199), Ok(101));
        assert_eq!(find_zero(&tape, 1, 3, 199), Ok(130));
        assert_eq!(find_zero(&tape, 2, 3, 199), Ok(101));
        assert_eq!(find_zero(&tape, 0, 3, 199), Err(201));
        assert_eq!(find_zero(&tape, 1, 3, 120), Err(121));
        assert_eq!(rfind_zero(&tape, 198, 4, 0), Ok(190));
        assert_eq!(rfind_zero(&tape, 197, 4, 0), Ok(101));
        assert_eq!(rfind_zero(&tape, 199, 2, 0), Ok(101));
        assert_eq!(rfind_zero(&tape, 199, 3, 0), Ok(190));
        assert_eq!(rfind_zero(&tape, 198, 3, 0), Err(-3));
        assert_eq!(rfind_zero(&tape, 198, 3, 100), Err(99));
    }
}
