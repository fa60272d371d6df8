//! `States.Base64Encode`, `States.Base64Decode`, `States.Hash`.
//!
//! DG, "Intrinsics for data encoding and decoding" and "Intrinsic for hash calculation":
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-data-encode-decode>
//! <https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-hash-calc>
//!
//! * `States.Base64Encode(s)` — base64 (standard alphabet, `=` padding) of the UTF-8 bytes of a
//!   string of at most 10,000 characters. `"Data to encode"` → `"RGF0YSB0byBlbmNvZGU="`.
//! * `States.Base64Decode(s)` — the text whose UTF-8 bytes a base64 string of at most 10,000
//!   characters encodes.
//! * `States.Hash(data, algorithm)` — lowercase hex digest; the algorithm is exactly one of
//!   `MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`; data (as text) at most 10,000 characters.
//!
//! UNVERIFIED: the DG calls the scheme "MIME Base64"; no line breaks are inserted here (a
//! Java MIME encoder would break lines every 76 characters).

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{
    arg_error, arity_error, failure, utf16_len, EvalError, Function, MAX_ENCODING_INPUT_CHARS,
};

// UNVERIFIED: decoding accepts input with or without '=' padding and ignores non-zero trailing
// bits (as Java's basic decoder does), but rejects any character outside the standard alphabet
// (including whitespace and line breaks).
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn check_length(function: Function, index: usize, text: &str) -> Result<(), EvalError> {
    let len = utf16_len(text);
    if len > MAX_ENCODING_INPUT_CHARS {
        return Err(failure(format!(
            "The {} argument of {} must contain at most {} characters, but it contains {}",
            super::ordinal(index),
            function,
            MAX_ENCODING_INPUT_CHARS,
            len
        )));
    }
    Ok(())
}

pub(super) fn base64_encode(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::Base64Encode;
    let [arg] = args else {
        return Err(arity_error(F, args.len()));
    };
    let Value::String(s) = arg else {
        return Err(arg_error(F, 0, "a string"));
    };
    check_length(F, 0, s)?;
    Ok(Value::String(STANDARD.encode(s.as_bytes())))
}

pub(super) fn base64_decode(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::Base64Decode;
    let [arg] = args else {
        return Err(arity_error(F, args.len()));
    };
    let Value::String(s) = arg else {
        return Err(arg_error(F, 0, "a string"));
    };
    check_length(F, 0, s)?;
    let invalid = |detail: String| {
        failure(format!(
            "The first argument of States.Base64Decode must be valid base64: {detail}"
        ))
    };
    // Padding, when present, must complete the last 4-character group ("YQ=" is rejected).
    if s.contains('=') && s.len() % 4 != 0 {
        return Err(invalid("incomplete padding".to_string()));
    }
    let bytes = DECODER
        .decode(s.as_bytes())
        .map_err(|e| invalid(e.to_string()))?;
    // UNVERIFIED: bytes that are not UTF-8 are an error (a Java decoder would substitute
    // U+FFFD instead).
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| failure("The data decoded by States.Base64Decode is not valid UTF-8 text"))
}

/// The hash algorithms AWS accepts, exactly as written.
pub const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

pub(super) fn hash(args: &[Value]) -> Result<Value, EvalError> {
    const F: Function = Function::Hash;
    let [data, algorithm] = args else {
        return Err(arity_error(F, args.len()));
    };
    // UNVERIFIED: data that is not a string (number, boolean, null, array, object) is hashed
    // as its compact JSON text.
    let text = match data {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).map_err(|e| {
            failure(format!(
                "States.Hash could not serialize its first argument: {e}"
            ))
        })?,
    };
    check_length(F, 0, &text)?;
    let Value::String(algorithm) = algorithm else {
        return Err(hash_algorithm_error());
    };
    let bytes = text.as_bytes();
    // UNVERIFIED: algorithm names are case-sensitive ("sha-256" is rejected).
    let digest: Vec<u8> = match algorithm.as_str() {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        _ => return Err(hash_algorithm_error()),
    };
    Ok(Value::String(to_hex(&digest)))
}

fn hash_algorithm_error() -> EvalError {
    arg_error(
        Function::Hash,
        1,
        &format!("one of {}", HASH_ALGORITHMS.join(", ")),
    )
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testenv::*;
    use serde_json::json;

    #[test]
    fn base64_encode_table() {
        check_ok(&[
            // DG, States.Base64Encode; also observed (docs/semantics/intrinsics.md §4.2).
            (
                "States.Base64Encode($.input)",
                r#"{"input": "Data to encode"}"#,
                r#""RGF0YSB0byBlbmNvZGU=""#,
            ),
            ("States.Base64Encode($.input)", r#"{"input": ""}"#, r#""""#),
            // Edges: padding lengths, unicode incl. a surrogate-pair character.
            ("States.Base64Encode('a')", "", r#""YQ==""#),
            ("States.Base64Encode('ab')", "", r#""YWI=""#),
            ("States.Base64Encode('abc')", "", r#""YWJj""#),
            ("States.Base64Encode('𝄞')", "", r#""8J2Eng==""#),
            (
                "States.Base64Encode('input data')",
                "",
                r#""aW5wdXQgZGF0YQ==""#,
            ),
            ("States.Base64Encode('é\\'s')", "", r#""w6kncw==""#),
            (
                "States.Base64Encode(States.JsonToString($.o))",
                r#"{"o": {"a": 1}}"#,
                r#""eyJhIjoxfQ==""#,
            ),
        ]);
        // 10,000 characters is fine; 10,001 is not. "𝄞" counts as two characters.
        let ok = json!({ "s": "a".repeat(10_000) }).to_string();
        assert!(run("States.Base64Encode($.s)", &ok).is_ok());
        let ok = json!({ "s": "𝄞".repeat(5_000) }).to_string();
        assert!(run("States.Base64Encode($.s)", &ok).is_ok());
        let long = json!({ "s": "a".repeat(10_001) }).to_string();
        let surrogates = json!({ "s": format!("{}a", "𝄞".repeat(5_000)) }).to_string();
        check_err(&[
            ("States.Base64Encode($.s)", &long, "The first argument of States.Base64Encode must contain at most 10000 characters, but it contains 10001"),
            ("States.Base64Encode($.s)", &surrogates, "at most 10000 characters, but it contains 10001"),
            ("States.Base64Encode($.s)", r#"{"s": 1}"#, "The first argument of States.Base64Encode must be a string"),
            ("States.Base64Encode($.s)", r#"{"s": null}"#, "must be a string"),
            ("States.Base64Encode($.s)", r#"{"s": ["a"]}"#, "must be a string"),
        ]);
    }

    #[test]
    fn base64_decode_table() {
        check_ok(&[
            // DG, States.Base64Decode; also observed.
            (
                "States.Base64Decode($.base64)",
                r#"{"base64": "RGF0YSB0byBlbmNvZGU="}"#,
                r#""Data to encode""#,
            ),
            ("States.Base64Decode($.b)", r#"{"b": ""}"#, r#""""#),
            // Edges.
            ("States.Base64Decode('8J2Eng==')", "", r#""𝄞""#),
            ("States.Base64Decode('8J2Eng')", "", r#""𝄞""#),
            ("States.Base64Decode('YQ==')", "", r#""a""#),
            ("States.Base64Decode('YQ')", "", r#""a""#),
            ("States.Base64Decode('YR==')", "", r#""a""#),
            (
                "States.Base64Decode(States.Base64Encode('round trip é𝄞'))",
                "",
                r#""round trip é𝄞""#,
            ),
        ]);
        let long = json!({ "s": "A".repeat(10_004) }).to_string();
        check_err(&[
            (
                "States.Base64Decode('not base64!')",
                "",
                "The first argument of States.Base64Decode must be valid base64",
            ),
            ("States.Base64Decode('YQ=')", "", "must be valid base64"),
            ("States.Base64Decode('Y')", "", "must be valid base64"),
            (
                "States.Base64Decode('YQ==YQ==')",
                "",
                "must be valid base64",
            ),
            (
                "States.Base64Decode('RGF0 YQ==')",
                "",
                "must be valid base64",
            ),
            (
                "States.Base64Decode('YWJj\nZA==')",
                "",
                "must be valid base64",
            ),
            ("States.Base64Decode('-_8=')", "", "must be valid base64"),
            ("States.Base64Decode('/w==')", "", "is not valid UTF-8 text"),
            ("States.Base64Decode('7aCA')", "", "is not valid UTF-8 text"),
            (
                "States.Base64Decode($.s)",
                &long,
                "must contain at most 10000 characters",
            ),
            (
                "States.Base64Decode(1)",
                "",
                "The first argument of States.Base64Decode must be a string",
            ),
        ]);
    }

    #[test]
    fn hash_table() {
        let input = r#"{"Data": "input data", "Algorithm": "SHA-1"}"#;
        check_ok(&[
            // DG, States.Hash (the DG's printed digest drops a digit; this is the correct one,
            // as observed on AWS per docs/semantics/intrinsics.md §4.2).
            (
                "States.Hash($.Data, $.Algorithm)",
                input,
                r#""aaff4a450a104cd177d28d18d74485e8cae074b7""#,
            ),
            // Observed MD5.
            (
                "States.Hash($.Data, 'MD5')",
                input,
                r#""812f45842bc6d66ee14572ce20db8e86""#,
            ),
            // Other algorithms (digests computed independently).
            (
                "States.Hash($.Data, 'SHA-256')",
                input,
                r#""b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3""#,
            ),
            (
                "States.Hash($.Data, 'SHA-384')",
                input,
                r#""d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562""#,
            ),
            (
                "States.Hash($.Data, 'SHA-512')",
                input,
                r#""6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4""#,
            ),
            // Empty input.
            (
                "States.Hash('', 'MD5')",
                "",
                r#""d41d8cd98f00b204e9800998ecf8427e""#,
            ),
            (
                "States.Hash('', 'SHA-256')",
                "",
                r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#,
            ),
            // Surrogate-pair character: its UTF-8 bytes F0 9D 84 9E are hashed.
            (
                "States.Hash('𝄞', 'MD5')",
                "",
                r#""2f55b29a01926aefd853073664ac7afb""#,
            ),
            (
                "States.Hash('𝄞', 'SHA-1')",
                "",
                r#""e4a5ca681e4b2fa112844dca54e7b868086aee0b""#,
            ),
            (
                "States.Hash('𝄞', 'SHA-256')",
                "",
                r#""e419efd3d6046adf7662b0daadab65047e8014a523316d7ccc8710de694aa9b6""#,
            ),
            (
                "States.Hash('𝄞', 'SHA-512')",
                "",
                r#""349d327d4f634d37a8026259f6f7f94caec9cb96e01f418d40b47b876b3dcfde4d5c55f9ef002058126933ae14166474cd5aa052df4a0791c3de94a3675678fa""#,
            ),
            // Non-string data is hashed as its compact JSON text.
            (
                "States.Hash($.o, 'MD5')",
                r#"{"o": {"a": 1}}"#,
                r#""bb6cb5c68df4652941caf652a366f2d8""#,
            ),
            (
                "States.Hash($.o, 'SHA-1')",
                r#"{"o": [1, 2]}"#,
                r#""b874a9cb236fc88a636fad656a401e23b64300da""#,
            ),
            (
                "States.Hash(1, 'MD5')",
                "",
                r#""c4ca4238a0b923820dcc509a6f75849b""#,
            ),
            (
                "States.Hash(1.5, 'MD5')",
                "",
                r#""6008647277c4454cecd97d33c069f0ca""#,
            ),
            (
                "States.Hash(null, 'MD5')",
                "",
                r#""37a6259cc0c1dae299a7866489dff0bd""#,
            ),
            (
                "States.Hash(true, 'MD5')",
                "",
                r#""b326b5062b2f0e69046810717534cb09""#,
            ),
            (
                "States.Hash('1', 'MD5')",
                "",
                r#""c4ca4238a0b923820dcc509a6f75849b""#,
            ),
        ]);
        let long = json!({ "s": "a".repeat(10_001) }).to_string();
        check_err(&[
            ("States.Hash($.Data, 'sha-1')", input, "The second argument of States.Hash must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
            ("States.Hash($.Data, 'SHA1')", input, "must be one of MD5, SHA-1"),
            ("States.Hash($.Data, 'SHA-224')", input, "must be one of"),
            ("States.Hash($.Data, ' MD5')", input, "must be one of"),
            ("States.Hash($.Data, 5)", input, "The second argument of States.Hash must be one of"),
            ("States.Hash($.Data, null)", input, "must be one of"),
            ("States.Hash($.s, 'MD5')", &long, "The first argument of States.Hash must contain at most 10000 characters"),
        ]);
    }
}
