//! Comparison of layouts under common random numbers: every layout runs the same replications with the
//! same seed, and components that share a name draw the same failures, so differences between layouts
//! are estimated from paired replications and are far more precise than the layouts' own intervals.

mod paired;
mod phases;
mod rows;
mod table;

use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::base::stats::Estimate;
use crate::engine::Engine;
use crate::estimate::accumulate::RunAcc;
use crate::estimate::runner::{BATCH, RunError};
use crate::estimate::summary::{RunInfo, Summary};
use crate::model::Model;

use paired::{LayoutAcc, Plan};
use rows::rows;
pub use table::{CSV_HEADER, csv, csv_number, same_within_text, table};

/// How to run a comparison.
pub struct CompareOptions<'a> {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Called with the number of replications done so far (of each layout).
    pub progress: Option<&'a dyn Fn(u64)>,
    /// The practical threshold, relative: a difference smaller than this fraction of the first
    /// layout's figure is "same" however significant ([`DEFAULT_SAME_WITHIN`] unless told).
    pub same_within: f64,
}

/// The default practical threshold: 1% of the first layout's figure (of its unavailability, that is of
/// its downtime, for availability). Failure rates and repair times are rarely known to better than a
/// few percent, so a smaller change in a result is not one a planner can act on; it is also the error
/// the statistical tests are sized to catch.
pub const DEFAULT_SAME_WITHIN: f64 = 0.01;

/// The smallest latency difference that counts, hours (1 ms): below a network's jitter.
pub const LATENCY_FLOOR_HOURS: f64 = 0.001 / 3600.0;

/// How a row's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction of time up (shown as a percentage).
    Availability,
    /// Hours (per year or per outage).
    Hours,
    /// A count per year.
    PerYear,
    /// A latency, hours.
    Latency,
    /// Money per year, in the scenario's currency.
    Money,
}

/// A difference to the first layout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Diff {
    /// The difference (this layout minus the first) with its 95% interval.
    pub value: Estimate,
    /// Whether the interval comes from paired replications (common random numbers); otherwise it is
    /// the conservative interval from the two layouts' own intervals.
    pub paired: bool,
    /// Whether the interval excludes zero.
    pub significant: bool,
    /// What it means for a planner, with the practical threshold applied.
    pub verdict: Verdict,
}

/// A difference's reading: better or worse only when it is both significant and at least the practical
/// threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significant and at least the threshold, in the good direction.
    Better,
    /// Significant and at least the threshold, in the bad direction.
    Worse,
    /// Smaller than the threshold: significant but too small to matter, or not significant with its
    /// whole interval inside the threshold.
    Same,
    /// Not significant, and its interval reaches beyond the threshold: more replications would tell.
    Unclear,
}

impl Verdict {
    /// Reads a difference `d` (with its interval) given the threshold `t` (at least 0) and the
    /// direction that is good.
    pub fn judge(d: &Estimate, significant: bool, t: f64, higher_is_better: bool) -> Verdict {
        let within = d.ci95_low > -t && d.ci95_high < t;
        if (significant && d.value.abs() < t) || (!significant && within) {
            Verdict::Same
        } else if significant {
            if (d.value > 0.0) == higher_is_better {
                Verdict::Better
            } else {
                Verdict::Worse
            }
        } else {
            Verdict::Unclear
        }
    }

    /// The word in tables and CSV files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Same => "same",
            Verdict::Unclear => "unclear",
        }
    }
}

/// One layout's figure in a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    /// The figure with its 95% interval (an input such as a cost has an empty interval).
    pub value: Estimate,
    /// Difference to the first layout (none for the first layout itself).
    pub diff: Option<Diff>,
}

/// One compared figure across layouts.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What it is, e.g. `availability`.
    pub measure: &'static str,
    /// The service or request kind it is about (empty: the whole layout).
    pub scope: String,
    /// How it reads.
    pub unit: Unit,
    /// Whether a larger value is better.
    pub higher_is_better: bool,
    /// Per layout (none: the layout does not have it).
    pub cells: Vec<Option<Cell>>,
}

impl Row {
    /// A failover cluster's hours per year without quorum.
    pub const HOURS_WITHOUT_QUORUM: &'static str = "hours without quorum per year";
    /// A failover cluster's quorum losses per year.
    pub const QUORUM_LOSSES: &'static str = "quorum losses per year";

    /// Whether the row is about a failover cluster (its scope names the cluster).
    pub fn is_cluster(&self) -> bool {
        self.measure == Self::HOURS_WITHOUT_QUORUM || self.measure == Self::QUORUM_LOSSES
    }

    /// Whether the row is one of a request kind's figures other than its latency.
    pub fn is_request_kind(&self) -> bool {
        // Delayed fallback, work in flight, reassignment, data age: the per-kind rows' own list.
        rows::KIND_ROWS.iter().any(|r| r.0 == self.measure)
    }
}

/// One layout's results.
#[derive(Debug, Clone)]
pub struct LayoutResult {
    /// Its name (unique in the comparison).
    pub name: String,
    /// Exact state.
    pub acc: RunAcc,
    /// Its own estimates, as `run` would give them.
    pub summary: Summary,
    /// Total yearly cost, if the scenario gives costs.
    pub yearly_cost: Option<f64>,
}

/// The result of a comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Layouts in the order given; differences are to the first.
    pub layouts: Vec<LayoutResult>,
    /// Compared figures.
    pub rows: Vec<Row>,
    /// Replications of each layout.
    pub replications: u64,
    /// Seed shared by all layouts.
    pub seed: u64,
    /// Mission, hours.
    pub mission_hours: f64,
    /// Events simulated, all layouts.
    pub events: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Threads used.
    pub threads: usize,
    /// Currency label of the costs (of the first layout that gives one).
    pub currency: Option<String>,
    /// The practical threshold, relative to the first layout's figure.
    pub same_within: f64,
}

/// Names for layouts: their scenario names, with `#2`, `#3` appended to repeats.
pub fn unique_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let mut name = n.clone();
        let mut k = 2;
        while out.contains(&name) {
            name = format!("{n}#{k}");
            k += 1;
        }
        out.push(name);
    }
    out
}

/// Runs every layout for the replications of the first one (its seed, mission and replication count
/// apply to all), pairing replication `r` of each layout with replication `r` of the first.
/// `names` label the layouts (see [`unique_names`]).
pub fn run(
    models: &[&Model],
    names: &[String],
    opts: CompareOptions<'_>,
) -> Result<Comparison, RunError> {
    assert!(!models.is_empty() && names.len() == models.len());
    let first = &models[0].simulation;
    let plan = Plan::new(models);
    let threads = opts.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads, source })?;
    let start = Instant::now();
    let total = first.replications;
    let batches = total.div_ceil(BATCH);
    let per_round = (threads as u64 * 4).max(1);
    let accs: Vec<Mutex<LayoutAcc>> = models
        .iter()
        .map(|m| Mutex::new(LayoutAcc::new(m, &plan)))
        .collect();
    let merge_into = |i: usize, a: &LayoutAcc| {
        accs[i]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .merge(a);
    };
    // Per replication of the round, the first layout's paired values.
    let mut base: Vec<Vec<Option<f64>>> = Vec::new();
    let mut b = 0;
    while b < batches {
        let end = (b + per_round).min(batches);
        let first_rep = b * BATCH;
        let reps = |from: u64, to: u64| from * BATCH..(to * BATCH).min(total);
        // The first layout, batch by batch: the others' differences are to its values.
        let firsts: Vec<(LayoutAcc, Vec<Vec<Option<f64>>>)> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map_init(
                    || Engine::new(models[0]),
                    |engine, batch| {
                        let mut a = LayoutAcc::new(models[0], &plan);
                        let mut seen = Vec::new();
                        for rep in reps(batch, batch + 1) {
                            engine.run(rep);
                            let mut out = Vec::new();
                            a.record(0, engine, &plan, None, &mut out);
                            seen.push(out);
                        }
                        (a, seen)
                    },
                )
                .collect()
        });
        base.clear();
        for (a, seen) in firsts {
            merge_into(0, &a);
            base.extend(seen);
        }
        // Then every other layout, each in a few pieces of the round (enough tasks for the threads
        // when there are few layouts); a piece merges into its layout as soon as it is done, so at
        // most one accumulator per thread is in flight however many layouts there are (a 64×64 sweep
        // kept 4 per thread of every layout's and passed 12 GB).
        let others = (models.len() - 1) as u64;
        if others > 0 {
            let round = end - b;
            let pieces = per_round.div_ceil(others).clamp(1, round);
            let base = &base;
            pool.install(|| {
                (0..others * pieces).into_par_iter().for_each(|task| {
                    let i = (1 + task / pieces) as usize;
                    let p = task % pieces;
                    let (from, to) = (b + round * p / pieces, b + round * (p + 1) / pieces);
                    let mut engine = Engine::new(models[i]);
                    let mut a = LayoutAcc::new(models[i], &plan);
                    let mut out = Vec::new();
                    for rep in reps(from, to) {
                        engine.run(rep);
                        let seen = &base[(rep - first_rep) as usize];
                        a.record(i, &engine, &plan, Some(seen), &mut out);
                    }
                    merge_into(i, &a);
                });
            });
        }
        b = end;
        if let Some(p) = opts.progress {
            p(reps(0, b).end);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let info = RunInfo {
        wall_seconds: wall,
        threads,
    };
    let mut values = Vec::with_capacity(models.len());
    let mut diffs = Vec::with_capacity(models.len());
    let layouts: Vec<LayoutResult> = accs
        .into_iter()
        .zip(models)
        .zip(names)
        .map(|((acc, m), name)| {
            let acc = acc
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            values.push(acc.values);
            diffs.push(acc.diffs);
            LayoutResult {
                name: name.clone(),
                summary: acc.run.summarize(m, info),
                acc: acc.run,
                yearly_cost: m.yearly_cost().map(|c| c.0),
            }
        })
        .collect();
    let rows = rows(models, &layouts, &plan, &values, &diffs, opts.same_within);
    Ok(Comparison {
        events: layouts.iter().map(|l| l.acc.events).sum(),
        replications: total,
        seed: first.seed,
        mission_hours: first.mission,
        wall_seconds: wall,
        threads,
        currency: models.iter().find_map(|m| m.costs.currency.clone()),
        same_within: opts.same_within,
        layouts,
        rows,
    })
}
