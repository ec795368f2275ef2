//! The clients in plain words: populations, and for each request kind its target, rates, how instances
//! are tried, how connections are kept, queues at the target, and caching.

use std::fmt::Write as _;

use crate::base::units::{format_duration, trim_float};
use crate::model::{
    MAX_RESTARTS, Model, OnCut, Reconnect, Refresh, RequestKind, RoleKind, Selection, WhenAllFail,
};

use super::{list, plural};

/// The client populations and their request kinds.
pub(super) fn write_clients(model: &Model, out: &mut String) {
    if !model.populations.is_empty() {
        let _ = writeln!(
            out,
            "{}:",
            plural(
                model.populations.len(),
                "client population",
                "client populations"
            )
        );
        for p in &model.populations {
            let site = p
                .site
                .map(|s| format!(" at site {}", model.sites[s].name))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  clients {}: {}{site}",
                p.name,
                plural(p.count as usize, "client", "clients")
            );
        }
        let _ = writeln!(
            out,
            "{}:",
            plural(model.requests.len(), "request kind", "request kinds")
        );
        for q in &model.requests {
            let _ = writeln!(out, "  request {}: {}", q.name, request_text(model, q));
        }
    }
}

/// A request kind in plain English: target, rates, how instances are tried, and what a try costs.
fn request_text(model: &Model, q: &RequestKind) -> String {
    let role = &model.roles[q.target];
    let population = &model.populations[q.population];
    let mut s = format!("to role {}", role.name);
    if let (Some(from), Some(to)) = (population.site, role.site)
        && from != to
    {
        let _ = write!(
            s,
            " over the WAN from site {} to site {}",
            model.sites[from].name, model.sites[to].name
        );
    }
    let _ = write!(
        s,
        ", each client every {} on average: {} per client per hour, {} per hour in total",
        format_duration(1.0 / q.rate),
        trim_float(q.rate),
        trim_float(q.rate * population.count as f64)
    );
    let n = q.primary;
    let instances = match &role.kind {
        RoleKind::Pool { nodes, .. } => format!(
            "{} ({})",
            plural(n, "instance", "instances"),
            list(model, nodes, 8)
        ),
        _ if q.per_replica => format!(
            "2 instances (the mirror's partners {}; the principal serves, the other redirects fresh connections to it)",
            list(model, &role.kind.nodes(), 2)
        ),
        _ => format!(
            "{} (role {} itself)",
            plural(n, "instance", "instances"),
            role.name
        ),
    };
    let order = match q.selection {
        _ if n <= 1 => "",
        Selection::Random => " in a random order",
        Selection::RoundRobin => " round robin from a random start",
        Selection::Ordered => " in the listed order",
        Selection::Sticky => {
            " starting with the one it used last (sticky), then the others in a random order"
        }
    };
    if q.balanced {
        // The balancer, not the client's `selection`, picks the member of each attempt.
        let _ = write!(
            s,
            "; the balancer spreads requests evenly over the members it has not dropped: {instances}"
        );
    } else {
        let _ = write!(
            s,
            "; selection {}: tries {instances}{order}",
            q.selection.as_str()
        );
    }
    let _ = write!(
        s,
        "; timeout {}, at most {}",
        format_duration(q.timeout),
        plural(q.max_attempts as usize, "attempt", "attempts")
    );
    if q.backoff > 0.0 {
        let _ = write!(
            s,
            ", backoff {} after each pass over the instances",
            format_duration(q.backoff)
        );
    } else {
        s.push_str(", no backoff");
    }
    let _ = write!(s, "; response {}", q.response.describe());
    if q.duration > 0.0 {
        let _ = write!(
            s,
            "; in flight for {} after it starts: if its instance goes down meanwhile it is cut and {}",
            format_duration(q.duration),
            match q.on_cut {
                OnCut::Fail => "fails".to_string(),
                OnCut::Retry => format!(
                    "starts again at once with its whole duration (at most {MAX_RESTARTS} times)"
                ),
                OnCut::Resume => format!(
                    "starts again at once, needing only what was left (at most {MAX_RESTARTS} times)"
                ),
            }
        );
    }
    if let Some(f) = q.fallback {
        let _ = write!(
            s,
            "; when every attempt fails, the same attempts go to fallback role {}",
            model.roles[f].name
        );
        if q.fallback_after > 0.0 {
            let _ = write!(
                s,
                ", but only once the target has had no live instance for {} (before then they fail)",
                format_duration(q.fallback_after)
            );
        }
    }
    if let Some(r) = &q.reassign {
        let operator = match r.crew {
            Some(k) => format!(
                "a technician of crew {} (once free of the repairs before it, then after the crew's dispatch delay and {} of work)",
                model.crews[k].name,
                format_duration(r.duration)
            ),
            None => "an operator".to_string(),
        };
        let _ = write!(
            s,
            "; once the target has had no live instance for {}, {operator} moves {}% of the clients to role {} (same attempts there; nobody moves if the target returns first), and back {} after the target returns",
            format_duration(r.after),
            crate::base::format::short(r.share * 100.0),
            model.roles[r.to].name,
            format_duration(r.back_after)
        );
        if q.stale_after.is_some() {
            s.push_str(
                "; a moved client's data keeps its age and refreshes at its first success there",
            );
        }
    }
    match q.reconnect {
        Reconnect::FreshConnectionOnly { every } => {
            let _ = write!(
                s,
                "; clients keep their connection and send every attempt over it, reconnecting every {} on average (stale connections keep failing until then)",
                format_duration(every)
            );
        }
        Reconnect::Dns {
            ttl,
            health_checked,
        } => {
            let answer = if health_checked {
                "a live instance (health-checked; any instance when none is live)"
            } else {
                "any instance, live or not (no health checks)"
            };
            let _ = write!(
                s,
                "; DNS round robin: each client resolves the name to {answer} and sends every attempt there for {} (clients out of phase)",
                format_duration(ttl)
            );
        }
        Reconnect::OnFailure => {}
    }
    if let Some(mu) = role.capacity {
        let load = model.offered_load(q.target);
        let _ = write!(
            s,
            "; role {} serves {}/s per instance and is offered {}/s by all its clients: they queue at the live instances (M/M/c), and an attempt that waits longer than the timeout fails",
            role.name,
            trim_float(mu / 3600.0),
            trim_float(load / 3600.0)
        );
    }
    if q.when_all_fail == WhenAllFail::Cache {
        s.push_str("; when every attempt fails, the client keeps the data and sends it with its next request that succeeds");
    }
    if let Some(tau) = q.stale_after {
        let when = match q.refresh {
            Refresh::Poisson => "requests at random times, every {} on average",
            Refresh::Periodic => "each client polls exactly every {}, the clients out of phase",
        };
        let _ = write!(
            s,
            "; data age: each request that succeeds refreshes the client's data ({}), which is stale once older than {}",
            when.replace("{}", &format_duration(1.0 / q.rate)),
            format_duration(tau)
        );
    }
    s
}
