//! The availability of every service in each layout side by side: grouped bars with 95% intervals on
//! a nines axis, the downtime per year each step stands for, and the services' targets.

use super::{layout_color, nines, nines_domain, run_line};
use crate::analyses::compare::{Comparison, Verdict};
use crate::base::format::sig3;
use crate::base::format::{hours, percent};
use crate::base::units::HOURS_PER_YEAR;
use crate::estimate::summary::nines_of;
use crate::write::charts::axis;
use crate::write::charts::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit, palette, size, solid, text_width, wrap,
};
use crate::write::charts::{Chart, ChartError, finish_svg};

const ROW_H: i32 = 24;
const GROUP_H: i32 = 26;
/// Most services drawn (a group of bars each).
pub(super) const MAX_SERVICES: usize = 12;

/// Availability of every service, one bar per layout, grouped by service.
pub(super) fn side_by_side(c: &Comparison) -> Result<Chart, ChartError> {
    let mut rows: Vec<&crate::analyses::compare::Row> = c
        .rows
        .iter()
        .filter(|r| r.measure == "availability")
        .collect();
    // At most MAX_SERVICES groups, those least available in any layout (kept in order), so that the
    // chart's size does not grow with the number of services; comparison.csv has every one.
    let mut more = Vec::new();
    if rows.len() > MAX_SERVICES {
        let worst = |r: &crate::analyses::compare::Row| {
            r.cells
                .iter()
                .flatten()
                .map(|cell| cell.value.value)
                .filter(|v| !v.is_nan())
                .fold(f64::INFINITY, f64::min)
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| worst(rows[a]).total_cmp(&worst(rows[b])));
        let mut keep = vec![false; rows.len()];
        for &i in &order[..MAX_SERVICES] {
            keep[i] = true;
        }
        more.push(format!(
            "and {} more services with more availability, not drawn: every one is in comparison.csv and the report",
            rows.len() - MAX_SERVICES
        ));
        let mut k = keep.into_iter();
        rows.retain(|_| k.next().unwrap_or(false));
    }
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
            // The same reading as the terminal's, practical threshold included.
            s.push_str(match d.verdict {
                Verdict::Better => " · better",
                Verdict::Worse => " · worse",
                Verdict::Same => " · same",
                Verdict::Unclear => " · no significant difference",
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
                "better / worse: the paired difference to {} (common random numbers) is significant at 95% and beyond the practical threshold; same: within it",
                c.layouts[0].name
            ),
            "scale: each step to the right is ten times less downtime".to_string(),
        ]
        .into_iter()
        .chain(more)
        .collect::<Vec<_>>(),
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
        // The downtime each tick stands for, in one unit for the whole top axis.
        // The unit of the axis' middle: values a decade or two either side still read well.
        let unit = axis::unit_for(10f64.powf(-(lo + hi) / 2.0) * HOURS_PER_YEAR);
        for (k, label) in axis::nines(lo, hi, (x1 - x0) as f64, 90.0) {
            let x = xs.px(k);
            cv.line(&[(x, plot_top), (x, y_end)], solid(palette::GRID), 1);
            cv.line(&[(x, y_end), (x, y_end + 4)], solid(palette::AXIS), 1);
            cv.text(
                &label,
                (x, y_end + 7),
                size::LABEL,
                palette::MUTED,
                Anchor::TOP,
            );
            cv.text(
                &format!(
                    "{} {}",
                    sig3(10f64.powf(-k) * HOURS_PER_YEAR / unit.hours),
                    unit.short
                ),
                (x, plot_top - 7),
                size::LABEL,
                palette::MUTED,
                Anchor::BOTTOM,
            );
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
        name: "compare-availability".into(),
        title,
        svg: finish_svg(svg),
    })
}
