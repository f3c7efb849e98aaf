//! Known-value propagation: cell values that are known at compile time (zero
//! at program start, after clears, sets and loops) fold into the ops, dead
//! loops go, and loops that provably run at most once become `if`s.

use crate::ir::{Body, CellWidth, Node, Offset, Op, Program, Value};
use crate::passes::cell_facts::CellFacts;
use crate::passes::util::by_value;
use crate::span::Span;

/// Propagates known cell values through each body.
///
/// ```text
/// BF:      ++++[->++<]>[<+>[-]]<.
/// before:  add p[0], 4
///          muladd p[+1], p[0] * 2
///          set p[0], 0
///          move +1
///          loop {
///            add p[-1], 1
///            set p[0], 0
///          }
///          out p[-1]
///          move -1
/// after:   set p[0], 4
///          set p[+1], 8
///          set p[0], 0
///          move +1
///          set p[-1], 1
///          set p[0], 0
///          out p[-1]
///          move -1
/// ```
///
/// (`before` is what the pass receives in the `-O2` pipeline; tests/docs.rs
/// checks the example. `p[+1]` is known to be 8 and the loop's body ends on
/// a zero cell, so the loop runs exactly once and its body joins the
/// segment. The next round's `set_fold` and this pass drop the sets
/// overwritten unread or of a cell already zero.)
///
/// What is known, by position: every cell is zero at program start (not at
/// a fragment's entry, see [`crate::ir::Entry`]); a set
/// or an add to a known cell gives a known value; a loop (or `if`, or scan)
/// ends on a zero cell, and if it is balanced, the pointer is where it was
/// before it and the cells its body cannot write keep their values. Input
/// and anything a loop may have written are unknown. The
/// rewrites: an add to a known cell becomes a set, a set of the value a cell
/// already holds goes, a muladd from a known cell becomes an add (or goes),
/// a loop, `if` or scan on a known zero cell goes, and a loop whose body is
/// balanced and ends with `p[0]` known zero runs at most once: it becomes an
/// `if`. An `if` (or such a loop) on a cell known to be nonzero runs, so its
/// body, if straight-line and balanced, joins the segment; the segment's
/// source then holds the `if`'s brackets, which do the same. Facts from
/// before a loop are carried into its body only while every iteration
/// keeps them (a bounded fixed point; see docs/optimizations.md).
pub fn known_values(program: Program) -> Program {
    by_value(program, run)
}

/// [`known_values`] in place; whether it changed anything. Every body is
/// rebuilt (what is known inside one depends on the code around it, so no
/// body can be skipped), and each rewrite records that it changed one.
pub fn run(program: &mut Program) -> bool {
    let mut ctx = Ctx {
        cell: program.cell,
        budget: BUDGET_BASE + BUDGET_PER_OP * program.op_count(),
        starved: false,
    };
    let start = Entry {
        cells: CellFacts::default(),
        // A fragment (tiered execution) is entered on a tape nothing is
        // known about.
        rest_zero: program.entry == crate::ir::Entry::Start,
    };
    let (body, summary, _) = propagate(std::mem::take(&mut program.body), start, &mut ctx);
    program.body = body;
    summary.changed
}

/// How many cells a body's write set may list before it counts as "may
/// write anything": nested loops pass their sets outwards, and the cap keeps
/// that linear however deep the nesting.
const MAX_WRITES: usize = 64;

/// How many times a loop body is analysed with facts from before the loop
/// before the pass gives up on them (each retry drops a fact the body did not
/// keep; two usually suffice).
const MAX_ATTEMPTS: usize = 3;

/// Only bodies with at most this many ops (nested ones included) are analysed
/// more than once (with facts from before the loop, or again once it turned
/// out to be an `if`): nested re-analyses multiply, so only small loop nests
/// get them.
const MAX_EXTRA_OPS: usize = 500;

/// Op visits the pass may spend before it stops analysing any body more than
/// once: a fixed allowance plus a multiple of the program's size. With
/// [`MAX_EXTRA_OPS`], this keeps the pass near linear on hostile nests.
const BUDGET_BASE: usize = 100_000;
/// See [`BUDGET_BASE`].
const BUDGET_PER_OP: usize = 4;

/// State shared by the whole pass.
struct Ctx {
    cell: CellWidth,
    /// What is left of the allowance, in op visits.
    budget: usize,
    /// Whether the allowance ran short: from then on, what the pass finds
    /// depends on how much of it was left, so no memo is made.
    starved: bool,
}

impl Ctx {
    /// Pays for analysing `body` once more, if the allowance covers it.
    fn spend(&mut self, body: &[Node]) -> bool {
        match self.budget.checked_sub(body.len()) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => {
                self.starved = true;
                false
            }
        }
    }
}

/// What is known about the cells when a body starts (or ends), relative to
/// the pointer there.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Entry {
    /// Known (`Some`) or unknown (`None`) cell values; cells not listed are
    /// zero when `rest_zero`, else unknown.
    cells: CellFacts,
    rest_zero: bool,
}

impl Entry {
    fn value(&self, at: i64) -> Option<Value> {
        match self.cells.get(at) {
            Some(v) => v,
            None => self.rest_zero.then_some(0),
        }
    }

    /// Whether any cell's value is known.
    fn knows_something(&self) -> bool {
        self.rest_zero || self.cells.iter().any(|(_, v)| v.is_some())
    }

    /// Whether this knows a cell value `other` does not (given that all
    /// `other` knows, this knows too).
    fn knows_more_than(&self, other: &Entry) -> bool {
        (self.rest_zero && !other.rest_zero)
            || self
                .cells
                .iter()
                .any(|(at, v)| v.is_some() && other.value(at).is_none())
            || other
                .cells
                .iter()
                .any(|(at, v)| v.is_none() && self.value(at).is_some())
    }

    /// Keeps only the facts that `end` agrees with; whether any went.
    fn meet(&mut self, end: &Entry) -> bool {
        let mut dropped = self.rest_zero && !end.rest_zero;
        // Every cell either lists, each with the value both agree on (or
        // none); in place, as most facts stay.
        let mut meet = |before: Option<Value>, after: Option<Value>| {
            if before.is_some() && before != after {
                dropped = true;
            }
            if before == after {
                before
            } else {
                None
            }
        };
        self.cells.update(|at, v| meet(v, end.value(at)));
        let unlisted = self.rest_zero.then_some(0);
        for (at, after) in end.cells.iter() {
            if self.cells.get(at).is_none() {
                self.cells.insert(at, meet(unlisted, after));
            }
        }
        self.rest_zero = self.rest_zero && end.rest_zero;
        dropped
    }
}

/// What the pass found in a loop or `if` body it left as it was, kept in
/// the body ([`crate::ir::Body::memo`]) while nothing changes it. The
/// analysis of a body depends on nothing but its nodes and the facts it
/// starts with (given an allowance that does not run short, see
/// [`Ctx::starved`]): met again with the same facts, the body is left as it
/// is again, with the same summary, and is not walked. This is what keeps
/// the later `-O2` rounds from analysing every body again when a few
/// changed.
#[derive(Clone)]
pub(crate) struct Memo {
    /// The body was a loop's (else an `if`'s).
    is_loop: bool,
    /// [`reach`] of the body.
    reach: Option<(i64, i64)>,
    /// The facts the body was analysed with: a loop's, as [`loop_body`] got
    /// them.
    entry: Option<Entry>,
    /// [`Summary::balanced`] and [`Summary::writes`] of the body.
    balanced: bool,
    writes: Option<Vec<i64>>,
    /// For a loop, the facts at every test that [`loop_body`] found.
    head: Option<Entry>,
}

impl Memo {
    /// The summary of the unchanged body.
    fn summary(&self) -> Summary {
        Summary {
            balanced: self.balanced,
            ends_zero: false,
            writes: self.writes.clone(),
            changed: false,
            direct: false,
        }
    }
}

/// What a body is known to do as a whole.
struct Summary {
    /// The pointer ends where it started (every path through the body).
    balanced: bool,
    /// Balanced, and the cell the body started on is zero at its end.
    ends_zero: bool,
    /// When balanced: every cell (relative to the entry pointer) the body may
    /// write, or `None` if that is not known.
    writes: Option<Vec<i64>>,
    /// Whether the rewritten body differs from the one analysed.
    changed: bool,
    /// Whether its own node list differs (not only bodies nested in it):
    /// what spoils the body's flat marks ([`crate::ir::Body`]).
    direct: bool,
}

/// The facts at one point of a body.
struct Facts {
    /// The cell values known, by position relative to the frame origin.
    known: Entry,
    /// The pointer, relative to the frame origin.
    pos: i64,
    /// Whether the frame origin is the body's entry pointer (false once an
    /// unbalanced loop or a scan has run).
    origin_is_entry: bool,
    /// The cells written so far, relative to the body's entry pointer, while
    /// they can be listed.
    writes: Option<Vec<i64>>,
    cell: CellWidth,
}

impl Facts {
    fn value(&self, at: i64) -> Option<Value> {
        self.known.value(at)
    }

    /// Records that cell `at` now holds `value` (`None`: unknown).
    fn write(&mut self, at: i64, value: Option<Value>) {
        self.known.cells.insert(at, value);
        if let Some(writes) = &mut self.writes {
            writes.push(at);
            if writes.len() > MAX_WRITES {
                self.writes = None;
            }
        }
    }

    /// The facts about cells `lo ..= hi` from the pointer, relative to it, as
    /// a body that touches only those cells sees them.
    fn near(&self, (lo, hi): (i64, i64)) -> Entry {
        let (lo, hi) = (self.pos + lo, self.pos + hi);
        Entry {
            cells: self.known.cells.range(lo, hi, self.pos),
            rest_zero: self.known.rest_zero,
        }
    }

    /// After a control op: it stopped on a zero cell. If it is balanced and
    /// its writes are known, every other cell keeps what was known about it;
    /// otherwise nothing else is known.
    fn after_control(&mut self, inner: Option<&Summary>) {
        match inner {
            Some(Summary {
                balanced: true,
                writes: Some(writes),
                ..
            }) => {
                for &w in writes {
                    self.write(self.pos + w, None);
                }
            }
            Some(Summary { balanced: true, .. }) => {
                self.known = Entry::default();
                self.writes = None;
            }
            _ => {
                self.known = Entry::default();
                self.writes = None;
                self.pos = 0;
                self.origin_is_entry = false;
            }
        }
        self.write(self.pos, Some(0));
    }

    /// After a loop whose body was analysed with the facts `head`: they hold
    /// every time the loop's condition is tested, so also when it exits.
    fn after_loop(&mut self, inner: &Summary, head: Option<&Entry>) {
        self.after_control(Some(inner));
        for (at, value) in head.iter().flat_map(|h| h.cells.iter()) {
            if value.is_some() && at != 0 {
                // Not a write: the body's writes are recorded already.
                self.known.cells.insert(self.pos + at, value);
            }
        }
    }

    /// The rewritten form of `p[offset] += delta` (none if it does nothing).
    fn add(&mut self, offset: Offset, delta: Value, span: Span) -> Option<Node> {
        let at = self.pos + offset as i64;
        if self.cell.wrap(delta) == 0 {
            return None;
        }
        let op = match self.value(at) {
            Some(v) => {
                let value = self.cell.wrap(v.wrapping_add(delta));
                self.write(at, Some(value));
                Op::Set { offset, value }
            }
            None => {
                self.write(at, None);
                Op::Add {
                    offset,
                    delta: self.cell.wrap(delta),
                }
            }
        };
        Some(Node::new(op, span))
    }
}

/// Whether an `if` body can join the enclosing segment: it must not hold a
/// control op (segments alternate with them) and must come back to where it
/// started.
fn splices(body: &[Node]) -> bool {
    let mut moves: i64 = 0;
    for node in body {
        match node.op {
            Op::Move { delta } => moves += delta as i64,
            ref op if op.is_control() => return false,
            _ => {}
        }
    }
    moves == 0
}

/// The cells a body can touch, relative to the pointer where it starts, if
/// it has at most [`MAX_EXTRA_OPS`] ops (nested ones included), no scans,
/// and it and every body inside it bring the pointer back to where they
/// started. Stops early otherwise, so it is cheap on huge bodies.
///
/// It must list every cell an op can touch: [`Facts::near`] passes a body
/// only the facts about these cells, and claims the rest are zero when the
/// program-start fact `rest_zero` holds; [`Op::cell_offsets`] lists them.
fn reach(body: &[Node]) -> Option<(i64, i64)> {
    reach_within(body, &mut MAX_EXTRA_OPS.clone())
}

/// [`reach`], counting the ops against `budget`.
fn reach_within(body: &[Node], budget: &mut usize) -> Option<(i64, i64)> {
    let (mut pos, mut lo, mut hi) = (0i64, 0i64, 0i64);
    for node in body {
        *budget = budget.checked_sub(1)?;
        let (a, b) = match node.op {
            Op::Move { delta } => {
                pos += delta as i64;
                (pos, pos)
            }
            Op::Loop { ref body } | Op::If { ref body } => {
                let (l, h) = reach_within(body, budget)?;
                (pos + l, pos + h)
            }
            Op::Scan { .. } => return None,
            ref op => {
                let cells = op.cell_offsets().expect("straight-line op");
                cells.fold((i64::MAX, i64::MIN), |(a, b), offset| {
                    let at = pos + offset as i64;
                    (a.min(at), b.max(at))
                })
            }
        };
        (lo, hi) = (lo.min(a), hi.max(b));
    }
    (pos == 0).then_some((lo, hi))
}

/// Analyses a loop body, given the facts where the loop starts.
///
/// The facts that hold every time the loop tests its cell are a fixed point:
/// those known on entry that one run of the body, started with them, leaves
/// as they were. The search starts from everything known on entry and drops
/// what a run of the body changes, until a run keeps all that is left; by
/// induction over the iterations, those facts then hold at every test, and
/// the body's rewrite under them is valid for every iteration. If the search
/// does not settle quickly (or the body moves the pointer), the body is
/// analysed knowing nothing, as before. Returns the rewritten body, its
/// summary and the facts at every test, if they were found.
fn loop_body(
    body: Vec<Node>,
    entry: Option<Entry>,
    ctx: &mut Ctx,
) -> (Vec<Node>, Summary, Option<Entry>) {
    if let Some(mut head) = entry.filter(Entry::knows_something) {
        for _ in 0..MAX_ATTEMPTS {
            if !ctx.spend(&body) {
                break;
            }
            let (rewritten, summary, end) = propagate(body.clone(), head.clone(), ctx);
            let Some(end) = end else { break };
            if !head.meet(&end) {
                return (rewritten, summary, Some(head));
            }
        }
    }
    let (rewritten, summary, _) = propagate(body, Entry::default(), ctx);
    (rewritten, summary, None)
}

/// Puts a body's rewritten nodes back into the body they came from. Its
/// marks stay when the rewrite changed nothing: they are the other passes'
/// (local ones, which look at nothing but the body), so a body this pass
/// leaves as it was is not walked again by them in the next round.
fn refill(mut shell: Body, nodes: Vec<Node>, inner: &Summary) -> Body {
    *shell.nodes_mut_keeping_marks() = nodes;
    if inner.changed {
        shell.set_marks(0);
    }
    if inner.direct {
        shell.set_flat_marks(0);
    }
    shell
}

/// Rewrites a body under the facts known at its start; returns its summary
/// and, if it is balanced, the facts at its end.
fn propagate(body: Vec<Node>, entry: Entry, ctx: &mut Ctx) -> (Vec<Node>, Summary, Option<Entry>) {
    let cell = ctx.cell;
    ctx.budget = ctx.budget.saturating_sub(body.len());
    let mut facts = Facts {
        known: entry,
        pos: 0,
        origin_is_entry: true,
        writes: Some(Vec::with_capacity(body.len().min(MAX_WRITES + 1))),
        cell,
    };
    let mut out = Vec::with_capacity(body.len());
    // Whether `out` differs from `body` in its own nodes (set by every
    // rewrite below), and in the bodies nested in it.
    let mut changed = false;
    let mut nested = false;
    // A worklist, so that an `if` known to run can hand its body back to it.
    let mut work = body;
    work.reverse();
    while let Some(Node { op, span }) = work.pop() {
        let node = match op {
            Op::Add { offset, delta } => {
                let new = facts.add(offset, delta, span);
                changed |= new.as_ref().is_none_or(|n| n.op != op);
                new
            }
            Op::Set { offset, value } => {
                let at = facts.pos + offset as i64;
                let wrapped = cell.wrap(value);
                changed |= wrapped != value;
                if facts.value(at) == Some(wrapped) {
                    changed = true;
                    None
                } else {
                    facts.write(at, Some(wrapped));
                    Some(Node::new(
                        Op::Set {
                            offset,
                            value: wrapped,
                        },
                        span,
                    ))
                }
            }
            Op::MulAdd { src, dst, factor } => match facts.value(facts.pos + src as i64) {
                Some(v) => {
                    changed = true;
                    facts.add(dst, v.wrapping_mul(factor), span)
                }
                None => {
                    if cell.wrap(factor) != 0 {
                        facts.write(facts.pos + dst as i64, None);
                    }
                    Some(Node::new(Op::MulAdd { src, dst, factor }, span))
                }
            },
            Op::Input { offset } => {
                facts.write(facts.pos + offset as i64, None);
                Some(Node::new(op, span))
            }
            Op::Output { .. } => Some(Node::new(op, span)),
            Op::Move { delta } => {
                facts.pos += delta as i64;
                Some(Node::new(op, span))
            }
            // A control op on a known zero cell never runs.
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. }
                if facts.value(facts.pos) == Some(0) =>
            {
                changed = true;
                None
            }
            // An `if` on a known nonzero cell runs: its straight-line body
            // joins the segment (the `if`'s source, now in the segment's
            // gap, does the same: it runs once, or for a `set_loops` `if`,
            // runs the whole loop the body stands for).
            Op::If { body } if facts.value(facts.pos).is_some() && splices(&body) => {
                changed = true;
                work.extend(body.into_iter().rev());
                None
            }
            Op::Loop { body: mut shell } => {
                let memo = shell.memo().filter(|m| m.is_loop);
                let reached = memo.map_or_else(|| reach(&shell), |m| m.reach);
                let entry = reached.map(|r| facts.near(r));
                if let Some(memo) = memo.filter(|m| m.entry == entry) {
                    facts.after_loop(&memo.summary(), memo.head.as_ref());
                    out.push(Node::new(Op::Loop { body: shell }, span));
                    continue;
                }
                let nodes = std::mem::take(shell.nodes_mut_keeping_marks());
                let (mut body, mut inner, head) = loop_body(nodes, entry, ctx);
                // A loop that runs at most once is an `if`: its body starts
                // with what is known here, which may be more than what holds
                // at every test of the loop. (The rewritten body may qualify
                // where the loop did not.)
                let entry = match inner.ends_zero {
                    true => reach(&body).map(|r| facts.near(r)),
                    false => None,
                };
                if let Some(entry) = entry {
                    let more = head.as_ref().is_none_or(|h| entry.knows_more_than(h));
                    if more && entry.knows_something() && ctx.spend(&body) {
                        let (again, summary, _) = propagate(body, entry, ctx);
                        body = again;
                        inner = Summary {
                            ends_zero: true,
                            changed: inner.changed || summary.changed,
                            direct: inner.direct || summary.direct,
                            ..summary
                        };
                    }
                }
                if inner.ends_zero && facts.value(facts.pos).is_some() && splices(&body) {
                    changed = true;
                    work.extend(body.into_iter().rev());
                    continue;
                }
                // Unchanged: remember what was found (the facts here, before
                // the loop's effect on them).
                let same = !inner.changed && !inner.ends_zero && !ctx.starved;
                let entry = same.then(|| reached.map(|r| facts.near(r)));
                facts.after_loop(&inner, head.as_ref());
                changed |= inner.ends_zero;
                nested |= inner.changed;
                let mut body = refill(shell, body, &inner);
                if let Some(entry) = entry {
                    body.set_memo(Memo {
                        is_loop: true,
                        reach: reached,
                        entry,
                        balanced: inner.balanced,
                        writes: inner.writes,
                        head,
                    });
                }
                let op = if inner.ends_zero {
                    Op::If { body }
                } else {
                    Op::Loop { body }
                };
                Some(Node::new(op, span))
            }
            // An `if` body runs at most once, starting with the facts here
            // (those it can touch; a body too big to list them gets none).
            Op::If { body: mut shell } => {
                let memo = shell.memo().filter(|m| !m.is_loop);
                let reached = memo.map_or_else(|| reach(&shell), |m| m.reach);
                let entry = reached.map_or_else(Entry::default, |r| facts.near(r));
                // (An unchanged body that splices was spliced above.)
                if let Some(memo) = memo.filter(|m| m.entry.as_ref() == Some(&entry)) {
                    facts.after_control(Some(&memo.summary()));
                    out.push(Node::new(Op::If { body: shell }, span));
                    continue;
                }
                let memo_entry = (!ctx.starved).then(|| entry.clone());
                let nodes = std::mem::take(shell.nodes_mut_keeping_marks());
                let (body, inner, _) = propagate(nodes, entry, ctx);
                // Known to run, and now straight-line: it joins the segment.
                if facts.value(facts.pos).is_some() && splices(&body) {
                    changed = true;
                    work.extend(body.into_iter().rev());
                    continue;
                }
                facts.after_control(Some(&inner));
                nested |= inner.changed;
                let mut body = refill(shell, body, &inner);
                if let Some(entry) = memo_entry.filter(|_| !inner.changed && !ctx.starved) {
                    body.set_memo(Memo {
                        is_loop: false,
                        reach: reached,
                        entry: Some(entry),
                        balanced: inner.balanced,
                        writes: inner.writes,
                        head: None,
                    });
                }
                Some(Node::new(Op::If { body }, span))
            }
            Op::Scan { .. } => {
                facts.after_control(None);
                Some(Node::new(op, span))
            }
        };
        out.extend(node);
    }
    let balanced = facts.origin_is_entry && facts.pos == 0;
    let ends_zero = balanced && facts.value(0) == Some(0);
    let writes = if balanced { facts.writes } else { None };
    let end = balanced.then_some(facts.known);
    (
        out,
        Summary {
            balanced,
            ends_zero,
            writes,
            changed: changed || nested,
            direct: changed,
        },
        end,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::util::after;

    fn o1_then(p: Program) -> Program {
        known_values(crate::pipeline::Pipeline::level(1).run(p, false).program)
    }

    #[test]
    fn values_known_at_start_fold_into_sets() {
        assert_eq!(
            after(
                |p| known_values(crate::passes::fold_runs::fold_runs(p)),
                "+++>--<+"
            ),
            "set p[0], 3\nmove +1\nset p[0], -2\nmove -1\nset p[0], 4\n"
        );
        assert_eq!(after(o1_then, "[-]"), "");
        assert_eq!(
            after(o1_then, "++++[->++<]"),
            "set p[0], 4\nset p[+1], 8\nset p[0], 0\n"
        );
        // Further rounds of -O2 clean up.
        let o2 = |p| crate::pipeline::Pipeline::level(2).run(p, false).program;
        assert_eq!(after(o2, "++++[->++<]"), "set p[+1], 8\n");
    }

    /// A fragment (tiered execution) is entered on an unknown tape: the
    /// program-start fact that every cell is zero does not hold there.
    #[test]
    fn fragments_know_nothing_at_entry() {
        let p = crate::parse::parse("t", b"[.>+<]", CellWidth::U8).unwrap();
        assert_eq!(crate::print::print(&known_values(p.clone())), "");
        let q = known_values(p.fragment(&p.body[0]));
        assert_eq!(q.body, p.body, "the loop stays, its add stays an add");
    }

    #[test]
    fn loops_on_known_zero_cells_vanish() {
        assert_eq!(after(known_values, "[.]>[<]"), "move +1\n");
        assert_eq!(
            after(known_values, ",[-][.]"),
            "in p[0]\nloop {\n  add p[0], -1\n}\n"
        );
        assert_eq!(
            after(o1_then, ",>,[-]<[>[.]<-]"),
            "in p[0]\nin p[+1]\nset p[+1], 0\nloop {\n  move +1\n  add p[-1], -1\n  move -1\n}\n"
        );
    }

    #[test]
    fn loops_that_end_on_zero_become_ifs() {
        assert_eq!(
            after(o1_then, ",>,<[>+<[-]]"),
            "in p[0]\nin p[+1]\nif {\n  add p[+1], 1\n  set p[0], 0\n}\n"
        );
        // An inner loop ends on zero too.
        assert_eq!(
            after(o1_then, ",[.[.-]]"),
            "in p[0]\nif {\n  out p[0]\n  loop {\n    out p[0]\n    add p[0], -1\n  }\n}\n"
        );
        // A balanced inner loop keeps the pointer known.
        assert_eq!(
            after(o1_then, ",[>,[.-]<[-]]"),
            "in p[0]\nif {\n  in p[+1]\n  move +1\n  loop {\n    out p[0]\n    add p[0], -1\n  }\n  set p[-1], 0\n  move -1\n}\n"
        );
    }

    #[test]
    fn facts_survive_balanced_loops_that_do_not_touch_them() {
        // p[0] is cleared before the inner loop, which only writes p[+1].
        assert_eq!(
            after(o1_then, ",>,<[[-]>[.-]<]"),
            "in p[0]\nin p[+1]\nif {\n  set p[0], 0\n  move +1\n  loop {\n    out p[0]\n    add p[0], -1\n  }\n  move -1\n}\n"
        );
        // At program start, p[+2] is still zero after a loop on p[0], p[+1].
        assert_eq!(
            after(o1_then, ",[>+<-.]>>[.]"),
            "in p[0]\nloop {\n  add p[+1], 1\n  add p[0], -1\n  out p[0]\n}\nmove +2\n"
        );
        // A scan may have gone anywhere: nothing is known after it.
        assert_eq!(
            after(o1_then, ",[<]>>[.]"),
            "in p[0]\nscan -1\nmove +2\nloop {\n  out p[0]\n}\n"
        );
    }

    #[test]
    fn ifs_known_to_run_join_the_segment() {
        assert_eq!(
            after(o1_then, "++[>+<[-]]"),
            "set p[0], 2\nset p[+1], 1\nset p[0], 0\n"
        );
        // A set_loops `if` (standing for the whole loop) known to run.
        let o2 = |p| crate::pipeline::Pipeline::level(2).run(p, false).program;
        assert_eq!(after(o2, "++[>+++++[-]>+<<-]"), "set p[+2], 2\n");
    }

    #[test]
    fn facts_that_every_iteration_keeps_hold_inside_the_loop() {
        // p[+1] is zero on entry and again at the end of every iteration
        // (the inner loop ends on it), so the add in the body is a set.
        assert_eq!(
            after(o1_then, ",[>+++[.-]<-]"),
            "in p[0]\nloop {\n  set p[+1], 3\n  move +1\n  loop {\n    out p[0]\n    add p[0], -1\n  }\n  add p[-1], -1\n  move -1\n}\n"
        );
        // Nested counted loops on cells the body clears again collapse
        // (the `bench` program's nest): the inner one runs for certain.
        let o2 = |p| crate::pipeline::Pipeline::level(2).run(p, false).program;
        assert_eq!(after(o2, ",[>++++[>+++[-]<-]<-]"), "in p[0]\nset p[0], 0\n");
    }

    #[test]
    fn facts_an_iteration_changes_do_not_hold_inside_the_loop() {
        // p[+1] is zero on entry but one after an iteration: the add stays.
        assert_eq!(
            after(o1_then, ",[>+[.-]+<-]"),
            "in p[0]\nloop {\n  add p[+1], 1\n  move +1\n  loop {\n    out p[0]\n    add p[0], -1\n  }\n  set p[0], 1\n  add p[-1], -1\n  move -1\n}\n"
        );
        // A loop that moves the pointer keeps nothing.
        assert_eq!(
            after(o1_then, ",[>+<[.-]>]"),
            "in p[0]\nloop {\n  add p[+1], 1\n  loop {\n    out p[0]\n    add p[0], -1\n  }\n  move +1\n}\n"
        );
    }

    #[test]
    fn loops_that_may_run_again_stay_loops() {
        for bf in [
            ",[>+<[-]+]",       // sets p[0] nonzero again
            ",[>[-]]",          // ends on another cell
            ",[[-]>[<]]",       // unbalanced inner scan: position unknown
            ",[[-],]",          // input after the clear
            ",>,[[-]<[->+<]>]", // a muladd may write p[0] again
        ] {
            let text = after(o1_then, bf);
            assert!(
                text.contains("loop") && !text.contains("if"),
                "{bf}: {text}"
            );
        }
    }
}
