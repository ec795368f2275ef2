//! Fitting failure and repair laws from an incident history (`nines fit`).
//!
//! [`incidents`] reads the CSV text into each component's outages and observation window; this file
//! turns them into durations and fits every law to them, per component, per group or pooled:
//! - **times to failure**: from the window's start to the first outage's start (only when the file
//!   gives `window_start`), then from each outage's end to the next one's start (each component as
//!   good as new at the window's start and after each repair); the time from the last repair to the
//!   window's end is right-censored, and a component that never failed gives one censored duration,
//!   its whole window;
//! - **repair times**: each outage's length; one still going on at the window's end is right-censored
//!   there.
//!
//! [`laws`] holds the four laws, [`mle`] the maximum-likelihood fit with censoring, its intervals and
//! goodness of fit.

pub mod incidents;
pub mod laws;
pub mod mle;

use incidents::{History, Incidents};
use laws::Law;
use mle::{Fit, Obs};

/// What to fit separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// Each component on its own.
    Component,
    /// Each group pooled (a component without a group is a group of its own).
    Group,
    /// Every component pooled.
    All,
}

impl By {
    /// Its name on the command line and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Component => "component",
            By::Group => "group",
            By::All => "all",
        }
    }
}

/// Times to failure or times to repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantity {
    /// Time to failure: the scenario's `failure`.
    Failure,
    /// Time to repair: the scenario's `repair`.
    Repair,
}

impl Quantity {
    /// `failure` or `repair`: the scenario key.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::Failure => "failure",
            Quantity::Repair => "repair",
        }
    }
}

/// Every law fitted to one set of durations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuantityFits {
    /// Which durations.
    pub quantity: Quantity,
    /// Durations that ended in view.
    pub events: usize,
    /// Durations right-censored.
    pub censored: usize,
    /// The sum of every duration, hours.
    pub exposure_hours: f64,
    /// The fitted laws, best (lowest AIC) first.
    pub fits: Vec<Fit>,
    /// Laws that could not be fitted, and why.
    pub skipped: Vec<(Law, String)>,
    /// The durations (for the probability plot).
    #[serde(skip)]
    pub obs: Vec<Obs>,
}

impl QuantityFits {
    /// The best fit by AIC, if any law could be fitted.
    pub fn best(&self) -> Option<&Fit> {
        self.fits.first()
    }
}

/// The fits of one component, group, or of everything pooled.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubjectFits {
    /// Component or group name (`all` when pooled).
    pub name: String,
    /// How it was formed.
    pub by: By,
    /// Its components.
    pub components: Vec<String>,
    /// Hours observed: the sum of its components' windows.
    pub observed_hours: f64,
    /// Times to failure.
    pub failure: QuantityFits,
    /// Times to repair.
    pub repair: QuantityFits,
}

/// Everything `nines fit` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FitReport {
    /// The file fitted, as shown.
    pub file: String,
    /// How components were pooled.
    pub by: By,
    /// Calendar times or plain hours.
    pub clock: incidents::Clock,
    /// Components in the file.
    pub components: usize,
    /// Outages in the file.
    pub outages: usize,
    /// Components without `window_start` (times to failure counted from their first repair).
    pub no_window_start: usize,
    /// Components without `window_end` (their window ends at the file's latest time).
    pub no_window_end: usize,
    /// One entry per component, group, or one for all.
    pub subjects: Vec<SubjectFits>,
}

/// A component's times to failure (see the module's description).
pub fn failure_times(h: &History) -> Vec<Obs> {
    let mut out = Vec::new();
    let mut from = h.start_given.then_some(h.window.0);
    for o in &h.outages {
        if let Some(f) = from {
            out.push(Obs {
                t: o.start - f,
                event: true,
            });
        }
        match o.end {
            Some(e) => from = Some(e),
            None => return out,
        }
    }
    if let Some(f) = from
        && h.window.1 > f
    {
        out.push(Obs {
            t: h.window.1 - f,
            event: false,
        });
    }
    out
}

/// A component's repair times (see the module's description).
pub fn repair_times(h: &History) -> Vec<Obs> {
    h.outages
        .iter()
        .filter_map(|o| match o.end {
            Some(e) => Some(Obs {
                t: e - o.start,
                event: true,
            }),
            None if h.window.1 > o.start => Some(Obs {
                t: h.window.1 - o.start,
                event: false,
            }),
            None => None,
        })
        .collect()
}

/// Fits every law to `obs`, best by AIC first (ties in [`Law::ALL`] order).
pub fn fit_quantity(quantity: Quantity, obs: Vec<Obs>) -> QuantityFits {
    let (events, exposure_hours) = mle::exposure(&obs);
    let mut fits = Vec::new();
    let mut skipped = Vec::new();
    for law in Law::ALL {
        match mle::fit(law, &obs) {
            Ok(f) => fits.push(f),
            Err(e) => skipped.push((law, e.to_string())),
        }
    }
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    QuantityFits {
        quantity,
        events,
        censored: obs.len() - events,
        exposure_hours,
        fits,
        skipped,
        obs,
    }
}

/// The default pooling: by group when the file names groups, else by component.
pub fn default_by(inc: &Incidents) -> By {
    if inc.has_groups {
        By::Group
    } else {
        By::Component
    }
}

/// Fits every law to the times to failure and to repair of each subject (component, group or all).
pub fn fit_all(inc: &Incidents, by: By, file: &str) -> FitReport {
    let mut subjects: Vec<(String, Vec<&History>)> = Vec::new();
    for h in &inc.histories {
        let key = match by {
            By::Component => h.component.clone(),
            By::Group => h.group.clone().unwrap_or_else(|| h.component.clone()),
            By::All => "all".to_string(),
        };
        match subjects.iter_mut().find(|s| s.0 == key) {
            Some(s) => s.1.push(h),
            None => subjects.push((key, vec![h])),
        }
    }
    let subjects = subjects
        .into_iter()
        .map(|(name, hs)| SubjectFits {
            name,
            by,
            components: hs.iter().map(|h| h.component.clone()).collect(),
            observed_hours: hs.iter().map(|h| h.window.1 - h.window.0).sum(),
            failure: fit_quantity(
                Quantity::Failure,
                hs.iter().flat_map(|h| failure_times(h)).collect(),
            ),
            repair: fit_quantity(
                Quantity::Repair,
                hs.iter().flat_map(|h| repair_times(h)).collect(),
            ),
        })
        .collect();
    FitReport {
        file: file.to_string(),
        by,
        clock: inc.clock,
        components: inc.histories.len(),
        outages: inc.histories.iter().map(|h| h.outages.len()).sum(),
        no_window_start: inc.histories.iter().filter(|h| !h.start_given).count(),
        no_window_end: inc.histories.iter().filter(|h| !h.end_given).count(),
        subjects,
    }
}
