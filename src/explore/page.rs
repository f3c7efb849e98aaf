//! The data of one explore page: what `build` gathers and `html` renders.

use super::{code, heat, passes, tiered};
use serde::Serialize;

/// The name and version of the page's data layout (in the page,
/// `<script id="data">`), as bench's `bfjit-bench/1`; bumped when a field
/// changes meaning or goes away.
pub const SCHEMA: &str = "bfjit-explore/1";

/// Everything the page shows.
#[derive(Serialize)]
pub struct Page {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The program's name (its path).
    pub file: String,
    /// Cell width in bits.
    pub cell_bits: u32,
    /// The source, byte for byte (bytes that are not UTF-8 shown as `?`, so
    /// byte offsets stay valid).
    pub source: String,
    /// The passes of one round, in order.
    pub pipeline: Vec<&'static str>,
    /// The profile.
    pub heat: heat::Heat,
    /// The pass timeline.
    pub passes: passes::Passes,
    /// The JIT tiers' code: simple, then opt.
    pub tiers: Vec<code::TierCode>,
    /// Tiered execution (not there yet; see [`tiered`]).
    pub tiered: tiered::TieredView,
    /// What was left out, said on the page.
    pub notes: Vec<String>,
}
