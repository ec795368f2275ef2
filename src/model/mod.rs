//! The compiled model: what a scenario becomes after validation. Names are resolved to indices; the
//! combinational part of the system (domains, pools, dependencies, WAN paths, service expressions) is
//! flattened by [`lower()`] into one graph of threshold gates, and the stateful part (failover clusters,
//! database replicas, restores, software failures) is described by [`Machine`]s the engine runs.
//!
//! Signals are numbered: component hardware states first (`0..components.len()`), then the other
//! primitive signals the engine sets directly (maintenance flags, outputs of role machines), then gates.
//! A gate is up when at least `need` of its inputs are up, so "all of" is n-of-n and a pool is k-of-n.
//!
//! This file holds the [`Model`] itself, the run settings and the ids; the parts are one file each:
//!
//! ```text
//! components   what fails and is repaired: nodes, domains, sites, links; the site hierarchy
//! crews        repair crews
//! stocks       spare-part stocks and their reorders
//! roles        roles, their redundancy, and the machines of stateful roles
//! balancer     the load balancer in front of a pool: detection and convergence
//! services     service expressions
//! standby      a pool's standby instances: dormant, switch-over
//! maintenance  maintenance schedules
//! quorum       failover-cluster quorum: votes, witness, dynamic quorum
//! hosts        virtual machines on host groups: placement, boot, live migration
//! latent       silent failures and the inspections that find them
//! clients      client populations and their request kinds
//! queue        the M/M/c queue of a role with a capacity, and its latency law
//! graph        the gate graph
//! lower        lowering a validated model into the gate graph
//! costs        yearly costs
//! sweep        a scenario's own [sweep] section
//! ```
//!
//! Every item is re-exported here: use `crate::model::X`, not the file it is in.

use crate::base::units::Hours;

mod balancer;
mod clients;
mod components;
mod costs;
mod crews;
mod graph;
mod hosts;
mod latent;
mod lower;
mod maintenance;
mod phases;
mod queue;
mod quorum;
mod reassign;
mod roles;
mod services;
mod standby;
mod stocks;
mod sweep;

pub use balancer::{Balancer, MAX_BALANCED};
pub use clients::{
    MAX_INSTANCES, MAX_RESTARTS, OnCut, Population, Reconnect, Refresh, RequestKind, Selection,
    WhenAllFail,
};
pub use components::{Component, ComponentKind, Site};
pub use costs::Costs;
pub use crews::{Crew, CrewPolicy};
pub use graph::Graph;
pub use hosts::{HostGroup, NO_SET};
pub use latent::Inspection;
pub use lower::{lower, tree_path};
pub use maintenance::{Guard, Maintenance};
pub use phases::{MAX_PHASES, OTHER, Phase, Phases};
pub use queue::Queue;
pub use quorum::{MAX_VOTERS, Quorum};
pub use reassign::Reassign;
pub use roles::{Commit, Machine, Recovery, Replica, Role, RoleKind, Software};
pub use services::{Expr, Service, Tolerance};
pub use standby::{PoolStandby, silent_passive};
pub use stocks::Stock;
pub use sweep::{SweepParameter, SweepValue};

/// Index of a component.
pub type ComponentId = usize;
/// Index of a signal (a primitive or a gate).
pub type SignalId = u32;

/// Run settings from `[simulation]`, possibly overridden on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Mission length in hours: each replication simulates `[0, mission]`.
    pub mission: Hours,
    /// Number of replications (independent missions).
    pub replications: u64,
    /// Seed of the run; each replication's random streams derive from it and the replication index.
    pub seed: u64,
    /// Worker threads; `None` means all cores.
    pub threads: Option<usize>,
}

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name (the file stem); outputs go to `output/<name>/`.
    pub name: String,
    /// Run settings.
    pub simulation: Simulation,
    /// Everything that fails: nodes, domains, sites, links.
    pub components: Vec<Component>,
    /// Repair crews.
    pub crews: Vec<Crew>,
    /// Spare-part stocks.
    pub stocks: Vec<Stock>,
    /// Sites.
    pub sites: Vec<Site>,
    /// All roles, in file order.
    pub roles: Vec<Role>,
    /// Failover clusters with quorum (`[clusters]`), in file order.
    pub quorums: Vec<Quorum>,
    /// Host groups with their virtual machines (`[hosts]`), in file order.
    pub host_groups: Vec<HostGroup>,
    /// All services, in file order.
    pub services: Vec<Service>,
    /// Maintenance schedules.
    pub maintenance: Vec<Maintenance>,
    /// Inspection schedules (`[inspections]`): they find hidden failures.
    pub inspections: Vec<Inspection>,
    /// Client populations.
    pub populations: Vec<Population>,
    /// Request kinds of all populations.
    pub requests: Vec<RequestKind>,
    /// The gate graph, built by [`lower()`].
    pub graph: Graph,
    /// Yearly costs given in the scenario (none: the scenario has no costs).
    pub costs: Costs,
    /// The scenario's `[sweep]` section: parameters `nines sweep` varies when none is given.
    pub sweep: Vec<SweepParameter>,
    /// The calendar of phases (`[phases]`; empty without).
    pub phases: Phases,
}

impl Model {
    /// Measured entities: services first, then roles, as (kind, name, gate).
    pub fn measured(&self) -> Vec<(EntityKind, &str, SignalId)> {
        let s = self
            .services
            .iter()
            .map(|s| (EntityKind::Service, s.name.as_str(), s.gate));
        let r = self
            .roles
            .iter()
            .map(|r| (EntityKind::Role, r.name.as_str(), r.gate));
        s.chain(r).collect()
    }

    /// Per measured entity (as [`Model::measured`]): its grace period, if any.
    pub fn tolerances(&self) -> Vec<Option<Tolerance>> {
        let s = self.services.iter().map(|s| s.tolerance);
        let r = self.roles.iter().map(|r| r.tolerance);
        s.chain(r).collect()
    }

    /// Requests per hour that every population together offers to role `role` (as their target).
    pub fn offered_load(&self, role: usize) -> f64 {
        self.requests
            .iter()
            .filter(|q| q.target == role)
            .map(|q| q.rate * self.populations[q.population].count as f64)
            .sum()
    }

    /// Indices of the components of one kind.
    pub fn components_of(&self, kind: ComponentKind) -> impl Iterator<Item = ComponentId> + '_ {
        self.components
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.kind == kind)
            .map(|(i, _)| i)
    }
}

/// Whether a measured entity is a service or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A service from `[services]`.
    Service,
    /// A role from `[roles]`.
    Role,
}

impl EntityKind {
    /// Lower-case name for tables and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Service => "service",
            EntityKind::Role => "role",
        }
    }
}

/// FNV-1a hash of a name: a stable key for per-component random streams.
pub fn stream_key(kind: &str, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.bytes().chain([0u8]).chain(name.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
