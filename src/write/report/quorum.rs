//! The clusters' quorum in a run's report: hours without quorum and quorum losses per cluster, shown
//! in the "Roles" section next to the roles' downtime by cause (where "no quorum" is one).

use super::page::{Block, Cell, Table, amount, caption};
use crate::base::format::{hours, sig3};
use crate::estimate::summary::Summary;

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
