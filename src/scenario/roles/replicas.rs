//! Replicated databases: SQL Server availability groups and database mirroring, their commit modes
//! and the transactions an asynchronous failover loses (`lag`).

use toml::de::DeValue;

use crate::base::dist::Dist;
use crate::model::{Commit, Replica, RoleKind};

use super::super::MAX_AG_SECONDARIES;
use super::super::compile::{Compiler, RawRole};
use super::super::dist::dist;
use super::super::reader::{self, Errors, Tbl, Val, string, type_name};

const COMMIT_MODES: &str = "\"synchronous\" (no data loss on failover) or \"asynchronous\" (a failover loses the transactions not yet replicated; needs `lag`)";

/// Reads a commit mode.
fn commit(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Commit> {
    let s = string(v, path, errs)?;
    match s.as_str() {
        "synchronous" => Some(Commit::Synchronous),
        "asynchronous" => Some(Commit::Asynchronous),
        other => {
            let hint = reader::closest(other, &["synchronous", "asynchronous"])
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            errs.push(
                v.span(),
                path,
                format!("unknown commit mode \"{other}\"; {hint}expected {COMMIT_MODES}"),
            );
            None
        }
    }
}

impl Compiler {
    pub(super) fn availability_group(
        &self,
        t: &Tbl<'_, '_>,
        role: &mut RawRole,
        errs: &mut Errors,
    ) {
        let primary = t
            .req("primary", "the node of the initial primary replica", errs)
            .and_then(|p| self.one_node(p, &t.path_of("primary"), errs));
        let mut used: Vec<usize> = primary.iter().map(|(n, _)| *n).collect();
        let mut secondaries: Vec<(usize, Commit, Option<Dist>)> = Vec::new();
        let mut any_async = false;
        let mut ok = true;
        let sv = t.req(
            "secondaries",
            "secondary replicas, e.g. [{ on = \"sql2\", commit = \"synchronous\" }]",
            errs,
        );
        if let Some(sv) = sv {
            let sp = t.path_of("secondaries");
            match sv.get_ref() {
                DeValue::Array(items) if items.is_empty() || items.len() > MAX_AG_SECONDARIES => {
                    ok = false;
                    errs.push(
                        sv.span(),
                        sp,
                        format!(
                            "an availability group has 1 to {MAX_AG_SECONDARIES} secondary replicas, but `secondaries` lists {}",
                            items.len()
                        ),
                    );
                }
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let ip = format!("{sp}[{i}]");
                        let Some(it) = Tbl::new(
                            item,
                            &ip,
                            "a secondary replica such as { on = \"sql2\", commit = \"synchronous\" }",
                            errs,
                        ) else {
                            ok = false;
                            continue;
                        };
                        let node = it
                            .req("on", "the replica's node", errs)
                            .and_then(|o| self.one_node(o, &it.path_of("on"), errs));
                        let mode = it
                            .req("commit", COMMIT_MODES, errs)
                            .and_then(|c| commit(c, &it.path_of("commit"), errs));
                        let lag = self.lag(&it, mode, "", errs);
                        let on_path = it.path_of("on");
                        it.finish(errs);
                        match (node, mode) {
                            (Some((n, name)), Some(mode)) => {
                                if used.contains(&n) {
                                    ok = false;
                                    errs.push(
                                        name.span,
                                        on_path,
                                        format!("node `{}` already holds a replica of this role; each replica needs its own node", name.text),
                                    );
                                }
                                used.push(n);
                                any_async |= mode == Commit::Asynchronous;
                                secondaries.push((n, mode, lag));
                            }
                            _ => ok = false,
                        }
                    }
                }
                other => {
                    ok = false;
                    errs.push(
                        sv.span(),
                        sp,
                        format!(
                            "expected an array of secondary replicas such as [{{ on = \"sql2\", commit = \"synchronous\" }}], found {}",
                            type_name(other)
                        ),
                    );
                }
            }
        }
        let why = any_async.then(|| {
            "a secondary is asynchronous, and failing over to it takes an operator".to_string()
        });
        let f = self.failover_fields(t, Some(why), errs);
        let (Some((primary, _)), true) = (primary, ok) else {
            return;
        };
        let mut replicas = vec![Replica {
            node: primary,
            automatic: true,
            needs_witness: false,
            lag: None,
            up: 0,
        }];
        replicas.extend(secondaries.iter().map(|(node, mode, lag)| Replica {
            node: *node,
            automatic: *mode == Commit::Synchronous,
            needs_witness: false,
            lag: lag.clone(),
            up: 0,
        }));
        role.machine = Some(self.machine(role, replicas, f));
        role.kind = Some(RoleKind::AvailabilityGroup {
            primary,
            secondaries: secondaries.into_iter().map(|(n, c, _)| (n, c)).collect(),
        });
    }

    /// Reads `lag`: required for asynchronous commit, rejected for synchronous.
    fn lag(
        &self,
        t: &Tbl<'_, '_>,
        mode: Option<Commit>,
        default_note: &str,
        errs: &mut Errors,
    ) -> Option<Dist> {
        let lag = t.get("lag");
        match (mode, lag) {
            (Some(Commit::Asynchronous), Some(d)) => dist(d, &t.path_of("lag"), errs),
            (Some(Commit::Asynchronous), None) => {
                errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    "missing field `lag` (hours of transactions lost by a failover, e.g. { dist = \"exponential\", mean = \"30s\" }): needed because commit = \"asynchronous\"",
                );
                None
            }
            (Some(Commit::Synchronous), Some(d)) => {
                errs.push(
                    d.span(),
                    t.path_of("lag"),
                    format!("`lag` applies to asynchronous commit only; with commit = \"synchronous\"{default_note} a failover loses no transactions"),
                );
                None
            }
            _ => None,
        }
    }

    pub(super) fn mirroring(&self, t: &Tbl<'_, '_>, role: &mut RawRole, errs: &mut Errors) {
        let principal = t
            .req("principal", "the node of the initial principal", errs)
            .and_then(|p| self.one_node(p, &t.path_of("principal"), errs));
        let mirror = t
            .req("mirror", "the mirror's node", errs)
            .and_then(|p| self.one_node(p, &t.path_of("mirror"), errs));
        let witness = t
            .get("witness")
            .and_then(|p| self.one_node(p, &t.path_of("witness"), errs));
        let (mode, note) = match t.get("commit") {
            Some(c) => (commit(c, &t.path_of("commit"), errs), ""),
            None => (Some(Commit::Synchronous), " (the default)"),
        };
        let lag = self.lag(t, mode, note, errs);
        let f = self.failover_fields(
            t,
            Some(Some(
                "mirroring fails over by hand when there is no witness or the witness is down"
                    .to_string(),
            )),
            errs,
        );
        let mut ok = true;
        if let (Some((p, _)), Some((m, mn))) = (&principal, &mirror)
            && p == m
        {
            ok = false;
            errs.push(
                mn.span.clone(),
                t.path_of("mirror"),
                format!(
                    "the mirror must be another node than the principal `{}`",
                    mn.text
                ),
            );
        }
        if let Some((w, wn)) = &witness
            && [&principal, &mirror]
                .iter()
                .any(|x| x.as_ref().is_some_and(|(n, _)| n == w))
        {
            ok = false;
            errs.push(
                wn.span.clone(),
                t.path_of("witness"),
                format!(
                    "the witness must be a third node, not the principal or the mirror (`{}`)",
                    wn.text
                ),
            );
        }
        let (Some((principal, _)), Some((mirror, _)), Some(mode), true) =
            (principal, mirror, mode, ok)
        else {
            return;
        };
        let auto = witness.is_some();
        let replicas = [principal, mirror]
            .into_iter()
            .map(|node| Replica {
                node,
                automatic: auto,
                needs_witness: auto,
                lag: lag.clone(),
                up: 0,
            })
            .collect();
        let mut m = self.machine(role, replicas, f);
        m.witness = witness.as_ref().map(|(w, _)| *w);
        role.machine = Some(m);
        role.kind = Some(RoleKind::Mirroring {
            principal,
            mirror,
            witness: witness.map(|(w, _)| w),
            commit: mode,
        });
    }
}
