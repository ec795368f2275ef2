//! `nines fit`'s probability plots: one Weibull plot per fit (a component, group or everything pooled,
//! and times to failure or to repair). The durations that ended in view are drawn at their
//! Kaplan–Meier plotting positions on Weibull paper (log duration across, ln(−ln(1 − F)) up, where a
//! Weibull law is a straight line), with each fitted law's CDF over them.

use plotters::style::RGBColor;

use super::draw::{
    Anchor, Canvas, MARGIN, Scale, WIDTH, alpha, fit as fit_text, palette, size, solid, wrap,
};
use super::{Chart, ChartError, finish_svg};
use crate::analyses::fit::laws::Law;
use crate::analyses::fit::mle::plotting_positions;
use crate::analyses::fit::{QuantityFits, SubjectFits};
use crate::base::format::{hours, sig3};

const LEFT: i32 = 84;
const RIGHT: i32 = 40;
const PLOT_H: i32 = 380;
/// Probabilities labelled on the vertical axis.
const PROBS: [f64; 13] = [
    0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.632, 0.8, 0.9, 0.99, 0.999,
];
/// Durations labelled on the horizontal axis: hours and their label.
const TICKS: [(f64, &str); 26] = [
    (1.0 / 3600.0, "1s"),
    (10.0 / 3600.0, "10s"),
    (1.0 / 60.0, "1min"),
    (5.0 / 60.0, "5min"),
    (15.0 / 60.0, "15min"),
    (0.5, "30min"),
    (1.0, "1h"),
    (2.0, "2h"),
    (4.0, "4h"),
    (8.0, "8h"),
    (12.0, "12h"),
    (24.0, "1d"),
    (48.0, "2d"),
    (96.0, "4d"),
    (168.0, "1w"),
    (336.0, "2w"),
    (720.0, "30d"),
    (1440.0, "60d"),
    (2160.0, "90d"),
    (4380.0, "½y"),
    (8760.0, "1y"),
    (17_520.0, "2y"),
    (43_800.0, "5y"),
    (87_600.0, "10y"),
    (175_200.0, "20y"),
    (438_000.0, "50y"),
];
/// Points per fitted curve.
const CURVE_POINTS: usize = 160;

/// The chart's file name stem for a subject's fit, e.g. `fit-web-failure`: the name kept to letters,
/// digits, `-`, `_` and `.` (anything else `_`).
pub fn name(subject: &str, q: &QuantityFits) -> String {
    let safe: String = subject
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("fit-{safe}-{}", q.quantity.as_str())
}

fn weibull_y(f: f64) -> f64 {
    (-(-f).ln_1p()).ln()
}

/// The most subjects (components or groups) drawn: those with the most events. A fit of thousands of
/// components one by one would otherwise draw thousands of charts; `fits.csv` lists every fit.
pub const MAX_SUBJECTS: usize = 40;

/// The colour of a law, the same in every chart.
fn color(law: Law) -> RGBColor {
    match law {
        Law::Exponential => palette::VERMILLION,
        Law::Weibull => palette::BLUE,
        Law::Lognormal => palette::GREEN,
        Law::Gamma => palette::PURPLE,
    }
}

/// Every chart of a fit: one per subject and quantity with at least one event, for the
/// [`MAX_SUBJECTS`] subjects with the most events (in the order given).
pub fn charts(subjects: &[SubjectFits], file: &str) -> Result<Vec<Chart>, ChartError> {
    let mut out: Vec<Chart> = Vec::new();
    let events = |s: &SubjectFits| s.failure.events + s.repair.events;
    let mut order: Vec<usize> = (0..subjects.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(events(&subjects[i])));
    order.truncate(MAX_SUBJECTS);
    order.sort_unstable();
    for s in order.into_iter().map(|i| &subjects[i]) {
        for q in [&s.failure, &s.repair] {
            if q.events > 0 && !q.fits.is_empty() {
                let mut c = chart(s, q, file)?;
                // Names that differ only in characters not kept in a file name get a number.
                let stem = c.name.to_string();
                let mut k = 1;
                while out.iter().any(|o| o.name == c.name) {
                    k += 1;
                    c.name = format!("{stem}-{k}").into();
                }
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// The Weibull plot of one subject's times to failure or to repair.
pub fn chart(s: &SubjectFits, q: &QuantityFits, file: &str) -> Result<Chart, ChartError> {
    let points = plotting_positions(&q.obs);
    let what = match q.quantity {
        crate::analyses::fit::Quantity::Failure => "time to failure",
        crate::analyses::fit::Quantity::Repair => "time to repair",
    };
    let title = format!("Weibull plot: {what} of {} {}", s.by.as_str(), s.name);
    let subtitle = format!(
        "{file} · {} events, {} censored · laws fitted by maximum likelihood · nines {}",
        q.events,
        q.censored,
        env!("CARGO_PKG_VERSION")
    );
    // Horizontal range: the durations, with a margin.
    let ts: Vec<f64> = q.obs.iter().map(|o| o.t).filter(|t| *t > 0.0).collect();
    let lo = ts.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ts.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > 0.0 {
        (lo, hi)
    } else {
        (1.0, 10.0)
    };
    let span = (hi.log10() - lo.log10()).max(1.0);
    let (x_lo, x_hi) = (lo.log10() - 0.08 * span, hi.log10() + 0.08 * span);
    // Vertical range: the probabilities of the points and the curves at the edges, within PROBS.
    let mut f_lo: f64 = 0.05;
    let mut f_hi: f64 = 0.95;
    for &(_, f) in &points {
        f_lo = f_lo.min(f);
        f_hi = f_hi.max(f);
    }
    let (y_lo, y_hi) = (
        weibull_y(f_lo.max(PROBS[0])) - 0.3,
        weibull_y(f_hi.min(PROBS[PROBS.len() - 1])) + 0.3,
    );
    let best_aic = q.fits.first().map_or(0.0, |f| f.aic);
    let legend: Vec<String> = q
        .fits
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.params();
            let shape = match f.law.shape_name() {
                Some(n) => format!(", {n} {}", sig3(p.shape)),
                None => String::new(),
            };
            format!(
                "{}{}: mean {}{shape} · AIC {} (Δ {}) · KS {}",
                if i == 0 { "best · " } else { "" },
                f.law.name(),
                hours(p.mean),
                sig3(f.aic),
                sig3(f.aic - best_aic),
                sig3(f.ks)
            )
        })
        .collect();
    let notes = wrap(
        &[
            "points: durations that ended in view, at the midpoints of the Kaplan–Meier steps (censored durations move the points, and are not drawn)".into(),
            "a Weibull law is a straight line here; Δ: AIC above the best; KS: largest gap between the fitted CDF and Kaplan–Meier".into(),
        ],
        size::NOTE,
        WIDTH - 2 * MARGIN,
    );
    let plot_top = 72 + 12;
    let y1 = plot_top + PLOT_H;
    let legend_top = y1 + 52;
    let height = legend_top + 20 * legend.len() as i32 + 10 + 16 * notes.len() as i32 + 12;
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    let mut svg = String::new();
    {
        let mut c = Canvas::new(&mut svg, WIDTH, height);
        c.header(&title, &subtitle);
        let xs = Scale::new(x_lo, x_hi, x0, x1);
        let ys = Scale::new(y_lo, y_hi, y1, plot_top);
        // Grid and ticks: round durations across (at least 70 pixels apart), probabilities up.
        let mut last = i32::MIN / 2;
        for (h, label) in TICKS {
            let v = h.log10();
            if v < x_lo || v > x_hi {
                continue;
            }
            let x = xs.px(v);
            if x - last < 70 {
                c.line(&[(x, plot_top), (x, y1)], solid(palette::SHADE), 1);
                continue;
            }
            last = x;
            c.line(&[(x, plot_top), (x, y1)], solid(palette::GRID), 1);
            c.text(label, (x, y1 + 8), size::LABEL, palette::MUTED, Anchor::TOP);
        }
        for p in PROBS {
            let y = weibull_y(p);
            if y < y_lo || y > y_hi {
                continue;
            }
            let py = ys.px(y);
            c.line(&[(x0, py), (x1, py)], solid(palette::GRID), 1);
            c.text(
                &format!(
                    "{}%",
                    sig3(p * 100.0).trim_end_matches('0').trim_end_matches('.')
                ),
                (x0 - 7, py),
                size::LABEL,
                palette::MUTED,
                Anchor::RIGHT,
            );
        }
        c.line(
            &[(x0, plot_top), (x0, y1), (x1, y1)],
            solid(palette::AXIS),
            1,
        );
        c.text(
            &format!("{what} (log scale)"),
            ((x0 + x1) / 2, y1 + 28),
            size::AXIS,
            palette::MUTED,
            Anchor::TOP,
        );
        c.text_up(
            "cumulative probability (Weibull scale)",
            (MARGIN + 2, (plot_top + y1) / 2),
            size::AXIS,
            palette::MUTED,
        );
        // Curves, worst first so that the best is on top.
        for (i, f) in q.fits.iter().enumerate().rev() {
            let color = color(f.law);
            let p = f.params();
            let line: Vec<(i32, i32)> = (0..=CURVE_POINTS)
                .filter_map(|k| {
                    let v = x_lo + (x_hi - x_lo) * k as f64 / CURVE_POINTS as f64;
                    let y = weibull_y(p.cdf(10f64.powf(v)));
                    (y.is_finite() && y >= y_lo && y <= y_hi).then(|| (xs.px(v), ys.px(y)))
                })
                .collect();
            if line.len() > 1 {
                let width = if i == 0 { 3 } else { 2 };
                c.line(&line, alpha(color, if i == 0 { 1.0 } else { 0.7 }), width);
            }
        }
        for &(t, f) in &points {
            let y = weibull_y(f);
            if y.is_finite() && t > 0.0 {
                let (px, py) = (xs.px_clamped(t.log10()), ys.px_clamped(y));
                c.dot((px, py), 4, solid(palette::TEXT));
                c.dot((px, py), 2, solid(palette::WHITE));
            }
        }
        for (i, text) in legend.iter().enumerate() {
            let y = legend_top + 20 * i as i32;
            let color = color(q.fits[i].law);
            c.line(
                &[(x0, y), (x0 + 22, y)],
                solid(color),
                if i == 0 { 3 } else { 2 },
            );
            let t = fit_text(text, size::LABEL, x1 - x0 - 30);
            c.text(&t, (x0 + 30, y), size::LABEL, palette::TEXT, Anchor::LEFT);
        }
        let ny = legend_top + 20 * legend.len() as i32 + 10;
        c.notes(&notes, (MARGIN, ny));
        c.finish()?;
    }
    Ok(Chart {
        name: name(&s.name, q).into(),
        title,
        svg: finish_svg(svg),
    })
}
