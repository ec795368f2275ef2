//! What `validate` says of failover clusters with quorum, one line each, and the warning about a
//! two-node cluster without a witness.

use std::fmt::Write as _;

use crate::model::{Model, Quorum};

use super::{names, plural};

/// Names of the roles that run on cluster `q`.
fn roles_of(model: &Model, q: usize) -> Vec<&str> {
    model
        .roles
        .iter()
        .filter(|r| r.machine.as_ref().is_some_and(|m| m.quorum == Some(q)))
        .map(|r| r.name.as_str())
        .collect()
}

/// The voting nodes of a cluster (its voters without the witness).
fn voting_nodes(c: &Quorum) -> &[usize] {
    &c.voters[..c.voters.len() - c.witness as usize]
}

/// One line per cluster with quorum (nothing when there is none).
pub(super) fn write_clusters(model: &Model, out: &mut String) {
    if model.quorums.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}:",
        plural(model.quorums.len(), "cluster", "clusters")
    );
    for (q, c) in model.quorums.iter().enumerate() {
        let nodes = voting_nodes(c);
        let mut s = format!(
            "{} votes ({}{})",
            c.voters.len(),
            names(model, nodes),
            if c.witness {
                format!("; witness {}", model.components[c.voters[nodes.len()]].name)
            } else {
                String::new()
            }
        );
        let silent: Vec<usize> = c
            .nodes
            .iter()
            .copied()
            .filter(|n| !nodes.contains(n))
            .collect();
        if !silent.is_empty() {
            let _ = write!(s, "; {} without a vote", names(model, &silent));
        }
        let rule = match &c.adjustment {
            None => "static quorum: runs while more than half of the votes are up".to_string(),
            Some(d) => format!(
                "dynamic quorum: runs while more than half of the votes in force are up; while it has quorum the votes follow the membership after {} ({}), so it can shrink one node at a time to the last",
                d.describe(),
                if c.witness {
                    "the witness votes only when the up nodes are even, else the last up node gives its vote up"
                } else {
                    "when the up nodes are even, the last of them gives its vote up"
                }
            ),
        };
        let roles = roles_of(model, q);
        let groups: Vec<&str> = model
            .host_groups
            .iter()
            .filter(|g| g.cluster == Some(q))
            .map(|g| g.name.as_str())
            .collect();
        let who = if !groups.is_empty() && roles.is_empty() {
            format!(
                "losing quorum stops the virtual machines of host group {}",
                groups.join(", ")
            )
        } else if roles.is_empty() {
            "no role runs on it".to_string()
        } else {
            format!(
                "losing quorum stops {} at once; {} again after {} failover time once it is back",
                roles.join(", "),
                if roles.len() == 1 {
                    "it starts"
                } else {
                    "they start"
                },
                if roles.len() == 1 { "its" } else { "their" },
            )
        };
        let _ = writeln!(out, "  cluster {}: {s}; {rule}; {who}", c.name);
    }
}

/// A two-node cluster without a witness: one node's loss stops every role.
pub(super) fn warn_clusters(model: &Model, out: &mut Vec<String>) {
    for (q, c) in model.quorums.iter().enumerate() {
        let nodes = voting_nodes(c);
        if c.witness || nodes.len() != 2 {
            continue;
        }
        let roles = roles_of(model, q);
        let stops = if roles.is_empty() {
            "its roles".to_string()
        } else {
            roles.join(", ")
        };
        let (a, b) = (
            &model.components[nodes[0]].name,
            &model.components[nodes[1]].name,
        );
        let what = match c.adjustment {
            None => format!("static quorum needs both votes, so losing either node stops {stops}"),
            Some(_) => format!(
                "dynamic quorum leaves the only vote with {a}, so losing {a} stops {stops} (losing {b} does not)"
            ),
        };
        out.push(format!(
            "cluster {} has 2 voting nodes and no witness: {what}; add a witness (file share, disk or cloud)",
            c.name
        ));
    }
}
