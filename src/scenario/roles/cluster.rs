//! A cluster role: an active/passive failover cluster over 1 to 64 nodes.

use crate::model::{Replica, RoleKind};

use super::super::MAX_CLUSTER_NODES;
use super::super::compile::{Compiler, RawRole};
use super::super::reader::{Errors, Tbl, boolean, integer};

impl Compiler {
    pub(super) fn cluster(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let on = self.on_nodes(t, errs);
        let f = self.failover_fields(t, None, errs);
        let failback = t
            .get("failback")
            .and_then(|b| boolean(b, &t.path_of("failback"), errs))
            .unwrap_or(false);
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
        let replicas = nodes
            .iter()
            .map(|&node| Replica {
                node,
                automatic: true,
                needs_witness: false,
                lag: None,
            })
            .collect();
        let mut m = self.machine(role, replicas, f);
        m.failback = failback;
        role.machine = Some(m);
        role.kind = Some(RoleKind::Cluster { nodes, max_nodes });
    }
}
