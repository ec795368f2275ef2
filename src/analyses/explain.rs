//! Plain-language explanations of a compiled model: what `nines validate` prints (one line per
//! component and mechanism) and warnings about valid but suspicious scenarios.

use std::fmt::Write as _;

use crate::base::format::percent;
use crate::base::units::{format_duration, trim_float};
use crate::model::{
    Commit, ComponentId, ComponentKind, CrewPolicy, Guard, Machine, Model, Reconnect, Recovery,
    RequestKind, RoleKind, Selection, WhenAllFail,
};
use crate::scenario::DEFAULT_PRIORITY;

/// Short label of a role's redundancy for tables, e.g. "2-of-3 pool".
pub fn redundancy(kind: &RoleKind) -> String {
    match kind {
        RoleKind::Standalone { .. } => "standalone".to_string(),
        RoleKind::Pool { nodes, min_up } => format!("{min_up}-of-{} pool", nodes.len()),
        RoleKind::Cluster { nodes, .. } => format!("{}-node cluster", nodes.len()),
        RoleKind::AvailabilityGroup { secondaries, .. } => {
            format!("AG, {} replicas", secondaries.len() + 1)
        }
        RoleKind::Mirroring { witness, .. } => {
            if witness.is_some() {
                "mirror+witness".to_string()
            } else {
                "mirroring".to_string()
            }
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Names of components, at most `max` of them, then "and N more".
fn list(model: &Model, ids: &[ComponentId], max: usize) -> String {
    let mut s = names(model, &ids[..ids.len().min(max)]);
    let more = ids.len().saturating_sub(max);
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

fn pct(p: f64) -> String {
    format!("{}%", trim_float(p * 100.0))
}

/// One line on a component: what fails, who repairs it, what it is in.
fn component_line(model: &Model, c: ComponentId) -> String {
    let comp = &model.components[c];
    let repaired = if comp.repair.is_never() {
        "never repaired (down for the rest of the mission once failed)".to_string()
    } else {
        format!("repaired in {}", comp.repair.describe())
    };
    let mut s = format!(
        "{} {}: fails after {}, {repaired}",
        comp.kind.as_str(),
        comp.name,
        comp.failure.describe(),
    );
    if let Some(k) = comp.crew {
        let crew = &model.crews[k];
        let _ = write!(s, " by crew {}", crew.name);
        if crew.policy == CrewPolicy::Priority {
            let _ = write!(s, " (priority {})", comp.priority);
        }
    }
    if comp.kind == ComponentKind::Link
        && let Some(site) = model.sites.iter().find(|x| x.link == Some(c))
    {
        let parent = site.parent.map_or("?", |p| model.sites[p].name.as_str());
        let _ = write!(s, "; WAN link {} – {parent}", site.name);
    }
    if !comp.within.is_empty() {
        let inside: Vec<String> = comp
            .within
            .iter()
            .map(|&d| {
                let dc = &model.components[d];
                format!("{} {}", dc.kind.as_str(), dc.name)
            })
            .collect();
        let _ = write!(s, "; down while {} is down", inside.join(" or "));
    }
    if matches!(comp.kind, ComponentKind::Domain | ComponentKind::Site) {
        let members: Vec<ComponentId> = (0..model.components.len())
            .filter(|&m| model.components[m].within.contains(&c))
            .collect();
        if members.is_empty() {
            s.push_str("; contains nothing");
        } else {
            let _ = write!(s, "; takes down {}", list(model, &members, 8));
        }
    }
    s
}

fn software_text(m: &Machine) -> String {
    let Some(sw) = &m.software else {
        return String::new();
    };
    let mut s = format!(
        "; software failures every {}, restart in {}",
        sw.failure.describe(),
        sw.restart.describe()
    );
    if sw.restart_success >= 1.0 {
        s.push_str(" (always succeeds)");
    } else {
        let _ = write!(s, " ({} succeed", pct(sw.restart_success));
        match &m.manual_recovery {
            Some(d) if m.replicas.len() == 1 => {
                let _ = write!(s, ", otherwise manual recovery in {})", d.describe());
            }
            _ => s.push_str(", otherwise it fails over)"),
        }
    }
    s
}

/// The automatic-failover clause: time, coverage and what happens when it fails.
fn failover_text(m: &Machine) -> String {
    let time = m
        .failover
        .as_ref()
        .map_or("no time".to_string(), |d| d.describe());
    if m.coverage >= 1.0 {
        format!("failover takes {time} and always succeeds")
    } else {
        format!(
            "failover takes {time}, succeeds with probability {}, otherwise manual recovery in {}",
            trim_float(m.coverage),
            m.manual_recovery
                .as_ref()
                .map_or("(not given)".to_string(), |d| d.describe())
        )
    }
}

fn names(model: &Model, ids: &[ComponentId]) -> String {
    ids.iter()
        .map(|&n| model.components[n].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The role's mechanism in plain English.
fn mechanism(model: &Model, kind: &RoleKind, machine: Option<&Machine>) -> String {
    let name = |n: ComponentId| model.components[n].name.as_str();
    match (kind, machine) {
        (RoleKind::Standalone { node }, m) => {
            let mut s = format!("standalone on {}", name(*node));
            if let Some(m) = m {
                match &m.recovery {
                    Recovery::Repair => {}
                    Recovery::Restore {
                        every,
                        offset,
                        restore,
                    } => {
                        let _ = write!(
                            s,
                            "; after its node fails it is restored from the last backup: backups every {}{}, restore in {}; data since the last backup is lost",
                            format_duration(*every),
                            if *offset > 0.0 {
                                format!(" from {}", format_duration(*offset))
                            } else {
                                String::new()
                            },
                            restore.describe()
                        );
                    }
                    Recovery::Reinstall { time, from } => {
                        let _ = write!(
                            s,
                            "; after its node fails it is reinstalled in {}{}; no data is kept",
                            time.describe(),
                            from.map(|j| format!(
                                " once role {} is available",
                                model.roles[j].name
                            ))
                            .unwrap_or_default()
                        );
                    }
                }
                s.push_str(&software_text(m));
            }
            s
        }
        (RoleKind::Pool { nodes, min_up }, _) => format!(
            "pool, available while {min_up} of {} instances are up ({})",
            nodes.len(),
            names(model, nodes)
        ),
        (RoleKind::Cluster { nodes, max_nodes }, Some(m)) => {
            let mut s = format!(
                "failover cluster on {} (preferred {})",
                names(model, nodes),
                name(nodes[0])
            );
            if let Some(max) = max_nodes {
                let _ = write!(s, ", product limit {max} nodes");
            }
            let _ = write!(s, "; {}", failover_text(m));
            s.push_str(if m.failback {
                "; fails back to the most preferred node when it returns"
            } else {
                "; no failback"
            });
            s.push_str(&software_text(m));
            s
        }
        (
            RoleKind::AvailabilityGroup {
                primary,
                secondaries,
            },
            Some(m),
        ) => {
            let mut s = format!("availability group, primary {}", name(*primary));
            let sync: Vec<ComponentId> = secondaries
                .iter()
                .filter(|(_, c)| *c == Commit::Synchronous)
                .map(|(n, _)| *n)
                .collect();
            if !sync.is_empty() {
                let _ = write!(
                    s,
                    "; synchronous {} take{} over automatically, no data lost ({})",
                    names(model, &sync),
                    if sync.len() == 1 { "s" } else { "" },
                    failover_text(m)
                );
            }
            for (i, (n, c)) in secondaries.iter().enumerate() {
                if *c == Commit::Asynchronous {
                    let lag = m.replicas[i + 1]
                        .lag
                        .as_ref()
                        .map_or("?".to_string(), |d| d.describe());
                    let _ = write!(
                        s,
                        "; asynchronous {} needs an operator ({}) and loses up to a lag of {lag} of transactions",
                        name(*n),
                        m.manual_failover
                            .as_ref()
                            .map_or("no delay".to_string(), |d| format!(
                                "manual failover after {}",
                                d.describe()
                            ))
                    );
                }
            }
            if sync.is_empty() {
                let _ = write!(
                    s,
                    "; with no replica up it starts on the first to return after {}",
                    m.failover
                        .as_ref()
                        .map_or("no time".to_string(), |d| d.describe())
                );
            }
            s.push_str(&software_text(m));
            s
        }
        (
            RoleKind::Mirroring {
                principal,
                mirror,
                witness,
                commit,
            },
            Some(m),
        ) => {
            let manual = m
                .manual_failover
                .as_ref()
                .map_or("?".to_string(), |d| d.describe());
            let mut s = format!(
                "database mirroring, principal {}, mirror {}",
                name(*principal),
                name(*mirror)
            );
            match witness {
                Some(w) => {
                    let _ = write!(
                        s,
                        ", witness {}: automatic failover while the witness is up ({}), otherwise manual failover after {manual}",
                        name(*w),
                        failover_text(m)
                    );
                }
                None => {
                    let _ = write!(s, ", no witness: every failover is manual, after {manual}");
                }
            }
            match commit {
                Commit::Synchronous => {
                    s.push_str("; synchronous commit (high safety, no data lost)")
                }
                Commit::Asynchronous => {
                    let _ = write!(
                        s,
                        "; asynchronous commit (high performance): a failover loses up to a lag of {} of transactions",
                        m.replicas[0]
                            .lag
                            .as_ref()
                            .map_or("?".to_string(), |d| d.describe())
                    );
                }
            }
            s.push_str(&software_text(m));
            s
        }
        (other, None) => format!("{} on {}", redundancy(other), names(model, &other.nodes())),
    }
}

/// What `nines validate` prints: one line per component, crew, site, role, maintenance schedule
/// and service, then warnings.
pub fn describe(model: &Model) -> String {
    let mut out = String::new();
    let sim = &model.simulation;
    let _ = writeln!(
        out,
        "scenario {}: mission {}, {} replications, seed {}{}",
        model.name,
        format_duration(sim.mission),
        sim.replications,
        sim.seed,
        sim.threads
            .map(|t| format!(", {t} threads"))
            .unwrap_or_default()
    );
    for (kind, one, many) in [
        (ComponentKind::Node, "node", "nodes"),
        (ComponentKind::Domain, "failure domain", "failure domains"),
        (ComponentKind::Site, "site failure", "site failures"),
        (ComponentKind::Link, "WAN link", "WAN links"),
    ] {
        let ids: Vec<ComponentId> = model.components_of(kind).collect();
        if ids.is_empty() && kind != ComponentKind::Node {
            continue;
        }
        let _ = writeln!(out, "{}:", plural(ids.len(), one, many));
        for c in ids {
            let _ = writeln!(out, "  {}", component_line(model, c));
        }
    }
    if !model.crews.is_empty() {
        let _ = writeln!(out, "{}:", plural(model.crews.len(), "crew", "crews"));
        for (k, crew) in model.crews.iter().enumerate() {
            let served: Vec<ComponentId> = (0..model.components.len())
                .filter(|&c| model.components[c].crew == Some(k))
                .collect();
            let _ = writeln!(
                out,
                "  crew {}: {}, {}{}; repairs {}",
                crew.name,
                plural(crew.technicians as usize, "technician", "technicians"),
                match crew.policy {
                    CrewPolicy::Fifo => "first come, first served",
                    CrewPolicy::Priority => "most urgent priority first",
                },
                crew.dispatch
                    .as_ref()
                    .map(|d| format!(", dispatch {}", d.describe()))
                    .unwrap_or_default(),
                if served.is_empty() {
                    "nothing".to_string()
                } else {
                    format!(
                        "{} ({})",
                        plural(served.len(), "component", "components"),
                        list(model, &served, 8)
                    )
                }
            );
        }
    }
    if !model.sites.is_empty() {
        let _ = writeln!(out, "{}:", plural(model.sites.len(), "site", "sites"));
        for site in &model.sites {
            let mut s = match site.parent {
                None => "root site".to_string(),
                Some(p) => {
                    let link = match site.link {
                        Some(l) => format!("WAN link {} can fail", model.components[l].name),
                        None => "the link never fails".to_string(),
                    };
                    format!("under {} ({link})", model.sites[p].name)
                }
            };
            match site.component {
                Some(c) => {
                    let _ = write!(
                        s,
                        "; the whole site fails after {}, repaired in {}",
                        model.components[c].failure.describe(),
                        model.components[c].repair.describe()
                    );
                }
                None => s.push_str("; the site itself never fails"),
            }
            let _ = writeln!(out, "  site {}: {s}", site.name);
        }
    }
    let _ = writeln!(out, "{}:", plural(model.roles.len(), "role", "roles"));
    for r in &model.roles {
        let placement = mechanism(model, &r.kind, r.machine.as_ref());
        let req = if r.requires.is_empty() {
            String::new()
        } else {
            format!(
                "; requires {}",
                r.requires
                    .iter()
                    .map(|&j| model.roles[j].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let site = r
            .site
            .map(|s| format!("; at site {}", model.sites[s].name))
            .unwrap_or_default();
        let _ = writeln!(out, "  role {}: {placement}{req}{site}", r.name);
    }
    if !model.maintenance.is_empty() {
        let _ = writeln!(
            out,
            "{}:",
            plural(
                model.maintenance.len(),
                "maintenance schedule",
                "maintenance schedules"
            )
        );
        for m in &model.maintenance {
            let from = if m.offset > 0.0 {
                format!(" from {}", format_duration(m.offset))
            } else {
                String::new()
            };
            let how = match m.guard {
                Guard::None if m.nodes.len() == 1 => format!(
                    "{} goes down for {}",
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
                Guard::None => format!(
                    "{} go down together for {}",
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
                Guard::KeepOneUp => format!(
                    "rolling over {} one at a time, {} each, never taking the last listed node that is up",
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
                Guard::Role(r) => format!(
                    "rolling over role {}'s nodes {} one at a time, {} each, skipping a node whose loss would make the role unavailable",
                    model.roles[r].name,
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
            };
            let _ = writeln!(
                out,
                "  maintenance {}: every {}{from}, {how}",
                m.name,
                format_duration(m.every)
            );
        }
    }
    let _ = writeln!(
        out,
        "{}:",
        plural(model.services.len(), "service", "services")
    );
    for s in &model.services {
        let target = s
            .target
            .map(|t| format!(", target {}", percent(t, 1.0 - t)))
            .unwrap_or_default();
        let site = s
            .site
            .map(|x| format!("; seen from site {}", model.sites[x].name))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  service {} = {}{target}{site}; depends on {}",
            s.name,
            s.expression,
            plural(s.support.len(), "component", "components")
        );
    }
    if model.services.is_empty() {
        let _ = writeln!(
            out,
            "  (no services: every role is still measured; add [services] to get SLA figures)"
        );
    }
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
    if let Some(cost) = model.cost_line() {
        let _ = writeln!(out, "{cost}");
    }
    if !model.sweep.is_empty() {
        let params: Vec<String> = model
            .sweep
            .iter()
            .map(|p| {
                let v: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
                format!("{} over {}", p.path, v.join(", "))
            })
            .collect();
        let _ = writeln!(out, "sweep (nines sweep): {}", params.join("; "));
    }
    for w in warnings(model) {
        let _ = writeln!(out, "warning: {w}");
    }
    out
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
    let _ = write!(
        s,
        "; selection {}: tries {instances}{order}",
        q.selection.as_str()
    );
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
    if let Some(f) = q.fallback {
        let _ = write!(
            s,
            "; when every attempt fails, the same attempts go to fallback role {}",
            model.roles[f].name
        );
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
    s
}

/// Parts of a scenario that are valid but probably not what the author meant.
pub fn warnings(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
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
    for c in model.components_of(ComponentKind::Node) {
        if !used[c] {
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
