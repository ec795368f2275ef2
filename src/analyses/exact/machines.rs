//! The moves out of a state: every event (a failure, a repair, a technician arriving, a role's
//! timer or software crash) is replayed through the crews and the role machines by the engine's own
//! rules, once per branch of its random choices (coverage, restart success).

use std::collections::VecDeque;

use crate::model::CrewPolicy;

use super::MarkovError;
use super::chain::{
    Chain, DISPATCH, DOWN, HIDDEN, MachineSpec, Move, NO_HOST, PART, Phase, REPAIR, Rec, SHIP,
    SLOTS, UP, WAIT,
};

/// Most reactions of role machines to one event before the model is declared unsettled.
const MAX_REACTIONS: usize = 10_000;

impl Chain<'_> {
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
                UP => {
                    // A cold or warm standby node not holding its role ages at its dormant pace.
                    let pace = match spec.standby {
                        Some((m, i, d)) if key[nc + SLOTS * m + 1] != i => d,
                        _ if spec.pool.is_some() => self.pool_pace(c, key),
                        _ => 1.0,
                    };
                    push(Event::Fail(c), spec.fail * pace, true, out)?
                }
                REPAIR => push(Event::Repaired(c), spec.repair, false, out)?,
                SHIP => {
                    let r = spec.spare.and_then(|s| self.stocks[s].ship).unwrap_or(0.0);
                    push(Event::Shipped(c), r, false, out)?
                }
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
        // Dynamic quorum: with quorum, votes in force that differ from the membership's adjust.
        for (q, spec) in self.quorums.iter().enumerate() {
            let c = &self.model.quorums[spec.index];
            if levels[c.signal as usize] == DOWN {
                continue;
            }
            let votes = self.votes(q, key);
            if c.target(self.voters_up(spec.index, &levels), votes) != votes {
                push(Event::Adjust(q), spec.rate, false, out)?;
            }
        }
        for (g, v, rate) in self.boots(key) {
            push(Event::Boot(g, v), rate, false, out)?;
        }
        for (s, rate) in self.arrivals(key) {
            push(Event::PartArrives(s), rate, false, out)?;
        }
        for (p, k, rate) in self.switches(key) {
            push(Event::Switched(p, k), rate, false, out)?;
        }
        Ok(())
    }

    /// Voters of cluster `index` (of the model) that are up, as a mask.
    fn voters_up(&self, index: usize, levels: &[u8]) -> u128 {
        let c = &self.model.quorums[index];
        let mut up = 0u128;
        for (i, &v) in c.voters.iter().enumerate() {
            if levels[self.model.components[v].effective as usize] != DOWN {
                up |= 1 << i;
            }
        }
        up
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
                queued: vec![false; self.machines.len() + self.groups.len() + self.pools.len()],
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

#[derive(Debug, Clone, Copy)]
enum Event {
    Fail(usize),
    Repaired(usize),
    Dispatched(usize),
    Timer(usize),
    Crash(usize),
    Adjust(usize),
    /// A virtual machine (group spec, index) finishes booting.
    Boot(usize, usize),
    /// A reorder of a stock arrives.
    PartArrives(usize),
    /// A component's spare part reached it.
    Shipped(usize),
    /// A switch-over of a pool (pool, node) ends.
    Switched(usize, usize),
}

/// One replay of an event from a state along one branch of its random choices.
pub(super) struct Replay<'a, 'm> {
    pub(super) chain: &'a Chain<'m>,
    pub(super) key: Vec<u16>,
    pub(super) levels: Vec<u8>,
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
    pub(super) fn draw(&mut self, p: f64) -> bool {
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
    pub(super) fn refresh(&mut self) {
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
                if let Some((m, i, _)) = self.chain.comps[c].standby
                    && self.host(m) != i
                {
                    // Idle: the failure stays hidden until the role is called onto the node.
                    self.key[c] = HIDDEN;
                    return;
                }
                if self.chain.comps[c].pool.is_some() && self.pool_hides(c) {
                    return;
                }
                self.known_failure(c);
            }
            Event::Repaired(c) => {
                self.key[c] = UP;
                self.refresh();
                if let Some(k) = self.chain.comps[c].crew {
                    self.assign(k);
                }
            }
            Event::Dispatched(c) => self.key[c] = REPAIR,
            Event::Switched(p, k) => self.switched(p, k),
            Event::Timer(m) => self.timer(m),
            Event::Crash(m) => {
                let host = self.host(m);
                self.enter(m, Phase::Restarting, host);
            }
            Event::Boot(g, v) => self.booted(g, v),
            Event::PartArrives(s) => {
                self.part_arrives(s);
                self.refresh();
            }
            Event::Shipped(c) => {
                self.start_repair(c);
                self.refresh();
            }
            Event::Adjust(q) => {
                let spec = &self.chain.quorums[q];
                let c = &self.chain.model.quorums[spec.index];
                let votes = self.chain.votes(q, &self.key);
                let next = c.target(self.chain.voters_up(spec.index, &self.levels), votes);
                for i in 0..c.voters.len() {
                    self.key[spec.base + i] = (((next ^ spec.initial) >> i) & 1) as u16;
                }
                self.refresh();
            }
        }
    }

    /// Component `c` is down, known to be: its repair is queued or starts.
    pub(super) fn known_failure(&mut self, c: usize) {
        match self.chain.comps[c].spare {
            Some(s) => self.need_part(s, c),
            None => self.start_repair(c),
        }
        self.refresh();
    }

    /// Component `c`'s repair can start (it has its part, if it needs one): it joins its crew's queue,
    /// or its repair starts.
    pub(super) fn start_repair(&mut self, c: usize) {
        match self.chain.comps[c].crew {
            Some(k) => {
                let waiting = self.chain.crews[k]
                    .members
                    .iter()
                    .filter(|&&x| (WAIT..PART).contains(&self.key[x]))
                    .count() as u16;
                self.key[c] = WAIT + waiting;
                self.assign(k);
            }
            None => self.key[c] = REPAIR,
        }
    }

    /// Whether replica `i` of dormant cluster `m` can take the role: up and not failed unseen; a
    /// hidden failure is found here and its repair starts (as the engine's `callable`).
    fn callable(&mut self, m: usize, i: usize) -> bool {
        if !self.replica_up(m, i) {
            return false;
        }
        let c = self.spec(m).replicas[i].node as usize;
        if self.key[c] == HIDDEN {
            self.known_failure(c);
            return false;
        }
        true
    }

    /// The first replica of dormant cluster `m` other than `skip` that can take the role.
    fn first_callable(&mut self, m: usize, skip: u16) -> Option<u16> {
        let n = self.spec(m).replicas.len() as u16;
        (0..n).find(|&i| i != skip && self.callable(m, i as usize))
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
                .filter(|&x| (WAIT..PART).contains(&self.key[x]));
            let pick = match crew.policy {
                CrewPolicy::Fifo => waiting.min_by_key(|&x| self.key[x]),
                CrewPolicy::Priority => {
                    waiting.min_by_key(|&x| (self.chain.comps[x].priority, self.key[x]))
                }
            };
            let Some(c) = pick else { return };
            let place = self.key[c];
            // Only places in the crew's queue move (not a part's line, a shipment or a hidden failure).
            for &x in &crew.members {
                if (place + 1..PART).contains(&self.key[x]) {
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
            // Watchers past the role machines are host groups, then pools with standby.
            match (m as usize).checked_sub(self.chain.machines.len()) {
                None => self.reconsider(m as usize),
                Some(g) if g < self.chain.groups.len() => self.hosts_changed(g),
                Some(g) => self.pool_changed(g - self.chain.groups.len()),
            }
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
        let auto = if self.spec(m).dormant {
            self.first_callable(m, lost).map(|i| i as usize)
        } else {
            let lost = lost as usize;
            (0..n).find(|&i| {
                i != lost
                    && self.spec(m).replicas[i].automatic
                    && self.replica_up(m, i)
                    && self.witness_ok(m, i)
            })
        };
        let lost = lost as usize;
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
        let best = if self.spec(m).dormant {
            self.first_callable(m, NO_HOST)
        } else {
            self.best_replica(m)
        };
        match best {
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
                } else if self.spec(m).failback {
                    let better = if self.spec(m).dormant {
                        (0..host).find(|&i| self.callable(m, i as usize))
                    } else {
                        (0..host).find(|&i| {
                            self.replica_up(m, i as usize) && self.witness_ok(m, i as usize)
                        })
                    };
                    if let Some(better) = better {
                        self.switch_to(m, better);
                    }
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
                let n = self.spec(m).replicas.len() as u16;
                let first = if self.spec(m).dormant {
                    self.first_callable(m, NO_HOST)
                } else {
                    (0..n).find(|&i| self.replica_up(m, i as usize))
                };
                if let Some(h) = first {
                    self.host_back(m, h);
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
