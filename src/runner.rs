//! Runs the replications of a model in parallel (rayon) in fixed batches, so the result does not depend
//! on the number of threads: each replication draws from streams derived from (seed, index), and batch
//! results are merged in index order into exact accumulators.

use std::time::Instant;

use rayon::prelude::*;

use crate::engine::Engine;
use crate::model::Model;
use crate::summary::{RunAcc, RunInfo, Summary};
use crate::units::Hours;

/// Replications per batch: the unit of parallel work and of per-replication output.
pub const BATCH: u64 = 64;

/// One row of `replications.csv`: a replication's figures for one service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepRow {
    /// Replication index.
    pub replication: u64,
    /// Index of the service in the model.
    pub service: usize,
    /// Downtime in the mission, hours.
    pub downtime: Hours,
    /// Outages in the mission.
    pub outages: u32,
    /// Longest outage, hours.
    pub longest: Hours,
}

/// Receives per-replication rows.
pub type RowSink<'a> = dyn FnMut(&[RepRow]) + 'a;

/// How to run.
pub struct RunOptions<'a> {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Receives per-replication rows in replication order, batch by batch; `None` skips them.
    pub rows: Option<&'a mut RowSink<'a>>,
    /// Called with the number of replications done so far.
    pub progress: Option<&'a dyn Fn(u64)>,
    /// Only these replications (whole batches, e.g. one shard's: see [`crate::partial::shard_range`]);
    /// `None` runs them all.
    pub range: Option<std::ops::Range<u64>>,
}

/// The result of a run: the mergeable state and the estimates derived from it.
pub struct RunOutput {
    /// Exact mergeable state.
    pub acc: RunAcc,
    /// Estimates.
    pub summary: Summary,
}

/// An error that prevents a run from starting.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The worker pool could not be created.
    #[error("could not start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// Why.
        source: rayon::ThreadPoolBuildError,
    },
}

/// Simulates replications `range` of the model into an accumulator (no threads; used by workers).
pub fn run_range(
    model: &Model,
    engine: &mut Engine<'_>,
    range: std::ops::Range<u64>,
    mut rows: Option<&mut Vec<RepRow>>,
) -> RunAcc {
    let mut acc = RunAcc::new(model);
    for rep in range {
        engine.run(rep);
        acc.record(engine, 1.0);
        let Some(rows) = rows.as_deref_mut() else {
            continue;
        };
        for (s, mon) in engine.monitors()[..model.services.len()].iter().enumerate() {
            rows.push(RepRow {
                replication: rep,
                service: s,
                downtime: mon.downtime,
                outages: mon.outages,
                longest: mon.longest,
            });
        }
    }
    acc
}

/// Runs all replications of the model.
pub fn run(model: &Model, mut opts: RunOptions<'_>) -> Result<RunOutput, RunError> {
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads, source })?;
    let start = Instant::now();
    let range = opts
        .range
        .clone()
        .unwrap_or(0..model.simulation.replications);
    debug_assert!(range.start.is_multiple_of(BATCH), "ranges start at a batch");
    let total = range.end;
    let batches = total.div_ceil(BATCH);
    // Enough batches in flight to keep every thread busy, few enough to bound memory.
    let per_round = (threads as u64 * 4).max(1);
    let want_rows = opts.rows.is_some();
    let mut acc = RunAcc::new(model);
    let mut b = range.start / BATCH;
    while b < batches {
        let end = (b + per_round).min(batches);
        let results: Vec<(RunAcc, Vec<RepRow>)> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map_init(
                    || Engine::new(model),
                    |engine, batch| {
                        let lo = batch * BATCH;
                        let hi = (lo + BATCH).min(total);
                        let mut rows = Vec::new();
                        let a = run_range(model, engine, lo..hi, want_rows.then_some(&mut rows));
                        (a, rows)
                    },
                )
                .collect()
        });
        for (a, rows) in &results {
            acc.merge(a);
            if let Some(sink) = opts.rows.as_mut() {
                sink(rows);
            }
        }
        b = end;
        if let Some(p) = opts.progress {
            p(acc.replications);
        }
    }
    let info = RunInfo {
        wall_seconds: start.elapsed().as_secs_f64(),
        threads,
    };
    let summary = acc.summarize(model, info);
    Ok(RunOutput { acc, summary })
}
