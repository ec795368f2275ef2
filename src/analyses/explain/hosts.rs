//! What `validate` says of host groups and their virtual machines, one line each, and the warning
//! about anti-affine virtual machines that outnumber the hosts and so must share one.

use std::fmt::Write as _;

use crate::model::{HostGroup, Model};

use super::{list, names, plural};

/// Members of anti-affinity set `s` of group `g`.
fn set_members(g: &HostGroup, s: usize) -> Vec<usize> {
    g.vms
        .iter()
        .zip(&g.anti)
        .filter(|(_, a)| **a as usize == s)
        .map(|(&v, _)| v)
        .collect()
}

/// One line per host group (nothing when there is none).
pub(super) fn write_hosts(model: &Model, out: &mut String) {
    if model.host_groups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}:",
        plural(model.host_groups.len(), "host group", "host groups")
    );
    for g in &model.host_groups {
        let mut s = format!(
            "{} on {}",
            plural(g.vms.len(), "virtual machine", "virtual machines"),
            list(model, &g.hosts, 8)
        );
        if let Some(q) = g.cluster {
            let _ = write!(s, " while cluster {} has quorum", model.quorums[q].name);
        }
        if let Some(c) = g.capacity {
            let _ = write!(s, ", at most {} per host", c);
        }
        let _ = write!(
            s,
            "; a VM whose host is lost boots on the least-loaded up host after {}{}",
            g.boot.describe(),
            if g.capacity.is_some() {
                " (it stays down while no host has room)"
            } else {
                ""
            }
        );
        match &g.migration_pause {
            None => s.push_str("; a drained host's VMs live-migrate with no downtime"),
            Some(p) => {
                let _ = write!(
                    s,
                    "; a drained host's VMs live-migrate, each paused {}",
                    p.describe()
                );
            }
        }
        for (k, set) in g.sets.iter().enumerate() {
            let _ = write!(
                s,
                "; anti-affinity {set}: {} prefer different hosts",
                names(model, &set_members(g, k))
            );
        }
        let _ = writeln!(out, "  hosts {}: {s}", g.name);
    }
}

/// Anti-affine VMs that outnumber their group's hosts: some always share a host, and that host's
/// failure takes them together.
pub(super) fn warn_hosts(model: &Model, out: &mut Vec<String>) {
    for g in &model.host_groups {
        for (k, set) in g.sets.iter().enumerate() {
            let members = set_members(g, k);
            if members.len() > g.hosts.len() {
                out.push(format!(
                    "anti-affinity {set} of host group {} has {} virtual machines on {}: some always share a host, and its failure takes them together; add hosts",
                    g.name,
                    members.len(),
                    plural(g.hosts.len(), "host", "hosts")
                ));
            }
        }
    }
}
