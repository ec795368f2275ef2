//! Software failures of a role: crashes or hangs while running, fixed by a restart in place that
//! succeeds with some probability.

use crate::model::Software;

use super::super::dist::{dist, failure_dist};
use super::super::reader::{Errors, Tbl, Val, probability};

/// Reads `software = { failure, restart, restart_success }`.
pub(super) fn software(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Software> {
    let t = Tbl::new(
        v,
        path,
        "software failures such as { failure = { dist = \"exponential\", mean = \"90d\" }, restart = { dist = \"fixed\", value = \"5min\" } }",
        errs,
    )?;
    let failure = t
        .req(
            "failure",
            "running time until the role crashes or hangs, e.g. { dist = \"exponential\", mean = \"90d\" }",
            errs,
        )
        .and_then(|d| failure_dist(d, &t.path_of("failure"), errs));
    let restart = t
        .req(
            "restart",
            "time to restart in place, e.g. { dist = \"fixed\", value = \"5min\" }",
            errs,
        )
        .and_then(|d| dist(d, &t.path_of("restart"), errs));
    let success = match t.get("restart_success") {
        Some(p) => probability(p, &t.path_of("restart_success"), errs),
        None => Some(1.0),
    };
    t.finish(errs);
    Some(Software {
        failure: failure?,
        restart: restart?,
        restart_success: success?,
    })
}
