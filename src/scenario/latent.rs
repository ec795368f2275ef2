//! Latent failures: `silent = true` on a node (its failures stay hidden), `backup_job` of a restore
//! (read with the recovery), and `[inspections]`, schedules that find hidden failures.

use crate::base::units::format_duration;
use crate::model::{Inspection, RoleKind, stream_key};

use super::MAX_WINDOWS;
use super::compile::Compiler;
use super::reader::{
    Errors, Tbl, Val, duration, join, name, names, positive_duration, probability,
};

impl Compiler {
    pub(super) fn inspections_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "inspections", "the [inspections] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("inspections", key_name);
            let Some(t) = Tbl::new(val, &path, &format!("inspection `{key_name}`"), errs) else {
                continue;
            };
            let every = t
                .req("every", "interval between inspections, e.g. \"7d\"", errs)
                .and_then(|e| {
                    let p = t.path_of("every");
                    let h = positive_duration(e, &p, "every", errs)?;
                    if let Some(mission) = self.mission
                        && mission / h > MAX_WINDOWS
                    {
                        errs.push(
                            e.span(),
                            p,
                            format!(
                                "every = {} inspects {:.0} times in a {} mission; at most {MAX_WINDOWS:.0} are accepted (inspections come every few days or weeks)",
                                format_duration(h),
                                mission / h,
                                format_duration(mission)
                            ),
                        );
                        return None;
                    }
                    Some(h)
                });
            let offset = match t.get("offset") {
                Some(o) => duration(o, &t.path_of("offset"), errs),
                None => Some(0.0),
            };
            let dur = match t.get("duration") {
                Some(d) => duration(d, &t.path_of("duration"), errs),
                None => Some(0.0),
            };
            if let (Some(e), Some(d), Some(dv)) = (every, dur, t.get("duration"))
                && d >= e
            {
                errs.push(
                    dv.span(),
                    t.path_of("duration"),
                    format!(
                        "duration {} must be shorter than every = {}: an inspection ends before the next begins",
                        format_duration(d),
                        format_duration(e)
                    ),
                );
            }
            let detect = match t.get("detect") {
                Some(p) => probability(p, &t.path_of("detect"), errs).and_then(|x| {
                    if x > 0.0 {
                        Some(x)
                    } else {
                        errs.push(
                            p.span(),
                            t.path_of("detect"),
                            "detect = 0 finds nothing: give the probability that an inspection finds a hidden failure, above 0 and at most 1, e.g. 0.95",
                        );
                        None
                    }
                }),
                None => Some(1.0),
            };
            let nodes = t
                .req(
                    "nodes",
                    "the silent or dormant standby nodes inspected, e.g. [\"backup\"]",
                    errs,
                )
                .and_then(|nv| {
                    let p = t.path_of("nodes");
                    let nodes = self.resolve_nodes(&names(nv, &p, errs)?, &p, errs)?;
                    if nodes.is_empty() {
                        errs.push(nv.span(), p, "the list is empty: name at least one node");
                        return None;
                    }
                    for (i, &n) in nodes.iter().enumerate() {
                        if nodes[..i].contains(&n) {
                            let msg = format!("node `{}` is listed twice", self.nodes[n].name);
                            errs.push(nv.span(), p, msg);
                            return None;
                        }
                    }
                    Some((nodes, nv.span(), p))
                });
            let crew = match t.get("crew") {
                None => Some(None),
                Some(c) => name(c, &t.path_of("crew"), errs)
                    .and_then(|n| self.lookup_crew(&n, &t.path_of("crew"), errs))
                    .map(Some),
            };
            t.finish(errs);
            if let (
                Some(every),
                Some(offset),
                Some(duration),
                Some(detect),
                Some((nodes, span, p)),
                Some(crew),
            ) = (every, offset, dur, detect, nodes, crew)
            {
                let insp = Inspection {
                    stream_key: stream_key("inspection", key_name),
                    name: key_name.to_string(),
                    nodes,
                    every,
                    offset,
                    duration,
                    detect,
                    crew,
                };
                self.latent.inspections.push((insp, span, p));
            }
        }
    }

    /// A silent node's failures change nothing anyone sees, so it may serve no role, vote in no cluster
    /// as a member and host no VM: `backup_job` reads it, and a cluster's witness may be silent (its
    /// vote is lost while failed, but only a member's failure or drain or an inspection finds it). An inspection can find only hidden failures: those
    /// of silent nodes and of dormant standby nodes.
    pub(super) fn check_latent(&self, errs: &mut Errors) {
        for (n, span, path) in &self.latent.silent {
            let name = &self.nodes[*n].name;
            // A passive node of a hot cluster may be silent (see the roles' `standby`).
            let hot_cluster = |r: &super::compile::RawRole| {
                matches!(r.kind, Some(RoleKind::Cluster { .. }))
                    && r.machine.as_ref().is_some_and(|m| m.dormant.is_none())
            };
            let role = self.roles.iter().find(|r| {
                !hot_cluster(r)
                    && r.kind.as_ref().is_some_and(|k| {
                        k.nodes().contains(n)
                            || matches!(k, RoleKind::Mirroring { witness: Some(w), .. } if w == n)
                    })
            });
            let user = if let Some(r) = role {
                Some(format!("role `{}` runs on it", r.name.text))
            } else if let Some(q) = self.quorums.iter().find(|q| q.nodes.contains(n)) {
                Some(format!("it votes in cluster `{}`", q.name))
            } else {
                self.host_groups
                    .iter()
                    .find(|h| h.hosts.contains(n))
                    .map(|h| format!("it hosts virtual machines of `{}`", h.name))
            };
            if let Some(user) = user {
                errs.push(
                    span.clone(),
                    path.clone(),
                    format!(
                        "node `{name}` is silent, but {user}: a failure there is seen at once; `silent` is for a node nothing watches, such as a restore's `backup_job` or a hot cluster's passive node (for a cold or warm cluster node, use the cluster's `dormant`)"
                    ),
                );
            }
        }
        for (insp, span, path) in &self.latent.inspections {
            for &n in &insp.nodes {
                let silent = self.latent.silent.iter().any(|(s, _, _)| *s == n);
                let dormant = self.roles.iter().any(|r| {
                    r.dormant_at.is_some()
                        && r.kind.as_ref().is_some_and(|k| k.nodes().contains(&n))
                });
                if !silent && !dormant {
                    errs.push(
                        span.clone(),
                        path.clone(),
                        format!(
                            "node `{}` fails visibly, so there is nothing to inspect: inspections find hidden failures, of nodes with `silent = true` or dormant standby nodes (a cluster's `dormant`)",
                            self.nodes[n].name
                        ),
                    );
                    return;
                }
            }
        }
    }

    /// The restore's `backup_job`, if given: one node.
    pub(super) fn backup_job(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> Option<Option<usize>> {
        match t.get("backup_job") {
            None => Some(None),
            Some(v) => self
                .one_node(v, &t.path_of("backup_job"), errs)
                .map(|(n, _)| Some(n)),
        }
    }
}
