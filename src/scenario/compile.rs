//! The compiler's state (names seen so far, raw parts before component indices exist), the order in
//! which sections are read, the checks across sections (cycles, domains and sites) and the final build.

use std::collections::HashMap;
use std::ops::Range;

use crate::base::dist::Dist;
use crate::base::units::Hours;
use crate::model::{
    self, Component, ComponentKind, Costs, Crew, Graph, HostGroup, Machine, Maintenance, Model,
    Population, Quorum, RequestKind, Role, RoleKind, Service, Simulation, Site, Stock,
    SweepParameter, stream_key,
};

use super::DEFAULT_PRIORITY;
use super::reader::{self, Errors, Name, Tbl, Val, join, unknown};
use super::sweep::sweep_section;

/// What a reference in an expression points at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    Role(usize),
    Service(usize),
}

/// A service expression before it becomes gates.
#[derive(Debug, Clone)]
pub(super) enum Expr {
    Ref(Target, Range<usize>),
    Gate {
        op: &'static str,
        need: u32,
        children: Vec<Expr>,
    },
}

/// What a name in `in = [...]` points at: domains and sites share that namespace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Place {
    Domain(usize),
    Site(usize),
}

/// How a component fails and who repairs it, before component indices exist.
#[derive(Clone)]
pub(super) struct RawComp {
    pub(super) description: Option<String>,
    pub(super) failure: Option<Dist>,
    pub(super) repair: Option<Dist>,
    pub(super) crew: Option<usize>,
    pub(super) priority: u32,
    /// Stock whose part its repair needs (nodes only).
    pub(super) spare: Option<usize>,
}

impl Default for RawComp {
    fn default() -> Self {
        Self {
            description: None,
            failure: None,
            repair: None,
            crew: None,
            priority: DEFAULT_PRIORITY,
            spare: None,
        }
    }
}

pub(super) struct RawNode {
    pub(super) name: String,
    pub(super) comp: RawComp,
    /// Domains and sites from `in`.
    pub(super) within: Vec<Place>,
    /// Site from `site`.
    pub(super) site: Option<usize>,
}

pub(super) struct RawDomain {
    pub(super) name: String,
    pub(super) comp: RawComp,
    /// Enclosing domains and sites, with where each was named (for cycle errors).
    pub(super) within: Vec<(Place, Range<usize>)>,
}

pub(super) struct RawSite {
    pub(super) name: String,
    /// Span of the section key.
    pub(super) span: Range<usize>,
    pub(super) description: Option<String>,
    pub(super) parent: Option<(usize, Range<usize>)>,
    /// The site's own failures, when it has `failure` and `repair`.
    pub(super) own: Option<RawComp>,
    /// The WAN link to the parent, when it has `link`.
    pub(super) link: Option<RawComp>,
    /// The link's `name` (default `SITE~link`).
    pub(super) link_name: Option<Name>,
    /// The link's `yearly_cost`.
    pub(super) link_cost: Option<f64>,
}

pub(super) struct RawRole {
    pub(super) name: Name,
    pub(super) description: Option<String>,
    pub(super) kind: Option<RoleKind>,
    pub(super) machine: Option<Machine>,
    pub(super) requires: Vec<(usize, Range<usize>)>,
    /// The role a reinstall waits for, and where it was named.
    pub(super) from: Option<(usize, Range<usize>)>,
    pub(super) site: Option<usize>,
    pub(super) capacity: Option<f64>,
    /// `yearly_cost` per instance.
    pub(super) yearly_cost: Option<f64>,
    /// Where a cold or warm standby cluster wrote `dormant` (span, path), to report a node it shares.
    pub(super) dormant_at: Option<(Range<usize>, String)>,
    pub(super) tolerance: Option<crate::model::Tolerance>,
    /// A pool's load balancer (`detection`, `convergence`).
    pub(super) balancer: Option<crate::model::Balancer>,
    /// A pool's standby instances (`standby`).
    pub(super) standby: Option<crate::model::PoolStandby>,
}

pub(super) struct RawService {
    pub(super) name: Name,
    pub(super) description: Option<String>,
    pub(super) target: Option<f64>,
    pub(super) tolerance: Option<crate::model::Tolerance>,
    pub(super) expr: Option<Expr>,
    pub(super) site: Option<usize>,
    /// `needed_in`: the phases in which its downtime counts, and the key's path.
    pub(super) needed_in: Option<(Vec<reader::Name>, String)>,
}

/// What the latent-failure keys left for the checks across sections.
#[derive(Default)]
pub(super) struct RawLatent {
    /// Silent nodes, with where `silent` was written (span, path).
    pub(super) silent: Vec<(usize, Range<usize>, String)>,
    /// Inspection schedules, with where their `nodes` were written.
    pub(super) inspections: Vec<(model::Inspection, Range<usize>, String)>,
}

/// Reads one scenario: the names and raw parts found so far, section by section.
pub(super) struct Compiler {
    pub(super) name: String,
    /// Mission from [simulation], when valid (for limits that depend on it).
    pub(super) mission: Option<Hours>,
    pub(super) crews: Vec<Crew>,
    pub(super) crew_names: HashMap<String, usize>,
    pub(super) stocks: Vec<Stock>,
    pub(super) stock_names: HashMap<String, usize>,
    pub(super) nodes: Vec<RawNode>,
    /// Node and group names → node indices.
    pub(super) node_names: HashMap<String, Vec<usize>>,
    pub(super) domains: Vec<RawDomain>,
    pub(super) sites: Vec<RawSite>,
    /// Domain and site names (they share one namespace, used by `in`).
    pub(super) places: HashMap<String, Place>,
    /// Clusters with quorum from `[clusters]`, and their names (`usize::MAX`: a cluster with errors).
    pub(super) quorums: Vec<Quorum>,
    pub(super) quorum_names: HashMap<String, usize>,
    /// Host groups from `[hosts]` (a group with errors keeps its place, empty).
    pub(super) host_groups: Vec<HostGroup>,
    pub(super) roles: Vec<RawRole>,
    pub(super) services: Vec<RawService>,
    /// Role and service names share one namespace.
    pub(super) entity_names: HashMap<String, Target>,
    pub(super) maintenance: Vec<Maintenance>,
    pub(super) populations: Vec<Population>,
    pub(super) requests: Vec<RequestKind>,
    pub(super) costs: Costs,
    /// The `[sweep]` section, when present.
    pub(super) sweep: Vec<SweepParameter>,
    /// Silent nodes and `[inspections]`.
    pub(super) latent: RawLatent,
    /// The calendar of `[phases]`.
    pub(super) phases: model::Phases,
}

/// Dotted path of a role key.
pub(super) fn role_path(role: &str, key: &str) -> String {
    join(&join("roles", role), key)
}

impl Compiler {
    pub(super) fn new(name: String) -> Self {
        Self {
            name,
            mission: None,
            crews: Vec::new(),
            crew_names: HashMap::new(),
            stocks: Vec::new(),
            stock_names: HashMap::new(),
            nodes: Vec::new(),
            node_names: HashMap::new(),
            domains: Vec::new(),
            sites: Vec::new(),
            places: HashMap::new(),
            quorums: Vec::new(),
            quorum_names: HashMap::new(),
            host_groups: Vec::new(),
            roles: Vec::new(),
            services: Vec::new(),
            entity_names: HashMap::new(),
            maintenance: Vec::new(),
            populations: Vec::new(),
            requests: Vec::new(),
            costs: Costs::default(),
            sweep: Vec::new(),
            latent: Default::default(),
            phases: Default::default(),
        }
    }

    pub(super) fn run(mut self, root: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Model> {
        let simulation = match root.get("simulation") {
            Some(v) => self.simulation(v, errs),
            None => {
                errs.push(
                    0..0,
                    "simulation",
                    "missing section [simulation] (at least `mission = \"10y\"`)",
                );
                None
            }
        };
        self.mission = simulation.as_ref().map(|s| s.mission);
        let mut defaults = match root.get("defaults") {
            Some(v) => self.defaults(v, errs),
            None => Default::default(),
        };
        if let Some(v) = root.get("crews") {
            self.crews_section(v, errs);
        }
        if let Some(v) = root.get("stocks") {
            self.stocks_section(v, errs);
        }
        if let Some(n) = defaults.spare_name.take() {
            defaults.spare = self.lookup_stock(&n, "defaults.spare", errs);
        }
        // Domain and site names first: nodes, domains and sites refer to them in any order.
        let domain_tables = self.register_places("domains", root.get("domains"), errs);
        let site_tables = self.register_places("sites", root.get("sites"), errs);
        for (i, (v, path)) in domain_tables.iter().enumerate() {
            self.domain(i, v, path, errs);
        }
        for (i, (v, path)) in site_tables.iter().enumerate() {
            self.site(i, v, path, errs);
        }
        if let Some(v) = root.get("nodes") {
            self.nodes_section(v, &defaults, errs);
            self.check_link_names(errs);
        } else {
            errs.push(
                0..0,
                "nodes",
                "missing section [nodes]: a scenario needs at least one node",
            );
        }
        if let Some(v) = root.get("clusters") {
            self.clusters_section(v, errs);
        }
        if let Some(v) = root.get("hosts") {
            self.hosts_section(v, errs);
        }
        // Register role and service names first: they may refer to each other in any order.
        let role_tables = self.register("roles", root.get("roles"), errs, true);
        let service_tables = self.register("services", root.get("services"), errs, false);
        for (v, path, n) in &role_tables {
            let role = self.role(v, path, n.clone(), errs);
            self.roles.push(role);
        }
        for (v, path, n) in &service_tables {
            let svc = self.service(v, path, n.clone(), errs);
            self.services.push(svc);
        }
        if self.roles.is_empty() && root.get("roles").is_none() {
            errs.push(
                0..0,
                "roles",
                "missing section [roles]: define at least one role placed on nodes",
            );
        }
        if let Some(v) = root.get("maintenance") {
            self.maintenance_section(v, errs);
        }
        if let Some(v) = root.get("inspections") {
            self.inspections_section(v, errs);
        }
        if let Some(v) = root.get("clients") {
            self.clients_section(v, errs);
        }
        // After the clients: a phase's `rate` names populations.
        self.phases_section(root.get("phases"), errs);
        if let Some(v) = root.get("costs") {
            self.costs_section(v, errs);
        }
        if let Some(v) = root.get("sweep") {
            self.sweep = sweep_section(v, root, errs);
        }
        self.check_standby_nodes(errs);
        self.check_latent(errs);
        let acyclic = self.check_cycles(errs);
        let places_ok = self.check_domains_and_sites(errs);
        let simulation = simulation?;
        if !errs.list.is_empty() || !acyclic || !places_ok {
            return None;
        }
        self.build(simulation)
    }

    /// A cold or warm standby node idles while its cluster role is elsewhere: no other role may run on
    /// it or watch it (as a witness), nor may a cluster count its vote, or its hidden failures and
    /// slower ageing would be wrong for them.
    fn check_standby_nodes(&self, errs: &mut Errors) {
        for (i, r) in self.roles.iter().enumerate() {
            let (Some((span, path)), Some(k)) = (&r.dormant_at, &r.kind) else {
                continue;
            };
            for n in k.nodes() {
                let other = self.roles.iter().enumerate().find(|(j, o)| {
                    *j != i && o.kind.as_ref().is_some_and(|ok| {
                        ok.nodes().contains(&n)
                            || matches!(ok, RoleKind::Mirroring { witness: Some(w), .. } if *w == n)
                    })
                });
                if let Some(q) = self.quorums.iter().find(|q| q.voters.contains(&n)) {
                    errs.push(
                        span.clone(),
                        path.clone(),
                        format!(
                            "node `{}` is a dormant standby of role `{}` but votes in cluster `{}`: a cluster watches its voters (heartbeats), so their failures are never hidden; leave `dormant` out (hot standby), or the node out of the cluster",
                            self.nodes[n].name, r.name.text, q.name
                        ),
                    );
                    return;
                }
                if let Some((_, o)) = other {
                    errs.push(
                        span.clone(),
                        path.clone(),
                        format!(
                            "node `{}` is a dormant standby of role `{}` and also serves role `{}`; a dormant node idles (and fails unseen) while the role is elsewhere, so it can serve no other role: give `{}` other nodes, or leave `dormant` out (hot standby)",
                            self.nodes[n].name, r.name.text, o.name.text, o.name.text
                        ),
                    );
                    return;
                }
            }
        }
    }

    // Roles and services share one namespace: registered first, looked up by every section.
    /// Registers the names of a `[roles]` or `[services]` section and returns their tables.
    fn register<'a, 'i>(
        &mut self,
        section: &str,
        v: Option<&'a Val<'i>>,
        errs: &mut Errors,
        roles: bool,
    ) -> Vec<(&'a Val<'i>, String, Name)> {
        let Some(v) = v else { return Vec::new() };
        let Some(t) = Tbl::new(v, section, &format!("the [{section}] section"), errs) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, (key, val)) in t.entries().enumerate() {
            let text: &str = key.get_ref();
            let name = Name {
                text: text.to_string(),
                span: key.span(),
            };
            let target = if roles {
                Target::Role(i)
            } else {
                Target::Service(i)
            };
            if let Some(prev) = self.entity_names.insert(text.to_string(), target) {
                let what = match prev {
                    Target::Role(_) => "a role",
                    Target::Service(_) => "a service",
                };
                errs.push(
                    key.span(),
                    join(section, text),
                    format!("`{text}` is already {what}; roles and services need distinct names"),
                );
            }
            out.push((val, join(section, text), name));
        }
        out
    }

    /// Resolves a field that must name a role. A service or an unknown name gets a located error;
    /// `what` says what the field is for.
    pub(super) fn role_ref(
        &self,
        n: &Name,
        path: &str,
        what: &str,
        errs: &mut Errors,
    ) -> Option<usize> {
        match self.entity_names.get(&n.text) {
            Some(Target::Role(i)) => Some(*i),
            Some(Target::Service(_)) => {
                errs.push(
                    n.span.clone(),
                    path,
                    format!("`{}` is a service; {what}", n.text),
                );
                None
            }
            None => {
                errs.push(n.span.clone(), path, self.unknown_role(&n.text));
                None
            }
        }
    }

    /// The unknown-role message, with a likely intended role or the defined ones.
    fn unknown_role(&self, text: &str) -> String {
        let known: Vec<&str> = self.roles_named();
        unknown(
            "role",
            text,
            &known,
            &format!("define it in a [roles.{text}] section"),
        )
    }

    /// Names of all roles (registered before any role is read).
    fn roles_named(&self) -> Vec<&str> {
        self.entity_names
            .iter()
            .filter(|(_, t)| matches!(t, Target::Role(_)))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    pub(super) fn entity_hint(&self, text: &str) -> String {
        let known: Vec<&str> = self.entity_names.keys().map(String::as_str).collect();
        reader::closest(text, &known)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default()
    }

    fn build(self, simulation: Simulation) -> Option<Model> {
        let n_nodes = self.nodes.len();
        let mut next = n_nodes + self.domains.len();
        let mut site_comp = vec![None; self.sites.len()];
        let mut link_comp = vec![None; self.sites.len()];
        for (i, s) in self.sites.iter().enumerate() {
            if s.own.is_some() {
                site_comp[i] = Some(next);
                next += 1;
            }
            if s.link.is_some() {
                link_comp[i] = Some(next);
                next += 1;
            }
        }
        let place = |p: &Place| match p {
            Place::Domain(i) => Some(n_nodes + i),
            Place::Site(j) => site_comp[*j],
        };
        let component = |name: String,
                         kind: ComponentKind,
                         comp: RawComp,
                         within: Vec<usize>|
         -> Option<Component> {
            let mut inside: Vec<usize> = Vec::new();
            for c in within {
                if !inside.contains(&c) {
                    inside.push(c);
                }
            }
            Some(Component {
                stream_key: stream_key(kind.as_str(), &name),
                name,
                kind,
                description: comp.description,
                failure: comp.failure?,
                repair: comp.repair?,
                crew: comp.crew,
                priority: comp.priority,
                spare: comp.spare,
                within: inside,
                standby_of: None,
                silent: false,
                latent: false,
                maintenance: None,
                effective: 0,
            })
        };
        let mut components = Vec::with_capacity(next);
        for n in self.nodes {
            let mut within: Vec<usize> = n.within.iter().filter_map(place).collect();
            within.extend(n.site.and_then(|s| site_comp[s]));
            components.push(component(n.name, ComponentKind::Node, n.comp, within)?);
        }
        for d in self.domains {
            let within = d.within.iter().filter_map(|(p, _)| place(p)).collect();
            components.push(component(d.name, ComponentKind::Domain, d.comp, within)?);
        }
        let mut costs = self.costs;
        let mut sites = Vec::with_capacity(self.sites.len());
        for (i, s) in self.sites.into_iter().enumerate() {
            if let Some(own) = s.own {
                components.push(component(
                    s.name.clone(),
                    ComponentKind::Site,
                    own,
                    Vec::new(),
                )?);
            }
            if let Some(link) = s.link {
                let name = s
                    .link_name
                    .map_or_else(|| format!("{}~link", s.name), |n| n.text);
                if let (Some(cost), Some(c)) = (s.link_cost, link_comp[i]) {
                    costs.links.push((name.clone(), c, cost));
                }
                components.push(component(name, ComponentKind::Link, link, Vec::new())?);
            }
            sites.push(Site {
                name: s.name,
                description: s.description,
                parent: s.parent.map(|(p, _)| p),
                component: site_comp[i],
                link: link_comp[i],
            });
        }
        fn to_model(e: Expr) -> model::Expr {
            match e {
                Expr::Ref(Target::Role(i), _) => model::Expr::Role(i),
                Expr::Ref(Target::Service(i), _) => model::Expr::Service(i),
                Expr::Gate { op, need, children } => model::Expr::Gate {
                    op,
                    need,
                    children: children.into_iter().map(to_model).collect(),
                },
            }
        }
        for (n, _, _) in &self.latent.silent {
            components[*n].silent = true;
            components[*n].latent = true;
        }
        for r in &self.roles {
            if let Some(m) = &r.machine
                && let model::Recovery::Restore { job: Some(j), .. } = m.recovery
            {
                components[j].latent = true;
            }
        }
        let mut roles = Vec::with_capacity(self.roles.len());
        let mut pools = 0;
        for (i, r) in self.roles.into_iter().enumerate() {
            if let Some(c) = r.yearly_cost {
                costs.roles.push((i, c));
            }
            let mut machine = r.machine;
            if let (Some(m), Some(k)) = (&mut machine, &r.kind) {
                model::silent_passive(m, k, &mut components);
            }
            if (machine.as_ref().is_some_and(|m| m.dormant.is_some())
                || r.standby.as_ref().is_some_and(|s| s.dormant.is_some()))
                && let Some(k) = &r.kind
            {
                for n in k.nodes() {
                    components[n].standby_of = Some(i);
                }
            }
            roles.push(Role {
                name: r.name.text,
                description: r.description,
                kind: r.kind?,
                machine,
                requires: r.requires.iter().map(|(j, _)| *j).collect(),
                site: r.site,
                capacity: r.capacity,
                tolerance: r.tolerance,
                balancer: r.balancer,
                standby: r.standby.map(|mut s| {
                    s.index = pools;
                    pools += 1;
                    s
                }),
                own: 0,
                gate: 0,
            });
        }
        let mut services = Vec::with_capacity(self.services.len());
        for s in self.services {
            services.push(Service {
                name: s.name.text,
                description: s.description,
                target: s.target,
                tolerance: s.tolerance,
                expr: to_model(s.expr?),
                site: s.site,
                expression: String::new(),
                gate: 0,
                support: Vec::new(),
            });
        }
        let mut model = Model {
            name: self.name,
            simulation,
            components,
            crews: self.crews,
            stocks: self.stocks,
            sites,
            roles,
            quorums: self.quorums,
            host_groups: self.host_groups,
            services,
            maintenance: self.maintenance,
            inspections: self.latent.inspections.into_iter().map(|i| i.0).collect(),
            populations: self.populations,
            requests: self.requests,
            graph: Graph::default(),
            costs,
            sweep: self.sweep,
            phases: self.phases,
        };
        model::lower(&mut model);
        Some(model)
    }
}
