//! Virtual machines on host groups in the chain: each VM's host and whether it is booting are part of
//! the state (two key slots: the host as an offset from its start host, `hosts` for none; 1 while
//! booting, 2 while paused by a live migration), a boot or a pause ends as a move at its rate, and a
//! host that changes replays the engine's placement rule ([`crate::model::HostGroup::pick`]) and its
//! separation of anti-affine VMs. Maintenance is outside the exact mode, so a live migration comes
//! only from that separation.

use crate::model::NO_SET;

use super::chain::{Chain, DOWN, loads};
use super::machines::Replay;

impl Chain<'_> {
    /// Host of VM `v` of group spec `g` in state `key`, if it has one.
    pub(super) fn vm_host(&self, g: usize, v: usize, key: &[u16]) -> Option<usize> {
        let spec = &self.groups[g];
        let n = self.model.host_groups[spec.index].hosts.len();
        let code = key[spec.base + 2 * v] as usize;
        (code < n).then(|| (spec.start[v] + code) % n)
    }

    /// Whether VM `v` of group spec `g` is booting in state `key`.
    pub(super) fn vm_booting(&self, g: usize, v: usize, key: &[u16]) -> bool {
        key[self.groups[g].base + 2 * v + 1] != 0
    }

    /// Level of a VM's `placed` primitive: up while it has a host and is not booting.
    pub(super) fn placed_level(&self, flat: u32, key: &[u16]) -> u8 {
        let (g, v) = self.vm_at(flat);
        if self.vm_host(g, v, key).is_some() && !self.vm_booting(g, v, key) {
            super::chain::SAFE
        } else {
            DOWN
        }
    }

    /// Group spec and VM index of flat VM index `flat`.
    pub(super) fn vm_at(&self, flat: u32) -> (usize, usize) {
        let mut i = flat as usize;
        for (g, spec) in self.groups.iter().enumerate() {
            let n = spec.start.len();
            if i < n {
                return (g, i);
            }
            i -= n;
        }
        unreachable!("a flat VM index is within the groups")
    }

    /// Every VM booting or paused in state `key` (group spec, VM), with the rate its wait ends at.
    pub(super) fn boots(&self, key: &[u16]) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::new();
        for (g, spec) in self.groups.iter().enumerate() {
            for v in 0..spec.start.len() {
                match key[spec.base + 2 * v + 1] {
                    0 => {}
                    1 => out.push((g, v, spec.boot)),
                    _ => out.push((g, v, spec.pause.expect("a pause only when set"))),
                }
            }
        }
        out
    }
}

impl Replay<'_, '_> {
    /// Puts VM `v` of group spec `g` on `host`, waiting `wait` (0 running, 1 booting, 2 paused).
    fn set_vm(&mut self, g: usize, v: usize, host: Option<usize>, wait: u16) {
        let spec = &self.chain.groups[g];
        let n = self.chain.model.host_groups[spec.index].hosts.len();
        let code = host.map_or(n, |h| (h + n - spec.start[v]) % n);
        self.key[spec.base + 2 * v] = code as u16;
        self.key[spec.base + 2 * v + 1] = wait;
    }

    /// VM `v` of group spec `g` finished booting or its pause.
    pub(super) fn booted(&mut self, g: usize, v: usize) {
        let h = self.chain.vm_host(g, v, &self.key);
        self.set_vm(g, v, h, 0);
        self.separate(g);
        self.refresh();
    }

    /// As the engine: running VMs sharing a host with an anti-affine sibling move, in order, to the
    /// placement rule's host when it has fewer siblings (through the pause, if the group has one).
    fn separate(&mut self, g: usize) {
        let grp = &self.chain.model.host_groups[self.chain.groups[g].index];
        if grp.sets.is_empty() {
            return;
        }
        let n = grp.vms.len();
        let pause = if self.chain.groups[g].pause.is_some() {
            2
        } else {
            0
        };
        for v in 0..n {
            let Some(h) = self.chain.vm_host(g, v, &self.key) else {
                continue;
            };
            if self.chain.vm_booting(g, v, &self.key) || grp.anti[v] == NO_SET {
                continue;
            }
            let hosts: Vec<Option<usize>> = (0..n)
                .map(|w| self.chain.vm_host(g, w, &self.key))
                .collect();
            let (load, sib) = loads(grp, &hosts, v);
            if sib[h] == 0 {
                continue;
            }
            let usable = |x: usize| x != h && self.levels[grp.host_up[x] as usize] != DOWN;
            if let Some(to) = grp.pick(usable, &load, &sib)
                && sib[to] < sib[h]
            {
                self.set_vm(g, v, Some(to), pause);
            }
        }
    }

    /// A host of group spec `g` changed: as the engine, VMs on a lost host leave it, then every VM
    /// without a host, in order, boots on the host the placement rule gives.
    pub(super) fn hosts_changed(&mut self, g: usize) {
        let grp = &self.chain.model.host_groups[self.chain.groups[g].index];
        let n = grp.vms.len();
        let usable = |levels: &[u8], h: usize| levels[grp.host_up[h] as usize] != DOWN;
        for v in 0..n {
            if let Some(h) = self.chain.vm_host(g, v, &self.key)
                && !usable(&self.levels, h)
            {
                self.set_vm(g, v, None, 0);
            }
        }
        for v in 0..n {
            if self.chain.vm_host(g, v, &self.key).is_some() {
                continue;
            }
            let hosts: Vec<Option<usize>> = (0..n)
                .map(|w| self.chain.vm_host(g, w, &self.key))
                .collect();
            let (load, sib) = loads(grp, &hosts, v);
            if let Some(h) = grp.pick(|h| usable(&self.levels, h), &load, &sib) {
                self.set_vm(g, v, Some(h), 1);
            }
        }
        self.separate(g);
        self.refresh();
    }
}
