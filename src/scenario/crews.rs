//! `[crews]` (repair technicians, dispatch delay, queue policy) and the `crew` and `priority` that
//! send a component's repairs to one.

use crate::model::{Crew, CrewPolicy, stream_key};

use super::compile::Compiler;
use super::dist::dist;
use super::reader::{self, Errors, Name, Tbl, Val, integer, join, name, string, unknown};
use super::{DEFAULT_PRIORITY, MAX_TECHNICIANS};

impl Compiler {
    pub(super) fn crews_section(&mut self, v: &Val<'_>, errs: &mut Errors) {
        let Some(section) = Tbl::new(v, "crews", "the [crews] section", errs) else {
            return;
        };
        for (key, val) in section.entries() {
            let key_name: &str = key.get_ref();
            let path = join("crews", key_name);
            self.crew_names
                .insert(key_name.to_string(), self.crews.len());
            let mut crew = Crew {
                name: key_name.to_string(),
                technicians: 1,
                dispatch: None,
                policy: CrewPolicy::Fifo,
                stream_key: stream_key("crew", key_name),
            };
            if let Some(t) = Tbl::new(val, &path, &format!("crew `{key_name}`"), errs) {
                if let Some(tv) = t.req(
                    "technicians",
                    "how many technicians repair in parallel, 1 to 10000",
                    errs,
                ) {
                    let p = t.path_of("technicians");
                    match integer(tv, &p, MAX_TECHNICIANS, errs) {
                        Some(0) => errs.push(
                            tv.span(),
                            p,
                            "technicians must be at least 1 (for unlimited independent repair, name no crew)",
                        ),
                        Some(n) => crew.technicians = n as u32,
                        None => {}
                    }
                }
                if let Some(d) = t.get("dispatch") {
                    crew.dispatch = dist(d, &t.path_of("dispatch"), errs);
                }
                if let Some(pv) = t.get("policy") {
                    let p = t.path_of("policy");
                    match string(pv, &p, errs).as_deref() {
                        Some("fifo") => crew.policy = CrewPolicy::Fifo,
                        Some("priority") => crew.policy = CrewPolicy::Priority,
                        Some(other) => {
                            let hint = reader::closest(other, &["fifo", "priority"])
                                .map(|c| format!("did you mean \"{c}\"? "))
                                .unwrap_or_default();
                            errs.push(
                                pv.span(),
                                p,
                                format!("unknown policy \"{other}\"; {hint}expected \"fifo\" (first come, first served) or \"priority\" (smallest component `priority` first)"),
                            );
                        }
                        None => {}
                    }
                }
                t.finish(errs);
            }
            self.crews.push(crew);
        }
    }

    pub(super) fn lookup_crew(&self, n: &Name, path: &str, errs: &mut Errors) -> Option<usize> {
        if let Some(&i) = self.crew_names.get(&n.text) {
            return Some(i);
        }
        let known: Vec<&str> = self.crews.iter().map(|c| c.name.as_str()).collect();
        errs.push(
            n.span.clone(),
            path,
            unknown(
                "crew",
                &n.text,
                &known,
                &format!(
                    "define it in a [crews.{}] section with `technicians = 1`",
                    n.text
                ),
            ),
        );
        None
    }

    /// Reads `crew` and `priority` of a component.
    pub(super) fn crew_fields(&self, t: &Tbl<'_, '_>, errs: &mut Errors) -> (Option<usize>, u32) {
        let crew = t
            .get("crew")
            .and_then(|c| name(c, &t.path_of("crew"), errs))
            .and_then(|n| self.lookup_crew(&n, &t.path_of("crew"), errs));
        let priority = match t.get("priority") {
            Some(pv) => {
                let p = t.path_of("priority");
                let x = integer(pv, &p, u32::MAX as u64, errs);
                if x.is_some() && !t.has("crew") {
                    errs.push(
                        pv.span(),
                        p,
                        "`priority` orders a crew's queue, but no `crew` is named here (without a crew, repair starts at once)",
                    );
                }
                x.map_or(DEFAULT_PRIORITY, |x| x as u32)
            }
            None => DEFAULT_PRIORITY,
        };
        (crew, priority)
    }
}
