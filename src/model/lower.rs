//! Lowering: the combinational part of a validated model (domains, pools, dependencies, WAN paths,
//! service expressions) flattened into the gate graph, with every signal id filled in.

use super::components::Component;
use super::graph::Graph;
use super::queue::Queue;
use super::roles::{Machine, Recovery, RoleKind};
use super::services::Expr;
use super::{Model, SignalId};

/// Builds the gate graph of a validated model and fills in every signal id. The parser calls it once
/// all names are resolved; `model.graph` must be empty.
///
/// Lowering: component `c` has hardware signal `c`; its effective signal is AND(hardware, not in
/// maintenance, effective signals of the domains/sites it is in, and for a virtual machine its
/// placement on an up host). A standalone role without a machine
/// is its node's effective signal; a pool is a `min_up`-of-n gate; a machine role is its output
/// primitive. A role's gate is AND(own, each required role — through the WAN path when the two are at
/// different sites). Service expressions become gates, references crossing sites likewise.
pub fn lower(model: &mut Model) {
    let mut g = Graph {
        components: model.components.len(),
        ..Default::default()
    };
    let mut next = model.components.len() as SignalId;
    let mut maintained = vec![false; model.components.len()];
    for m in &model.maintenance {
        for &n in &m.nodes {
            maintained[n] = true;
        }
    }
    for (c, comp) in model.components.iter_mut().enumerate() {
        comp.maintenance = maintained[c].then(|| {
            next += 1;
            next - 1
        });
    }
    let mut depends_extra: Vec<(SignalId, Vec<SignalId>)> = Vec::new();
    for role in &mut model.roles {
        if let Some(m) = &mut role.machine {
            m.output = next;
            next += 1;
        }
    }
    // Dynamic quorum: per voter, "vote in force" and its complement, set by the engine.
    for q in &mut model.quorums {
        if q.adjustment.is_some() {
            let v = q.voters.len() as SignalId;
            q.in_force = (next..next + v).collect();
            q.out_of_force = (next + v..next + 2 * v).collect();
            next += 2 * v;
        }
    }
    // Virtual machines: per VM, "placed and running on a host", set by the engine.
    let mut placed_of: Vec<Option<SignalId>> = vec![None; model.components.len()];
    for hg in &mut model.host_groups {
        hg.placed = (next..next + hg.vms.len() as SignalId).collect();
        next += hg.vms.len() as SignalId;
        for (&v, &p) in hg.vms.iter().zip(&hg.placed) {
            placed_of[v] = Some(p);
        }
    }
    // Pools with standby instances: per node, "an active instance and up", set by the engine.
    for role in &mut model.roles {
        if let (Some(sb), RoleKind::Pool { nodes, .. }) = (&mut role.standby, &role.kind) {
            sb.serving = (next..next + nodes.len() as SignalId).collect();
            next += nodes.len() as SignalId;
        }
    }
    g.primitives = next as usize;
    g.depends = vec![Vec::new(); g.primitives];

    // Effective signals, in an order where enclosing domains come first (domains form a DAG).
    let n = model.components.len();
    let mut effective: Vec<Option<SignalId>> = vec![None; n];
    fn eff(
        c: usize,
        comps: &[Component],
        g: &mut Graph,
        effective: &mut Vec<Option<SignalId>>,
        placed_of: &[Option<SignalId>],
    ) -> SignalId {
        if let Some(s) = effective[c] {
            return s;
        }
        let mut ins = vec![c as SignalId];
        ins.extend(comps[c].maintenance);
        ins.extend(placed_of[c]);
        for &d in &comps[c].within {
            ins.push(eff(d, comps, g, effective, placed_of));
        }
        let need = ins.len() as u32;
        let s = g.gate_over(need, ins);
        effective[c] = Some(s);
        s
    }
    for c in 0..n {
        let s = eff(c, &model.components, &mut g, &mut effective, &placed_of);
        model.components[c].effective = s;
    }

    let mut paths = Paths {
        parent: model.sites.iter().map(|s| s.parent).collect(),
        link: model
            .sites
            .iter()
            .map(|s| s.link.map(|c| model.components[c].effective))
            .collect(),
        site: model
            .sites
            .iter()
            .map(|s| s.component.map(|c| model.components[c].effective))
            .collect(),
        cache: std::collections::HashMap::new(),
    };

    // Quorum: static, more than half of the voters up (a threshold gate); dynamic, more than half of
    // the votes in force up: with x = in force and up, z = out of force or up, Σx > (votes in force)/2
    // exactly when Σx + Σz ≥ voters + 1.
    for q in &mut model.quorums {
        let eff: Vec<SignalId> = q
            .voters
            .iter()
            .map(|&c| model.components[c].effective)
            .collect();
        let v = eff.len() as u32;
        q.signal = if q.adjustment.is_some() {
            let mut ins: Vec<SignalId> = (0..eff.len())
                .map(|i| g.gate_over(2, vec![q.in_force[i], eff[i]]))
                .collect();
            for (i, &e) in eff.iter().enumerate() {
                ins.push(g.gate_over(1, vec![q.out_of_force[i], e]));
            }
            for i in 0..eff.len() {
                depends_extra.push((q.in_force[i], eff.clone()));
                depends_extra.push((q.out_of_force[i], eff.clone()));
            }
            g.gate_over(v + 1, ins)
        } else {
            g.gate_over(v / 2 + 1, eff)
        };
    }
    // Where a virtual machine can run: a host's effective signal, and its cluster's quorum.
    for hg in &mut model.host_groups {
        let quorum = hg.cluster.map(|q| model.quorums[q].signal);
        hg.host_up = hg
            .hosts
            .iter()
            .map(|&h| {
                let e = model.components[h].effective;
                match quorum {
                    Some(q) => g.gate_over(2, vec![e, q]),
                    None => e,
                }
            })
            .collect();
        for &p in &hg.placed {
            depends_extra.push((p, hg.host_up.clone()));
        }
    }
    // Where a machine's role can run: its node, and its cluster's quorum.
    for role in &mut model.roles {
        if let Some(m) = &mut role.machine {
            let quorum = m.quorum.map(|q| model.quorums[q].signal);
            for r in &mut m.replicas {
                let e = model.components[r.node].effective;
                r.up = match quorum {
                    Some(q) => g.gate_over(2, vec![e, q]),
                    None => e,
                };
            }
        }
    }

    // Own signals.
    for role in &mut model.roles {
        role.own = match (&role.machine, &role.kind) {
            (Some(m), _) => {
                let mut deps: Vec<SignalId> = m.replicas.iter().map(|r| r.up).collect();
                deps.extend(m.witness.map(|w| model.components[w].effective));
                depends_extra.push((m.output, deps));
                m.output
            }
            (None, RoleKind::Standalone { node }) => model.components[*node].effective,
            (None, RoleKind::Pool { nodes, min_up }) => {
                let ins: Vec<SignalId> = nodes
                    .iter()
                    .map(|&n| model.components[n].effective)
                    .collect();
                match &role.standby {
                    // Only active instances count; each depends on every node of the pool.
                    Some(sb) => {
                        for &s in &sb.serving {
                            depends_extra.push((s, ins.clone()));
                        }
                        g.gate_over(*min_up, sb.serving.clone())
                    }
                    None => g.gate_over(*min_up, ins),
                }
            }
            (None, kind) => unreachable!("role kind {kind:?} always has a machine"),
        };
    }
    // Role gates are allocated before wiring so that requirements can point at any role.
    let role_gates: Vec<SignalId> = model.roles.iter().map(|_| g.add_gate(0)).collect();
    for (i, role) in model.roles.iter().enumerate() {
        let mut ins = vec![role.own];
        for &j in &role.requires {
            let dep = role_gates[j];
            match paths.between(role.site, model.roles[j].site, &mut g) {
                Some(p) => ins.push(g.gate_over(2, vec![dep, p])),
                None => ins.push(dep),
            }
        }
        let gi = role_gates[i] as usize - g.primitives;
        g.need[gi] = ins.len() as u32;
        g.inputs[gi] = ins;
    }
    // Reinstall waits for its source role: a dependency for reachability.
    for role in &model.roles {
        if let Some(Machine {
            recovery: Recovery::Reinstall { from: Some(j), .. },
            output,
            ..
        }) = &role.machine
        {
            depends_extra.push((*output, vec![role_gates[*j]]));
        }
    }
    for (s, deps) in depends_extra {
        g.depends[s as usize].extend(deps);
    }

    // Instances of client targets: a pool's instance is its node with the role's requirements; any other
    // role is one instance, the role itself; the WAN path from the clients' site is added to each. A
    // fallback role's instances follow the target's.
    // A reassigned kind's moved clients make the same requests to the role they are moved to: a
    // second, hidden kind with that role's instances, lowered after all the others.
    let kinds = model.requests.len();
    let moved: Vec<usize> = (0..kinds)
        .filter(|&q| model.requests[q].reassign.is_some())
        .collect();
    for (q, moved) in (0..kinds)
        .map(|q| (q, false))
        .chain(moved.into_iter().map(|q| (q, true)))
    {
        let population = model.requests[q].population;
        let from = model.populations[population].site;
        let target = match &model.requests[q].reassign {
            Some(r) if moved => r.to,
            _ => model.requests[q].target,
        };
        let targets: Vec<usize> = std::iter::once(target)
            .chain(model.requests[q].fallback)
            .collect();
        let mut instances = Vec::new();
        let mut primary = 0;
        let mut per_replica = false;
        for (t, &target) in targets.iter().enumerate() {
            let role = &model.roles[target];
            let path = paths.between(from, role.site, &mut g);
            match (&role.machine, &role.kind) {
                (None, RoleKind::Pool { nodes, .. }) => {
                    let deps: Vec<SignalId> = g.inputs[role_gates[target] as usize - g.primitives]
                        [1..]
                        .iter()
                        .copied()
                        .chain(path)
                        .collect();
                    for (i, &n) in nodes.iter().enumerate() {
                        let own = match &role.standby {
                            Some(sb) => sb.serving[i],
                            None => model.components[n].effective,
                        };
                        let mut ins = vec![own];
                        ins.extend(deps.iter().copied());
                        instances.push(g.gate_over(ins.len() as u32, ins));
                    }
                }
                (_, kind) => {
                    let mut ins = vec![role_gates[target]];
                    ins.extend(path);
                    let s = g.gate_over(ins.len() as u32, ins);
                    // Clients of a mirror name both partners; either serves only while it is the
                    // principal.
                    let mirror = t == 0 && matches!(kind, RoleKind::Mirroring { .. });
                    instances.extend(std::iter::repeat_n(s, if mirror { 2 } else { 1 }));
                    if t == 0 {
                        per_replica = mirror;
                    }
                }
            }
            if t == 0 {
                primary = instances.len();
            }
        }
        if moved {
            let mut k = model.requests[q].clone();
            k.reassign = None;
            k.target = target;
            k.per_replica = per_replica;
            k.primary = primary;
            k.instances = instances;
            // Reassignment from or to a balanced pool is refused when the scenario is read.
            k.balanced = false;
            k.stream_key = super::stream_key("reassigned request", &k.name);
            if let Some(r) = &mut model.requests[q].reassign {
                r.moved = Some(Box::new(k));
            }
        } else {
            model.requests[q].per_replica = per_replica;
            model.requests[q].primary = primary;
            model.requests[q].instances = instances;
            model.requests[q].balanced = model.roles[model.requests[q].target].balancer.is_some();
        }
    }
    // Queues of roles with a capacity: the whole offered load of every kind that targets the role is
    // shared by the live instances a kind sees.
    let load: Vec<f64> = (0..model.roles.len())
        .map(|r| model.offered_load(r))
        .collect();
    for q in &mut model.requests {
        q.queue = match model.roles[q.target].capacity {
            Some(mu) => {
                // A mirror's partners serve one at a time: at most one live instance.
                let most = if q.per_replica { 1 } else { q.primary };
                (0..=q.primary)
                    .map(|c| Queue::mmc(c.min(most), mu, load[q.target], q.timeout))
                    .collect()
            }
            None => Vec::new(),
        };
        // The moved clients queue at the other role as they did at the target (the parser requires the
        // same capacity and as many instances there).
        if let Some(m) = q.reassign.as_mut().and_then(|r| r.moved.as_mut()) {
            m.queue = q.queue.clone();
        }
    }

    let service_gates: Vec<SignalId> = model.services.iter().map(|_| g.add_gate(0)).collect();
    let role_names: Vec<String> = model.roles.iter().map(|r| r.name.clone()).collect();
    let service_names: Vec<String> = model.services.iter().map(|s| s.name.clone()).collect();
    let role_sites: Vec<Option<usize>> = model.roles.iter().map(|r| r.site).collect();
    let service_sites: Vec<Option<usize>> = model.services.iter().map(|s| s.site).collect();
    struct Ctx<'a> {
        rg: &'a [SignalId],
        sg: &'a [SignalId],
        role_sites: &'a [Option<usize>],
        service_sites: &'a [Option<usize>],
        from: Option<usize>,
    }
    fn lower_expr(
        e: &Expr,
        g: &mut Graph,
        cx: &Ctx<'_>,
        top: Option<SignalId>,
        paths: &mut Paths,
    ) -> SignalId {
        let (s, site) = match e {
            Expr::Role(i) => (cx.rg[*i], cx.role_sites[*i]),
            Expr::Service(i) => (cx.sg[*i], cx.service_sites[*i]),
            Expr::Gate { need, children, .. } => {
                let ins: Vec<SignalId> = children
                    .iter()
                    .map(|c| lower_expr(c, g, cx, None, paths))
                    .collect();
                let gate = top.unwrap_or_else(|| g.add_gate(*need));
                let gi = gate as usize - g.primitives;
                g.need[gi] = *need;
                g.inputs[gi] = ins;
                return gate;
            }
        };
        match paths.between(cx.from, site, g) {
            Some(p) => g.gate_over(2, vec![s, p]),
            None => s,
        }
    }
    fn show(e: &Expr, rn: &[String], sn: &[String]) -> String {
        match e {
            Expr::Role(i) => rn[*i].clone(),
            Expr::Service(i) => sn[*i].clone(),
            Expr::Gate { op, need, children } => {
                let inner: Vec<String> = children.iter().map(|c| show(c, rn, sn)).collect();
                if *op == "k_of" {
                    format!("{need}_of({})", inner.join(", "))
                } else {
                    format!("{op}({})", inner.join(", "))
                }
            }
        }
    }
    for (i, svc) in model.services.iter_mut().enumerate() {
        let cx = Ctx {
            rg: &role_gates,
            sg: &service_gates,
            role_sites: &role_sites,
            service_sites: &service_sites,
            from: svc.site,
        };
        lower_expr(&svc.expr, &mut g, &cx, Some(service_gates[i]), &mut paths);
        svc.gate = service_gates[i];
        svc.expression = show(&svc.expr, &role_names, &service_names);
    }
    for (role, &gate) in model.roles.iter_mut().zip(&role_gates) {
        role.gate = gate;
    }
    g.finish();
    for svc in &mut model.services {
        svc.support = g.support(svc.gate);
    }
    model.graph = g;
}

/// Connectivity signals between sites, built on demand and shared.
struct Paths {
    parent: Vec<Option<usize>>,
    link: Vec<Option<SignalId>>,
    site: Vec<Option<SignalId>>,
    cache: std::collections::HashMap<(usize, usize), Option<SignalId>>,
}

impl Paths {
    /// AND of the links and intermediate sites between `a` and `b`; `None` when nothing can break it.
    fn between(&mut self, a: Option<usize>, b: Option<usize>, g: &mut Graph) -> Option<SignalId> {
        let (a, b) = (a?, b?);
        if a == b {
            return None;
        }
        let key = (a.min(b), a.max(b));
        if let Some(s) = self.cache.get(&key) {
            return *s;
        }
        let (sites, links) = tree_path(&self.parent, a, b);
        let mut ins: Vec<SignalId> = links.iter().filter_map(|&s| self.link[s]).collect();
        ins.extend(sites.iter().filter_map(|&s| self.site[s]));
        let s = (!ins.is_empty()).then(|| g.gate_over(ins.len() as u32, ins));
        self.cache.insert(key, s);
        s
    }
}

/// Intermediate sites (without the ends) and the sites whose parent link lies on the tree path from
/// `a` to `b`. Sites in different trees are joined through nothing that can fail.
pub fn tree_path(parent: &[Option<usize>], a: usize, b: usize) -> (Vec<usize>, Vec<usize>) {
    let ancestors = |mut s: usize| {
        let mut out = vec![s];
        while let Some(p) = parent[s] {
            out.push(p);
            s = p;
        }
        out
    };
    let (pa, pb) = (ancestors(a), ancestors(b));
    let Some(&common) = pa.iter().find(|s| pb.contains(s)) else {
        return (Vec::new(), Vec::new());
    };
    let mut sites = Vec::new();
    let mut links = Vec::new();
    for path in [&pa, &pb] {
        for &s in path.iter().take_while(|&&s| s != common) {
            links.push(s);
            sites.push(s);
        }
    }
    sites.push(common);
    sites.retain(|&s| s != a && s != b);
    (sites, links)
}
