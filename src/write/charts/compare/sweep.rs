//! Charts of a sweep: the availability of the swept service and the P99 latency of its clients against
//! the first parameter, one curve per value of the second with its 95% interval band.

use super::{layout_color, nines, nines_domain, run_line};
use crate::analyses::compare::Comparison;
use crate::analyses::sweep::Sweep;
use crate::base::format::percent;
use crate::estimate::summary::nines_of;
use crate::write::charts::axis;
use crate::write::charts::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, nice_ticks, num, palette, size, solid,
    text_width, wrap,
};
use crate::write::charts::{Chart, ChartError, finish_svg};

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

/// The legend: a line per curve (for a single curve, `single`: what the chart shows), then `extra`.
fn legend(cv: &mut Canvas, s: &Sweep, y: i32, single: &str, extra: Option<&str>) {
    let mut x = MARGIN;
    for (k, (label, _)) in curves(s).iter().enumerate() {
        let label = if label.is_empty() {
            format!("{single} (band: 95% CI)")
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
pub(super) fn sweep_availability(c: &Comparison, s: &Sweep) -> Result<Chart, ChartError> {
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
    // The plot is about 380 pixels tall; tick labels need 24 between them.
    let ticks = axis::nines(lo, hi, 380.0, 24.0);
    let mut notes_parts = vec![
        "availability of the service at each point (mean over replications); band: 95% confidence interval".to_string(),
        "scale: each step up is ten times less downtime; points share random numbers, so the curve's shape is measured more precisely than its bands".to_string(),
    ];
    if let Some(t) = s.target {
        let answer = match s.answer() {
            // The sweep's answer: the cheapest such point when every point has a cost.
            Some(r) => format!(
                "the {} point whose interval is above the target: {}",
                if s.rows.iter().all(|x| x.yearly_cost.is_some()) {
                    "cheapest"
                } else {
                    "first"
                },
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
        legend(
            &mut cv,
            s,
            top + 8,
            &format!("service {}", s.service),
            s.target.map(|_| "target"),
        );
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
        name: "sweep-availability".into(),
        title,
        svg: finish_svg(svg),
    })
}

/// P99 latency of the first request kind against the first parameter.
pub(super) fn sweep_latency(c: &Comparison, s: &Sweep) -> Result<Chart, ChartError> {
    let pick = |r: usize| {
        let e = s.rows.get(r)?.latency_p99_hours?;
        Some((e.value, e.ci95_low, e.ci95_high))
    };
    let max = (0..s.rows.len())
        .filter_map(pick)
        .map(|v| v.2)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    // One unit for the whole axis (ticks in ms and s mixed before).
    let axis = axis::linear_duration(0.0, max.max(1e-9) * 1.05);
    let (hi, ticks) = (axis.hi, axis.ticks);
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
        // The chart is about a request kind, not the swept service.
        legend(&mut cv, s, top + 8, &format!("{kind} requests"), None);
        let f = frame(
            &mut cv,
            s,
            top + 36,
            height,
            (0.0, hi),
            &ticks,
            &format!("P99 latency ({})", axis.unit.map_or("", |u| u.long)),
            notes_h,
        );
        draw_curves(&mut cv, s, &f, &pick);
        cv.notes(&notes, (MARGIN, height - notes_h - 8));
        cv.finish()?;
    }
    Ok(Chart {
        name: "sweep-latency".into(),
        title,
        svg: finish_svg(svg),
    })
}
