//! Axis ticks that read: round values in one unit per axis (the unit chosen from the axis range, then
//! steps of 1, 2, 2.5 or 5 times a power of ten in it), at least four where the range allows.

use crate::base::format::num;

/// A unit of time for an axis: hours per unit, the tick suffix and the name for the axis title.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    /// Hours in one unit.
    pub hours: f64,
    /// Suffix of tick labels, e.g. `ms`.
    pub short: &'static str,
    /// Name in an axis title, e.g. `milliseconds`.
    pub long: &'static str,
}

/// The units an axis of durations may use, smallest first.
pub const UNITS: [Unit; 5] = [
    Unit {
        hours: 1.0 / 3_600_000.0,
        short: "ms",
        long: "milliseconds",
    },
    Unit {
        hours: 1.0 / 3600.0,
        short: "s",
        long: "seconds",
    },
    Unit {
        hours: 1.0 / 60.0,
        short: "min",
        long: "minutes",
    },
    Unit {
        hours: 1.0,
        short: "h",
        long: "hours",
    },
    Unit {
        hours: 24.0,
        short: "d",
        long: "days",
    },
];

/// Ticks of an axis: the domain they cover (in the caller's units, hours for durations) and each
/// tick's value and label.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Start of the axis.
    pub lo: f64,
    /// End of the axis.
    pub hi: f64,
    /// (value, label), in increasing order.
    pub ticks: Vec<(f64, String)>,
    /// The unit of a duration axis, for its title.
    pub unit: Option<Unit>,
}

/// Steps per axis aimed at: five intervals, so that a round step leaves at least three (four ticks).
const STEPS: f64 = 5.0;

/// The round step (1, 2, 2.5 or 5 × 10^k) for `span` in about [`STEPS`] intervals: never fewer than
/// 2.5 of them, as the next smaller candidate step is at most twice as small.
pub fn step(span: f64) -> f64 {
    let span = if span > 0.0 && span.is_finite() {
        span
    } else {
        1.0
    };
    let raw = span / STEPS;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= STEPS * (1.0 + 1e-9))
        .unwrap_or(10.0 * mag)
}

/// A linear axis over `[lo, hi]` widened to whole steps, labelled by `label`.
pub fn linear(lo: f64, hi: f64, label: impl Fn(f64) -> String) -> Ticks {
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let s = step(hi - lo);
    let first = (lo / s + 1e-9).floor() as i64;
    let last = (hi / s - 1e-9).ceil() as i64;
    let ticks = (first..=last)
        .map(|k| {
            let v = k as f64 * s;
            // k × s rounds to the decimal it stands for (0.30000000000000004 → 0.3).
            let v = (v / s).round() * s;
            (v, label(v))
        })
        .collect();
    Ticks {
        lo: first as f64 * s,
        hi: last as f64 * s,
        ticks,
        unit: None,
    }
}

/// The unit a linear axis of durations up to `max_hours` reads best in: the largest of which the
/// axis holds at least two.
pub fn unit_for(max_hours: f64) -> Unit {
    *UNITS
        .iter()
        .rev()
        .find(|u| max_hours >= 2.0 * u.hours)
        .unwrap_or(&UNITS[0])
}

/// A linear axis of durations over `[lo, hi]` hours, every tick in one unit (`0 ms, 200 ms, …`).
pub fn linear_duration(lo: f64, hi: f64) -> Ticks {
    let unit = unit_for(hi.abs().max(lo.abs()));
    let t = linear(lo / unit.hours, hi / unit.hours, |v| {
        format!("{} {}", num(v), unit.short)
    });
    Ticks {
        lo: t.lo * unit.hours,
        hi: t.hi * unit.hours,
        ticks: t
            .ticks
            .into_iter()
            .map(|(v, l)| (v * unit.hours, l))
            .collect(),
        unit: Some(unit),
    }
}

/// A decimal without exponent or trailing zeros, for tick values that are powers of ten times 1, 2,
/// 3 or 5 (`0.001`, `20`, `3000`).
fn plain(v: f64) -> String {
    if v >= 1.0 {
        return format!("{}", v.round() as i64);
    }
    let digits = (-v.log10()).ceil() as usize;
    let s = format!("{v:.digits$}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A log axis of durations over `[lo, hi]` hours (both positive), every tick in one unit, with ticks
/// at 1, 2 and 5 (up to two decades), 1 and 3 (up to four) or 1 (more) times the powers of ten in it.
/// The unit is the one whose labels are shortest: the fewest digits at either end (`0.001` and `1000`
/// both count three), a larger unit kept unless a smaller one saves more than half a digit.
/// `lo` and `hi` are kept.
pub fn log_duration(lo: f64, hi: f64) -> Ticks {
    let digits = |u: &Unit| (hi / u.hours).log10().max(-(lo / u.hours).log10()).max(0.0);
    let mut unit = UNITS[UNITS.len() - 1];
    for u in UNITS.iter().rev().skip(1) {
        if digits(u) < digits(&unit) - 0.5 {
            unit = *u;
        }
    }
    let (a, b) = (lo / unit.hours, hi / unit.hours);
    let (e0, e1) = (
        (a.log10() - 1e-9).floor() as i32,
        (b.log10() + 1e-9).ceil() as i32,
    );
    let decades = (b / a).log10();
    let mults: &[f64] = if decades <= 2.0 + 1e-9 {
        &[1.0, 2.0, 5.0]
    } else if decades <= 4.0 + 1e-9 {
        &[1.0, 3.0]
    } else {
        &[1.0]
    };
    let mut ticks = Vec::new();
    for e in e0..=e1 {
        for m in mults {
            let v = m * 10f64.powi(e);
            if v >= a * (1.0 - 1e-9) && v <= b * (1.0 + 1e-9) {
                ticks.push((v * unit.hours, format!("{} {}", plain(v), unit.short)));
            }
        }
    }
    Ticks {
        lo,
        hi,
        ticks,
        unit: Some(unit),
    }
}

/// Nines of an unavailability `m × 10^-e`: `e − log10(m)`.
fn nines_at(m: f64, e: i32) -> f64 {
    e as f64 - m.log10()
}

/// Ticks of a nines axis from `lo` to `hi` nines (whole numbers) drawn `length` pixels long,
/// labelled as availabilities in percent (`99%`, `99.5%`, `99.9%`): the whole nines, and when they are
/// fewer than five the availabilities whose unavailability is 2 and 5 (or only 5) times a power of
/// ten, when those ticks stay `gap` pixels apart (a label's width along a horizontal axis).
pub fn nines(lo: f64, hi: f64, length: f64, gap: f64) -> Vec<(f64, String)> {
    let (lo_k, hi_k) = (lo.round() as i32, hi.round() as i32);
    let per_nine = length / (hi - lo).max(1e-9);
    // The closest two ticks of a set: 5× is 0.301 of a nine below the whole nine, 2× 0.398 below 5×.
    let closest = 2f64.log10();
    let mults: &[f64] = if hi_k - lo_k >= 4 || closest * per_nine < gap {
        &[1.0]
    } else if hi_k - lo_k <= 2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0, 5.0]
    };
    let mut out = Vec::new();
    for e in lo_k..=hi_k + 1 {
        for &m in mults {
            let k = nines_at(m, e);
            if k >= lo - 1e-9 && k <= hi + 1e-9 {
                out.push((k, availability(m, e)));
            }
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// `1 − m × 10^-e` in percent with exactly the decimals it needs: `99.5%`, `99.98%`.
fn availability(m: f64, e: i32) -> String {
    if e <= 0 {
        return "0%".into();
    }
    let decimals = (e as usize).saturating_sub(2);
    format!("{:.*}%", decimals, (1.0 - m * 10f64.powi(-e)) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suffix of a tick label (its unit), and its number.
    fn split(label: &str) -> (f64, &str) {
        let (n, u) = label.split_once(' ').unwrap_or((label, ""));
        (n.parse().unwrap_or_else(|_| panic!("{label}")), u)
    }

    /// Whether `v` is 1, 2, 2.5 or 5 times a power of ten (or, on log axes, 3).
    fn round(v: f64) -> bool {
        if v == 0.0 {
            return true;
        }
        let mag = 10f64.powf(v.abs().log10().floor());
        let m = v.abs() / mag;
        [1.0, 2.0, 2.5, 3.0, 5.0, 10.0]
            .iter()
            .any(|r| (m - r).abs() < 1e-6)
    }

    /// Ranges from milliseconds to years: every tick in one unit, round in it, evenly stepped, at
    /// least four, covering the range.
    #[test]
    fn linear_duration_ticks_are_round_in_one_unit() {
        let s = 1.0 / 3600.0;
        for (lo, hi) in [
            (0.0, 1.08 * s),
            (0.0, 2.88 * s),
            (0.0, 0.0004),
            (0.0, 0.7),
            (0.0, 3.87),
            (0.0, 8.76 * 1.08),
            (0.0, 200.0),
            (0.0, 9000.0),
            (0.0, 0.03 * s),
            (1.0, 1.3),
        ] {
            let t = linear_duration(lo, hi);
            assert!(t.ticks.len() >= 4, "{lo}..{hi}: {:?}", t.ticks);
            assert!(t.lo <= lo + 1e-12 && t.hi >= hi - 1e-12, "{t:?}");
            let units: Vec<&str> = t.ticks.iter().map(|(_, l)| split(l).1).collect();
            assert!(units.iter().all(|u| *u == units[0]), "{:?}", t.ticks);
            let nums: Vec<f64> = t.ticks.iter().map(|(_, l)| split(l).0).collect();
            let step = nums[1] - nums[0];
            assert!(round(step), "step {step} of {:?}", t.ticks);
            for w in nums.windows(2) {
                assert!(((w[1] - w[0]) - step).abs() < step * 1e-6, "{nums:?}");
            }
            for n in &nums {
                assert!(
                    (n / step - (n / step).round()).abs() < 1e-6,
                    "{n} is not a multiple of {step}"
                );
            }
        }
        // The sweep axis: 720 ms and 1.44 s on one axis no more.
        let t = linear_duration(0.0, 1.44 / 3600.0);
        assert!(t.ticks.iter().all(|(_, l)| l.ends_with(" ms")), "{t:?}");
        assert_eq!(t.ticks[1].1, "500 ms");
    }

    #[test]
    fn log_duration_ticks_are_round_in_one_unit() {
        let s = 1.0 / 3600.0;
        for (lo, hi) in [
            (0.01 * s, 100.0 * s),
            (0.1 * s, 10_000.0 * s),
            (0.01 * s, 0.3 * s),
            (1e-6, 10.0),
            (0.001, 100.0),
        ] {
            let t = log_duration(lo, hi);
            assert!(t.ticks.len() >= 4, "{lo}..{hi}: {:?}", t.ticks);
            let units: Vec<&str> = t.ticks.iter().map(|(_, l)| split(l).1).collect();
            assert!(units.iter().all(|u| *u == units[0]), "{:?}", t.ticks);
            for (v, l) in &t.ticks {
                let (n, _) = split(l);
                assert!(round(n), "{l}");
                assert!(*v >= lo * 0.999 && *v <= hi * 1.001, "{l} outside");
                assert!(!l.contains('e'), "{l}");
            }
        }
        // The latency axis (2.78 h, 16.7 min, 100 s): one unit throughout.
        let t = log_duration(0.1 * s, 10_000.0 * s);
        assert!(t.ticks.iter().all(|(_, l)| l.ends_with(" min")), "{t:?}");
        let t = log_duration(0.01 * s, 100.0 * s);
        assert!(t.ticks.iter().all(|(_, l)| l.ends_with(" s")), "{t:?}");
        let t = log_duration(0.001, 10.0);
        assert!(t.ticks.iter().all(|(_, l)| l.ends_with(" h")), "{t:?}");
    }

    #[test]
    fn nines_ticks_are_percentages_and_at_least_four() {
        let t = nines(2.0, 4.0, 700.0, 80.0);
        let labels: Vec<&str> = t.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            labels,
            [
                "99%", "99.5%", "99.8%", "99.9%", "99.95%", "99.98%", "99.99%"
            ]
        );
        assert!(nines(2.0, 5.0, 700.0, 80.0).len() >= 4);
        let labels = |lo: f64, hi: f64| -> Vec<String> {
            nines(lo, hi, 700.0, 80.0)
                .into_iter()
                .map(|t| t.1)
                .collect()
        };
        // Too close for labels: whole nines only (they overlapped on a 3-nines axis 780 px wide).
        assert_eq!(nines(2.0, 5.0, 780.0, 90.0).len(), 4);
        assert_eq!(nines(2.0, 4.0, 200.0, 90.0).len(), 3);
        assert!(labels(1.0, 3.0).starts_with(&["90%".to_string()]));
        assert!(labels(3.0, 5.0).contains(&"99.999%".to_string()));
        assert_eq!(labels(0.0, 2.0)[0], "0%");
        assert_eq!(nines(2.0, 8.0, 700.0, 20.0).len(), 7);
        for w in t.windows(2) {
            assert!(w[0].0 < w[1].0);
        }
    }

    #[test]
    fn linear_ticks_widen_to_whole_steps() {
        let t = linear(0.0, 7.3, num);
        assert_eq!(t.hi, 8.0);
        assert_eq!(
            t.ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["0", "2", "4", "6", "8"]
        );
        let t = linear(0.0, 0.3, num);
        assert!(t.ticks.iter().any(|(_, l)| l == "0.3"), "{t:?}");
    }
}
