//! `nines fit`'s outputs as text: the table on the terminal, `fits.csv`, and the scenario lines to
//! paste (`failure = { ... }` and `repair = { ... }` of the best law by AIC).

use std::fmt::Write as _;

use crate::analyses::fit::laws::Law;
use crate::analyses::fit::mle::Fit;
use crate::analyses::fit::{FitReport, QuantityFits, SubjectFits};
use crate::base::format::{csv_text, hours, sig3};
use crate::base::units::HOURS_PER_YEAR;

/// How the intervals and the goodness of fit are computed, for the table and the README.
pub const METHOD: &str = "intervals: 95% Wald on the log scale from the observed information; KS: largest gap between the fitted CDF and the Kaplan–Meier estimate (no p-value: with estimated parameters and censoring the KS tables do not apply); ranked by AIC: laws within 2 of the best (ΔAIC < 2) fit about as well";

/// A duration that may be years long: in years from two years on.
fn long(h: f64) -> String {
    if h >= 2.0 * HOURS_PER_YEAR {
        format!("{}y", sig3(h / HOURS_PER_YEAR))
    } else {
        hours(h)
    }
}

fn ci(lo: f64, hi: f64, f: impl Fn(f64) -> String) -> String {
    if lo.is_finite() && hi.is_finite() {
        format!("{}–{}", f(lo), f(hi))
    } else {
        "n/a".into()
    }
}

fn quantity_block(out: &mut String, q: &QuantityFits) {
    let what = match q.quantity {
        crate::analyses::fit::Quantity::Failure => ("time to failure", "failures"),
        crate::analyses::fit::Quantity::Repair => ("time to repair", "repairs"),
    };
    let _ = writeln!(
        out,
        "  {}: {} {}, {} censored, {} in all",
        what.0,
        q.events,
        what.1,
        q.censored,
        long(q.exposure_hours)
    );
    let best = q.fits.first().map_or(0.0, |f| f.aic);
    if !q.fits.is_empty() {
        let _ = writeln!(
            out,
            "    {:<4} {:<11} {:<26} {:<28} {:>9} {:>8} {:>6} {:>5}",
            "rank",
            "law",
            "mean (95% CI)",
            "shape or sigma (95% CI)",
            "log-lik",
            "AIC",
            "ΔAIC",
            "KS"
        );
    }
    for (i, f) in q.fits.iter().enumerate() {
        let shape = match (f.law.shape_name(), f.shape, f.shape_ci) {
            (Some(n), Some(s), Some((lo, hi))) => format!("{n} {} ({})", sig3(s), ci(lo, hi, sig3)),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "    {:<4} {:<11} {:<26} {:<28} {:>9.2} {:>8.2} {:>6.2} {:>5.3}",
            i + 1,
            f.law.name(),
            format!(
                "{} ({})",
                hours(f.mean),
                ci(f.mean_ci.0, f.mean_ci.1, hours)
            ),
            shape,
            f.log_likelihood,
            f.aic,
            f.aic - best,
            f.ks
        );
        if let Some(n) = &f.note {
            let _ = writeln!(out, "         note: {n}");
        }
    }
    skipped(out, q);
}

/// The laws not fitted and why; one line when every law has the same reason.
fn skipped(out: &mut String, q: &QuantityFits) {
    let Some(first) = q.skipped.first() else {
        return;
    };
    if q.fits.is_empty() && q.skipped.iter().all(|s| s.1 == first.1) {
        let _ = writeln!(out, "    no law fitted: {}", first.1);
        return;
    }
    for (law, why) in &q.skipped {
        let _ = writeln!(out, "    {}: not fitted: {why}", law.name());
    }
}

/// The table printed by `nines fit`, then the lines to paste.
pub fn table(r: &FitReport) -> String {
    let mut out = String::new();
    let clock = match r.clock {
        crate::analyses::fit::incidents::Clock::Calendar => "calendar times",
        crate::analyses::fit::incidents::Clock::Hours => "times in hours",
    };
    let _ = writeln!(
        out,
        "{}: {} components, {} outages, {clock}; fitted by {}",
        r.file,
        r.components,
        r.outages,
        r.by.as_str()
    );
    if r.no_window_start > 0 {
        let _ = writeln!(
            out,
            "note: {} of {} components have no window_start: when watching began is unknown, so their times to failure are counted from their first repair",
            r.no_window_start, r.components
        );
    }
    if r.no_window_end > 0 {
        let _ = writeln!(
            out,
            "note: {} of {} components have no window_end: their window ends at the file's latest time",
            r.no_window_end, r.components
        );
    }
    for s in &r.subjects {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", heading(s));
        quantity_block(&mut out, &s.failure);
        quantity_block(&mut out, &s.repair);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{METHOD}");
    let _ = writeln!(out);
    out.push_str(&paste(r));
    out
}

fn heading(s: &SubjectFits) -> String {
    let comps = if s.components.len() == 1 && s.components[0] == s.name {
        String::new()
    } else {
        let shown: Vec<&str> = s.components.iter().take(6).map(String::as_str).collect();
        let more = if s.components.len() > 6 {
            format!(", … {} more", s.components.len() - 6)
        } else {
            String::new()
        };
        format!(
            ": {} components ({}{more})",
            s.components.len(),
            shown.join(", ")
        )
    };
    let name = match s.by {
        crate::analyses::fit::By::All => "all components pooled".to_string(),
        by => format!("{} {}", by.as_str(), s.name),
    };
    format!("{name}{comps}, {} observed", long(s.observed_hours))
}

/// The lines to paste into a scenario: per subject, the best law by AIC for `failure` and `repair`.
pub fn paste(r: &FitReport) -> String {
    let mut out = String::from(
        "Paste into the scenario (best law by AIC; durations as in the scenario language):\n",
    );
    for s in &r.subjects {
        let _ = writeln!(out, "  # {}", heading(s));
        for q in [&s.failure, &s.repair] {
            match q.best() {
                Some(f) => {
                    let _ = writeln!(out, "  {} = {}", q.quantity.as_str(), f.params().toml());
                    // The exponential about as well supported: simpler, and what exact mode needs.
                    if let Some(e) = q
                        .fits
                        .iter()
                        .find(|e| e.law == Law::Exponential && e.law != f.law)
                        .filter(|e| e.aic - f.aic < 2.0)
                    {
                        let _ = writeln!(
                            out,
                            "  # or, about as well supported (ΔAIC {:.2}) and exact-mode ready: {} = {}",
                            e.aic - f.aic,
                            q.quantity.as_str(),
                            e.params().toml()
                        );
                    }
                }
                None => {
                    let why = q
                        .skipped
                        .first()
                        .map_or("no data".to_string(), |s| s.1.clone());
                    let _ = writeln!(out, "  # {}: no law fitted ({why})", q.quantity.as_str());
                }
            }
        }
    }
    out
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// `fits.csv`: one row per subject, quantity and law (laws not fitted have an empty rank and say why).
pub fn csv(r: &FitReport) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "subject",
        "by",
        "quantity",
        "rank",
        "law",
        "events",
        "censored",
        "exposure_hours",
        "mean_hours",
        "mean_ci95_low",
        "mean_ci95_high",
        "shape_name",
        "shape",
        "shape_ci95_low",
        "shape_ci95_high",
        "log_likelihood",
        "aic",
        "delta_aic",
        "ks",
        "scenario",
        "note",
    ])?;
    for s in &r.subjects {
        for q in [&s.failure, &s.repair] {
            let best = q.best().map_or(f64::NAN, |f| f.aic);
            let row = |rank: String, f: Option<&Fit>, law: &str, note: &str| {
                let (sn, sh, slo, shi) = match f.and_then(|f| f.law.shape_name().zip(f.shape)) {
                    Some((n, v)) => {
                        let (lo, hi) = f.and_then(|f| f.shape_ci).unwrap_or((f64::NAN, f64::NAN));
                        (n.to_string(), num(v), num(lo), num(hi))
                    }
                    None => Default::default(),
                };
                vec![
                    csv_text(&s.name).into_owned(),
                    s.by.as_str().into(),
                    q.quantity.as_str().into(),
                    rank,
                    law.into(),
                    q.events.to_string(),
                    q.censored.to_string(),
                    num(q.exposure_hours),
                    f.map_or(String::new(), |f| num(f.mean)),
                    f.map_or(String::new(), |f| num(f.mean_ci.0)),
                    f.map_or(String::new(), |f| num(f.mean_ci.1)),
                    sn,
                    sh,
                    slo,
                    shi,
                    f.map_or(String::new(), |f| num(f.log_likelihood)),
                    f.map_or(String::new(), |f| num(f.aic)),
                    f.map_or(String::new(), |f| num(f.aic - best)),
                    f.map_or(String::new(), |f| num(f.ks)),
                    f.map_or(String::new(), |f| {
                        format!("{} = {}", q.quantity.as_str(), f.params().toml())
                    }),
                    csv_text(note).into_owned(),
                ]
            };
            for (i, f) in q.fits.iter().enumerate() {
                w.write_record(row(
                    (i + 1).to_string(),
                    Some(f),
                    f.law.name(),
                    f.note.as_deref().unwrap_or(""),
                ))?;
            }
            for (law, why) in &q.skipped {
                w.write_record(row(String::new(), None, law.name(), why))?;
            }
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
