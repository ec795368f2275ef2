//! Virtual machines on host groups (`[hosts]`): a VM node runs on one host of its group at a time,
//! boots on another up host when its host is lost, and live-migrates when its host is drained.

use crate::base::dist::Dist;

use super::{ComponentId, SignalId};

/// No anti-affinity set.
pub const NO_SET: u32 = u32::MAX;

/// A group of hosts (a Hyper-V cluster) and the virtual machines placed on it.
#[derive(Debug, Clone)]
pub struct HostGroup {
    /// Unique name (the `[hosts.NAME]` key).
    pub name: String,
    /// The hosts, in order (placement ties go to the earlier host).
    pub hosts: Vec<ComponentId>,
    /// The failover cluster (`[clusters]`) whose quorum the hosts need to run virtual machines.
    pub cluster: Option<usize>,
    /// Most virtual machines one host runs; `None`: no limit.
    pub capacity: Option<u32>,
    /// Time a virtual machine takes to boot on a new host after its host was lost.
    pub boot: Dist,
    /// Pause of a live migration; `None`: none (no downtime).
    pub migration_pause: Option<Dist>,
    /// The virtual machines (node components), in order.
    pub vms: Vec<ComponentId>,
    /// Per virtual machine: its anti-affinity set (an index into `sets`), or [`NO_SET`].
    pub anti: Vec<u32>,
    /// Names of the anti-affinity sets, for explanations.
    pub sets: Vec<String>,
    /// Key of its random stream (boot and pause times).
    pub stream_key: u64,
    /// Set by [`lower`](super::lower()): per host, up while it can run virtual machines (the host's
    /// effective signal, with its cluster's quorum).
    pub host_up: Vec<SignalId>,
    /// Set by [`lower`](super::lower()): per virtual machine, the primitive up while it is placed on
    /// a host and neither booting nor paused; its node's effective signal includes it.
    pub placed: Vec<SignalId>,
}

impl HostGroup {
    /// The host a virtual machine goes to: among the hosts `usable` allows with room (`load` is the
    /// number of virtual machines per host, `siblings` the number of its anti-affine siblings per
    /// host), the one with the fewest siblings, then the least loaded, then the first.
    pub fn pick(
        &self,
        usable: impl Fn(usize) -> bool,
        load: &[u32],
        siblings: &[u32],
    ) -> Option<usize> {
        (0..self.hosts.len())
            .filter(|&h| usable(h) && self.capacity.is_none_or(|c| load[h] < c))
            .min_by_key(|&h| (siblings[h], load[h], h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_apart_then_least_loaded_then_first() {
        let g = HostGroup {
            name: "hv".into(),
            hosts: vec![0, 1, 2],
            cluster: None,
            capacity: Some(2),
            boot: Dist::fixed(0.05).unwrap(),
            migration_pause: None,
            vms: Vec::new(),
            anti: Vec::new(),
            sets: Vec::new(),
            stream_key: 0,
            host_up: Vec::new(),
            placed: Vec::new(),
        };
        assert_eq!(g.pick(|_| true, &[0, 0, 0], &[0, 0, 0]), Some(0));
        assert_eq!(g.pick(|_| true, &[1, 0, 0], &[1, 0, 0]), Some(1));
        assert_eq!(g.pick(|_| true, &[0, 1, 1], &[0, 1, 0]), Some(0));
        // Full hosts are skipped; a sibling is accepted when nothing else has room.
        assert_eq!(g.pick(|h| h != 2, &[2, 1, 0], &[0, 1, 0]), Some(1));
        assert_eq!(g.pick(|h| h == 0, &[2, 0, 0], &[0, 0, 0]), None);
    }
}
