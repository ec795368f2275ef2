//! Repair crews: technicians shared by the components that name them.

use crate::base::dist::Dist;

/// Order in which a crew takes waiting repairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrewPolicy {
    /// First come, first served.
    Fifo,
    /// Smallest `priority` first, first come first served among equals.
    Priority,
}

/// A repair crew: a number of technicians shared by the components that name it.
#[derive(Debug, Clone)]
pub struct Crew {
    /// Unique name.
    pub name: String,
    /// Technicians working in parallel.
    pub technicians: u32,
    /// Delay between assigning a technician and the repair starting (travel, parts); the technician is busy.
    pub dispatch: Option<Dist>,
    /// Queue order.
    pub policy: CrewPolicy,
    /// Key of the crew's random stream (dispatch delays).
    pub stream_key: u64,
}
