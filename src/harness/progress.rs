//! Progress of long runs, shown as `label [done/total]` on stderr when it is a terminal.

use std::io::IsTerminal;

/// Shows `[done/total]` on stderr when it is a terminal.
pub struct Progress {
    total: usize,
    done: usize,
    on: bool,
    label: &'static str,
}

impl Progress {
    pub fn new(label: &'static str, total: usize) -> Progress {
        Progress {
            total,
            done: 0,
            on: std::io::stderr().is_terminal(),
            label,
        }
    }

    pub fn tick(&mut self) {
        self.done += 1;
        if self.on && (self.done.is_multiple_of(10) || self.done == self.total) {
            eprint!("\r{} [{}/{}]", self.label, self.done, self.total);
            if self.done == self.total {
                eprintln!();
            }
        }
    }
}
