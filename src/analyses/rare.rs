//! Rare-event simulation: importance sampling with balanced failure biasing on regenerative cycles
//! of the Markov chain of [`crate::analyses::exact`], for unavailabilities far beyond plain Monte Carlo.
//!
//! A cycle starts in the all-up state and ends on its first return there. Unavailability is
//! E[downtime in a cycle] / E[cycle length] (regenerative ratio). Each cycle walks the embedded jump
//! chain under a changed law: in a state with both failures and repairs possible, a failure is taken
//! with probability `bias`, spread evenly over the possible failures (balanced), and a repair with
//! probability 1 − `bias`, in proportion to the repair rates; where only failures can happen (all up)
//! they are taken evenly.
//! In states where the first measured entity (the main service) is already down, the true law is
//! used: biasing further failures there only lengthens cycles. Only the first excursion of a cycle
//! (until a state with every component up and every role running) is biased: a cycle can pass
//! through several such states (a cluster now on its second node is not the start state), and
//! biasing every excursion would multiply likelihood-ratio factors whose variance grows
//! geometrically with the number of excursions; the later ones are sampled under the true law. The path's likelihood ratio L (true over biased probabilities of the steps taken so far) weights
//! everything the cycle adds, so the estimates stay unbiased. Holding times are not sampled: each visit
//! adds its expected stay 1/q(s) (a conditional expectation, which only lowers the variance). The
//! interval is the delta method on the ratio of the two cycle sums, like [`crate::base::stats::RatioAcc`].
//!
//! Durations must be exponential (or replaced by exponentials with the same mean, `approximate`):
//! the likelihood ratio is exact only on the Markov chain. The chain is explored lazily, state by
//! state as cycles reach them, so models too large for [`crate::analyses::exact::solve`] still work.

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::analyses::exact::{Chain, MarkovError, Move};
use crate::base::dist::unit_f64;
use crate::base::rng::{Stream, stream};
use crate::base::stats::{Estimate, RatioAcc};
use crate::base::units::HOURS_PER_YEAR;
use crate::model::{EntityKind, Model};

/// Cycles per batch: the unit of parallel work, each batch with its own random stream.
pub const BATCH: u64 = 1024;
/// Batches per round when running to a target precision: the check happens between rounds, so the
/// number of cycles does not depend on the number of threads.
pub const ROUND: u64 = 16;
/// Key of the rare-event random stream.
const STREAM_KEY: u64 = 0x7261_7265_5f69_7331;
/// Steps after which a cycle that has not returned to the start is declared runaway.
const MAX_STEPS: u64 = 100_000_000;

/// How to estimate.
#[derive(Debug, Clone)]
pub struct RareOptions {
    /// Cycles to run (the most, with `target`); rounded up to whole batches.
    pub cycles: u64,
    /// Stop as soon as the 95% half-width of the first entity's unavailability is within this
    /// fraction of the estimate (checked every [`ROUND`] batches).
    pub target: Option<f64>,
    /// Seed: cycles of batch b draw from the stream of (seed, b).
    pub seed: u64,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Probability of taking a failure where a repair is possible too; `None` simulates the true
    /// chain (plain regenerative Monte Carlo, for comparison).
    pub bias: Option<f64>,
    /// Replace non-exponential durations by exponentials with the same mean.
    pub approximate: bool,
}

impl Default for RareOptions {
    fn default() -> Self {
        RareOptions {
            cycles: 1 << 20,
            target: None,
            seed: 1,
            threads: 1,
            bias: Some(0.5),
            approximate: false,
        }
    }
}

/// Estimates for one service or role.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RareEntity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Steady-state unavailability with its 95% interval; `n` is the number of cycles.
    pub unavailability: Estimate,
    /// Outages per year in steady state.
    pub outages_per_year: Estimate,
}

/// The result of a rare-event run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rare {
    /// Regenerative cycles simulated.
    pub cycles: u64,
    /// Jumps of the embedded chain simulated.
    pub steps: u64,
    /// Failure bias used (`None`: plain simulation).
    pub bias: Option<f64>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Durations replaced by exponentials.
    pub approximated: Vec<String>,
    /// Per measured entity, services first.
    pub entities: Vec<RareEntity>,
}

/// A state seen by a worker, with its moves resolved to indices once.
struct Node {
    key: Box<[u16]>,
    expanded: bool,
    /// (rate, target, started by a failure).
    moves: Vec<(f64, u32, bool)>,
    exit: f64,
    failures: u32,
    repair_rate: f64,
    /// Per entity: down here.
    down: Vec<bool>,
    /// Every component up and every role running: the end of an excursion.
    home: bool,
}

/// The part of the chain a worker has explored.
struct Cache<'c, 'm> {
    chain: &'c Chain<'m>,
    index: HashMap<Box<[u16]>, u32>,
    nodes: Vec<Node>,
    moves: Vec<Move>,
    levels: Vec<u8>,
}

impl<'c, 'm> Cache<'c, 'm> {
    fn new(chain: &'c Chain<'m>) -> Self {
        let mut c = Cache {
            chain,
            index: HashMap::new(),
            nodes: Vec::new(),
            moves: Vec::new(),
            levels: Vec::new(),
        };
        c.intern(chain.initial());
        c
    }

    fn intern(&mut self, key: Box<[u16]>) -> u32 {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.nodes.len() as u32;
        self.index.insert(key.clone(), i);
        self.nodes.push(Node {
            key,
            expanded: false,
            moves: Vec::new(),
            exit: 0.0,
            failures: 0,
            repair_rate: 0.0,
            down: Vec::new(),
            home: false,
        });
        i
    }

    fn expand(&mut self, i: u32) -> Result<(), MarkovError> {
        if self.nodes[i as usize].expanded {
            return Ok(());
        }
        let key = self.nodes[i as usize].key.clone();
        let mut moves = std::mem::take(&mut self.moves);
        self.chain.moves(&key, &mut moves)?;
        self.chain.levels(&key, &mut self.levels);
        let down: Vec<bool> = self.chain.entity_up(&self.levels).map(|u| !u).collect();
        // Failures first, so that an even pick among them is an index.
        moves.sort_by_key(|m| !m.failure);
        let mut resolved = Vec::with_capacity(moves.len());
        for m in moves.drain(..) {
            let j = self.intern(m.to);
            resolved.push((m.rate, j, m.failure));
        }
        self.moves = moves;
        let node = &mut self.nodes[i as usize];
        node.exit = resolved.iter().map(|m| m.0).sum();
        node.failures = resolved.iter().filter(|m| m.2).count() as u32;
        node.repair_rate = resolved.iter().filter(|m| !m.2).map(|m| m.0).sum();
        node.moves = resolved;
        node.down = down;
        node.home = self.chain.is_home(&node.key);
        node.expanded = true;
        Ok(())
    }
}

/// Per-batch sums: (downtime, cycle length) and (outages, cycle length) ratios per entity.
#[derive(Clone, Default)]
struct Acc {
    unavailability: Vec<RatioAcc>,
    outages: Vec<RatioAcc>,
    cycles: u64,
    steps: u64,
}

impl Acc {
    fn new(entities: usize) -> Self {
        Acc {
            unavailability: vec![RatioAcc::default(); entities],
            outages: vec![RatioAcc::default(); entities],
            cycles: 0,
            steps: 0,
        }
    }

    fn merge(&mut self, o: &Acc) {
        for (a, b) in self.unavailability.iter_mut().zip(&o.unavailability) {
            a.merge(b);
        }
        for (a, b) in self.outages.iter_mut().zip(&o.outages) {
            a.merge(b);
        }
        self.cycles += o.cycles;
        self.steps += o.steps;
    }
}

/// Runs batch `b`: [`BATCH`] cycles from the start state.
fn batch(cache: &mut Cache<'_, '_>, b: u64, opts: &RareOptions) -> Result<Acc, MarkovError> {
    let ne = cache.chain.entities().len();
    let mut rng: Stream = stream(opts.seed, b, STREAM_KEY);
    let mut acc = Acc::new(ne);
    let mut down_time = vec![0.0; ne];
    let mut outages = vec![0.0; ne];
    for _ in 0..BATCH {
        down_time.fill(0.0);
        outages.fill(0.0);
        let mut length = 0.0;
        let mut weight = 1.0;
        let mut cur = 0u32;
        let mut steps = 0u64;
        let mut biasing = opts.bias;
        loop {
            cache.expand(cur)?;
            let node = &cache.nodes[cur as usize];
            if node.exit <= 0.0 {
                return Err(MarkovError::Unsupported {
                    feature: "rare-event simulation".into(),
                    why: "a state with no way out was reached (the chain is not irreducible)"
                        .into(),
                });
            }
            let stay = 1.0 / node.exit;
            length += weight * stay;
            for (e, &d) in node.down.iter().enumerate() {
                if d {
                    down_time[e] += weight * stay;
                }
            }
            let (k, biased) = choose(node, biasing, &mut rng);
            let (rate, next, _) = node.moves[k];
            weight *= rate / node.exit / biased;
            steps += 1;
            if steps > MAX_STEPS {
                return Err(MarkovError::Unsupported {
                    feature: "rare-event simulation".into(),
                    why: format!("a cycle did not return to the all-up state in {MAX_STEPS} steps"),
                });
            }
            if next == 0 {
                break;
            }
            cache.expand(next)?;
            let (from, to) = (&cache.nodes[cur as usize], &cache.nodes[next as usize]);
            for ((o, &a), &b) in outages.iter_mut().zip(&from.down).zip(&to.down) {
                if !a && b {
                    *o += weight;
                }
            }
            // Only the first excursion from the all-up state is biased: a cycle can pass through
            // other all-up states (a cluster on its second node), and biasing every excursion would
            // multiply likelihood-ratio factors whose variance grows geometrically.
            if to.home {
                biasing = None;
            }
            cur = next;
        }
        for e in 0..ne {
            acc.unavailability[e].add(down_time[e], length, 1.0);
            acc.outages[e].add(outages[e], length, 1.0);
        }
        acc.cycles += 1;
        acc.steps += steps;
    }
    Ok(acc)
}

/// Picks a move of `node` under the biased law; returns it and its biased probability.
fn choose(node: &Node, bias: Option<f64>, rng: &mut Stream) -> (usize, f64) {
    let nf = node.failures as usize;
    let u = unit_f64(rng);
    let pick_by_rate = |moves: &[(f64, u32, bool)], offset: usize, total: f64, u: f64| {
        let mut target = u * total;
        for (i, m) in moves.iter().enumerate() {
            target -= m.0;
            if target < 0.0 {
                return offset + i;
            }
        }
        offset + moves.len() - 1
    };
    // Once the target is down, the true law brings the cycle home fastest.
    let bias = bias.filter(|_| !node.down.first().copied().unwrap_or(false));
    match bias {
        Some(b) if nf > 0 && node.repair_rate > 0.0 => {
            if u < b {
                let i = ((u / b) * nf as f64) as usize;
                (i.min(nf - 1), b / nf as f64)
            } else {
                let v = (u - b) / (1.0 - b);
                let k = pick_by_rate(&node.moves[nf..], nf, node.repair_rate, v);
                (k, (1.0 - b) * node.moves[k].0 / node.repair_rate)
            }
        }
        // Balanced: failures evenly where nothing else can happen (all up), so that a rare cause
        // (a power feed among servers) starts its share of excursions.
        Some(_) if nf > 0 => {
            let i = ((u * nf as f64) as usize).min(nf - 1);
            (i, 1.0 / nf as f64)
        }
        _ => {
            let k = pick_by_rate(&node.moves, 0, node.exit, u);
            (k, node.moves[k].0 / node.exit)
        }
    }
}

/// Estimates every entity's steady-state unavailability and outage frequency.
pub fn estimate(model: &Model, opts: &RareOptions) -> Result<Rare, MarkovError> {
    if let Some(b) = opts.bias
        && !(b > 0.0 && b < 1.0)
    {
        return Err(MarkovError::Unsupported {
            feature: format!("failure bias {b}"),
            why: "expected a probability strictly between 0 and 1, e.g. 0.5".into(),
        });
    }
    let began = Instant::now();
    let chain = Chain::new(model, opts.approximate)?;
    let ne = chain.entities().len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| MarkovError::Unsupported {
            feature: "worker threads".into(),
            why: e.to_string(),
        })?;
    let batches = opts.cycles.div_ceil(BATCH).max(2);
    let mut total = Acc::new(ne);
    let mut done = 0;
    while done < batches {
        let end = match opts.target {
            Some(_) => (done + ROUND).min(batches),
            None => batches,
        };
        let parts: Vec<Result<Acc, MarkovError>> = pool.install(|| {
            (done..end)
                .into_par_iter()
                // The cache only memoises a pure function of the state, so sharing it between the
                // batches a worker happens to run cannot change any result.
                .map_init(|| Cache::new(&chain), |cache, b| batch(cache, b, opts))
                .collect()
        });
        for p in parts {
            total.merge(&p?);
        }
        done = end;
        if let Some(t) = opts.target {
            let e = total.unavailability[0].estimate();
            if e.value > 0.0 && e.relative_half_width() <= t {
                break;
            }
        }
    }
    let per_year = |e: Estimate| e.map(|x| x * HOURS_PER_YEAR);
    let entities = chain
        .entities()
        .iter()
        .enumerate()
        .map(|(i, e)| RareEntity {
            kind: e.kind,
            name: e.name.clone(),
            unavailability: total.unavailability[i].estimate().share(),
            outages_per_year: per_year(total.outages[i].estimate().nonnegative()),
        })
        .collect();
    Ok(Rare {
        cycles: total.cycles,
        steps: total.steps,
        bias: opts.bias,
        seconds: began.elapsed().as_secs_f64(),
        approximated: chain.approximated.clone(),
        entities,
    })
}

/// Replications of a plain simulation of `mission` hours needed for a 95% half-width of `rel` ×
/// the unavailability `u` of an entity with `outages_per_year`, if outages are rare (at most one in
/// most missions) and about exponentially long: the downtime of a mission is then a compound
/// Poisson sum whose relative variance is 2 / E[outages per mission].
pub fn plain_replications(outages_per_year: f64, mission_hours: f64, rel: f64) -> f64 {
    let per_mission = outages_per_year * mission_hours / HOURS_PER_YEAR;
    (1.96 / rel).powi(2) * 2.0 / per_mission
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::exact::{Options, solve};
    use crate::scenario::compile;

    #[test]
    fn biased_and_plain_cycles_agree_with_the_exact_chain() {
        let m = compile(
            r#"
            [simulation]
            mission = "1y"
            [nodes.n]
            count = 3
            failure = { dist = "exponential", mean = "100h" }
            repair = { dist = "exponential", mean = "10h" }
            [roles.pool]
            kind = "pool"
            on = "n"
            min_up = 2
            "#,
            "t.toml",
        )
        .unwrap();
        let exact = solve(&m, &Options::default()).unwrap().entities[0].unavailability;
        for bias in [Some(0.5), None] {
            let opts = RareOptions {
                cycles: 200_000,
                bias,
                threads: 2,
                ..RareOptions::default()
            };
            let r = estimate(&m, &opts).unwrap();
            let e = r.entities[0].unavailability;
            let se = (e.ci95_high - e.value) / 1.96;
            assert!(
                ((e.value - exact) / se).abs() < 4.0,
                "{bias:?}: {e:?} vs {exact}"
            );
            let one = estimate(&m, &RareOptions { threads: 1, ..opts }).unwrap();
            assert_eq!(one.entities[0].unavailability, e);
        }
    }
}
