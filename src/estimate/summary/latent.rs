//! Latent failures as people read them: per silent, inspected or warm standby node, how often its
//! failures hid, how they were found, how long they stayed hidden, and the data lost because backups
//! had stopped.

use serde::Serialize;

use crate::base::stats::Estimate;
use crate::engine::{Attributed, attribution_causes};
use crate::estimate::accumulate::RunAcc;
use crate::model::Model;

/// What the hidden failures of one silent, inspected or warm standby node did.
#[derive(Debug, Clone, Serialize)]
pub struct LatentSummary {
    /// The node.
    pub node: String,
    /// Failures per year that stayed hidden when they happened.
    pub hidden_failures_per_year: Estimate,
    /// Hidden failures per year an inspection found.
    pub found_by_inspection_per_year: Estimate,
    /// Hidden failures per year found when the node was called on (a restore needing its backups, a
    /// failover onto a dormant standby).
    pub found_when_called_per_year: Estimate,
    /// Mean time a hidden failure stayed hidden, over those found, hours (NaN when none was found).
    pub mean_hidden_hours: Estimate,
    /// Hours per year the node was failed unseen (a failure still hidden at the mission end counts up
    /// to it).
    pub hidden_hours_per_year: Estimate,
    /// Per service whose availability depends on the node (for nodes whose failures can hide): hours
    /// per year it was down with this node's hidden failure as the cause (the attribution's "NAME
    /// failed unseen": from the failure until its repair, outranking visible failures).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caused_downtime: Vec<CausedDowntime>,
    /// Backup jobs: hours of changes per year restores lost beyond what a working job would have kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_lost_hours_per_year: Option<Estimate>,
}

/// A service's downtime a node's hidden failures caused.
#[derive(Debug, Clone, Serialize)]
pub struct CausedDowntime {
    /// The service.
    pub service: String,
    /// Hours per year.
    pub hours_per_year: Estimate,
}

impl RunAcc {
    pub(super) fn latent_summary(&self, model: &Model) -> Vec<LatentSummary> {
        let causes = attribution_causes(model);
        let caused = |c: usize| -> Vec<CausedDowntime> {
            let Some(k) = causes.iter().position(|&a| a == Attributed::Unseen(c)) else {
                return Vec::new();
            };
            model
                .services
                .iter()
                .zip(&self.attribution)
                .filter(|(svc, _)| svc.support.contains(&c))
                .map(|(svc, acc)| CausedDowntime {
                    service: svc.name.clone(),
                    hours_per_year: acc.part_hours(k).estimate().nonnegative(),
                })
                .collect()
        };
        model
            .latent_nodes()
            .into_iter()
            .zip(&self.latent)
            .map(|(c, acc)| LatentSummary {
                node: model.components[c].name.clone(),
                hidden_failures_per_year: acc.failures.estimate().nonnegative(),
                found_by_inspection_per_year: acc.by_inspection.estimate().nonnegative(),
                found_when_called_per_year: acc.when_called.estimate().nonnegative(),
                mean_hidden_hours: acc.mean_hidden.estimate().nonnegative(),
                hidden_hours_per_year: acc.hidden.estimate().nonnegative(),
                caused_downtime: caused(c),
                data_lost_hours_per_year: model
                    .is_backup_job(c)
                    .then(|| acc.data_lost.estimate().nonnegative()),
            })
            .collect()
    }
}
