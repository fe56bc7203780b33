//! Installation/Confirmation ID checks (`ids::check`) on well-formed dashed IDs of each
//! layout. Every benchmark reports elements (IDs) per second. See `benches/README.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use volact_benches::well_formed_ids;
use volact_core::ids;

/// IDs per layout and iteration.
const COUNT: usize = 500;

fn id_check(c: &mut Criterion) {
    let mut g = c.benchmark_group("id_check");
    g.throughput(Throughput::Elements(COUNT as u64));
    // (name, groups, digits per group): the four layouts of facts.md §2.2.
    for (name, groups, len) in [
        ("iid54", 9, 6),
        ("iid63", 9, 7),
        ("cid48", 8, 6),
        ("cid42", 7, 6),
    ] {
        let set = well_formed_ids(groups, len, COUNT, (groups * 10 + len) as u64);
        g.bench_with_input(BenchmarkId::from_parameter(name), &set, |b, set| {
            b.iter(|| {
                for id in set {
                    black_box(ids::check(black_box(id)));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, id_check);
criterion_main!(benches);
