//! A pool role: k-of-n identical instances, available while at least `min_up` run.

use std::ops::Range;

use crate::model::RoleKind;

use super::super::compile::{Compiler, RawRole};
use super::super::reader::{Errors, Tbl, integer};

impl Compiler {
    pub(super) fn pool(
        &self,
        t: &Tbl<'_, '_>,
        kind_span: Range<usize>,
        role: &mut RawRole,
        errs: &mut Errors,
    ) {
        let on = self.on_nodes(t, errs);
        let min_up = match t.get("min_up") {
            Some(m) => integer(m, &t.path_of("min_up"), u32::MAX as u64, errs)
                .map(|x| (x as u32, m.span())),
            None => Some((1, kind_span)),
        };
        let Some((nodes, on_span)) = on else {
            // Read the standby keys still, so that they are not reported unknown.
            self.pool_standby(t, role, errs);
            return;
        };
        if nodes.is_empty() {
            errs.push(
                on_span,
                t.path_of("on"),
                "a pool needs at least one node in `on`",
            );
        } else if let Some((k, span)) = min_up {
            if k == 0 {
                errs.push(
                    span,
                    t.path_of("min_up"),
                    "min_up must be at least 1 (a pool with min_up = 0 could never be down)",
                );
            } else if k as usize > nodes.len() {
                errs.push(
                    span,
                    t.path_of("min_up"),
                    format!(
                        "min_up = {k} but the pool has only {} instance{}: it could never be available; use at most {}",
                        nodes.len(),
                        if nodes.len() == 1 { "" } else { "s" },
                        nodes.len()
                    ),
                );
            } else {
                role.kind = Some(RoleKind::Pool { nodes, min_up: k });
            }
        }
        self.balancer(t, role, errs);
        self.pool_standby(t, role, errs);
    }
}
