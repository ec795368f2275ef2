//! The "Spare parts" section of a run's report: stock-outs, waits for a part, node downtime waiting.

use super::page::{Block, Cell, Table, amount, caption};
use crate::base::format::{hours, sig3};
use crate::estimate::summary::Summary;

pub(super) fn stocks(summary: &Summary) -> Vec<Block> {
    vec![Block::Table(Table {
        header: vec![
            "stock".into(),
            "parts".into(),
            "stock-outs per year".into(),
            "mean wait for a part".into(),
            "node downtime waiting for parts per year".into(),
            "parts used per year".into(),
        ],
        rows: summary
            .stocks
            .iter()
            .map(|k| {
                vec![
                    Cell::text(&k.name),
                    Cell::number(k.parts.to_string()),
                    amount(&k.stockouts_per_year, sig3),
                    amount(&k.mean_wait_hours, hours),
                    amount(&k.hours_waiting_per_year, hours),
                    amount(&k.demands_per_year, sig3),
                ]
            })
            .collect(),
        caption: Some(caption(
            "A stock-out is a failure that found the shelf empty; its node waits for the next reordered part. Waits end when the part is taken from the shelf (shipment not included).",
            summary.replications,
        )),
    })]
}
