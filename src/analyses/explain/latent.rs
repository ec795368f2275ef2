//! Latent failures in plain words: which nodes fail silently, and the inspections that find them.

use std::fmt::Write as _;

use crate::base::units::format_duration;
use crate::model::Model;

use super::{names, pct};

/// Silent nodes and inspection schedules: one line each.
pub(super) fn write_latent(model: &Model, out: &mut String) {
    if model.inspections.is_empty() && !model.components.iter().any(|c| c.silent) {
        return;
    }
    let _ = writeln!(out, "latent failures:");
    for (n, c) in model
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.silent)
    {
        let _ = writeln!(
            out,
            "  silent node {}: its failures stay hidden (nothing watches it) until an inspection finds them{}; then its repair starts",
            c.name,
            if model.is_backup_job(n) {
                " or a restore needs its backups (a restore then uses the last backup taken before it stopped)".to_string()
            } else if let Some(q) = model
                .quorums
                .iter()
                .find(|q| q.witness && q.voters.last() == Some(&n))
            {
                format!(
                    " or a member of cluster {} fails or is drained (the cluster re-counts its votes); as the cluster's witness its vote is lost while it is failed",
                    q.name
                )
            } else {
                String::new()
            }
        );
    }
    for i in &model.inspections {
        let from = if i.offset > 0.0 {
            format!(" from {}", format_duration(i.offset))
        } else {
            String::new()
        };
        let takes = if i.duration > 0.0 {
            format!(
                ", taking {} (what it finds is found at the end)",
                format_duration(i.duration)
            )
        } else {
            String::new()
        };
        let by = match i.crew {
            Some(k) => format!(
                " by a technician of crew {} (queued behind its repairs; the crew's dispatch delay first; a due inspection is skipped while the last is still queued or under way)",
                model.crews[k].name
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  inspection {}: every {}{from}{takes}{by}, checks {} and finds a hidden failure with probability {}",
            i.name,
            format_duration(i.every),
            names(model, &i.nodes),
            pct(i.detect)
        );
    }
}
