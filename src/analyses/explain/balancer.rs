//! A pool's load balancer in plain words: how long a failed member keeps getting requests.

use crate::base::dist::Dist;
use crate::model::Role;

/// The clause added to a pool's line when it is behind a load balancer, or nothing.
pub(super) fn balancer_text(role: &Role) -> String {
    let Some(b) = &role.balancer else {
        return String::new();
    };
    format!(
        "; behind a load balancer: a member that fails keeps its share of attempts, which fail (time out), until \
         the balancer notices (detection {}) and converges ({}), then gets none; drained for \
         maintenance it is dropped at once, and used again as soon as it is back",
        said(&b.detection),
        said(&b.convergence)
    )
}

/// A delay in words; "none" when it is always zero (a key left out).
fn said(d: &Dist) -> String {
    if d.mean() == 0.0 {
        "none".to_string()
    } else {
        d.describe()
    }
}
