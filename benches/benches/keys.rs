//! Product-key throughput: parse and verify (normalisation included), the batch call and
//! `inspect`. Every benchmark reports elements (keys) per second. See `benches/README.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use volact_benches::{dashed_keys, loose_variants};
use volact_core::key::{self, ProductKey};

/// `ProductKey::parse` and `ProductKey::is_valid` over one input set, as group `name`.
fn parse_and_is_valid(c: &mut Criterion, name: &str, keys: &[String]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for k in keys {
                black_box(ProductKey::parse(black_box(k)).ok());
            }
        })
    });
    g.bench_function("is_valid", |b| {
        b.iter(|| {
            keys.iter()
                .filter(|k| ProductKey::is_valid(black_box(k)))
                .count()
        })
    });
    g.finish();
}

fn keys(c: &mut Criterion) {
    let dashed = dashed_keys();
    let loose = loose_variants(&dashed);

    // Canonical dashed keys: the fast path.
    parse_and_is_valid(c, "key_dashed", &dashed);
    // Lowercase, undashed and space-separated keys: the general normalising path.
    parse_and_is_valid(c, "key_loose", &loose);

    // One newline-joined text in, a packed status buffer out (what the bindings call).
    let mut g = c.benchmark_group("key_check_batch");
    g.throughput(Throughput::Elements(dashed.len() as u64));
    for (label, set) in [("dashed", &dashed), ("loose", &loose)] {
        let text = set.join("\n");
        g.bench_with_input(BenchmarkId::from_parameter(label), &text, |b, text| {
            b.iter(|| key::check_batch(black_box(text)))
        });
    }
    g.finish();

    // The full report (masking, SHA-256 fingerprint, allocations): a smaller slice keeps
    // each iteration short.
    let subset = &dashed[..1000];
    let mut g = c.benchmark_group("key_inspect");
    g.throughput(Throughput::Elements(subset.len() as u64));
    g.bench_function("dashed", |b| {
        b.iter(|| {
            for k in subset {
                black_box(key::inspect(black_box(k)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, keys);
criterion_main!(benches);
