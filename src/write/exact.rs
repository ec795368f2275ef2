//! The report of `nines exact`: exact Markov figures side by side with rare-event and plain
//! simulation estimates when those were run (pure: results in, text out).

use std::fmt::Write;

use crate::analyses::exact::Exact;
use crate::analyses::rare::{Rare, plain_replications};
use crate::analyses::split::Split;
use crate::base::stats::Estimate;
use crate::base::units::{HOURS_PER_YEAR, format_duration};
use crate::estimate::summary::{Summary, nines_of};
use crate::model::Model;

/// Availability as a percentage with enough digits to show its first non-nine digit.
pub fn percent(unavailability: f64) -> String {
    if unavailability.is_nan() || unavailability <= 0.0 {
        return "100%".into();
    }
    let digits = ((nines_of(unavailability) - 2.0).ceil() as usize + 2).clamp(2, 15);
    format!("{:.*}%", digits, 100.0 * (1.0 - unavailability))
}

/// An estimate's relative 95% half-width, `±1.23%`; when nothing was seen the estimate is zero and the
/// ratio undefined, so say that instead of `±NaN%`.
fn relative(u: &Estimate, runs: u64, of: &str) -> String {
    let rel = u.relative_half_width();
    if rel.is_finite() {
        format!("±{:.2}%", 100.0 * rel)
    } else {
        format!("(no outage seen in {runs} {of}; the relative error is undefined)")
    }
}

/// A small exact figure without an exponent: `75.9 per million`, `0.601`.
fn sci(x: f64) -> String {
    if x.is_nan() {
        "n/a".into()
    } else {
        crate::base::format::rare(x)
    }
}

/// An estimate and its interval on the value's scale: `4.99 [4.85, 5.12] per trillion`.
fn ci(e: &Estimate) -> String {
    let a = e.value.abs();
    let (scale, word) = if a == 0.0 || !a.is_finite() || a >= 1e-4 {
        (1.0, "")
    } else if a >= 1e-6 {
        (1e6, " per million")
    } else if a >= 1e-9 {
        (1e9, " per billion")
    } else if a >= 1e-12 {
        (1e12, " per trillion")
    } else {
        (1e15, " per quadrillion")
    };
    let f = |x: f64| {
        if x.is_nan() {
            "n/a".into()
        } else {
            crate::base::format::sig3(x * scale)
        }
    };
    format!(
        "{} [{}, {}]{word}",
        f(e.value),
        f(e.ci95_low.max(0.0)),
        f(e.ci95_high)
    )
}

/// Where an exact value falls against an estimate: inside or outside its 95% interval, and by how
/// many standard errors.
fn versus(e: &Estimate, exact: f64) -> String {
    let se = (e.ci95_high - e.value) / 1.96;
    if se.is_nan() || se <= 0.0 {
        return String::new();
    }
    let z = (e.value - exact) / se;
    let inside = e.ci95_low <= exact && exact <= e.ci95_high;
    format!(
        "exact {} the interval (z {z:+.2})",
        if inside { "inside" } else { "OUTSIDE" }
    )
}

/// The whole report. `exact` is missing when the chain was too large (then `note` says why); `rare`
/// and `sim` when they were not run. `threads` is shown with the rare-event timing. `mode` names the
/// command in the title line.
pub fn table(
    mode: &str,
    model: &Model,
    exact: Option<&Exact>,
    note: Option<&str>,
    rare: Option<(&Rare, usize)>,
    sim: Option<&Summary>,
) -> String {
    let mut out = String::new();
    let mission = model.simulation.mission;
    let _ = writeln!(
        out,
        "nines {} · scenario {} · {mode}",
        env!("CARGO_PKG_VERSION"),
        model.name
    );
    if let Some(x) = exact {
        let _ = writeln!(
            out,
            "Markov chain: {} states, {} transitions; steady state by {}{} (balance holds to {})",
            x.states,
            x.transitions,
            x.method,
            if x.sweeps > 0 {
                format!(" in {} sweeps", x.sweeps)
            } else {
                String::new()
            },
            balance_digits(x.residual)
        );
        for a in &x.approximated {
            let _ = writeln!(
                out,
                "  approximated by an exponential with the same mean: {a}"
            );
        }
        if !model.requests.is_empty() {
            let _ = writeln!(
                out,
                "  clients are not part of the chain: their figures need `nines run`"
            );
        }
        let _ = writeln!(out);
        let over = format!("over {}", format_duration(mission));
        let _ = writeln!(
            out,
            "{:<30} {:>22} {:>6} {:>18} {:>18} {:>11} {:>12} {:>18}",
            "entity",
            "availability",
            "nines",
            "unavailab.",
            "outages/yr",
            "mean outage",
            "at risk/yr",
            over
        );
        for e in &x.entities {
            let _ = writeln!(
                out,
                "{:<30} {:>22} {:>6.2} {:>18} {:>18} {:>11} {:>12} {:>18}",
                format!("{} {}", e.kind.as_str(), e.name),
                percent(e.unavailability),
                nines_of(e.unavailability),
                sci(e.unavailability),
                sci(e.outages_per_year),
                if e.mean_outage_hours.is_finite() {
                    format_duration(e.mean_outage_hours)
                } else {
                    "n/a".into()
                },
                format_duration(e.at_risk_hours_per_year),
                e.interval_unavailability.map_or("n/a".into(), sci)
            );
        }
        let _ = writeln!(
            out,
            "(steady state; the last column is the expected unavailability over a mission that starts all up)"
        );
        if let Some(n) = &x.interval_note {
            let _ = writeln!(out, "  note: {n}");
        }
        phases(&mut out, x, &over);
        for c in &x.clusters {
            let _ = writeln!(
                out,
                "cluster {}: without quorum {}/yr · quorum losses/yr {} (steady state)",
                c.name,
                format_duration(c.hours_without_quorum_per_year),
                sci(c.quorum_losses_per_year)
            );
        }
    }
    if let Some(n) = note {
        let _ = writeln!(out, "note: {n}");
    }
    if let Some((r, threads)) = rare {
        let _ = writeln!(out);
        let how = match r.bias {
            Some(b) => format!("importance sampling, balanced failure biasing {b}"),
            None => "plain regenerative simulation (no biasing)".into(),
        };
        let _ = writeln!(
            out,
            "rare-event simulation ({how}): {} cycles, {} jumps in {:.2}s on {threads} thread{}",
            r.cycles,
            r.steps,
            r.seconds,
            if threads == 1 { "" } else { "s" }
        );
        for a in &r.approximated {
            if exact.is_none() {
                let _ = writeln!(
                    out,
                    "  approximated by an exponential with the same mean: {a}"
                );
            }
        }
        for (i, e) in r.entities.iter().enumerate() {
            let u = &e.unavailability;
            let mut line = format!(
                "  {:<28} unavailability {} {} · outages/yr {}",
                format!("{} {}", e.kind.as_str(), e.name),
                ci(u),
                relative(u, r.cycles, "regenerative cycles"),
                ci(&e.outages_per_year)
            );
            if let Some(x) = exact {
                let _ = write!(line, " · {}", versus(u, x.entities[i].unavailability));
            }
            let _ = writeln!(out, "{}", line.trim_end_matches(" · "));
        }
        if let Some(e) = r.entities.first() {
            let rel = e.unavailability.relative_half_width();
            let f = exact.map_or(e.outages_per_year.value, |x| x.entities[0].outages_per_year);
            if f > 0.0 && rel.is_finite() {
                let _ = writeln!(
                    out,
                    "  plain Monte Carlo would need about {} replications of {} for the same ±{:.1}% on {}",
                    crate::base::format::count(plain_replications(f, mission, rel)),
                    format_duration(mission),
                    100.0 * rel,
                    e.name
                );
            }
        }
    }
    if let Some(s) = sim {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "simulation: {} replications of {} (seed {})",
            s.replications,
            format_duration(mission),
            model.simulation.seed
        );
        for (i, e) in s.entities.iter().enumerate() {
            let mut line = format!(
                "  {:<28} unavailability {} · outages/yr {} ({} outages)",
                format!("{} {}", e.kind.as_str(), e.name),
                ci(&e.unavailability),
                ci(&e.outages_per_year),
                e.total_outages
            );
            if let Some(iu) = exact.and_then(|x| x.entities.get(i)?.interval_unavailability) {
                let _ = write!(line, " · {}", versus(&e.unavailability, iu));
            }
            let _ = writeln!(out, "{}", line.trim_end_matches(" · "));
        }
        for p in &s.phases {
            let u = flip(&p.availability);
            let mut line = format!(
                "  {:<28} unavailability {}",
                format!("{}.{}", p.service, p.phase),
                ci(&u)
            );
            let exact = exact.and_then(|x| {
                x.phases
                    .iter()
                    .find(|e| e.service == p.service && e.phase == p.phase)?
                    .interval_unavailability
            });
            if let Some(iu) = exact.filter(|v| v.is_finite()) {
                let _ = write!(line, " · {}", versus(&u, iu));
            }
            let _ = writeln!(out, "{}", line.trim_end_matches(" · "));
        }
        let _ = writeln!(
            out,
            "  (the simulation is compared with the exact figure over the mission, not the steady state)"
        );
    }
    let _ = HOURS_PER_YEAR;
    out
}

/// An availability estimate as an unavailability one.
fn flip(e: &Estimate) -> Estimate {
    Estimate {
        value: 1.0 - e.value,
        ci95_low: 1.0 - e.ci95_high,
        ci95_high: 1.0 - e.ci95_low,
        n: e.n,
    }
}

/// The phases block: per service and phase of the calendar, the steady-state figures in the phase
/// and the unavailability and downtime over the mission (`nines run`'s phase figures).
fn phases(out: &mut String, x: &Exact, over: &str) {
    if x.phases.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nphases (per service: figures in the phase = time down in it / time in it; `needed` = over the phases the service is needed in)"
    );
    let _ = writeln!(
        out,
        "{:<30} {:>10} {:>22} {:>18} {:>12} {:>18} {:>18} {:>12}",
        "service.phase",
        "hours/yr",
        "availability",
        "unavailab.",
        "downtime/yr",
        "outages/yr",
        over,
        "downtime/yr"
    );
    for p in &x.phases {
        let _ = writeln!(
            out,
            "{:<30} {:>10} {:>22} {:>18} {:>12} {:>18} {:>18} {:>12}",
            format!("{}.{}", p.service, p.phase),
            format_duration(p.hours_per_year),
            percent(p.unavailability),
            sci(p.unavailability),
            format_duration(p.downtime_hours_per_year),
            p.outages_per_year.map_or("n/a".into(), sci),
            p.interval_unavailability.map_or("n/a".into(), sci),
            p.interval_downtime_hours_per_year
                .map_or("n/a".into(), format_duration)
        );
    }
    for p in x.phases.iter().filter(|p| p.phase != "needed") {
        let needed = if p.counts { "" } else { " (not needed)" };
        let _ = writeln!(out, "  {}.{}: {}{needed}", p.service, p.phase, p.when);
    }
    let _ = writeln!(
        out,
        "(steady state; outages/yr: those that begin in the phase, its start included; the last two columns are over a mission that starts all up, the figures `nines run` reports per phase)"
    );
}

/// The report of an importance-splitting run: its thresholds and factors, each entity's estimates over
/// the mission, the exact figure over the mission beside them when the chain could be solved, and what
/// plain Monte Carlo would need for the same precision.
pub fn split_table(
    model: &Model,
    r: &Split,
    threads: usize,
    exact: Option<&Exact>,
    note: Option<&str>,
) -> String {
    let mut out = String::new();
    let mission = model.simulation.mission;
    let _ = writeln!(
        out,
        "nines {} · scenario {} · rare events by importance splitting (RESTART)",
        env!("CARGO_PKG_VERSION"),
        model.name
    );
    let _ = writeln!(
        out,
        "{} missions of {} (seed {}), {} copies, {} events in {:.2}s (pilot {:.2}s) on {threads} thread{}",
        r.missions,
        format_duration(mission),
        model.simulation.seed,
        r.copies,
        r.events,
        r.seconds,
        r.pilot_seconds,
        if threads == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "importance: failures towards an outage of {} ({} from all up); copies at thresholds: {}",
        r.guide,
        r.distance,
        if r.thresholds.iter().all(|t| t.factor <= 1) {
            "none (plain simulation)".into()
        } else {
            r.thresholds
                .iter()
                .filter(|t| t.factor > 1)
                .map(|t| match t.up_probability {
                    Some(p) => format!(
                        "{}: ×{} (P(next) {})",
                        t.importance,
                        t.factor,
                        crate::base::format::rare(p)
                    ),
                    None => format!("{}: ×{}", t.importance, t.factor),
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if !model.requests.is_empty() {
        let _ = writeln!(
            out,
            "  clients are not simulated here: their figures need `nines run`"
        );
    }
    let _ = writeln!(out);
    for (i, e) in r.entities.iter().enumerate() {
        let u = &e.unavailability;
        let mut line = format!(
            "  {:<28} unavailability {} {} · {} nines · outages/yr {} · mean outage {}",
            format!("{} {}", e.kind.as_str(), e.name),
            ci(u),
            relative(u, r.missions, "missions"),
            if u.value > 0.0 {
                format!("{:.2}", nines_of(u.value))
            } else {
                "n/a".into()
            },
            ci(&e.outages_per_year),
            if e.mean_outage.value.is_finite() {
                format_duration(e.mean_outage.value)
            } else {
                "n/a".into()
            }
        );
        if let Some(iu) = exact.and_then(|x| x.entities.get(i)?.interval_unavailability) {
            let _ = write!(line, " · {}", versus(u, iu));
        }
        let _ = writeln!(out, "{}", line.trim_end_matches(" · "));
    }
    if exact.is_some() {
        let _ = writeln!(
            out,
            "  (compared with the exact unavailability over the mission from the Markov chain)"
        );
    }
    for n in note.iter().chain(r.note.as_deref().iter()) {
        let _ = writeln!(out, "  note: {n}");
    }
    if let Some(e) = r.entities.first() {
        let rel = e.unavailability.relative_half_width();
        let f = e.outages_per_year.value;
        if f > 0.0 && rel.is_finite() {
            let _ = writeln!(
                out,
                "  plain Monte Carlo would need about {} replications of {} for the same ±{:.1}% on {}",
                crate::base::format::count(plain_replications(f, mission, rel)),
                format_duration(mission),
                100.0 * rel,
                e.name
            );
        }
    }
    out
}

/// How closely the steady state balances, in words a planner reads without exponents: the number of
/// significant digits to which every state's flow in equals its flow out.
fn balance_digits(residual: f64) -> String {
    if residual == 0.0 {
        return "every digit".into();
    }
    if !residual.is_finite() || residual < 0.0 {
        return "less than one digit".into();
    }
    let digits = (-residual.log10()).floor().clamp(0.0, 16.0) as u32;
    match digits {
        0 => "less than one digit".into(),
        1 => "1 digit".into(),
        d => format!("{d} digits"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn balance_is_told_in_digits_not_exponents() {
        assert_eq!(super::balance_digits(1.5e-12), "11 digits");
        assert_eq!(super::balance_digits(0.0), "every digit");
        assert_eq!(super::balance_digits(0.5), "less than one digit");
        assert_eq!(super::balance_digits(0.05), "1 digit");
    }

    use super::*;
    use crate::analyses::split::{SplitEntity, Threshold};
    use crate::model::EntityKind;

    fn zero(n: u64) -> Estimate {
        Estimate {
            value: 0.0,
            ci95_low: 0.0,
            ci95_high: 0.0,
            n,
        }
    }

    /// `nines rare` printed "±NaN%" when no outage was seen.
    #[test]
    fn no_outage_seen_is_said_not_nan() {
        let model = crate::scenario::compile(
            "[simulation]\nmission = \"1y\"\n[nodes.a]\nfailure = { dist = \"weibull\", shape = 1.5, scale = \"1000y\" }\nrepair = { dist = \"fixed\", value = \"1h\" }\n[roles.r]\nkind = \"pool\"\non = \"a\"\nmin_up = 1\n[services.s]\nall_of = [\"r\"]\n",
            "t.toml",
        )
        .unwrap();
        let entity = |kind, name: &str| SplitEntity {
            kind,
            name: name.into(),
            unavailability: zero(32),
            outages_per_year: zero(32),
            mean_outage: Estimate {
                value: f64::NAN,
                ..zero(32)
            },
        };
        let r = Split {
            missions: 32,
            copies: 0,
            events: 10,
            guide: "s".into(),
            distance: 1,
            thresholds: vec![Threshold {
                importance: 1,
                factor: 1,
                up_probability: None,
                pilot_trials: 0,
            }],
            pilot_seconds: 0.0,
            seconds: 0.0,
            entities: vec![
                entity(EntityKind::Service, "s"),
                entity(EntityKind::Role, "r"),
            ],
            note: None,
        };
        let text = split_table(&model, &r, 1, None, None);
        assert!(!text.contains("NaN"), "{text}");
        assert!(
            text.contains("no outage seen in 32 missions; the relative error is undefined"),
            "{text}"
        );
    }
}
