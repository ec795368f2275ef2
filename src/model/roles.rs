//! Roles and their redundancy: the kinds as written, and the [`Machine`] that runs a stateful role
//! (replicas, failover, software failures, recovery after its node fails).

use crate::base::dist::Dist;
use crate::base::units::Hours;

use super::{ComponentId, SignalId};

/// Commit mode of a database replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Synchronous commit: no data loss on failover.
    Synchronous,
    /// Asynchronous commit: a failover to it loses the transactions not yet replicated.
    Asynchronous,
}

/// How a role's own redundancy works, as the user wrote it (the behaviour is in [`Machine`]).
#[derive(Debug, Clone, PartialEq)]
pub enum RoleKind {
    /// One instance on one node.
    Standalone {
        /// The node it runs on.
        node: ComponentId,
    },
    /// Instances on several nodes, available while at least `min_up` of them are up.
    Pool {
        /// Nodes holding the instances.
        nodes: Vec<ComponentId>,
        /// Instances that must be up.
        min_up: u32,
    },
    /// Active/passive failover cluster.
    Cluster {
        /// Cluster nodes, most preferred first.
        nodes: Vec<ComponentId>,
        /// Product limit on cluster size, if configured (checked by `validate`).
        max_nodes: Option<u32>,
    },
    /// SQL Server AlwaysOn availability group.
    AvailabilityGroup {
        /// The initial primary replica's node.
        primary: ComponentId,
        /// Secondary replicas and their commit mode.
        secondaries: Vec<(ComponentId, Commit)>,
    },
    /// SQL Server database mirroring.
    Mirroring {
        /// The initial principal's node.
        principal: ComponentId,
        /// The mirror's node.
        mirror: ComponentId,
        /// The witness's node, if any.
        witness: Option<ComponentId>,
        /// Commit mode (high safety = synchronous).
        commit: Commit,
    },
}

impl RoleKind {
    /// Nodes holding instances or replicas of the role, in preference order (witness excluded).
    pub fn nodes(&self) -> Vec<ComponentId> {
        match self {
            RoleKind::Standalone { node } => vec![*node],
            RoleKind::Pool { nodes, .. } | RoleKind::Cluster { nodes, .. } => nodes.clone(),
            RoleKind::AvailabilityGroup {
                primary,
                secondaries,
            } => std::iter::once(*primary)
                .chain(secondaries.iter().map(|s| s.0))
                .collect(),
            RoleKind::Mirroring {
                principal, mirror, ..
            } => vec![*principal, *mirror],
        }
    }
}

/// A place a stateful role can run, with what a move there costs.
#[derive(Debug, Clone)]
pub struct Replica {
    /// The node.
    pub node: ComponentId,
    /// The role may fail over to it automatically (synchronous AG secondary, cluster node, mirror with a
    /// witness); otherwise only by a manual failover.
    pub automatic: bool,
    /// Automatic failover to it also needs the machine's witness to be up (mirroring).
    pub needs_witness: bool,
    /// Transactions lost when the role moves to it by failover: hours of changes (asynchronous replicas).
    pub lag: Option<Dist>,
    /// Set by [`lower`](super::lower()): up while the role can run there: the node's effective
    /// signal, and its cluster's quorum when the role belongs to a cluster with quorum.
    pub up: SignalId,
}

/// Software failures of a role itself, separate from its node's failures.
#[derive(Debug, Clone)]
pub struct Software {
    /// Running time until the role crashes or hangs (the clock restarts at every start).
    pub failure: Dist,
    /// Time to restart in place.
    pub restart: Dist,
    /// Probability a restart brings it back; otherwise it fails over or needs manual recovery.
    pub restart_success: f64,
}

/// How a role that is not highly available comes back after its node fails.
#[derive(Debug, Clone)]
pub enum Recovery {
    /// The node comes back and the role with it.
    Repair,
    /// Rebuilt from the last backup once the node is back after its own failure; changes since that
    /// backup are lost. (Maintenance, domain and site outages keep the data: the role restarts.)
    Restore {
        /// Interval between backups.
        every: Hours,
        /// Time of the first backup.
        offset: Hours,
        /// Time to restore.
        restore: Dist,
        /// `backup_job`: the node that takes the backups; a backup is taken only while it works.
        job: Option<ComponentId>,
    },
    /// Rebuilt from its parent once the node is back after its own failure (and the parent role is
    /// available). Maintenance, domain and site outages keep the installation: the role restarts.
    Reinstall {
        /// Time to reinstall.
        time: Dist,
        /// The role it is rebuilt from, if any.
        from: Option<usize>,
    },
}

/// The behaviour of a stateful role: where it can run and what moving or restarting it costs.
/// A role has a machine when it is a cluster, AG or mirror, or a standalone role with software
/// failures or a `restore`/`reinstall` recovery.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Candidate hosts, most preferred first; the role starts on the first.
    pub replicas: Vec<Replica>,
    /// Node whose availability automatic failover to `needs_witness` replicas requires.
    pub witness: Option<ComponentId>,
    /// Time of an automatic failover, and of a start after no replica was up. `None`: instantaneous
    /// (a standalone role restarts with its node).
    pub failover: Option<Dist>,
    /// Probability that an automatic failover succeeds.
    pub coverage: f64,
    /// Operator recovery after a failed failover or a failed restart.
    pub manual_recovery: Option<Dist>,
    /// Operator delay before a manual failover (to a replica that is not automatic).
    pub manual_failover: Option<Dist>,
    /// Move back to a more preferred replica when it comes up.
    pub failback: bool,
    /// Move back to the node a planned drain (maintenance) took it from, once that node returns.
    pub failback_after_maintenance: bool,
    /// Software failures, if modelled.
    pub software: Option<Software>,
    /// Recovery after the host fails (standalone roles only; `Repair` otherwise).
    pub recovery: Recovery,
    /// The cluster whose quorum the role needs (index into [`Model::quorums`](super::Model)), if any.
    pub quorum: Option<usize>,
    /// Cold or warm standby (clusters): a node that does not hold the role fails at this fraction of
    /// its failure rate (its age runs this much slower), and a failure while it is idle stays hidden
    /// until the role is called onto it. `None`: hot standby, every node ages and is watched alike.
    pub dormant: Option<f64>,
    /// Key of the role's random stream.
    pub stream_key: u64,
    /// Set by [`lower`](super::lower()): the primitive signal the engine sets to the machine's
    /// state.
    pub output: SignalId,
}

/// A service made of instances placed on nodes, with its redundancy and its dependencies.
#[derive(Debug, Clone)]
pub struct Role {
    /// Unique name.
    pub name: String,
    /// Free text from the scenario.
    pub description: Option<String>,
    /// Redundancy of its own instances.
    pub kind: RoleKind,
    /// Stateful behaviour, if any.
    pub machine: Option<Machine>,
    /// Roles it requires.
    pub requires: Vec<usize>,
    /// Site it is at, if any.
    pub site: Option<usize>,
    /// Requests per hour one instance can serve (1 / mean service time), if its clients queue.
    pub capacity: Option<f64>,
    /// Grace period: outages up to this long do not count as impactful downtime.
    pub tolerance: Option<super::Tolerance>,
    /// The load balancer in front of a pool, if modelled (`detection`, `convergence`).
    pub balancer: Option<super::Balancer>,
    /// A pool's standby instances, if any (`standby`).
    pub standby: Option<super::PoolStandby>,
    /// Set by [`lower`](super::lower()): up when its own instances allow it to serve (ignoring
    /// requirements).
    pub own: SignalId,
    /// Set by [`lower`](super::lower()): up when the role is available (own redundancy,
    /// requirements and WAN paths).
    pub gate: SignalId,
}
