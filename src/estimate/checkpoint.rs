//! How a long run ended (target met or not, stopped on time, interrupted) as the report and
//! `summary.csv` say it, and checkpoints from which an interrupted run resumes to the same result as an
//! uninterrupted one.

use serde::{Deserialize, Serialize};

use crate::base::format::sig3 as sig;
use crate::estimate::accumulate::RunAcc;
use crate::estimate::precision::{Assessment, MIN_OUTAGES, Target};
use crate::estimate::runner::{BATCH, Stop};
use crate::estimate::shards::{Digest, RunKey, fnv1a};

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
            crate::base::format::csv_text(scenario).into_owned(),
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
                crate::base::format::csv_text(&p.entity).into_owned(),
                format!("precision_target:{}", p.target.measure()),
                p.target.unit().into(),
                num(p.target.value()),
                String::new(),
                String::new(),
                n.clone(),
            ]);
            rows.push([
                "run".into(),
                crate::base::format::csv_text(&p.entity).into_owned(),
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
pub const CHECKPOINT_FORMAT: &str = "nines-checkpoint/3";

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
    /// Size and hash of replications.csv when the run stopped: resuming takes exactly those rows.
    pub rows_digest: Option<Digest>,
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
        if c.rows != c.rows_digest.is_some() {
            return Err(corrupt(
                "it says the run wrote rows but records no digest of them, or the reverse".into(),
            ));
        }
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
