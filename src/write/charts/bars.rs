//! Panels of horizontal bars of hours per year with their 95% intervals, one row per item, sorted by
//! the caller: where downtime comes from, and what each component's improvement would save (with a
//! cumulative-share line, a Pareto chart).

use plotters::style::RGBColor;

use super::axis;
use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, palette, share, size, solid, text_width,
};
use crate::base::format::hours;
use crate::base::stats::Estimate;

/// Row height, pixels.
pub const ROW_H: i32 = 24;
const GAP: i32 = 16;

/// One bar.
pub struct Bar {
    /// Row label.
    pub label: String,
    /// What kind of item it is, drawn small beside the label.
    pub tag: String,
    /// Bar colour.
    pub color: RGBColor,
    /// Hours per year.
    pub est: Estimate,
    /// Its share of what the panel measures against, shown after the interval.
    pub share: f64,
}

/// One panel: a heading, its bars, a line for the rows left out.
pub struct Panel {
    /// Heading.
    pub heading: String,
    /// Bars, in the order drawn.
    pub rows: Vec<Bar>,
    /// A line for rows not drawn.
    pub more: Option<String>,
    /// The text when there is no bar.
    pub empty: String,
    /// Cumulative share after each bar (a Pareto line), when drawn.
    pub cumulative: Option<Vec<f64>>,
    /// The axis title.
    pub axis_title: String,
}

impl Panel {
    fn lines(&self) -> usize {
        if self.rows.is_empty() {
            1
        } else {
            self.rows.len() + usize::from(self.more.is_some())
        }
    }

    /// Height, pixels.
    pub fn height(&self) -> i32 {
        let top = if self.cumulative.is_some() { 48 } else { 30 };
        top + ROW_H * self.lines() as i32 + 40 + 18
    }
}

/// The value column's text of a bar: `4.5 h [3.9 h, 5.1 h] · 62%`.
pub fn value_text(b: &Bar) -> String {
    let e = &b.est;
    let bound = |v: f64| {
        if v.is_finite() {
            hours(v.max(0.0))
        } else {
            "n/a".into()
        }
    };
    format!(
        "{} [{}, {}] · {}",
        hours(e.value.max(0.0)),
        bound(e.ci95_low),
        bound(e.ci95_high),
        share(b.share)
    )
}

/// Column widths shared by every panel of a chart: labels, values.
#[derive(Clone, Copy)]
pub struct Columns {
    name_w: i32,
    x0: i32,
    x1: i32,
    x_value: i32,
}

/// The columns that fit every panel's labels and values, the value column headed by `value_head`.
pub fn columns(panels: &[Panel], value_head: &str) -> Columns {
    let name_w = panels
        .iter()
        .flat_map(|p| p.rows.iter())
        .map(|b| text_width(&b.label, size::LABEL) + 8 + text_width(&b.tag, size::NOTE))
        .max()
        .unwrap_or(60)
        .clamp(80, 320);
    let value_w = panels
        .iter()
        .flat_map(|p| p.rows.iter())
        .map(|b| text_width(&value_text(b), size::LABEL))
        .chain([text_width(value_head, size::LABEL)])
        .max()
        .unwrap_or(120);
    let x0 = MARGIN + name_w + 16;
    let x_value = WIDTH - MARGIN;
    Columns {
        name_w,
        x0,
        x1: x_value - value_w - GAP - 8,
        x_value,
    }
}

/// Draws `p` from `top`, the value column headed by `value_head`.
pub fn draw(c: &mut Canvas, p: &Panel, top: i32, cols: Columns, value_head: &str) {
    let Columns {
        name_w,
        x0,
        x1,
        x_value,
    } = cols;
    let heading = fit(&p.heading, size::HEADING, x1 - MARGIN);
    c.text(
        &heading,
        (MARGIN, top + 12),
        size::HEADING,
        palette::TEXT,
        Anchor::LEFT,
    );
    c.text(
        value_head,
        (x_value, top + 12),
        size::LABEL,
        palette::MUTED,
        Anchor::RIGHT,
    );
    let y0 = top + if p.cumulative.is_some() { 48 } else { 30 };
    let y1 = y0 + ROW_H * p.lines() as i32;
    let max = p
        .rows
        .iter()
        .flat_map(|b| [b.est.value, b.est.ci95_high])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let ticks = axis::linear_duration(0.0, if max > 0.0 { max } else { 1.0 });
    let xs = Scale::new(ticks.lo, ticks.hi, x0, x1);
    for (v, label) in &ticks.ticks {
        let x = xs.px(*v);
        c.line(&[(x, y0), (x, y1)], solid(palette::GRID), 1);
        c.line(&[(x, y1), (x, y1 + 4)], solid(palette::AXIS), 1);
        c.text(label, (x, y1 + 7), size::LABEL, palette::MUTED, Anchor::TOP);
    }
    c.text(
        &p.axis_title,
        ((x0 + x1) / 2, y1 + 24),
        size::LABEL,
        palette::MUTED,
        Anchor::TOP,
    );
    if p.rows.is_empty() {
        c.text(
            &p.empty,
            (x0 + 8, y0 + ROW_H / 2),
            size::LABEL,
            palette::MUTED,
            Anchor::LEFT,
        );
    }
    for (i, b) in p.rows.iter().enumerate() {
        let y = y0 + ROW_H * i as i32;
        let cy = y + ROW_H / 2;
        if i % 2 == 0 {
            c.rect(
                (MARGIN, y),
                (WIDTH - MARGIN, y + ROW_H),
                alpha(palette::SHADE, 0.9),
            );
        }
        let tag_w = text_width(&b.tag, size::NOTE);
        let name = fit(&b.label, size::LABEL, name_w - tag_w - 8);
        c.text(
            &name,
            (MARGIN + 6, cy),
            size::LABEL,
            palette::TEXT,
            Anchor::LEFT,
        );
        c.text(
            &b.tag,
            (x0 - 10, cy),
            size::NOTE,
            palette::MUTED,
            Anchor::RIGHT,
        );
        let e = &b.est;
        let bar = xs.px_clamped(e.value.max(0.0)).max(x0 + 1);
        c.rect((x0, cy - 7), (bar, cy + 7), alpha(b.color, 0.85));
        if e.ci95_low.is_finite() && e.ci95_high.is_finite() {
            let (a, z) = (
                xs.px_clamped(e.ci95_low.max(0.0)),
                xs.px_clamped(e.ci95_high),
            );
            if z > a {
                c.line(&[(a, cy), (z, cy)], solid(palette::TEXT), 1);
                c.line(&[(a, cy - 4), (a, cy + 4)], solid(palette::TEXT), 1);
                c.line(&[(z, cy - 4), (z, cy + 4)], solid(palette::TEXT), 1);
            }
        }
        c.text(
            &value_text(b),
            (x_value, cy),
            size::LABEL,
            palette::TEXT,
            Anchor::RIGHT,
        );
    }
    if let Some(more) = &p.more {
        let cy = y0 + ROW_H * p.rows.len() as i32 + ROW_H / 2;
        c.text(
            more,
            (MARGIN + 6, cy),
            size::LABEL,
            palette::MUTED,
            Anchor::LEFT,
        );
    }
    if let Some(cum) = &p.cumulative
        && !p.rows.is_empty()
    {
        // The cumulative share on its own axis along the top of the bars, 0% to 100%.
        let cs = Scale::new(0.0, 1.0, x0, x1);
        let ya = y0 - 6;
        c.line(&[(x0, ya), (x1, ya)], solid(palette::VERMILLION), 1);
        for t in 0..=4 {
            let x = cs.px(t as f64 / 4.0);
            c.line(&[(x, ya - 4), (x, ya)], solid(palette::VERMILLION), 1);
            c.text(
                &format!("{}%", t * 25),
                (x, ya - 5),
                size::NOTE,
                palette::MUTED,
                Anchor::BOTTOM,
            );
        }
        let points: Vec<(i32, i32)> = cum
            .iter()
            .enumerate()
            .map(|(i, v)| (cs.px_clamped(*v), y0 + ROW_H * i as i32 + ROW_H / 2))
            .collect();
        c.line(&points, solid(palette::VERMILLION), 2);
        for &pt in &points {
            c.dot(pt, 3, solid(palette::VERMILLION));
        }
    }
    c.line(&[(x0, y0), (x0, y1)], solid(palette::AXIS), 1);
    c.line(&[(x0, y1), (x1, y1)], solid(palette::AXIS), 1);
}
