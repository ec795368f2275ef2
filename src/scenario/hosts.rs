//! `[hosts]`: host groups (a Hyper-V cluster) and the virtual machines placed on them: boot time,
//! live-migration pause, capacity, anti-affinity sets.

use toml::de::DeValue;

use crate::base::dist::Dist;
use crate::model::{HostGroup, NO_SET, stream_key};

use super::compile::Compiler;
use super::dist::dist;
use super::reader::{Errors, Name, Tbl, Val, duration, integer, join, names, string, type_name};

/// Most hosts, and most virtual machines, in one group.
pub const MAX_GROUP: usize = 1024;

/// A duration given as a string (fixed) or as a distribution table.
fn fixed_or_dist(v: &Val<'_>, path: &str, errs: &mut Errors) -> Option<Dist> {
    match v.get_ref() {
        DeValue::String(_) => duration(v, path, errs).and_then(|h| match Dist::fixed(h) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(v.span(), path, e);
                None
            }
        }),
        _ => dist(v, path, errs),
    }
}

impl Compiler {
    /// Reads `[hosts]`; needs the nodes and the clusters read.
    pub(super) fn hosts_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "hosts", "the [hosts] section", errs) else {
            return;
        };
        // What each node already is in some group: a host, or a virtual machine.
        let mut host_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut vm_of: Vec<Option<usize>> = vec![None; self.nodes.len()];
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("hosts", key_name);
            let Some(t) = Tbl::new(val, &path, &format!("host group `{key_name}`"), errs) else {
                continue;
            };
            let _ = t
                .get("description")
                .and_then(|d| string(d, &t.path_of("description"), errs));
            let list = |key: &'static str, what: &str, errs: &mut Errors| {
                t.req(key, what, errs).and_then(|n| {
                    let p = t.path_of(key);
                    let refs = names(n, &p, errs)?;
                    let ids = self.resolve_nodes(&refs, &p, errs)?;
                    Some((ids, n.span(), p))
                })
            };
            let hosts = list(
                "nodes",
                "the hosts in order: a node, a group or a list",
                errs,
            );
            let vms = list(
                "vms",
                "the virtual machines placed on these hosts: a node, a group or a list",
                errs,
            );
            let boot = t
                .req(
                    "boot",
                    "the time a virtual machine takes to start on another host, e.g. \"3min\"",
                    errs,
                )
                .and_then(|b| fixed_or_dist(b, &t.path_of("boot"), errs));
            let pause = t
                .get("migration_pause")
                .and_then(|p| fixed_or_dist(p, &t.path_of("migration_pause"), errs));
            let capacity = t.get("capacity").and_then(|c| {
                let p = t.path_of("capacity");
                match integer(c, &p, MAX_GROUP as u64, errs)? {
                    0 => {
                        errs.push(c.span(), p, "a host runs at least 1 virtual machine");
                        None
                    }
                    n => Some(n as u32),
                }
            });
            let cluster = match t.get("cluster") {
                Some(c) => match self.cluster_ref(c, &t.path_of("cluster"), errs) {
                    Some(q) => Some(q),
                    None => Some(None),
                },
                None => None,
            };
            let anti = t
                .get("anti_affinity")
                .map(|a| (a, t.path_of("anti_affinity")));
            t.finish(errs);
            let (Some((hosts, hspan, hpath)), Some((vms, vspan, vpath)), Some(boot)) =
                (hosts, vms, boot)
            else {
                continue;
            };
            let g = self.host_groups.len();
            let mut ok = cluster != Some(None);
            for (ids, span, p, what) in [
                (&hosts, &hspan, &hpath, "hosts"),
                (&vms, &vspan, &vpath, "virtual machines"),
            ] {
                if ids.is_empty() || ids.len() > MAX_GROUP {
                    errs.push(
                        span.clone(),
                        p.clone(),
                        format!(
                            "a host group has 1 to {MAX_GROUP} {what}, but this names {}",
                            ids.len()
                        ),
                    );
                    ok = false;
                }
                for (i, &n) in ids.iter().enumerate() {
                    if ids[..i].contains(&n) {
                        errs.push(
                            span.clone(),
                            p.clone(),
                            format!("node `{}` is listed twice", self.nodes[n].name),
                        );
                        ok = false;
                    }
                }
            }
            for &n in &hosts {
                if let Some(o) = host_of[n] {
                    errs.push(
                        hspan.clone(),
                        hpath.clone(),
                        format!(
                            "node `{}` is already a host of group `{}`; a host is in one group",
                            self.nodes[n].name, self.host_groups[o].name
                        ),
                    );
                    ok = false;
                } else if let Some(o) = vm_of[n] {
                    errs.push(hspan.clone(), hpath.clone(), format!(
                        "node `{}` is a virtual machine of host group `{}`; a host is a physical node",
                        self.nodes[n].name, self.host_groups[o].name));
                    ok = false;
                }
                host_of[n] = Some(g);
            }
            for &n in &vms {
                let clash = if hosts.contains(&n) {
                    Some(format!(
                        "node `{}` is one of this group's hosts; a virtual machine runs on the hosts",
                        self.nodes[n].name
                    ))
                } else if let Some(o) = host_of[n] {
                    Some(format!(
                        "node `{}` is a host of group `{}`; a virtual machine cannot host others",
                        self.nodes[n].name,
                        self.host_groups
                            .get(o)
                            .map_or(key_name, |h| h.name.as_str())
                    ))
                } else {
                    vm_of[n].map(|o| format!("node `{}` is already a virtual machine of host group `{}`; a virtual machine is on one group", self.nodes[n].name, self.host_groups[o].name))
                };
                if let Some(msg) = clash {
                    errs.push(vspan.clone(), vpath.clone(), msg);
                    ok = false;
                } else {
                    vm_of[n] = Some(g);
                }
            }
            if let Some(c) = capacity
                && (c as usize) * hosts.len() < vms.len()
            {
                errs.push(
                    vspan.clone(),
                    vpath.clone(),
                    format!(
                        "{} virtual machines do not fit on {} hosts of capacity {c} even with every host up; raise `capacity` or add hosts",
                        vms.len(),
                        hosts.len()
                    ),
                );
                ok = false;
            }
            let mut anti_of = vec![NO_SET; vms.len()];
            let mut sets = Vec::new();
            if let Some((a, p)) = anti {
                match a.get_ref() {
                    DeValue::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let ip = format!("{p}[{i}]");
                            let Some(refs) = names(item, &ip, errs) else {
                                ok = false;
                                continue;
                            };
                            let Some(ids) = self.resolve_nodes(&refs, &ip, errs) else {
                                ok = false;
                                continue;
                            };
                            let set_name = match item.get_ref() {
                                DeValue::String(s) => s.to_string(),
                                _ => refs
                                    .iter()
                                    .map(|r: &Name| r.text.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            };
                            for n in ids {
                                match vms.iter().position(|&v| v == n) {
                                    Some(k) if anti_of[k] == NO_SET => {
                                        anti_of[k] = sets.len() as u32
                                    }
                                    Some(_) => {
                                        errs.push(item.span(), ip.clone(), format!("`{}` is already in an anti-affinity set; a virtual machine is in one", self.nodes[n].name));
                                        ok = false;
                                    }
                                    None => {
                                        errs.push(item.span(), ip.clone(), format!("`{}` is not a virtual machine of host group `{key_name}` (its `vms`)", self.nodes[n].name));
                                        ok = false;
                                    }
                                }
                            }
                            sets.push(set_name);
                        }
                    }
                    other => {
                        errs.push(a.span(), p, format!(
                            "expected an array of anti-affinity sets (each a node group or a list of nodes), e.g. [\"vmm\"] or [[\"vmm-1\", \"vmm-2\"]], found {}",
                            type_name(other)));
                        ok = false;
                    }
                }
            }
            if ok {
                self.host_groups.push(HostGroup {
                    name: key_name.to_string(),
                    hosts,
                    cluster: cluster.flatten(),
                    capacity,
                    boot,
                    migration_pause: pause.filter(|d| d.mean() > 0.0),
                    vms,
                    anti: anti_of,
                    sets,
                    stream_key: stream_key("hosts", key_name),
                    host_up: Vec::new(),
                    placed: Vec::new(),
                });
            } else {
                // Keep the index numbering of later groups (messages name groups by index).
                self.host_groups.push(HostGroup {
                    name: key_name.to_string(),
                    hosts: Vec::new(),
                    cluster: None,
                    capacity: None,
                    boot,
                    migration_pause: None,
                    vms: Vec::new(),
                    anti: Vec::new(),
                    sets: Vec::new(),
                    stream_key: 0,
                    host_up: Vec::new(),
                    placed: Vec::new(),
                });
            }
        }
    }
}
