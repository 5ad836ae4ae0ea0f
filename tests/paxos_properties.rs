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
use electionscope::sim::rng::{SimRng, Stream};
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

fn random_schedule(seed: u64) -> (SimConfig, String) {
    let mut r = SimRng::new(seed, Stream::Faults);
    let nodes = r.range(3, 7) as u32;
    let lat_lo = r.range(1, 10);
    let cfg = SimConfig {
        nodes,
        seed,
        latency: (lat_lo * MS, (lat_lo + r.range(0, 20)) * MS),
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
        let action = match r.range(0, 13) {
            0 | 1 => "crash leader".to_string(),
            2 => format!("crash {}", node(&mut r)),
            3 => format!("restart {}", node(&mut r)),
            4 => common::random_partition(&mut r, nodes),
            5 => "heal".to_string(),
            6 => format!("drop {}%", r.range(0, 40)),
            7 => format!("pause {} for {}ms", node(&mut r), r.range(50, 900)),
            8 => "isolate leader".to_string(),
            9 => {
                let (a, b) = (r.range(1, u64::from(nodes)), r.range(1, u64::from(nodes)));
                if a == b {
                    format!("timeout n{a}")
                } else {
                    format!("cut n{a}->n{b}")
                }
            }
            10 => {
                // Two proposers at one instant: a duel the backoff must settle.
                let (a, b) = (node(&mut r), node(&mut r));
                lines.push(format!("at {} timeout {a}", Human(t)));
                format!("timeout {b}")
            }
            _ => {
                let target = if r.range(0, 1) == 0 {
                    "leader".to_string()
                } else {
                    node(&mut r)
                };
                format!("write {target}")
            }
        };
        lines.push(format!("at {} {action}", Human(t)));
    }
    lines.push(format!("at {} heal", Human(FAULT_PHASE)));
    lines.push(format!("at {} drop 0%", Human(FAULT_PHASE)));
    for n in 1..=nodes {
        lines.push(format!("at {} restart n{n}", Human(FAULT_PHASE)));
    }
    lines.push(format!(
        "at {} write leader",
        Human(FAULT_PHASE + LIVENESS_BOUND)
    ));
    let mut script = lines.join("\n") + "\n";
    common::add_shared_faults(&cfg, &mut script, FAULT_PHASE);
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
