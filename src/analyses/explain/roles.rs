//! The roles in plain words: how each is made redundant (pool, failover cluster, availability group,
//! mirroring, standalone with restore or reinstall), its failover and software restarts.

use std::fmt::Write as _;

use crate::base::units::{format_duration, trim_float};
use crate::model::{Commit, ComponentId, Machine, Model, Recovery, RoleKind};

use super::{names, pct, plural};

/// Short label of a role's redundancy for tables, e.g. "2-of-3 pool".
pub fn redundancy(kind: &RoleKind) -> String {
    match kind {
        RoleKind::Standalone { .. } => "standalone".to_string(),
        RoleKind::Pool { nodes, min_up } => format!("{min_up}-of-{} pool", nodes.len()),
        RoleKind::Cluster { nodes, .. } => format!("{}-node cluster", nodes.len()),
        RoleKind::AvailabilityGroup { secondaries, .. } => {
            format!("AG, {} replicas", secondaries.len() + 1)
        }
        RoleKind::Mirroring { witness, .. } => {
            if witness.is_some() {
                "mirror+witness".to_string()
            } else {
                "mirroring".to_string()
            }
        }
    }
}

fn software_text(m: &Machine) -> String {
    let Some(sw) = &m.software else {
        return String::new();
    };
    let mut s = format!(
        "; software failures every {}, restart in {}",
        sw.failure.describe(),
        sw.restart.describe()
    );
    if sw.restart_success >= 1.0 {
        s.push_str(" (always succeeds)");
    } else {
        let _ = write!(s, " ({} succeed", pct(sw.restart_success));
        match &m.manual_recovery {
            Some(d) if m.replicas.len() == 1 => {
                let _ = write!(s, ", otherwise manual recovery in {})", d.describe());
            }
            _ => s.push_str(", otherwise it fails over)"),
        }
    }
    s
}

/// The automatic-failover clause: time, coverage and what happens when it fails.
fn failover_text(m: &Machine) -> String {
    let time = m
        .failover
        .as_ref()
        .map_or("no time".to_string(), |d| d.describe());
    if m.coverage >= 1.0 {
        format!("failover takes {time} and always succeeds")
    } else {
        format!(
            "failover takes {time}, succeeds with probability {}, otherwise manual recovery in {}",
            trim_float(m.coverage),
            m.manual_recovery
                .as_ref()
                .map_or("(not given)".to_string(), |d| d.describe())
        )
    }
}

/// The role's mechanism in plain English.
fn mechanism(model: &Model, kind: &RoleKind, machine: Option<&Machine>) -> String {
    let name = |n: ComponentId| model.components[n].name.as_str();
    match (kind, machine) {
        (RoleKind::Standalone { node }, m) => {
            let mut s = format!("standalone on {}", name(*node));
            if let Some(m) = m {
                match &m.recovery {
                    Recovery::Repair => {}
                    Recovery::Restore {
                        every,
                        offset,
                        restore,
                        job,
                    } => {
                        let _ = write!(
                            s,
                            "; after its node fails it is restored from the last backup: backups every {}{}{}, restore in {}; data since the last backup is lost",
                            format_duration(*every),
                            if *offset > 0.0 {
                                format!(" from {}", format_duration(*offset))
                            } else {
                                String::new()
                            },
                            job.map(|j| format!(
                                " taken by {} (none while it is failed{})",
                                name(j),
                                if model.components[j].silent {
                                    ", and its failures are silent: a restore uses the last backup before it stopped"
                                } else {
                                    ""
                                }
                            ))
                            .unwrap_or_default(),
                            restore.describe()
                        );
                    }
                    Recovery::Reinstall { time, from } => {
                        let _ = write!(
                            s,
                            "; after its node fails it is reinstalled in {}{}; no data is kept",
                            time.describe(),
                            from.map(|j| format!(
                                " once role {} is available",
                                model.roles[j].name
                            ))
                            .unwrap_or_default()
                        );
                    }
                }
                s.push_str(&software_text(m));
            }
            s
        }
        (RoleKind::Pool { nodes, min_up }, _) => format!(
            "pool, available while {min_up} of {} instances are up ({})",
            nodes.len(),
            names(model, nodes)
        ),
        (RoleKind::Cluster { nodes, max_nodes }, Some(m)) => {
            let mut s = format!(
                "failover cluster on {} (preferred {})",
                names(model, nodes),
                name(nodes[0])
            );
            if let Some(max) = max_nodes {
                let _ = write!(s, ", product limit {max} nodes");
            }
            if let Some(q) = m.quorum {
                let _ = write!(s, ", while cluster {} has quorum", model.quorums[q].name);
            }
            let _ = write!(s, "; {}", failover_text(m));
            s.push_str(if m.failback {
                "; fails back to the most preferred node when it returns"
            } else if m.failback_after_maintenance {
                "; fails back to the node a planned drain took it from once that node is patched"
            } else {
                "; no failback"
            });
            if m.dormant == Some(1.0) {
                let silent: Vec<ComponentId> = nodes
                    .iter()
                    .copied()
                    .filter(|&n| model.components[n].silent)
                    .collect();
                let _ = write!(
                    s,
                    "; hot standby with silent {}: a failure while such a node does not hold the role stays hidden until the role is called onto it (then its repair starts and the next node is tried) or an inspection finds it",
                    names(model, &silent)
                );
            } else if let Some(d) = m.dormant {
                let _ = write!(
                    s,
                    "; {} standby: a node not holding the role ages at {} of its failure rate, and a failure while it idles stays hidden until the role is called onto it (then its repair starts and the next node is tried)",
                    if d == 0.0 { "cold" } else { "warm" },
                    pct(d)
                );
            }
            s.push_str(&software_text(m));
            s
        }
        (
            RoleKind::AvailabilityGroup {
                primary,
                secondaries,
            },
            Some(m),
        ) => {
            let mut s = format!("availability group, primary {}", name(*primary));
            let sync: Vec<ComponentId> = secondaries
                .iter()
                .filter(|(_, c)| *c == Commit::Synchronous)
                .map(|(n, _)| *n)
                .collect();
            if !sync.is_empty() {
                let _ = write!(
                    s,
                    "; synchronous {} take{} over automatically, no data lost ({})",
                    names(model, &sync),
                    if sync.len() == 1 { "s" } else { "" },
                    failover_text(m)
                );
            }
            for (i, (n, c)) in secondaries.iter().enumerate() {
                if *c == Commit::Asynchronous {
                    let lag = m.replicas[i + 1]
                        .lag
                        .as_ref()
                        .map_or("?".to_string(), |d| d.describe());
                    let _ = write!(
                        s,
                        "; asynchronous {} needs an operator ({}) and loses up to a lag of {lag} of transactions",
                        name(*n),
                        m.manual_failover
                            .as_ref()
                            .map_or("no delay".to_string(), |d| format!(
                                "manual failover after {}",
                                d.describe()
                            ))
                    );
                }
            }
            if sync.is_empty() {
                let _ = write!(
                    s,
                    "; with no replica up it starts on the first to return after {}",
                    m.failover
                        .as_ref()
                        .map_or("no time".to_string(), |d| d.describe())
                );
            }
            s.push_str(&software_text(m));
            s
        }
        (
            RoleKind::Mirroring {
                principal,
                mirror,
                witness,
                commit,
            },
            Some(m),
        ) => {
            let manual = m
                .manual_failover
                .as_ref()
                .map_or("?".to_string(), |d| d.describe());
            let mut s = format!(
                "database mirroring, principal {}, mirror {}",
                name(*principal),
                name(*mirror)
            );
            match witness {
                Some(w) => {
                    let _ = write!(
                        s,
                        ", witness {}: automatic failover while the witness is up ({}), otherwise manual failover after {manual}",
                        name(*w),
                        failover_text(m)
                    );
                }
                None => {
                    let _ = write!(s, ", no witness: every failover is manual, after {manual}");
                }
            }
            match commit {
                Commit::Synchronous => {
                    s.push_str("; synchronous commit (high safety, no data lost)")
                }
                Commit::Asynchronous => {
                    let _ = write!(
                        s,
                        "; asynchronous commit (high performance): a failover loses up to a lag of {} of transactions",
                        m.replicas[0]
                            .lag
                            .as_ref()
                            .map_or("?".to_string(), |d| d.describe())
                    );
                }
            }
            s.push_str(&software_text(m));
            s
        }
        (other, None) => format!("{} on {}", redundancy(other), names(model, &other.nodes())),
    }
}

/// The roles: mechanism, requirements and site.
pub(super) fn write_roles(model: &Model, out: &mut String) {
    let _ = writeln!(out, "{}:", plural(model.roles.len(), "role", "roles"));
    for r in &model.roles {
        let placement =
            mechanism(model, &r.kind, r.machine.as_ref()) + &super::balancer::balancer_text(r);
        let req = if r.requires.is_empty() {
            String::new()
        } else {
            format!(
                "; requires {}",
                r.requires
                    .iter()
                    .map(|&j| model.roles[j].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let site = r
            .site
            .map(|s| format!("; at site {}", model.sites[s].name))
            .unwrap_or_default();
        let _ = writeln!(out, "  role {}: {placement}{req}{site}", r.name);
        if let Some(line) = super::standby::pool_standby_line(model, r) {
            let _ = writeln!(out, "    {line}");
        }
        if let Some(t) = &r.tolerance {
            let _ = writeln!(out, "    {}", super::services::tolerance_line(t));
        }
    }
}
