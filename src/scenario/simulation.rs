//! `[simulation]` (mission, replications, seed, threads) and `[defaults]` (the failure and repair of
//! nodes that give none).

use crate::base::dist::Dist;
use crate::base::units::{HOURS_PER_YEAR, format_duration};
use crate::model::Simulation;

use super::compile::Compiler;
use super::dist::{failure_dist, repair_dist};
use super::reader::{Errors, Name, Tbl, Val, duration, integer, name};
use super::{MAX_MISSION_YEARS, MAX_REPLICATIONS};

impl Compiler {
    pub(super) fn simulation(&self, v: &Val<'_>, errs: &mut Errors) -> Option<Simulation> {
        let t = Tbl::new(v, "simulation", "the [simulation] section", errs)?;
        let mission = t.req("mission", "mission length, e.g. \"10y\"", errs).and_then(|m| {
            let p = t.path_of("mission");
            let h = duration(m, &p, errs)?;
            if h <= 0.0 {
                errs.push(m.span(), p, "mission must be longer than zero");
                None
            } else if h > MAX_MISSION_YEARS * HOURS_PER_YEAR {
                errs.push(
                    m.span(),
                    p,
                    format!(
                        "a mission of {} is absurdly long; the longest accepted is {MAX_MISSION_YEARS}y (use more replications instead)",
                        format_duration(h)
                    ),
                );
                None
            } else {
                Some(h)
            }
        });
        let replications = match t.get("replications") {
            Some(r) => {
                let p = t.path_of("replications");
                match integer(r, &p, MAX_REPLICATIONS, errs) {
                    Some(0) => {
                        errs.push(r.span(), p, "replications must be at least 1");
                        None
                    }
                    other => other,
                }
            }
            None => Some(10_000),
        };
        let seed = match t.get("seed") {
            Some(s) => integer(s, &t.path_of("seed"), i64::MAX as u64, errs),
            None => Some(1),
        };
        let threads = match t.get("threads") {
            Some(th) => {
                let p = t.path_of("threads");
                match integer(th, &p, 4096, errs) {
                    Some(0) => {
                        errs.push(
                            th.span(),
                            p,
                            "threads must be at least 1 (leave it out to use all cores)",
                        );
                        None
                    }
                    Some(n) => Some(Some(n as usize)),
                    None => None,
                }
            }
            None => Some(None),
        };
        t.finish(errs);
        Some(Simulation {
            mission: mission?,
            replications: replications?,
            seed: seed?,
            threads: threads?,
        })
    }

    pub(super) fn defaults(&self, v: &Val<'_>, errs: &mut Errors) -> Defaults {
        let Some(t) = Tbl::new(v, "defaults", "the [defaults] section", errs) else {
            // Reported: a node without its own failure or repair is not also told that [defaults]
            // lacks one.
            return Defaults {
                failure_given: true,
                repair_given: true,
                ..Defaults::default()
            };
        };
        let (f, r) = (t.get("failure"), t.get("repair"));
        let defaults = Defaults {
            failure: f.and_then(|d| failure_dist(d, &t.path_of("failure"), errs)),
            repair: r.and_then(|d| repair_dist(d, &t.path_of("repair"), errs)),
            failure_given: f.is_some(),
            repair_given: r.is_some(),
            spare_name: t
                .get("spare")
                .and_then(|s| name(s, &t.path_of("spare"), errs)),
            spare: None,
        };
        t.finish(errs);
        defaults
    }
}

/// What `[defaults]` gives: its failure and repair, and whether each was written at all (a default
/// written wrongly is reported where it is written, not again at every node that would use it).
#[derive(Default)]
pub(super) struct Defaults {
    pub(super) failure: Option<Dist>,
    pub(super) repair: Option<Dist>,
    pub(super) failure_given: bool,
    pub(super) repair_given: bool,
    /// The default stock as written (resolved once `[stocks]` is read).
    pub(super) spare_name: Option<Name>,
    /// The stock of every repaired node that names none (`spare = false` opts out).
    pub(super) spare: Option<usize>,
}
