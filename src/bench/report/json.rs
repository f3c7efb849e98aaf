//! The JSON form of the report, for tools; docs/bench.md documents every
//! field, and `schema` names the layout version.

use super::Report;

/// The report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    // Serializing plain structs of numbers and strings cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
