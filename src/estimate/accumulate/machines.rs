//! What a role machine's own mechanisms did: failovers, restarts, downtime by cause, data lost.

use serde::{Deserialize, Serialize};

use crate::base::stats::{MeanAcc, RatioAcc};
use crate::engine::{CAUSES, MachineStats};
use crate::model::{Recovery, Role};

/// Mergeable statistics of a role machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(in crate::estimate) struct MachineAcc {
    pub(in crate::estimate) failovers: MeanAcc,
    pub(in crate::estimate) failed_failovers: MeanAcc,
    pub(in crate::estimate) restarts: MeanAcc,
    pub(in crate::estimate) by_cause: [MeanAcc; CAUSES],
    pub(in crate::estimate) can_lose_data: bool,
    /// Its cluster has quorum: "no quorum" is reported apart.
    #[serde(default)]
    pub(in crate::estimate) by_quorum: bool,
    pub(in crate::estimate) data_lost: MeanAcc,
    pub(in crate::estimate) loss_incidents: MeanAcc,
    pub(in crate::estimate) loss_per_incident: RatioAcc,
    pub(in crate::estimate) worst_loss: f64,
}

impl MachineAcc {
    /// An empty accumulator for `role`, if it has a machine (or is a pool with standby instances:
    /// its switch-overs count as failovers).
    pub(super) fn new(role: &Role) -> Option<Self> {
        match &role.machine {
            Some(m) => Some(MachineAcc {
                can_lose_data: matches!(m.recovery, Recovery::Restore { .. })
                    || m.replicas.iter().any(|r| r.lag.is_some()),
                by_quorum: m.quorum.is_some(),
                ..Default::default()
            }),
            None => role.standby.as_ref().map(|_| MachineAcc::default()),
        }
    }

    pub(super) fn merge(&mut self, o: &MachineAcc) {
        self.failovers.merge(&o.failovers);
        self.failed_failovers.merge(&o.failed_failovers);
        self.restarts.merge(&o.restarts);
        for (a, b) in self.by_cause.iter_mut().zip(&o.by_cause) {
            a.merge(b);
        }
        self.data_lost.merge(&o.data_lost);
        self.loss_incidents.merge(&o.loss_incidents);
        self.loss_per_incident.merge(&o.loss_per_incident);
        self.worst_loss = self.worst_loss.max(o.worst_loss);
    }

    pub(super) fn record(&mut self, st: &MachineStats, years: f64, w: f64) {
        self.failovers.add(st.failovers as f64 / years, w);
        self.failed_failovers
            .add(st.failed_failovers as f64 / years, w);
        self.restarts.add(st.restarts as f64 / years, w);
        for (a, &h) in self.by_cause.iter_mut().zip(&st.down_by_cause) {
            a.add(h / years, w);
        }
        if self.can_lose_data {
            self.data_lost.add(st.data_lost / years, w);
            self.loss_incidents.add(st.loss_incidents as f64 / years, w);
            self.loss_per_incident
                .add(st.data_lost, st.loss_incidents as f64, w);
            self.worst_loss = self.worst_loss.max(st.worst_loss);
        }
    }
}
