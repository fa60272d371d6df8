//! 100,000 random intrinsic strings through `parse` and `eval`: nothing may panic.
//!
//! Half the strings are token soup (function names, quotes, parentheses, commas, backslashes,
//! numbers, paths, unicode), half are generated from the grammar with random (often wrong)
//! argument counts and types, so that evaluation is exercised as well as parsing.
//! The generator is a seeded xorshift, so failures reproduce.

use aslcheck::intrinsics::{eval, looks_like_call, parse, Function};
use serde_json::{json, Value};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or("")
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

#[path = "support/intrinsics_env.rs"]
mod intrinsics_env;
use intrinsics_env::TestEnv;

const PATHS: &[&str] = &[
    "$",
    "$.a",
    "$.i",
    "$.neg",
    "$.f",
    "$.big",
    "$.huge",
    "$.s",
    "$.e",
    "$.ws",
    "$.u",
    "$.arr",
    "$.empty",
    "$.nested",
    "$.o",
    "$.o2",
    "$.n",
    "$.t",
    "$.b64",
    "$.bad64",
    "$.json",
    "$.tpl",
    "$.long",
    "$.alg",
    "$.missing",
    "$$.Execution.Id",
    "$['a,b']",
    "$.arr[0]",
    "$.a[?(@.x == 1)]",
];

const LITERALS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "9",
    "1000",
    "1001",
    "-0",
    "0.5",
    "-0.5",
    "2.5",
    "1.49",
    "1e3",
    "1E-3",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "18446744073709551615",
    "99999999999999999999",
    "1e308",
    "true",
    "false",
    "null",
    "''",
    "'a'",
    "' '",
    "','",
    "'.+'",
    "'{}'",
    "'\\{\\}'",
    "'{} {}'",
    "'it\\'s'",
    "'a\\\\b'",
    "'MD5'",
    "'SHA-1'",
    "'SHA-256'",
    "'SHA-384'",
    "'SHA-512'",
    "'sha-1'",
    "'RGF0YSB0byBlbmNvZGU='",
    "'8J2Eng=='",
    "'/w=='",
    "'!!'",
    "'[1,2]'",
    "'{\"k\":1}'",
    "'𝄞'",
    "'日本'",
    "'null'",
];

const SOUP: &[&str] = &[
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
    "States.Foo",
    "states.format",
    "States.",
    "(",
    "(",
    "(",
    ")",
    ")",
    ")",
    ",",
    ",",
    "'",
    "'",
    "\\",
    "\\'",
    "\\{",
    "\\}",
    "\\\\",
    "\\\"",
    "{}",
    "{",
    "}",
    " ",
    " ",
    "\t",
    "\n",
    "0",
    "-",
    "-1",
    "1.5",
    ".",
    "e",
    "1e3",
    "1e999",
    "01",
    "$",
    "$.a",
    "$.arr",
    "$.s",
    "$$",
    "$$.x",
    "[",
    "]",
    "['",
    "\"",
    "?(@",
    "true",
    "false",
    "null",
    "𝄞",
    "é",
    "x",
    "MD5",
    "SHA-256",
];

fn soup(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(70) {
        s.push_str(rng.pick(SOUP));
    }
    let n = 1 + rng.below(24);
    for _ in 0..n {
        s.push_str(rng.pick(SOUP));
    }
    s
}

fn gen_call(rng: &mut Rng, depth: usize, out: &mut String) {
    let f = Function::ALL
        .get(rng.below(Function::ALL.len()))
        .copied()
        .unwrap_or(Function::Array);
    out.push_str(f.name());
    out.push('(');
    let (min, max) = f.arity();
    let count = if rng.chance(85) {
        let max = max.unwrap_or(min + 3);
        min + rng.below(max - min + 1)
    } else {
        rng.below(5)
    };
    for i in 0..count {
        if i > 0 {
            out.push_str(if rng.chance(80) { ", " } else { "," });
        }
        let roll = rng.below(100);
        if roll < 15 && depth < 12 {
            gen_call(rng, depth + 1, out);
        } else if roll < 55 {
            out.push_str(rng.pick(PATHS));
        } else {
            out.push_str(rng.pick(LITERALS));
        }
    }
    out.push(')');
}

fn input() -> Value {
    json!({
        "a": 5, "i": 3, "neg": -4, "f": 2.5, "big": 4_000_000_000_i64, "huge": 1e300,
        "s": "a,b;c", "e": "", "ws": "  ", "u": "𝄞é日本", "arr": [1, 2, 2, [3], {"k": "v"}, null, "x"],
        "empty": [], "nested": {"x": {"y": [1, {"z": true}]}}, "o": {"a": 1, "b": [2]},
        "o2": {"b": {"c": 3}, "d": null}, "n": null, "t": true, "b64": "RGF0YSB0byBlbmNvZGU=",
        "bad64": "###", "json": "{\"k\": [1, 2]}", "tpl": "{} and {}", "long": "z".repeat(10_001),
        "alg": "SHA-512", "a,b": 1
    })
}

#[test]
fn random_intrinsic_strings_never_panic() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let base = input();
    let mut env = TestEnv {
        input: base,
        state: 42,
    };
    let mut compile = |p: &str| -> Result<String, String> {
        if p.starts_with('$') && !p.contains(' ') {
            Ok(p.to_string())
        } else {
            Err(format!("bad path {p}"))
        }
    };
    let (mut parsed, mut evaluated) = (0usize, 0usize);
    for i in 0..100_000u32 {
        let text = if i % 2 == 0 {
            soup(&mut rng)
        } else {
            let mut s = String::new();
            gen_call(&mut rng, 1, &mut s);
            s
        };
        let _ = looks_like_call(&text);
        if let Ok(call) = parse(&text, &mut compile) {
            parsed += 1;
            if eval(&call, &mut env).is_ok() {
                evaluated += 1;
            }
        }
    }
    eprintln!("parsed {parsed} of 100000, evaluated without error {evaluated}");
    // The generator must actually reach evaluation, not just the parser's error paths.
    assert!(parsed > 20_000, "only {parsed} strings parsed");
    assert!(evaluated > 5_000, "only {evaluated} evaluations succeeded");
}
