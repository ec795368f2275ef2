//! Client latency: P50, P90, P99 and P99.9 of successful requests per request kind, on a log scale,
//! with their (conservative) 95% confidence intervals, and the values in a table under the plot (value
//! labels beside the markers stacked on each other and crossed the lines).

use plotters::style::RGBColor;

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, latency, palette, run_line, size, solid, wrap,
};
use super::{Chart, ChartError, axis, capped, caps, finish_svg};
use crate::base::stats::Estimate;
use crate::estimate::summary::{RequestSummary, Summary};

const LEFT: i32 = 92;
const RIGHT: i32 = 40;
const PLOT_H: i32 = 340;
const PERCENTILES: [&str; 4] = ["P50", "P90", "P99", "P99.9"];

fn points(r: &RequestSummary) -> [Estimate; 4] {
    [
        r.latency_p50_hours,
        r.latency_p90_hours,
        r.latency_p99_hours,
        r.latency_p999_hours,
    ]
}

fn legend_text(r: &RequestSummary) -> String {
    let mut t = format!("{} → {}", r.name, r.target);
    if let Some(f) = &r.fallback {
        t += &format!(" (fallback {f})");
    }
    if !r.latency_p50_hours.value.is_finite() {
        t += " (no successful request)";
    }
    t
}

/// Marker shapes, so that series differ by more than colour.
fn marker(c: &mut Canvas, i: usize, (x, y): (i32, i32), color: RGBColor) {
    let col = solid(color);
    match i % 4 {
        0 => c.dot((x, y), 5, col),
        1 => c.rect((x - 5, y - 5), (x + 5, y + 5), col),
        2 => c.diamond((x, y), 6, col),
        _ => c.polygon(&[(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)], col),
    }
}

/// The chart (only for scenarios with clients).
pub fn chart(s: &Summary) -> Result<Chart, ChartError> {
    let (s, more) = capped(s, usize::MAX, usize::MAX, caps::REQUESTS);
    let s = &*s;
    let reqs = &s.requests;
    let seconds = |h: f64| h * 3600.0;
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for r in reqs {
        for e in points(r) {
            for v in [e.value, e.ci95_low, e.ci95_high] {
                let v = seconds(v);
                if v.is_finite() && v > 0.0 {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.01, 1.0);
    }
    // One unit for the whole axis (the one the top reads best in), whole decades of it at the ends.
    let unit = axis::log_duration(lo / 3600.0, hi / 3600.0)
        .unit
        .expect("a duration axis");
    let in_unit = |s: f64| s / 3600.0 / unit.hours;
    let lo_exp = in_unit(lo).log10().floor() as i32;
    let mut hi_exp = in_unit(hi).log10().ceil() as i32;
    if hi_exp <= lo_exp {
        hi_exp = lo_exp + 1;
    }
    let decade = |e: i32| 10f64.powi(e) * unit.hours;
    let ticks = axis::log_duration(decade(lo_exp), decade(hi_exp));
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    let table = Table::new(reqs, x1);
    let notes = wrap(
        &[
            &[
                "latency of successful requests: retries, timeouts and backoff included".into(),
                "bars: 95% confidence intervals (conservative); the table gives the values".into(),
            ][..],
            &more[..],
        ]
        .concat(),
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let plot_top = 72 + 16;
    let y1 = plot_top + PLOT_H;
    let table_top = y1 + 58;
    let height = table_top + table.height() + 8 + 16 * notes.len() as i32 + 12;
    let title = "Client latency percentiles per request kind".to_string();
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        c.header(&title, &run_line(s));
        let ys = Scale::new(lo_exp as f64, hi_exp as f64, y1, plot_top);
        let y_of = |seconds: f64| ys.px(in_unit(seconds).log10());
        for (t, label) in &ticks.ticks {
            let y = y_of(t * 3600.0);
            let whole = ((t / unit.hours).log10().fract()).abs() < 1e-9
                || (1.0 - (t / unit.hours).log10().fract().abs()) < 1e-9;
            let grid = if whole { palette::GRID } else { palette::SHADE };
            c.line(&[(x0, y), (x1, y)], solid(grid), 1);
            c.line(&[(x0 - 4, y), (x0, y)], solid(palette::AXIS), 1);
            c.text(
                label,
                (x0 - 7, y),
                size::LABEL,
                palette::MUTED,
                Anchor::RIGHT,
            );
        }
        c.text_up(
            &format!("latency ({}, log scale)", unit.long),
            (MARGIN + 6, (plot_top + y1) / 2),
            size::AXIS,
            palette::MUTED,
        );
        let slot = (x1 - x0) / PERCENTILES.len() as i32;
        let cat_x = |k: usize| x0 + slot * k as i32 + slot / 2;
        for (k, p) in PERCENTILES.iter().enumerate() {
            c.text(
                p,
                (cat_x(k), y1 + 8),
                size::AXIS,
                palette::MUTED,
                Anchor::TOP,
            );
        }
        c.text(
            "percentile of successful requests",
            ((x0 + x1) / 2, y1 + 28),
            size::AXIS,
            palette::MUTED,
            Anchor::TOP,
        );
        c.line(
            &[(x0, plot_top), (x0, y1), (x1, y1)],
            solid(palette::AXIS),
            1,
        );
        let n = reqs.len().max(1) as i32;
        let dodge = (slot / (2 * n + 2)).clamp(4, 14);
        let offset = |i: usize| (2 * i as i32 - (n - 1)) * dodge / 2;
        for (i, r) in reqs.iter().enumerate() {
            let color = palette::SERIES[i % palette::SERIES.len()];
            let pts = points(r);
            let line: Vec<(i32, i32)> = pts
                .iter()
                .enumerate()
                .filter(|(_, e)| e.value.is_finite() && e.value > 0.0)
                .map(|(k, e)| (cat_x(k) + offset(i), y_of(seconds(e.value))))
                .collect();
            if line.len() > 1 {
                c.line(&line, alpha(color, 0.75), 2);
            }
            for (k, e) in pts.iter().enumerate() {
                if !(e.value.is_finite() && e.value > 0.0) {
                    continue;
                }
                let x = cat_x(k) + offset(i);
                let y = y_of(seconds(e.value));
                let clamp = |v: f64| {
                    if v.is_finite() && v > 0.0 {
                        y_of(seconds(v)).clamp(plot_top, y1)
                    } else {
                        y
                    }
                };
                let (a, b) = (clamp(e.ci95_low), clamp(e.ci95_high));
                if (a - b).abs() > 2 {
                    c.line(&[(x, a), (x, b)], solid(color), 1);
                    c.line(&[(x - 4, a), (x + 4, a)], solid(color), 1);
                    c.line(&[(x - 4, b), (x + 4, b)], solid(color), 1);
                }
                marker(&mut c, i, (x, y), color);
            }
        }
        table.draw(&mut c, table_top);
        let ny = table_top + table.height() + 8;
        c.notes(&notes, (MARGIN, ny));
        c.finish()?;
    }
    Ok(Chart {
        name: "client-latency".into(),
        title,
        svg: finish_svg(svg),
    })
}

/// Height of a row of the table under the plot, pixels.
const ROW: i32 = 20;
/// Width of a value column of the table, pixels.
const VALUE_W: i32 = 96;

/// The table under the plot: a row per request kind (its marker, name and target, then its value at
/// each percentile), right-aligned value columns ending at the plot's right edge.
struct Table {
    /// Right edge of each value column.
    columns: [i32; 4],
    /// Each row's name (fitted to the space left of the values) and percentiles.
    rows: Vec<(String, [Estimate; 4])>,
}

impl Table {
    fn new(reqs: &[RequestSummary], right: i32) -> Self {
        Table::of(
            reqs.iter().map(|r| (legend_text(r), points(r))).collect(),
            right,
        )
    }

    fn of(rows: Vec<(String, [Estimate; 4])>, right: i32) -> Self {
        let columns = std::array::from_fn(|k| right - (3 - k as i32) * VALUE_W);
        let name_w = columns[0] - VALUE_W + 16 - (MARGIN + 24);
        let rows = rows
            .into_iter()
            .map(|(name, p)| (fit(&name, size::LABEL, name_w), p))
            .collect();
        Table { columns, rows }
    }

    fn height(&self) -> i32 {
        ROW * (1 + self.rows.len() as i32)
    }

    /// Every cell: (text, anchor point, right-aligned), the header first.
    fn cells(&self, top: i32) -> Vec<(String, (i32, i32), bool)> {
        let mut out = vec![(
            "request kind → target".to_string(),
            (MARGIN + 24, top),
            false,
        )];
        for (k, p) in PERCENTILES.iter().enumerate() {
            out.push((p.to_string(), (self.columns[k], top), true));
        }
        for (i, (name, points)) in self.rows.iter().enumerate() {
            let y = top + ROW * (i as i32 + 1);
            out.push((name.clone(), (MARGIN + 24, y), false));
            for (k, e) in points.iter().enumerate() {
                let v = if e.value.is_finite() && e.value > 0.0 {
                    latency(e.value)
                } else {
                    "—".into()
                };
                out.push((v, (self.columns[k], y), true));
            }
        }
        out
    }

    fn draw(&self, c: &mut Canvas, top: i32) {
        for i in 0..self.rows.len() {
            let y = top + ROW * (i as i32 + 1);
            if i % 2 == 0 {
                c.rect(
                    (MARGIN, y - ROW / 2),
                    (self.columns[3] + 6, y + ROW / 2),
                    solid(palette::SHADE),
                );
            }
            let color = palette::SERIES[i % palette::SERIES.len()];
            c.line(&[(MARGIN + 2, y), (MARGIN + 18, y)], solid(color), 2);
            marker(c, i, (MARGIN + 10, y), color);
        }
        for (text, at, right) in self.cells(top) {
            let header = at.1 == top;
            let (color, anchor) = match (header, right) {
                (true, true) => (palette::MUTED, Anchor::RIGHT),
                (true, false) => (palette::MUTED, Anchor::LEFT),
                (false, true) => (palette::TEXT, Anchor::RIGHT),
                (false, false) => (palette::TEXT, Anchor::LEFT),
            };
            c.text(&text, at, size::LABEL, color, anchor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::charts::layout::{Rect, overlap, text_box};

    fn row(name: &str, p50: f64, p999: f64) -> (String, [Estimate; 4]) {
        let e = |v: f64| Estimate {
            value: v,
            ci95_low: v * 0.9,
            ci95_high: v * 1.1,
            n: 100,
        };
        (
            format!("{name} → a_service_with_a_long_name"),
            [e(p50), e(p50 * 2.0), e(p999 / 2.0), e(p999)],
        )
    }

    /// The values the chart shows are in a table, and no two of its texts overlap, whatever the
    /// names' lengths and however close the values (they stacked on each other beside the markers).
    #[test]
    fn the_latency_table_has_no_overlapping_text() {
        let long = "x".repeat(200);
        let rows: Vec<(String, [Estimate; 4])> = (0..12)
            .map(|i| {
                row(
                    &format!("client_group_{i}.{}", if i == 3 { &long } else { "query" }),
                    0.001 / 3600.0,
                    // Equal values in every row: the labels stacked here before.
                    60.0 / 3600.0 + i as f64 * 1e-9,
                )
            })
            .collect();
        let t = Table::of(rows, WIDTH - RIGHT);
        let boxes: Vec<Rect> = t
            .cells(500)
            .iter()
            .map(|(text, (x, y), right)| {
                let align = if *right {
                    crate::write::charts::layout::Align::End
                } else {
                    crate::write::charts::layout::Align::Start
                };
                text_box(text, size::LABEL, (*x as f64, *y as f64 + 3.2), align)
            })
            .collect();
        assert_eq!(boxes.len(), 5 * 13);
        assert_eq!(overlap(&boxes), None, "{boxes:?}");
        assert!(
            boxes
                .iter()
                .all(|b| b.x0 >= MARGIN && b.x1 <= WIDTH - MARGIN)
        );
    }
}
