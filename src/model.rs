//! The compiled model: what a scenario becomes after validation. Names are resolved to indices and the
//! dependency structure is flattened into one graph of threshold gates, which the engine updates
//! incrementally.
//!
//! Signals are numbered nodes first (`0..nodes.len()`), then gates. A gate is up when at least `need`
//! of its inputs are up, so "all of" is n-of-n, "any of" is 1-of-n and a pool is `min_up`-of-n.

use crate::dist::Dist;
use crate::units::Hours;

/// Index of a node.
pub type NodeId = usize;
/// Index of a signal (a node or a gate).
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

/// Something that fails and is repaired: a server, a VM host, a disk shelf, a switch, a link.
#[derive(Debug, Clone)]
pub struct Node {
    /// Unique name (members of a counted group are `name-1`, `name-2`, ...).
    pub name: String,
    /// Time to failure, from the moment the node is (again) up.
    pub failure: Dist,
    /// Time to repair, from the moment the node fails.
    pub repair: Dist,
    /// Key of the node's random stream: a hash of its name, so layouts sharing a node share its stream.
    pub stream_key: u64,
}

/// How a role's own redundancy works.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleKind {
    /// One instance on one node.
    Standalone {
        /// The node it runs on.
        node: NodeId,
    },
    /// Instances on several nodes, available while at least `min_up` of them are up.
    Pool {
        /// Nodes holding the instances.
        nodes: Vec<NodeId>,
        /// Instances that must be up.
        min_up: u32,
    },
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
    /// Roles it requires.
    pub requires: Vec<usize>,
    /// Gate that is up when the role is available (own redundancy and all requirements).
    pub gate: SignalId,
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
    /// Gate that is up when the service is available.
    pub gate: SignalId,
    /// The expression as written, for display.
    pub expression: String,
    /// Nodes whose failure can contribute to this service's downtime.
    pub support: Vec<NodeId>,
}

/// The dependency graph: threshold gates over signals, stored as flat arrays.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Number of node signals (they come first).
    pub nodes: usize,
    /// Per gate (index `signal − nodes`): how many inputs must be up.
    pub need: Vec<u32>,
    /// Per gate: its inputs.
    pub inputs: Vec<Vec<SignalId>>,
    /// Per signal: start of its parent list in `parents` (CSR layout, `len = signals + 1`).
    pub parent_start: Vec<u32>,
    /// Parents of all signals, concatenated.
    pub parents: Vec<SignalId>,
}

impl Graph {
    /// Number of signals (nodes and gates).
    pub fn signals(&self) -> usize {
        self.nodes + self.need.len()
    }

    /// Adds a gate with no inputs yet and returns its signal id.
    pub fn add_gate(&mut self, need: u32) -> SignalId {
        self.need.push(need);
        self.inputs.push(Vec::new());
        (self.nodes + self.need.len() - 1) as SignalId
    }

    /// Builds the parent lists from the gates' inputs.
    pub fn finish(&mut self) {
        let n = self.signals();
        let mut counts = vec![0u32; n + 1];
        for ins in &self.inputs {
            for &i in ins {
                counts[i as usize + 1] += 1;
            }
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        self.parents = vec![0; counts[n] as usize];
        for (g, ins) in self.inputs.iter().enumerate() {
            for &i in ins {
                let slot = &mut fill[i as usize];
                self.parents[*slot as usize] = (self.nodes + g) as SignalId;
                *slot += 1;
            }
        }
        self.parent_start = counts;
    }

    /// Parents of a signal.
    #[inline]
    pub fn parents_of(&self, s: SignalId) -> &[SignalId] {
        let s = s as usize;
        &self.parents[self.parent_start[s] as usize..self.parent_start[s + 1] as usize]
    }

    /// The nodes a signal depends on, in increasing order.
    pub fn support(&self, s: SignalId) -> Vec<NodeId> {
        let mut seen = vec![false; self.signals()];
        let mut stack = vec![s];
        let mut out = Vec::new();
        while let Some(x) = stack.pop() {
            if std::mem::replace(&mut seen[x as usize], true) {
                continue;
            }
            if (x as usize) < self.nodes {
                out.push(x as usize);
            } else {
                stack.extend(self.inputs[x as usize - self.nodes].iter().copied());
            }
        }
        out.sort_unstable();
        out
    }
}

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name (the file stem); outputs go to `output/<name>/`.
    pub name: String,
    /// Run settings.
    pub simulation: Simulation,
    /// All nodes.
    pub nodes: Vec<Node>,
    /// All roles, in file order.
    pub roles: Vec<Role>,
    /// All services, in file order.
    pub services: Vec<Service>,
    /// The gate graph over nodes, roles and services.
    pub graph: Graph,
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
