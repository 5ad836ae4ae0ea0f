//! One test per ZAB rule, named after the rule and citing ZooKeeper's
//! `FastLeaderElection` (FLE) or the Zab paper's phases (Junqueira et al., 2011).
//! Engine-level tests drive one server with inputs and compare the effects it returns;
//! cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self, notes, sends, timers_set};
use electionscope::algo::zab::{
    FollowStage, LeadStage, Role, ServerState, Txn, Vote, Zab, ZabConfig, ZabDisk, ZabMsg,
    ZabTimer, zxid,
};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{
    Algorithm, Effect, Input, KernelConfig, MS, Micros, NodeId, NoteKind, SEC, Simulation,
};

type Fx = Vec<Effect<ZabMsg, ZabTimer>>;

fn step(node: &mut Zab, me: NodeId, n: u32, now: Micros, input: Input<ZabMsg, ZabTimer>) -> Fx {
    engine::step_node(node, me, n, now, None, input)
}

fn deliver(node: &mut Zab, me: NodeId, n: u32, from: NodeId, msg: ZabMsg) -> Fx {
    step(node, me, n, 10 * MS, Input::Message { from, msg })
}

fn looking(vote: Vote, round: u64) -> ZabMsg {
    ZabMsg::Notification {
        vote,
        election_epoch: round,
        state: ServerState::Looking,
    }
}

fn booted(me: NodeId, n: u32) -> Zab {
    with_disk(me, n, ZabDisk::default())
}

fn with_disk(me: NodeId, n: u32, disk: ZabDisk) -> Zab {
    let mut z = Zab::recover(me, n as usize, &ZabConfig::default(), &disk);
    step(&mut z, me, n, 0, Input::Start { recovered: true });
    z
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

fn cluster(nodes: u32, seed: u64, script: &str) -> Simulation<Zab> {
    let cfg = SimConfig::default();
    let mut sim = Simulation::<Zab>::new(kernel(nodes, seed), Zab::algo_config(&cfg));
    let sc = Scenario::parse(script).expect("scenario parses");
    for s in sc.steps {
        sim.schedule(s.at, s.action);
    }
    sim
}

fn v(leader: NodeId, zxid: u64, epoch: u64) -> Vote {
    Vote::new(leader, zxid, epoch)
}

fn count_kind(fx: &Fx, kind: NoteKind) -> usize {
    notes(fx).iter().filter(|(k, _)| *k == kind).count()
}

/// Server `me` of `n` decides on its own vote: it hears a quorum vote for it and its
/// finalize wait passes.
fn prospective_leader(me: NodeId, n: u32, disk: ZabDisk) -> Zab {
    let mut z = with_disk(me, n, disk);
    let own = z.proposal();
    let round = z.logical_clock();
    for from in (1..=n).filter(|&f| f != me).take((n / 2) as usize) {
        deliver(&mut z, me, n, from, looking(own, round));
    }
    step(&mut z, me, n, 300 * MS, Input::Timer(ZabTimer::Finalize));
    assert_eq!(z.role(), Role::Leading(LeadStage::Discovery));
    z
}

// ----- fast leader election -----

#[test]
fn fle_votes_are_ordered_by_epoch_then_zxid_then_server_id() {
    assert!(v(1, zxid(1, 1), 3) > v(5, zxid(9, 9), 2), "epoch first");
    assert!(v(1, zxid(2, 5), 2) > v(5, zxid(2, 4), 2), "then zxid");
    assert!(v(5, zxid(2, 4), 2) > v(4, zxid(2, 4), 2), "then id");
    assert_eq!(zxid(2, 3), 0x2_0000_0003);
    assert_eq!(v(5, zxid(2, 3), 2).to_string(), "n5 · 0x200000003");
}

#[test]
fn fle_a_looking_server_first_votes_for_itself_and_tells_everyone() {
    let disk = ZabDisk {
        accepted_epoch: 2,
        accepted_from: None,
        current_epoch: 2,
        history: vec![Txn {
            zxid: zxid(2, 1),
            value: 1,
        }],
    };
    let mut z = Zab::recover(3, 5, &ZabConfig::default(), &disk);
    let fx = step(&mut z, 3, 5, 0, Input::Start { recovered: true });
    let own = v(3, zxid(2, 1), 2);
    assert_eq!(z.role(), Role::Looking);
    assert_eq!(z.proposal(), own);
    let out = sends(&fx);
    assert_eq!(out.len(), 4, "{out:?}");
    assert!(out.iter().all(|(_, m)| *m == looking(own, 1)));
    assert_eq!(count_kind(&fx, NoteKind::ElectionStart), 1);
    assert!(timers_set(&fx).contains(&(ZabTimer::Notify, 200 * MS)));
}

#[test]
fn fle_same_round_a_better_vote_is_adopted_and_broadcast() {
    let mut n3 = booted(3, 5);
    let better = v(5, zxid(0, 0), 0);
    let fx = deliver(&mut n3, 3, 5, 5, looking(better, 1));
    assert_eq!(n3.proposal(), better);
    assert_eq!(sends(&fx).len(), 4);
    let (kind, text) = &notes(&fx)[0];
    assert_eq!(*kind, NoteKind::Vote);
    assert!(text.contains("n3 switches its vote to n5"), "{text}");
    assert!(text.contains("same epoch and zxid, higher id"), "{text}");

    // A worse vote changes nothing, but its sender is told the better one.
    let fx = deliver(&mut n3, 3, 5, 1, looking(v(1, 0, 0), 1));
    assert_eq!(n3.proposal(), better);
    assert_eq!(sends(&fx), vec![(1, looking(better, 1))]);
}

#[test]
fn fle_a_higher_zxid_beats_a_higher_id_and_the_note_says_why() {
    let disk = ZabDisk {
        accepted_epoch: 1,
        accepted_from: None,
        current_epoch: 1,
        history: vec![],
    };
    let mut n5 = with_disk(5, 5, disk);
    let fx = deliver(&mut n5, 5, 5, 3, looking(v(3, zxid(1, 2), 1), 1));
    assert_eq!(n5.proposal().leader, 3);
    let text = &notes(&fx)[0].1;
    assert!(
        text.contains("same epoch, higher zxid (0x100000002 > 0x0)"),
        "{text}"
    );
}

#[test]
fn fle_a_higher_election_round_resets_the_received_votes() {
    let mut n4 = booted(4, 5);
    let own = n4.proposal();
    deliver(&mut n4, 4, 5, 1, looking(own, 1));
    assert_eq!(n4.view().fields[5].1, "2/5 (need 3)");
    let fx = deliver(&mut n4, 4, 5, 2, looking(v(2, 0, 0), 3));
    assert_eq!(n4.logical_clock(), 3, "adopts the higher round");
    assert_eq!(n4.proposal(), own, "its own vote is still better");
    assert_eq!(n4.view().fields[5].1, "1/5 (need 3)", "old round forgotten");
    assert!(
        sends(&fx).iter().all(|(_, m)| *m == looking(own, 3)),
        "re-broadcast in the new round"
    );
}

#[test]
fn fle_a_lower_round_is_answered_with_the_own_notification() {
    let mut n4 = booted(4, 5);
    deliver(&mut n4, 4, 5, 2, looking(v(2, 0, 0), 3));
    let fx = deliver(&mut n4, 4, 5, 1, looking(v(1, 0, 0), 1));
    assert_eq!(sends(&fx), vec![(1, looking(n4.proposal(), 3))]);
}

#[test]
fn fle_a_quorum_waits_finalize_wait_before_deciding() {
    let mut n5 = booted(5, 5);
    let own = n5.proposal();
    deliver(&mut n5, 5, 5, 1, looking(own, 1));
    let fx = deliver(&mut n5, 5, 5, 2, looking(own, 1));
    assert!(timers_set(&fx).contains(&(ZabTimer::Finalize, 200 * MS)));
    let text = &notes(&fx)[0].1;
    assert!(
        text.contains("n5 has a quorum for itself (n1, n2, n5); waits 200ms for a better vote"),
        "{text}"
    );
    assert_eq!(n5.role(), Role::Looking, "not decided before the wait ends");
    step(&mut n5, 5, 5, 250 * MS, Input::Timer(ZabTimer::Finalize));
    assert_eq!(n5.role(), Role::Leading(LeadStage::Discovery));
    assert!(!n5.view().is_leader, "deciding to lead is not leading yet");
}

#[test]
fn fle_a_better_vote_during_the_finalize_wait_cancels_the_decision() {
    let mut n4 = booted(4, 5);
    let own = n4.proposal();
    deliver(&mut n4, 4, 5, 1, looking(own, 1));
    deliver(&mut n4, 4, 5, 2, looking(own, 1));
    let fx = deliver(&mut n4, 4, 5, 5, looking(v(5, 0, 0), 1));
    assert!(fx.contains(&Effect::CancelTimer {
        timer: ZabTimer::Finalize
    }));
    assert_eq!(n4.proposal().leader, 5);
    step(&mut n4, 4, 5, 250 * MS, Input::Timer(ZabTimer::Finalize));
    assert_eq!(
        n4.role(),
        Role::Looking,
        "a stale finalize timer decides nothing"
    );
}

#[test]
fn fle_a_quiet_server_resends_and_doubles_its_notification_timeout() {
    let mut n2 = booted(2, 5);
    let mut waits = Vec::new();
    for k in 1..=4 {
        let fx = step(&mut n2, 2, 5, k * SEC, Input::Timer(ZabTimer::Notify));
        assert_eq!(sends(&fx).len(), 4, "resends to every peer");
        waits.extend(
            timers_set(&fx)
                .into_iter()
                .filter(|(t, _)| *t == ZabTimer::Notify)
                .map(|(_, after)| after),
        );
    }
    assert_eq!(
        waits,
        vec![400 * MS, 800 * MS, SEC, SEC],
        "doubling, capped"
    );
}

#[test]
fn fle_a_looking_server_joins_a_leader_a_quorum_reports() {
    let mut n1 = booted(1, 5);
    let leader = v(5, 0, 1);
    let settled = |state| ZabMsg::Notification {
        vote: leader,
        election_epoch: 1,
        state,
    };
    deliver(&mut n1, 1, 5, 2, settled(ServerState::Following));
    deliver(&mut n1, 1, 5, 3, settled(ServerState::Following));
    assert_eq!(
        n1.role(),
        Role::Looking,
        "followers alone do not prove a leader"
    );
    let fx = deliver(&mut n1, 1, 5, 5, settled(ServerState::Leading));
    assert_eq!(n1.role(), Role::Following(FollowStage::Discovery));
    assert_eq!(n1.leader(), Some(5));
    assert_eq!(
        sends(&fx),
        vec![(
            5,
            ZabMsg::FollowerInfo {
                accepted_epoch: 0,
                accepted_from: None,
            }
        )]
    );
}

// ----- discovery and sync -----

#[test]
fn zab_discovery_a_leader_serves_only_once_a_quorum_accepted_its_epoch_and_history() {
    let disk = ZabDisk {
        accepted_epoch: 2,
        accepted_from: None,
        current_epoch: 2,
        history: vec![Txn {
            zxid: zxid(2, 1),
            value: 7,
        }],
    };
    let mut n1 = prospective_leader(1, 3, disk);
    let fx = step(&mut n1, 1, 3, SEC, Input::ClientWrite { value: 9 });
    assert!(
        sends(&fx).is_empty(),
        "no proposal before the epoch is established"
    );

    let fx = deliver(
        &mut n1,
        1,
        3,
        2,
        ZabMsg::FollowerInfo {
            accepted_epoch: 4,
            accepted_from: None,
        },
    );
    assert_eq!(sends(&fx), vec![(2, ZabMsg::NewEpoch { epoch: 5 })]);
    assert!(
        notes(&fx)[0]
            .1
            .contains("n1 proposes epoch 5 after hearing from a quorum (n1, n2)")
    );
    assert_eq!(n1.accepted_epoch(), 5);
    assert!(!n1.view().is_leader);

    let fx = deliver(
        &mut n1,
        1,
        3,
        2,
        ZabMsg::AckEpoch {
            epoch: 5,
            current_epoch: 2,
            last_zxid: 0,
        },
    );
    assert!(matches!(
        sends(&fx)[..],
        [(2, ZabMsg::NewLeader { epoch: 5, .. })]
    ));
    assert!(!n1.view().is_leader, "NEWLEADER is not yet acknowledged");
    assert_eq!(n1.current_epoch(), 2);

    let fx = deliver(
        &mut n1,
        1,
        3,
        2,
        ZabMsg::Ack {
            epoch: 5,
            zxid: zxid(2, 1),
        },
    );
    assert!(n1.is_established());
    let view = n1.view();
    assert!(view.is_leader);
    assert_eq!((view.term, view.leader), (5, Some(1)));
    assert_eq!(n1.persistent().current_epoch, 5, "currentEpoch is on disk");
    assert_eq!(count_kind(&fx, NoteKind::Leader), 1);
    assert_eq!(view.commit_index, 1, "the initial history is committed");

    let fx = step(&mut n1, 1, 3, SEC, Input::ClientWrite { value: 9 });
    let proposal = ZabMsg::Proposal {
        epoch: 5,
        prev: zxid(2, 1),
        txn: Txn {
            zxid: zxid(5, 1),
            value: 9,
        },
    };
    assert_eq!(sends(&fx), vec![(2, proposal)]);
}

#[test]
fn zab_discovery_a_follower_refuses_an_epoch_not_above_the_one_it_accepted() {
    let disk = ZabDisk {
        accepted_epoch: 4,
        accepted_from: None,
        current_epoch: 3,
        history: vec![],
    };
    let mut n2 = with_disk(2, 3, disk);
    let lead = v(1, 0, 3);
    let settled = |state| ZabMsg::Notification {
        vote: lead,
        election_epoch: 1,
        state,
    };
    deliver(&mut n2, 2, 3, 3, settled(ServerState::Following));
    deliver(&mut n2, 2, 3, 1, settled(ServerState::Leading));
    assert_eq!(n2.role(), Role::Following(FollowStage::Discovery));
    let fx = deliver(&mut n2, 2, 3, 1, ZabMsg::NewEpoch { epoch: 4 });
    assert_eq!(n2.role(), Role::Looking);
    assert_eq!(n2.accepted_epoch(), 4);
    assert!(
        notes(&fx)[0]
            .1
            .contains("n2 refuses NEWEPOCH 4 from n1: it has already accepted epoch 4")
    );
    assert!(
        !sends(&fx)
            .iter()
            .any(|(_, m)| matches!(m, ZabMsg::AckEpoch { .. }))
    );
}

/// A follower that accepted n1's epoch 4, lost touch (a pause, a cut) and rejoins
/// n1 is sent epoch 4 again: ZooKeeper's Learner acknowledges it again. Refusing it
/// sent the follower back to LOOKING, where the quorum pointed it at n1 again, for
/// ever (found by the shared fault schedules: 18,000 messages a second at 7 nodes).
#[test]
fn zab_discovery_a_follower_rejoining_the_leader_whose_epoch_it_accepted_acknowledges_it_again() {
    let follow_n1 = |n2: &mut Zab| {
        let lead = v(1, 0, 3);
        for (from, state) in [(3, ServerState::Following), (1, ServerState::Leading)] {
            let m = ZabMsg::Notification {
                vote: lead,
                election_epoch: 1,
                state,
            };
            deliver(n2, 2, 3, from, m);
        }
        assert_eq!(n2.role(), Role::Following(FollowStage::Discovery));
    };
    let from_n1 = ZabDisk {
        accepted_epoch: 4,
        accepted_from: Some(1),
        current_epoch: 3,
        history: vec![],
    };
    let mut n2 = with_disk(2, 3, from_n1.clone());
    follow_n1(&mut n2);
    let fx = deliver(&mut n2, 2, 3, 1, ZabMsg::NewEpoch { epoch: 4 });
    assert_eq!(n2.role(), Role::Following(FollowStage::Sync));
    assert!(sends(&fx).contains(&(
        1,
        ZabMsg::AckEpoch {
            epoch: 4,
            current_epoch: 3,
            last_zxid: 0
        }
    )));
    assert!(
        notes(&fx)[0]
            .1
            .contains("rejoins n1, whose epoch 4 it had already accepted")
    );
    // The same epoch from another leader is still refused: one leader per epoch.
    let from_n3 = ZabDisk {
        accepted_from: Some(3),
        ..from_n1
    };
    let mut n2 = with_disk(2, 3, from_n3);
    follow_n1(&mut n2);
    deliver(&mut n2, 2, 3, 1, ZabMsg::NewEpoch { epoch: 4 });
    assert_eq!(n2.role(), Role::Looking);
}

/// The leader's side of the same loop: a server that accepted the leader's epoch from
/// another leader (or a higher one) can never join it, so the leader starts a new
/// election whose epoch everyone can accept.
#[test]
fn zab_discovery_an_established_leader_steps_aside_for_a_server_it_can_never_take_in() {
    let mut n1 = prospective_leader(1, 3, ZabDisk::default());
    let info = |accepted_epoch, accepted_from| ZabMsg::FollowerInfo {
        accepted_epoch,
        accepted_from,
    };
    deliver(&mut n1, 1, 3, 2, info(0, None));
    assert_eq!(n1.accepted_epoch(), 1);
    // n3 accepted epoch 1 from n1 itself: it is simply sent the epoch again.
    let fx = deliver(&mut n1, 1, 3, 3, info(1, Some(1)));
    assert_eq!(sends(&fx), vec![(3, ZabMsg::NewEpoch { epoch: 1 })]);
    // n3 accepted epoch 1 from n2 (which tried to lead and failed): shut out.
    let fx = deliver(&mut n1, 1, 3, 3, info(1, Some(2)));
    assert_eq!(n1.role(), Role::Looking);
    assert!(
        notes(&fx)[0].1.contains(
            "n3 has accepted epoch 1 from n2, so it can never join n1's epoch 1: n1 gives up leading"
        ),
        "{fx:?}"
    );
    // A higher epoch shuts a server out too.
    let mut n1 = prospective_leader(1, 3, ZabDisk::default());
    deliver(&mut n1, 1, 3, 2, info(0, None));
    deliver(&mut n1, 1, 3, 3, info(5, Some(2)));
    assert_eq!(n1.role(), Role::Looking);
}

/// The schedule that found the loop: after healing, the rate is what an election and
/// a steady leader cost, not a notification storm.
#[test]
fn zab_servers_shut_out_of_an_epoch_rejoin_after_one_more_election() {
    let script = "at 450ms crash leader\nat 1.043s drop 10%\nat 1.582s pause n4 for 763ms\n\
                  at 1.662s drop 14%\nat 1.709s write n2\nat 1.996s crash leader\n\
                  at 2.642s pause n2 for 800ms\nat 2.734s cut n1->n2\nat 3.999s heal\n\
                  at 4s drop 0%\nat 4s restart n1\nat 4s restart n2\nat 4s restart n3\n\
                  at 4s restart n4\nat 4s restart n5\n";
    let mut k = kernel(5, 2450);
    k.latency = (MS, MS);
    let mut sim = Simulation::<Zab>::new(k, Zab::algo_config(&SimConfig::default()));
    for s in Scenario::parse(script).expect("parses").steps {
        sim.schedule(s.at, s.action);
    }
    sim.advance_to(5 * SEC);
    let before = sim.stats().messages_sent;
    sim.advance_to(6 * SEC);
    let last_second = sim.stats().messages_sent - before;
    assert!(
        last_second < 300,
        "{last_second} messages in the second after settling (it was 6,600)"
    );
    let following = sim
        .views()
        .iter()
        .filter(|v| v.leader == sim.established_leader().map(|(l, _)| l))
        .count();
    assert_eq!(following, 5, "every server follows the leader");
}

#[test]
fn zab_discovery_a_leader_gives_up_when_a_follower_is_ahead_of_it() {
    let mut n1 = prospective_leader(1, 3, ZabDisk::default());
    deliver(
        &mut n1,
        1,
        3,
        2,
        ZabMsg::FollowerInfo {
            accepted_epoch: 1,
            accepted_from: None,
        },
    );
    let fx = deliver(
        &mut n1,
        1,
        3,
        2,
        ZabMsg::AckEpoch {
            epoch: 2,
            current_epoch: 1,
            last_zxid: zxid(1, 3),
        },
    );
    assert_eq!(n1.role(), Role::Looking);
    assert!(
        notes(&fx)[0]
            .1
            .contains("n1 gives up leading: n2 is ahead of it")
    );
}

#[test]
fn zab_sync_a_follower_takes_the_leaders_history_and_persists_its_epoch() {
    let disk = ZabDisk {
        accepted_epoch: 1,
        accepted_from: None,
        current_epoch: 1,
        history: vec![
            Txn {
                zxid: zxid(1, 1),
                value: 1,
            },
            Txn {
                zxid: zxid(1, 2),
                value: 2,
            },
        ],
    };
    let mut n2 = with_disk(2, 3, disk);
    let lead = v(1, zxid(1, 1), 1);
    for (from, state) in [(3, ServerState::Following), (1, ServerState::Leading)] {
        let msg = ZabMsg::Notification {
            vote: lead,
            election_epoch: 1,
            state,
        };
        deliver(&mut n2, 2, 3, from, msg);
    }
    let fx = deliver(&mut n2, 2, 3, 1, ZabMsg::NewEpoch { epoch: 2 });
    assert_eq!(
        sends(&fx),
        vec![(
            1,
            ZabMsg::AckEpoch {
                epoch: 2,
                current_epoch: 1,
                last_zxid: zxid(1, 2)
            }
        )]
    );
    assert_eq!(n2.persistent().accepted_epoch, 2);
    let history = vec![Txn {
        zxid: zxid(1, 1),
        value: 1,
    }];
    let fx = deliver(
        &mut n2,
        2,
        3,
        1,
        ZabMsg::NewLeader {
            epoch: 2,
            history: history.clone(),
            commit: 0,
        },
    );
    assert_eq!(
        n2.history(),
        &history[..],
        "the uncommitted 0x100000002 is dropped"
    );
    assert_eq!(n2.persistent().current_epoch, 2);
    assert_eq!(
        sends(&fx),
        vec![(
            1,
            ZabMsg::Ack {
                epoch: 2,
                zxid: zxid(1, 1)
            }
        )]
    );
    assert_eq!(n2.view().term, 2);
    assert_eq!(n2.view().leader, Some(1));
}

#[test]
fn zab_crash_recovery_keeps_the_epochs_and_the_history() {
    let mut sim = cluster(
        5,
        1,
        "at 1s write leader\nat 2s crash leader\nat 3s write leader\nat 4s restart n5\n",
    );
    sim.advance_to(1_500 * MS);
    let before = sim.node(3).unwrap().persistent();
    assert_eq!((before.accepted_epoch, before.current_epoch), (1, 1));
    assert_eq!(before.history.len(), 1);
    sim.advance_to(5 * SEC);
    let (leader, epoch) = sim.established_leader().expect("a leader after the crash");
    assert_ne!(leader, 5);
    assert_eq!(epoch, 2);
    let n5 = sim.node(5).unwrap();
    assert_eq!(
        n5.current_epoch(),
        2,
        "the restarted n5 rejoined and synced"
    );
    assert_eq!(n5.history().len(), 2);
    assert_eq!(n5.leader(), Some(leader));
    assert_eq!(sim.stats().violations(), 0);
}

// ----- liveness: a leader that loses its quorum -----

#[test]
fn zab_a_leader_partitioned_into_a_minority_steps_down_and_the_majority_moves_on() {
    let mut sim = cluster(
        5,
        1,
        "at 1s write n5\nat 2s partition n4,n5 | n1,n2,n3\nat 2.1s write n5\nat 5s heal\n",
    );
    sim.advance_to(1_900 * MS);
    assert_eq!(sim.established_leader(), Some((5, 1)));
    sim.advance_to(2_600 * MS);
    let n5 = sim.node(5).unwrap();
    assert_eq!(
        n5.role(),
        Role::Looking,
        "n5 lost its quorum within syncLimit"
    );
    let (leader, epoch) = sim.established_leader().expect("the majority elected");
    assert!(leader <= 3 && epoch == 2, "{leader} {epoch}");
    assert_eq!(
        n5.history().len(),
        2,
        "n5 holds the write it could not commit"
    );
    // n4 and n5 may sit in their notification backoff (up to 1 s) when the heal comes.
    sim.advance_to(6_500 * MS);
    for id in 1..=5 {
        let z = sim.node(id).unwrap();
        assert_eq!(z.current_epoch(), 2, "n{id}");
        assert_eq!(z.history().len(), 1, "n{id}: the uncommitted write is gone");
    }
    assert_eq!(sim.established_leader(), Some((leader, 2)));
    assert_eq!(sim.stats().violations(), 0);
}

#[test]
fn zab_the_most_recent_history_wins_not_the_highest_id() {
    let sc = electionscope::scenario::builtin("zab-highest-zxid").unwrap();
    let body: String = sc
        .text
        .lines()
        .filter(|l| l.starts_with("at "))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut sim = cluster(5, 1, &body);
    sim.advance_to(3 * SEC);
    assert_eq!(sim.established_leader(), Some((3, 2)));
    assert!(sim.node(4).unwrap().history().len() == 2, "n4 was synced");
}

// ----- message counts -----

/// A clean start of 5 servers with a fixed 10 ms latency. Discovery and sync cost
/// exactly N-1 messages of each of its five kinds (FOLLOWERINFO, NEWEPOCH, ACKEPOCH,
/// NEWLEADER, ACK): 5(N-1) = 20. FLE costs at least N(N-1) = 20 notifications (each
/// server's own vote) plus (N-1)(N-1) = 16 for the others switching to n5 once. In this
/// lock-step start each server hears the others in id order, so n1 switches four
/// times, n2 three, n3 two, n4 once (40 more), and servers answer worse votes directly:
/// 100 measured, an exact figure that a change to the election's rules must explain.
#[test]
fn zab_a_clean_five_server_start_costs_the_stated_messages() {
    let mut sim = Simulation::<Zab>::new(
        KernelConfig {
            nodes: 5,
            seed: 1,
            latency: (10 * MS, 10 * MS),
            drop_ppm: 0,
            ..KernelConfig::default()
        },
        ZabConfig::default(),
    );
    sim.advance_to(400 * MS);
    assert_eq!(sim.established_leader(), Some((5, 1)));
    let by = &sim.stats().messages_by_kind;
    let n = |k: &str| by.get(k).copied().unwrap_or(0);
    for kind in ["FollowerInfo", "NewEpoch", "AckEpoch", "NewLeader", "Ack"] {
        assert_eq!(n(kind), 4, "{kind}: N-1");
    }
    let notifications = n("Notification");
    assert!(notifications >= 20 + 16, "{notifications}");
    assert_eq!(notifications, 100, "measured");
}

// ----- robustness -----

/// Whatever arrives, in whatever state, a server neither panics nor breaks Zab's
/// ordering of its own epochs: currentEpoch never exceeds acceptedEpoch.
#[test]
fn zab_any_input_in_any_state_is_handled_and_keeps_current_at_most_accepted() {
    let n = 5;
    let mut r = SimRng::new(7, Stream::Faults);
    let mut nodes: Vec<Zab> = (1..=n).map(|id| booted(id, n)).collect();
    let small = |r: &mut SimRng| r.range(0, 4);
    for k in 0..20_000u64 {
        let me = r.range(1, u64::from(n)) as NodeId;
        let from = r.range(1, u64::from(n)) as NodeId;
        let epoch = small(&mut r);
        let z = zxid(small(&mut r), small(&mut r));
        let txn = Txn { zxid: z, value: k };
        let input = match r.range(0, 14) {
            0 => Input::Message {
                from,
                msg: ZabMsg::Notification {
                    vote: v(r.range(1, 5) as NodeId, z, epoch),
                    election_epoch: small(&mut r),
                    state: [
                        ServerState::Looking,
                        ServerState::Following,
                        ServerState::Leading,
                    ][r.range(0, 2) as usize],
                },
            },
            1 => Input::Message {
                from,
                msg: ZabMsg::FollowerInfo {
                    accepted_epoch: epoch,
                    accepted_from: Some(r.range(0, 6) as NodeId),
                },
            },
            2 => Input::Message {
                from,
                msg: ZabMsg::NewEpoch { epoch },
            },
            3 => Input::Message {
                from,
                msg: ZabMsg::AckEpoch {
                    epoch,
                    current_epoch: small(&mut r),
                    last_zxid: z,
                },
            },
            4 => Input::Message {
                from,
                msg: ZabMsg::NewLeader {
                    epoch,
                    history: vec![txn],
                    commit: z,
                },
            },
            5 => Input::Message {
                from,
                msg: ZabMsg::Ack { epoch, zxid: z },
            },
            6 => Input::Message {
                from,
                msg: ZabMsg::Proposal {
                    epoch,
                    prev: zxid(epoch, 0),
                    txn,
                },
            },
            7 => Input::Message {
                from,
                msg: ZabMsg::Commit { epoch, zxid: z },
            },
            8 => Input::Message {
                from,
                msg: ZabMsg::Ping { epoch, commit: z },
            },
            9 => Input::Timer(ZabTimer::Notify),
            10 => Input::Timer(ZabTimer::Finalize),
            11 => Input::Timer(ZabTimer::Tick),
            12 => Input::Timer(ZabTimer::Sync),
            _ => Input::ClientWrite { value: k },
        };
        let node = &mut nodes[me as usize - 1];
        step(node, me, n, k * MS, input);
        assert!(
            node.current_epoch() <= node.accepted_epoch(),
            "n{me} at step {k}: current {} > accepted {}",
            node.current_epoch(),
            node.accepted_epoch()
        );
        let view = node.view();
        assert!(view.commit_index as usize <= view.log.len());
    }
}
