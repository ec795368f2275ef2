//! Standby instances of a pool in the chain, the moves: the engine's rules for calling standby nodes
//! (found failed, a failed switch-over, the switch time) replayed along every branch of the
//! switch-over's draw.

use super::chain::{AT_RISK, Chain, DOWN, HIDDEN};
use super::machines::Replay;
use super::standby::{ACTIVE, STANDBY, SWITCHING};

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
