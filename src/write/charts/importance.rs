//! What improving each component would buy: per service, a Pareto chart of the downtime per year it
//! would lose if each component never failed (bars with 95% intervals, largest first) with the
//! cumulative share of the bars' total, drawn by `run --importance`.

use plotters::style::RGBColor;

use super::bars::{self, Bar, Panel};
use super::draw::{Canvas, MARGIN, WIDTH, alpha, palette, run_line, size, solid, wrap};
use super::{Chart, ChartError, finish_svg};
use crate::analyses::importance::{ComponentImportance, Importance};
use crate::base::format::hours;
use crate::base::units::HOURS_PER_YEAR;
use crate::estimate::summary::Summary;
use crate::model::{ComponentKind, Model};

/// Components drawn per chart; the rest are counted in one line.
pub const MAX_ROWS: usize = 15;
/// Services given a chart: those with the most downtime.
pub const MAX_SERVICES: usize = 12;

const KINDS: [ComponentKind; 4] = [
    ComponentKind::Node,
    ComponentKind::Domain,
    ComponentKind::Site,
    ComponentKind::Link,
];

fn kind_color(k: ComponentKind) -> RGBColor {
    match k {
        ComponentKind::Node => palette::BLUE,
        ComponentKind::Domain => palette::ORANGE,
        ComponentKind::Site => palette::GREEN,
        ComponentKind::Link => palette::PURPLE,
    }
}

/// The file name stem of a service's chart: `importance-NAME`, the name kept to letters, digits,
/// `-`, `_` and `.` (anything else `_`).
pub fn name(service: &str) -> String {
    let safe: String = service
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("importance-{safe}")
}

/// The title of a service's chart.
pub fn title(service: &str) -> String {
    format!("Which component to improve for {service}: downtime each would save")
}

const VALUE_HEAD: &str = "saved/yr [95% CI] · share of its downtime";

/// One chart per service (at most [`MAX_SERVICES`], those with the most downtime, in file order).
pub fn charts(model: &Model, x: &Importance, summary: &Summary) -> Result<Vec<Chart>, ChartError> {
    let mut services: Vec<usize> = (0..model.services.len()).collect();
    let down = |s: usize| x.unavailability.get(s).map_or(0.0, |u| u.value);
    if services.len() > MAX_SERVICES {
        services.sort_by(|&a, &b| down(b).total_cmp(&down(a)).then(a.cmp(&b)));
        services.truncate(MAX_SERVICES);
        services.sort_unstable();
    }
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for s in services {
        let mut stem = name(&model.services[s].name);
        // Two names made the same by the safe characters: the later one gets its index.
        if names.contains(&stem) {
            stem = format!("{stem}-{}", s + 1);
        }
        names.push(stem.clone());
        out.push(chart(model, x, summary, s, stem)?);
    }
    Ok(out)
}

fn chart(
    model: &Model,
    x: &Importance,
    summary: &Summary,
    s: usize,
    stem: String,
) -> Result<Chart, ChartError> {
    let service = &model.services[s].name;
    let rows: Vec<&ComponentImportance> = x.components.iter().filter(|r| r.service == s).collect();
    let down = x.unavailability.get(s).map_or(f64::NAN, |u| u.value) * HOURS_PER_YEAR;
    let saved = |r: &ComponentImportance| r.saved_hours_per_year.value.max(0.0);
    let total: f64 = rows
        .iter()
        .map(|r| saved(r))
        .filter(|v| v.is_finite())
        .sum();
    let shown: Vec<&ComponentImportance> = rows
        .iter()
        .copied()
        .filter(|r| saved(r) > 0.0)
        .take(MAX_ROWS)
        .collect();
    let mut running = 0.0;
    let cumulative: Vec<f64> = shown
        .iter()
        .map(|r| {
            running += saved(r);
            if total > 0.0 { running / total } else { 0.0 }
        })
        .collect();
    let rest = rows.len() - shown.len();
    let rest_hours = total - running;
    let panel = Panel {
        heading: format!("{service} · downtime {}/yr", hours(down)),
        rows: shown
            .iter()
            .map(|r| {
                let comp = &model.components[r.component];
                Bar {
                    label: comp.name.clone(),
                    tag: comp.kind.as_str().into(),
                    color: kind_color(comp.kind),
                    est: r.saved_hours_per_year,
                    share: if down > 0.0 { saved(r) / down } else { 0.0 },
                }
            })
            .collect(),
        more: (rest > 0).then(|| {
            if rest_hours > 0.0 {
                format!(
                    "+ {rest} more components, {} a year together",
                    hours(rest_hours)
                )
            } else {
                format!("+ {rest} more components that would save no downtime")
            }
        }),
        empty: "no component's failures cost this service any downtime".into(),
        cumulative: Some(cumulative),
        axis_title: "downtime per year the service would lose if the component were never down"
            .into(),
    };
    let cols = bars::columns(std::slice::from_ref(&panel), VALUE_HEAD);
    let source = match x.method {
        "exact" => "exact, from the Markov chain's steady state".to_string(),
        _ => format!(
            "the same {} replications, with each component's state flipped to up between events",
            x.replications
        ),
    };
    let notes = wrap(
        &[
            "bars: the downtime per year the service would lose if the component were never down, failed or in maintenance (the rest as it happened; failover and restart times are not re-simulated), largest first".into(),
            "line: the cumulative share of the bars' total, on the scale along the top (components down together count for each of them)".into(),
            format!("measured from {source}; Birnbaum, criticality, RAW, RRW and minimal cut sets are in importance.csv and the report"),
        ],
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let top = 72 + 26;
    let height = top + panel.height() + 16 * notes.len() as i32 + 16;
    let title = title(service);
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        let y = c.header(&title, &run_line(summary));
        let mut lx = MARGIN;
        for k in KINDS {
            if panel.rows.iter().any(|b| b.tag == k.as_str()) {
                lx = c.swatch((lx, y + 6), alpha(kind_color(k), 0.85), k.as_str());
            }
        }
        lx = c.legend_line((lx, y + 6), palette::VERMILLION, false, "cumulative share");
        c.line(&[(lx, y + 6), (lx + 16, y + 6)], solid(palette::TEXT), 2);
        c.text(
            "95% confidence interval",
            (lx + 21, y + 6),
            size::LABEL,
            palette::TEXT,
            super::draw::Anchor::LEFT,
        );
        bars::draw(&mut c, &panel, top, cols, VALUE_HEAD);
        c.notes(&notes, (MARGIN, top + panel.height() + 8));
        c.finish()?;
    }
    Ok(Chart {
        name: stem.into(),
        title,
        svg: finish_svg(svg),
    })
}
