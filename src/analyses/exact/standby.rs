//! Standby instances of a pool in the chain: one key slot per node of the pool with its duty (active,
//! standby, taking over), and the engine's rules for calling standby nodes (found failed, a failed
//! switch-over, the switch time) replayed along every branch of the switch-over's draw.

use crate::model::{Model, SignalId};

use super::MarkovError;
use super::chain::{AT_RISK, Chain, DOWN, HIDDEN, NONE, rate};
use super::machines::Replay;

/// A node's duty in its slot: 0 is the duty it starts with (so that the start key is all zeros).
const START: u16 = 0;
const ACTIVE: u16 = 1;
const STANDBY: u16 = 2;
const SWITCHING: u16 = 3;

/// A pool with standby instances, as the chain sees it.
#[derive(Debug, Clone)]
pub(super) struct PoolSpec {
    /// First key slot (one per node).
    pub(super) base: usize,
    /// Its nodes, in `on` order.
    pub(super) nodes: Vec<usize>,
    /// The nodes' effective signals.
    pub(super) effective: Vec<SignalId>,
    /// Active instances.
    pub(super) active: usize,
    /// Pace of an idle standby node (cold or warm); `None`: hot.
    pub(super) dormant: Option<f64>,
    /// Switch-over rate; `None`: at once.
    pub(super) switch: Option<f64>,
    pub(super) switch_fails: f64,
}

impl PoolSpec {
    /// Duty of node `k` in state `key`.
    pub(super) fn duty(&self, key: &[u16], k: usize) -> u16 {
        match key[self.base + k] {
            START if k < self.active => ACTIVE,
            START => STANDBY,
            d => d,
        }
    }

    fn code(&self, k: usize, duty: u16) -> u16 {
        let start = if k < self.active { ACTIVE } else { STANDBY };
        if duty == start { START } else { duty }
    }
}

/// The pools with standby of `model`, their slots from `base` on; per signal, the pool and node whose
/// "active and up" signal it is (`pool << 16 | node`, `NONE` for other signals).
pub(super) fn pool_specs(
    model: &Model,
    mut base: usize,
    approximate: bool,
    log: &mut Vec<String>,
) -> Result<(Vec<PoolSpec>, Vec<u32>), MarkovError> {
    let mut pools = Vec::new();
    let mut serving_of = vec![NONE; model.graph.signals()];
    for role in &model.roles {
        let Some(sb) = &role.standby else { continue };
        let nodes = role.kind.nodes();
        let switch = match &sb.switch {
            Some(d) if d.mean() > 0.0 => Some(rate(
                d,
                format!("role {} switch", role.name),
                approximate,
                log,
            )?),
            _ => None,
        };
        for (k, &s) in sb.serving.iter().enumerate() {
            serving_of[s as usize] = ((pools.len() as u32) << 16) | k as u32;
        }
        pools.push(PoolSpec {
            base,
            effective: nodes
                .iter()
                .map(|&n| model.components[n].effective)
                .collect(),
            active: sb.active(nodes.len()),
            dormant: sb.dormant,
            switch,
            switch_fails: sb.switch_fails,
            nodes,
        });
        base += pools.last().map_or(0, |p: &PoolSpec| p.nodes.len());
    }
    Ok((pools, serving_of))
}

impl Chain<'_> {
    /// Level of the "active and up" signal `s` (`serving_of[s]` = `code`) given the levels so far.
    pub(super) fn serving_level(&self, code: u32, key: &[u16], out: &[u8]) -> u8 {
        let p = &self.pools[(code >> 16) as usize];
        let k = (code & 0xffff) as usize;
        if p.duty(key, k) == ACTIVE && out[p.effective[k] as usize] != DOWN {
            AT_RISK
        } else {
            DOWN
        }
    }

    /// The pace pool node `c` ages at in state `key` (1 unless it idles as a cold or warm standby).
    pub(super) fn pool_pace(&self, c: usize, key: &[u16]) -> f64 {
        match self.comps[c].pool {
            Some((p, k)) => {
                let spec = &self.pools[p];
                match spec.dormant {
                    Some(d) if spec.duty(key, k) == STANDBY => d,
                    _ => 1.0,
                }
            }
            None => 1.0,
        }
    }

    /// Switch-overs under way in state `key`: (pool, node, rate).
    pub(super) fn switches(&self, key: &[u16]) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::new();
        for (p, spec) in self.pools.iter().enumerate() {
            let Some(r) = spec.switch else { continue };
            for k in 0..spec.nodes.len() {
                if spec.duty(key, k) == SWITCHING {
                    out.push((p, k, r));
                }
            }
        }
        out
    }
}

impl Replay<'_, '_> {
    /// Pool node `c` fails: hidden (and `true`) if it idles as a cold or warm standby.
    pub(super) fn pool_hides(&mut self, c: usize) -> bool {
        let Some((p, k)) = self.chain.comps[c].pool else {
            return false;
        };
        let spec = &self.chain.pools[p];
        if spec.dormant.is_some() && spec.duty(&self.key, k) == STANDBY {
            self.key[c] = HIDDEN;
            return true;
        }
        false
    }

    fn set_duty(&mut self, p: usize, k: usize, duty: u16) {
        let spec = &self.chain.pools[p];
        self.key[spec.base + k] = spec.code(k, duty);
        self.refresh();
    }

    /// Switch-over of node `k` of pool `p` ends: the node is active.
    pub(super) fn switched(&mut self, p: usize, k: usize) {
        self.set_duty(p, k, ACTIVE);
    }

    /// A node of pool `p` changed: as the engine's `pool_changed`.
    pub(super) fn pool_changed(&mut self, p: usize) {
        let n = self.chain.pools[p].nodes.len();
        for k in 0..n {
            let spec = &self.chain.pools[p];
            let up = self.levels[spec.effective[k] as usize] != DOWN;
            if !up && spec.duty(&self.key, k) != STANDBY {
                self.set_duty(p, k, STANDBY);
            }
        }
        loop {
            let spec = &self.chain.pools[p];
            let taken = (0..n)
                .filter(|&k| spec.duty(&self.key, k) != STANDBY)
                .count();
            if taken >= spec.active {
                return;
            }
            let Some(k) = (0..n).find(|&k| {
                spec.duty(&self.key, k) == STANDBY
                    && self.levels[spec.effective[k] as usize] != DOWN
            }) else {
                return;
            };
            let c = spec.nodes[k];
            let (fails, instant) = (spec.switch_fails, spec.switch.is_none());
            if self.key[c] == HIDDEN {
                self.known_failure(c);
                continue;
            }
            if self.draw(fails) {
                self.known_failure(c);
                continue;
            }
            self.set_duty(p, k, if instant { ACTIVE } else { SWITCHING });
        }
    }
}
