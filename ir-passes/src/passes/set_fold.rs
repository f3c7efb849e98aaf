//! Set folding: within a segment, writes to one cell combine: a set
//! followed by adds becomes one set, writes that a set overwrites before
//! anything reads them vanish, adds to a cell sum up even when other ops come
//! between.

use crate::ir::{CellWidth, Node, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, rewrite_segments, FastMap};

/// Combines the constant writes to each cell of a segment.
///
/// ```text
/// BF:      ,[-]+++>++<+>[-]-<.>>+++[->+++++<]>[-]
/// before:  in p[0]                  (after the passes before it)
///          set p[0], 0
///          add p[0], 3
///          add p[+1], 2
///          add p[0], 1
///          set p[+1], 0
///          add p[+1], -1
///          out p[0]
///          add p[+2], 3
///          muladd p[+3], p[+2] * 5
///          set p[+2], 0
///          set p[+3], 0
///          move +3
/// after:   in p[0]
///          set p[0], 4
///          set p[+1], -1
///          out p[0]
///          set p[+2], 0
///          set p[+3], 0
///          move +3
/// ```
///
/// First, walking each segment backwards, an `add`, `set` or `muladd` whose
/// cell is set again before anything reads it goes (a dead store:
/// `add p[1], 3; muladd p[2], p[1] * 5; set p[1], 0; set p[2], 0` keeps only
/// the two sets). Then, forwards, an add combines with the add or set before
/// it to the same cell when nothing between reads or writes that cell; the
/// later op's effect moves to the earlier one's place. I/O is a barrier for
/// both, so when output fails, the tape is exactly as the source left it.
/// Moves are followed, so it works with or without the `offsets` pass having
/// run. Control ops end a segment, and everything is live at its end.
pub fn set_fold(program: Program) -> Program {
    by_value(program, run)
}

/// [`set_fold`] in place; whether it changed anything. Both steps only
/// ever drop ops (folding one into another), so a body changed if and only
/// if it got shorter.
pub fn run(program: &mut Program) -> bool {
    let cell = program.cell;
    let mut scratch = Scratch::default();
    rewrite_segments(&mut program.body, mark::SET_FOLD, &mut |body| {
        let len = body.len();
        dead_stores(body, &mut scratch);
        if folds(body) {
            *body = fold(std::mem::take(body), cell);
        }
        body.len() != len
    })
}

/// Whether some add may combine with an earlier write: a cell written twice
/// in one segment (a cheap over-approximation of what [`fold`] combines).
fn folds(body: &[Node]) -> bool {
    let mut seen: FastMap<i64, ()> = FastMap::default();
    let mut pos: i64 = 0;
    for node in body {
        match node.op {
            Op::Add { offset, .. } if seen.insert(pos + offset as i64, ()).is_some() => {
                return true;
            }
            Op::Add { .. } => {}
            Op::Set { offset, .. } => {
                seen.insert(pos + offset as i64, ());
            }
            Op::Move { delta } => pos += delta as i64,
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => {
                seen.clear();
                pos = 0;
            }
            _ => {}
        }
    }
    false
}

/// The working space of [`dead_stores`], reused from body to body.
#[derive(Default)]
struct Scratch {
    positions: Vec<i64>,
    keep: Vec<bool>,
    dead: FastMap<i64, usize>,
}

/// Removes writes that a later set in the same segment overwrites unread.
fn dead_stores(body: &mut Vec<Node>, scratch: &mut Scratch) {
    // Only a set makes a write dead.
    if !body.iter().any(|n| matches!(n.op, Op::Set { .. })) {
        return;
    }
    let Scratch {
        positions,
        keep,
        dead,
    } = scratch;
    // Every op's pointer position relative to its segment's start.
    positions.clear();
    let mut pos: i64 = 0;
    for node in body.iter() {
        positions.push(pos);
        match node.op {
            Op::Move { delta } => pos += delta as i64,
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => pos = 0,
            _ => {}
        }
    }
    // Cells that a later set in the segment overwrites before anything reads
    // them, each with the index of that set.
    dead.clear();
    keep.clear();
    keep.resize(body.len(), true);
    let mut any = false;
    for i in (0..body.len()).rev() {
        let at = |offset: i32| positions[i] + offset as i64;
        let killer = match body[i].op {
            Op::Set { offset, .. } => {
                let killer = dead.get(&at(offset)).copied();
                // A set that survives is what overwrites the cell for
                // everything before it.
                if killer.is_none() {
                    dead.insert(at(offset), i);
                }
                killer
            }
            Op::Add { offset, .. } => dead.get(&at(offset)).copied(),
            Op::MulAdd { src, dst, .. } => {
                let killer = dead.get(&at(dst)).copied();
                if killer.is_none() {
                    dead.remove(&at(src));
                }
                killer
            }
            Op::Move { .. } => None,
            Op::Output { .. }
            | Op::Input { .. }
            | Op::Loop { .. }
            | Op::If { .. }
            | Op::Scan { .. } => {
                dead.clear();
                None
            }
        };
        if let Some(k) = killer {
            // The set now stands for the write it made redundant too.
            keep[i] = false;
            any = true;
            body[k].span = body[k].span.to(body[i].span);
        }
    }
    if any {
        let mut keep = keep.iter();
        body.retain(|_| keep.next() == Some(&true));
    }
}

fn fold(body: Vec<Node>, cell: CellWidth) -> Vec<Node> {
    let mut out: Vec<Option<Node>> = Vec::with_capacity(body.len());
    // For each cell (by position from the segment start), the index in `out`
    // of the last add or set to it that a later write may combine with. An
    // entry below `barrier` is stale.
    let mut last: FastMap<i64, usize> = FastMap::default();
    let mut barrier = 0;
    let mut pos: i64 = 0;
    for node in body {
        let here = out.len();
        match node.op {
            Op::Add { offset, delta } => {
                let at = pos + offset as i64;
                if let Some(prev) = combinable(&last, barrier, at, &mut out) {
                    match &mut prev.op {
                        Op::Add { delta: d, .. } => *d = cell.wrap(d.wrapping_add(delta)),
                        Op::Set { value, .. } => *value = cell.wrap(value.wrapping_add(delta)),
                        _ => unreachable!("only adds and sets are recorded"),
                    }
                    prev.span = prev.span.to(node.span);
                    if matches!(prev.op, Op::Add { delta: 0, .. }) {
                        out[last[&at]] = None;
                        last.remove(&at);
                    }
                    continue;
                }
                last.insert(at, here);
            }
            Op::Set { offset, .. } => {
                last.insert(pos + offset as i64, here);
            }
            Op::MulAdd { src, dst, .. } => {
                last.remove(&(pos + src as i64));
                last.remove(&(pos + dst as i64));
            }
            Op::Output { .. } | Op::Input { .. } => barrier = here + 1,
            Op::Move { delta } => pos += delta as i64,
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => {
                // A new segment: positions restart and nothing carries over.
                last.clear();
                pos = 0;
                barrier = here + 1;
            }
        }
        out.push(Some(node));
    }
    out.into_iter().flatten().collect()
}

/// The earlier add or set to cell `at` that a new write may combine with.
fn combinable<'a>(
    last: &FastMap<i64, usize>,
    barrier: usize,
    at: i64,
    out: &'a mut [Option<Node>],
) -> Option<&'a mut Node> {
    let &i = last.get(&at)?;
    if i < barrier {
        return None;
    }
    out[i].as_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::clear_loops::clear_loops;
    use crate::passes::fold_runs::fold_runs;
    use crate::passes::offsets::offsets;
    use crate::passes::util::after;

    fn pipeline(p: Program) -> Program {
        set_fold(offsets(clear_loops(fold_runs(p))))
    }

    #[test]
    fn a_clear_and_adds_become_a_set() {
        assert_eq!(after(pipeline, "[-]+++"), "set p[0], 3\n");
        assert_eq!(
            after(pipeline, "[-]+++>++<+"),
            "set p[0], 4\nadd p[+1], 2\n"
        );
        assert_eq!(after(pipeline, "[-]-"), "set p[0], -1\n");
    }

    #[test]
    fn adds_before_a_set_vanish_and_sets_replace_sets() {
        assert_eq!(after(pipeline, "+++>+<[-]"), "add p[+1], 1\nset p[0], 0\n");
        assert_eq!(after(pipeline, "[-]++[-]"), "set p[0], 0\n");
    }

    #[test]
    fn writes_overwritten_unread_vanish() {
        let mul = |p| set_fold(crate::passes::mul_loops::mul_loops(pipeline(p)));
        // The muladd's target is cleared before anything reads it, and then
        // the add only fed the muladd.
        assert_eq!(
            after(mul, ">+++[->+++++<]>[-]<<"),
            "move +1\nset p[0], 0\nset p[+1], 0\nmove -1\n"
        );
        // Read in between: kept.
        assert_eq!(
            after(pipeline, "+>+<[->+<]>.[-]"),
            "add p[0], 1\nadd p[+1], 1\nloop {\n  add p[0], -1\n  add p[+1], 1\n}\nout p[+1]\nset p[+1], 0\nmove +1\n"
        );
        assert_eq!(
            after(pipeline, "+.[-]"),
            "add p[0], 1\nout p[0]\nset p[0], 0\n"
        );
        assert_eq!(
            after(pipeline, "+,[-]"),
            "add p[0], 1\nin p[0]\nset p[0], 0\n"
        );
    }

    #[test]
    fn adds_to_one_cell_sum_across_other_ops_and_moves() {
        assert_eq!(
            after(set_fold, "+>+<+"),
            "add p[0], 2\nmove +1\nadd p[0], 1\nmove -1\n"
        );
        assert_eq!(after(pipeline, "+>+<-"), "add p[+1], 1\n");
    }

    #[test]
    fn reads_and_io_keep_writes_apart() {
        assert_eq!(
            after(set_fold, "+.+"),
            "add p[0], 1\nout p[0]\nadd p[0], 1\n"
        );
        assert_eq!(
            after(set_fold, "+,+"),
            "add p[0], 1\nin p[0]\nadd p[0], 1\n"
        );
        assert_eq!(
            after(pipeline, "+[->+<]+"),
            "add p[0], 1\nloop {\n  add p[0], -1\n  add p[+1], 1\n}\nadd p[0], 1\n"
        );
        assert_eq!(
            after(|p| set_fold(crate::passes::mul_loops::mul_loops(p)), ">+<[->+<]>+"),
            "move +1\nadd p[0], 1\nmove -1\nmuladd p[+1], p[0] * 1\nset p[0], 0\nmove +1\nadd p[0], 1\n"
        );
    }
}
