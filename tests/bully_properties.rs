//! Bully over thousands of random fault schedules.
//!
//! Each schedule is generated from a seed as scenario text, so a failure prints a
//! script to rerun. Faults run for 5 s; at 5 s the network heals, loss stops and every
//! crashed node restarts. Bully promises (Garcia-Molina 1982, with a reliable network
//! and failure detector) that the highest live id then leads and everyone follows it;
//! its two local rules (the Bully rule, no lower leader) must hold throughout, even
//! under partitions, where two leaders at once is only a warning.

use electionscope::algo::bully::{Bully, BullyBug, BullyConfig};
use electionscope::config::FromSimConfig;
use electionscope::config::SimConfig;
use electionscope::scenario::Scenario;
use electionscope::sim::{Human, Micros, SEC};
use std::time::Instant;

mod common;
use common::{Outcome, describe, highest_leads_all_follow, runs};

const FAULT_PHASE: Micros = 5 * SEC;
/// Most messages any second may carry: heartbeats from the coordinator, and an
/// election costs at most N(N-1)/2 ELECTION, as many ANSWER and N-1 COORDINATOR.
/// Measured worst: 20N² (N = 3); a storm is hundreds of N².
fn rate_bound(n: u32) -> u64 {
    40 * u64::from(n * n)
}
/// Stated bound: once faults stop, every node follows the highest id within this much
/// virtual time (the measured maximum is printed). nN declares the instant it
/// restarts, so this is a COORDINATOR's trip plus any pause still being worked off.
const CONVERGENCE_BOUND: Micros = SEC;

/// Which faults a schedule may contain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Faults {
    /// Crashes, restarts, pauses, forced timeouts and writes: a reliable network.
    NodesOnly,
    /// All of the above plus partitions, one-way cuts and message loss.
    WithNetwork,
}

/// Node faults (crashes, restarts, pauses, forced timeouts, writes), plus partitions,
/// isolation and loss with `Faults::WithNetwork`.
fn random_schedule(seed: u64, faults: Faults) -> (SimConfig, String) {
    use common::Fault::*;
    const NODES: &[common::Fault] = &[
        CrashLeader,
        Crash,
        Restart,
        Pause,
        PauseLeader,
        Timeout,
        Write,
        WriteLeader,
    ];
    const NETWORK: &[common::Fault] = &[
        CrashLeader,
        Crash,
        Restart,
        Pause,
        PauseLeader,
        Timeout,
        Write,
        WriteLeader,
        Partition,
        IsolateLeader,
        Heal,
        Loss,
        Cut,
    ];
    let swarm = common::Swarm {
        nodes: (2, 8),
        count: (3, 14),
        faults: if faults == Faults::NodesOnly {
            NODES
        } else {
            NETWORK
        },
        fault_phase: FAULT_PHASE,
        ..common::Swarm::default()
    };
    swarm.schedule(
        SimConfig::default().with("algo", "bully").expect("bully"),
        seed,
    )
}

/// Runs `count` schedules; every one must be free of violations and converge on the
/// highest id within the bound. Returns (slowest convergence, schedules with warnings).
fn check_schedules(count: u64, faults: Faults) -> (Micros, u64) {
    let mut worst = 0;
    let mut warned = 0;
    for seed in 0..count {
        let (cfg, script) = random_schedule(seed, faults);
        let out = run_schedule(&cfg, &script, Bully::algo_config(&cfg));
        let took = out.assert_safe_and_settled(&cfg, &script, CONVERGENCE_BOUND);
        out.assert_message_rate(&cfg, &script, rate_bound(cfg.nodes));
        assert!(
            highest_leads_all_follow(&out.sim),
            "agreement on the highest id did not last:\n{}",
            describe(&cfg, &script)
        );
        worst = worst.max(took);
        warned += u64::from(out.warnings > 0);
    }
    (worst, warned)
}

#[test]
fn bully_elects_the_highest_id_after_4000_schedules_of_node_faults() {
    let count = runs(4_000);
    let started = Instant::now();
    let (worst, warned) = check_schedules(count, Faults::NodesOnly);
    println!(
        "{count} node-fault schedules: no violation; every node followed the highest id within {} of the faults stopping (bound {}); {warned} had split-brain warnings (a paused leader, or a restarted higher id bullying back while the old leader still leads); {:.1}s",
        Human(worst),
        Human(CONVERGENCE_BOUND),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn bully_keeps_its_rules_under_4000_schedules_with_partitions_and_loss() {
    let count = runs(4_000);
    let started = Instant::now();
    let (worst, warned) = check_schedules(count, Faults::WithNetwork);
    println!(
        "{count} schedules with partitions, cuts and loss: no violation ({warned} with warnings); after healing every node followed the highest id within {}; {:.1}s",
        Human(worst),
        started.elapsed().as_secs_f64()
    );
}

/// The checkers must be able to fail: each deliberately broken variant is caught.
fn first_caught(bug: BullyBug, invariant: &str) -> Option<(u64, String)> {
    common::first_caught(0..3_000, &[invariant], |seed| {
        let (cfg, script) = random_schedule(seed, Faults::NodesOnly);
        let algo = Bully::algo_config(&cfg).with_bug(bug);
        let out = run_schedule(&cfg, &script, algo);
        (cfg, script, out)
    })
}

#[test]
fn checker_catches_a_bully_that_ignores_answers() {
    let (seed, v) = first_caught(BullyBug::IgnoreAnswers, "Bully rule")
        .expect("declaring after an ANSWER went unnoticed in 3000 schedules");
    println!("caught at seed {seed}: {v}");
}

#[test]
fn checker_catches_a_bully_that_follows_a_lower_coordinator() {
    let (seed, v) = first_caught(BullyBug::AcceptLowerCoordinator, "No lower leader")
        .expect("following a lower id went unnoticed in 3000 schedules");
    println!("caught at seed {seed}: {v}");
}

#[test]
fn schedules_are_valid_scenarios_that_round_trip() {
    for faults in [Faults::NodesOnly, Faults::WithNetwork] {
        for seed in 0..500 {
            let (_, script) = random_schedule(seed, faults);
            let sc = Scenario::parse(&script).expect("parses");
            assert_eq!(
                Scenario::parse(&sc.to_text()).expect("reparses"),
                sc,
                "seed {seed}"
            );
        }
    }
}

/// One schedule through the shared runner: recovered once every node follows the
/// highest id and it leads.
fn run_schedule(cfg: &SimConfig, script: &str, algo: BullyConfig) -> Outcome<Bully> {
    common::run_schedule(
        cfg,
        script,
        algo,
        FAULT_PHASE,
        CONVERGENCE_BOUND,
        highest_leads_all_follow,
    )
}
