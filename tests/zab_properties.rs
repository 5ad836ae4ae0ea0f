//! ZAB safety and liveness over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text, so a failure prints a
//! script to rerun. Faults (crashes, restarts, partitions, isolating the leader,
//! one-way cuts, loss, pauses, forced sync timeouts, client writes) run for 4 s; then
//! the network heals, loss stops and every server restarts, and a leader must be
//! established within LIVENESS_BOUND. The monitor checks every step of the whole run.

use electionscope::algo::zab::{Zab, ZabBug, ZabConfig};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::sim::{Human, MS, Micros, SEC};
use std::time::Instant;

mod common;
use common::{Outcome, runs};

const FAULT_PHASE: Micros = 4 * SEC;
/// Most messages any second may carry: an election round is N(N-1) notifications,
/// rounds are spaced by the notification timeout, and a leader pings each follower
/// every tick and hears back. Measured worst: 30N² (N = 3); the discovery loop that
/// this bound caught sent 370N² (18,101 a second at N = 7).
fn rate_bound(n: u32) -> u64 {
    60 * u64::from(n * n)
}
/// Stated bound: with the network healed and every server restarted, a leader is
/// established within this much virtual time (the measured worst case is printed).
/// One election takes notifications, the 200 ms finalize wait, then four message
/// delays of discovery and sync. Servers that restart together can still decide on
/// votes from before the restart and follow a prospective leader that cannot gather a
/// quorum; it gives up after initLimit (2 x syncLimit, at most 600 ms) and a second
/// election settles it. And a server still LOOKING from the fault phase may be in its
/// notification backoff (at most 1 s) when the network heals. Together: within 3 s.
const LIVENESS_BOUND: Micros = 3 * SEC;

/// Crashes, restarts, loss, pauses, forced timeouts and writes; partitions, isolation
/// and cuts too if `partitions`. After the faults, one more write to commit.
fn random_schedule(seed: u64, partitions: bool) -> (SimConfig, String) {
    use common::Fault::*;
    let swarm = common::Swarm {
        count: (4, 16),
        gap_ms: (30, 600),
        quiet: 500 * MS,
        faults: if partitions {
            &[
                CrashLeader,
                CrashLeader,
                Crash,
                Restart,
                Loss,
                Timeout,
                WriteLeader,
                Write,
                Partition,
                Heal,
                IsolateLeader,
                Cut,
            ]
        } else {
            &[
                CrashLeader,
                CrashLeader,
                Crash,
                Restart,
                Loss,
                Timeout,
                WriteLeader,
                Write,
            ]
        },
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    let base = SimConfig::default().with("algo", "zab").expect("zab");
    let (cfg, mut script) = swarm.schedule(base, seed);
    script.push_str(&format!(
        "at {} write leader\n",
        Human(FAULT_PHASE + LIVENESS_BOUND)
    ));
    (cfg, script)
}

fn suite(runs: u64, partitions: bool) {
    let started = Instant::now();
    let mut worst = (0, 0);
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed, partitions);
        let out = run_schedule(&cfg, &script, Zab::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        if rec > worst.0 {
            worst = (rec, seed);
        }
    }
    println!(
        "{runs} schedules ({}) in {:.1?}: no safety violation; slowest recovery after healing {} at seed {} (bound {})",
        if partitions {
            "with partitions"
        } else {
            "without partitions"
        },
        started.elapsed(),
        Human(worst.0),
        worst.1,
        Human(LIVENESS_BOUND)
    );
}

#[test]
fn zab_is_safe_and_live_under_3000_random_schedules_with_partitions() {
    suite(runs(3_000), true);
}

#[test]
fn zab_is_safe_and_live_under_3000_random_schedules_without_partitions() {
    suite(runs(3_000), false);
}

/// The checker must be able to fail: each deliberately broken variant is caught.
/// Seeds 0 to 2,999, each with and without partitions (even: with).
fn first_caught(bug: ZabBug, invariants: &[&str]) -> Option<(u64, String)> {
    common::first_caught(0..6_000, invariants, |k| {
        let (cfg, script) = random_schedule(k / 2, k % 2 == 0);
        let algo = Zab::algo_config(&cfg).with_bug(bug);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    })
}

#[test]
fn checker_catches_servers_that_forget_their_accepted_epoch_in_a_crash() {
    let (seed, v) = first_caught(ZabBug::ForgetAcceptedEpoch, &["Epochs never decrease"])
        .expect("forgetting the accepted epoch went unnoticed in 3000 seeds");
    println!("ForgetAcceptedEpoch caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_leader_that_skips_discovery() {
    let (seed, v) = first_caught(ZabBug::SkipDiscovery, &["One established leader per epoch"])
        .expect("skipping discovery went unnoticed in 3000 seeds");
    println!("SkipDiscovery caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_an_election_that_ignores_epochs_and_zxids() {
    let (seed, v) = first_caught(ZabBug::VoteById, &["Committed history agrees"])
        .expect("electing by id alone went unnoticed in 3000 seeds");
    println!("VoteById caught at seed {seed}: {v}");
}

/// One schedule through the shared runner: recovered once a leader is established.
fn run_schedule(cfg: &SimConfig, script: &str, algo: ZabConfig) -> Outcome<Zab> {
    common::run_schedule(cfg, script, algo, FAULT_PHASE, LIVENESS_BOUND, |s| {
        s.established_leader().is_some()
    })
}
