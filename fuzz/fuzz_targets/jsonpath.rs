//! JSONPath: `path\ndocument` → `Path::parse`, `PathRef::compile`, select / exists / set.
//!
//! Properties: the canonical form of a path without filters parses again to the same canonical
//! form; a reference path is definite; `exists` agrees with `select` on definite paths; after a
//! successful `set` on a reference path, `select` finds the value written.

#![no_main]

mod common;

use aslcheck_interp::data::path::Path;
use aslcheck_interp::data::PathRef;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = common::text_and_document(data) else {
        return;
    };
    let _ = PathRef::compile(text);
    let Ok(path) = Path::parse(text) else {
        return;
    };
    let canonical = path.canonical();
    if !canonical.contains("[?]") {
        let again = Path::parse(&canonical)
            .unwrap_or_else(|e| panic!("canonical {canonical:?} of {text:?} does not parse: {e}"));
        assert_eq!(
            again.canonical(),
            canonical,
            "canonical form of {text:?} is not stable"
        );
        assert_eq!(
            again.is_definite(),
            path.is_definite(),
            "definiteness of {text:?}"
        );
        assert_eq!(
            again.is_reference(),
            path.is_reference(),
            "reference-ness of {text:?}"
        );
    }
    if path.is_reference() {
        assert!(
            path.is_definite(),
            "reference path {text:?} is not definite"
        );
    }
    let selected = path.select(&doc);
    if let Ok(v) = &selected {
        common::assert_json_round_trip(v, "a selection");
        if !path.is_definite() {
            assert!(v.is_array(), "indefinite {text:?} selected a non-array");
        }
    }
    if path.is_definite() {
        assert_eq!(
            path.exists(&doc),
            selected.is_ok(),
            "exists and select disagree on {text:?}"
        );
    }
    let _ = path.parent();
    if path.is_reference() {
        let mut target = doc.clone();
        let marker = json!({"written by": "the fuzz target"});
        if path.set(&mut target, marker.clone()).is_ok() {
            let got = path
                .select(&target)
                .unwrap_or_else(|e| panic!("{text:?}: set succeeded but select fails: {e}"));
            assert_eq!(
                *got, marker,
                "{text:?}: select does not find what set wrote"
            );
        }
    }
});
