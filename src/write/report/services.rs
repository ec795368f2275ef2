//! The "Services" section of a run's report: availability and downtime, bad years and long outages,
//! planned and unplanned downtime, where downtime comes from, and which figures rest on too few outages.

use super::page::{Block, Cell, Table, amount, caption, fraction, name_cell, nines_text};
use super::years_observed;
use crate::base::format::{hours, percent, sig3};
use crate::estimate::summary::{EntitySummary, Summary};
use crate::model::{EntityKind, Model};

/// Components listed per service in the table of where downtime comes from.
const CONTRIBUTIONS_SHOWN: usize = 8;

pub(super) fn services(model: &Model, summary: &Summary) -> Vec<Block> {
    let services: Vec<&EntitySummary> = summary
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Service)
        .collect();
    let n = summary.replications;
    if services.is_empty() {
        return vec![Block::Paragraph(
            "The scenario defines no service: see the roles.".into(),
        )];
    }
    let describe = |name: &str| {
        model
            .services
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.description.as_ref())
    };
    let main = Table {
        header: vec![
            "service".into(),
            "target".into(),
            "availability".into(),
            "nines".into(),
            "downtime per year".into(),
            "outages per year".into(),
            "mean outage".into(),
            "years below target".into(),
        ],
        rows: services
            .iter()
            .map(|e| {
                vec![
                    name_cell(&e.name, describe(&e.name)),
                    Cell::number(
                        e.target
                            .map(|t| percent(t, 1.0 - t))
                            .unwrap_or_else(|| "none".into()),
                    ),
                    fraction(&e.availability),
                    Cell::estimate(&e.nines, nines_text),
                    amount(&e.downtime_hours_per_year, hours),
                    amount(&e.outages_per_year, sig3),
                    amount(&e.mean_outage_hours, hours),
                    match &e.probability_year_misses_target {
                        Some(p) => fraction(p),
                        None => Cell::number("no target"),
                    },
                ]
            })
            .collect(),
        caption: Some(caption(
            "Availability is the share of mission time the service was up; nines = −log10(unavailability); years below target is the share of mission-years whose availability missed the target.",
            n,
        )),
    };
    let bad_years = Table {
        header: vec![
            "service".into(),
            "P50 year".into(),
            "P90 year".into(),
            "P99 year".into(),
            "worst year seen".into(),
            "longest outage (mean per mission)".into(),
            "worst outage seen".into(),
            "time at risk per year".into(),
            "outages seen".into(),
        ],
        rows: services
            .iter()
            .map(|e| {
                vec![
                    Cell::text(&e.name),
                    amount(&e.annual_downtime_hours_p50, hours),
                    amount(&e.annual_downtime_hours_p90, hours),
                    amount(&e.annual_downtime_hours_p99, hours),
                    Cell::number(hours(e.annual_downtime_hours_max)).detail("no interval"),
                    amount(&e.longest_outage_hours, hours),
                    Cell::number(hours(e.worst_outage_hours)).detail("no interval"),
                    amount(&e.at_risk_hours_per_year, hours),
                    Cell::number(e.total_outages.to_string()),
                ]
            })
            .collect(),
        caption: Some(format!(
            "Downtime of a calendar year of the mission (percentiles over {} mission-years, intervals distribution-free); longest outage is the mean over replications of each mission's longest; time at risk is time up with no redundancy left. n = {n} replications.",
            years_observed(summary)
        )),
    };
    let mut blocks = vec![
        Block::Subheading("Availability and downtime".into()),
        Block::Table(main),
        Block::Subheading("Bad years and long outages".into()),
        Block::Table(bad_years),
    ];
    if services
        .iter()
        .any(|e| e.planned_downtime_hours_per_year.value > 0.0)
    {
        blocks.push(Block::Subheading("Planned and unplanned downtime".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "service".into(),
                "planned downtime per year".into(),
                "unplanned downtime per year".into(),
            ],
            rows: services
                .iter()
                .map(|e| {
                    vec![
                        Cell::text(&e.name),
                        amount(&e.planned_downtime_hours_per_year, hours),
                        amount(&e.unplanned_downtime_hours_per_year, hours),
                    ]
                })
                .collect(),
            caption: Some(caption(
                "Planned: downtime in outages started by planned maintenance.",
                n,
            )),
        }));
    }
    // Services and roles with a grace period: the downtime that counts once short outages are forgiven.
    let tolerant: Vec<&EntitySummary> = summary
        .entities
        .iter()
        .filter(|e| e.tolerance.is_some())
        .collect();
    if !tolerant.is_empty() {
        blocks.push(Block::Subheading("Impactful downtime (tolerance)".into()));
        blocks.push(Block::Table(Table {
            header: vec![
                "service or role".into(),
                "tolerance".into(),
                "counts".into(),
                "impactful downtime per year".into(),
                "impactful availability".into(),
                "impactful outages per year".into(),
                "years below target, impactful only".into(),
            ],
            rows: tolerant
                .iter()
                .filter_map(|e| {
                    let t = e.tolerance.as_ref()?;
                    Some(vec![
                        Cell::text(format!("{} {}", e.kind.as_str(), e.name)),
                        Cell::number(hours(t.tolerance_hours)),
                        Cell::text(if t.counts == "whole" {
                            "whole outages longer than it"
                        } else {
                            "time beyond it"
                        }),
                        amount(&t.impactful_downtime_hours_per_year, hours),
                        fraction(&t.impactful_availability),
                        amount(&t.impactful_outages_per_year, sig3),
                        match &t.probability_year_misses_target {
                            Some(p) => fraction(p),
                            None => Cell::number("no target"),
                        },
                    ])
                })
                .collect(),
            caption: Some(caption(
                "Outages no longer than the tolerance do not count; a longer one counts by the part beyond the tolerance (excess, the default) or whole (tolerance_counts = \"whole\"). An outage still open at the mission end counts by its length up to there.",
                n,
            )),
        }));
    }
    // Every hour of downtime to one cause: the rows of a service add up to its downtime per year.
    let rows: Vec<Vec<Cell>> = services
        .iter()
        .flat_map(|e| summary.attribution.iter().filter(|a| a.service == e.name))
        .map(|a| {
            vec![
                Cell::text(&a.service),
                Cell::text(&a.cause),
                Cell::text(match a.kind {
                    "several" => "overlap",
                    "stock" => "spare part",
                    k => k,
                }),
                amount(&a.hours_per_year, hours),
                fraction(&a.share_of_downtime),
            ]
        })
        .collect();
    if !rows.is_empty() {
        blocks.push(Block::Subheading("Where downtime comes from".into()));
        blocks.push(Block::Table(Table {
            header: ["service", "cause", "kind", "downtime per year", "share of its downtime"]
                .map(String::from)
                .to_vec(),
            rows,
            caption: Some(caption(
                "Every hour of a service's downtime goes to one cause, so a service's rows add up to its downtime: a role's own mechanism first (switching, restart, operator, restore; a switch a maintenance drain started goes to that schedule), then failed components and maintenance schedules, then a role with no host or quorum. Overlap: two or more causes of the same tier at once.",
                n,
            )),
        }));
    }
    let mut rows = Vec::new();
    let mut cut = Vec::new();
    for e in &services {
        let all: Vec<_> = summary
            .contributions
            .iter()
            .filter(|c| c.service == e.name)
            .collect();
        if all.len() > CONTRIBUTIONS_SHOWN {
            cut.push(format!(
                "{}: the {CONTRIBUTIONS_SHOWN} largest of {} components are shown; summary.csv has them all.",
                e.name,
                all.len()
            ));
        }
        for c in all.into_iter().take(CONTRIBUTIONS_SHOWN) {
            rows.push(vec![
                Cell::text(&e.name),
                Cell::text(&c.component),
                Cell::text(c.component_kind.as_str()),
                fraction(&c.share_of_downtime),
            ]);
        }
    }
    if !rows.is_empty() {
        blocks.push(Block::Subheading(
            "Components down during the outages".into(),
        ));
        blocks.push(Block::Table(Table {
            header: vec![
                "service".into(),
                "component".into(),
                "kind".into(),
                "down while the service is down".into(),
            ],
            rows,
            caption: Some(caption(
                "Share of the service's downtime during which the component was failed; shares can add up to more than 100% when several are down together.",
                n,
            )),
        }));
        if !cut.is_empty() {
            blocks.push(Block::Notes(cut));
        }
    }
    let unreliable: Vec<String> = summary
        .entities
        .iter()
        .filter(|e| e.total_outages < 10)
        .map(|e| {
            let seen = match e.total_outages {
                0 => "no outage".to_string(),
                1 => "only 1 outage".to_string(),
                k => format!("only {k} outages"),
            };
            format!(
                "{} {}: {seen} seen in {} replications; its intervals are not reliable, run more replications.",
                e.kind.as_str(),
                e.name,
                summary.replications
            )
        })
        .collect();
    if !unreliable.is_empty() {
        blocks.push(Block::Notes(unreliable));
    }
    blocks
}
