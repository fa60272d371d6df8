//! The functions AWS Step Functions adds to JSONata, and the one it takes away
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>, "JSONata
//! functions provided by Step Functions"; docs/semantics/jsonata.md §11.6):
//!
//! | Function | Here |
//! |---|---|
//! | `$partition(array, size)` | chunks of `size`, the last one possibly shorter (as `States.ArrayPartition`) |
//! | `$range(start, end[, step])` | `start, start+step, …` up to `end` included (as `States.ArrayRange`); one element collapses to a value |
//! | `$hash(value, algorithm)` | lowercase hex digest; `MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512` |
//! | `$random([seed])` | a number in [0, 1); the same integer seed gives the same number |
//! | `$uuid()` | a version-4 UUID |
//! | `$parse(jsonString)` | the value the JSON text denotes (the replacement for `$eval`) |
//!
//! `$eval` is not available: it is bound to *undefined*, so calling it fails as calling any
//! undefined function does (`T1006`).
//!
//! AWS documents no error texts or codes for bad arguments to these functions. Ours follow
//! JSONata's conventions: `T0410` (an argument of the wrong type or value, or too few
//! arguments), `D2014` for a range too large (JSONata's code for an oversized `..` range) and
//! `D3120` for `$parse` text that is not JSON. An *undefined* first argument gives *undefined*, as JSONata's own
//! functions do. All of this is UNVERIFIED against AWS.
//!
//! Unseeded `$random()` and `$uuid()` draw from a ChaCha8 stream seeded by the caller
//! ([`crate::Expression::evaluate_seeded`]), so a run is reproducible.

use std::cell::RefCell;
use std::rc::Rc;

use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError};
use jsonata_core::value::JValue;
use md5::Md5;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The most elements `$range` produces: `States.ArrayRange`'s limit
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-arrays>).
/// UNVERIFIED that `$range` shares it; it also keeps a runaway range from allocating.
pub const MAX_RANGE_ELEMENTS: usize = 1000;

/// The widest `$pad` result, in characters. JSONata's `$pad` builds the whole padding at once,
/// so `$pad('', 1e12)` (or a width of `1/0`) would allocate gigabytes inside one built-in call,
/// where the time limit cannot stop it. A wider width is the memory-limit error (`U1001`
/// "Expression evaluation memory limit exceeded"). The figure is ours: AWS publishes none, and
/// any result this wide is far beyond a state's 256 KiB payload limit anyway
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html>).
pub const MAX_PAD_WIDTH: f64 = 10_000_000.0;

/// The host function [`bound_pad_widths`] wraps each `$pad` argument in.
const PAD_GUARD: &str = "aslcheckPadArgument";

/// Rewrites every `$pad(a, b, c)` call of an AST (as its JSON form) into `$pad(g(a), g(b), g(c))`, where `g` returns its
/// argument unchanged unless it is a number wider than [`MAX_PAD_WIDTH`], which fails.
/// Every argument is wrapped because JSONata may insert the context as the first argument, so
/// the width is not always the second one written; a string or undefined passes through.
/// The built-in keeps its own signature checks. A `$pad` reached as a value (`$f := $pad`) is
/// not rewritten. `None` if the rewritten tree is not an AST (the caller keeps the original).
pub(crate) fn bound_pad_widths(mut tree: serde_json::Value) -> Option<jsonata_core::ast::AstNode> {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for child in m.values_mut() {
                    walk(child);
                }
                let is_pad = m.get("Function").is_some_and(|f| {
                    f.get("name").and_then(|n| n.as_str()) == Some("pad")
                        && f.get("is_builtin").and_then(|b| b.as_bool()) == Some(true)
                });
                if let Some(args) = is_pad
                    .then(|| m.get_mut("Function").and_then(|f| f.get_mut("args")))
                    .flatten()
                    .and_then(|a| a.as_array_mut())
                {
                    for arg in args.iter_mut() {
                        let inner = std::mem::take(arg);
                        *arg = serde_json::json!({"Function": {
                            "name": PAD_GUARD, "args": [inner], "is_builtin": true
                        }});
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut tree);
    serde_json::from_value(tree).ok()
}

fn pad_argument(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let value = args.first().cloned().unwrap_or(JValue::Undefined);
    match value.as_f64() {
        Some(n) if n.abs() > MAX_PAD_WIDTH => Err(EvaluatorError::EvaluationError(format!(
            "D2015: $pad to a width of {n} exceeds {MAX_PAD_WIDTH} characters"
        ))),
        _ => Ok(value),
    }
}

/// The hash algorithms `$hash` accepts, exactly as written.
pub const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// The names of the functions AWS adds (without `$`).
pub const AWS_FUNCTIONS: [&str; 6] = ["partition", "range", "hash", "random", "uuid", "parse"];

fn type_error(message: String) -> EvaluatorError {
    EvaluatorError::TypeError(format!("T0410: {message}"))
}

/// Too few arguments is an error; more than the function reads are ignored, because JSONata's
/// higher-order functions pass a callback (value, index, array) and leave it to the callback to
/// take what it needs (`$map([1, 2], $uuid)`).
fn arity(name: &str, args: &[JValue], min: usize) -> Result<(), EvaluatorError> {
    if args.len() < min {
        return Err(type_error(format!(
            "${name} takes at least {min} argument{}, but was given {}",
            if min == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

/// A number argument rounded down to an integer (JSONata's functions that need integers round
/// other numbers down: docs/semantics/jsonata.md §11.6).
fn integer(name: &str, position: usize, value: &JValue) -> Result<i64, EvaluatorError> {
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(n.floor().clamp(i64::MIN as f64, i64::MAX as f64) as i64),
        _ => Err(type_error(format!(
            "Argument {position} of function ${name} must be a number"
        ))),
    }
}

/// Registers, of the AWS functions, those `mentions` names (an expression can reach a function
/// only by its name, so the others would never be called). `seed` seeds the stream of unseeded
/// `$random()` and `$uuid()`, created only when one of them is mentioned.
pub(crate) fn install(
    evaluator: &mut Evaluator,
    mentions: &[String],
    seed: u64,
) -> Result<(), EvaluatorError> {
    let mentioned = |name: &str| mentions.iter().any(|m| m == name);
    if mentioned("partition") {
        evaluator.register_fn("partition", partition)?;
    }
    if mentioned("range") {
        evaluator.register_fn("range", range)?;
    }
    if mentioned("hash") {
        evaluator.register_fn("hash", hash)?;
    }
    if mentioned("parse") {
        evaluator.register_fn("parse", parse)?;
    }
    if mentioned("pad") {
        evaluator.register_fn(PAD_GUARD, pad_argument)?;
    }
    if !(mentioned("uuid") || mentioned("random")) {
        return Ok(());
    }
    let rng = Rc::new(RefCell::new(ChaCha8Rng::seed_from_u64(seed)));
    let r = Rc::clone(&rng);
    evaluator.register_fn("uuid", move |args: &[JValue]| {
        uuid(args, &mut r.borrow_mut())
    })?;
    // `$random` is a JSONata built-in; AWS's takes an optional seed.
    evaluator.register_fn_override("random", move |args: &[JValue]| {
        random(args, &mut rng.borrow_mut())
    })?;
    Ok(())
}

/// Binds `$eval` to undefined: a call then fails with T1006, like any non-function.
pub(crate) fn hide_eval(context: &mut Context) {
    context.bind("eval".to_string(), JValue::Undefined);
}

fn partition(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    arity("partition", args, 2)?;
    let items = match &args[0] {
        JValue::Undefined => return Ok(JValue::Undefined),
        v => v.as_array().ok_or_else(|| {
            type_error("Argument 1 of function $partition must be an array".into())
        })?,
    };
    let size = integer("partition", 2, &args[1])?;
    let size = usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| {
            type_error("Argument 2 of function $partition must be a positive integer".into())
        })?;
    Ok(JValue::array(
        items
            .chunks(size)
            .map(|chunk| JValue::array(chunk.to_vec()))
            .collect(),
    ))
}

fn range(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    // UNVERIFIED: the step may be left out (1), as JSONata users expect from `[a..b]`.
    arity("range", args, 2)?;
    if args.iter().any(JValue::is_undefined) {
        return Ok(JValue::Undefined);
    }
    let start = i128::from(integer("range", 1, &args[0])?);
    let end = i128::from(integer("range", 2, &args[1])?);
    let step = match args.get(2) {
        Some(s) => i128::from(integer("range", 3, s)?),
        None => 1,
    };
    if step == 0 {
        return Err(type_error(
            "Argument 3 of function $range must be a non-zero integer".into(),
        ));
    }
    // UNVERIFIED: a step that moves away from the end gives nothing (as States.ArrayRange here).
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        (end - start) / step + 1
    };
    if count > MAX_RANGE_ELEMENTS as i128 {
        return Err(EvaluatorError::EvaluationError(format!(
            "D2014: The size of the sequence allocated by $range must not exceed {MAX_RANGE_ELEMENTS}. Attempted to allocate {count}."
        )));
    }
    // A sequence, so that one element collapses to the value itself (docs/semantics/jsonata.md
    // §11.5: `$range(1,9,9)` is `1`).
    Ok(JValue::sequence(
        (0..count)
            .map(|i| JValue::from_f64((start + i * step) as f64))
            .collect(),
    ))
}

fn hash(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    arity("hash", args, 2)?;
    let text = match &args[0] {
        JValue::Undefined => return Ok(JValue::Undefined),
        v => v
            .as_str()
            .ok_or_else(|| type_error("Argument 1 of function $hash must be a string".into()))?,
    };
    let bytes = text.as_bytes();
    let digest: Vec<u8> = match args[1].as_str() {
        Some("MD5") => Md5::digest(bytes).to_vec(),
        Some("SHA-1") => Sha1::digest(bytes).to_vec(),
        Some("SHA-256") => Sha256::digest(bytes).to_vec(),
        Some("SHA-384") => Sha384::digest(bytes).to_vec(),
        Some("SHA-512") => Sha512::digest(bytes).to_vec(),
        _ => {
            return Err(type_error(format!(
                "Argument 2 of function $hash must be one of {}",
                HASH_ALGORITHMS.join(", ")
            )))
        }
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(JValue::string(hex))
}

fn parse(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    arity("parse", args, 1)?;
    let text = match &args[0] {
        JValue::Undefined => return Ok(JValue::Undefined),
        v => v
            .as_str()
            .ok_or_else(|| type_error("Argument 1 of function $parse must be a string".into()))?,
    };
    // UNVERIFIED: the code for text that is not JSON (D3120 is JSONata's for a bad `$eval` text).
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        EvaluatorError::EvaluationError(format!(
            "D3120: The argument of function $parse is not valid JSON: {e}"
        ))
    })?;
    Ok(JValue::from(value))
}

fn uuid(_args: &[JValue], rng: &mut ChaCha8Rng) -> Result<JValue, EvaluatorError> {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    Ok(JValue::string(id.hyphenated().to_string()))
}

fn random(args: &[JValue], rng: &mut ChaCha8Rng) -> Result<JValue, EvaluatorError> {
    match args.first() {
        None | Some(JValue::Undefined) => Ok(JValue::from_f64(rng.gen::<f64>())),
        Some(seed) => {
            let seed = integer("random", 1, seed)?;
            Ok(JValue::from_f64(seeded_random(seed)))
        }
    }
}

/// The number `$random(seed)` gives: `java.util.Random(seed).nextDouble()`. UNVERIFIED which
/// generator AWS uses; this one is the one the interpreter assumes for seeded
/// `States.MathRandom` (a Java LCG), and it depends only on the seed, as AWS documents.
pub fn seeded_random(seed: i64) -> f64 {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;
    let mut state = (seed as u64 ^ MULTIPLIER) & MASK;
    let mut next = |bits: u32| -> u64 {
        state = state.wrapping_mul(MULTIPLIER).wrapping_add(0xB) & MASK;
        state >> (48 - bits)
    };
    let high = next(26);
    let low = next(27);
    ((high << 27) + low) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_next_double_known_values() {
        // java.util.Random(0).nextDouble() and Random(42).nextDouble().
        assert_eq!(seeded_random(0), 0.730967787376657);
        assert_eq!(seeded_random(42), 0.7275636800328681);
    }
}
