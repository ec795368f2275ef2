//! The repair crews in plain words: technicians, policy, dispatch, and what they repair.

use std::fmt::Write as _;

use crate::model::{ComponentId, CrewPolicy, Model};

use super::{plural, served_by};

/// The repair crews: technicians, policy, dispatch, and what they repair.
pub(super) fn write_crews(model: &Model, out: &mut String) {
    if !model.crews.is_empty() {
        let _ = writeln!(out, "{}:", plural(model.crews.len(), "crew", "crews"));
        for (k, crew) in model.crews.iter().enumerate() {
            let served: Vec<ComponentId> = (0..model.components.len())
                .filter(|&c| model.components[c].crew == Some(k))
                .collect();
            let _ = writeln!(
                out,
                "  crew {}: {}, {}{}; repairs {}",
                crew.name,
                plural(crew.technicians as usize, "technician", "technicians"),
                match crew.policy {
                    CrewPolicy::Fifo => "first come, first served",
                    CrewPolicy::Priority => "most urgent priority first",
                },
                crew.dispatch
                    .as_ref()
                    .map(|d| format!(", dispatch {}", d.describe()))
                    .unwrap_or_default(),
                served_by(model, &served, "component", "components")
            );
        }
    }
}
