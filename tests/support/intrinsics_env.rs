//! A tiny intrinsic-function environment for tests: `P = String`; `$` is the whole input and
//! `$.name` a top-level field; random numbers come from a SplitMix64 sequence.

use aslcheck::intrinsics::{Env, EvalError};
use serde_json::Value;

pub struct TestEnv {
    pub input: Value,
    pub state: u64,
}

impl Env<String> for TestEnv {
    fn resolve(&mut self, path: &String) -> Result<Value, EvalError> {
        if path == "$" {
            return Ok(self.input.clone());
        }
        path.strip_prefix("$.")
            .and_then(|name| self.input.get(name))
            .cloned()
            .ok_or_else(|| EvalError {
                error: "States.Runtime".to_string(),
                cause: format!("The JSONPath '{path}' could not be found in the input"),
            })
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
