//! The hook for tiered execution. bfjit has no `auto` tier yet (one that
//! starts in the interpreter and compiles hot loops while the program runs),
//! so there is nothing to show: the page says so instead of inventing data.
//! When that tier exists, [`build`] fills [`TieredView::events`] with the
//! loops it compiled and when, and the page's "Tiered execution" panel
//! (`renderTiered` in page.js) lists them.

use serde::Serialize;

/// What the tiered-execution panel shows.
#[derive(Serialize)]
pub struct TieredView {
    /// Whether the program ran under tiered execution.
    pub available: bool,
    /// What the panel says when there is nothing to list.
    pub note: String,
    /// One entry per loop compiled while the program ran, in order.
    pub events: Vec<TierUpEvent>,
}

/// A loop the tiered engine compiled.
#[derive(Serialize)]
pub struct TierUpEvent {
    /// The loop's `[` byte.
    pub start: u32,
    /// The tier it moved to.
    pub tier: &'static str,
    /// When, in milliseconds after the run started.
    pub at_ms: f64,
}

/// The panel's content: for now, that there is no tiered execution.
pub fn build() -> TieredView {
    TieredView {
        available: false,
        note: "bfjit has no tiered execution yet (an `auto` tier compiling hot loops while \
               the program runs); when it exists, this panel lists which loops it compiled and when."
            .to_string(),
        events: Vec::new(),
    }
}
