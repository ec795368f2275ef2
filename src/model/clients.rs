//! Clients: populations, the request kinds they make, and how a request picks and retries
//! instances.

use crate::base::dist::Dist;
use crate::base::units::Hours;

use super::SignalId;
use super::queue::Queue;

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

/// What a request does when its instance goes down while it is in flight (see [`RequestKind::duration`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCut {
    /// The request fails.
    Fail,
    /// The request starts again, as a new request at the moment of the cut, with its whole duration.
    Retry,
    /// The request starts again at the moment of the cut and needs only what was left.
    Resume,
}

impl OnCut {
    /// Name as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            OnCut::Fail => "fail",
            OnCut::Retry => "retry",
            OnCut::Resume => "resume",
        }
    }
}

/// Times a request in flight is started again after a cut (`retry` or `resume`); cut once more, it
/// fails. A bound keeps how far ahead a request can look finite.
pub const MAX_RESTARTS: u32 = 3;

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
    /// Set by [`lower`](super::lower()): per instance, in list order, the signal that is up while
    /// it can serve this population.
    pub instances: Vec<SignalId>,
    /// Set by [`lower`](super::lower()): when the target is a database mirror, its instances are
    /// the principal's and the mirror's nodes, and instance i can serve only while the role runs on
    /// replica i.
    pub per_replica: bool,
    /// Role tried when every attempt on the target failed (a fallback status point), with the same
    /// timeout, attempts, backoff and response.
    pub fallback: Option<usize>,
    /// How long the target must have had no live instance before requests may use the fallback (0: at
    /// once).
    pub fallback_after: Hours,
    /// Set by [`lower`](super::lower()): the target is a pool behind a load balancer, which sends each
    /// attempt to a member it has not dropped (see [`Balancer`](super::Balancer)).
    pub balanced: bool,
    /// Set by [`lower`](super::lower()): how many of `instances` belong to the target; the rest are
    /// the fallback's.
    pub primary: usize,
    /// What happens to a request whose every attempt failed.
    pub when_all_fail: WhenAllFail,
    /// Work in flight: how long a request needs the instance that took it (and all that instance
    /// requires) after its attempt starts; 0: it is done the moment it starts.
    pub duration: Hours,
    /// What a request does when its instance goes down during `duration`.
    pub on_cut: OnCut,
    /// Reassignment of the population's requests to another target while this one is down.
    pub reassign: Option<super::Reassign>,
    /// Set by [`lower`](super::lower()): when the target has a capacity, its queue by number of
    /// live target instances (index 0 to `primary`); empty otherwise.
    pub queue: Vec<Queue>,
    /// Data age (`stale_after`): the requests refresh data the client keeps (a policy, an inventory),
    /// and data older than this is stale; `None`: no data-age figures (and no cost).
    pub stale_after: Option<Hours>,
    /// How the requests refresh that data in time (`refresh`): what data age assumes.
    pub refresh: Refresh,
}

/// When a client's requests come, as data age sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refresh {
    /// At random times, `every` apart on average (a Poisson process; the default).
    #[default]
    Poisson,
    /// Exactly every `every`, the clients' phases spread evenly (a policy polling interval).
    Periodic,
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

    /// How far after its arrival a request can depend on the instances' states: its attempts, and with
    /// a duration the work in flight and the restarts after cuts.
    pub fn lookahead(&self) -> Hours {
        if self.duration <= 0.0 {
            return self.horizon();
        }
        let pass = self.horizon() + self.duration;
        match self.on_cut {
            OnCut::Fail => pass,
            OnCut::Retry | OnCut::Resume => (MAX_RESTARTS + 1) as f64 * pass,
        }
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
