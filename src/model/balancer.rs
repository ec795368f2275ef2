//! A load balancer in front of a pool: how long it keeps sending requests to a member that has failed
//! (detection, then convergence), after which the member gets none until it is back.

use crate::base::dist::Dist;

/// Most members of a pool behind a balancer: the engine keeps the members the balancer has dropped in
/// the upper half of a request kind's 64-bit instance mask.
pub const MAX_BALANCED: usize = 32;

/// The load balancer of a pool role (`detection`, `convergence`).
#[derive(Debug, Clone)]
pub struct Balancer {
    /// Time from a member's failure until the balancer notices (missed heartbeats, a failed health
    /// check).
    pub detection: Dist,
    /// Time the balancer then takes to stop sending to the member (NLB: the cluster converges).
    pub convergence: Dist,
    /// Key of its random stream (detection and convergence times).
    pub stream_key: u64,
}
