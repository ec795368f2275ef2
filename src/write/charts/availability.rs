//! Availability of every service and role with its 95% confidence interval, on a "nines" axis: a log
//! scale of unavailability, so that each step to the right is ten times less downtime.

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, palette, run_line, size, solid, text_width,
    wrap,
};
use super::{Chart, ChartError, axis, capped, caps, finish_svg};
use crate::base::format::{hours, percent, sig3};
use crate::base::units::HOURS_PER_YEAR;
use crate::estimate::summary::{EntitySummary, Summary, nines_of};
use crate::model::EntityKind;

const ROW_H: i32 = 26;
const GROUP_H: i32 = 24;
const GAP: i32 = 16;

/// The value column: availability and its interval.
fn value_text(e: &EntitySummary) -> String {
    let u = e.unavailability.value;
    if u <= 0.0 {
        return "100% (no downtime seen)".into();
    }
    let a = &e.availability;
    format!(
        "{} [{}, {}]",
        percent(a.value, u),
        percent(a.ci95_low, u),
        percent(a.ci95_high, u)
    )
}

fn downtime_text(e: &EntitySummary) -> String {
    format!("{}/yr", hours(e.downtime_hours_per_year.value))
}

/// The chart.
pub fn chart(s: &Summary) -> Result<Chart, ChartError> {
    let (s, more) = capped(s, caps::AVAILABILITY, caps::AVAILABILITY, usize::MAX);
    let s = &*s;
    let groups: Vec<(&str, Vec<&EntitySummary>)> = [
        ("services", EntityKind::Service),
        ("roles", EntityKind::Role),
    ]
    .into_iter()
    .map(|(label, kind)| {
        (
            label,
            s.entities
                .iter()
                .filter(|e| e.kind == kind)
                .collect::<Vec<_>>(),
        )
    })
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let all: Vec<&EntitySummary> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
    // Columns.
    let name_w = all
        .iter()
        .map(|e| text_width(&e.name, size::LABEL))
        .max()
        .unwrap_or(40)
        .clamp(60, 240);
    let value_w = all
        .iter()
        .map(|e| text_width(&value_text(e), size::LABEL))
        .chain([text_width("availability [95% CI]", size::LABEL)])
        .max()
        .unwrap_or(100);
    let down_w = all
        .iter()
        .map(|e| text_width(&downtime_text(e), size::LABEL))
        .chain([text_width("downtime", size::LABEL)])
        .max()
        .unwrap_or(60);
    let x0 = MARGIN + name_w + 16;
    let x_down = WIDTH - MARGIN;
    let x_value = x_down - down_w - GAP;
    let x1 = x_value - value_w - GAP - 10;
    // Domain in nines.
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for e in &all {
        for v in [e.nines.value, e.nines.ci95_low, e.nines.ci95_high] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if let Some(t) = e.target {
            let n = nines_of(1.0 - t);
            if n.is_finite() {
                lo = lo.min(n);
                hi = hi.max(n);
            }
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (2.0, 5.0);
    }
    let mut lo = (lo - 0.15).floor().max(0.0);
    let mut hi = (hi + 0.15).ceil();
    if hi - lo < 2.0 {
        hi = lo + 2.0;
    }
    if hi - lo > 12.0 {
        lo = hi - 12.0;
    }
    let notes = wrap(
        &[
            &[
            "availability: share of the mission the service or role was up, mean over replications"
                .to_string(),
            "bars: 95% confidence intervals".to_string(),
            "scale: each step to the right is ten times less downtime".to_string(),
            ][..],
            &more[..],
        ]
        .concat(),
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let rows_h: i32 = groups
        .iter()
        .map(|g| GROUP_H + ROW_H * g.1.len() as i32)
        .sum();
    let plot_top = 72 + 26 + 44;
    let height = plot_top + rows_h + 70 + 16 * notes.len() as i32 + 16;
    let title = "Availability with 95% confidence intervals".to_string();
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        let top = c.header(&title, &run_line(s));
        let ly = top + 6;
        let mut x = MARGIN;
        for (g, color) in [("services", palette::BLUE), ("roles", palette::GREEN)] {
            if groups.iter().any(|(l, _)| *l == g) {
                let label = format!("{} (bar: 95% CI)", g.trim_end_matches('s'));
                c.line(&[(x, ly), (x + 16, ly)], solid(color), 2);
                c.dot((x + 8, ly), 5, solid(color));
                c.text(
                    &label,
                    (x + 21, ly),
                    size::LABEL,
                    palette::TEXT,
                    Anchor::LEFT,
                );
                x += 21 + text_width(&label, size::LABEL) + 18;
            }
        }
        if all.iter().any(|e| e.target.is_some()) {
            c.diamond((x + 6, ly), 6, solid(palette::VERMILLION));
            c.text(
                "target",
                (x + 17, ly),
                size::LABEL,
                palette::TEXT,
                Anchor::LEFT,
            );
        }
        let y_end = plot_top + rows_h;
        let xs = Scale::new(lo, hi, x0, x1);
        // Grid: whole nines, and 2× / 5× less downtime between them.
        let mut k = lo;
        while k <= hi + 1e-9 {
            let x = xs.px(k);
            c.line(&[(x, plot_top), (x, y_end)], solid(palette::GRID), 1);
            for minor in [1.0 - 5f64.log10(), 1.0 - 2f64.log10()] {
                if k + minor < hi {
                    let xm = xs.px(k + minor);
                    c.line(&[(xm, plot_top), (xm, y_end)], alpha(palette::GRID, 0.6), 1);
                }
            }
            let nines = match k as i64 {
                1 => "1 nine".to_string(),
                k => format!("{k} nines"),
            };
            c.text(
                &nines,
                (x, y_end + 22),
                size::NOTE,
                palette::MUTED,
                Anchor::TOP,
            );
            k += 1.0;
        }
        // Labelled ticks (at least four), and above them the downtime each stands for, in one unit
        // for the whole top axis (days, hours and minutes were mixed).
        // The unit of the axis' middle: values a decade or two either side still read well.
        let unit = axis::unit_for(10f64.powf(-(lo + hi) / 2.0) * HOURS_PER_YEAR);
        for (k, label) in axis::nines(lo, hi, (x1 - x0) as f64, 90.0) {
            let x = xs.px(k);
            c.line(&[(x, y_end), (x, y_end + 4)], solid(palette::AXIS), 1);
            c.text(
                &label,
                (x, y_end + 7),
                size::LABEL,
                palette::MUTED,
                Anchor::TOP,
            );
            let down = 10f64.powf(-k) * HOURS_PER_YEAR / unit.hours;
            c.line(&[(x, plot_top - 4), (x, plot_top)], solid(palette::AXIS), 1);
            c.text(
                &format!("{} {}", sig3(down), unit.short),
                (x, plot_top - 7),
                size::LABEL,
                palette::MUTED,
                Anchor::BOTTOM,
            );
        }
        c.text(
            "downtime per year at that availability",
            ((x0 + x1) / 2, plot_top - 24),
            size::AXIS,
            palette::MUTED,
            Anchor::BOTTOM,
        );
        c.text(
            "availability (log scale of unavailability)",
            ((x0 + x1) / 2, y_end + 42),
            size::AXIS,
            palette::MUTED,
            Anchor::TOP,
        );
        c.line(&[(x0, y_end), (x1, y_end)], solid(palette::AXIS), 1);
        c.line(&[(x0, plot_top), (x1, plot_top)], solid(palette::AXIS), 1);
        // Column headings.
        c.text(
            "availability [95% CI]",
            (x_value, plot_top - 7),
            size::LABEL,
            palette::MUTED,
            Anchor::BOTTOM_RIGHT,
        );
        c.text(
            "downtime",
            (x_down, plot_top - 7),
            size::LABEL,
            palette::MUTED,
            Anchor::BOTTOM_RIGHT,
        );
        let mut y = plot_top;
        for (label, entities) in &groups {
            c.text(
                label,
                (MARGIN, y + GROUP_H / 2 + 2),
                size::LABEL,
                palette::MUTED,
                Anchor::LEFT,
            );
            y += GROUP_H;
            let color = if *label == "services" {
                palette::BLUE
            } else {
                palette::GREEN
            };
            for (i, e) in entities.iter().enumerate() {
                if i % 2 == 0 {
                    c.rect(
                        (MARGIN, y),
                        (WIDTH - MARGIN, y + ROW_H),
                        solid(palette::SHADE),
                    );
                }
                let cy = y + ROW_H / 2;
                let name = fit(&e.name, size::LABEL, name_w);
                c.text(
                    &name,
                    (MARGIN + 8, cy),
                    size::LABEL,
                    palette::TEXT,
                    Anchor::LEFT,
                );
                draw_row(&mut c, e, &xs, (x0, x1), cy, color);
                c.text(
                    &value_text(e),
                    (x_value, cy),
                    size::LABEL,
                    palette::TEXT,
                    Anchor::RIGHT,
                );
                c.text(
                    &downtime_text(e),
                    (x_down, cy),
                    size::LABEL,
                    palette::TEXT,
                    Anchor::RIGHT,
                );
                y += ROW_H;
            }
        }
        c.notes(&notes, (MARGIN, y_end + 70));
        c.finish()?;
    }
    Ok(Chart {
        name: "availability".into(),
        title,
        svg: finish_svg(svg),
    })
}

/// One entity's interval, point and target on row centre `cy`.
fn draw_row(
    c: &mut Canvas,
    e: &EntitySummary,
    xs: &Scale,
    (x0, x1): (i32, i32),
    cy: i32,
    color: plotters::style::RGBColor,
) {
    let at = |v: f64| {
        if v.is_finite() {
            xs.px_clamped(v)
        } else if v > 0.0 {
            x1
        } else {
            x0
        }
    };
    let n = &e.nines;
    if n.value.is_infinite() {
        // No downtime at all: an arrow at the right end.
        c.polygon(
            &[(x1 - 12, cy - 6), (x1, cy), (x1 - 12, cy + 6)],
            solid(palette::MUTED),
        );
    } else {
        let (a, b) = (at(n.ci95_low), at(n.ci95_high));
        c.line(&[(a, cy), (b, cy)], solid(color), 2);
        c.line(&[(a, cy - 5), (a, cy + 5)], solid(color), 2);
        if n.ci95_high.is_finite() {
            c.line(&[(b, cy - 5), (b, cy + 5)], solid(color), 2);
        } else {
            c.polygon(&[(b - 8, cy - 5), (b, cy), (b - 8, cy + 5)], solid(color));
        }
        c.dot((at(n.value), cy), 5, solid(color));
    }
    if let Some(t) = e.target {
        let k = nines_of(1.0 - t);
        c.diamond((at(k), cy), 6, alpha(palette::VERMILLION, 0.9));
    }
}
