//! Foundations that know no project type: durations and rates, distributions, random streams,
//! streaming statistics and number formatting.

pub mod dist;
pub mod exp1;
pub mod format;
pub mod rng;
pub mod stats;
pub mod units;
