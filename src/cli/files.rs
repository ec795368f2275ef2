//! Files: reading scenario files (every error names the file), creating output directories, and
//! writing outputs atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use nines::estimate::shards::{Digest, Fnv1a};
use nines::model::Model;
use nines::scenario;

/// Reads and compiles a scenario file; every error names the file.
pub(crate) fn load(path: &Path) -> Result<Model> {
    let (text, shown) = read_scenario(path)?;
    scenario::compile(&text, &shown).map_err(|e| anyhow!("{e}"))
}

/// Reads a scenario file's text, and the name to show for it.
pub(crate) fn read_scenario(path: &Path) -> Result<(String, String)> {
    let shown = path.display().to_string();
    if path.is_dir() {
        bail!("{shown} is a directory; expected a scenario file (.toml)");
    }
    let bytes = read_limited(path, MAX_SCENARIO_BYTES)
        .map_err(|e| anyhow!("cannot read scenario {shown}: {e}"))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let (line, col) = scenario::line_col(&valid, valid.len());
            bail!(
                "{shown}:{line}:{col}: the file is not valid UTF-8 (byte {at}); save it as UTF-8"
            );
        }
    };
    Ok((text, shown))
}

/// Largest scenario file read: far above any real layout (the bundled ones are under 20 KiB), and
/// what keeps `nines validate /dev/zero` from reading forever.
pub(crate) const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Largest part or checkpoint file read (the statistics of a scenario of 10 000 entities are tens of
/// MiB).
pub(crate) const MAX_STATE_BYTES: u64 = 1 << 30;

/// Reads a file of at most `limit` bytes; a longer one (or an endless one such as /dev/zero) is an
/// error that says the limit.
pub(crate) fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "the file is larger than {} MiB, the most nines reads",
            limit >> 20
        )));
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file of at most `limit` bytes (see [`read_limited`]).
pub(crate) fn read_text_limited(path: &Path, limit: u64) -> Result<String> {
    let bytes =
        read_limited(path, limit).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 text", path.display()))
}

/// Size and hash of a file read as a stream, each piece also given to `sink` (to copy it).
pub(crate) fn digest_file(
    path: &Path,
    mut sink: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<Digest> {
    use std::io::Read;
    let mut f = fs::File::open(path)?;
    let mut h = Fnv1a::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(h.digest());
        }
        h.update(&buf[..n]);
        sink(&buf[..n])?;
    }
}

/// A name made safe to use as one path component: letters, digits, `-`, `_` and `.` kept, anything
/// else `_`; no leading dot (`..`, `.toml`, hidden files), never empty. A scenario file named `...toml`
/// must not write its outputs above `output/`.
pub(crate) fn path_safe(name: &str) -> String {
    let mut out: String = name
        .chars()
        .take(120)
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// Creates an output directory and those above it.
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))
}

/// A file written under a temporary name and renamed into place only when complete, so a crash or
/// Ctrl-C never leaves a complete-looking but truncated output. The temporary file is created
/// exclusively with an unpredictable name (never through a planted symbolic link), and removed when
/// the write or the rename fails. Its size and hash are kept as it is written, for the manifest.
pub(crate) struct AtomicFile {
    dest: PathBuf,
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    digest: Fnv1a,
}

impl AtomicFile {
    pub(crate) fn create(dest: &Path) -> Result<Self> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // Outputs are shared like any file the user writes: 0666 less the umask, not tempfile's 0600.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let file = builder
            .tempfile_in(dir)
            .with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(Self {
            dest: dest.to_path_buf(),
            file: std::io::BufWriter::new(file),
            digest: Fnv1a::default(),
        })
    }

    /// Size and hash of what was written so far.
    pub(crate) fn digest(&self) -> Digest {
        self.digest.digest()
    }

    /// Where the file goes.
    pub(crate) fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes the file to disk and renames it into place; returns its size and hash.
    pub(crate) fn commit(self) -> Result<Digest> {
        let digest = self.digest.digest();
        let file = self
            .file
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", self.dest.display()))?;
        file.as_file().sync_all().ok();
        // On failure the temporary file comes back in the error and is removed when it is dropped.
        file.persist(&self.dest)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        Ok(digest)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes `bytes` to `dest` atomically (see [`AtomicFile`]); returns their size and hash.
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<Digest> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", dest.display()))?;
    f.commit()
}
