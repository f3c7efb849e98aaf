//! A line diff and its unified rendering, for `inspect --emit passes --diff`.
//!
//! Myers' O((N+M)·D) algorithm after trimming the common prefix and suffix.
//! Its trace costs O(D²) memory, so the edit distance is bounded; past the
//! bound the lines that occur exactly once on both sides serve as anchors
//! (the patience idea), the stretches between anchors are diffed the same
//! way, and a stretch that is still too different is shown as replaced
//! whole. Results stay minimal for the small changes a pass usually makes,
//! and any input costs near-linear time.

use std::collections::HashMap;
use std::fmt::Write;

/// The largest edit distance Myers' search explores before giving up.
const MAX_EDITS: usize = 1500;

/// Lines of unchanged context around each change in a hunk.
const CONTEXT: usize = 3;

/// One step of a line diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Line `a` of the old text equals line `b` of the new one.
    Keep(usize, usize),
    /// Line of the old text removed.
    Delete(usize),
    /// Line of the new text added.
    Insert(usize),
}

/// The steps that turn `a` into `b`, in order.
pub fn diff_lines(a: &[&str], b: &[&str]) -> Vec<Step> {
    let mut steps = Vec::with_capacity(a.len().max(b.len()));
    diff_range(a, b, 0, 0, &mut steps, true);
    steps
}

/// Diffs `a` against `b`, whose first lines are old line `a0` and new line
/// `b0`, appending to `steps`. `anchors` allows one level of patience split.
fn diff_range(a: &[&str], b: &[&str], a0: usize, b0: usize, steps: &mut Vec<Step>, anchors: bool) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let suffix = a_rest
        .iter()
        .rev()
        .zip(b_rest.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mid_a = &a_rest[..a_rest.len() - suffix];
    let mid_b = &b_rest[..b_rest.len() - suffix];
    steps.extend((0..prefix).map(|i| Step::Keep(a0 + i, b0 + i)));
    let (ma, mb) = (a0 + prefix, b0 + prefix);
    if let Some(mid) = myers(mid_a, mid_b) {
        steps.extend(mid.into_iter().map(|s| match s {
            Step::Keep(x, y) => Step::Keep(ma + x, mb + y),
            Step::Delete(x) => Step::Delete(ma + x),
            Step::Insert(y) => Step::Insert(mb + y),
        }));
    } else if anchors {
        patience(mid_a, mid_b, ma, mb, steps);
    } else {
        steps.extend((0..mid_a.len()).map(|i| Step::Delete(ma + i)));
        steps.extend((0..mid_b.len()).map(|i| Step::Insert(mb + i)));
    }
    let (sa, sb) = (ma + mid_a.len(), mb + mid_b.len());
    steps.extend((0..suffix).map(|i| Step::Keep(sa + i, sb + i)));
}

/// Splits at lines unique on both sides that appear in the same order (the
/// longest increasing run of such pairs) and diffs the stretches between.
fn patience(a: &[&str], b: &[&str], a0: usize, b0: usize, steps: &mut Vec<Step>) {
    let mut seen: HashMap<&str, (usize, usize, usize)> = HashMap::new();
    for (i, line) in a.iter().enumerate() {
        let e = seen.entry(line).or_insert((0, 0, i));
        e.0 += 1;
        e.2 = i;
    }
    let mut pairs = Vec::new();
    let mut in_b: HashMap<&str, (usize, usize)> = HashMap::new();
    for (j, line) in b.iter().enumerate() {
        let e = in_b.entry(line).or_insert((0, j));
        e.0 += 1;
    }
    for (j, line) in b.iter().enumerate() {
        if let (Some(&(1, _, i)), Some(&(1, _))) = (seen.get(line), in_b.get(line)) {
            pairs.push((i, j));
        }
    }
    let anchors = longest_increasing(&pairs);
    let (mut i, mut j) = (0, 0);
    for (ai, bj) in anchors {
        diff_range(&a[i..ai], &b[j..bj], a0 + i, b0 + j, steps, false);
        steps.push(Step::Keep(a0 + ai, b0 + bj));
        (i, j) = (ai + 1, bj + 1);
    }
    diff_range(&a[i..], &b[j..], a0 + i, b0 + j, steps, false);
}

/// The longest subsequence of `pairs` (sorted by second field) whose first
/// fields increase, by patience sorting in O(n log n).
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index into pairs of the smallest tail of a run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut back: Vec<Option<usize>> = vec![None; pairs.len()];
    for (n, &(i, _)) in pairs.iter().enumerate() {
        let k = tails.partition_point(|&t| pairs[t].0 < i);
        back[n] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(n);
        } else {
            tails[k] = n;
        }
    }
    let mut out = Vec::new();
    let mut at = tails.last().copied();
    while let Some(n) = at {
        out.push(pairs[n]);
        at = back[n];
    }
    out.reverse();
    out
}

/// Myers' shortest edit script, or `None` when it needs more than
/// [`MAX_EDITS`] edits.
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Step>> {
    let (n, m) = (a.len() as i64, b.len() as i64);
    let max = (a.len() + b.len()).min(MAX_EDITS) as i64;
    let off = max + 1;
    // v[k + off]: the furthest x reached on diagonal k = x - y.
    let mut v = vec![0i64; 2 * max as usize + 3];
    // trace[d]: v on diagonals -d-1 ..= d+1 before round d.
    let mut trace: Vec<Vec<i64>> = Vec::new();
    for d in 0..=max {
        trace.push(v[(off - d - 1) as usize..=(off + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let down = k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]);
            let mut x = if down {
                v[(off + k + 1) as usize]
            } else {
                v[(off + k - 1) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<i64>], n: i64, m: i64) -> Vec<Step> {
    let mut steps = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as i64;
        let at = |k: i64| v[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            steps.push(Step::Keep((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                steps.push(Step::Insert((y - 1) as usize));
            } else {
                steps.push(Step::Delete((x - 1) as usize));
            }
        }
        (x, y) = (prev_x, prev_y);
    }
    steps.reverse();
    steps
}

/// A unified diff (`---`/`+++` headers, `@@` hunks with three lines of
/// context) of two texts; empty when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let steps = diff_lines(&a, &b);
    let changed: Vec<usize> = (0..steps.len())
        .filter(|&i| !matches!(steps[i], Step::Keep(..)))
        .collect();
    let mut out = String::new();
    if changed.is_empty() {
        return out;
    }
    let _ = writeln!(out, "--- {old_name}\n+++ {new_name}");
    // The (old, new) line index at which each step happens.
    let mut at = Vec::with_capacity(steps.len());
    let (mut x, mut y) = (0, 0);
    for s in &steps {
        at.push((x, y));
        match s {
            Step::Keep(..) => (x, y) = (x + 1, y + 1),
            Step::Delete(_) => x += 1,
            Step::Insert(_) => y += 1,
        }
    }
    let mut k = 0;
    while k < changed.len() {
        // A hunk runs while the gap between changes is at most 2 × CONTEXT.
        let first = changed[k];
        let mut last = first;
        while k + 1 < changed.len() && changed[k + 1] - last <= 2 * CONTEXT {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let start = first.saturating_sub(CONTEXT);
        let end = (last + CONTEXT + 1).min(steps.len());
        hunk(&mut out, &steps[start..end], &a, &b, at[start]);
    }
    out
}

fn hunk(out: &mut String, steps: &[Step], a: &[&str], b: &[&str], (x, y): (usize, usize)) {
    let old_len = steps
        .iter()
        .filter(|s| !matches!(s, Step::Insert(_)))
        .count();
    let new_len = steps
        .iter()
        .filter(|s| !matches!(s, Step::Delete(_)))
        .count();
    // Unified-diff convention: an empty side names the line before it.
    let from = |start: usize, len: usize| if len == 0 { start } else { start + 1 };
    let _ = writeln!(
        out,
        "@@ -{},{old_len} +{},{new_len} @@",
        from(x, old_len),
        from(y, new_len)
    );
    for s in steps {
        let _ = match *s {
            Step::Keep(i, _) => writeln!(out, " {}", a[i]),
            Step::Delete(i) => writeln!(out, "-{}", a[i]),
            Step::Insert(j) => writeln!(out, "+{}", b[j]),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies a diff to `a`, which must give `b`; and checks it is minimal
    /// against a quadratic LCS.
    fn check(a: &[&str], b: &[&str]) {
        let steps = diff_lines(a, b);
        let mut rebuilt = Vec::new();
        let (mut x, mut y) = (0, 0);
        for s in &steps {
            match *s {
                Step::Keep(i, j) => {
                    assert_eq!((i, j), (x, y));
                    assert_eq!(a[i], b[j]);
                    rebuilt.push(a[i]);
                    x += 1;
                    y += 1;
                }
                Step::Delete(i) => {
                    assert_eq!(i, x);
                    x += 1;
                }
                Step::Insert(j) => {
                    assert_eq!(j, y);
                    rebuilt.push(b[j]);
                    y += 1;
                }
            }
        }
        assert_eq!((x, y), (a.len(), b.len()));
        assert_eq!(rebuilt, b);
        let keeps = steps.iter().filter(|s| matches!(s, Step::Keep(..))).count();
        assert_eq!(keeps, lcs(a, b), "not minimal: {a:?} → {b:?}");
    }

    fn lcs(a: &[&str], b: &[&str]) -> usize {
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                t[i][j] = if a[i] == b[j] {
                    t[i + 1][j + 1] + 1
                } else {
                    t[i + 1][j].max(t[i][j + 1])
                };
            }
        }
        t[0][0]
    }

    #[test]
    fn small_diffs_are_minimal() {
        let cases: [(&[&str], &[&str]); 6] = [
            (&[], &[]),
            (&["a"], &[]),
            (&[], &["a"]),
            (
                &["a", "b", "c", "a", "b", "b", "a"],
                &["c", "b", "a", "b", "a", "c"],
            ),
            (&["x", "y", "z"], &["x", "q", "z"]),
            (&["a", "a", "a"], &["a", "b", "a"]),
        ];
        for (a, b) in cases {
            check(a, b);
        }
    }

    #[test]
    fn pseudo_random_diffs_are_minimal() {
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let words = ["a", "b", "c", "d"];
        for _ in 0..300 {
            let a: Vec<&str> = (0..next() % 12).map(|_| words[next() % 4]).collect();
            let b: Vec<&str> = (0..next() % 12).map(|_| words[next() % 4]).collect();
            check(&a, &b);
        }
    }

    #[test]
    fn huge_different_inputs_fall_back_and_stay_correct() {
        let a: Vec<String> = (0..6000)
            .map(|i| format!("line {}", i * 7 % 6000))
            .collect();
        let b: Vec<String> = (0..6000)
            .map(|i| format!("line {}", i * 11 % 6000))
            .collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        let steps = diff_lines(&a, &b);
        let inserted = steps
            .iter()
            .filter(|s| !matches!(s, Step::Delete(_)))
            .count();
        assert_eq!(inserted, b.len());
    }

    #[test]
    fn unified_hunks_have_context_and_counts() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n";
        assert_eq!(
            unified(old, new, "a", "b"),
            "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
        assert_eq!(unified(old, old, "a", "b"), "");
        assert_eq!(
            unified("", "x\n", "a", "b"),
            "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n"
        );
    }
}
