//! What fails and is repaired: components (nodes, domains, sites, links) and the site hierarchy.

use crate::base::dist::Dist;

use super::{ComponentId, SignalId};

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
    /// Stock whose part its repair needs: it waits for one (and its shipment) before its repair
    /// (or its crew's queue) starts. `None`: no part needed.
    pub spare: Option<usize>,
    /// Domains and sites it is directly in (component indices of kind `Domain` or `Site`).
    pub within: Vec<ComponentId>,
    /// Key of its random stream: a hash of kind and name, so layouts sharing a component share its stream.
    pub stream_key: u64,
    /// The role whose cold or warm standby this node is ([`Machine::dormant`](super::Machine)): it
    /// ages slower and fails silently while the role is elsewhere. `None` for every other component.
    pub standby_of: Option<usize>,
    /// `silent = true`: its failures stay hidden until an inspection or a restore that needs its
    /// backups finds them ([`Inspection`](super::Inspection)).
    pub silent: bool,
    /// Set for silent nodes and restores' backup jobs: the engine tells the latent-failure bookkeeping
    /// of their failures and repairs.
    pub latent: bool,
    /// Set by [`lower`](super::lower()): the primitive "not in maintenance" signal, if any schedule
    /// covers this node.
    pub maintenance: Option<SignalId>,
    /// Set by [`lower`](super::lower()): up when the component, all domains it is in (transitively)
    /// and its maintenance state allow it to work. Roles watch this signal.
    pub effective: SignalId,
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
