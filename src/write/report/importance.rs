//! The "Which component to improve" section of a run's report (`run --importance`): per service, the
//! components ranked by the downtime their never failing would save, with the other measures, the
//! largest minimal cut sets and the Pareto chart.

use super::page::{Block, Cell, Page, Section, Table, amount, caption};
use crate::analyses::importance::Importance;
use crate::base::format::{hours, rare, sig3};
use crate::model::Model;
use crate::write::charts::Chart;

/// Components listed per service.
const ROWS: usize = 10;
/// Cut sets listed per service.
const CUTS: usize = 5;
/// Its heading.
pub const HEADING: &str = "Which component to improve";

/// Adds the section after "Services" (and the headline): `charts` are the Pareto charts drawn.
pub fn add_importance(page: &mut Page, model: &Model, x: &Importance, charts: &[Chart]) {
    let n = x.replications;
    let source = match x.method {
        "exact" => "exact, from the Markov chain's steady state".to_string(),
        _ => format!("estimated from the run's own {n} replications"),
    };
    let mut blocks = vec![Block::Paragraph(format!(
        "For each service, the downtime per year it would lose if a component were never down, failed or in maintenance (its state flipped to up, everything else as it happened), {source}; the components whose improvement buys most come first."
    ))];
    for (s, service) in model.services.iter().enumerate() {
        let rows: Vec<_> = x.components.iter().filter(|r| r.service == s).collect();
        blocks.push(Block::Subheading(service.name.clone()));
        let est = |e: &crate::base::stats::Estimate, f: fn(f64) -> String| {
            if e.value.is_finite() {
                Cell::estimate(e, f)
            } else {
                Cell::number("n/a")
            }
        };
        blocks.push(Block::Table(Table {
            header: [
                "component",
                "kind",
                "downtime saved per year",
                "Birnbaum",
                "criticality",
                "RAW",
                "RRW",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .take(ROWS)
                .map(|r| {
                    let c = &model.components[r.component];
                    vec![
                        Cell::text(&c.name),
                        Cell::text(c.kind.as_str()),
                        amount(&r.saved_hours_per_year, hours),
                        est(&r.birnbaum, rare),
                        est(&r.criticality, rare),
                        est(&r.raw, sig3),
                        est(&r.rrw, sig3),
                    ]
                })
                .collect(),
            caption: Some(if x.method == "exact" {
                "Exact figures from the chain's steady state.".to_string()
            } else {
                caption(
                    "Birnbaum: unavailability with the component always down minus never down; criticality: the share of the downtime its being down explains; RAW: unavailability always down ÷ as is; RRW: as is ÷ never down (n/a: no downtime would be left).",
                    n,
                )
            }),
        }));
        if rows.len() > ROWS {
            blocks.push(Block::Notes(vec![format!(
                "{} more components in importance.csv.",
                rows.len() - ROWS
            )]));
        }
        let mut cuts: Vec<_> = x.cut_sets.iter().filter(|c| c.service == s).collect();
        cuts.sort_by(|a, b| {
            b.hours_per_year
                .value
                .total_cmp(&a.hours_per_year.value)
                .then(a.members.len().cmp(&b.members.len()))
        });
        if !cuts.is_empty() {
            let more = cuts.len().saturating_sub(CUTS);
            blocks.push(Block::Table(Table {
                header: ["minimal cut set", "all members down, per year"]
                    .map(String::from)
                    .to_vec(),
                rows: cuts
                    .iter()
                    .take(CUTS)
                    .map(|c| {
                        let names: Vec<&str> = c
                            .members
                            .iter()
                            .map(|&m| model.components[m].name.as_str())
                            .collect();
                        vec![Cell::text(names.join(" + ")), amount(&c.hours_per_year, hours)]
                    })
                    .collect(),
                caption: Some(format!(
                    "Minimal cut sets up to order {}, by the time all their members were down together{}.",
                    x.order,
                    if more > 0 {
                        format!("; {more} more in importance.csv")
                    } else {
                        String::new()
                    }
                )),
            }));
        }
        let title = crate::write::charts::importance::title(&service.name);
        for c in charts.iter().filter(|c| c.title == title) {
            blocks.push(Block::Svg {
                title: c.title.clone(),
                svg: c.svg.clone(),
            });
        }
    }
    // After the headline and the services: the answer to "what should I improve" sits with them.
    let at = page
        .sections
        .iter()
        .position(|s| s.heading == "Services")
        .map_or(page.sections.len(), |i| i + 1);
    page.sections.insert(at, Section::new(HEADING, blocks));
}
