//! Results to bytes, with no files: the terminal table, CSV, JSON, the exact-mode table, charts (SVG
//! and PNG) and the self-contained HTML report.

pub mod charts;
pub mod csv;
pub mod exact;
pub mod fit;
pub mod importance;
pub mod json;
pub mod phases;
pub mod report;
pub mod table;
