//! Generation throughput per profile (printed; no assertion on time).
//! `cargo test -p aslcheck-generators --release --test throughput -- --nocapture`

mod common;

use std::time::Instant;

use aslcheck_generators::{generate, Profile};

#[test]
fn print_generation_throughput() {
    let n: u64 = std::env::var("ASLCHECK_GEN_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    for name in Profile::builtin_names() {
        let p = common::profile(name);
        let start = Instant::now();
        let mut states = 0;
        let mut bytes = 0;
        for seed in 0..n {
            let case = generate(&p, seed);
            states += case.state_count();
            bytes += case.definition.to_string().len();
        }
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        println!(
            "{name:<11} {:>8.0} machines/s  {:>9.0} states/s  {:>6.1} states/machine  {:>6.0} bytes/definition",
            n as f64 / secs,
            states as f64 / secs,
            states as f64 / n as f64,
            bytes as f64 / n as f64
        );
    }
}
