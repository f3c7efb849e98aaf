//! The mid-level IR: a tree of ops, each relative to the tape pointer and each
//! carrying the source span it came from.
//!
//! The parser produces only `Add`, `Move`, `Output`, `Input` and `Loop`; the
//! other ops exist only after optimization passes.

use crate::source::Source;
use crate::span::Span;
use serde::Serialize;
use std::sync::Arc;

/// A cell value as the IR stores it: a `u32` that is reduced modulo the
/// program's cell width wherever it reaches the tape.
pub type Value = u32;

/// A signed cell offset relative to the tape pointer.
pub type Offset = i32;

/// The width of a tape cell. Arithmetic wraps modulo `2^bits`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum CellWidth {
    /// 8-bit cells, the default.
    #[default]
    U8,
    /// 16-bit cells.
    U16,
    /// 32-bit cells.
    U32,
}

impl CellWidth {
    /// Number of bits in a cell.
    pub fn bits(self) -> u32 {
        match self {
            CellWidth::U8 => 8,
            CellWidth::U16 => 16,
            CellWidth::U32 => 32,
        }
    }

    /// Number of bytes in a cell.
    pub fn bytes(self) -> usize {
        self.bits() as usize / 8
    }

    /// The largest cell value, all bits set.
    pub fn max(self) -> Value {
        u32::MAX >> (32 - self.bits())
    }

    /// Reduces a value modulo the cell width.
    pub fn wrap(self, v: Value) -> Value {
        v & self.max()
    }

    /// The width with the given number of bits, if it is one we support.
    pub fn from_bits(bits: u32) -> Option<CellWidth> {
        match bits {
            8 => Some(CellWidth::U8),
            16 => Some(CellWidth::U16),
            32 => Some(CellWidth::U32),
            _ => None,
        }
    }
}

/// One IR operation. Offsets are relative to the tape pointer `p`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `p[offset] += delta` (wrapping).
    Add {
        /// Cell offset from the pointer.
        offset: Offset,
        /// Amount to add, modulo the cell width.
        delta: Value,
    },
    /// `p += delta`.
    Move {
        /// Signed distance in cells.
        delta: Offset,
    },
    /// Write the byte `p[offset] mod 256` to the output.
    Output {
        /// Cell offset from the pointer.
        offset: Offset,
    },
    /// Read a byte into `p[offset]` (at end of input, the EOF convention applies).
    Input {
        /// Cell offset from the pointer.
        offset: Offset,
    },
    /// `while p[0] != 0 { body }`.
    Loop {
        /// The loop body.
        body: Body,
    },
    /// `p[offset] = value`. Only after optimization.
    Set {
        /// Cell offset from the pointer.
        offset: Offset,
        /// The value stored, modulo the cell width.
        value: Value,
    },
    /// `p[dst] += p[src] * factor` (wrapping). Only after optimization.
    MulAdd {
        /// Offset of the cell read.
        src: Offset,
        /// Offset of the cell updated.
        dst: Offset,
        /// Multiplier, modulo the cell width.
        factor: Value,
    },
    /// `while p[0] != 0 { p += stride }`. Only after optimization.
    Scan {
        /// Distance moved per step; never zero.
        stride: Offset,
    },
    /// `if p[0] != 0 { body }`, for a loop proved to run at most once (its body
    /// always leaves `p[0] == 0`). Only after optimization.
    If {
        /// The body, run once when `p[0] != 0`.
        body: Body,
    },
}

impl Op {
    /// True for ops that transfer control (`Loop`, `If`, `Scan`). The ops
    /// between two of them form a straight-line *segment*; passes never move an
    /// op across a control op, which is what makes the segment guards of
    /// [`crate::guard`] sound.
    pub fn is_control(&self) -> bool {
        matches!(self, Op::Loop { .. } | Op::If { .. } | Op::Scan { .. })
    }

    /// The nested body of a `Loop` or `If`.
    pub fn body(&self) -> Option<&[Node]> {
        match self {
            Op::Loop { body } | Op::If { body } => Some(body),
            _ => None,
        }
    }

    /// The cells a straight-line op reads or writes, as offsets from the
    /// pointer before it: one or two (`MulAdd`), none for `Move`, which
    /// touches no cell. `None` for control ops, whose cells depend on how far
    /// they run. Analyses that must know every cell an op can touch (segment
    /// windows, promoted loops, `known_values`' reach) ask here, so a new op
    /// kind is added in one place.
    pub fn cell_offsets(&self) -> Option<impl Iterator<Item = Offset>> {
        let cells = match *self {
            Op::Add { offset, .. }
            | Op::Set { offset, .. }
            | Op::Output { offset }
            | Op::Input { offset } => [Some(offset), None],
            Op::MulAdd { src, dst, .. } => [Some(src), Some(dst)],
            Op::Move { .. } => [None, None],
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => return None,
        };
        Some(cells.into_iter().flatten())
    }

    /// Short lower-case name of the op kind, as the printer and statistics use.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Add { .. } => "add",
            Op::Move { .. } => "move",
            Op::Output { .. } => "out",
            Op::Input { .. } => "in",
            Op::Loop { .. } => "loop",
            Op::Set { .. } => "set",
            Op::MulAdd { .. } => "muladd",
            Op::Scan { .. } => "scan",
            Op::If { .. } => "if",
        }
    }
}

/// The nested body of a `Loop` or `If`: its nodes behind one pointer (so an
/// [`Op`] stays 16 bytes and a [`Node`] 24), plus the passes' marks of which
/// of them are known to change nothing in it.
///
/// It dereferences to `Vec<Node>` (and so to `&[Node]`); any mutable access
/// through [`DerefMut`](std::ops::DerefMut) clears the marks, so code outside
/// the passes can edit bodies freely. Equality, `Debug` and serialization
/// see the nodes only.
#[derive(Clone, Default)]
pub struct Body(Box<BodyInner>);

#[derive(Clone, Default)]
struct BodyInner {
    nodes: Vec<Node>,
    /// Bit `i`: pass `i` of [`crate::passes::PASSES`] leaves this body, and
    /// every body inside it, exactly as it is (it ran on it and changed
    /// nothing, and nothing changed it since). `known_values`' bit instead
    /// says that `memo` holds for the body as it is.
    clean: u16,
    /// Bit `i`: pass `i`, looking only at this body's own nodes (not into
    /// the bodies nested in it), changes nothing here, and the node list has
    /// not been edited since (nested bodies may have been). Implied by the
    /// same bit of `clean`. Lets the passes that rewrite each body's
    /// segments on their own skip a body whose only change is deeper down.
    flat: u16,
    /// What `known_values` found in this body the last time it left it as
    /// it was (see [`crate::passes::known_values::Memo`]).
    memo: Option<Box<crate::passes::known_values::Memo>>,
}

impl Body {
    /// A body holding `nodes`, with no marks.
    pub fn new(nodes: Vec<Node>) -> Body {
        Body(Box::new(BodyInner {
            nodes,
            clean: 0,
            flat: 0,
            memo: None,
        }))
    }

    /// The nodes, taken out of the body.
    pub fn into_vec(self) -> Vec<Node> {
        self.0.nodes
    }

    /// The nodes.
    pub fn as_slice(&self) -> &[Node] {
        &self.0.nodes
    }

    /// Whether the pass with mark `bit` is known to leave this body as it is.
    pub(crate) fn is_clean(&self, bit: u16) -> bool {
        self.0.clean & bit != 0
    }

    /// The marks.
    pub(crate) fn marks(&self) -> u16 {
        self.0.clean
    }

    /// The nodes, for a pass that sets the marks itself afterwards with
    /// [`Body::set_marks`].
    pub(crate) fn nodes_mut_keeping_marks(&mut self) -> &mut Vec<Node> {
        &mut self.0.nodes
    }

    /// Replaces the marks.
    pub(crate) fn set_marks(&mut self, marks: u16) {
        self.0.clean = marks;
    }

    /// The marks of the body's own node list (see `BodyInner::flat`).
    pub(crate) fn flat_marks(&self) -> u16 {
        self.0.flat
    }

    /// Replaces the marks of the body's own node list.
    pub(crate) fn set_flat_marks(&mut self, marks: u16) {
        self.0.flat = marks;
    }

    /// `known_values`' memo, if it still holds (nothing changed the body
    /// since it was made).
    pub(crate) fn memo(&self) -> Option<&crate::passes::known_values::Memo> {
        let valid = self.is_clean(crate::passes::mark::KNOWN_VALUES);
        self.0.memo.as_deref().filter(|_| valid)
    }

    /// Stores `known_values`' memo of the body as it is now.
    pub(crate) fn set_memo(&mut self, memo: crate::passes::known_values::Memo) {
        self.0.memo = Some(Box::new(memo));
        self.0.clean |= crate::passes::mark::KNOWN_VALUES;
    }
}

impl std::ops::Deref for Body {
    type Target = Vec<Node>;
    fn deref(&self) -> &Vec<Node> {
        &self.0.nodes
    }
}

impl std::ops::DerefMut for Body {
    fn deref_mut(&mut self) -> &mut Vec<Node> {
        self.0.clean = 0;
        self.0.flat = 0;
        self.0.memo = None;
        &mut self.0.nodes
    }
}

impl From<Vec<Node>> for Body {
    fn from(nodes: Vec<Node>) -> Body {
        Body::new(nodes)
    }
}

impl From<Body> for Vec<Node> {
    fn from(body: Body) -> Vec<Node> {
        body.into_vec()
    }
}

impl<'a> IntoIterator for &'a Body {
    type Item = &'a Node;
    type IntoIter = std::slice::Iter<'a, Node>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.nodes.iter()
    }
}

impl IntoIterator for Body {
    type Item = Node;
    type IntoIter = std::vec::IntoIter<Node>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.nodes.into_iter()
    }
}

impl FromIterator<Node> for Body {
    fn from_iter<I: IntoIterator<Item = Node>>(iter: I) -> Body {
        Body::new(iter.into_iter().collect())
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.0.nodes == other.0.nodes
    }
}

impl Eq for Body {}

impl PartialEq<Vec<Node>> for Body {
    fn eq(&self, other: &Vec<Node>) -> bool {
        self.0.nodes == *other
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.nodes.fmt(f)
    }
}

impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.nodes.serialize(s)
    }
}

/// An op with the span of the source text it stands for.
///
/// For `Loop` and `If` the span covers the brackets exactly, which the
/// segment guards rely on to find the source of a loop body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The operation.
    pub op: Op,
    /// Where it came from.
    pub span: Span,
}

impl Node {
    /// A node from an op and its span.
    pub fn new(op: Op, span: Span) -> Node {
        Node { op, span }
    }
}

// Nodes are the bulk of a big program's memory: keep them small.
const _: () = assert!(std::mem::size_of::<Node>() == 24);
const _: () = assert!(std::mem::size_of::<Op>() == 16);

/// Where a program's code starts running, and so what its passes may assume
/// about the tape there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Entry {
    /// At the start of the source, on a tape of zeros, the pointer at its
    /// left end: a whole program. Passes may use that every cell is zero.
    #[default]
    Start,
    /// At the loop whose brackets are this span, on a tape and pointer about
    /// which nothing is known: a *fragment* compiled for tiered execution,
    /// entered from the interpreter at any iteration. The top-level body
    /// stands for this span of the source (its segment gaps lie in it).
    Loop(Span),
}

/// A whole program (or a fragment of one, see [`Entry`]): the top-level
/// body, its cell width, its source and where it is entered.
#[derive(Clone, Debug)]
pub struct Program {
    /// The top-level ops.
    pub body: Vec<Node>,
    /// The cell width every constant in the program is reduced by.
    pub cell: CellWidth,
    /// The source the spans point into.
    pub source: Arc<Source>,
    /// Where the code is entered; [`Entry::Start`] for parsed programs.
    pub entry: Entry,
}

impl Program {
    /// A program with the same cell width, source and entry but another body.
    pub fn with_body(&self, body: Vec<Node>) -> Program {
        Program {
            body,
            cell: self.cell,
            source: Arc::clone(&self.source),
            entry: self.entry,
        }
    }

    /// The loop `node` of this program as a fragment of its own: a program
    /// whose body is that loop, entered there with nothing known about the
    /// tape ([`Entry::Loop`]).
    pub fn fragment(&self, node: &Node) -> Program {
        Program {
            body: vec![node.clone()],
            cell: self.cell,
            source: Arc::clone(&self.source),
            entry: Entry::Loop(node.span),
        }
    }

    /// The source range the top-level body stands for: the whole text, or a
    /// fragment's loop.
    pub fn range(&self) -> Span {
        match self.entry {
            Entry::Start => self.source.full_span(),
            Entry::Loop(span) => span,
        }
    }

    /// Whether every cell is known to be zero where the code is entered
    /// (only at the start of a whole program).
    pub fn starts_on_zeros(&self) -> bool {
        self.entry == Entry::Start
    }

    /// The number of ops, counting nested ones and the loops themselves.
    pub fn op_count(&self) -> usize {
        count_ops(&self.body)
    }
}

/// The number of ops in a body, nested ones included.
pub fn count_ops(body: &[Node]) -> usize {
    body.iter()
        .map(|n| 1 + n.op.body().map_or(0, count_ops))
        .sum()
}

/// Rebuilds every body of a tree bottom-up with `f`: `f` sees a body whose
/// nested bodies have already been rewritten. Nested bodies are rewritten
/// where they are (not moved).
pub fn map_bodies(mut body: Vec<Node>, f: &mut impl FnMut(Vec<Node>) -> Vec<Node>) -> Vec<Node> {
    for node in &mut body {
        if let Op::Loop { body: inner } | Op::If { body: inner } = &mut node.op {
            let nodes = std::mem::take(&mut **inner);
            **inner = map_bodies(nodes, f);
        }
    }
    f(body)
}
