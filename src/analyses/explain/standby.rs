//! How `validate` explains a pool's standby instances in one line.

use crate::model::{Model, Role};

use super::{names, pct};

/// The line under a pool with standby instances (`None` for other roles).
pub(super) fn pool_standby_line(model: &Model, role: &Role) -> Option<String> {
    let sb = role.standby.as_ref()?;
    let nodes = role.kind.nodes();
    let active = sb.active(nodes.len());
    let kind = match sb.dormant {
        None => "hot standby (watched, ageing like an active node)".to_string(),
        Some(0.0) => "cold standby (an idle standby never fails; nothing watches it)".to_string(),
        Some(d) => format!(
            "warm standby (an idle standby fails at {} of its rate, unseen until called on)",
            pct(d)
        ),
    };
    let switch = match &sb.switch {
        Some(d) => format!("takes over in {}", d.describe()),
        None => "takes over at once".to_string(),
    };
    let fails = if sb.switch_fails > 0.0 {
        format!(
            ", and {} of switch-overs fail (that standby goes to repair)",
            pct(sb.switch_fails)
        )
    } else {
        String::new()
    };
    let balancer = if role.balancer.is_some() {
        "; the load balancer's members are the active instances: a standby gets no requests until it is active"
    } else {
        ""
    };
    Some(format!(
        "standby: {active} active, {} {kind} ({}); when an active node is lost the first standby that is up is called on (one found failed starts its repair and the next is tried) and {switch}{fails}; only active instances count against min_up; a returning node becomes a standby (no failback){balancer}",
        sb.standby,
        names(model, &nodes[active..]),
    ))
}
