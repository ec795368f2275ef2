//! Rare-event simulation by importance splitting (RESTART) on the event engine itself, for any duration
//! distributions: it never changes the law of the system, it only copies missions that come close to
//! an outage, so no likelihood ratio is needed and nothing has to be exponential.
//!
//! The importance of a state is how much closer it is to an outage of the main entity (the first
//! service, or the first role) than the all-up start, read off the gate graph ([`Importance`]): the
//! smallest set of components whose failure would take it down (so a rack under two nodes counts
//! once), plus the count of failures along paths; threshold `i` is importance `i`. A copy that crosses
//! thresholds upwards is split at the highest of them into `R_i` copies (itself and `R_i − 1`
//! retrials); a retrial dies when it falls back below the threshold it was born at, its original goes
//! on, and everything a copy adds counts with weight 1 / (product of the factors of the splits it is
//! inside). Every copy has the law of the original given the past (`Engine::diverge` redraws each
//! pending random duration from its law given its age), so the weighted sums are unbiased for every
//! measure, not only the main one, whatever the factors. Each main mission, with all its copies, is one
//! independent replication: intervals are plain Student-t over missions, `n` = missions.
//!
//! The factors come from a fixed-effort pilot: entry states of threshold 1 from plain missions, then
//! for each threshold, copies of the states that entered exactly there run until they reach the next
//! threshold or fall back; `R_i ≈ 1 / P(reach i + 1 | entered i)`, which keeps the number of copies
//! about level from threshold to threshold. Outages reached in a leap gain less than that assumes, so
//! a first round also tries milder factors and none, and keeps the narrowest interval per event.
//!
//! The parts, one file each:
//!
//! ```text
//! importance  the importance function: cut sets over the gate graph, and the level of a state
//! pilot       the splitting factors from a fixed-effort pilot
//! restart     the RESTART run: one main mission and all its copies, depth first, in batches
//! ```

use std::time::Instant;

use rayon::prelude::*;

use crate::base::stats::Estimate;
use crate::engine::Engine;
use crate::model::{EntityKind, Model};

mod importance;
mod pilot;
mod restart;

pub use importance::Importance;

use importance::{FAR, Levels};
use pilot::pilot;
use restart::{Acc, Tree, batch};

/// Missions per batch: the unit of parallel work.
pub const BATCH: u64 = 16;
/// Batches per round when running to a target precision (checked between rounds, so the number of
/// missions does not depend on the number of threads).
pub const ROUND: u64 = 16;
/// Most thresholds: distances beyond are merged into the top level.
const MAX_LEVELS: usize = 16;
/// Largest splitting factor.
pub const MAX_FACTOR: u32 = 100_000;
/// Largest product of the given splitting factors: the copies one mission can become.
pub const MAX_COPIES: f64 = 1e12;

/// How to estimate.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    /// Main missions to run (the most, with `target`); rounded up to whole batches.
    pub missions: u64,
    /// Stop as soon as the 95% half-width of the main entity's unavailability is within this fraction
    /// of the estimate.
    pub target: Option<f64>,
    /// Seed of the run (the scenario's unless overridden).
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Splitting factors per threshold (1 = no splitting) instead of the pilot's.
    pub factors: Option<Vec<u32>>,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            missions: 1 << 16,
            target: None,
            seed: 1,
            threads: 1,
            factors: None,
        }
    }
}

/// One threshold of the importance function.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Threshold {
    /// Failures closer to the outage than the all-up start.
    pub importance: u32,
    /// Copies a mission crossing it becomes.
    pub factor: u32,
    /// Pilot estimate of P(reach the next threshold | crossed this one); `None` for the top one, or
    /// when the factors were given.
    pub up_probability: Option<f64>,
    /// Pilot trials behind it.
    pub pilot_trials: u64,
}

/// Estimates for one service or role, over the mission.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SplitEntity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Expected unavailability over the mission, with its 95% interval; `n` is the number of missions.
    pub unavailability: Estimate,
    /// Expected outages per year.
    pub outages_per_year: Estimate,
    /// Mean outage length, hours (ratio of the two sums).
    pub mean_outage: Estimate,
}

/// The result of a splitting run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Split {
    /// Main missions simulated.
    pub missions: u64,
    /// Retrials (copies) made over all of them.
    pub copies: u64,
    /// Events handled, copies included.
    pub events: u64,
    /// The entity the importance function is built for.
    pub guide: String,
    /// Failures that take it down from the all-up start (by the gate graph).
    pub distance: u32,
    /// The thresholds and their factors.
    pub thresholds: Vec<Threshold>,
    /// Wall-clock seconds of the pilot and in all.
    pub pilot_seconds: f64,
    /// Wall-clock seconds in all.
    pub seconds: f64,
    /// Per measured entity, services first.
    pub entities: Vec<SplitEntity>,
    /// Why the run went on without copies, when it did.
    pub note: Option<String>,
}

/// Why splitting cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    /// Bad options.
    #[error("{0}")]
    Options(String),
}

/// A model without its client populations: splitting estimates availability, and the client state is
/// not part of an engine snapshot.
fn without_clients(model: &Model) -> Model {
    let mut m = model.clone();
    m.populations.clear();
    m.requests.clear();
    m
}

/// Estimates every entity's expected unavailability and outage frequency over the mission.
pub fn estimate(model: &Model, opts: &SplitOptions) -> Result<Split, SplitError> {
    let began = Instant::now();
    let mut model = without_clients(model);
    model.simulation.seed = opts.seed;
    let model = &model;
    let measured = model.measured();
    let Some(&(_, guide, target)) = measured.first() else {
        return Err(SplitError::Options(
            "the scenario measures nothing (no service and no role)".into(),
        ));
    };
    let mut engine = Engine::new(model);
    engine.begin(0);
    let mut imp = Importance::new(model, target);
    let full = imp.distance(engine.levels());
    let top = if full.0 >= FAR {
        0
    } else {
        ((full.0 + full.1) as usize).min(MAX_LEVELS)
    };
    let levels = Levels { imp, full, top };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| SplitError::Options(format!("worker threads: {e}")))?;
    let (factors, thresholds) = match &opts.factors {
        Some(f) => {
            if f.len() != top {
                return Err(SplitError::Options(format!(
                    "{} splitting factors given, but {guide} has {top} thresholds (importance 1 to {top}; it goes down after {} failures from all up); give {top}, e.g. {}",
                    f.len(),
                    full.0,
                    vec!["100"; top].join(",")
                )));
            }
            if let Some(bad) = f.iter().find(|&&r| r == 0 || r > MAX_FACTOR) {
                return Err(SplitError::Options(format!(
                    "splitting factor {bad}: expected 1 to {MAX_FACTOR}"
                )));
            }
            let copies: f64 = f.iter().map(|&r| r as f64).product();
            if copies > MAX_COPIES {
                return Err(SplitError::Options(format!(
                    "splitting factors {}: a mission that reaches the top threshold becomes {} copies (their product), more than the {MAX_COPIES:e} a run can finish; use smaller factors, about 1/(probability of reaching the next threshold), or let the pilot choose them",
                    f.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
                    crate::base::format::sig3(copies)
                )));
            }
            let mut all = vec![1];
            all.extend_from_slice(f);
            let th = f
                .iter()
                .enumerate()
                .map(|(i, &r)| Threshold {
                    importance: i as u32 + 1,
                    factor: r,
                    up_probability: None,
                    pilot_trials: 0,
                })
                .collect();
            (all, th)
        }
        None => pilot(model, &levels, &pool),
    };
    let pilot_seconds = began.elapsed().as_secs_f64();
    let ne = measured.len();
    let batches = opts.missions.div_ceil(BATCH).max(2);
    let run = |factors: &[u32], from: u64, to: u64| -> Acc {
        let parts: Vec<Acc> = pool.install(|| {
            (from..to)
                .into_par_iter()
                .map_init(
                    || Tree::new(model, levels.clone(), factors),
                    |tree, b| batch(tree, b),
                )
                .collect()
        });
        let mut total = Acc::new(ne);
        for p in &parts {
            total.merge(p);
        }
        total
    };
    let mut factors = factors;
    let mut thresholds = thresholds;
    let mut total = Acc::new(ne);
    let mut done = 0;
    let mut note = None;
    // Factors of 1 / P(next) balance the copies from threshold to threshold, which is best when
    // outages are reached step by step. Where they often come in a leap (a failover, a rack taking
    // two nodes), milder factors or none do better. The first round tries the pilot's factors, their
    // square roots and none (on a quarter of the events), and the run goes on with the one whose
    // interval is narrowest for the events spent (events, not seconds, so the choice is reproducible).
    if opts.factors.is_none() && factors.iter().any(|&r| r > 1) {
        let first = ROUND.min(batches);
        let full = run(&factors, 0, first);
        let mild: Vec<u32> = factors
            .iter()
            .map(|&r| (r as f64).sqrt().round().max(1.0) as u32)
            .collect();
        let ones = vec![1; factors.len()];
        let cost = |a: &Acc| {
            let e = a.unavailability[0].estimate();
            if e.value > 0.0 {
                e.relative_half_width().powi(2) * a.events.max(1) as f64
            } else {
                f64::INFINITY
            }
        };
        let full_events = full.events;
        let mut best = (cost(&full), 0usize, full, first);
        for (which, f) in [(1usize, &mild), (2, &ones)] {
            let mut acc = Acc::new(ne);
            let mut k = 0;
            // A quarter of the events: the cost per event does not depend on how many are spent.
            while acc.events < full_events / 4 && k < batches {
                let to = (k + ROUND).min(batches);
                acc.merge(&run(f, k, to));
                k = to;
            }
            // Too few missions that saw an outage make the interval itself unreliable.
            let c = cost(&acc);
            if acc.hits >= 30 && c < best.0 {
                best = (c, which, acc, k);
            }
        }
        let (_, which, acc, k) = best;
        if which > 0 {
            factors = if which == 1 { mild } else { ones };
            for t in &mut thresholds {
                t.factor = factors[t.importance as usize];
            }
            note = Some(format!(
                "{}: outages of {guide} often come in a leap rather than failure by failure, and in a first round they gave a narrower interval per event than the pilot's factors",
                if which == 1 {
                    "milder factors (square roots of the pilot's)"
                } else {
                    "no copies (plain missions)"
                }
            ));
        }
        total = acc;
        done = k;
    }
    while done < batches {
        if let Some(t) = opts.target {
            let e = total.unavailability[0].estimate();
            if total.missions > 0 && e.value > 0.0 && e.relative_half_width() <= t {
                break;
            }
        }
        let end = match opts.target {
            Some(_) => (done + ROUND).min(batches),
            None => batches,
        };
        total.merge(&run(&factors, done, end));
        done = end;
    }
    let entities = measured
        .iter()
        .enumerate()
        .map(|(i, (kind, name, _))| SplitEntity {
            kind: *kind,
            name: name.to_string(),
            unavailability: total.unavailability[i].estimate().share(),
            outages_per_year: total.outages[i].estimate().nonnegative(),
            mean_outage: total.mean_outage[i].estimate().nonnegative(),
        })
        .collect();
    Ok(Split {
        missions: total.missions,
        copies: total.copies,
        events: total.events,
        guide: guide.to_string(),
        distance: full.0,
        thresholds,
        pilot_seconds,
        seconds: began.elapsed().as_secs_f64(),
        entities,
        note,
    })
}
