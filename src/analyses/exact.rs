//! Exact mode: when every duration is exponential, the compiled model is a continuous-time Markov
//! chain; its reachable states are enumerated and solved sparsely (no I/O, no simulation).
//!
//! A state holds what the engine's future depends on once every clock is memoryless: each
//! component's status (up, repairing, technician travelling, waiting in its crew's queue with its
//! place), and each role machine's phase, host, last host and whether its state was wiped (a
//! restored or reinstalled role whose node failed). Transitions replay the engine's own rules
//! ([`crate::engine`]): a component fails or is repaired, a crew assigns technicians, and the role
//! machines watching a signal that changed react in order until nothing changes; random branches
//! inside a reaction (coverage, restart success) split a transition by their probabilities.
//! Services and roles are up or down per state through the model's gate graph.

use std::collections::{HashMap, VecDeque};

use thiserror::Error;

use crate::base::dist::Dist;
use crate::base::units::{HOURS_PER_YEAR, Hours};
use crate::model::{CrewPolicy, EntityKind, Model, Recovery, RoleKind, SignalId};

/// Signal levels, as in the engine: down, up with no redundancy left, up and safe.
const DOWN: u8 = 0;
const AT_RISK: u8 = 1;
const SAFE: u8 = 2;

/// Component status codes in a state key; waiting components store `WAIT + place in the queue`.
const UP: u16 = 0;
const REPAIR: u16 = 1;
const DISPATCH: u16 = 2;
const WAIT: u16 = 3;
/// No host (a machine between hosts).
const NO_HOST: u16 = u16::MAX;
const NONE: u32 = u32::MAX;
/// Slots of a role machine in a state key: phase, host, last host, and whether its state is wiped.
const SLOTS: usize = 4;

/// Default limit on the number of states explored.
pub const DEFAULT_MAX_STATES: usize = 2_000_000;
/// Chains up to this size are solved densely (GTH, no subtractions); larger ones by Gauss–Seidel.
pub const DENSE_LIMIT: usize = 1000;
/// Most reactions of role machines to one event before the model is declared unsettled.
const MAX_REACTIONS: usize = 10_000;

/// Why a scenario cannot be solved exactly.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MarkovError {
    /// A duration that is not exponential, named by where it is in the scenario.
    #[error(
        "{what} is {dist}, not exponential: the exact mode needs every duration exponential \
         (memoryless); rerun with --approximate to replace each by an exponential with the same mean"
    )]
    NotExponential {
        /// Where the duration is, e.g. `node web-1 repair`.
        what: String,
        /// The distribution as written.
        dist: String,
    },
    /// A duration with mean zero cannot be approximated by an exponential.
    #[error("{what} is {dist} with mean zero: no exponential has that mean")]
    ZeroMean {
        /// Where the duration is.
        what: String,
        /// The distribution.
        dist: String,
    },
    /// A feature the chain cannot represent.
    #[error("{feature}: {why}")]
    Unsupported {
        /// The feature, e.g. `maintenance.patch_night`.
        feature: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// The reachable state space is larger than the limit.
    #[error(
        "the state space is too large: more than {limit} states ({reached} found, {queued} still \
         to explore); raise --max-states, simplify the scenario, or use the rare-event estimator"
    )]
    TooManyStates {
        /// The limit.
        limit: usize,
        /// States found when exploration stopped.
        reached: usize,
        /// States found but not yet expanded.
        queued: usize,
    },
    /// Some reachable states never return to the all-up start: no unique steady state.
    #[error(
        "{stuck} of {states} reachable states can never return to the all-up start, so there is no \
         single steady state (a role that can deadlock, e.g. reinstalls that wait on each other)"
    )]
    Reducible {
        /// States that cannot reach the start.
        stuck: usize,
        /// Reachable states.
        states: usize,
    },
    /// The iterative solver did not converge.
    #[error(
        "the steady-state solver did not converge on {states} states: relative residual \
         {residual:.2e} after {sweeps} sweeps"
    )]
    NoConvergence {
        /// Chain size.
        states: usize,
        /// Sweeps done.
        sweeps: usize,
        /// Largest relative balance residual left.
        residual: f64,
    },
}

/// How to build and solve the chain.
#[derive(Debug, Clone)]
pub struct Options {
    /// Replace every non-exponential duration by an exponential with the same mean.
    pub approximate: bool,
    /// Give up beyond this many states.
    pub max_states: usize,
    /// Also compute the expected interval availability over the mission (transient, from all up).
    pub interval: bool,
    /// Force the sparse iterative solver even for small chains (for cross-checks).
    pub force_iterative: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            approximate: false,
            max_states: DEFAULT_MAX_STATES,
            interval: true,
            force_iterative: false,
        }
    }
}

/// The life-cycle phase of a role machine (mirrors the engine's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running = 0,
    Switching = 1,
    Restarting = 2,
    ManualRecovery = 3,
    ManualFailover = 4,
    NoHost = 5,
    Recovering = 6,
    WaitSource = 7,
}

impl Phase {
    fn from_code(c: u16) -> Phase {
        match c {
            0 => Phase::Running,
            1 => Phase::Switching,
            2 => Phase::Restarting,
            3 => Phase::ManualRecovery,
            4 => Phase::ManualFailover,
            5 => Phase::NoHost,
            6 => Phase::Recovering,
            _ => Phase::WaitSource,
        }
    }
}

#[derive(Debug, Clone)]
struct CompSpec {
    fail: f64,
    repair: f64,
    crew: Option<usize>,
    priority: u32,
}

#[derive(Debug, Clone)]
struct CrewSpec {
    technicians: u32,
    dispatch: Option<f64>,
    policy: CrewPolicy,
    members: Vec<usize>,
}

#[derive(Debug, Clone)]
struct ReplicaSpec {
    /// The node's own (hardware) signal.
    node: SignalId,
    effective: SignalId,
    automatic: bool,
    needs_witness: bool,
    lossless: bool,
}

#[derive(Debug, Clone, Copy)]
enum Rec {
    Repair,
    Restore(f64),
    Reinstall(f64, Option<SignalId>),
}

#[derive(Debug, Clone)]
struct MachineSpec {
    replicas: Vec<ReplicaSpec>,
    witness: Option<SignalId>,
    failover: Option<f64>,
    coverage: f64,
    manual_recovery: Option<f64>,
    manual_failover: Option<f64>,
    failback: bool,
    /// Crash rate, restart rate, restart success probability.
    software: Option<(f64, f64, f64)>,
    recovery: Rec,
    cluster: bool,
}

/// What a measured entity is: as [`Model::measured`].
#[derive(Debug, Clone)]
pub struct Entity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    gate: SignalId,
}

/// One move out of a state: its rate, the state it leads to, and whether a failure (of a component
/// or of a role's software) started it; everything else is a repair-like event.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// Rate per hour.
    pub rate: f64,
    /// The next state's key.
    pub to: Box<[u16]>,
    /// Started by a failure.
    pub failure: bool,
}

/// The model as a Markov chain: rates resolved, and the rules to generate moves out of any state.
#[derive(Debug)]
pub struct Chain<'m> {
    model: &'m Model,
    comps: Vec<CompSpec>,
    crews: Vec<CrewSpec>,
    machines: Vec<MachineSpec>,
    /// Per signal: the machine whose output it is, or NONE.
    machine_of: Vec<u32>,
    /// Per signal: machines that react when its level changes.
    watch: Vec<Vec<u32>>,
    /// Signals in an order where every signal comes after what it is computed from.
    order: Vec<SignalId>,
    entities: Vec<Entity>,
    /// Durations replaced by exponentials (with `approximate`), as "what: dist".
    pub approximated: Vec<String>,
}

fn rate(
    d: &Dist,
    what: String,
    approximate: bool,
    log: &mut Vec<String>,
) -> Result<f64, MarkovError> {
    let mean = d.mean();
    if !d.is_exponential() {
        if !approximate {
            return Err(MarkovError::NotExponential {
                what,
                dist: d.describe(),
            });
        }
        if mean <= 0.0 || !mean.is_finite() {
            return Err(MarkovError::ZeroMean {
                what,
                dist: d.describe(),
            });
        }
        log.push(format!("{what}: {}", d.describe()));
    }
    Ok(1.0 / mean)
}

impl<'m> Chain<'m> {
    /// Resolves every rate of `model`; errors name the first duration or feature that does not fit.
    pub fn new(model: &'m Model, approximate: bool) -> Result<Self, MarkovError> {
        if let Some(m) = model.maintenance.first() {
            return Err(MarkovError::Unsupported {
                feature: format!("maintenance.{}", m.name),
                why: "planned maintenance runs on a fixed calendar, which no Markov chain represents; \
                      remove the schedule for the exact mode (its effect is then missing), or simulate"
                    .into(),
            });
        }
        let mut log = Vec::new();
        let mut comps = Vec::with_capacity(model.components.len());
        for c in &model.components {
            let who = format!("{} {}", c.kind.as_str(), c.name);
            comps.push(CompSpec {
                fail: rate(&c.failure, format!("{who} failure"), approximate, &mut log)?,
                repair: rate(&c.repair, format!("{who} repair"), approximate, &mut log)?,
                crew: c.crew,
                priority: c.priority,
            });
        }
        let mut crews = Vec::with_capacity(model.crews.len());
        for (k, c) in model.crews.iter().enumerate() {
            let dispatch = match &c.dispatch {
                Some(d) => Some(rate(
                    d,
                    format!("crew {} dispatch", c.name),
                    approximate,
                    &mut log,
                )?),
                None => None,
            };
            crews.push(CrewSpec {
                technicians: c.technicians,
                dispatch,
                policy: c.policy,
                members: (0..comps.len())
                    .filter(|&i| comps[i].crew == Some(k))
                    .collect(),
            });
        }
        let signals = model.graph.signals();
        let mut machine_of = vec![NONE; signals];
        let mut watch: Vec<Vec<u32>> = vec![Vec::new(); signals];
        let mut machines = Vec::new();
        for role in &model.roles {
            let Some(m) = &role.machine else { continue };
            let who = format!("role {}", role.name);
            let mut opt = |d: &Option<Dist>, field: &str| -> Result<Option<f64>, MarkovError> {
                d.as_ref()
                    .map(|d| rate(d, format!("{who} {field}"), approximate, &mut log))
                    .transpose()
            };
            let failover = opt(&m.failover, "failover")?;
            let manual_recovery = opt(&m.manual_recovery, "manual_recovery")?;
            let manual_failover = opt(&m.manual_failover, "manual_failover")?;
            let software = match &m.software {
                Some(sw) => Some((
                    rate(
                        &sw.failure,
                        format!("{who} software.failure"),
                        approximate,
                        &mut log,
                    )?,
                    rate(
                        &sw.restart,
                        format!("{who} software.restart"),
                        approximate,
                        &mut log,
                    )?,
                    sw.restart_success,
                )),
                None => None,
            };
            let recovery = match &m.recovery {
                Recovery::Repair => Rec::Repair,
                Recovery::Restore { restore, .. } => Rec::Restore(rate(
                    restore,
                    format!("{who} recovery.restore"),
                    approximate,
                    &mut log,
                )?),
                Recovery::Reinstall { time, from } => Rec::Reinstall(
                    rate(time, format!("{who} recovery.time"), approximate, &mut log)?,
                    from.map(|j| model.roles[j].gate),
                ),
            };
            let replicas: Vec<ReplicaSpec> = m
                .replicas
                .iter()
                .map(|r| ReplicaSpec {
                    node: r.node as SignalId,
                    effective: model.components[r.node].effective,
                    automatic: r.automatic,
                    needs_witness: r.needs_witness,
                    lossless: r.lag.is_none(),
                })
                .collect();
            let witness = m.witness.map(|w| model.components[w].effective);
            let idx = machines.len() as u32;
            machine_of[m.output as usize] = idx;
            let mut sigs: Vec<SignalId> = replicas.iter().map(|r| r.effective).collect();
            sigs.extend(witness);
            if let Rec::Reinstall(_, Some(g)) = recovery {
                sigs.push(g);
            }
            // As in the engine: a restored or reinstalled role hears its node's own failures.
            if !matches!(recovery, Rec::Repair) {
                sigs.extend(replicas.iter().map(|r| r.node));
            }
            sigs.sort_unstable();
            sigs.dedup();
            for s in sigs {
                watch[s as usize].push(idx);
            }
            machines.push(MachineSpec {
                replicas,
                witness,
                failover,
                coverage: m.coverage,
                // The engine's fallbacks when a delay is not configured.
                manual_recovery: manual_recovery.or(manual_failover).or(failover),
                manual_failover: manual_failover.or(manual_recovery).or(failover),
                failback: m.failback,
                software,
                recovery,
                cluster: matches!(role.kind, RoleKind::Cluster { .. }),
            });
        }
        let order = eval_order(model, &machine_of, &machines);
        let entities = model
            .measured()
            .into_iter()
            .map(|(kind, name, gate)| Entity {
                kind,
                name: name.to_string(),
                gate,
            })
            .collect();
        Ok(Chain {
            model,
            comps,
            crews,
            machines,
            machine_of,
            watch,
            order,
            entities,
            approximated: log,
        })
    }

    /// Measured entities, services first, then roles.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    fn key_len(&self) -> usize {
        self.comps.len() + SLOTS * self.machines.len()
    }

    /// The start state: everything up, every role running on its first replica.
    pub fn initial(&self) -> Box<[u16]> {
        vec![0u16; self.key_len()].into_boxed_slice()
    }

    /// Whether every component is up and every role machine running in state `key`.
    pub fn is_home(&self, key: &[u16]) -> bool {
        let nc = self.comps.len();
        key[..nc].iter().all(|&c| c == UP)
            && (0..self.machines.len())
                .all(|m| Phase::from_code(key[nc + SLOTS * m]) == Phase::Running)
    }

    /// Levels of every signal in state `key`.
    pub fn levels(&self, key: &[u16], out: &mut Vec<u8>) {
        let g = &self.model.graph;
        out.clear();
        out.resize(g.signals(), SAFE);
        let nc = self.comps.len();
        for &s in &self.order {
            let s = s as usize;
            out[s] = if s < g.components {
                if key[s] == UP { AT_RISK } else { DOWN }
            } else if s < g.primitives {
                let m = self.machine_of[s];
                if m == NONE {
                    SAFE
                } else {
                    let m = m as usize;
                    let base = nc + SLOTS * m;
                    let (phase, host) = (Phase::from_code(key[base]), key[base + 1]);
                    if phase != Phase::Running {
                        DOWN
                    } else if self.machines[m]
                        .replicas
                        .iter()
                        .enumerate()
                        .any(|(i, r)| i != host as usize && out[r.effective as usize] != DOWN)
                    {
                        SAFE
                    } else {
                        AT_RISK
                    }
                }
            } else {
                let gi = s - g.primitives;
                let (mut up, mut safe) = (0u32, 0u32);
                for &i in &g.inputs[gi] {
                    let l = out[i as usize];
                    up += (l != DOWN) as u32;
                    safe += (l == SAFE) as u32;
                }
                let need = g.need[gi];
                if up < need {
                    DOWN
                } else if up > need || safe == up {
                    SAFE
                } else {
                    AT_RISK
                }
            };
        }
    }

    /// Whether each measured entity is up in a state whose signal levels are `levels`.
    pub fn entity_up<'a>(&'a self, levels: &'a [u8]) -> impl Iterator<Item = bool> + 'a {
        self.entities
            .iter()
            .map(move |e| levels[e.gate as usize] != DOWN)
    }

    /// Every move out of state `key` (several may lead to the same state; none leads back to it).
    pub fn moves(&self, key: &[u16], out: &mut Vec<Move>) -> Result<(), MarkovError> {
        out.clear();
        let mut levels = Vec::new();
        self.levels(key, &mut levels);
        let nc = self.comps.len();
        let push = |ev: Event, rate: f64, failure: bool, out: &mut Vec<Move>| {
            if rate > 0.0 {
                self.outcomes(key, &levels, ev, rate, failure, out)
            } else {
                Ok(())
            }
        };
        for (c, (spec, &status)) in self.comps.iter().zip(key).enumerate() {
            match status {
                UP => push(Event::Fail(c), spec.fail, true, out)?,
                REPAIR => push(Event::Repaired(c), spec.repair, false, out)?,
                DISPATCH => {
                    let r = spec
                        .crew
                        .and_then(|k| self.crews[k].dispatch)
                        .unwrap_or(0.0);
                    push(Event::Dispatched(c), r, false, out)?
                }
                _ => {}
            }
        }
        for (m, spec) in self.machines.iter().enumerate() {
            let phase = Phase::from_code(key[nc + SLOTS * m]);
            if phase == Phase::Running
                && let Some((crash, _, _)) = spec.software
            {
                push(Event::Crash(m), crash, true, out)?;
            }
            if let Some(r) = self.timer_rate(spec, phase) {
                push(Event::Timer(m), r, false, out)?;
            }
        }
        Ok(())
    }

    /// Rate of a machine's timer in `phase`, if the phase has one.
    fn timer_rate(&self, m: &MachineSpec, phase: Phase) -> Option<f64> {
        match phase {
            Phase::Switching => m.failover,
            Phase::Restarting => m.software.map(|s| s.1),
            Phase::ManualRecovery => m.manual_recovery,
            Phase::ManualFailover => m.manual_failover,
            Phase::Recovering => match m.recovery {
                Rec::Restore(r) | Rec::Reinstall(r, _) => Some(r),
                Rec::Repair => None,
            },
            Phase::Running | Phase::NoHost | Phase::WaitSource => None,
        }
    }

    /// Replays event `ev` in every branch of its random choices, appending one move per outcome.
    fn outcomes(
        &self,
        key: &[u16],
        levels: &[u8],
        ev: Event,
        rate: f64,
        failure: bool,
        out: &mut Vec<Move>,
    ) -> Result<(), MarkovError> {
        let mut prefix: Vec<bool> = Vec::new();
        loop {
            let mut r = Replay {
                chain: self,
                key: key.to_vec(),
                levels: levels.to_vec(),
                scratch: Vec::new(),
                pending: VecDeque::new(),
                queued: vec![false; self.machines.len()],
                prefix: &prefix,
                path: Vec::new(),
                prob: 1.0,
            };
            r.apply(ev);
            r.settle()?;
            let (p, next, mut path) = (r.prob, r.key, r.path);
            if p > 0.0 && next.as_slice() != key {
                let to = next.into_boxed_slice();
                // Several branches can end in the same state.
                match out.iter_mut().find(|m| m.to == to && m.failure == failure) {
                    Some(m) => m.rate += rate * p,
                    None => out.push(Move {
                        rate: rate * p,
                        to,
                        failure,
                    }),
                }
            }
            // Next branch: the last choice taken as `true` is flipped, later ones are forgotten.
            loop {
                match path.pop() {
                    Some(true) => {
                        path.push(false);
                        break;
                    }
                    Some(false) => continue,
                    None => return Ok(()),
                }
            }
            prefix = path;
        }
    }
}

/// Signals ordered so that each comes after the signals its level is computed from.
fn eval_order(model: &Model, machine_of: &[u32], machines: &[MachineSpec]) -> Vec<SignalId> {
    let g = &model.graph;
    let n = g.signals();
    let deps = |s: usize| -> Vec<SignalId> {
        if g.is_gate(s as SignalId) {
            g.inputs[s - g.primitives].clone()
        } else if machine_of[s] != NONE {
            machines[machine_of[s] as usize]
                .replicas
                .iter()
                .map(|r| r.effective)
                .collect()
        } else {
            Vec::new()
        }
    };
    let mut state = vec![0u8; n]; // 0 new, 1 open, 2 done
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, false)];
        while let Some((s, expanded)) = stack.pop() {
            if expanded {
                state[s] = 2;
                order.push(s as SignalId);
                continue;
            }
            if state[s] != 0 {
                continue;
            }
            state[s] = 1;
            stack.push((s, true));
            for d in deps(s) {
                if state[d as usize] == 0 {
                    stack.push((d as usize, false));
                }
            }
        }
    }
    order
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Fail(usize),
    Repaired(usize),
    Dispatched(usize),
    Timer(usize),
    Crash(usize),
}

/// One replay of an event from a state along one branch of its random choices.
struct Replay<'a, 'm> {
    chain: &'a Chain<'m>,
    key: Vec<u16>,
    levels: Vec<u8>,
    scratch: Vec<u8>,
    pending: VecDeque<u32>,
    queued: Vec<bool>,
    /// Choices to take, in order; beyond them every choice is taken as `true` first.
    prefix: &'a [bool],
    path: Vec<bool>,
    prob: f64,
}

impl Replay<'_, '_> {
    /// A Bernoulli draw with success probability `p`: certain outcomes are not branches.
    fn draw(&mut self, p: f64) -> bool {
        if p >= 1.0 {
            return true;
        }
        if p <= 0.0 {
            return false;
        }
        let b = self.prefix.get(self.path.len()).copied().unwrap_or(true);
        self.path.push(b);
        self.prob *= if b { p } else { 1.0 - p };
        b
    }

    /// Recomputes the levels and queues the machines watching any signal whose level changed.
    fn refresh(&mut self) {
        let mut next = std::mem::take(&mut self.scratch);
        self.chain.levels(&self.key, &mut next);
        for (s, (&a, &b)) in self.levels.iter().zip(&next).enumerate() {
            if a != b {
                for &m in &self.chain.watch[s] {
                    if !std::mem::replace(&mut self.queued[m as usize], true) {
                        self.pending.push_back(m);
                    }
                }
            }
        }
        self.scratch = std::mem::replace(&mut self.levels, next);
    }

    fn apply(&mut self, ev: Event) {
        match ev {
            Event::Fail(c) => {
                match self.chain.comps[c].crew {
                    Some(k) => {
                        let waiting = self.chain.crews[k]
                            .members
                            .iter()
                            .filter(|&&x| self.key[x] >= WAIT)
                            .count() as u16;
                        self.key[c] = WAIT + waiting;
                        self.assign(k);
                    }
                    None => self.key[c] = REPAIR,
                }
                self.refresh();
            }
            Event::Repaired(c) => {
                self.key[c] = UP;
                self.refresh();
                if let Some(k) = self.chain.comps[c].crew {
                    self.assign(k);
                }
            }
            Event::Dispatched(c) => self.key[c] = REPAIR,
            Event::Timer(m) => self.timer(m),
            Event::Crash(m) => {
                let host = self.host(m);
                self.enter(m, Phase::Restarting, host);
            }
        }
    }

    /// Gives free technicians of crew `k` to waiting components, in the crew's order.
    fn assign(&mut self, k: usize) {
        let crew = &self.chain.crews[k];
        loop {
            let busy = crew
                .members
                .iter()
                .filter(|&&x| self.key[x] == REPAIR || self.key[x] == DISPATCH)
                .count() as u32;
            if busy >= crew.technicians {
                return;
            }
            let waiting = crew
                .members
                .iter()
                .copied()
                .filter(|&x| self.key[x] >= WAIT);
            let pick = match crew.policy {
                CrewPolicy::Fifo => waiting.min_by_key(|&x| self.key[x]),
                CrewPolicy::Priority => {
                    waiting.min_by_key(|&x| (self.chain.comps[x].priority, self.key[x]))
                }
            };
            let Some(c) = pick else { return };
            let place = self.key[c];
            for &x in &crew.members {
                if self.key[x] > place {
                    self.key[x] -= 1;
                }
            }
            self.key[c] = if crew.dispatch.is_some() {
                DISPATCH
            } else {
                REPAIR
            };
        }
    }

    fn settle(&mut self) -> Result<(), MarkovError> {
        let mut reactions = 0;
        while let Some(m) = self.pending.pop_front() {
            self.queued[m as usize] = false;
            self.reconsider(m as usize);
            reactions += 1;
            if reactions > MAX_REACTIONS {
                return Err(MarkovError::Unsupported {
                    feature: "role machines".into(),
                    why: "they keep reacting to each other without settling".into(),
                });
            }
        }
        Ok(())
    }

    // ----- role machines: the engine's rules, without the bookkeeping of data and backups -----

    fn base(&self, m: usize) -> usize {
        self.chain.comps.len() + SLOTS * m
    }
    fn phase(&self, m: usize) -> Phase {
        Phase::from_code(self.key[self.base(m)])
    }
    fn host(&self, m: usize) -> u16 {
        self.key[self.base(m) + 1]
    }
    fn last(&self, m: usize) -> u16 {
        self.key[self.base(m) + 2]
    }
    fn wiped(&self, m: usize) -> bool {
        self.key[self.base(m) + 3] != 0
    }
    fn set_wiped(&mut self, m: usize, wiped: bool) {
        let b = self.base(m);
        self.key[b + 3] = wiped as u16;
    }
    fn spec(&self, m: usize) -> &MachineSpec {
        &self.chain.machines[m]
    }
    fn replica_up(&self, m: usize, i: usize) -> bool {
        self.levels[self.spec(m).replicas[i].effective as usize] != DOWN
    }
    fn witness_ok(&self, m: usize, i: usize) -> bool {
        let s = self.spec(m);
        !s.replicas[i].needs_witness || s.witness.is_some_and(|w| self.levels[w as usize] != DOWN)
    }

    fn enter(&mut self, m: usize, phase: Phase, host: u16) {
        let b = self.base(m);
        self.key[b] = phase as u16;
        self.key[b + 1] = host;
        self.refresh();
    }

    fn fail_over(&mut self, m: usize, lost: u16, draw_coverage: bool) {
        let n = self.spec(m).replicas.len();
        let lost = lost as usize;
        let auto = (0..n).find(|&i| {
            i != lost
                && self.spec(m).replicas[i].automatic
                && self.replica_up(m, i)
                && self.witness_ok(m, i)
        });
        if let Some(target) = auto {
            let coverage = self.spec(m).coverage;
            if !draw_coverage || self.draw(coverage) {
                self.switch_to(m, target as u16);
            } else {
                self.manual(m, Phase::ManualRecovery);
            }
        } else if (0..n).any(|i| i != lost && self.replica_up(m, i)) {
            self.manual(m, Phase::ManualFailover);
        } else if lost < n && self.replica_up(m, lost) {
            self.manual(m, Phase::ManualRecovery);
        } else {
            self.enter(m, Phase::NoHost, NO_HOST);
        }
    }

    fn switch_to(&mut self, m: usize, target: u16) {
        self.enter(m, Phase::Switching, target);
        if self.spec(m).failover.is_none() {
            self.start(m, target);
        }
    }

    fn manual(&mut self, m: usize, phase: Phase) {
        self.enter(m, phase, NO_HOST);
        if self.chain.timer_rate(self.spec(m), phase).is_none() {
            self.after_manual(m);
        }
    }

    fn best_replica(&self, m: usize) -> Option<u16> {
        let n = self.spec(m).replicas.len();
        if self.spec(m).cluster {
            return (0..n).find(|&i| self.replica_up(m, i)).map(|i| i as u16);
        }
        let last = self.last(m) as usize;
        if self.replica_up(m, last) {
            return Some(last as u16);
        }
        (0..n)
            .find(|&i| self.spec(m).replicas[i].lossless && self.replica_up(m, i))
            .or_else(|| (0..n).find(|&i| self.replica_up(m, i)))
            .map(|i| i as u16)
    }

    fn after_manual(&mut self, m: usize) {
        match self.best_replica(m) {
            Some(h) => self.start(m, h),
            None => self.enter(m, Phase::NoHost, NO_HOST),
        }
    }

    fn start(&mut self, m: usize, h: u16) {
        let b = self.base(m);
        self.key[b + 2] = h;
        self.enter(m, Phase::Running, h);
    }

    fn host_back(&mut self, m: usize, h: u16) {
        if !matches!(self.spec(m).recovery, Rec::Repair) && !self.wiped(m) {
            if h == self.last(m) {
                // Only unavailable, the node kept the state: restart there.
                self.switch_to(m, h);
                return;
            }
            self.set_wiped(m, true);
        }
        match self.spec(m).recovery {
            Rec::Repair => self.switch_to(m, h),
            Rec::Restore(_) => self.enter(m, Phase::Recovering, h),
            Rec::Reinstall(_, from) => {
                if from.is_some_and(|g| self.levels[g as usize] == DOWN) {
                    self.enter(m, Phase::WaitSource, h);
                } else {
                    self.enter(m, Phase::Recovering, h);
                }
            }
        }
    }

    fn reconsider(&mut self, m: usize) {
        // The node holding a restored or reinstalled role's state failed itself: the state is gone.
        if !matches!(self.spec(m).recovery, Rec::Repair)
            && !self.wiped(m)
            && self.levels[self.spec(m).replicas[self.last(m) as usize].node as usize] == DOWN
        {
            self.set_wiped(m, true);
        }
        let host = self.host(m);
        let host_up = host != NO_HOST && self.replica_up(m, host as usize);
        match self.phase(m) {
            Phase::Running => {
                if !host_up {
                    self.fail_over(m, host, true);
                } else if self.spec(m).failback
                    && let Some(better) =
                        (0..host as usize).find(|&i| self.replica_up(m, i) && self.witness_ok(m, i))
                {
                    self.switch_to(m, better as u16);
                }
            }
            Phase::Restarting => {
                if !host_up {
                    self.fail_over(m, host, true);
                }
            }
            Phase::Switching => {
                if !host_up {
                    self.fail_over(m, host, false);
                }
            }
            Phase::NoHost => {
                let n = self.spec(m).replicas.len();
                if let Some(h) = (0..n).find(|&i| self.replica_up(m, i)) {
                    self.host_back(m, h as u16);
                }
            }
            Phase::Recovering => {
                if !host_up {
                    self.enter(m, Phase::NoHost, NO_HOST);
                }
            }
            Phase::WaitSource => {
                if !host_up {
                    self.enter(m, Phase::NoHost, NO_HOST);
                } else {
                    self.host_back(m, host);
                }
            }
            Phase::ManualRecovery | Phase::ManualFailover => {
                // The node's own failure destroyed the state: a restore or reinstall once it is back.
                if self.wiped(m) {
                    self.enter(m, Phase::NoHost, NO_HOST);
                }
            }
        }
    }

    fn timer(&mut self, m: usize) {
        let host = self.host(m);
        match self.phase(m) {
            Phase::Switching => self.start(m, host),
            Phase::Recovering => {
                self.set_wiped(m, false);
                self.start(m, host);
            }
            Phase::Restarting => {
                let p = self.spec(m).software.map_or(1.0, |s| s.2);
                if self.draw(p) {
                    self.enter(m, Phase::Running, host);
                } else {
                    self.fail_over(m, host, true);
                }
            }
            Phase::ManualRecovery | Phase::ManualFailover => self.after_manual(m),
            Phase::Running | Phase::NoHost | Phase::WaitSource => {}
        }
    }
}

/// The reachable chain in compressed sparse rows.
#[derive(Debug, Clone)]
pub struct Space {
    /// Number of states; state 0 is the all-up start.
    pub n: usize,
    /// Row starts into `to`/`rate` (length n + 1).
    pub row: Vec<usize>,
    /// Target state of each transition.
    pub to: Vec<u32>,
    /// Rate of each transition, per hour.
    pub rate: Vec<f64>,
    /// Total exit rate of each state.
    pub exit: Vec<f64>,
    /// Per state and measured entity (`state * entities + e`): the entity's level.
    pub level: Vec<u8>,
    /// Number of measured entities.
    pub entities: usize,
}

impl Space {
    /// Transitions out of state `i` as (target, rate).
    pub fn out(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (self.row[i]..self.row[i + 1]).map(|k| (self.to[k] as usize, self.rate[k]))
    }

    /// Whether entity `e` is down in state `i`.
    pub fn down(&self, i: usize, e: usize) -> bool {
        self.level[i * self.entities + e] == DOWN
    }
}

impl Chain<'_> {
    /// Enumerates the states reachable from the start, breadth first.
    pub fn explore(&self, max_states: usize) -> Result<Space, MarkovError> {
        let mut index: HashMap<Box<[u16]>, u32> = HashMap::new();
        let mut keys: Vec<Box<[u16]>> = Vec::new();
        let start = self.initial();
        index.insert(start.clone(), 0);
        keys.push(start);
        let (mut row, mut to, mut rate, mut exit) =
            (vec![0usize], Vec::new(), Vec::new(), Vec::new());
        let ne = self.entities.len();
        let mut level = Vec::new();
        let mut levels = Vec::new();
        let mut moves = Vec::new();
        let mut merged: Vec<(u32, f64)> = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let key = keys[i].clone();
            self.levels(&key, &mut levels);
            level.extend(self.entities.iter().map(|e| levels[e.gate as usize]));
            self.moves(&key, &mut moves)?;
            merged.clear();
            for mv in moves.drain(..) {
                let j = match index.get(&mv.to) {
                    Some(&j) => j,
                    None => {
                        if keys.len() >= max_states {
                            return Err(MarkovError::TooManyStates {
                                limit: max_states,
                                reached: keys.len(),
                                queued: keys.len() - i,
                            });
                        }
                        let j = keys.len() as u32;
                        index.insert(mv.to.clone(), j);
                        keys.push(mv.to);
                        j
                    }
                };
                merged.push((j, mv.rate));
            }
            merged.sort_unstable_by_key(|m| m.0);
            let mut total = 0.0;
            for (k, &(j, r)) in merged.iter().enumerate() {
                total += r;
                if k > 0 && merged[k - 1].0 == j {
                    *rate.last_mut().expect("a previous entry") += r;
                } else {
                    to.push(j);
                    rate.push(r);
                }
            }
            exit.push(total);
            row.push(to.len());
            i += 1;
        }
        let _ = ne;
        Ok(Space {
            n: keys.len(),
            row,
            to,
            rate,
            exit,
            level,
            entities: self.entities.len(),
        })
    }
}

/// The steady-state distribution and how it was found.
#[derive(Debug, Clone)]
pub struct Stationary {
    /// π, by state.
    pub pi: Vec<f64>,
    /// "dense GTH" or "Gauss–Seidel".
    pub method: &'static str,
    /// Sweeps of the iterative solver (0 for the dense one).
    pub sweeps: usize,
    /// Largest relative balance residual |(πQ)_j| / (π_j q_j) over states.
    pub residual: f64,
}

/// Checks that every state can return to the start (the chain is irreducible).
fn check_irreducible(s: &Space) -> Result<(), MarkovError> {
    let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); s.n];
    for i in 0..s.n {
        for (j, _) in s.out(i) {
            incoming[j].push(i as u32);
        }
    }
    let mut seen = vec![false; s.n];
    seen[0] = true;
    let mut stack = vec![0usize];
    while let Some(j) = stack.pop() {
        for &i in &incoming[j] {
            if !std::mem::replace(&mut seen[i as usize], true) {
                stack.push(i as usize);
            }
        }
    }
    let stuck = seen.iter().filter(|&&x| !x).count();
    if stuck > 0 {
        return Err(MarkovError::Reducible { stuck, states: s.n });
    }
    Ok(())
}

/// Largest relative balance residual of `pi`.
fn residual(s: &Space, incoming: &[(Vec<u32>, Vec<f64>)], pi: &[f64]) -> f64 {
    let mut worst: f64 = 0.0;
    for j in 0..s.n {
        let outflow = pi[j] * s.exit[j];
        let inflow: f64 = incoming[j]
            .0
            .iter()
            .zip(&incoming[j].1)
            .map(|(&i, &r)| pi[i as usize] * r)
            .sum();
        let scale = outflow.max(inflow);
        if scale > 0.0 {
            worst = worst.max((inflow - outflow).abs() / scale);
        }
    }
    worst
}

fn incoming(s: &Space) -> Vec<(Vec<u32>, Vec<f64>)> {
    let mut inc: Vec<(Vec<u32>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); s.n];
    for i in 0..s.n {
        for (j, r) in s.out(i) {
            inc[j].0.push(i as u32);
            inc[j].1.push(r);
        }
    }
    inc
}

/// Solves πQ = 0, Σπ = 1: densely by the Grassmann–Taksar–Heyman algorithm for small chains (it never
/// subtracts, so tiny probabilities keep their relative accuracy), else by Gauss–Seidel sweeps in
/// breadth-first order (also subtraction-free) until the balance residual is below 1e-11.
pub fn stationary(s: &Space, force_iterative: bool) -> Result<Stationary, MarkovError> {
    check_irreducible(s)?;
    let inc = incoming(s);
    if s.n <= DENSE_LIMIT && !force_iterative {
        let pi = gth(s);
        let residual = residual(s, &inc, &pi);
        return Ok(Stationary {
            pi,
            method: "dense GTH",
            sweeps: 0,
            residual,
        });
    }
    const TOL: f64 = 1e-11;
    const MAX_SWEEPS: usize = 200_000;
    let mut pi = vec![1.0 / s.n as f64; s.n];
    let mut sweeps = 0;
    let mut res = f64::INFINITY;
    while sweeps < MAX_SWEEPS {
        // Forward then backward sweeps: flows run both ways (failures deeper, repairs back).
        for pass in 0..2 {
            for jj in 0..s.n {
                let j = if pass == 0 { jj } else { s.n - 1 - jj };
                let (from, rates) = &inc[j];
                let inflow: f64 = from
                    .iter()
                    .zip(rates)
                    .map(|(&i, &r)| pi[i as usize] * r)
                    .sum();
                if s.exit[j] > 0.0 {
                    pi[j] = inflow / s.exit[j];
                }
            }
        }
        let total: f64 = pi.iter().sum();
        for p in &mut pi {
            *p /= total;
        }
        sweeps += 1;
        if sweeps % 10 == 0 || sweeps < 10 {
            res = residual(s, &inc, &pi);
            if res < TOL {
                return Ok(Stationary {
                    pi,
                    method: "Gauss–Seidel",
                    sweeps,
                    residual: res,
                });
            }
        }
    }
    Err(MarkovError::NoConvergence {
        states: s.n,
        sweeps,
        residual: res,
    })
}

/// Grassmann–Taksar–Heyman state reduction on the dense rate matrix.
fn gth(s: &Space) -> Vec<f64> {
    let n = s.n;
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for (j, r) in s.out(i) {
            a[i * n + j] += r;
        }
    }
    for k in (1..n).rev() {
        let sum: f64 = a[k * n..k * n + k].iter().sum();
        // Irreducibility (checked) guarantees a way down from every state after reduction.
        let sum = if sum > 0.0 { sum } else { f64::MIN_POSITIVE };
        for i in 0..k {
            a[i * n + k] /= sum;
        }
        for i in 0..k {
            let aik = a[i * n + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..k {
                if i != j {
                    a[i * n + j] += aik * a[k * n + j];
                }
            }
        }
    }
    let mut pi = vec![0.0; n];
    pi[0] = 1.0;
    for j in 1..n {
        pi[j] = (0..j).map(|i| pi[i] * a[i * n + j]).sum();
    }
    let total: f64 = pi.iter().sum();
    pi.iter().map(|p| p / total).collect()
}

/// Exact figures of one service or role.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExactEntity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    /// Steady-state availability.
    pub availability: f64,
    /// Steady-state unavailability (summed over down states, not 1 − availability).
    pub unavailability: f64,
    /// Outages per year in steady state: Σ over up states of π times the rate into down states.
    pub outages_per_year: f64,
    /// Mean outage, hours: unavailability / outage frequency (NaN when it never goes down).
    pub mean_outage_hours: Hours,
    /// Hours per year up with no redundancy left.
    pub at_risk_hours_per_year: Hours,
    /// Expected unavailability over the mission starting all up (the simulator's figure), when
    /// computed.
    pub interval_unavailability: Option<f64>,
}

/// The exact solution of a scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exact {
    /// Reachable states.
    pub states: usize,
    /// Transitions between distinct states.
    pub transitions: usize,
    /// Solver used.
    pub method: &'static str,
    /// Sweeps of the iterative solver.
    pub sweeps: usize,
    /// Largest relative balance residual of the solution.
    pub residual: f64,
    /// Mission over which interval unavailability is computed, hours.
    pub mission: Hours,
    /// Why the interval figures are missing, when they are.
    pub interval_note: Option<String>,
    /// Durations that were replaced by exponentials (with `approximate`).
    pub approximated: Vec<String>,
    /// Per measured entity, services first.
    pub entities: Vec<ExactEntity>,
}

/// Builds the chain of `model`, solves it and derives every entity's figures.
pub fn solve(model: &Model, opts: &Options) -> Result<Exact, MarkovError> {
    let chain = Chain::new(model, opts.approximate)?;
    let space = chain.explore(opts.max_states)?;
    let st = stationary(&space, opts.force_iterative)?;
    let ne = space.entities;
    let mut entities: Vec<ExactEntity> = chain
        .entities()
        .iter()
        .map(|e| ExactEntity {
            kind: e.kind,
            name: e.name.clone(),
            availability: 0.0,
            unavailability: 0.0,
            outages_per_year: 0.0,
            mean_outage_hours: f64::NAN,
            at_risk_hours_per_year: 0.0,
            interval_unavailability: None,
        })
        .collect();
    let mut up = vec![0.0; ne];
    for i in 0..space.n {
        let p = st.pi[i];
        for (e, x) in entities.iter_mut().enumerate() {
            match space.level[i * ne + e] {
                DOWN => x.unavailability += p,
                AT_RISK => {
                    up[e] += p;
                    x.at_risk_hours_per_year += p * HOURS_PER_YEAR;
                }
                _ => up[e] += p,
            }
            if !space.down(i, e) {
                let into_down: f64 = space
                    .out(i)
                    .filter(|&(j, _)| space.down(j, e))
                    .map(|(_, r)| r)
                    .sum();
                x.outages_per_year += p * into_down * HOURS_PER_YEAR;
            }
        }
    }
    for (e, x) in entities.iter_mut().enumerate() {
        x.availability = up[e];
        if x.outages_per_year > 0.0 {
            x.mean_outage_hours = x.unavailability / x.outages_per_year * HOURS_PER_YEAR;
        }
    }
    let mission = model.simulation.mission;
    let mut interval_note = None;
    if opts.interval {
        let u: Vec<f64> = entities.iter().map(|x| x.unavailability).collect();
        match interval_unavailability(&space, &u, mission) {
            Ok(iu) => {
                for (x, v) in entities.iter_mut().zip(iu) {
                    x.interval_unavailability = Some(v);
                }
            }
            Err(why) => interval_note = Some(why),
        }
    }
    Ok(Exact {
        states: space.n,
        transitions: space.to.len(),
        method: st.method,
        sweeps: st.sweeps,
        residual: st.residual,
        mission,
        interval_note,
        approximated: chain.approximated.clone(),
        entities,
    })
}

/// Work limit of the transient computation (transitions visited).
const INTERVAL_WORK: f64 = 4e9;

/// Expected unavailability over [0, T] from the all-up start, per entity, by uniformisation:
/// ∫₀ᵀ p(t) dt = (1/Λ) Σₖ P(N_T > k) pₖ with pₖ = p₀Pᵏ, P = I + Q/Λ and N_T Poisson(ΛT). Written as
/// T·U + (1/Λ) Σₖ wₖ (pₖ·down − U), the sum stops once pₖ·down has reached U for every entity (its
/// terms then vanish) or the Poisson tail is negligible. Every step adds non-negative terms, so tiny probabilities stay accurate.
fn interval_unavailability(s: &Space, u: &[f64], t: Hours) -> Result<Vec<f64>, String> {
    let ne = s.entities;
    let lambda = 1.02 * s.exit.iter().cloned().fold(0.0, f64::max);
    if lambda <= 0.0 {
        return Ok(u.to_vec());
    }
    let m = lambda * t;
    let kmax = (m + 12.0 * m.sqrt() + 50.0).ceil();
    let nnz = (s.to.len() + s.n) as f64;
    let mut p = vec![0.0; s.n];
    p[0] = 1.0;
    let mut next = vec![0.0; s.n];
    let mut acc = vec![0.0; ne];
    // Poisson(m) probabilities in log space (m can be in the millions).
    let ln_m = m.ln();
    let mut ln_fact = 0.0;
    let mut cdf = 0.0;
    let mut k: u64 = 0;
    let mut calm: u64 = 0;
    loop {
        if (k as f64) * nnz > INTERVAL_WORK {
            return Err(format!(
                "interval availability skipped: the chain mixes too slowly for its size ({} states, \
                 {k} uniformised steps without reaching steady state)",
                s.n
            ));
        }
        let pmf = if k > 0 {
            ln_fact += (k as f64).ln();
            (-m + k as f64 * ln_m - ln_fact).exp()
        } else {
            (-m).exp()
        };
        cdf += pmf;
        let w = (1.0 - cdf).max(0.0);
        let mut worst: f64 = 0.0;
        for e in 0..ne {
            let down: f64 = (0..s.n)
                .filter(|&i| s.level[i * ne + e] == DOWN)
                .map(|i| p[i])
                .sum();
            let d = down - u[e];
            acc[e] += w * d;
            if u[e] > 0.0 {
                worst = worst.max(d.abs() / u[e]);
            }
        }
        // Converged once every entity has stayed at its steady state for a while: parts of the chain
        // that no entity sees (which node a cluster runs on) may mix far more slowly.
        calm = if worst < 1e-10 { calm + 1 } else { 0 };
        if calm > 2000 && calm > k / 10 || k as f64 > kmax || w == 0.0 && k as f64 > m {
            break;
        }
        // pₖ₊₁ = pₖ (I + Q/Λ).
        for i in 0..s.n {
            next[i] = p[i] * (1.0 - s.exit[i] / lambda);
        }
        for (i, &pi) in p.iter().enumerate() {
            if pi == 0.0 {
                continue;
            }
            for (j, r) in s.out(i) {
                next[j] += pi * r / lambda;
            }
        }
        std::mem::swap(&mut p, &mut next);
        k += 1;
    }
    Ok((0..ne).map(|e| (u[e] + acc[e] / m).max(0.0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::compile;

    fn model(text: &str) -> Model {
        compile(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    const POOL: &str = r#"
        [simulation]
        mission = "10y"
        [nodes.n]
        count = 3
        failure = { dist = "exponential", mean = "1000h" }
        repair = { dist = "exponential", mean = "10h" }
        [roles.pool]
        kind = "pool"
        on = "n"
        min_up = 2
    "#;

    #[test]
    fn two_of_three_pool_matches_the_binomial() {
        let m = model(POOL);
        let x = solve(&m, &Options::default()).unwrap();
        assert_eq!(x.states, 8);
        let a = 1000.0 / 1010.0;
        let u = 1.0 - (a * a * a + 3.0 * a * a * (1.0 - a));
        let e = &x.entities[0];
        assert!((e.unavailability / u - 1.0).abs() < 1e-12, "{e:?}");
        // Outages start when a second node fails with exactly one down: 3·q(1−q)²·2λ.
        let q = 1.0 - a;
        let f = 3.0 * q * a * a * 2.0 / 1000.0 * HOURS_PER_YEAR;
        assert!((e.outages_per_year / f - 1.0).abs() < 1e-12);
        // The interval figure is below the steady state (the mission starts all up).
        let iu = e.interval_unavailability.unwrap();
        assert!(iu < u && iu > 0.999 * u, "{iu} vs {u}");
    }

    #[test]
    fn iterative_solver_agrees_with_gth() {
        let text = r#"
            [simulation]
            mission = "1y"
            [crews.ops]
            technicians = 1
            dispatch = { dist = "exponential", mean = "2h" }
            policy = "priority"
            [defaults]
            failure = { dist = "exponential", mean = "300h" }
            repair = { dist = "exponential", mean = "30h" }
            [nodes.a]
            crew = "ops"
            priority = 1
            [nodes.n]
            count = 3
            crew = "ops"
            [roles.vm]
            kind = "cluster"
            on = ["a", "n-1", "n-2"]
            failover = { dist = "exponential", mean = "0.2h" }
            coverage = 0.9
            manual_recovery = { dist = "exponential", mean = "2h" }
            [roles.web]
            kind = "pool"
            on = "n"
            min_up = 2
            requires = ["vm"]
        "#;
        let m = model(text);
        let dense = solve(&m, &Options::default()).unwrap();
        let opts = Options {
            force_iterative: true,
            interval: false,
            ..Options::default()
        };
        let it = solve(&m, &opts).unwrap();
        assert_eq!(dense.method, "dense GTH");
        assert_eq!(it.method, "Gauss–Seidel");
        for (a, b) in dense.entities.iter().zip(&it.entities) {
            assert!(
                (a.unavailability / b.unavailability - 1.0).abs() < 1e-8,
                "{a:?} vs {b:?}"
            );
        }
    }

    #[test]
    fn non_exponential_durations_are_named() {
        let text = POOL.replace(
            r#"repair = { dist = "exponential", mean = "10h" }"#,
            r#"repair = { dist = "lognormal", mean = "10h", sigma = 0.5 }"#,
        );
        let m = model(&text);
        let err = solve(&m, &Options::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("node n-1 repair is lognormal"),
            "{err}"
        );
        let opts = Options {
            approximate: true,
            ..Options::default()
        };
        let x = solve(&m, &opts).unwrap();
        assert_eq!(x.approximated.len(), 3);
        let exact = solve(&model(POOL), &Options::default()).unwrap();
        assert!(
            (x.entities[0].unavailability / exact.entities[0].unavailability - 1.0).abs() < 1e-12
        );
    }

    #[test]
    fn state_limit_reports_the_count() {
        let m = model(POOL);
        let opts = Options {
            max_states: 5,
            ..Options::default()
        };
        match solve(&m, &opts) {
            Err(MarkovError::TooManyStates { limit, reached, .. }) => {
                assert_eq!((limit, reached), (5, 5))
            }
            other => panic!("{other:?}"),
        }
    }
}
