//! The services in plain words: their expressions, targets and what they depend on.

use std::fmt::Write as _;

use crate::base::format::percent;
use crate::model::Model;

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
    }
    if model.services.is_empty() {
        let _ = writeln!(
            out,
            "  (no services: every role is still measured; add [services] to get SLA figures)"
        );
    }
}
