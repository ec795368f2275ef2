//! The JSON summary of a run.

use crate::estimate::summary::Summary;

/// The summary as pretty JSON.
pub fn json(summary: &Summary) -> String {
    serde_json::to_string_pretty(summary).expect("summary serializes")
}
