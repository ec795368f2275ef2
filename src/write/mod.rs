//! Results to bytes, with no files: the terminal table, CSV, JSON, the exact-mode table, charts (SVG
//! and PNG) and the self-contained HTML report.

pub mod charts;
pub mod csv;
pub mod exact;
pub mod json;
pub mod report;
pub mod table;

pub mod output {
    //! The writers of a run's results under the one name callers know them by: the terminal [`table`],
    //! `summary.csv` ([`summary_csv`]), `replications.csv` ([`REPLICATIONS_HEADER`], [`write_rows`]) and
    //! the JSON summary ([`json`]). They live in [`write::table`](crate::write::table),
    //! [`write::csv`](crate::write::csv) and [`write::json`](crate::write::json).

    pub use crate::write::csv::{REPLICATIONS_HEADER, summary_csv, write_rows};
    pub use crate::write::json::json;
    pub use crate::write::table::table;
}
