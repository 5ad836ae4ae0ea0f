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

fn random_schedule(seed: u64) -> (SimConfig, String) {
    let mut r = SimRng::new(seed, Stream::Faults);
    let nodes = r.range(3, 7) as u32;
    let zk = nodes + 1;
    let lat_lo = r.range(1, 10);
    let cfg = SimConfig {
        algo: electionscope::algo::Algo::parse("zk-recipe").unwrap(),
        nodes,
        seed,
        latency: (lat_lo * MS, (lat_lo + r.range(0, 20)) * MS),
        storage: if r.range(0, 1) == 0 {
            StorageMode::Off
        } else {
            StorageMode::Fenced
        },
        ..SimConfig::default()
    };
    let node = |r: &mut SimRng| format!("n{}", r.range(1, u64::from(nodes)));
    let mut lines = Vec::new();
    let mut t = 0;
    for _ in 0..r.range(4, 16) {
        t += r.range(30, 600) * MS;
        if t >= FAULT_PHASE - 500 * MS {
            break;
        }
        let action = match r.range(0, 15) {
            0 | 1 => "crash leader".to_string(),
            2 => format!("crash {}", node(&mut r)),
            3 => format!("restart {}", node(&mut r)),
            // Candidates and zk alike are split (zk is n{nodes + 1}).
            4 => common::random_partition(&mut r, zk),
            5 => "heal".to_string(),
            6 => format!("drop {}%", r.range(0, 40)),
            7 => format!("pause {} for {}ms", node(&mut r), r.range(50, 900)),
            8 => format!("pause leader for {}ms", r.range(300, 1500)),
            9 => "isolate leader".to_string(),
            10 => format!("isolate n{zk}"),
            11 => format!("crash n{zk}"),
            12 => format!("restart n{zk}"),
            13 => format!("pause n{zk} for {}ms", r.range(50, 900)),
            _ => format!("timeout {}", node(&mut r)),
        };
        lines.push(format!("at {} {action}", Human(t)));
    }
    lines.push(format!("at {} heal", Human(FAULT_PHASE)));
    lines.push(format!("at {} drop 0%", Human(FAULT_PHASE)));
    for n in 1..=zk {
        lines.push(format!("at {} restart n{n}", Human(FAULT_PHASE)));
    }
    let mut script = lines.join("\n") + "\n";
    common::add_shared_faults(&cfg, &mut script, FAULT_PHASE);
    (cfg, script)
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
