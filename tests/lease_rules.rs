//! One test per rule of lease-based election, as Kubernetes client-go's
//! `leaderelection` package states it (LeaderElectionConfig and tryAcquireOrRenew):
//! the service answers with optimistic concurrency; a non-holder takes a lease only
//! after seeing it unchanged for leaseDuration on its own clock; the holder stops
//! leading when renewDeadline passes without a renew. Engine-level tests drive the
//! service alone; cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self};
use electionscope::algo::Algo;
use electionscope::algo::lease::{Lease, LeaseConfig, LeaseMsg, LeaseRecord, LeaseTimer, Role};
use electionscope::config::SimConfig;
use electionscope::run::{resolve, simulation};
use electionscope::sim::{
    Algorithm, Effect, EventKind, Input, MS, Micros, NodeId, NoteKind, SEC, Severity, Simulation,
    TraceEvent,
};

// ----- helpers -----

const N: u32 = 5;
const SERVICE: NodeId = N + 1;

fn service() -> Lease {
    let mut s = Lease::boot(SERVICE, N as usize, &LeaseConfig::default());
    step(&mut s, SERVICE, 0, Input::Start { recovered: false });
    s
}

fn step(
    node: &mut Lease,
    me: NodeId,
    now: Micros,
    input: Input<LeaseMsg, LeaseTimer>,
) -> Vec<Effect<LeaseMsg, LeaseTimer>> {
    engine::step_node(node, me, N, now, Some(SERVICE), input)
}

/// The one reply the service sends to a request from `from`.
fn ask(s: &mut Lease, from: NodeId, msg: LeaseMsg) -> LeaseMsg {
    let fx = step(s, SERVICE, 10 * MS, Input::Message { from, msg });
    let replies: Vec<LeaseMsg> = fx
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg } if to == from => Some(msg),
            _ => None,
        })
        .collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    replies[0].clone()
}

fn acquire(revision: u64) -> LeaseMsg {
    LeaseMsg::Acquire {
        seq: 1,
        revision,
        renew_time: 5 * MS,
        lease_duration: 1_500 * MS,
    }
}

fn sim(settings: &[(&str, &str)], script: &str, seed: u64) -> Simulation<Lease> {
    let mut overrides: Vec<(String, String)> = vec![
        ("algo".into(), "lease".into()),
        ("seed".into(), seed.to_string()),
    ];
    if !script.is_empty() {
        overrides.push(("scenario".into(), format!("set algo lease\n{script}")));
    }
    overrides.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let cfg = resolve(SimConfig::default(), &overrides).expect("valid settings");
    simulation::<Lease>(&cfg).expect("builds")
}

fn leaders_now(sim: &Simulation<Lease>) -> Vec<NodeId> {
    (1..=N)
        .filter(|&n| sim.node(n).is_some_and(|l| l.role() == Some(Role::Leader)))
        .collect()
}

fn notes(trace: &[TraceEvent], kind: NoteKind) -> Vec<(Micros, NodeId, String)> {
    trace
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Note { node, kind: k } if k == kind => Some((e.time, node, e.text.clone())),
            _ => None,
        })
        .collect()
}

fn findings(sim: &Simulation<Lease>, invariant: &str) -> Vec<(Severity, String)> {
    sim.stats()
        .findings
        .iter()
        .filter(|f| f.finding.invariant == invariant)
        .map(|f| (f.finding.severity, f.finding.text.clone()))
        .collect()
}

// ----- the lock service: optimistic concurrency -----

#[test]
fn an_acquire_at_the_current_revision_is_granted_with_the_next_revision_as_token() {
    let mut s = service();
    let LeaseMsg::Granted {
        lease, revision, ..
    } = ask(&mut s, 2, acquire(0))
    else {
        panic!("a free lease at revision 0 must be granted");
    };
    assert_eq!((lease.holder, revision, lease.token), (Some(2), 1, 1));
    assert_eq!(lease.transitions, 0, "the first holder is no transition");
    assert_eq!(s.view().fields[0], ("holder".to_string(), "n2".to_string()));
}

#[test]
fn a_second_acquire_that_read_the_same_revision_conflicts_and_names_the_holder() {
    let mut s = service();
    ask(&mut s, 2, acquire(0));
    let LeaseMsg::Conflict {
        lease, revision, ..
    } = ask(&mut s, 3, acquire(0))
    else {
        panic!("the second writer at revision 0 must lose");
    };
    assert_eq!((lease.holder, revision), (Some(2), 1));
}

#[test]
fn a_takeover_counts_a_transition_and_takes_a_higher_token() {
    let mut s = service();
    ask(&mut s, 2, acquire(0));
    let LeaseMsg::Granted { lease, .. } = ask(&mut s, 3, acquire(1)) else {
        panic!("an acquire at the current revision wins");
    };
    assert_eq!(
        (lease.holder, lease.transitions, lease.token),
        (Some(3), 1, 2)
    );
}

#[test]
fn a_renew_keeps_the_token_and_bumps_the_revision_and_a_stale_renew_conflicts() {
    let mut s = service();
    ask(&mut s, 2, acquire(0));
    let renew = |revision, token| LeaseMsg::Renew {
        seq: 2,
        revision,
        token,
        renew_time: 200 * MS,
    };
    let LeaseMsg::Granted {
        lease, revision, ..
    } = ask(&mut s, 2, renew(1, 1))
    else {
        panic!("the holder renews");
    };
    assert_eq!((lease.token, revision, lease.renew_time), (1, 2, 200 * MS));
    assert!(matches!(
        ask(&mut s, 2, renew(1, 1)),
        LeaseMsg::Conflict { .. }
    ));
    // Only the holder can renew, whatever revision it names.
    assert!(matches!(
        ask(&mut s, 3, renew(2, 1)),
        LeaseMsg::Conflict { .. }
    ));
}

#[test]
fn the_service_reports_itself_as_a_service_and_never_as_a_leader() {
    let v = service().view();
    assert_eq!(
        (v.role.as_str(), v.is_leader, v.term),
        ("service", false, 0)
    );
    let keys: Vec<&str> = v.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        keys.contains(&"revision") && keys.contains(&"leaseTransitions"),
        "{keys:?}"
    );
}

#[test]
fn bad_input_to_the_service_changes_nothing_and_does_not_panic() {
    let mut s = service();
    let before = s.persistent();
    // A reply sent to the service, a sender outside the cluster, a stray timer.
    let junk = LeaseMsg::Granted {
        seq: 9,
        lease: LeaseRecord::default(),
        revision: 99,
    };
    assert!(step(&mut s, SERVICE, MS, Input::Message { from: 1, msg: junk }).is_empty());
    assert!(
        step(
            &mut s,
            SERVICE,
            MS,
            Input::Message {
                from: 77,
                msg: acquire(0)
            }
        )
        .is_empty()
    );
    step(&mut s, SERVICE, MS, Input::Timer(LeaseTimer::Deadline));
    assert_eq!(s.persistent(), before);
}

// ----- candidates in a cluster -----

#[test]
fn on_a_free_lease_the_first_acquire_wins_and_every_other_candidate_conflicts_and_follows() {
    for seed in 1..=20 {
        let mut s = sim(&[], "", seed);
        s.advance_to(SEC);
        let leaders = leaders_now(&s);
        assert_eq!(leaders.len(), 1, "seed {seed}");
        let conflicts = s
            .stats()
            .messages_by_kind
            .get("Conflict")
            .copied()
            .unwrap_or(0);
        assert_eq!(
            conflicts,
            u64::from(N) - 1,
            "seed {seed}: all others lost the race"
        );
        let (leader, token) = s.established_leader().expect("followers agree");
        assert_eq!((leader, token), (leaders[0], 1), "seed {seed}");
        assert_eq!(s.stats().leaders.len(), 1);
    }
}

#[test]
fn the_holder_renews_every_retry_period_and_keeps_the_lease() {
    let mut s = sim(&[], "", 3);
    s.advance_to(10 * SEC);
    assert_eq!(s.stats().leaders.len(), 1, "no takeover without faults");
    let renews = s.stats().messages_by_kind["Renew"];
    // One renew per 200 ms after the first win at a few ms.
    assert!((48..=50).contains(&renews), "{renews} renews in 10s");
    let trace = s.drain_trace();
    // Narrated as routine upkeep, with the per-message lines, not among the faults.
    let renewal = |kind| {
        notes(&trace, kind)
            .iter()
            .filter(|(_, _, t)| t.contains("renews (renewTime"))
            .count()
    };
    assert!(renewal(NoteKind::Routine) >= 48);
    assert_eq!(renewal(NoteKind::Info), 0);
}

/// Crash the leader at 2 s; return when and by whom the lease was taken over.
fn takeover(settings: &[(&str, &str)], extra: &str, seed: u64) -> (Micros, NodeId) {
    let mut s = sim(settings, &format!("{extra}at 2s crash leader\n"), seed);
    s.advance_to(8 * SEC);
    let l = &s.stats().leaders;
    assert_eq!(l.len(), 2, "seed {seed}: one takeover: {l:?}");
    assert!(l[1].term > l[0].term, "tokens rise");
    (l[1].at, l[1].node)
}

#[test]
fn a_follower_takes_over_only_after_lease_duration_by_its_own_clock() {
    for seed in 1..=20 {
        let (at, _) = takeover(&[], "", seed);
        // Last change seen at most a retry (with jitter) before the crash, then 1.5 s
        // unchanged, then the next retry and a round trip.
        assert!(
            at >= 2 * SEC - 450 * MS + 1_500 * MS,
            "seed {seed}: too early at {at}"
        );
        assert!(
            at <= 2 * SEC + 1_500 * MS + 450 * MS + 40 * MS,
            "seed {seed}: late at {at}"
        );
        // Fast clocks (+50%) see the same 1.5 s pass in 1 s of true time.
        let fast = "at 1s drift n1 +50%\nat 1s drift n2 +50%\nat 1s drift n3 +50%\nat 1s drift n4 +50%\nat 1s drift n5 +50%\n";
        let (fast_at, _) = takeover(&[], fast, seed);
        assert!(fast_at < at, "seed {seed}: fast clocks take over earlier");
        assert!(
            fast_at <= 2 * SEC + SEC + 350 * MS,
            "seed {seed}: {fast_at}"
        );
    }
}

#[test]
fn with_server_side_expiry_the_services_clock_decides_not_the_candidates() {
    for seed in 1..=10 {
        let server = [("lease-expiry", "server")];
        let fast = "at 1s drift n1 +50%\nat 1s drift n2 +50%\nat 1s drift n3 +50%\nat 1s drift n4 +50%\nat 1s drift n5 +50%\n";
        let (at, _) = takeover(&server, fast, seed);
        // The last renew reached the service at most 200 ms before the crash.
        assert!(at >= 2 * SEC - 200 * MS + 1_500 * MS, "seed {seed}: {at}");
    }
}

#[test]
fn renew_deadline_makes_a_cut_off_leader_stop_leading_before_anyone_takes_over() {
    for seed in 1..=20 {
        let mut s = sim(&[], "at 2s isolate leader\n", seed);
        s.advance_to(6 * SEC);
        let trace = s.drain_trace();
        let down = notes(&trace, NoteKind::StepDown);
        assert_eq!(down.len(), 1, "seed {seed}: {down:?}");
        let (at, _, text) = &down[0];
        assert!(text.contains("renewDeadline 1s"), "{text}");
        // The last renew was sent at most 200 ms before the cut.
        assert!(
            (1_800 * MS..=2 * SEC + 20 * MS).contains(&(at - SEC)),
            "seed {seed}: {at}"
        );
        // Same clock rates: the old leader is down before a new one is up.
        let l = &s.stats().leaders;
        assert_eq!(l.len(), 2, "seed {seed}");
        assert!(
            l[1].at > *at,
            "seed {seed}: takeover {} before step-down {at}",
            l[1].at
        );
        assert!(findings(&s, "Stale leader").is_empty(), "seed {seed}");
    }
}

#[test]
fn a_slow_leader_clock_and_fast_follower_clocks_make_two_leaders_at_once() {
    for seed in 1..=20 {
        let mut s = sim(&[("scenario", "lease-clock-drift")], "", seed);
        s.advance_to(6 * SEC);
        let stale = findings(&s, "Stale leader");
        assert_eq!(stale.len(), 1, "seed {seed}: {stale:?}");
        assert_eq!(stale[0].0, Severity::Warning);
        // The overlap itself is no violation of the lease protocol; what it breaks is
        // the unfenced storage both holders write to (the scenario turns it on).
        let broken: Vec<&str> = s
            .stats()
            .findings
            .iter()
            .filter(|f| f.finding.severity == Severity::Violation)
            .map(|f| f.finding.invariant.as_str())
            .collect();
        assert!(
            !broken.is_empty() && broken.iter().all(|i| *i == "Lost update"),
            "seed {seed}: {broken:?}"
        );
        let l = &s.stats().leaders;
        assert!(l.len() >= 2 && l[1].term > l[0].term, "seed {seed}: {l:?}");
    }
}

#[test]
fn a_paused_leader_wakes_believing_it_leads_and_unfenced_storage_loses_an_update() {
    for seed in 1..=20 {
        let mut s = sim(&[("scenario", "lease-paused-leader")], "", seed);
        s.advance_to(6 * SEC);
        let lost = findings(&s, "Lost update");
        assert!(!lost.is_empty(), "seed {seed}");
        assert_eq!(lost[0].0, Severity::Violation);
        assert_eq!(findings(&s, "Stale leader").len(), 1, "seed {seed}");
        assert_eq!(s.storage().unwrap().rejected, 0);
    }
}

#[test]
fn with_fencing_the_woken_leaders_write_is_rejected_by_its_lower_token() {
    for seed in 1..=20 {
        let mut s = sim(&[("scenario", "lease-paused-leader-fenced")], "", seed);
        s.advance_to(6 * SEC);
        let st = s.storage().unwrap();
        assert!(st.rejected >= 1, "seed {seed}: {st:?}");
        assert_eq!(st.lost_updates, 0, "seed {seed}");
        assert_eq!(s.stats().violations(), 0, "seed {seed}");
    }
}

#[test]
fn with_stonith_the_paused_holder_is_switched_off_before_the_takeover() {
    for seed in 1..=20 {
        let mut s = sim(&[("scenario", "lease-stonith")], "", seed);
        s.advance_to(6 * SEC);
        let first = s.stats().leaders[0].node;
        assert!(!s.is_up(first), "seed {seed}: n{first} is off");
        assert_eq!(s.storage().unwrap().lost_updates, 0, "seed {seed}");
        assert!(findings(&s, "Stale leader").is_empty(), "seed {seed}");
    }
}

#[test]
fn when_the_service_is_down_the_leader_steps_down_and_after_a_restart_someone_leads_again() {
    for seed in 1..=10 {
        let mut s = sim(&[], "at 2s crash n6\nat 4s restart n6\n", seed);
        s.advance_to(3 * SEC + 500 * MS);
        assert!(
            leaders_now(&s).is_empty(),
            "seed {seed}: nobody can renew without the service"
        );
        s.advance_to(8 * SEC);
        let l = &s.stats().leaders;
        assert!(l.len() >= 2, "seed {seed}: {l:?}");
        let (first, last) = (&l[0], l.last().unwrap());
        // The record survived on the service's disk: the old holder may find the lease
        // still in its name and renew that same holding; anyone else needs a new token.
        if last.node == first.node {
            assert!(last.term >= first.term, "seed {seed}: {l:?}");
        } else {
            assert!(last.term > first.term, "seed {seed}: {l:?}");
        }
        assert_eq!(s.stats().violations(), 0);
    }
}

#[test]
fn forcing_the_election_timer_makes_a_follower_read_the_lease_at_once() {
    let mut s = sim(&[], "", 1);
    s.advance_to(SEC);
    let leader = leaders_now(&s)[0];
    let follower = (1..=N).find(|&n| n != leader).unwrap();
    let gets = s.stats().messages_by_kind["Get"];
    s.act(electionscope::sim::Action::Timeout {
        target: electionscope::sim::Target::Node(follower),
    });
    assert_eq!(s.stats().messages_by_kind["Get"], gets + 1);
    assert_eq!(leaders_now(&s), vec![leader], "a read takes nothing");
}

// ----- settings -----

#[test]
fn settings_follow_client_gos_rule_lease_duration_above_renew_deadline_above_1_2_retry_period() {
    let mut c = SimConfig::default();
    c.set("algo", "lease").unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    c.set("renew-deadline", "2s").unwrap();
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("leaseDuration > renewDeadline"), "{}", w[0]);
    c.set("renew-deadline", "1s").unwrap();
    c.set("retry-period", "900ms").unwrap();
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("renewDeadline > 1.2 x retryPeriod"),
        "{}",
        w[0]
    );
    for (key, bad) in [
        ("lease-duration", "0s"),
        ("renew-deadline", "soon"),
        ("retry-period", "-1ms"),
        ("lease-expiry", "maybe"),
    ] {
        let e = c.set(key, bad).unwrap_err();
        assert!(e.starts_with(key), "{e}");
    }
}

#[test]
fn lease_settings_round_trip_through_the_url_and_show_only_for_lease() {
    let mut c = SimConfig::default();
    for (k, v) in [
        ("algo", "lease"),
        ("lease-duration", "3s"),
        ("renew-deadline", "2s"),
        ("retry-period", "300ms"),
        ("lease-expiry", "server"),
    ] {
        c.set(k, v).unwrap();
    }
    let (back, notices) = SimConfig::from_query(&c.to_query());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, c);
    assert!(Algo::parse("lease").unwrap().uses_setting("renew-deadline"));
    assert!(!Algo::parse("raft").unwrap().uses_setting("renew-deadline"));
    assert!(
        !Algo::parse("lease")
            .unwrap()
            .uses_setting("election-timeout")
    );
}

#[test]
fn scenarios_may_name_the_lease_service_after_the_candidates_but_nothing_beyond() {
    let ok = resolve(
        SimConfig::default(),
        &[(
            "scenario".into(),
            "set algo lease\nat 1s pause n6 for 1s\n".into(),
        )],
    );
    assert!(ok.is_ok(), "{ok:?}");
    let err = resolve(
        SimConfig::default(),
        &[(
            "scenario".into(),
            "set algo lease\nat 1s pause n7 for 1s\n".into(),
        )],
    )
    .unwrap_err();
    assert!(err.contains("n7 does not exist"), "{err}");
    let raft = resolve(
        SimConfig::default(),
        &[("scenario".into(), "at 1s pause n6 for 1s\n".into())],
    );
    assert!(raft.is_err(), "raft has no service to name");
}

#[test]
fn term_labels_read_as_lease_tokens() {
    assert_eq!(Lease::term_label(7), "lease #7");
    assert_eq!((Algo::parse("lease").unwrap().term_label)(7), "lease #7");
    assert_eq!(Lease::SERVICE, Some("lease-api"));
}
