//! Standby redundancy of a pool: `n` active instances and `m` standby ones that take over (after a
//! switch-over that takes time and can fail) when an active one is lost.

use crate::base::dist::Dist;

use super::{Component, Machine, Model, RoleKind, SignalId};

/// A pool's standby instances: the last `standby` of its nodes start as standby, the others active.
/// The pool counts active instances that are up against `min_up`. An active node that goes down for
/// any reason (failure, maintenance, a domain) gives its place up; the first standby node (in `on`
/// order) that is up is called on. A cold or warm standby that failed unseen while idle is found
/// failed then (its repair starts) and the next is tried; a switch-over that fails sends the node it
/// called to repair and the next is tried. A returning node becomes a standby (no failback).
#[derive(Debug, Clone)]
pub struct PoolStandby {
    /// Number of standby instances (the last ones of the pool's nodes at the start).
    pub standby: u32,
    /// Cold or warm standby: an idle standby node fails at this fraction of its failure rate (its age
    /// runs this much slower) and a failure while it idles stays hidden until it is called on. `None`:
    /// hot standby, watched and ageing like an active node.
    pub dormant: Option<f64>,
    /// Time for a called standby to take over; `None`: at once.
    pub switch: Option<Dist>,
    /// Probability that a switch-over fails (the called node then goes to repair).
    pub switch_fails: f64,
    /// Index of this pool among the pools with standby (the engine's state for it).
    pub index: usize,
    /// Key of the pool's random stream (switch times and switch failures).
    pub stream_key: u64,
    /// Set by [`lower`](super::lower()): per node of the pool, the primitive signal the engine sets
    /// up while that node is an active instance and up.
    pub serving: Vec<SignalId>,
}

impl PoolStandby {
    /// Number of active instances of a pool with `nodes` nodes.
    pub fn active(&self, nodes: usize) -> usize {
        nodes - self.standby as usize
    }
}

/// A hot cluster with a silent node: that node's failures hide while it does not hold the role (as a
/// dormant node's, at its full pace), so the cluster calls its nodes as a dormant cluster does
/// (`dormant = 1`), and the node is no latent component (nothing else hides its failures).
pub fn silent_passive(m: &mut Machine, kind: &RoleKind, comps: &mut [Component]) {
    if !matches!(kind, RoleKind::Cluster { .. }) || m.dormant.is_some() {
        return;
    }
    let nodes = kind.nodes();
    if nodes.iter().any(|&n| comps[n].silent) {
        m.dormant = Some(1.0);
        for n in nodes {
            comps[n].latent = false;
        }
    }
}

impl Model {
    /// The pools' "active and up" signals at the start of a mission: (signal, active).
    pub fn serving_start(&self) -> Vec<(SignalId, bool)> {
        let mut out = Vec::new();
        for sb in self.roles.iter().filter_map(|r| r.standby.as_ref()) {
            let active = sb.active(sb.serving.len());
            out.extend(sb.serving.iter().enumerate().map(|(i, &s)| (s, i < active)));
        }
        out
    }
}
