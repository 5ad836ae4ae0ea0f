//! One test per rule of the Bully algorithm (Garcia-Molina 1982; textbook form in
//! Coulouris, Dollimore & Kindberg, "Distributed Systems", §15.3.2), plus the
//! textbook message counts. Engine-level tests drive one node and compare its effects;
//! cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self, sends};
use electionscope::algo::bully::{Bully, BullyConfig, BullyMsg, BullyTimer, Role};
use electionscope::config::SimConfig;
use electionscope::run::simulation;
use electionscope::sim::{
    Algorithm, Effect, Input, MS, Message, Micros, MsgClass, NodeId, NoteKind, SEC, Severity,
    Simulation,
};
use std::collections::BTreeMap;

type Fx = Vec<Effect<BullyMsg, BullyTimer>>;

/// Feeds one input to node `me` of an `n`-node cluster and returns its effects.
fn step(node: &mut Bully, me: NodeId, n: u32, input: Input<BullyMsg, BullyTimer>) -> Fx {
    step_at(node, me, n, 0, input)
}

/// [`step`] at local time `now`.
fn step_at(
    node: &mut Bully,
    me: NodeId,
    n: u32,
    now: Micros,
    input: Input<BullyMsg, BullyTimer>,
) -> Fx {
    engine::step_node(node, me, n, now, None, input)
}

fn notes(fx: &Fx, kind: NoteKind) -> usize {
    engine::notes(fx).iter().filter(|(k, _)| *k == kind).count()
}

fn sets(fx: &Fx, timer: BullyTimer) -> bool {
    fx.iter()
        .any(|e| matches!(e, Effect::SetTimer { timer: t, .. } if *t == timer))
}

fn msg(from: NodeId, msg: BullyMsg) -> Input<BullyMsg, BullyTimer> {
    Input::Message { from, msg }
}

/// Node `me` of `n`, booted: it has just started its first election.
fn booted(me: NodeId, n: u32) -> (Bully, Fx) {
    let mut b = Bully::boot(me, n as usize, &BullyConfig::default());
    let fx = step(&mut b, me, n, Input::Start { recovered: false });
    (b, fx)
}

/// Node `me` of `n`, following `leader` after a COORDINATOR.
fn follower_of(me: NodeId, n: u32, leader: NodeId) -> Bully {
    let (mut b, _) = booted(me, n);
    step(&mut b, me, n, msg(leader, BullyMsg::Coordinator));
    assert_eq!((b.role(), b.leader()), (Role::Follower, Some(leader)));
    b
}

fn cfg(nodes: u32, scenario: &str) -> SimConfig {
    SimConfig {
        nodes,
        seed: 1,
        scenario: Some(scenario.to_string()),
        ..SimConfig::default()
    }
}

fn sim(c: &SimConfig) -> Simulation<Bully> {
    simulation::<Bully>(c).expect("valid scenario")
}

/// Whom each running node follows, as (node, leader) pairs.
fn followed(s: &Simulation<Bully>) -> Vec<(NodeId, Option<NodeId>)> {
    (1..=s.config().nodes)
        .filter_map(|id| s.node(id).map(|b| (id, b.leader())))
        .collect()
}

fn all_follow(s: &Simulation<Bully>, leader: NodeId) -> bool {
    followed(s).iter().all(|(_, l)| *l == Some(leader))
}

// ----- the election (Coulouris §15.3.2) -----

#[test]
fn an_election_asks_every_higher_id_and_only_those() {
    let (b, fx) = booted(2, 5);
    assert_eq!(b.role(), Role::Candidate);
    assert_eq!(
        sends(&fx),
        vec![
            (3, BullyMsg::Election),
            (4, BullyMsg::Election),
            (5, BullyMsg::Election)
        ]
    );
    assert_eq!(
        notes(&fx, NoteKind::ElectionStart),
        1,
        "one election, one note"
    );
    assert!(sets(&fx, BullyTimer::Answer), "it waits for an answer");
}

#[test]
fn the_highest_id_declares_itself_at_once() {
    let (b, fx) = booted(5, 5);
    assert_eq!(b.role(), Role::Leader);
    assert_eq!(b.leader(), Some(5));
    let coordinators: Vec<NodeId> = sends(&fx)
        .into_iter()
        .filter(|(_, m)| *m == BullyMsg::Coordinator)
        .map(|(to, _)| to)
        .collect();
    assert_eq!(
        coordinators,
        vec![1, 2, 3, 4],
        "COORDINATOR goes to every other id"
    );
    assert!(!sends(&fx).iter().any(|(_, m)| *m == BullyMsg::Election));
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 1);
    assert_eq!(notes(&fx, NoteKind::Leader), 1);
    assert!(sets(&fx, BullyTimer::Heartbeat));
}

#[test]
fn no_answer_within_the_timeout_means_every_higher_node_is_down() {
    let (mut b, _) = booted(3, 5);
    let fx = step(&mut b, 3, 5, Input::Timer(BullyTimer::Answer));
    assert_eq!(b.role(), Role::Leader);
    assert_eq!(
        sends(&fx),
        vec![
            (1, BullyMsg::Coordinator),
            (2, BullyMsg::Coordinator),
            (4, BullyMsg::Coordinator),
            (5, BullyMsg::Coordinator)
        ]
    );
}

#[test]
fn an_answer_from_a_higher_id_ends_the_bid_and_the_node_waits_for_a_coordinator() {
    let (mut b, _) = booted(2, 5);
    let fx = step(&mut b, 2, 5, msg(4, BullyMsg::Answer));
    assert_eq!(b.role(), Role::Waiting);
    assert_eq!(b.leader(), None);
    assert!(sets(&fx, BullyTimer::Coordinator));
    assert!(fx.contains(&Effect::CancelTimer {
        timer: BullyTimer::Answer
    }));
    // A stale answer timer (already cancelled in the kernel) changes nothing.
    let fx = step(&mut b, 2, 5, Input::Timer(BullyTimer::Answer));
    assert_eq!(b.role(), Role::Waiting);
    assert!(sends(&fx).is_empty());
    let v = b.view();
    assert_eq!(v.role, "waiting");
    assert_eq!(v.fields[0], ("answers".to_string(), "1/3".to_string()));
}

#[test]
fn a_waiting_node_restarts_the_election_when_no_coordinator_comes() {
    let (mut b, _) = booted(2, 5);
    step(&mut b, 2, 5, msg(4, BullyMsg::Answer));
    let fx = step(&mut b, 2, 5, Input::Timer(BullyTimer::Coordinator));
    assert_eq!(b.role(), Role::Candidate);
    assert_eq!(b.elections_started(), 2);
    assert!(
        b.current_round().answered_by.is_empty(),
        "a new election, new answers"
    );
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 1);
    assert_eq!(sends(&fx).len(), 3);
}

#[test]
fn an_election_from_a_lower_id_is_answered_and_taken_over() {
    let mut b = follower_of(3, 5, 5);
    let fx = step(&mut b, 3, 5, msg(1, BullyMsg::Election));
    assert_eq!(
        sends(&fx),
        vec![
            (1, BullyMsg::Answer),
            (4, BullyMsg::Election),
            (5, BullyMsg::Election)
        ]
    );
    assert_eq!(b.role(), Role::Candidate);
    // A second ELECTION during the same campaign is answered, but starts nothing new.
    let fx = step(&mut b, 3, 5, msg(2, BullyMsg::Election));
    assert_eq!(sends(&fx), vec![(2, BullyMsg::Answer)]);
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 0);
    assert_eq!(b.elections_started(), 2);
}

#[test]
fn a_leader_answers_an_election_and_repeats_its_coordinator() {
    let (mut b, _) = booted(5, 5);
    let fx = step(&mut b, 5, 5, msg(2, BullyMsg::Election));
    assert_eq!(
        sends(&fx),
        vec![(2, BullyMsg::Answer), (2, BullyMsg::Coordinator)]
    );
    assert_eq!(b.role(), Role::Leader);
}

#[test]
fn a_coordinator_from_a_higher_id_is_followed() {
    let (mut b, _) = booted(2, 5);
    step(&mut b, 2, 5, msg(4, BullyMsg::Answer));
    let fx = step(&mut b, 2, 5, msg(5, BullyMsg::Coordinator));
    assert_eq!((b.role(), b.leader()), (Role::Follower, Some(5)));
    assert!(
        sets(&fx, BullyTimer::Election),
        "its failure detector starts"
    );
    let v = b.view();
    assert_eq!(v.fields[0], ("leader".to_string(), "n5".to_string()));
    assert_eq!(v.term, 0);
    assert!(!v.is_leader);
}

#[test]
fn a_coordinator_from_a_lower_id_is_bullied() {
    let mut b = follower_of(4, 5, 5);
    let fx = step(&mut b, 4, 5, msg(2, BullyMsg::Coordinator));
    assert_eq!(b.role(), Role::Candidate, "it does not follow n2");
    assert_eq!(b.leader(), None);
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 1);
    assert_eq!(sends(&fx), vec![(5, BullyMsg::Election)]);
}

#[test]
fn a_leader_bullies_a_lower_leader_that_it_hears_from() {
    let (mut b, _) = booted(5, 5);
    // Within a round trip of n5's own COORDINATOR the claim may predate it: ignored.
    let fx = step_at(&mut b, 5, 5, 20 * MS, msg(3, BullyMsg::Heartbeat));
    assert!(sends(&fx).is_empty());
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 0);
    let fx = step_at(&mut b, 5, 5, SEC, msg(3, BullyMsg::Heartbeat));
    assert_eq!(b.role(), Role::Leader);
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 1);
    assert_eq!(
        sends(&fx)
            .iter()
            .filter(|(_, m)| *m == BullyMsg::Coordinator)
            .count(),
        4
    );
}

#[test]
fn a_leader_steps_down_for_a_higher_leader() {
    let (mut b, _) = booted(3, 5);
    step(&mut b, 3, 5, Input::Timer(BullyTimer::Answer));
    assert_eq!(b.role(), Role::Leader);
    let fx = step(&mut b, 3, 5, msg(5, BullyMsg::Heartbeat));
    assert_eq!((b.role(), b.leader()), (Role::Follower, Some(5)));
    assert_eq!(notes(&fx, NoteKind::StepDown), 1);
}

#[test]
fn a_silent_leader_is_suspected_when_the_election_timer_fires() {
    let mut b = follower_of(2, 5, 5);
    let fx = step(&mut b, 2, 5, msg(5, BullyMsg::Heartbeat));
    assert!(
        sets(&fx, BullyTimer::Election),
        "a heartbeat resets the detector"
    );
    let fx = step(&mut b, 2, 5, Input::Timer(BullyTimer::Election));
    assert_eq!(b.role(), Role::Candidate);
    assert_eq!(notes(&fx, NoteKind::ElectionStart), 1);
    assert_eq!(Bully::election_timer(), Some(BullyTimer::Election));
    assert_eq!(
        electionscope::sim::Timer::label(&BullyTimer::Election),
        "election"
    );
}

#[test]
fn messages_carry_no_term_and_are_drawn_by_class() {
    for (m, class) in [
        (BullyMsg::Election, MsgClass::VoteRequest),
        (BullyMsg::Answer, MsgClass::VoteDenied),
        (BullyMsg::Coordinator, MsgClass::Announce),
        (BullyMsg::Heartbeat, MsgClass::Heartbeat),
    ] {
        assert_eq!(m.class(), class);
        assert_eq!(m.term(), None);
    }
    const { assert!(!Bully::ONE_LEADER_PER_TERM) };
}

#[test]
fn messages_from_ids_outside_the_cluster_are_ignored_without_panicking() {
    let (mut b, _) = booted(2, 3);
    for from in [0, 2, 4, u32::MAX] {
        for m in [
            BullyMsg::Election,
            BullyMsg::Answer,
            BullyMsg::Coordinator,
            BullyMsg::Heartbeat,
        ] {
            let fx = step(&mut b, 2, 3, msg(from, m));
            assert!(sends(&fx).is_empty());
        }
    }
}

// ----- cluster behaviour -----

/// Election, Answer and Coordinator messages sent after the lowest id alone detects
/// the crash of the highest, for an n-node cluster (textbook worst case).
fn messages_after_lowest_detects(n: u32) -> BTreeMap<String, u64> {
    // Leader timers of 5-6 s, refreshed by a heartbeat every second, stay far away
    // from the forced timeout at 2.1 s; a fixed 10 ms latency keeps the waves apart.
    let c = SimConfig {
        nodes: n,
        seed: 7,
        latency: (10 * MS, 10 * MS),
        scenario: Some(format!("at 2s crash n{n}\nat 2.1s timeout n1\n")),
        ..SimConfig::default()
    }
    .with("election-timeout", "5-6s")
    .and_then(|c| c.with("heartbeat", "1s"))
    .expect("timings");
    let mut s = sim(&c);
    s.advance_to(2100 * MS - 1);
    assert!(
        all_follow(&s, n),
        "settled on n{n} first: {:?}",
        followed(&s)
    );
    let before = s.stats().messages_by_kind.clone();
    s.advance_to(3 * SEC);
    assert!(
        all_follow(&s, n - 1),
        "n{} takes over: {:?}",
        n - 1,
        followed(&s)
    );
    let after = s.stats().messages_by_kind.clone();
    ["Election", "Answer", "Coordinator"]
        .iter()
        .map(|k| {
            let k = k.to_string();
            let d = after.get(&k).copied().unwrap_or(0) - before.get(&k).copied().unwrap_or(0);
            (k, d)
        })
        .collect()
}

#[test]
fn message_count_when_the_lowest_id_detects_the_highest_crash_is_quadratic() {
    // Node i (1 <= i <= N-1) sends ELECTION to every higher id, the dead nN included:
    //   Elections = sum_{i=1}^{N-1} (N-i) = N(N-1)/2.
    // Each live j in 2..=N-1 answers every lower node, all of which asked it:
    //   Answers = sum_{j=2}^{N-1} (j-1) = (N-1)(N-2)/2.
    // nN-1 broadcasts COORDINATOR to every other id: N-2 live nodes plus the crashed
    // nN (the kernel counts it as sent, then drops it): Coordinators = N-1.
    for n in [5u64, 8, 12] {
        let got = messages_after_lowest_detects(n as u32);
        let expected: BTreeMap<String, u64> = [
            ("Answer".to_string(), (n - 1) * (n - 2) / 2),
            ("Coordinator".to_string(), n - 1),
            ("Election".to_string(), n * (n - 1) / 2),
        ]
        .into();
        println!("N = {n}: {got:?}");
        assert_eq!(got, expected, "N = {n}");
    }
}

#[test]
fn the_highest_live_id_wins_after_crashes() {
    let c = cfg(5, "at 1s crash n5\nat 2s crash n4\n");
    let mut s = sim(&c);
    s.advance_to(SEC - 1);
    assert_eq!(s.established_leader(), Some((5, 0)));
    assert!(all_follow(&s, 5));
    s.advance_to(2 * SEC - 1);
    assert_eq!(s.established_leader(), Some((4, 0)));
    assert!(all_follow(&s, 4), "{:?}", followed(&s));
    s.advance_to(3 * SEC);
    assert_eq!(s.established_leader(), Some((3, 0)));
    assert!(all_follow(&s, 3), "{:?}", followed(&s));
    assert_eq!(s.stats().violations(), 0);
}

#[test]
fn a_restarted_higher_id_bullies_its_way_back() {
    let c = cfg(5, "at 1s crash n5\nat 3s restart n5\n");
    let mut s = sim(&c);
    s.advance_to(3 * SEC - 1);
    assert!(all_follow(&s, 4));
    s.advance_to(4 * SEC);
    assert_eq!(s.established_leader(), Some((5, 0)));
    assert!(all_follow(&s, 5), "{:?}", followed(&s));
    let leaders: Vec<(NodeId, Micros)> = s
        .stats()
        .leaders
        .iter()
        .map(|l| (l.node, l.at))
        .filter(|(_, at)| *at >= SEC)
        .collect();
    assert_eq!(
        leaders.len(),
        2,
        "n4 takes over, then n5 takes back: {leaders:?}"
    );
    assert_eq!(leaders[0].0, 4);
    assert_eq!(
        leaders[1],
        (5, 3 * SEC),
        "n5 declares the instant it restarts"
    );
    assert_eq!(s.stats().violations(), 0);
}

/// Built-in scenario `bully-partition`.
fn partition() -> &'static str {
    builtin_text("bully-partition")
}

#[test]
fn a_partition_gives_each_side_its_own_leader_as_a_warning_and_heals_to_one() {
    let mut s = sim(&cfg(5, partition()));
    s.advance_to(3 * SEC - 1);
    let leaders: Vec<NodeId> = (1..=5)
        .filter(|&i| s.node(i).is_some_and(|b| b.role() == Role::Leader))
        .collect();
    assert_eq!(leaders, vec![3, 5]);
    assert_eq!(
        followed(&s),
        vec![
            (1, Some(3)),
            (2, Some(3)),
            (3, Some(3)),
            (4, Some(5)),
            (5, Some(5))
        ]
    );
    let split: Vec<_> = s
        .stats()
        .findings
        .iter()
        .filter(|f| f.finding.invariant == "Split brain")
        .collect();
    assert!(!split.is_empty(), "the kernel notices two leaders");
    assert!(
        split
            .iter()
            .all(|f| f.finding.severity == Severity::Warning),
        "{split:?}"
    );
    assert_eq!(split[0].finding.nodes, vec![3, 5]);
    s.advance_to(4 * SEC);
    assert_eq!(s.established_leader(), Some((5, 0)));
    assert!(all_follow(&s, 5), "{:?}", followed(&s));
    assert_eq!(s.stats().violations(), 0);
}

/// Built-in scenario `bully-flapping`.
fn flapping() -> &'static str {
    builtin_text("bully-flapping")
}

#[test]
fn a_repeatedly_paused_high_id_keeps_disrupting_the_cluster() {
    let mut s = sim(&cfg(5, flapping()));
    s.advance_to(SEC - 1);
    let settled = s.stats().elections;
    for k in 1..=4 {
        // Mid-pause: the others gave up on n5 and n4, the highest they can reach, leads.
        s.advance_to(k * SEC + 500 * MS);
        assert_eq!(s.established_leader(), Some((4, 0)), "pause {k}");
        // After the pause: n5 never stopped believing it leads and bullies back.
        s.advance_to(k * SEC + 950 * MS);
        assert_eq!(s.established_leader(), Some((5, 0)), "after pause {k}");
        assert!(all_follow(&s, 5), "after pause {k}: {:?}", followed(&s));
    }
    let elections = s.stats().elections - settled;
    let takeovers = s.stats().leaders.iter().filter(|l| l.at >= SEC).count();
    println!("4 pauses of n5: {elections} elections, {takeovers} takeovers by n4");
    assert_eq!(takeovers, 4, "n4 takes over once per pause");
    // Per pause at least: n4 runs the election that makes it leader, and n5 bullies
    // back once (measured with seed 1: 19 elections for the 4 pauses).
    assert!(elections >= 4 * 2, "{elections} elections");
    assert_eq!(s.stats().violations(), 0);
}

/// Built-in scenario `bully-lowest-detects`.
fn lowest_detects() -> &'static str {
    builtin_text("bully-lowest-detects")
}

#[test]
fn the_lowest_detects_scenario_elects_n5_after_fifteen_elections() {
    let c = electionscope::run::resolve(
        SimConfig {
            scenario: Some(lowest_detects().to_string()),
            ..SimConfig::default()
        },
        &[],
    )
    .expect("valid scenario");
    let mut s = sim(&c);
    s.advance_to(2100 * MS - 1);
    let count = |s: &Simulation<Bully>, kind: &str| {
        s.stats().messages_by_kind.get(kind).copied().unwrap_or(0)
    };
    let before = (count(&s, "Election"), count(&s, "Answer"));
    s.advance_to(3 * SEC);
    assert_eq!(count(&s, "Election") - before.0, 15, "6*5/2");
    assert_eq!(count(&s, "Answer") - before.1, 10, "5*4/2");
    assert_eq!(s.established_leader(), Some((5, 0)));
}

/// A built-in scenario's text: the rule tests run exactly what the page offers.
fn builtin_text(name: &str) -> &'static str {
    electionscope::scenario::builtin(name)
        .unwrap_or_else(|| panic!("no built-in scenario {name}"))
        .text
}
