//! The components in plain words: nodes, failure domains, site failures and WAN links (what fails,
//! who repairs it, what it is in).

use std::fmt::Write as _;

use crate::model::{ComponentId, ComponentKind, CrewPolicy, Model};

use super::{list, plural};

/// One line on a component: what fails, who repairs it, what it is in.
fn component_line(model: &Model, c: ComponentId) -> String {
    let comp = &model.components[c];
    let repaired = if comp.repair.is_never() {
        "never repaired (down for the rest of the mission once failed)".to_string()
    } else {
        format!("repaired in {}", comp.repair.describe())
    };
    let mut s = if comp.failure.is_never() {
        format!(
            "{} {}: never fails (failure = \"never\"; down only for maintenance or what it is in)",
            comp.kind.as_str(),
            comp.name,
        )
    } else {
        format!(
            "{} {}: fails after {}, {repaired}",
            comp.kind.as_str(),
            comp.name,
            comp.failure.describe(),
        )
    };
    if let Some(k) = comp.crew {
        let crew = &model.crews[k];
        let _ = write!(s, " by crew {}", crew.name);
        if crew.policy == CrewPolicy::Priority {
            let _ = write!(s, " (priority {})", comp.priority);
        }
    }
    if comp.kind == ComponentKind::Link
        && let Some(site) = model.sites.iter().find(|x| x.link == Some(c))
    {
        let parent = site.parent.map_or("?", |p| model.sites[p].name.as_str());
        let _ = write!(s, "; WAN link {} – {parent}", site.name);
    }
    if !comp.within.is_empty() {
        let inside: Vec<String> = comp
            .within
            .iter()
            .map(|&d| {
                let dc = &model.components[d];
                format!("{} {}", dc.kind.as_str(), dc.name)
            })
            .collect();
        let _ = write!(s, "; down while {} is down", inside.join(" or "));
    }
    if matches!(comp.kind, ComponentKind::Domain | ComponentKind::Site) {
        let members: Vec<ComponentId> = (0..model.components.len())
            .filter(|&m| model.components[m].within.contains(&c))
            .collect();
        if members.is_empty() {
            s.push_str("; contains nothing");
        } else {
            let _ = write!(s, "; takes down {}", list(model, &members, 8));
        }
    }
    s
}

/// The nodes, failure domains, site failures and WAN links, one line each.
pub(super) fn write_components(model: &Model, out: &mut String) {
    for (kind, one, many) in [
        (ComponentKind::Node, "node", "nodes"),
        (ComponentKind::Domain, "failure domain", "failure domains"),
        (ComponentKind::Site, "site failure", "site failures"),
        (ComponentKind::Link, "WAN link", "WAN links"),
    ] {
        let ids: Vec<ComponentId> = model.components_of(kind).collect();
        if ids.is_empty() && kind != ComponentKind::Node {
            continue;
        }
        let _ = writeln!(out, "{}:", plural(ids.len(), one, many));
        for c in ids {
            let _ = writeln!(out, "  {}", component_line(model, c));
        }
    }
}
