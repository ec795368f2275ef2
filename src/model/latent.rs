//! Latent failures: nodes whose failures nobody sees (`silent`, or idle warm standby nodes), and the
//! inspections that find them.

use crate::base::units::Hours;

use super::ComponentId;

/// An inspection schedule (`[inspections.NAME]`): every `every` from `offset`, each listed node whose
/// failure is hidden is checked; the check ends `duration` later and finds a failure that was there
/// when it began with probability `detect`.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Unique name.
    pub name: String,
    /// Nodes inspected: silent nodes or dormant standby nodes (the only ones whose failures hide).
    pub nodes: Vec<ComponentId>,
    /// Interval between inspections.
    pub every: Hours,
    /// Start of the first inspection.
    pub offset: Hours,
    /// How long an inspection takes; what it finds is found at its end.
    pub duration: Hours,
    /// Probability that an inspection finds a failure that is there.
    pub detect: f64,
    /// Key of its random stream (detection draws).
    pub stream_key: u64,
    /// The crew whose technician inspects (`crew`): the inspection waits in the crew's queue, then
    /// takes the technician for the crew's dispatch delay and its `duration`.
    pub crew: Option<usize>,
}

impl super::Model {
    /// The nodes whose latent failures are reported: silent nodes, inspected nodes, and the nodes of
    /// warm standby clusters and pools (a failure while one idles hides until it is called on), in
    /// component order.
    pub fn latent_nodes(&self) -> Vec<ComponentId> {
        (0..self.components.len())
            .filter(|&c| {
                self.components[c].silent
                    || self.dormant_standby(c)
                    || self.inspections.iter().any(|i| i.nodes.contains(&c))
            })
            .collect()
    }

    /// The nodes whose failures can hide (silent nodes, dormant standby nodes), in component order:
    /// each has its own cause in the attribution of downtime, "NAME failed unseen".
    pub fn hiding_nodes(&self) -> Vec<ComponentId> {
        (0..self.components.len())
            .filter(|&c| self.components[c].silent || self.components[c].standby_of.is_some())
            .collect()
    }

    /// Whether node `c` is a node of a warm standby cluster or pool (`0 < dormant < 1`): its failures
    /// while idle hide. A cold one (`dormant = 0`) never fails idle, so it has nothing to report; a
    /// hot cluster made to call its nodes as a dormant one for a silent passive node (`dormant = 1`)
    /// hides only the silent node's failures.
    fn dormant_standby(&self, c: ComponentId) -> bool {
        let Some(r) = self.components[c].standby_of else {
            return false;
        };
        let role = &self.roles[r];
        let dormant = role
            .machine
            .as_ref()
            .and_then(|m| m.dormant)
            .or_else(|| role.standby.as_ref().and_then(|s| s.dormant));
        dormant.is_some_and(|d| d > 0.0 && d < 1.0)
    }

    /// Whether node `c` takes a restore's backups (`backup_job`).
    pub fn is_backup_job(&self, c: ComponentId) -> bool {
        self.roles.iter().any(|r| {
            r.machine.as_ref().is_some_and(
                |m| matches!(m.recovery, super::Recovery::Restore { job: Some(j), .. } if j == c),
            )
        })
    }
}
