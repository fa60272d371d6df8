//! Interpreter throughput: the three workloads whose numbers the README reports.
//! Run with `cargo bench`; `aslcheck bench benches/machines/<name>.json --input …` measures the same.

use std::path::Path;

use aslcheck::asl::load_definition;
use aslcheck::engine::{run, RunOptions};
use aslcheck::harness::input::parse_input;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

// The same allocator as the `aslcheck` binary, so that both measure the same thing.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn workload(c: &mut Criterion, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/machines");
    let def =
        load_definition(&dir.join(format!("{name}.json"))).expect("benchmark definition is valid");
    let text = std::fs::read_to_string(dir.join(format!("{name}.input.json")))
        .expect("benchmark input exists");
    let input = parse_input(&text, name).expect("benchmark input is valid");
    let mut group = c.benchmark_group("executions");
    group.throughput(Throughput::Elements(1));
    group.bench_function(name, |b| {
        b.iter(|| run(&def.machine, &input, RunOptions::default()))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    workload(c, "pass_chain");
    workload(c, "map_100");
    workload(c, "choice_loop");
}

criterion_group!(interpreter, benches);
criterion_main!(interpreter);
