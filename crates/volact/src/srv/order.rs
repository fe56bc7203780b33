//! The order a client tries SRV targets in.
//!
//! [`OrderMode::Rfc2782`] is RFC 2782's "Usage rules": priorities ascending; within one
//! priority, repeatedly place the not-yet-ordered records with weight 0 first, compute the
//! running sum of weights, draw a number uniform over `0..=sum`, and take the first record
//! whose running sum is at least that number. Windows 7 / Server 2008 R2 and later KMS
//! clients honour priority and weight (facts.md §4.2, S10); a host that fails is dropped and
//! the next in this order is tried (S3, S6), so the whole order is the sequence of attempts.
//!
//! [`OrderMode::Legacy`] models "legacy clients that ignore priority and weight": Vista and
//! Server 2008 clients, which the seed's global scenario still has (facts.md §4.2: "Only
//! Windows 7 and Windows Server 2008 R2 use the priority and weight parameters"). They
//! shuffle the records uniformly.
//!
//! A record whose target is `.` is never a host to try (RFC 2782: "service decidedly not
//! available"); both modes drop it. Randomness comes only from the caller's [`Random`].
//!
//! The records are put in one canonical order (priority, weight, lower-cased target, port)
//! before any draw. RFC 2782 lets the arrangement before the draw be "any order", and DNS
//! servers rotate RRsets between answers (BIND does by default), so without this a seed would
//! not reproduce an ordering from one lookup to the next; with it, the order depends only on
//! the set of records and the seed.
//!
//! ```
//! use volact::srv::{order::{order, OrderMode}, SeededRandom, SrvRecord};
//! let rec = |p, w, t: &str| SrvRecord { priority: p, weight: w, port: 1688, target: t.into() };
//! let records = [rec(90, 75, "kms-w1"), rec(10, 25, "kms-e2"), rec(10, 75, "kms-e1")];
//! let ordered = order(&records, OrderMode::Rfc2782, &mut SeededRandom::new(1));
//! assert_eq!(ordered.len(), 3);
//! assert_eq!(ordered[2].target, "kms-w1"); // priority 90 comes after both priority-10 hosts
//! ```

use super::random::Random;
use super::record::SrvRecord;
use std::collections::BTreeMap;

/// How a client orders the SRV records it got.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OrderMode {
    /// RFC 2782: priority ascending, weighted draw within a priority.
    #[default]
    Rfc2782,
    /// A uniform shuffle that ignores priority and weight (pre-Windows 7 clients).
    Legacy,
}

/// Whether a record is RFC 2782's "no service" marker rather than a host.
pub fn is_no_service(record: &SrvRecord) -> bool {
    record.target.trim_end_matches('.').is_empty()
}

/// Orders `records` as a client in `mode` tries them; `.` targets are left out.
pub fn order(records: &[SrvRecord], mode: OrderMode, rng: &mut dyn Random) -> Vec<SrvRecord> {
    let mut hosts: Vec<SrvRecord> = records
        .iter()
        .filter(|r| !is_no_service(r))
        .cloned()
        .collect();
    hosts.sort_by_cached_key(|r| {
        (
            r.priority,
            r.weight,
            r.target.trim_end_matches('.').to_ascii_lowercase(),
            r.port,
            // Spellings of one name (`KMS.` and `kms`) last, so the key is total.
            r.target.clone(),
        )
    });
    match mode {
        OrderMode::Rfc2782 => rfc2782(hosts, rng),
        OrderMode::Legacy => shuffle(hosts, rng),
    }
}

fn rfc2782(hosts: Vec<SrvRecord>, rng: &mut dyn Random) -> Vec<SrvRecord> {
    let mut by_priority: BTreeMap<u16, Vec<SrvRecord>> = BTreeMap::new();
    for r in hosts {
        by_priority.entry(r.priority).or_default().push(r);
    }
    let mut out = Vec::new();
    for (_, mut group) in by_priority {
        while !group.is_empty() {
            // "all those with weight 0 are placed at the beginning of the list" (RFC 2782),
            // the rest keeping their order; a stable partition.
            group.sort_by_key(|r| r.weight != 0);
            let sum: u64 = group.iter().map(|r| u64::from(r.weight)).sum();
            let pick = rng.up_to(sum);
            let mut running = 0u64;
            let mut chosen = group.len() - 1;
            for (i, r) in group.iter().enumerate() {
                running += u64::from(r.weight);
                if running >= pick {
                    chosen = i;
                    break;
                }
            }
            out.push(group.remove(chosen));
        }
    }
    out
}

fn shuffle(mut hosts: Vec<SrvRecord>, rng: &mut dyn Random) -> Vec<SrvRecord> {
    // Fisher–Yates (Knuth, TAOCP vol. 2, Algorithm P): every permutation equally likely.
    for i in (1..hosts.len()).rev() {
        let j = rng.up_to(i as u64) as usize;
        hosts.swap(i, j);
    }
    hosts
}

/// How often each target comes first over `draws` orderings: the share of first contacts a
/// host gets while every host answers. Every host target appears, with 0 if never first.
///
/// ```
/// use volact::srv::{order::{first_counts, OrderMode}, SeededRandom, SrvRecord};
/// let rec = |w, t: &str| SrvRecord { priority: 10, weight: w, port: 1688, target: t.into() };
/// let counts = first_counts(&[rec(75, "e1"), rec(25, "e2")], OrderMode::Rfc2782, 1000,
///                           &mut SeededRandom::new(7));
/// assert_eq!(counts["e1"] + counts["e2"], 1000);
/// assert!(counts["e1"] > counts["e2"]);
/// ```
pub fn first_counts(
    records: &[SrvRecord],
    mode: OrderMode,
    draws: u64,
    rng: &mut dyn Random,
) -> BTreeMap<String, u64> {
    let mut counts: BTreeMap<String, u64> = records
        .iter()
        .filter(|r| !is_no_service(r))
        .map(|r| (r.target.clone(), 0))
        .collect();
    for _ in 0..draws {
        if let Some(first) = order(records, mode, rng).into_iter().next() {
            *counts.entry(first.target).or_default() += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srv::random::SeededRandom;
    use crate::srv::record::rec;
    use proptest::prelude::*;

    /// The records east.contoso.com ends up with in the seed's global scenario (Table 5).
    fn east() -> Vec<SrvRecord> {
        vec![
            rec(10, 75, "kms-e1.east.contoso.com"),
            rec(10, 25, "kms-e2.east.contoso.com"),
            rec(90, 75, "kms-w1.west.contoso.com"),
            rec(90, 25, "kms-w2.west.contoso.com"),
        ]
    }

    #[test]
    fn seed_east_first_choice_is_75_25_within_two_points() {
        let counts = first_counts(
            &east(),
            OrderMode::Rfc2782,
            20_000,
            &mut SeededRandom::new(2782),
        );
        let share = |t: &str| counts[t] as f64 / 20_000.0;
        assert!(
            (share("kms-e1.east.contoso.com") - 0.75).abs() < 0.02,
            "{counts:?}"
        );
        assert!(
            (share("kms-e2.east.contoso.com") - 0.25).abs() < 0.02,
            "{counts:?}"
        );
        // A priority-90 host is never first while a priority-10 host exists.
        assert_eq!(counts["kms-w1.west.contoso.com"], 0);
        assert_eq!(counts["kms-w2.west.contoso.com"], 0);
    }

    /// The exact first-pick distribution of RFC 2782's draw: the draw is uniform over
    /// `0..=sum`, so the first record (weight 0 records first) gets `(w + 1) / (sum + 1)` and
    /// every later one `w / (sum + 1)`.
    fn expected_first(group: &[SrvRecord]) -> Vec<(String, f64)> {
        let mut g = group.to_vec();
        g.sort_by_key(|r| r.weight != 0);
        let sum: f64 = g.iter().map(|r| f64::from(r.weight)).sum();
        g.iter()
            .enumerate()
            .map(|(i, r)| {
                let extra = if i == 0 { 1.0 } else { 0.0 };
                (
                    r.target.clone(),
                    (f64::from(r.weight) + extra) / (sum + 1.0),
                )
            })
            .collect()
    }

    #[test]
    fn weighted_draw_matches_rfc2782_chi_square() {
        let group = vec![
            rec(0, 50, "a"),
            rec(0, 0, "z"),
            rec(0, 30, "b"),
            rec(0, 19, "c"),
        ];
        let n = 100_000u64;
        let counts = first_counts(&group, OrderMode::Rfc2782, n, &mut SeededRandom::new(42));
        let chi2: f64 = expected_first(&group)
            .iter()
            .map(|(t, p)| {
                let e = p * n as f64;
                let o = counts[t] as f64;
                (o - e).powi(2) / e
            })
            .sum();
        // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
        assert!(chi2 < 16.27, "chi2 = {chi2}, counts = {counts:?}");
        // The weight-0 record is first only when the draw is 0: 1 in 100.
        assert!(counts["z"] > 700 && counts["z"] < 1300, "{counts:?}");
    }

    #[test]
    fn all_zero_weights_take_the_first_in_order_and_legacy_shuffles_uniformly() {
        // RFC 2782 read literally: sum 0, draw 0, the first record is taken every time.
        let zeros = vec![rec(0, 0, "a"), rec(0, 0, "b")];
        let c = first_counts(&zeros, OrderMode::Rfc2782, 100, &mut SeededRandom::new(1));
        assert_eq!((c["a"], c["b"]), (100, 0));
        let c = first_counts(
            &east(),
            OrderMode::Legacy,
            40_000,
            &mut SeededRandom::new(3),
        );
        for v in c.values() {
            assert!((*v as f64 / 40_000.0 - 0.25).abs() < 0.02, "{c:?}");
        }
    }

    #[test]
    fn dot_targets_are_dropped() {
        let recs = vec![rec(0, 0, "."), rec(5, 1, "kms.example")];
        let o = order(&recs, OrderMode::Rfc2782, &mut SeededRandom::new(0));
        assert_eq!(o, vec![rec(5, 1, "kms.example")]);
        assert!(
            first_counts(
                &[rec(0, 0, ".")],
                OrderMode::Legacy,
                5,
                &mut SeededRandom::new(0)
            )
            .is_empty()
        );
    }

    fn records() -> impl Strategy<Value = Vec<SrvRecord>> {
        proptest::collection::vec(
            (
                0u16..4,
                prop_oneof![Just(0u16), 0u16..100, Just(u16::MAX)],
                "[a-d.]{1,3}",
            ),
            0..10,
        )
        .prop_map(|v| v.into_iter().map(|(p, w, t)| rec(p, w, &t)).collect())
    }

    proptest! {
        #[test]
        fn ordering_is_a_permutation_of_the_hosts(recs in records(), seed: u64, legacy: bool) {
            let mode = if legacy { OrderMode::Legacy } else { OrderMode::Rfc2782 };
            let out = order(&recs, mode, &mut SeededRandom::new(seed));
            prop_assert!(out.iter().all(|r| !is_no_service(r)));
            let mut want: Vec<SrvRecord> = recs.iter().filter(|r| !is_no_service(r)).cloned().collect();
            let mut got = out.clone();
            let key = |r: &SrvRecord| (r.priority, r.weight, r.target.clone());
            want.sort_by_key(key);
            got.sort_by_key(key);
            prop_assert_eq!(got, want);
            if mode == OrderMode::Rfc2782 {
                prop_assert!(out.windows(2).all(|w| w[0].priority <= w[1].priority));
            }
        }

        #[test]
        fn a_seed_gives_one_order_whatever_the_wire_order(
            recs in records(), seed: u64, legacy: bool, rotate in 0usize..10,
        ) {
            // DNS servers rotate RRsets between answers; the order must not follow them.
            let mode = if legacy { OrderMode::Legacy } else { OrderMode::Rfc2782 };
            let mut rotated = recs.clone();
            if !rotated.is_empty() {
                let k = rotate % rotated.len();
                rotated.rotate_left(k);
            }
            rotated.reverse();
            prop_assert_eq!(
                order(&recs, mode, &mut SeededRandom::new(seed)),
                order(&rotated, mode, &mut SeededRandom::new(seed))
            );
        }
    }
}
