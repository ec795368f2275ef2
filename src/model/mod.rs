//! The compiled model: what a scenario becomes after validation. Names are resolved to indices; the
//! combinational part of the system (domains, pools, dependencies, WAN paths, service expressions) is
//! flattened by [`lower`] into one graph of threshold gates, and the stateful part (failover clusters,
//! database replicas, restores, software failures) is described by [`Machine`]s the engine runs.
//!
//! Signals are numbered: component hardware states first (`0..components.len()`), then the other
//! primitive signals the engine sets directly (maintenance flags, outputs of role machines), then gates.
//! A gate is up when at least `need` of its inputs are up, so "all of" is n-of-n and a pool is k-of-n.

use crate::base::dist::Dist;
use crate::base::units::Hours;

mod sweep;
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

/// What sort of thing a component is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    /// A server, VM host or appliance that hosts role instances.
    Node,
    /// A common-cause failure domain: rack, power feed, storage array, data centre.
    Domain,
    /// A site's own failure (power, building): a domain for all nodes at the site.
    Site,
    /// A WAN link between a site and its parent site.
    Link,
}

impl ComponentKind {
    /// Lower-case name for tables and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Node => "node",
            ComponentKind::Domain => "domain",
            ComponentKind::Site => "site",
            ComponentKind::Link => "link",
        }
    }
}

/// Something that fails and is repaired: a server, a rack, a site, a WAN link.
#[derive(Debug, Clone)]
pub struct Component {
    /// Unique name among components of its kind (members of a counted node group are `name-1`, ...;
    /// a site's own failure is named after the site, its link `site~link`).
    pub name: String,
    /// Node, domain, site or link.
    pub kind: ComponentKind,
    /// Free text from the scenario.
    pub description: Option<String>,
    /// Time to failure, from the moment the component is (again) up.
    pub failure: Dist,
    /// Time to repair, from the moment a technician starts (at once when there is no crew).
    pub repair: Dist,
    /// Crew that repairs it; `None` means unlimited independent repair.
    pub crew: Option<usize>,
    /// Priority in its crew's queue (smaller first) when the crew's policy is by priority.
    pub priority: u32,
    /// Domains and sites it is directly in (component indices of kind `Domain` or `Site`).
    pub within: Vec<ComponentId>,
    /// Key of its random stream: a hash of kind and name, so layouts sharing a component share its stream.
    pub stream_key: u64,
    /// Set by [`lower`]: the primitive "not in maintenance" signal, if any schedule covers this node.
    pub maintenance: Option<SignalId>,
    /// Set by [`lower`]: up when the component, all domains it is in (transitively) and its maintenance
    /// state allow it to work. Roles watch this signal.
    pub effective: SignalId,
}

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

/// A site in the hierarchy (central administration site → primary → secondary sites).
#[derive(Debug, Clone)]
pub struct Site {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Parent site; `None` for a root.
    pub parent: Option<usize>,
    /// The site's own failure as a component (kind `Site`), if it can fail.
    pub component: Option<ComponentId>,
    /// The WAN link to the parent as a component (kind `Link`), if it can fail.
    pub link: Option<ComponentId>,
}

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
    /// Software failures, if modelled.
    pub software: Option<Software>,
    /// Recovery after the host fails (standalone roles only; `Repair` otherwise).
    pub recovery: Recovery,
    /// Key of the role's random stream.
    pub stream_key: u64,
    /// Set by [`lower`]: the primitive signal the engine sets to the machine's state.
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
    /// Set by [`lower`]: up when its own instances allow it to serve (ignoring requirements).
    pub own: SignalId,
    /// Set by [`lower`]: up when the role is available (own redundancy, requirements and WAN paths).
    pub gate: SignalId,
}

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
    /// Set by [`lower`]: the expression as text, for display.
    pub expression: String,
    /// Set by [`lower`]: gate that is up when the service is available.
    pub gate: SignalId,
    /// Set by [`lower`]: components whose failure can contribute to this service's downtime.
    pub support: Vec<ComponentId>,
}

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

/// A population of clients: many identical clients at one place.
#[derive(Debug, Clone)]
pub struct Population {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Number of clients.
    pub count: u64,
    /// Site the clients are at, if any: requests to roles at other sites need the WAN path.
    pub site: Option<usize>,
}

/// How a request chooses the order in which it tries a role's instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// A uniformly random order without repeats.
    Random,
    /// The instance list rotated to a uniformly random start (clients out of phase).
    RoundRobin,
    /// The instance list as given (preferred first).
    Ordered,
    /// Each client keeps the instance it last used; when that one fails, the request tries the others
    /// in a random order and the client stays with the one that answers.
    Sticky,
}

impl Selection {
    /// Name as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            Selection::Random => "random",
            Selection::RoundRobin => "round_robin",
            Selection::Ordered => "ordered",
            Selection::Sticky => "sticky",
        }
    }
}

/// How clients hold connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reconnect {
    /// No lasting connection: every request chooses afresh, and a failed attempt moves on to the next
    /// instance.
    OnFailure,
    /// Each client keeps a connection to one instance and sends every attempt there; it only finds
    /// another instance when it reconnects, at exponentially distributed intervals with this mean
    /// (connection pools recycled; the database-mirroring failover-partner case).
    FreshConnectionOnly {
        /// Mean interval between reconnects of one client.
        every: Hours,
    },
    /// DNS round robin: each client resolves the role's name to one instance and sends every attempt
    /// there until the answer expires after `ttl` (clients resolve out of phase). Health-checked DNS
    /// answers with a live instance (any instance when none is live); plain DNS with any instance.
    Dns {
        /// How long a client keeps a resolved address.
        ttl: Hours,
        /// Whether DNS lists only live instances.
        health_checked: bool,
    },
}

/// What a client does with a request whose every attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenAllFail {
    /// The request is lost.
    Fail,
    /// The client keeps the data and sends it with its next request that succeeds (autonomy).
    Cache,
}

/// Waiting in the queue of a role's live instances (M/M/c), for one number of live instances.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Queue {
    /// Probability that a request waits at all (Erlang C); 1 when saturated.
    pub p_wait: f64,
    /// Rate of the exponential tail of the wait, per hour (c·μ − λ); 0 when saturated.
    pub theta: f64,
    /// Probability that an attempt on a live instance is served before its timeout.
    pub in_time: f64,
}

impl Queue {
    /// No queueing: every attempt on a live instance is served at once.
    pub const NONE: Queue = Queue {
        p_wait: 0.0,
        theta: 0.0,
        in_time: 1.0,
    };

    /// The M/M/c queue of `c` servers each serving `mu` per hour, offered `lambda` per hour, for
    /// attempts that give up after `timeout`.
    pub fn mmc(c: usize, mu: f64, lambda: f64, timeout: Hours) -> Queue {
        let a = lambda / mu;
        if c == 0 || a >= c as f64 {
            return Queue {
                p_wait: 1.0,
                theta: 0.0,
                in_time: 0.0,
            };
        }
        // Erlang B by its stable recursion, then Erlang C from it.
        let mut b = 1.0;
        for k in 1..=c {
            b = a * b / (k as f64 + a * b);
        }
        let cf = c as f64;
        let p_wait = (cf * b / (cf - a * (1.0 - b))).clamp(0.0, 1.0);
        let theta = cf * mu - lambda;
        Queue {
            p_wait,
            theta,
            in_time: 1.0 - p_wait * (-theta * timeout).exp(),
        }
    }

    /// P(wait ≤ w) of an attempt that was served in time (the wait is cut at the timeout `t`).
    pub fn wait_cdf(&self, w: Hours, t: Hours) -> f64 {
        if w < 0.0 || self.in_time <= 0.0 {
            return 0.0;
        }
        let served_by = 1.0 - self.p_wait * (-self.theta * w.min(t)).exp();
        (served_by / self.in_time).min(1.0)
    }

    /// Mean wait of an attempt that was served in time (timeout `t`).
    pub fn mean_wait(&self, t: Hours) -> Hours {
        if self.p_wait <= 0.0 || self.in_time <= 0.0 || self.theta <= 0.0 {
            return 0.0;
        }
        let th = self.theta;
        self.p_wait * (1.0 / th - (-th * t).exp() * (t + 1.0 / th)) / self.in_time
    }

    /// P(wait + response ≤ y) of an attempt that was served in time (timeout `t`).
    pub fn latency_cdf(&self, response: &Dist, t: Hours, y: Hours) -> f64 {
        if y < 0.0 {
            return 0.0;
        }
        if self.p_wait <= 0.0 || self.in_time <= 0.0 || self.theta <= 0.0 {
            return response.cdf(y);
        }
        // With u = 1 − e^(−θw) the waiting part is uniform on [0, u_max] and its integrand monotone.
        let th = self.theta;
        let u_max = 1.0 - (-th * t.min(y)).exp();
        let waited = match response {
            Dist::Fixed { value } => {
                if y < *value {
                    0.0
                } else {
                    u_max.min(1.0 - (-th * (y - value)).exp())
                }
            }
            Dist::Empirical { samples } => {
                samples
                    .iter()
                    .map(|r| {
                        if y < *r {
                            0.0
                        } else {
                            u_max.min(1.0 - (-th * (y - r)).exp())
                        }
                    })
                    .sum::<f64>()
                    / samples.len() as f64
            }
            _ => {
                // Where 1 − u underflows, the wait is at its cut.
                let w_max = t.min(y);
                let f = |u: f64| response.cdf(y - (-(1.0 - u).ln() / th).min(w_max));
                adaptive_simpson(&f, 0.0, u_max, 1e-9)
            }
        };
        (((1.0 - self.p_wait) * response.cdf(y) + self.p_wait * waited) / self.in_time).min(1.0)
    }
}

/// ∫ f over [a, b] by adaptive Simpson to an absolute tolerance (f bounded and monotone here).
fn adaptive_simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    fn step(
        f: &dyn Fn(f64) -> f64,
        (a, fa): (f64, f64),
        (m, fm): (f64, f64),
        (b, fb): (f64, f64),
        whole: f64,
        tol: f64,
        depth: u32,
    ) -> f64 {
        let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
        let (flm, frm) = (f(lm), f(rm));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        let delta = left + right - whole;
        if depth == 0 || delta.abs() <= 15.0 * tol {
            return left + right + delta / 15.0;
        }
        step(f, (a, fa), (lm, flm), (m, fm), left, tol / 2.0, depth - 1)
            + step(f, (m, fm), (rm, frm), (b, fb), right, tol / 2.0, depth - 1)
    }
    if b <= a {
        return 0.0;
    }
    let fa = f(a);
    // Start from a few panels so that a step near one end is not missed by the first estimate.
    const PANELS: usize = 8;
    let h = (b - a) / PANELS as f64;
    let mut total = 0.0;
    let mut x0 = a;
    let mut f0 = fa;
    for i in 1..=PANELS {
        let x1 = if i == PANELS { b } else { a + h * i as f64 };
        let f1 = f(x1);
        let xm = 0.5 * (x0 + x1);
        let fxm = f(xm);
        let whole = (x1 - x0) / 6.0 * (f0 + 4.0 * fxm + f1);
        total += step(
            f,
            (x0, f0),
            (xm, fxm),
            (x1, f1),
            whole,
            tol / PANELS as f64,
            40,
        );
        x0 = x1;
        f0 = f1;
    }
    total
}

/// Largest number of instances a request kind can choose among.
pub const MAX_INSTANCES: usize = 64;

/// One kind of request a population makes (a policy poll, a status message, a download).
#[derive(Debug, Clone)]
pub struct RequestKind {
    /// `population.kind`.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The population making it.
    pub population: usize,
    /// The role it is served by.
    pub target: usize,
    /// Requests per hour of one client (1 / mean interval).
    pub rate: f64,
    /// Order in which instances are tried.
    pub selection: Selection,
    /// Time an attempt on a dead instance costs.
    pub timeout: Hours,
    /// Response time of a live instance.
    pub response: Dist,
    /// Attempts before the request fails.
    pub max_attempts: u32,
    /// Wait after each complete pass over the instances.
    pub backoff: Hours,
    /// How clients hold connections.
    pub reconnect: Reconnect,
    /// Key of its random stream (probe requests).
    pub stream_key: u64,
    /// Set by [`lower`]: per instance, in list order, the signal that is up while it can serve this
    /// population.
    pub instances: Vec<SignalId>,
    /// Set by [`lower`]: when the target is a database mirror, its instances are the principal's and the
    /// mirror's nodes, and instance i can serve only while the role runs on replica i.
    pub per_replica: bool,
    /// Role tried when every attempt on the target failed (a fallback status point), with the same
    /// timeout, attempts, backoff and response.
    pub fallback: Option<usize>,
    /// Set by [`lower`]: how many of `instances` belong to the target; the rest are the fallback's.
    pub primary: usize,
    /// What happens to a request whose every attempt failed.
    pub when_all_fail: WhenAllFail,
    /// Set by [`lower`]: when the target has a capacity, its queue by number of live target instances
    /// (index 0 to `primary`); empty otherwise.
    pub queue: Vec<Queue>,
}

impl RequestKind {
    /// Attempts a request can make in all: on the target, then as many on the fallback.
    pub fn attempts(&self) -> u32 {
        if self.fallback.is_some() {
            2 * self.max_attempts
        } else {
            self.max_attempts
        }
    }

    /// Offset from arrival to the start of attempt `j` (attempts from `max_attempts` on go to the
    /// fallback, which starts when the last attempt on the target has timed out).
    pub fn attempt_offset(&self, j: u32) -> Hours {
        let within = |j: u32, n: usize| {
            let n = n.max(1) as u32;
            j as f64 * self.timeout + (j / n) as f64 * self.backoff
        };
        if j < self.max_attempts || self.fallback.is_none() {
            within(j, self.primary)
        } else {
            let fallback = self.instances.len().saturating_sub(self.primary);
            within(self.max_attempts - 1, self.primary)
                + self.timeout
                + within(j - self.max_attempts, fallback)
        }
    }

    /// Longest time after arrival at which an attempt can start: the horizon a request looks at.
    pub fn horizon(&self) -> Hours {
        self.attempt_offset(self.attempts().saturating_sub(1))
    }

    /// When a request whose every attempt failed gives up: its last attempt has timed out.
    pub fn give_up(&self) -> Hours {
        self.horizon() + self.timeout
    }

    /// Latency classes per attempt: the number of live target instances when it succeeded (which
    /// sets its wait in the queue), or one class without a queue.
    pub fn classes(&self) -> usize {
        self.queue.len().max(1)
    }

    /// Queue met by an attempt on the target with `live` instances live.
    pub fn queue_at(&self, live: usize) -> Queue {
        self.queue.get(live).copied().unwrap_or(Queue::NONE)
    }

    /// CDF at `x` of the latency of a request that succeeded in latency class `class` (attempt
    /// `class / classes()`, with `class % classes()` live target instances).
    pub fn latency_cdf(&self, class: usize, x: Hours) -> f64 {
        let classes = self.classes();
        let (j, c) = (class / classes, class % classes);
        let y = x - self.attempt_offset(j as u32);
        if c == 0 {
            return if y < 0.0 { 0.0 } else { self.response.cdf(y) };
        }
        self.queue[c].latency_cdf(&self.response, self.timeout, y)
    }

    /// Mean latency of a request that succeeded in latency class `class`.
    pub fn latency_mean(&self, class: usize) -> Hours {
        let classes = self.classes();
        let (j, c) = (class / classes, class % classes);
        let wait = if c == 0 {
            0.0
        } else {
            self.queue[c].mean_wait(self.timeout)
        };
        self.attempt_offset(j as u32) + wait + self.response.mean()
    }
}

/// The dependency graph: threshold gates over signals, stored as flat arrays.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Number of component hardware signals (they come first).
    pub components: usize,
    /// Number of primitive signals (components, then maintenance flags and machine outputs).
    pub primitives: usize,
    /// Per gate (index `signal − primitives`): how many inputs must be up.
    pub need: Vec<u32>,
    /// Per gate: its inputs.
    pub inputs: Vec<Vec<SignalId>>,
    /// Per primitive: signals its value depends on although it is not a gate (a machine's replicas),
    /// used for reachability only.
    pub depends: Vec<Vec<SignalId>>,
    /// Per signal: start of its parent list in `parents` (CSR layout, `len = signals + 1`).
    pub parent_start: Vec<u32>,
    /// Parents of all signals, concatenated.
    pub parents: Vec<SignalId>,
}

impl Graph {
    /// Number of signals (primitives and gates).
    pub fn signals(&self) -> usize {
        self.primitives + self.need.len()
    }

    /// Adds a gate with no inputs yet and returns its signal id. All primitives must exist first.
    pub fn add_gate(&mut self, need: u32) -> SignalId {
        self.need.push(need);
        self.inputs.push(Vec::new());
        (self.primitives + self.need.len() - 1) as SignalId
    }

    /// Adds a gate over `inputs` needing `need` of them; a 1-input gate needing 1 is the input itself.
    pub fn gate_over(&mut self, need: u32, inputs: Vec<SignalId>) -> SignalId {
        if inputs.len() == 1 && need == 1 {
            return inputs[0];
        }
        let g = self.add_gate(need);
        self.inputs[g as usize - self.primitives] = inputs;
        g
    }

    /// Whether a signal is a gate.
    #[inline]
    pub fn is_gate(&self, s: SignalId) -> bool {
        s as usize >= self.primitives
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
                self.parents[*slot as usize] = (self.primitives + g) as SignalId;
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

    /// Everything a signal depends on (gate inputs and machine dependencies), including itself.
    pub fn reach(&self, from: &[SignalId]) -> Vec<bool> {
        let mut seen = vec![false; self.signals()];
        let mut stack = from.to_vec();
        while let Some(x) = stack.pop() {
            if std::mem::replace(&mut seen[x as usize], true) {
                continue;
            }
            if self.is_gate(x) {
                stack.extend(self.inputs[x as usize - self.primitives].iter().copied());
            } else {
                stack.extend(self.depends[x as usize].iter().copied());
            }
        }
        seen
    }

    /// The components a signal depends on, in increasing order.
    pub fn support(&self, s: SignalId) -> Vec<ComponentId> {
        let seen = self.reach(&[s]);
        (0..self.components).filter(|&c| seen[c]).collect()
    }
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
    /// Sites.
    pub sites: Vec<Site>,
    /// All roles, in file order.
    pub roles: Vec<Role>,
    /// All services, in file order.
    pub services: Vec<Service>,
    /// Maintenance schedules.
    pub maintenance: Vec<Maintenance>,
    /// Client populations.
    pub populations: Vec<Population>,
    /// Request kinds of all populations.
    pub requests: Vec<RequestKind>,
    /// The gate graph, built by [`lower`].
    pub graph: Graph,
    /// Yearly costs given in the scenario (none: the scenario has no costs).
    pub costs: Costs,
    /// The scenario's `[sweep]` section: parameters `nines sweep` varies when none is given.
    pub sweep: Vec<SweepParameter>,
}

/// Yearly costs of a layout, as the scenario gives them: per node, per role instance and flat items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    /// Per `[nodes.X]` section with a `yearly_cost`: its name, its nodes and the cost of each.
    pub nodes: Vec<(String, Vec<ComponentId>, f64)>,
    /// Per role index: `yearly_cost` per instance (each node it can run on; a mirror's witness is not an
    /// instance).
    pub roles: Vec<(usize, f64)>,
    /// Items of the `[costs]` section, in file order.
    pub items: Vec<(String, f64)>,
    /// Currency label for output, e.g. `EUR` (none given: amounts are shown without one).
    pub currency: Option<String>,
}

impl Costs {
    /// Whether the scenario gives any cost.
    pub fn any(&self) -> bool {
        !(self.nodes.is_empty() && self.roles.is_empty() && self.items.is_empty())
    }
}

impl Model {
    /// `yearly cost 22 000 EUR: ...` with the parts, when the scenario gives costs.
    pub fn cost_line(&self) -> Option<String> {
        let (total, parts) = self.yearly_cost()?;
        let cur = self.costs.currency.as_deref();
        let parts: Vec<String> = parts
            .iter()
            .map(|(label, v)| format!("{label} {}", crate::base::format::money(*v, None)))
            .collect();
        Some(format!(
            "yearly cost {} ({})",
            crate::base::format::money(total, cur),
            parts.join(" · ")
        ))
    }

    /// Total yearly cost and its parts (label, amount) in file order: nodes, role licences, other items.
    /// `None` when the scenario gives no cost.
    pub fn yearly_cost(&self) -> Option<(f64, Vec<(String, f64)>)> {
        if !self.costs.any() {
            return None;
        }
        let mut parts: Vec<(String, f64)> = Vec::new();
        let each = |what: &str, name: &str, n: usize, cost: f64| {
            let label = if n == 1 {
                format!("{what} {name}")
            } else {
                format!(
                    "{what} {name} ({n} × {})",
                    crate::base::format::money(cost, None)
                )
            };
            (label, cost * n as f64)
        };
        for (name, nodes, cost) in &self.costs.nodes {
            parts.push(each("nodes", name, nodes.len(), *cost));
        }
        for &(r, cost) in &self.costs.roles {
            let role = &self.roles[r];
            parts.push(each("role", &role.name, role.kind.nodes().len(), cost));
        }
        parts.extend(self.costs.items.iter().cloned());
        // Summed exactly so the total does not depend on the order of the parts.
        let mut total = crate::base::stats::ExactSum::default();
        for (_, v) in &parts {
            total.add(*v);
        }
        Some((total.value(), parts))
    }

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

/// Builds the gate graph of a validated model and fills in every signal id. The parser calls it once
/// all names are resolved; `model.graph` must be empty.
///
/// Lowering: component `c` has hardware signal `c`; its effective signal is AND(hardware, not in
/// maintenance, effective signals of the domains/sites it is in). A standalone role without a machine
/// is its node's effective signal; a pool is a `min_up`-of-n gate; a machine role is its output
/// primitive. A role's gate is AND(own, each required role — through the WAN path when the two are at
/// different sites). Service expressions become gates, references crossing sites likewise.
pub fn lower(model: &mut Model) {
    let mut g = Graph {
        components: model.components.len(),
        ..Default::default()
    };
    let mut next = model.components.len() as SignalId;
    let mut maintained = vec![false; model.components.len()];
    for m in &model.maintenance {
        for &n in &m.nodes {
            maintained[n] = true;
        }
    }
    for (c, comp) in model.components.iter_mut().enumerate() {
        comp.maintenance = maintained[c].then(|| {
            next += 1;
            next - 1
        });
    }
    let mut depends_extra: Vec<(SignalId, Vec<SignalId>)> = Vec::new();
    for role in &mut model.roles {
        if let Some(m) = &mut role.machine {
            m.output = next;
            next += 1;
        }
    }
    g.primitives = next as usize;
    g.depends = vec![Vec::new(); g.primitives];

    // Effective signals, in an order where enclosing domains come first (domains form a DAG).
    let n = model.components.len();
    let mut effective: Vec<Option<SignalId>> = vec![None; n];
    fn eff(
        c: usize,
        comps: &[Component],
        g: &mut Graph,
        effective: &mut Vec<Option<SignalId>>,
    ) -> SignalId {
        if let Some(s) = effective[c] {
            return s;
        }
        let mut ins = vec![c as SignalId];
        ins.extend(comps[c].maintenance);
        for &d in &comps[c].within {
            ins.push(eff(d, comps, g, effective));
        }
        let need = ins.len() as u32;
        let s = g.gate_over(need, ins);
        effective[c] = Some(s);
        s
    }
    for c in 0..n {
        let s = eff(c, &model.components, &mut g, &mut effective);
        model.components[c].effective = s;
    }

    let mut paths = Paths {
        parent: model.sites.iter().map(|s| s.parent).collect(),
        link: model
            .sites
            .iter()
            .map(|s| s.link.map(|c| model.components[c].effective))
            .collect(),
        site: model
            .sites
            .iter()
            .map(|s| s.component.map(|c| model.components[c].effective))
            .collect(),
        cache: std::collections::HashMap::new(),
    };

    // Own signals.
    for role in &mut model.roles {
        role.own = match (&role.machine, &role.kind) {
            (Some(m), _) => {
                let mut deps: Vec<SignalId> = m
                    .replicas
                    .iter()
                    .map(|r| model.components[r.node].effective)
                    .collect();
                deps.extend(m.witness.map(|w| model.components[w].effective));
                depends_extra.push((m.output, deps));
                m.output
            }
            (None, RoleKind::Standalone { node }) => model.components[*node].effective,
            (None, RoleKind::Pool { nodes, min_up }) => {
                let ins = nodes
                    .iter()
                    .map(|&n| model.components[n].effective)
                    .collect();
                g.gate_over(*min_up, ins)
            }
            (None, kind) => unreachable!("role kind {kind:?} always has a machine"),
        };
    }
    // Role gates are allocated before wiring so that requirements can point at any role.
    let role_gates: Vec<SignalId> = model.roles.iter().map(|_| g.add_gate(0)).collect();
    for (i, role) in model.roles.iter().enumerate() {
        let mut ins = vec![role.own];
        for &j in &role.requires {
            let dep = role_gates[j];
            match paths.between(role.site, model.roles[j].site, &mut g) {
                Some(p) => ins.push(g.gate_over(2, vec![dep, p])),
                None => ins.push(dep),
            }
        }
        let gi = role_gates[i] as usize - g.primitives;
        g.need[gi] = ins.len() as u32;
        g.inputs[gi] = ins;
    }
    // Reinstall waits for its source role: a dependency for reachability.
    for role in &model.roles {
        if let Some(Machine {
            recovery: Recovery::Reinstall { from: Some(j), .. },
            output,
            ..
        }) = &role.machine
        {
            depends_extra.push((*output, vec![role_gates[*j]]));
        }
    }
    for (s, deps) in depends_extra {
        g.depends[s as usize].extend(deps);
    }

    // Instances of client targets: a pool's instance is its node with the role's requirements; any other
    // role is one instance, the role itself; the WAN path from the clients' site is added to each. A
    // fallback role's instances follow the target's.
    for q in 0..model.requests.len() {
        let population = model.requests[q].population;
        let from = model.populations[population].site;
        let targets: Vec<usize> = std::iter::once(model.requests[q].target)
            .chain(model.requests[q].fallback)
            .collect();
        let mut instances = Vec::new();
        let mut primary = 0;
        for (t, &target) in targets.iter().enumerate() {
            let role = &model.roles[target];
            let path = paths.between(from, role.site, &mut g);
            match (&role.machine, &role.kind) {
                (None, RoleKind::Pool { nodes, .. }) => {
                    let deps: Vec<SignalId> = g.inputs[role_gates[target] as usize - g.primitives]
                        [1..]
                        .iter()
                        .copied()
                        .chain(path)
                        .collect();
                    for &n in nodes {
                        let mut ins = vec![model.components[n].effective];
                        ins.extend(deps.iter().copied());
                        instances.push(g.gate_over(ins.len() as u32, ins));
                    }
                }
                (_, kind) => {
                    let mut ins = vec![role_gates[target]];
                    ins.extend(path);
                    let s = g.gate_over(ins.len() as u32, ins);
                    // Clients of a mirror name both partners; either serves only while it is the
                    // principal.
                    let mirror = t == 0 && matches!(kind, RoleKind::Mirroring { .. });
                    instances.extend(std::iter::repeat_n(s, if mirror { 2 } else { 1 }));
                    if t == 0 {
                        model.requests[q].per_replica = mirror;
                    }
                }
            }
            if t == 0 {
                primary = instances.len();
            }
        }
        model.requests[q].primary = primary;
        model.requests[q].instances = instances;
    }
    // Queues of roles with a capacity: the whole offered load of every kind that targets the role is
    // shared by the live instances a kind sees.
    let load: Vec<f64> = (0..model.roles.len())
        .map(|r| model.offered_load(r))
        .collect();
    for q in &mut model.requests {
        q.queue = match model.roles[q.target].capacity {
            Some(mu) => {
                // A mirror's partners serve one at a time: at most one live instance.
                let most = if q.per_replica { 1 } else { q.primary };
                (0..=q.primary)
                    .map(|c| Queue::mmc(c.min(most), mu, load[q.target], q.timeout))
                    .collect()
            }
            None => Vec::new(),
        };
    }

    let service_gates: Vec<SignalId> = model.services.iter().map(|_| g.add_gate(0)).collect();
    let role_names: Vec<String> = model.roles.iter().map(|r| r.name.clone()).collect();
    let service_names: Vec<String> = model.services.iter().map(|s| s.name.clone()).collect();
    let role_sites: Vec<Option<usize>> = model.roles.iter().map(|r| r.site).collect();
    let service_sites: Vec<Option<usize>> = model.services.iter().map(|s| s.site).collect();
    struct Ctx<'a> {
        rg: &'a [SignalId],
        sg: &'a [SignalId],
        role_sites: &'a [Option<usize>],
        service_sites: &'a [Option<usize>],
        from: Option<usize>,
    }
    fn lower_expr(
        e: &Expr,
        g: &mut Graph,
        cx: &Ctx<'_>,
        top: Option<SignalId>,
        paths: &mut Paths,
    ) -> SignalId {
        let (s, site) = match e {
            Expr::Role(i) => (cx.rg[*i], cx.role_sites[*i]),
            Expr::Service(i) => (cx.sg[*i], cx.service_sites[*i]),
            Expr::Gate { need, children, .. } => {
                let ins: Vec<SignalId> = children
                    .iter()
                    .map(|c| lower_expr(c, g, cx, None, paths))
                    .collect();
                let gate = top.unwrap_or_else(|| g.add_gate(*need));
                let gi = gate as usize - g.primitives;
                g.need[gi] = *need;
                g.inputs[gi] = ins;
                return gate;
            }
        };
        match paths.between(cx.from, site, g) {
            Some(p) => g.gate_over(2, vec![s, p]),
            None => s,
        }
    }
    fn show(e: &Expr, rn: &[String], sn: &[String]) -> String {
        match e {
            Expr::Role(i) => rn[*i].clone(),
            Expr::Service(i) => sn[*i].clone(),
            Expr::Gate { op, need, children } => {
                let inner: Vec<String> = children.iter().map(|c| show(c, rn, sn)).collect();
                if *op == "k_of" {
                    format!("{need}_of({})", inner.join(", "))
                } else {
                    format!("{op}({})", inner.join(", "))
                }
            }
        }
    }
    for (i, svc) in model.services.iter_mut().enumerate() {
        let cx = Ctx {
            rg: &role_gates,
            sg: &service_gates,
            role_sites: &role_sites,
            service_sites: &service_sites,
            from: svc.site,
        };
        lower_expr(&svc.expr, &mut g, &cx, Some(service_gates[i]), &mut paths);
        svc.gate = service_gates[i];
        svc.expression = show(&svc.expr, &role_names, &service_names);
    }
    for (role, &gate) in model.roles.iter_mut().zip(&role_gates) {
        role.gate = gate;
    }
    g.finish();
    for svc in &mut model.services {
        svc.support = g.support(svc.gate);
    }
    model.graph = g;
}

/// Connectivity signals between sites, built on demand and shared.
struct Paths {
    parent: Vec<Option<usize>>,
    link: Vec<Option<SignalId>>,
    site: Vec<Option<SignalId>>,
    cache: std::collections::HashMap<(usize, usize), Option<SignalId>>,
}

impl Paths {
    /// AND of the links and intermediate sites between `a` and `b`; `None` when nothing can break it.
    fn between(&mut self, a: Option<usize>, b: Option<usize>, g: &mut Graph) -> Option<SignalId> {
        let (a, b) = (a?, b?);
        if a == b {
            return None;
        }
        let key = (a.min(b), a.max(b));
        if let Some(s) = self.cache.get(&key) {
            return *s;
        }
        let (sites, links) = tree_path(&self.parent, a, b);
        let mut ins: Vec<SignalId> = links.iter().filter_map(|&s| self.link[s]).collect();
        ins.extend(sites.iter().filter_map(|&s| self.site[s]));
        let s = (!ins.is_empty()).then(|| g.gate_over(ins.len() as u32, ins));
        self.cache.insert(key, s);
        s
    }
}

/// Intermediate sites (without the ends) and the sites whose parent link lies on the tree path from
/// `a` to `b`. Sites in different trees are joined through nothing that can fail.
pub fn tree_path(parent: &[Option<usize>], a: usize, b: usize) -> (Vec<usize>, Vec<usize>) {
    let ancestors = |mut s: usize| {
        let mut out = vec![s];
        while let Some(p) = parent[s] {
            out.push(p);
            s = p;
        }
        out
    };
    let (pa, pb) = (ancestors(a), ancestors(b));
    let Some(&common) = pa.iter().find(|s| pb.contains(s)) else {
        return (Vec::new(), Vec::new());
    };
    let mut sites = Vec::new();
    let mut links = Vec::new();
    for path in [&pa, &pb] {
        for &s in path.iter().take_while(|&&s| s != common) {
            links.push(s);
            sites.push(s);
        }
    }
    sites.push(common);
    sites.retain(|&s| s != a && s != b);
    (sites, links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_matches_textbook_values() {
        // c = 2, a = 1 Erlang: C = 1/3; c = 1: C = ρ (M/M/1).
        let q = Queue::mmc(2, 1.0, 1.0, 1.0);
        assert!((q.p_wait - 1.0 / 3.0).abs() < 1e-12, "{q:?}");
        assert!((q.theta - 1.0).abs() < 1e-12);
        let m1 = Queue::mmc(1, 4.0, 3.0, 0.5);
        assert!((m1.p_wait - 0.75).abs() < 1e-12);
        assert!((m1.in_time - (1.0 - 0.75 * (-0.5f64).exp())).abs() < 1e-12);
        // Saturated, and no server at all: nothing is served in time.
        assert_eq!(Queue::mmc(2, 1.0, 2.0, 1.0).in_time, 0.0);
        assert_eq!(Queue::mmc(0, 1.0, 0.5, 1.0).in_time, 0.0);
    }

    #[test]
    fn latency_cdf_is_the_convolution_of_wait_and_response() {
        // Exponential response (rate ν) after a wait that is 0 with probability 1 − C and Exp(θ)
        // otherwise (a timeout far beyond the tail): P(W + R ≤ y) = (1 − C)(1 − e^{−νy})
        // + C[1 − (ν e^{−θy} − θ e^{−νy}) / (ν − θ)].
        let q = Queue::mmc(3, 10.0, 24.0, 1e3);
        let nu = 7.0;
        let r = Dist::exponential(1.0 / nu).unwrap();
        let (c, th) = (q.p_wait, q.theta);
        for y in [0.01, 0.1, 0.3, 1.0, 3.0] {
            let exact = (1.0 - c) * (1.0 - (-nu * y).exp())
                + c * (1.0 - (nu * (-th * y).exp() - th * (-nu * y).exp()) / (nu - th));
            let got = q.latency_cdf(&r, 1e3, y);
            assert!((got - exact).abs() < 1e-8, "y = {y}: {got} vs {exact}");
        }
        // A fixed response shifts the cut wait: P(W' ≤ y − r).
        let t = 0.2;
        let q = Queue::mmc(2, 10.0, 15.0, t);
        let fixed = Dist::fixed(0.05).unwrap();
        for y in [0.0, 0.05, 0.1, 0.2, 0.25, 1.0] {
            let exact = q.wait_cdf(y - 0.05, t);
            assert!(
                (q.latency_cdf(&fixed, t, y) - exact).abs() < 1e-12,
                "y = {y}"
            );
        }
        assert_eq!(q.latency_cdf(&fixed, t, 0.25 + 1e-9), 1.0);
    }

    #[test]
    fn mean_wait_integrates_the_cut_law() {
        let t = 0.3;
        let q = Queue::mmc(2, 10.0, 15.0, t);
        // ∫_0^t (1 − F(w)) dw for the law of the wait given it ended by t.
        let steps = 100_000;
        let h = t / steps as f64;
        let numeric: f64 = (0..steps)
            .map(|i| 1.0 - q.wait_cdf((i as f64 + 0.5) * h, t))
            .sum::<f64>()
            * h;
        assert!(
            (q.mean_wait(t) - numeric).abs() < 1e-9,
            "{} vs {numeric}",
            q.mean_wait(t)
        );
    }
}
