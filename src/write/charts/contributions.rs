//! Where downtime comes from: for each service, every hour of its downtime by cause (a failed
//! component, a maintenance schedule, a role's own mechanism, several causes at once), one bar per
//! cause in hours per year with its 95% interval, largest first: the bars add up to the downtime.

use plotters::style::RGBColor;

use super::bars::{self, Bar, Panel};
use super::draw::{Canvas, MARGIN, WIDTH, alpha, palette, run_line, share, size, wrap};
use super::{Chart, ChartError, capped, caps, finish_svg};
use crate::base::format::hours;
use crate::estimate::attribution::Attribution;
use crate::estimate::summary::{EntitySummary, Summary};
use crate::model::EntityKind;

/// Causes shown per service; the rest are counted in one line.
pub const MAX_ROWS: usize = 12;

/// The kinds of cause, their colour and the tag drawn beside each row.
const KINDS: [(&str, RGBColor, &str); 6] = [
    ("component", palette::BLUE, "failed component"),
    ("maintenance", palette::GREEN, "maintenance"),
    (
        "role",
        palette::ORANGE,
        "role mechanism (switching, restart, ...)",
    ),
    ("stock", palette::VERMILLION, "waiting for a spare part"),
    (
        "several",
        palette::PURPLE,
        "overlap: several causes at once",
    ),
    ("unexplained", palette::AXIS, "unexplained"),
];

fn kind(k: &str) -> (RGBColor, &'static str) {
    KINDS
        .iter()
        .find(|(name, _, _)| *name == k)
        .map_or((palette::AXIS, "other"), |&(_, c, _)| (c, tag(k)))
}

/// The short tag of a row.
fn tag(k: &str) -> &'static str {
    match k {
        "component" => "component",
        "maintenance" => "maintenance",
        "role" => "role",
        "several" => "overlap",
        "stock" => "spare part",
        _ => "unexplained",
    }
}

fn panel(s: &Summary, e: &EntitySummary) -> Panel {
    let all: Vec<&Attribution> = s
        .attribution
        .iter()
        .filter(|a| a.service == e.name)
        .collect();
    let down = e.downtime_hours_per_year.value;
    let rows = all
        .iter()
        .take(MAX_ROWS)
        .map(|a| {
            let (color, tag) = kind(a.kind);
            Bar {
                label: a.cause.clone(),
                tag: tag.into(),
                color,
                est: a.hours_per_year,
                share: a.share_of_downtime.value,
            }
        })
        .collect();
    let more = (all.len() > MAX_ROWS).then(|| {
        let rest: f64 = all[MAX_ROWS..].iter().map(|a| a.hours_per_year.value).sum();
        format!(
            "+ {} more causes, {} a year together",
            all.len() - MAX_ROWS,
            hours(rest)
        )
    });
    Panel {
        heading: format!("{} · downtime {}/yr", e.name, hours(down)),
        rows,
        more,
        empty: if down > 0.0 {
            "no cause recorded".into()
        } else {
            "no downtime seen: nothing to attribute".into()
        },
        cumulative: None,
        axis_title: "downtime per year from each cause".into(),
    }
}

const VALUE_HEAD: &str = "downtime/yr [95% CI] · share";

/// The chart.
pub fn chart(s: &Summary) -> Result<Chart, ChartError> {
    let (s, more) = capped(s, caps::SOURCES, usize::MAX, usize::MAX);
    let s = &*s;
    let services: Vec<&EntitySummary> = s
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Service)
        .collect();
    let panels: Vec<Panel> = services.iter().map(|e| panel(s, e)).collect();
    let cols = bars::columns(&panels, VALUE_HEAD);
    // The same sums as the table's "downtime from" row, and the components down during outages as
    // its "down while down" row shows them (those overlap, these do not).
    let mut sums = Vec::new();
    for e in &services {
        let parts: Vec<String> = s
            .attribution
            .iter()
            .filter(|a| a.service == e.name)
            .map(|a| format!("{} {}", a.cause, hours(a.hours_per_year.value)))
            .collect();
        sums.push(format!(
            "{}: {}/yr = {}",
            e.name,
            hours(e.downtime_hours_per_year.value),
            if parts.is_empty() {
                "none".to_string()
            } else {
                parts.join(" + ")
            }
        ));
        let down: Vec<String> = s
            .contributions
            .iter()
            .filter(|c| c.service == e.name)
            .take(5)
            .map(|c| format!("{} {}", c.component, share(c.share_of_downtime.value)))
            .collect();
        if !down.is_empty() {
            sums.push(format!(
                "{}, components down during its outages (overlapping, not adding up): {}",
                e.name,
                down.join(" · ")
            ));
        }
    }
    let notes = wrap(
        &[
            &[
                "every hour of a service's downtime goes to one cause, so the bars add up to its downtime:".into(),
                "a role's own mechanism first (switching, restart, operator, restore; a switch a maintenance drain started goes to that schedule), then failed components and maintenance schedules, then a role with no host or quorum".into(),
                "overlap: two or more causes of the same tier at once, counted once as \"several causes at once\"; share: of the service's downtime".into(),
            ][..],
            &sums[..],
            &more[..],
        ]
        .concat(),
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let top = 72 + 26;
    let body: i32 =
        panels.iter().map(Panel::height).sum::<i32>() + if panels.is_empty() { 30 } else { 0 };
    let height = top + body + 16 * notes.len() as i32 + 16;
    let title =
        "Where downtime comes from: every hour of each service's downtime by cause".to_string();
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        let y = c.header(&title, &run_line(s));
        let mut x = MARGIN;
        for (k, color, label) in KINDS {
            if s.attribution.iter().any(|a| a.kind == k) {
                x = c.swatch((x, y + 6), alpha(color, 0.85), label);
            }
        }
        c.line(
            &[(x, y + 6), (x + 16, y + 6)],
            super::draw::solid(palette::TEXT),
            2,
        );
        c.text(
            "95% confidence interval",
            (x + 21, y + 6),
            size::LABEL,
            palette::TEXT,
            super::draw::Anchor::LEFT,
        );
        let mut y = top;
        if panels.is_empty() {
            c.text(
                "no services: downtime is attributed for services",
                (MARGIN, y + 12),
                size::LABEL,
                palette::MUTED,
                super::draw::Anchor::LEFT,
            );
            y += 30;
        }
        for p in &panels {
            bars::draw(&mut c, p, y, cols, VALUE_HEAD);
            y += p.height();
        }
        c.notes(&notes, (MARGIN, y + 8));
        c.finish()?;
    }
    Ok(Chart {
        name: "downtime-sources".into(),
        title,
        svg: finish_svg(svg),
    })
}
