//! The chain's states and their rules: the layout of a state key, the model's durations resolved to
//! rates (the specs), and the level of every signal in a state.

use crate::base::dist::Dist;
use crate::model::{
    CrewPolicy, EntityKind, HostGroup, Model, NO_SET, Recovery, RoleKind, SignalId,
};

use super::MarkovError;

/// Signal levels, as in the engine: down, up with no redundancy left, up and safe.
pub(super) const DOWN: u8 = 0;
pub(super) const AT_RISK: u8 = 1;
pub(super) const SAFE: u8 = 2;

/// Component status codes in a state key; waiting components store `WAIT + place in the queue`.
pub(super) const UP: u16 = 0;
pub(super) const REPAIR: u16 = 1;
pub(super) const DISPATCH: u16 = 2;
pub(super) const WAIT: u16 = 3;
/// Waiting for a spare part: `PART + place in the stock's line` (crew places run from `WAIT` up to
/// below it, part places from here up to below `SHIP`).
pub(super) const PART: u16 = 0x8000;
/// Its spare part is being shipped to it.
pub(super) const SHIP: u16 = u16::MAX - 2;
/// A cold or warm standby node that failed unseen while idle: up for every signal, nothing pending.
pub(super) const HIDDEN: u16 = u16::MAX - 1;
/// No host (a machine between hosts).
pub(super) const NO_HOST: u16 = u16::MAX;
pub(super) const NONE: u32 = u32::MAX;
/// Slots of a role machine in a state key: phase, host, last host, and whether its state is wiped.
pub(super) const SLOTS: usize = 4;

/// The life-cycle phase of a role machine (mirrors the engine's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
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
    pub(super) fn from_code(c: u16) -> Phase {
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
pub(super) struct CompSpec {
    pub(super) fail: f64,
    pub(super) repair: f64,
    pub(super) crew: Option<usize>,
    pub(super) priority: u32,
    /// The stock whose part its repair needs.
    pub(super) spare: Option<usize>,
    /// A cold or warm standby node: its machine, its replica index there, and its dormant pace.
    pub(super) standby: Option<(usize, u16, f64)>,
    /// A node of a pool with standby instances: the pool and its place there.
    pub(super) pool: Option<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub(super) struct CrewSpec {
    pub(super) technicians: u32,
    pub(super) dispatch: Option<f64>,
    pub(super) policy: CrewPolicy,
    pub(super) members: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct ReplicaSpec {
    /// The node's own (hardware) signal.
    pub(super) node: SignalId,
    /// Up while the role can run there (the node's effective signal, with its cluster's quorum).
    pub(super) effective: SignalId,
    pub(super) automatic: bool,
    pub(super) needs_witness: bool,
    pub(super) lossless: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Rec {
    Repair,
    Restore(f64),
    Reinstall(f64, Option<SignalId>),
}

#[derive(Debug, Clone)]
pub(super) struct MachineSpec {
    pub(super) replicas: Vec<ReplicaSpec>,
    pub(super) witness: Option<SignalId>,
    pub(super) failover: Option<f64>,
    pub(super) coverage: f64,
    pub(super) manual_recovery: Option<f64>,
    pub(super) manual_failover: Option<f64>,
    pub(super) failback: bool,
    /// Crash rate, restart rate, restart success probability.
    pub(super) software: Option<(f64, f64, f64)>,
    pub(super) recovery: Rec,
    pub(super) cluster: bool,
    /// Cold or warm standby: idle nodes age slower and fail unseen (see the engine's `standby`).
    pub(super) dormant: bool,
    /// The quorum signal of its cluster, if any: the output is never safer than quorum.
    pub(super) quorum: Option<SignalId>,
}

/// A cluster with dynamic quorum: its votes in force are part of the state (one key slot per voter,
/// 1 where the vote differs from the start), and its adjustment is a move at `rate`.
#[derive(Debug, Clone)]
pub(super) struct QuorumSpec {
    /// Index in the model's `quorums`.
    pub(super) index: usize,
    /// First key slot.
    pub(super) base: usize,
    /// Adjustment rate per hour.
    pub(super) rate: f64,
    /// Votes in force at the start.
    pub(super) initial: u128,
}

/// A host group (its rules are in `hosts`): where its VMs' slots start, their start hosts, and the boot rate.
#[derive(Debug, Clone)]
pub(super) struct GroupSpec {
    /// Index in the model's `host_groups`.
    pub(super) index: usize,
    /// First key slot (two per VM).
    pub(super) base: usize,
    /// Boot rate per hour.
    pub(super) boot: f64,
    /// Migration pause rate per hour, if the group pauses.
    pub(super) pause: Option<f64>,
    /// Per VM: its host at the start (everything up).
    pub(super) start: Vec<usize>,
}

/// Start hosts of a group's VMs: placed in turn by the placement rule with every host up.
pub(super) fn start_hosts(g: &HostGroup) -> Vec<usize> {
    let mut hosts: Vec<Option<usize>> = vec![None; g.vms.len()];
    for v in 0..g.vms.len() {
        let (load, sib) = loads(g, &hosts, v);
        hosts[v] = g.pick(|_| true, &load, &sib);
    }
    hosts
        .into_iter()
        .map(|h| h.expect("the scenario checks that every VM fits with every host up"))
        .collect()
}

/// Per host: VMs on it, and anti-affine siblings of VM `v` on it (VM `v` itself not counted).
pub(super) fn loads(g: &HostGroup, hosts: &[Option<usize>], v: usize) -> (Vec<u32>, Vec<u32>) {
    let mut load = vec![0u32; g.hosts.len()];
    let mut sib = vec![0u32; g.hosts.len()];
    for (w, h) in hosts.iter().enumerate() {
        let Some(h) = *h else { continue };
        if w == v {
            continue;
        }
        load[h] += 1;
        if g.anti[v] != NO_SET && g.anti[w] == g.anti[v] {
            sib[h] += 1;
        }
    }
    (load, sib)
}

/// What a measured entity is: as [`Model::measured`].
#[derive(Debug, Clone)]
pub struct Entity {
    /// Service or role.
    pub kind: EntityKind,
    /// Its name.
    pub name: String,
    pub(super) gate: SignalId,
}

/// A stock: its parts, rates, key slot and the components that take its parts.
#[derive(Debug, Clone)]
pub(super) struct StockSpec {
    pub(super) parts: u16,
    pub(super) lead: f64,
    pub(super) ship: Option<f64>,
    /// Key slot of its outstanding reorders.
    pub(super) slot: usize,
    pub(super) members: Vec<usize>,
}

/// The stocks of `model`, their slots from `base` on.
pub(super) fn stock_specs(
    model: &Model,
    base: usize,
    approximate: bool,
    log: &mut Vec<String>,
) -> Result<Vec<StockSpec>, MarkovError> {
    let mut out = Vec::with_capacity(model.stocks.len());
    for (k, s) in model.stocks.iter().enumerate() {
        let who = format!("stock {}", s.name);
        let ship = match &s.ship {
            Some(d) => Some(rate(d, format!("{who} ship"), approximate, log)?),
            None => None,
        };
        out.push(StockSpec {
            parts: s.parts as u16,
            lead: rate(&s.lead, format!("{who} lead"), approximate, log)?,
            ship,
            slot: base + k,
            members: (0..model.components.len())
                .filter(|&c| model.components[c].spare == Some(k))
                .collect(),
        });
    }
    Ok(out)
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
    pub(super) model: &'m Model,
    pub(super) comps: Vec<CompSpec>,
    pub(super) crews: Vec<CrewSpec>,
    /// Spare-part stocks (their slots are the key's last).
    pub(super) stocks: Vec<StockSpec>,
    pub(super) machines: Vec<MachineSpec>,
    /// Clusters with dynamic quorum.
    pub(super) quorums: Vec<QuorumSpec>,
    /// Per signal: for a vote-in-force primitive, its key slot times 2, plus 1 for the "out of
    /// force" complement; NONE otherwise.
    pub(super) vote_of: Vec<u32>,
    /// Host groups with virtual machines.
    pub(super) groups: Vec<GroupSpec>,
    /// Pools with standby instances (their slots follow the stocks').
    pub(super) pools: Vec<super::standby::PoolSpec>,
    /// Per signal: for a pool's "active and up" primitive, `pool << 16 | node`; NONE otherwise.
    pub(super) serving_of: Vec<u32>,
    /// Per signal: for a VM's `placed` primitive, the VM's flat index; NONE otherwise.
    pub(super) placed_of: Vec<u32>,
    /// Per signal: the machine whose output it is, or NONE.
    pub(super) machine_of: Vec<u32>,
    /// Per signal: machines that react when its level changes.
    pub(super) watch: Vec<Vec<u32>>,
    /// Signals in an order where every signal comes after what it is computed from.
    pub(super) order: Vec<SignalId>,
    pub(super) entities: Vec<Entity>,
    /// Durations replaced by exponentials (with `approximate`), as "what: dist".
    pub approximated: Vec<String>,
    /// Per phase, every gate's need in it; empty when no phase changes a pool's `min_up`.
    pub(super) phase_needs: Vec<Vec<u32>>,
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

/// A failure rate: 0 for a time to failure that is `"never"` (the component or software does not
/// fail in the study), else as [`rate`].
fn fail_rate(
    d: &Dist,
    what: String,
    approximate: bool,
    log: &mut Vec<String>,
) -> Result<f64, MarkovError> {
    if d.is_never() {
        return Ok(0.0);
    }
    rate(d, what, approximate, log)
}

impl<'m> Chain<'m> {
    /// Resolves every rate of `model`; errors name the first duration or feature that does not fit.
    /// Phases are refused (the rare-event estimator needs one reward); see [`Chain::phased`].
    pub fn new(model: &'m Model, approximate: bool) -> Result<Self, MarkovError> {
        Self::build(model, approximate, false)
    }

    pub(super) fn build(
        model: &'m Model,
        approximate: bool,
        phased: bool,
    ) -> Result<Self, MarkovError> {
        if let Some(m) = model.maintenance.first() {
            return Err(MarkovError::Unsupported {
                feature: format!("maintenance.{}", m.name),
                why: "planned maintenance runs on a fixed calendar, which no Markov chain represents; \
                      remove the schedule for the exact mode (its effect is then missing), or simulate"
                    .into(),
            });
        }
        if let Some(p) = model.phases.list.first().filter(|_| !phased) {
            return Err(MarkovError::Unsupported {
                feature: format!("phases.{}", p.name),
                why: "phases change the system on a fixed calendar, which the one time-homogeneous \
                      chain of the rare-event estimator and the importance measures does not \
                      represent; `nines exact` gives per-phase figures, or simulate with `nines run`"
                    .into(),
            });
        }
        if let Some(i) = model.inspections.first() {
            return Err(MarkovError::Unsupported {
                feature: format!("inspections.{}.every", i.name),
                why: "inspections come on a fixed calendar, which no Markov chain represents (the \
                      mean hidden time of a failure depends on where it falls between two \
                      inspections); simulate with `nines run`"
                    .into(),
            });
        }
        // A move by a crew holds a technician the repairs then wait for, from a fixed delay on.
        if let Some(q) = model
            .requests
            .iter()
            .find(|q| q.reassign.as_ref().is_some_and(|r| r.crew.is_some()))
        {
            let population = q.name.split_once('.').map_or(q.name.as_str(), |p| p.0);
            return Err(MarkovError::Unsupported {
                feature: format!("clients.{population}.reassign.crew"),
                why: "the move holds a technician of the crew from a fixed delay into the outage on, \
                      which no Markov chain represents (the crew's repairs wait for it); simulate \
                      with `nines run`, or leave out `crew` (a fixed operator delay, which changes \
                      no service)"
                    .into(),
            });
        }
        if let Some(c) = model.components.iter().find(|c| c.latent) {
            let what = if c.silent {
                format!("nodes.{}.silent", c.name)
            } else {
                format!("backup_job = \"{}\"", c.name)
            };
            return Err(MarkovError::Unsupported {
                feature: what,
                why: "a silent node or a backup job matters through hidden time and backups taken \
                      on a calendar, which the exact mode does not model; simulate with `nines run`"
                    .into(),
            });
        }
        let mut log = Vec::new();
        let mut comps = Vec::with_capacity(model.components.len());
        for c in &model.components {
            let who = format!("{} {}", c.kind.as_str(), c.name);
            comps.push(CompSpec {
                fail: fail_rate(&c.failure, format!("{who} failure"), approximate, &mut log)?,
                // A component that never fails is never repaired either: its repair law does not matter.
                repair: if c.failure.is_never() {
                    0.0
                } else {
                    rate(&c.repair, format!("{who} repair"), approximate, &mut log)?
                },
                crew: c.crew,
                priority: c.priority,
                spare: c.spare,
                standby: None,
                pool: None,
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
                    fail_rate(
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
                    effective: r.up,
                    automatic: r.automatic,
                    needs_witness: r.needs_witness,
                    lossless: r.lag.is_none(),
                })
                .collect();
            let witness = m.witness.map(|w| model.components[w].effective);
            let idx = machines.len() as u32;
            machine_of[m.output as usize] = idx;
            if let Some(d) = m.dormant {
                // A hot cluster's silent nodes hide their failures while idle (at full pace).
                for (i, r) in m.replicas.iter().enumerate() {
                    if d < 1.0 || model.components[r.node].silent {
                        comps[r.node].standby = Some((idx as usize, i as u16, d));
                    }
                }
            }
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
                dormant: m.dormant.is_some(),
                quorum: m.quorum.map(|q| model.quorums[q].signal),
            });
        }
        let mut quorums = Vec::new();
        let mut vote_of = vec![NONE; signals];
        let mut base = comps.len() + SLOTS * machines.len();
        for (index, q) in model.quorums.iter().enumerate() {
            let Some(d) = &q.adjustment else { continue };
            let rate = rate(
                d,
                format!("cluster {} adjustment", q.name),
                approximate,
                &mut log,
            )?;
            for i in 0..q.voters.len() {
                vote_of[q.in_force[i] as usize] = 2 * (base + i) as u32;
                vote_of[q.out_of_force[i] as usize] = 2 * (base + i) as u32 + 1;
            }
            quorums.push(QuorumSpec {
                index,
                base,
                rate,
                initial: q.initial(),
            });
            base += q.voters.len();
        }
        let mut groups = Vec::new();
        let mut placed_of = vec![NONE; signals];
        let mut flat = 0u32;
        for (index, g) in model.host_groups.iter().enumerate() {
            let boot = rate(
                &g.boot,
                format!("host group {} boot", g.name),
                approximate,
                &mut log,
            )?;
            let pause = match &g.migration_pause {
                Some(d) => Some(rate(
                    d,
                    format!("host group {} migration_pause", g.name),
                    approximate,
                    &mut log,
                )?),
                None => None,
            };
            for &p in &g.placed {
                placed_of[p as usize] = flat;
                flat += 1;
            }
            let w = (machines.len() + index) as u32;
            let mut sigs = g.host_up.clone();
            sigs.sort_unstable();
            sigs.dedup();
            for s in sigs {
                watch[s as usize].push(w);
            }
            groups.push(GroupSpec {
                index,
                base,
                boot,
                pause,
                start: start_hosts(g),
            });
            base += 2 * g.vms.len();
        }
        let stocks = stock_specs(model, base, approximate, &mut log)?;
        let (pools, serving_of) =
            super::standby::pool_specs(model, base + stocks.len(), |d, what| {
                rate(d, what, approximate, &mut log)
            })?;
        for (p, spec) in pools.iter().enumerate() {
            let w = (machines.len() + groups.len() + p) as u32;
            for (k, (&c, &e)) in spec.nodes.iter().zip(&spec.effective).enumerate() {
                comps[c].pool = Some((p, k));
                watch[e as usize].push(w);
            }
        }
        let order = signal_order(model, &machine_of, &machines, &pools, &serving_of);
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
            stocks,
            machines,
            quorums,
            groups,
            pools,
            serving_of,
            placed_of,
            vote_of,
            machine_of,
            watch,
            order,
            entities,
            approximated: log,
            phase_needs: Vec::new(),
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
        let votes: usize = self
            .quorums
            .iter()
            .map(|q| self.model.quorums[q.index].voters.len())
            .sum();
        let vms: usize = self.groups.iter().map(|g| 2 * g.start.len()).sum();
        let pools: usize = self.pools.iter().map(|p| p.nodes.len()).sum();
        self.comps.len() + SLOTS * self.machines.len() + votes + vms + self.stocks.len() + pools
    }

    /// Votes in force of dynamic-quorum cluster `q` (index into `quorums`) in state `key`.
    pub(super) fn votes(&self, q: usize, key: &[u16]) -> u128 {
        let spec = &self.quorums[q];
        let n = self.model.quorums[spec.index].voters.len();
        let mut flipped = 0u128;
        for i in 0..n {
            if key[spec.base + i] != 0 {
                flipped |= 1 << i;
            }
        }
        spec.initial ^ flipped
    }

    /// The start state: everything up, every role running on its first replica.
    pub fn initial(&self) -> Box<[u16]> {
        vec![0u16; self.key_len()].into_boxed_slice()
    }

    /// Whether every component is up and every role machine running in state `key`.
    pub fn is_home(&self, key: &[u16]) -> bool {
        let nc = self.comps.len();
        let votes = nc + SLOTS * self.machines.len();
        key[..nc].iter().all(|&c| c == UP || c == HIDDEN)
            && (0..self.machines.len())
                .all(|m| Phase::from_code(key[nc + SLOTS * m]) == Phase::Running)
            && key[votes..].iter().all(|&v| v == 0)
    }

    /// Levels of every signal in state `key`.
    pub fn levels(&self, key: &[u16], out: &mut Vec<u8>) {
        self.levels_with(key, &self.model.graph.need, out)
    }

    /// [`Chain::levels`] with each gate needing `need[gate]` of its inputs up (a phase's `min_up`).
    pub(super) fn levels_with(&self, key: &[u16], need: &[u32], out: &mut Vec<u8>) {
        let g = &self.model.graph;
        out.clear();
        out.resize(g.signals(), SAFE);
        let nc = self.comps.len();
        for &s in &self.order {
            let s = s as usize;
            out[s] =
                if s < g.components {
                    if key[s] == UP || key[s] == HIDDEN {
                        AT_RISK
                    } else {
                        DOWN
                    }
                } else if s < g.primitives {
                    let m = self.machine_of[s];
                    let v = self.vote_of[s];
                    if self.placed_of[s] != NONE {
                        self.placed_level(self.placed_of[s], key)
                    } else if self.serving_of[s] != NONE {
                        self.serving_level(self.serving_of[s], key, out)
                    } else if v != NONE {
                        let spec = self.quorums.iter().rfind(|q| q.base <= (v / 2) as usize);
                        let spec = spec.expect("a vote slot belongs to a cluster");
                        let i = (v / 2) as usize - spec.base;
                        let flipped = key[(v / 2) as usize] != 0;
                        let on = (spec.initial >> i) & 1 == 1;
                        if (on != flipped) == v.is_multiple_of(2) {
                            SAFE
                        } else {
                            DOWN
                        }
                    } else if m == NONE {
                        SAFE
                    } else {
                        let m = m as usize;
                        let base = nc + SLOTS * m;
                        let (phase, host) = (Phase::from_code(key[base]), key[base + 1]);
                        let l =
                            if phase != Phase::Running {
                                DOWN
                            } else if self.machines[m].replicas.iter().enumerate().any(|(i, r)| {
                                i != host as usize && out[r.effective as usize] != DOWN
                            }) {
                                SAFE
                            } else {
                                AT_RISK
                            };
                        match self.machines[m].quorum {
                            Some(q) => l.min(out[q as usize]),
                            None => l,
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
                    let need = need[gi];
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
}

/// Signals ordered so that each comes after the signals its level is computed from.
fn signal_order(
    model: &Model,
    machine_of: &[u32],
    machines: &[MachineSpec],
    pools: &[super::standby::PoolSpec],
    serving_of: &[u32],
) -> Vec<SignalId> {
    super::order::eval_order(model.graph.signals(), |s| {
        signal_inputs(model, machine_of, machines, pools, serving_of, s)
    })
}

/// The signals the level of signal `s` is computed from: a standby pool's serving signal from its
/// node's effective signal, a gate from its inputs, a role machine from its replicas and quorum.
pub(super) fn signal_inputs(
    model: &Model,
    machine_of: &[u32],
    machines: &[MachineSpec],
    pools: &[super::standby::PoolSpec],
    serving_of: &[u32],
    s: usize,
) -> Vec<SignalId> {
    let g = &model.graph;
    if serving_of[s] != NONE {
        let code = serving_of[s];
        vec![pools[(code >> 16) as usize].effective[(code & 0xffff) as usize]]
    } else if g.is_gate(s as SignalId) {
        g.inputs[s - g.primitives].clone()
    } else if machine_of[s] != NONE {
        let m = &machines[machine_of[s] as usize];
        m.replicas
            .iter()
            .map(|r| r.effective)
            .chain(m.quorum)
            .collect()
    } else {
        Vec::new()
    }
}
