//! The maintenance schedules in plain words: when, and which nodes go down together or roll.

use std::fmt::Write as _;

use crate::base::units::format_duration;
use crate::model::{Guard, Model};

use super::{names, plural};

/// The maintenance schedules: period, offset, and how the nodes go down.
pub(super) fn write_maintenance(model: &Model, out: &mut String) {
    if !model.maintenance.is_empty() {
        let _ = writeln!(
            out,
            "{}:",
            plural(
                model.maintenance.len(),
                "maintenance schedule",
                "maintenance schedules"
            )
        );
        for m in &model.maintenance {
            let from = if m.offset > 0.0 {
                format!(" from {}", format_duration(m.offset))
            } else {
                String::new()
            };
            let how = match m.guard {
                Guard::None if m.nodes.len() == 1 => format!(
                    "{} goes down for {}",
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
                Guard::None => format!(
                    "{} go down together for {}",
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
                Guard::KeepOneUp => format!(
                    "rolling over {} one at a time, {} each, never taking the last listed node that is up",
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
                Guard::Role(r) => format!(
                    "rolling over role {}'s nodes {} one at a time, {} each, skipping a node whose loss would make the role unavailable",
                    model.roles[r].name,
                    names(model, &m.nodes),
                    format_duration(m.duration)
                ),
            };
            let _ = writeln!(
                out,
                "  maintenance {}: every {}{from}, {how}",
                m.name,
                format_duration(m.every)
            );
        }
    }
}
