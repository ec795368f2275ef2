//! A cluster role: an active/passive failover cluster over 1 to 64 nodes, on a `[clusters]` cluster
//! (and its quorum) when it names one.

use crate::model::{Replica, RoleKind};

use super::super::MAX_CLUSTER_NODES;
use super::super::compile::{Compiler, RawRole};
use super::super::reader::{Errors, Tbl, boolean, integer, probability};

impl Compiler {
    pub(super) fn cluster(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let quorum = t
            .get("cluster")
            .and_then(|c| self.cluster_ref(c, &t.path_of("cluster"), errs));
        let on = if t.peek("cluster").is_some() && !t.has("on") {
            // `on` defaults to the cluster's members; given, it names some of them in preference order.
            // (An unknown cluster is reported already.)
            match quorum {
                Some(Some(q)) => Some((self.quorums[q].nodes.clone(), t.span.clone())),
                _ => None,
            }
        } else {
            self.on_nodes(t, errs)
        };
        let f = self.failover_fields(t, None, errs);
        // `true`: back to the most preferred node whenever it returns; "after_maintenance": back to the
        // node a planned drain took it from.
        let (failback, after_maintenance) = match t.get("failback") {
            Some(b) => match b.get_ref() {
                toml::de::DeValue::String(text) if text == "after_maintenance" => (false, true),
                toml::de::DeValue::String(text) => {
                    errs.push(
                        b.span(),
                        t.path_of("failback"),
                        format!(
                            "expected true, false or \"after_maintenance\" (back to the node a \
                             planned drain took the role from), found \"{text}\""
                        ),
                    );
                    (false, false)
                }
                _ => (
                    boolean(b, &t.path_of("failback"), errs).unwrap_or(false),
                    false,
                ),
            },
            None => (false, false),
        };
        let dormant = t
            .get("dormant")
            .and_then(|d| probability(d, &t.path_of("dormant"), errs));
        let max_nodes = t.get("max_nodes").and_then(|m| {
            let p = t.path_of("max_nodes");
            match integer(m, &p, u32::MAX as u64, errs)? {
                0 => {
                    errs.push(
                        m.span(),
                        p,
                        "max_nodes must be at least 1 (leave it out when the product has no limit)",
                    );
                    None
                }
                n => Some(n as u32),
            }
        });
        let Some((nodes, on_span)) = on else { return };
        if nodes.is_empty() || nodes.len() > MAX_CLUSTER_NODES {
            errs.push(
                on_span,
                t.path_of("on"),
                format!(
                    "a cluster has 1 to {MAX_CLUSTER_NODES} nodes, but `on` names {}",
                    nodes.len()
                ),
            );
            return;
        }
        if let (Some(Some(q)), Some((_, v))) = (quorum, t.peek("on")) {
            let outside: Vec<&str> = nodes
                .iter()
                .filter(|n| !self.quorums[q].nodes.contains(n))
                .map(|&n| self.nodes[n].name.as_str())
                .collect();
            if !outside.is_empty() {
                errs.push(
                    v.span(),
                    t.path_of("on"),
                    format!(
                        "{} not a member of cluster `{}`; a role of a cluster runs on some of its nodes (or leave `on` out for all of them)",
                        outside.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                            + if outside.len() == 1 { " is" } else { " are" },
                        self.quorums[q].name
                    ),
                );
                return;
            }
        }
        let replicas = nodes
            .iter()
            .map(|&node| Replica {
                node,
                automatic: true,
                needs_witness: false,
                lag: None,
                up: 0,
            })
            .collect();
        let mut m = self.machine(role, replicas, f);
        m.failback = failback;
        m.failback_after_maintenance = after_maintenance;
        m.quorum = quorum.flatten();
        // dormant = 1 is a hot standby: nothing to model beyond today's cluster.
        m.dormant = dormant.filter(|&d| d < 1.0);
        if m.dormant.is_some()
            && let Some((span, _)) = t.peek("dormant")
        {
            role.dormant_at = Some((span, t.path_of("dormant")));
        }
        role.machine = Some(m);
        role.kind = Some(RoleKind::Cluster { nodes, max_nodes });
    }
}
