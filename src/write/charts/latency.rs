//! Client latency: P50, P90, P99 and P99.9 of successful requests per request kind, on a log scale,
//! with their (conservative) 95% confidence intervals.

use plotters::style::RGBColor;

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, latency, palette, run_line, size, solid,
    text_width, wrap,
};
use super::{Chart, ChartError, capped, caps, finish_svg};
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

fn ticks(lo_exp: i32, hi_exp: i32) -> Vec<f64> {
    let decades = hi_exp - lo_exp;
    let mults: &[f64] = if decades <= 2 {
        &[1.0, 2.0, 5.0]
    } else if decades <= 4 {
        &[1.0, 3.0]
    } else {
        &[1.0]
    };
    let mut out = Vec::new();
    for e in lo_exp..=hi_exp {
        for m in mults {
            let v = m * 10f64.powi(e);
            if v <= 10f64.powi(hi_exp) * 1.0001 {
                out.push(v);
            }
        }
    }
    out
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
    let lo_exp = lo.log10().floor() as i32;
    let mut hi_exp = hi.log10().ceil() as i32;
    if hi_exp <= lo_exp {
        hi_exp = lo_exp + 1;
    }
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    let legend: Vec<String> = reqs.iter().map(legend_text).collect();
    // Legend entries flow in rows under the plot.
    let mut legend_rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut x = x0;
    for (i, t) in legend.iter().enumerate() {
        let w = 20 + text_width(t, size::LABEL).min(x1 - x0 - 20) + 22;
        if x + w > x1 && !legend_rows.last().is_some_and(|r| r.is_empty()) {
            legend_rows.push(Vec::new());
            x = x0;
        }
        legend_rows.last_mut().expect("a row").push((i, x));
        x += w;
    }
    let notes = wrap(
        &[
            &[
                "latency of successful requests: retries, timeouts and backoff included".into(),
                "bars: 95% confidence intervals (conservative)".into(),
            ][..],
            &more[..],
        ]
        .concat(),
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let plot_top = 72 + 16;
    let y1 = plot_top + PLOT_H;
    let legend_top = y1 + 52;
    let height = legend_top + 20 * legend_rows.len() as i32 + 8 + 16 * notes.len() as i32 + 12;
    let title = "Client latency percentiles per request kind".to_string();
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        c.header(&title, &run_line(s));
        let ys = Scale::new(lo_exp as f64, hi_exp as f64, y1, plot_top);
        let y_of = |v: f64| ys.px(v.log10());
        for t in ticks(lo_exp, hi_exp) {
            let y = y_of(t);
            let decade = (t.log10() - t.log10().round()).abs() < 1e-9;
            let grid = if decade {
                palette::GRID
            } else {
                palette::SHADE
            };
            c.line(&[(x0, y), (x1, y)], solid(grid), 1);
            c.line(&[(x0 - 4, y), (x0, y)], solid(palette::AXIS), 1);
            c.text(
                &latency(t / 3600.0),
                (x0 - 7, y),
                size::LABEL,
                palette::MUTED,
                Anchor::RIGHT,
            );
        }
        c.text_up(
            "latency (log scale)",
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
        let mut labels: Vec<Vec<(i32, String, RGBColor)>> = vec![Vec::new(); PERCENTILES.len()];
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
                c.line(&line, alpha(color, 0.55), 2);
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
                labels[k].push((y, latency(e.value), color));
            }
        }
        // Value labels right of each category's markers, pushed apart vertically.
        for (k, ls) in labels.iter_mut().enumerate() {
            ls.sort_by_key(|l| l.0);
            // Equal values of several series get one label, in the text colour.
            let mut merged: Vec<(i32, String, RGBColor)> = Vec::new();
            for (y, text, color) in ls.drain(..) {
                match merged.last_mut() {
                    Some(m) if m.1 == text && (m.0 - y).abs() <= 4 => m.2 = palette::TEXT,
                    _ => merged.push((y, text, color)),
                }
            }
            let mut last = i32::MIN;
            let lx = cat_x(k) + offset(reqs.len().saturating_sub(1)) + 12;
            for (y, text, color) in &merged {
                let y = (*y + 4).max(last + 15);
                last = y;
                let w = text_width(text, size::LABEL);
                c.rect(
                    (lx - 3, y - 8),
                    (lx + w + 1, y + 8),
                    alpha(palette::WHITE, 0.85),
                );
                c.text(text, (lx, y), size::LABEL, *color, Anchor::LEFT);
            }
        }
        for row in legend_rows.iter().enumerate() {
            let (ri, entries) = row;
            let y = legend_top + 20 * ri as i32;
            for &(i, x) in entries {
                let color = palette::SERIES[i % palette::SERIES.len()];
                c.line(&[(x, y), (x + 16, y)], solid(color), 2);
                marker(&mut c, i, (x + 8, y), color);
                let t = fit(&legend[i], size::LABEL, x1 - x - 20);
                c.text(&t, (x + 22, y), size::LABEL, palette::TEXT, Anchor::LEFT);
            }
        }
        let ny = legend_top + 20 * legend_rows.len() as i32 + 8;
        c.notes(&notes, (MARGIN, ny));
        c.finish()?;
    }
    Ok(Chart {
        name: "client-latency".into(),
        title,
        svg: finish_svg(svg),
    })
}
