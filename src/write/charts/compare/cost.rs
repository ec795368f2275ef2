//! Yearly cost against availability: each layout a point with its 95% interval, the frontier of layouts
//! no cheaper one matches, and the cheapest layout shown to meet the target.

use super::{nines, nines_domain, run_line};
use crate::analyses::compare::Comparison;
use crate::analyses::sweep::{Meets, Sweep};
use crate::base::format::{money, percent};
use crate::base::stats::Estimate;
use crate::estimate::summary::nines_of;
use crate::write::charts::axis;
use crate::write::charts::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, nice_ticks, palette, size, solid, text_width,
    wrap,
};
use crate::write::charts::layout::{Placer, Rect, left_label};
use crate::write::charts::{Chart, ChartError, finish_svg};

/// Yearly cost against availability of the main service, with the frontier of layouts no cheaper
/// layout beats.
pub(super) fn cost_availability(
    c: &Comparison,
    sweep: Option<&Sweep>,
) -> Result<Chart, ChartError> {
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
        // The plot is about 450 pixels tall; tick labels need 24 between them.
        let ticks = axis::nines(lo, hi, 450.0, 24.0);
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
        // Places taken by the target's label, the points, their whiskers and the frontier, which the
        // layouts' labels avoid.
        let mut placer = Placer::new(Rect::new((left, top), (right, bottom)));
        if let Some(t) = target {
            let y = ys.px(nines_of(1.0 - t));
            cv.dashed((left, y), (right, y), solid(palette::VERMILLION), 2);
            let label = format!("target {}", percent(t, 1.0 - t));
            placer.block(Rect::new(
                (right - 8 - text_width(&label, size::LABEL), y - 22),
                (right, y),
            ));
            placer.block_line(&[(left, y), (right, y)]);
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
        placer.block_line(&line);
        let label_all = pts.len() <= 10;
        for (k, p) in pts.iter().enumerate() {
            let (x, y) = (xs.px(p.1), y_at(p.2.0));
            placer.block(Rect::new((x - 11, y - 11), (x + 11, y + 11)));
            placer.block_line(&[(x, y_at(p.2.1)), (x, y_at(p.2.2))]);
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
        // Labels: the first free place around the point (right, then above or below, then left,
        // then farther out); none when every place would cover another label, a point, a whisker
        // or the frontier.
        for (k, p) in pts.iter().enumerate() {
            if !(label_all || frontier.contains(&k)) {
                continue;
            }
            let (x, y) = (xs.px(p.1), y_at(p.2.0));
            let name = fit(&c.layouts[p.0].name, size::NOTE, 220);
            if let Some(r) = placer.place(&spots(&name, (x, y))) {
                cv.text(
                    &name,
                    (r.x0, (r.y0 + r.y1) / 2),
                    size::NOTE,
                    palette::TEXT,
                    Anchor::LEFT,
                );
            }
        }
        cv.notes(&notes, (MARGIN, height - notes_h - 8));
        cv.finish()?;
    }
    Ok(Chart {
        name: "cost-availability".into(),
        title,
        svg: finish_svg(svg),
    })
}

/// The places a point's label may go, best first: its box drawn left-anchored and centred on a line.
fn spots(name: &str, (x, y): (i32, i32)) -> Vec<Rect> {
    let w = text_width(name, size::NOTE);
    let at = |lx: i32, ly: i32| left_label(name, size::NOTE, (lx, ly));
    let mut out = Vec::new();
    for d in [14, 34, 60] {
        out.extend([
            at(x + d, y),
            at(x + d, y - d),
            at(x + d, y + d),
            at(x - d - w, y),
            at(x - d - w, y - d),
            at(x - d - w, y + d),
            at(x - w / 2, y - d - 4),
            at(x - w / 2, y + d + 4),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::charts::layout::overlap;

    /// Points crowded along a frontier (the chart had the line running through a label):
    /// every label placed is clear of the others, of every point and of the line.
    #[test]
    fn cost_labels_avoid_each_other_the_points_and_the_frontier() {
        let bounds = Rect::new((80, 80), (976, 560));
        let mut placer = Placer::new(bounds);
        let pts: Vec<(i32, i32)> = (0..8).map(|i| (200 + 40 * i, 400 - 30 * i)).collect();
        placer.block_line(&pts);
        for &(x, y) in &pts {
            placer.block(Rect::new((x - 11, y - 11), (x + 11, y + 11)));
            placer.block_line(&[(x, y - 20), (x, y + 20)]);
        }
        let mut placed = 0;
        for (i, &p) in pts.iter().enumerate() {
            let name = format!("nodes.web.count={i}, sites.b.link=fast");
            placed += usize::from(placer.place(&spots(&name, p)).is_some());
        }
        assert!(placed >= 6, "only {placed} of 8 labels found a place");
        let labels = placer.placed();
        assert_eq!(overlap(labels), None, "{labels:?}");
        for r in labels {
            assert!(r.inside(&bounds));
            for w in pts.windows(2) {
                assert!(!r.crosses(w[0], w[1]), "{r:?} on the frontier");
            }
            for &(x, y) in &pts {
                assert!(!r.intersects(&Rect::new((x - 6, y - 6), (x + 6, y + 6))));
            }
        }
    }
}
