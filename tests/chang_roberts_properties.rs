//! Chang-Roberts with ring repair over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text (a failure prints a script
//! you can rerun). Faults run for 5 s; at 5 s the network heals and every node
//! restarts. Safety (the "Unique winner" monitor) must hold throughout, partitions
//! included. Liveness is checked on schedules without partitions, where the ring's
//! ACK timeout is a good enough failure detector: after the faults stop, the highest
//! id must lead and every node follow it within LIVENESS_BOUND.

use electionscope::algo::chang_roberts::{ChangRoberts, ChangRobertsBug, ChangRobertsConfig};
use electionscope::algo::ring::RingArrangement;
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Human, Micros, SEC};
use std::time::Instant;

mod common;
use common::{Outcome, highest_leads_all_follow, runs};

const FAULT_PHASE: Micros = 5 * SEC;
/// Most messages any second may carry: the leader's heartbeats (N-1 per 50 ms) and
/// elections of at most N(N+1)/2 ELECTION and N ELECTED hops, each acknowledged.
/// Measured worst: 17N² (N = 3); the storm this bound was written for reached more
/// than 10,000N² at N = 7.
fn rate_bound(n: u32) -> u64 {
    40 * u64::from(n * n)
}
/// Stated bound, derived for the worst case of up to 8 nodes and 30 ms latency: a
/// participant stuck in a dead round waits its election timeout (<= 300 ms) plus two
/// laps of ACK timeouts (2 x 8 x 70 ms = 1.12 s), then ELECTION and ELECTED each make
/// a lap (<= 2 x 8 x 30 ms), about 1.9 s in all. The measured maximum is printed.
const LIVENESS_BOUND: Micros = 3 * SEC;

/// Crashes, restarts and pauses, plus partitions, cuts and loss when
/// `network_faults` is set, on a ring of a random arrangement.
fn random_schedule(seed: u64, network_faults: bool) -> (SimConfig, String) {
    use common::Fault::*;
    let mut r = SimRng::new(seed ^ 0x7269_6e67, Stream::Faults);
    let ring_order = RingArrangement::ALL[r.range(0, 2) as usize];
    let base = SimConfig::default()
        .with("algo", "ring")
        .and_then(|c| c.with("ring-order", ring_order.name()))
        .expect("a ring");
    let swarm = common::Swarm {
        nodes: (3, 8),
        gap_ms: (20, 900),
        pause_ms: (20, 900),
        max_loss: 30,
        faults: if network_faults {
            &[
                CrashLeader,
                Crash,
                Restart,
                Pause,
                Partition,
                Heal,
                Loss,
                Cut,
                IsolateLeader,
            ]
        } else {
            &[CrashLeader, Crash, Restart, Restart, Pause]
        },
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    swarm.schedule(base, seed)
}

#[test]
fn highest_id_leads_after_crashes_restarts_and_pauses_with_no_violation() {
    let started = Instant::now();
    let runs = runs(3_000);
    let mut worst = 0;
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed, false);
        let out = run_schedule(&cfg, &script, ChangRoberts::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        worst = worst.max(rec);
    }
    println!(
        "{runs} crash/restart/pause schedules: no violation; slowest settling {} (bound {}); {} ms wall",
        Human(worst),
        Human(LIVENESS_BOUND),
        started.elapsed().as_millis()
    );
}

#[test]
fn partitions_cuts_and_loss_never_break_the_unique_winner_rule() {
    let started = Instant::now();
    let runs = runs(3_000);
    let mut split_brains = 0;
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed, true);
        let out = run_schedule(&cfg, &script, ChangRoberts::algo_config(&cfg));
        out.assert_safe(&cfg, &script);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        split_brains += u64::from(out.recovery.is_none());
    }
    println!(
        "{runs} schedules with partitions: no violation ({split_brains} not yet settled within {} of healing); {} ms wall",
        Human(2 * LIVENESS_BOUND),
        started.elapsed().as_millis()
    );
}

/// The checker must be able to fail: each deliberately broken variant is caught.
fn first_caught(bug: ChangRobertsBug) -> Option<(u64, String)> {
    common::first_caught(0..3_000, &["Unique winner"], |seed| {
        let (cfg, script) = random_schedule(seed, seed % 2 == 1);
        let algo = ChangRoberts::algo_config(&cfg).with_bug(bug);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    })
}

#[test]
fn checker_catches_a_ring_that_forwards_smaller_ids() {
    let (seed, v) = first_caught(ChangRobertsBug::ForwardSmaller)
        .expect("forwarding smaller ids went unnoticed in 3000 schedules");
    println!("caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_node_that_wins_on_any_return_of_its_token() {
    let (seed, v) = first_caught(ChangRobertsBug::ElectOnAnyReturn)
        .expect("electing on any return went unnoticed in 3000 schedules");
    println!("caught at seed {seed}: {v}");
}

#[test]
fn schedules_are_valid_scenarios_that_round_trip() {
    for seed in 0..500 {
        for network in [false, true] {
            let (_, script) = random_schedule(seed, network);
            let sc = Scenario::parse(&script).expect("parses");
            assert_eq!(
                Scenario::parse(&sc.to_text()).expect("reparses"),
                sc,
                "seed {seed}"
            );
        }
    }
}

/// One schedule through the shared runner: recovered once the highest id leads and
/// every node follows it.
fn run_schedule(cfg: &SimConfig, script: &str, algo: ChangRobertsConfig) -> Outcome<ChangRoberts> {
    common::run_schedule(
        cfg,
        script,
        algo,
        FAULT_PHASE,
        LIVENESS_BOUND,
        highest_leads_all_follow,
    )
}
