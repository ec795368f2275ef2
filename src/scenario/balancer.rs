//! A pool's load balancer (`detection`, `convergence` on a pool role), and what a request kind to a
//! pool behind one may say: the balancer, not the client, chooses the member.

use toml::de::DeValue;

use crate::base::dist::Dist;
use crate::model::{Balancer, MAX_BALANCED, RoleKind, stream_key};

use super::compile::{Compiler, RawRole};
use super::dist::dist;
use super::reader::{Errors, Tbl, Val, duration};

/// What `detection` and `convergence` accept.
const DELAY_HELP: &str = "a fixed time such as \"5s\" or a distribution such as { dist = \"exponential\", mean = \"5s\" }";

/// A fixed time (a duration string) or a distribution.
pub(super) fn delay(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    if matches!(v.get_ref(), DeValue::Table(_)) {
        return dist(v, path, errs);
    }
    let h = duration(v, path, errs)?;
    match Dist::fixed(h) {
        Ok(d) => Some(d),
        Err(e) => {
            errs.push(v.span(), path, format!("{e}; expected {DELAY_HELP}"));
            None
        }
    }
}

impl Compiler {
    /// Reads a pool's `detection` and `convergence`: with either, the pool is behind a load balancer.
    pub(super) fn balancer(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let det = t.get("detection");
        let conv = t.get("convergence");
        if det.is_none() && conv.is_none() {
            return;
        }
        let detection = match det {
            Some(v) => delay(v, &t.path_of("detection"), errs),
            None => Dist::fixed(0.0).ok(),
        };
        let convergence = match conv {
            Some(v) => delay(v, &t.path_of("convergence"), errs),
            None => Dist::fixed(0.0).ok(),
        };
        if let Some(RoleKind::Pool { nodes, .. }) = &role.kind
            && nodes.len() > MAX_BALANCED
        {
            let (span, _) = t
                .peek("detection")
                .or_else(|| t.peek("convergence"))
                .expect("one of the keys is present");
            errs.push(
                span,
                t.path.clone(),
                format!(
                    "a pool behind a load balancer has at most {MAX_BALANCED} members; this one has {}",
                    nodes.len()
                ),
            );
            return;
        }
        if let (Some(detection), Some(convergence)) = (detection, convergence) {
            role.balancer = Some(Balancer {
                detection,
                convergence,
                stream_key: stream_key("balancer", &role.name.text),
            });
        }
    }

    /// Checks a request kind whose target is role `target`: behind a load balancer the balancer
    /// chooses the member for every attempt, so the client-side choices (selection, lasting
    /// connections, a fallback, work in flight) do not apply. Returns false after reporting.
    pub(super) fn balanced_request(
        &self,
        t: &Tbl<'_, '_>,
        target: usize,
        errs: &mut Errors,
    ) -> bool {
        let Some(role) = self.roles.get(target) else {
            return true;
        };
        if role.balancer.is_none() {
            return true;
        }
        let mut ok = true;
        for (key, why) in [
            (
                "selection",
                "the balancer chooses the member (evenly among those it has not dropped)",
            ),
            ("reconnect", "every attempt goes through the balancer"),
            (
                "fallback",
                "a fallback is not modelled behind a balancer yet",
            ),
            (
                "duration",
                "work in flight is not modelled behind a balancer yet",
            ),
        ] {
            let Some((_, v)) = t.peek(key) else {
                continue;
            };
            // The defaults say what happens anyway.
            let default = match (key, v.get_ref()) {
                ("selection", DeValue::String(s)) => s == "random",
                ("reconnect", DeValue::String(s)) => s == "on_failure",
                _ => false,
            };
            if default {
                continue;
            }
            ok = false;
            errs.push(
                v.span(),
                t.path_of(key),
                format!(
                    "role `{}` is behind a load balancer (`detection`/`convergence`): {why}; leave `{key}` out",
                    role.name.text
                ),
            );
        }
        ok
    }
}
