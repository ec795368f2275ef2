//! Warnings about valid but suspicious scenarios: parts that cannot affect any result, settings that
//! do not take effect, saturated targets, clients overlapping their own requests.

use crate::base::units::{format_duration, trim_float};
use crate::model::{ComponentKind, CrewPolicy, Guard, Model, RoleKind, Selection};
use crate::scenario::DEFAULT_PRIORITY;

use super::plural;
use super::quorum::warn_clusters;

/// Parts of a scenario that are valid but probably not what the author meant.
pub fn warnings(model: &Model) -> Vec<String> {
    let mut out = super::names::look_alikes(model);
    out.extend(super::work::warnings(model));
    let n = model.components.len();
    let mut used = vec![false; n];
    for r in &model.roles {
        r.kind.nodes().iter().for_each(|&c| used[c] = true);
        if let RoleKind::Mirroring {
            witness: Some(w), ..
        } = r.kind
        {
            used[w] = true;
        }
    }
    // A cluster's voters (its witness too) count as used once a role runs on the cluster.
    for r in &model.roles {
        if let Some(q) = r.machine.as_ref().and_then(|m| m.quorum) {
            model.quorums[q].voters.iter().for_each(|&c| used[c] = true);
        }
    }
    // A host group's hosts (and its cluster's voters) count as used once one of its VMs is.
    for g in &model.host_groups {
        if g.vms.iter().any(|&v| used[v]) {
            g.hosts.iter().for_each(|&c| used[c] = true);
            if let Some(q) = g.cluster {
                model.quorums[q].voters.iter().for_each(|&c| used[c] = true);
            }
        }
    }
    for c in model.components_of(ComponentKind::Node) {
        // A silent node or a backup job has results of its own (latent failures, backups).
        if !used[c] && !model.components[c].latent {
            out.push(format!(
                "node {} hosts no role, so it cannot affect any result",
                model.components[c].name
            ));
        }
    }
    // Domains containing no node, directly or through nested domains.
    let mut holds_node = vec![false; n];
    for c in model.components_of(ComponentKind::Node) {
        let mut stack = model.components[c].within.clone();
        while let Some(d) = stack.pop() {
            if !std::mem::replace(&mut holds_node[d], true) {
                stack.extend(model.components[d].within.iter().copied());
            }
        }
    }
    for d in model.components_of(ComponentKind::Domain) {
        if !holds_node[d] {
            out.push(format!(
                "domain {} contains no node (directly or through nested domains), so it cannot affect any result",
                model.components[d].name
            ));
        }
    }
    warn_clusters(model, &mut out);
    super::hosts::warn_hosts(model, &mut out);
    for (k, stock) in model.stocks.iter().enumerate() {
        if !model.components.iter().any(|c| c.spare == Some(k)) {
            out.push(format!(
                "stock {} is named by no node (`spare = \"{}\"`), so no repair takes its parts",
                stock.name, stock.name
            ));
        }
    }
    for (k, crew) in model.crews.iter().enumerate() {
        if !model.components.iter().any(|c| c.crew == Some(k)) {
            out.push(format!(
                "crew {} is named by no component, so it repairs nothing",
                crew.name
            ));
        }
    }
    for c in &model.components {
        if let Some(k) = c.crew
            && model.crews[k].policy == CrewPolicy::Fifo
            && c.priority != DEFAULT_PRIORITY
        {
            out.push(format!(
                "{} {} has priority {}, but crew {} serves first come, first served; set policy = \"priority\" on the crew for priorities to count",
                c.kind.as_str(),
                c.name,
                c.priority,
                model.crews[k].name
            ));
        }
    }
    for r in &model.roles {
        if let RoleKind::Cluster {
            nodes,
            max_nodes: Some(max),
        } = &r.kind
            && nodes.len() > *max as usize
        {
            out.push(format!(
                "role {} runs on {} cluster nodes but max_nodes = {max}",
                r.name,
                nodes.len()
            ));
        }
    }
    // Without a capacity, a request is served by any live instance: `min_up` moves the role's own
    // availability but never what its clients see, which surprised planners sweeping it.
    let mut told = vec![false; model.roles.len()];
    for q in &model.requests {
        let r = &model.roles[q.target];
        if let RoleKind::Pool { min_up, .. } = r.kind
            && min_up > 1
            && r.capacity.is_none()
            && !std::mem::replace(&mut told[q.target], true)
        {
            out.push(format!(
                "role {} needs min_up = {min_up} instances to count as available, but its clients are served by any one live instance (it has no `capacity`), so min_up changes the role's downtime, not what clients see; give capacity (requests one instance serves, e.g. capacity = \"400/s\") for load to count",
                r.name
            ));
        }
    }
    for m in &model.maintenance {
        if m.guard == Guard::None {
            continue;
        }
        let roll = m.nodes.len() as f64 * m.duration;
        if roll >= m.every {
            out.push(format!(
                "maintenance {} rolls over {} × {} = {}, not less than every = {}: a window that starts while the previous roll is still running is skipped",
                m.name,
                plural(m.nodes.len(), "node", "nodes"),
                format_duration(m.duration),
                format_duration(roll),
                format_duration(m.every)
            ));
        }
        if m.guard == Guard::KeepOneUp && m.nodes.len() == 1 {
            out.push(format!(
                "maintenance {} rolls over a single node, which it never takes (it would leave no listed node up); drop `rolling` to maintain it",
                m.name
            ));
        }
        if let Guard::Role(r) = m.guard
            && let RoleKind::Pool { nodes, min_up } = &model.roles[r].kind
            && model.roles[r].machine.is_none()
            && nodes.len() as u32 <= *min_up
        {
            out.push(format!(
                "maintenance {} rolls over role {}, which needs all {} of its nodes up (min_up = {min_up}), so the roll never takes one; lower min_up or drop `rolling` to maintain them",
                m.name,
                model.roles[r].name,
                nodes.len()
            ));
        }
    }
    for q in &model.requests {
        if let Some(mu) = model.roles[q.target].capacity {
            let load = model.offered_load(q.target);
            let most = if q.per_replica { 1 } else { q.primary };
            if load >= mu * most as f64 {
                out.push(format!(
                    "request {}: role {} is offered {}/s but all its {} together serve {}/s: it is saturated even with every instance up, so every attempt times out",
                    q.name,
                    model.roles[q.target].name,
                    trim_float(load / 3600.0),
                    plural(most, "instance", "instances"),
                    trim_float(mu * most as f64 / 3600.0)
                ));
            }
            if q.selection == Selection::Ordered {
                out.push(format!(
                    "request {}: selection ordered sends every request to the first live instance, but the queue model shares the load over all live instances of {} (as behind a load balancer)",
                    q.name,
                    model.roles[q.target].name
                ));
            }
        }
        let busy = q.timeout * q.max_attempts as f64;
        let every = 1.0 / q.rate;
        // A relative margin: `every` went through 1 / rate, and equality is no overlap.
        if busy > every * (1.0 + 1e-9) {
            out.push(format!(
                "request {}: timeout {} × {} = {} exceeds every = {}: a client would start new requests while its earlier ones are still retrying (clients would overlap their own requests)",
                q.name,
                format_duration(q.timeout),
                plural(q.max_attempts as usize, "attempt", "attempts"),
                format_duration(busy),
                format_duration(every)
            ));
        }
    }
    if !model.services.is_empty() {
        let mut gates: Vec<u32> = model.services.iter().map(|s| s.gate).collect();
        // Roles that clients use are used, whether or not a service names them.
        for q in &model.requests {
            gates.extend(q.instances.iter().copied());
            gates.push(model.roles[q.target].gate);
            if let Some(r) = &q.reassign {
                gates.extend(r.moved().instances.iter().copied());
                gates.push(model.roles[r.to].gate);
            }
        }
        let reached = model.graph.reach(&gates);
        for r in model.roles.iter().filter(|r| !reached[r.gate as usize]) {
            out.push(format!(
                "role {} is used by no service (it is still reported on its own)",
                r.name
            ));
        }
    }
    out
}
