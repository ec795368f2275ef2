//! Phases: a calendar that repeats inside each year (business hours, a month-end close, a yearly
//! peak), and what changes in each phase: a pool's `min_up`, a population's request rates, and which
//! services' downtime counts.
//!
//! The calendar's year is 365 days (8,760 hours, as everywhere in nines); mission time 0 is Monday
//! 1 January, 00:00. Every instant belongs to one phase: a named one, or the implicit `other`.

use crate::base::units::{HOURS_PER_YEAR, Hours};

/// Name of the implicit phase: time in no named phase.
pub const OTHER: &str = "other";

/// Most named phases (a service's phases are a bit mask).
pub const MAX_PHASES: usize = 32;

/// One phase of the calendar.
#[derive(Debug, Clone)]
pub struct Phase {
    /// Unique name (`other` for the implicit one).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// When it holds, in words (for `validate` and reports).
    pub rule: String,
    /// Hours of each year in this phase.
    pub hours_per_year: Hours,
    /// Pools whose `min_up` differs in this phase: (role, min_up).
    pub min_up: Vec<(usize, u32)>,
    /// Client populations whose request rates differ in this phase: (population, multiplier of
    /// every request kind's rate).
    pub rates: Vec<(usize, f64)>,
}

/// The phases of a scenario (none: the scenario has no `[phases]`).
#[derive(Debug, Clone, Default)]
pub struct Phases {
    /// Named phases in file order, then `other` when some time is in no named phase.
    pub list: Vec<Phase>,
    /// One year's calendar: (start hour within the year, phase), from hour 0 in time order; each
    /// holds until the next start, the last until the year's end. The same every year.
    pub calendar: Vec<(Hours, usize)>,
    /// Per service: a bit per phase, set where its downtime counts (all set without `needed_in`).
    pub needed: Vec<u64>,
}

impl Phases {
    /// Whether the scenario has phases.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The mask of every phase.
    pub fn all(&self) -> u64 {
        (1u64 << self.list.len()) - 1
    }

    /// Whether service `s` counts only in some phases (`needed_in`).
    pub fn partial(&self, s: usize) -> bool {
        self.needed.get(s).is_some_and(|&m| m != self.all())
    }

    /// End of calendar entry `i` within the year.
    pub fn entry_end(&self, i: usize) -> Hours {
        self.calendar
            .get(i + 1)
            .map_or(HOURS_PER_YEAR, |&(start, _)| start)
    }

    /// Per phase: the multiplier of population `pop`'s request rates (1 where unchanged); `None`
    /// when no phase changes them.
    pub fn rate_factors(&self, pop: usize) -> Option<Vec<f64>> {
        let of = |p: &Phase| p.rates.iter().find(|&&(x, _)| x == pop).map(|&(_, f)| f);
        self.list
            .iter()
            .any(|p| of(p).is_some())
            .then(|| self.list.iter().map(|p| of(p).unwrap_or(1.0)).collect())
    }

    /// Population `pop`'s mean rate multiplier over `[0, mission)` (1 where no phase changes it):
    /// requests in the mission / what they would be at the usual rates.
    pub fn mean_rate_factor(&self, pop: usize, mission: Hours) -> f64 {
        match self.rate_factors(pop) {
            Some(f) if mission > 0.0 => {
                let hours = self.hours_in(mission);
                f.iter().zip(&hours).map(|(f, h)| f * h).sum::<f64>() / mission
            }
            _ => 1.0,
        }
    }

    /// Hours of `[0, mission)` in each phase.
    pub fn hours_in(&self, mission: Hours) -> Vec<Hours> {
        let mut out = vec![0.0; self.list.len()];
        let whole = (mission / HOURS_PER_YEAR).floor();
        for (p, ph) in self.list.iter().enumerate() {
            out[p] = ph.hours_per_year * whole;
        }
        let rest = mission - whole * HOURS_PER_YEAR;
        for (i, &(start, p)) in self.calendar.iter().enumerate() {
            let end = self.entry_end(i).min(rest);
            if end > start {
                out[p] += end - start;
            }
        }
        out
    }
}
