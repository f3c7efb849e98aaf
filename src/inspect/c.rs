//! The c view: the final IR as a standalone C program (`crate::emit_c`),
//! the yardstick a C compiler sets for the code Cranelift makes from the
//! same IR.

use crate::emit_c::emit_c;
use ir_passes::ir::Program;
use serde::Serialize;

/// The c view.
#[derive(Serialize)]
pub struct CView {
    /// The C source.
    pub text: String,
}

/// Builds the view.
pub fn build(program: &Program) -> CView {
    CView {
        text: emit_c(program),
    }
}

impl CView {
    /// The view as text; its heading is a C comment, so that the view
    /// alone compiles as written.
    pub fn text(&self) -> String {
        format!("/* == c */\n{}", self.text)
    }
}
