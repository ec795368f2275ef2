//! Charts of comparisons and sweeps: availability of each layout side by side (grouped bars with 95%
//! intervals on a nines axis), availability and client latency against a swept parameter (curves with
//! interval bands), and yearly cost against availability with the cheapest layouts that do best.

use plotters::style::RGBColor;

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, count, fit, latency, nice_ticks, num, palette,
    size, solid, text_width, wrap,
};
use super::{Chart, ChartError, finish_svg};
use crate::analyses::compare::Comparison;
use crate::analyses::sweep::{Meets, Sweep};
use crate::base::format::money;
use crate::base::format::{hours, percent};
use crate::base::stats::Estimate;
use crate::base::units::{HOURS_PER_YEAR, format_duration};
use crate::estimate::summary::nines_of;

/// Every chart name [`render`] can produce, in order.
pub const NAMES: [&str; 4] = [
    "compare-availability",
    "sweep-availability",
    "sweep-latency",
    "cost-availability",
];

/// Most layouts drawn side by side in the availability chart (a larger sweep shows its curves).
const MAX_SIDE_BY_SIDE: usize = 12;

/// Draws the charts that apply: side-by-side availability (up to 12 layouts), the sweep curves (for a
/// sweep), and cost against availability (when every layout has a cost).
pub fn render(c: &Comparison, sweep: Option<&Sweep>) -> Result<Vec<Chart>, ChartError> {
    let mut out = Vec::new();
    if c.layouts.len() <= MAX_SIDE_BY_SIDE {
        out.push(side_by_side(c)?);
    }
    if let Some(s) = sweep {
        out.push(sweep_availability(c, s)?);
        if s.rows.iter().any(|r| r.latency_p99_hours.is_some()) {
            out.push(sweep_latency(c, s)?);
        }
    }
    if c.layouts.iter().all(|l| l.yearly_cost.is_some()) {
        out.push(cost_availability(c, sweep)?);
    }
    Ok(out)
}

/// The line under every title.
fn run_line(c: &Comparison) -> String {
    format!(
        "{} layouts · {} replications each · mission {} · seed {} · common random numbers · nines {}",
        c.layouts.len(),
        count(c.replications),
        format_duration(c.mission_hours),
        c.seed,
        env!("CARGO_PKG_VERSION")
    )
}

/// Nines of an availability estimate (value, low, high), with +∞ for no downtime.
fn nines(a: &Estimate) -> (f64, f64, f64) {
    (
        nines_of(1.0 - a.value),
        nines_of(1.0 - a.ci95_low),
        nines_of(1.0 - a.ci95_high),
    )
}

/// The availability a number of nines stands for, e.g. 3 → `99.9%`.
fn nines_percent(k: f64) -> String {
    if k <= 0.0 {
        return "0%".into();
    }
    let a = 1.0 - 10f64.powf(-k);
    let decimals = (k.ceil() as usize).saturating_sub(2);
    format!("{:.*}%", decimals, a * 100.0)
}

/// A nines axis covering every finite value (and targets), in whole nines, 2 to 12 wide.
fn nines_domain(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (2.0, 5.0);
    }
    let lo = (lo - 0.15).floor().max(0.0);
    let mut hi = (hi + 0.15).ceil();
    if hi - lo < 2.0 {
        hi = lo + 2.0;
    }
    (lo.max(hi - 12.0), hi)
}

fn layout_color(i: usize) -> RGBColor {
    palette::SERIES[i % palette::SERIES.len()]
}

const ROW_H: i32 = 24;
const GROUP_H: i32 = 26;

/// Availability of every service, one bar per layout, grouped by service.
fn side_by_side(c: &Comparison) -> Result<Chart, ChartError> {
    let rows: Vec<&crate::analyses::compare::Row> = c
        .rows
        .iter()
        .filter(|r| r.measure == "availability")
        .collect();
    let n = c.layouts.len();
    let targets: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            c.layouts.iter().find_map(|l| {
                l.summary
                    .entities
                    .iter()
                    .find(|e| e.name == r.scope && e.kind == crate::model::EntityKind::Service)
                    .and_then(|e| e.target)
            })
        })
        .collect();
    let all_nines = rows
        .iter()
        .flat_map(|r| r.cells.iter().flatten())
        .flat_map(|cell| {
            let (v, a, b) = nines(&cell.value);
            [v, a, b]
        })
        .chain(targets.iter().flatten().map(|t| nines_of(1.0 - t)));
    let (lo, hi) = nines_domain(all_nines);
    let label = |cell: &crate::analyses::compare::Cell| {
        let a = cell.value.value;
        let mut s = format!(
            "{} · {}/yr",
            percent(a, 1.0 - a),
            hours((1.0 - a) * HOURS_PER_YEAR)
        );
        if let Some(d) = &cell.diff {
            s.push_str(if d.significant {
                if d.value.value > 0.0 {
                    " · better"
                } else {
                    " · worse"
                }
            } else {
                " · no significant difference"
            });
        }
        s
    };
    let value_w = rows
        .iter()
        .flat_map(|r| r.cells.iter().flatten())
        .map(|cell| text_width(&label(cell), size::LABEL))
        .max()
        .unwrap_or(120);
    let name_w = c
        .layouts
        .iter()
        .map(|l| text_width(&l.name, size::LABEL))
        .max()
        .unwrap_or(60)
        .clamp(60, 260);
    let x0 = MARGIN + name_w + 24;
    let x1 = WIDTH - MARGIN - value_w - 16;
    let notes = wrap(
        &[
            "bar: availability of each layout (mean over replications); whisker: its 95% confidence interval".to_string(),
            format!(
                "better / worse: the paired difference to {} (common random numbers) is significant at 95%",
                c.layouts[0].name
            ),
            "scale: each step to the right is ten times less downtime".to_string(),
        ],
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let plot_top = 72 + 30 + 40;
    let body: i32 = rows.len() as i32 * (GROUP_H + ROW_H * n as i32 + 8);
    let height = plot_top + body + 66 + 16 * notes.len() as i32 + 12;
    let title = "Availability of each layout, with 95% confidence intervals".to_string();
    let mut svg = String::new();
    {
        let mut cv = Canvas::new(&mut svg, WIDTH, height);
        let top = cv.header(&title, &run_line(c));
        let mut x = MARGIN;
        for (i, l) in c.layouts.iter().enumerate() {
            let name = fit(&l.name, size::LABEL, 220);
            x = cv.swatch((x, top + 8), solid(layout_color(i)), &name);
        }
        if targets.iter().any(|t| t.is_some()) {
            cv.diamond((x + 6, top + 8), 6, solid(palette::VERMILLION));
            cv.text(
                "target",
                (x + 17, top + 8),
                size::LABEL,
                palette::TEXT,
                Anchor::LEFT,
            );
        }
        let y_end = plot_top + body;
        let xs = Scale::new(lo, hi, x0, x1);
        let mut k = lo;
        while k <= hi + 1e-9 {
            let x = xs.px(k);
            cv.line(&[(x, plot_top), (x, y_end)], solid(palette::GRID), 1);
            cv.line(&[(x, y_end), (x, y_end + 4)], solid(palette::AXIS), 1);
            cv.text(
                &nines_percent(k),
                (x, y_end + 7),
                size::LABEL,
                palette::MUTED,
                Anchor::TOP,
            );
            cv.text(
                &hours(10f64.powf(-k) * HOURS_PER_YEAR),
                (x, plot_top - 7),
                size::LABEL,
                palette::MUTED,
                Anchor::BOTTOM,
            );
            k += 1.0;
        }
        cv.text(
            "downtime per year at that availability",
            ((x0 + x1) / 2, plot_top - 24),
            size::AXIS,
            palette::MUTED,
            Anchor::BOTTOM,
        );
        cv.text(
            "availability (log scale of unavailability)",
            ((x0 + x1) / 2, y_end + 26),
            size::AXIS,
            palette::MUTED,
            Anchor::TOP,
        );
        cv.line(&[(x0, y_end), (x1, y_end)], solid(palette::AXIS), 1);
        let at = |v: f64| {
            if v.is_finite() {
                xs.px_clamped(v)
            } else if v > 0.0 {
                x1
            } else {
                x0
            }
        };
        let mut y = plot_top;
        for (r, target) in rows.iter().zip(&targets) {
            cv.text(
                &format!("service {}", fit(&r.scope, size::LABEL, 400)),
                (MARGIN, y + GROUP_H / 2 + 2),
                size::HEADING,
                palette::TEXT,
                Anchor::LEFT,
            );
            y += GROUP_H;
            let group_top = y;
            for (i, cell) in r.cells.iter().enumerate() {
                let cy = y + ROW_H / 2;
                cv.text(
                    &fit(&c.layouts[i].name, size::LABEL, name_w),
                    (MARGIN + 8, cy),
                    size::LABEL,
                    palette::TEXT,
                    Anchor::LEFT,
                );
                match cell {
                    Some(cell) => {
                        let (v, a, b) = nines(&cell.value);
                        let color = layout_color(i);
                        cv.rect((x0, cy - 7), (at(v), cy + 7), alpha(color, 0.75));
                        let (pa, pb) = (at(a), at(b));
                        cv.line(&[(pa, cy), (pb, cy)], solid(palette::TEXT), 1);
                        cv.line(&[(pa, cy - 4), (pa, cy + 4)], solid(palette::TEXT), 1);
                        cv.line(&[(pb, cy - 4), (pb, cy + 4)], solid(palette::TEXT), 1);
                        cv.text(
                            &label(cell),
                            (x1 + 12, cy),
                            size::LABEL,
                            palette::TEXT,
                            Anchor::LEFT,
                        );
                    }
                    None => cv.text(
                        "not in this layout",
                        (x0 + 6, cy),
                        size::LABEL,
                        palette::MUTED,
                        Anchor::LEFT,
                    ),
                }
                y += ROW_H;
            }
            if let Some(t) = target {
                let x = at(nines_of(1.0 - t));
                cv.dashed(
                    (x, group_top - 2),
                    (x, y + 2),
                    solid(palette::VERMILLION),
                    1,
                );
                cv.diamond((x, group_top - 2), 5, solid(palette::VERMILLION));
            }
            y += 8;
        }
        cv.notes(&notes, (MARGIN, y_end + 56));
        cv.finish()?;
    }
    Ok(Chart {
        name: "compare-availability",
        title,
        svg: finish_svg(svg),
    })
}

/// x positions of the first parameter's values: their numbers when all have one, else evenly spaced.
fn sweep_x(s: &Sweep) -> (Vec<f64>, bool) {
    let values = &s.params[0].values;
    let nums: Option<Vec<f64>> = values.iter().map(|v| v.as_number()).collect();
    match nums {
        Some(n) if n.windows(2).all(|w| w[0] < w[1]) => (n, true),
        _ => ((0..values.len()).map(|i| i as f64).collect(), false),
    }
}

/// One curve per value of the second parameter (a single curve without one): (label, row indices in
/// first-parameter order).
fn curves(s: &Sweep) -> Vec<(String, Vec<usize>)> {
    let first = s.params[0].values.len();
    match s.params.get(1) {
        None => vec![(String::new(), (0..s.rows.len().min(first)).collect())],
        Some(p) => (0..p.values.len())
            .map(|j| {
                let idx = (0..first).map(|i| i * p.values.len() + j).collect();
                (format!("{}={}", p.path, p.values[j]), idx)
            })
            .collect(),
    }
}

/// Frame of a sweep chart: axes, ticks, grid; returns (x scale, y scale, plot rectangle).
struct Frame {
    xs: Scale,
    ys: Scale,
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
}

#[allow(clippy::too_many_arguments)]
fn frame(
    cv: &mut Canvas,
    s: &Sweep,
    top: i32,
    height: i32,
    (y_lo, y_hi): (f64, f64),
    y_ticks: &[(f64, String)],
    y_title: &str,
    notes_h: i32,
) -> Frame {
    let (xv, numeric) = sweep_x(s);
    let label_w = y_ticks
        .iter()
        .map(|(_, t)| text_width(t, size::LABEL))
        .max()
        .unwrap_or(40);
    let left = MARGIN + 30 + label_w;
    let right = WIDTH - MARGIN - 10;
    let bottom = height - 64 - notes_h;
    let (x_lo, x_hi) = (xv[0], *xv.last().expect("a sweep has points"));
    let pad = ((x_hi - x_lo) * 0.04).max(0.5);
    let xs = Scale::new(x_lo - pad, x_hi + pad, left, right);
    let ys = Scale::new(y_lo, y_hi, bottom, top);
    for (v, t) in y_ticks {
        let y = ys.px(*v);
        cv.line(&[(left, y), (right, y)], solid(palette::GRID), 1);
        cv.text(t, (left - 8, y), size::LABEL, palette::MUTED, Anchor::RIGHT);
    }
    cv.text_up(
        y_title,
        (MARGIN + 6, (top + bottom) / 2),
        size::AXIS,
        palette::MUTED,
    );
    let ticks: Vec<(f64, String)> = if numeric && xv.len() > 12 {
        nice_ticks(x_lo, x_hi, 8)
            .into_iter()
            .map(|v| (v, num(v)))
            .collect()
    } else {
        xv.iter()
            .zip(&s.params[0].values)
            .map(|(x, v)| (*x, v.to_string()))
            .collect()
    };
    for (v, t) in &ticks {
        let x = xs.px(*v);
        cv.line(&[(x, bottom), (x, bottom + 4)], solid(palette::AXIS), 1);
        cv.text(t, (x, bottom + 7), size::LABEL, palette::MUTED, Anchor::TOP);
    }
    cv.line(&[(left, bottom), (right, bottom)], solid(palette::AXIS), 1);
    cv.line(&[(left, top), (left, bottom)], solid(palette::AXIS), 1);
    cv.text(
        &s.params[0].path,
        ((left + right) / 2, bottom + 28),
        size::AXIS,
        palette::MUTED,
        Anchor::TOP,
    );
    Frame {
        xs,
        ys,
        left,
        right,
        top,
        bottom,
    }
}

/// Draws one curve per second-parameter value with its interval band: `pick` gives a row's (value,
/// low, high) on the chart's y axis.
fn draw_curves(
    cv: &mut Canvas,
    s: &Sweep,
    f: &Frame,
    pick: &dyn Fn(usize) -> Option<(f64, f64, f64)>,
) {
    let (xv, _) = sweep_x(s);
    let clamp = |v: f64| {
        if v.is_finite() {
            f.ys.px_clamped(v)
        } else if v > 0.0 {
            f.top
        } else {
            f.bottom
        }
    };
    for (k, (_, idx)) in curves(s).iter().enumerate() {
        let color = layout_color(k);
        let pts: Vec<(i32, (f64, f64, f64))> = idx
            .iter()
            .enumerate()
            .filter_map(|(i, &r)| Some((f.xs.px(xv[i]), pick(r)?)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let mut band: Vec<(i32, i32)> = pts.iter().map(|(x, v)| (*x, clamp(v.2))).collect();
        band.extend(pts.iter().rev().map(|(x, v)| (*x, clamp(v.1))));
        cv.polygon(&band, alpha(color, 0.18));
        let line: Vec<(i32, i32)> = pts.iter().map(|(x, v)| (*x, clamp(v.0))).collect();
        cv.line(&line, solid(color), 2);
        for (x, v) in &pts {
            cv.line(&[(*x, clamp(v.1)), (*x, clamp(v.2))], alpha(color, 0.7), 1);
            cv.dot((*x, clamp(v.0)), 4, solid(color));
        }
    }
}

fn legend(cv: &mut Canvas, s: &Sweep, y: i32, extra: Option<&str>) {
    let mut x = MARGIN;
    for (k, (label, _)) in curves(s).iter().enumerate() {
        let label = if label.is_empty() {
            format!("service {} (band: 95% CI)", s.service)
        } else {
            label.clone()
        };
        x = cv.legend_line(
            (x, y),
            layout_color(k),
            false,
            &fit(&label, size::LABEL, 300),
        );
    }
    if let Some(e) = extra {
        cv.legend_line((x, y), palette::VERMILLION, true, e);
    }
}

/// Availability of the swept service against the first parameter, on a nines axis.
fn sweep_availability(c: &Comparison, s: &Sweep) -> Result<Chart, ChartError> {
    let pick = |r: usize| {
        let row = s.rows.get(r)?;
        let (v, a, b) = nines(&row.availability);
        Some((v, a, b))
    };
    let (lo, hi) = nines_domain(
        (0..s.rows.len())
            .filter_map(pick)
            .flat_map(|(v, a, b)| [v, a, b])
            .chain(s.target.map(|t| nines_of(1.0 - t))),
    );
    let ticks: Vec<(f64, String)> = (lo as i64..=hi as i64)
        .map(|k| (k as f64, nines_percent(k as f64)))
        .collect();
    let mut notes_parts = vec![
        "availability of the service at each point (mean over replications); band: 95% confidence interval".to_string(),
        "scale: each step up is ten times less downtime; points share random numbers, so the curve's shape is measured more precisely than its bands".to_string(),
    ];
    if let Some(t) = s.target {
        let answer = match s.answer() {
            Some(r) => format!(
                "the first point whose interval is above the target: {}",
                s.label(r)
            ),
            None => "no point's interval is above the target".to_string(),
        };
        notes_parts.push(format!("target {} — {answer}", percent(t, 1.0 - t)));
    }
    let notes = wrap(&notes_parts, size::NOTE, WIDTH - 2 * MARGIN);
    let notes_h = 16 * notes.len() as i32;
    let height = 560 + notes_h;
    let title = format!("Availability of {} against {}", s.service, s.params[0].path);
    let mut svg = String::new();
    {
        let mut cv = Canvas::new(&mut svg, WIDTH, height);
        let top = cv.header(&title, &run_line(c));
        legend(&mut cv, s, top + 8, s.target.map(|_| "target"));
        let f = frame(
            &mut cv,
            s,
            top + 36,
            height,
            (lo, hi),
            &ticks,
            "availability (nines)",
            notes_h,
        );
        if let Some(t) = s.target {
            let y = f.ys.px(nines_of(1.0 - t));
            cv.dashed((f.left, y), (f.right, y), solid(palette::VERMILLION), 2);
            cv.text(
                &format!("target {}", percent(t, 1.0 - t)),
                (f.right - 4, y - 4),
                size::LABEL,
                palette::VERMILLION,
                Anchor::BOTTOM_RIGHT,
            );
        }
        draw_curves(&mut cv, s, &f, &pick);
        cv.notes(&notes, (MARGIN, height - notes_h - 8));
        cv.finish()?;
    }
    Ok(Chart {
        name: "sweep-availability",
        title,
        svg: finish_svg(svg),
    })
}

/// P99 latency of the first request kind against the first parameter.
fn sweep_latency(c: &Comparison, s: &Sweep) -> Result<Chart, ChartError> {
    let pick = |r: usize| {
        let e = s.rows.get(r)?.latency_p99_hours?;
        Some((e.value, e.ci95_low, e.ci95_high))
    };
    let max = (0..s.rows.len())
        .filter_map(pick)
        .map(|v| v.2)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let hi = super::draw::nice_ceil(max * 1.05);
    let ticks: Vec<(f64, String)> = nice_ticks(0.0, hi, 6)
        .into_iter()
        .map(|v| (v, latency(v)))
        .collect();
    let kind = s.request_kind.clone().unwrap_or_default();
    let notes = wrap(
        &[format!(
            "P99 latency of successful {kind} requests at each point (all attempts and waits included); band: 95% confidence interval"
        )],
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let notes_h = 16 * notes.len() as i32;
    let height = 520 + notes_h;
    let title = format!("Client P99 latency ({kind}) against {}", s.params[0].path);
    let mut svg = String::new();
    {
        let mut cv = Canvas::new(&mut svg, WIDTH, height);
        let top = cv.header(&title, &run_line(c));
        legend(&mut cv, s, top + 8, None);
        let f = frame(
            &mut cv,
            s,
            top + 36,
            height,
            (0.0, hi),
            &ticks,
            "P99 latency",
            notes_h,
        );
        draw_curves(&mut cv, s, &f, &pick);
        cv.notes(&notes, (MARGIN, height - notes_h - 8));
        cv.finish()?;
    }
    Ok(Chart {
        name: "sweep-latency",
        title,
        svg: finish_svg(svg),
    })
}

/// Yearly cost against availability of the main service, with the frontier of layouts no cheaper
/// layout beats.
fn cost_availability(c: &Comparison, sweep: Option<&Sweep>) -> Result<Chart, ChartError> {
    let service = match sweep {
        Some(s) => s.service.clone(),
        None => c
            .rows
            .iter()
            .find(|r| r.measure == "availability")
            .map(|r| r.scope.clone())
            .unwrap_or_default(),
    };
    let row = c
        .rows
        .iter()
        .find(|r| r.measure == "availability" && r.scope == service);
    let target = c.layouts.iter().find_map(|l| {
        l.summary
            .entities
            .iter()
            .find(|e| e.name == service && e.kind == crate::model::EntityKind::Service)
            .and_then(|e| e.target)
    });
    // (layout, cost, nines value/low/high, availability).
    type Point = (usize, f64, (f64, f64, f64), Estimate);
    let pts: Vec<Point> = c
        .layouts
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let cell = row?.cells[i]?;
            Some((i, l.yearly_cost?, nines(&cell.value), cell.value))
        })
        .collect();
    // Frontier: sorted by cost, each point whose interval lies above every cheaper point's estimate
    // (a layout that a cheaper one matches within its interval buys nothing measurable).
    let mut order: Vec<usize> = (0..pts.len()).collect();
    order.sort_by(|&a, &b| {
        pts[a]
            .1
            .total_cmp(&pts[b].1)
            .then(pts[b].2.0.total_cmp(&pts[a].2.0))
    });
    let mut frontier: Vec<usize> = Vec::new();
    for &k in &order {
        let low = pts[k].2.1;
        if frontier
            .iter()
            .all(|&j| pts[j].2.0 < low || pts[j].1 == pts[k].1 && pts[j].2.0 < pts[k].2.0)
        {
            frontier.push(k);
        }
    }
    let cheapest_ok = target.and_then(|t| {
        order
            .iter()
            .copied()
            .find(|&k| Meets::judge(&pts[k].3, t) == Meets::Yes)
    });
    let (lo, hi) = nines_domain(
        pts.iter()
            .flat_map(|p| [p.2.0, p.2.1, p.2.2])
            .chain(target.map(|t| nines_of(1.0 - t))),
    );
    let cmax = pts.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let cmin = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let span = (cmax - cmin).max(cmax * 0.1).max(1.0);
    let (c_lo, c_hi) = ((cmin - span * 0.08).max(0.0), cmax + span * 0.08);
    let cur = c.currency.as_deref();
    let mut notes_parts = vec![
        format!(
            "each point is a layout: its yearly cost and the availability of service {service}; bar: 95% confidence interval"
        ),
        "line: the frontier, layouts that no cheaper layout matches in availability".to_string(),
    ];
    if let (Some(t), Some(k)) = (target, cheapest_ok) {
        notes_parts.push(format!(
            "ringed: the cheapest layout whose interval is above the target {}: {} at {} a year",
            percent(t, 1.0 - t),
            c.layouts[pts[k].0].name,
            money(pts[k].1, cur)
        ));
    }
    let notes = wrap(&notes_parts, size::NOTE, WIDTH - 2 * MARGIN);
    let notes_h = 16 * notes.len() as i32;
    let height = 600 + notes_h;
    let title = format!("Yearly cost against availability of {service}");
    let mut svg = String::new();
    {
        let mut cv = Canvas::new(&mut svg, WIDTH, height);
        let top = cv.header(&title, &run_line(c)) + 10;
        let ticks: Vec<(f64, String)> = (lo as i64..=hi as i64)
            .map(|k| (k as f64, nines_percent(k as f64)))
            .collect();
        let label_w = ticks
            .iter()
            .map(|t| text_width(&t.1, size::LABEL))
            .max()
            .unwrap_or(40);
        let left = MARGIN + 30 + label_w;
        let right = WIDTH - MARGIN - 10;
        let bottom = height - 64 - notes_h;
        let xs = Scale::new(c_lo, c_hi, left, right);
        let ys = Scale::new(lo, hi, bottom, top);
        for (v, t) in &ticks {
            let y = ys.px(*v);
            cv.line(&[(left, y), (right, y)], solid(palette::GRID), 1);
            cv.text(t, (left - 8, y), size::LABEL, palette::MUTED, Anchor::RIGHT);
        }
        for v in nice_ticks(c_lo, c_hi, 7) {
            let x = xs.px(v);
            cv.line(&[(x, bottom), (x, bottom + 4)], solid(palette::AXIS), 1);
            cv.text(
                &money(v, None),
                (x, bottom + 7),
                size::LABEL,
                palette::MUTED,
                Anchor::TOP,
            );
        }
        cv.line(&[(left, bottom), (right, bottom)], solid(palette::AXIS), 1);
        cv.line(&[(left, top), (left, bottom)], solid(palette::AXIS), 1);
        cv.text(
            &match cur {
                Some(cur) => format!("yearly cost ({cur})"),
                None => "yearly cost".to_string(),
            },
            ((left + right) / 2, bottom + 28),
            size::AXIS,
            palette::MUTED,
            Anchor::TOP,
        );
        cv.text_up(
            "availability (nines)",
            (MARGIN + 6, (top + bottom) / 2),
            size::AXIS,
            palette::MUTED,
        );
        let y_at = |v: f64| {
            if v.is_finite() { ys.px_clamped(v) } else { top }
        };
        // Places taken by the target's label and the points, which the layouts' labels avoid.
        let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
        if let Some(t) = target {
            let y = ys.px(nines_of(1.0 - t));
            cv.dashed((left, y), (right, y), solid(palette::VERMILLION), 2);
            let label = format!("target {}", percent(t, 1.0 - t));
            taken.push((
                right - 8 - text_width(&label, size::LABEL),
                y - 22,
                right,
                y,
            ));
            cv.text(
                &label,
                (right - 4, y - 4),
                size::LABEL,
                palette::VERMILLION,
                Anchor::BOTTOM_RIGHT,
            );
        }
        let line: Vec<(i32, i32)> = frontier
            .iter()
            .map(|&k| (xs.px(pts[k].1), y_at(pts[k].2.0)))
            .collect();
        cv.line(&line, alpha(palette::BLUE, 0.8), 2);
        let label_all = pts.len() <= 10;
        for (k, p) in pts.iter().enumerate() {
            let (x, y) = (xs.px(p.1), y_at(p.2.0));
            taken.push((x - 6, y - 6, x + 6, y + 6));
            let on_frontier = frontier.contains(&k);
            let color = if on_frontier {
                palette::BLUE
            } else {
                palette::MUTED
            };
            cv.line(&[(x, y_at(p.2.1)), (x, y_at(p.2.2))], alpha(color, 0.7), 1);
            cv.dot((x, y), 5, solid(color));
            if Some(k) == cheapest_ok {
                cv.line(
                    &(0..=32)
                        .map(|a| {
                            let t = a as f64 / 32.0 * std::f64::consts::TAU;
                            (
                                x + (10.0 * t.cos()).round() as i32,
                                y + (10.0 * t.sin()).round() as i32,
                            )
                        })
                        .collect::<Vec<_>>(),
                    solid(palette::VERMILLION),
                    2,
                );
            }
        }
        // Labels: the first free place among above-right, below-right, above-left, below-left;
        // none when all four would overlap another label or point.
        for (k, p) in pts.iter().enumerate() {
            if !(label_all || frontier.contains(&k)) {
                continue;
            }
            let (x, y) = (xs.px(p.1), y_at(p.2.0));
            let name = fit(&c.layouts[p.0].name, size::NOTE, 220);
            let w = text_width(&name, size::NOTE);
            let spots = [(14, -14), (14, 14), (-14 - w, -14), (-14 - w, 14)];
            let free = spots
                .iter()
                .map(|&(dx, dy)| (x + dx, y + dy))
                .find(|&(lx, ly)| {
                    let r = (lx, ly - 8, lx + w, ly + 8);
                    r.0 >= left
                        && r.2 <= right
                        && r.1 >= top
                        && r.3 <= bottom
                        && !taken
                            .iter()
                            .any(|t| r.0 < t.2 && t.0 < r.2 && r.1 < t.3 && t.1 < r.3)
                });
            if let Some((lx, ly)) = free {
                taken.push((lx, ly - 8, lx + w, ly + 8));
                cv.text(&name, (lx, ly), size::NOTE, palette::TEXT, Anchor::LEFT);
            }
        }
        cv.notes(&notes, (MARGIN, height - notes_h - 8));
        cv.finish()?;
    }
    Ok(Chart {
        name: "cost-availability",
        title,
        svg: finish_svg(svg),
    })
}
