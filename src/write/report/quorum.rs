//! The clusters' quorum in a run's report: hours without quorum and quorum losses per cluster, shown
//! in the "Roles" section next to the roles' downtime by cause (where "no quorum" is one); and the
//! latent failures of silent and inspected nodes beside them.

use super::page::{Block, Cell, Table, amount, caption, interval};
use crate::base::format::{hours, sig3};
use crate::estimate::summary::{LatentSummary, Summary};

pub(super) fn clusters(summary: &Summary) -> Vec<Block> {
    if summary.clusters.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Subheading("Cluster quorum".into()),
        Block::Table(Table {
            header: vec![
                "cluster".into(),
                "without quorum per year".into(),
                "quorum losses per year".into(),
            ],
            rows: summary
                .clusters
                .iter()
                .map(|c| {
                    vec![
                        Cell::text(&c.name),
                        amount(&c.hours_without_quorum_per_year, hours),
                        amount(&c.quorum_losses_per_year, sig3),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Without quorum, every role of the cluster is down, even with nodes up.",
                summary.replications,
            )),
        }),
    ]
}

/// The services' downtime a node's hidden failures caused, one line per service.
fn caused(l: &LatentSummary) -> Cell {
    match l.caused_downtime.as_slice() {
        [] => Cell::text("no service needs it"),
        [one] => amount(&one.hours_per_year, hours),
        many => {
            let text: Vec<String> = many
                .iter()
                .map(|c| {
                    let e = &c.hours_per_year;
                    format!("{}: {} {}", c.service, hours(e.value), interval(e, hours))
                })
                .collect();
            Cell::text(text.join("; "))
        }
    }
}

/// Latent failures: per silent, inspected or warm standby node, how often its failures hid, how they
/// were found, how long they stayed hidden and the data lost because backups had stopped.
pub(super) fn latent(summary: &Summary) -> Vec<Block> {
    if summary.latent.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Subheading("Latent failures".into()),
        Block::Table(Table {
            header: vec![
                "node".into(),
                "hidden failures per year".into(),
                "found by inspection per year".into(),
                "found when called on per year".into(),
                "mean hidden".into(),
                "hidden per year".into(),
                "service downtime it caused per year".into(),
                "data lost for want of backups per year".into(),
            ],
            rows: summary
                .latent
                .iter()
                .map(|l| {
                    vec![
                        Cell::text(&l.node),
                        amount(&l.hidden_failures_per_year, sig3),
                        amount(&l.found_by_inspection_per_year, sig3),
                        amount(&l.found_when_called_per_year, sig3),
                        if l.mean_hidden_hours.value.is_finite() {
                            amount(&l.mean_hidden_hours, hours)
                        } else {
                            Cell::text("none found")
                        },
                        amount(&l.hidden_hours_per_year, hours),
                        caused(l),
                        match &l.data_lost_hours_per_year {
                            Some(d) => amount(d, hours),
                            None => Cell::text("not a backup job"),
                        },
                    ]
                })
                .collect(),
            caption: Some(caption(
                "A silent failure is found by an inspection or when the node is called on; then its repair starts. Mean hidden counts the failures found. Downtime it caused: a service's downtime from such a failure until its repair, which outranks visible failures in the attribution.",
                summary.replications,
            )),
        }),
    ]
}
