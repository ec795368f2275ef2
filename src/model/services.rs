//! What the user measures: services, expressions over roles and other services.

use super::{ComponentId, SignalId};

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
