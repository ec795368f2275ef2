//! `nines validate`: check scenario files without running them, and describe what they contain.

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::files;

/// Describes each scenario file, or says what is wrong with it.
pub(crate) fn validate(paths: &[PathBuf]) -> Result<()> {
    let mut failed = 0;
    for p in paths {
        match files::load(p) {
            Ok(model) => print!("{}", nines::analyses::explain::describe(&model)),
            Err(e) => {
                eprintln!("{e:#}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} scenario files are invalid", paths.len());
    }
    Ok(())
}
