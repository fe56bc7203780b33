//! The MAK workflows (`volact::workflow`) at the size of a large VAMT database: 10,000
//! surveyed machines. Plans for MAK independent activation, their `slmgr` and PowerShell
//! renderings, the full CIL of the survey (proxy step 6), and the apply plan from a merged
//! CIL (step 12, which matches every machine to its computer). See `benches/README.md`
//! ("Workflows").

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use volact_core::catalog::{Channel, UserCatalog};
use volact_core::key::ProductKey;
use volact_core::license::{LicenseStatus, Minutes};
use volact_core::mak::{KeyKind, MakStore};
use volact_core::workflow::{
    Format, KeyToInstall, MachineInfo, NetworkType, PhoneCsv, Surveyed, TargetProduct,
    WINDOWS_APPLICATION_ID, acquire, apply_plan, collect_cil, mak_plan,
};

const MACHINES: usize = 10_000;

/// A fictitious ID of `groups` groups of `width` data digits plus a check digit (the rule of
/// `volact::ids`), from a seed and two multipliers.
fn id_text(i: usize, groups: u64, width: usize, step: (u64, u64)) -> String {
    let modulus = 10u64.pow(width as u32);
    (0..groups)
        .map(|g| {
            let data: Vec<u8> = format!("{:0width$}", (i as u64 * step.0 + g * step.1) % modulus)
                .bytes()
                .map(|b| b - b'0')
                .collect();
            let digits: String = data.iter().map(|d| char::from(b'0' + d)).collect();
            format!("{digits}{}", volact_core::ids::check_digit(&data))
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A 63-digit IID (9 groups of 7).
fn iid(i: usize) -> String {
    id_text(i, 9, 6, (7919, 104_729))
}

/// A 48-digit CID (8 groups of 6).
fn cid(i: usize) -> String {
    id_text(i, 8, 5, (31, 7))
}

fn surveyed() -> Vec<Surveyed> {
    (0..MACHINES)
        .map(|i| Surveyed {
            machine: Some(MachineInfo {
                name: format!("LAB-PC{i:05}"),
                network_type: NetworkType::Workgroup,
                network_name: "LAB".into(),
                os_version: "10.0.22631".into(),
                mac_addresses: vec![format!(
                    "00-15-5D-{:02X}-{:02X}-{:02X}",
                    i >> 16,
                    (i >> 8) & 255,
                    i & 255
                )],
            }),
            products: Some(vec![TargetProduct {
                activation_id: "2de67392-b7a7-462a-b1ca-108dd189f588".into(),
                application_id: WINDOWS_APPLICATION_ID.into(),
                name: "Windows(R), Enterprise edition".into(),
                family: "Windows 11".into(),
                edition_id: if i % 50 == 0 { "Core" } else { "Enterprise" }.into(),
                channel: Channel::VolumeMak,
                license_status: LicenseStatus::OOBGrace,
                grace_remaining: Minutes::days(30),
                installation_id: Some(iid(i)),
                product_key_id: None,
                partial_product_key: Some("6Q83G".into()),
            }]),
            error: None,
        })
        .collect()
}

fn workflow(c: &mut Criterion) {
    let key = ProductKey::parse("VKCF7-HV62C-944TY-YJ9NF-6Q83G").expect("a valid key");
    let mut store = MakStore::new();
    let entry = store
        .add(
            key.clone(),
            &UserCatalog::new().classify(&key),
            Some(KeyKind::Mak),
            "",
            0,
        )
        .expect("a declared MAK")
        .clone();
    let k = KeyToInstall::from_entry(&entry);
    let list = surveyed();
    let survey_json = Surveyed::list_to_json(&list);
    let plan = mak_plan(&k, Some(&entry.id), &list, true);
    let (full, _) = collect_cil(&list, "Isolated Lab Group").expect("collects");
    let csv: String = (0..MACHINES)
        .map(|i| format!("{},{}\n", iid(i), cid(i)))
        .collect();
    let mut merged = full.clone();
    acquire(&mut merged, &mut PhoneCsv::parse(&csv).expect("csv"));

    let mut g = c.benchmark_group("workflow");
    g.sample_size(10);
    g.throughput(Throughput::Elements(MACHINES as u64));
    g.bench_function("survey_json_read_10k", |b| {
        b.iter(|| Surveyed::list_from_json(black_box(&survey_json)))
    });
    g.bench_function("mak_plan_10k", |b| {
        b.iter(|| mak_plan(&k, Some(&entry.id), black_box(&list), true))
    });
    g.bench_function("render_slmgr_10k", |b| {
        b.iter(|| black_box(&plan).render(Format::Slmgr))
    });
    g.bench_function("render_powershell_10k", |b| {
        b.iter(|| black_box(&plan).render(Format::PowerShell))
    });
    g.bench_function("collect_cil_10k", |b| {
        b.iter(|| collect_cil(black_box(&list), "Isolated Lab Group"))
    });
    g.bench_function("acquire_phone_csv_10k", |b| {
        b.iter(|| {
            let mut doc = full.clone();
            let mut source = PhoneCsv::parse(&csv).expect("csv");
            acquire(&mut doc, &mut source)
        })
    });
    g.bench_function("apply_plan_10k", |b| {
        b.iter(|| apply_plan(black_box(&merged), &list))
    });
    g.finish();
}

criterion_group!(benches, workflow);
criterion_main!(benches);
