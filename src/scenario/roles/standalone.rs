//! A standalone role: one instance on one node, optionally with software failures and a recovery
//! other than repair (restore from backup, reinstall).

use crate::model::{Machine, Recovery, Replica, RoleKind, stream_key};

use super::super::compile::{Compiler, RawRole};
use super::super::dist::dist;
use super::super::reader::{Errors, Tbl};
use super::software::software;

impl Compiler {
    pub(super) fn standalone(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let on = self.on_nodes(t, errs);
        let software = t
            .get("software")
            .and_then(|s| software(s, &t.path_of("software"), errs));
        let recovery = t
            .get("recovery")
            .and_then(|r| self.recovery(r, &t.path_of("recovery"), role, errs));
        let manual_recovery = t
            .get("manual_recovery")
            .and_then(|d| dist(d, &t.path_of("manual_recovery"), errs));
        match (&software, t.peek("manual_recovery")) {
            (Some(sw), None) if sw.restart_success < 1.0 => errs.push(
                t.span.clone(),
                t.path.clone(),
                format!(
                    "missing field `manual_recovery` (operator recovery time, e.g. {{ dist = \"exponential\", mean = \"1h\" }}): needed because software.restart_success = {} < 1, and a failed restart needs an operator",
                    sw.restart_success
                ),
            ),
            (None, Some((span, _))) if !t.has("software") => errs.push(
                span,
                t.path_of("manual_recovery"),
                "`manual_recovery` follows a failed software restart, but this role has no `software`; a standalone role comes back with its node (see `recovery`)",
            ),
            _ => {}
        }
        let Some((nodes, on_span)) = on else { return };
        if nodes.len() != 1 {
            errs.push(
                on_span,
                t.path_of("on"),
                format!(
                    "a standalone role runs on exactly one node, but `on` names {} nodes; use kind = \"pool\" for several instances, or kind = \"cluster\" for failover",
                    nodes.len()
                ),
            );
            return;
        }
        let node = nodes[0];
        role.kind = Some(RoleKind::Standalone { node });
        let recovery = recovery.unwrap_or(Recovery::Repair);
        if software.is_some() || !matches!(recovery, Recovery::Repair) {
            role.machine = Some(Machine {
                replicas: vec![Replica {
                    node,
                    automatic: false,
                    needs_witness: false,
                    lag: None,
                    up: 0,
                }],
                witness: None,
                failover: None,
                coverage: 1.0,
                manual_recovery,
                manual_failover: None,
                failback: false,
                failback_after_maintenance: false,
                software,
                recovery,
                quorum: None,
                dormant: None,
                stream_key: stream_key("role", &role.name.text),
                output: 0,
            });
        }
    }
}
