use super::*;
use crate::license::host::KmsHost;
use crate::license::policy::Interval;
use crate::license::product::{ClientRelease, Csvlk};
use crate::srv::SeededRandom;
use proptest::prelude::*;

const WIN10: ClientProduct = ClientProduct::Windows(ClientRelease::Windows10);

fn name() -> HostPort {
    HostPort::parse("kms1.contoso.com").unwrap()
}

fn activated() -> Response {
    Response::Activated {
        count: 30,
        intervals: Intervals::default(),
    }
}

fn answered(host: &HostPort, response: Response) -> AttemptOutcome<'_> {
    AttemptOutcome::Answered { host, response }
}

#[test]
fn a_client_that_loses_its_hosts_keeps_licensed_180_days_then_oot_30_then_notification() {
    let h = name();
    let mut c = KmsClient::new(Cmid(1), WIN10, Minutes(0));
    let r = c.on_attempt(Minutes(0), answered(&h, activated()));
    assert!(r.activated);
    assert_eq!(
        (r.before, r.after),
        (LicenseStatus::OOBGrace, LicenseStatus::Licensed)
    );
    assert_eq!(r.next_attempt, Minutes::days(7));
    // Every later renewal fails: no host.
    let mut now = c.next_attempt_at();
    while now < Minutes::days(260) {
        let r = c.on_attempt(now, AttemptOutcome::NoHostReachable);
        assert_eq!(r.error_code, Some(0xC004F074));
        assert_eq!(r.next_attempt, now + Minutes(120));
        now = c.next_attempt_at();
    }
    let day = |d| Minutes(Minutes::days(d).0 - 1);
    assert_eq!(c.status_at(day(180)), LicenseStatus::Licensed);
    assert_eq!(c.status_at(Minutes::days(180)), LicenseStatus::OOTGrace);
    assert_eq!(c.status_at(day(210)), LicenseStatus::OOTGrace);
    assert_eq!(c.status_at(Minutes::days(210)), LicenseStatus::Notification);
    assert_eq!(c.status_reason_at(Minutes::days(210)), Some(0xC004F009));
    assert_eq!(c.status_reason_at(Minutes::days(1)), None);
    assert!(!c.reduced_functionality_at(Minutes::days(300)));
    assert_eq!(
        c.next_status_change_after(Minutes(0)),
        Some(Minutes::days(180))
    );
    assert_eq!(
        c.next_status_change_after(Minutes::days(200)),
        Some(Minutes::days(210))
    );
    assert_eq!(c.next_status_change_after(Minutes::days(210)), None);
    // It activates again from Notification.
    let r = c.on_attempt(Minutes::days(300), answered(&h, activated()));
    assert_eq!(
        (r.before, r.after),
        (LicenseStatus::Notification, LicenseStatus::Licensed)
    );
}

#[test]
fn a_renewal_restarts_the_180_days() {
    let h = name();
    let mut c = KmsClient::new(Cmid(1), WIN10, Minutes(0));
    c.on_attempt(Minutes(0), answered(&h, activated()));
    assert_eq!(c.licensed_until(), Some(Minutes::days(180)));
    c.on_attempt(Minutes::days(7), answered(&h, activated()));
    assert_eq!(c.licensed_until(), Some(Minutes::days(187)));
    assert_eq!(c.status_at(Minutes::days(185)), LicenseStatus::Licensed);
    assert_eq!(c.next_attempt_at(), Minutes::days(14));
}

#[test]
fn host_intervals_override_the_clients_after_the_first_response() {
    let h = name();
    let mut c = KmsClient::new(Cmid(1), WIN10, Minutes(0));
    c.client_intervals.activation = Interval::new(60).unwrap();
    assert_eq!(c.intervals().activation, Interval::new(60).unwrap());
    let r = c.on_attempt(Minutes(0), AttemptOutcome::NoHostReachable);
    assert_eq!(r.next_attempt, Minutes(60));
    let host_intervals = Intervals {
        activation: Interval::new(30).unwrap(),
        renewal: Interval::new(1440).unwrap(),
    };
    let low = Response::CountTooLow {
        count: 3,
        required: 25,
        intervals: host_intervals,
    };
    let r = c.on_attempt(Minutes(60), answered(&h, low));
    assert_eq!(r.error_code, Some(0xC004F038));
    assert_eq!(c.host_intervals(), Some(host_intervals));
    assert_eq!(r.next_attempt, Minutes(90));
    let ok = Response::Activated {
        count: 25,
        intervals: host_intervals,
    };
    assert_eq!(
        c.on_attempt(Minutes(90), answered(&h, ok)).next_attempt,
        Minutes(90 + 1440)
    );
    // A refusal without intervals keeps the host's.
    c.on_attempt(Minutes(2000), answered(&h, Response::ProductNotSupported));
    assert_eq!(c.intervals(), host_intervals);
}

#[test]
fn the_activating_host_is_cached_and_discovery_tries_it_first() {
    use crate::srv::{SrvAnswer, SrvLookup};
    struct Nothing;
    impl SrvLookup for Nothing {
        fn lookup_srv(&mut self, _: &str) -> SrvAnswer {
            SrvAnswer::NxDomain
        }
    }
    let h = name();
    let mut c = KmsClient::new(Cmid(1), WIN10, Minutes(0));
    let config = ClientConfig {
        primary_dns_suffix: Some("contoso.com".into()),
        ..ClientConfig::default()
    };
    let mut rng = SeededRandom::new(1);
    assert!(
        c.discover(&config, &mut Nothing, &mut rng)
            .attempts
            .is_empty()
    );
    c.on_attempt(Minutes(0), answered(&h, Response::HostNotActivated));
    assert_eq!(c.cached_host(), None);
    c.on_attempt(Minutes(0), answered(&h, activated()));
    assert_eq!(c.cached_host(), Some(&h));
    let d = c.discover(&config, &mut Nothing, &mut rng);
    assert_eq!(d.attempts[0].host, "kms1.contoso.com");
    let off = ClientConfig {
        host_caching: false,
        ..config
    };
    assert!(c.discover(&off, &mut Nothing, &mut rng).attempts.is_empty());
}

#[test]
fn clones_share_a_cmid_until_generalized_or_rearmed() {
    let mut host = KmsHost::new(Csvlk::Windows10);
    let mut rng = SeededRandom::new(9);
    let mut image = KmsClient::new(Cmid::random(&mut rng), WIN10, Minutes(0));
    image.rearms_left = 2;
    let h = name();
    // 30 machines from an image that was never generalized: the count stays at 1.
    let mut clones: Vec<KmsClient> = (0..30).map(|_| image.clone()).collect();
    for c in &mut clones {
        let response = host.handle(Minutes(0), &c.request(Minutes(0)));
        let r = c.on_attempt(Minutes(0), answered(&h, response));
        assert_eq!(r.error_code, Some(0xC004F038));
    }
    assert_eq!(
        host.count(crate::license::product::CountPool::Windows, Minutes(0)),
        1
    );
    // SkipRearm keeps the CMID; a real generalize gives each copy its own.
    let mut skipped = image.clone();
    skipped.generalize(Minutes(0), true, &mut rng).unwrap();
    assert_eq!(skipped.cmid, image.cmid);
    for c in &mut clones {
        c.generalize(Minutes(10), false, &mut rng).unwrap();
        assert_eq!(c.status_at(Minutes(10)), LicenseStatus::OOBGrace);
        assert_eq!(c.next_attempt_at(), Minutes(10));
        assert_eq!(c.rearms_left, 1);
    }
    for c in &mut clones {
        let response = host.handle(Minutes(10), &c.request(Minutes(10)));
        c.on_attempt(Minutes(10), answered(&h, response));
    }
    assert_eq!(
        host.count(crate::license::product::CountPool::Windows, Minutes(10)),
        31
    );
    assert!(
        clones
            .iter()
            .skip(24)
            .all(|c| c.status_at(Minutes(10)) == LicenseStatus::Licensed)
    );
    let c = &mut clones[0];
    c.rearm(Minutes(20), &mut rng).unwrap();
    assert_eq!(c.rearm(Minutes(20), &mut rng), Err(RearmError::NoneLeft));
    assert_eq!(c.status_at(Minutes(20)), LicenseStatus::OOBGrace);
}

#[test]
fn a_skewed_clock_is_refused_by_the_host() {
    let mut host = KmsHost::new(Csvlk::Windows10);
    let mut c = KmsClient::new(Cmid(1), WIN10, Minutes::days(1));
    c.clock_offset = -(5 * 60);
    let now = Minutes::days(1);
    let response = host.handle(now, &c.request(now));
    let r = c.on_attempt(now, answered(&name(), response));
    assert_eq!(r.error_code, Some(0xC004F06C));
    c.clock_offset = 3 * 60;
    assert_eq!(
        host.handle(now, &c.request(now)).error_code(),
        Some(0xC004F038)
    );
}

#[test]
fn pre_sp1_vista_ends_in_reduced_functionality() {
    let mut c = KmsClient::new(
        Cmid(1),
        ClientProduct::Windows(ClientRelease::WindowsVista),
        Minutes(0),
    );
    c.end_of_grace = EndOfGrace::ReducedFunctionality;
    assert!(!c.reduced_functionality_at(Minutes::days(29)));
    assert!(c.reduced_functionality_at(Minutes::days(30)));
}

fn rank(s: LicenseStatus) -> u8 {
    match s {
        LicenseStatus::Licensed | LicenseStatus::OOBGrace => 0,
        LicenseStatus::OOTGrace => 1,
        _ => 2,
    }
}

proptest! {
    #[test]
    fn status_never_goes_back_without_a_renewal(
        activated_at in proptest::option::of(0u64..100_000),
        mut times in proptest::collection::vec(0u64..600_000, 1..50),
        validity in 1u64..300_000, oot in 0u64..100_000, grace in 0u64..100_000,
    ) {
        let mut c = KmsClient::new(Cmid(1), WIN10, Minutes(0));
        c.timers = ClientTimers {
            initial_grace: Minutes(grace),
            validity: Minutes(validity),
            oot_grace: Minutes(oot),
        };
        if let Some(t) = activated_at {
            c.on_attempt(Minutes(t), answered(&name(), activated()));
            times.retain(|&x| x >= t);
        }
        times.sort_unstable();
        let ranks: Vec<u8> = times.iter().map(|&t| rank(c.status_at(Minutes(t)))).collect();
        prop_assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
        for &t in &times {
            let s = c.status_at(Minutes(t));
            let expected = if activated_at.is_some() {
                matches!(s, LicenseStatus::Licensed | LicenseStatus::OOTGrace | LicenseStatus::Notification)
            } else {
                matches!(s, LicenseStatus::OOBGrace | LicenseStatus::Notification)
            };
            prop_assert!(expected, "{:?}", s);
            // The next self-change, if any, really changes the status.
            if let Some(next) = c.next_status_change_after(Minutes(t)) {
                prop_assert!(next > Minutes(t));
                prop_assert_ne!(c.status_at(next), s);
                prop_assert_eq!(c.status_at(Minutes(next.0 - 1)), s);
            }
        }
    }
}
