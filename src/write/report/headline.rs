//! The "In short" section that opens every report: each service against its target, its downtime per
//! year and biggest source, the yearly cost, and for a comparison or a sweep the layout it points to.
//! It only restates figures and verdicts the rest of the report (and `analyses`) already decide.

use super::page::{Block, Cell, Section, Table, amount, fraction, pct};
use crate::analyses::compare::Comparison;
use crate::analyses::sweep::{Meets, Sweep};
use crate::base::format::{hours, money, percent};
use crate::estimate::summary::{EntitySummary, Summary};
use crate::model::EntityKind;

/// The heading of the section, first on every report page.
pub const HEADING: &str = "In short";

/// A service's availability against its target, as [`Meets::judge`] (the sweep's rule) decides it.
fn verdict(e: &EntitySummary) -> String {
    match e.target {
        None => "no target".into(),
        Some(t) => match Meets::judge(&e.judged_availability(), t) {
            Meets::Yes => format!("met: the 95% interval is at or above {}", target(t)),
            Meets::No => format!("missed: the 95% interval is below {}", target(t)),
            Meets::Uncertain => format!(
                "uncertain: the 95% interval straddles {}; more replications would tell",
                target(t)
            ),
        },
    }
}

fn target(t: f64) -> String {
    percent(t, 1.0 - t)
}

/// The biggest source of a service's downtime: the cause with the most hours of its attribution
/// (every hour of downtime goes to one cause, so these are the shares the chart draws).
fn biggest_source(s: &Summary, e: &EntitySummary) -> String {
    let down = e.downtime_hours_per_year.value;
    if down.is_nan() || down <= 0.0 {
        return "no downtime seen".into();
    }
    let top = s
        .attribution
        .iter()
        // Largest first within each service.
        .find(|a| a.service == e.name);
    match top {
        Some(a) => format!(
            "{} ({}/yr, {} of it)",
            a.cause,
            hours(a.hours_per_year.value),
            pct(a.share_of_downtime.value)
        ),
        None => "not attributed".into(),
    }
}

fn services(s: &Summary) -> Vec<&EntitySummary> {
    s.entities
        .iter()
        .filter(|e| e.kind == EntityKind::Service)
        .collect()
}

/// The opening section of a run's report.
pub(super) fn run_headline(s: &Summary, yearly_cost: Option<String>) -> Section {
    let services = services(s);
    let mut blocks = Vec::new();
    if services.is_empty() {
        blocks.push(Block::Paragraph(
            "The scenario defines no service, so there is no target to meet: the roles' figures are below.".into(),
        ));
    } else {
        blocks.push(Block::Table(Table {
            header: [
                "service",
                "availability",
                "against its target",
                "downtime per year",
                "biggest source of downtime",
            ]
            .map(String::from)
            .to_vec(),
            rows: services
                .iter()
                .map(|e| {
                    vec![
                        Cell::text(&e.name),
                        fraction(&e.availability),
                        Cell::text(verdict(e)),
                        amount(&e.downtime_hours_per_year, hours),
                        Cell::text(biggest_source(s, e)),
                    ]
                })
                .collect(),
            caption: Some(format!(
                "{} replications; 95% intervals in small print. The biggest source is the cause of the most hours of the service's downtime: a failed component, a maintenance schedule, a role's own mechanism (see “Where downtime comes from”).",
                s.replications
            )),
        }));
    }
    if let Some(cost) = yearly_cost {
        blocks.push(Block::Paragraph(format!("Yearly cost: {cost}.")));
    }
    Section::new(HEADING, blocks)
}

/// The opening section of a comparison's or a sweep's report: the recommended layout, then each
/// layout's services against their targets, downtime and cost.
pub(super) fn layouts_headline(c: &Comparison, sweep: Option<&Sweep>, notes: &[String]) -> Section {
    let cur = c.currency.as_deref();
    let mut blocks = vec![Block::Paragraph(match sweep {
        Some(s) => super::sweep::answer(s),
        None => compare_answer(c),
    })];
    let costs = c.layouts.iter().any(|l| l.yearly_cost.is_some());
    let mut header = [
        "layout",
        "service",
        "availability",
        "against its target",
        "downtime per year",
    ]
    .map(String::from)
    .to_vec();
    if costs {
        header.push("yearly cost".into());
    }
    let mut rows = Vec::new();
    for (i, l) in c.layouts.iter().enumerate() {
        // A sweep is about one service and, when it has an answer, this names only that point
        // (the sweep's table follows); a comparison is about every service of each layout.
        if let Some(r) = sweep.and_then(|s| s.answer())
            && r.layout != i
        {
            continue;
        }
        let shown: Vec<&EntitySummary> = services(&l.summary)
            .into_iter()
            .filter(|e| sweep.is_none_or(|s| s.service == e.name))
            .collect();
        for (k, e) in shown.iter().enumerate() {
            let mut row = vec![
                Cell::text(if k == 0 { l.name.as_str() } else { "" }),
                Cell::text(&e.name),
                fraction(&e.availability),
                Cell::text(verdict(e)),
                amount(&e.downtime_hours_per_year, hours),
            ];
            if costs {
                row.push(Cell::number(if k == 0 {
                    l.yearly_cost.map_or("—".into(), |v| money(v, cur))
                } else {
                    String::new()
                }));
            }
            rows.push(row);
        }
    }
    blocks.push(Block::Table(Table {
        header,
        rows,
        caption: Some(format!(
            "{} replications of each layout; 95% intervals in small print; the differences between layouts and their significance are under “Layouts side by side”.",
            c.replications
        )),
    }));
    if !notes.is_empty() {
        blocks.push(Block::Notes(notes.to_vec()));
    }
    Section::new(HEADING, blocks)
}

/// Whether every service of a layout that has a target is shown to meet it (none with a target: no).
fn meets_all(s: &Summary) -> bool {
    let judged: Vec<Meets> = services(s)
        .iter()
        .filter_map(|e| e.target.map(|t| Meets::judge(&e.judged_availability(), t)))
        .collect();
    !judged.is_empty() && judged.iter().all(|&m| m == Meets::Yes)
}

/// The answer of a comparison by the rule `nines sweep` answers with ([`Sweep::answer`]): of the
/// layouts whose services' 95% intervals are all at or above their targets, the cheapest when every
/// layout has a cost, else the first.
fn compare_answer(c: &Comparison) -> String {
    let ok: Vec<_> = c.layouts.iter().filter(|l| meets_all(&l.summary)).collect();
    let priced = c.layouts.iter().all(|l| l.yearly_cost.is_some());
    let pick = if priced {
        ok.iter().min_by(|a, b| {
            a.yearly_cost
                .unwrap_or(0.0)
                .total_cmp(&b.yearly_cost.unwrap_or(0.0))
        })
    } else {
        ok.first()
    };
    let any_target = c
        .layouts
        .iter()
        .any(|l| services(&l.summary).iter().any(|e| e.target.is_some()));
    match pick {
        Some(l) => format!(
            "Recommended: {}, the {} layout whose every service's 95% interval of availability is at or above its target{}.",
            l.name,
            if priced { "cheapest" } else { "first" },
            l.yearly_cost
                .map_or(String::new(), |v| format!(" ({} a year)", money(v, c.currency.as_deref())))
        ),
        None if any_target => "No layout is shown to meet every service's target: see which are missed or uncertain below.".into(),
        None => "No service has a target, so the comparison cannot say which layout meets one: compare the figures below.".into(),
    }
}
