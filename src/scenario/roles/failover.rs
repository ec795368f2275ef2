//! The parameters shared by the failover kinds (cluster, availability group, mirroring): failover
//! time, coverage, operator recovery, software failures; and the machine they describe.

use crate::base::dist::Dist;
use crate::model::{Machine, Recovery, Replica, Software, stream_key};

use super::super::compile::{Compiler, RawRole};
use super::super::dist::dist;
use super::super::reader::{Errors, Tbl, probability};
use super::software::software;

/// The parameters shared by the failover kinds (cluster, availability group, mirroring).
pub(super) struct Failover {
    pub(super) failover: Option<Dist>,
    pub(super) coverage: f64,
    pub(super) manual_recovery: Option<Dist>,
    pub(super) manual_failover: Option<Dist>,
    pub(super) software: Option<Software>,
}

impl Compiler {
    /// Reads the failover parameters shared by clusters, availability groups and mirroring.
    /// `manual_failover`: `None` when the kind has none, else why it is required (if it is).
    pub(super) fn failover_fields(
        &self,
        t: &Tbl<'_, '_>,
        manual_failover: Option<Option<String>>,
        errs: &mut Errors,
    ) -> Failover {
        let failover = t
            .req(
                "failover",
                "time of an automatic failover, e.g. { dist = \"lognormal\", mean = \"2min\", sigma = 0.5 }",
                errs,
            )
            .and_then(|d| dist(d, &t.path_of("failover"), errs));
        let coverage = t
            .get("coverage")
            .and_then(|c| probability(c, &t.path_of("coverage"), errs));
        let software = t
            .get("software")
            .and_then(|s| software(s, &t.path_of("software"), errs));
        let manual_recovery = t
            .get("manual_recovery")
            .and_then(|d| dist(d, &t.path_of("manual_recovery"), errs));
        if !t.has("manual_recovery") {
            let why = match (coverage, &software) {
                (Some(c), _) if c < 1.0 => Some(format!(
                    "coverage = {c} < 1, and a failed failover needs an operator"
                )),
                (_, Some(sw)) if sw.restart_success < 1.0 => Some(format!(
                    "software.restart_success = {} < 1, and a failed restart may need an operator",
                    sw.restart_success
                )),
                _ => None,
            };
            if let Some(why) = why {
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!("missing field `manual_recovery` (operator recovery time, e.g. {{ dist = \"exponential\", mean = \"1h\" }}): needed because {why}"),
                );
            }
        }
        let manual_failover = match manual_failover {
            None => None,
            Some(required) => match t.get("manual_failover") {
                Some(d) => dist(d, &t.path_of("manual_failover"), errs),
                None => {
                    if let Some(why) = required {
                        errs.push(
                            t.span.clone(),
                            t.path.clone(),
                            format!("missing field `manual_failover` (operator delay before a manual failover, e.g. {{ dist = \"exponential\", mean = \"30min\" }}): needed because {why}"),
                        );
                    }
                    None
                }
            },
        };
        Failover {
            failover,
            coverage: coverage.unwrap_or(1.0),
            manual_recovery,
            manual_failover,
            software,
        }
    }

    pub(super) fn machine(&self, role: &RawRole, replicas: Vec<Replica>, f: Failover) -> Machine {
        Machine {
            replicas,
            witness: None,
            failover: f.failover,
            coverage: f.coverage,
            manual_recovery: f.manual_recovery,
            manual_failover: f.manual_failover,
            failback: false,
            failback_after_maintenance: false,
            software: f.software,
            recovery: Recovery::Repair,
            quorum: None,
            dormant: None,
            stream_key: stream_key("role", &role.name.text),
            output: 0,
        }
    }
}
