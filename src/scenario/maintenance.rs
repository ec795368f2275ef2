//! `[maintenance]`: planned windows that take nodes down on a schedule, for a node list or a role's
//! nodes, optionally rolling (one node at a time, keeping the role up).

use crate::base::units::format_duration;
use crate::model::{Guard, Maintenance, RoleKind};

use super::MAX_WINDOWS;
use super::compile::Compiler;
use super::reader::{self, Errors, Tbl, Val, boolean, duration, join, names, positive_duration};

impl Compiler {
    pub(super) fn maintenance_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "maintenance", "the [maintenance] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("maintenance", key_name);
            let Some(t) = Tbl::new(
                val,
                &path,
                &format!("maintenance schedule `{key_name}`"),
                errs,
            ) else {
                continue;
            };
            let every_val = t.req(
                "every",
                "interval between window starts, e.g. \"30d\"",
                errs,
            );
            let every = every_val.and_then(|e| {
                let p = t.path_of("every");
                let h = positive_duration(e, &p, "every", errs)?;
                if let Some(mission) = self.mission
                    && mission / h > MAX_WINDOWS
                {
                    errs.push(
                        e.span(),
                        p,
                        format!(
                            "every = {} opens {:.0} windows in a {} mission; at most {MAX_WINDOWS:.0} are accepted (maintenance is planned in days or weeks)",
                            format_duration(h),
                            mission / h,
                            format_duration(mission)
                        ),
                    );
                    return None;
                }
                Some(h)
            });
            let duration_val = t.req(
                "duration",
                "time each node spends in maintenance, e.g. \"4h\"",
                errs,
            );
            let dur = duration_val
                .and_then(|d| positive_duration(d, &t.path_of("duration"), "duration", errs));
            let offset = match t.get("offset") {
                Some(o) => duration(o, &t.path_of("offset"), errs),
                None => Some(0.0),
            };
            let rolling = t
                .get("rolling")
                .and_then(|r| boolean(r, &t.path_of("rolling"), errs))
                .unwrap_or(false);
            let nodes_val = t.get("nodes");
            let role_val = t.get("role");
            let target: Option<(Vec<usize>, Guard)> = match (nodes_val, role_val) {
                (Some(_), Some(r)) => {
                    errs.push(
                        r.span(),
                        t.path_of("role"),
                        "give `nodes` or `role`, not both: a schedule covers a node list or a role's nodes",
                    );
                    None
                }
                (None, None) => {
                    errs.push(
                        t.span.clone(),
                        path.clone(),
                        "missing field `nodes` (nodes or node groups, e.g. [\"web\", \"db1\"]) or `role` (a role whose nodes are maintained)",
                    );
                    None
                }
                (Some(nv), None) => {
                    let p = t.path_of("nodes");
                    names(nv, &p, errs)
                        .and_then(|refs| self.resolve_nodes(&refs, &p, errs))
                        .and_then(|nodes| {
                            if nodes.is_empty() {
                                errs.push(
                                    nv.span(),
                                    p,
                                    "the list is empty: name at least one node",
                                );
                                return None;
                            }
                            let mut seen = std::collections::HashSet::new();
                            for &n in &nodes {
                                if !seen.insert(n) {
                                    errs.push(
                                        nv.span(),
                                        p.clone(),
                                        format!("node `{}` is listed twice", self.nodes[n].name),
                                    );
                                    return None;
                                }
                            }
                            let guard = if rolling {
                                Guard::KeepOneUp
                            } else {
                                Guard::None
                            };
                            Some((nodes, guard))
                        })
                }
                (None, Some(rv)) => {
                    let p = t.path_of("role");
                    reader::name(rv, &p, errs).and_then(|n| {
                        let i = self.role_ref(
                            &n,
                            &p,
                            "`role` names a role whose nodes are maintained",
                            errs,
                        )?;
                        let kind = self.roles.get(i).and_then(|r| r.kind.as_ref())?;
                        if rolling && matches!(kind, RoleKind::Standalone { .. }) {
                            errs.push(
                                n.span,
                                p,
                                format!("rolling maintenance needs redundancy to roll over, but role `{}` is standalone (one node); drop `rolling` to take its node down in each window", n.text),
                            );
                            return None;
                        }
                        let guard = if rolling { Guard::Role(i) } else { Guard::None };
                        Some((kind.nodes(), guard))
                    })
                }
            };
            if let (Some(e), Some(d), Some(dv), false) = (every, dur, duration_val, rolling)
                && d >= e
            {
                errs.push(
                    dv.span(),
                    t.path_of("duration"),
                    format!(
                        "duration {} must be shorter than every = {}: the nodes would never leave maintenance",
                        format_duration(d),
                        format_duration(e)
                    ),
                );
            }
            t.finish(errs);
            if let (Some(every), Some(duration), Some(offset), Some((nodes, guard))) =
                (every, dur, offset, target)
            {
                self.maintenance.push(Maintenance {
                    name: key_name.to_string(),
                    every,
                    duration,
                    offset,
                    nodes,
                    guard,
                });
            }
        }
    }
}
