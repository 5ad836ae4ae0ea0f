//! One test per Paxos rule, named after the rule and citing Lamport's "Paxos Made
//! Simple" (PMS) section. Engine-level tests drive one node with inputs and compare
//! the effects it returns; cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self, notes, sends};
use electionscope::algo::paxos::{
    AcceptedEntry, Ballot, Paxos, PaxosBug, PaxosConfig, PaxosDisk, PaxosMsg, PaxosTimer, Role,
};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::{
    Algorithm, Effect, Input, KernelConfig, MS, Micros, NodeId, NoteKind, SEC, Simulation,
};

type Fx = Vec<Effect<PaxosMsg, PaxosTimer>>;

fn step(
    node: &mut Paxos,
    me: NodeId,
    n: u32,
    now: Micros,
    input: Input<PaxosMsg, PaxosTimer>,
) -> Fx {
    engine::step_node(node, me, n, now, None, input)
}

fn deliver(node: &mut Paxos, me: NodeId, n: u32, from: NodeId, msg: PaxosMsg) -> Fx {
    step(node, me, n, 10 * MS, Input::Message { from, msg })
}

fn b(round: u64, node: NodeId) -> Ballot {
    Ballot::new(round, node)
}

fn booted(me: NodeId, n: u32, cfg: &PaxosConfig) -> Paxos {
    let mut p = Paxos::boot(me, n as usize, cfg);
    step(&mut p, me, n, 0, Input::Start { recovered: false });
    p
}

fn with_disk(me: NodeId, n: u32, disk: PaxosDisk) -> Paxos {
    let mut p = Paxos::recover(me, n as usize, &PaxosConfig::default(), &disk);
    step(&mut p, me, n, 0, Input::Start { recovered: true });
    p
}

/// n1 of `n` times out and collects promises from n2.. until it leads.
fn elect_n1(n: u32, cfg: &PaxosConfig) -> Paxos {
    let mut n1 = booted(1, n, cfg);
    step(&mut n1, 1, n, 200 * MS, Input::Timer(PaxosTimer::Election));
    let ballot = n1.ballot();
    for from in 2..=(n / 2 + 1) {
        let msg = PaxosMsg::Promise {
            ballot,
            accepted: vec![],
        };
        deliver(&mut n1, 1, n, from, msg);
    }
    assert_eq!(n1.role(), Role::Leader);
    n1
}

fn kernel(nodes: u32, seed: u64) -> KernelConfig {
    KernelConfig {
        nodes,
        seed,
        latency: (5 * MS, 15 * MS),
        drop_ppm: 0,
        ..KernelConfig::default()
    }
}

/// A cluster running `script`, with Paxos configured by `algo`.
fn cluster(nodes: u32, seed: u64, algo: PaxosConfig, script: &str) -> Simulation<Paxos> {
    let mut sim = Simulation::<Paxos>::new(kernel(nodes, seed), algo);
    let sc = Scenario::parse(script).expect("scenario parses");
    for s in sc.steps {
        sim.schedule(s.at, s.action);
    }
    sim
}

/// Followers wait 10-20 s for a leader, so only forced timeouts start campaigns.
fn patient() -> PaxosConfig {
    let mut cfg = PaxosConfig::default();
    cfg.election_timeout = (10 * SEC, 20 * SEC);
    cfg
}

// ----- ballots -----

#[test]
fn pms_2_2_ballots_are_ordered_by_round_then_proposer_id() {
    assert!(b(3, 1) > b(2, 5));
    assert!(b(3, 4) > b(3, 2));
    assert!(b(1, 1) > Ballot::NONE);
    assert_eq!(
        b(3, 2).encode(),
        302,
        "round * 100 + id wherever a term is needed"
    );
    assert!(
        b(3, 1).encode() > b(2, 25).encode(),
        "the encoding keeps the order"
    );
    assert_eq!(b(3, 2).to_string(), "3.n2");
}

#[test]
fn pms_2_2_a_proposer_picks_a_ballot_above_every_ballot_it_has_seen() {
    let mut n2 = booted(2, 5, &PaxosConfig::default());
    // n2 hears of round 7 through a Prepare it promises.
    deliver(&mut n2, 2, 5, 4, PaxosMsg::Prepare { ballot: b(7, 4) });
    let fx = step(&mut n2, 2, 5, SEC, Input::Timer(PaxosTimer::Election));
    assert_eq!(n2.role(), Role::Candidate);
    assert_eq!(n2.ballot(), b(8, 2));
    assert_eq!(n2.promised(), b(8, 2), "a proposer promises its own ballot");
    let prepares = sends(&fx);
    assert_eq!(prepares.len(), 4, "Prepare to every peer: {prepares:?}");
    assert!(
        prepares
            .iter()
            .all(|(_, m)| *m == PaxosMsg::Prepare { ballot: b(8, 2) })
    );
    assert_eq!(
        notes(&fx)
            .iter()
            .filter(|(k, _)| *k == NoteKind::ElectionStart)
            .count(),
        1
    );
}

// ----- acceptor, phase 1 -----

#[test]
fn pms_2_2_phase_1b_an_acceptor_promises_a_higher_ballot_and_reports_what_it_accepted() {
    let mut disk = PaxosDisk {
        promised: b(2, 1),
        max_round: 2,
        ..PaxosDisk::default()
    };
    disk.accepted.insert(1, (b(2, 1), Some(7)));
    let mut n3 = with_disk(3, 5, disk);
    let fx = deliver(&mut n3, 3, 5, 4, PaxosMsg::Prepare { ballot: b(3, 4) });
    assert_eq!(
        sends(&fx),
        vec![(
            4,
            PaxosMsg::Promise {
                ballot: b(3, 4),
                accepted: vec![AcceptedEntry {
                    instance: 1,
                    ballot: b(2, 1),
                    value: Some(7)
                }],
            }
        )]
    );
    assert_eq!(n3.promised(), b(3, 4));
    assert_eq!(n3.persistent().promised, b(3, 4), "the promise is on disk");
}

#[test]
fn pms_2_2_phase_1b_an_acceptor_refuses_a_prepare_below_its_promise() {
    let mut n3 = booted(3, 5, &PaxosConfig::default());
    deliver(&mut n3, 3, 5, 4, PaxosMsg::Prepare { ballot: b(3, 4) });
    let fx = deliver(&mut n3, 3, 5, 2, PaxosMsg::Prepare { ballot: b(3, 2) });
    assert_eq!(
        sends(&fx),
        vec![(
            2,
            PaxosMsg::Nack {
                ballot: b(3, 2),
                promised: b(3, 4)
            }
        )]
    );
    assert_eq!(
        n3.promised(),
        b(3, 4),
        "a refused Prepare leaves the promise"
    );
}

// ----- acceptor, phase 2 -----

#[test]
fn pms_2_2_phase_2b_an_acceptor_accepts_unless_it_promised_a_higher_ballot() {
    let mut n3 = booted(3, 5, &PaxosConfig::default());
    deliver(&mut n3, 3, 5, 4, PaxosMsg::Prepare { ballot: b(3, 4) });
    let old = PaxosMsg::Accept {
        ballot: b(2, 1),
        instance: 1,
        value: Some(5),
    };
    let fx = deliver(&mut n3, 3, 5, 1, old);
    assert_eq!(
        sends(&fx),
        vec![(
            1,
            PaxosMsg::Nack {
                ballot: b(2, 1),
                promised: b(3, 4)
            }
        )]
    );
    assert!(n3.accepted().is_empty());

    let current = PaxosMsg::Accept {
        ballot: b(3, 4),
        instance: 1,
        value: Some(6),
    };
    let fx = deliver(&mut n3, 3, 5, 4, current);
    assert_eq!(
        sends(&fx),
        vec![(
            4,
            PaxosMsg::Accepted {
                ballot: b(3, 4),
                instance: 1
            }
        )]
    );
    assert_eq!(n3.accepted().get(&1), Some(&(b(3, 4), Some(6))));
    assert_eq!(
        n3.leader(),
        Some(4),
        "an Accept at its promise comes from the leader"
    );
}

#[test]
fn pms_2_2_phase_2b_with_the_accept_below_promise_bug_the_old_ballot_is_accepted() {
    let cfg = PaxosConfig::default().with_bug(PaxosBug::AcceptBelowPromise);
    let mut n3 = booted(3, 5, &cfg);
    deliver(&mut n3, 3, 5, 4, PaxosMsg::Prepare { ballot: b(3, 4) });
    let old = PaxosMsg::Accept {
        ballot: b(2, 1),
        instance: 1,
        value: Some(5),
    };
    deliver(&mut n3, 3, 5, 1, old);
    assert_eq!(n3.accepted().get(&1), Some(&(b(2, 1), Some(5))));
}

// ----- proposer: becoming leader -----

#[test]
fn pms_3_a_majority_of_promises_makes_the_proposer_leader_for_all_instances() {
    let mut n1 = booted(1, 5, &PaxosConfig::default());
    step(&mut n1, 1, 5, 200 * MS, Input::Timer(PaxosTimer::Election));
    let ballot = n1.ballot();
    let promise = PaxosMsg::Promise {
        ballot,
        accepted: vec![],
    };
    deliver(&mut n1, 1, 5, 2, promise.clone());
    assert_eq!(
        n1.role(),
        Role::Candidate,
        "2 of 5 (self included) is no majority"
    );
    let fx = deliver(&mut n1, 1, 5, 3, promise);
    assert_eq!(n1.role(), Role::Leader);
    let out = sends(&fx);
    assert_eq!(
        out.len(),
        4,
        "the new leader announces itself at once: {out:?}"
    );
    assert!(
        out.iter()
            .all(|(_, m)| matches!(m, PaxosMsg::Heartbeat { ballot: hb, .. } if *hb == ballot))
    );
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: PaxosTimer::Heartbeat,
            ..
        }
    )));
    assert!(notes(&fx).iter().any(|(k, _)| *k == NoteKind::Leader));
}

#[test]
fn pms_2_2_p2c_a_new_leader_re_proposes_the_value_accepted_with_the_highest_ballot() {
    let mut n1 = booted(1, 5, &PaxosConfig::default());
    step(&mut n1, 1, 5, 200 * MS, Input::Timer(PaxosTimer::Election));
    let ballot = n1.ballot();
    let entry = |instance, ballot, value| AcceptedEntry {
        instance,
        ballot,
        value,
    };
    deliver(
        &mut n1,
        1,
        5,
        2,
        PaxosMsg::Promise {
            ballot,
            accepted: vec![entry(1, b(1, 3), Some(7))],
        },
    );
    let fx = deliver(
        &mut n1,
        1,
        5,
        3,
        PaxosMsg::Promise {
            ballot,
            accepted: vec![entry(1, b(1, 4), Some(9)), entry(3, b(1, 3), Some(5))],
        },
    );
    assert_eq!(n1.role(), Role::Leader);
    let accepts: Vec<(u64, Option<u64>)> = sends(&fx)
        .into_iter()
        .filter(|(to, _)| *to == 2)
        .filter_map(|(_, m)| match m {
            PaxosMsg::Accept {
                instance, value, ..
            } => Some((instance, value)),
            _ => None,
        })
        .collect();
    assert_eq!(
        accepts,
        vec![(1, Some(9)), (2, None), (3, Some(5))],
        "instance 1 keeps 1.n4's value (higher than 1.n3's), the gap gets a no-op"
    );
    // New writes go after every instance the promises reported.
    let fx = step(&mut n1, 1, 5, 300 * MS, Input::ClientWrite { value: 11 });
    assert!(sends(&fx).iter().any(|(_, m)| matches!(
        m,
        PaxosMsg::Accept {
            instance: 4,
            value: Some(11),
            ..
        }
    )));
}

#[test]
fn pms_2_2_a_value_is_chosen_once_a_majority_accepted_it() {
    let mut n1 = elect_n1(3, &PaxosConfig::default());
    step(&mut n1, 1, 3, 300 * MS, Input::ClientWrite { value: 4 });
    assert!(
        n1.chosen().is_empty(),
        "only the leader has accepted so far"
    );
    let ballot = n1.ballot();
    let fx = deliver(
        &mut n1,
        1,
        3,
        3,
        PaxosMsg::Accepted {
            ballot,
            instance: 1,
        },
    );
    assert_eq!(n1.chosen().get(&1), Some(&Some(4)));
    assert!(notes(&fx).iter().any(|(k, _)| *k == NoteKind::Commit));
}

// ----- stable leader, pre-emption, backoff -----

#[test]
fn a_follower_that_hears_no_heartbeat_runs_phase_1_and_heartbeats_reset_its_timer() {
    let mut n2 = booted(2, 3, &PaxosConfig::default());
    let fx = deliver(
        &mut n2,
        2,
        3,
        1,
        PaxosMsg::Heartbeat {
            ballot: b(1, 1),
            chosen: vec![(1, Some(3))],
        },
    );
    assert_eq!(n2.leader(), Some(1));
    assert_eq!(
        n2.chosen().get(&1),
        Some(&Some(3)),
        "heartbeats carry what is chosen"
    );
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: PaxosTimer::Election,
            ..
        }
    )));
    step(&mut n2, 2, 3, SEC, Input::Timer(PaxosTimer::Election));
    assert_eq!(n2.role(), Role::Candidate);
    assert_eq!(n2.ballot(), b(2, 2));
}

#[test]
fn a_preempted_proposer_backs_off_for_a_random_while_then_retries_higher() {
    let mut n2 = booted(2, 5, &PaxosConfig::default());
    step(&mut n2, 2, 5, 200 * MS, Input::Timer(PaxosTimer::Election));
    let mine = n2.ballot();
    let fx = deliver(
        &mut n2,
        2,
        5,
        3,
        PaxosMsg::Nack {
            ballot: mine,
            promised: b(1, 4),
        },
    );
    assert_eq!(n2.role(), Role::Waiting);
    let waits: Vec<Micros> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SetTimer {
                timer: PaxosTimer::Backoff,
                after,
            } => Some(*after),
            _ => None,
        })
        .collect();
    assert_eq!(waits.len(), 1);
    assert!((150 * MS..=300 * MS).contains(&waits[0]), "{waits:?}");
    let (_, text) = &notes(&fx)[0];
    assert!(
        text.contains("n2's ballot 1.n2 was pre-empted by 1.n4") && text.contains("backs off"),
        "{text}"
    );
    assert!(sends(&fx).is_empty(), "backing off means staying quiet");
    step(&mut n2, 2, 5, 500 * MS, Input::Timer(PaxosTimer::Backoff));
    assert_eq!(n2.role(), Role::Candidate);
    assert_eq!(n2.ballot(), b(2, 2), "above the ballot that beat it");
}

#[test]
fn a_waiting_proposer_follows_a_leader_it_hears_from_instead_of_retrying() {
    let mut n2 = booted(2, 5, &PaxosConfig::default());
    step(&mut n2, 2, 5, 200 * MS, Input::Timer(PaxosTimer::Election));
    let mine = n2.ballot();
    let nack = PaxosMsg::Nack {
        ballot: mine,
        promised: b(1, 4),
    };
    deliver(&mut n2, 2, 5, 3, nack);
    let hb = PaxosMsg::Heartbeat {
        ballot: b(1, 4),
        chosen: vec![],
    };
    let fx = deliver(&mut n2, 2, 5, 4, hb);
    assert_eq!(n2.role(), Role::Follower);
    assert_eq!(n2.leader(), Some(4));
    assert!(fx.contains(&Effect::CancelTimer {
        timer: PaxosTimer::Backoff
    }));
}

#[test]
fn without_randomized_backoff_a_preempted_proposer_retries_at_once() {
    let mut cfg = PaxosConfig::default();
    cfg.randomized_backoff = false;
    let mut n2 = booted(2, 5, &cfg);
    step(&mut n2, 2, 5, 200 * MS, Input::Timer(PaxosTimer::Election));
    let mine = n2.ballot();
    let fx = deliver(
        &mut n2,
        2,
        5,
        3,
        PaxosMsg::Nack {
            ballot: mine,
            promised: b(1, 4),
        },
    );
    assert_eq!(n2.role(), Role::Candidate);
    assert_eq!(n2.ballot(), b(2, 2));
    assert_eq!(sends(&fx).len(), 4, "Prepare(2.n2) to every peer at once");
}

#[test]
fn a_stale_leader_is_refused_and_steps_back() {
    let mut n1 = elect_n1(3, &PaxosConfig::default());
    let ballot = n1.ballot();
    // n3 promised a higher ballot while n1 was cut off; its heartbeat gets a Nack.
    let mut n3 = booted(3, 3, &PaxosConfig::default());
    deliver(&mut n3, 3, 3, 2, PaxosMsg::Prepare { ballot: b(5, 2) });
    let fx = deliver(
        &mut n3,
        3,
        3,
        1,
        PaxosMsg::Heartbeat {
            ballot,
            chosen: vec![],
        },
    );
    let nack = PaxosMsg::Nack {
        ballot,
        promised: b(5, 2),
    };
    assert_eq!(sends(&fx), vec![(1, nack.clone())]);
    let fx = deliver(&mut n1, 1, 3, 3, nack);
    assert_eq!(n1.role(), Role::Waiting);
    assert!(notes(&fx).iter().any(|(k, _)| *k == NoteKind::StepDown));
    assert!(fx.contains(&Effect::CancelTimer {
        timer: PaxosTimer::Heartbeat
    }));
}

#[test]
fn pms_2_3_promises_accepted_values_and_rounds_survive_a_crash() {
    let mut n3 = booted(3, 5, &PaxosConfig::default());
    deliver(&mut n3, 3, 5, 4, PaxosMsg::Prepare { ballot: b(6, 4) });
    let accept = PaxosMsg::Accept {
        ballot: b(6, 4),
        instance: 2,
        value: Some(8),
    };
    deliver(&mut n3, 3, 5, 4, accept);
    let disk = n3.persistent();
    let mut back = with_disk(3, 5, disk);
    assert_eq!(back.promised(), b(6, 4));
    assert_eq!(back.accepted().get(&2), Some(&(b(6, 4), Some(8))));
    assert_eq!(back.role(), Role::Follower);
    assert!(
        back.chosen().is_empty(),
        "what is chosen is relearned, not stored"
    );
    let fx = deliver(&mut back, 3, 5, 1, PaxosMsg::Prepare { ballot: b(5, 1) });
    assert!(matches!(sends(&fx)[..], [(1, PaxosMsg::Nack { .. })]));
    step(&mut back, 3, 5, SEC, Input::Timer(PaxosTimer::Election));
    assert_eq!(back.ballot(), b(7, 3));
}

#[test]
fn messages_from_unknown_nodes_or_odd_ballots_do_not_panic() {
    let mut n1 = elect_n1(3, &PaxosConfig::default());
    let ballot = n1.ballot();
    for msg in [
        PaxosMsg::Accepted {
            ballot,
            instance: u64::MAX,
        },
        PaxosMsg::Promise {
            ballot: b(u64::MAX, 99),
            accepted: vec![],
        },
        PaxosMsg::Nack {
            ballot,
            promised: b(u64::MAX, 99),
        },
        PaxosMsg::Prepare {
            ballot: b(u64::MAX, 99),
        },
    ] {
        deliver(&mut n1, 1, 3, 99, msg);
    }
    // Nothing was chosen from a phantom instance, and the highest ballot seen is
    // respected: n1 promised it and no longer leads.
    assert!(!n1.chosen().contains_key(&u64::MAX), "{:?}", n1.chosen());
    assert_eq!(n1.promised(), b(u64::MAX, 99));
    assert_ne!(n1.role(), Role::Leader);
    // Campaigning again cannot go above the largest round: it still does not panic,
    // and it never proposes below what it promised.
    step(&mut n1, 1, 3, SEC, Input::Timer(PaxosTimer::Election));
    assert!(n1.ballot() >= ballot, "{:?} after {ballot:?}", n1.ballot());
    let view = n1.view();
    assert!(!view.is_leader);
}

// ----- cluster level -----

/// Phase 1 in a quiet cluster: Prepare to the N-1 peers, and every one of them
/// promises because none has promised anything: 2(N-1) phase-1 messages, no Nack.
#[test]
fn a_single_proposer_wins_with_2_n_minus_1_phase_1_messages() {
    for n in [3u32, 5, 7, 9] {
        let mut sim = cluster(n, 7, patient(), "at 100ms timeout n1\n");
        sim.advance_to(SEC);
        let by_kind = &sim.stats().messages_by_kind;
        let count = |k: &str| by_kind.get(k).copied().unwrap_or(0);
        let expected = 2 * (u64::from(n) - 1);
        println!(
            "N={n}: Prepare {} + Promise {} = {} (formula 2(N-1) = {expected}), Nack {}",
            count("Prepare"),
            count("Promise"),
            count("Prepare") + count("Promise"),
            count("Nack")
        );
        assert_eq!(count("Prepare"), u64::from(n) - 1);
        assert_eq!(count("Promise"), u64::from(n) - 1);
        assert_eq!(count("Nack"), 0);
        assert_eq!(sim.stats().elections, 1);
        assert_eq!(sim.established_leader(), Some((1, b(1, 1).encode())));
    }
}

/// Duelling proposers (PMS §3, "progress"): both start phase 1 at one instant. With
/// no backoff each Nack or higher Prepare sends the loser straight back with a higher
/// ballot, which pre-empts the other; random backoff lets one finish.
#[test]
fn two_proposers_duel_without_randomized_backoff_and_settle_with_it() {
    let script = "at 100ms timeout n1\nat 100ms timeout n2\n";
    let window = 2 * SEC;
    let mut duel_elections = Vec::new();
    let mut settled_after = Vec::new();
    for seed in 0..20 {
        let mut no_backoff = patient();
        no_backoff.randomized_backoff = false;
        let mut sim = cluster(5, seed, no_backoff, script);
        sim.advance_to(100 * MS + window);
        let nacks = sim
            .stats()
            .messages_by_kind
            .get("Nack")
            .copied()
            .unwrap_or(0);
        duel_elections.push(sim.stats().elections);
        assert!(
            sim.stats().elections >= 20 && nacks >= 20,
            "seed {seed}: only {} elections and {nacks} Nacks in 2 s without backoff",
            sim.stats().elections
        );
        assert!(
            sim.stats().leaders.len() >= 10,
            "seed {seed}: leadership should keep changing hands"
        );
        assert_eq!(sim.stats().violations(), 0);

        let mut sim = cluster(5, seed, patient(), script);
        let mut at = None;
        while sim.now() < 100 * MS + window {
            let Some(t) = sim.next_event_time() else {
                break;
            };
            sim.advance_to(t);
            if at.is_none() && sim.established_leader().is_some() {
                at = Some(sim.now() - 100 * MS);
            }
        }
        let at = at.unwrap_or_else(|| panic!("seed {seed}: no leader in 2 s with backoff"));
        assert!(at <= 700 * MS, "seed {seed}: leader only after {at}us");
        assert!(
            sim.stats().elections <= 4,
            "seed {seed}: {}",
            sim.stats().elections
        );
        // The leader stays: nothing pre-empts it for the rest of the window.
        assert!(sim.established_leader().is_some());
        settled_after.push((at, sim.stats().elections));
    }
    let min = duel_elections.iter().min().copied().unwrap_or(0);
    let max = duel_elections.iter().max().copied().unwrap_or(0);
    let worst = settled_after.iter().map(|(t, _)| *t).max().unwrap_or(0);
    let most = settled_after.iter().map(|(_, e)| *e).max().unwrap_or(0);
    println!(
        "20 seeds, 5 nodes, 2 s: without backoff {min}-{max} elections and no stable leader; \
         with randomized backoff a leader after at most {}ms and {most} elections",
        worst / MS
    );
}

/// The Paxos safety core (PMS §2.2, P2c): write #1 is accepted by n1, n2, n3 (a
/// majority) under leader n1 while n4 and n5 are cut off. n1 and n3 crash, n4 runs
/// phase 1: its majority (n2, n4, n5) includes n2, who reports write #1, so n4 must
/// re-propose it in instance 1 rather than anything of its own.
const SAFETY_CORE: &str = "\
at 100ms timeout n1
at 300ms partition n1,n2,n3 | n4,n5
at 400ms write n1
at 500ms crash n1
at 500ms crash n3
at 600ms heal
at 700ms timeout n4
at 1.5s write n4
";

#[test]
fn a_value_accepted_by_a_majority_survives_a_leader_crash() {
    for seed in 0..30 {
        let mut sim = cluster(5, seed, patient(), SAFETY_CORE);
        sim.advance_to(2 * SEC);
        assert_eq!(
            sim.stats().violations(),
            0,
            "seed {seed}: {:?}",
            sim.stats().findings
        );
        let n4 = sim.node(4).expect("n4 runs");
        assert_eq!(n4.role(), Role::Leader, "seed {seed}");
        assert_eq!(
            n4.chosen().get(&1),
            Some(&Some(1)),
            "seed {seed}: write #1 kept"
        );
        assert_eq!(
            n4.chosen().get(&2),
            Some(&Some(2)),
            "seed {seed}: new write after it"
        );
        let n5 = sim.node(5).expect("n5 runs");
        assert_eq!(
            n5.chosen().get(&1),
            Some(&Some(1)),
            "seed {seed}: learned via heartbeat"
        );
    }
}

#[test]
fn the_checker_catches_a_leader_that_ignores_prior_accepted_values() {
    let buggy = patient().with_bug(PaxosBug::IgnorePriorAccepted);
    let mut sim = cluster(5, 0, buggy, SAFETY_CORE);
    sim.advance_to(2 * SEC);
    let found: Vec<String> = sim
        .stats()
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.finding.invariant, f.finding.text))
        .collect();
    println!("{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("One value per instance")),
        "{found:?}"
    );
}

#[test]
fn a_crashed_leader_is_replaced_by_a_follower_with_a_higher_ballot() {
    let mut sim = Simulation::<Paxos>::new(kernel(5, 3), Paxos::algo_config(&SimConfig::default()));
    sim.advance_to(SEC);
    let (old, ballot) = sim.established_leader().expect("a leader after 1 s");
    sim.act(electionscope::sim::Action::Crash {
        target: electionscope::sim::Target::Node(old),
    });
    sim.advance_to(2 * SEC);
    let (new, newer) = sim
        .established_leader()
        .expect("a new leader after the crash");
    assert_ne!(new, old);
    assert!(newer > ballot);
    assert_eq!(sim.stats().violations(), 0);
}

fn scenario_duel() -> &'static str {
    builtin_text("paxos-duel")
}

fn scenario_leader_crash() -> &'static str {
    builtin_text("paxos-leader-crash")
}

fn scenario_stale_leader() -> &'static str {
    builtin_text("paxos-stale-leader")
}

fn run_scenario(script: &str, until: Micros) -> (Simulation<Paxos>, Vec<String>) {
    let cfg = SimConfig {
        scenario: Some(script.into()),
        ..SimConfig::default()
    };
    let mut sim = electionscope::run::simulation::<Paxos>(&cfg).expect("scenario");
    sim.advance_to(until);
    let trace = sim.drain_trace().into_iter().map(|e| e.text).collect();
    assert_eq!(sim.stats().violations(), 0, "{:?}", sim.stats().findings);
    (sim, trace)
}

#[test]
fn scenario_duel_shows_pre_emption_and_backoff_then_one_leader() {
    let (sim, trace) = run_scenario(scenario_duel(), 3 * SEC);
    assert!(
        trace
            .iter()
            .any(|t| t.contains("was pre-empted by") && t.contains("backs off")),
        "{trace:#?}"
    );
    let (leader, _) = sim.established_leader().expect("one leader after the duel");
    let chosen = sim.node(leader).map(|p| p.chosen()).unwrap_or_default();
    assert_eq!(chosen.get(&1), Some(&Some(1)));
}

#[test]
fn scenario_leader_crash_shows_the_new_leader_re_proposing_the_accepted_write() {
    let (sim, trace) = run_scenario(scenario_leader_crash(), 3 * SEC);
    assert!(
        trace
            .iter()
            .any(|t| t.contains("must first re-propose") && t.contains("write #1")),
        "{trace:#?}"
    );
    let (leader, _) = sim.established_leader().expect("leader");
    let chosen = sim.node(leader).map(|p| p.chosen()).unwrap_or_default();
    assert_eq!(
        chosen.get(&1),
        Some(&Some(1)),
        "write #1 survives: {chosen:?}"
    );
    assert_eq!(
        chosen.get(&2),
        Some(&Some(2)),
        "write #2 after it: {chosen:?}"
    );
}

#[test]
fn scenario_stale_leader_loses_only_what_was_never_chosen() {
    let (sim, trace) = run_scenario(scenario_stale_leader(), 4 * SEC);
    let stale = sim.stats().leaders[0].node;
    let (leader, _) = sim.established_leader().expect("leader");
    assert_ne!(leader, stale);
    let old = sim.node(stale).expect("the old leader runs");
    assert_eq!(old.role(), Role::Follower);
    assert_eq!(old.leader(), Some(leader));
    let chosen = sim.node(leader).map(|p| p.chosen()).unwrap_or_default();
    assert_eq!(chosen.get(&1), Some(&Some(2)), "{chosen:?}");
    assert!(!chosen.values().any(|v| *v == Some(1)), "{chosen:?}");
    assert!(trace.iter().any(|t| t.contains("Stale leader")));
}

/// A built-in scenario's text: the rule tests run exactly what the page offers.
fn builtin_text(name: &str) -> &'static str {
    electionscope::scenario::builtin(name)
        .unwrap_or_else(|| panic!("no built-in scenario {name}"))
        .text
}
