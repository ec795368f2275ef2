//! The `recovery` of a standalone role: back with its node (repair), from the last backup (restore)
//! or rebuilt without data (reinstall, possibly from another role).

use crate::model::Recovery;

use super::super::compile::{Compiler, RawRole};
use super::super::dist::dist;
use super::super::reader::{self, Errors, Tbl, Val, duration, positive_duration, string};

const RECOVERY_KINDS: &str = "\"repair\" (the role comes back with its node; the default), \"restore\" (from the last backup) or \"reinstall\" (rebuilt, no data kept)";

impl Compiler {
    /// Reads `recovery = { kind = ..., ... }` of a standalone role; records a reinstall source.
    pub(super) fn recovery(
        &self,
        v: &Val<'_>,
        path: &str,
        role: &mut RawRole,
        errs: &mut Errors,
    ) -> Option<Recovery> {
        let t = Tbl::new(
            v,
            path,
            "a recovery such as { kind = \"restore\", backup_every = \"24h\", restore = { dist = \"fixed\", value = \"6h\" } }",
            errs,
        )?;
        let kind_val = t.req("kind", RECOVERY_KINDS, errs);
        let kind = kind_val.and_then(|k| string(k, &t.path_of("kind"), errs));
        const KEYS: &[(&str, &str)] = &[
            ("backup_every", "restore"),
            ("backup_offset", "restore"),
            ("backup_job", "restore"),
            ("restore", "restore"),
            ("time", "reinstall"),
            ("from", "reinstall"),
        ];
        let result = match kind.as_deref() {
            Some(k @ ("repair" | "restore" | "reinstall")) => {
                for (key, owner) in KEYS {
                    if *owner != k
                        && let Some((span, _)) = t.peek(key)
                    {
                        t.handled(key);
                        errs.push(
                            span,
                            t.path_of(key),
                            format!("`{key}` applies to kind = \"{owner}\", not kind = \"{k}\""),
                        );
                    }
                }
                match k {
                    "repair" => Some(Recovery::Repair),
                    "restore" => {
                        let every = t
                            .req(
                                "backup_every",
                                "interval between backups, e.g. \"24h\"",
                                errs,
                            )
                            .and_then(|x| {
                                positive_duration(
                                    x,
                                    &t.path_of("backup_every"),
                                    "backup_every",
                                    errs,
                                )
                            });
                        let offset = match t.get("backup_offset") {
                            Some(x) => duration(x, &t.path_of("backup_offset"), errs),
                            None => Some(0.0),
                        };
                        let restore = t
                            .req(
                                "restore",
                                "time to restore, e.g. { dist = \"lognormal\", mean = \"6h\", sigma = 0.5 }",
                                errs,
                            )
                            .and_then(|d| dist(d, &t.path_of("restore"), errs));
                        let job = self.backup_job(&t, errs);
                        match (every, offset, restore, job) {
                            (Some(every), Some(offset), Some(restore), Some(job)) => {
                                Some(Recovery::Restore {
                                    every,
                                    offset,
                                    restore,
                                    job,
                                })
                            }
                            _ => None,
                        }
                    }
                    _ => {
                        let time = t
                            .req(
                                "time",
                                "time to reinstall, e.g. { dist = \"fixed\", value = \"8h\" }",
                                errs,
                            )
                            .and_then(|d| dist(d, &t.path_of("time"), errs));
                        let from = t.get("from").and_then(|f| {
                            let p = t.path_of("from");
                            let n = reader::name(f, &p, errs)?;
                            let j = self.role_ref(
                                &n,
                                &p,
                                "`from` names the role it is reinstalled from",
                                errs,
                            )?;
                            if n.text == role.name.text {
                                errs.push(
                                    n.span.clone(),
                                    p,
                                    format!("role `{}` cannot be reinstalled from itself; `from` names the role it is rebuilt from, e.g. its parent site's server", n.text),
                                );
                                return None;
                            }
                            role.from = Some((j, n.span.clone()));
                            Some(j)
                        });
                        time.map(|time| Recovery::Reinstall { time, from })
                    }
                }
            }
            Some(other) => {
                let hint = reader::closest(other, &["repair", "restore", "reinstall"])
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                errs.push(
                    kind_val.map_or(t.span.clone(), |k| k.span()),
                    t.path_of("kind"),
                    format!("unknown recovery kind \"{other}\"; {hint}expected {RECOVERY_KINDS}"),
                );
                t.allow(&[
                    "backup_every",
                    "backup_offset",
                    "backup_job",
                    "restore",
                    "time",
                    "from",
                ]);
                None
            }
            None => {
                t.allow(&[
                    "backup_every",
                    "backup_offset",
                    "backup_job",
                    "restore",
                    "time",
                    "from",
                ]);
                None
            }
        };
        t.finish(errs);
        result
    }
}
