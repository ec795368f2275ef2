//! What a long computation shows and hears: the progress bar on stderr, and Ctrl-C (or SIGTERM), which
//! asks a run to stop after the batches under way.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use nines::estimate::checkpoint;

/// A progress bar of `len` steps drawn with `template` on stderr, unless `quiet` or stderr is not a
/// terminal.
pub(crate) fn bar(quiet: bool, len: u64, template: &str) -> Option<ProgressBar> {
    (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(len);
        bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
        bar
    })
}

/// The flag that Ctrl-C sets, and whether the interruption was acknowledged on stderr.
pub(crate) struct Interrupt {
    /// Set by the first Ctrl-C (or SIGTERM).
    pub(crate) interrupted: Arc<AtomicBool>,
    /// Whether the interruption was acknowledged on stderr.
    announced: Arc<AtomicBool>,
    /// Set once the simulation is over and the outputs are being made: Ctrl-C no longer stops a
    /// batch, and says so.
    writing: Arc<AtomicBool>,
}

impl Interrupt {
    /// Installs the Ctrl-C (and SIGTERM) handler: the first signal asks the run to stop after the
    /// batches under way, a second one ends the process at once (exit code 130).
    pub(crate) fn install() -> Result<Self> {
        let interrupted = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register_conditional_shutdown(
                signal,
                checkpoint::EXIT_INTERRUPTED as i32,
                Arc::clone(&interrupted),
            )
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&interrupted)))
            .context("cannot install the Ctrl-C handler")?;
        }
        // Say at once that the signal was heard (the run itself stops at the next batch boundary).
        let announced = Arc::new(AtomicBool::new(false));
        let writing = Arc::new(AtomicBool::new(false));
        let (heard, said, late) = (
            Arc::clone(&interrupted),
            Arc::clone(&announced),
            Arc::clone(&writing),
        );
        std::thread::spawn(move || {
            while !heard.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            announce(&said, &late);
        });
        Ok(Interrupt {
            interrupted,
            announced,
            writing,
        })
    }

    /// Acknowledges Ctrl-C on stderr, unless that was done already.
    pub(crate) fn announce(&self) {
        announce(&self.announced, &self.writing);
    }

    /// The simulation is over; from now on Ctrl-C interrupts the writing of its outputs.
    pub(crate) fn writing(&self) {
        self.writing.store(true, Ordering::Relaxed);
    }
}

/// Acknowledges Ctrl-C on stderr, once, saying what it will do at this stage.
fn announce(done: &AtomicBool, writing: &AtomicBool) {
    if !done.swap(true, Ordering::Relaxed) {
        eprintln!("{}", heard(writing.load(Ordering::Relaxed)));
    }
}

/// What Ctrl-C does: while simulating it stops after the batches under way; once the outputs are being
/// written (charts take seconds) it no longer stops anything, and saying "stopping" there misled.
fn heard(writing: bool) -> &'static str {
    if writing {
        "the simulation is done; finishing its outputs (Ctrl-C again to quit at once, leaving the directory without a manifest)"
    } else {
        "stopping after the batches under way (Ctrl-C again to quit at once)"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ctrl_c_while_writing_does_not_say_it_stops_batches() {
        assert!(super::heard(false).contains("stopping after the batches"));
        let late = super::heard(true);
        assert!(late.contains("simulation is done") && !late.contains("batches"));
    }
}
