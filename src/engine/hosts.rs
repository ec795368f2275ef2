//! Virtual machines on host groups: where each runs, its boot on another host after its host is
//! lost, its live migration when its host is drained. A VM's `placed` primitive is up while it runs
//! on a host (not booting, not paused); its node's effective signal includes it. A scenario without
//! `[hosts]` does no work here.
//!
//! Anti-affine VMs sharing a host are separated again as soon as they can be: after any change of
//! the group's hosts or a boot, a running VM with a sibling on its host live-migrates to the host the
//! placement rule gives when that host has fewer siblings (as Windows' VM load balancing does);
//! without this, two VMs that shared a host once would share it for ever.

use crate::base::units::Hours;
use crate::engine::queue::Kind;
use crate::engine::signals::{DOWN, SAFE};
use crate::engine::trace::Recorder;
use crate::engine::{Engine, NONE};
use crate::model::{HostGroup, NO_SET};

/// Where one virtual machine is in the current replication.
#[derive(Debug, Clone, Copy)]
pub(super) struct VmState {
    /// Index of its host in the group's `hosts`, or `NONE` (no host up with room).
    pub(super) host: u32,
    /// Booting (or paused by a live migration) on `host`, since `since`.
    pub(super) booting: bool,
    /// Whether the wait under way is a migration pause (else a boot).
    pub(super) pause: bool,
    pub(super) since: Hours,
    /// Timers of older boots carry older generations and are ignored.
    pub(super) epoch: u32,
}

impl VmState {
    const NOWHERE: VmState = VmState {
        host: NONE,
        booting: false,
        pause: false,
        since: 0.0,
        epoch: 0,
    };

    /// Every group's virtual machines at the start of a mission, all hosts up: each placed in turn
    /// by the placement rule, running.
    pub(super) fn start(groups: &[HostGroup]) -> Vec<VmState> {
        let mut out = Vec::new();
        for g in groups {
            let base = out.len();
            out.extend(std::iter::repeat_n(VmState::NOWHERE, g.vms.len()));
            for v in 0..g.vms.len() {
                let (load, sib) = loads(g, &out[base..], v, NONE);
                let h = g.pick(|_| true, &load, &sib);
                // Capacity is checked by the scenario: every VM fits with every host up.
                out[base + v].host = h.map_or(NONE, |h| h as u32);
            }
        }
        out
    }
}

/// Per host of group `g`: virtual machines on it, and anti-affine siblings of VM `v` on it, not
/// counting host `skip`'s.
fn loads(g: &HostGroup, vms: &[VmState], v: usize, skip: u32) -> (Vec<u32>, Vec<u32>) {
    let mut load = vec![0u32; g.hosts.len()];
    let mut sib = vec![0u32; g.hosts.len()];
    for (w, st) in vms.iter().enumerate() {
        if st.host == NONE || st.host == skip || w == v {
            continue;
        }
        load[st.host as usize] += 1;
        if g.anti[v] != NO_SET && g.anti[w] == g.anti[v] {
            sib[st.host as usize] += 1;
        }
    }
    (load, sib)
}

impl<'m, R: Recorder> Engine<'m, R> {
    /// Host `h` of group `g` can run virtual machines.
    #[inline]
    fn host_usable(&self, g: usize, h: usize) -> bool {
        self.level[self.model.host_groups[g].host_up[h] as usize] != DOWN
    }

    /// Where VM `v` of group `g` goes now (never host `except`), by the placement rule.
    fn place(&self, g: usize, v: usize, except: u32) -> Option<u32> {
        let grp = &self.model.host_groups[g];
        let base = self.vm_base[g] as usize;
        let vms = &self.vms[base..base + grp.vms.len()];
        let (load, sib) = loads(grp, vms, v, NONE);
        grp.pick(
            |h| h as u32 != except && self.host_usable(g, h),
            &load,
            &sib,
        )
        .map(|h| h as u32)
    }

    /// VM `v` of group `g` starts waiting on `host` (a boot, or a migration pause), down meanwhile.
    fn wait_on(&mut self, g: usize, v: usize, host: u32, pause: bool, t: Hours) {
        let grp = &self.model.host_groups[g];
        let i = self.vm_base[g] as usize + v;
        let d = if pause {
            grp.migration_pause
                .as_ref()
                .expect("a pause is drawn only when set")
        } else {
            &grp.boot
        };
        let x = d.sample(&mut self.host_streams[g]);
        let st = &mut self.vms[i];
        st.host = host;
        st.booting = true;
        st.pause = pause;
        st.since = t;
        st.epoch = st.epoch.wrapping_add(1);
        let epoch = st.epoch;
        self.set_level(grp.placed[v], DOWN, t);
        self.push(t + x, Kind::VmBoot, i as u32, epoch);
    }

    /// VM `v` of group `g` has no host: it stays down until one is up with room.
    fn unplace(&mut self, g: usize, v: usize, t: Hours) {
        let i = self.vm_base[g] as usize + v;
        let st = &mut self.vms[i];
        st.host = NONE;
        st.booting = false;
        st.epoch = st.epoch.wrapping_add(1);
        self.set_level(self.model.host_groups[g].placed[v], DOWN, t);
    }

    /// A host of group `g` changed (the group watches its hosts): VMs whose host is lost leave it,
    /// then every VM without a host, in order, boots on the host the placement rule gives.
    pub(in crate::engine) fn hosts_changed(&mut self, g: usize, t: Hours) {
        let n = self.model.host_groups[g].vms.len();
        let base = self.vm_base[g] as usize;
        for v in 0..n {
            let h = self.vms[base + v].host;
            if h != NONE && !self.host_usable(g, h as usize) {
                self.unplace(g, v, t);
            }
        }
        for v in 0..n {
            if self.vms[base + v].host == NONE
                && let Some(h) = self.place(g, v, NONE)
            {
                self.wait_on(g, v, h, false, t);
            }
        }
        self.separate(g, t);
    }

    /// Running VMs of group `g` that share a host with an anti-affine sibling move, in order, to the
    /// host the placement rule gives, when it has fewer siblings.
    fn separate(&mut self, g: usize, t: Hours) {
        let grp = &self.model.host_groups[g];
        if grp.sets.is_empty() {
            return;
        }
        let base = self.vm_base[g] as usize;
        for v in 0..grp.vms.len() {
            let st = self.vms[base + v];
            if st.host == NONE || st.booting || grp.anti[v] == NO_SET {
                continue;
            }
            let vms = &self.vms[base..base + grp.vms.len()];
            let (_, sib) = loads(grp, vms, v, NONE);
            if sib[st.host as usize] == 0 {
                continue;
            }
            if let Some(to) = self.place(g, v, st.host)
                && sib[to as usize] < sib[st.host as usize]
            {
                self.migrate(g, v, to, t);
            }
        }
    }

    /// VM `v` of group `g` live-migrates to host `to`: at once, or through the group's pause.
    fn migrate(&mut self, g: usize, v: usize, to: u32, t: Hours) {
        if self.model.host_groups[g].migration_pause.is_some() {
            self.wait_on(g, v, to, true, t);
        } else {
            self.vms[self.vm_base[g] as usize + v].host = to;
        }
    }

    /// VM `i` (flat index) finished booting or its migration pause: it runs.
    pub(in crate::engine) fn vm_booted(&mut self, i: usize, t: Hours) {
        let g = self.vm_base.partition_point(|&b| b as usize <= i) - 1;
        let v = i - self.vm_base[g] as usize;
        self.vms[i].booting = false;
        self.set_level(self.model.host_groups[g].placed[v], SAFE, t);
        self.separate(g, t);
    }

    /// Node `n` is about to be drained for maintenance: the VMs on it live-migrate to other hosts
    /// (with the group's pause, if any) while it is still up; one booting there boots elsewhere; one
    /// that finds no other host with room stops and waits for a host.
    pub(in crate::engine) fn drain_vms(&mut self, n: usize, t: Hours) {
        let model = self.model;
        for (g, grp) in model.host_groups.iter().enumerate() {
            let Some(h) = grp.hosts.iter().position(|&x| x == n) else {
                continue;
            };
            let base = self.vm_base[g] as usize;
            for v in 0..grp.vms.len() {
                let st = self.vms[base + v];
                if st.host != h as u32 {
                    continue;
                }
                match self.place(g, v, h as u32) {
                    None => self.unplace(g, v, t),
                    Some(to) if st.booting => self.wait_on(g, v, to, st.pause, t),
                    Some(to) => self.migrate(g, v, to, t),
                }
            }
        }
    }
}
