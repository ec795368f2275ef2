//! The services in plain words: their expressions, targets and what they depend on.

use std::fmt::Write as _;

use crate::base::format::percent;
use crate::base::units::format_duration;
use crate::model::{Model, Tolerance};

use super::plural;

/// The services: expression, target, site, and the components they depend on.
pub(super) fn write_services(model: &Model, out: &mut String) {
    let _ = writeln!(
        out,
        "{}:",
        plural(model.services.len(), "service", "services")
    );
    for s in &model.services {
        let target = s
            .target
            .map(|t| format!(", target {}", percent(t, 1.0 - t)))
            .unwrap_or_default();
        let site = s
            .site
            .map(|x| format!("; seen from site {}", model.sites[x].name))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  service {} = {}{target}{site}; depends on {}",
            s.name,
            s.expression,
            plural(s.support.len(), "component", "components")
        );
        if let Some(t) = &s.tolerance {
            let _ = writeln!(out, "    {}", tolerance_line(t));
            if t.judges_target {
                let _ = writeln!(
                    out,
                    "    its target is judged on impactful downtime (target_counts = \"impactful\")"
                );
            }
        }
    }
    if model.services.is_empty() {
        let _ = writeln!(
            out,
            "  (no services: every role is still measured; add [services] to get SLA figures)"
        );
    }
}

/// A grace period in plain words (for services and roles).
pub(super) fn tolerance_line(t: &Tolerance) -> String {
    let d = format_duration(t.hours);
    if t.whole {
        format!(
            "tolerance {d}: outages up to {d} are not impactful; a longer one counts whole as impactful downtime"
        )
    } else {
        format!(
            "tolerance {d}: outages up to {d} are not impactful; of a longer one, the time beyond {d} counts as impactful downtime"
        )
    }
}
