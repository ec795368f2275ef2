//! Where downtime comes from: for each service, the components by decreasing share of its downtime
//! during which they were down (Pareto bars with 95% confidence intervals).

use plotters::style::RGBColor;

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, palette, run_line, share, size, solid,
    text_width, wrap,
};
use super::{Chart, ChartError, capped, caps, finish_svg};
use crate::base::format::hours;
use crate::estimate::summary::{Contribution, EntitySummary, Summary};
use crate::model::{ComponentKind, EntityKind};

/// Components shown per service; the rest are counted in one line.
pub const MAX_ROWS: usize = 12;
const ROW_H: i32 = 24;
const GAP: i32 = 16;
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

fn value_text(c: &Contribution, down_per_year: f64) -> String {
    let e = &c.share_of_downtime;
    format!(
        "{} [{}, {}] · {}/yr",
        share(e.value),
        share(e.ci95_low.max(0.0)),
        share(e.ci95_high.min(1.0)),
        hours(e.value * down_per_year)
    )
}

struct Panel<'a> {
    service: &'a EntitySummary,
    rows: Vec<&'a Contribution>,
    hidden: usize,
    hidden_max: f64,
}

impl Panel<'_> {
    fn height(&self) -> i32 {
        let rows = if self.rows.is_empty() {
            1
        } else {
            self.rows.len() + usize::from(self.hidden > 0)
        };
        30 + ROW_H * rows as i32 + 40 + 18
    }
}

/// The chart.
pub fn chart(s: &Summary) -> Result<Chart, ChartError> {
    let (s, more) = capped(s, caps::SOURCES, usize::MAX, usize::MAX);
    let s = &*s;
    let panels: Vec<Panel> = s
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Service)
        .map(|e| {
            let all: Vec<&Contribution> = s
                .contributions
                .iter()
                .filter(|c| c.service == e.name)
                .collect();
            let hidden = all.len().saturating_sub(MAX_ROWS);
            let hidden_max = all.get(MAX_ROWS).map_or(0.0, |c| c.share_of_downtime.value);
            Panel {
                service: e,
                rows: all.into_iter().take(MAX_ROWS).collect(),
                hidden,
                hidden_max,
            }
        })
        .collect();
    let labels = |c: &Contribution| (c.component.clone(), c.component_kind.as_str());
    let name_w = panels
        .iter()
        .flat_map(|p| p.rows.iter())
        .map(|c| {
            let (n, k) = labels(c);
            text_width(&n, size::LABEL) + 8 + text_width(k, size::NOTE)
        })
        .max()
        .unwrap_or(60)
        .clamp(80, 300);
    let value_w = panels
        .iter()
        .flat_map(|p| {
            p.rows
                .iter()
                .map(|c| value_text(c, p.service.downtime_hours_per_year.value))
        })
        .map(|t| text_width(&t, size::LABEL))
        .chain([text_width("share [95% CI] · downtime/yr", size::LABEL)])
        .max()
        .unwrap_or(120);
    let x0 = MARGIN + name_w + 16;
    let x_value = WIDTH - MARGIN;
    let x1 = x_value - value_w - GAP - 8;
    // Every hour of each service's downtime to one cause, so the parts add up.
    let sources: Vec<String> = panels
        .iter()
        .map(|p| {
            let parts: Vec<String> = s
                .attribution
                .iter()
                .filter(|a| a.service == p.service.name)
                .map(|a| format!("{} {}", a.cause, hours(a.hours_per_year.value)))
                .collect();
            format!(
                "{}: {}/yr = {}",
                p.service.name,
                hours(p.service.downtime_hours_per_year.value),
                if parts.is_empty() {
                    "none".to_string()
                } else {
                    parts.join(" + ")
                }
            )
        })
        .collect();
    let notes = wrap(
        &[
            &[
            "share: the part of the service's downtime during which the component was down".into(),
            "shares add up to more than 100% when components are down together".into(),
            "downtime/yr: that share of the service's downtime per year".into(),
            "every hour of downtime by cause, adding up (a role's own mechanism first, then failed components and maintenance; two at once: several causes):".into(),
            ][..],
            &sources[..],
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
        "Where downtime comes from: components down during each service's outages".to_string();
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        let y = c.header(&title, &run_line(s));
        let mut x = MARGIN;
        for k in KINDS {
            if panels
                .iter()
                .any(|p| p.rows.iter().any(|r| r.component_kind == k))
            {
                x = c.swatch((x, y + 6), alpha(kind_color(k), 0.85), k.as_str());
            }
        }
        c.line(&[(x, y + 6), (x + 16, y + 6)], solid(palette::TEXT), 2);
        c.text(
            "95% confidence interval",
            (x + 21, y + 6),
            size::LABEL,
            palette::TEXT,
            Anchor::LEFT,
        );
        let mut y = top;
        if panels.is_empty() {
            c.text(
                "no services: contributions are measured for services",
                (MARGIN, y + 12),
                size::LABEL,
                palette::MUTED,
                Anchor::LEFT,
            );
            y += 30;
        }
        for p in &panels {
            draw_panel(&mut c, p, y, (x0, x1, x_value), name_w);
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

fn draw_panel(
    c: &mut Canvas,
    p: &Panel,
    top: i32,
    (x0, x1, x_value): (i32, i32, i32),
    name_w: i32,
) {
    let e = p.service;
    let down = e.downtime_hours_per_year.value;
    let heading = format!("{} · downtime {}/yr", e.name, hours(down));
    let heading = fit(&heading, size::HEADING, x1 - MARGIN);
    c.text(
        &heading,
        (MARGIN, top + 12),
        size::HEADING,
        palette::TEXT,
        Anchor::LEFT,
    );
    c.text(
        "share [95% CI] · downtime/yr",
        (x_value, top + 12),
        size::LABEL,
        palette::MUTED,
        Anchor::RIGHT,
    );
    let y0 = top + 30;
    let n = if p.rows.is_empty() {
        1
    } else {
        p.rows.len() + usize::from(p.hidden > 0)
    };
    let y1 = y0 + ROW_H * n as i32;
    let xs = Scale::new(0.0, 1.0, x0, x1);
    for t in 0..=5 {
        let x = xs.px(t as f64 / 5.0);
        c.line(&[(x, y0), (x, y1)], solid(palette::GRID), 1);
        c.line(&[(x, y1), (x, y1 + 4)], solid(palette::AXIS), 1);
        c.text(
            &format!("{}%", t * 20),
            (x, y1 + 7),
            size::LABEL,
            palette::MUTED,
            Anchor::TOP,
        );
    }
    c.text(
        "share of the service's downtime",
        ((x0 + x1) / 2, y1 + 24),
        size::LABEL,
        palette::MUTED,
        Anchor::TOP,
    );
    if p.rows.is_empty() {
        let msg = if down > 0.0 {
            "no component was down during its outages"
        } else {
            "no downtime seen: nothing to attribute"
        };
        c.text(
            msg,
            (x0 + 8, y0 + ROW_H / 2),
            size::LABEL,
            palette::MUTED,
            Anchor::LEFT,
        );
    }
    for (i, r) in p.rows.iter().enumerate() {
        let y = y0 + ROW_H * i as i32;
        let cy = y + ROW_H / 2;
        if i % 2 == 0 {
            c.rect(
                (MARGIN, y),
                (WIDTH - MARGIN, y + ROW_H),
                alpha(palette::SHADE, 0.9),
            );
        }
        let kind = r.component_kind.as_str();
        let kind_w = text_width(kind, size::NOTE);
        let name = fit(&r.component, size::LABEL, name_w - kind_w - 8);
        c.text(
            &name,
            (MARGIN + 6, cy),
            size::LABEL,
            palette::TEXT,
            Anchor::LEFT,
        );
        c.text(
            kind,
            (x0 - 10, cy),
            size::NOTE,
            palette::MUTED,
            Anchor::RIGHT,
        );
        let est = &r.share_of_downtime;
        let bar = xs.px_clamped(est.value).max(x0 + 1);
        c.rect(
            (x0, cy - 7),
            (bar, cy + 7),
            alpha(kind_color(r.component_kind), 0.85),
        );
        let (a, b) = (
            xs.px_clamped(est.ci95_low.max(0.0)),
            xs.px_clamped(est.ci95_high.min(1.0)),
        );
        if est.ci95_low.is_finite() && est.ci95_high.is_finite() && b > a {
            c.line(&[(a, cy), (b, cy)], solid(palette::TEXT), 1);
            c.line(&[(a, cy - 4), (a, cy + 4)], solid(palette::TEXT), 1);
            c.line(&[(b, cy - 4), (b, cy + 4)], solid(palette::TEXT), 1);
        }
        c.text(
            &value_text(r, down),
            (x_value, cy),
            size::LABEL,
            palette::TEXT,
            Anchor::RIGHT,
        );
    }
    if p.hidden > 0 {
        let cy = y0 + ROW_H * p.rows.len() as i32 + ROW_H / 2;
        c.text(
            &format!(
                "+ {} more components, each at most {}",
                p.hidden,
                share(p.hidden_max)
            ),
            (MARGIN + 6, cy),
            size::LABEL,
            palette::MUTED,
            Anchor::LEFT,
        );
    }
    c.line(&[(x0, y0), (x0, y1)], solid(palette::AXIS), 1);
    c.line(&[(x0, y1), (x1, y1)], solid(palette::AXIS), 1);
}
