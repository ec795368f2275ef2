//! Planned maintenance: schedules and what a rolling window must keep up.

use crate::base::units::Hours;

use super::ComponentId;

/// Which nodes a rolling maintenance must keep available.
#[derive(Debug, Clone, PartialEq)]
pub enum Guard {
    /// Not rolling: all listed nodes go down together.
    None,
    /// Rolling over a node list: never take the last listed node that is up.
    KeepOneUp,
    /// Rolling over a role's nodes: never take a node whose loss would make the role unavailable.
    Role(usize),
}

/// A maintenance schedule (patch nights).
#[derive(Debug, Clone)]
pub struct Maintenance {
    /// Unique name.
    pub name: String,
    /// Interval between window starts.
    pub every: Hours,
    /// Time each node spends in maintenance.
    pub duration: Hours,
    /// Start of the first window.
    pub offset: Hours,
    /// Nodes, in the order a rolling window takes them.
    pub nodes: Vec<ComponentId>,
    /// Rolling (one node at a time) and what it must keep up.
    pub guard: Guard,
}
