//! Long runs a user can trust: precision targets ("run until the interval is this narrow"), how a run
//! ended (target met or not, stopped on time, interrupted) as the report and `summary.csv` say it, and
//! checkpoints from which an interrupted run resumes to the same result as an uninterrupted one.
//!
//! The stopping rule itself lives in [`crate::runner::run_controlled`]: it is checked after every batch
//! in index order, so the replication count at which a target is met depends on the seed alone.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::partial::{RunKey, fnv1a};
use crate::runner::{BATCH, Stop};
use crate::summary::RunAcc;
use crate::units::{HOURS_PER_YEAR, Hours, format_duration, parse_duration, trim_float};

/// Outages of the main service that must be seen before its interval is trusted to meet a target (the
/// report warns below this number too).
pub const MIN_OUTAGES: u64 = 10;

/// What `--precision` accepts, for error messages.
pub const PRECISION_HELP: &str = "a relative half-width of the 95% interval of the main service's unavailability such as 5%, an absolute half-width of its downtime per year such as 1min/yr, or of its availability such as 0.0001";

/// How precise the main service's estimate must be: the half-width of its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Half-width relative to the estimated unavailability (0.05 for `5%`).
    Relative(f64),
    /// Absolute half-width of availability, a fraction (`0.0001`).
    Availability(f64),
    /// Absolute half-width of downtime per year, hours (`1min/yr`).
    DowntimePerYear(Hours),
}

impl Target {
    /// Reads `5%`, `0.0001` or `1min/yr` (also `/y`, `/year`).
    pub fn parse(text: &str) -> Result<Target, String> {
        let s = text.trim();
        let bad = |why: &str| format!("{why}; expected {PRECISION_HELP}");
        if let Some(pct) = s.strip_suffix('%') {
            let v: f64 = pct
                .trim()
                .parse()
                .map_err(|_| bad(&format!("`{pct}` is not a number")))?;
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                return Err(bad(&format!(
                    "a relative half-width must be more than 0% and at most 100%, got {s}"
                )));
            }
            return Ok(Target::Relative(v / 100.0));
        }
        if let Some((amount, per)) = s.split_once('/') {
            if !matches!(per.trim(), "y" | "yr" | "year") {
                return Err(bad(&format!(
                    "`/{per}`: downtime is measured per year; write e.g. 1min/yr"
                )));
            }
            let h = parse_duration(amount).map_err(|e| bad(&e))?;
            if !(h.is_finite() && h > 0.0 && h < HOURS_PER_YEAR) {
                return Err(bad(&format!(
                    "a half-width of downtime per year must be more than zero and less than a year, got {s}"
                )));
            }
            return Ok(Target::DowntimePerYear(h));
        }
        let v: f64 = s
            .parse()
            .map_err(|_| bad(&format!("`{s}` is not a target")))?;
        if !(v.is_finite() && v > 0.0 && v < 1.0) {
            return Err(bad(&format!(
                "a bare number is a half-width of availability, between 0 and 1 (exclusive), got {s}; for a relative target write {s}%"
            )));
        }
        Ok(Target::Availability(v))
    }

    /// The target as a number in the unit of [`Target::unit`].
    pub fn value(self) -> f64 {
        match self {
            Target::Relative(v) | Target::Availability(v) | Target::DowntimePerYear(v) => v,
        }
    }

    /// The measure in `summary.csv`: what the half-width is of.
    pub fn measure(self) -> &'static str {
        match self {
            Target::Relative(_) => "relative_half_width:unavailability",
            Target::Availability(_) => "half_width:availability",
            Target::DowntimePerYear(_) => "half_width:downtime_per_year",
        }
    }

    /// The unit of [`Target::value`] in `summary.csv`.
    pub fn unit(self) -> &'static str {
        match self {
            Target::Relative(_) | Target::Availability(_) => "fraction",
            Target::DowntimePerYear(_) => "hours_per_year",
        }
    }

    /// A half-width in this target's terms, for people.
    pub fn show(self, half_width: f64) -> String {
        if !half_width.is_finite() {
            return "n/a".into();
        }
        match self {
            Target::Relative(_) => format!("±{}%", sig(half_width * 100.0)),
            Target::Availability(_) => format!("±{}", sig(half_width)),
            Target::DowntimePerYear(_) => format!("±{}/yr", format_duration(half_width)),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Target::Relative(v) => write!(f, "{}%", trim_float(v * 100.0)),
            Target::Availability(v) => write!(f, "{v}"),
            Target::DowntimePerYear(h) => write!(f, "{}/yr", format_duration(h)),
        }
    }
}

fn sig(v: f64) -> String {
    crate::output::sig3(v)
}

/// How far a run's state is from a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The main service (the first service, else the first role).
    pub entity: String,
    /// The target.
    pub target: Target,
    /// Its unavailability estimate.
    pub unavailability: f64,
    /// The half-width reached, in the target's terms (infinite when it cannot be computed: fewer than
    /// two replications, or a relative target with a zero estimate).
    pub half_width: f64,
    /// Outages of the main service seen.
    pub outages: u64,
    /// Replications behind it.
    pub replications: u64,
    /// Whether the target is met: the half-width is at most the target and at least [`MIN_OUTAGES`]
    /// outages were seen.
    pub met: bool,
}

/// Assesses `acc` against `target` on the model's main service (first service, else first role).
pub fn assess(acc: &RunAcc, target: Target, model: &Model) -> Assessment {
    let entity = model
        .measured()
        .first()
        .map_or_else(String::new, |m| m.1.to_string());
    let (u, outages) = acc
        .unavailability_of(0)
        .unwrap_or((crate::stats::MeanAcc::default().estimate(), 0));
    let abs = (u.ci95_high - u.ci95_low) / 2.0;
    let half_width = match target {
        Target::Relative(_) if u.value > 0.0 => abs / u.value,
        Target::Relative(_) => f64::INFINITY,
        Target::Availability(_) => abs,
        Target::DowntimePerYear(_) => abs * HOURS_PER_YEAR,
    };
    let half_width = if half_width.is_nan() {
        f64::INFINITY
    } else {
        half_width
    };
    Assessment {
        entity,
        target,
        unavailability: u.value,
        half_width,
        outages,
        replications: u.n,
        met: outages >= MIN_OUTAGES && half_width <= target.value(),
    }
}

/// How a run ended, as the report, `summary.csv` and the exit code say it.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Why it stopped.
    pub stop: Stop,
    /// Replications done.
    pub done: u64,
    /// Replications asked for (with a target: the most it may run).
    pub asked: u64,
    /// With a target: where the run stands against it.
    pub precision: Option<Assessment>,
}

/// Exit code of a run that stopped with its target not met or on time (outputs written).
pub const EXIT_NOT_MET: u8 = 3;
/// Exit code of an interrupted run (partial outputs and a checkpoint written).
pub const EXIT_INTERRUPTED: u8 = 130;

impl Status {
    /// `complete`, `target_met`, `target_not_met`, `stopped_on_time` or `interrupted`.
    pub fn label(&self) -> &'static str {
        match (self.stop, &self.precision) {
            (Stop::Exhausted, None) => "complete",
            (Stop::Exhausted, Some(_)) => "target_not_met",
            (Stop::TargetMet, _) => "target_met",
            (Stop::Deadline, _) => "stopped_on_time",
            (Stop::Interrupted, _) => "interrupted",
        }
    }

    /// Whether the results are partial: fewer replications than the run would have done had it not
    /// been stopped, so that a checkpoint to resume from belongs with them.
    pub fn resumable(&self) -> bool {
        matches!(self.stop, Stop::Deadline | Stop::Interrupted)
    }

    /// The process exit code: 0 when the run did what was asked, [`EXIT_NOT_MET`] when it stopped
    /// without (target not met, stopped on time), [`EXIT_INTERRUPTED`] when interrupted.
    pub fn exit_code(&self) -> u8 {
        match self.label() {
            "complete" | "target_met" => 0,
            "interrupted" => EXIT_INTERRUPTED,
            _ => EXIT_NOT_MET,
        }
    }

    /// Rows appended to `summary.csv` (scope `run`): the status with the replications done, and with a
    /// target the target and the half-width reached. A plain run that completed has none, so its file
    /// is the same as ever.
    pub fn csv_rows(&self, scenario: &str) -> Vec<[String; 8]> {
        if self.stop == Stop::Exhausted && self.precision.is_none() {
            return Vec::new();
        }
        let n = self.done.to_string();
        let mut rows = vec![[
            "run".into(),
            scenario.into(),
            format!("status:{}", self.label()),
            "replications".into(),
            n.clone(),
            String::new(),
            String::new(),
            n.clone(),
        ]];
        if let Some(p) = &self.precision {
            let num = |v: f64| {
                if v.is_finite() {
                    format!("{v}")
                } else {
                    String::new()
                }
            };
            rows.push([
                "run".into(),
                p.entity.clone(),
                format!("precision_target:{}", p.target.measure()),
                p.target.unit().into(),
                num(p.target.value()),
                String::new(),
                String::new(),
                n.clone(),
            ]);
            rows.push([
                "run".into(),
                p.entity.clone(),
                format!("precision_reached:{}", p.target.measure()),
                p.target.unit().into(),
                num(p.half_width),
                String::new(),
                String::new(),
                n,
            ]);
        }
        rows
    }

    /// `summary.csv` with the status rows appended.
    pub fn append_to_csv(&self, csv: &mut Vec<u8>, scenario: &str) -> Result<(), csv::Error> {
        let rows = self.csv_rows(scenario);
        if rows.is_empty() {
            return Ok(());
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in &rows {
            w.write_record(r)?;
        }
        csv.extend(w.into_inner().map_err(|e| e.into_error())?);
        Ok(())
    }

    /// What to tell a person, one or more lines (empty for a plain run that completed).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(p) = &self.precision {
            out.push_str(&format!(
                "precision: {} unavailability {} (target {}) after {} replications and {} outages: ",
                p.entity,
                p.target.show(p.half_width),
                p.target.show(p.target.value()),
                self.done,
                p.outages
            ));
            out.push_str(if p.met {
                "target met\n"
            } else {
                "target not met\n"
            });
            if !p.met && p.outages < MIN_OUTAGES {
                if p.outages == 0 {
                    out.push_str(&format!(
                        "  no outage of {} was seen, so its unavailability is estimated as 0 and no interval can be trusted{}; with none in {} replications, the mean rate of outages is below {} per mission (95%, rule of three)\n",
                        p.entity,
                        if matches!(p.target, Target::Relative(_)) {
                            ": a relative target cannot be met"
                        } else {
                            ""
                        },
                        self.done,
                        sig(3.0 / self.done.max(1) as f64)
                    ));
                } else {
                    out.push_str(&format!(
                        "  a target counts as met only once {MIN_OUTAGES} outages have been seen ({} so far)\n",
                        p.outages
                    ));
                }
            }
        }
        match self.stop {
            Stop::Exhausted if self.precision.is_some() => out.push_str(&format!(
                "stopped at the limit of {} replications without meeting the target; raise -n or loosen --precision\n",
                self.asked
            )),
            Stop::Deadline => out.push_str(&format!(
                "stopped on time (--max-time) after {} replications{}; continue with the same command and --resume\n",
                self.done,
                if self.precision.is_some() {
                    String::new()
                } else {
                    format!(" of {}", self.asked)
                }
            )),
            Stop::Interrupted => out.push_str(&format!(
                "interrupted after {} replications{}: results are partial (summary.csv says status:interrupted); continue with the same command and --resume\n",
                self.done,
                if self.precision.is_some() {
                    String::new()
                } else {
                    format!(" of {}", self.asked)
                }
            )),
            _ => {}
        }
        out
    }

    /// The status as JSON, for `--format json`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "status": self.label(),
            "replications": self.done,
            "replications_asked": self.asked,
            "precision": self.precision.as_ref().map(|p| serde_json::json!({
                "service": p.entity,
                "target": p.target.to_string(),
                "measure": p.target.measure(),
                "target_value": p.target.value(),
                "half_width": p.half_width.is_finite().then_some(p.half_width),
                "outages": p.outages,
                "met": p.met,
            })),
        })
    }
}

/// Format of checkpoint files.
pub const CHECKPOINT_FORMAT: &str = "nines-checkpoint/1";

/// The checkpoint's file name in the output directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";

/// The exact state of a stopped run, to resume from: what it was run with, and its accumulators.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The run (`shards` is 1).
    pub key: RunKey,
    /// Its precision target.
    pub target: Option<Target>,
    /// Whether it wrote replications.csv.
    pub rows: bool,
    /// Exact state of every statistic of its first `acc.replications` replications.
    pub acc: RunAcc,
}

/// Why a checkpoint cannot be resumed from.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CheckpointError {
    /// Nothing to resume.
    #[error(
        "cannot resume: there is no {CHECKPOINT_FILE} in {0} (the run written there finished, or none was stopped there); run without --resume, or give the interrupted run's --out"
    )]
    Missing(String),
    /// Damaged or not a checkpoint.
    #[error("cannot resume from {file}: not a readable nines checkpoint ({why})")]
    Corrupt {
        /// The file.
        file: String,
        /// What is wrong.
        why: String,
    },
    /// The run asked for differs from the one stopped.
    #[error(
        "cannot resume from {file}: {field} is {theirs} there but {ours} now; resume with the same scenario and options as the stopped run"
    )]
    Mismatch {
        /// The file.
        file: String,
        /// What differs.
        field: &'static str,
        /// In the checkpoint.
        theirs: String,
        /// Asked for now.
        ours: String,
    },
}

impl Checkpoint {
    /// The file's text: a header with the checksum of the body, then the body (JSON).
    pub fn to_text(&self) -> String {
        let body = serde_json::to_string(self).expect("a checkpoint serialises");
        format!(
            "{CHECKPOINT_FORMAT} {:016x}\n{body}\n",
            fnv1a(body.as_bytes())
        )
    }

    /// Reads a checkpoint file's text (`file` names it in errors).
    pub fn from_text(text: &str, file: &str) -> Result<Checkpoint, CheckpointError> {
        let corrupt = |why: String| CheckpointError::Corrupt {
            file: file.to_string(),
            why,
        };
        let (head, body) = text
            .split_once('\n')
            .ok_or_else(|| corrupt("no header line".into()))?;
        let (format, sum) = head
            .split_once(' ')
            .ok_or_else(|| corrupt("the header line is not `FORMAT CHECKSUM`".into()))?;
        if format != CHECKPOINT_FORMAT {
            return Err(corrupt(format!(
                "format `{}`, but this nines reads {CHECKPOINT_FORMAT}",
                format.chars().take(40).collect::<String>()
            )));
        }
        let body = body.strip_suffix('\n').unwrap_or(body);
        let expected = u64::from_str_radix(sum, 16)
            .map_err(|_| corrupt(format!("checksum `{sum}` is not hexadecimal")))?;
        let actual = fnv1a(body.as_bytes());
        if actual != expected {
            return Err(corrupt(format!(
                "checksum {actual:016x} does not match the header's {expected:016x}: the file was truncated or changed"
            )));
        }
        let c: Checkpoint = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
        let done = c.acc.replications;
        if !done.is_multiple_of(BATCH) || done >= c.key.replications {
            return Err(corrupt(format!(
                "it records {done} replications of {}, not a whole number of {BATCH}-replication batches short of the total",
                c.key.replications
            )));
        }
        Ok(c)
    }

    /// Checks that this checkpoint belongs to the run `ours` describes (same version, scenario, seed,
    /// replications, mission, target and rows).
    pub fn check_matches(&self, ours: &Checkpoint, file: &str) -> Result<(), CheckpointError> {
        let (a, b) = (&self.key, &ours.key);
        let opt = |t: &Option<Target>| t.map_or_else(|| "none".to_string(), |t| t.to_string());
        let rows = |r: bool| {
            if r {
                "written"
            } else {
                "not written (--no-replications)"
            }
        };
        let differs: Option<(&'static str, String, String)> = if let Some(d) = a.first_difference(b)
        {
            Some(d)
        } else if self.target != ours.target {
            Some(("--precision", opt(&self.target), opt(&ours.target)))
        } else if self.rows != ours.rows {
            Some((
                "replications.csv",
                rows(self.rows).into(),
                rows(ours.rows).into(),
            ))
        } else {
            None
        };
        match differs {
            Some((field, theirs, ours)) => Err(CheckpointError::Mismatch {
                file: file.to_string(),
                field,
                theirs,
                ours,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_in_three_forms() {
        assert_eq!(Target::parse("5%"), Ok(Target::Relative(0.05)));
        assert_eq!(Target::parse(" 0.5 %"), Ok(Target::Relative(0.005)));
        assert_eq!(Target::parse("0.0001"), Ok(Target::Availability(0.0001)));
        assert_eq!(Target::parse("1e-5"), Ok(Target::Availability(1e-5)));
        assert_eq!(
            Target::parse("1min/yr"),
            Ok(Target::DowntimePerYear(1.0 / 60.0))
        );
        assert_eq!(Target::parse("2h/year"), Ok(Target::DowntimePerYear(2.0)));
        for bad in [
            "", "5", "0%", "-1%", "101%", "nan%", "inf", "0", "1", "x", "1min/d", "1y/yr", "1/yr",
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(e.contains("expected a relative half-width"), "{bad}: {e}");
        }
        assert!(Target::parse("5").unwrap_err().contains("write 5%"));
    }

    #[test]
    fn targets_display_as_they_are_written() {
        for t in ["5%", "0.0001", "1min/yr", "2h/yr"] {
            assert_eq!(Target::parse(t).unwrap().to_string(), t);
        }
    }

    #[test]
    fn status_labels_and_exit_codes() {
        let s = |stop, precision: bool| Status {
            stop,
            done: 128,
            asked: 1000,
            precision: precision.then(|| Assessment {
                entity: "web".into(),
                target: Target::Relative(0.05),
                unavailability: 0.0,
                half_width: f64::INFINITY,
                outages: 0,
                replications: 128,
                met: false,
            }),
        };
        assert_eq!(s(Stop::Exhausted, false).label(), "complete");
        assert_eq!(s(Stop::Exhausted, false).exit_code(), 0);
        assert!(s(Stop::Exhausted, false).csv_rows("x").is_empty());
        assert_eq!(s(Stop::Exhausted, true).label(), "target_not_met");
        assert_eq!(s(Stop::Exhausted, true).exit_code(), EXIT_NOT_MET);
        assert_eq!(s(Stop::TargetMet, true).exit_code(), 0);
        assert_eq!(s(Stop::Deadline, false).exit_code(), EXIT_NOT_MET);
        assert_eq!(s(Stop::Interrupted, false).exit_code(), EXIT_INTERRUPTED);
        let rows = s(Stop::Interrupted, true).csv_rows("x");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][2], "status:interrupted");
        assert_eq!(rows[2][4], "", "an infinite half-width is written as empty");
        let text = s(Stop::Exhausted, true).describe();
        assert!(
            text.contains("no outage of web was seen")
                && text.contains("a relative target cannot be met"),
            "{text}"
        );
    }
}
