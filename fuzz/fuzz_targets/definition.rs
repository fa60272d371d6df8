//! Definition text → parse (JSON, or YAML when it does not start with `{`) → validate → compile.
//!
//! Properties: a definition that validates also compiles (a compile error after a clean
//! validation is a validator gap); `parse_definition` fails exactly when validation reports a
//! problem, and reports the same problems; every problem has a message.

#![no_main]

use aslcheck_interp::asl::load::{parse_definition, parse_text, Format, LoadError};
use aslcheck_interp::asl::validate::validate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let format = if text.trim_start().starts_with('{') {
        Format::Json
    } else {
        Format::Yaml
    };
    let json = match parse_text(text, format) {
        Ok(json) => json,
        Err(d) => {
            assert!(!d.message.is_empty(), "a parse problem without a message");
            return;
        }
    };
    let diags = validate(&json);
    for d in &diags {
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
    }
    match parse_definition(json) {
        Ok(_) => assert!(
            diags.is_empty(),
            "loaded although validation reported {diags:?}"
        ),
        Err(LoadError::Invalid(got)) => {
            assert!(
                !diags.is_empty(),
                "validated cleanly but did not compile: {got:?}"
            );
            assert_eq!(got, diags, "load and validate disagree");
        }
        Err(LoadError::Io(m)) => panic!("an I/O error without I/O: {m}"),
    }
});
