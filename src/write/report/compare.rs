//! The report of a comparison (`nines compare`) or a sweep (`nines sweep`): a short answer, the sweep
//! (for a sweep), every compared figure of every layout side by side with its difference to the first,
//! the charts, how to read them and the scenario files.

use super::page::{Block, Cell, Page, Section, Table, amount, fraction};
use super::sweep::{sweep_assumptions, sweep_section};
use super::{Source, charts_section, headline, how_to_read};
use crate::analyses::compare::{Comparison, Row, Unit, Verdict};
use crate::analyses::sweep::Sweep;
use crate::base::units::format_duration;
use crate::write::charts::Chart;

/// The report of a comparison (`nines compare`) or, with `sweep`, of a sweep (`nines sweep`): a short
/// answer (the recommended layout, each layout's services against their targets, cost), the sweep
/// table, every compared figure per layout with its 95% interval and the difference to the first
/// layout, the charts, the assumptions, how to read them and the scenario files.
pub fn compare_report(
    c: &Comparison,
    sweep: Option<&Sweep>,
    charts: &[Chart],
    sources: &[Source],
    notes: &[String],
) -> Page {
    let mission = format_duration(c.mission_hours);
    let mut assumptions = vec![
        (
            "Layouts".to_string(),
            c.layouts
                .iter()
                .map(|l| l.name.clone())
                .collect::<Vec<_>>()
                .join(" · "),
        ),
        ("Mission".into(), format!("{mission} per replication")),
        (
            "Replications".into(),
            format!("{} of each layout", c.replications),
        ),
        ("Seed".into(), c.seed.to_string()),
        (
            "Random numbers".into(),
            "common: every layout runs the same replications with the same seed, and a component that layouts share (by name) fails at the same moments in each, so differences are measured replication by replication".into(),
        ),
        ("Events simulated".into(), c.events.to_string()),
        ("nines version".into(), env!("CARGO_PKG_VERSION").into()),
    ];
    if let Some(s) = sweep {
        assumptions.splice(0..0, sweep_assumptions(s));
    }
    // The answer first, then the results, then what they rest on.
    let mut sections = vec![headline::layouts_headline(c, sweep, notes)];
    if let Some(s) = sweep {
        sections.push(sweep_section(c, s));
    }
    sections.push(side_by_side(c));
    sections.push(charts_section(charts));
    sections.push(Section::new(
        "Assumptions",
        vec![Block::KeyValues(assumptions)],
    ));
    sections.push(how_to_read());
    let files: Vec<Block> = sources
        .iter()
        .map(|s| Block::Details {
            summary: format!("scenario file {}", s.file),
            text: s.text.to_string(),
        })
        .collect();
    sections.push(Section::new("Scenario files", files));
    let title = match sweep {
        Some(s) => format!(
            "nines report · sweep of {} over {}",
            s.service,
            s.params
                .iter()
                .map(|p| p.path.clone())
                .collect::<Vec<_>>()
                .join(" × ")
        ),
        None => format!(
            "nines report · {}",
            c.layouts
                .iter()
                .map(|l| l.name.clone())
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
    };
    Page {
        title,
        subtitle: Some(format!(
            "{} layouts · mission {mission} · {} replications each · seed {} · common random numbers · nines {}",
            c.layouts.len(),
            c.replications,
            c.seed,
            env!("CARGO_PKG_VERSION")
        )),
        sections,
        timing: Some(format!(
            "Run time: {} events in {:.2}s on {} thread{}; results do not depend on the number of threads.",
            c.events,
            c.wall_seconds,
            c.threads,
            if c.threads == 1 { "" } else { "s" }
        )),
    }
}

/// The "Layouts side by side" section: one table per scope (a service, the whole layout, client
/// latency, cost), a row per layout and under each but the first its differences to the first.
fn side_by_side(c: &Comparison) -> Section {
    // One table per scope (service, clients, cost): a row per layout, a column per figure, so the
    // width does not grow with the number of layouts.
    let heading = |r: &Row| {
        if r.measure == "failed requests per year" || r.measure == "data loss per year" {
            "Whole layout".to_string()
        } else if r.unit == Unit::Money {
            "Cost".to_string()
        } else if r.is_request_kind() {
            format!("Clients {}", r.scope)
        } else if r.unit == Unit::Latency {
            "Client latency: P99 of successful requests".to_string()
        } else if r.is_cluster() {
            format!("Cluster {}", r.scope)
        } else {
            format!("Service {}", r.scope)
        }
    };
    let mut groups: Vec<(String, Vec<&Row>)> = Vec::new();
    for r in &c.rows {
        let h = heading(r);
        match groups.iter_mut().find(|g| g.0 == h) {
            Some(g) => g.1.push(r),
            None => groups.push((h, vec![r])),
        }
    }
    // More than MAX_FIGURES columns (eight request kinds' latencies) would not fit a page: such a
    // group is cut into tables of equal width under its one heading.
    const MAX_FIGURES: usize = 5;
    let mut side = Vec::new();
    for (h, all) in &groups {
        let tables = all.len().div_ceil(MAX_FIGURES);
        side.push(Block::Subheading(h.clone()));
        for rows in all.chunks(all.len().div_ceil(tables)) {
            side.push(side_table(c, rows));
        }
    }
    side.push(Block::Paragraph(format!(
        "Means (availability, downtime, outages, data lost, failed requests) are compared replication by replication over the common random numbers: their Δ interval is that of the paired difference, and better or worse means it excludes zero. Percentiles and latencies are not paired: their difference counts as significant only when the two layouts' intervals do not overlap. A significant difference smaller than the practical threshold (`--same-within`) reads \"same\": too small to matter; the cost next to it says what a difference would buy.{}",
        if c.layouts.len() > 2 { " Every difference is to the first layout." } else { "" }
    )));
    Section::new("Layouts side by side", side)
}

/// One table of a scope: a row per layout, a column per figure, under each layout but the first its
/// differences to the first.
fn side_table(c: &Comparison, rows: &[&Row]) -> Block {
    let cur = c.currency.as_deref();
    let fmt = |u: Unit| move |v: f64| u.format(v, cur);
    let mut header = vec!["layout".to_string()];
    header.extend(rows.iter().map(|r| {
        if r.unit == Unit::Latency {
            // population.kind: break after the dot rather than anywhere.
            r.scope.replace('.', ".\u{200b}")
        } else {
            r.measure.to_string()
        }
    }));
    // A row per layout, and under each but the first its differences to the first.
    let mut body = Vec::new();
    for (i, l) in c.layouts.iter().enumerate() {
        let mut row = vec![Cell::text(l.name.clone())];
        let mut deltas = vec![Cell::text(format!("Δ vs {}", c.layouts[0].name))];
        for r in rows {
            let Some(cell) = r.cells[i] else {
                row.push(Cell::text("—"));
                deltas.push(Cell::text(""));
                continue;
            };
            row.push(match r.unit {
                Unit::Money => Cell::number(fmt(r.unit)(cell.value.value)),
                Unit::Availability => fraction(&cell.value),
                _ => amount(&cell.value, fmt(r.unit)),
            });
            deltas.push(match &cell.diff {
                None => Cell::text(""),
                Some(d) if r.unit == Unit::Money => {
                    Cell::number(r.unit.format_diff(d.value.value, cur))
                }
                Some(d) => {
                    // The same reading as the terminal's, practical threshold included.
                    let verdict = match d.verdict {
                        Verdict::Unclear if d.paired => "not significant",
                        Verdict::Unclear => "overlap",
                        v => v.as_str(),
                    };
                    Cell::number(format!(
                        "{} {verdict}",
                        r.unit.format_diff(d.value.value, cur)
                    ))
                    .detail(format!(
                        "[{}, {}]",
                        r.unit.format_diff(d.value.ci95_low, cur),
                        r.unit.format_diff(d.value.ci95_high, cur)
                    ))
                }
            });
        }
        body.push(row);
        if i > 0 {
            body.push(deltas);
        }
    }
    Block::Table(Table {
        header,
        rows: body,
        caption: Some(format!(
            "{} replications of each layout; 95% intervals in small print; Δ: difference to {} with its 95% interval (percentage points for availability)",
            c.replications, c.layouts[0].name
        )),
    })
}
