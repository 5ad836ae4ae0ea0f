//! One test per rule of Chang and Roberts' ring election ("An improved algorithm for
//! decentralized extrema-finding in circular configurations of processes", CACM 22(5),
//! 1979; also Lynch, Distributed Algorithms §3.3 "LCR", and Tanenbaum & van Steen §6.4)
//! and per rule of the ring repair added here. Engine-level tests drive one node and
//! compare its effects; cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self, sends};
use electionscope::algo::chang_roberts::{
    ChangRoberts, ChangRobertsBug, ChangRobertsConfig, RingMsg, RingTimer, Role,
};
use electionscope::algo::ring::RingArrangement;
use electionscope::config::SimConfig;
use electionscope::run::{resolve, simulation};
use electionscope::sim::{
    Algorithm, Effect, Input, MS, Micros, NodeId, NoteKind, SEC, Severity, Simulation,
};

type Fx = Vec<Effect<RingMsg, RingTimer>>;

fn step(node: &mut ChangRoberts, me: NodeId, n: u32, input: Input<RingMsg, RingTimer>) -> Fx {
    engine::step_node(node, me, n, 0, None, input)
}

/// Ring tokens sent, without the hop numbers: (to, kind, id).
fn tokens(fx: &Fx) -> Vec<(NodeId, &'static str, NodeId)> {
    sends(fx)
        .into_iter()
        .filter_map(|(to, m)| match m {
            RingMsg::Election { candidate, .. } => Some((to, "Election", candidate)),
            RingMsg::Elected { leader, .. } => Some((to, "Elected", leader)),
            _ => None,
        })
        .collect()
}

fn notes(fx: &Fx) -> Vec<String> {
    engine::notes(fx)
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

fn election_starts(fx: &Fx) -> usize {
    fx.iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Note {
                    kind: NoteKind::ElectionStart,
                    ..
                }
            )
        })
        .count()
}

fn election(candidate: NodeId) -> Input<RingMsg, RingTimer> {
    election_from(candidate, 0)
}

/// An ELECTION token arriving from the predecessor in the ascending ring 1..n.
fn election_from(candidate: NodeId, from: NodeId) -> Input<RingMsg, RingTimer> {
    Input::Message {
        from,
        msg: RingMsg::Election {
            candidate,
            lap: 1,
            seq: 7,
        },
    }
}

fn elected(leader: NodeId, from: NodeId) -> Input<RingMsg, RingTimer> {
    Input::Message {
        from,
        msg: RingMsg::Elected {
            leader,
            lap: 1,
            seq: 9,
        },
    }
}

/// Node `me` of the ascending ring 1..=n, before it has started anything.
fn fresh(me: NodeId, n: u32) -> ChangRoberts {
    ChangRoberts::boot(me, n as usize, &ChangRobertsConfig::default())
}

/// Node `me` of the ascending ring 1..=n after booting (it campaigns at once).
fn booted(me: NodeId, n: u32) -> ChangRoberts {
    let mut node = fresh(me, n);
    step(&mut node, me, n, Input::Start { recovered: false });
    node
}

/// Node `me` following leader `leader` (it received the ELECTED lap).
fn following(me: NodeId, n: u32, leader: NodeId) -> ChangRoberts {
    let mut node = booted(me, n);
    step(&mut node, me, n, elected(leader, me - 1));
    assert_eq!(node.role(), Role::Follower);
    node
}

// ----- Chang-Roberts 1979 -----

#[test]
fn cr_starting_an_election_marks_the_node_participant_and_sends_its_own_id_clockwise() {
    let mut n3 = fresh(3, 5);
    let fx = step(&mut n3, 3, 5, Input::Start { recovered: false });
    assert_eq!(n3.role(), Role::Candidate);
    assert_eq!(tokens(&fx), vec![(4, "Election", 3)]);
    assert_eq!(
        election_starts(&fx),
        1,
        "one ElectionStart note per campaign"
    );
}

#[test]
fn cr_a_larger_id_is_passed_on_and_the_node_becomes_a_participant() {
    let mut n3 = following(3, 5, 5);
    let fx = step(&mut n3, 3, 5, election_from(4, 2));
    assert_eq!(tokens(&fx), vec![(4, "Election", 4)]);
    assert_eq!(n3.role(), Role::Candidate);
    assert_eq!(n3.max_seen(), 4);
    assert_eq!(
        election_starts(&fx),
        0,
        "passing a token on is not campaigning"
    );
}

#[test]
fn cr_a_smaller_id_reaching_a_non_participant_is_replaced_by_the_nodes_own() {
    let mut n3 = following(3, 5, 5);
    let fx = step(&mut n3, 3, 5, election_from(1, 2));
    assert_eq!(tokens(&fx), vec![(4, "Election", 3)]);
    assert_eq!(n3.role(), Role::Candidate);
    assert_eq!(election_starts(&fx), 1);
}

#[test]
fn cr_a_smaller_id_reaching_a_participant_is_swallowed() {
    let mut n3 = booted(3, 5);
    let fx = step(&mut n3, 3, 5, election_from(2, 2));
    assert_eq!(tokens(&fx), vec![], "the token of n2 must stop at n3");
    assert!(notes(&fx)[0].contains("swallows ELECTION(n2)"), "{fx:?}");
}

#[test]
fn cr_a_token_that_comes_home_elects_its_owner_which_sends_elected_around() {
    let mut n5 = booted(5, 5);
    let fx = step(&mut n5, 5, 5, election_from(5, 4));
    assert_eq!(n5.role(), Role::Leader);
    assert_eq!(n5.leader(), Some(5));
    assert_eq!(tokens(&fx), vec![(1, "Elected", 5)]);
    let heartbeats = sends(&fx)
        .into_iter()
        .filter(|(_, m)| *m == RingMsg::Heartbeat)
        .count();
    assert_eq!(
        heartbeats, 4,
        "the new leader tells every node directly at once"
    );
}

#[test]
fn cr_elected_records_the_leader_clears_participant_and_is_passed_on_until_home() {
    let mut n2 = booted(2, 5);
    let fx = step(&mut n2, 2, 5, elected(5, 1));
    assert_eq!(n2.role(), Role::Follower);
    assert_eq!(n2.leader(), Some(5));
    assert_eq!(tokens(&fx), vec![(3, "Elected", 5)]);

    let mut n5 = booted(5, 5);
    step(&mut n5, 5, 5, election_from(5, 4));
    let fx = step(&mut n5, 5, 5, elected(5, 4));
    assert_eq!(tokens(&fx), vec![], "the lap ends at the leader");
    assert_eq!(n5.role(), Role::Leader);
}

#[test]
fn cr_on_a_one_node_ring_the_token_is_home_at_once() {
    let mut n1 = fresh(1, 1);
    let fx = step(&mut n1, 1, 1, Input::Start { recovered: false });
    assert_eq!(n1.role(), Role::Leader);
    assert_eq!(sends(&fx), vec![]);
}

// ----- refinements that faults make necessary -----

#[test]
fn a_returning_token_does_not_win_after_a_higher_candidate_passed_in_the_same_round() {
    // Possible only with faults: n5 was skipped while down, restarted and campaigned.
    let mut n4 = booted(4, 5);
    step(&mut n4, 4, 5, election_from(5, 3));
    let fx = step(&mut n4, 4, 5, election_from(4, 3));
    assert_eq!(n4.role(), Role::Candidate, "n4 must leave the win to n5");
    assert_eq!(tokens(&fx), vec![]);

    let buggy = ChangRobertsConfig::default().with_bug(ChangRobertsBug::ElectOnAnyReturn);
    let mut n4 = ChangRoberts::boot(4, 5, &buggy);
    step(&mut n4, 4, 5, Input::Start { recovered: false });
    step(&mut n4, 4, 5, election_from(5, 3));
    step(&mut n4, 4, 5, election_from(4, 3));
    assert_eq!(n4.role(), Role::Leader, "the broken variant claims the win");
}

#[test]
fn a_leader_answers_a_lower_candidate_by_re_announcing_itself() {
    let mut n5 = booted(5, 5);
    step(&mut n5, 5, 5, election_from(5, 4));
    let fx = step(&mut n5, 5, 5, election_from(3, 4));
    assert_eq!(n5.role(), Role::Leader);
    assert_eq!(tokens(&fx), vec![(1, "Elected", 5)]);
}

#[test]
fn a_leader_stands_aside_for_a_higher_candidate() {
    let mut n4 = booted(4, 5);
    step(&mut n4, 4, 5, election_from(4, 3));
    assert_eq!(n4.role(), Role::Leader);
    let fx = step(&mut n4, 4, 5, election_from(5, 3));
    assert_eq!(n4.role(), Role::Candidate);
    assert_eq!(tokens(&fx), vec![(5, "Election", 5)]);
}

#[test]
fn a_node_refuses_to_follow_a_lower_leader_and_campaigns() {
    let mut n4 = following(4, 5, 5);
    let fx = step(&mut n4, 4, 5, elected(2, 3));
    assert_eq!(n4.role(), Role::Candidate);
    assert_eq!(tokens(&fx), vec![(5, "Election", 4)]);
}

#[test]
fn a_follower_that_hears_no_heartbeat_starts_an_election() {
    let mut n2 = following(2, 5, 5);
    let fx = step(&mut n2, 2, 5, Input::Timer(RingTimer::Election));
    assert_eq!(n2.role(), Role::Candidate);
    assert_eq!(election_starts(&fx), 1);
    assert!(
        notes(&fx)[0].contains("heard nothing from leader n5"),
        "{fx:?}"
    );
    assert_eq!(tokens(&fx), vec![(3, "Election", 2)]);
}

#[test]
fn heartbeats_from_the_leader_reset_the_election_timer_and_lower_ones_are_ignored() {
    let mut n2 = following(2, 5, 5);
    let fx = step(
        &mut n2,
        2,
        5,
        Input::Message {
            from: 5,
            msg: RingMsg::Heartbeat,
        },
    );
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: RingTimer::Election,
            ..
        }
    )));
    let mut n4 = following(4, 5, 5);
    let fx = step(
        &mut n4,
        4,
        5,
        Input::Message {
            from: 3,
            msg: RingMsg::Heartbeat,
        },
    );
    assert_eq!(fx, vec![], "a lower leader's heartbeat changes nothing");
    assert_eq!(n4.leader(), Some(5));
}

// ----- ring repair -----

#[test]
fn repair_every_ring_message_is_acknowledged_to_its_sender() {
    let mut n3 = booted(3, 5);
    let fx = step(&mut n3, 3, 5, election_from(2, 2));
    assert_eq!(sends(&fx), vec![(2, RingMsg::Ack { seq: 7 })]);
    let fx = step(&mut n3, 3, 5, elected(5, 2));
    assert_eq!(sends(&fx)[0], (2, RingMsg::Ack { seq: 9 }));
}

#[test]
fn repair_an_acknowledged_hop_needs_no_resend() {
    let mut n3 = fresh(3, 5);
    let fx = step(&mut n3, 3, 5, Input::Start { recovered: false });
    let seq = match sends(&fx)[0].1 {
        RingMsg::Election { seq, .. } => seq,
        ref m => panic!("expected Election, got {m:?}"),
    };
    let fx = step(
        &mut n3,
        3,
        5,
        Input::Message {
            from: 4,
            msg: RingMsg::Ack { seq },
        },
    );
    assert!(fx.contains(&Effect::CancelTimer {
        timer: RingTimer::Ack(seq)
    }));
    let fx = step(&mut n3, 3, 5, Input::Timer(RingTimer::Ack(seq)));
    assert_eq!(sends(&fx), vec![], "a stale ack timer does nothing");
    assert!(n3.suspected().is_empty());
}

#[test]
fn repair_a_successor_that_does_not_acknowledge_is_skipped() {
    let mut n3 = fresh(3, 5);
    step(&mut n3, 3, 5, Input::Start { recovered: false });
    let fx = step(&mut n3, 3, 5, Input::Timer(RingTimer::Ack(0)));
    assert_eq!(tokens(&fx), vec![(5, "Election", 3)]);
    assert_eq!(
        notes(&fx),
        vec!["n4 did not acknowledge within 40ms; n3 skips it and sends ELECTION(n3) to n5"]
    );
    assert_eq!(n3.next(), 5);
    assert!(n3.suspected().contains(&4));
    // Later tokens skip n4 at once.
    let fx = step(&mut n3, 3, 5, election_from(5, 2));
    assert_eq!(tokens(&fx), vec![(5, "Election", 5)]);
}

#[test]
fn repair_a_suspected_node_is_readmitted_when_heard_from() {
    let mut n3 = fresh(3, 5);
    step(&mut n3, 3, 5, Input::Start { recovered: false });
    step(&mut n3, 3, 5, Input::Timer(RingTimer::Ack(0)));
    assert_eq!(n3.next(), 5);
    // n4 restarted and campaigns; its token arrives through n2.
    let fx = step(&mut n3, 3, 5, election_from(4, 2));
    assert_eq!(n3.next(), 4);
    assert_eq!(tokens(&fx), vec![(4, "Election", 4)]);
    assert!(notes(&fx)[0].contains("n3 hears from n4 again"), "{fx:?}");
}

#[test]
fn repair_a_token_whose_owner_is_suspected_dies_with_it() {
    let mut n4 = fresh(4, 5);
    step(&mut n4, 4, 5, Input::Start { recovered: false });
    step(&mut n4, 4, 5, Input::Timer(RingTimer::Ack(0)));
    assert!(n4.suspected().contains(&5));
    let fx = step(&mut n4, 4, 5, elected(5, 3));
    // Hearing ELECTED(n5) readmits n5, so the lap is passed on to it.
    assert_eq!(tokens(&fx), vec![(5, "Elected", 5)]);
    let seq = sends(&fx)
        .into_iter()
        .find_map(|(_, m)| match m {
            RingMsg::Elected { seq, .. } => Some(seq),
            _ => None,
        })
        .expect("ELECTED sent");
    let fx = step(&mut n4, 4, 5, Input::Timer(RingTimer::Ack(seq)));
    assert_eq!(
        tokens(&fx),
        vec![],
        "ELECTED(n5) ends its lap at n5 or nowhere"
    );
    assert!(
        notes(&fx)[0].contains("n5 was the owner of ELECTED(n5)"),
        "{fx:?}"
    );
}

#[test]
fn repair_a_second_copy_of_a_lap_is_acknowledged_but_not_passed_on() {
    // n2 skipped a slow n3 and resent ELECTION(n5) past it; when n3 finally delivers
    // its copy too, n4 has already passed that lap on.
    let mut n4 = following(4, 5, 5);
    let fx = step(&mut n4, 4, 5, election_from(5, 3));
    assert_eq!(tokens(&fx), vec![(5, "Election", 5)]);
    let fx = step(&mut n4, 4, 5, election_from(5, 3));
    assert_eq!(sends(&fx), vec![(3, RingMsg::Ack { seq: 7 })]);
    assert!(
        notes(&fx)[0].contains("already handled this lap of ELECTION(n5)"),
        "{fx:?}"
    );
    // A new lap of the same candidate is a new round: it is passed on again.
    let next_lap = Input::Message {
        from: 3,
        msg: RingMsg::Election {
            candidate: 5,
            lap: 2,
            seq: 8,
        },
    };
    let fx = step(&mut n4, 4, 5, next_lap);
    assert_eq!(tokens(&fx), vec![(5, "Election", 5)]);
}

#[test]
fn repair_a_late_ack_lengthens_the_wait_and_a_timeout_doubles_it() {
    let cfg = ChangRobertsConfig::default();
    let configured = cfg.ack_timeout;
    let mut n3 = ChangRoberts::boot(3, 5, &cfg);
    let fx = engine::step_node(&mut n3, 3, 5, 0, None, Input::Start { recovered: false });
    assert!(engine::timers_set(&fx).contains(&(RingTimer::Ack(0), configured)));
    let fx = step(&mut n3, 3, 5, Input::Timer(RingTimer::Ack(0)));
    assert_eq!(n3.ack_wait(), 2 * configured, "backs off after a timeout");
    assert!(engine::timers_set(&fx).contains(&(RingTimer::Ack(1), 2 * configured)));
    // n4 was only slow: its ACK of hop 0 arrives 300 ms after the hop left.
    let late = Input::Message {
        from: 4,
        msg: RingMsg::Ack { seq: 0 },
    };
    let fx = engine::step_node(&mut n3, 3, 5, 300 * MS, None, late);
    assert!(
        n3.ack_wait() >= 300 * MS,
        "waits as long as the round trip it saw"
    );
    assert!(
        notes(&fx)
            .iter()
            .any(|t| t.contains("ACK of #0 reaches n3 late, after 300ms")),
        "{fx:?}"
    );
    // Never more than 16 times the configured wait, however slow.
    for k in 1..40 {
        let late = Input::Message {
            from: 4,
            msg: RingMsg::Ack { seq: 0 },
        };
        step(&mut n3, 3, 5, Input::Timer(RingTimer::Ack(k)));
        engine::step_node(&mut n3, 3, 5, k * SEC, None, late);
    }
    assert!(n3.ack_wait() <= 16 * configured);
}

/// The schedule an outside fault generator found: raising latency mid-run made the
/// fixed ACK timeout fire on almost every hop, each timeout sent a second copy of the
/// token, and every copy was passed on and timed out again (1.56 million messages by
/// 2.2 s, about 1.3 GB).
const LATENCY_STORM: &str = "\
set nodes 7
at 0.2s timeout n1
at 0.5s latency 20-192ms
at 0.65s latency 20-192ms
at 1.64s pause n6 for 478ms
";

#[test]
fn raising_latency_mid_run_keeps_every_election_within_the_textbook_message_count() {
    for (script, seconds) in [
        (LATENCY_STORM, 3),
        ("set nodes 7\nat 0.5s latency 20-192ms\n", 3),
        (LATENCY_STORM, 60),
    ] {
        let cfg = SimConfig {
            algo: electionscope::algo::Algo::parse("ring").unwrap(),
            seed: 145,
            scenario: Some(script.to_string()),
            ..SimConfig::default()
        };
        let cfg = resolve(cfg, &[]).expect("valid config");
        let mut sim = simulation::<ChangRoberts>(&cfg).expect("valid scenario");
        sim.set_keep_trace(false);
        sim.advance_to(seconds * SEC);
        let n = u64::from(cfg.nodes);
        let elections = sim.stats().elections;
        let hops = count(&sim, "Election") + count(&sim, "Elected");
        // Each election: at most N(N+1)/2 ELECTION hops (descending ring) and N
        // ELECTED hops; a leader's re-announcement is one more ELECTED lap, started
        // only by an ELECTION that reached it. Each hop is acknowledged once.
        let per_election = n * (n + 1) / 2 + 2 * n;
        assert!(
            hops <= elections * per_election,
            "{hops} ring hops for {elections} elections (at most {per_election} each), {seconds}s"
        );
        assert!(count(&sim, "Ack") <= hops);
        let leaderships = sim.stats().leaders.len() as u64;
        let beats = count(&sim, "Heartbeat");
        let per_leadership =
            (n - 1) * (seconds * SEC / electionscope::algo::timing::heartbeat(&cfg.settings) + 1);
        assert!(beats <= leaderships * per_leadership, "{beats} heartbeats");
        assert!(
            sim.stats().messages_sent < 400 * seconds,
            "{} messages in {seconds}s",
            sim.stats().messages_sent
        );
    }
}

#[test]
fn messages_naming_unknown_nodes_do_not_panic() {
    let mut n2 = booted(2, 3);
    for input in [
        election_from(99, 1),
        elected(0, 1),
        election(0),
        Input::Message {
            from: 1,
            msg: RingMsg::Ack { seq: u64::MAX },
        },
        Input::Timer(RingTimer::Ack(12345)),
    ] {
        step(&mut n2, 2, 3, input);
    }
    let odd = ChangRobertsConfig::new(vec![7, 7, 1]);
    let mut n1 = ChangRoberts::boot(1, 3, &odd);
    let fx = step(&mut n1, 1, 3, Input::Start { recovered: false });
    assert_eq!(
        tokens(&fx),
        vec![(2, "Election", 1)],
        "a bad ring falls back to ascending"
    );
}

// ----- cluster runs -----

fn run(
    nodes: u32,
    ring: RingArrangement,
    latency_ms: Micros,
    script: &str,
) -> Simulation<ChangRoberts> {
    let cfg = SimConfig {
        nodes,
        latency: (latency_ms * MS, latency_ms * MS),
        scenario: (!script.is_empty()).then(|| script.to_string()),
        ..SimConfig::default()
    }
    .with("ring-order", ring.name())
    .expect("a ring order");
    let cfg = resolve(cfg, &[]).expect("valid config");
    simulation::<ChangRoberts>(&cfg).expect("valid scenario")
}

/// Runs a scenario story: its `set` lines choose nodes, latency and ring order.
fn story(script: &str) -> Simulation<ChangRoberts> {
    let cfg = SimConfig {
        scenario: Some(script.to_string()),
        ..SimConfig::default()
    };
    let cfg = resolve(cfg, &[]).expect("valid story");
    simulation::<ChangRoberts>(&cfg).expect("valid scenario")
}

/// Built-in scenario: ring repair during the very first election.
fn ring_repair() -> &'static str {
    builtin_text("ring-repair")
}

/// Built-in scenario: the leader dies and the next highest takes over.
fn leader_crash() -> &'static str {
    builtin_text("ring-leader-crash")
}

/// Built-in story candidate: a restarted higher node overtakes a token that skipped it.
const LATE_HIGHER_CANDIDATE: &str = "\
# n5 crashes and n2 starts an election at once. ELECTION(n4) skips the dead n5, but
# n5 restarts and campaigns; its token passes n4 before n4's own comes home, so n4
# does not claim the win and n5 leads again.
set nodes 5
set latency 10ms
set ring-order ascending
at 1s crash n5
at 1010ms timeout n2
at 1045ms restart n5
";

fn count(sim: &Simulation<ChangRoberts>, kind: &str) -> u64 {
    sim.stats().messages_by_kind.get(kind).copied().unwrap_or(0)
}

fn violations(sim: &Simulation<ChangRoberts>) -> Vec<String> {
    sim.stats()
        .findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Violation)
        .map(|f| f.finding.text.clone())
        .collect()
}

/// Every running node follows `leader`, which leads.
fn assert_all_follow(sim: &Simulation<ChangRoberts>, nodes: u32, leader: NodeId) {
    for id in 1..=nodes {
        if let Some(node) = sim.node(id) {
            assert_eq!(node.leader(), Some(leader), "n{id} in {:?}", node.role());
        }
    }
    assert_eq!(sim.node(leader).map(|n| n.role()), Some(Role::Leader));
    assert_eq!(sim.established_leader(), Some((leader, 0)));
    assert!(violations(sim).is_empty(), "{:?}", violations(sim));
}

#[test]
fn cr_best_case_ascending_ring_uses_2n_minus_1_election_messages() {
    // Ids increase along the direction of travel and all start at t=0 with equal
    // latency, so every node is a participant before any token arrives. Token k < N
    // reaches k+1 > k, a participant, and is swallowed: 1 hop each, N-1 in all. Token
    // N is passed on by everyone and comes home after N hops. Total N + (N-1) = 2N-1.
    // ELECTED makes one lap: N messages. Every ring message is acknowledged once.
    for n in [4u32, 8, 16] {
        let mut sim = run(n, RingArrangement::Ascending, 10, "");
        sim.advance_to(2 * SEC);
        let (e, d) = (count(&sim, "Election"), count(&sim, "Elected"));
        println!(
            "ascending N={n}: {e} Election, {d} Elected, {} Ack, {} Heartbeat",
            count(&sim, "Ack"),
            count(&sim, "Heartbeat")
        );
        assert_eq!(e, 2 * n as u64 - 1, "N={n}");
        assert_eq!(d, n as u64, "N={n}");
        assert_eq!(count(&sim, "Ack"), e + d, "N={n}");
        assert_eq!(
            sim.stats().elections,
            n as u64,
            "every node campaigned once"
        );
        assert_all_follow(&sim, n, n);
    }
}

#[test]
fn cr_worst_case_descending_ring_uses_n_n_plus_1_over_2_election_messages() {
    // Ids decrease along the direction of travel (nN -> ... -> n1 -> nN). Token k is
    // passed on by k-1, ..., 1 (all smaller) and stopped by nN, the first larger node:
    // k hops. Token N passes everyone and comes home: N hops. All nodes are
    // participants from t=0, so no token is ever replaced. Total sum_{k=1}^{N} k =
    // N(N+1)/2; ELECTED still makes one lap of N messages.
    for n in [4u32, 8, 16] {
        let mut sim = run(n, RingArrangement::Descending, 10, "");
        sim.advance_to(3 * SEC);
        let (e, d) = (count(&sim, "Election"), count(&sim, "Elected"));
        println!(
            "descending N={n}: {e} Election, {d} Elected, {} Ack, {} Heartbeat",
            count(&sim, "Ack"),
            count(&sim, "Heartbeat")
        );
        assert_eq!(e, (n * (n + 1) / 2) as u64, "N={n}");
        assert_eq!(d, n as u64, "N={n}");
        assert_eq!(count(&sim, "Ack"), e + d, "N={n}");
        assert_all_follow(&sim, n, n);
    }
}

#[test]
fn cr_any_arrangement_lies_between_the_best_and_worst_case() {
    // With simultaneous start each of the N tokens makes at least 1 hop and the
    // winner's exactly N (>= 2N-1); token k makes at most k hops, since it is stopped
    // by the first larger node and there are at most k-1 nodes smaller than k (<=
    // N(N+1)/2). The average over random rings is about N*H(N).
    for n in [4u32, 8, 16] {
        let mut total = 0;
        for seed in 0..20 {
            let cfg = SimConfig {
                nodes: n,
                seed,
                latency: (10 * MS, 10 * MS),
                ..SimConfig::default()
            }
            .with("ring-order", "random")
            .expect("a ring order");
            let mut sim = simulation::<ChangRoberts>(&cfg).expect("config");
            sim.advance_to(3 * SEC);
            let e = count(&sim, "Election");
            assert!(
                (2 * n as u64 - 1..=(n * (n + 1) / 2) as u64).contains(&e),
                "N={n} seed {seed}: {e}"
            );
            assert_eq!(count(&sim, "Elected"), n as u64);
            assert_all_follow(&sim, n, n);
            total += e;
        }
        println!(
            "random N={n}: mean {} Election messages over 20 rings",
            total as f64 / 20.0
        );
    }
}

#[test]
fn repair_a_node_crashed_mid_ring_is_skipped_and_a_leader_is_still_elected() {
    // n2's ELECTION(n2) is on its way to n3 when n3 crashes: no ACK comes, so n2
    // suspects n3 and sends to n4. Later ELECTION(n6) and ELECTED(n6) skip n3 at n2.
    let mut sim = story(ring_repair());
    sim.advance_to(2 * SEC);
    assert_all_follow(&sim, 6, 6);
    let n2 = sim.node(2).expect("n2 up");
    assert_eq!(n2.next(), 4);
    assert!(n2.suspected().contains(&3));
    let skipped = sim.drain_trace().into_iter().any(|e| {
        e.text == "n3 did not acknowledge within 30ms; n2 skips it and sends ELECTION(n2) to n4"
    });
    assert!(skipped, "the repair is narrated");
}

#[test]
fn leader_crash_heartbeats_stop_a_new_election_runs_and_the_highest_live_node_leads() {
    let mut sim = story(leader_crash());
    sim.advance_to(999 * MS);
    assert_all_follow(&sim, 6, 6);
    let elections = sim.stats().elections;
    sim.advance_to(3 * SEC);
    assert!(sim.stats().elections > elections);
    assert_all_follow(&sim, 6, 5);
}

#[test]
fn the_highest_candidate_crashing_mid_election_stalls_the_round_until_it_is_retried() {
    // n6's token is already past n1 when n6 crashes: n5 finds n6 silent and drops
    // ELECTION(n6), the only token left, so every participant waits for its round
    // timer and then campaigns again; n5 wins.
    let mut sim = run(6, RingArrangement::Ascending, 10, "at 15ms crash n6");
    sim.advance_to(5 * SEC);
    assert_all_follow(&sim, 6, 5);
}

#[test]
fn a_restarted_highest_node_campaigns_and_takes_over() {
    let mut sim = run(
        6,
        RingArrangement::Descending,
        10,
        "at 1s crash n6\nat 2s restart n6",
    );
    sim.advance_to(1900 * MS);
    assert_all_follow(&sim, 6, 5);
    sim.advance_to(4 * SEC);
    assert_all_follow(&sim, 6, 6);
}

#[test]
fn a_lower_nodes_forced_timeout_does_not_change_the_leader() {
    // ELECTION(n1) is replaced by n2, n3, n4 in turn; n5 leads and answers with a
    // fresh ELECTED lap: 4 Election hops and 5 Elected hops.
    let mut sim = run(5, RingArrangement::Ascending, 10, "at 1s timeout n1");
    sim.advance_to(999 * MS);
    let (e, d) = (count(&sim, "Election"), count(&sim, "Elected"));
    sim.advance_to(2 * SEC);
    assert_eq!(count(&sim, "Election") - e, 4);
    assert_eq!(count(&sim, "Elected") - d, 5);
    assert_all_follow(&sim, 5, 5);
}

#[test]
fn a_restarted_higher_candidate_wins_over_a_token_that_skipped_it() {
    let mut sim = story(LATE_HIGHER_CANDIDATE);
    sim.advance_to(3 * SEC);
    assert_all_follow(&sim, 5, 5);
    let leaders: Vec<NodeId> = sim.stats().leaders.iter().map(|l| l.node).collect();
    assert_eq!(leaders, vec![5, 5], "n4 never claimed the win");
}

#[test]
fn checker_catches_elect_on_any_return_in_the_late_higher_candidate_story() {
    let cfg = SimConfig {
        scenario: Some(LATE_HIGHER_CANDIDATE.to_string()),
        ..SimConfig::default()
    };
    let cfg = resolve(cfg, &[]).expect("valid story");
    let algo = <ChangRoberts as electionscope::config::FromSimConfig>::algo_config(&cfg)
        .with_bug(ChangRobertsBug::ElectOnAnyReturn);
    let kernel = electionscope::sim::KernelConfig {
        nodes: cfg.nodes,
        seed: cfg.seed,
        latency: cfg.latency,
        drop_ppm: 0,
        ..Default::default()
    };
    let mut sim = Simulation::<ChangRoberts>::new(kernel, algo);
    for s in electionscope::scenario::Scenario::parse(LATE_HIGHER_CANDIDATE)
        .expect("parses")
        .steps
    {
        sim.schedule(s.at, s.action);
    }
    sim.advance_to(3 * SEC);
    let v = violations(&sim);
    println!("{v:?}");
    assert!(
        v.iter()
            .any(|t| t.starts_with("n4 became leader although ELECTION(n5)")),
        "{v:?}"
    );
}

/// A built-in scenario's text: the rule tests run exactly what the page offers.
fn builtin_text(name: &str) -> &'static str {
    electionscope::scenario::builtin(name)
        .unwrap_or_else(|| panic!("no built-in scenario {name}"))
        .text
}
