//! One test per Raft rule, named after the rule and citing the paper's section.
//! Engine-level tests drive a single node with inputs and compare the effects it
//! returns; cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self, sends};
use electionscope::algo::raft::{
    AppendEntries, Denial, Entry, Raft, RaftConfig, RaftMsg, RaftTimer, Role,
};
use electionscope::config::SimConfig;
use electionscope::run::simulation;
use electionscope::sim::{
    Action, Algorithm, Effect, Input, MS, Micros, NodeId, SEC, Simulation, Target,
};

type Fx = Vec<Effect<RaftMsg, RaftTimer>>;

/// Feeds one input to node `me` of an `n`-node cluster and returns its effects.
fn step(node: &mut Raft, me: NodeId, n: u32, now: Micros, input: Input<RaftMsg, RaftTimer>) -> Fx {
    engine::step_node(node, me, n, now, None, input)
}

fn vote(term: u64, last_index: u64, last_term: u64) -> RaftMsg {
    RaftMsg::Vote {
        term,
        last_index,
        last_term,
        pre: false,
    }
}

fn reply(granted: bool, term: u64, denial: Option<Denial>) -> RaftMsg {
    RaftMsg::VoteReply {
        term,
        granted,
        pre: false,
        denial,
    }
}

fn booted(me: NodeId, n: u32, cfg: &RaftConfig) -> Raft {
    let mut r = Raft::boot(me, n as usize, cfg);
    step(&mut r, me, n, 0, Input::Start { recovered: false });
    r
}

/// A node that holds `log` on disk, booted as a follower.
fn with_log(me: NodeId, n: u32, term: u64, log: Vec<Entry>) -> Raft {
    let disk = electionscope::algo::raft::RaftDisk {
        term,
        voted_for: None,
        log,
    };
    let mut r = Raft::recover(me, n as usize, &RaftConfig::default(), &disk);
    step(&mut r, me, n, 0, Input::Start { recovered: true });
    r
}

fn e(term: u64) -> Entry {
    Entry {
        term,
        value: Some(term),
    }
}

fn sim(cfg: SimConfig) -> Simulation<Raft> {
    simulation::<Raft>(&cfg).expect("valid scenario")
}

fn cfg(nodes: u32, seed: u64, scenario: Option<&str>) -> SimConfig {
    SimConfig {
        nodes,
        seed,
        scenario: scenario.map(str::to_string),
        ..SimConfig::default()
    }
}

/// n1 of a 3-node cluster times out and wins term 1 with n2's vote; returns the leader
/// and the effects of winning.
fn elect_n1_of_three() -> (Raft, Fx) {
    let mut n1 = booted(1, 3, &RaftConfig::default());
    step(&mut n1, 1, 3, 200 * MS, Input::Timer(RaftTimer::Election));
    let won = Input::Message {
        from: 2,
        msg: reply(true, 1, None),
    };
    let fx = step(&mut n1, 1, 3, 210 * MS, won);
    assert_eq!(n1.role(), Role::Leader);
    (n1, fx)
}

// ----- §5.2 leader election -----

#[test]
fn s5_2_a_follower_grants_one_vote_per_term() {
    let mut n3 = booted(3, 5, &RaftConfig::default());
    let fx = step(
        &mut n3,
        3,
        5,
        10 * MS,
        Input::Message {
            from: 1,
            msg: vote(1, 0, 0),
        },
    );
    assert_eq!(sends(&fx), vec![(1, reply(true, 1, None))]);
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::SetTimer {
                timer: RaftTimer::Election,
                ..
            }
        )),
        "granting a vote resets the election timer"
    );

    let fx = step(
        &mut n3,
        3,
        5,
        11 * MS,
        Input::Message {
            from: 2,
            msg: vote(1, 0, 0),
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(
            2,
            reply(false, 1, Some(Denial::AlreadyVoted { for_node: 1 }))
        )]
    );

    // The same candidate asking again gets the same answer (a retransmission).
    let fx = step(
        &mut n3,
        3,
        5,
        12 * MS,
        Input::Message {
            from: 1,
            msg: vote(1, 0, 0),
        },
    );
    assert_eq!(sends(&fx), vec![(1, reply(true, 1, None))]);
}

#[test]
fn s5_2_a_timeout_starts_an_election_in_the_next_term() {
    let mut n1 = booted(1, 3, &RaftConfig::default());
    let fx = step(&mut n1, 1, 3, 200 * MS, Input::Timer(RaftTimer::Election));
    assert_eq!(n1.role(), Role::Candidate);
    assert_eq!(n1.term(), 1);
    assert_eq!(n1.voted_for(), Some(1), "a candidate votes for itself");
    assert_eq!(sends(&fx), vec![(2, vote(1, 0, 0)), (3, vote(1, 0, 0))]);
}

#[test]
fn s5_2_a_candidate_with_a_majority_becomes_leader_and_sends_heartbeats() {
    let (_, fx) = elect_n1_of_three();
    let out = sends(&fx);
    assert_eq!(out.len(), 2, "AppendEntries to both peers: {out:?}");
    for (_, m) in out {
        let RaftMsg::Append(a) = m else {
            panic!("expected AppendEntries, got {m:?}")
        };
        assert_eq!((a.term, a.prev_index), (1, 0));
        assert_eq!(
            a.entries,
            vec![Entry {
                term: 1,
                value: None
            }],
            "the new leader's no-op"
        );
    }
}

#[test]
fn s5_1_a_node_steps_down_on_seeing_a_higher_term() {
    let (mut n1, _) = elect_n1_of_three();
    let fx = step(
        &mut n1,
        1,
        3,
        300 * MS,
        Input::Message {
            from: 3,
            msg: RaftMsg::AppendReply {
                term: 4,
                success: false,
                match_index: 0,
            },
        },
    );
    assert_eq!(n1.role(), Role::Follower);
    assert_eq!(n1.term(), 4);
    assert_eq!(n1.voted_for(), None, "a new term starts with no vote");
    assert!(fx.contains(&Effect::CancelTimer {
        timer: RaftTimer::Heartbeat
    }));
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: RaftTimer::Election,
            ..
        }
    )));
}

#[test]
fn s5_1_requests_from_an_older_term_are_rejected() {
    let mut n2 = with_log(2, 3, 5, vec![]);
    let fx = step(
        &mut n2,
        2,
        3,
        MS,
        Input::Message {
            from: 1,
            msg: vote(4, 0, 0),
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(1, reply(false, 5, Some(Denial::StaleTerm { mine: 5 })))]
    );
    let stale_append = RaftMsg::Append(AppendEntries {
        term: 3,
        prev_index: 0,
        prev_term: 0,
        entries: vec![],
        commit: 0,
    });
    let fx = step(
        &mut n2,
        2,
        3,
        2 * MS,
        Input::Message {
            from: 1,
            msg: stale_append,
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(
            1,
            RaftMsg::AppendReply {
                term: 5,
                success: false,
                match_index: 0
            }
        )],
        "the reply carries the newer term so the stale leader steps down"
    );
}

// ----- §5.4.1 election restriction -----

#[test]
fn s5_4_1_a_vote_is_denied_to_a_candidate_whose_log_is_behind() {
    let behind = Some(Denial::LogBehind { mine: (2, 2) });
    // The voter's log ends at index 2, term 2. Candidate's (last index, last term):
    let cases = [
        ((5, 1), false, behind, "longer log but older last term"),
        ((1, 2), false, behind, "same last term, shorter log"),
        ((2, 2), true, None, "same last term and length"),
        (
            (1, 3),
            true,
            None,
            "newer last term, even with a shorter log",
        ),
    ];
    for ((last_index, last_term), granted, denial, why) in cases {
        let mut voter = with_log(2, 3, 2, vec![e(1), e(2)]);
        let msg = vote(3, last_index, last_term);
        let fx = step(&mut voter, 2, 3, MS, Input::Message { from: 1, msg });
        assert_eq!(sends(&fx), vec![(1, reply(granted, 3, denial))], "{why}");
    }
}

#[test]
fn s5_4_1_a_node_with_a_stale_log_cannot_win_in_a_cluster() {
    // n1 misses writes while isolated; when it returns with a higher term it may
    // disrupt, but whoever wins must hold every committed write.
    for seed in 0..50 {
        let script = "at 1s isolate n1\nat 1.5s write leader\nat 1.6s write leader\nat 4s heal\n";
        let mut s = sim(cfg(5, seed, Some(script)));
        s.advance_to(10 * SEC);
        assert_eq!(
            s.stats().violations(),
            0,
            "seed {seed}: {:?}",
            s.stats().findings
        );
        for l in &s.stats().leaders {
            if l.at > 4 * SEC {
                let log = s.node(l.node).map(|r| r.log().len()).unwrap_or(0);
                assert!(
                    l.node != 1 || log >= 3,
                    "seed {seed}: n1 won term {} with a stale log",
                    l.term
                );
            }
        }
    }
}

// ----- split votes, persistence, commitment -----

#[test]
fn s5_2_split_votes_resolve_through_randomized_timeouts() {
    for seed in 0..200 {
        let mut s = sim(cfg(4, seed, Some("split-vote")));
        s.advance_to(3 * SEC);
        let leaders = &s.stats().leaders;
        assert!(
            leaders.iter().all(|l| l.term >= 2),
            "seed {seed}: three candidates in term 1 of 4 nodes cannot win, yet {leaders:?}"
        );
        let (node, term) = s
            .established_leader()
            .unwrap_or_else(|| panic!("seed {seed}: no leader after 3s"));
        assert!(term >= 2 && s.is_up(node));
    }
}

#[test]
fn figure_2_a_restarted_node_keeps_term_vote_and_log_but_not_its_commit_index() {
    let mut s = sim(cfg(
        3,
        3,
        Some("at 1s write leader\nat 2s crash n2\nat 2.5s restart n2\n"),
    ));
    s.advance_to(1900 * MS);
    let before = s
        .node(2)
        .map(|r| (r.term(), r.voted_for(), r.log().to_vec(), r.commit_index()))
        .unwrap();
    assert!(before.3 >= 2, "n2 learned the commit before the crash");
    s.advance_to(2 * SEC + 500 * MS);
    let after = s
        .node(2)
        .map(|r| (r.term(), r.voted_for(), r.log().to_vec(), r.commit_index()))
        .unwrap();
    assert_eq!(
        (after.0, after.1, &after.2),
        (before.0, before.1, &before.2)
    );
    assert_eq!(after.3, 0, "the commit index is volatile (raftscope #12)");
}

#[test]
fn s5_4_2_a_stale_leader_cannot_commit() {
    for seed in 0..30 {
        let mut s = sim(cfg(5, seed, None));
        s.advance_to(SEC);
        let (old, old_term) = s.established_leader().expect("leader after 1s");
        s.act(Action::Isolate {
            target: Target::Node(old),
        });
        s.advance_to(1500 * MS);
        s.act(Action::Write {
            target: Target::Node(old),
        });
        let index = s.node(old).unwrap().log().len() as u64;
        s.advance_to(4 * SEC);
        let r = s.node(old).unwrap();
        assert_eq!(
            r.role(),
            Role::Leader,
            "seed {seed}: without CheckQuorum the isolated leader keeps believing"
        );
        assert!(
            r.commit_index() < index,
            "seed {seed}: the stale leader committed its write"
        );
        let (new, new_term) = s
            .established_leader()
            .expect("the majority elects a leader");
        assert!(new != old && new_term > old_term);
        s.act(Action::Heal);
        s.advance_to(5 * SEC);
        let r = s.node(old).unwrap();
        assert_eq!((r.role(), r.term()), (Role::Follower, new_term));
        assert!(
            r.log()
                .get(index as usize - 1)
                .is_none_or(|e| e.term != old_term || e.value.is_none()),
            "seed {seed}: the uncommitted write was replaced"
        );
        assert_eq!(s.stats().violations(), 0);
    }
}

// ----- PreVote and CheckQuorum (etcd semantics) -----

fn isolated_terms(prevote: bool, check_quorum: bool, seed: u64) -> (u64, u64, u64) {
    let c = cfg(5, seed, None)
        .with("prevote", if prevote { "on" } else { "off" })
        .and_then(|c| c.with("check-quorum", if check_quorum { "on" } else { "off" }))
        .expect("switches");
    let mut s = sim(c);
    s.advance_to(SEC);
    let (leader, term) = s.established_leader().expect("leader");
    let victim = if leader == 1 { 2 } else { 1 };
    s.act(Action::Isolate {
        target: Target::Node(victim),
    });
    s.advance_to(6 * SEC);
    let isolated_term = s.node(victim).unwrap().term();
    s.act(Action::Heal);
    s.advance_to(8 * SEC);
    let final_term = s
        .established_leader()
        .map(|(_, t)| t)
        .expect("leader after heal");
    (term, isolated_term, final_term)
}

#[test]
fn prevote_stops_a_partitioned_node_from_inflating_terms() {
    for seed in 0..20 {
        let (term, isolated, _) = isolated_terms(true, false, seed);
        assert_eq!(
            isolated, term,
            "seed {seed}: with PreVote the isolated node never bumps its term"
        );
        let (term, isolated, after) = isolated_terms(false, false, seed);
        assert!(
            isolated > term + 5,
            "seed {seed}: without PreVote the isolated node campaigns term after term ({term} -> {isolated})"
        );
        assert!(
            after >= isolated,
            "seed {seed}: its inflated term forces a new election on rejoining"
        );
    }
}

#[test]
fn prevote_with_check_quorum_lets_a_node_rejoin_without_disruption() {
    // PreVote alone (as in etcd) still lets a rejoining node whose log is up to date
    // win a pre-vote, because followers only honour the leader lease with CheckQuorum.
    for seed in 0..20 {
        let (term, isolated, after) = isolated_terms(true, true, seed);
        assert_eq!(
            (isolated, after),
            (term, term),
            "seed {seed}: the leader of term {term} was disrupted"
        );
    }
}

#[test]
fn prevote_does_not_change_the_receivers_term() {
    let mut c = RaftConfig::default();
    c.prevote = true;
    let mut n2 = booted(2, 3, &c);
    let fx = step(
        &mut n2,
        2,
        3,
        MS,
        Input::Message {
            from: 1,
            msg: RaftMsg::Vote {
                term: 1,
                last_index: 0,
                last_term: 0,
                pre: true,
            },
        },
    );
    assert_eq!(n2.term(), 0);
    assert_eq!(n2.voted_for(), None);
    assert_eq!(
        sends(&fx),
        vec![(
            1,
            RaftMsg::VoteReply {
                term: 1,
                granted: true,
                pre: true,
                denial: None
            }
        )]
    );
}

#[test]
fn check_quorum_makes_an_isolated_leader_step_down() {
    for seed in 0..20 {
        for check_quorum in [true, false] {
            let c = cfg(5, seed, None)
                .with("check-quorum", if check_quorum { "on" } else { "off" })
                .expect("a switch");
            let mut s = sim(c);
            s.advance_to(SEC);
            let (leader, _) = s.established_leader().expect("leader");
            s.act(Action::Isolate {
                target: Target::Leader,
            });
            s.advance_to(SEC + 2 * 150 * MS + MS);
            let role = s.node(leader).unwrap().role();
            if check_quorum {
                assert_eq!(
                    role,
                    Role::Follower,
                    "seed {seed}: CheckQuorum steps down within two election timeouts"
                );
            } else {
                assert_eq!(
                    role,
                    Role::Leader,
                    "seed {seed}: without CheckQuorum it keeps leading"
                );
            }
        }
    }
}

#[test]
fn check_quorum_lease_makes_followers_ignore_a_disruptive_candidate() {
    let mut c = RaftConfig::default();
    c.check_quorum = true;
    let mut n2 = booted(2, 3, &c);
    let hb = RaftMsg::Append(AppendEntries {
        term: 1,
        prev_index: 0,
        prev_term: 0,
        entries: vec![],
        commit: 0,
    });
    step(&mut n2, 2, 3, 100 * MS, Input::Message { from: 1, msg: hb });
    let fx = step(
        &mut n2,
        2,
        3,
        150 * MS,
        Input::Message {
            from: 3,
            msg: vote(7, 0, 0),
        },
    );
    assert!(sends(&fx).is_empty(), "ignored, not even denied");
    assert_eq!(n2.term(), 1, "the lease keeps the term");
    // Once the lease (minimum election timeout) expires, the request is honoured.
    let fx = step(
        &mut n2,
        2,
        3,
        100 * MS + 150 * MS,
        Input::Message {
            from: 3,
            msg: vote(7, 0, 0),
        },
    );
    assert_eq!(n2.term(), 7);
    assert_eq!(sends(&fx), vec![(3, reply(true, 7, None))]);
}
