//! Paxos safety and liveness over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text, so a failure prints a
//! script to rerun. Faults (crashes, restarts, partitions, one-way cuts, loss, pauses,
//! forced timeouts that start duels, client writes) run for 4 s; then the network
//! heals, loss stops and every node restarts, and a leader must be established within
//! LIVENESS_BOUND. The monitor checks every step of the whole run.

use electionscope::algo::paxos::{Paxos, PaxosBug, PaxosConfig};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::sim::{Human, MS, Micros, SEC};
use std::time::Instant;

mod common;
use common::{Outcome, runs};

const FAULT_PHASE: Micros = 4 * SEC;
/// Most messages any second may carry: the leader's heartbeats and acknowledgements,
/// 2(N-1) per 50 ms, and each attempt to lead costs 2(N-1) per phase; duelling
/// proposers back off but may retry several times a second. Measured worst: 30N²
/// (N = 3); a storm is hundreds of N².
fn rate_bound(n: u32) -> u64 {
    60 * u64::from(n * n)
}
/// Stated bound: with the network healed and every node restarted, a leader is
/// established within this much virtual time (the measured worst case is printed).
const LIVENESS_BOUND: Micros = SEC;

/// Crashes, restarts, partitions, loss, pauses, duels and writes; after the faults,
/// one more write the new leader must commit.
fn random_schedule(seed: u64) -> (SimConfig, String) {
    use common::Fault::*;
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
            IsolateLeader,
            Cut,
            Timeout,
            Duel,
            Write,
            WriteLeader,
        ],
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    let base = SimConfig::default().with("algo", "paxos").expect("paxos");
    let (cfg, mut script) = swarm.schedule(base, seed);
    script.push_str(&format!(
        "at {} write leader\n",
        Human(FAULT_PHASE + LIVENESS_BOUND)
    ));
    (cfg, script)
}

#[test]
fn paxos_is_safe_and_live_under_6000_random_fault_schedules() {
    let runs = runs(6_000);
    let started = Instant::now();
    let mut worst = 0;
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed);
        let out = run_schedule(&cfg, &script, Paxos::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        worst = worst.max(rec);
    }
    println!(
        "{runs} schedules in {:.1?}: no safety violation; slowest recovery after healing {} (bound {})",
        started.elapsed(),
        Human(worst),
        Human(LIVENESS_BOUND)
    );
}

/// The checker must be able to fail: each deliberately broken variant is caught.
fn first_caught(bug: PaxosBug, invariants: &[&str]) -> Option<(u64, String)> {
    common::first_caught(0..2_000, invariants, |seed| {
        let (cfg, script) = random_schedule(seed);
        let algo = Paxos::algo_config(&cfg).with_bug(bug);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    })
}

#[test]
fn checker_catches_acceptors_that_accept_below_their_promise() {
    let (seed, v) = first_caught(PaxosBug::AcceptBelowPromise, &["Promise respected"])
        .expect("accepting below the promise went unnoticed in 2000 schedules");
    println!("AcceptBelowPromise caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_acceptors_that_promise_a_lower_ballot_after_a_higher_one() {
    let (seed, v) = first_caught(PaxosBug::PromiseTwice, &["Promise respected"])
        .expect("promising twice went unnoticed in 2000 schedules");
    println!("PromiseTwice caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_leader_that_ignores_prior_accepted_values() {
    let (seed, v) = first_caught(PaxosBug::IgnorePriorAccepted, &["One value per instance"])
        .expect("ignoring prior accepted values went unnoticed in 2000 schedules");
    println!("IgnorePriorAccepted caught at seed {seed}: {v}");
}

/// One schedule through the shared runner: recovered once a leader is established.
fn run_schedule(cfg: &SimConfig, script: &str, algo: PaxosConfig) -> Outcome<Paxos> {
    common::run_schedule(cfg, script, algo, FAULT_PHASE, LIVENESS_BOUND, |s| {
        s.established_leader().is_some()
    })
}
