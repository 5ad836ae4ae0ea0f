//! One test per rule of ZooKeeper's leader-election recipe ("ZooKeeper Recipes and
//! Solutions", Leader Election), plus the counts that show the herd effect and the
//! paused-leader hazard. Engine-level tests drive one client or the service with
//! inputs and read the effects; cluster-level tests run the kernel with a scenario.

mod common;

use common::engine::{self, notes, sends};
use electionscope::algo::zk_recipe::{
    ListCause, Phase, WatchMode, ZkBug, ZkConfig, ZkDisk, ZkMsg, ZkRecipe, ZkService, ZkTimer,
};
use electionscope::config::SimConfig;
use electionscope::run::{resolve, simulation};
use electionscope::scenario::Scenario;
use electionscope::sim::{
    Action, Algorithm, Effect, Input, KernelConfig, MS, Micros, NodeId, NoteKind, SEC, Severity,
    Simulation, Target,
};

type Fx = Vec<Effect<ZkMsg, ZkTimer>>;

/// The service's id in a cluster of `n` candidates.
fn zk(n: u32) -> NodeId {
    n + 1
}

fn step(node: &mut ZkRecipe, me: NodeId, n: u32, now: Micros, input: Input<ZkMsg, ZkTimer>) -> Fx {
    engine::step_node(node, me, n, now, Some(zk(n)), input)
}

/// Client n3 of 5 with session 3 and znode `mine`, having listed `children`.
fn client_with(mine: u64, children: &[(u64, NodeId)], cfg: &ZkConfig) -> ZkRecipe {
    let mut c = ZkRecipe::boot(3, 5, cfg);
    let fx = step(&mut c, 3, 5, 0, Input::Start { recovered: false });
    let Some((_, ZkMsg::Connect { nonce })) = sends(&fx).pop() else {
        panic!("a client starts by opening a session: {fx:?}");
    };
    let msg = ZkMsg::Connected {
        nonce,
        session: 3,
        epoch: 0,
    };
    let fx = step(&mut c, 3, 5, MS, Input::Message { from: 6, msg });
    assert!(
        sends(&fx).contains(&(6, ZkMsg::Create { session: 3 })),
        "{fx:?}"
    );
    let msg = ZkMsg::Created {
        session: 3,
        seq: mine,
    };
    step(&mut c, 3, 5, 2 * MS, Input::Message { from: 6, msg });
    let msg = ZkMsg::Children {
        session: 3,
        cversion: 1,
        children: children.to_vec(),
    };
    step(&mut c, 3, 5, 3 * MS, Input::Message { from: 6, msg });
    c
}

fn client(c: &ZkRecipe) -> &electionscope::algo::zk_recipe::ZkClient {
    c.client().expect("a client")
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

/// A cluster running `script` (actions may name the service, `n{nodes + 1}`).
fn cluster(nodes: u32, seed: u64, algo: ZkConfig, script: &str) -> Simulation<ZkRecipe> {
    let mut sim = Simulation::<ZkRecipe>::new(kernel(nodes, seed), algo);
    let sc = Scenario::parse(script).expect("scenario parses");
    for s in sc.steps {
        sim.schedule(s.at, s.action);
    }
    sim
}

fn service(sim: &Simulation<ZkRecipe>) -> &ZkService {
    let id = sim.service().expect("the recipe has a service");
    sim.node(id)
        .and_then(|n| n.service())
        .expect("zk is running")
}

fn leaders(sim: &Simulation<ZkRecipe>) -> Vec<NodeId> {
    (1..=sim.config().nodes)
        .filter(|&n| sim.views()[n as usize - 1].is_leader)
        .collect()
}

fn violations(sim: &Simulation<ZkRecipe>) -> Vec<String> {
    sim.stats()
        .findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Violation)
        .map(|f| format!("{}: {}", f.finding.invariant, f.finding.text))
        .collect()
}

// ----- the recipe's rules -----

#[test]
fn the_owner_of_the_lowest_znode_leads_and_its_token_is_that_sequence_number() {
    for seed in 1..=20 {
        let mut sim = cluster(5, seed, ZkConfig::default(), "");
        sim.advance_to(SEC);
        let zk = service(&sim);
        let (&lowest, owner) = zk.znodes().iter().next().expect("znodes exist");
        assert_eq!(zk.znodes().len(), 5, "seed {seed}: one znode per candidate");
        assert_eq!(leaders(&sim), vec![owner.owner], "seed {seed}");
        let view = &sim.views()[owner.owner as usize - 1];
        assert_eq!(
            view.term, lowest,
            "seed {seed}: the fencing token is the znode's sequence"
        );
        assert_eq!(
            sim.established_leader(),
            Some((owner.owner, lowest)),
            "seed {seed}"
        );
        assert!(
            violations(&sim).is_empty(),
            "seed {seed}: {:?}",
            violations(&sim)
        );
    }
}

#[test]
fn each_waiting_candidate_watches_exactly_its_predecessor() {
    let mut sim = cluster(6, 3, ZkConfig::default(), "");
    sim.advance_to(SEC);
    let zk = service(&sim);
    let seqs: Vec<u64> = zk.znodes().keys().copied().collect();
    let watches = zk.watches();
    // The chain: every znode but the highest is watched by the next one's owner alone.
    for pair in seqs.windows(2) {
        let next_owner = zk.znodes()[&pair[1]].owner;
        assert_eq!(
            watches.get(&pair[0]),
            Some(&vec![next_owner]),
            "{watches:?}"
        );
    }
    assert_eq!(watches.len(), seqs.len() - 1, "{watches:?}");
}

#[test]
fn a_deleted_predecessor_makes_the_client_list_again_not_lead() {
    // n3 owns 5 and watches 4; the leader owns 2. 4's deletion alone proves nothing.
    let cfg = ZkConfig::default();
    let mut c = client_with(5, &[(2, 1), (4, 2), (5, 3)], &cfg);
    assert_eq!(client(&c).phase(), Phase::Following);
    assert_eq!(client(&c).watching(), Some(4));
    let fx = step(
        &mut c,
        3,
        5,
        50 * MS,
        Input::Message {
            from: 6,
            msg: ZkMsg::WatchEvent { seq: 4 },
        },
    );
    assert_eq!(
        sends(&fx),
        vec![(
            6,
            ZkMsg::GetChildren {
                session: 3,
                cause: ListCause::Deleted
            }
        )]
    );
    assert!(!client(&c).is_leading());
    assert!(
        notes(&fx).iter().all(|(k, _)| *k != NoteKind::Leader),
        "{fx:?}"
    );
    assert!(notes(&fx)[0].1.contains("does not mean it leads"), "{fx:?}");
    // The list shows 2 still there: n3 now watches 2 (its new predecessor).
    let fx = step(
        &mut c,
        3,
        5,
        60 * MS,
        Input::Message {
            from: 6,
            msg: ZkMsg::Children {
                session: 3,
                cversion: 2,
                children: vec![(2, 1), (5, 3)],
            },
        },
    );
    assert_eq!(sends(&fx), vec![(6, ZkMsg::Exists { session: 3, seq: 2 })]);
    assert!(!client(&c).is_leading());
    // When 2 goes too and the list shows n3 lowest, it leads with token 5.
    step(
        &mut c,
        3,
        5,
        70 * MS,
        Input::Message {
            from: 6,
            msg: ZkMsg::WatchEvent { seq: 2 },
        },
    );
    let fx = step(
        &mut c,
        3,
        5,
        80 * MS,
        Input::Message {
            from: 6,
            msg: ZkMsg::Children {
                session: 3,
                cversion: 3,
                children: vec![(5, 3)],
            },
        },
    );
    assert!(client(&c).is_leading());
    assert_eq!(c.view().term, 5);
    assert_eq!(notes(&fx)[0].0, NoteKind::Leader);
    // The network reorders: an older list (cversion 2, with 2 still there) arriving
    // now must not make the leader doubt itself.
    let fx = step(
        &mut c,
        3,
        5,
        90 * MS,
        Input::Message {
            from: 6,
            msg: ZkMsg::Children {
                session: 3,
                cversion: 2,
                children: vec![(2, 1), (5, 3)],
            },
        },
    );
    assert!(client(&c).is_leading(), "{fx:?}");
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn session_expiry_deletes_the_sessions_ephemeral_znode_and_fires_its_watches() {
    let cfg = ZkConfig::default(); // 600 ms sessions, checked every 100 ms
    let mut s = ZkRecipe::boot(6, 5, &cfg);
    step(&mut s, 6, 5, 0, Input::Start { recovered: false });
    let mut now = 0;
    let call = |s: &mut ZkRecipe, from: NodeId, msg: ZkMsg, now: Micros| {
        sends(&step(s, 6, 5, now, Input::Message { from, msg }))
    };
    for (n, nonce) in [(1, 11), (2, 22)] {
        now += MS;
        let out = call(&mut s, n, ZkMsg::Connect { nonce }, now);
        let [(_, ZkMsg::Connected { session, .. })] = out[..] else {
            panic!("{out:?}")
        };
        let out = call(&mut s, n, ZkMsg::Create { session }, now);
        assert!(matches!(out[..], [(_, ZkMsg::Created { .. })]), "{out:?}");
    }
    let zk = s.service().unwrap();
    let seqs: Vec<u64> = zk.znodes().keys().copied().collect();
    assert_eq!(seqs, vec![1, 2], "sequence numbers count up from 1");
    // n2 (session 2) watches n1's znode 1; only n2 keeps pinging.
    let out = call(&mut s, 2, ZkMsg::Exists { session: 2, seq: 1 }, 10 * MS);
    assert!(matches!(
        out[..],
        [(2, ZkMsg::ExistsReply { exists: true, .. })]
    ));
    let mut fired = Vec::new();
    for t in 1..=8 {
        now = t * 100 * MS;
        call(&mut s, 2, ZkMsg::Ping { session: 2 }, now);
        fired.extend(sends(&step(
            &mut s,
            6,
            5,
            now,
            Input::Timer(ZkTimer::SessionCheck),
        )));
        if t < 6 {
            assert!(
                fired.is_empty(),
                "no expiry before 600 ms of silence: {fired:?}"
            );
        }
    }
    assert_eq!(fired, vec![(2, ZkMsg::WatchEvent { seq: 1 })]);
    let zk = s.service().unwrap();
    assert_eq!(zk.znodes().keys().copied().collect::<Vec<_>>(), vec![2]);
    assert_eq!(zk.sessions().values().copied().collect::<Vec<_>>(), vec![2]);
    // Anything later on the dead session is told it expired, and how long ago.
    let out = call(&mut s, 1, ZkMsg::Ping { session: 1 }, now + 50 * MS);
    assert!(
        matches!(out[..], [(1, ZkMsg::SessionExpired { session: 1, ago: Some(a) })] if a >= 50 * MS),
        "{out:?}"
    );
}

#[test]
fn a_resent_create_returns_the_same_znode() {
    let mut s = ZkRecipe::boot(6, 5, &ZkConfig::default());
    step(&mut s, 6, 5, 0, Input::Start { recovered: false });
    let connect = Input::Message {
        from: 1,
        msg: ZkMsg::Connect { nonce: 7 },
    };
    let first = sends(&step(&mut s, 6, 5, MS, connect.clone()));
    let again = sends(&step(&mut s, 6, 5, 2 * MS, connect));
    assert_eq!(first, again, "a resent Connect finds its session");
    let create = Input::Message {
        from: 1,
        msg: ZkMsg::Create { session: 1 },
    };
    let a = sends(&step(&mut s, 6, 5, 3 * MS, create.clone()));
    let b = sends(&step(&mut s, 6, 5, 4 * MS, create));
    assert_eq!(a, b);
    assert_eq!(s.service().unwrap().znodes().len(), 1);
}

#[test]
fn a_crashed_leaders_znode_lingers_for_one_session_timeout_then_its_successor_leads() {
    let mut sim = cluster(5, 2, ZkConfig::default(), "at 1s crash leader");
    sim.advance_to(SEC - MS);
    let old = leaders(&sim)[0];
    sim.advance_to(SEC + 500 * MS);
    assert!(
        leaders(&sim).is_empty(),
        "nobody leads while the dead session lives"
    );
    sim.advance_to(SEC + 800 * MS);
    let new = leaders(&sim);
    assert_eq!(new.len(), 1);
    assert_ne!(new[0], old);
    let took = sim.stats().leaders.last().unwrap().at - SEC;
    // The session dies a timeout after the last ping zk heard, which was up to a ping
    // interval (200 ms) before the crash; then a sweep (100 ms) finds it, and the
    // notification and the list take a few one-way trips (15 ms each at most).
    assert!((400 * MS..=760 * MS).contains(&took), "took {took}");
}

// ----- the herd effect -----

/// Crashes the leader of `nodes` candidates and returns the notifications and the
/// lists that followed its znode's deletion.
fn herd(nodes: u32, watch: WatchMode, seed: u64) -> (u64, u64) {
    let mut cfg = ZkConfig::default();
    cfg.watch = watch;
    let mut sim = cluster(nodes, seed, cfg, "at 1s crash leader");
    sim.advance_to(3 * SEC);
    assert_eq!(leaders(&sim).len(), 1, "a new leader");
    assert!(violations(&sim).is_empty(), "{:?}", violations(&sim));
    let zk = service(&sim);
    (
        zk.last_failure_notifications(),
        zk.lists_after_last_failure(),
    )
}

#[test]
fn watching_the_predecessor_one_leader_failure_notifies_one_client() {
    // Only the next znode's owner watches the leader's znode: 1 notification and 1
    // list, whatever the cluster size.
    for nodes in [3, 5, 9] {
        for seed in 1..=5 {
            assert_eq!(
                herd(nodes, WatchMode::Predecessor, seed),
                (1, 1),
                "{nodes} nodes, seed {seed}"
            );
        }
    }
}

#[test]
fn watching_the_leader_one_leader_failure_notifies_every_other_client() {
    // Herd effect: all N-1 live clients watch the lowest znode, so its deletion
    // notifies N-1 clients and all N-1 list /election, though one becomes leader.
    for nodes in [3, 5, 9] {
        for seed in 1..=5 {
            let n = u64::from(nodes) - 1;
            assert_eq!(
                herd(nodes, WatchMode::Leader, seed),
                (n, n),
                "{nodes} nodes, seed {seed}"
            );
        }
    }
}

#[test]
fn the_herd_scenario_narrates_the_herd() {
    let cfg = resolve(
        SimConfig::default(),
        &[("scenario".into(), "zk-herd".into())],
    )
    .unwrap();
    let mut sim = simulation::<ZkRecipe>(&cfg).unwrap();
    sim.advance_to(3 * SEC);
    let trace = sim.drain_trace();
    assert!(
        trace
            .iter()
            .any(|e| e.text.contains("notifies 4 watchers") && e.text.contains("herd")),
        "a herd line"
    );
}

// ----- the paused leader and the shared storage -----

fn paused(storage: &str, seed: u64) -> Simulation<ZkRecipe> {
    let name = if storage == "fenced" {
        "zk-paused-leader-fenced"
    } else {
        "zk-paused-leader"
    };
    let cfg = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let cfg = resolve(cfg, &[("scenario".into(), name.into())]).unwrap();
    assert_eq!(cfg.storage.name(), storage);
    let mut sim = simulation::<ZkRecipe>(&cfg).unwrap();
    sim.advance_to(4 * SEC);
    sim
}

#[test]
fn a_paused_leader_wakes_believing_it_leads_and_its_write_is_a_lost_update_without_fencing() {
    for seed in 1..=10 {
        let mut sim = paused("unfenced", seed);
        let s = sim.storage().unwrap().clone();
        assert!(s.lost_updates >= 1, "seed {seed}: {s:?}");
        let lost: Vec<_> = sim
            .stats()
            .findings
            .iter()
            .filter(|f| f.finding.invariant == "Lost update")
            .collect();
        assert_eq!(lost.len() as u64, s.lost_updates, "seed {seed}");
        // The engine itself broke nothing: the lost update is the kernel's finding.
        assert_eq!(
            violations(&sim).len(),
            lost.len(),
            "seed {seed}: {:?}",
            violations(&sim)
        );
        let stale = sim.stats().findings.iter().any(|f| {
            f.finding.invariant == "Stale leader" && f.finding.severity == Severity::Warning
        });
        assert!(stale, "seed {seed}: the stale leader is reported");
        let trace = sim.drain_trace();
        let woke = trace
            .iter()
            .position(|e| {
                e.text
                    .contains("wakes from a pause still believing it leads")
            })
            .expect("the wake-up line");
        let told = trace
            .iter()
            .position(|e| {
                e.text
                    .contains("still believed it led; zk expired its session")
            })
            .expect("the step-down line");
        assert!(woke < told, "seed {seed}");
        assert_eq!(
            leaders(&sim).len(),
            1,
            "seed {seed}: the old leader stepped down"
        );
    }
}

#[test]
fn with_fencing_the_woken_leaders_stale_write_is_rejected() {
    for seed in 1..=10 {
        let sim = paused("fenced", seed);
        let s = sim.storage().unwrap();
        assert!(s.rejected >= 1, "seed {seed}: {s:?}");
        assert_eq!(s.lost_updates, 0, "seed {seed}");
        assert!(
            violations(&sim).is_empty(),
            "seed {seed}: {:?}",
            violations(&sim)
        );
    }
}

// ----- the service's own failures -----

#[test]
fn after_zk_restarts_clients_set_their_watches_again_and_a_later_failure_is_noticed() {
    // zk is n6. It restarts with its sessions and znodes but no watches; clients
    // see the new epoch on their next ping and list again.
    let script = "at 1s crash n6\nat 1.3s restart n6\nat 2.5s crash leader";
    for seed in 1..=5 {
        let mut sim = cluster(5, seed, ZkConfig::default(), script);
        sim.advance_to(2 * SEC);
        assert_eq!(service(&sim).epoch(), 1);
        assert_eq!(
            service(&sim).watches().len(),
            4,
            "seed {seed}: watches restored"
        );
        sim.advance_to(4 * SEC);
        assert_eq!(leaders(&sim).len(), 1, "seed {seed}");
        assert!(
            violations(&sim).is_empty(),
            "seed {seed}: {:?}",
            violations(&sim)
        );
    }
}

#[test]
fn a_client_cut_off_from_zk_loses_its_session_and_starts_over_after_the_heal() {
    let script = "at 1s isolate leader\nat 2.5s heal";
    let mut sim = cluster(5, 4, ZkConfig::default(), script);
    sim.advance_to(SEC - MS);
    let old = leaders(&sim)[0];
    let old_seq = sim.views()[old as usize - 1].term;
    sim.advance_to(2 * SEC);
    assert_eq!(
        leaders(&sim).len(),
        2,
        "the cut-off leader still believes it leads"
    );
    sim.advance_to(3 * SEC);
    let now = leaders(&sim);
    assert_eq!(now.len(), 1);
    assert_ne!(now[0], old);
    let c = sim.node(old).and_then(|n| n.client()).unwrap();
    assert!(
        c.znode().is_some_and(|z| z > old_seq),
        "a new znode: {:?}",
        c.znode()
    );
    assert!(violations(&sim).is_empty(), "{:?}", violations(&sim));
}

#[test]
fn nonsense_input_is_ignored_without_panicking() {
    let cfg = ZkConfig::default();
    let mut c = client_with(5, &[(2, 1), (5, 3)], &cfg);
    for msg in [
        ZkMsg::Children {
            session: 99,
            cversion: 9,
            children: vec![],
        },
        ZkMsg::Created { session: 3, seq: 1 },
        ZkMsg::WatchEvent { seq: 77 },
        ZkMsg::Connect { nonce: 1 },
        ZkMsg::SessionExpired {
            session: 42,
            ago: None,
        },
    ] {
        step(&mut c, 3, 5, 10 * MS, Input::Message { from: 6, msg });
    }
    assert_eq!(client(&c).phase(), Phase::Following);
    // A client's message from another client is not from zk and is ignored.
    let fx = step(
        &mut c,
        3,
        5,
        10 * MS,
        Input::Message {
            from: 2,
            msg: ZkMsg::SessionExpired {
                session: 3,
                ago: None,
            },
        },
    );
    assert!(fx.is_empty());
    let mut s = ZkRecipe::boot(6, 5, &cfg);
    step(&mut s, 6, 5, 0, Input::Start { recovered: false });
    let fx = step(
        &mut s,
        6,
        5,
        MS,
        Input::Message {
            from: 1,
            msg: ZkMsg::Create { session: 12345 },
        },
    );
    assert!(matches!(
        sends(&fx)[..],
        [(
            1,
            ZkMsg::SessionExpired {
                session: 12345,
                ago: None
            }
        )]
    ));
    assert!(s.service().unwrap().znodes().is_empty());
}

#[test]
fn a_restarted_client_comes_back_as_a_client_and_zk_as_the_service() {
    let cfg = ZkConfig::default();
    let c = ZkRecipe::recover(2, 6, &cfg, &ZkDisk::Client { boots: 0 });
    assert!(c.client().is_some());
    let s = ZkRecipe::boot(6, 5, &cfg);
    let back = ZkRecipe::recover(6, 6, &cfg, &s.persistent());
    assert!(back.service().is_some());
}

// ----- deliberately broken variants the monitor must catch -----

#[test]
fn broken_leading_on_a_deleted_predecessor_is_caught_as_lowest_leads() {
    // Kill the owner of the second-lowest znode: its successor, told only that its
    // predecessor is gone, leads while the real leader's znode still exists.
    let mut caught = Vec::new();
    for seed in 1..=10 {
        let probe = {
            let mut sim = cluster(5, seed, ZkConfig::default(), "");
            sim.advance_to(SEC);
            service(&sim).znodes().values().nth(1).unwrap().owner
        };
        let script = format!("at 1s crash n{probe}");
        let mut good = cluster(5, seed, ZkConfig::default(), &script);
        good.advance_to(3 * SEC);
        assert!(
            violations(&good).is_empty(),
            "seed {seed}: {:?}",
            violations(&good)
        );
        let buggy = ZkConfig::default().with_bug(ZkBug::LeadOnPredecessorDeleted);
        let mut bad = cluster(5, seed, buggy, &script);
        bad.advance_to(3 * SEC);
        let v = violations(&bad);
        assert!(
            v.iter().any(|f| f.starts_with("Lowest leads")),
            "seed {seed}: {v:?}"
        );
        caught.push(seed);
    }
    assert_eq!(caught.len(), 10);
}

#[test]
fn broken_sequence_reuse_after_a_zk_restart_is_caught() {
    // The highest znode's owner crashes; its session expires and its znode goes; zk
    // crashes and restarts; the owner restarts and creates again. A counter kept
    // only in memory hands out the deleted znode's number a second time.
    for seed in 1..=5 {
        let top = {
            let mut sim = cluster(5, seed, ZkConfig::default(), "");
            sim.advance_to(SEC);
            service(&sim).znodes().values().next_back().unwrap().owner
        };
        let script = format!(
            "at 1s crash n{top}\nat 2s crash n6\nat 2.2s restart n6\nat 2.5s restart n{top}"
        );
        let mut good = cluster(5, seed, ZkConfig::default(), &script);
        good.advance_to(4 * SEC);
        assert!(
            violations(&good).is_empty(),
            "seed {seed}: {:?}",
            violations(&good)
        );
        let buggy = ZkConfig::default().with_bug(ZkBug::ReuseSequenceAfterRestart);
        let mut bad = cluster(5, seed, buggy, &script);
        bad.advance_to(4 * SEC);
        let v = violations(&bad);
        assert!(
            v.iter()
                .any(|f| f.starts_with("One owner per znode sequence")),
            "seed {seed}: {v:?}"
        );
        assert!(
            v.iter().any(|f| f.starts_with("Sequences increase")),
            "seed {seed}: {v:?}"
        );
    }
}

#[test]
fn forcing_the_timeout_makes_a_client_list_now() {
    let mut sim = cluster(5, 1, ZkConfig::default(), "");
    sim.advance_to(SEC);
    let before = service(&sim).list_calls();
    sim.act(Action::Timeout {
        target: Target::Node(3),
    });
    sim.advance_to(SEC + 50 * MS);
    assert_eq!(service(&sim).list_calls(), before + 1);
}

#[test]
fn zk_recipe_settings_round_trip_and_only_it_uses_them() {
    let mut c = electionscope::config::SimConfig::default();
    c.set("algo", "zk-recipe").unwrap();
    c.set("session-timeout", "1s").unwrap();
    c.set("watch", "leader").unwrap();
    c.set("storage", "fenced").unwrap();
    let q = c.to_query();
    assert!(
        q.contains("session-timeout=1s") && q.contains("watch=leader"),
        "{q}"
    );
    let (back, notices) = SimConfig::from_query(&q);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, c);
    assert!(c.set("session-timeout", "0ms").is_err());
    assert!(
        c.set("watch", "all")
            .unwrap_err()
            .contains("predecessor or leader")
    );
    let zk = electionscope::algo::Algo::parse("zk-recipe").unwrap();
    assert!(zk.uses_setting("watch"));
    assert!(
        !electionscope::algo::Algo::parse("raft")
            .unwrap()
            .uses_setting("session-timeout")
    );
    assert_eq!((zk.term_label)(3), "znode #3");
}
