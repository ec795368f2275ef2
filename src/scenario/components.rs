//! `[nodes]` (single nodes and groups of `count` nodes) and `[domains]` (racks, power feeds and other
//! shared failure causes); how roles name nodes.

use std::ops::Range;

use super::compile::{Compiler, Place, RawComp, RawNode};
use super::costs::yearly_cost;
use super::dist::{failure_dist, own_dists, repair_dist};
use super::reader::{self, Errors, Name, Tbl, Val, integer, join, name, names, string};
use super::{MAX_GROUP_COUNT, MAX_NODES};

impl Compiler {
    pub(super) fn domain(&mut self, i: usize, v: &Val<'_>, path: &str, errs: &mut Errors) {
        let key_name = self.domains[i].name.clone();
        let Some(t) = Tbl::new(v, path, &format!("domain `{key_name}`"), errs) else {
            return;
        };
        let (failure, repair) = own_dists(
            &t,
            "; a domain does not use [defaults]: a rack failing as often as a server would be a silent surprise",
            errs,
        );
        let description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        let mut within = Vec::new();
        if let Some(refs) = t.get("in").and_then(|x| names(x, &t.path_of("in"), errs)) {
            for n in refs {
                if let Some(p) = self.lookup_place(&n, &t.path_of("in"), errs) {
                    within.push((p, n.span.clone()));
                }
            }
        }
        let (crew, priority) = self.crew_fields(&t, errs);
        t.finish(errs);
        self.domains[i].comp = RawComp {
            description,
            failure,
            repair,
            crew,
            priority,
            spare: None,
        };
        self.domains[i].within = within;
    }

    pub(super) fn nodes_section(
        &mut self,
        v: &Val<'_>,
        defaults: &super::simulation::Defaults,
        errs: &mut Errors,
    ) {
        let Some(section) = Tbl::new(v, "nodes", "the [nodes] section", errs) else {
            return;
        };
        let mut any = false;
        for (key, val) in section.entries() {
            any = true;
            let key_name: &str = key.get_ref();
            let path = join("nodes", key_name);
            let Some(t) = Tbl::new(val, &path, &format!("node `{key_name}`"), errs) else {
                continue;
            };
            let count = match t.get("count") {
                Some(c) => match integer(c, &t.path_of("count"), MAX_GROUP_COUNT, errs) {
                    Some(0) => {
                        errs.push(c.span(), t.path_of("count"), "count must be at least 1");
                        1
                    }
                    Some(n) => n as usize,
                    None => 1,
                },
                None => 1,
            };
            let failure = match t.get("failure") {
                Some(d) => failure_dist(d, &t.path_of("failure"), errs),
                None => {
                    if !defaults.failure_given {
                        errs.push(
                            t.span.clone(),
                            path.clone(),
                            "missing field `failure` (time-to-failure distribution, e.g. { dist = \"exponential\", mean = \"5y\" }), and [defaults] has no `failure`",
                        );
                    }
                    defaults.failure.clone()
                }
            };
            let repair = match t.get("repair") {
                Some(d) => repair_dist(d, &t.path_of("repair"), errs),
                None => {
                    if !defaults.repair_given {
                        errs.push(
                            t.span.clone(),
                            path.clone(),
                            "missing field `repair` (time-to-repair distribution, e.g. { dist = \"lognormal\", mean = \"8h\", sigma = 0.8 }, or \"none\" for a node that is never repaired), and [defaults] has no `repair`",
                        );
                    }
                    defaults.repair.clone()
                }
            };
            let description = t
                .get("description")
                .and_then(|d| string(d, &t.path_of("description"), errs));
            let mut within = Vec::new();
            if let Some(refs) = t.get("in").and_then(|x| names(x, &t.path_of("in"), errs)) {
                for n in refs {
                    within.extend(self.lookup_place(&n, &t.path_of("in"), errs));
                }
            }
            let site = t
                .get("site")
                .and_then(|s| name(s, &t.path_of("site"), errs))
                .and_then(|n| self.lookup_site(&n, &t.path_of("site"), errs));
            let (crew, priority) = self.crew_fields(&t, errs);
            if let (Some(_), Some(r), Some(c)) = (crew, &repair, t.peek("crew"))
                && r.is_never()
            {
                errs.push(
                    c.1.span(),
                    t.path_of("crew"),
                    "the node is never repaired (repair = \"none\"), so no crew works on it; remove `crew`, or give a repair distribution",
                );
            }
            let repaired = repair.as_ref().is_some_and(|r| !r.is_never());
            let spare = self.spare_field(&t, defaults.spare, repaired, errs);
            if let (Some(_), Some(r), Some(sv)) = (spare, &repair, t.peek("spare"))
                && r.is_never()
            {
                errs.push(
                    sv.1.span(),
                    t.path_of("spare"),
                    "the node is never repaired (repair = \"none\"), so its repair takes no part; remove `spare`, or give a repair distribution",
                );
            }
            let cost = t
                .get("yearly_cost")
                .and_then(|c| yearly_cost(c, &t.path_of("yearly_cost"), errs));
            let silent = t.get("silent").and_then(|s| {
                reader::boolean(s, &t.path_of("silent"), errs)?
                    .then(|| (s.span(), t.path_of("silent")))
            });
            t.finish(errs);
            let comp = RawComp {
                description,
                failure,
                repair,
                crew,
                priority,
                spare,
            };
            let members: Vec<String> = if count == 1 {
                vec![key_name.to_string()]
            } else {
                (1..=count).map(|i| format!("{key_name}-{i}")).collect()
            };
            let first = self.nodes.len();
            if first + members.len() > MAX_NODES {
                errs.push(
                    key.span(),
                    path.clone(),
                    format!(
                        "this group brings the scenario to {} nodes; at most {} nodes in all are accepted",
                        crate::base::format::count((first + members.len()) as f64),
                        crate::base::format::count(MAX_NODES as f64)
                    ),
                );
                return;
            }
            if let Some(cost) = cost {
                self.costs.nodes.push((
                    key_name.to_string(),
                    (first..first + members.len()).collect(),
                    cost,
                ));
            }
            for m in &members {
                // One namespace for everything that fails: a node named like a domain or a site would
                // give two rows no reader could tell apart (and share their random streams).
                if let Some(place) = self.places.get(m) {
                    let what = match place {
                        Place::Domain(_) => "a failure domain",
                        Place::Site(_) => "a site",
                    };
                    errs.push(
                        key.span(),
                        path.clone(),
                        format!("node name `{m}` is already {what}; nodes, domains and sites (everything that fails) need distinct names"),
                    );
                }
                if self.node_names.contains_key(m) {
                    errs.push(
                        key.span(),
                        path.clone(),
                        format!("node name `{m}` is defined twice"),
                    );
                }
                if let Some((span, path)) = &silent {
                    let n = self.nodes.len();
                    self.latent.silent.push((n, span.clone(), path.clone()));
                }
                self.node_names.insert(m.clone(), vec![self.nodes.len()]);
                self.nodes.push(RawNode {
                    name: m.clone(),
                    comp: comp.clone(),
                    within: within.clone(),
                    site,
                });
            }
            if count > 1 {
                if self.node_names.contains_key(key_name) {
                    errs.push(
                        key.span(),
                        path.clone(),
                        format!("node name `{key_name}` is defined twice"),
                    );
                }
                self.node_names
                    .insert(key_name.to_string(), (first..first + count).collect());
            }
        }
        if !any {
            errs.push(
                section.span.clone(),
                "nodes",
                "[nodes] is empty: a scenario needs at least one node",
            );
        }
    }

    pub(super) fn resolve_nodes(
        &self,
        refs: &[Name],
        path: &str,
        errs: &mut Errors,
    ) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let mut ok = true;
        for r in refs {
            match self.node_names.get(&r.text) {
                Some(ids) => out.extend(ids.iter().copied()),
                None => {
                    ok = false;
                    let known: Vec<&str> = self.node_names.keys().map(String::as_str).collect();
                    let hint = reader::closest(&r.text, &known)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    errs.push(
                        r.span.clone(),
                        path,
                        format!("unknown node `{}`{hint}", r.text),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// Resolves a name that must be exactly one node (not a group).
    pub(super) fn one_node(
        &self,
        v: &Val<'_>,
        path: &str,
        errs: &mut Errors,
    ) -> Option<(usize, Name)> {
        let n = name(v, path, errs)?;
        let ids = self.resolve_nodes(std::slice::from_ref(&n), path, errs)?;
        if ids.len() == 1 {
            Some((ids[0], n))
        } else {
            errs.push(
                n.span.clone(),
                path,
                format!(
                    "`{}` is a group of {} nodes; name one node here, e.g. `{}`",
                    n.text,
                    ids.len(),
                    self.nodes[ids[0]].name
                ),
            );
            None
        }
    }

    /// Reads `on` (a node, a group or a list), reporting nodes listed twice.
    pub(super) fn on_nodes(
        &self,
        t: &Tbl<'_, '_>,
        errs: &mut Errors,
    ) -> Option<(Vec<usize>, Range<usize>)> {
        let on_val = t.req("on", "the node or nodes its instances run on", errs)?;
        let path = t.path_of("on");
        let refs = names(on_val, &path, errs)?;
        let nodes = self.resolve_nodes(&refs, &path, errs)?;
        let mut seen = std::collections::HashSet::new();
        for &n in &nodes {
            if !seen.insert(n) {
                errs.push(
                    on_val.span(),
                    path.clone(),
                    format!("node `{}` is listed twice", self.nodes[n].name),
                );
            }
        }
        Some((nodes, on_val.span()))
    }
}
