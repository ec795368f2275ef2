//! Helpers shared by the statistical test crates.

// Each test crate uses only part of the toolkit.
#[allow(dead_code)]
pub mod ctmc;

use nines::model::Model;
use nines::runner::{RunOptions, run};
use nines::scenario::compile;
use nines::stats::{Estimate, t_975};
use nines::summary::Summary;

/// Compiles and runs a scenario on all cores; prints how much work it was.
pub fn simulate(text: &str) -> (Model, Summary) {
    let model = compile(text, "exact.toml").unwrap_or_else(|e| panic!("{e}"));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let out = run(
        &model,
        RunOptions {
            threads,
            rows: None,
            progress: None,
        },
    )
    .expect("run");
    println!(
        "{} replications, {} events, {:.1} s",
        out.summary.replications, out.summary.events, out.summary.wall_seconds
    );
    (model, out.summary)
}

/// Standard error behind an estimate's 95% interval.
pub fn std_error(e: &Estimate) -> f64 {
    (e.ci95_high - e.ci95_low) / 2.0 / t_975(e.n - 1)
}
