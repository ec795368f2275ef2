//! Downtime per year across replications: one histogram per service (or per role when the scenario has
//! no services) with the mean and the target's allowed downtime marked, on a linear axis from zero or,
//! for skewed distributions (rare long outages, a target far above the usual downtime), a log axis.

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, TimeUnit, WIDTH, alpha, nice_ceil, nice_ticks, num, palette,
    run_line, share, size, solid, text_width, time_unit, wrap,
};
use super::{Chart, ChartError, axis, capped, caps, finish_svg};
use crate::base::format::hours;
use crate::base::stats::LogHistogram;
use crate::base::units::HOURS_PER_YEAR;
use crate::estimate::summary::{DowntimeDistribution, EntitySummary, Summary};
use crate::model::EntityKind;
use plotters::style::RGBColor;

/// Bars per histogram.
const BINS: usize = 40;
const PLOT_H: i32 = 150;
const LEFT: i32 = 78;
const RIGHT: i32 = 30;
/// A distribution whose P99.5 is more than this many times its median (of the replications with some
/// downtime), or a target far beyond it, is drawn on a log axis.
const SKEW: f64 = 12.0;

/// The horizontal axis of a panel, in hours.
#[derive(Debug, Clone, Copy)]
enum Axis {
    /// `[0, max]` hours, labelled in `unit`.
    Linear { max: f64, unit: TimeUnit },
    /// `[lo, hi]` hours on a log scale.
    Log { lo: f64, hi: f64 },
}

impl Axis {
    /// Position of `h` hours on the axis, 0 at the start and 1 at the end.
    fn pos(&self, h: f64) -> f64 {
        match *self {
            Axis::Linear { max, .. } => h / max,
            Axis::Log { lo, hi } => (h.max(lo * 1e-3).ln() - lo.ln()) / (hi.ln() - lo.ln()),
        }
    }

    /// Tick positions (hours) and labels.
    fn ticks(&self, width: i32) -> Vec<(f64, String)> {
        match *self {
            Axis::Linear { max, unit } => nice_ticks(0.0, max / unit.hours, 8)
                .into_iter()
                .map(|t| (t * unit.hours, num(t)))
                .collect(),
            // Round values of one unit (seconds, minutes and days mixed before), kept apart.
            Axis::Log { lo, hi } => {
                let mut picked: Vec<(f64, String)> = Vec::new();
                for (t, label) in axis::log_duration(lo, hi).ticks {
                    let f = self.pos(t);
                    let far = picked
                        .iter()
                        .all(|p| ((self.pos(p.0) - f) * width as f64).abs() >= 56.0);
                    if far {
                        picked.push((t, label));
                    }
                }
                picked
            }
        }
    }

    fn title(&self) -> String {
        match self {
            Axis::Linear { unit, .. } => format!("downtime per year ({})", unit.long),
            Axis::Log { lo, hi } => format!(
                "downtime per year ({}, log scale)",
                axis::log_duration(*lo, *hi).unit.map_or("", |u| u.long)
            ),
        }
    }
}

/// One panel: an entity and its distribution.
struct Panel<'a> {
    entity: &'a EntitySummary,
    axis: Axis,
    replications: Binned,
    notes: Vec<String>,
}

/// A histogram re-binned on the axis: shares of all values.
struct Binned {
    bins: Vec<f64>,
    zero: f64,
    under: f64,
    over: f64,
}

/// Spreads each 1% bucket of `h` over `BINS` equal bins of the axis (in its own scale), as shares of
/// all values; exact zeros and values off the axis are counted apart.
fn rebin(h: &LogHistogram, axis: Axis) -> Binned {
    let total = h.total_weight();
    let mut out = Binned {
        bins: vec![0.0; BINS],
        zero: 0.0,
        under: 0.0,
        over: 0.0,
    };
    if total <= 0.0 {
        return out;
    }
    let n = BINS as f64;
    for (lo, hi, w) in h.buckets() {
        let (a, z) = (axis.pos(lo), axis.pos(hi));
        let span = z - a;
        if span <= 0.0 {
            continue;
        }
        out.under += w * ((0.0f64.min(z) - a).max(0.0)) / span;
        out.over += w * ((z - 1.0f64.max(a)).max(0.0)) / span;
        let (ca, cz) = (a.max(0.0), z.min(1.0));
        if cz <= ca {
            continue;
        }
        let first = (ca * n).floor() as usize;
        let last = ((cz * n).floor() as usize).min(BINS - 1);
        for b in first..=last {
            let lo_b = (b as f64 / n).max(ca);
            let hi_b = ((b + 1) as f64 / n).min(cz);
            if hi_b > lo_b {
                out.bins[b] += w * (hi_b - lo_b) / span;
            }
        }
    }
    for b in &mut out.bins {
        *b /= total;
    }
    out.zero = h.zero_weight() / total;
    out.under /= total;
    out.over /= total;
    out
}

/// Quantile `q` of the positive values of `h`.
fn positive_quantile(h: &LogHistogram, q: f64) -> f64 {
    let total = h.total_weight();
    if total <= 0.0 || h.zero_weight() >= total {
        return f64::NAN;
    }
    let z = h.zero_weight() / total;
    h.quantile(z + q * (1.0 - z))
}

/// The axis for a panel: linear from 0 when the distribution and the target fit on one, else log.
fn axis_for(h: &LogHistogram, mean: f64, allowed: Option<f64>) -> Axis {
    let p50 = positive_quantile(h, 0.5);
    let p995 = positive_quantile(h, 0.995);
    if !p50.is_finite() {
        // No downtime at all: an axis up to the target, or an hour.
        let max = allowed.map_or(1.0, |a| a * 1.08);
        let unit = time_unit(max);
        return Axis::Linear {
            max: nice_ceil(max / unit.hours) * unit.hours,
            unit,
        };
    }
    let top = [p995, mean * 1.3, allowed.map_or(0.0, |a| a * 1.08)]
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let skewed = top > SKEW * p50;
    if !skewed {
        let unit = time_unit(top);
        return Axis::Linear {
            max: nice_ceil(top / unit.hours) * unit.hours,
            unit,
        };
    }
    let low = positive_quantile(h, 0.002).min(mean).max(1e-6);
    let lo = 10f64.powf(low.log10().floor());
    let hi = 10f64.powf((top * 1.05).log10().ceil());
    Axis::Log { lo, hi }
}

/// A target as people write it: `99.9%`, `99.95%`.
pub(super) fn target_percent(t: f64) -> String {
    let s = format!("{:.6}", t * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

fn allowed(e: &EntitySummary) -> Option<f64> {
    e.target.map(|t| (1.0 - t) * HOURS_PER_YEAR)
}

fn panel<'a>(s: &Summary, entity: &'a EntitySummary, dist: &'a DowntimeDistribution) -> Panel<'a> {
    let years = s.mission_hours >= 2.0 * HOURS_PER_YEAR - 1e-9;
    let mean = entity.downtime_hours_per_year.value;
    let axis = axis_for(&dist.per_replication, mean, allowed(entity));
    let replications = rebin(&dist.per_replication, axis);
    let mut notes = vec![format!(
        "replications with no downtime: {}",
        share(replications.zero)
    )];
    if replications.under > 0.0 {
        notes.push(format!("below the axis: {}", share(replications.under)));
    }
    if replications.over > 0.0 {
        notes.push(format!(
            "beyond the axis: {} (worst {}/yr)",
            share(replications.over),
            hours(dist.per_replication.max())
        ));
    }
    if years {
        let y = &dist.per_year;
        let zero = if y.total_weight() > 0.0 {
            y.zero_weight() / y.total_weight()
        } else {
            f64::NAN
        };
        notes.push(format!(
            "single years: {} with no downtime, P90 {}, P99 {}, worst {}",
            share(zero),
            hours(entity.annual_downtime_hours_p90.value),
            hours(entity.annual_downtime_hours_p99.value),
            hours(entity.annual_downtime_hours_max)
        ));
    }
    if let Some(p) = &entity.probability_year_misses_target {
        notes.push(format!(
            "years over the allowed downtime: {} [{}, {}]",
            share(p.value),
            share(p.ci95_low.max(0.0)),
            share(p.ci95_high.min(1.0))
        ));
    }
    Panel {
        entity,
        axis,
        replications,
        notes,
    }
}

/// The chart.
pub fn chart(s: &Summary) -> Result<Chart, ChartError> {
    // Services are drawn when there are any, else roles: only those are capped.
    let roles = if s.entities.iter().any(|e| e.kind == EntityKind::Service) {
        usize::MAX
    } else {
        caps::DOWNTIME
    };
    let (s, more) = capped(s, caps::DOWNTIME, roles, usize::MAX);
    let s = &*s;
    let services: Vec<usize> = (0..s.entities.len())
        .filter(|&i| s.entities[i].kind == EntityKind::Service)
        .collect();
    let chosen: Vec<usize> = if services.is_empty() {
        (0..s.entities.len()).collect()
    } else {
        services
    };
    let what = if chosen
        .iter()
        .all(|&i| s.entities[i].kind == EntityKind::Service)
    {
        "service"
    } else {
        "role"
    };
    let panels: Vec<Panel> = chosen
        .iter()
        .filter_map(|&i| {
            let e = &s.entities[i];
            let d = s
                .downtime_distributions
                .iter()
                .find(|d| d.name == e.name && d.kind == e.kind)?;
            Some(panel(s, e, d))
        })
        .collect();
    let plot_w = WIDTH - LEFT - RIGHT;
    let note_lines: Vec<Vec<String>> = panels
        .iter()
        .map(|p| wrap(&p.notes, size::NOTE, plot_w))
        .collect();
    let header_h = 72 + 26;
    let panel_h = |p: &Panel, lines: usize| {
        26 + MARK_ROW * mark_rows(p) + PLOT_H + 44 + 16 * lines as i32 + 22
    };
    let more = wrap(&more, size::NOTE, WIDTH - 2 * MARGIN);
    let height = header_h
        + panels
            .iter()
            .zip(&note_lines)
            .map(|(p, l)| panel_h(p, l.len()))
            .sum::<i32>()
        + if panels.is_empty() { 40 } else { 0 }
        + 16 * more.len() as i32
        + 10;
    let title = format!("Downtime per year across replications, per {what}");
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        let mut y = c.header(&title, &run_line(s));
        // Legend.
        let mut x = MARGIN;
        let ly = y + 6;
        x = c.swatch(
            (x, ly),
            alpha(palette::BLUE, 0.8),
            "replications: mission downtime ÷ mission years",
        );
        if panels.iter().any(|p| p.entity.target.is_some()) {
            x = c.legend_line((x, ly), palette::VERMILLION, true, "allowed by the target");
        }
        c.legend_line((x, ly), palette::TEXT, true, "mean");
        y += 26;
        if panels.is_empty() {
            c.text(
                "nothing measured",
                (MARGIN, y + 10),
                size::LABEL,
                palette::MUTED,
                Anchor::LEFT,
            );
        }
        for (p, notes) in panels.iter().zip(&note_lines) {
            draw_panel(&mut c, p, y, notes);
            y += panel_h(p, notes.len());
        }
        c.notes(&more, (MARGIN, y));
        c.finish()?;
    }
    Ok(Chart {
        name: "downtime-per-year".into(),
        title,
        svg: finish_svg(svg),
    })
}

fn draw_panel(c: &mut Canvas, p: &Panel, top: i32, notes: &[String]) {
    let e = p.entity;
    let mut heading = format!("{} ({})", e.name, e.kind.as_str());
    heading += &format!(" · mean {}/yr", hours(e.downtime_hours_per_year.value));
    if let (Some(t), Some(a)) = (e.target, allowed(e)) {
        heading += &format!(" · target {} allows {}/yr", target_percent(t), hours(a));
    }
    let heading = c.fit(&heading, size::HEADING, WIDTH - 2 * MARGIN);
    c.text(
        &heading,
        (MARGIN, top + 10),
        size::HEADING,
        palette::TEXT,
        Anchor::LEFT,
    );
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    // The mean's and the target's labels sit in rows above the plot, where no bar can be.
    let labels = mark_labels(p);
    let strip = top + 26;
    let y0 = strip + MARK_ROW * mark_rows(p);
    let y1 = y0 + PLOT_H;
    let xs = Scale::new(0.0, 1.0, x0, x1);
    let x_of = |h: f64| xs.px_clamped(p.axis.pos(h));
    let peak = p.replications.bins.iter().fold(0.0f64, |a, &b| a.max(b));
    // The axis ends on a tick, with at least four of them.
    let y_axis = axis::linear(0.0, (peak * 100.0).max(0.1), |v| format!("{}%", num(v)));
    let ys = Scale::new(0.0, y_axis.hi, y1, y0);
    // Grid and y ticks.
    for (t, label) in &y_axis.ticks {
        let y = ys.px(*t);
        c.line(&[(x0, y), (x1, y)], solid(palette::GRID), 1);
        c.text(
            label,
            (x0 - 6, y),
            size::LABEL,
            palette::MUTED,
            Anchor::RIGHT,
        );
    }
    c.text_up(
        "share of replications",
        (MARGIN + 8, (y0 + y1) / 2),
        size::AXIS,
        palette::MUTED,
    );
    // Bars.
    for (b, &v) in p.replications.bins.iter().enumerate() {
        if v <= 0.0 {
            continue;
        }
        let (a, z) = (
            xs.px(b as f64 / BINS as f64),
            xs.px((b + 1) as f64 / BINS as f64),
        );
        let top = ys.px(v * 100.0).min(y1 - 1);
        c.rect((a + 1, top), (z, y1), alpha(palette::BLUE, 0.8));
    }
    // Axes.
    c.line(&[(x0, y0), (x0, y1), (x1, y1)], solid(palette::AXIS), 1);
    for (t, label) in p.axis.ticks(x1 - x0) {
        let x = x_of(t);
        c.line(&[(x, y1), (x, y1 + 4)], solid(palette::AXIS), 1);
        c.text(
            &label,
            (x, y1 + 7),
            size::LABEL,
            palette::MUTED,
            Anchor::TOP,
        );
    }
    c.text(
        &p.axis.title(),
        ((x0 + x1) / 2, y1 + 24),
        size::AXIS,
        palette::MUTED,
        Anchor::TOP,
    );
    // Mean and target lines, each up to its label above the plot.
    for m in &labels {
        let ly = strip + MARK_ROW * m.row + MARK_ROW / 2;
        c.dashed((m.x, ly + 7), (m.x, y1), solid(m.color), 2);
        c.text(&m.text, (m.left, ly), size::LABEL, m.color, Anchor::LEFT);
    }
    c.notes(notes, (x0, y1 + 50));
}

/// Height of a row of mark labels above a panel's plot, pixels.
const MARK_ROW: i32 = 18;

/// A mark (the mean, the target's allowed downtime): its line's x, its label and where it goes.
struct Mark {
    x: i32,
    color: RGBColor,
    text: String,
    /// Left end of the label.
    left: i32,
    /// Row above the plot, 0 the top one.
    row: i32,
}

/// The marks of a panel with their labels placed: right of the line (left of it where the plot
/// ends), in the first row where they clear the labels already there by 8 pixels.
fn mark_labels(p: &Panel) -> Vec<Mark> {
    let e = p.entity;
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    let xs = Scale::new(0.0, 1.0, x0, x1);
    let mut marks: Vec<(f64, RGBColor, String)> = vec![(
        e.downtime_hours_per_year.value,
        palette::TEXT,
        format!("mean {}", hours(e.downtime_hours_per_year.value)),
    )];
    if let Some(a) = allowed(e) {
        marks.push((a, palette::VERMILLION, format!("target {}", hours(a))));
    }
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<Mark> = Vec::new();
    for (v, color, text) in marks {
        if !v.is_finite() {
            continue;
        }
        let x = xs.px_clamped(p.axis.pos(v));
        let w = text_width(&text, size::LABEL);
        let left = if x + 5 + w > x1 { x - 5 - w } else { x + 5 };
        let row = (0..)
            .find(|&r| {
                out.iter().filter(|m| m.row == r).all(|m| {
                    left >= m.left + text_width(&m.text, size::LABEL) + 8 || left + w + 8 <= m.left
                })
            })
            .unwrap_or(0);
        out.push(Mark {
            x,
            color,
            text,
            left,
            row,
        });
    }
    out
}

/// Rows of mark labels above a panel's plot (at least one).
fn mark_rows(p: &Panel) -> i32 {
    mark_labels(p).iter().map(|m| m.row + 1).max().unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[f64]) -> LogHistogram {
        let mut h = LogHistogram::default();
        for &v in values {
            h.add(v, 1.0);
        }
        h
    }

    #[test]
    fn rebinning_keeps_every_value() {
        let values: Vec<f64> = (0..1000).map(|i| (i % 97) as f64 * 0.1).collect();
        let h = hist(&values);
        let axis = Axis::Linear {
            max: 8.0,
            unit: time_unit(8.0),
        };
        let b = rebin(&h, axis);
        let total: f64 = b.bins.iter().sum::<f64>() + b.zero + b.under + b.over;
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!((b.zero - 11.0 / 1000.0).abs() < 1e-12);
        // Values 8.0 ..= 9.6 are beyond the axis: 17 of 97 per cycle (the 8.0 bucket straddles it).
        assert!((b.over - 0.17).abs() < 0.02, "{}", b.over);
    }

    #[test]
    fn skewed_distributions_get_a_log_axis() {
        let even = hist(&(1..200).map(|i| 2.0 + i as f64 * 0.01).collect::<Vec<_>>());
        assert!(matches!(
            axis_for(&even, 3.0, Some(8.76)),
            Axis::Linear { .. }
        ));
        // Usually seconds, rarely hours, and a target of hours: log.
        let mut v: Vec<f64> = (0..990).map(|i| 0.005 + i as f64 * 1e-5).collect();
        v.extend((0..10).map(|i| 1.0 + i as f64));
        let skewed = hist(&v);
        let Axis::Log { lo, hi } = axis_for(&skewed, 0.06, Some(8.76)) else {
            panic!("expected a log axis");
        };
        assert!(lo <= 0.005 && hi >= 9.5, "{lo} {hi}");
        let ticks = Axis::Log { lo, hi }.ticks(900);
        assert!(ticks.iter().any(|t| t.1 == "1 h"), "{ticks:?}");
        assert!(ticks.iter().all(|t| t.1.ends_with(" h")), "{ticks:?}");
        // Nothing at all: a plain axis.
        assert!(matches!(
            axis_for(&hist(&[0.0, 0.0]), 0.0, None),
            Axis::Linear { .. }
        ));
        assert_eq!(target_percent(0.999), "99.9%");
        assert_eq!(target_percent(0.9995), "99.95%");
    }

    /// The mean's and the target's labels: above the plot (they sat on the bars), and apart however
    /// close the two values are.
    #[test]
    fn mark_labels_sit_above_the_plot_and_apart() {
        use crate::write::charts::layout::{left_label, overlap};
        let model = crate::scenario::compile(
            "[simulation]\nmission = \"2y\"\nreplications = 40\n[nodes.a]\nfailure = { dist = \"exponential\", mean = \"30d\" }\nrepair = { dist = \"fixed\", value = \"8h\" }\n[roles.r]\nkind = \"standalone\"\non = \"a\"\n[services.s]\nall_of = [\"r\"]\ntarget = 0.99\n",
            "marks.toml",
        )
        .unwrap();
        let opts = crate::estimate::runner::RunOptions {
            threads: 1,
            rows: None,
            progress: None,
            range: None,
        };
        let s = crate::estimate::runner::run(&model, opts).unwrap().summary;
        let i = s.entities.iter().position(|e| e.name == "s").unwrap();
        let d = s
            .downtime_distributions
            .iter()
            .find(|d| d.name == "s")
            .unwrap();
        for mean in [1.0, 80.0, 87.6, 87.7, 90.0, 400.0] {
            let mut e = s.entities[i].clone();
            e.downtime_hours_per_year.value = mean;
            let p = panel(&s, &e, d);
            let marks = mark_labels(&p);
            assert_eq!(marks.len(), 2);
            let boxes: Vec<_> = marks
                .iter()
                .map(|m| {
                    let b = left_label(
                        &m.text,
                        size::LABEL,
                        (m.left, MARK_ROW * m.row + MARK_ROW / 2),
                    );
                    assert!(b.y1 <= MARK_ROW * mark_rows(&p), "{b:?} below the strip");
                    assert!(b.x0 >= 0 && b.x1 <= WIDTH, "{b:?}");
                    b
                })
                .collect();
            assert_eq!(overlap(&boxes), None, "mean {mean}: {boxes:?}");
        }
    }
}
