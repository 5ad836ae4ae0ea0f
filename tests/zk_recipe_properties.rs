//! The ZooKeeper recipe's safety and liveness over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text, so a failure prints a
//! script to rerun. Faults run for 4 s: crashes and restarts of candidates and of zk
//! itself, partitions (some cut zk off from everyone), isolating the leader or zk,
//! message loss, long pauses (of the leader, of any client, of zk) and forced
//! re-lists. Half the schedules write to a fenced storage. Then the network heals,
//! loss stops and every node (zk included) restarts, and a leader must be established
//! within LIVENESS_BOUND. The monitor checks every step of the whole run; a leader
//! whose session expired while it was paused or cut off is a Warning (the hazard
//! fencing exists for), never a Violation.

use electionscope::algo::zk_recipe::{ZkBug, ZkConfig, ZkRecipe};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Human, MS, Micros, SEC, StorageMode};
use std::time::Instant;

mod common;
use common::{Outcome, runs};

const FAULT_PHASE: Micros = 4 * SEC;
/// Most messages any second may carry: every client talks only to zk (pings every
/// third of the session timeout, creates, lists, watch notifications), so the rate
/// grows with N, not N². Measured worst: 30N (N = 3).
fn rate_bound(n: u32) -> u64 {
    60 * u64::from(n)
}
/// Stated bound: with the network healed and every node restarted, a leader that a
/// majority of candidates acknowledge within this much virtual time. Worst case by
/// construction: a client restarted at the end of the faults left a live session
/// behind whose znode is the lowest; it lingers a session timeout (600 ms) plus a
/// sweep (100 ms), then the successor lists and leads, and the other followers learn
/// of it at their next periodic look (every 600 ms, on a 200 ms ping tick).
const LIVENESS_BOUND: Micros = 2 * SEC;

/// Crashes, restarts, partitions, loss, pauses and forced timeouts of the candidates
/// and of zk itself, with or without fenced storage.
fn random_schedule(seed: u64) -> (SimConfig, String) {
    use common::Fault::*;
    let mut r = SimRng::new(seed ^ 0x7a6b, Stream::Faults);
    let base = SimConfig {
        storage: if r.range(0, 1) == 0 {
            StorageMode::Off
        } else {
            StorageMode::Fenced
        },
        ..SimConfig::default()
            .with("algo", "zk-recipe")
            .expect("zk-recipe")
    };
    let swarm = common::Swarm {
        count: (4, 16),
        gap_ms: (30, 600),
        quiet: 500 * MS,
        faults: &[
            CrashLeader,
            CrashLeader,
            Crash,
            Restart,
            Partition,
            Heal,
            Loss,
            PauseLeader,
            IsolateLeader,
            Timeout,
            ServiceCrash,
            ServiceRestart,
            ServicePause,
            ServiceIsolate,
        ],
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    swarm.schedule(base, seed)
}

/// One schedule through the shared runner: recovered once a leader is established.
fn run_schedule(cfg: &SimConfig, script: &str, algo: ZkConfig) -> Outcome<ZkRecipe> {
    common::run_schedule(cfg, script, algo, FAULT_PHASE, LIVENESS_BOUND, |s| {
        s.established_leader().is_some()
    })
}

#[test]
fn zk_recipe_is_safe_and_live_under_4000_random_fault_schedules() {
    let runs = runs(4_000);
    let started = Instant::now();
    let (mut worst, mut worst_seed, mut warnings) = (0, 0, 0);
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed);
        let out = run_schedule(&cfg, &script, ZkRecipe::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        warnings += out.warnings;
        if rec > worst {
            (worst, worst_seed) = (rec, seed);
        }
    }
    println!(
        "{runs} schedules in {:.1?}: no safety violation ({warnings} warnings, stale leaders among them); slowest recovery after healing {} at seed {worst_seed} (bound {})",
        started.elapsed(),
        Human(worst),
        Human(LIVENESS_BOUND)
    );
}

/// The checker must be able to fail: each deliberately broken variant is caught.
fn first_caught(bug: ZkBug, invariants: &[&str]) -> Option<(u64, String)> {
    common::first_caught(0..2_000, invariants, |seed| {
        let (cfg, script) = random_schedule(seed);
        let algo = ZkRecipe::algo_config(&cfg).with_bug(bug);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    })
}

#[test]
fn checker_catches_clients_that_lead_when_their_predecessor_is_deleted() {
    let (seed, v) = first_caught(ZkBug::LeadOnPredecessorDeleted, &["Lowest leads"])
        .expect("leading without re-listing went unnoticed in 2000 schedules");
    println!("LeadOnPredecessorDeleted caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_service_that_reuses_sequence_numbers_after_a_restart() {
    let (seed, v) = first_caught(
        ZkBug::ReuseSequenceAfterRestart,
        &["One owner per znode sequence", "Sequences increase"],
    )
    .expect("reusing sequence numbers went unnoticed in 2000 schedules");
    println!("ReuseSequenceAfterRestart caught at seed {seed}: {v}");
}
