//! Control-flow graphs of generated functions, read from their CLIF and
//! laid out here as layered drawings (no external tool): back edges found
//! by a depth-first search are set aside, every block goes on the layer of
//! its longest path from the entry, blocks in a layer are ordered by the
//! mean position of their predecessors, and the result is an SVG whose
//! blocks carry the source byte and CLIF line they link to.

use std::fmt::Write;

/// Most blocks drawn in one graph; a larger graph is not drawn (the page
/// says so) since it would be unreadable anyway.
pub const MAX_BLOCKS: usize = 160;

/// A CLIF function's blocks and edges.
#[derive(Debug, Default)]
pub struct Cfg {
    /// Blocks in listing order.
    pub blocks: Vec<Block>,
    /// `(from, to)` indices into `blocks`.
    pub edges: Vec<(usize, usize)>,
}

/// One basic block.
#[derive(Debug, Default)]
pub struct Block {
    /// `blockN`.
    pub name: String,
    /// Its header's line in the listing.
    pub line: usize,
    /// Instructions in it.
    pub instructions: usize,
    /// Source bytes of its instructions (those that have one).
    pub bytes: Vec<u32>,
    /// Whether Cranelift was told it is rarely run.
    pub cold: bool,
}

/// Reads the blocks and branches of a CLIF listing whose lines have the
/// source bytes `at` (as [`super::code::clif_lines`] makes them).
pub fn parse(text: &str, at: &[i64]) -> Cfg {
    let mut cfg = Cfg::default();
    let mut targets: Vec<(usize, String)> = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.starts_with("block") {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            cfg.blocks.push(Block {
                name,
                line: k,
                cold: line.contains(" cold"),
                ..Block::default()
            });
            continue;
        }
        let Some(block) = cfg.blocks.last_mut() else {
            continue;
        };
        if !line.starts_with("    ") {
            continue;
        }
        block.instructions += 1;
        if let Some(&b) = at.get(k).filter(|&&b| b >= 0) {
            block.bytes.push(b as u32);
        }
        // Only branches name blocks inside a function body.
        let from = cfg.blocks.len() - 1;
        let mut rest = line;
        while let Some(p) = rest.find("block") {
            let tail = &rest[p + 5..];
            let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                targets.push((from, format!("block{digits}")));
            }
            rest = &tail[digits.len()..];
        }
    }
    for (from, name) in targets {
        if let Some(to) = cfg.blocks.iter().position(|b| b.name == name) {
            if !cfg.edges.contains(&(from, to)) {
                cfg.edges.push((from, to));
            }
        }
    }
    cfg
}

/// Draws the graph, or only the blocks with code from the source bytes
/// `within` (a loop); `Err` says why nothing is drawn.
pub fn draw(cfg: &Cfg, within: Option<(u32, u32)>) -> Result<String, String> {
    let keep: Vec<usize> = (0..cfg.blocks.len())
        .filter(|&b| match within {
            None => true,
            Some((s, e)) => cfg.blocks[b].bytes.iter().any(|&x| x >= s && x < e),
        })
        .collect();
    if keep.is_empty() {
        return Err("no blocks to draw".to_string());
    }
    if keep.len() > MAX_BLOCKS {
        return Err(format!(
            "{} blocks: too many to draw (at most {MAX_BLOCKS}); pick a hot loop for its part of the graph",
            keep.len()
        ));
    }
    let mut index = vec![usize::MAX; cfg.blocks.len()];
    for (i, &b) in keep.iter().enumerate() {
        index[b] = i;
    }
    let edges: Vec<(usize, usize)> = cfg
        .edges
        .iter()
        .filter(|&&(a, b)| index[a] != usize::MAX && index[b] != usize::MAX)
        .map(|&(a, b)| (index[a], index[b]))
        .collect();
    let layout = layout(keep.len(), &edges);
    Ok(svg(cfg, &keep, &edges, &layout))
}

/// Where each node goes, and which edges are back edges.
#[derive(Debug)]
pub struct Layout {
    /// Layer (row) of each node.
    pub layer: Vec<usize>,
    /// Position within its layer.
    pub order: Vec<usize>,
    /// Per edge: whether it goes back (closes a loop).
    pub back: Vec<bool>,
}

/// Layers by longest path after setting back edges aside; order within a
/// layer by the mean order of predecessors. Nodes no edge reaches from node
/// 0 start their own search, in index order.
pub fn layout(n: usize, edges: &[(usize, usize)]) -> Layout {
    let mut succ = vec![Vec::new(); n];
    for (k, &(a, b)) in edges.iter().enumerate() {
        succ[a].push((b, k));
    }
    // Iterative DFS: 0 unseen, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    let mut post = Vec::with_capacity(n);
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if let Some(&(w, k)) = succ[v].get(*i) {
                *i += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[k] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                post.push(v);
                stack.pop();
            }
        }
    }
    let mut layer = vec![0usize; n];
    for &v in post.iter().rev() {
        for &(w, k) in &succ[v] {
            if !back[k] {
                layer[w] = layer[w].max(layer[v] + 1);
            }
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for v in 0..n {
        rows[layer[v]].push(v);
    }
    let mut order = vec![0usize; n];
    let mut preds = vec![Vec::new(); n];
    for (k, &(a, b)) in edges.iter().enumerate() {
        if !back[k] {
            preds[b].push(a);
        }
    }
    for row in &mut rows {
        let key = |v: usize| -> f64 {
            if preds[v].is_empty() {
                v as f64
            } else {
                preds[v].iter().map(|&p| order[p] as f64).sum::<f64>() / preds[v].len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = row.iter().map(|&v| (key(v), v)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (i, &(_, v)) in keyed.iter().enumerate() {
            order[v] = i;
        }
        *row = keyed.into_iter().map(|(_, v)| v).collect();
    }
    Layout { layer, order, back }
}

const NODE_H: usize = 22;
const ROW_GAP: usize = 30;
const COL_GAP: usize = 14;
const CHAR_W: usize = 7;

fn svg(cfg: &Cfg, keep: &[usize], edges: &[(usize, usize)], l: &Layout) -> String {
    let n = keep.len();
    let label = |i: usize| {
        let b = &cfg.blocks[keep[i]];
        format!("{} · {}", b.name, b.instructions)
    };
    let width = |i: usize| label(i).chars().count() * CHAR_W + 12;
    let layers = l.layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for v in 0..n {
        rows[l.layer[v]].push(v);
    }
    for row in &mut rows {
        row.sort_by_key(|&v| l.order[v]);
    }
    let row_w: Vec<usize> = rows
        .iter()
        .map(|r| r.iter().map(|&v| width(v) + COL_GAP).sum::<usize>())
        .collect();
    let total_w = row_w.iter().copied().max().unwrap_or(0) + 60;
    let mut x = vec![0usize; n];
    let mut y = vec![0usize; n];
    for (r, row) in rows.iter().enumerate() {
        let mut cx = 10 + (total_w - 60 - row_w[r]) / 2;
        for &v in row {
            x[v] = cx;
            y[v] = 10 + r * (NODE_H + ROW_GAP);
            cx += width(v) + COL_GAP;
        }
    }
    let total_h = 20 + layers * (NODE_H + ROW_GAP);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cfg\" width=\"{total_w}\" height=\"{total_h}\" viewBox=\"0 0 {total_w} {total_h}\">"
    );
    s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\"/></marker></defs>");
    for (k, &(a, b)) in edges.iter().enumerate() {
        let (ax, ay) = (x[a] + width(a) / 2, y[a] + NODE_H);
        let (bx, by) = (x[b] + width(b) / 2, y[b]);
        if l.back[k] {
            // Out of the right side of the source, around, into the target's.
            let (sx, sy) = (x[a] + width(a), y[a] + NODE_H / 2);
            let (tx, ty) = (x[b] + width(b), y[b] + NODE_H / 2);
            let bulge = sx.max(tx) + 40;
            let _ = write!(
                s,
                "<path class=\"back\" d=\"M{sx},{sy} C{bulge},{sy} {bulge},{ty} {tx},{ty}\" marker-end=\"url(#arrow)\"/>"
            );
        } else {
            let mid = (ay + by) / 2;
            let _ = write!(
                s,
                "<path d=\"M{ax},{ay} C{ax},{mid} {bx},{mid} {bx},{by}\" marker-end=\"url(#arrow)\"/>"
            );
        }
    }
    for v in 0..n {
        let b = &cfg.blocks[keep[v]];
        let key = b.bytes.first().map_or(-1, |&x| x as i64);
        let _ = write!(
            s,
            "<g class=\"blk{}\" data-k=\"{key}\" data-l=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{NODE_H}\" rx=\"4\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            if b.cold { " cold" } else { "" },
            b.line,
            x[v],
            y[v],
            width(v),
            x[v] + 6,
            y[v] + 15,
            label(v)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIF: &str = "function u0:1(i64) -> i64 system_v {\nblock0(v0: i64):\n    brif v0, block2, block1\nblock2:\n    v1 = iadd v0, v0\n    jump block2\nblock1 cold:\n    return v0\n}";

    #[test]
    fn branches_become_edges() {
        let at = vec![-1, -1, 4, -1, 7, 7, -1, -1, -1];
        let cfg = parse(CLIF, &at);
        let names: Vec<&str> = cfg.blocks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["block0", "block2", "block1"]);
        assert_eq!(cfg.edges, vec![(0, 1), (0, 2), (1, 1)]);
        assert!(cfg.blocks[2].cold);
        assert_eq!(cfg.blocks[1].bytes, vec![7, 7]);
    }

    #[test]
    fn layers_follow_longest_paths_and_loops_close_with_back_edges() {
        // 0 → 1 → 2 → 1 (loop), 0 → 2, 2 → 3.
        let l = layout(4, &[(0, 1), (1, 2), (2, 1), (0, 2), (2, 3)]);
        assert_eq!(l.layer, vec![0, 1, 2, 3]);
        assert_eq!(l.back, vec![false, false, true, false, false]);
    }

    #[test]
    fn a_loop_draws_only_its_blocks_and_a_huge_graph_is_refused() {
        let at = vec![-1, -1, 4, -1, 7, 7, -1, -1, -1];
        let cfg = parse(CLIF, &at);
        let svg = draw(&cfg, Some((7, 8))).expect("one block");
        assert_eq!(svg.matches("<g class").count(), 1);
        assert!(svg.contains("class=\"back\""), "the self loop: {svg}");
        let big = Cfg {
            blocks: (0..MAX_BLOCKS + 1).map(|_| Block::default()).collect(),
            edges: Vec::new(),
        };
        assert!(draw(&big, None).unwrap_err().contains("too many"));
    }
}
