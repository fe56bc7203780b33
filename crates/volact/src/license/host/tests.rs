use super::*;
use crate::license::product::{
    ClientRelease, LegacyGeneration, LegacyGroup, OfficeRelease, ServerGroup, ServerRelease,
};
use proptest::prelude::*;

const WIN10: ClientProduct = ClientProduct::Windows(ClientRelease::Windows10);
const WS2019: ClientProduct = ClientProduct::Server {
    release: ServerRelease::Server2019,
    group: ServerGroup::B,
};
const OFFICE: ClientProduct = ClientProduct::Office(OfficeRelease::Office2019);

fn req(cmid: u128, product: ClientProduct, at: Minutes) -> KmsRequest {
    KmsRequest {
        cmid: Cmid(cmid),
        product,
        client_time: at,
        status: LicenseStatus::OOBGrace,
    }
}

fn host() -> KmsHost {
    KmsHost::with_keys(vec![
        HostKey {
            csvlk: Csvlk::Server2022,
            activated: true,
        },
        HostKey {
            csvlk: Csvlk::Office(OfficeRelease::Office2019),
            activated: true,
        },
    ])
}

#[test]
fn twenty_four_clients_never_activate_the_twenty_fifth_does() {
    let mut h = host();
    let t = Minutes(0);
    for round in 0..3u64 {
        for i in 0..24 {
            let at = t + Minutes::hours(2 * round);
            let r = h.handle(at, &req(i, WIN10, at));
            assert_eq!(
                r,
                Response::CountTooLow {
                    count: i as u32 + 1 + if round > 0 { 23 - i as u32 } else { 0 },
                    required: 25,
                    intervals: Intervals::default()
                }
            );
        }
    }
    assert_eq!(h.count(CountPool::Windows, Minutes::hours(4)), 24);
    let r = h.handle(Minutes::hours(5), &req(24, WIN10, Minutes::hours(5)));
    assert!(r.is_activated());
    assert!(matches!(r, Response::Activated { count: 25, .. }));
    // Now the first 24 activate on their next try.
    assert!(
        h.handle(Minutes::hours(6), &req(0, WIN10, Minutes::hours(6)))
            .is_activated()
    );
}

#[test]
fn servers_and_office_activate_at_five_and_cap_at_ten() {
    let mut h = host();
    for i in 0..4 {
        assert_eq!(
            h.handle(Minutes(i), &req(i.into(), WS2019, Minutes(i)))
                .error_code(),
            Some(0xC004F038)
        );
    }
    assert!(
        h.handle(Minutes(4), &req(4, WS2019, Minutes(4)))
            .is_activated()
    );
    for i in 5..40 {
        h.handle(Minutes(i), &req(i.into(), WS2019, Minutes(i)));
    }
    assert_eq!(h.count(CountPool::Windows, Minutes(40)), 10);
    // A client OS asks: the cap becomes 50 and the stored contacts (50) all count.
    h.handle(Minutes(41), &req(1000, WIN10, Minutes(41)));
    assert_eq!(h.count(CountPool::Windows, Minutes(41)), 41);
    // Office is counted apart, capped at 10.
    assert_eq!(h.count(CountPool::Office, Minutes(41)), 0);
    for i in 0..4 {
        assert!(
            !h.handle(Minutes(50), &req(i, OFFICE, Minutes(50)))
                .is_activated()
        );
    }
    assert!(
        h.handle(Minutes(50), &req(4, OFFICE, Minutes(50)))
            .is_activated()
    );
    for i in 5..30 {
        h.handle(Minutes(50), &req(i, OFFICE, Minutes(50)));
    }
    assert_eq!(h.count(CountPool::Office, Minutes(50)), 10);
}

#[test]
fn count_never_exceeds_fifty() {
    let mut h = host();
    for i in 0..500 {
        let r = h.handle(Minutes(i), &req(i.into(), WIN10, Minutes(i)));
        if let Response::Activated { count, .. } | Response::CountTooLow { count, .. } = r {
            assert!(count <= 50);
        }
    }
    assert_eq!(h.count(CountPool::Windows, Minutes(500)), 50);
}

#[test]
fn the_window_slides_thirty_days() {
    let mut h = host();
    h.handle(Minutes(0), &req(1, WS2019, Minutes(0)));
    h.handle(Minutes::days(10), &req(2, WS2019, Minutes::days(10)));
    assert_eq!(h.count(CountPool::Windows, Minutes::days(29)), 2);
    assert_eq!(h.count(CountPool::Windows, Minutes::days(30)), 1);
    assert_eq!(
        h.count(CountPool::Windows, Minutes(Minutes::days(30).0 - 1)),
        2
    );
    assert_eq!(h.count(CountPool::Windows, Minutes::days(40)), 0);
    // Seen again, a CMID is back in the count with a fresh 30 days.
    h.handle(Minutes::days(39), &req(2, WS2019, Minutes::days(39)));
    assert_eq!(h.count(CountPool::Windows, Minutes::days(68)), 1);
}

#[test]
fn clones_with_one_cmid_count_once() {
    let mut h = host();
    for _ in 0..100 {
        let r = h.handle(Minutes(5), &req(7, WIN10, Minutes(5)));
        assert_eq!(r.error_code(), Some(0xC004F038));
    }
    assert_eq!(h.count(CountPool::Windows, Minutes(5)), 1);
}

#[test]
fn refusals_are_not_counted() {
    let mut h = KmsHost::new(Csvlk::Legacy {
        generation: LegacyGeneration::Windows7,
        group: LegacyGroup::ServerB,
    });
    assert_eq!(
        h.handle(Minutes(0), &req(1, WIN10, Minutes(0))),
        Response::ProductNotSupported
    );
    let skewed = KmsRequest {
        client_time: Minutes::hours(5),
        ..req(
            2,
            ClientProduct::Windows(ClientRelease::Windows7),
            Minutes(0),
        )
    };
    assert_eq!(h.handle(Minutes(0), &skewed), Response::TimestampInvalid);
    assert_eq!(Response::TimestampInvalid.error_code(), Some(0xC004F06C));
    let ok = KmsRequest {
        client_time: Minutes::hours(4),
        ..skewed
    };
    assert!(matches!(
        h.handle(Minutes(0), &ok),
        Response::CountTooLow { count: 1, .. }
    ));
    h.keys[0].activated = false;
    assert_eq!(h.handle(Minutes(0), &ok), Response::HostNotActivated);
    assert_eq!(h.count(CountPool::Windows, Minutes(0)), 1);
    let c = h.counters();
    assert_eq!((c.total, c.failed), (4, 4));
    assert_eq!(c.by_status[LicenseStatus::OOBGrace as usize], 4);
}

#[test]
fn host_intervals_travel_in_the_response() {
    let mut h = host();
    h.intervals.renewal = crate::license::policy::Interval::new(1440).unwrap();
    let r = h.handle(Minutes(0), &req(1, WS2019, Minutes(0)));
    assert_eq!(r.intervals(), Some(h.intervals));
    assert_eq!(Response::ProductNotSupported.intervals(), None);
}

fn product() -> impl Strategy<Value = ClientProduct> {
    prop_oneof![Just(WIN10), Just(WS2019), Just(OFFICE)]
}

proptest! {
    #[test]
    fn count_stays_under_the_cap(
        reqs in proptest::collection::vec((0u128..80, product(), 0u64..60 * 1440 * 4), 1..300)
    ) {
        let mut h = host();
        let mut reqs = reqs;
        reqs.sort_by_key(|r| r.2);
        let mut client_os_seen_at: Option<u64> = None;
        for (cmid, p, t) in reqs {
            let now = Minutes(t);
            let r = h.handle(now, &req(cmid, p, now));
            if p == WIN10 {
                client_os_seen_at = Some(t);
            }
            let cap = |pool| match pool {
                CountPool::Office => 10,
                CountPool::Windows => match client_os_seen_at {
                    Some(s) if now < Minutes(s) + COUNT_WINDOW => 50,
                    _ => 10,
                },
            };
            if let Response::Activated { count, .. } | Response::CountTooLow { count, .. } = r {
                prop_assert!(count <= cap(p.pool()));
                prop_assert_eq!(r.is_activated(), count >= p.threshold());
            }
            for pool in [CountPool::Windows, CountPool::Office] {
                prop_assert!(h.count(pool, now) <= cap(pool));
            }
        }
    }
}
