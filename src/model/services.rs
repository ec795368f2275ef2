//! What the user measures: services, expressions over roles and other services.

use super::{ComponentId, SignalId};
use crate::base::units::Hours;

/// A service expression over roles and other services.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A role, by index.
    Role(usize),
    /// A service, by index.
    Service(usize),
    /// Up when at least `need` children are up.
    Gate {
        /// Children that must be up.
        need: u32,
        /// Operator as written (`all_of`, `any_of`, `k_of`), for display.
        op: &'static str,
        /// Sub-expressions.
        children: Vec<Expr>,
    },
}

/// What the user measures: an expression over roles and other services.
#[derive(Debug, Clone)]
pub struct Service {
    /// Unique name.
    pub name: String,
    /// Free text from the scenario.
    pub description: Option<String>,
    /// Availability target (e.g. 0.999), used for SLA figures.
    pub target: Option<f64>,
    /// Grace period: outages up to this long do not count against the service's impactful downtime.
    pub tolerance: Option<Tolerance>,
    /// The expression; its top is always a gate.
    pub expr: Expr,
    /// Site it is seen from: references to roles at other sites need a WAN path.
    pub site: Option<usize>,
    /// Set by [`lower`](super::lower()): the expression as text, for display.
    pub expression: String,
    /// Set by [`lower`](super::lower()): gate that is up when the service is available.
    pub gate: SignalId,
    /// Set by [`lower`](super::lower()): components whose failure can contribute to this service's
    /// downtime.
    pub support: Vec<ComponentId>,
}

/// A service's grace period (`tolerance`) and how an outage longer than it counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Outages up to this long are not impactful, hours (> 0).
    pub hours: Hours,
    /// `tolerance_counts = "whole"`: an outage longer than the tolerance counts whole; otherwise
    /// (`"excess"`, the default) only its part beyond the tolerance counts.
    pub whole: bool,
    /// `target_counts = "impactful"` (services): the target is judged on impactful downtime (the sweep's
    /// and the comparison's verdicts, the report's headline) instead of all downtime.
    pub judges_target: bool,
}

impl Tolerance {
    /// The rule as written in outputs: "excess" or "whole".
    pub fn rule(&self) -> &'static str {
        if self.whole { "whole" } else { "excess" }
    }

    /// Impactful hours of an outage `len` hours long.
    #[inline]
    pub fn impact(&self, len: Hours) -> Hours {
        if len <= self.hours {
            0.0
        } else if self.whole {
            len
        } else {
            len - self.hours
        }
    }
}
