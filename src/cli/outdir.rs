//! An output directory as one run's: locked while a run writes into it, its manifest (which run,
//! which files, their sizes and hashes) removed before the first output is replaced and written
//! last. A directory whose manifest `nines verify` accepts holds one complete run's outputs, whatever
//! was killed, interrupted or run concurrently before.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use nines::estimate::checkpoint::Status;
use nines::estimate::shards::{Digest, RunKey};

use crate::files::{AtomicFile, digest_file, read_limited, write_atomic};

/// The manifest's file name.
pub(crate) const MANIFEST: &str = "manifest.json";
/// Format of manifests.
pub(crate) const MANIFEST_FORMAT: &str = "nines-manifest/1";
/// The lock file: held (advisory lock) by the run writing the directory.
const LOCK: &str = ".nines.lock";

/// What a manifest says: the run, and every file it wrote with its size and hash.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// Version of nines that wrote the directory.
    pub nines_version: String,
    /// `run`, `merge`, `compare`, `sweep` or `fit`.
    pub command: String,
    /// What was run: scenarios and their hashes, seed, replications, mission, how the run ended.
    pub run: serde_json::Value,
    /// Every file of the run, relative to the directory, in name order.
    pub files: Vec<Entry>,
}

/// One file of a run.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Path relative to the directory, with `/` separators.
    pub path: String,
    /// Its size and hash.
    #[serde(flatten)]
    pub digest: Digest,
}

/// An output directory being written by this process.
pub(crate) struct OutDir {
    dir: PathBuf,
    /// Held until the manifest is written (the lock is released when the file is closed).
    _lock: fs::File,
    files: Vec<Entry>,
    started: bool,
}

impl OutDir {
    /// Creates `dir` if needed and locks it; another nines run writing into it is an error.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        let lock = lock(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            _lock: lock,
            files: Vec::new(),
            started: false,
        })
    }

    /// Before the first output is replaced: the manifest goes, so that until the new one is written
    /// the directory does not claim to hold a complete run.
    fn start(&mut self) -> Result<()> {
        if !self.started {
            let m = self.dir.join(MANIFEST);
            if fs::symlink_metadata(&m).is_ok() {
                fs::remove_file(&m).with_context(|| format!("cannot remove {}", m.display()))?;
            }
            self.started = true;
        }
        Ok(())
    }

    fn record(&mut self, dest: &Path, digest: Digest) {
        let rel = dest.strip_prefix(&self.dir).unwrap_or(dest);
        let path = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        self.files.retain(|e| e.path != path);
        self.files.push(Entry { path, digest });
    }

    /// Writes `rel` (a path under the directory) atomically and records it.
    pub(crate) fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.start()?;
        let dest = self.dir.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create directory {}", parent.display()))?;
        }
        let digest = write_atomic(&dest, bytes)?;
        self.record(&dest, digest);
        Ok(())
    }

    /// Renames a file written as a stream into place and records it.
    pub(crate) fn commit(&mut self, file: AtomicFile) -> Result<()> {
        self.start()?;
        let dest = file.dest().to_path_buf();
        let digest = file.commit()?;
        self.record(&dest, digest);
        Ok(())
    }

    /// Removes `rel` if an earlier run left it: it is not part of this run.
    pub(crate) fn remove_stale(&mut self, rel: &str) -> Result<()> {
        let path = self.dir.join(rel);
        if fs::symlink_metadata(&path).is_ok() {
            self.start()?;
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            self.files.retain(|e| e.path != rel);
        }
        Ok(())
    }

    /// Writes the manifest, last: from now on the directory holds this run. Releases the lock.
    pub(crate) fn finish(mut self, command: &str, run: serde_json::Value) -> Result<()> {
        self.start()?;
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let m = Manifest {
            format: MANIFEST_FORMAT.into(),
            nines_version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            run,
            files: std::mem::take(&mut self.files),
        };
        let text = serde_json::to_string_pretty(&m)? + "\n";
        write_atomic(&self.dir.join(MANIFEST), text.as_bytes())?;
        Ok(())
    }
}

/// Takes the directory's advisory lock without waiting.
#[cfg(unix)]
fn lock(dir: &Path) -> Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let path = dir.join(LOCK);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        // Never through a planted symbolic link.
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        bail!(
            "{} is being written by another nines run; wait for it to finish, or give another --out",
            dir.display()
        );
    }
    Ok(file)
}

#[cfg(not(unix))]
fn lock(dir: &Path) -> Result<fs::File> {
    let path = dir.join(LOCK);
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))
}

/// The identity of a run (or of merged shards) for its manifest.
pub(crate) fn run_identity(key: &RunKey, status: &Status) -> serde_json::Value {
    serde_json::json!({
        "scenario": key.scenario,
        "file": key.file,
        "scenario_hash": key.scenario_hash,
        "seed": key.seed,
        "mission_hours": key.mission_hours,
        "replications": status.done,
        "asked": status.asked,
        "status": status.label(),
    })
}

/// `nines verify DIR`: whether the directory holds one complete run, file by file.
pub(crate) fn verify(dir: &Path) -> Result<()> {
    let path = dir.join(MANIFEST);
    if !path.is_file() {
        bail!(
            "{}: no {MANIFEST}; the directory does not hold a complete run (one was interrupted while writing, failed, or is writing now)",
            dir.display()
        );
    }
    let bytes =
        read_limited(&path, 64 << 20).with_context(|| format!("cannot read {}", path.display()))?;
    let m: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow!("{}: not a nines manifest ({e})", path.display()))?;
    if m.format != MANIFEST_FORMAT {
        bail!(
            "{}: manifest format {}, but this nines reads {MANIFEST_FORMAT}",
            path.display(),
            m.format
        );
    }
    let mut bad = Vec::new();
    for e in &m.files {
        let p = dir.join(&e.path);
        if e.path.split('/').any(|c| c == ".." || c.is_empty()) {
            bad.push(format!("{}: not a path inside the directory", e.path));
            continue;
        }
        match digest_file(&p, |_| Ok(())) {
            Ok(d) if d == e.digest => {}
            Ok(d) => bad.push(format!("{}: {d}, but the run wrote {}", e.path, e.digest)),
            Err(err) => bad.push(format!("{}: {err}", e.path)),
        }
    }
    if !bad.is_empty() {
        bail!(
            "{} does not hold the run its manifest describes:\n  {}",
            dir.display(),
            bad.join("\n  ")
        );
    }
    println!(
        "{}: one complete `{}` by nines {} ({}), {} files verified",
        dir.display(),
        m.command,
        m.nines_version,
        describe(&m.run),
        m.files.len()
    );
    Ok(())
}

/// The run's identity in a line.
fn describe(run: &serde_json::Value) -> String {
    let field = |k: &str| {
        run.get(k)
            .map(|v| v.to_string().trim_matches('"').to_string())
    };
    let mut parts = Vec::new();
    if let Some(s) = field("scenario") {
        parts.push(format!("scenario {s}"));
    }
    for k in ["seed", "replications", "status"] {
        if let Some(v) = field(k) {
            parts.push(format!("{k} {v}"));
        }
    }
    parts.join(", ")
}
