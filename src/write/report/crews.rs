//! The "Repair crews" section of a run's report: utilisation, waits for a technician and repairs.

use super::page::{Block, Cell, Table, amount, caption, fraction};
use crate::base::format::{hours, sig3};
use crate::estimate::summary::Summary;

pub(super) fn crews(summary: &Summary) -> Vec<Block> {
    vec![Block::Table(Table {
        header: vec![
            "crew".into(),
            "technicians".into(),
            "utilisation".into(),
            "mean wait for a technician".into(),
            "repairs per year".into(),
        ],
        rows: summary
            .crews
            .iter()
            .map(|c| {
                vec![
                    Cell::text(&c.name),
                    Cell::number(c.technicians.to_string()),
                    fraction(&c.utilisation),
                    amount(&c.mean_wait_hours, hours),
                    amount(&c.repairs_per_year, sig3),
                ]
            })
            .collect(),
        caption: Some(caption(
            "Utilisation: busy technician-hours over technicians × mission.",
            summary.replications,
        )),
    })]
}
