//! Standby instances of a pool in the chain: one key slot per node of the pool with its duty (active,
//! standby, taking over), and the rates of its switch-overs. The rules that move it are in
//! `standby_moves`.

use crate::base::dist::Dist;
use crate::model::{Model, SignalId};

use super::MarkovError;

/// No pool node behind a signal.
const NONE: u32 = u32::MAX;

/// A node's duty in its slot: 0 is the duty it starts with (so that the start key is all zeros).
pub(super) const START: u16 = 0;
pub(super) const ACTIVE: u16 = 1;
pub(super) const STANDBY: u16 = 2;
pub(super) const SWITCHING: u16 = 3;

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

    pub(super) fn code(&self, k: usize, duty: u16) -> u16 {
        let start = if k < self.active { ACTIVE } else { STANDBY };
        if duty == start { START } else { duty }
    }
}

/// The pools with standby of `model`, their slots from `base` on; per signal, the pool and node whose
/// "active and up" signal it is (`pool << 16 | node`, `NONE` for other signals).
/// `rate` resolves a duration (named for its errors) to a rate.
pub(super) fn pool_specs(
    model: &Model,
    mut base: usize,
    mut rate: impl FnMut(&Dist, String) -> Result<f64, MarkovError>,
) -> Result<(Vec<PoolSpec>, Vec<u32>), MarkovError> {
    let mut pools = Vec::new();
    let mut serving_of = vec![NONE; model.graph.signals()];
    for role in &model.roles {
        let Some(sb) = &role.standby else { continue };
        let nodes = role.kind.nodes();
        let switch = match &sb.switch {
            Some(d) if d.mean() > 0.0 => Some(rate(d, format!("role {} switch", role.name))?),
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
