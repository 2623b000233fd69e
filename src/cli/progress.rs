//! A progress bar on stderr for long imports, shown only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use scancase::import::{ImportObserver, ImportPhase};

/// Shows the bytes hashed and read of one evidence file.
pub struct TerminalProgress {
    bar: Option<ProgressBar>,
    label: String,
}

impl TerminalProgress {
    /// Creates the observer for one file; it draws nothing when stderr is not a terminal.
    pub fn new(label: String) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Self { bar, label }
    }
}

impl ImportObserver for TerminalProgress {
    fn progress(&mut self, phase: ImportPhase, bytes_done: u64, bytes_total: u64) {
        let Some(bar) = &self.bar else {
            return;
        };
        let verb = match phase {
            ImportPhase::Reading => "reading",
        };
        bar.set_message(format!("{verb} {}", self.label));
        bar.set_length(bytes_total);
        bar.set_position(bytes_done);
    }
}

impl Drop for TerminalProgress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
