//! HTML reports: a small page builder and the report of one run. Pure: every function returns text;
//! nothing here touches the file system.
//!
//! A [`Page`] is a title, a subtitle, [`Section`]s of [`Block`]s (paragraphs, tables of [`Cell`]s, inline
//! SVG charts, key–value lists, preformatted text, notes) and an optional timing line. [`render`] turns
//! it into one self-contained HTML document: inline CSS, charts inlined as SVG, no script, no external
//! font, stylesheet or image, and a content security policy that forbids loading anything. Every piece
//! of text is escaped, so names and descriptions from scenario files cannot inject markup.
//!
//! [`run_report`] builds the page of one run (`nines run`, `nines merge`); compare and sweep reports
//! build their own pages from the same blocks.
//!
//! ```
//! use nines::write::report::{Block, Cell, Page, Section, Table, render};
//! let page = Page {
//!     title: "Layouts <compared>".into(),
//!     subtitle: Some("two scenarios".into()),
//!     sections: vec![Section::new(
//!         "Availability",
//!         vec![Block::Table(Table {
//!             header: vec!["layout".into(), "availability".into()],
//!             rows: vec![vec![Cell::text("one SQL"), Cell::number("99.95%").detail("[99.94%, 99.96%]")]],
//!             caption: Some("n = 1000 replications".into()),
//!         })],
//!     )],
//!     timing: None,
//! };
//! let html = render(&page);
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("Layouts &lt;compared&gt;"));
//! assert!(html.contains("<td class=\"num\">99.95%<span class=\"ci\">[99.94%, 99.96%]</span></td>"));
//! ```
//!
//! The page model is in `page`, its HTML in `html`; every report opens with `headline` (the short
//! answer); the sections of a run's report are in `services`, `roles`, `clients`, `crews` and `stocks`; the report of a comparison or a sweep in `compare` and `sweep`.

mod clients;
mod compare;
mod crews;
mod headline;
mod html;
mod importance;
mod page;
mod phases;
mod quorum;
mod roles;
mod services;
mod stocks;
mod sweep;

pub use compare::compare_report;
pub use html::{escape, render};
pub use importance::add_importance;
pub use page::{Block, Cell, Page, Section, Table, interval, share};

use crate::analyses::explain;
use crate::base::units::format_duration;
use crate::estimate::summary::Summary;
use crate::model::Model;
use crate::write::charts::Chart;

/// The scenario file behind a run: the name it was read as and its text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The file as named on the command line (or in the parts of a sharded run).
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// The report of one run: a short answer (each service against its target, downtime, its biggest
/// source, cost), then services, roles, mechanisms, clients and crews with every estimate's 95%
/// interval, the charts (none when `charts` is empty: they were not drawn), the assumptions, the
/// scenario in plain words (and its file) and how to read the figures.
pub fn run_report(model: &Model, summary: &Summary, charts: &[Chart], source: &Source) -> Page {
    let mission = format_duration(summary.mission_hours);
    let mut assumptions = vec![
        ("Scenario".into(), summary.scenario.clone()),
        ("Scenario file".into(), source.file.to_string()),
        (
            "Mission".into(),
            format!("{mission} per replication (simulated time of each independent history)"),
        ),
        ("Replications".into(), summary.replications.to_string()),
        ("Seed".into(), summary.seed.to_string()),
        ("Events simulated".into(), summary.events.to_string()),
        ("nines version".into(), summary.nines_version.clone()),
    ];
    let cost = model.cost_line().map(|cost| {
        cost.strip_prefix("yearly cost ")
            .unwrap_or(&cost)
            .to_string()
    });
    if let Some(cost) = &cost {
        assumptions.push(("Yearly cost".into(), cost.clone()));
    }
    let assumptions = Section::new(
        "Assumptions",
        vec![
            Block::KeyValues(assumptions),
            Block::Paragraph(format!(
                "The same scenario, seed, mission and replications give the same figures on any machine and with any number of threads. Percentiles of annual downtime are over {} mission-years.",
                years_observed(summary)
            )),
        ],
    );
    // The answer first, the results next, and what they rest on (assumptions, the scenario as
    // understood and as written) after them: a reader should not scroll past inputs to find outputs.
    let mut sections = vec![
        headline::run_headline(summary, cost),
        Section::new("Services", services::services(model, summary)),
    ];
    // Without the threads, which do not change the results (the report is the same whatever `-j`).
    let mut unthreaded = model.clone();
    unthreaded.simulation.threads = None;
    let description = explain::describe(&unthreaded);
    let warnings = explain::warnings(model);
    let mut scenario = vec![
        Block::Paragraph(
            "What the simulator understood the scenario to be, as “nines validate” explains it:"
                .into(),
        ),
        Block::Pre(description),
    ];
    if !warnings.is_empty() {
        scenario.push(Block::Notes(warnings));
    }
    scenario.push(Block::Details {
        summary: format!(
            "Scenario file {} ({} lines)",
            source.file,
            source.text.lines().count()
        ),
        text: source.text.to_string(),
    });
    let roles = roles::roles(model, summary);
    if !roles.is_empty() {
        sections.push(Section::new("Roles", roles));
    }
    let clients = clients::clients(summary);
    if !clients.is_empty() {
        sections.push(Section::new("Clients", clients));
    }
    if !summary.crews.is_empty() {
        sections.push(Section::new("Repair crews", crews::crews(summary)));
    }
    if !summary.stocks.is_empty() {
        sections.push(Section::new("Spare parts", stocks::stocks(summary)));
    }
    sections.push(charts_section(charts));
    sections.push(assumptions);
    sections.push(Section::new("Scenario", scenario));
    sections.push(how_to_read());
    Page {
        title: format!("nines report: {}", summary.scenario),
        subtitle: Some(format!(
            "mission {mission} · {} replications · seed {} · nines {}",
            summary.replications, summary.seed, summary.nines_version
        )),
        sections,
        timing: Some(timing(summary)),
    }
}

/// A "Charts" section with every chart inline, in order; when `charts` is empty, a note that they
/// were not drawn (`--no-charts`).
pub fn charts_section(charts: &[Chart]) -> Section {
    let blocks = if charts.is_empty() {
        vec![Block::Notes(vec![
            "The charts were not drawn for this run (--no-charts).".into(),
        ])]
    } else {
        charts
            .iter()
            .map(|c| Block::Svg {
                title: c.title.clone(),
                svg: c.svg.clone(),
            })
            .collect()
    };
    Section::new("Charts", blocks)
}

/// The timing line of a run ([`Page::timing`]): events, wall time, events per second and threads, or,
/// with no wall time (a merge of shards), that it was not recorded.
pub fn timing(summary: &Summary) -> String {
    match crate::write::table::run_time(summary) {
        Some(line) => {
            format!("Run time: {line}; results do not depend on the number of threads.")
        }
        None => "Run time: not recorded (merged from the parts of a sharded run).".into(),
    }
}

fn years_observed(summary: &Summary) -> u64 {
    summary.entities.first().map_or(0, |e| e.years_observed)
}

/// The "How to read this report" section: what each figure means, intervals, extremes.
pub fn how_to_read() -> Section {
    let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
    let blocks = vec![
        Block::Paragraph(
            "nines simulates many independent missions of the whole system, event by event. Each figure is an estimate from those replications with its 95% confidence interval: an interval computed this way contains the true value (for these assumptions) in 95 of 100 runs. More replications narrow the intervals; they do not make the assumptions truer."
                .into(),
        ),
        Block::KeyValues(vec![
            kv(
                "availability",
                "the fraction of mission time the service was up, averaged over replications; nines is −log10(unavailability), so 99.9% is 3 nines.",
            ),
            kv("downtime per year", "mean time down per year of the mission."),
            kv(
                "P50 / P90 / P99 year",
                "percentiles of the downtime of each calendar year of every mission: P99 is the planner's bad year. Percentiles come from a streaming log histogram (accurate to 0.5%); their intervals are distribution-free.",
            ),
            kv(
                "outages per year, mean outage",
                "how often the service went down, and total downtime over outages. An outage still open at the mission end counts and is cut there.",
            ),
            kv(
                "longest outage",
                "the mean over missions of each mission's longest outage; the worst seen is the longest in any replication.",
            ),
            kv(
                "years below target",
                "the share of years whose availability missed the service's target.",
            ),
            kv(
                "time at risk",
                "time per year the service was up with no redundancy left, so that one more failure would take it down.",
            ),
            kv(
                "down while the service is down",
                "for each component, the share of the service's downtime during which it was failed; shares can add up to more than 100%.",
            ),
            kv(
                "[low, high]",
                "the 95% confidence interval, under each figure. Intervals of quantities that cannot be negative or exceed 100% are cut at those bounds here; summary.csv has them as computed.",
            ),
            kv(
                "no interval",
                "extremes (worst seen) have no confidence interval: they grow with the number of replications.",
            ),
        ]),
        Block::Paragraph(
            "The same figures are in summary.csv (one row per measure with its interval and n) and per replication in replications.csv; the charts are also written as SVG and PNG files under charts/."
                .into(),
        ),
    ];
    Section::new("How to read this report", blocks)
}
