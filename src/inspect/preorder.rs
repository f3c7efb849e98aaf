//! The IR tree walked in pre-order, which the asm and stats views list ops by.

use ir_passes::ir::Node;

/// Every node of a tree in pre-order (bodies after their `loop`/`if`),
/// without recursion.
pub fn preorder(body: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut stack: Vec<std::slice::Iter<'_, Node>> = vec![body.iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(node) => {
                out.push(node);
                if let Some(inner) = node.op.body() {
                    stack.push(inner.iter());
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    out
}
