//! The sweep part of a sweep's report (`nines sweep`): what was swept, and the table of every point
//! with its 95% intervals, its cost and whether it meets the target, under the answer.

use super::page::{Block, Cell, Section, Table, amount, fraction};
use crate::analyses::compare::Comparison;
use crate::analyses::sweep::{Meets, Sweep};
use crate::base::format::{hours, latency, money, percent, sig3};

/// The first assumptions of a sweep's report: the parameters and their values, and the service.
pub(super) fn sweep_assumptions(s: &Sweep) -> [(String, String); 2] {
    let params: Vec<String> = s
        .params
        .iter()
        .map(|p| {
            let v: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
            format!("{} over {}", p.path, v.join(", "))
        })
        .collect();
    [
        ("Swept".into(), params.join("; ")),
        ("Service".into(), s.service.clone()),
    ]
}

/// The "Sweep" section: the answer (the cheapest or first point shown to meet the target), then a row
/// per point.
pub(super) fn sweep_section(c: &Comparison, s: &Sweep) -> Section {
    let cur = c.currency.as_deref();
    let clients = s.rows.iter().any(|r| r.failed_requests_per_year.is_some());
    let costs = s.rows.iter().any(|r| r.yearly_cost.is_some());
    let mut header: Vec<String> = s.params.iter().map(|p| p.path.clone()).collect();
    header.extend(
        [
            "availability",
            "downtime per year",
            "P90 year",
            "outages per year",
        ]
        .map(String::from),
    );
    if clients {
        header.push("failed requests per year".into());
        header.push(format!(
            "P99 latency {}",
            s.request_kind.as_deref().unwrap_or("")
        ));
    }
    if let Some(k) = &s.age_kind {
        header.push(format!("stale share of client-time {k}"));
    }
    if let Some(k) = &s.in_flight_kind {
        header.push(format!("requests cut in flight per year {k}"));
    }
    if let Some(k) = &s.reassign_kind {
        header.push(format!("reassignments per year {k}"));
        header.push(format!("hours reassigned per year {k}"));
    }
    header.extend(s.phases.iter().map(|p| format!("availability in {p}")));
    if costs {
        header.push("yearly cost".into());
    }
    if s.target.is_some() {
        header.push("meets the target".into());
    }
    let rows = s
        .rows
        .iter()
        .map(|r| {
            let mut row: Vec<Cell> = r.values.iter().map(|v| Cell::text(v.to_string())).collect();
            row.push(fraction(&r.availability));
            row.push(amount(&r.downtime_hours_per_year, hours));
            row.push(amount(&r.annual_downtime_hours_p90, hours));
            row.push(amount(&r.outages_per_year, sig3));
            if clients {
                row.push(
                    r.failed_requests_per_year
                        .map_or(Cell::text("—"), |e| amount(&e, sig3)),
                );
                row.push(
                    r.latency_p99_hours
                        .map_or(Cell::text("—"), |e| amount(&e, latency)),
                );
            }
            if s.age_kind.is_some() {
                row.push(r.stale_share.map_or(Cell::text("—"), |e| fraction(&e)));
            }
            if s.in_flight_kind.is_some() {
                row.push(r.cut_per_year.map_or(Cell::text("—"), |e| amount(&e, sig3)));
            }
            if s.reassign_kind.is_some() {
                let (moves, moved) = r.reassigned.unzip();
                row.push(moves.map_or(Cell::text("—"), |e| amount(&e, sig3)));
                row.push(moved.map_or(Cell::text("—"), |e| amount(&e, hours)));
            }
            row.extend(
                r.phases
                    .iter()
                    .map(|a| a.map_or(Cell::text("—"), |a| fraction(&a))),
            );
            if costs {
                row.push(Cell::number(
                    r.yearly_cost.map_or("—".into(), |v| money(v, cur)),
                ));
            }
            if s.target.is_some() {
                row.push(Cell::text(match r.meets {
                    Some(Meets::Yes) => "yes",
                    Some(Meets::No) => "no",
                    Some(Meets::Uncertain) => "uncertain",
                    None => "—",
                }));
            }
            row
        })
        .collect();
    Section::new(
        "Sweep",
        vec![
            Block::Paragraph(answer(s)),
            Block::Table(Table {
                header,
                rows,
                caption: Some(format!(
                    "service {}: each point is the scenario with the settings on its row; {} replications per point; 95% intervals in small print",
                    s.service, c.replications
                )),
            }),
        ],
    )
}

/// The sweep's answer in a sentence: the point [`Sweep::answer`] picks, or why there is none.
pub(super) fn answer(s: &Sweep) -> String {
    // As `Sweep::answer` decides: the cheapest when every point has a cost.
    let costs = s.rows.iter().all(|r| r.yearly_cost.is_some());
    match (s.target, s.answer()) {
        (Some(t), Some(r)) => format!(
            "Answer: {} is the {} point whose 95% interval of availability is at or above the target {}.",
            s.label(r),
            if costs { "cheapest" } else { "first" },
            percent(t, 1.0 - t)
        ),
        (Some(t), None) => {
            let uncertain = s.rows.iter().any(|r| r.meets == Some(Meets::Uncertain));
            format!(
                "No point is shown to meet the target {}{}",
                percent(t, 1.0 - t),
                if uncertain {
                    "; points marked uncertain need more replications."
                } else {
                    "."
                }
            )
        }
        (None, _) => format!(
            "Service {} has no target, so the sweep cannot say which points meet it.",
            s.service
        ),
    }
}
