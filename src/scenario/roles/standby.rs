//! A pool's standby instances: `standby = m` (the last m nodes of `on` start as standby), `dormant`
//! (cold or warm), `switch` (time to take over) and `switch_fails` (probability a switch-over fails).

use crate::model::{PoolStandby, RoleKind, stream_key};

use super::super::balancer::delay;
use super::super::compile::{Compiler, RawRole};
use super::super::reader::{Errors, Tbl, integer, probability};

/// The pool keys that only mean something with `standby`.
const NEEDS_STANDBY: &[&str] = &["dormant", "switch", "switch_fails"];

impl Compiler {
    /// Reads a pool's standby keys once its nodes and `min_up` are known (`role.kind` is the pool).
    pub(super) fn pool_standby(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let Some(v) = t.get("standby") else {
            for key in NEEDS_STANDBY {
                if let Some((_, v)) = t.peek(key) {
                    t.handled(key);
                    errs.push(
                        v.span(),
                        t.path_of(key),
                        format!(
                            "`{key}` describes a pool's standby instances, but the pool has none: add `standby = 1` (the last node of `on` starts as a standby), or leave `{key}` out"
                        ),
                    );
                }
            }
            return;
        };
        let path = t.path_of("standby");
        let m = integer(v, &path, u32::MAX as u64, errs).map(|m| m as u32);
        let dormant = t
            .get("dormant")
            .and_then(|d| probability(d, &t.path_of("dormant"), errs));
        let switch = t
            .get("switch")
            .and_then(|d| delay(d, &t.path_of("switch"), errs))
            // A switch time of zero is a switch at once.
            .filter(|d| d.mean() > 0.0);
        let switch_fails = t.get("switch_fails").and_then(|p| {
            let path = t.path_of("switch_fails");
            let x = probability(p, &path, errs)?;
            if x >= 1.0 {
                errs.push(
                    p.span(),
                    path,
                    "switch_fails = 1 means no standby could ever take over: expected a probability from 0 to below 1, e.g. 0.02",
                );
                return None;
            }
            Some(x)
        });
        let (Some(m), Some(RoleKind::Pool { nodes, min_up })) = (m, &role.kind) else {
            return;
        };
        let n = nodes.len();
        if m as usize >= n {
            errs.push(
                v.span(),
                path,
                format!(
                    "standby = {m} but the pool has {n} node{} in `on`: at least one must be active; use 0 to {}",
                    if n == 1 { "" } else { "s" },
                    n - 1
                ),
            );
            return;
        }
        if *min_up as usize > n - m as usize {
            let span = t.peek("min_up").map_or(v.span(), |(_, m)| m.span());
            errs.push(
                span,
                t.path_of("min_up"),
                format!(
                    "min_up = {min_up} but only {} of the pool's {n} instances are active (standby = {m}): it could never be available; use min_up at most {}",
                    n - m as usize,
                    n - m as usize
                ),
            );
            return;
        }
        if m == 0 {
            return;
        }
        // dormant = 1 is a hot standby: watched and ageing like an active node.
        let dormant = dormant.filter(|&d| d < 1.0);
        if dormant.is_some()
            && let Some((span, _)) = t.peek("dormant")
        {
            role.dormant_at = Some((span, t.path_of("dormant")));
        }
        role.standby = Some(PoolStandby {
            standby: m,
            dormant,
            switch,
            switch_fails: switch_fails.unwrap_or(0.0),
            index: 0,
            stream_key: stream_key("pool standby", &role.name.text),
            serving: Vec::new(),
        });
    }
}
