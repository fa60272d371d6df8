//! Parallel and Map states (docs/semantics/map.md §7.1–7.6, parallel.md §8) — rules 14 and 15 in the module docs of
//! [`super`]: Parallel `Branches` is a non-empty array of machines; a Map has an `ItemProcessor`
//! (or the deprecated `Iterator`) machine whose `ProcessorConfig` has a `Mode` and, when
//! DISTRIBUTED, an `ExecutionType`; `ToleratedFailurePercentage` is 0..=100; `Label` is a short
//! name; `ItemReader`, `ItemBatcher` and `ResultWriter` are objects with their own exclusive
//! pairs and templates. The nested machines themselves are checked by `machine.rs`.
//!
//! Code: `SCHEMA_VALIDATION_FAILED`.

use serde_json::{Map, Value};

use super::diagnostics::{child, index, EMPTY};
use super::jsonata::{other_language, Lang, StatesVars};
use super::machine::{forbidden_name_char, Scope};
use super::Validator;

const MAX_LABEL: usize = 40;

/// The words of `ItemReader.ReaderConfig`
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html>).
const READER_ENUMS: &[(&str, &[&str])] = &[
    (
        "InputType",
        &["CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"],
    ),
    ("CSVHeaderLocation", &["FIRST_ROW", "GIVEN"]),
    (
        "CSVDelimiter",
        &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"],
    ),
    ("ManifestType", &["ATHENA_DATA", "S3_INVENTORY"]),
    ("Transformation", &["NONE", "LOAD_AND_FLATTEN"]),
];

/// The words of `ResultWriter.WriterConfig`
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html>).
const WRITER_ENUMS: &[(&str, &[&str])] = &[
    ("OutputType", &["JSON", "JSONL"]),
    ("Transformation", &["NONE", "COMPACT", "FLATTEN"]),
];

impl Validator {
    pub(super) fn branches(&mut self, v: &Value, loc: &str, depth: usize) {
        let Some(items) = self.want_arr(v, loc) else {
            return;
        };
        if items.is_empty() {
            self.schema(loc, EMPTY);
        }
        for (i, branch) in items.iter().enumerate() {
            let bloc = index(loc, i);
            if let Some(m) = self.want_obj(branch, &bloc) {
                self.machine(m, &bloc, Scope::Branch, depth + 1);
            }
        }
    }

    /// `ItemProcessor` (`field` names which of the two) or `Iterator`: a nested machine.
    pub(super) fn processor(&mut self, field: &str, v: &Value, loc: &str, depth: usize) {
        if let Some(m) = self.want_obj(v, loc) {
            let scope = if field == "Iterator" {
                Scope::Iterator
            } else {
                Scope::ItemProcessor
            };
            self.machine(m, loc, scope, depth + 1);
        }
    }

    pub(super) fn processor_config(&mut self, v: &Value, loc: &str) {
        let Some(obj) = self.want_obj(v, loc) else {
            return;
        };
        let mut distributed = false;
        for (key, value) in obj {
            let floc = child(loc, key);
            match key.as_str() {
                "Mode" => {
                    distributed = self
                        .want_enum(value, &floc, "Mode", &["INLINE", "DISTRIBUTED"])
                        .as_deref()
                        == Some("DISTRIBUTED");
                }
                "ExecutionType" => {
                    self.want_enum(value, &floc, "ExecutionType", &["STANDARD", "EXPRESS"]);
                }
                _ => self.schema(loc, format!("Field '{key}' is not supported")),
            }
        }
        if distributed && !obj.contains_key("ExecutionType") {
            self.required(loc, &["ExecutionType"]);
        }
    }

    pub(super) fn tolerated_failure_percentage(&mut self, v: &Value, loc: &str) {
        if let Some(n) = self.want_num(v, loc) {
            if !(0.0..=100.0).contains(&n) {
                self.schema(loc, "Value must be between 0 and 100");
            }
        }
    }

    pub(super) fn label(&mut self, v: &Value, loc: &str) {
        let Some(s) = self.want_str(v, loc) else {
            return;
        };
        let len = s.chars().count();
        if len == 0 || len > MAX_LABEL {
            self.schema(
                loc,
                format!("Value must be between 1 and {MAX_LABEL} characters long"),
            );
        } else if s.chars().any(forbidden_name_char) {
            self.schema(
                loc,
                "Value must not contain whitespace, control characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /",
            );
        }
    }

    /// The language's argument field of `ItemReader`/`ResultWriter` (`Parameters` in JSONPath,
    /// `Arguments` in JSONata); the other one is reported at the field (3P: floci-io/floci tests
    /// measured against AWS, for `ResultWriter`).
    fn reader_writer_arguments(&mut self, obj: &Map<String, Value>, loc: &str, lang: Lang) {
        for (key, value) in obj {
            let floc = child(loc, key);
            match (key.as_str(), lang) {
                ("Parameters", Lang::JsonPath) => self.template(value, &floc),
                ("Arguments", Lang::Jsonata) => {
                    self.jsonata_value(value, &floc, StatesVars::Plain);
                }
                ("Parameters" | "Arguments", _) => {
                    self.schema(&floc, other_language(lang, key));
                }
                _ => {}
            }
        }
    }

    pub(super) fn item_reader(&mut self, v: &Value, loc: &str, lang: Lang) {
        let Some(obj) = self.want_obj(v, loc) else {
            return;
        };
        if let Some(r) = obj.get("Resource") {
            self.want_str(r, &child(loc, "Resource"));
        }
        self.reader_writer_arguments(obj, loc, lang);
        if let Some(rc) = obj.get("ReaderConfig") {
            let rloc = child(loc, "ReaderConfig");
            if let Some(config) = self.want_obj(rc, &rloc) {
                self.enums(config, &rloc, READER_ENUMS);
                if let Some(n) = config.get("MaxItems") {
                    let nloc = child(&rloc, "MaxItems");
                    match lang {
                        Lang::JsonPath => {
                            self.want_int(n, &nloc, i64::MIN, None);
                        }
                        Lang::Jsonata => self.int_or_expression(n, &nloc, i64::MIN, None),
                    };
                }
                if let Some(p) = config.get("MaxItemsPath") {
                    let ploc = child(&rloc, "MaxItemsPath");
                    match lang {
                        Lang::JsonPath => self.reference_path(p, &ploc),
                        Lang::Jsonata => self.schema(&ploc, other_language(lang, "MaxItemsPath")),
                    }
                }
                if lang == Lang::JsonPath {
                    self.exclusive(config, &rloc, &[("MaxItems", "MaxItemsPath")]);
                }
            }
        }
    }

    pub(super) fn item_batcher(&mut self, v: &Value, loc: &str, lang: Lang) {
        let Some(obj) = self.want_obj(v, loc) else {
            return;
        };
        for (key, value) in obj {
            let floc = child(loc, key);
            match (key.as_str(), lang) {
                ("BatchInput", Lang::JsonPath) => self.template(value, &floc),
                ("BatchInput", Lang::Jsonata) => {
                    self.jsonata_value(value, &floc, StatesVars::Plain);
                }
                ("MaxItemsPerBatch" | "MaxInputBytesPerBatch", Lang::JsonPath) => {
                    self.want_int(value, &floc, i64::MIN, None);
                }
                ("MaxItemsPerBatch" | "MaxInputBytesPerBatch", Lang::Jsonata) => {
                    self.int_or_expression(value, &floc, i64::MIN, None);
                }
                ("MaxItemsPerBatchPath" | "MaxInputBytesPerBatchPath", Lang::JsonPath) => {
                    self.reference_path(value, &floc)
                }
                ("MaxItemsPerBatchPath" | "MaxInputBytesPerBatchPath", Lang::Jsonata) => {
                    self.schema(&floc, other_language(lang, key))
                }
                _ => {}
            }
        }
        if lang == Lang::JsonPath {
            self.exclusive(
                obj,
                loc,
                &[
                    ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
                    ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"),
                ],
            );
        }
    }

    pub(super) fn result_writer(&mut self, v: &Value, loc: &str, lang: Lang) {
        if let Some(m) = self.want_obj(v, loc) {
            self.reader_writer_arguments(m, loc, lang);
            if let Some(wc) = m.get("WriterConfig") {
                let wloc = child(loc, "WriterConfig");
                if let Some(config) = self.want_obj(wc, &wloc) {
                    self.enums(config, &wloc, WRITER_ENUMS);
                }
            }
        }
    }

    /// The fields of `config` that take one of a fixed set of words.
    fn enums(&mut self, config: &Map<String, Value>, loc: &str, fields: &[(&str, &[&str])]) {
        for (field, values) in fields {
            if let Some(v) = config.get(*field) {
                self.want_enum(v, &child(loc, field), field, values);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::asl::validate::tests::*;

    // ----- AWS examples quoted in docs/semantics/ and public issues ---------------------------------

    #[test]
    fn aws_empty_branches() {
        expect(
            sm(json!({"Type": "Parallel", "Branches": [], "Next": "Done"})),
            &[svf("Value cannot be empty", "/States/S/Branches")],
        );
    }

    // ----- the rules of this file ---------------------------------------------------------

    #[test]
    fn parallel_branches() {
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done"})),
            &[svf("These fields are required: [Branches]", "/States/S")],
        );
        expect(
            sm(json!({"Type": "Parallel", "Branches": {}, "Next": "Done"})),
            &[svf("Expected value of type Array", "/States/S/Branches")],
        );
        expect(
            sm(json!({"Type": "Parallel", "Branches": [1], "Next": "Done"})),
            &[svf("Expected value of type Object", "/States/S/Branches/0")],
        );
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done", "Branches": [
                {"States": {"X": {"Type": "Succeed"}}, "Foo": 1, "Comment": "c"}]})),
            &[
                svf(
                    "These fields are required: [StartAt]",
                    "/States/S/Branches/0",
                ),
                svf("Field 'Foo' is not supported", "/States/S/Branches/0"),
            ],
        );
        expect(
            sm(json!({"Type": "Parallel", "Next": "Done", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Nope"}}}]})),
            &[svf(
                "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
                "/States/S/Branches/0/States/X/Type",
            )],
        );
    }

    #[test]
    fn map_processor() {
        ok(sm(
            json!({"Type": "Map", "Iterator": processor(), "Next": "Done"}),
        ));
        ok(map(
            json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig":
            {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}))}),
        ));
        ok(map(
            json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig": {"Mode": "INLINE"}}))}),
        ));
        expect(
            map(json!({"ItemProcessor": null})),
            &[svf(
                "These fields are required: [ItemProcessor]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"Iterator": {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}})),
            &[svf(
                "These fields are mutually exclusive: [ItemProcessor, Iterator]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"ItemProcessor": 1})),
            &[svf(
                "Expected value of type Object",
                "/States/S/ItemProcessor",
            )],
        );
        expect(
            map(
                json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig": {"Mode": "X", "Foo": 1}}))}),
            ),
            &[
                svf(
                    "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                    "/States/S/ItemProcessor/ProcessorConfig/Mode",
                ),
                svf(
                    "Field 'Foo' is not supported",
                    "/States/S/ItemProcessor/ProcessorConfig",
                ),
            ],
        );
        expect(
            map(
                json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig": {"Mode": "DISTRIBUTED"}}))}),
            ),
            &[svf(
                "These fields are required: [ExecutionType]",
                "/States/S/ItemProcessor/ProcessorConfig",
            )],
        );
        expect(
            map(
                json!({"ItemProcessor": with(processor(), json!({"ProcessorConfig":
                {"Mode": "DISTRIBUTED", "ExecutionType": "SLOW"}}))}),
            ),
            &[svf(
                "The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]",
                "/States/S/ItemProcessor/ProcessorConfig/ExecutionType",
            )],
        );
        // The deprecated Iterator takes a ProcessorConfig as well (recorded AWS runs
        // `test_map_state_legacy_config_*`), checked like ItemProcessor's.
        ok(sm(
            json!({"Type": "Map", "Iterator": with(processor(), json!({"ProcessorConfig": {"Mode": "INLINE"}})), "Next": "Done"}),
        ));
        ok(sm(
            json!({"Type": "Map", "Iterator": with(processor(), json!({"ProcessorConfig":
                {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}})), "Next": "Done"}),
        ));
        expect(
            sm(
                json!({"Type": "Map", "Iterator": with(processor(), json!({"ProcessorConfig": {"Mode": "X"}})), "Next": "Done"}),
            ),
            &[svf(
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                "/States/S/Iterator/ProcessorConfig/Mode",
            )],
        );
    }

    #[test]
    fn map_fields() {
        expect(
            map(json!({"ItemsPath": "items"})),
            &[not_ref_path("items", "/States/S/ItemsPath")],
        );
        ok(map(json!({"ItemsPath": "$$.Execution.Input.items"})));
        expect(
            map(json!({"ItemSelector": {}, "Parameters": {}})),
            &[svf(
                "These fields are mutually exclusive: [ItemSelector, Parameters]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"MaxConcurrency": -1})),
            &[svf(
                "Value must be greater than or equal to 0",
                "/States/S/MaxConcurrency",
            )],
        );
        expect(
            map(json!({"MaxConcurrency": 1.5})),
            &[svf(
                "Expected value of type Integer",
                "/States/S/MaxConcurrency",
            )],
        );
        expect(
            map(json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"})),
            &[svf(
                "These fields are mutually exclusive: [MaxConcurrency, MaxConcurrencyPath]",
                "/States/S",
            )],
        );
        expect(
            map(json!({"MaxConcurrencyPath": "m"})),
            &[not_ref_path("m", "/States/S/MaxConcurrencyPath")],
        );
        ok(map(
            json!({"ToleratedFailurePercentage": 100, "ToleratedFailureCount": 0, "Label": "a-label_1"}),
        ));
        ok(map(
            json!({"ToleratedFailurePercentagePath": "$.p", "ToleratedFailureCountPath": "$.c"}),
        ));
        expect(
            map(json!({"ToleratedFailurePercentage": 100.5, "ToleratedFailureCount": -1})),
            &[
                svf(
                    "Value must be between 0 and 100",
                    "/States/S/ToleratedFailurePercentage",
                ),
                svf(
                    "Value must be greater than or equal to 0",
                    "/States/S/ToleratedFailureCount",
                ),
            ],
        );
        expect(
            map(json!({"ToleratedFailurePercentage": 1, "ToleratedFailurePercentagePath": "$.p",
                "ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.c"})),
            &[
                svf(
                    "These fields are mutually exclusive: [ToleratedFailurePercentage, ToleratedFailurePercentagePath]",
                    "/States/S",
                ),
                svf("These fields are mutually exclusive: [ToleratedFailureCount, ToleratedFailureCountPath]", "/States/S"),
            ],
        );
        expect(
            map(json!({"ToleratedFailurePercentage": "5"})),
            &[svf(
                "Expected value of type Number",
                "/States/S/ToleratedFailurePercentage",
            )],
        );
    }

    #[test]
    fn map_label() {
        ok(map(json!({"Label": "x".repeat(40)})));
        expect(
            map(json!({"Label": "x".repeat(41)})),
            &[svf(
                "Value must be between 1 and 40 characters long",
                "/States/S/Label",
            )],
        );
        expect(
            map(json!({"Label": ""})),
            &[svf(
                "Value must be between 1 and 40 characters long",
                "/States/S/Label",
            )],
        );
        expect(
            map(json!({"Label": "my label"})),
            &[svf(
                "Value must not contain whitespace, control characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /",
                "/States/S/Label",
            )],
        );
        expect(
            map(json!({"Label": 1})),
            &[svf("Expected value of type String", "/States/S/Label")],
        );
    }

    #[test]
    fn map_distributed_fields() {
        ok(map(json!({
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                "Parameters": {"Bucket": "b", "Key.$": "$.key"},
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 10}},
            "ItemBatcher": {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.b", "BatchInput": {"f.$": "$.f"}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}})));
        expect(
            map(json!({"ItemReader": {"ReaderConfig": {"InputType": ""}},
                "ResultWriter": {"WriterConfig": {"Transformation": "compact"}}})),
            &[
                svf(
                    "The field 'InputType' should have one of these values: [CSV, JSON, JSONL, PARQUET, MANIFEST]",
                    "/States/S/ItemReader/ReaderConfig/InputType",
                ),
                svf(
                    "The field 'Transformation' should have one of these values: [NONE, COMPACT, FLATTEN]",
                    "/States/S/ResultWriter/WriterConfig/Transformation",
                ),
            ],
        );
        expect(
            map(json!({"ItemReader": "x"})),
            &[svf("Expected value of type Object", "/States/S/ItemReader")],
        );
        expect(
            map(json!({"ItemBatcher": []})),
            &[svf(
                "Expected value of type Object",
                "/States/S/ItemBatcher",
            )],
        );
        expect(
            map(json!({"ResultWriter": 1})),
            &[svf(
                "Expected value of type Object",
                "/States/S/ResultWriter",
            )],
        );
        expect(
            map(
                json!({"ItemReader": {"ReaderConfig": {"MaxItems": 1, "MaxItemsPath": "$.m"},
                "Parameters": {"Key.$": "key"}}}),
            ),
            &[
                template_msg("Key.$", "/States/S/ItemReader/Parameters"),
                svf(
                    "These fields are mutually exclusive: [MaxItems, MaxItemsPath]",
                    "/States/S/ItemReader/ReaderConfig",
                ),
            ],
        );
        expect(
            map(json!({"ItemBatcher": {"MaxItemsPerBatch": 1, "MaxItemsPerBatchPath": "$.m",
                "MaxInputBytesPerBatch": 1, "MaxInputBytesPerBatchPath": "$.b", "BatchInput": {"x.$": 1}}})),
            &[
                template_msg("x.$", "/States/S/ItemBatcher/BatchInput"),
                svf("These fields are mutually exclusive: [MaxItemsPerBatch, MaxItemsPerBatchPath]", "/States/S/ItemBatcher"),
                svf(
                    "These fields are mutually exclusive: [MaxInputBytesPerBatch, MaxInputBytesPerBatchPath]",
                    "/States/S/ItemBatcher",
                ),
            ],
        );
        expect(
            map(json!({"ResultWriter": {"Parameters": {"Bucket.$": "bucket"}}})),
            &[template_msg(
                "Bucket.$",
                "/States/S/ResultWriter/Parameters",
            )],
        );
    }
}
