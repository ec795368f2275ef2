//! Partial results of a sharded run (`nines run --shard I/N`) and their exact merge: a part carries
//! the mergeable state of every statistic of its block of replications, the scenario it came from and
//! what it was run with, and a checksum; merging checks that the parts belong together and complete
//! each other before adding them up in shard order.

use serde::{Deserialize, Serialize};

use crate::base::units::Hours;
use crate::estimate::accumulate::RunAcc;
use crate::estimate::runner::BATCH;

/// Largest number of shards of one run.
pub const MAX_SHARDS: u64 = 100_000;

/// Identifies the file format; a part of another format is refused.
pub const FORMAT: &str = "nines-partial/3";

/// Which replications shard `index` (1-based) of `shards` runs: whole batches, fixed by the total alone
/// (never by the machine), so that any split adds up to the same replications.
pub fn shard_range(total: u64, index: u64, shards: u64) -> std::ops::Range<u64> {
    let batches = total.div_ceil(BATCH);
    let first = batches * (index - 1) / shards;
    let last = batches * index / shards;
    (first * BATCH).min(total)..(last * BATCH).min(total)
}

/// What a part says about the run it belongs to: parts merge only when all of these agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunKey {
    /// Version of nines that ran it.
    pub nines_version: String,
    /// Scenario name (its file's stem).
    pub scenario: String,
    /// The scenario file's name, for messages.
    pub file: String,
    /// FNV-1a hash of the scenario text, in hex.
    pub scenario_hash: String,
    /// Seed.
    pub seed: u64,
    /// Replications of the whole run.
    pub replications: u64,
    /// Mission length, hours.
    pub mission_hours: Hours,
    /// Number of shards.
    pub shards: u64,
}

impl RunKey {
    /// The first of version, scenario, seed, replications and mission in which two runs differ, as
    /// (what, this run's, the other's): runs that differ in one cannot be joined.
    pub fn first_difference(&self, o: &RunKey) -> Option<(&'static str, String, String)> {
        use crate::base::units::format_duration;
        if self.nines_version != o.nines_version {
            Some((
                "the nines version",
                self.nines_version.clone(),
                o.nines_version.clone(),
            ))
        } else if self.scenario_hash != o.scenario_hash {
            Some((
                "the scenario",
                format!("{} (hash {})", self.file, self.scenario_hash),
                format!("{} (hash {})", o.file, o.scenario_hash),
            ))
        } else if self.seed != o.seed {
            Some(("the seed", self.seed.to_string(), o.seed.to_string()))
        } else if self.replications != o.replications {
            Some((
                "the number of replications",
                self.replications.to_string(),
                o.replications.to_string(),
            ))
        } else if self.mission_hours != o.mission_hours {
            Some((
                "the mission",
                format_duration(self.mission_hours),
                format_duration(o.mission_hours),
            ))
        } else {
            None
        }
    }
}

/// One shard's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// [`FORMAT`].
    pub format: String,
    /// The run it belongs to.
    pub key: RunKey,
    /// This shard, 1 to `key.shards`.
    pub shard: u64,
    /// Replications `first..end` of the run.
    pub first: u64,
    /// End of its replications (exclusive).
    pub end: u64,
    /// Whether it wrote the per-replication rows beside it.
    pub rows: bool,
    /// Size and hash of those rows, so that `merge` takes only the rows this shard wrote.
    pub rows_digest: Option<Digest>,
    /// The scenario text, so that the merge needs nothing but the parts.
    pub scenario_text: String,
    /// Exact mergeable state of every statistic.
    pub acc: RunAcc,
    /// With `run --importance --shard`: the importance sums of its replications, as the analysis
    /// writes them (absent otherwise, so parts without it read as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<serde_json::Value>,
}

/// The file of a part: `part-I-of-N.json`, with its rows in `part-I-of-N.replications.csv`.
pub fn file_name(shard: u64, shards: u64) -> String {
    format!("part-{shard}-of-{shards}.json")
}

/// The rows file beside a part.
pub fn rows_file_name(shard: u64, shards: u64) -> String {
    format!("part-{shard}-of-{shards}.replications.csv")
}

/// FNV-1a, 64 bits: a stable hash of bytes (for scenario identity and part checksums).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::default();
    h.update(bytes);
    h.digest().fnv1a
}

/// FNV-1a over bytes given piece by piece, with their count: the digest of a file written or read
/// as a stream.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(Digest);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(Digest {
            bytes: 0,
            fnv1a: 0xcbf2_9ce4_8422_2325,
        })
    }
}

impl Fnv1a {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut h = self.0.fnv1a;
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0.fnv1a = h;
        self.0.bytes += bytes.len() as u64;
    }

    /// Size and hash of the bytes so far.
    pub fn digest(&self) -> Digest {
        self.0
    }
}

/// Size and FNV-1a hash of a file: what a part or checkpoint records of the rows file beside it, and a
/// manifest of every output. It detects truncation, damage and rows of another run, not forgery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// Length in bytes.
    pub bytes: u64,
    /// FNV-1a hash (written as 16 hexadecimal digits: JSON readers may hold numbers as doubles).
    #[serde(with = "hex64")]
    pub fnv1a: u64,
}

/// A `u64` as 16 hexadecimal digits.
mod hex64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:016x}"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        u64::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes, FNV-1a {:016x}", self.bytes, self.fnv1a)
    }
}

/// Why a part cannot be read or parts cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PartError {
    /// Not a part file at all, or damaged.
    #[error("{file}: not a readable nines part file ({why})")]
    Corrupt {
        /// The file.
        file: String,
        /// What is wrong.
        why: String,
    },
    /// A part of another format version.
    #[error("{file}: part format {found}, but this nines reads {FORMAT}")]
    Format {
        /// The file.
        file: String,
        /// Its format.
        found: String,
    },
    /// A part from a different run.
    #[error(
        "{file}: belongs to another run than {first}: {field} is {theirs} there and {ours} here; merge only the parts of one run"
    )]
    Foreign {
        /// The file.
        file: String,
        /// The first part, which the others are compared with.
        first: String,
        /// The field that differs.
        field: &'static str,
        /// Its value in the first part.
        theirs: String,
        /// Its value in this part.
        ours: String,
    },
    /// Two parts of the same shard.
    #[error("shard {shard} of {shards} is there twice: {a} and {b}")]
    Doubled {
        /// The shard.
        shard: u64,
        /// Shards in all.
        shards: u64,
        /// One file.
        a: String,
        /// The other.
        b: String,
    },
    /// Shards missing.
    #[error("missing shard{} {} of {shards}: run them (nines run ... --shard I/{shards}) before merging", if .missing.len() == 1 { "" } else { "s" }, list(.missing))]
    Missing {
        /// The shards not found.
        missing: Vec<u64>,
        /// Shards in all.
        shards: u64,
    },
    /// Some parts have their rows and some do not.
    #[error(
        "{file} has no replications rows but other parts do: rerun it without --no-replications, or merge with --no-replications"
    )]
    RowsMissing {
        /// The part without rows.
        file: String,
    },
    /// No part given.
    #[error("no part files (part-I-of-N.json) found in {0}")]
    None(String),
}

fn list(v: &[u64]) -> String {
    let shown: Vec<String> = v.iter().take(20).map(|x| x.to_string()).collect();
    let more = if v.len() > 20 {
        format!(" and {} more", v.len() - 20)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// A part file's text: a header line with the checksum of the body, then the body (JSON).
pub fn to_text(part: &Part) -> String {
    let body = serde_json::to_string(part).expect("a part serialises");
    format!("{FORMAT} {:016x}\n{body}\n", fnv1a(body.as_bytes()))
}

/// Reads a part file's text (`file` names it in errors).
pub fn from_text(text: &str, file: &str) -> Result<Part, PartError> {
    let corrupt = |why: String| PartError::Corrupt {
        file: file.to_string(),
        why,
    };
    let (head, body) = text
        .split_once('\n')
        .ok_or_else(|| corrupt("no header line".into()))?;
    let (format, sum) = head
        .split_once(' ')
        .ok_or_else(|| corrupt("the header line is not `FORMAT CHECKSUM`".into()))?;
    if !format.starts_with("nines-partial/") {
        return Err(corrupt(format!(
            "it starts with `{}`, not {FORMAT}",
            head.chars().take(40).collect::<String>()
        )));
    }
    if format != FORMAT {
        return Err(PartError::Format {
            file: file.to_string(),
            found: format.to_string(),
        });
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
    let part: Part = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
    if part.format != FORMAT {
        return Err(PartError::Format {
            file: file.to_string(),
            found: part.format,
        });
    }
    if format!("{:016x}", fnv1a(part.scenario_text.as_bytes())) != part.key.scenario_hash {
        return Err(corrupt(
            "the scenario text inside does not match its recorded hash: it was edited".into(),
        ));
    }
    if part.rows != part.rows_digest.is_some() {
        return Err(corrupt(
            "it says it wrote rows but records no digest of them, or the reverse".into(),
        ));
    }
    if part.key.replications == 0 || part.key.replications > crate::scenario::MAX_REPLICATIONS {
        return Err(corrupt(format!(
            "a run of {} replications, where a run has 1 to {}",
            part.key.replications,
            crate::scenario::MAX_REPLICATIONS
        )));
    }
    if part.key.shards == 0 || part.key.shards > MAX_SHARDS {
        return Err(corrupt(format!(
            "{} shards, where a run has 1 to {MAX_SHARDS}",
            part.key.shards
        )));
    }
    if part.shard == 0 || part.shard > part.key.shards {
        return Err(corrupt(format!(
            "shard {} of {} is out of range",
            part.shard, part.key.shards
        )));
    }
    let range = shard_range(part.key.replications, part.shard, part.key.shards);
    if range.start != part.first
        || range.end != part.end
        || part.acc.replications != range.end - range.start
    {
        return Err(corrupt(format!(
            "shard {} of {} should hold replications {}..{}, it says {}..{} with {} recorded",
            part.shard,
            part.key.shards,
            range.start,
            range.end,
            part.first,
            part.end,
            part.acc.replications
        )));
    }
    Ok(part)
}

/// Checks that `parts` (with the files they came from) are all the shards of one run, each once, and
/// returns them in shard order.
pub fn check(
    mut parts: Vec<(String, Part)>,
    want_rows: bool,
) -> Result<Vec<(String, Part)>, PartError> {
    let Some((first_file, first)) = parts.first().cloned() else {
        return Err(PartError::None("the given paths".into()));
    };
    for (file, p) in &parts[1..] {
        let (a, b) = (&first.key, &p.key);
        let differs = a.first_difference(b).or_else(|| {
            (a.shards != b.shards).then(|| {
                (
                    "the number of shards",
                    a.shards.to_string(),
                    b.shards.to_string(),
                )
            })
        });
        if let Some((field, theirs, ours)) = differs {
            return Err(PartError::Foreign {
                file: file.clone(),
                first: first_file.clone(),
                field,
                theirs,
                ours,
            });
        }
    }
    parts.sort_by_key(|(_, p)| p.shard);
    for w in parts.windows(2) {
        if w[0].1.shard == w[1].1.shard {
            return Err(PartError::Doubled {
                shard: w[0].1.shard,
                shards: first.key.shards,
                a: w[0].0.clone(),
                b: w[1].0.clone(),
            });
        }
    }
    let missing: Vec<u64> = (1..=first.key.shards)
        .filter(|s| parts.binary_search_by_key(s, |(_, p)| p.shard).is_err())
        .collect();
    if !missing.is_empty() {
        return Err(PartError::Missing {
            missing,
            shards: first.key.shards,
        });
    }
    if want_rows && let Some((file, _)) = parts.iter().find(|(_, p)| !p.rows) {
        return Err(PartError::RowsMissing { file: file.clone() });
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_replication_once_in_whole_batches() {
        for total in [1, 63, 64, 65, 1000, 20_000] {
            for shards in [1, 2, 3, 4, 7, 16, 400] {
                let mut next = 0;
                for i in 1..=shards {
                    let r = shard_range(total, i, shards);
                    assert_eq!(r.start, next, "total {total}, shard {i}/{shards}");
                    assert!(
                        r.start.is_multiple_of(BATCH)
                            && (r.end.is_multiple_of(BATCH) || r.end == total)
                    );
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn fnv_is_the_published_function() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
