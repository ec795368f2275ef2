//! Plain-language explanations of a compiled model: what `nines validate` prints (one line per
//! component and mechanism) and warnings about valid but suspicious scenarios.

use std::fmt::Write as _;

use crate::model::{Model, RoleKind};
use crate::output::percent;
use crate::units::format_duration;

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

/// What `nines validate` prints: one line per component.
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
    let _ = writeln!(out, "{} nodes:", model.components.len());
    for n in &model.components {
        let _ = writeln!(
            out,
            "  node {}: fails after {}, repaired in {}",
            n.name,
            n.failure.describe(),
            n.repair.describe()
        );
    }
    let _ = writeln!(out, "{} roles:", model.roles.len());
    for r in &model.roles {
        let placement = match &r.kind {
            RoleKind::Standalone { node } => {
                format!("standalone on {}", model.components[*node].name)
            }
            RoleKind::Pool { nodes, min_up } => format!(
                "pool, available while {min_up} of {} instances are up ({})",
                nodes.len(),
                nodes
                    .iter()
                    .map(|&n| model.components[n].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => format!(
                "{} on {}",
                redundancy(other),
                other
                    .nodes()
                    .iter()
                    .map(|&n| model.components[n].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
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
        let _ = writeln!(out, "  role {}: {placement}{req}", r.name);
    }
    let _ = writeln!(out, "{} services:", model.services.len());
    for s in &model.services {
        let target = s
            .target
            .map(|t| format!(", target {}", percent(t, 1.0 - t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  service {} = {}{target}; depends on {} nodes",
            s.name,
            s.expression,
            s.support.len()
        );
    }
    if model.services.is_empty() {
        let _ = writeln!(
            out,
            "  (no services: every role is still measured; add [services] to get SLA figures)"
        );
    }
    for w in warnings(model) {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// Parts of a scenario that are valid but probably not what the author meant.
pub fn warnings(model: &Model) -> Vec<String> {
    let mut used = vec![false; model.components.len()];
    for r in &model.roles {
        match &r.kind {
            RoleKind::Standalone { node } => used[*node] = true,
            kind => kind.nodes().iter().for_each(|&n| used[n] = true),
        }
    }
    let mut out: Vec<String> = model
        .components
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(n, _)| {
            format!(
                "node {} hosts no role, so it cannot affect any result",
                n.name
            )
        })
        .collect();
    if !model.services.is_empty() {
        let graph = &model.graph;
        let mut reached = vec![false; graph.signals()];
        let mut stack: Vec<u32> = model.services.iter().map(|s| s.gate).collect();
        while let Some(x) = stack.pop() {
            if std::mem::replace(&mut reached[x as usize], true) || (x as usize) < graph.primitives
            {
                continue;
            }
            stack.extend(graph.inputs[x as usize - graph.primitives].iter().copied());
        }
        for r in model.roles.iter().filter(|r| !reached[r.gate as usize]) {
            out.push(format!(
                "role {} is used by no service (it is still reported on its own)",
                r.name
            ));
        }
    }
    out
}
