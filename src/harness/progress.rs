//! Progress of long runs: a bar on stderr with the count, the rate and the time left
//! (indicatif), shown only when stderr is a terminal, so logs and redirected output stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this show no bar.
const MIN_CASES: usize = 20;

/// A progress bar over `total` cases.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(label: &'static str, total: usize) -> Progress {
        if total < MIN_CASES || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} cases, {per_sec}, {eta} left",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(label);
        Progress { bar: Some(bar) }
    }

    pub fn tick(&mut self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
