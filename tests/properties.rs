//! Safety and liveness over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text (so a failure prints a
//! script you can rerun with `electionscope run --scenario FILE`). Faults run for
//! 5 s; at 5 s the network heals and every node restarts; a leader must then be
//! established within LIVENESS_BOUND.

use electionscope::algo::raft::{Raft, RaftBug};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::rng::{SimRng, Stream};
use electionscope::sim::{Human, Micros, SEC};

mod common;
use common::{Outcome, runs};

const FAULT_PHASE: Micros = 5 * SEC;
/// Most messages any second may carry: a leader's heartbeats and their replies are
/// 2(N-1) per 50 ms (40N a second), stale leaders on the other side of a partition
/// add theirs, and each campaign (at most one per node per 150 ms election timeout)
/// costs 2(N-1), 4(N-1) with PreVote. Measured worst: 17N² (N = 3); a storm is
/// hundreds of N².
fn rate_bound(n: u32) -> u64 {
    40 * u64::from(n * n)
}
/// Stated bound: with a majority up and the network healed, a leader is established
/// within this much virtual time (measured maximum is printed by the test).
const LIVENESS_BOUND: Micros = 3 * SEC;

/// Crashes, restarts, partitions, loss, pauses and writes, with PreVote and
/// CheckQuorum each on or off.
fn random_schedule(seed: u64) -> (SimConfig, String) {
    use common::Fault::*;
    let mut r = SimRng::new(seed ^ 0x7261_6674, Stream::Faults);
    let switch = |r: &mut SimRng| if r.range(0, 1) == 1 { "on" } else { "off" };
    let base = SimConfig::default()
        .with("prevote", switch(&mut r))
        .and_then(|c| c.with("check-quorum", switch(&mut r)))
        .expect("switches");
    let swarm = common::Swarm {
        faults: &[
            CrashLeader,
            CrashLeader,
            Crash,
            Restart,
            Partition,
            Heal,
            Loss,
            IsolateLeader,
            Write,
            WriteLeader,
        ],
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    swarm.schedule(base, seed)
}

#[test]
fn raft_is_safe_and_live_under_10000_random_fault_schedules() {
    let runs = runs(10_000);
    let mut worst = 0;
    for seed in 0..runs {
        let (cfg, script) = random_schedule(seed);
        let out = run_schedule::<Raft>(&cfg, &script, Raft::algo_config(&cfg));
        let rec = out.assert_safe_and_settled(&cfg, &script, LIVENESS_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        worst = worst.max(rec);
    }
    println!(
        "{runs} schedules: no safety violation; slowest recovery after healing {}",
        Human(worst)
    );
}

/// The checkers must be able to fail: each deliberately broken variant is caught.
fn first_caught(bug: RaftBug, invariants: &[&str]) -> Option<(u64, String)> {
    common::first_caught(0..3_000, invariants, |seed| {
        let (cfg, script) = random_schedule(seed);
        let algo = Raft::algo_config(&cfg).with_bug(bug);
        let out = run_schedule::<Raft>(&cfg, &script, algo);
        (cfg, script, out)
    })
}

/// The rate bound must be able to fail too: a Raft that repeats every message to
/// every peer goes past it (or is stopped by the kernel's guard) in the first schedule.
#[test]
fn rate_bound_catches_a_raft_that_echoes_every_message() {
    let (cfg, script) = random_schedule(0);
    let algo = Raft::algo_config(&cfg).with_bug(RaftBug::EchoEveryMessage);
    let out = run_schedule::<Raft>(&cfg, &script, algo);
    let busiest = out.rate.busiest_second();
    assert!(
        busiest > rate_bound(cfg.nodes),
        "an echoing Raft sent only {busiest} messages in its busiest second"
    );
    assert!(out.sim.halted().is_some(), "and the kernel stopped it");
}

#[test]
fn checker_catches_a_raft_that_votes_twice_per_term() {
    let caught = first_caught(
        RaftBug::VoteTwicePerTerm,
        &["Election Safety", "Split brain"],
    );
    let (seed, v) = caught.expect("voting twice per term went unnoticed in 3000 schedules");
    println!("caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_raft_that_skips_the_up_to_date_check() {
    let caught = first_caught(
        RaftBug::SkipLogCheck,
        &[
            "Leader Completeness",
            "State Machine Safety",
            "Log Matching",
        ],
    );
    let (seed, v) =
        caught.expect("electing leaders with stale logs went unnoticed in 3000 schedules");
    println!("caught at seed {seed}: {v}");
}

#[test]
fn schedules_are_valid_scenarios_that_round_trip() {
    for seed in 0..500 {
        let (_, script) = random_schedule(seed);
        let sc = Scenario::parse(&script).expect("parses");
        assert_eq!(
            Scenario::parse(&sc.to_text()).expect("reparses"),
            sc,
            "seed {seed}"
        );
    }
}

/// One schedule through the shared runner: recovered once a leader is established.
fn run_schedule<A: FromSimConfig>(cfg: &SimConfig, script: &str, algo: A::Config) -> Outcome<A> {
    common::run_schedule(cfg, script, algo, FAULT_PHASE, LIVENESS_BOUND, |s| {
        s.established_leader().is_some()
    })
}
