//! The external backend's JSON-lines protocol: one line → `parse_start` and `parse_reply` (in
//! every mode).
//!
//! Properties: a rejected line gets a one-line reason that quotes a bounded part of the line
//! (errors end up in reports and logs), and an accepted `start` answer names the implementation.

#![no_main]

use aslcheck::backend::external::{parse_reply, parse_start};
use aslcheck::backend::Mode;
use libfuzzer_sys::fuzz_target;

/// Longest reason accepted: a few sentences plus the 200-character quote of the line.
const MAX_REASON_CHARS: usize = 1000;

fn check_reason(line: &str, reason: &str) {
    assert!(!reason.is_empty(), "an empty reason for {line:?}");
    assert!(
        reason.chars().count() <= MAX_REASON_CHARS,
        "a reason of {} characters for a line of {}",
        reason.chars().count(),
        line.chars().count()
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    match parse_start(line) {
        Ok(imp) => assert!(!imp.name.is_empty(), "an implementation without a name"),
        Err(reason) => check_reason(line, &reason),
    }
    for mode in [Mode::Execution, Mode::TestState, Mode::Validate] {
        for seq in [0, 1, 2] {
            if let Err(reason) = parse_reply(line, seq, mode) {
                check_reason(line, &reason);
            }
        }
    }
});
