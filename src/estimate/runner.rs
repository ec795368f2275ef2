//! Runs the replications of a model in parallel (rayon) in fixed batches, so the result does not depend
//! on the number of threads: each replication draws from streams derived from (seed, index), and batch
//! results are merged in index order into exact accumulators.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::base::units::Hours;
use crate::engine::Engine;
use crate::estimate::accumulate::RunAcc;
use crate::estimate::precision::{self, Target};
use crate::estimate::summary::{RunInfo, Summary};
use crate::model::Model;

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
    /// Only these replications (whole batches, e.g. one shard's: see [`crate::estimate::shards::shard_range`]);
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
pub fn run(model: &Model, opts: RunOptions<'_>) -> Result<RunOutput, RunError> {
    run_controlled(model, opts, Control::default()).map(|c| c.output)
}

/// What may end a run before all its replications are done, and where it starts. The run stops only
/// at a batch boundary, with every batch before it merged and none after it, so its state is always
/// that of an uninterrupted run of that many replications.
#[derive(Default)]
pub struct Control<'a> {
    /// Stop at the first batch, in index order, after which the precision target is met. This is
    /// decided on the merged state alone, so the same seed and target stop at the same replication
    /// count whatever the number of threads.
    pub target: Option<Target>,
    /// Start no batch after this instant (`--max-time`).
    pub deadline: Option<Instant>,
    /// Start no batch once this is set (Ctrl-C).
    pub stop: Option<&'a AtomicBool>,
    /// Continue from this state (a checkpoint): its replications, a whole number of batches, are done.
    pub resume: Option<RunAcc>,
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// Every replication asked for is done (without a target, or without meeting it).
    Exhausted,
    /// The precision target was met.
    TargetMet,
    /// The deadline passed.
    Deadline,
    /// The stop flag was set.
    Interrupted,
}

/// The result of a controlled run.
pub struct Controlled {
    /// State and estimates of the replications done.
    pub output: RunOutput,
    /// Why it ended.
    pub stop: Stop,
}

/// Runs the replications of the model (those of `opts.range`, or all) under `control`.
pub fn run_controlled(
    model: &Model,
    mut opts: RunOptions<'_>,
    control: Control<'_>,
) -> Result<Controlled, RunError> {
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads, source })?;
    let start = Instant::now();
    let mut range = opts
        .range
        .clone()
        .unwrap_or(0..model.simulation.replications);
    let mut acc = match control.resume {
        Some(acc) => {
            range.start = range.start.max(acc.replications);
            acc
        }
        None => RunAcc::new(model),
    };
    debug_assert!(range.start.is_multiple_of(BATCH), "ranges start at a batch");
    let total = range.end;
    let batches = total.div_ceil(BATCH);
    // Enough batches in flight to keep every thread busy, few enough to bound memory.
    let per_round = (threads as u64 * 4).max(1);
    let want_rows = opts.rows.is_some();
    // The first batch always runs on a deadline, so that a run stopped on time has a result.
    let first = range.start / BATCH;
    let halted = |batch: u64| {
        control.stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || (batch > first && control.deadline.is_some_and(|d| Instant::now() >= d))
    };
    let met = |acc: &RunAcc| {
        control
            .target
            .is_some_and(|t| precision::assess(acc, t, model).met)
    };
    let mut stop = if met(&acc) {
        Stop::TargetMet
    } else {
        Stop::Exhausted
    };
    let mut b = first;
    while b < batches && stop == Stop::Exhausted {
        let end = (b + per_round).min(batches);
        // A batch that finds the run halted is not simulated; the run keeps the batches before the
        // first such batch.
        let results: Vec<Option<(RunAcc, Vec<RepRow>)>> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map_init(
                    || Engine::new(model),
                    |engine, batch| {
                        if halted(batch) {
                            return None;
                        }
                        let lo = batch * BATCH;
                        let hi = (lo + BATCH).min(total);
                        let mut rows = Vec::new();
                        let a = run_range(model, engine, lo..hi, want_rows.then_some(&mut rows));
                        Some((a, rows))
                    },
                )
                .collect()
        });
        // The batches kept: those before the first one that found the run halted.
        let done = results.iter().take_while(|r| r.is_some()).count();
        let kept = results[..done].iter().flatten();
        if control.target.is_none() {
            // Merges are exact, so their order does not change a bit of the result: merge the round
            // as a tree on the pool rather than one batch after another here while the workers wait
            // (at 16 threads that wait cost a tenth of the run).
            let merged = pool.install(|| {
                results[..done]
                    .par_iter()
                    .flatten()
                    .fold(
                        || RunAcc::new(model),
                        |mut a, (b, _)| {
                            a.merge(b);
                            a
                        },
                    )
                    .reduce(
                        || RunAcc::new(model),
                        |mut a, b| {
                            a.merge(&b);
                            a
                        },
                    )
            });
            acc.merge(&merged);
            if let Some(sink) = opts.rows.as_mut() {
                for (_, rows) in kept {
                    sink(rows);
                }
            }
        } else {
            // The target is judged after each batch, in index order.
            for (a, rows) in kept {
                acc.merge(a);
                if let Some(sink) = opts.rows.as_mut() {
                    sink(rows);
                }
                if met(&acc) {
                    stop = Stop::TargetMet;
                    break;
                }
            }
        }
        if done < results.len() && stop == Stop::Exhausted {
            stop = if control.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                Stop::Interrupted
            } else {
                Stop::Deadline
            };
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
    Ok(Controlled {
        output: RunOutput { acc, summary },
        stop,
    })
}
