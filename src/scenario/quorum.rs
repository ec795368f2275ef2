//! `[clusters]`: failover clusters with quorum (members, votes, witness, dynamic quorum), which
//! `kind = "cluster"` roles join with `cluster = "NAME"`.

use crate::base::dist::Dist;
use crate::model::{MAX_VOTERS, Quorum, stream_key};

use super::MAX_CLUSTER_NODES;
use super::compile::Compiler;
use super::dist::dist;
use super::reader::{self, Errors, Name, Tbl, Val, boolean, join, names, string};

/// Mean of the default adjustment time: Windows removes a departed node's vote once the node has
/// left the membership (heartbeat loss and regroup: seconds to tens of seconds).
pub const DEFAULT_ADJUSTMENT_SECONDS: f64 = 30.0;

impl Compiler {
    /// Reads `[clusters]`; needs the nodes read.
    pub(super) fn clusters_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "clusters", "the [clusters] section", errs) else {
            return;
        };
        // Which cluster each node is a member of (a node belongs to one cluster).
        let mut member_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("clusters", key_name);
            let Some(t) = Tbl::new(val, &path, &format!("cluster `{key_name}`"), errs) else {
                continue;
            };
            let _ = t
                .get("description")
                .and_then(|d| string(d, &t.path_of("description"), errs));
            let nodes = t
                .req(
                    "nodes",
                    "the cluster's member nodes in order: a node, a group or a list",
                    errs,
                )
                .and_then(|n| {
                    let p = t.path_of("nodes");
                    let refs = names(n, &p, errs)?;
                    let ids = self.resolve_nodes(&refs, &p, errs)?;
                    Some((ids, n.span()))
                });
            let witness = t.get("witness").and_then(|w| {
                let p = t.path_of("witness");
                self.one_node(w, &p, errs).map(|(id, n)| (id, n, p))
            });
            let no_vote = t.get("no_vote").and_then(|n| {
                let p = t.path_of("no_vote");
                let refs = names(n, &p, errs)?;
                Some((refs, p))
            });
            let dynamic = t
                .get("dynamic")
                .and_then(|d| boolean(d, &t.path_of("dynamic"), errs))
                .unwrap_or(true);
            let adjustment = match t.get("adjustment") {
                Some(a) if !dynamic => {
                    errs.push(
                        a.span(),
                        t.path_of("adjustment"),
                        "`adjustment` applies to dynamic quorum only; with dynamic = false every vote is always in force",
                    );
                    None
                }
                Some(a) => dist(a, &t.path_of("adjustment"), errs),
                None if dynamic => Some(
                    Dist::exponential(DEFAULT_ADJUSTMENT_SECONDS / 3600.0)
                        .expect("a positive mean"),
                ),
                None => None,
            };
            t.finish(errs);
            let Some((members, span)) = nodes else {
                continue;
            };
            let q = self.quorums.len();
            let mut ok = true;
            if members.is_empty() || members.len() > MAX_CLUSTER_NODES {
                errs.push(
                    span.clone(),
                    join(&path, "nodes"),
                    format!(
                        "a cluster has 1 to {MAX_CLUSTER_NODES} nodes, but `nodes` names {}",
                        members.len()
                    ),
                );
                ok = false;
            }
            for (i, &n) in members.iter().enumerate() {
                if members[..i].contains(&n) {
                    errs.push(
                        span.clone(),
                        join(&path, "nodes"),
                        format!("node `{}` is listed twice", self.nodes[n].name),
                    );
                    ok = false;
                } else if let Some(other) = member_of[n] {
                    errs.push(
                        span.clone(),
                        join(&path, "nodes"),
                        format!(
                            "node `{}` is already a member of cluster `{}`; a node belongs to one cluster",
                            self.nodes[n].name, self.quorums[other].name
                        ),
                    );
                    ok = false;
                } else {
                    member_of[n] = Some(q);
                }
            }
            let mut voting = vec![true; members.len()];
            if let Some((refs, p)) = &no_vote
                && let Some(ids) = self.resolve_nodes(refs, p, errs)
            {
                for (n, r) in ids.iter().zip(refs) {
                    match members.iter().position(|m| m == n) {
                        Some(i) => voting[i] = false,
                        None => {
                            errs.push(
                                r.span.clone(),
                                p.clone(),
                                format!(
                                    "`{}` is not a member of cluster `{key_name}` (its `nodes`)",
                                    self.nodes[*n].name
                                ),
                            );
                            ok = false;
                        }
                    }
                }
            }
            if ok && !voting.iter().any(|&v| v) {
                errs.push(
                    span.clone(),
                    join(&path, "nodes"),
                    "every node is in `no_vote`: a cluster needs at least one voting node",
                );
                ok = false;
            }
            let mut voters: Vec<usize> = members
                .iter()
                .zip(&voting)
                .filter(|(_, v)| **v)
                .map(|(&n, _)| n)
                .collect();
            if let Some((w, n, p)) = &witness {
                if members.contains(w) {
                    errs.push(
                        n.span.clone(),
                        p.clone(),
                        format!(
                            "the witness `{}` is a member of the cluster; a witness is another node (a file share, a disk, a cloud witness)",
                            n.text
                        ),
                    );
                    ok = false;
                }
                voters.push(*w);
            }
            debug_assert!(voters.len() <= MAX_VOTERS);
            if ok {
                self.quorum_names.insert(key_name.to_string(), q);
                self.quorums.push(Quorum {
                    name: key_name.to_string(),
                    nodes: members,
                    voters,
                    witness: witness.is_some(),
                    adjustment,
                    stream_key: stream_key("cluster", key_name),
                    signal: 0,
                    in_force: Vec::new(),
                    out_of_force: Vec::new(),
                });
            } else {
                // Keep the name known so that roles naming it are not reported again.
                self.quorum_names.insert(key_name.to_string(), usize::MAX);
            }
        }
    }

    /// Resolves a role's `cluster = "NAME"`: the cluster's index, or a located error. `Some(None)`: a
    /// cluster that had errors of its own (already reported).
    pub(super) fn cluster_ref(
        &self,
        v: &Val<'_>,
        path: &str,
        errs: &mut Errors,
    ) -> Option<Option<usize>> {
        let n: Name = reader::name(v, path, errs)?;
        match self.quorum_names.get(&n.text) {
            Some(&usize::MAX) => Some(None),
            Some(&q) => Some(Some(q)),
            None => {
                let known: Vec<&str> = self.quorum_names.keys().map(String::as_str).collect();
                let hint = reader::closest(&n.text, &known)
                    .map(|c| format!("did you mean `{c}`? "))
                    .unwrap_or_default();
                let defined = if known.is_empty() {
                    "no cluster is defined; add a [clusters.NAME] section with `nodes`".to_string()
                } else {
                    let mut k = known.clone();
                    k.sort_unstable();
                    format!("defined clusters: {}", k.join(", "))
                };
                errs.push(
                    n.span.clone(),
                    path,
                    format!("unknown cluster `{}`; {hint}{defined}", n.text),
                );
                None
            }
        }
    }
}
