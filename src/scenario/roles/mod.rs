//! `[roles]`: the keys every role has (kind, requires, site, capacity, cost) and the dispatch to one
//! file per kind; which keys each kind accepts.

mod cluster;
mod failover;
mod pool;
mod replicas;
mod restore;
mod software;
mod standalone;
mod standby;

use super::compile::{Compiler, RawRole, Target};
use super::costs::yearly_cost;
use super::reader::{self, Errors, Name, Tbl, Val, names, rate, string};

const ROLE_KINDS: &str = "\"standalone\" (one instance on one node), \"pool\" (k-of-n instances), \"cluster\" (active/passive failover cluster), \"availability_group\" (SQL Server AlwaysOn) or \"mirroring\" (SQL Server database mirroring)";
const ROLE_KIND_NAMES: &[&str] = &[
    "standalone",
    "pool",
    "cluster",
    "availability_group",
    "mirroring",
];
const HA_KINDS: &[&str] = &["cluster", "availability_group", "mirroring"];
const STATEFUL_KINDS: &[&str] = &["standalone", "cluster", "availability_group", "mirroring"];
/// Role keys that only some kinds accept.
const ROLE_KEYS: &[(&str, &[&str])] = &[
    ("on", &["standalone", "pool", "cluster"]),
    ("min_up", &["pool"]),
    ("detection", &["pool"]),
    ("convergence", &["pool"]),
    ("recovery", &["standalone"]),
    ("software", STATEFUL_KINDS),
    ("manual_recovery", STATEFUL_KINDS),
    ("failover", HA_KINDS),
    ("coverage", HA_KINDS),
    ("failback", &["cluster"]),
    ("dormant", &["cluster", "pool"]),
    ("standby", &["pool"]),
    ("switch", &["pool"]),
    ("switch_fails", &["pool"]),
    ("max_nodes", &["cluster"]),
    ("cluster", &["cluster"]),
    ("primary", &["availability_group"]),
    ("secondaries", &["availability_group"]),
    ("manual_failover", &["availability_group", "mirroring"]),
    ("principal", &["mirroring"]),
    ("mirror", &["mirroring"]),
    ("witness", &["mirroring"]),
    ("commit", &["mirroring"]),
    ("lag", &["mirroring"]),
];

impl Compiler {
    /// Reports keys of another role kind with a message saying which kinds take them.
    fn reject_foreign_keys(&self, t: &Tbl<'_, '_>, kind: &str, errs: &mut Errors) {
        for (key, kinds) in ROLE_KEYS {
            if kinds.contains(&kind) {
                continue;
            }
            let Some((span, _)) = t.peek(key) else {
                continue;
            };
            t.handled(key);
            let msg = match (*key, kind) {
                ("min_up", "standalone") => {
                    "`min_up` applies to pools only; a standalone role has one instance".to_string()
                }
                ("on", "availability_group") => "an availability group names its replicas with `primary` and `secondaries`, not `on`".to_string(),
                ("on", "mirroring") => "a mirrored database names `principal`, `mirror` and optionally `witness`, not `on`".to_string(),
                ("recovery", _) => format!("`recovery` is only for standalone roles; a {kind} role recovers by failing over"),
                _ => {
                    let quoted: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
                    let list = match quoted.split_last() {
                        Some((last, rest)) if !rest.is_empty() => {
                            format!("{} or {last}", rest.join(", "))
                        }
                        _ => quoted.join(""),
                    };
                    format!("`{key}` does not apply to a {kind} role; it is for kind = {list}")
                }
            };
            errs.push(span, t.path_of(key), msg);
        }
    }

    pub(in crate::scenario) fn role(
        &self,
        v: &Val<'_>,
        path: &str,
        name: Name,
        errs: &mut Errors,
    ) -> RawRole {
        let mut role = RawRole {
            name: name.clone(),
            description: None,
            kind: None,
            machine: None,
            requires: Vec::new(),
            from: None,
            site: None,
            capacity: None,
            yearly_cost: None,
            dormant_at: None,
            tolerance: None,
            balancer: None,
            standby: None,
        };
        let Some(t) = Tbl::new(v, path, &format!("role `{}`", name.text), errs) else {
            return role;
        };
        role.yearly_cost = t
            .get("yearly_cost")
            .and_then(|c| yearly_cost(c, &t.path_of("yearly_cost"), errs));
        role.description = t
            .get("description")
            .and_then(|d| string(d, &t.path_of("description"), errs));
        role.tolerance = crate::scenario::services::tolerance(&t, errs);
        role.capacity = t
            .get("capacity")
            .and_then(|c| rate(c, &t.path_of("capacity"), errs));
        let kind = t.req("kind", ROLE_KINDS, errs).and_then(|k| {
            let s = string(k, &t.path_of("kind"), errs)?;
            if ROLE_KIND_NAMES.contains(&s.as_str()) {
                Some((s, k.span()))
            } else {
                let hint = reader::closest(&s, ROLE_KIND_NAMES)
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                errs.push(
                    k.span(),
                    t.path_of("kind"),
                    format!("unknown role kind \"{s}\"; {hint}expected {ROLE_KINDS}"),
                );
                None
            }
        });
        if let Some(refs) = t
            .get("requires")
            .and_then(|r| names(r, &t.path_of("requires"), errs))
        {
            for n in refs {
                match self.entity_names.get(&n.text) {
                    Some(Target::Role(i)) => role.requires.push((*i, n.span.clone())),
                    Some(Target::Service(_)) => errs.push(
                        n.span.clone(),
                        t.path_of("requires"),
                        format!("`{}` is a service; `requires` names roles", n.text),
                    ),
                    None => {
                        let hint = self.entity_hint(&n.text);
                        errs.push(
                            n.span.clone(),
                            t.path_of("requires"),
                            format!("unknown role `{}`{hint}", n.text),
                        );
                    }
                }
            }
        }
        let explicit_site = t.get("site").and_then(|s| {
            let n = reader::name(s, &t.path_of("site"), errs)?;
            self.lookup_site(&n, &t.path_of("site"), errs)
        });
        let Some((kind, kind_span)) = kind else {
            // Without a valid kind the other keys cannot be judged; report only the kind.
            t.allow(&ROLE_KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>());
            t.finish(errs);
            return role;
        };
        self.reject_foreign_keys(&t, &kind, errs);
        match kind.as_str() {
            "standalone" => self.standalone(&t, &mut role, errs),
            "pool" => self.pool(&t, kind_span, &mut role, errs),
            "cluster" => self.cluster(&t, &mut role, errs),
            "availability_group" => self.availability_group(&t, &mut role, errs),
            _ => self.mirroring(&t, &mut role, errs),
        }
        role.site = explicit_site;
        if let (Some(k), None) = (&role.kind, explicit_site) {
            let mut at: Vec<(usize, usize)> = Vec::new();
            for n in k.nodes() {
                if let Some(s) = self.nodes[n].site
                    && !at.iter().any(|(_, x)| *x == s)
                {
                    at.push((n, s));
                }
            }
            match at.as_slice() {
                [] => {}
                [(_, s)] => role.site = Some(*s),
                _ => errs.push(
                    t.span.clone(),
                    t.path.clone(),
                    format!(
                        "the role's nodes are at different sites ({}); say which site the role is at with `site = \"...\"`",
                        at.iter()
                            .map(|(n, s)| format!("{} at {}", self.nodes[*n].name, self.sites[*s].name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
        t.finish(errs);
        role
    }
}
