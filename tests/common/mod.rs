//! Helpers shared by the statistical test crates.

// Each test crate uses only part of the toolkit.
#[allow(dead_code)]
pub mod ctmc;
