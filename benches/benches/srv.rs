//! KMS discovery's pure hot paths: RFC 2782 ordering of an SRV RRset (what every client does
//! on every discovery), first-choice counting, and planning the seed's global topology.
//! Orderings report RRsets ordered per second. See `benches/README.md` ("KMS discovery").

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use volact_core::srv::order::{OrderMode, first_counts, order};
use volact_core::srv::plan::Plan;
use volact_core::srv::{SeededRandom, SrvRecord};

/// `n` records over two priorities with uneven weights, like the seed's global RRsets.
fn rrset(n: usize) -> Vec<SrvRecord> {
    (0..n)
        .map(|i| SrvRecord {
            priority: if i < n / 2 { 10 } else { 90 },
            weight: [75, 25, 0, 50][i % 4],
            port: 1688,
            target: format!("kms-{i}.site-{}.contoso.com", i % 7),
        })
        .collect()
}

fn ordering(c: &mut Criterion) {
    let mut g = c.benchmark_group("srv_order");
    g.throughput(Throughput::Elements(1));
    for n in [4usize, 40] {
        let records = rrset(n);
        for (name, mode) in [
            ("rfc2782", OrderMode::Rfc2782),
            ("legacy", OrderMode::Legacy),
        ] {
            let mut rng = SeededRandom::new(1);
            g.bench_with_input(BenchmarkId::new(name, n), &records, |b, r| {
                b.iter(|| black_box(order(black_box(r), mode, &mut rng)))
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("srv_first_counts");
    const DRAWS: u64 = 20_000;
    g.throughput(Throughput::Elements(DRAWS));
    let records = rrset(4);
    let mut rng = SeededRandom::new(2);
    g.bench_function("4_records_20000_draws", |b| {
        b.iter(|| black_box(first_counts(&records, OrderMode::Rfc2782, DRAWS, &mut rng)))
    });
    g.finish();
}

fn planning(c: &mut Criterion) {
    let text = include_str!("../../examples/kms/contoso-global.toml");
    let mut g = c.benchmark_group("srv_plan");
    g.throughput(Throughput::Elements(1));
    g.bench_function("contoso_global", |b| {
        b.iter(|| black_box(Plan::from_toml(black_box(text))))
    });
    g.finish();
}

criterion_group!(benches, ordering, planning);
criterion_main!(benches);
