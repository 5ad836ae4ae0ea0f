//! Hirschberg-Sinclair over thousands of random fault schedules.
//!
//! Each schedule is scenario text generated from a seed (a failure prints a script to
//! rerun). Faults run for 5 s; at 5 s the network heals and every crashed node
//! restarts. Without partitions the highest id must then lead, followed by every node,
//! within LIVENESS_BOUND; with partitions only safety is checked (a ring election
//! promises nothing about liveness or a single leader across a partition).

use electionscope::algo::hirschberg_sinclair::{HirschbergSinclair, HsBug, HsConfig};
use electionscope::algo::ring::RingArrangement;
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Human, Micros, SEC};
use std::time::Instant;

mod common;
use common::{Outcome, highest_leads_all_follow, runs};

const FAULT_PHASE: Micros = 5 * SEC;
/// Most messages any second may carry: the leader's heartbeats (N-1 per 50 ms) and
/// elections of at most 8N(1 + log2 N) probes and replies. Measured worst: 24N²
/// (N = 5).
fn rate_bound(n: u32) -> u64 {
    50 * u64::from(n * n)
}
/// Stated bound: once faults stop and every node is back, the highest id leads and
/// everyone follows it within this much virtual time. Worst case: a waiting node's
/// patience (a round's bound, 1.5 s for 8 nodes at 31 ms a hop, plus up to 300 ms)
/// before a round that repairs the ring, then a clean round (under 1 s).
const LIVENESS_BOUND: Micros = 4 * SEC;

/// Crashes, restarts, pauses and forced timeouts; partitions and one-way cuts too if
/// `partitions`.
fn random_schedule(seed: u64, partitions: bool) -> (SimConfig, String) {
    use common::Fault::*;
    let mut r = SimRng::new(seed ^ 0x6873, Stream::Faults);
    let ring_order = RingArrangement::ALL[r.range(0, 2) as usize];
    let base = SimConfig::default()
        .with("algo", "hs")
        .and_then(|c| c.with("ring-order", ring_order.name()))
        .expect("a ring");
    let swarm = common::Swarm {
        nodes: (3, 8),
        faults: if partitions {
            &[
                CrashLeader,
                Crash,
                Restart,
                Pause,
                Timeout,
                Heal,
                Cut,
                IsolateLeader,
                Partition,
            ]
        } else {
            &[CrashLeader, Crash, Restart, Pause, Timeout]
        },
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    swarm.schedule(base, seed)
}

#[test]
fn hs_after_crashes_restarts_and_pauses_the_highest_id_leads_within_the_bound() {
    let started = Instant::now();
    let runs = runs(3_000);
    let mut worst = 0;
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed, false);
        let out = run_schedule(&cfg, &script, HirschbergSinclair::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        worst = worst.max(rec);
    }
    println!(
        "{runs} schedules without partitions: no violation; slowest convergence {} (bound {}); {:.1?}",
        Human(worst),
        Human(LIVENESS_BOUND),
        started.elapsed()
    );
}

#[test]
fn hs_no_unique_winner_violation_under_partitions() {
    let started = Instant::now();
    let runs = runs(3_000);
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed, true);
        let out = run_schedule(&cfg, &script, HirschbergSinclair::algo_config(&cfg));
        out.assert_safe(&cfg, &script);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
    }
    println!(
        "{runs} schedules with partitions: no violation; {:.1?}",
        started.elapsed()
    );
}

#[test]
fn checker_catches_a_ring_that_relays_every_probe() {
    let caught = common::first_caught(0..1_000, &["Unique winner"], |seed| {
        let (cfg, script) = random_schedule(seed, false);
        let algo = HirschbergSinclair::algo_config(&cfg).with_bug(HsBug::RelayEveryProbe);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    });
    let (seed, v) = caught.expect("relaying lower probes went unnoticed in 1000 schedules");
    println!("caught at seed {seed}: {v}");
}

/// One schedule through the shared runner: recovered once the highest id leads and
/// every node follows it.
fn run_schedule(cfg: &SimConfig, script: &str, algo: HsConfig) -> Outcome<HirschbergSinclair> {
    common::run_schedule(
        cfg,
        script,
        algo,
        FAULT_PHASE,
        LIVENESS_BOUND,
        highest_leads_all_follow,
    )
}
