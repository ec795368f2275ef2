//! The sites in plain words: where each hangs in the tree, its WAN link, and whether the whole site
//! fails.

use std::fmt::Write as _;

use crate::model::Model;

use super::plural;

/// The sites: where each hangs in the tree, its WAN link, and whether the whole site fails.
pub(super) fn write_sites(model: &Model, out: &mut String) {
    if !model.sites.is_empty() {
        let _ = writeln!(out, "{}:", plural(model.sites.len(), "site", "sites"));
        for site in &model.sites {
            let mut s = match site.parent {
                None => "root site".to_string(),
                Some(p) => {
                    let link = match site.link {
                        Some(l) => format!("WAN link {} can fail", model.components[l].name),
                        None => "the link never fails".to_string(),
                    };
                    format!("under {} ({link})", model.sites[p].name)
                }
            };
            match site.component {
                Some(c) => {
                    let _ = write!(
                        s,
                        "; the whole site fails after {}, repaired in {}",
                        model.components[c].failure.describe(),
                        model.components[c].repair.describe()
                    );
                }
                None => s.push_str("; the site itself never fails"),
            }
            let _ = writeln!(out, "  site {}: {s}", site.name);
        }
    }
}
