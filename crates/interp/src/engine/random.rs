//! The run's seeded random source, created on first use.
//!
//! Every random value of an execution — its generated name, task tokens, `States.UUID`, unseeded
//! `States.MathRandom`, retry jitter — comes from one ChaCha8 stream seeded with the run's seed.
//! The name, when none is given, is the stream's first 16 bytes; everything else follows it.
//! Most executions draw nothing, so neither the stream nor the name's text is built until asked
//! for; the values are the same as if they had been drawn eagerly.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 32-bit words of the stream taken by a generated execution name (16 bytes).
const NAME_WORDS: u128 = 4;

/// A seeded stream that starts where the execution name's bytes end.
pub struct RunRng {
    seed: u64,
    skip: u128,
    rng: Option<ChaCha8Rng>,
}

impl RunRng {
    /// `named`: whether the execution was given a name (then no bytes are set aside for one).
    pub fn new(seed: u64, named: bool) -> RunRng {
        RunRng {
            seed,
            skip: if named { 0 } else { NAME_WORDS },
            rng: None,
        }
    }

    fn stream(&mut self) -> &mut ChaCha8Rng {
        let (seed, skip) = (self.seed, self.skip);
        self.rng.get_or_insert_with(|| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_word_pos(skip);
            r
        })
    }
}

/// The execution name drawn from `seed`: a version-4 UUID from the stream's first 16 bytes.
pub fn generated_name(seed: u64) -> String {
    uuid_from(&mut ChaCha8Rng::seed_from_u64(seed))
}

/// A version-4 UUID from a random source.
pub fn uuid_from(rng: &mut dyn RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

impl RngCore for RunRng {
    fn next_u32(&mut self) -> u32 {
        self.stream().next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.stream().next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.stream().fill_bytes(dest)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.stream().try_fill_bytes(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lazy stream gives exactly what the eager one gave after drawing the name.
    #[test]
    fn lazy_stream_continues_after_the_name() {
        for seed in [0u64, 1, 42, u64::MAX] {
            let mut eager = ChaCha8Rng::seed_from_u64(seed);
            let name = uuid_from(&mut eager);
            assert_eq!(generated_name(seed), name);
            let mut lazy = RunRng::new(seed, false);
            let mut a = [0u8; 37];
            let mut b = [0u8; 37];
            eager.fill_bytes(&mut a);
            lazy.fill_bytes(&mut b);
            assert_eq!(a, b);
            assert_eq!(eager.next_u64(), lazy.next_u64());
            assert_eq!(eager.next_u32(), lazy.next_u32());
        }
    }

    #[test]
    fn named_runs_start_at_the_beginning() {
        let mut eager = ChaCha8Rng::seed_from_u64(9);
        let mut lazy = RunRng::new(9, true);
        assert_eq!(eager.next_u64(), lazy.next_u64());
        assert_ne!(
            RunRng::new(9, false).next_u64(),
            RunRng::new(9, true).next_u64()
        );
    }
}
