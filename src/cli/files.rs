//! Files: reading scenario files (every error names the file), creating output directories, and
//! writing outputs atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

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
    let bytes = fs::read(path).map_err(|e| anyhow!("cannot read scenario {shown}: {e}"))?;
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

/// Creates an output directory and those above it.
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))
}

/// A file written under a temporary name and renamed into place only when complete, so a crash or
/// Ctrl-C never leaves a complete-looking but truncated output.
pub(crate) struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicFile {
    pub(crate) fn create(dest: &Path) -> Result<Self> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = dest.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let file =
            fs::File::create(&tmp).with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(Self {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    pub(crate) fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("open");
        let file = file
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", self.dest.display()))?;
        file.sync_all().ok();
        fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("open").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("open").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `dest` atomically (see [`AtomicFile`]).
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", dest.display()))?;
    f.commit()
}
