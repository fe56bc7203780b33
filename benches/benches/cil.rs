//! CIL documents: read, merge + save, against a bare quick-xml event copy of the same bytes.
//! Every benchmark reports **bytes per second** of input (`Throughput::Bytes`). See
//! `benches/README.md` ("CIL").
//!
//! The input is a generated 10,000-computer, 20,000-product CIL (14.3 MB) and its returned
//! file (proxy-only export plus a CID for every product, 11.1 MB): a tenth of the issue's
//! 100,000-computer file, so the whole run takes about two minutes. Linear-time code runs at
//! about the same MB/s at both sizes (somewhat less at 100,000, where less stays in cache);
//! `benches/compare_cil.py` measures the full size as whole processes.
//! `VOLACT_CIL_BENCH_COMPUTERS=N` changes the size.
//!
//! - `cil/parse`: `CilDocument::parse` of the full file.
//! - `cil/merge`: parse both files, `cil::merge`, `to_bytes`: the library's load + merge +
//!   save, without the file reads and writes. Throughput counts both inputs.
//! - `cil/merge_bytes`: `cil::merge_bytes`, the streaming merge `volact cil merge` uses
//!   (scans on two threads, decisions, spliced output into memory). Throughput counts both
//!   inputs; compare with `cil/merge` and `cil/quickxml_copy`.
//! - `cil/merge_only`: `cil::merge` alone, on freshly parsed documents (setup not timed).
//! - `cil/to_bytes`: writing the merged full document.
//! - `cil/quickxml_copy`: `quick_xml::Reader::from_str` → `quick_xml::Writer`, every event,
//!   over both files (the baseline of the "within 3×" target; compare with
//!   `cil/merge`).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use volact_benches::cil_gen::{generate_full, generate_returned, quickxml_copy};
use volact_core::cil::{self, CilDocument, MergeOptions};

fn computers() -> usize {
    std::env::var("VOLACT_CIL_BENCH_COMPUTERS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(10_000)
}

fn cil(c: &mut Criterion) {
    let full = generate_full(computers(), 2);
    let returned = generate_returned(&full);
    let both = (full.len() + returned.len()) as u64;
    let full_text = std::str::from_utf8(&full).expect("UTF-8");
    let returned_text = std::str::from_utf8(&returned).expect("UTF-8");

    let mut g = c.benchmark_group("cil");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));

    g.throughput(Throughput::Bytes(full.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| CilDocument::parse(black_box(&full)).expect("parses"))
    });

    g.throughput(Throughput::Bytes(both));
    g.bench_function("merge", |b| {
        b.iter(|| {
            let mut doc = CilDocument::parse(black_box(&full)).expect("parses");
            let back = CilDocument::parse(black_box(&returned)).expect("parses");
            let report = cil::merge(&mut doc, &back, MergeOptions::default());
            (doc.to_bytes(), report)
        })
    });

    // The streaming merge `volact cil merge` uses: both scans, the decisions and the
    // spliced output, from the bytes (no file I/O).
    g.bench_function("merge_bytes", |b| {
        b.iter(|| {
            let merged = cil::merge_bytes(
                black_box(&full),
                black_box(&returned),
                MergeOptions::default(),
                cil::Limits::default(),
            )
            .expect("merges");
            assert!(merged.is_streamed());
            (merged.to_bytes(), merged.into_report())
        })
    });

    g.bench_function("merge_only", |b| {
        b.iter_batched(
            || {
                (
                    CilDocument::parse(&full).expect("parses"),
                    CilDocument::parse(&returned).expect("parses"),
                )
            },
            |(mut doc, back)| {
                let report = cil::merge(&mut doc, &back, MergeOptions::default());
                (doc, back, report)
            },
            BatchSize::PerIteration,
        )
    });

    g.throughput(Throughput::Bytes(full.len() as u64));
    g.bench_function("to_bytes", |b| {
        // Set up here, so a filter that skips this benchmark skips the merge too.
        let mut merged = CilDocument::parse(&full).expect("parses");
        let back = CilDocument::parse(&returned).expect("parses");
        let report = cil::merge(&mut merged, &back, MergeOptions::default());
        assert_eq!(report.count("applied"), report.decisions.len());
        b.iter(|| black_box(&merged).to_bytes())
    });

    g.throughput(Throughput::Bytes(both));
    g.bench_function("quickxml_copy", |b| {
        b.iter(|| {
            (
                quickxml_copy(black_box(full_text)).expect("well-formed"),
                quickxml_copy(black_box(returned_text)).expect("well-formed"),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, cil);
criterion_main!(benches);
