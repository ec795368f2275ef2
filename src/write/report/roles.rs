//! The "Roles" section of a run's report: each role's availability and redundancy, its own failover and
//! recovery mechanisms (counts per year and downtime by cause), the clusters' quorum, and data loss.

use super::page::{Block, Cell, Table, amount, caption, fraction, name_cell, nines_text};
use crate::analyses::explain;
use crate::base::format::{hours, sig3};
use crate::estimate::summary::{EntitySummary, Summary};
use crate::model::{EntityKind, Model};

pub(super) fn roles(model: &Model, summary: &Summary) -> Vec<Block> {
    let n = summary.replications;
    let roles: Vec<&EntitySummary> = summary
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Role)
        .collect();
    if roles.is_empty() {
        return Vec::new();
    }
    let role = |name: &str| model.roles.iter().find(|r| r.name == name);
    let mut blocks = vec![Block::Table(Table {
        header: vec![
            "role".into(),
            "redundancy".into(),
            "availability".into(),
            "nines".into(),
            "downtime per year".into(),
            "outages per year".into(),
            "mean outage".into(),
        ],
        rows: roles
            .iter()
            .map(|e| {
                let r = role(&e.name);
                vec![
                    name_cell(&e.name, r.and_then(|r| r.description.as_ref())),
                    Cell::text(r.map(|r| explain::redundancy(&r.kind)).unwrap_or_default()),
                    fraction(&e.availability),
                    Cell::estimate(&e.nines, nines_text),
                    amount(&e.downtime_hours_per_year, hours),
                    amount(&e.outages_per_year, sig3),
                    amount(&e.mean_outage_hours, hours),
                ]
            })
            .collect(),
        caption: Some(caption(
            "A role is available when enough of its instances are up and the roles it requires are available.",
            n,
        )),
    })];
    // A "no quorum" column only where some role's cluster has quorum.
    let quorum = roles.iter().any(|e| {
        e.failover
            .as_ref()
            .is_some_and(|f| f.no_quorum_hours_per_year.is_some())
    });
    let mech: Vec<Vec<Cell>> = roles
        .iter()
        .filter_map(|e| e.failover.as_ref().map(|f| (e, f)))
        .map(|(e, f)| {
            let mut row = vec![
                Cell::text(&e.name),
                amount(&f.failovers_per_year, sig3),
                amount(&f.failed_failovers_per_year, sig3),
                amount(&f.restarts_per_year, sig3),
                amount(&f.failover_hours_per_year, hours),
                amount(&f.restart_hours_per_year, hours),
                amount(&f.manual_hours_per_year, hours),
                amount(&f.no_host_hours_per_year, hours),
                amount(&f.recovery_hours_per_year, hours),
            ];
            if quorum {
                row.push(match &f.no_quorum_hours_per_year {
                    Some(e) => amount(e, hours),
                    None => Cell::text(""),
                });
            }
            row
        })
        .collect();
    if !mech.is_empty() {
        blocks.push(Block::Subheading("Failover and recovery mechanisms".into()));
        let mut header: Vec<String> = vec![
            "role".into(),
            "failovers per year".into(),
            "failed failovers per year".into(),
            "restarts per year".into(),
            "switching".into(),
            "restarting".into(),
            "waiting for an operator".into(),
            "no host up".into(),
            "restore / reinstall".into(),
        ];
        let mut text = "The role's own mechanism, per year; the last five columns are its own downtime per year by cause (ignoring the roles it requires).";
        if quorum {
            header.push("no quorum".into());
            text = "The role's own mechanism, per year; the last six columns are its own downtime per year by cause (ignoring the roles it requires); no quorum: no host because its cluster had no quorum.";
        }
        blocks.push(Block::Table(Table {
            header,
            rows: mech,
            caption: Some(caption(text, n)),
        }));
    }
    blocks.extend(super::quorum::clusters(summary));
    blocks.extend(super::quorum::latent(summary));
    blocks.extend(super::phases::phases(summary));
    let loss: Vec<Vec<Cell>> = roles
        .iter()
        .filter_map(|e| e.data_loss.as_ref().map(|d| (e, d)))
        .map(|(e, d)| {
            vec![
                Cell::text(&e.name),
                amount(&d.hours_per_year, hours),
                amount(&d.incidents_per_year, sig3),
                amount(&d.mean_per_incident_hours, hours),
                Cell::number(hours(d.worst_hours)).detail("no interval"),
            ]
        })
        .collect();
    if !loss.is_empty() {
        blocks.push(Block::Subheading("Data loss".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "role".into(),
                "data lost per year".into(),
                "incidents per year".into(),
                "lost per incident (mean)".into(),
                "worst incident seen".into(),
            ],
            rows: loss,
            caption: Some(caption(
                "Data lost is measured in hours of changes not yet in a backup or replica.",
                n,
            )),
        }));
    }
    blocks
}
