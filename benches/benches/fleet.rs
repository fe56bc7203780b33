//! The fleet simulator (`volact::fleet`): a year of 10,000 clients renewing against four
//! hosts, and 30 days of 1,000 clients that reach no host. Reports attempts (queue events)
//! per second. See `benches/README.md` ("Fleet simulation").

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use volact_core::fleet::{Scenario, simulate};

fn scenario(clients: u32, days: u32, down: bool) -> Scenario {
    let mut text = format!("[simulation]\nseed = 1\ndays = {days}\n");
    for i in 1..=4 {
        text += &format!(
            "[[kms]]\nhost = \"kms-{i}.contoso.com\"\nkeys = [\"server2022\"]\n\
             publish = [\"contoso.com, 0, 25\"]\n"
        );
    }
    text += &format!(
        "[[clients]]\nname = \"c\"\ncount = {clients}\nproduct = \"windows10\"\n\
         domain = \"contoso.com\"\nhost_caching = false\n"
    );
    if down {
        for i in 1..=4 {
            text += &format!(
                "[[event]]\nday = 0\nkind = \"host_down\"\nhost = \"kms-{i}.contoso.com\"\n"
            );
        }
    }
    match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn fleet(c: &mut Criterion) {
    let mut g = c.benchmark_group("fleet");
    g.sample_size(10);
    for (name, s) in [
        ("year_10k_clients", scenario(10_000, 365, false)),
        ("unreachable_1k_clients_30d", scenario(1_000, 30, true)),
    ] {
        let attempts = simulate(&s).attempts;
        g.throughput(Throughput::Elements(attempts));
        g.bench_function(name, |b| b.iter(|| black_box(simulate(black_box(&s)))));
    }
    g.finish();
}

criterion_group!(benches, fleet);
criterion_main!(benches);
