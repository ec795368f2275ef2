//! The calendar of phases in plain words: when each phase holds, how long per week and per year,
//! and what changes in it (pools' `min_up`, populations' request rates, the services that count
//! only in some phases).

use std::fmt::Write as _;

use crate::base::format::hours;
use crate::base::units::HOURS_PER_YEAR;
use crate::model::{Model, RoleKind};

use super::{pct, plural};

/// One line per phase, then one per service that counts only in some phases.
pub(super) fn write_phases(model: &Model, out: &mut String) {
    let ph = &model.phases;
    if ph.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{} (a 365-day year from Monday 1 January at mission time 0, the same every year):",
        plural(ph.list.len(), "phase", "phases")
    );
    for p in &ph.list {
        let changes: Vec<String> = p
            .min_up
            .iter()
            .map(|&(r, n)| {
                let role = &model.roles[r];
                let (size, usual) = match &role.kind {
                    RoleKind::Pool { nodes, min_up } => (nodes.len(), *min_up),
                    _ => (0, 0),
                };
                format!("pool {} needs {n} of {size} up (else {usual})", role.name)
            })
            .chain(p.rates.iter().map(|&(pop, f)| {
                format!(
                    "clients {} make {}× their usual requests",
                    model.populations[pop].name,
                    crate::base::units::trim_float(f)
                )
            }))
            .collect();
        let changes = if changes.is_empty() {
            String::new()
        } else {
            format!("; {}", changes.join(", "))
        };
        let _ = writeln!(
            out,
            "  phase {}: {}, {} per week on average, {} per year ({} of the time){changes}",
            p.name,
            p.rule,
            hours(p.hours_per_year * 7.0 / 365.0),
            hours(p.hours_per_year),
            pct(p.hours_per_year / HOURS_PER_YEAR),
        );
    }
    for (s, svc) in model.services.iter().enumerate() {
        if ph.partial(s) {
            let names: Vec<&str> = ph
                .list
                .iter()
                .enumerate()
                .filter(|&(p, _)| ph.needed[s] & (1 << p) != 0)
                .map(|(_, p)| p.name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  service {} is needed only in {}: its `needed` availability counts those hours alone (its headline figures count every hour)",
                svc.name,
                names.join(", ")
            );
        }
    }
}
