//! Lease election's safety and liveness over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text, so a failure prints a
//! script to rerun. For 4 s the faults fall on candidates and on the lease service
//! alike: crashes, restarts, partitions, one-way cuts, loss, pauses, clock drift,
//! forced retries, client writes, and sometimes server-side expiry. Safety: the
//! monitor raises no Violation at any step (two leaders with different tokens are
//! the expected lease hazard, a warning). Then the network heals, loss stops, every
//! clock runs true again and every node restarts, and a leader must be established
//! within LIVENESS_BOUND.

use electionscope::algo::lease::{Lease, LeaseBug, LeaseConfig};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Human, MS, Micros, SEC};
use std::time::Instant;

mod common;
use common::{Outcome, runs};

const FAULT_PHASE: Micros = 4 * SEC;
/// Most messages any second may carry: each candidate reads or renews the one lease
/// record every retry period (200 ms) and gets an answer, so the rate grows with N,
/// not N². Measured worst: 19N (N = 6).
fn rate_bound(n: u32) -> u64 {
    40 * u64::from(n)
}
/// Stated bound: once the faults end, a leader is established within this much
/// virtual time. The worst case is a holder frozen past the end of the faults: the
/// others wait out leaseDuration (1.5 s) on their clocks from the last change they
/// saw, then their next retry (up to 440 ms) and a round trip; followers then need a
/// read to learn the new holder.
const LIVENESS_BOUND: Micros = 3 * SEC;

/// Crashes, restarts, partitions, loss, long pauses, clock drift and writes, the lock
/// service included, with expiry judged by the clients or (a third of the time) the
/// service.
fn random_schedule(seed: u64) -> (SimConfig, String) {
    use common::Fault::*;
    let mut r = SimRng::new(seed ^ 0x6c65_6173, Stream::Faults);
    let mut base = SimConfig::default().with("algo", "lease").expect("lease");
    if r.range(0, 3) == 0 {
        base.set("lease-expiry", "server").unwrap();
    }
    let swarm = common::Swarm {
        nodes: (2, 6),
        count: (4, 16),
        gap_ms: (30, 600),
        pause_ms: (50, 2500),
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
            Cut,
            Timeout,
            Drift,
            WriteLeader,
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

fn run_schedule(cfg: &SimConfig, script: &str, algo: LeaseConfig) -> Outcome<Lease> {
    common::run_schedule(cfg, script, algo, FAULT_PHASE, LIVENESS_BOUND, |s| {
        s.established_leader().is_some()
    })
}

#[test]
fn leases_are_safe_and_live_under_5000_random_fault_schedules() {
    let runs = runs(5_000);
    let started = Instant::now();
    let (mut worst, mut worst_seed) = (0, 0);
    let mut overlaps = 0;
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed);
        let out = run_schedule(&cfg, &script, Lease::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        if rec > worst {
            (worst, worst_seed) = (rec, seed);
        }
        overlaps += out
            .sim
            .stats()
            .findings
            .iter()
            .any(|f| f.finding.invariant == "Stale leader") as u64;
    }
    println!(
        "{runs} schedules in {:.1?}: no safety violation; {overlaps} had two leaders at once (stale-leader warnings); slowest recovery after the faults {} at seed {worst_seed} (bound {})",
        started.elapsed(),
        Human(worst),
        Human(LIVENESS_BOUND)
    );
    assert!(
        overlaps > 0,
        "the schedules never produced the lease hazard"
    );
}

/// The checker must be able to fail: each deliberately broken variant is caught.
fn first_caught(bug: LeaseBug, invariant: &str) -> Option<(u64, String)> {
    common::first_caught(0..2_000, &[invariant], |seed| {
        let (cfg, script) = random_schedule(seed);
        let algo = Lease::algo_config(&cfg).with_bug(bug);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    })
}

#[test]
fn checker_catches_a_service_that_skips_the_revision_check() {
    let (seed, v) = first_caught(LeaseBug::SkipRevisionCheck, "One holder per revision")
        .expect("a service granting one revision twice went unnoticed in 2000 schedules");
    println!("SkipRevisionCheck caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_service_that_forgets_its_revision_on_restart() {
    let (seed, v) = first_caught(LeaseBug::ForgetRevisionOnRestart, "Tokens increase")
        .expect("a service reusing tokens went unnoticed in 2000 schedules");
    println!("ForgetRevisionOnRestart caught at seed {seed}: {v}");
}
